#!/bin/bash
# lava.sh (`make lava`): run the harness through a real LAVA dispatcher,
# Debian's lava-run, here: a clean job that LAVA and the harness must both
# call PASS, and the seed 000 positive control (the kernel patched with
# kernel/patches/seed000-$KVER.patch, stop_on_fail=1) that both must call
# FAIL. Each job prints LAVA's test cases and verdict beside the harness's
# verdict on the same console (scripts/lava-job.sh); a job where the two
# disagree, or whose verdict is not the expected one, makes the exit
# status non-zero. docs/lava.md says how a farm takes the same files.
#
# Variables: those of scripts/lava-job.sh (KVER FLAVOUR SCENARIO DURATION
# MODULE MODARGS PATCHES ...; FLAVOUR defaults to prod), LAVA_JOBS (which
# jobs: "clean control", the default, or one of them), CONTROL_DURATION
# (the control's DURATION, 60), CONTROL_PATCHES (the control's kernel
# patch, kernel/patches/seed000-$KVER.patch). lava-dispatcher is installed with apt-get
# when lava-run is missing.
set -euo pipefail
FLAVOUR=${FLAVOUR:-prod}
export FLAVOUR
. "$(dirname "$0")/lib.sh"
check_vars
LAVA_JOBS=${LAVA_JOBS:-clean control}

# lava-dispatcher is make lava's alone, so scripts/deps.sh does not install it.
if ! command -v lava-run >/dev/null 2>&1; then
	log "lava-run not found: installing the Debian package lava-dispatcher"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	command -v apt-get >/dev/null 2>&1 || die "lava-run not found: install the Debian package lava-dispatcher"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y lava-dispatcher >&2 ||
		{ $SUDO apt-get update >&2 && $SUDO apt-get install -y lava-dispatcher >&2; } ||
		die "could not install the Debian package lava-dispatcher (it provides lava-run)"
	command -v lava-run >/dev/null 2>&1 || die "lava-run still not found: install the Debian package lava-dispatcher"
fi

# job NAME EXPECT(PASS|FAIL) [VAR=VALUE ...]: one lava-job.sh run.
bad=0
summary=()
job() {
	local name=$1 expect=$2 rc out got
	shift 2
	out=$(mktemp)
	echo "==== lava job: $name (expected $expect) ===="
	set +e
	env "$@" "$CS_TOP/scripts/lava-job.sh" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	case $rc in
	0) got=PASS ;;
	1) got=FAIL ;;
	3) got=DISAGREE ;;
	*) got="ERROR (exit $rc)" ;;
	esac
	local line
	line="lava: $name: LAVA $(sed -n 's/^lava: verdict: //p' "$out" | head -n 1)"
	line="$line, harness $(sed -n 's/^harness: verdict: //p' "$out" | head -n 1)"
	line="$line; $(sed -n 's/^lava-job: \(build.*\) dir=.*/\1/p' "$out" | head -n 1)"
	rm -f "$out"
	if [ "$got" = "$expect" ]; then
		summary+=("$line; expected $expect: ok")
	else
		summary+=("$line; expected $expect, got $got: NOT OK")
		bad=$((bad + 1))
	fi
}

for j in $LAVA_JOBS; do
	case $j in
	clean) job clean PASS ;;
	control)
		cp=${CONTROL_PATCHES:-$CS_TOP/kernel/patches/seed000-$KVER.patch}
		need_file "$cp" "no seed 000 control patch for KVER=$KVER (CONTROL_PATCHES names one)"
		job "seed000 control" FAIL PATCHES="$cp" \
			MODARGS="stop_on_fail=1${MODARGS:+ $MODARGS}" DURATION="${CONTROL_DURATION:-60}" ;;
	*) die "LAVA_JOBS: '$j': use clean and/or control" ;;
	esac
done
echo "==== lava summary ===="
printf '%s\n' "${summary[@]}"
[ "$bad" -eq 0 ] || { echo "lava: $bad job(s) not as expected"; exit 1; }
echo "lava: every job as expected, LAVA and the harness agreeing"
