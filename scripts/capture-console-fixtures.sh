#!/bin/bash
# capture-console-fixtures.sh [EVENT ...]: boot the debug test kernel once
# per event and keep each guest's console log as tests/console/EVENT.log:
# the real logs tests/test-console.sh runs scripts/console-verdict.sh on.
#
# Every event but "harness" runs guest/jobs/consolegen.sh, which loads the
# test-only module tests/consolegen/cs_consolegen.ko with what=EVENT
# (built here against the debug kernel) and makes the kernel print one kind
# of report. Events (default: all, one guest at a time):
#   clean        nothing happens: the PASS baseline
#   warn bug null gpf divzero hung softlockup rcustall rcuexpstall lockdep
#   badpage listcorrupt kmemleak panic
#                see tests/consolegen/cs_consolegen.c
#   harness      JOB=stress with cma_stress inject=d4: a real detector FAIL
#   timeout      the job sleeps until the runner's wall-clock limit
# run.sh exits 1 for a FAIL verdict: that is expected here. A log whose job
# never started is an error, and so is any other failure.
#
# Logs from another kernel than the default (KVER=6.12, x86_64) get a
# suffix: KVER=6.1 ... gpf writes tests/console/gpf-6.1.log (SUFFIX= sets
# it). run.sh builds the harness modules first: where they do not build for
# that kernel, boot the job by hand with the two calls run.sh makes
# (scripts/mkinitramfs.sh with EXTRA_MODDIR's .ko, then scripts/run-qemu.sh).
# The .expect files are written by hand, after reading the log.
#
# Variables: those of scripts/lib.sh (FLAVOUR must be debug), OUT (the
# fixture directory, default tests/console), SUFFIX.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
arch_facts
[ "$FLAVOUR" = debug ] ||
	die "FLAVOUR='$FLAVOUR': the fixtures come from the debug kernel (its checkers print the reports)"
export FLAVOUR

ALL_EVENTS="clean warn bug null gpf divzero hung softlockup rcustall rcuexpstall lockdep badpage listcorrupt kmemleak panic harness timeout"
OUT=${OUT:-$CS_TOP/tests/console}
if [ -z "${SUFFIX+x}" ]; then
	SUFFIX=
	[ "$ARCH" = x86_64 ] || SUFFIX=$SUFFIX-$ARCH
	if [ -n "$KSRC" ]; then
		SUFFIX=$SUFFIX-ksrc
	elif [ "$KVER" != 6.12 ]; then
		SUFFIX=$SUFFIX-$KVER
	fi
fi
# Each guest's log ends up below 200 KB in practice; past that, the boot
# preamble (up to the job's start) is cut and a line says so.
MAX_BYTES=$((200 * 1024))

events=${*:-$ALL_EVENTS}
for ev in $events; do
	case " $ALL_EVENTS " in
	*" $ev "*) ;;
	*) die "unknown event '$ev': use some of: $ALL_EVENTS" ;;
	esac
done
mkdir -p "$OUT"

kdir=$("$CS_TOP/scripts/build-kernel.sh")
moddir=$CS_CACHE/consolegen/$(basename "$kdir")
mkdir -p "$moddir"
rsync -a --delete "$CS_TOP/tests/consolegen/" "$moddir/"
log "building cs_consolegen.ko against $kdir"
make -s -C "$kdir" M="$moddir" ARCH="$K_ARCH" ${K_CROSS:+CROSS_COMPILE=$K_CROSS} \
	W=1 modules >&2 || die "building tests/consolegen against $kdir failed"
need_file "$moddir/cs_consolegen.ko"

# settings EVENT: the job, its settings and the runner's limits for it.
settings() {
	job=consolegen modargs="what=$1" duration=60 timeout=240 cmdline=
	case $1 in
	harness) job=stress modargs="inject=d4 stop_on_fail=1" duration=10 timeout=360 ;;
	kmemleak) cmdline=kmemleak=on timeout=360 ;;
	# Long enough to boot and start the job under TCG, no longer.
	timeout) timeout=90 ;;
	esac
}

# trim LOG: cut the boot preamble of a log larger than MAX_BYTES.
trim() {
	local f=$1 n
	[ "$(stat -c %s "$f")" -gt "$MAX_BYTES" ] || return 0
	n=$(grep -n -m1 'cs-guest: start' "$f" | cut -d: -f1)
	[ -n "$n" ] && [ "$n" -gt 1 ] || return 0
	{
		echo "# capture-console-fixtures: $((n - 1)) boot lines cut (log over $MAX_BYTES bytes)"
		tail -n +"$n" "$f"
	} >"$f.trim"
	mv "$f.trim" "$f"
}

runs=$CS_CACHE/fixture-runs/$(date +%Y%m%d-%H%M%S)
failed=
for ev in $events; do
	settings "$ev"
	rdir=$runs/$ev
	mkdir -p "$rdir"
	log "$ev: JOB=$job MODARGS='$modargs' TIMEOUT=$timeout${cmdline:+ CMDLINE=$cmdline}"
	set +e
	JOB=$job MODARGS=$modargs DURATION=$duration TIMEOUT=$timeout CMDLINE=$cmdline \
		EXTRA_MODDIR=$moddir RUN_DIR=$rdir "$CS_TOP/scripts/run.sh" >"$rdir/run.out" 2>&1
	rc=$?
	set -e
	clog=$rdir/console.log
	if [ "$rc" -gt 1 ] || [ ! -s "$clog" ]; then
		sed 's/^/    /' "$rdir/run.out" >&2
		log "$ev: run.sh failed (exit $rc): no fixture written"
		failed="$failed $ev"
		continue
	fi
	if ! grep -q "cs-guest: start job=$job" "$clog"; then
		log "$ev: the guest never started the job (see $clog): no fixture written"
		failed="$failed $ev"
		continue
	fi
	dest=$OUT/$ev$SUFFIX.log
	cp "$clog" "$dest"
	trim "$dest"
	log "$ev: wrote ${dest#"$CS_TOP"/} ($(stat -c %s "$dest") bytes), $(tail -n 1 "$rdir/run.out")"
done
[ -z "$failed" ] || die "no fixture for:$failed (runs kept under $runs)"
log "done; runs kept under $runs. Check each log and its .expect, then run tests/test-console.sh"
