#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kselftest for cma_stress.ko: load/unload, every debugfs file, every class
# of malformed input (each refused with one kernel log line of its own), a
# short run of each scenario in which every generator with threads works,
# unload mid-run, and each detector firing on its injected fault while
# every other detector stays at 0. KTAP output; exit 4 (skip) when the
# kernel or the module is not there, 1 on any failure, a module that no
# longer loads mid-suite included ("Bail out!").
#
# Modules come from CS_MODDIR (insmod cs_core.ko, cma_stress.ko) or, when
# it is unset, from modprobe (a DKMS install). SHORT: seconds per run (5).
MOD=cma_stress
# shellcheck source=selftests/cma_stress/lib.sh
. "$(dirname "$0")/lib.sh"

SCENARIOS="default seed000 seed001 seed002 seed003 seed004 soak"
BAD_PARAMS="scenario=nosuch alloc_threads=99 hotplug_threads=2 inject=d9 audit_ms=0
	max_pageblocks=0 veto_pct=101 hold_ms=-5 duration=abc stop_on_fail=maybe"
# Rules with an injection in core/rules.c (rules_injected checks the count).
RULES_INJECT=30
PLAN=$((6 + 12 + 1 + 1 + 10 + 7 + 1 + 7 + RULES_INJECT + 2 + 1))

preflight
grep -q '^Cma' /proc/meminfo || skip_all "kernel built without CONFIG_CMA"
echo "1..$PLAN"

# load, files, areas
load_and_files control report stats areas
if [ -n "$(cat "$D/areas")" ]; then ok "at least one CMA area: $(head -n 1 "$D/areas")"; else not_ok "no CMA area found"; fi
check "module parameters readable under /sys/module" test -r /sys/module/cma_stress/parameters/scenario

# malformed control writes and module parameters: EINVAL, one line of ours
bad_write "nosuchkey=1" "unknown setting: EINVAL" nosuchkey
bad_write "inject=d9" "unknown injection: EINVAL" inject
bad_input alloc_threads

# a short run of each scenario passes, every generator working
reload
run_scenario() {	# run_scenario NAME
	echo "scenario=$1" >"$D/control" && run_ok
}
for s in $SCENARIOS; do
	check "scenario $s: ${SHORT}s run PASSes, every generator with threads works" run_scenario "$s"
done
echo "scenario=default" >"$D/control"

# settings refused while running
check "settings are refused while running (EBUSY)" busy alloc_threads=1

# each detector fires on its injected fault, and no other does
check "inject=d1: d1_counters fires, no other detector" inject 1 d1_counters
check "inject=d2: d2_freelist fires, no other detector" inject 2 d2_freelist
check "inject=d3: d3_pageblock fires, no other detector" inject 3 d3_pageblock
check "inject=d4: d4_ownership fires, no other detector" inject 4 d4_ownership
check "inject=d5: d5_placement fires, no other detector" inject 5 d5_placement
check "inject=d6: d6_quiesce fires, no other detector" inject 6 d6_quiesce
check "inject=d7: d7_liveness fires, no other detector" inject 7 d7_liveness stall_s=2
check "inject=d7: the thread that left without returning is reported as died" died_reported
echo reset >"$D/control"

# each rule with an injection is the first finding on it, within its bound
rules_injected

# unload in the middle of a run leaves nothing behind; cs_core unloads
check "unload mid-run stops, releases and onlines everything" unload_midrun
check "cs_core unloads once no module uses it" unload_core

finish "$PLAN"
