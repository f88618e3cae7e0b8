# JOB=cmaloop: the churn users get from a shell today, for the bench to
# compare with the harness's: two loops writing COUNT (512) pages to the
# first CMA area's debugfs alloc and free files for DURATION seconds. The
# pages cma_alloc() handed out are read from CMA_SYSFS
# (/sys/kernel/mm/cma/<area>/alloc_pages_success) before and after:
# prints "cmaloop: N pages in Ts: P pages/s", then verdict PASS (this job
# judges nothing; the bench reads the line).
for C in /sys/kernel/debug/cma/*/; do break; done
S=/sys/kernel/mm/cma/$(basename "$C")/alloc_pages_success
if [ ! -r "$C/alloc" ] || [ ! -r "$S" ]; then
	echo "cmaloop: no CMA debugfs area or no $S (CONFIG_CMA_DEBUGFS, CONFIG_CMA_SYSFS)"
	exit 1
fi
n=${COUNT:-512}
cs-pressure "${PRESSURE:-50}" &
pids=$!
sleep 2
p0=$(cat "$S")
t0=$(date +%s)
for _ in 1 2; do
	(
		while :; do
			echo "$n" >"$C/alloc" 2>/dev/null
			echo "$n" >"$C/free" 2>/dev/null
		done
	) &
	pids="$pids $!"
done
sleep "$DURATION"
p1=$(cat "$S")
t=$(($(date +%s) - t0))
# shellcheck disable=SC2086
kill $pids 2>/dev/null
wait 2>/dev/null
echo "cmaloop: $((p1 - p0)) pages in ${t}s: $(((p1 - p0) / t)) pages/s (2 loops, $n pages a write)"
echo "verdict: PASS"
