# JOB=cycles: CYCLES (100) load/unload cycles, each rmmod at a random
# moment of a running stress: cs_core and a module (cma_stress and
# isolate_race in turn) loaded, a run started with a random duration of 1 to
# 4 s, rmmod after a random 0 to 5 s (so in the run, in its stop, or after
# it), then rmmod cs_core. Beside the user-memory pressure program, as the
# stress job runs. After every cycle: no harness thread left, every memory
# block online, no pageblock left isolated, MemTotal and the hugetlb pool
# at their baselines. After all
# of them, with the pressure stopped: CmaFree no more than one pageblock
# per CMA area below its value before the cycles (both read with the areas
# evacuated: see evacuate), and each area's bitmap as it was.
# The guest init then scans kmemleak (debug kernels boot with kmemleak=on)
# and fails the run on a leak of our modules.
#
# Prints "cycles: ..." lines and verdict PASS only if every check held.
CYCLES=${CYCLES:-100}
for a in $MODARGS; do
	case $a in cycles=*) CYCLES=${a#cycles=} ;; esac
done

memtotal() { awk '/^MemTotal/ {print $2}' /proc/meminfo; }
cmafree() { awk '/^CmaFree/ {print $2}' /proc/meminfo; }
offline_blocks() { grep -L 1 /sys/devices/system/memory/memory*/online 2>/dev/null | wc -l; }
cma_used() { cat /sys/kernel/debug/cma/*/used 2>/dev/null | tr '\n' ' '; }
# The durations and rmmod moments come from SEED (a job variable; printed
# either way, so a failing run replays: make run JOB=cycles SEED=<seed>).
seed=${SEED:-$(od -An -tu2 -N2 /dev/urandom | tr -d ' ')}
echo "cycles: seed $seed (replay: make run JOB=cycles SEED=$seed)"
rng=$seed
rand() {	# 0 .. $1-1, into $r (a subshell would not advance rng)
	rng=$(((rng * 1103515245 + 12345) % 2147483648))
	r=$(((rng / 65536) % $1))
}
hugepages() { awk '/^HugePages_Total/ {print $2}' /proc/meminfo; }
# isolated: online pageblocks marked Isolate, from /proc/pagetypeinfo's
# block counts (its header names the column; a data line has the same
# four leading words as the header).
isolated() {
	awk '/^Number of blocks type/ { for (i = 5; i <= NF; i++) if ($i == "Isolate") c = i; next }
		c && /^Node/ { s += $c } END { print s + 0 }' /proc/pagetypeinfo
}
# drain: pages on a per-CPU free list are not free to the counters;
# offlining a movable memory block drains every pcp list of its zone
# (whether or not the offline then succeeds), so offline and online the
# highest movable block that offline_pages() takes up: a block it refuses
# at once with EINVAL (the top block, with the BIOS's reserved tail in it)
# drains nothing, so the next one down is tried.
drain() {
	for nb in $(find /sys/devices/system/memory -maxdepth 1 -name 'memory[0-9]*' |
		sed 's/.*memory//' | sort -n -r); do
		b=/sys/devices/system/memory/memory$nb
		grep -qx Movable "$b/valid_zones" 2>/dev/null || continue
		grep -qx 1 "$b/online" || continue
		echo 0 >"$b/online" 2>/tmp/drain.err
		grep -qx 1 "$b/online" || echo 1 >"$b/online"
		grep -q 'Invalid argument' /tmp/drain.err || break
	done
}
# evacuate: take each CMA area whole through its debugfs file and give it
# back. cma_alloc() migrates every movable page that sat in the area (page
# cache, tmpfs, this shell's) out of it, so CmaFree then counts the area
# whole, and only a page that is really lost (leaked, left isolated)
# stays missing. Three tries: a page pinned for a moment fails one.
evacuate() {
	for c in /sys/kernel/debug/cma/*/; do
		n=$(cat "$c/count" 2>/dev/null) || continue
		r=busy
		for _ in 1 2 3; do
			if echo "$n" >"$c/alloc" 2>/dev/null; then
				echo "$n" >"$c/free"
				r=ok
				break
			fi
			sleep 1
		done
		echo "cycles: evacuating area $(basename "$c") ($n pages): $r" >&2
	done
}
# settle: CmaFree with page cache dropped, the areas evacuated and pcp
# lists drained, the highest of three readings (what this shell and its
# children allocate meanwhile only lowers it).
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	evacuate
	best=0 seen="$(cmafree)"
	for _ in 1 2 3; do
		drain
		v=$(cmafree)
		seen="$seen $v"
		[ "$v" -le "$best" ] || best=$v
	done
	echo "cycles: CmaFree after evacuating, then after each drain: $seen kB" >&2
	echo "cycles: pcp pages: $(awk '/^Node/ {z = $4} /count:/ {c[z] += $2} END { for (k in c) printf "%s=%d ", k, c[k] }' /proc/zoneinfo)" >&2
	echo "$best"
}

