# JOB=repro-contig-undo: docs/findings/contig-undo-foreign-isolation.md,
# with the small module repro/contig_undo.ko only (no harness module).
#
# Part 1, memory offline owns the isolation: the module holds the last page
# of the top movable memory block, so an offline of that block isolates
# all of it and keeps retrying; an alloc_contig_range() over the block's
# first pageblock then fails (already isolated) and, with the bug, undoes
# the offline's isolation. The page is freed and the offline watched for
# WAIT_S seconds: with its isolation gone it can never finish.
# Parts 2 and 3, a cma_alloc()-style owner: "race" on the CMA pageblock
# RACE_PFN (see repro/contig_undo.c), RACE_S/2 seconds alone, then RACE_S
# beside the intruder; part 2's owner takes two pageblocks (on 6.x the
# undo turns the first Movable; on 7.x the owner fails), part 3's one
# (on a CONFIG_DEBUG_VM kernel the owner's second isolate_single_pageblock()
# call then finds its isolation gone: a VM_BUG_ON).
# MODARGS: wait_s=N race_s=N race_pfn=0x...
WAIT_S=20 RACE_S=16 RACE_PFN=0x50400
for a in $MODARGS; do
	case $a in
	wait_s=*) WAIT_S=${a#wait_s=} ;;
	race_s=*) RACE_S=${a#race_s=} ;;
	race_pfn=*) RACE_PFN=${a#race_pfn=} ;;
	esac
done
C=/sys/module/contig_undo/parameters/cmd
M=/sys/devices/system/memory
if ! insmod /lib/cs/contig_undo.ko; then
	echo "repro: insmod /lib/cs/contig_undo.ko failed"
	echo "verdict: FAIL"
	exit 1
fi
now() { cut -d. -f1 /proc/uptime; }

# The second highest online block that can only be Movable (the highest
# holds the firmware's tables at the top of a 2 GiB guest).
nb='' nb2=''
for b in "$M"/memory[0-9]*; do
	[ "$(cat "$b/online")" = 1 ] || continue
	[ "$(cat "$b/valid_zones")" = Movable ] || continue
	n=${b##*memory}
	if [ -z "$nb" ] || [ "$n" -gt "$nb" ]; then
		nb2=$nb
		nb=$n
	elif [ -z "$nb2" ] || [ "$n" -gt "$nb2" ]; then
		nb2=$n
	fi
done
[ -z "$nb2" ] || nb=$nb2
if [ -z "$nb" ]; then
	echo "repro: no online Movable memory block"
	echo "verdict: FAIL"
	exit 1
fi
bpages=$(($(printf '%d' "0x$(cat "$M/block_size_bytes")") / 4096))
first=$((nb * bpages))
last=$((first + bpages - 1))
echo "repro: part 1: offline memory$nb (pfn $(printf '0x%x' "$first")-$(printf '0x%x' "$last")) while a page of it is held"
echo "hold $last" >"$C" 2>/dev/null || echo "repro: hold failed"
sh -c "echo 0 >$M/memory$nb/online" 2>/tmp/offline.err &
op=$!
sleep 3
if kill -0 "$op" 2>/dev/null; then
	echo "repro: offline of memory$nb in flight after 3s (held page)"
else
	echo "repro: offline of memory$nb ended before the undo: $(cat /tmp/offline.err)"
fi
echo "undo $first" >"$C" 2>/dev/null
echo release >"$C"
t0=$(now)
while kill -0 "$op" 2>/dev/null && [ $(($(now) - t0)) -lt "$WAIT_S" ]; do
	sleep 1
done
if kill -0 "$op" 2>/dev/null; then
	echo "repro: FOUND: offline of memory$nb still running ${WAIT_S}s after the held page was freed (its isolation was undone: it cannot finish)"
	kill "$op"
	wait "$op"
	echo "repro: offline of memory$nb killed; memory$nb online=$(cat "$M/memory$nb/online")"
else
	wait "$op"
	echo "repro: offline of memory$nb finished $(($(now) - t0))s after the held page was freed: online=$(cat "$M/memory$nb/online") $(cat /tmp/offline.err)"
fi
[ "$(cat "$M/memory$nb/online")" = 1 ] || echo 1 >"$M/memory$nb/online"

echo "repro: part 2: race on CMA pageblock $RACE_PFN, owner over 2 pageblocks"
echo "race $RACE_PFN $RACE_S 2" >"$C" || echo "repro: race refused (pageblock not CMA?)"
echo "repro: part 3: race on CMA pageblock $RACE_PFN, owner over 1 pageblock"
echo "race $RACE_PFN $RACE_S 1" >"$C" || echo "repro: race refused (pageblock not CMA?)"
rmmod contig_undo
echo "repro: done"
echo "verdict: PASS"
