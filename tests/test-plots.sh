#!/bin/bash
# test-plots.sh [--broken] [TEST...]: host tests of the pictures. Each
# renders a picture from a recorded series (tests/series/) or bench data
# file (tests/bench/) with the scripts of PLOT_SCRIPTS (default scripts/),
# renders the same gnuplot script once more as SVG, where every text is
# a literal string and every element a shape, and fails on a missing
# element. A "pass:" or "FAIL:" line a test on stdout (scripts/test.sh
# prints the suite's TAP); exit 1 if a test failed.
#
# --broken: show that each test can fail. For each test, a copy of the
# scripts with one element taken out (the sed below) must make that test
# fail; exit 1 if one still passes.
set -uo pipefail
CS_TOP=$(cd "$(dirname "$0")/.." && pwd)
S=${PLOT_SCRIPTS:-$CS_TOP/scripts}
F=$CS_TOP/tests/series
SEED=$F/seed000-prod-6.12.log
AREAS=$F/areas-pause-7.3-debug.log
BENCH=$CS_TOP/tests/bench/recorded.dat
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# svg GP: render GP (a pngcairo script) as GP's .svg; print its texts,
# one a line, entities decoded.
svg() {
	local gp=$1 s=${1%.gp}.svg
	sed -e "1s/^set terminal pngcairo/set terminal svg/" \
		-e "s/^set output '\\(.*\\)\\.png'$/set output '\\1.svg'/" "$gp" >"$gp.svg.gp"
	gnuplot "$gp.svg.gp" 2>/dev/null || return 1
	sed 's/<[^>]*>/\n/g' "$s" | sed 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' | grep -v '^[[:space:]]*$'
}
# png FILE W H: FILE is a PNG of W x H.
png() { file "$1" | grep -q "PNG image data, $2 x $3,"; }
# has TEXTS LINE...: every LINE is one of TEXTS' lines, whole; say which is not.
has() {
	local texts=$1 l rc=0
	shift
	for l in "$@"; do
		grep -qxF -- "$l" <<<"$texts" || { echo "# missing text: $l"; rc=1; }
	done
	return "$rc"
}

# The title is the run's name, literal, even with underscores (gnuplot's
# enhanced text made x86_64 "x86" with a subscript "64"); the subtitle
# names module, kernel and verdict.
t_title() {
	local d=$T/title/20261204-0510-x86_64-7.3.4-1_bpo13+1-debug-clean-stress-cma_stress-default txt
	mkdir -p "$d" && cp "$SEED" "$d/console.log"
	"$S/series-plot.sh" "$d/console.log" "$d" >/dev/null || return 1
	png "$d/series.png" 1280 980 || return 1
	txt=$(svg "$d/series.gp") || return 1
	has "$txt" "$(basename "$d")" "cma_stress on Linux 6.12.117: FAIL" "seconds since start"
}

# The first violation: a red line through the panels, labelled once with
# its detector and the report's time.
t_violation() {
	local d=$T/viol txt
	"$S/series-plot.sh" "$SEED" "$d" >/dev/null || return 1
	txt=$(svg "$d/series.gp") || return 1
	has "$txt" "first violation: d2_freelist at 0.015 s" || return 1
	# in one panel, not five (an SVG draws a boxed text twice)
	[ "$(grep -c 'first violation' <<<"$txt")" -le 2 ] || { echo "# label in every panel"; return 1; }
	grep -q "stroke='rgb(255,   0,   0)'" "$d/series.svg" || { echo "# no red line"; return 1; }
}

# Where sampling paused without a checkpoint saying so (10 s added from
# the 50th row), the lines break: one blank line in the plotted data, and
# the x axis runs to the last row.
t_gap() {
	local d=$T/gap log=$T/gap.log
	awk -F, 'BEGIN { OFS = "," } /^==== end series/ { on = 0 }
		on && ++k > 50 { $1 += 10 } { print } /^==== series / { on = 1 }' "$SEED" >"$log"
	"$S/series-plot.sh" "$log" "$d" >/dev/null || return 1
	[ "$(grep -c '^$' "$d/series.dat")" -eq 1 ] || { echo "# no break in the lines"; return 1; }
	! grep -q '^$' "$T/viol/series.dat" 2>/dev/null || { echo "# a break without a pause"; return 1; }
	grep -q '^set xrange \[0:41.611\]' "$d/series.gp" || { echo "# x axis: to the last row and 1% more"; return 1; }
}

