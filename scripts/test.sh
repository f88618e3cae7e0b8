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
# its name, whatever KVER and ARCH the caller has set.
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

# ---- host tests --------------------------------------------------------------

shell_files() {
	ls "$CS_TOP"/scripts/*.sh "$CS_TOP"/guest/init "$CS_TOP"/guest/jobs/*.sh \
		"$CS_TOP"/tests/*.sh "$CS_TOP"/.ci/run 2>/dev/null
	find "$CS_TOP/selftests" -name '*.sh' 2>/dev/null
}

test_shellcheck() {
	# guest scripts run under busybox ash: check them as POSIX sh.
	shell_files | grep -v '/guest/' | xargs shellcheck &&
		shell_files | grep '/guest/' | xargs shellcheck -s sh
}

test_console_parser() {
	"$CS_TOP/tests/test-console.sh"
}

# A fragment line that cannot take effect is reported by name.
test_check_config() {
	local d=$OUT/cfg out
	mkdir -p "$d"
	printf 'CONFIG_CMA=y\nCONFIG_NO_SUCH_OPTION=y\n# CONFIG_DEBUG_VM is not set\n' >"$d/frag"
	printf 'CONFIG_CMA=y\nCONFIG_DEBUG_VM=y\n' >"$d/config"
	if out=$("$CS_TOP/scripts/check-config.sh" "$d/frag" "$d/config" 2>&1); then
		echo "check-config accepted a broken fragment"
		return 1
	fi
	echo "$out"
	grep -q "CONFIG_NO_SUCH_OPTION=y" <<<"$out" &&
		grep -q "# CONFIG_DEBUG_VM is not set" <<<"$out" &&
		! grep -q "'CONFIG_CMA=y'" <<<"$out"
}

# The plot of a captured seed 000 run: CSV extracted, the first violation
# found (the report's first_violation_s) and drawn, a PNG written.
test_series_plot() {
	local d=$OUT/plot g=$OUT/plot-gap log=$OUT/gap.log
	"$CS_TOP/scripts/series-plot.sh" "$CS_TOP/tests/series/seed000-prod-6.12.log" "$d" &&
		[ "$(wc -l <"$d/series.csv")" -gt 100 ] &&
		grep -q "set arrow 1 from 0.015" "$d/series.gp" &&
		grep -q "set label 1 'first violation: d2_freelist at 0.015 s'" "$d/series.gp" &&
		grep -q "noenhanced" "$d/series.gp" &&
		! grep -q '^$' "$d/series.dat" &&
		[ -s "$d/series.png" ] && file "$d/series.png" | grep -q 'PNG image' || return 1
	# A pause in sampling (10 s added from the 50th sample on) is a break
	# in the lines: one blank line in the plotted data.
	awk -F, 'BEGIN { OFS = "," } /^==== end series/ { on = 0 }
		on && ++k > 50 { $1 += 10 } { print } /^==== series / { on = 1 }' \
		"$CS_TOP/tests/series/seed000-prod-6.12.log" >"$log"
	"$CS_TOP/scripts/series-plot.sh" "$log" "$g" >/dev/null &&
		[ "$(grep -c '^$' "$g/series.dat")" -eq 1 ]
}

# The pictures (tests/test-plots.sh): each rendered from a recorded series
# or bench data file, its texts and shapes checked in an SVG twin; and
# each check shown to fail with its element taken out of the script.
test_plots() { "$CS_TOP/tests/test-plots.sh"; }
test_plots_broken() { "$CS_TOP/tests/test-plots.sh" --broken; }

# The seed 000 check on a guest the bug crashed before it printed the
# report (the arm64 prod control did so once in CI): it takes the
# module's console line for the first violation, and still refuses a
# console without one or with another detector's finding.
test_seed000_console() {
	local d=$OUT/s0 fail='[    3.598038] cma_stress: FAIL d2_freelist: D2.wrong_type: zone DMA: order-10 free page pfn 0x88000 on CMA list spans Movable pageblock 0x88000 (1 finding(s) in this walk)'
	mkdir -p "$d"
	: >"$d/out"
	printf '%s\r\n%s\r\n%s\r\n' "$fail" \
		'[    3.598101] cma_stress: first violation at 0.412 s into the run: d2_freelist: D2.wrong_type: zone DMA: order-10 free page pfn 0x88000 on CMA list spans Movable pageblock 0x88000 (1 finding(s) in this walk)' \
		'[    4.600000] Kernel panic - not syncing: Fatal exception' >"$d/console.log"
	GUEST_RUN_DIR=$d seed000_signature "$d/out" || return 1
	sed -i 's/first violation at 0.412 s into the run: d2_freelist: .*/first violation at 0.412 s into the run: d2_freelist: D2.nr_free_pages: zone DMA: NR_FREE_PAGES=1 but the lists hold 2 pages/' "$d/console.log"
	if GUEST_RUN_DIR=$d seed000_signature "$d/out"; then
		echo "another detector's finding passed for seed 000's"
		return 1
	fi
	printf '%s\n' "$fail" >"$d/console.log"
	if GUEST_RUN_DIR=$d seed000_signature "$d/out"; then
		echo "a console without the first-violation line passed"
		return 1
	fi
}

