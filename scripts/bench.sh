#!/bin/bash
# bench.sh (`make bench`): numbers, never assertions. Each line names the
# kernel, flavour and guest size it was measured on.
#
#  1. time to first violation on each buggy kernel of BENCH_CONTROLS, for
#     the harness (stop_on_fail=1) and for the baseline users run today
#     (cma debugfs alloc/free + sysfs offline/online + a /proc/meminfo
#     watcher): min/median/max over BENCH_RUNS runs, and how many missed;
#  2. cma_alloc+cma_release pairs per second, per G1 thread count, with
#     the harness's checks and as a bare loop of the same sizes (bare=1);
#     pages through cma_alloc() per second, two G7 threads against two
#     shell loops over the cma debugfs alloc/free files (JOB=cmaloop);
#  3. the cost of one full audit (D2 + D3), mean and per GiB of zone, the
#     longest and mean irqs-off lock hold and the free-list entries walked
#     per audit, on each guest of AUDIT_SIZES, idle and fragmented
#     (SIEVE=BENCH_SIEVE, 40: every other page of 40% of memory freed
#     before the run);
#  4. boot-to-first-operation and a warm `make run`;
#  5. stability: BENCH_REPEAT (5) runs of each module on each clean
#     kernel (and isolate_race on Debian's stock kernels), passes counted;
#  6. reliability, on the debug kernel with kmemleak on: BENCH_CYCLES (100)
#     load/unload cycles with rmmod at a random moment of a running stress
#     (JOB=cycles: leaks of our modules, blocks left offline, MemTotal,
#     CmaFree, console); BENCH_WRITES (10000) malformed or random control
#     writes per module plus three writers racing (JOB=fuzz: crashes,
#     writes refused without their one log line, the run after); and a
#     BENCH_SOAK (1800) s soak of the soak scenario per flavour.
#
# Variables: BENCH_RUNS (3), BENCH_FLAVOURS ("prod debug"),
# BENCH_DURATION (seconds per throughput run, 20), DETECT_LIMIT (60),
# BENCH_REPEAT (5) and STABLE_DURATION (30) for the stability runs,
# BENCH_CYCLES, BENCH_WRITES, BENCH_RACE_S (60), BENCH_SOAK (0 skips a
# part of section 6), BENCH_SECTIONS (default "1 2 3 4 5 6": which to run),
# SIZE (the guest of every section but 3's: default), AUDIT_SIZES and
# BENCH_SIEVE for section 3.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
"$CS_TOP/scripts/deps.sh" || exit 2

RUNS=${BENCH_RUNS:-3}
# SIZE[:SMP[:ACCEL]]: big:2 is the big guest's memory on 2 vCPUs, which
# the host's 2 cores run without descheduling one (8 vCPUs on 2 cores make
# the host's preemption part of every long hold). :1:icount counts guest
# time in instructions (1 ns each) on one vCPU: a hold the host preempts
# takes no longer, so the longest hold is the audit's own. (icount on
# several vCPUs runs them in turn, and a cross-CPU wait stalls for a
# whole turn: RCU stall warnings, so one vCPU.)
AUDIT_SIZES=${AUDIT_SIZES:-default big big:2 default:1:icount big:1:icount}
FLAVOURS=${BENCH_FLAVOURS:-prod debug}
BD=${BENCH_DURATION:-20}
LIMIT=${DETECT_LIMIT:-60}
# The guest: SIZE's file (guest/size/) unless SMP or MEM say otherwise.
size_facts
export SIZE SMP MEM
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# The pictures: bench.txt (this output), bench.dat (the figures the plots
# read, one record a line: scripts/bench-plot.sh) and the PNGs, in
# BENCH_DIR (default a new directory under $CS_CACHE/bench).
BENCH_DIR=${BENCH_DIR:-$CS_CACHE/bench/$(date +%Y%m%d-%H%M%S)-$ARCH}
mkdir -p "$BENCH_DIR"
exec > >(tee "$BENCH_DIR/bench.txt")
# bench_data FIELD...: one record of bench.dat.
bench_data() { echo "$*" >>"$BENCH_DIR/bench.dat"; }
# bench_hist OUTPUT: a run's audit_hold_hist_us counts, space separated.
bench_hist() { sed -n 's/^audit_hold_hist_us: //p' "$1" | head -n 1 | sed 's/[<>=0-9]*://g'; }
# bench_plots: the PNGs beside the text, from bench.dat.
bench_plots() {
	[ -s "$BENCH_DIR/bench.dat" ] || return 0
	"$CS_TOP/scripts/bench-plot.sh" "$BENCH_DIR/bench.dat" "$BENCH_DIR" ||
		echo "bench-plot: failed (the figures above stand)"
}
bench_data where "arch=$ARCH smp=$SMP mem=${MEM}M"