# Checkpoint pauses (pause_ms): one grey rectangle each, [t - pause, t],
# and a key entry.
t_pause() {
	local d=$T/pause n txt
	"$S/series-plot.sh" "$AREAS" "$d" >/dev/null || return 1
	n=$(awk -F, '/^==== end series/ { on = 0 } on && k++ && $11 > 0 { n++ } /^==== series / { on = 1 } END { print n + 0 }' "$AREAS")
	[ "$n" -gt 0 ] || { echo "# the fixture has no pause"; return 1; }
	[ "$(grep -c "^set object [0-9]* rect .*fc rgb '#c8c8c8'" "$d/series.gp")" -eq "$n" ] ||
		{ echo "# not $n pause rectangles"; return 1; }
	txt=$(svg "$d/series.gp") || return 1
	has "$txt" "checkpoint pause" || return 1
	# drawn in each of the 5 panels
	[ "$(grep -c 'rgb(200, 200, 200)' "$d/series.svg")" -ge $((5 * n)) ] ||
		{ echo "# shading not drawn"; return 1; }
}

# Several CMA areas: a panel with each area's allocated and free lines.
t_areas() {
	local d=$T/areas a txt want=()
	"$S/series-plot.sh" "$AREAS" "$d" >/dev/null || return 1
	for a in $(sed -n '/^==== series /{n;p;q}' "$AREAS" | tr ',' '\n' | sed -n 's/^cma_\(.*\)_used_kb$/\1/p'); do
		want+=("$a allocated" "$a free")
	done
	[ ${#want[@]} -ge 4 ] || { echo "# the fixture has fewer than 2 areas"; return 1; }
	txt=$(svg "$d/series.gp") || return 1
	has "$txt" "CMA areas, MiB" "${want[@]}"
}

# Offlines and onlines on an axis of their own, a row each, with counts.
t_events() {
	local d=$T/viol txt
	[ -s "$d/series.gp" ] || "$S/series-plot.sh" "$SEED" "$d" >/dev/null || return 1
	txt=$(svg "$d/series.gp") || return 1
	has "$txt" "hotplug" "offline" "online" "offline (130)" "online (96)"
}

# A FAIL run's fail.png: the seconds around the first violation, the
# counters its rule reads (D2: CmaFree and each zone's free memory; D1,
# the same log with D1 first: CmaFree, CmaTotal, MemFree, MemTotal).
t_fail() {
	local d=$T/fail d1=$T/fail-d1 txt
	"$S/series-plot.sh" "$SEED" "$d" >/dev/null || return 1
	png "$d/fail.png" 1000 620 || { echo "# no fail.png"; return 1; }
	grep -q '^set xrange \[0.000:5.015\]' "$d/fail.gp" || { echo "# window"; return 1; }
	txt=$(svg "$d/fail.gp") || return 1
	has "$txt" "seed000-prod-6.12: first violation, d2_freelist at 0.015 s" \
		"CmaFree" "free DMA32" "free Movable" "offline" "online" || return 1
	sed 's/^first_violation: d2_freelist: .*/first_violation: d1_counters: CmaFree 707772 kB > CmaTotal 260096 kB/' \
		"$SEED" >"$T/d1.log"
	"$S/fail-plot.sh" "$T/d1.log" "$d1" >/dev/null || return 1
	txt=$(svg "$d1/fail.gp") || return 1
	has "$txt" "CmaFree" "CmaTotal" "MemFree" "MemTotal" "CmaFree 707772 kB > CmaTotal 260096 kB" || return 1
	# a recorded D3 FAIL (inject=d3, three CMA areas): isolated pageblocks,
	# each area's allocated pages on the right axis
	"$S/fail-plot.sh" "$F/inject-d3-7.3-debug.log" "$T/d3rec" >/dev/null || return 1
	txt=$(svg "$T/d3rec/fail.gp") || return 1
	has "$txt" "inject-d3-7.3-debug: first violation, d3_pageblock at 0.820 s" \
		"pageblock 0x50000 in CMA area reserved is Movable" "isolated pageblocks" \
		"reserved allocated (right axis)" "numa0 allocated (right axis)" "numa1 allocated (right axis)" || return 1
	# every detector's rule has its counters, and gnuplot takes them
	for r in d3_pageblock d4_ownership d5_placement d6_quiesce d7_liveness; do
		sed "s/^first_violation: d2_freelist: /first_violation: $r: /" "$SEED" >"$T/$r.log"
		"$S/fail-plot.sh" "$T/$r.log" "$T/$r" >/dev/null || return 1
		png "$T/$r/fail.png" 1000 620 || { echo "# no fail.png for $r"; return 1; }
	done
	# a PASS run gets none
	sed '/^first_violation/d; /: FAIL/d; s/^verdict: FAIL/verdict: PASS/' "$SEED" |
		awk -F, 'BEGIN { OFS = "," } /^==== end series/ { on = 0 } on && k++ { $10 = 0 } { print } /^==== series / { on = 1 }' >"$T/pass.log"
	"$S/series-plot.sh" "$T/pass.log" "$T/pass" >/dev/null || return 1
	[ ! -e "$T/pass/fail.png" ] || { echo "# fail.png for a PASS"; return 1; }
}

# make bench's pictures from a recorded bench.dat.
t_bench() {
	local d=$T/bench txt
	"$S/bench-plot.sh" "$BENCH" "$d" >/dev/null || return 1
	if ! png "$d/detect.png" 1100 560 || ! png "$d/holds.png" 1100 380 ||
		! png "$d/cmapages.png" 900 450; then
		echo "# a PNG missing"
		return 1
	fi
	txt=$(svg "$d/detect.gp") || return 1
	has "$txt" "seed000" "isolate-pcp-stale" "leftover-isolate" "prod harness" "prod baseline" \
		"debug harness" "debug baseline" "missed 3/3" "missed 2/2" "0 s: under 1 s" \
		"time to first violation per control (arch=x86_64 smp=2 mem=2048M)" || return 1
	txt=$(svg "$d/holds.gp") || return 1
	has "$txt" "<32 us" ">=8192 us" "default,stock-7.3" "stress" || return 1
	txt=$(svg "$d/cmapages.gp") || return 1
	has "$txt" "harness: 2 G7 threads (audits on)" "2 shell loops over cma debugfs alloc/free" "841189" "531584" || return 1
	# a section bench did not run: no picture of it
	grep -v '^holds' "$BENCH" >"$T/noholds.dat"
	"$S/bench-plot.sh" "$T/noholds.dat" "$T/noholds" >/dev/null || return 1
	[ ! -e "$T/noholds/holds.png" ] && [ -e "$T/noholds/detect.png" ]
}

TESTS=(t_title t_violation t_gap t_pause t_areas t_events t_fail t_bench)
# What --broken takes out, per test: FILE|SED.
declare -A BREAK=(
	[t_title]="series-plot.sh|s/ noenhanced//"
	[t_violation]="series-plot.sh|s/^first=.*first_violation_s.*/first=/; s/^\\[ -n \"\$first\" \\] || first=.*//"
	[t_gap]="series-plot.sh|s/> 3 \\* m) print \"\"/> 3 * m) { }/"
	[t_pause]="series-plot.sh|s/^c_off=\\(.*\\) c_pause=.*/c_off=\\1 c_pause=/"
	[t_areas]="lib.sh|s/^		cma_\\*_used_kb) .*/		cma_*_used_kb) ;;/"
	[t_events]="series-plot.sh|s/^panels+=(mem iso events)/panels+=(mem iso)/"
	[t_fail]="fail-plot.sh|s/^d1_counters)/d1_nothing)/"
	[t_bench]="bench-plot.sh|s/missed \" miss\\[k\\]/lost \" miss[k]/"
)

if [ "${1:-}" = --broken ]; then
	shift
	rc=0
	for t in "${@:-${TESTS[@]}}"; do
		b=$T/broken-$t/scripts	# lib.sh finds the tree above it
		mkdir -p "${b%/scripts}"
		cp -r "$CS_TOP/scripts" "$b"
		IFS='|' read -r file expr <<<"${BREAK[$t]}"
		cp "$b/$file" "$b/$file.orig"
		sed -i "$expr" "$b/$file"
		if cmp -s "$b/$file" "$b/$file.orig"; then
			echo "FAIL: $t: the sed took nothing out of $file"
			rc=1
		elif PLOT_SCRIPTS=$b "$0" "$t" >"$b.out" 2>&1; then
			echo "FAIL: $t passes with $file broken ($expr)"
			rc=1
		else
			echo "pass: $t fails with $file broken ($expr): $(grep -m1 '^# ' "$b.out" | sed 's/^# //')"
		fi
	done
	exit "$rc"
fi

rc=0
for t in "${@:-${TESTS[@]}}"; do
	if out=$("$t" 2>&1); then
		echo "pass: $t"
	else
		echo "FAIL: $t"
		[ -z "$out" ] || awk '{ print (/^#/ ? "" : "# ") $0 }' <<<"$out"
		rc=1
	fi
done
exit "$rc"
