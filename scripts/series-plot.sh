#!/bin/bash
# series-plot.sh CONSOLE_LOG OUT_DIR: take the time series the guest
# printed (between "==== series" and "==== end series"), write it as
# OUT_DIR/series.csv, and plot OUT_DIR/series.png with gnuplot: CmaFree and
# MemFree with CmaTotal and MemTotal as reference lines, each zone's free
# memory, isolated pageblocks, memory offline/online events, and the first
# violation as a red line. Prints the PNG's path. Exit 0 with a message and
# no plot when the log holds no series (a guest that died early).
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
ncol=$(head -n 1 "$csv" | awk -F, '{ print NF }')
title=$(basename "$(dirname "$clog")")

{
	echo "set terminal pngcairo size 1280,900 font ',10'"
	echo "set output '$png'"
	echo "set datafile separator ','"
	echo "set key outside right top"
	echo "set grid"
	echo "set multiplot layout 3,1 title '$title'"
	[ -z "$first" ] || echo "set arrow 1 from $first, graph 0 to $first, graph 1 nohead lc rgb 'red' lw 2"
	[ -z "$first" ] || echo "set label 1 'first violation' at $first, graph 0.92 tc rgb 'red' offset 0.5,0"
	echo "set ylabel 'MiB'"
	echo "plot '$csv' using 1:(\$2/1024) every ::1 with lines lw 2 title 'CmaFree', \\"
	echo "     '' using 1:(\$3/1024) every ::1 with lines dt 2 lc rgb 'black' title 'CmaTotal'"
	echo "plot '$csv' using 1:(\$4/1024) every ::1 with lines lw 2 title 'MemFree', \\"
	more=""
	[ "$ncol" -le 10 ] || more=", \\"
	echo "     '' using 1:(\$5/1024) every ::1 with lines dt 2 lc rgb 'black' title 'MemTotal'$more"
	for c in $(seq 11 "$ncol"); do
		name=$(head -n 1 "$csv" | cut -d, -f"$c" | sed 's/_free_kb//')
		sep=", \\"
		[ "$c" -lt "$ncol" ] || sep=''
		echo "     '' using 1:(\$$c/1024) every ::1 with lines title 'free $name'$sep"
	done
	echo "set ylabel 'count'"
	echo "set xlabel 'seconds since start'"
	if [ -s "$ev" ]; then
		echo "plot '$csv' using 1:6 every ::1 with steps title 'isolated pageblocks', \\"
		echo "     '$ev' using 1:2:2 with impulses lw 2 lc variable title 'offline (1) / online (2)'"
	else
		echo "plot '$csv' using 1:6 every ::1 with steps title 'isolated pageblocks'"
	fi
	echo "unset multiplot"
} >"$out/series.gp"
gnuplot "$out/series.gp" 2>"$out/series.gp.log" ||
	die "gnuplot failed: see $out/series.gp.log"
echo "series: $png"
