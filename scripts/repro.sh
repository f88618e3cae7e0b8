#!/bin/bash
# repro.sh (`make repro FINDING=name`): run a finding's reproducer on the
# kernels it names and print, per kernel, REPRODUCED or NOT REPRODUCED with
# the evidence lines. The reproducer is described by repro/$FINDING.conf:
#   REPRO_KVERS    kernels to run (KVER=... runs that one alone)
#   REPRO_FLAVOUR  test kernel flavour (FLAVOUR= overrides)
#   REPRO_MODULE   a module of repro/ to build and load (empty: none)
#   REPRO_JOB      guest job under guest/jobs/
#   REPRO_MEM REPRO_CMDLINE REPRO_MODARGS REPRO_TIMEOUT   guest settings
#   REPRO_FIX_<kver with _>  the fix patch; FIX=1 applies it
#   REPRO_BUG      ERE: a console line matching it means reproduced
#   REPRO_END      ERE: the job reached its end (else: NO RESULT)
#   REPRO_EVIDENCE ERE: console lines to show
# PATCHES=... is applied as for make run (e.g. the fix patch).
# Exit status: 0 if every kernel gave a result, 1 otherwise.
set -euo pipefail
KVER_GIVEN=${KVER:-} FLAVOUR_GIVEN=${FLAVOUR:-}
. "$(dirname "$0")/lib.sh"
[ -n "${FINDING:-}" ] || die "FINDING= is required: one of $(find "$CS_TOP/repro" -maxdepth 1 -name '*.conf' -printf '%f\n' | sed 's/\.conf$//' | paste -sd' ')"
case $FINDING in ''|*[!a-z0-9.-]*) die "FINDING='$FINDING': a name of repro/*.conf" ;; esac
conf=$CS_TOP/repro/$FINDING.conf
need_file "$conf" "no reproducer for '$FINDING' (repro/*.conf lists them)"
REPRO_MODULE='' REPRO_CMDLINE='' REPRO_MODARGS='' REPRO_MEM='' REPRO_TIMEOUT=''
# shellcheck source=../repro/contig-undo-foreign-isolation.conf
. "$conf"
: "${REPRO_JOB:?$conf sets no REPRO_JOB}" "${REPRO_BUG:?$conf sets no REPRO_BUG}"
need_file "$CS_TOP/guest/jobs/$REPRO_JOB.sh" "$conf names a missing guest job"
kvers=$REPRO_KVERS
[ -z "$KVER_GIVEN" ] || kvers=$KVER_GIVEN
FLAVOUR=${FLAVOUR_GIVEN:-$REPRO_FLAVOUR}
export FLAVOUR
"$CS_TOP/scripts/deps.sh" >&2
arch_facts

# build_repro_module KDIR: build repro/ against KDIR as build-modules.sh
# builds ours (a per-kernel copy, W=1) and print the directory.
build_repro_module() {
	local kdir=$1 out
	need_file "$kdir/Module.symvers" "the kernel build in $kdir is incomplete"
	need_file "$CS_TOP/repro/$REPRO_MODULE.c" "$conf names a missing module"
	out=$CS_CACHE/modules/repro-$(basename "$kdir")-$(printf '%s' "$CS_TOP" | hash_stdin)
	mkdir -p "$out"
	rsync -rlc --delete --include='Kbuild' --include='*.[ch]' --exclude='*' \
		"$CS_TOP/repro/" "$out/"
	make -s -C "$kdir" M="$out" ARCH="$K_ARCH" W="${W:-1}" modules >&2 ||
		die "building repro/ against $kdir failed"
	echo "$out"
}

status=0
summary=()
for kv in $kvers; do
	export KVER=$kv
	if [ "${FIX:-0}" = 1 ]; then
		var=REPRO_FIX_${kv//./_}
		[ -n "${!var:-}" ] || die "$conf has no $var (the fix for $kv)"
		export PATCHES=$CS_TOP/${!var}
	fi
	check_vars
	log "$FINDING on $KVER $FLAVOUR${PATCHES:+ with $PATCHES}"
	kdir=$("$CS_TOP/scripts/build-kernel.sh")
	if [ -n "$REPRO_MODULE" ]; then
		moddir=$(build_repro_module "$kdir")
	else
		moddir=$(mktemp -d)
	fi
	run_dir=$CS_CACHE/runs/$(date +%Y%m%d-%H%M%S)-repro-$FINDING-$KVER-$FLAVOUR-$(patch_tag)
	mkdir -p "$run_dir"
	out=$run_dir/run.out
	env MODDIR="$moddir" JOB="$REPRO_JOB" RUN_DIR="$run_dir" \
		MODARGS="$REPRO_MODARGS" CMDLINE="$REPRO_CMDLINE" PRESSURE=0 \
		DURATION=60 ${REPRO_MEM:+MEM="$REPRO_MEM"} \
		${REPRO_TIMEOUT:+TIMEOUT="$REPRO_TIMEOUT"} \
		"$CS_TOP/scripts/run.sh" >"$out" 2>&1 || true
	log=$run_dir/console.log
	if [ ! -s "$log" ]; then
		result="NO RESULT (no console log; see $out)"
		status=1
	elif grep -Eq "$REPRO_BUG" "$log"; then
		result=REPRODUCED
	elif grep -Eq "${REPRO_END:-$REPRO_BUG}" "$log"; then
		result="NOT REPRODUCED"
	else
		result="NO RESULT (the job did not reach its end)"
		status=1
	fi
	echo "== $FINDING: kernel $KVER $FLAVOUR $(patch_tag): $result"
	[ ! -s "$log" ] || grep -E "${REPRO_EVIDENCE:-$REPRO_BUG}" "$log" | head -n 40 || true
	echo "   console: $log"
	summary+=("$KVER $FLAVOUR $(patch_tag): $result")
done
echo "== summary ($FINDING)"
printf '   %s\n' "${summary[@]}"
exit "$status"
