#!/bin/bash
# bench-plot.sh BENCH_DATA OUT_DIR: plot what `make bench` measured, from
# the data file it writes beside its text (scripts/bench.sh, bench_data),
# one record a line, "-" for a figure it could not get:
#   where   KERNEL ARCH SMP MEM                     (the guest, for titles)
#   detect  CONTROL FLAVOUR TOOL MIN MEDIAN MAX MISSED RUNS LIMIT
#   holds   GUEST STATE N<32 N<64 ... N<8192 N>=8192  (audit_hold_hist_us)
#   cmapages FLAVOUR HARNESS_G7x2 DEBUGFS_LOOPSx2     (pages/s)
# and writes, for the sections whose records are there:
#   detect.png    time to first violation per control, median with min-max
#                 bars, harness and baseline for each flavour side by side,
#                 log scale, runs that missed written over their bar
#   holds.png     irqs-off lock holds by length, share of all holds, one
#                 bar per guest, a panel per state (idle, fragmented)
#   cmapages.png  pages through cma_alloc() per second: two G7 threads
#                 against two shell loops over the cma debugfs files
# Titles and labels are literal (x86_64 stays x86_64). Prints each PNG's
# path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: $0 BENCH_DATA OUT_DIR"
data=$1 out=$2
need_file "$data"
need_cmd gnuplot gnuplot-nox
mkdir -p "$out"
q() { printf "'%s'" "${1//\'/\'\'}"; }
where=$(awk '$1 == "where" { $1 = ""; sub(/^ /, ""); print; exit }' "$data")
common() {	# PNG WIDTH HEIGHT
	echo "set terminal pngcairo size $2,$3 font ',10' noenhanced"
	echo "set output $(q "$1")"
	echo "set datafile missing '-'"
	echo "set grid ytics"
	echo "set key outside right top Left reverse samplen 2"
}
run_gp() {	# NAME: render OUT_DIR/NAME.gp
	gnuplot "$out/$1.gp" 2>"$out/$1.gp.log" || die "gnuplot failed: see $out/$1.gp.log"
	echo "bench-plot: $out/$1.png"
}

# 1. time to detect: a row per control, a column triple (median min max)
# per FLAVOUR/TOOL, in the order they first appear; the missed runs as
# "missed N/RUNS" labels.
if grep -q '^detect ' "$data"; then
	awk '$1 == "detect" {
		s = $3 " " $4
		if (!(s in si)) { si[s] = ++ns; sn[ns] = s }
		if (!($2 in ci)) { ci[$2] = ++nc; cn[nc] = $2 }
		# 0 has no place on a log scale: its bar is left out, and noted
		med[$2, s] = $6; lo[$2, s] = $5; hi[$2, s] = $7
		if ($6 == "0") { med[$2, s] = "-"; zero[$2, s] = 1 }
		miss[$2, s] = $8; runs[$2, s] = $9; lim = $10
	}
	END {
		printf "control"
		for (j = 1; j <= ns; j++) printf " \"%s\" lo hi", sn[j]
		printf "\n"
		for (i = 1; i <= nc; i++) {
			printf "%s", cn[i]
			for (j = 1; j <= ns; j++) {
				k = cn[i] SUBSEP sn[j]
				printf " %s %s %s", (k in med) ? med[k] : "-", (k in lo) ? lo[k] : "-", (k in hi) ? hi[k] : "-"
			}
			printf "\n"
		}
		# notes over a bar: runs that missed, a time of 0 (the baseline
		# counts whole seconds: under one), drawn at the axis floor
		for (i = 1; i <= nc; i++) for (j = 1; j <= ns; j++) {
			k = cn[i] SUBSEP sn[j]
			if (!(k in miss)) continue
			t = ""
			if (miss[k] > 0) t = "missed " miss[k] "/" runs[k]
			if (k in zero) t = (t == "" ? "" : t ", ") "0 s: under 1 s"
			if (t != "") printf "#note %d %d %s\n", i - 1, j, t
		}
		printf "#series %d\n#limit %s\n", ns, lim
	}' "$data" >"$out/detect.tab"
	ns=$(sed -n 's/^#series //p' "$out/detect.tab")
	limit=$(sed -n 's/^#limit //p' "$out/detect.tab")
	{
		common "$out/detect.png" 1100 560
		echo "set title $(q "time to first violation per control${where:+ ($where)}")"
		echo "set ylabel 'seconds (log scale), median with min and max'"
		echo "set logscale y"
		echo "set yrange [0.005:*]"
		echo "set style data histograms"
		echo "set style histogram errorbars gap 1 lw 1.5"
		echo "set style fill solid 0.8 border -1"
		echo "set boxwidth 0.9"
		echo "set key autotitle columnheader"
		echo "set xtics nomirror"
		[ -z "$limit" ] || [ "$limit" = - ] ||
			echo "set arrow from graph 0, first $limit to graph 1, first $limit nohead dt 2 lc rgb 'gray40'"
		[ -z "$limit" ] || [ "$limit" = - ] ||
			echo "set label $(q "limit ${limit} s: a run past it missed") at graph 0.01, first $limit offset 0,0.6 tc rgb 'gray40'"
		# A cluster is ns bars of width 1/(ns + 1) (gap 1), centred on its
		# tic: bar j's centre.
		sed -n 's/^#note //p' "$out/detect.tab" | while read -r i j txt; do
			x=$(awk -v i="$i" -v j="$j" -v n="$ns" 'BEGIN { printf "%.3f", i + (j - (n + 1) / 2) / (n + 1) }')
			echo "set label $(q "$txt") at $x, graph 0.03 rotate by 90 left tc rgb 'red'"
		done
		cols=("red" "#1f77b4" "#aec7e8" "#d62728" "#ff9896" "#2ca02c" "#98df8a" "#9467bd" "#c5b0d5")
		sep=plot
		for j in $(seq "$ns"); do
			c=$((3 * j - 1))
			[ "$j" -gt 1 ] || x=":xtic(1)"
			[ "$j" -eq 1 ] || x=""
			printf "%s '%s' using %d:%d:%d%s notitle lc rgb '%s'" \
				"$sep" "$out/detect.tab" "$c" "$((c + 1))" "$((c + 2))" "$x" "${cols[j]:-gray}"
			sep=$(printf ', \\\n    ')
		done
		# the key: every series, one with no bar (all missed) too
		for j in $(seq "$ns"); do
			printf "%s keyentry with boxes title %s lc rgb '%s'" "$sep" \
				"$(q "$(head -n 1 "$out/detect.tab" | awk -v c=$((3 * j - 1)) -F'"' '{ print $(2 * ((c - 2) / 3 + 1)) }')")" "${cols[j]:-gray}"
		done
		printf '\n'
	} >"$out/detect.gp"
	run_gp detect
