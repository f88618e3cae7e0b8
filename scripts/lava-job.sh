#!/bin/bash
# lava-job.sh: one LAVA job, run here with Debian's lava-run (package
# lava-dispatcher), the way `make run` runs one guest: build the test
# kernel and the modules if needed, make the LAVA initramfs
# (scripts/lava-initramfs.sh), take `make run`'s QEMU machine and kernel
# command line (scripts/lava-qemu-args.sh), fill lava/job-qemu.yaml,
# render the qemu device (scripts/lava-device.sh), run lava-run, then put
# LAVA's results beside the harness's verdict on the same console
# (scripts/lava-results.sh).
#
# Exit 0: LAVA and the harness both say PASS; 1: both FAIL; 3: they
# disagree; 2: the job could not be set up.
#
# Variables: those of make run that apply (KVER KSRC FLAVOUR PATCHES
# MODULE SCENARIO DURATION MODARGS PRESSURE SIZE SMP MEM NODES ACCEL
# CMDLINE), FLAVOUR defaulting to prod here; RUN_DIR (default: a new
# directory under $CS_CACHE/lava); VERBOSE=1 shows lava-run's log live.
set -euo pipefail
FLAVOUR=${FLAVOUR:-prod}
. "$(dirname "$0")/lib.sh"
check_vars
arch_facts
[ "$ARCH" = x86_64 ] || die "ARCH=$ARCH: make lava runs x86_64 guests only (docs/lava.md)"
need_cmd lava-run lava-dispatcher
need_cmd envsubst gettext-base
need_cmd git git
"$CS_TOP/scripts/deps.sh"

MODULE=${MODULE:-cma_stress}
SCENARIO=${SCENARIO:-default}
DURATION=${DURATION:-60}
MODARGS=${MODARGS:-}
PRESSURE=${PRESSURE:-50}
case $DURATION in ''|*[!0-9]*) die "DURATION='$DURATION' must be a number of seconds" ;; esac
case $MODULE in cma_stress|isolate_race) ;; *) die "MODULE='$MODULE': use cma_stress or isolate_race" ;; esac
case "$MODARGS$SCENARIO" in *"'"*) die "MODARGS and SCENARIO cannot hold a single quote (they go into the job's YAML)" ;; esac

t0=$(date +%s)
kdir=$("$CS_TOP/scripts/build-kernel.sh")
kimg=$kdir/$K_IMAGE
moddir=$("$CS_TOP/scripts/build-modules.sh" "$kdir")
RUN_DIR=${RUN_DIR:-$CS_CACHE/lava/$(date +%Y%m%d-%H%M%S)-$(basename "$kdir" | cut -d- -f2-4)-$(patch_tag)-$MODULE-$SCENARIO}
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
"$CS_TOP/scripts/lava-initramfs.sh" "$RUN_DIR/initrd.gz" "$moddir"

# make run's machine: debug test kernels boot with kmemleak=on (run.sh).
cmdline=${CMDLINE:-}
[ "$FLAVOUR" != debug ] || cmdline="kmemleak=on${cmdline:+ $cmdline}"
append='' mem='' opts=''
while read -r key val; do
	case $key in
	append) append=$val ;;
	mem) mem=$val ;;
	opt) opts="$opts${opts:+, }'$val'" ;;
	esac
done < <("$CS_TOP/scripts/lava-qemu-args.sh" "$kimg" "$RUN_DIR/initrd.gz" "$cmdline")
{ [ -n "$append" ] && [ -n "$mem" ]; } || die "scripts/lava-qemu-args.sh gave no command line or memory size"

# The test definition's repository, as LAVA clones it: a snapshot of this
# tree's lava/ and the console rules its run script reads (uncommitted
# changes included, so the job runs what is on disk).
repo=$RUN_DIR/testdef.git
rm -rf "$repo"
mkdir -p "$repo/scripts"
cp -r "$CS_TOP/lava" "$repo/lava"
cp "$CS_TOP/scripts/console-rules.txt" "$repo/scripts/"
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=cma-stress -c user.email=cma-stress@localhost \
	commit -q -m "cma-stress test definition snapshot"

# Minutes: the run script stops a run at DURATION * 3 + 120 s at the latest;
# a debug kernel is slower at everything else (boot, quiesce, kmemleak).
slack=300
[ "$FLAVOUR" = prod ] || slack=600
test_min=$(((DURATION * 3 + 120 + slack + 59) / 60))
CS_KERNEL_NAME=$(basename "$kdir")
CS_JOB_NAME="cma-stress $(echo "$CS_KERNEL_NAME" | cut -d- -f2-4) $(patch_tag) $MODULE/$SCENARIO ${DURATION}s"
export CS_JOB_NAME CS_KERNEL_NAME
export CS_JOB_MINUTES=$((test_min + 15)) CS_TEST_MINUTES=$test_min CS_MEM=$mem
export CS_QEMU_OPTIONS="[$opts]" CS_CMDLINE=$append
export CS_KERNEL_URL=file://$kimg CS_INITRD_URL=file://$RUN_DIR/initrd.gz CS_REPO=$repo
export CS_MODULE=$MODULE CS_SCENARIO=$SCENARIO CS_DURATION=$DURATION CS_MODARGS=$MODARGS
export CS_PRESSURE=$PRESSURE
# shellcheck disable=SC2016 # envsubst's list of the variables to fill
envsubst '$CS_JOB_NAME $CS_KERNEL_NAME $CS_JOB_MINUTES $CS_TEST_MINUTES $CS_MEM $CS_QEMU_OPTIONS $CS_CMDLINE $CS_KERNEL_URL $CS_INITRD_URL $CS_REPO $CS_MODULE $CS_SCENARIO $CS_DURATION $CS_MODARGS $CS_PRESSURE' \
	<"$CS_TOP/lava/job-qemu.yaml" >"$RUN_DIR/job.yaml"
"$CS_TOP/scripts/lava-device.sh" "$RUN_DIR/job.yaml" "$RUN_DIR/device.yaml"
t1=$(date +%s)

log "lava-run: job $RUN_DIR/job.yaml (log: $RUN_DIR/lava.log)"
rm -rf "$RUN_DIR/lava-out"
set +e
if [ "${VERBOSE:-0}" = 1 ]; then
	timeout --kill-after=30 $((CS_JOB_MINUTES * 60 + 120)) lava-run --job-id "$$" \
		--output-dir "$RUN_DIR/lava-out" --device "$RUN_DIR/device.yaml" \
		"$RUN_DIR/job.yaml" 2>&1 | tee "$RUN_DIR/lava.log" >&2
	lrc=${PIPESTATUS[0]}
else
	timeout --kill-after=30 $((CS_JOB_MINUTES * 60 + 120)) lava-run --job-id "$$" \
		--output-dir "$RUN_DIR/lava-out" --device "$RUN_DIR/device.yaml" \
		"$RUN_DIR/job.yaml" >"$RUN_DIR/lava.log" 2>&1
	lrc=$?
fi
set -e
t2=$(date +%s)
echo "lava-job: kernel=$(basename "$kdir") module=$MODULE scenario=$SCENARIO duration=${DURATION}s" \
	"patches=$(patch_tag) size=${SIZE:-default}"
echo "lava-job: build+setup $((t1 - t0))s lava-run $((t2 - t1))s (exit $lrc) dir=$RUN_DIR"
"$CS_TOP/scripts/lava-results.sh" "$RUN_DIR/lava.log" "$RUN_DIR"
