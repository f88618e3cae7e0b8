#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kselftest for cma_stress.ko: load/unload, every debugfs file, every class
# of malformed input, a short run of each scenario, unload mid-run, and
# each detector's injected fault. KTAP output; exit 4 (skip) when the
# kernel or the module is not there.
#
# Modules come from CS_MODDIR (insmod cs_core.ko, cma_stress.ko) or, when
# it is unset, from modprobe (a DKMS install). SHORT: seconds per run (5).
SHORT=${SHORT:-5}
D=/sys/kernel/debug/cma_stress
KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
n=0 npass=0 nfail=0 nskip=0
PLAN=36

ok() { n=$((n + 1)); npass=$((npass + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); nskip=$((nskip + 1)); echo "ok $n $* # SKIP"; }
check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
bail() { echo "# $*"; echo "1..0 # SKIP $*"; exit "$KSFT_SKIP"; }

load() {
	if [ -n "${CS_MODDIR:-}" ]; then
		lsmod | grep -q '^cs_core' || insmod "$CS_MODDIR/cs_core.ko" || return 1
		insmod "$CS_MODDIR/cma_stress.ko" "$@"
	else
		modprobe cma_stress "$@"
	fi
}
unload() { rmmod cma_stress; }
# put WRITE: one write(2) of exactly WRITE to control; prints the error.
put() { printf '%s' "$1" | dd of="$D/control" bs=4096 2>&1 >/dev/null | grep -v records; }
field() { sed -n "s/^$1: //p" "$D/${2:-report}" | head -n 1; }
wait_stopped() {
	i=0
	while grep -q '^state: running' "$D/stats" && [ "$i" -lt "$1" ]; do
		sleep 1
		i=$((i + 1))
	done
	! grep -q '^state: running' "$D/stats"
}

echo "TAP version 13"
[ "$(id -u)" -eq 0 ] || bail "must be root"
grep -q debugfs /proc/filesystems || bail "kernel has no debugfs"
grep -q " /sys/kernel/debug debugfs " /proc/mounts || mount -t debugfs none /sys/kernel/debug ||
	bail "cannot mount debugfs"
grep -q '^Cma' /proc/meminfo || bail "kernel built without CONFIG_CMA"
if [ -n "${CS_MODDIR:-}" ]; then
	[ -e "$CS_MODDIR/cma_stress.ko" ] || bail "no $CS_MODDIR/cma_stress.ko"
else
	modinfo cma_stress >/dev/null 2>&1 || bail "cma_stress not installed (dkms install, or set CS_MODDIR)"
fi
echo "1..$PLAN"

# 1-3: load, files, areas
check "load" load
check "debugfs has control report stats areas" \
	test -e "$D/control" -a -e "$D/report" -a -e "$D/stats" -a -e "$D/areas"
root_only() {
	for f in control report stats areas; do
		case $(stat -c %a "$D/$f") in 200|400|600) ;; *) return 1 ;; esac
	done
}
check "debugfs files are root-only" root_only
reads() { cat "$D/report" "$D/stats" "$D/areas" >/dev/null && tail -n 1 "$D/report" | grep -q '^verdict: PASS$'; }
check "every file reads; an idle report ends in verdict: PASS" reads
if [ -n "$(cat "$D/areas")" ]; then ok "at least one CMA area: $(head -n 1 "$D/areas")"; else not_ok "no CMA area found"; fi
check "module parameters readable under /sys/module" test -r /sys/module/cma_stress/parameters/scenario

# 7-18: each class of malformed control write: EINVAL, one dmesg line
bad_write() {	# bad_write WRITE DESCRIPTION
	before=$(dmesg | grep -c 'cma_stress:')
	msg=$(put "$1")
	after=$(dmesg | grep -c 'cma_stress:')
	case $msg in
	*"Invalid argument"*)
		if [ $((after - before)) -eq 1 ]; then
			ok "$2"
		else
			not_ok "$2 (EINVAL but $((after - before)) dmesg lines)"
		fi
		;;
	*) not_ok "$2 (got '${msg:-success}')" ;;
	esac
}
bad_write "bogus" "unknown command: EINVAL, one cma_stress dmesg line"
bad_write "=" "empty key: EINVAL"
bad_write "nosuchkey=1" "unknown setting: EINVAL"
bad_write "alloc_threads=abc" "non-numeric value: EINVAL"
bad_write "alloc_threads=99" "out-of-range value: EINVAL"
bad_write "duration=-1" "negative unsigned value: EINVAL"
bad_write "veto_pct=101" "percentage over 100: EINVAL"
bad_write "scenario=nosuch" "unknown scenario: EINVAL"
bad_write "inject=d9" "unknown injection: EINVAL"
bad_write "stop_on_fail=maybe" "non-boolean value: EINVAL"
bad_write "$(printf '%0200d' 0)" "over-long write: EINVAL"
good=$(field scenario)
if [ "$good" = default ]; then
	ok "refused writes changed nothing"
