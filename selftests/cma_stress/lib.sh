# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# lib.sh: what cma_stress.sh and isolate_race.sh share. Sourced after MOD
# (the module under test) is set. KTAP helpers, loading, control writes,
# the kernel log since a mark, and the checks every module gets.
#
# A test that cannot go on (the module will not load again mid-suite) is a
# failure: "Bail out!" and exit 1. Only a machine that lacks what the tests
# need (root, debugfs, the module, CMA) skips, before the plan (exit 4).
KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
SHORT=${SHORT:-5}
D=/sys/kernel/debug/$MOD
n=0 npass=0 nfail=0 nskip=0

ok() { n=$((n + 1)); npass=$((npass + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); nskip=$((nskip + 1)); echo "ok $n $* # SKIP"; }
check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# Before the plan: this machine cannot run the tests.
skip_all() { echo "# $*"; echo "1..0 # SKIP $*"; exit "$KSFT_SKIP"; }
# After the plan: the suite cannot go on, and that is a failure.
bail_out() {
	echo "Bail out! $*"
	echo "# $npass passed, $nfail failed, $nskip skipped before bailing out"
	exit "$KSFT_FAIL"
}
# The end: every planned test ran and none failed.
finish() {
	echo "# $npass passed, $nfail failed, $nskip skipped"
	[ "$n" -eq "$1" ] || { echo "# ran $n tests, planned $1"; exit "$KSFT_FAIL"; }
	[ "$nfail" -eq 0 ] && exit "$KSFT_PASS"
	exit "$KSFT_FAIL"
}

# preflight: what every module needs, checked before the plan.
preflight() {
	echo "TAP version 13"
	[ "$(id -u)" -eq 0 ] || skip_all "must be root"
	grep -q debugfs /proc/filesystems || skip_all "kernel has no debugfs"
	grep -q " /sys/kernel/debug debugfs " /proc/mounts ||
		mount -t debugfs none /sys/kernel/debug || skip_all "cannot mount debugfs"
	if [ -n "${CS_MODDIR:-}" ]; then
		[ -e "$CS_MODDIR/$MOD.ko" ] || skip_all "no $CS_MODDIR/$MOD.ko"
		[ -e "$CS_MODDIR/cs_core.ko" ] || skip_all "no $CS_MODDIR/cs_core.ko"
	else
		modinfo "$MOD" >/dev/null 2>&1 || skip_all "$MOD not installed (dkms install, or set CS_MODDIR)"
	fi
	[ -r /dev/kmsg ] || skip_all "no /dev/kmsg to read the kernel log from"
	kmsg_start
}

load() {
	if [ -n "${CS_MODDIR:-}" ]; then
		grep -q '^cs_core ' /proc/modules || insmod "$CS_MODDIR/cs_core.ko" || return 1
		insmod "$CS_MODDIR/$MOD.ko" "$@"
	else
		modprobe "$MOD" "$@"
	fi
}
unload() { rmmod "$MOD"; }
# reload: mid-suite, a module that no longer loads ends the suite as a failure.
reload() { load || bail_out "cannot load $MOD again: $(kmsg_tail 3)"; }

# load_and_files FILE...: four tests: the module loads (or the run bails
# out), its debugfs directory has each FILE, each is root-only, and each
# reads, an idle report ending in verdict: PASS.
load_and_files() {
	if load; then
		ok "load"
	else
		not_ok "load"
		bail_out "cannot load $MOD: $(kmsg_tail 3)"
	fi
	files_have() { for f in "$@"; do [ -e "$D/$f" ] || return 1; done; }
	check "debugfs has $*" files_have "$@"
	root_only() {
		for f in "$@"; do
			case $(stat -c %a "$D/$f") in 200|400|600) ;; *) return 1 ;; esac
		done
	}
	check "debugfs files are root-only" root_only "$@"
	reads() {
		for f in "$@"; do
			[ "$f" = control ] || cat "$D/$f" >/dev/null || return 1
		done
		tail -n 1 "$D/report" | grep -q '^verdict: PASS$'
	}
	check "every file reads; an idle report ends in verdict: PASS" reads "$@"
}

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

# The kernel log, read from /dev/kmsg into a file by a reader that runs
# for the whole suite: unlike counting dmesg lines, this cannot be fooled
# by the ring buffer wrapping. kmsg_mark writes a marker (KERN_DEBUG, kept
# off the console; with our PID, as the reader also gets the markers of
# earlier runs) and waits for the reader to have it; kmsg_since MARK prints
# the messages between that marker and the last one. (busybox insmod tries
# finit_module and then init_module, so a refused load logs twice.)
kmsg_start() {
	KMSG=$(mktemp)
	cat /dev/kmsg >"$KMSG" 2>/dev/null &
	kmsg_pid=$!
	trap 'kill "$kmsg_pid" 2>/dev/null; rm -f "$KMSG"' EXIT
	nmark=0
}
kmsg_mark() {
	nmark=$((nmark + 1))
	echo "<7>cs-selftest: $$ mark $nmark" >/dev/kmsg
	i=0
	while ! grep -q "cs-selftest: $$ mark $nmark\$" "$KMSG"; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "# the kmsg reader lost mark $nmark" >&2; break; }
		sleep 0.05
	done
	last_mark=$nmark
}
kmsg_since() {	# MARK: the messages between mark MARK and the last mark
	sed -n "/cs-selftest: $$ mark $1\$/,/cs-selftest: $$ mark $last_mark\$/p" "$KMSG" |
		grep -v '^ ' | sed 's/^[^;]*;//' | grep -v '^cs-selftest: '
}
kmsg_tail() { grep -v '^ ' "$KMSG" | sed 's/^[^;]*;//' | grep -v '^cs-selftest: ' | tail -n "$1" | tr '\n' ' '; }

