# JOB=gigantic-offline: the kernel's own paths only, no harness module.
# Gigantic (1 GiB) hugetlb pages are allocated and freed through
# /sys/kernel/mm/hugepages (alloc_contig_pages() -> alloc_contig_range())
# by GIG_LOOPS (2) shell loops, while another loop offlines and onlines the
# memory blocks of the zone those pages come from (offline_pages()), each
# offline cut short by a SIGTERM after OFFLINE_S (5) seconds, for DURATION
# seconds. Beside the user-memory pressure program, so migrations take time.
#
# On 7.x, vm.movable_gigantic_pages lets gigantic pages come from
# ZONE_MOVABLE, whose blocks are the offlinable ones (MODARGS
# movable_gigantic=0 leaves it off); elsewhere the blocks offlined are
# those of the highest zone below ZONE_MOVABLE (boot with a small
# movablecore= so that zone has free blocks above 4 GiB).
#
# SMALL_HUGE (8) free 2 MiB hugetlb pages sit in the pool, as on a box that
# uses hugetlb: since 6.15 replace_free_hugepage_folios() walks the range's
# struct pages only when such pages exist.
#
# The harness modules are not loaded: what this shows is the kernel's.
# Prints "repro: ..." lines and verdict PASS when every block is back
# online and nothing crashed (the host's console parser fails the run on a
# BUG, Oops or WARNING line).
GIG_LOOPS=2 OFFLINE_S=5 MOVABLE_GIGANTIC=1 SMALL_HUGE=8
for a in $MODARGS; do
	case $a in
	gig_loops=*) GIG_LOOPS=${a#gig_loops=} ;;
	offline_s=*) OFFLINE_S=${a#offline_s=} ;;
	movable_gigantic=*) MOVABLE_GIGANTIC=${a#movable_gigantic=} ;;
	small_huge=*) SMALL_HUGE=${a#small_huge=} ;;
	esac
done
H=/sys/kernel/mm/hugepages/hugepages-1048576kB
M=/sys/devices/system/memory
if [ ! -d "$H" ]; then
	echo "repro: no 1 GiB hugetlb pages on this kernel/CPU ($H missing)"
	echo "verdict: FAIL"
	exit 1
fi
zone=Normal
if [ "$MOVABLE_GIGANTIC" = 1 ] && [ -w /proc/sys/vm/movable_gigantic_pages ]; then
	echo 1 >/proc/sys/vm/movable_gigantic_pages
	zone=Movable
fi
blocks=
for b in "$M"/memory[0-9]*; do
	[ "$(cat "$b/online" 2>/dev/null)" = 1 ] || continue
	grep -qx "$zone" "$b/valid_zones" 2>/dev/null || continue
	blocks="$blocks ${b##*memory}"
done
nblocks=$(echo "$blocks" | wc -w)
echo "repro: kernel $(uname -r): gigantic pages from $zone, $nblocks online $zone blocks to offline, $GIG_LOOPS allocation loops, ${DURATION}s"
[ "$nblocks" -gt 0 ] || { echo "repro: no $zone memory block to offline"; echo "verdict: FAIL"; exit 1; }

S=/sys/kernel/mm/hugepages/hugepages-2048kB
[ ! -d "$S" ] || echo "$SMALL_HUGE" >"$S/nr_hugepages"
echo "repro: free 2 MiB hugetlb pages: $(cat "$S/free_hugepages" 2>/dev/null || echo none)"
cs-pressure "${PRESSURE:-30}" &
pp=$!
end=$(($(cut -d. -f1 /proc/uptime) + DURATION))
now() { cut -d. -f1 /proc/uptime; }

gig_loop() {
	n=0
	while [ "$(now)" -lt "$end" ]; do
		echo 1 >"$H/nr_hugepages" 2>/dev/null
		got=$(cat "$H/nr_hugepages")
		[ "$got" -eq 0 ] || n=$((n + 1))
		echo 0 >"$H/nr_hugepages" 2>/dev/null
	done
	echo "repro: allocation loop $1: $n gigantic pages obtained"
}
i=0 loops=
while [ "$i" -lt "$GIG_LOOPS" ]; do
	gig_loop "$i" &
	loops="$loops $!"
	i=$((i + 1))
done

ok=0 busy=0 cut=0 stuck=0
while [ "$(now)" -lt "$end" ]; do
	for nb in $blocks; do
		[ "$(now)" -lt "$end" ] || break
		t0=$(now)
		if timeout -s TERM "$OFFLINE_S" sh -c "echo 0 >$M/memory$nb/online" 2>/dev/null; then
			ok=$((ok + 1))
		elif [ $(($(now) - t0)) -ge "$OFFLINE_S" ]; then
			cut=$((cut + 1))
		else
			busy=$((busy + 1))
		fi
		if [ "$(cat "$M/memory$nb/online")" = 0 ]; then
			echo 1 >"$M/memory$nb/online" 2>/dev/null || stuck=$((stuck + 1))
		fi
	done
done
# A loop whose task died in the kernel (an oops) may leave the other one
# blocked for good on the lock it held: wait 60 s, then say so and go on.
hung=0
for p in $loops; do
	t=0
	while kill -0 "$p" 2>/dev/null && [ "$t" -lt 60 ]; do
		sleep 1
		t=$((t + 1))
	done
	kill -0 "$p" 2>/dev/null && hung=$((hung + 1))
done
[ "$hung" -eq 0 ] || echo "repro: $hung allocation loop(s) still blocked 60s after the end (a task that died holding a hugetlb lock?)"
kill "$pp" 2>/dev/null
wait "$pp" 2>/dev/null
[ "$hung" -ne 0 ] || { echo 0 >"$H/nr_hugepages"; [ ! -d "$S" ] || echo 0 >"$S/nr_hugepages"; }
off=0
for nb in $blocks; do
	[ "$(cat "$M/memory$nb/online")" = 1 ] || off=$((off + 1))
done
echo "repro: offlines: $ok done, $busy refused, $cut cut short after ${OFFLINE_S}s; blocks left offline: $off; online failures: $stuck"
if [ "$off" -ne 0 ] || [ "$stuck" -ne 0 ] || [ "$hung" -ne 0 ]; then
	echo "verdict: FAIL"
	exit 1
fi
echo "verdict: PASS"
