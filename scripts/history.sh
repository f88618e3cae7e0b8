#!/bin/bash
# history.sh: run the history corpus (issue 21). Each patch of
# kernel/patches/history/ reverts one real upstream fix; this boots the
# kernel it targets with that patch, runs cma_stress's default scenario
# with stop_on_fail=1, and says whether the harness caught the bug, when,
# and by which rule. Numbers, never assertions: the exit status is 0
# unless the script itself could not run (a missing file, a bad variable).
#
# Every corpus patch header carries two lines this script reads:
#   History-Kernel: 6.12|7.3        the kernel (KVER) it applies to
#   History-Expect: d2_freelist ... the rules that should see it (none: no
#                                   rule is expected to; console: the
#                                   console verdict rules)
# and may carry
#   History-Args: VAR=VALUE ...     extra variables for scripts/run.sh
#
# The kernel of a run is the corpus patch on top of HISTORY_BASE_<kver>
# (default: the fixes of the bugs docs/findings found in the clean trees,
# kernel/patches/contig-undo-fix-<kver>.patch), so that a FAIL is the
# reverted fix's and not a known bug of the release. A baseline row runs
# the base alone (HISTORY_BASELINE=1).
#
# Variables: HISTORY_RUNS (1), HISTORY_FLAVOURS ("prod"), HISTORY_KVERS
# ("6.12 7.3"), HISTORY_DURATION (60 s of stress a run), HISTORY_PATCHES
# (patch names or files, space separated; default every corpus patch),
# HISTORY_BASELINE (1), HISTORY_ONLY_BASELINE (1: the baseline rows
# only, no corpus patch), HISTORY_BASE_6_12 / HISTORY_BASE_7_3 (colon lists
# of patches; empty for the bare tree), HISTORY_OUT (where history.csv,
# history.md and the runs go; default $CS_CACHE/history/DATE), and those
# of scripts/run.sh (SIZE, SMP, MEM, ARCH...). HISTORY_CSV=FILE runs
# nothing and prints the table of an existing history.csv (several
# concatenated ones too: their header lines are skipped).
#
# Result of a run: caught (the run FAILed: a harness rule or a console
# rule fired), missed (it PASSed), error (no verdict: the build failed or
# the runner gave up). "rule" is the first violation's detector and rule
# (d2_freelist/D2.wrong_type ...) or, when no detector fired, the console rule
# (console:warning ...); "t_s" is seconds from the module's start to it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

HDIR=$CS_TOP/kernel/patches/history
RUNS=${HISTORY_RUNS:-1}
FLAVOURS=${HISTORY_FLAVOURS:-prod}
KVERS=${HISTORY_KVERS:-6.12 7.3}
DURATION=${HISTORY_DURATION:-60}
BASELINE=${HISTORY_BASELINE:-1}
case $RUNS in ''|*[!0-9]*|0) die "HISTORY_RUNS='$RUNS' must be a number of runs, at least 1" ;; esac
case $DURATION in ''|*[!0-9]*) die "HISTORY_DURATION='$DURATION' must be a number of seconds" ;; esac
for fl in $FLAVOURS; do
	case $fl in debug|prod) ;; *) die "HISTORY_FLAVOURS: '$fl': use debug and/or prod" ;; esac
done
[ -d "$HDIR" ] || die "missing directory '$HDIR': the history corpus"

# hdr PATCH FIELD: a History-FIELD: header line's value.
hdr() { sed -n "s/^History-$2: *//p" "$1" | head -n 1; }