# guest_run NAME VAR=VALUE...: one run; its output and console in
# $OUT/NAME; the status of run.sh (0 only for PASS).
guest_run() {
	local name=$1
	shift
	local rc=0
	env "$@" RUN_DIR="$OUT/$name.d" "$CS_TOP/scripts/run.sh" >"$OUT/$name" 2>&1 || rc=$?
	cat "$OUT/$name.d/console.log" >>"$OUT/$name" 2>/dev/null
	return "$rc"
}

val() { sed -n "s/^$1: //p" "$2" | head -n 1 | cut -d' ' -f1; }

# min median max of numbers on stdin ("-" when there are none).
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - -"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", v[1], m, v[NR] }'
}

where() { echo "kernel=$KVER-$1 arch=$ARCH size=$SIZE smp=$SMP mem=${MEM}M"; }

# The kernels with a bug to find: name, KVER, patch ("-" for none). The
# last is no reintroduced bug at all: clean 6.1 drifts by a pageblock
# (README, "Kernels"), which only an exact audit can see.
# leftover-isolate leaves one pageblock isolated on an error path: only a
# quiet-state check sees it, so it must FAIL within checkpoint_s (10) plus
# a few seconds of the bug (the kernel logs when it leaves one).
# cma-bit-lost unmarks a page of a live cma_alloc() range (and logs it):
# D4's bitmap check must see it on the range's next check.
CONTROLS=${BENCH_CONTROLS:-"seed000-7.3:7.3:seed000-7.3.patch leftover-isolate-7.3:7.3:leftover-isolate-7.3.patch cma-bit-lost-7.3:7.3:cma-bit-lost-7.3.patch free-blocks-lost:7.3:free-blocks-lost-7.3.patch seed000:6.12:seed000-6.12.patch isolate-pcp-stale:6.12:isolate-pcp-stale-6.12.patch leftover-isolate:6.12:leftover-isolate-6.12.patch cma-bit-lost:6.12:cma-bit-lost-6.12.patch clean-6.1-drift:6.1:-"}

SECTIONS=" ${BENCH_SECTIONS:-1 2 3 4 5 6} "
want() { case $SECTIONS in *" $1 "*) return 0 ;; esac; return 1; }

