# JOB=stress: load cs_core and $MODULE, run $SCENARIO for $DURATION seconds
# beside the user-memory pressure program, print the report between
# markers, unload, and exit 0 only if the report says PASS.
D=/sys/kernel/debug/$MODULE
# shellcheck disable=SC2086
insmod /lib/cs/cs_core.ko ${COREARGS:-} || exit 1
args="duration=$DURATION"
[ "$MODULE" != cma_stress ] || args="$args scenario=$SCENARIO"
# shellcheck disable=SC2086
insmod "/lib/cs/$MODULE.ko" $args $MODARGS || exit 1
[ ! -e "$D/areas" ] || cat "$D/areas"
# The box as the run sees it: NUMA nodes, and whether the CPU offers the
# 1 GiB pages a hugetlb_cma= area needs (without them it has none).
nodes=0
for n in /sys/devices/system/node/node[0-9]*; do
	[ ! -e "$n" ] || nodes=$((nodes + 1))
done
echo "cs-guest: nodes=$nodes pdpe1gb=$(grep -qw pdpe1gb /proc/cpuinfo && echo yes || echo no)"
rm -f /tmp/cs-pressure.ready
cs-pressure "${PRESSURE:-50}" "${SIEVE:-0}" &
pp=$!
# SIEVE: fragment memory before the run starts (cs-pressure says when).
w=0
while [ ! -e /tmp/cs-pressure.ready ] && [ "$w" -lt 300 ] && kill -0 "$pp" 2>/dev/null; do
	sleep 1
	w=$((w + 1))
done
[ -e /tmp/cs-pressure.ready ] || echo "cs-guest: cs-pressure not ready after ${w}s"
sleep 2
echo start >"$D/control" || exit 1
# Poll each second: a run that stopped at its first violation is read at
# once, before a kernel the bug corrupted goes on to crash.
t=0
limit=$((DURATION * 3 + 120))
while grep -q '^state: running' "$D/stats"; do
	sleep 1
	t=$((t + 1))
	if [ $((t % 30)) -eq 0 ]; then
		echo "cs-guest: t=${t}s $(grep -E '^(g1_alloc_ok|g1_alloc_fail|g4_contig_ok|g4_contig_busy|g3_offline_ok|d[0-9]_[a-z]+_violations)' "$D/stats" | tr '\n' ' ')"
	fi
	if [ "$t" -ge "$limit" ]; then
		echo "cs-guest: $MODULE did not stop by itself after ${t}s: stopping it"
		echo stop >"$D/control"
	fi
done
kill "$pp" 2>/dev/null
wait "$pp" 2>/dev/null
cat "$D/report" >/tmp/report
# Where each symbol of the routes line is, as /proc/kallsyms has it, so
# the host can hold a route against the image (scripts/ibt-seals.sh).
case " ${COREARGS:-} " in *" assume_ibt=1 "*)
	# shellcheck disable=SC2013 # the line is a list of words
	for s in $(sed -n 's/^symbols: //p' /tmp/report); do
		grep -E " ${s%%=*}\$" /proc/kallsyms | sed 's/^/cs-guest: kallsyms: /'
	done ;;
esac
echo "==== report $MODULE ===="
cat /tmp/report
echo "==== end report ===="
echo "==== series $MODULE ===="
cat "$D/series"
echo "==== end series ===="
rmmod "$MODULE" || exit 1
rmmod cs_core || exit 1
grep -q '^verdict: PASS' /tmp/report