# The time budget: with it spent, a test is reported failed and not run,
# and the closing line still comes.
test_budget() {
	local out
	out=$(TEST_BUDGET_S=0 TESTS='^shellcheck$' "$CS_TOP/scripts/test.sh" 2>&1)
	echo "$out"
	grep -q "^not ok 1 - shellcheck # not run: the suite's time budget" <<<"$out" &&
		grep -q '^0 passed, 1 failed' <<<"$out"
}

# README's "What it catches" is the tables' own text (scripts/catches.sh),
# and the check fails when a table row changes without README.
readme_block() {
	awk '/generated from core\/tables.c by scripts\/catches.sh/ { p = 1 }
		p { print } /end of the generated block/ { p = 0 }' "$CS_TOP/README"
}

test_readme_tables() {
	local mut=$OUT/tables.c
	diff <(readme_block) <("$CS_TOP/scripts/catches.sh") || return 1
	sed 's/\.seeds = "003",/.seeds = "004",/' "$CS_TOP/core/tables.c" >"$mut"
	if diff -q <(readme_block) <("$CS_TOP/scripts/catches.sh" "$mut") >/dev/null; then
		echo "a changed table row went unnoticed"
		return 1
	fi
}

# The rule table (scripts/rules.sh --check): every rule has a proof, every
# patch proof a test here, the kselftests plan every injection. A row
# stripped of its proofs, and a patch proof no test runs, are caught.
test_rules() {
	local mut=$OUT/rules.c
	"$CS_TOP/scripts/rules.sh" --check || return 1
	diff "$CS_TOP/docs/rules.md" <("$CS_TOP/scripts/rules.sh" --doc) ||
		{ echo "docs/rules.md is not the table's: scripts/rules.sh --update"; return 1; }
	sed '/"D1.negative",/,/),$/ s/"D1 reads one zone.s NR_FREE_PAGES as minus its managed pages"/NULL/' \
		"$CS_TOP/core/rules.c" >"$mut"
	if "$CS_TOP/scripts/rules.sh" --check "$mut" >/dev/null; then
		echo "a rule without a proof went unnoticed"
		return 1
	fi
	sed 's/"cma-bit-lost", *$/"cma-bit-lost-nosuch",/; s/"cma-bit-lost",/"cma-bit-lost-nosuch",/' \
		"$CS_TOP/core/rules.c" >"$mut"
	if "$CS_TOP/scripts/rules.sh" --check "$mut" >/dev/null; then
		echo "a patch proof with no patch and no test went unnoticed"
		return 1
	fi
	[ "$("$CS_TOP/scripts/rules.sh" | wc -l)" -ge 33 ] || { echo "fewer rules read than the table has"; return 1; }
}

# scripts/report-check.sh, on a small report and on what breaks it: a
# detector with no checks, a disabled one, a generator with threads and no
# operations; isolate_race's D5 is the one detector allowed to be off.
test_report_check() {
	local r=$OUT/report rc=0
	mini_report() {	# MODULE [EXTRA LINE]
		printf '%s\n' "==== report $1 ====" "threads: g1=2 g2=1 g3=0" \
			"g1_ops: 5" "g2_ops: 3" "g3_ops: 0" "d1_counters_checks: 4" \
			"d1_counters_violations: 0" "${2:-d2_freelist_checks: 1}" \
			"verdict: PASS" "==== end report ===="
	}
	expect() {	# WANT(0|1) DESCRIPTION: the check on $r answers WANT
		local got=0
		"$CS_TOP/scripts/report-check.sh" "$r" || got=1
		[ "$got" = "$1" ] || { echo "wrong answer ($got, wanted $1): $2"; rc=1; }
	}
	mini_report cma_stress >"$r"; expect 0 "a complete report"
	mini_report cma_stress "d2_freelist_checks: 0" >"$r"; expect 1 "a detector with 0 checks"
	mini_report cma_stress "d2_freelist_disabled: no symbol" >"$r"; expect 1 "a disabled detector"
	mini_report cma_stress | sed 's/^g2_ops: 3/g2_ops: 0/' >"$r"; expect 1 "a generator with a thread and 0 ops"
	mini_report cma_stress | sed '/^g1_ops/d' >"$r"; expect 1 "a generator with threads and no _ops line"
	mini_report cma_stress | sed '/^threads:/d' >"$r"; expect 1 "no threads: line"
	mini_report isolate_race "d5_placement_disabled: no G6 in this module" >"$r"
	expect 0 "isolate_race's d5_placement off"
	mini_report cma_stress "d5_placement_disabled: no G6 in this module" >"$r"
	expect 1 "cma_stress's d5_placement off"
	return "$rc"
}