for fl in $FLAVOURS; do
	want 1 || continue
	# 1. time to detect, harness versus baseline, on each buggy kernel
	for c in $CONTROLS; do
		IFS=: read -r cname ckver cpatch <<<"$c"
		p=
		[ "$cpatch" = - ] || p=$CS_TOP/kernel/patches/$cpatch
		: >"$OUT/h.times"
		: >"$OUT/h.lags"
		: >"$OUT/b.times"
		hmiss=0 bmiss=0
		for i in $(seq "$RUNS"); do
			guest_run "h$fl$i" FLAVOUR="$fl" KVER="$ckver" PATCHES="$p" \
				DURATION="$LIMIT" MODARGS="stop_on_fail=1"
			t=$(val first_violation_s "$OUT/h$fl$i")
			if [ -n "$t" ]; then echo "$t" >>"$OUT/h.times"; else hmiss=$((hmiss + 1)); fi
			bug_to_report "$OUT/h$fl$i" >>"$OUT/h.lags"
			guest_run "b$fl$i" FLAVOUR="$fl" KVER="$ckver" PATCHES="$p" \
				DURATION="$LIMIT" JOB=baseline
			t=$(sed -n 's/^baseline: detected after \([0-9]*\)s.*/\1/p' "$OUT/b$fl$i" | head -n 1)
			if [ -n "$t" ]; then echo "$t" >>"$OUT/b.times"; else bmiss=$((bmiss + 1)); fi
		done
		read -r a b c3 < <(stats <"$OUT/h.times")
		bench_data detect "$cname" "$fl" harness "$a" "$b" "$c3" "$hmiss" "$RUNS" "$LIMIT"
		echo "detect $cname harness  kernel=$ckver-$fl arch=$ARCH smp=$SMP mem=${MEM}M runs=$RUNS min=${a}s median=${b}s max=${c3}s missed=$hmiss (limit ${LIMIT}s)"
		if [ -s "$OUT/h.lags" ]; then
			read -r a b c3 < <(stats <"$OUT/h.lags")
			echo "detect $cname bug-to-report kernel=$ckver-$fl arch=$ARCH smp=$SMP mem=${MEM}M min=${a}s median=${b}s max=${c3}s (from the kernel's own line to the FAIL)"
		fi
		read -r a b c3 < <(stats <"$OUT/b.times")
		bench_data detect "$cname" "$fl" baseline "$a" "$b" "$c3" "$bmiss" "$RUNS" "$LIMIT"
		echo "detect $cname baseline kernel=$ckver-$fl arch=$ARCH smp=$SMP mem=${MEM}M runs=$RUNS min=${a}s median=${b}s max=${c3}s missed=$bmiss (limit ${LIMIT}s)"
	done