else
	not_ok "scenario is now '$good'"
fi
check "unload" unload

# 20: malformed module parameters fail the load
bad_params() {
	for arg in scenario=nosuch alloc_threads=99 hotplug_threads=2 inject=d9 \
		audit_ms=0 max_pageblocks=0 veto_pct=101 hold_ms=-5; do
		if load "$arg" 2>/dev/null; then
			echo "# load accepted $arg"
			unload
			return 1
		fi
	done
}
check "malformed module parameters refuse the load" bad_params

# 21-27: a short run of each scenario passes and does its work
load || bail "cannot load cma_stress"
run_scenario() {	# run_scenario NAME
	echo "scenario=$1" >"$D/control" && echo "duration=$SHORT" >"$D/control" &&
		echo start >"$D/control" && wait_stopped $((SHORT * 4 + 60)) || return 1
	grep -E '^(g1_alloc_ok|g3_offline_ok|g5_pcp_bursts|g6_pin_allocs|violations_total):' "$D/report" |
		tr '\n' ' ' | sed 's/^/# /'
	echo
	[ "$(field verdict)" = PASS ] || { grep '^first_violation' "$D/report" | sed 's/^/# /'; return 1; }
}
for s in default seed000 seed001 seed002 seed003 seed004 soak; do
	check "scenario $s: ${SHORT}s run PASSes" run_scenario "$s"
done

# 28: settings refused while running
busy() {
	echo "duration=0" >"$D/control" && echo start >"$D/control" || return 1
	msg=$(put alloc_threads=1)
	echo stop >"$D/control"
	case $msg in *busy*) ;; *) return 1 ;; esac
}
check "settings are refused while running (EBUSY)" busy

# 29-35: each detector fires on its injected fault
inject() {	# inject N NAME EXTRA
	echo "scenario=default" >"$D/control"
	echo "inject=d$1" >"$D/control" && echo "duration=$SHORT" >"$D/control" || return 1
	[ -z "$3" ] || echo "$3" >"$D/control" || return 1
	echo start >"$D/control" && wait_stopped $((SHORT * 4 + 60)) || return 1
	v=$(field "${2}_violations")
	echo "inject=none" >"$D/control"
	echo "stall_s=60" >"$D/control"
	echo "# ${2}_violations: $v"
	[ "${v:-0}" -gt 0 ] && [ "$(field verdict)" = FAIL ]
}
check "inject=d1: d1_counters fires" inject 1 d1_counters
check "inject=d2: d2_freelist fires" inject 2 d2_freelist
check "inject=d3: d3_pageblock fires" inject 3 d3_pageblock
check "inject=d4: d4_ownership fires" inject 4 d4_ownership
check "inject=d5: d5_placement fires" inject 5 d5_placement
check "inject=d6: d6_quiesce fires" inject 6 d6_quiesce
check "inject=d7: d7_liveness fires" inject 7 d7_liveness stall_s=2
echo reset >"$D/control"

# 36: unload in the middle of a run leaves nothing behind
memtotal() { awk '/^MemTotal/ {print $2}' /proc/meminfo; }
cma_used() { cat /sys/kernel/debug/cma/*/used 2>/dev/null | tr '\n' ' '; }
online_blocks() { grep -l 1 /sys/devices/system/memory/memory*/online 2>/dev/null | wc -l; }
unload_midrun() {
	mt0=$(memtotal) used0=$(cma_used) on0=$(online_blocks)
	echo "duration=0" >"$D/control" && echo start >"$D/control" || return 1
	sleep "$SHORT"
	unload || return 1
	r=0
	grep -qs '^cs_' /proc/[0-9]*/comm && { echo "# harness threads left"; r=1; }
	[ -e "$D" ] && { echo "# debugfs left behind"; r=1; }
	[ "$(online_blocks)" -eq "$on0" ] || { echo "# online blocks $(online_blocks), were $on0"; r=1; }
	[ "$(memtotal)" -eq "$mt0" ] || { echo "# MemTotal $(memtotal), was $mt0"; r=1; }
	[ "$(cma_used)" = "$used0" ] || { echo "# CMA used '$(cma_used)', was '$used0'"; r=1; }
	return "$r"
}
check "unload mid-run stops, releases and onlines everything" unload_midrun
[ -n "${CS_MODDIR:-}" ] && rmmod cs_core 2>/dev/null

echo "# $npass passed, $nfail failed, $nskip skipped"
[ "$n" -eq "$PLAN" ] || { echo "# ran $n tests, planned $PLAN"; exit "$KSFT_FAIL"; }
[ "$nfail" -eq 0 ] && exit "$KSFT_PASS"
exit "$KSFT_FAIL"
