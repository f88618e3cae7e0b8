#!/bin/bash
# test-guest.sh: the guest tests' functions, sourced by scripts/test.sh,
# which lists and runs them. A guest test boots a kernel under QEMU (`make
# run`, minutes): guest() and clean_run() for one run and its verdict, the
# positive controls (a kernel patch under kernel/patches/ whose rule must
# fire first within its bound: rule_first), DKMS and the stock kernels,
# the kselftests (each KTAP result imported as a test), LAVA jobs and the
# reproducers of docs/findings/. A new one is a function here (or a call
# of guest() in its `t` line) and a `t` or `tl` line in test.sh.
# shellcheck disable=SC2154 # OUT, n, passed, failed, skipped: set by test.sh

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

# rule_first RULES [bug | SECONDS]: the run's first finding is one of RULES
# (a rule name of core/rules.c, or several joined by |): the report's first_rule,
# or, when the kernel the bug went on to crash never let the guest print
# the report, the module's console line "first violation at T s into the
# run: <detector>: <rule>: ..." (printed when it happens). Within the
# rule's bound (core/rules.c): from the run's start, or, with "bug", from
# the kernel's own line saying it planted its bug (bug_to_report). A
# control that is not the rule's proof gives its own bound in SECONDS.
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
	case ${2:-} in [0-9]*) bound=$2 ;; esac
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
		rule_first 'D2.wrong_type|D2.nr_free_pages' 10
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

# lava_job EXPECT [VAR=VALUE ...]: one job through Debian's lava-run
# (scripts/lava-job.sh, what make lava runs): LAVA's verdict and the
# harness's, on the console LAVA recorded, agree and are EXPECT; LAVA has a
# test case for every detector, rule and generator of the report. A PASS must
# also have done real work (report-check on LAVA's console); a FAIL (the
# seed 000 control) must be seed 000's own finding, which LAVA's case for
# that detector carries as its first_violation_s measurement.
lava_job() {
	local expect=$1 dir=$OUT/lava.$n out rc got c fv fr
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
		tr ' ' '\n' | sed 's/=.*//' | sort -u) $("$CS_TOP/scripts/rules.sh" | cut -d'|' -f2); do
		grep -q "^0_cma-stress $c " "$dir/lava-results.txt" ||
			{ echo "LAVA recorded no test case for $c"; return 1; }
	done
	if [ "$expect" = PASS ]; then
		"$CS_TOP/scripts/report-check.sh" "$dir/console.log"
		return
	fi
	GUEST_RUN_DIR=$dir seed000_signature "$dir/console.log" || return 1
	fv=$(sed -n 's/^first_violation: \([a-z0-9_]*\): .*/\1/p' "$dir/console.log" | head -n 1)
	fr=$(sed -n 's/^first_rule: //p' "$dir/console.log" | tr -d '\r' | head -n 1)
	for c in "$fv" "$fr"; do
		grep -E "^0_cma-stress ${c//./\\.} fail [0-9.]+ s\$" "$dir/lava-results.txt" ||
			{ echo "LAVA's $c case does not carry first_violation_s"; return 1; }
	done
}

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
