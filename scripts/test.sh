#!/bin/bash
# test.sh: the test suite (`make test`). KTAP-style lines, then a closing
# "N passed, N failed". Exit 0 only when nothing failed.
#
# Host tests first (seconds): shellcheck, the console parser against real
# captured logs, the config fragment check, the module build with W=1 and
# sparse, checkpatch, scripts/report-check.sh. Then guest tests (minutes,
# under QEMU TCG): clean kernels PASS with every detector run and every
# generator's work, the seed 000 positive control FAILs with its own
# finding on both flavours and 6.1, the big NUMA guest (SIZE=big) PASSes
# clean with every CMA area found and FAILs the seed 000 control, a
# 32-vCPU guest starts every generator, isolate_race passes on the test kernel
# and on Debian's stock kernel and fails on its own control, short forms
# of the bench's reliability figures (load/unload cycles, malformed and
# racing control writes; debug, kmemleak on), and the kselftests of both
# modules (bad input, every scenario, each detector's injected fault,
# unload mid-run) pass in a guest, each reported here as a test of its own.
#
# Each test names its kernel: 6.12 unless it says 7.3 (or 6.1, arm64) in
# its name, whatever KVER and ARCH the caller has set. This file is the
# runner and the list; the tests' functions are in scripts/test-host.sh
# and scripts/test-guest.sh, whose headers say what belongs in each.
#
# Variables: TESTS (a regex of test names to run; default all),
# GUEST_DURATION (seconds of stress for a clean
# run, default 30), CONTROL_DURATION (for a positive control, default 60;
# how soon its rule must fire is the rule's bound, core/rules.c),
# TEST_CYCLES (10), TEST_WRITES (1000), TEST_BUDGET_S
# (seconds the whole suite may take: 5100 for make test, under CI's 90
# minutes with the packages installed first; 14400 for make test-long),
# TEST_KEEP (a directory to keep the logs and guest runs in).
set -uo pipefail
export KVER=6.12 ARCH=x86_64
. "$(dirname "$0")/lib.sh"
check_vars
"$CS_TOP/scripts/deps.sh" || exit 2

TESTS=${TESTS:-.}
GUEST_DURATION=${GUEST_DURATION:-30}
CONTROL_DURATION=${CONTROL_DURATION:-60}
SET=${SET:-short}
budget=5100
[ "$SET" != long ] || budget=14400
TEST_BUDGET_S=${TEST_BUDGET_S:-$budget}
case $TEST_BUDGET_S in ''|*[!0-9]*) die "TEST_BUDGET_S='$TEST_BUDGET_S' must be a number of seconds" ;; esac
OUT=$(mktemp -d)
# TEST_KEEP=DIR: keep every test's log and guest run there (figures for a
# note, a failure to read later).
trap 'if [ -n "${TEST_KEEP:-}" ]; then mkdir -p "$TEST_KEEP" && cp -r "$OUT"/. "$TEST_KEEP"/; fi; rm -rf "$OUT"' EXIT
n=0 passed=0 failed=0 skipped=0

echo "TAP version 13"

# t NAME COMMAND...: one test; its output is shown only when it fails.
# tl NAME COMMAND...: a slow one, run by `make test-long` (SET=long) only.
SET=${SET:-short}
case $SET in short|long) ;; *) die "SET='$SET': use short (make test) or long (make test-long)" ;; esac
t() {
	[ "$SET" = short ] || return 0
	run_test "$@"
}
tl() {
	[ "$SET" = long ] || return 0
	run_test "$@"
}
# The whole suite has a time budget, so that a few hung guests cannot push
# it past CI's limit before the closing line: no guest outlives the
# deadline (run-qemu.sh caps its TIMEOUT), and once it has passed every
# test left is reported failed, unrun.
export CS_DEADLINE=$(($(date +%s) + TEST_BUDGET_S))
run_test() {
	local name=$1 log
	shift
	[[ $name =~ $TESTS ]] || return 0
	n=$((n + 1))
	log=$OUT/$n.log
	if [ "$(date +%s)" -ge "$CS_DEADLINE" ]; then
		failed=$((failed + 1))
		echo "not ok $n - $name # not run: the suite's time budget (TEST_BUDGET_S=$TEST_BUDGET_S) is spent"
		return
	fi
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		sed 's/^/# /' "$log" | tail -n 40
	fi
}

# The tests themselves: host tests in scripts/test-host.sh, guest tests in
# scripts/test-guest.sh; this file lists them, in the order they run.
# shellcheck source=scripts/test-host.sh
. "$CS_TOP/scripts/test-host.sh"
# shellcheck source=scripts/test-guest.sh
. "$CS_TOP/scripts/test-guest.sh"

