#!/bin/bash
# series-plot.sh CONSOLE_LOG OUT_DIR: take the time series the guest
# printed (between "==== series" and "==== end series"), write it as
# OUT_DIR/series.csv, and plot OUT_DIR/series.png with gnuplot, one panel
# above the other on one time axis:
#   CMA          CmaFree against CmaTotal (dashed)
#   CMA areas    per area (cma_<name>_used_kb columns): allocated in its
#                bitmap (solid) and free (dashed, same colour)
#   memory       MemFree against MemTotal (dashed), each zone's free memory
#   isolation    isolated pageblocks
#   hotplug      memory block offlines and onlines, a row each
# Checkpoint pauses (the pause_ms column: a checkpoint paused the run
# that long before the row) are shaded grey in every panel; where sampling
# paused otherwise (a checkpoint skipped after waiting, a series without
# pause_ms: a row more than three typical periods late) the lines break,
# so a gap reads as a gap. The first violation is a red line through every panel,
# labelled with its detector and time. The title is the run's name
# (its directory's, or the log's own name when it is not console.log),
# literal: no gnuplot markup, x86_64 stays x86_64. A run with a violation
# also gets OUT_DIR/fail.png (scripts/fail-plot.sh). Prints the PNGs'
# paths. Exit 0 with a message and no plot when the log holds no series
# (a guest that died early).
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
header=$(head -n 1 "$csv")
# col NAME: the column of NAME in the header, empty if none.
col() { awk -F, -v n="$1" '{ for (i = 1; i <= NF; i++) if ($i == n) { print i; exit } }' <<<"$header"; }
# q TEXT: TEXT as a gnuplot single-quoted string (a quote is doubled).
q() { printf "'%s'" "${1//\'/\'\'}"; }
# plot_cmd CLAUSE...: one gnuplot plot command of the clauses.
plot_cmd() {
	local c sep=plot
	for c in "$@"; do
		printf '%s %s' "$sep" "$c"
		sep=$(printf ', \\\n    ')
	done
	printf '\n'
}

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

# Rows alone between two breaks (the stop's sample after its quiet
# checks, often): a line of one point is not drawn, so they get a dot.
lone=$out/series.lone
awk 'BEGIN { RS = ""; FS = "\n" } NF == 1 { print $1 }' "$dat" >"$lone"

c_off=$(col offlines) c_on=$(col onlines) c_viol=$(col violations) c_pause=$(col pause_ms)
if [ -z "$c_off" ] || [ -z "$c_on" ] || [ -z "$c_viol" ]; then
	die "series: $clog: no offlines, onlines or violations column in '$header'"
fi
# Events from the cumulative columns, one row each: t,1 an offline, t,2
# an online.
ev=$out/series.events
awk -F, -v a="$c_off" -v b="$c_on" 'NR == 2 { po = $a; pn = $b }
	NR > 2 {
		if ($a > po) print $1 ",1"
		if ($b > pn) print $1 ",2"
		po = $a; pn = $b
	}' "$csv" >"$ev"
noff=$(awk -F, -v a="$c_off" 'END { print $a - 0 }' "$csv")
non=$(awk -F, -v a="$c_on" 'END { print $a - 0 }' "$csv")
xmax=$(awk -F, 'END { printf "%.3f", $1 * 1.01 }' "$csv")

# The first violation: the report's time and detector, else the first row
# that counts one and the first FAIL line on the console.
first=$(tr -d '\r' <"$clog" | sed -n 's/^first_violation_s: \([0-9.]*\).*/\1/p' | head -n 1)
[ -n "$first" ] || first=$(awk -F, -v v="$c_viol" 'NR > 1 && $v > 0 { print $1; exit }' "$csv")
rule=$(tr -d '\r' <"$clog" | sed -n 's/^first_violation: \(d[0-9]_[a-z0-9]*\):.*/\1/p' | head -n 1)
[ -n "$rule" ] || rule=$(tr -d '\r' <"$clog" |
	sed -n 's/^.*: FAIL\(([a-z]*)\)\{0,1\} \(d[0-9]_[a-z0-9]*\): .*$/\2/p' | head -n 1)

