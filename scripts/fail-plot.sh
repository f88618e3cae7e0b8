#!/bin/bash
# fail-plot.sh CONSOLE_LOG OUT_DIR: for a run with a violation, plot
# OUT_DIR/fail.png, the few seconds around the first one (FAIL_WINDOW, 5,
# either side): the series' counters that the violated rule reads, every
# sample a point, the violation a red line labelled with its detector and
# time, its message under the title, and the memory block offlines and
# onlines of those seconds below. Checkpoint pauses are shaded as in
# series.png. What each detector reads (README, "Detectors"):
#   d1_counters   CmaFree, CmaTotal, MemFree, MemTotal
#   d2_freelist   each zone's free memory and CmaFree (the lists' counters)
#   d3_pageblock  isolated pageblocks, the CMA areas' allocated pages
#   d4_ownership  the CMA areas' allocated pages, operations
#   d5_placement  CmaFree, each zone's free memory
#   d6_quiesce    MemTotal, isolated pageblocks, the CMA areas' allocated
#   d7_liveness   operations, checkpoint pauses
# Prints the PNG's path; exit 0 with a message and no plot when the log
# has no series or no violation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: $0 CONSOLE_LOG OUT_DIR"
clog=$1 out=$2
need_file "$clog"
need_cmd gnuplot gnuplot-nox
mkdir -p "$out"
win=${FAIL_WINDOW:-5}
csv=$out/fail.csv
png=$out/fail.png
log=$(tr -d '\r' <"$clog")

awk '/^==== end series/ { on = 0 } on { print } /^==== series / { on = 1 }' <<<"$log" >"$csv"
if [ "$(wc -l <"$csv")" -lt 3 ]; then
	echo "fail: no series in $clog"
	exit 0
fi
header=$(head -n 1 "$csv")
col() { awk -F, -v n="$1" '{ for (i = 1; i <= NF; i++) if ($i == n) { print i; exit } }' <<<"$header"; }
q() { printf "'%s'" "${1//\'/\'\'}"; }

# The first violation: the report's lines, else the console's first FAIL.
first=$(sed -n 's/^first_violation_s: \([0-9.]*\).*/\1/p' <<<"$log" | head -n 1)
msg=$(sed -n 's/^first_violation: \(d[0-9]_[a-z0-9]*: .*\)/\1/p' <<<"$log" | head -n 1)
[ -n "$msg" ] || msg=$(sed -n 's/^.*: FAIL\(([a-z]*)\)\{0,1\} \(d[0-9]_[a-z0-9]*: .*\)$/\2/p' <<<"$log" | head -n 1)
[ -n "$first" ] || first=$(awk -F, -v v="$(col violations)" 'NR > 1 && $v > 0 { print $1; exit }' "$csv")
if [ -z "$first" ] || [ -z "$msg" ]; then
	echo "fail: no violation in $clog"
	exit 0
