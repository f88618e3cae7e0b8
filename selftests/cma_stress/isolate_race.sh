#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kselftest for isolate_race.ko, the same frame as cma_stress.ko: load/
# unload, its debugfs files, malformed control writes and module parameters
# (each refused with one kernel log line of its own), a short run in which
# every generator with threads works and every detector but D5 (no G6 here)
# checks, unload mid-run, and inject=d1..d4 and d7 each firing while every
# other detector stays at 0. KTAP output; exit 4 (skip) when the kernel or
# the module is not there, 1 on any failure ("Bail out!" included).
#
# Modules come from CS_MODDIR (insmod cs_core.ko, isolate_race.ko) or, when
# it is unset, from modprobe. SHORT: seconds per run (5). isolate_race needs
# no CMA; without a CMA area the D3 injection (it shifts an area) skips.
MOD=isolate_race
# shellcheck source=selftests/cma_stress/lib.sh
. "$(dirname "$0")/lib.sh"

BAD_PARAMS="scenario=nosuch racer_threads=99 racer_threads=2000 hotplug_threads=2
	inject=d9 inject=d5 audit_ms=0 max_pageblocks=0 veto_pct=101 hold_ms=-5"
PLAN=$((5 + 12 + 1 + 1 + 10 + 2 + 1 + 5 + 2 + 1))

preflight
[ -d /sys/devices/system/memory ] || skip_all "kernel built without memory hotplug"
echo "1..$PLAN"

# load, files
load_and_files control report stats series
check "module parameters readable under /sys/module" test -r /sys/module/isolate_race/parameters/racer_threads

# malformed control writes and module parameters: EINVAL, one line of ours
bad_write "alloc_threads=1" "cma_stress's setting, not ours: EINVAL" alloc_threads
bad_write "inject=d5" "an injection for a detector disabled here (D5): EINVAL" inject
bad_input racer_threads

# a short run passes: every generator with threads works, every detector
# but D5 checks
reload
ran_all() {
	awk '
	/^d[0-9]+_[a-z0-9_]+_disabled: / && $1 !~ /^d5_placement/ { print "# " $0; bad = 1 }
	/^d[0-9]+_[a-z0-9_]+_checks: / && $1 !~ /^d5_placement/ {
		s = s " " $1 $2
		if ($2 + 0 <= 0) bad = 1
		n++
	}
	END { print "# checks:" s; exit (bad || !n) }' "$D/report"
}
check "default: ${SHORT}s run PASSes, every generator with threads works" run_ok
check "default: every detector but D5 checked" ran_all

check "settings are refused while running (EBUSY)" busy racer_threads=1

# each detector fires on its injected fault, and no other does
check "inject=d1: d1_counters fires, no other detector" inject 1 d1_counters
check "inject=d2: d2_freelist fires, no other detector" inject 2 d2_freelist
if grep -Eq '^CmaTotal: +[1-9]' /proc/meminfo; then
	check "inject=d3: d3_pageblock fires, no other detector" inject 3 d3_pageblock
else
	skip "inject=d3: no CMA area to shift"
fi
check "inject=d4: d4_ownership fires, no other detector" inject 4 d4_ownership
check "inject=d7: d7_liveness fires, no other detector" inject 7 d7_liveness stall_s=2
check "inject=d7: the thread that left without returning is reported as died" died_reported
echo reset >"$D/control"

# unload in the middle of a run leaves nothing behind; cs_core unloads
check "unload mid-run stops, releases and onlines everything" unload_midrun
check "cs_core unloads once no module uses it" unload_core

finish "$PLAN"