# The run's name, and what ran: kernel, module, verdict.
name=$(basename "$clog" .log)
[ "$name" != console ] || name=$(basename "$(cd "$(dirname "$clog")" && pwd)")
kver=$(tr -d '\r' <"$clog" | sed -n 's/^.*Linux version \([^ ]*\) .*/\1/p' | head -n 1)
module=$(tr -d '\r' <"$clog" | sed -n 's/^==== series \([a-z_]*\) ====/\1/p' | head -n 1)
verdict=$(tr -d '\r' <"$clog" | sed -n 's/^verdict: \(PASS\|FAIL\).*/\1/p' | tail -n 1)
sub="${module:-?} on Linux ${kver:-?}${verdict:+: $verdict}"

# Zone columns (<zone>_free_kb) and CMA areas (cma_<area>_used_kb).
series_columns "$header"

# Panels, top to bottom, their heights in units (hotplug: a short one).
panels=(cma)
[ ${#areas[@]} -eq 0 ] || panels+=(areas)
panels+=(mem iso events)
units=0
for p in "${panels[@]}"; do
	case $p in events) units=$((units + 2)) ;; *) units=$((units + 4)) ;; esac
done
height=$((units * 60 + 140))

# pause_ms: a shaded rectangle in every panel, [t - pause, t].
pauses=$(series_pauses "$csv" "$c_pause")