fi

# 3. lock holds: a row per bucket, a column per guest, for each state.
if grep -q '^holds ' "$data"; then
	states=$(awk '$1 == "holds" && !s[$3]++ { print $3 }' "$data")
	nst=$(wc -w <<<"$states")
	{
		common "$out/holds.png" 1100 $((300 * nst + 80))
		echo "set multiplot layout $nst,1 title $(q "audit lock holds (zone->lock and cma->lock, irqs off) by length${where:+ ($where)}")"
		echo "set style data histograms"
		echo "set style histogram clustered gap 1"
		echo "set style fill solid 0.85 border -1"
		echo "set logscale y"
		echo "set yrange [0.01:100]"
		echo "set ylabel 'share of holds, % (log)'"
		echo "set xtics nomirror"
		for st in $states; do
			awk -v st="$st" '$1 == "holds" && $3 == st {
				g[++n] = $2; t = 0
				for (b = 4; b <= NF; b++) t += $b
				for (b = 4; b <= NF; b++) v[n, b - 3] = t ? 100 * $b / t : "-"
				nb = NF - 3
			}
			END {
				split("<32 <64 <128 <256 <512 <1024 <2048 <4096 <8192 >=8192", lab, " ")
				printf "hold_us"
				for (i = 1; i <= n; i++) printf " \"%s\"", g[i]
				printf "\n"
				for (b = 1; b <= nb; b++) {
					printf "\"%s\"", lab[b] " us"
					for (i = 1; i <= n; i++) printf " %s", (v[i, b] == "-" || v[i, b] > 0) ? v[i, b] : "-"
					printf "\n"
				}
				printf "#guests %d\n", n
			}' "$data" >"$out/holds-$st.tab"
			ng=$(sed -n 's/^#guests //p' "$out/holds-$st.tab")
			echo "set title $(q "$st")"
			sep=plot
			for i in $(seq "$ng"); do
				x=""
				[ "$i" -gt 1 ] || x=":xtic(1)"
				printf "%s '%s' using %d%s title columnheader(%d)" "$sep" "$out/holds-$st.tab" "$((i + 1))" "$x" "$((i + 1))"
				sep=$(printf ', \\\n    ')
			done
			printf '\n'
		done
		echo "unset multiplot"
	} >"$out/holds.gp"
	run_gp holds
fi

# 2. pages/s: a row per flavour, harness against the debugfs loops.
if grep -q '^cmapages ' "$data"; then
	awk 'BEGIN { print "flavour \"harness: 2 G7 threads (audits on)\" \"2 shell loops over cma debugfs alloc/free\"" }
		$1 == "cmapages" { print $2, $3, $4 }' "$data" >"$out/cmapages.tab"
	{
		common "$out/cmapages.png" 900 450
		echo "set key outside bottom center horizontal Left reverse"
		echo "set key autotitle columnheader"
		echo "set offsets 0, 0, graph 0.1, 0"
		echo "set xlabel 'flavour'"
		echo "set title $(q "pages through cma_alloc() per second${where:+ ($where)}")"
		echo "set ylabel 'pages/s'"
		echo "set format y '%.0f'"
		echo "set yrange [0:*]"
		echo "set style data histograms"
		echo "set style histogram clustered gap 1"
		echo "set style fill solid 0.85 border -1"
		echo "plot '$out/cmapages.tab' using 2:xtic(1) title columnheader(2) lc rgb '#1f77b4', \\"
		echo "     '' using 3 title columnheader(3) lc rgb '#ff7f0e', \\"
		echo "     '' using (\$0 - 0.125):2:2 with labels offset 0,0.7 notitle, \\"
		echo "     '' using (\$0 + 0.125):3:3 with labels offset 0,0.7 notitle"
	} >"$out/cmapages.gp"
	run_gp cmapages
fi