fi
rule=${msg%%:*}
msg=${msg#*: }
[ ${#msg} -le 110 ] || msg="${msg:0:107}..."
name=$(basename "$clog" .log)
[ "$name" != console ] || name=$(basename "$(cd "$(dirname "$clog")" && pwd)")
lo=$(awk -v t="$first" -v w="$win" 'BEGIN { printf "%.3f", (t > w) ? t - w : 0 }')
hi=$(awk -v t="$first" -v w="$win" 'BEGIN { printf "%.3f", t + w }')

series_columns "$header"

# The rule's counters: clauses on y1 (unit y1) and y2 (unit y2).
# mib|num COLUMN STYLE TITLE [y2]: a clause, in MiB or as it is.
mib() { echo "'$csv' using 1:(\$$(col "$1")/1024) ${4:+axes x1y2 }with linespoints pt 7 ps 0.5 lw 2 $2 title $(q "$3")"; }
num() { echo "'$csv' using 1:$(col "$1") ${4:+axes x1y2 }with linespoints pt 7 ps 0.5 lw 2 $2 title $(q "$3")"; }
cl=() y1='' y2=''
area_lines() {	# [y2]: on the right axis
	local a k=1
	for a in "${areas[@]}"; do
		cl+=("$(mib "cma_${a}_used_kb" "lc $k" "$a allocated${1:+ (right axis)}" "$1")")
		k=$((k + 1))
	done
}
zone_lines() {
	local z k=3
	for z in "${zones[@]}"; do
		cl+=("$(mib "${z}_free_kb" "lc $k" "free ${z/_node/ node }")")
		k=$((k + 1))
	done
}
case $rule in
d1_counters)
	y1=MiB
	cl+=("$(mib cma_free_kb "lc rgb '#1f77b4'" CmaFree)" "$(mib cma_total_kb "dt 2 lc rgb '#1f77b4'" CmaTotal)")
	cl+=("$(mib mem_free_kb "lc rgb '#d62728'" MemFree)" "$(mib mem_total_kb "dt 2 lc rgb '#d62728'" MemTotal)")
	;;
d2_freelist | d5_placement)
	y1=MiB
	cl+=("$(mib cma_free_kb "lc rgb '#1f77b4'" CmaFree)")
	zone_lines
	;;
d3_pageblock)
	y1=pageblocks
	cl+=("$(num isolated_pageblocks "lc rgb '#9467bd'" "isolated pageblocks")")
	if [ ${#areas[@]} -gt 0 ]; then
		y2=MiB
		area_lines y2
	fi
	;;
d4_ownership)
	if [ ${#areas[@]} -gt 0 ]; then
		y1=MiB
		area_lines
	else
		y1=MiB
		cl+=("$(mib cma_free_kb "lc rgb '#1f77b4'" CmaFree)")
	fi
	y2=operations
	cl+=("$(num allocs "dt 3 lc rgb 'black'" "operations (right axis)" y2)")
	;;
d6_quiesce)
	y1=pageblocks
	cl+=("$(num isolated_pageblocks "lc rgb '#9467bd'" "isolated pageblocks")")
	y2=MiB
	cl+=("$(mib mem_total_kb "dt 2 lc rgb 'black'" "MemTotal (right axis)" y2)")
	area_lines y2
	;;
*)
	y1=operations
	cl+=("$(num allocs "lc rgb 'black'" operations)")
	if [ -n "$(col pause_ms)" ]; then
		y2=ms
		cl+=("'$csv' using 1:$(col pause_ms) axes x1y2 with impulses lw 4 lc rgb 'gray' title 'checkpoint pause (right axis)'")
	fi
	;;
esac
[ ${#cl[@]} -gt 0 ] || die "fail: no counters for $rule in '$header'"

ev=$out/fail.events
awk -F, -v a="$(col offlines)" -v b="$(col onlines)" 'NR == 2 { po = $a; pn = $b }
	NR > 2 {
		if ($a > po) print $1 ",1"
		if ($b > pn) print $1 ",2"
		po = $a; pn = $b
	}' "$csv" >"$ev"
pauses=$(series_pauses "$csv" "$(col pause_ms)")

{
	echo "set terminal pngcairo size 1000,620 font ',10' noenhanced"
	echo "set output $(q "$png")"
	echo "set datafile separator ','"
	echo "set key outside right top Left reverse samplen 2"
	echo "set grid"
	echo "set xrange [$lo:$hi]"
	echo "set lmargin at screen 0.09"
	echo "set rmargin at screen 0.70"
	echo "set multiplot title $(q "$name: first violation, $rule at $first s") font ',12'"
	echo "set label 100 $(q "$msg") at screen 0.5, screen 0.905 center"
	i=1
	while read -r a b; do
		[ -n "$a" ] || continue
		echo "set object $i rect from $a, graph 0 to $b, graph 1 behind fc rgb '#c8c8c8' fs solid 0.6 noborder"
		i=$((i + 1))
	done <<<"$pauses"
	[ -z "$pauses" ] || cl+=("NaN with boxes fs solid 0.6 lc rgb '#c8c8c8' title 'checkpoint pause'")
	echo "set arrow 1 from $first, graph 0 to $first, graph 1 nohead front lc rgb 'red' lw 2"
	echo "set label 1 $(q "$rule") at $first, graph 0.92 tc rgb 'red' offset 0.6,0 front"
	echo "set tmargin at screen 0.87"
	echo "set bmargin at screen 0.33"
	echo "set format x ''"
	echo "set ylabel $(q "$y1")"
	if [ -n "$y2" ]; then
		echo "set y2label $(q "$y2")"
		echo "set y2tics"
		echo "set ytics nomirror"
	fi
	sep=plot
	for c in "${cl[@]}"; do
		printf '%s %s' "$sep" "$c"
		sep=$(printf ', \\\n    ')
	done
	printf '\n'
	echo "unset label 1"
	echo "unset label 100"
	echo "unset y2label"
	echo "unset y2tics"
	echo "set ytics mirror"
	echo "set tmargin at screen 0.31"
	echo "set bmargin at screen 0.10"
	echo "set format x '%g'"
	echo "set xlabel 'seconds since start'"
	echo "set ylabel 'hotplug'"
	echo "set yrange [0.4:2.6]"
	echo "set ytics ('offline' 1, 'online' 2)"
	echo "set grid noytics"
	if [ -s "$ev" ]; then
		echo "plot '$ev' using 1:(\$2 == 1 ? 0.65 : 1/0):(0):(0.7) with vectors nohead lw 2 lc rgb 'dark-orange' title 'offline', \\"
		echo "     '' using 1:(\$2 == 2 ? 1.65 : 1/0):(0):(0.7) with vectors nohead lw 2 lc rgb 'forest-green' title 'online'"
	else
		echo "plot NaN title 'no offline or online'"
	fi
	echo "unset multiplot"
} >"$out/fail.gp"
gnuplot "$out/fail.gp" 2>"$out/fail.gp.log" ||
	die "gnuplot failed: see $out/fail.gp.log"
echo "fail: $png"
