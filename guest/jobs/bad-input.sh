# JOB=bad-input: malformed module parameters fail the load; malformed
# control writes get EINVAL and exactly one dmesg line each; the debugfs
# files are root-only; and after all of it a normal run still PASSes.
D=/sys/kernel/debug/cma_stress
bad=0
no() { echo "bad-input: FAIL: $*"; bad=1; }

insmod /lib/cs/cs_core.ko || exit 1
for arg in scenario=nosuch alloc_threads=99 hotplug_threads=2 inject=d9 \
	audit_ms=0 max_pageblocks=0 veto_pct=101 hold_ms=-5; do
	if insmod /lib/cs/cma_stress.ko "$arg" 2>/dev/null; then
		no "insmod accepted $arg"
		rmmod cma_stress
	fi
done
insmod /lib/cs/cma_stress.ko || exit 1

for f in control report stats areas; do
	perm=$(stat -c %a "$D/$f")
	case $perm in 200|400|600) ;; *) no "$f has mode $perm: not root-only" ;; esac
done

long=$(printf '%0200d' 0)
for w in bogus = '=1' scenario=nosuch alloc_threads=abc alloc_threads=99 \
	nosuchkey=1 veto_pct=101 inject=x duration=-1 "$long" 'start now'; do
	before=$(dmesg | wc -l)
	msg=$( (printf '%s' "$w" >"$D/control") 2>&1 )
	case $msg in
	*"Invalid argument"*) ;;
	*) no "write '$w' was not refused with EINVAL: '${msg:-accepted}'" ;;
	esac
	after=$(dmesg | wc -l)
	[ $((after - before)) -eq 1 ] ||
		no "write '$w' printed $((after - before)) dmesg lines, want 1"
done

# Settings cannot change while running.
echo duration=4 >"$D/control" || no "duration=4 refused"
echo start >"$D/control" || no "start refused"
msg=$( (echo alloc_threads=1 >"$D/control") 2>&1 )
case $msg in *"busy"*) ;; *) no "setting accepted while running: '$msg'" ;; esac
sleep 8
grep -q '^state: stopped' "$D/stats" || no "run did not stop after duration=4"
grep -q '^verdict: PASS' "$D/report" || no "report after bad input is not PASS"
grep -E '^(state|g1_alloc_ok|verdict):' "$D/report"
rmmod cma_stress || no "rmmod failed"
rmmod cs_core || no "rmmod cs_core failed"
if [ "$bad" -eq 0 ]; then echo "verdict: PASS"; else echo "verdict: FAIL"; fi
exit "$bad"