# bad_write WRITE DESCRIPTION [KEY]: refused with EINVAL and exactly one
# line of ours in the kernel log (naming KEY, when given), nothing else.
bad_write() {
	kmsg_mark
	m=$last_mark
	msg=$(put "$1")
	kmsg_mark
	lines=$(kmsg_since "$m")
	nours=$(printf '%s\n' "$lines" | grep -c "^$MOD: ")
	case $msg in
	*"Invalid argument"*)
		if [ "$nours" -ne 1 ]; then
			not_ok "$2 (EINVAL but $nours lines of $MOD in the log)"
		elif [ -n "${3:-}" ] && ! printf '%s\n' "$lines" | grep -q "^$MOD: .*$3"; then
			not_ok "$2 (its line does not name $3: $lines)"
		else
			ok "$2"
		fi
		;;
	*) not_ok "$2 (got '${msg:-success}')" ;;
	esac
	[ -z "$lines" ] || printf '%s\n' "$lines" | sed 's/^/# /'
}

# bad_param KEY=VALUE: the load fails, and because of KEY: among the lines
# it added to the kernel log is one of ours naming KEY (not only the
# kernel's own "`X' invalid for parameter `KEY'"), so a load that failed
# for another reason (a missing symbol, a leak, another setting) fails
# this test.
bad_param() {
	key=${1%%=*}
	kmsg_mark
	m=$last_mark
	if load "$1" 2>/dev/null; then
		unload
		not_ok "module parameter $1 refuses the load (it loaded)"
		return
	fi
	kmsg_mark
	lines=$(kmsg_since "$m")
	printf '%s\n' "$lines" | sed '/^$/d; s/^/# /'
	if printf '%s\n' "$lines" | grep -v 'invalid for parameter' |
		grep -Eq "^$MOD: (.*[^a-z_])?$key([^a-z_]|\$)"; then
		ok "module parameter $1 refuses the load, for its own reason"
	else
		not_ok "module parameter $1 refuses the load, for its own reason (no line of $MOD naming $key)"
	fi
}

# worked: every generator this run gave threads ("threads:" line) did
# work (gN_ops > 0). Prints the operations as a diagnostic.
worked() {
	awk '
	/^threads: / {
		seen = 1
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[2] + 0 > 0) want[kv[1]] = kv[2]
		}
	}
	/^g[0-9]+_ops: / { k = $1; sub(/_ops:$/, "", k); ops[k] = $2 + 0 }
	END {
		if (!seen) { print "# the report has no threads: line"; exit 1 }
		for (g in want) {
			s = s " " g "=" ((g in ops) ? ops[g] : "none")
			if (!((g in ops) && ops[g] > 0)) bad = bad " " g
		}
		print "# ops:" s
		if (bad != "") { print "# no work from" bad; exit 1 }
	}' "$D/report"
}

# others_zero NAME: no detector but NAME found anything.
others_zero() {
	o=$(grep -E '^d[0-9]+_[a-z0-9_]+_violations: ' "$D/report" | grep -v "^$1_violations: " |
		awk '$2 != 0' | tr '\n' ' ')
	[ -z "$o" ] || { echo "# other detectors fired: $o"; grep '^first_violation' "$D/report" | sed 's/^/# /'; return 1; }
}

# run_ok: one run of SHORT seconds as set, then PASS and every generator worked.
run_ok() {
	echo "duration=$SHORT" >"$D/control" && echo start >"$D/control" &&
		wait_stopped $((SHORT * 4 + 60)) || return 1
	worked || return 1
	[ "$(field verdict)" = PASS ] || { grep '^first_violation' "$D/report" | sed 's/^/# /'; return 1; }
}

# inject N NAME [EXTRA]: inject=dN makes detector NAME fire, and no other.
inject() {
	echo "inject=d$1" >"$D/control" && echo "duration=$SHORT" >"$D/control" || return 1
	[ -z "${3:-}" ] || echo "$3" >"$D/control" || return 1
	echo start >"$D/control" && wait_stopped $((SHORT * 4 + 60)) || return 1
	v=$(field "${2}_violations")
	echo "inject=none" >"$D/control"
	echo "stall_s=60" >"$D/control"
	echo "# ${2}_violations: $v"
	[ "${v:-0}" -gt 0 ] && [ "$(field verdict)" = FAIL ] && others_zero "$2"
}