# ---- host tests --------------------------------------------------------------
t "shellcheck" test_shellcheck
t "console parser against captured logs" test_console_parser
t "a spent time budget fails the tests left and still prints the closing line" test_budget
t "config fragment lines are verified by name" test_check_config
t "README's detector and generator list matches core/tables.c" test_readme_tables
t "rules: every rule of core/rules.c has a proof, every patch proof a test, every injection a kselftest; docs/rules.md is the table's" test_rules
t "report check: a PASS needs every detector run and every generator's work" test_report_check
t "symbol routes: every IBT case decided as README says" test_route
t "IBT seal check: a sealed function on a callable route, or no refusal, is caught (stock 7.3 image)" test_ibt_seals
t "modules build warning-free with W=1 and sparse (6.12)" test_module_warnings
t "modules build warning-free with W=1 on 7.3; C=2 there fails naming the sparse it rejects" test_module_warnings_73
t "checkpatch --strict on every C file" test_checkpatch
t "series plot of a captured seed000 run: literal title, first violation marked with its detector, pauses as gaps" test_series_plot
t "pictures from recorded runs and bench data: series.png, fail.png, bench's plots, each element checked (tests/test-plots.sh)" test_plots
t "pictures: each picture test fails when its element is taken out of the script" test_plots_broken
t "seed 000 check: a guest that died before its report is judged by the console's first-violation line" test_seed000_console

# ---- guest tests (scripts/test-guest.sh) ---------------------------------------
# ---- 7.3: where upstream develops (the default kernel of make run) ----------
t "guest: clean 7.3 debug kernel PASSes, every listed failure return covered" clean_cov debug 7.3
t "guest: clean 7.3 prod kernel PASSes, every listed failure return covered" clean_cov prod 7.3
t "guest: seed000 control FAILs on 7.3 debug" seed000_control debug 7.3
t "guest: seed000 control FAILs on 7.3 prod" seed000_control prod 7.3
t "guest: D4 reports a held range whose CMA bitmap bit someone else cleared, within 2 s (cma-bit-lost control, 7.3 prod)" \
	bit_lost_control 7.3
t "guest: D3 reports a pageblock a failed offline left isolated, within 30 s (leftover-isolate control, 7.3 prod)" \
	leftover_control 7.3
t "guest: D2 reports NR_FREE_PAGES_BLOCKS off its lists first, within 10 s (free-blocks-lost control, 7.3 prod)" \
	free_blocks_control
t "guest: isolate_race on the 7.3 debug test kernel PASSes" isolate_clean debug test 7.3
t "guest: racers and offlines on the same blocks keep apart and PASS (offline-race, 7.3 debug)" on 7.3 offline_race debug
t "dkms add/build against Debian's stock 7.3, cma_stress's default scenario PASSes in its guest with every detector and generator at work" \
	dkms_run 7.3
t "guest: on Debian's stock 7.3 (IBT) routes decided for IBT refuse every sealed function the image shows, and the run PASSes" \
	ibt_refusal
t "guest: a 32-vCPU guest starts every generator and PASSes (7.3 prod)" on 7.3 many_cpus
t "guest: ${TEST_CYCLES:-10} load/unload cycles, rmmod at random moments: nothing left, no leak (7.3 debug, kmemleak)" on 7.3 cycles_short
t "guest: ${TEST_WRITES:-1000} malformed control writes and racing writers: each refused with one line, a PASSing run after (7.3 debug)" on 7.3 fuzz_short
t "guest: kselftests (7.3 prod)" on 7.3 selftests_in_guest prod

# ---- 6.12: Debian's stock kernel (no build; its test kernels: make test-long)
t "guest: isolate_race on Debian's stock 6.12 kernel PASSes" isolate_clean prod debian
t "dkms add/build/install against Debian's 6.12, isolate_race PASSes in its guest with its work done" \
	dkms_run 6.12

# ---- make test-long: slow reproducers and the other LTS runs ---------------
# 6.12's test kernels: a cold build of each costs about ten minutes, which
# make test's cold-cache total (75 minutes on 2 cores) cannot hold.
tl "guest: clean 6.12 debug kernel PASSes, every listed failure return covered" clean_cov debug
tl "guest: seed000 control FAILs on 6.12 debug" seed000_control debug
tl "guest: isolate-pcp-stale control: D2 sees a free page on the wrong list first, within 10 s (isolate_race, 6.12 debug)" isolate_control debug
tl "guest: gigantic pages racing memory offline oops the clean 6.12 debug kernel (contig-undo-offline, no module)" \
	gigantic_offline FAIL
