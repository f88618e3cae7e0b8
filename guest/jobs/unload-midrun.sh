# JOB=unload-midrun: rmmod while every worker is busy. Afterwards no
# harness thread is left, every memory block that was online is online,
# MemTotal and the CMA areas' used counts are back to where they started.
D=/sys/kernel/debug/cma_stress
bad=0
no() { echo "unload-midrun: FAIL: $*"; bad=1; }
memtotal() { awk '/^MemTotal/ {print $2}' /proc/meminfo; }
cma_used() { cat /sys/kernel/debug/cma/*/used 2>/dev/null | tr '\n' ' '; }
online_blocks() { grep -l 1 /sys/devices/system/memory/memory*/online | wc -l; }

mt0=$(memtotal)
used0=$(cma_used)
on0=$(online_blocks)
insmod /lib/cs/cs_core.ko || exit 1
insmod /lib/cs/cma_stress.ko scenario=default || exit 1
cs-pressure 40 &
pp=$!
echo start >"$D/control" || exit 1
sleep "${DURATION:-20}"
grep -E '^(g1_alloc_ok|g3_offline_ok|g5_pcp_bursts):' "$D/stats"
t0=$(date +%s)
rmmod cma_stress || no "rmmod while running failed"
echo "unload-midrun: rmmod took $(($(date +%s) - t0))s"
kill "$pp"
wait "$pp" 2>/dev/null
ps | grep -q '[c]s_g[0-9]' && no "harness threads left: $(ps | grep '[c]s_g')"
[ -e "$D" ] && no "debugfs directory left behind"
[ "$(online_blocks)" -eq "$on0" ] || no "online blocks $(online_blocks), were $on0"
[ "$(memtotal)" -eq "$mt0" ] || no "MemTotal $(memtotal) kB, was $mt0 kB"
[ "$(cma_used)" = "$used0" ] || no "CMA used '$(cma_used)', was '$used0'"
rmmod cs_core || no "rmmod cs_core failed"
if [ "$bad" -eq 0 ]; then echo "verdict: PASS"; else echo "verdict: FAIL"; fi
exit "$bad"