# who_holds: with page_owner on (debug guests), who allocated the first
# few pages of each CMA area that are not free.
who_holds() {
	for c in /sys/kernel/debug/cma/*/; do
		b=$(cat "$c/base_pfn") n=$(cat "$c/count")
		[ -r /sys/kernel/debug/page_owner ] || continue
		# a record starts "Page allocated via"; print the first three in
		# the area
		awk -v lo="$((b))" -v hi="$((b + n))" '
			function hex(h, i, p) {
				for (i = 1; i <= length(h); i++)
					p = p * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
				return p
			}
			/^Page allocated via/ { if (mine && k++ < 3) printf "%s", rec; rec = ""; mine = 0 }
			$0 != "" && length(rec) < 4096 { rec = rec "cycles: held: " $0 "\n" }
			/^PFN 0x/ { p = hex(substr($2, 3)); mine = p >= lo && p < hi }
			k >= 3 { exit }' /sys/kernel/debug/page_owner
	done
}

nareas=$(find /sys/kernel/debug/cma -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
pb_kb=$((2 * 1024))	# one pageblock (order 9 of 4 KiB pages)
# A warm-up run first: the first cma_alloc()s migrate the movable pages
# boot left in the CMA area out of it for good, which raises CmaFree once.
insmod /lib/cs/cs_core.ko && insmod /lib/cs/cma_stress.ko duration=2 &&
	echo start >/sys/kernel/debug/cma_stress/control && sleep 4
rmmod cma_stress
rmmod cs_core
mt0=$(memtotal) off0=$(offline_blocks) used0=$(cma_used) hp0=$(hugepages) cf0=$(settle) iso0=$(isolated)
echo "cycles: baseline MemTotal=${mt0}kB CmaFree=${cf0}kB cma_areas=$nareas offline_blocks=$off0 isolated_pageblocks=$iso0 cma_used='$used0' HugePages_Total=$hp0"

cs-pressure "${PRESSURE:-50}" &
pp=$!
bad=0 i=0 mods=""
while [ "$i" -lt "$CYCLES" ]; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 1 ]; then m=cma_stress; else m=isolate_race; fi
	rand 4
	dur=$((1 + r))
	rand 5000
	ms=$r
	D=/sys/kernel/debug/$m
	why=
	if ! insmod /lib/cs/cs_core.ko; then
		why="insmod cs_core failed"
	elif ! insmod "/lib/cs/$m.ko" "duration=$dur"; then
		why="insmod $m failed"
	elif ! echo start >"$D/control"; then
		why="start refused"
	fi
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	state=$(sed -n 's/^state: //p' "$D/stats" 2>/dev/null)
	rmmod "$m" || why="$why rmmod $m failed"
	rmmod cs_core || why="$why rmmod cs_core failed"
	grep -qs '^cs_' /proc/[0-9]*/comm && why="$why harness threads left"
	[ "$(offline_blocks)" -eq "$off0" ] || why="$why $(offline_blocks) memory blocks offline (were $off0)"
	[ "$(isolated)" -eq "$iso0" ] || why="$why $(isolated) pageblocks isolated (were $iso0)"
	[ "$(memtotal)" -eq "$mt0" ] || why="$why MemTotal $(memtotal)kB (was ${mt0}kB)"
	[ "$(hugepages)" -eq "$hp0" ] || why="$why HugePages_Total $(hugepages) (was $hp0)"
	mods="$mods $m"
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		echo "cycles: cycle $i ($m duration=${dur}s rmmod at ${ms}ms, state ${state:-?}): $why"
		grep -q '^cs_core ' /proc/modules && { rmmod "$m" 2>/dev/null; rmmod cs_core 2>/dev/null; }
	elif [ $((i % 10)) -eq 0 ]; then
		echo "cycles: $i done (last: $m duration=${dur}s rmmod at ${ms}ms, state ${state:-?})"
	fi
done
kill "$pp" 2>/dev/null
wait "$pp" 2>/dev/null

cf1=$(settle) used1=$(cma_used)
tol=$((nareas * pb_kb))
d=$((cf1 - cf0))
echo "cycles: after $i: MemTotal=$(memtotal)kB CmaFree=${cf1}kB (was ${cf0}kB, change ${d}kB, allowed -${tol}kB) offline_blocks=$(offline_blocks) isolated_pageblocks=$(isolated) cma_used='$used1' HugePages_Total=$(hugepages)"
# Lower is what a leak looks like: pages of an area not given back. Higher
# is not: the movable pages that sat in an area before (the shell's, the
# kernel's) are migrated out by every cma_alloc() and do not come back.
if [ "$d" -lt "-$tol" ]; then
	echo "cycles: CmaFree is $((-d))kB below its value before the cycles: more than one pageblock per area"
	bad=$((bad + 1))
	who_holds
elif [ "$d" -gt "$tol" ]; then
	echo "cycles: CmaFree is ${d}kB above its value before the cycles: movable pages that sat in the area were migrated out (not a leak)"
fi
if [ "$used1" != "$used0" ]; then
	echo "cycles: a CMA area's bitmap holds '$used1' pages, it held '$used0' before"
	bad=$((bad + 1))
fi
echo "cycles: $i cycles, $bad with something left behind"
[ "$bad" -eq 0 ] || { echo "verdict: FAIL"; exit 1; }
echo "verdict: PASS"
