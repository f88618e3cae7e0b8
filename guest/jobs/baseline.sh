# JOB=baseline: what users run today, for the bench to compare with: a
# loop of cma debugfs alloc/free, a loop of sysfs offline/online of the
# movable memory blocks, and a /proc/meminfo watcher looking for
# CmaFree > CmaTotal or MemFree > MemTotal. Prints "baseline: detected
# after Ns" or "baseline: nothing after Ns", then verdict PASS (this job
# judges nothing; the bench reads the line).
for C in /sys/kernel/debug/cma/*/; do break; done
cs-pressure "${PRESSURE:-50}" &
pids=$!
(
	while :; do
		echo 512 >"$C/alloc" 2>/dev/null
		echo 512 >"$C/free" 2>/dev/null
	done
) &
pids="$pids $!"
(
	while :; do
		for f in /sys/devices/system/memory/memory*/online; do
			grep -q 1 "$f" || continue
			echo 0 >"$f" 2>/dev/null && echo 1 >"$f"
		done
	done
) &
pids="$pids $!"
t0=$(date +%s)
found=
while [ $(($(date +%s) - t0)) -lt "$DURATION" ]; do
	found=$(awk '/^MemTotal/ {mt=$2} /^MemFree/ {mf=$2} /^CmaTotal/ {ct=$2} /^CmaFree/ {cf=$2}
		END { if (cf > ct) print "CmaFree " cf " kB > CmaTotal " ct " kB";
		      else if (mf > mt) print "MemFree " mf " kB > MemTotal " mt " kB" }' /proc/meminfo)
	[ -z "$found" ] || break
	sleep 0.2
done
t=$(($(date +%s) - t0))
# shellcheck disable=SC2086
kill $pids 2>/dev/null
if [ -n "$found" ]; then
	echo "baseline: detected after ${t}s: $found"
else
	echo "baseline: nothing after ${t}s"
fi
echo "verdict: PASS"