# The symbol route decision, every IBT case (TCG guests have no CET).
test_route() {
	gcc -Wall -Wextra -Werror -o "$OUT/test-route" "$CS_TOP/tests/test-route.c" &&
		"$OUT/test-route"
}

kernel_dir() {	# flavour [patches]
	FLAVOUR=$1 PATCHES=${2:-} "$CS_TOP/scripts/build-kernel.sh"
}

# W=1 (build-modules.sh's default) and sparse: no warning at all, and
# sparse really ran on every C file (a CHECK line each).
test_module_warnings() {
	local kdir out want got
	kdir=$(kernel_dir debug) || return 1
	if ! out=$(FLAVOUR=debug W=1 C=2 "$CS_TOP/scripts/build-modules.sh" "$kdir" 2>&1 >/dev/null); then
		printf '%s\n' "$out" | tail -n 20
		return 1
	fi
	grep -Ei 'warning|error' <<<"$out" && return 1
	want=$(c_files | wc -l)
	got=$(grep -c '^ *CHECK .*\.c$' <<<"$out")
	echo "sparse checked $got of $want C files"
	[ "$got" -eq "$want" ]
}

# On 7.3: W=1 with no warning at all. Sparse cannot check 7.3 here (the
# kernel's checker-valid.sh rejects Debian 12's sparse 0.6.4), and C=2
# must say so and fail rather than build unchecked.
test_module_warnings_73() {
	local kdir out
	kdir=$(KVER=7.3 kernel_dir debug) || return 1
	if ! out=$(KVER=7.3 FLAVOUR=debug W=1 "$CS_TOP/scripts/build-modules.sh" "$kdir" 2>&1 >/dev/null); then
		printf '%s\n' "$out" | tail -n 20
		return 1
	fi
	grep -Ei 'warning|error' <<<"$out" && return 1
	if out=$(KVER=7.3 FLAVOUR=debug W=1 C=2 "$CS_TOP/scripts/build-modules.sh" "$kdir" 2>&1 >/dev/null); then
		echo "C=2 on 7.3 built without a word about sparse"
		return 1
	fi
	grep "checker-valid.sh rejects" <<<"$out"
}

