#!/bin/sh
# cma-stress.sh: the run script of lava/cma-stress.yaml (Linaro
# test-definitions style). Loads cs_core and MODULE, runs one scenario
# through /sys/kernel/debug/MODULE/control, prints the harness report
# between "==== report MODULE ====" and "==== end report ====" (the lines
# scripts/console-verdict.sh reads), unloads, and writes one result a line
# to OUTPUT/result.txt, "NAME RESULT [MEASUREMENT UNITS]":
#
#   load           both modules loaded (insmod from -k MODDIR, else modprobe)
#   dN_NAME        one per detector: fail if it found a violation (measurement:
#                  first_violation_s for the detector of the first violation,
#                  else the violations), skip if disabled or it ran no check,
#                  pass otherwise (measurement: its checks)
#   DN.rule        one per rule of the detectors (the module's rules file,
#                  core/rules.c): fail if it fired (measurement:
#                  first_violation_s for the run's first finding, else the
#                  violations), skip if off here or its detector ran no
#                  check, pass otherwise
#   gN             one per generator: skip without threads, fail if its threads
#                  did no work in a run that passed, pass otherwise
#                  (measurement: ops); skip if idle in a run that failed (a
#                  run stopped at its first violation, stop_on_fail=1)
#   kernel-log     the kernel log from the run's start (-l run) or from boot
#                  (-l boot) matches no fail rule of scripts/console-rules.txt
#                  (oops, WARNING, lockdep, hung task...; the harness's own
#                  "FAIL" lines are the detectors' results, not counted here);
#                  skip without the rules file
#   unload         both modules unloaded (every thread stopped, ranges freed)
#   verdict        pass only if load, the report's verdict, kernel-log and
#                  unload all pass
#
# lava/send-to-lava.sh turns result.txt into lava-test-case calls. The
# script exits 0 whatever the verdict (the results carry it); 2 on a usage
# error. POSIX sh: it runs under busybox ash in the harness's initramfs.
set -u
MODULE=cma_stress SCENARIO=default DURATION=60 MODARGS='' MODDIR=''
PRESSURE=50 KLOG_FROM=run OUTPUT=./output VERDICT_FILE='' DKMS=false

usage() {
	cat <<EOF
usage: $0 [-m MODULE] [-s SCENARIO] [-d DURATION] [-a "MODARGS"] [-k MODDIR]
          [-p PRESSURE] [-l run|boot] [-o OUTPUT] [-r VERDICT_FILE] [-i true|false]
  -m  cma_stress (default) or isolate_race
  -s  the module's scenario (default: default; isolate_race: via -a scenario=)
  -d  seconds of stress (60)
  -a  extra module parameters, space separated (e.g. "stop_on_fail=1")
  -k  insmod cs_core.ko and MODULE.ko from this directory (default: modprobe,
      the modules installed by DKMS)
  -p  % of memory cs-pressure churns, if cs-pressure is installed (50)
  -l  kernel log checked from the run's start (run) or from boot (boot)
  -o  where result.txt goes (./output)
  -r  write the verdict's exit status (0 pass, 1 fail) to this file
  -i  true: dkms add/build/install this checkout first (needs dkms and headers)
EOF
	exit 2
}
while getopts m:s:d:a:k:p:l:o:r:i:h opt; do
	case $opt in
	m) MODULE=$OPTARG ;;
	s) SCENARIO=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	a) MODARGS=$OPTARG ;;
	k) MODDIR=$OPTARG ;;
	p) PRESSURE=$OPTARG ;;
	l) KLOG_FROM=$OPTARG ;;
	o) OUTPUT=$OPTARG ;;
	r) VERDICT_FILE=$OPTARG ;;
	i) DKMS=$OPTARG ;;
	*) usage ;;
	esac
done
case $MODULE in cma_stress|isolate_race) ;; *) echo "$0: -m '$MODULE': use cma_stress or isolate_race" >&2; usage ;; esac
case $DURATION in ''|*[!0-9]*) echo "$0: -d '$DURATION' must be a number of seconds" >&2; usage ;; esac
case $KLOG_FROM in run|boot) ;; *) echo "$0: -l '$KLOG_FROM': use run or boot" >&2; usage ;; esac

