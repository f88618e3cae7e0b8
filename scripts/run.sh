#!/bin/bash
# run.sh: the main job (`make run`). Build the test kernel if needed, build
# the modules against it, boot a guest that runs JOB, and print the verdict.
# Exit 0 only for PASS.
#
# Variables (besides those of scripts/lib.sh and scripts/run-qemu.sh):
#   JOB       guest job under guest/jobs/ (default: stress)
#   MODULE    cma_stress (default) or isolate_race, for JOB=stress
#   SCENARIO  the module's named mix (default: default)
#   DURATION  seconds of stress (default: 60)
#   MODARGS   extra module parameters, space separated
#   COREARGS  parameters of cs_core (e.g. assume_ibt=1)
#   SEED      JOB=fuzz, JOB=cycles: replay the random plan of the run that
#             printed this seed (FUZZ_SEED: the old name, still read)
#   PRESSURE  % of the guest's memory the pressure program churns (50)
#   SIEVE     % it fragments before the run: every other 4 KiB page of it
#             freed, so free lists are long (0)
#   MODDIR    use the modules in this directory instead of building them
#   RUN_DIR   where to keep console.log (default: a new dir under $CS_CACHE/runs)
#   CMDLINE   extra kernel command line (debug test kernels get kmemleak=on)
#   KERNEL    test (default: the CMA test kernel built here) or debian (the
#             newest Debian stock kernel of KVER, headers installed, image
#             unpacked: the distro path; it has no CMA, so MODULE=isolate_race)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
"$CS_TOP/scripts/deps.sh"

JOB=${JOB:-stress}
MODULE=${MODULE:-cma_stress}
SCENARIO=${SCENARIO:-default}
DURATION=${DURATION:-60}
MODARGS=${MODARGS:-}
case $DURATION in ''|*[!0-9]*) die "DURATION='$DURATION' must be a number of seconds" ;; esac
case $MODULE in cma_stress|isolate_race) ;; *) die "MODULE='$MODULE': use cma_stress or isolate_race" ;; esac

t0=$(date +%s)
arch_facts
case ${KERNEL:-test} in
test)
	kdir=$("$CS_TOP/scripts/build-kernel.sh")
	kimg=$kdir/$K_IMAGE
	;;
debian)
	read -r kdir kimg < <("$CS_TOP/scripts/debian-kernel.sh") || true
	[ -n "${kimg:-}" ] || die "no Debian kernel (see the messages above)"
	;;
*) die "KERNEL='$KERNEL': use test or debian" ;;
esac
if [ -n "${MODDIR:-}" ]; then
	moddir=$MODDIR	# modules built elsewhere (the DKMS path)
else
	moddir=$("$CS_TOP/scripts/build-modules.sh" "$kdir")
fi
t1=$(date +%s)

RUN_DIR=${RUN_DIR:-$CS_CACHE/runs/$(date +%Y%m%d-%H%M%S)-$ARCH-$(basename "$kdir" | cut -d- -f2-4)-$(patch_tag)-$JOB-$MODULE-$SCENARIO}
mkdir -p "$RUN_DIR"
"$CS_TOP/scripts/mkinitramfs.sh" "$RUN_DIR/initrd.gz" "$moddir" "$JOB" \
	"MODULE=$MODULE" "SCENARIO=$SCENARIO" "DURATION=$DURATION" \
	"FLAVOUR=$FLAVOUR" "MODARGS=$MODARGS" "COREARGS=${COREARGS:-}" "PRESSURE=${PRESSURE:-50}" \
	"SIEVE=${SIEVE:-0}" "SEED=${SEED:-${FUZZ_SEED:-}}"

# Boot takes seconds under TCG; quiesce and audits take longer on a debug
# kernel (about six times slower for CMA work): leave room for both.
slack=120
[ "$FLAVOUR" = prod ] || slack=240
# Debug test kernels have kmemleak built in but off by default: turn it on;
# the guest scans after the job and fails on a leak of our modules.
cmdline=${CMDLINE:-}
if [ "$FLAVOUR" = debug ] && [ "${KERNEL:-test}" = test ]; then
	cmdline="kmemleak=on${cmdline:+ $cmdline}"
fi
TIMEOUT=${TIMEOUT:-$((DURATION * 2 + slack))} \
	"$CS_TOP/scripts/run-qemu.sh" "$kimg" "$RUN_DIR/initrd.gz" \
	"$RUN_DIR/console.log" "$cmdline"
t2=$(date +%s)

echo "run: kernel=$(basename "$kdir") job=$JOB module=$MODULE scenario=$SCENARIO" \
	"duration=${DURATION}s size=${SIZE:-default}${SMP:+ smp=$SMP}${MEM:+ mem=${MEM}M}"
echo "run: build $((t1 - t0))s boot+run $((t2 - t1))s console=$RUN_DIR/console.log"
# The plot is a convenience: a missing gnuplot must not change the verdict.
if command -v gnuplot >/dev/null 2>&1; then
	"$CS_TOP/scripts/series-plot.sh" "$RUN_DIR/console.log" "$RUN_DIR" ||
		echo "series: plot failed (the verdict below stands)"
fi
"$CS_TOP/scripts/console-verdict.sh" "$RUN_DIR/console.log"
