#!/bin/bash
# test-console.sh: host-side test of scripts/console-verdict.sh and
# scripts/console-rules.txt on the console logs in tests/console/.
#
#  1. Each fixture EVENT.log gets the verdict, exit status and caught-rule
#     set that EVENT.expect names: one line, "PASS" or "FAIL" and then the
#     names of the rules that catch a line of it (in any order).
#  2. Each fail rule is needed: without it, at least one fixture changes
#     its verdict, its caught-rule set or its count of caught lines.
#  3. Edge cases: a log without "cs-guest: done", a benign line, a guest
#     that never powers off after "done", a crash after "done", a missing
#     or unreadable log, and the rules file's own syntax.
#
# The fixtures are real guest logs (scripts/capture-console-fixtures.sh),
# except synthetic-*.log, which say so in their first line. A .expect is
# what a person who read the log says the parser should answer, not a copy
# of what it answers: where they differ, the test fails. Output is a
# "pass:" or "FAIL:" line a check (scripts/test.sh prints the suite's TAP)
# and a closing "N passed, N failed"; exit 0 only if every check passed.
# RULES=FILE and VERDICT=SCRIPT test another rules file or parser (to try
# a fix before making it).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
verdict=${VERDICT:-$top/scripts/console-verdict.sh}
rules=${RULES:-$top/scripts/console-rules.txt}
fixtures=$top/tests/console
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -r "$rules" ] || { echo "test-console.sh: error: cannot read '$rules'" >&2; exit 2; }
[ -x "$verdict" ] || { echo "test-console.sh: error: '$verdict' is not executable" >&2; exit 2; }

results=()	# "pass|FAIL<TAB>description<TAB>diagnostics"
result() {	# result STATUS(0 = pass) DESCRIPTION [DIAGNOSTICS]
	local s=pass
	[ "$1" -eq 0 ] || s=FAIL
	results+=("$s"$'\t'"$2"$'\t'"${3:-}")
}

indent() { sed "s/^/$1/"; }

# run_verdict LOG [RULES]: run the parser; sets out and rc.
run_verdict() {
	set +e
	out=$("$verdict" "$@" 2>&1)
	rc=$?
	set -e
}

# summary LOG [RULES]: "VERDICT rc=N caught=a,b,c lines=N" from the output:
# the verdict line, the exit status, the sorted names in the "  [rule]
# line" lines (the parser prints the first ten) and the count it reports.
summary() {
	local v caught lines
	run_verdict "$@"
	v=$(printf '%s\n' "$out" | sed -n 's/^verdict: //p' | tail -n 1)
	caught=$(printf '%s\n' "$out" | sed -n 's/^  \[\([^]]*\)\] .*/\1/p' | LC_ALL=C sort -u | paste -sd, -)
	lines=$(printf '%s\n' "$out" | sed -n 's/^console: \([0-9]*\) console line(s) matched.*/\1/p')
	echo "${v:-none} rc=$rc caught=${caught:--} lines=${lines:-0}"
}

# expected EXPECT_FILE: the same form, from "VERDICT rule rule ...".
expected() {
	local v rest caught erc
	read -r v rest <"$1" || true
	# shellcheck disable=SC2086 # one rule name a word
	caught=$(printf '%s\n' $rest | sed '/^$/d' | LC_ALL=C sort -u | paste -sd, -)
	case $v in PASS) erc=0 ;; *) erc=1 ;; esac
	echo "$v rc=$erc caught=${caught:--}"
}