# rule_fires RULE DETECTOR BOUND_S: inject=RULE (core/rules.c) makes RULE
# the run's first finding within BOUND_S seconds of its start, and no
# other detector fires. D7.stall runs with stall_s=2; D2's counts of
# whole lists run in one zone->lock section (the exact snapshot).
rule_fires() {
	extra=
	case $1 in
	D7.stall) extra=stall_s=2 ;;
	D2.nr_free | D2.nr_free_blocks) extra=audit_hold_entries=1048576 ;;
	esac
	echo "inject=$1" >"$D/control" && echo "duration=$SHORT" >"$D/control" || return 1
	[ -z "$extra" ] || echo "$extra" >"$D/control" || return 1
	echo start >"$D/control" && wait_stopped $((SHORT * 4 + 60)) || return 1
	fr=$(field first_rule) t=$(field first_violation_s)
	echo "inject=none" >"$D/control"
	echo "stall_s=60" >"$D/control"
	echo "audit_hold_entries=2048" >"$D/control"
	echo "# first_rule: $fr at ${t:-?}s (bound ${3}s); $(field rules_fired)"
	[ "$fr" = "$1" ] || return 1
	awk -v t="$t" -v b="$3" 'BEGIN { exit !(t != "" && t + 0 <= b + 0) }' || return 1
	others_zero "$2"
}

# rules_injected: every rule of the rules file with an injection, proven
# by rule_fires (one KTAP line each; a rule off on this kernel is a skip
# with its reason). The file must list RULES_INJECT of them: the plan's.
rules_injected() {
	got=$(grep -c '[ ,]inject ' "$D/rules")
	if [ "$got" != "$RULES_INJECT" ]; then
		bail_out "the rules file lists $got injections, this suite plans $RULES_INJECT"
	fi
	grep '[ ,]inject ' "$D/rules" >"${TMPDIR:-/tmp}/cs-rules.$$" || return 1
	# Not a pipe: the loop must count its results in this shell.
	while read -r rule det _ bound state; do
		case $state in
		on) check "rule $rule fires first on its injection, within ${bound#bound_s=}s, no other detector" \
			rule_fires "$rule" "$det" "${bound#bound_s=}" ;;
		*) skip "rule $rule: ${state#off:}" ;;
		esac
		echo reset >"$D/control"
	done <"${TMPDIR:-/tmp}/cs-rules.$$"
	rm -f "${TMPDIR:-/tmp}/cs-rules.$$"
}

# died_reported: inject=d7's second thread returned as if it had died, and
# D7 said so on the console.
died_reported() {
	dmesg | grep -q "$MOD: FAIL(injected) d7_liveness: .* died (oops in its thread?)"
}

# busy KEY=VALUE: settings are refused while running.
busy() {
	echo "duration=0" >"$D/control" && echo start >"$D/control" || return 1
	msg=$(put "$1")
	echo stop >"$D/control"
	wait_stopped 60 || return 1
	case $msg in *busy*) ;; *) return 1 ;; esac
}

# unload_midrun: rmmod during a run leaves nothing behind.
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

# unload_core: with CS_MODDIR, cs_core goes too once no module uses it.
unload_core() {
	if grep -Eq '^(cma_stress|isolate_race) ' /proc/modules; then
		echo "# a harness module is still loaded: cs_core cannot be tested"
		return 1
	fi
	grep -q '^cs_core ' /proc/modules || { echo "# cs_core is not loaded"; return 1; }
	rmmod cs_core && ! grep -q '^cs_core ' /proc/modules
}

# bad_input THREADS: the malformed control writes and module parameters
# both modules refuse alike (THREADS: a thread-count setting of MOD), each
# EINVAL with one log line of its own; then that they changed nothing,
# unload, and each of $BAD_PARAMS refusing the load for its own reason.
# 14 + the words of $BAD_PARAMS tests.
bad_input() {
	bad_write "bogus" "unknown command: EINVAL, one $MOD dmesg line"
	bad_write "=" "empty key: EINVAL"
	bad_write "$1=abc" "non-numeric value: EINVAL" "$1"
	bad_write "$1=99" "more threads than 8 per CPU: EINVAL" "$1"
	bad_write "$1=2000" "out-of-range value: EINVAL" "$1"
	bad_write "duration=-1" "negative unsigned value: EINVAL" duration
	bad_write "veto_pct=101" "percentage over 100: EINVAL" veto_pct
	bad_write "scenario=nosuch" "unknown scenario: EINVAL" scenario
	bad_write "stop_on_fail=maybe" "non-boolean value: EINVAL" stop_on_fail
	bad_write "$(printf '%0200d' 0)" "over-long write: EINVAL"
	good=$(field scenario)
	if [ "$good" = default ]; then
		ok "refused writes changed nothing"
	else
		not_ok "scenario is now '$good'"
	fi
	check "unload" unload
	for p in $BAD_PARAMS; do
		bad_param "$p"
	done
}