# The modules' C files: the two modules, the frame and the generators.
c_files() {
	ls "$CS_TOP"/*.c "$CS_TOP"/core/*.c "$CS_TOP"/gen/*.c
}

test_checkpatch() {
	local kdir
	kdir=$(kernel_dir debug) || return 1
	# shellcheck disable=SC2046
	"$kdir/scripts/checkpatch.pl" --strict --no-tree --quiet --terse -f \
		$(c_files) "$CS_TOP"/core/*.h
}

# scripts/ibt-seals.sh against Debian's stock 7.3 image, with the symbol
# addresses and routes of a recorded assume_ibt=1 run (tests/ibt/): the
# recorded routes agree with the image's seal list; a sealed function
# taken by kallsyms (as a module without the refusal would) or no refusal
# at all is caught.
test_ibt_seals() {
	local kimg map=$CS_TOP/tests/ibt/kallsyms-7.3.4+deb13-amd64 routes
	routes=$(cat "$CS_TOP/tests/ibt/routes-7.3.4+deb13-amd64") || return 1
	read -r _ kimg < <(KVER=7.3 DEBIAN_KREL=7.3.4+deb13-amd64 "$CS_TOP/scripts/debian-kernel.sh") ||
		{ echo "no stock 7.3.4 image"; return 1; }
	"$CS_TOP/scripts/ibt-seals.sh" "$kimg" "$map" "$routes" || return 1
	if "$CS_TOP/scripts/ibt-seals.sh" "$kimg" "$map" \
		"${routes/cma_for_each_area=refused:sealed-by-ibt/cma_for_each_area=kallsyms}"; then
		echo "a sealed function on the kallsyms route passed"
		return 1
	fi
	if "$CS_TOP/scripts/ibt-seals.sh" "$kimg" "$map" "${routes//refused:sealed-by-ibt/kallsyms+ibt-lifted}"; then
		echo "routes with no refusal passed"
		return 1
	fi
}

# ---- guest tests ---------------------------------------------------------------

# guest NAME FLAVOUR EXPECT GREP_ERE [VAR=VALUE ...]: one `make run`; the
# verdict must be EXPECT and the run's output or console must match GREP_ERE.
guest() {
	local flavour=$2 expect=$3 want=$4 out rc
	shift 4
	out=$OUT/guest.$n.out
	GUEST_OUT=$out
	GUEST_RUN_DIR=$OUT/run.$n
	env FLAVOUR="$flavour" RUN_DIR="$GUEST_RUN_DIR" "$@" "$CS_TOP/scripts/run.sh" >"$out" 2>&1
	rc=$?
	grep -E '^(run:|console:|  \[|verdict:|first_violation|g1_alloc_ok|g3_offline_ok|d[0-9]_[a-z]+_violations: [1-9])' "$out"
	# What the guest job said of itself (the cycles, fuzz and kselftest jobs).
	grep -aE '^(cycles|fuzz): |^cs-guest: (kmemleak|a kselftest)|^ *(not ok|Bail out!)' \
		"$GUEST_RUN_DIR/console.log" 2>/dev/null | tail -n 20
	# Neither verdict (2: a script stopped on an error): say where.
	[ "$rc" -le 1 ] || grep -v '^\[' "$out" | tail -n 15
	if [ "$expect" = PASS ] && [ "$rc" -ne 0 ]; then
		echo "expected PASS, got exit $rc"
		return 1
	fi
	if [ "$expect" = FAIL ] && [ "$rc" -ne 1 ]; then
		echo "expected FAIL (exit 1), got exit $rc"
		return 1
	fi
	grep -Eq "$want" "$out" "$GUEST_RUN_DIR/console.log" ||
		{ echo "output lacks /$want/"; return 1; }
}

# A clean run must also have done real work, or PASS means nothing: every
# detector ran and every generator with threads did work
# (scripts/report-check.sh).
# clean_run FLAVOUR [MODARGS [VAR=VALUE ...]]
clean_run() {
	local fl=$1 args=${2:-}
	shift
	[ $# -eq 0 ] || shift
	guest "$fl" "$fl" PASS '^g1_alloc_ok: [1-9]' \
		DURATION="$GUEST_DURATION" MODARGS="$args" "$@" &&
		"$CS_TOP/scripts/report-check.sh" "$GUEST_OUT"
}

# clean_cov FLAVOUR [KVER]: a clean 60-second default run that also
# reached every failure return the coverage table lists
# (coverage_missing: none): the failure and undo paths the seed bugs live
# on were taken.
clean_cov() {
	clean_run "$1" "" DURATION=60 KVER="${2:-$KVER}" || return 1
	if ! grep -q '^coverage_missing: none$' "$GUEST_OUT"; then
		grep '^coverage' "$GUEST_OUT"
		return 1
	fi
}

# rule_first RULES [bug]: the run's first finding is one of RULES (a rule
# name of core/rules.c, or several joined by |): the report's first_rule,
# or, when the kernel the bug went on to crash never let the guest print
# the report, the module's console line "first violation at T s into the
# run: <detector>: <rule>: ..." (printed when it happens). Within the
# rule's bound (core/rules.c): from the run's start, or, with "bug", from
# the kernel's own line saying it planted its bug (bug_to_report).
# Any FAIL is not enough: a patch that did nothing, or a kernel that
# fails another rule first (a clean 6.1 FAILs D2's counter identity after
# ~25 s), must not pass.
rule_first() {
	local want=$1 fr t line bound
	fr=$(sed -n 's/^first_rule: //p' "$GUEST_OUT" | head -n 1)
	t=$(sed -n 's/^first_violation_s: //p' "$GUEST_OUT" | head -n 1)
	if [ -z "$fr" ]; then
		line=$(sed -n 's/^.*: first violation at \([0-9.]*\) s into the run: [a-z0-9_]*: \([A-Za-z0-9_.]*\): .*/\1 \2/p' \
			"$GUEST_RUN_DIR/console.log" | tr -d '\r' | head -n 1)
		t=${line%% *}
		fr=${line#* }
		[ -z "$line" ] || echo "no report (the guest died): first violation from the console"
	fi
	if [ -z "$fr" ] || ! grep -qxF "$fr" <<<"${want//|/$'\n'}"; then
		echo "the first finding is ${fr:-nobody}'s, not ${want}'s"
		grep -a '^first_violation: ' "$GUEST_OUT" | head -n 1
		return 1
	fi
	bound=$("$CS_TOP/scripts/rules.sh" | awk -F'|' -v r="$fr" '$2 == r { print $7 }')
	[ -n "$bound" ] || { echo "no rule $fr in core/rules.c"; return 1; }
	if [ "${2:-}" = bug ]; then
		echo "$fr first, at ${t}s"
		within_of_bug "$bound"
		return
	fi
	if ! awk -v t="$t" -v lim="$bound" 'BEGIN { exit !(t != "" && t + 0 <= lim) }'; then
		echo "$fr came at ${t:-?}s, not within its bound of ${bound}s"
		return 1
	fi
	echo "$fr first, at ${t}s (bound ${bound}s)"
}

# seed000_signature OUTPUT: seed 000's patch makes D2.wrong_type (a merge
# across pageblocks) the run's first finding within its bound.
seed000_signature() {
	GUEST_OUT=$1 rule_first D2.wrong_type
}

# seed000_control FLAVOUR [KVER [VAR=VALUE ...]]
seed000_control() {
	local fl=$1 kver=${2:-6.12}
	shift
	[ $# -eq 0 ] || shift
	guest "$fl" "$fl" FAIL '\[harness\] .*cma_stress: FAIL d[1-3]_' KVER="$kver" \
		PATCHES="$CS_TOP/kernel/patches/seed000-$kver.patch" \
		DURATION="$CONTROL_DURATION" MODARGS="stop_on_fail=1" "$@" &&
		seed000_signature "$GUEST_OUT"
}

# isolate_race on a kernel: PASS with real work done, on the test kernel
# or (KERNEL=debian) the Debian stock kernel.
# isolate_clean FLAVOUR [KERNEL [KVER]]
isolate_clean() {
	guest "isolate_race $1" "$1" PASS '^g4_contig_ok: [1-9]' \
		MODULE=isolate_race DURATION="$GUEST_DURATION" KERNEL="${2:-test}" \
		KVER="${3:-$KVER}" &&
		"$CS_TOP/scripts/report-check.sh" "$GUEST_OUT"
}

# offline_race FLAVOUR: isolate_race's offline-race scenario, racers and
# G3's offlines on the same memory blocks, with core/isolation.c's rule on
# (docs/findings/contig-undo-offline.md): PASS, real work done, and the
# rule refused at least one overlap (it was in play, not idle).
offline_race() {
	guest "offline-race" "$1" PASS '^g4_contig_ok: [1-9]' MODULE=isolate_race \
		DURATION="$GUEST_DURATION" MODARGS="scenario=offline-race" &&
		"$CS_TOP/scripts/report-check.sh" "$GUEST_OUT" || return 1
	grep -Eq '^(g3_skipped_racer_on_block|g4_skipped_block_offlining|g4_skipped_went_offline): [1-9]' \
		"$GUEST_OUT" || { echo "the registry refused no overlap of racers and offlines"; return 1; }
}

# gigantic_offline EXPECT [VAR=VALUE ...]: docs/findings/contig-undo-offline.md's
# reproducer, no module loaded: gigantic hugetlb pages through sysfs while
# their zone's blocks go offline. The clean 6.12 debug kernel oopses in
# replace_free_hugepage_folios() (2 of 2 runs, at 75 and 83 s); with
# kernel/patches/contig-undo-fix-6.12.patch it PASSes with real work done.
gigantic_offline() {
	local expect=$1 want='^repro: offlines: [1-9][0-9]* done'
	shift
	[ "$expect" = PASS ] || want='RIP: 0010:replace_free_hugepage_folios'
	guest gigantic-offline debug "$expect" "$want" JOB=gigantic-offline MEM=6144 \
		DURATION=180 PRESSURE=30 TIMEOUT=900 CMDLINE="movablecore=512M page_owner=off" "$@"
}

# isolate_control FLAVOUR: kernel/patches/isolate-pcp-stale-6.12.patch
# drains pcp pages of an isolated pageblock to the Movable list: one of
# D2's two rules for it (a free page on a list its Isolate pageblock
# forbids; NR_FREE_PAGES off the non-isolate lists) must be the first
# violation, within 10 s (make bench: 0.3-1.4 s on prod).
isolate_control() {
	guest "isolate_race control" "$1" FAIL '\[harness\] .*isolate_race: FAIL d2_freelist: ' \
		MODULE=isolate_race PATCHES="$CS_TOP/kernel/patches/isolate-pcp-stale-6.12.patch" \
		DURATION="$CONTROL_DURATION" MODARGS="stop_on_fail=1" &&
		rule_first 'D2.wrong_type|D2.nr_free_pages'
}

# Short forms of make bench's reliability figures, on the debug kernel with
# kmemleak on (the guest fails on a leak of our modules): load/unload
# cycles with rmmod at random moments of a run, and malformed control
# writes plus racing writers followed by a run that must PASS.
cycles_short() {
	guest cycles debug PASS '^cycles: [0-9]+ cycles, 0 with something left behind' \
		JOB=cycles MODARGS="cycles=${TEST_CYCLES:-10}" TIMEOUT=900 &&
		grep -E '^cs-guest: kmemleak: 0 leak' "$GUEST_RUN_DIR/console.log"
}
fuzz_short() {
	guest fuzz debug PASS "^fuzz: ${TEST_WRITES:-1000} single writes: .* 0 finding" \
		JOB=fuzz MODARGS="writes=${TEST_WRITES:-1000} race_s=20" DURATION=10 TIMEOUT=1200 &&
		"$CS_TOP/scripts/report-check.sh" "$GUEST_OUT"
}

# big_clean FLAVOUR: the big guest (SIZE=big: 8 vCPUs, 12 GiB, two NUMA
# nodes) with memory fragmented first (SIEVE), a clean run that PASSes
# with every detector and generator at work, and the areas a real box has
# all found and audited: a per-node area on each node and, the CPU model
# offering 1 GiB pages, the hugetlb_cma= ones. The kernel carries the
# fixes of the two 6.12 bugs this layout hits
# (docs/findings/contig-undo-foreign-isolation.md,
# docs/findings/6.12-hugetlb-cma-stray-release.md): stock 6.12 may rightly
# FAIL here.
BIG_FIXES=$CS_TOP/kernel/patches/contig-undo-fix-6.12.patch:$CS_TOP/kernel/patches/hugetlb-cma-fix-6.12.patch
big_clean() {
	clean_run "$1" "" SIZE=big PRESSURE=10 SIEVE=30 TIMEOUT=900 \
		PATCHES="$BIG_FIXES" || return 1
	local c=$GUEST_RUN_DIR/console.log a
	grep -q '^cs-guest: nodes=2 ' "$c" || { echo "the guest did not come up with two NUMA nodes"; return 1; }
	grep -q '^cs-guest: nodes=2 pdpe1gb=yes' "$c" ||
		{ echo "the CPU model offers no 1 GiB pages: no hugetlb_cma= area to audit"; return 1; }
	for a in pernuma0:0 pernuma1:1 hugetlb0:0 hugetlb1:1; do
		grep -q "^${a%:*} .* node=${a#*:} " "$c" && continue
		echo "no CMA area ${a%:*} on node ${a#*:}; the areas found:"
		grep -E '^[a-z0-9_]+ base_pfn=' "$c"
		return 1
	done
	grep -E '^(areas|audit_hold_max_us|audit_entries_mean|g3_offline_ok):' "$GUEST_OUT"
}

# dkms_run KVER: scripts/dkms-test.sh, whose run must also have done its
# work (report-check), as any clean run.
dkms_run() {
	local out=$OUT/dkms.$n.out
	if ! KVER=$1 "$CS_TOP/scripts/dkms-test.sh" >"$out" 2>&1; then
		tail -n 30 "$out"
		return 1
	fi
	grep -E '^(run:|verdict:|symbols:)' "$out"
	"$CS_TOP/scripts/report-check.sh" "$out"
}

# within_of_bug LIMIT: the run's first FAIL came at most LIMIT seconds
# after the kernel said it planted its bug (bug_to_report, lib.sh).
within_of_bug() {
	local d
	d=$(bug_to_report "$GUEST_RUN_DIR/console.log")
	[ -n "$d" ] || { echo "no FAIL line after the kernel's bug line"; return 1; }
	awk -v d="$d" -v lim="$1" 'BEGIN { exit !(d <= lim) }' ||
		{ echo "the FAIL came ${d}s after the bug, not within ${1}s"; return 1; }
	echo "FAIL ${d}s after the bug (bound ${1}s)"
}

# bit_lost_control [KVER]: kernel/patches/cma-bit-lost-<KVER>.patch clears
# the bitmap bit of one page of a live cma_alloc() range now and then
# (what 6.12's hugetlb does in a hugetlb_cma= area): D4 must say so at the
# range's next check, which is when cma_alloc() returns it.
bit_lost_control() {
	local kver=${1:-6.12}
	guest "bit-lost control" prod FAIL \
		'\[harness\] .*cma_stress: FAIL d4_ownership: .*bitmap no longer marks pfn' \
		KVER="$kver" DURATION="$CONTROL_DURATION" MODARGS="stop_on_fail=1" \
		PATCHES="$CS_TOP/kernel/patches/cma-bit-lost-$kver.patch" &&
		grep -m1 'cma-bit-lost: ' "$GUEST_RUN_DIR/console.log" &&
		rule_first D4.bitmap_lost bug
}

# leftover_control KVER: kernel/patches/leftover-isolate-<KVER>.patch
# leaves a pageblock isolated when an offline fails; only D3's quiet-state
# rule sees it, at a checkpoint (checkpoint_s, 10 s) after the bug: within
# 30 s, for a checkpoint a busy guest skips or cuts short (20 s once here,
# with the host loaded).
leftover_control() {
	guest "leftover control" prod FAIL \
		'\[harness\] .*cma_stress: FAIL d3_pageblock: .*still isolated with nothing of ours in flight' \
		KVER="$1" DURATION="$CONTROL_DURATION" MODARGS="stop_on_fail=1" \
		PATCHES="$CS_TOP/kernel/patches/leftover-isolate-$1.patch" &&
		rule_first D3.quiet_isolated bug
}

# free_blocks_control: kernel/patches/free-blocks-lost-7.3.patch drops
# NR_FREE_PAGES_BLOCKS's addition when a free block leaves isolation: D2's
# 6.15+ rule, and no other, must be the first violation, within 10 s.
free_blocks_control() {
	guest "free-blocks control" prod FAIL \
		'\[harness\] .*cma_stress: FAIL d2_freelist: .*NR_FREE_PAGES_BLOCKS=' \
		KVER=7.3 DURATION="$CONTROL_DURATION" MODARGS="stop_on_fail=1" \
		PATCHES="$CS_TOP/kernel/patches/free-blocks-lost-7.3.patch" &&
		rule_first D2.nr_free_blocks
}

# ibt_refusal: Debian's stock 7.3 is built with IBT; TCG has no CET, so
# cs_core's assume_ibt=1 decides the routes as an IBT CPU would. Every
# function the harness reached by kallsyms must start with ENDBR64 in the
# image, every refused or IBT-lifted one with the seal
# (scripts/ibt-seals.sh reads the image at the addresses the guest's
# /proc/kallsyms gives; run-qemu.sh boots with nokaslr), at least one sealed function is
# refused, and the run still PASSes on what it may call.
ibt_refusal() {
	local routes kimg
	guest "IBT refusal" prod PASS '^symbols: ' KERNEL=debian KVER=7.3 \
		COREARGS=assume_ibt=1 DURATION=20 || return 1
	grep -a 'cs_core: symbols (IBT assumed' "$GUEST_RUN_DIR/console.log" ||
		{ echo "cs_core did not decide its routes for IBT"; return 1; }
	routes=$(sed -n 's/^symbols: //p' "$GUEST_OUT" | head -n 1)
	sed -n 's/^cs-guest: kallsyms: //p' "$GUEST_RUN_DIR/console.log" | tr -d '\r' >"$OUT/kallsyms"
	read -r _ kimg < <(KVER=7.3 "$CS_TOP/scripts/debian-kernel.sh") ||
		{ echo "no stock 7.3 image"; return 1; }
	"$CS_TOP/scripts/ibt-seals.sh" "$kimg" "$OUT/kallsyms" "$routes"
}

# many_cpus: a 32-vCPU guest starts every generator of the default
# scenario (G5 runs pcp_threads per CPU: no cap may refuse them) and PASSes.
many_cpus() {
	clean_run prod "" SMP=32 DURATION=20 TIMEOUT=900
}

# The kselftests, run in a guest; each of their KTAP results is reported
# here as a test of its own.
selftests_in_guest() {
	guest selftests "$1" PASS '^ok 2 selftests: cma_stress: isolate_race.sh[[:space:]]*$' JOB=selftests TIMEOUT=900
	local rc=$?
	cp "$GUEST_RUN_DIR/console.log" "$OUT/selftests.console" 2>/dev/null
	grep -Eq '^ok 1 selftests: cma_stress: cma_stress.sh[[:space:]]*$' "$OUT/selftests.console" ||
		{ echo "cma_stress.sh did not pass"; rc=1; }
	return $rc
}

# import_ktap: each kselftest's results, as tests of their own, named by
# program; a "Bail out!" is a failed test too. A failed one is followed by
# the diagnostic lines its check printed before it.
import_ktap() {
	local line prog=kselftest diag=
	[ -r "$OUT/selftests.console" ] || return 0
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"# selftests: "*) prog=${line##*: } ;;
		"  # "*) diag+="#   ${line#  # }"$'\n' ;;
		"  ok "*"# SKIP"*) n=$((n + 1)); skipped=$((skipped + 1)); diag=
			echo "ok $n - guest $prog: ${line#  ok [0-9]* }" ;;
		"  ok "*) n=$((n + 1)); passed=$((passed + 1)); diag=
			echo "ok $n - guest $prog: ${line#  ok [0-9]* }" ;;
		"  not ok "*) n=$((n + 1)); failed=$((failed + 1))
			echo "not ok $n - guest $prog: ${line#  not ok [0-9]* }"
			printf '%s' "$diag"; diag= ;;
		"  Bail out!"*) n=$((n + 1)); failed=$((failed + 1))
			echo "not ok $n - guest $prog: ${line#  }"
			printf '%s' "$diag"; diag= ;;
		esac
	done <"$OUT/selftests.console"
}

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
# on KVER TEST [ARGS...]: a test function run against kernel KVER.
on() {
	local -x KVER=$1
	shift
	"$@"
}