shopt -s nullglob
logs=("$fixtures"/*.log)
shopt -u nullglob
[ "${#logs[@]}" -gt 0 ] || { echo "test-console.sh: error: no fixtures in $fixtures" >&2; exit 2; }

# --- 1. every fixture gets its expected verdict and rules -------------------
declare -A base
for log in "${logs[@]}"; do
	name=$(basename "$log")
	exp=${log%.log}.expect
	base[$name]=$(summary "$log" "$rules")
	if [ ! -r "$exp" ]; then
		result 1 "$name: has a .expect" "# no ${exp#"$top"/}; the parser says: ${base[$name]}"
		continue
	fi
	want=$(expected "$exp")
	got=${base[$name]% lines=*}
	case $want in PASS*|FAIL*) ;; *) want="(bad .expect: '$(head -n 1 "$exp")')" ;; esac
	nlines=${base[$name]##*lines=}
	if [ "$nlines" -gt 10 ]; then
		# The parser names the rules of the first ten lines only.
		result 1 "$name: $want" "# $nlines lines caught: the caught-rule set of a fixture must come from at most 10"
	elif [ "$got" = "$want" ]; then
		result 0 "$name: $want"
	else
		run_verdict "$log" "$rules"
		result 1 "$name: $want" "# got:  $got
# want: $want
$(indent '#   ' <<<"$out")"
	fi
done

# --- 2. every fail rule is needed -------------------------------------------
fail_rules=$(awk -F '\t' '$1 == "fail" { print $2 }' "$rules")
[ -n "$fail_rules" ] || result 1 "the rules file has fail rules"
for rule in $fail_rules; do
	awk -F '\t' -v r="$rule" '!($1 == "fail" && $2 == r)' "$rules" >"$tmp/rules"
	why=
	for log in "${logs[@]}"; do
		name=$(basename "$log")
		now=$(summary "$log" "$tmp/rules")
		if [ "$now" != "${base[$name]}" ]; then
			why="# without it $name goes from '${base[$name]}' to '$now'"
			break
		fi
	done
	if [ -n "$why" ]; then
		result 0 "fail rule '$rule' is needed" "$why"
	else
		result 1 "fail rule '$rule' is needed" \
			"# no fixture changes without rule '$rule': none has a line only it catches"
	fi
done

# --- 3. edge cases -----------------------------------------------------------
# check DESCRIPTION: record the result of the last `if` condition, with the
# parser's output as diagnostics when it failed.
check() {
	if [ "$ok" = 1 ]; then
		result 0 "$1"
	else
		result 1 "$1" "# exit $rc, output:
$(indent '#   ' <<<"$out")"
	fi
}

clean=$fixtures/clean.log
if [ -r "$clean" ]; then
	# A guest that never said it was done: killed, panicked or crashed.
	sed '/cs-guest: done/,$d' "$clean" >"$tmp/no-done.log"
	run_verdict "$tmp/no-done.log" "$rules"
	ok=0
	if [ "$rc" -eq 1 ] && grep -q '^console: guest never reported' <<<"$out" &&
		grep -qx 'verdict: FAIL' <<<"$out"; then
		ok=1
	fi
	check "a log without \"cs-guest: done\" is FAIL \"guest never reported\""

	# Memory offline dumping a page it cannot move is an outcome, not a bug.
	sed 's/^.*cs-guest: done/[   12.345678] page dumped because: unmovable page\n&/' \
		"$clean" >"$tmp/benign.log"
	run_verdict "$tmp/benign.log" "$rules"
	ok=0
	if grep -q 'page dumped because: unmovable page' "$tmp/benign.log" &&
		[ "$rc" -eq 0 ] && grep -qx 'verdict: PASS' <<<"$out"; then
		ok=1
	fi
	check "a \"page dumped because: unmovable page\" line is still PASS"

	# The job finished, then the guest hung in sync or reboot: no power-off.
	grep -v 'reboot: ' "$clean" >"$tmp/no-off.log"
	run_verdict "$tmp/no-off.log" "$rules"
	ok=0
	if grep -q 'cs-guest: done rc=0' "$tmp/no-off.log" && [ "$rc" -eq 1 ] &&
		grep -q '^console: guest did not power off' <<<"$out" &&
		grep -qx 'verdict: FAIL' <<<"$out"; then
		ok=1
	fi
	check "a log that stops after \"cs-guest: done\" is FAIL \"did not power off\""

	# A crash after the job (work the module left queued) still counts.
	sed 's/^cs-guest: done rc=0\r*$/&\n[    4.100000] BUG: kernel NULL pointer dereference, address: 0000000000000000/' \
		"$clean" >"$tmp/late.log"
	run_verdict "$tmp/late.log" "$rules"
	ok=0
	if [ "$rc" -eq 1 ] && grep -q '^  \[bug\] .*NULL pointer dereference' <<<"$out" &&
		grep -qx 'verdict: FAIL' <<<"$out"; then
		ok=1
	fi
	check "a BUG line after \"cs-guest: done\" is FAIL"
else
	result 1 "a log without \"cs-guest: done\" is FAIL" "# needs tests/console/clean.log"
	result 1 "a \"page dumped because: unmovable page\" line is still PASS" \
		"# needs tests/console/clean.log"
	result 1 "a log that stops after \"cs-guest: done\" is FAIL" "# needs tests/console/clean.log"
	result 1 "a BUG line after \"cs-guest: done\" is FAIL" "# needs tests/console/clean.log"
fi

run_verdict "$tmp/no-such.log" "$rules"
ok=0
[ "$rc" -ne 2 ] || ok=1
check "a missing log exits 2"

# Unreadable: root reads a mode-000 file, so run a copy as nobody when root.
mkdir "$tmp/ro"
cp "$verdict" "$tmp/ro/console-verdict.sh"
cp "$rules" "$tmp/ro/rules"
printf 'verdict: PASS\ncs-guest: done rc=0\n' >"$tmp/ro/secret.log"
chmod 000 "$tmp/ro/secret.log"
chmod 755 "$tmp" "$tmp/ro"
chmod 644 "$tmp/ro/rules"
as=()
[ "$(id -u)" -ne 0 ] || as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
set +e
out=$("${as[@]}" sh "$tmp/ro/console-verdict.sh" "$tmp/ro/secret.log" "$tmp/ro/rules" 2>&1)
rc=$?
set -e
ok=0
[ "$rc" -ne 2 ] || ok=1
check "an unreadable log exits 2"

mkdir "$tmp/dir.log"
run_verdict "$tmp/dir.log" "$rules"
ok=0
[ "$rc" -ne 2 ] || ok=1
check "a directory given as the log exits 2"

# The rules file: TAB-separated "fail NAME ERE" or "benign NAME ERE REASON"
# lines, unique names, and the parser reads it without complaint.
bad=$(awk -F '\t' '
	/^#/ || /^[ \t]*$/ { next }
	($1 == "fail" && NF == 3) || ($1 == "benign" && NF == 4) {
		if ($2 !~ /^[a-z0-9-]+$/) print NR ": bad rule name: " $0
		else if (seen[$2]++) print NR ": duplicate rule name: " $2
		next
	}
	{ print NR ": not TAB-separated fail/benign fields: " $0 }' "$rules")
printf 'verdict: PASS\ncs-guest: done rc=0\nreboot: Restarting system\n' >"$tmp/mini.log"
run_verdict "$tmp/mini.log" "$rules"
if [ -z "$bad" ] && [ "$rc" -eq 0 ]; then
	result 0 "the rules file is well-formed"
else
	result 1 "the rules file is well-formed" "$(indent '# ' <<<"$bad")
$(indent '#   ' <<<"$out")"
fi

# --- report: a line a check (scripts/test.sh prints the suite's TAP) ----------
pass=0 fail=0
for r in "${results[@]}"; do
	status=${r%%$'\t'*}
	rest=${r#*$'\t'}
	desc=${rest%%$'\t'*}
	diag=${rest#*$'\t'}
	echo "$status: $desc"
	[ -z "$diag" ] || printf '%s\n' "$diag"
	if [ "$status" = pass ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