{
	echo "set terminal pngcairo size 1280,$height font ',10' noenhanced"
	echo "set output $(q "$png")"
	echo "set datafile separator ','"
	echo "set key outside right top Left reverse samplen 2"
	echo "set grid"
	echo "set style textbox opaque noborder"
	echo "set xrange [0:$xmax]"
	echo "set lmargin at screen 0.07"
	echo "set rmargin at screen 0.83"
	echo "set multiplot title $(q "$name") font ',13'"
	echo "set label 100 $(q "$sub") at screen 0.5, screen $(awk -v h="$height" 'BEGIN { printf "%.4f", 1 - 38 / h }') center font ',10'"
	i=1
	while read -r a b; do
		[ -n "$a" ] || continue
		echo "set object $i rect from $a, graph 0 to $b, graph 1 behind fc rgb '#c8c8c8' fs solid 0.6 noborder"
		i=$((i + 1))
	done <<<"$pauses"
	if [ -n "$first" ]; then
		echo "set arrow 1 from $first, graph 0 to $first, graph 1 nohead front lc rgb 'red' lw 2"
	fi
	# Each panel gets its slice of the page; only the last has x labels.
	top=$(awk -v h="$height" 'BEGIN { printf "%.4f", 1 - 60 / h }')
	bottom=$(awk -v h="$height" 'BEGIN { printf "%.4f", 50 / h }')
	left=$units
	for p in "${panels[@]}"; do
		u=4
		[ "$p" != events ] || u=2
		t=$(awk -v b="$bottom" -v T="$top" -v l="$left" -v n="$units" 'BEGIN { printf "%.4f", b + (T - b) * l / n }')
		left=$((left - u))
		bm=$(awk -v b="$bottom" -v T="$top" -v l="$left" -v n="$units" 'BEGIN { printf "%.4f", b + (T - b) * l / n + 0.006 }')
		echo "set tmargin at screen $t"
		echo "set bmargin at screen $bm"
		if [ "$p" = events ]; then
			echo "set format x '%g'"
			echo "set xlabel 'seconds since start'"
		else
			echo "set format x ''"
		fi
		cl=() dots=()
		case $p in
		cma)
			if [ -n "$first" ]; then
				echo "set label 1 $(q "first violation${rule:+: $rule} at ${first} s") at $first, graph 0.9 tc rgb 'red' offset 0.8,0 front boxed"
			fi
			echo "set ylabel 'CMA, MiB'"
			cl+=("'$dat' using 1:(\$$(col cma_free_kb)/1024) with lines lw 2 lc rgb '#1f77b4' title 'CmaFree'")
			[ ! -s "$lone" ] || dots+=("'$lone' using 1:(\$$(col cma_free_kb)/1024) with points pt 7 ps 0.6 lc rgb '#1f77b4' notitle")
			cl+=("'' using 1:(\$$(col cma_total_kb)/1024) with lines dt 2 lw 1.5 lc rgb 'black' title 'CmaTotal'")
			[ -z "$pauses" ] || cl+=("NaN with boxes fs solid 0.6 lc rgb '#c8c8c8' title 'checkpoint pause'")
			;;
		areas)
			echo "set ylabel 'CMA areas, MiB'"
			k=1
			for a in "${areas[@]}"; do
				cl+=("'$dat' using 1:(\$$(col "cma_${a}_used_kb")/1024) with lines lw 2 lc $k title $(q "$a allocated")")
				[ ! -s "$lone" ] || dots+=("'$lone' using 1:(\$$(col "cma_${a}_used_kb")/1024) with points pt 7 ps 0.6 lc $k notitle")
				cl+=("'' using 1:(\$$(col "cma_${a}_free_kb")/1024) with lines dt 2 lc $k title $(q "$a free")")
				k=$((k + 1))
			done
			;;
		mem)
			echo "set ylabel 'memory, MiB'"
			cl+=("'$dat' using 1:(\$$(col mem_free_kb)/1024) with lines lw 2 lc rgb '#1f77b4' title 'MemFree'")
			[ ! -s "$lone" ] || dots+=("'$lone' using 1:(\$$(col mem_free_kb)/1024) with points pt 7 ps 0.6 lc rgb '#1f77b4' notitle")
			cl+=("'' using 1:(\$$(col mem_total_kb)/1024) with lines dt 2 lw 1.5 lc rgb 'black' title 'MemTotal'")
			k=3
			for z in "${zones[@]}"; do
				cl+=("'' using 1:(\$$(col "${z}_free_kb")/1024) with lines lc $k title $(q "free ${z/_node/ node }")")
				k=$((k + 1))
			done
			;;
		iso)
			echo "set ylabel 'pageblocks'"
			cl+=("'$dat' using 1:$(col isolated_pageblocks) with steps lw 1.5 lc rgb '#9467bd' title 'isolated'")
			[ ! -s "$lone" ] || dots+=("'$lone' using 1:$(col isolated_pageblocks) with points pt 7 ps 0.6 lc rgb '#9467bd' notitle")
			;;
		events)
			echo "set ylabel 'hotplug'"
			echo "set yrange [0.4:2.6]"
			echo "set ytics ('offline' 1, 'online' 2)"
			echo "set grid noytics"
			if [ -s "$ev" ]; then
				cl+=("'$ev' using 1:(\$2 == 1 ? 0.65 : 1/0):(0):(0.7) with vectors nohead lw 1.5 lc rgb 'dark-orange' title $(q "offline ($noff)")")
				cl+=("'' using 1:(\$2 == 2 ? 1.65 : 1/0):(0):(0.7) with vectors nohead lw 1.5 lc rgb 'forest-green' title $(q "online ($non)")")
			else
				cl+=("NaN title 'no offline or online'")
			fi
			;;
		esac
		# the dots last: a '' file is the clause before's
		plot_cmd "${cl[@]}" "${dots[@]}"
		echo "unset label 1"
		echo "unset label 100"
	done
	echo "unset multiplot"
} >"$out/series.gp"
gnuplot "$out/series.gp" 2>"$out/series.gp.log" ||
	die "gnuplot failed: see $out/series.gp.log"
echo "series: $png"
if [ -n "$first" ]; then
	"$(dirname "$0")/fail-plot.sh" "$clog" "$out" ||
		echo "series: fail plot failed (see $out/fail.gp.log)"
fi