done
for fl in $FLAVOURS; do
	want 2 || want 3 || want 4 || continue
	# 2. throughput with and without the checks
	# G1 alone: every other generator's threads at 0
	none="isolate_threads=0 hotplug_threads=0 pcp_threads=0 pin_threads=0"
	none="$none gup_threads=0 plant_threads=0 hugetlb_threads=0"
	want 2 && for k in 1 2; do
		only="$none churn_threads=0 alloc_threads=$k"
		guest_run "t$fl$k" FLAVOUR="$fl" DURATION="$BD" MODARGS="$only"
		guest_run "r$fl$k" FLAVOUR="$fl" DURATION="$BD" MODARGS="$only bare=1"
		echo "throughput g1=$k $(where "$fl") harness=$(val g1_pairs_per_s "$OUT/t$fl$k") pairs/s bare=$(val g1_pairs_per_s "$OUT/r$fl$k") pairs/s (${BD}s each)"
	done
	# pages through cma_alloc() per second: two G7 fast-churn threads
	# (audits on) against two shell loops of 512-page writes to the cma
	# debugfs alloc/free files, one run after the other
	if want 2; then
		guest_run "c$fl" FLAVOUR="$fl" DURATION="$BD" MODARGS="$none alloc_threads=0 churn_threads=2"
		guest_run "l$fl" FLAVOUR="$fl" DURATION="$BD" JOB=cmaloop
		hp=$(val cma_pages_per_s "$OUT/c$fl")
		lp=$(sed -n 's/^cmaloop: .*: \([0-9]*\) pages\/s.*/\1/p' "$OUT/l$fl" | head -n 1)
		bench_data cmapages "$fl" "${hp:--}" "${lp:--}"
		echo "cma-pages $(where "$fl") harness_g7x2=$hp pages/s debugfs_loops_x2=$lp pages/s (${BD}s each)"
	fi
	# 3. audit cost and lock holds, on the default and the big guest,
	# idle (light pressure) and fragmented (SIEVE: long free lists)
	if want 3; then
		for szs in $AUDIT_SIZES; do
			IFS=: read -r sz smp acc <<<"$szs"
			# one vCPU: at most 8 threads a CPU, so fewer generators
			ma=
			[ "${smp:-0}" != 1 ] || ma="churn_threads=0 plant_threads=0 hugetlb_threads=0"
			# icount runs about 10 times slower than real time here
			to=
			[ -z "$acc" ] || to=$((BD * 40 + 600))
			for st in idle fragmented; do
				# light churn: a heavy one eats the sieve's pages
				sv=0
				[ "$st" = idle ] || sv=${BENCH_SIEVE:-40}
				n=a$fl$sz$smp$acc$st
				guest_run "$n" FLAVOUR="$fl" SIZE="$sz" SMP="$smp" MEM= \
					ACCEL="${acc:-${ACCEL:-auto}}" MODARGS="$ma" TIMEOUT="$to" \
					DURATION="$BD" PRESSURE=10 SIEVE="$sv"
				h=$(bench_hist "$OUT/$n")
				[ -z "$h" ] || bench_data holds "$sz${smp:+,smp=$smp}${acc:+,$acc},$KVER-$fl" "$st" "$h"
				echo "audit kernel=$KVER-$fl size=$sz${smp:+ smp=$smp}${acc:+ accel=$acc} $st hold_max=$(val audit_hold_max_us "$OUT/$n")us" \
					"hold_p99<$(val audit_hold_p99_us "$OUT/$n")us hold_mean=$(val audit_hold_mean_us "$OUT/$n")us per_gib=$(val audit_us_per_gib "$OUT/$n")us" \
					"full_audit_mean=$(val audit_full_us_mean "$OUT/$n")us entries_per_audit=$(val audit_entries_mean "$OUT/$n")" \
					"audits=$(val audit_full_count "$OUT/$n") verdict=$(val verdict "$OUT/$n")"
			done
		done
	fi

	# 4. boot to first operation, and a warm make run
	want 4 || continue
	guest_run "p$fl" FLAVOUR="$fl" JOB=probe
	boot=$(sed -n 's/^run: build [0-9]*s boot+run \([0-9]*\)s.*/\1/p' "$OUT/p$fl")
	first=$(grep -m1 'cma_stress: start:' "$OUT/t${fl}1" 2>/dev/null | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	echo "boot $(where "$fl") probe_boot_to_poweroff=${boot}s guest_uptime_at_first_op=${first}s"
	s=$(date +%s)
	guest_run "w$fl" FLAVOUR="$fl" DURATION=10
	echo "make-run-warm $(where "$fl") duration=10s wall=$(($(date +%s) - s))s"
done
# 5. stability: how many clean runs in a row PASS
REPEAT=${BENCH_REPEAT:-5}
want 5 || REPEAT=0
repeat() {	# label VAR=VALUE...
	local label=$1 pass=0 i
	shift
	for i in $(seq "$REPEAT"); do
		guest_run "s$i" "$@" DURATION="${STABLE_DURATION:-30}" && pass=$((pass + 1))
	done
	echo "stability $label arch=$ARCH smp=$SMP mem=${MEM}M pass=$pass/$REPEAT (${STABLE_DURATION:-30}s each)"
}
if [ "$REPEAT" -gt 0 ]; then
	for fl in $FLAVOURS; do
		repeat "cma_stress kernel=$KVER-$fl" FLAVOUR="$fl"
		repeat "isolate_race kernel=$KVER-$fl" FLAVOUR="$fl" MODULE=isolate_race
	done
	for kv in 7.3 6.12 6.1; do
		repeat "isolate_race kernel=debian-$kv" KERNEL=debian KVER="$kv" MODULE=isolate_race
	done
fi

# 6. reliability (debug kernel, kmemleak on)
CYCLES=${BENCH_CYCLES:-100}
WRITES=${BENCH_WRITES:-10000}
SOAK=${BENCH_SOAK:-1800}
want 6 || CYCLES=0 WRITES=0 SOAK=0
# console_says NAME: the console verdict and its reasons, on one line.
console_says() {
	sed -n 's/^verdict: //p' "$OUT/$1" | tail -n 1 | tr '\n' ' '
	grep -E '^console: |^  \[' "$OUT/$1" | head -n 3 | tr '\n' ' '
}
leaks() {
	local l
	l=$(sed -n 's/^cs-guest: kmemleak: \([0-9]*\) leak(s).* \([0-9]*\) other.*/ours=\1 other=\2/p' "$OUT/$1" | tail -n 1)
	echo "${l:-n/a}"
}
# did_work NAME: report-check's verdict on the run's report, without the counts.
did_work() { "$CS_TOP/scripts/report-check.sh" "$OUT/$1" | tail -n 1 | sed 's/^report-check: [a-z_]*: //; s/;.*//'; }
if [ "$CYCLES" -gt 0 ]; then
	s=$(date +%s)
	guest_run cyc FLAVOUR=debug JOB=cycles MODARGS="cycles=$CYCLES" TIMEOUT=$((CYCLES * 30 + 600))
	echo "reliability cycles kernel=$KVER-debug arch=$ARCH $(sed -n 's/^cycles: \([0-9]*\) cycles, \([0-9]*\) with something left behind/cycles=\1 left_behind=\2/p' "$OUT/cyc" | tail -n 1)" \
		"kmemleak:$(leaks cyc) $(sed -n 's/^cycles: after [0-9]*: .*CmaFree=[0-9]*kB (\(.*\)) offline_blocks=\([0-9]*\).*/cmafree(\1) offline_blocks=\2/p' "$OUT/cyc" | tail -n 1)" \
		"wall=$(($(date +%s) - s))s console=$(console_says cyc)"
fi
if [ "$WRITES" -gt 0 ]; then
	for m in cma_stress isolate_race; do
		s=$(date +%s)
		guest_run "fz$m" FLAVOUR=debug JOB=fuzz MODULE="$m" DURATION=10 \
			MODARGS="writes=$WRITES race_s=${BENCH_RACE_S:-60}" TIMEOUT=$((WRITES / 5 + 1200))
		echo "reliability fuzz module=$m kernel=$KVER-debug arch=$ARCH" \
			"$(sed -n 's/^fuzz: \([0-9]* single writes: .*\)/\1/p' "$OUT/fz$m" | tail -n 1)" \
			"| $(sed -n 's/^fuzz: \(race .*\)/\1/p' "$OUT/fz$m" | tail -n 1)" \
			"| run after: $(sed -n 's/^verdict: //p' "$OUT/fz$m" | head -n 1), $(did_work "fz$m")" \
			"| kmemleak:$(leaks "fz$m") wall=$(($(date +%s) - s))s console=$(console_says "fz$m")"
		sed -n 's/^fuzz: finding kind: /  finding: /p' "$OUT/fz$m"
	done
fi
if [ "$SOAK" -gt 0 ]; then
	for fl in $FLAVOURS; do
		s=$(date +%s)
		guest_run "soak$fl" FLAVOUR="$fl" SCENARIO=soak DURATION="$SOAK"
		echo "reliability soak kernel=$KVER-$fl arch=$ARCH duration=${SOAK}s" \
			"violations=$(val violations_total "$OUT/soak$fl") first=$(val first_violation "$OUT/soak$fl")" \
			"$(did_work "soak$fl")" \
			"kmemleak:$(leaks "soak$fl") wall=$(($(date +%s) - s))s console=$(console_says "soak$fl")"
	done
fi

for f in "$CS_CACHE"/build/*/.cs-build-seconds; do
	[ -e "$f" ] || continue
	echo "kernel-build $(basename "$(dirname "$f")") cold_or_incremental=$(cat "$f")s"
done
# 7. history (issue 21): every patch of kernel/patches/history/ (a real
#    upstream fix reverted) on the kernel it targets, BENCH_RUNS runs on
#    each flavour of BENCH_FLAVOURS: caught or missed, time to detect, the
#    rule that fired (scripts/history.sh; the latest figures are in
#    docs/history.md). Runs when BENCH_SECTIONS is unset or names 7, and
#    BENCH_HISTORY is not 0.
if [ "${BENCH_HISTORY:-1}" != 0 ] && { [ -z "${BENCH_SECTIONS:-}" ] || want 7; }; then
	HISTORY_RUNS=$RUNS HISTORY_FLAVOURS=$FLAVOURS "$CS_TOP/scripts/history.sh"
fi

bench_plots
