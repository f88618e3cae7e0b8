#!/bin/bash
# test-host.sh: the host tests' functions, sourced by scripts/test.sh,
# which lists and runs them. A host test needs no guest and takes seconds:
# the shell and C sources (shellcheck, checkpatch, W=1, sparse), the
# scripts against recorded inputs in tests/ (console parser, pictures,
# IBT seals, report check), and the generated text (README's block,
# docs/rules.md) against the tables. A new one is a test_* function here
# and a `t` line in test.sh.
# shellcheck disable=SC2154 # OUT, n, CS_TOP: set by test.sh

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
# sparse really ran on every C file (a CHECK line each). Every C file is
# compiled to its object in a prepared 6.12 tree, not linked: sparse
# cannot check 7.3 here (below), and a cold 6.12 kernel build would cost
# make test ten minutes for what only the compiler and sparse see.
test_module_warnings() {
	local kdir out want got
	kdir=$(PREPARE_ONLY=1 kernel_dir debug) || return 1
	if ! out=$(FLAVOUR=debug W=1 C=2 OBJECTS_ONLY=1 "$CS_TOP/scripts/build-modules.sh" "$kdir" 2>&1 >/dev/null); then
		printf '%s\n' "$out" | tail -n 20
		return 1
	fi
	grep -Ei 'warning|error' <<<"$out" && return 1
	want=$(c_files "$CS_TOP" | wc -l)
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


test_checkpatch() {
	local kdir
	kdir=$(PREPARE_ONLY=1 kernel_dir debug) || return 1
	# shellcheck disable=SC2046
	"$kdir/scripts/checkpatch.pl" --strict --no-tree --quiet --terse -f \
		$(c_files "$CS_TOP") "$CS_TOP"/core/*.h
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