# The corpus patches to run, as files.
patches=()
if [ -n "${HISTORY_PATCHES:-}" ]; then
	for p in $HISTORY_PATCHES; do
		case $p in
		*/*) f=$p ;;
		*) f=$HDIR/${p%.patch}.patch ;;
		esac
		need_file "$f" "HISTORY_PATCHES names a patch that is not there"
		patches+=("$f")
	done
else
	for f in "$HDIR"/*.patch; do
		[ -e "$f" ] && patches+=("$f")
	done
fi
if [ "${HISTORY_ONLY_BASELINE:-0}" = 1 ]; then
	patches=()
	BASELINE=1
else
	[ "${#patches[@]}" -gt 0 ] || die "no corpus patch in '$HDIR'"
fi
for f in "${patches[@]+"${patches[@]}"}"; do
	[ -n "$(hdr "$f" Kernel)" ] || die "'$f' has no 'History-Kernel:' line"
	[ -n "$(hdr "$f" Expect)" ] || die "'$f' has no 'History-Expect:' line"
done

# base KVER: the patches every run of that kernel carries.
base() {
	local v=HISTORY_BASE_${1//./_} def=$CS_TOP/kernel/patches/contig-undo-fix-$1.patch p
	if [ -n "${!v+set}" ]; then
		p=${!v}
	elif [ -e "$def" ]; then
		p=$def
	else
		p=
	fi
	local IFS=:
	for f in $p; do need_file "$f" "$v names it"; done
	printf '%s' "$p"
}

# table CSV: the markdown table of a history.csv, one row per patch,
# kernel and flavour.
table() {
	awk -F, '
	$1 == "date" { next }
	{
		key = $4 SUBSEP $2 SUBSEP $3
		if (!(key in n)) { order[++nk] = key; up[key] = $5; ex[key] = $10; day = $1 }
		n[key]++
		if ($7 == "caught") { c[key]++; if ($9 != "-") ts[key] = ts[key] (ts[key] == "" ? "" : " ") $9
			if (index(rules[key], $8) == 0) rules[key] = rules[key] (rules[key] == "" ? "" : " ") $8 }
		if ($7 == "error") e[key]++
	}
	END {
		printf "History corpus, run %s (UTC); caught = the run FAILed.\n\n", day
		print "| patch | kernel | flavour | upstream | caught | t (s) | rule that fired | expected |"
		print "|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, f, SUBSEP)
			printf "| %s | %s | %s | %s | %d/%d%s | %s | %s | %s |\n", f[1], f[2], f[3], up[k],
				c[k], n[k], e[k] ? " (" e[k] " error)" : "", ts[k] == "" ? "-" : ts[k],
				rules[k] == "" ? "-" : rules[k], ex[k]
			if (f[1] != "baseline") {
				tot[f[3]]++
				if (c[k] > 0) got[f[3]]++
			}
		}
		print ""
		for (fl in tot)
			printf "caught fraction, %s: %d/%d patches caught at least once\n", fl, got[fl], tot[fl]
	}' "$1"
}

if [ -n "${HISTORY_CSV:-}" ]; then
	need_file "$HISTORY_CSV" "HISTORY_CSV names it"
	table "$HISTORY_CSV"
	exit 0
fi

OUTD=${HISTORY_OUT:-$CS_CACHE/history/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUTD" || die "cannot create '$OUTD'"
CSV=$OUTD/history.csv
MD=$OUTD/history.md
echo "date,kernel,flavour,patch,upstream,run,result,rule,t_s,expected,expected_hit,wall_s,run_dir" >"$CSV"

# verdict OUT RUN_DIR: "result rule t_s" of one finished run (rc in $rc).
verdict() {
	local out=$1 dir=$2 fv t line start ts rule
	if [ "$rc" -eq 0 ]; then
		echo "missed - -"
		return
	fi
	if [ "$rc" -ne 1 ]; then
		echo "error - -"
		return
	fi
	fv=$(sed -n 's/^first_violation: //p' "$out" | head -n 1)
	t=$(sed -n 's/^first_violation_s: //p' "$out" | head -n 1)
	if [ -z "$fv" ] && [ -r "$dir/console.log" ]; then
		# No report (the guest died): the module's own console line.
		line=$(sed -n 's/^.*: first violation at \([0-9.]*\) s into the run: /\1 /p' \
			"$dir/console.log" | tr -d '\r' | head -n 1)
		t=${line%% *}
		fv=${line#* }
	fi
	if [ -n "$fv" ]; then
		# "d2_freelist: D2.wrong_type: ...": the detector, then its rule.
		rule=${fv#*: }
		rule=${rule%%:*}
		[[ $rule =~ ^D[0-9]+\.[a-z0-9_]+$ ]] || rule=
		echo "caught ${fv%%:*}${rule:+/$rule} ${t:--}"
		return
	fi
	# No detector fired: the first console rule that did, timed from
	# the module's start line (printk timestamps).
	rule=$(sed -n 's/^  \[\([a-z-]*\)\] .*/\1/p' "$out" | grep -v '^harness$' | head -n 1)
	line=$(sed -n "s/^  \[${rule:-none}\] //p" "$out" | head -n 1)
	ts=$(sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p' <<<"$line")
	start=$(grep -a -m1 -E '(cma_stress|isolate_race): start: ' "$dir/console.log" 2>/dev/null |
		sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p')
	t=-
	if [ -n "$ts" ] && [ -n "$start" ]; then
		t=$(awk -v a="$ts" -v b="$start" 'BEGIN { printf "%.1f", a - b }')
	fi
	echo "caught console:${rule:-unknown} $t"
}

# one NAME KVER FLAVOUR PATCHFILE|- RUN: one guest run, one CSV line.
one() {
	local name=$1 k=$2 fl=$3 pf=$4 i=$5 b dir out s args=() res rule t exp up hit
	b=$(base "$k") || exit 2
	dir=$OUTD/runs/$name-$k-$fl-$i
	out=$dir.out
	mkdir -p "$dir"
	local pl=$b
	exp=none up=-
	if [ "$pf" != - ]; then
		pl=${b:+$b:}$pf
		exp=$(hdr "$pf" Expect)
		up=$(sed -n 's/^  *\([0-9a-f]\{12\}\) ("\(.*\)/\1/p' "$pf" | head -n 1)
		read -r -a args <<<"$(hdr "$pf" Args)"
	fi
	s=$(date +%s)
	log "$name $k $fl run $i: PATCHES=${pl:-none}"
	env KVER="$k" FLAVOUR="$fl" PATCHES="$pl" DURATION="$DURATION" \
		MODARGS="stop_on_fail=1" RUN_DIR="$dir" "${args[@]}" \
		"$CS_TOP/scripts/run.sh" >"$out" 2>&1
	rc=$?
	read -r res rule t < <(verdict "$out" "$dir")
	hit=no
	case " $exp " in
	*" ${rule%%[:/]*} "*) hit=yes ;;
	esac
	[ "$res" = caught ] || hit=-
	echo "$(date -u +%F),$k,$fl,$name,$up,$i,$res,$rule,$t,${exp// /+},$hit,$(($(date +%s) - s)),$dir" >>"$CSV"
	log "$name $k $fl run $i: $res rule=$rule t=${t}s (expected: $exp)"
}

for fl in $FLAVOURS; do
	for k in $KVERS; do
		if [ "$BASELINE" = 1 ]; then
			for i in $(seq "$RUNS"); do one baseline "$k" "$fl" - "$i"; done
		fi
		for f in "${patches[@]+"${patches[@]}"}"; do
			[ "$(hdr "$f" Kernel)" = "$k" ] || continue
			n=$(basename "$f" .patch)
			for i in $(seq "$RUNS"); do one "${n%-"$k"}" "$k" "$fl" "$f" "$i"; done
		done
	done
done

table "$CSV" >"$MD"
cat "$MD"
echo "history: $CSV"