tl "guest: ... and PASS with kernel/patches/contig-undo-fix-6.12.patch" \
	gigantic_offline PASS PATCHES="$CS_TOP/kernel/patches/contig-undo-fix-6.12.patch"
tl "guest: clean 6.12 prod kernel PASSes, every listed failure return covered" clean_cov prod
tl "guest: seed000 control FAILs on 6.12 prod" seed000_control prod
tl "guest: D4 reports a held range whose CMA bitmap bit someone else cleared, within 2 s (cma-bit-lost control, 6.12 prod)" bit_lost_control
tl "guest: D3 reports a pageblock a failed offline left isolated, within 30 s (leftover-isolate control, 6.12 prod)" \
	leftover_control 6.12
tl "guest: big NUMA guest (8 vCPUs, 12 GiB, 2 nodes, per-node and hugetlb_cma areas, fragmented): 6.12 prod + contig-undo and hugetlb-cma fixes PASSes" big_clean prod
# hugetlb_threads=0: G10's 1 GiB pages would reach the 6.12 contig-undo
# bug (docs/findings/contig-undo-foreign-isolation.md) before seed 000's.
tl "guest: big NUMA guest: seed000 control FAILs on 6.12 debug" seed000_control debug 6.12 SIZE=big TIMEOUT=900 \
	MODARGS="stop_on_fail=1 hugetlb_threads=0"
tl "guest: a 32-vCPU guest starts every generator and PASSes (6.12 prod)" many_cpus
tl "guest: isolate_race on the 6.12 debug test kernel PASSes" isolate_clean debug
tl "guest: with kernel/patches/export-syms-6.12.patch the symbols are taken as exports" export_route
tl "guest: racers and offlines on the same blocks keep apart and PASS (offline-race, 6.12 debug)" offline_race debug
tl "guest: ${TEST_CYCLES:-10} load/unload cycles, rmmod at random moments: nothing left, no leak (6.12 debug, kmemleak)" cycles_short
tl "guest: ${TEST_WRITES:-1000} malformed control writes and racing writers: each refused with one line, a PASSing run after (6.12 debug)" fuzz_short
tl "guest: kselftests (6.12 prod)" selftests_in_guest prod
tl "guest: seed000 control FAILs on 6.1 debug" seed000_control debug 6.1
tl "guest: arm64 clean 7.3 prod kernel PASSes" clean_run prod "" ARCH=arm64 KVER=7.3
tl "guest: arm64 clean 6.12 prod kernel PASSes" clean_run prod "" ARCH=arm64
tl "guest: arm64 seed000 control FAILs on 6.12 prod" seed000_control prod 6.12 ARCH=arm64
# The test definition's scripts run under busybox ash on the guest and
# under any /bin/sh on a board: POSIX sh (scripts/lava-*.sh are in
# test_shellcheck's list already).
t "lava: shellcheck -s sh of lava/*.sh" shellcheck -s sh "$CS_TOP"/lava/*.sh
tl "lava: a clean 7.3 prod job through lava-run: LAVA and the harness both PASS, a test case per detector and generator" \
	lava_job PASS KVER=7.3 DURATION="$GUEST_DURATION"
tl "lava: the seed 000 control (7.3 prod) through lava-run: LAVA and the harness both FAIL, on seed 000's finding" \
	lava_job FAIL KVER=7.3 PATCHES="$CS_TOP/kernel/patches/seed000-7.3.patch" \
	MODARGS="stop_on_fail=1" DURATION="$CONTROL_DURATION"
tl "repro: contig-undo-foreign-isolation REPRODUCED on 7.3 debug (kernel BUG or an offline whose isolation was undone)" \
	repro_contig_undo 7.3 REPRODUCED
tl "repro: ... NOT REPRODUCED on 7.3 debug with kernel/patches/contig-undo-fix-7.3.patch" \
	repro_contig_undo 7.3 "NOT REPRODUCED" 1
tl "repro: contig-undo-foreign-isolation REPRODUCED on 6.12 debug" repro_contig_undo 6.12 REPRODUCED
tl "repro: ... NOT REPRODUCED on 6.12 debug with kernel/patches/contig-undo-fix-6.12.patch" \
	repro_contig_undo 6.12 "NOT REPRODUCED" 1
import_ktap

echo "1..$n"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
