# JOB=consolegen: make the kernel print one kind of console report, for the
# console verdict parser's fixtures (scripts/capture-console-fixtures.sh).
# MODARGS="what=EVENT [secs=N]" names it: an event of cs_consolegen.ko, or
# "clean" (load nothing) or "timeout" (sleep until the runner kills the
# guest). The job prints a "verdict: PASS" of its own and exits 0, so what
# the kernel printed is the only failure signal the parser gets.
what=
for a in $MODARGS; do
	case $a in what=*) what=${a#what=} ;; esac
done
echo "consolegen: what=$what"

# wait_gone: wait until no task is named cs_consolegen (its kthread ended,
# or died in an oops), at most $1 seconds.
wait_gone() {
	n=0
	while grep -qx cs_consolegen /proc/[0-9]*/comm 2>/dev/null; do
		n=$((n + 1))
		if [ "$n" -gt "$1" ]; then
			echo "consolegen: the kthread is still there after ${1}s"
			return
		fi
		sleep 1
	done
}

# settle: wait until the guest has been up for 6 s. Boot leaves deferred
# work (on x86 TCG, the TSC calibration switches the clocksource with
# stop_machine), and a CPU that spins with preemption off blocks it: the
# other CPU then waits in stop_machine too, and RCU's own threads never run.
settle() {
	while [ "$(cut -d. -f1 /proc/uptime)" -lt 6 ]; do
		sleep 1
	done
}

case $what in
'')
	echo "consolegen: MODARGS='$MODARGS' names no what=EVENT"
	exit 1
	;;
clean)
	;;
timeout)
	echo "consolegen: sleeping until the runner's wall-clock limit kills the guest"
	while :; do sleep 3600; done
	;;
*)
	case $what in
	hung)
		echo 2 >/proc/sys/kernel/hung_task_timeout_secs
		echo 1 >/proc/sys/kernel/hung_task_warnings
		;;
	softlockup)
		settle
		echo 2 >/proc/sys/kernel/watchdog_thresh
		;;
	rcustall)
		settle
		echo 3 >/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout
		;;
	rcuexpstall)
		settle
		echo 1000 >/sys/module/rcupdate/parameters/rcu_exp_cpu_stall_timeout
		;;
	kmemleak)
		K=/sys/kernel/debug/kmemleak
		[ -w "$K" ] || { echo "consolegen: no $K: boot with kmemleak=on"; exit 1; }
		# Forget what boot leaked, so only our object is listed.
		echo scan >"$K"
		echo clear >"$K"
		;;
	esac
	# shellcheck disable=SC2086
	insmod /lib/cs/cs_consolegen.ko $MODARGS ||
		echo "consolegen: insmod failed (an oops at load kills it)"
	wait_gone 60
	if [ "$what" = kmemleak ]; then
		sleep 6		# kmemleak reports objects older than 5 s
		echo scan >"$K"
		echo scan >"$K"
		cat "$K"
	fi
	;;
esac
# Let the console drain before "cs-guest: done" (the report lands before it).
sleep 2
echo "consolegen: what=$what: done"
echo "verdict: PASS"
exit 0