# export_route: with the symbols exported, the module takes them as exports
# and a run does its full work (report-check), as on the kallsyms route.
export_route() {
	guest "export route" prod PASS '^symbols: .*cma_alloc=export' DURATION=10 \
		PATCHES="$CS_TOP/kernel/patches/export-syms-6.12.patch" &&
		"$CS_TOP/scripts/report-check.sh" "$GUEST_OUT"
}
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

# ---- 6.12: the LTS kernel the harness grew up on (debug flavour here) --------
t "guest: clean 6.12 debug kernel PASSes, every listed failure return covered" clean_cov debug
t "guest: seed000 control FAILs on 6.12 debug" seed000_control debug
t "guest: isolate-pcp-stale control: D2 sees a free page on the wrong list first, within 10 s (isolate_race, 6.12 debug)" isolate_control debug
t "guest: isolate_race on Debian's stock 6.12 kernel PASSes" isolate_clean prod debian
t "dkms add/build/install against Debian's 6.12, isolate_race PASSes in its guest with its work done" \
	dkms_run 6.12

# ---- make test-long: slow reproducers and the other LTS runs ---------------
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
# lava_job EXPECT [VAR=VALUE ...]: one job through Debian's lava-run
# (scripts/lava-job.sh, what make lava runs): LAVA's verdict and the
# harness's, on the console LAVA recorded, agree and are EXPECT; LAVA has a
# test case for every detector and generator of the report. A PASS must
# also have done real work (report-check on LAVA's console); a FAIL (the
# seed 000 control) must be seed 000's own finding, which LAVA's case for
# that detector carries as its first_violation_s measurement.
lava_job() {
	local expect=$1 dir=$OUT/lava.$n out rc got c fv
	shift
	out=$dir.out
	env FLAVOUR=prod RUN_DIR="$dir" "$@" "$CS_TOP/scripts/lava-job.sh" >"$out" 2>&1
	rc=$?
	grep -E '^(lava-job|lava|harness|lava-results): ' "$out"
	case $rc in
	0) got=PASS ;;
	1) got=FAIL ;;
	3) echo "LAVA and the harness disagree"; return 1 ;;
	*) tail -n 20 "$out"; echo "scripts/lava-job.sh could not run the job (exit $rc)"; return 1 ;;
	esac
	[ "$got" = "$expect" ] || { echo "expected $expect from both, got $got"; return 1; }
	for c in $(sed -n 's/^\(d[0-9]*_[a-z0-9_]*\)_checks: .*/\1/p; s/^threads: //p' "$dir/console.log" |
		tr ' ' '\n' | sed 's/=.*//' | sort -u); do
		grep -q "^0_cma-stress $c " "$dir/lava-results.txt" ||
			{ echo "LAVA recorded no test case for $c"; return 1; }
	done
	if [ "$expect" = PASS ]; then
		"$CS_TOP/scripts/report-check.sh" "$dir/console.log"
		return
	fi
	GUEST_RUN_DIR=$dir seed000_signature "$dir/console.log" || return 1
	fv=$(sed -n 's/^first_violation: \([a-z0-9_]*\): .*/\1/p' "$dir/console.log" | head -n 1)
	grep -E "^0_cma-stress $fv fail [0-9.]+ s\$" "$dir/lava-results.txt" ||
		{ echo "LAVA's $fv case does not carry first_violation_s"; return 1; }
}
# The test definition's scripts run under busybox ash on the guest and
# under any /bin/sh on a board: POSIX sh (scripts/lava-*.sh are in
# test_shellcheck's list already).
t "lava: shellcheck -s sh of lava/*.sh" shellcheck -s sh "$CS_TOP"/lava/*.sh
tl "lava: a clean 7.3 prod job through lava-run: LAVA and the harness both PASS, a test case per detector and generator" \
	lava_job PASS KVER=7.3 DURATION="$GUEST_DURATION"
tl "lava: the seed 000 control (7.3 prod) through lava-run: LAVA and the harness both FAIL, on seed 000's finding" \
	lava_job FAIL KVER=7.3 PATCHES="$CS_TOP/kernel/patches/seed000-7.3.patch" \
	MODARGS="stop_on_fail=1" DURATION="$CONTROL_DURATION"
# repro_contig_undo KVER EXPECT [FIX]: `make repro FINDING=contig-undo-foreign-isolation`
# on one kernel (debug) says EXPECT (REPRODUCED, or NOT REPRODUCED with
# FIX=1, the kernel's contig-undo-fix patch): docs/findings/README.md.
repro_contig_undo() {
	local kv=$1 expect=$2 fix=${3:-0} out
	out=$(KVER=$kv FLAVOUR=debug FIX=$fix FINDING=contig-undo-foreign-isolation \
		"$CS_TOP/scripts/repro.sh" 2>&1) || true
	printf '%s\n' "$out"
	grep -Eq "^== contig-undo-foreign-isolation: kernel $kv debug [^ ]+: $expect\$" <<<"$out"
}
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