here=$(cd "$(dirname "$0")" && pwd)
RULES=$here/../scripts/console-rules.txt
D=/sys/kernel/debug/$MODULE
mkdir -p "$OUTPUT" || exit 2
RESULT=$OUTPUT/result.txt
REPORT=$OUTPUT/report.txt
RULESF=$OUTPUT/rules.txt
: >"$RESULT"
: >"$REPORT"
say() { echo "cma-stress-lava: $*"; }
result() { echo "$*" >>"$RESULT"; }

# finish RESULT: the overall verdict, and its status for -r.
finish() {
	result verdict "$1"
	if [ -n "$VERDICT_FILE" ]; then
		if [ "$1" = pass ]; then echo 0 >"$VERDICT_FILE"; else echo 1 >"$VERDICT_FILE"; fi
	fi
	say "verdict $1 (results in $RESULT)"
	exit 0
}

# dkms_install: README's DKMS steps on this checkout.
dkms_install() {
	top=$(cd "$here/.." && pwd)
	ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
	command -v dkms >/dev/null 2>&1 || { say "dkms not found: install the package dkms"; return 1; }
	rm -rf "/usr/src/cma-stress-$ver" && cp -r "$top" "/usr/src/cma-stress-$ver" &&
		{ dkms status -m cma-stress -v "$ver" | grep -q . || dkms add -m cma-stress -v "$ver"; } &&
		dkms build -m cma-stress -v "$ver" && dkms install --force -m cma-stress -v "$ver"
}

if [ "$DKMS" = true ]; then
	dkms_install || { result load fail; finish fail; }
fi

grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug
if [ -e "$D" ]; then
	say "$D exists: $MODULE is loaded already; unload it first"
	result load fail
	finish fail
fi
# The kernel log is checked from this line on (-l run).
echo "cma-stress-lava: start module=$MODULE scenario=$SCENARIO duration=$DURATION" >/dev/kmsg 2>/dev/null

args="duration=$DURATION"
[ "$MODULE" != cma_stress ] || args="$args scenario=$SCENARIO"
args="$args $MODARGS"
load() {
	if [ -n "$MODDIR" ]; then
		# shellcheck disable=SC2086
		insmod "$MODDIR/cs_core.ko" && insmod "$MODDIR/$MODULE.ko" $args
	else
		# shellcheck disable=SC2086
		modprobe "$MODULE" $args
	fi
}
if ! load || [ ! -e "$D/control" ]; then
	say "loading $MODULE ($args) failed"
	result load fail
	finish fail
fi
result load pass

# The user-memory pressure program, where the image has it (the harness's
# initramfs does): movable pages for cma_alloc() to migrate.
pp=
if command -v cs-pressure >/dev/null 2>&1; then
	rm -f /tmp/cs-pressure.ready
	cs-pressure "$PRESSURE" 0 &
	pp=$!
	w=0
	while [ ! -e /tmp/cs-pressure.ready ] && [ "$w" -lt 120 ] && kill -0 "$pp" 2>/dev/null; do
		sleep 1
		w=$((w + 1))
	done
fi

started=no
if echo start >"$D/control"; then
	started=yes
	t=0
	limit=$((DURATION * 3 + 120))
	while grep -q '^state: running' "$D/stats"; do
		sleep 1
		t=$((t + 1))
		if [ "$t" -ge "$limit" ]; then
			say "$MODULE did not stop by itself after ${t}s: stopping it"
			echo stop >"$D/control"
		fi
	done
fi
[ -z "$pp" ] || { kill "$pp" 2>/dev/null; wait "$pp" 2>/dev/null; }
cat "$D/report" >"$REPORT"
cat "$D/rules" >"$RULESF" 2>/dev/null || : >"$RULESF"
echo "==== report $MODULE ===="
cat "$REPORT"
echo "==== end report ===="
if rmmod "$MODULE" && rmmod cs_core; then unload=pass; else unload=fail; fi

