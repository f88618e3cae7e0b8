#!/bin/bash
# series-plot.sh CONSOLE_LOG OUT_DIR: take the time series the guest
# printed (between "==== series" and "==== end series"), write it as
# OUT_DIR/series.csv, and plot OUT_DIR/series.png with gnuplot: CmaFree and
# MemFree with CmaTotal and MemTotal as reference lines, each zone's free
# memory, isolated pageblocks, memory offline/online events on an axis of
# their own, and the first violation as a red line labelled with its
# detector. Titles are literal (no gnuplot markup: x86_64 stays x86_64).
# Where sampling paused (a sample more than three typical periods after
# the last) the lines break: a gap reads as a gap, not as data. Prints the
# PNG's path. Exit 0 with a message and no plot when the log holds no
# series (a guest that died early).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: $0 CONSOLE_LOG OUT_DIR"
clog=$1 out=$2
need_file "$clog"
need_cmd gnuplot gnuplot-nox
mkdir -p "$out"
csv=$out/series.csv
png=$out/series.png

tr -d '\r' <"$clog" | awk '/^==== end series/ { on = 0 } on { print } /^==== series / { on = 1 }' >"$csv"
if [ "$(wc -l <"$csv")" -lt 3 ]; then
	echo "series: none in $clog"
	exit 0
fi

# The plotted data: the samples, with a blank line (gnuplot's break in a
# line) before a sample that comes more than three median periods late.
dat=$out/series.dat
awk -F, 'NR > 1 { t[NR] = $1; row[NR] = $0; if (NR > 2) d[++n] = $1 - t[NR - 1] }
	END {
		m = 0
		if (n) { asort(d); m = d[int((n + 1) / 2)] }
		for (i = 2; i <= NR; i++) {
			if (i > 2 && m > 0 && t[i] - t[i - 1] > 3 * m) print ""
			print row[i]
		}
	}' "$csv" >"$dat"

# Events from the cumulative columns: offlines (8), onlines (9),
# violations (10); the first violation is one line.
ev=$out/series.events
awk -F, 'NR == 2 { po = $8; pn = $9 }
	NR > 2 {
		if ($8 > po) print $1 ",1"
		if ($9 > pn) print $1 ",2"
		po = $8; pn = $9
	}' "$csv" >"$ev"
first=$(awk -F, 'NR > 1 && $10 > 0 { print $1; exit }' "$csv")
# The first violation's detector, from its console line.
rule=$(tr -d '\r' <"$clog" | sed -n 's/^.*: FAIL\(([a-z]*)\)\{0,1\} \(d[0-9]_[a-z0-9]*\): .*$/\2/p' | head -n 1)
ncol=$(head -n 1 "$csv" | awk -F, '{ print NF }')
title=$(basename "$(dirname "$clog")")

{
	echo "set terminal pngcairo size 1280,1100 font ',10' noenhanced"
	echo "set output '$png'"
	echo "set datafile separator ','"
	echo "set key outside right top"
	echo "set grid"
	# One x axis for all four panels, whatever their keys' widths.
	echo "set lmargin at screen 0.07"
	echo "set rmargin at screen 0.83"
	echo "set multiplot layout 4,1 title '$title'"
	[ -z "$first" ] || echo "set arrow 1 from $first, graph 0 to $first, graph 1 nohead lc rgb 'red' lw 2"
	[ -z "$first" ] || echo "set label 1 'first violation${rule:+: $rule}' at $first, graph 0.92 tc rgb 'red' offset 0.5,0"
	echo "set ylabel 'MiB'"
	echo "plot '$dat' using 1:(\$2/1024) with lines lw 2 title 'CmaFree', \\"
	echo "     '' using 1:(\$3/1024) with lines dt 2 lc rgb 'black' title 'CmaTotal'"
	echo "plot '$dat' using 1:(\$4/1024) with lines lw 2 title 'MemFree', \\"
	more=""
	[ "$ncol" -le 10 ] || more=", \\"
	echo "     '' using 1:(\$5/1024) with lines dt 2 lc rgb 'black' title 'MemTotal'$more"
	for c in $(seq 11 "$ncol"); do
		name=$(head -n 1 "$csv" | cut -d, -f"$c" | sed 's/_free_kb//')
		sep=", \\"
		[ "$c" -lt "$ncol" ] || sep=''
		echo "     '' using 1:(\$$c/1024) with lines title 'free $name'$sep"
	done
	echo "set ylabel 'pageblocks'"
	echo "plot '$dat' using 1:6 with steps title 'isolated pageblocks'"
	echo "set ylabel 'events'"
	echo "set xlabel 'seconds since start'"
	echo "set yrange [0:1.2]"
	echo "set ytics ('' 0, 'event' 1)"
	if [ -s "$ev" ]; then
		echo "plot '$ev' using 1:(\$2 == 1 ? 1 : 1/0) with impulses lw 2 lc rgb 'dark-orange' title 'offline', \\"
		echo "     '$ev' using 1:(\$2 == 2 ? 1 : 1/0) with impulses lw 2 lc rgb 'forest-green' title 'online'"
	else
		echo "plot '$dat' using 1:(1/0) with impulses title 'no offline or online'"
	fi
	echo "unset multiplot"
} >"$out/series.gp"
gnuplot "$out/series.gp" 2>"$out/series.gp.log" ||
	die "gnuplot failed: see $out/series.gp.log"
echo "series: $png"