# The detectors and generators, from the report.
awk '
/^threads: / { for (i = 2; i <= NF; i++) { split($i, kv, "="); thr[kv[1]] = kv[2] + 0; gen[++ng] = kv[1] } }
/^g[0-9]+_ops: / { k = $1; sub(/_ops:$/, "", k); ops[k] = $2 + 0 }
/^d[0-9]+_[a-z0-9_]+_checks: / { k = $1; sub(/_checks:$/, "", k); det[++nd] = k; checks[k] = $2 + 0 }
/^d[0-9]+_[a-z0-9_]+_violations: / { k = $1; sub(/_violations:$/, "", k); viol[k] = $2 + 0 }
/^d[0-9]+_[a-z0-9_]+_disabled: / { k = $1; sub(/_disabled:$/, "", k); off[k] = 1 }
/^first_violation: / { fv = $2; sub(/:$/, "", fv) }
/^first_violation_s: / { fvs = $2 }
/^verdict: / { verdict = $2 }
END {
	for (i = 1; i <= nd; i++) {
		k = det[i]
		if (viol[k] > 0) {
			if (k == fv && fvs != "") print k, "fail", fvs, "s"
			else print k, "fail", viol[k], "violations"
		} else if (off[k] || checks[k] <= 0) print k, "skip"
		else print k, "pass", checks[k], "checks"
	}
	for (i = 1; i <= ng; i++) {
		g = gen[i]
		if (thr[g] <= 0) print g, "skip"
		else if (ops[g] > 0) print g, "pass", ops[g], "ops"
		else if (verdict == "FAIL") print g, "skip"	# stopped before its turn
		else print g, "fail", 0, "ops"
	}
}' "$REPORT" >>"$RESULT"

# A test case per rule (the rules file: core/rules.c): fail when it fired
# (the run's first finding carries its time), skip when it is off here or
# its detector never checked, else pass.
awk '
FNR == NR {
	if ($0 ~ /^rules_fired: /) for (i = 2; i <= NF; i++) { split($i, kv, "="); fired[kv[1]] = kv[2] }
	if ($0 ~ /^first_rule: /) fr = $2
	if ($0 ~ /^first_violation_s: /) fvs = $2
	if ($0 ~ /^d[0-9]+_[a-z0-9_]+_checks: /) { k = $1; sub(/_checks:$/, "", k); checks[k] = $2 + 0 }
	next
}
{
	r = $1
	if (r in fired) {
		if (r == fr && fvs != "") print r, "fail", fvs, "s"
		else print r, "fail", fired[r], "violations"
	} else if ($5 != "on" || checks[$2] <= 0) print r, "skip"
	else print r, "pass"
}' "$REPORT" "$RULESF" >>"$RESULT"

# kernel-log: the fail rules of scripts/console-rules.txt (benign rules
# first, as console-verdict.sh applies them), minus the harness's own lines.
if [ -r "$RULES" ]; then
	if dmesg | tr -d '\r' | awk -v rules="$RULES" -v from="$KLOG_FROM" '
	BEGIN {
		FS = "\t"
		while ((getline r < rules) > 0) {
			if (r ~ /^#/ || r ~ /^[ \t]*$/) continue
			n = split(r, f, "\t")
			if (f[1] == "fail" && n >= 3 && f[2] != "harness" && f[2] != "report" && f[2] != "runner") { nf++; fname[nf] = f[2]; fre[nf] = f[3] }
			else if (f[1] == "benign" && n >= 4) { nb++; bre[nb] = f[3] }
		}
		FS = "\n"
		on = (from == "boot")
	}
	{
		msg = $0
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "", msg)
		if (msg ~ /^cma-stress-lava: start /) {	# -l run: the last run only
			if (from == "run") { on = 1; bad = 0 }
			next
		}
		if (!on) next
		for (i = 1; i <= nb; i++) if (msg ~ bre[i]) next
		for (i = 1; i <= nf; i++) if (msg ~ fre[i]) {
			if (++bad <= 5) printf "cma-stress-lava: kernel-log [%s] %s\n", fname[i], msg
			break
		}
	}
	END { exit bad > 0 }'; then klog=pass; else klog=fail; fi
else
	say "no $RULES: kernel-log not checked"
	klog=skip
fi
result kernel-log "$klog"
result unload "$unload"

verdict=fail
if [ "$started" = yes ] && grep -q '^verdict: PASS' "$REPORT" && [ "$klog" != fail ] && [ "$unload" = pass ]; then
	verdict=pass
fi
finish "$verdict"
