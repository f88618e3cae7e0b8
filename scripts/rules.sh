#!/bin/bash
# rules.sh [--check] [RULES_C]: the rule table (core/rules.c, or RULES_C)
# as rows, one per rule: ID|NAME|DETECTOR|WHAT|PATCH|INJECTION|BOUND_S,
# with "-" for a proof the rule does not have. scripts/catches.sh prints
# them into README under their detectors.
#
# --check: fail, naming each, on a rule with no proof, a patch proof with
# no kernel/patches/<patch>-<kver>.patch, or a patch proof that no test of
# scripts/test.sh runs with the rule's name (rule_first NAME), and on an
# injection count other than the kselftests' plan (RULES_INJECT).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
rules=${1:-$CS_TOP/core/rules.c}
need_file "$rules" "the rule table"

# A row is one CS_RULE(...) call: its string, NULL, number and CS_ tokens
# in order (the strings hold no double quotes).
rows() {
	gawk 'BEGIN { FPAT = "(\"[^\"]*\")|(NULL)|([0-9]+)|(CS_[A-Z0-9_]+)" }
	function v(s) { return s == "NULL" ? "-" : (s ~ /^"/ ? substr(s, 2, length(s) - 2) : s) }
	/^\tCS_RULE\(/ { buf = ""; on = 1 }
	on { buf = buf " " $0 }
	on && /\),$/ {
		on = 0
		sub(/^[ \t]*CS_RULE\(/, "", buf)
		n = patsplit(buf, t)
		if (n != 7) { print "rules.sh: cannot read the row " t[1] > "/dev/stderr"; exit 1 }
		det = t[2]; sub(/^CS_/, "", det); sub(/_.*/, "", det)
		printf "%s|%s|%s|%s|%s|%s|%s\n", t[1], v(t[3]), det, v(t[4]), v(t[5]), v(t[6]), t[7]
	}' "$rules"
}

if [ "$check" -eq 0 ]; then
	rows
	exit 0
fi

bad=0
ninj=0
while IFS='|' read -r _ name _ _ patch inj _; do
	if [ "$patch" = - ] && [ "$inj" = - ]; then
		echo "rule $name has no proof (a patch or an injection)"
		bad=1
	fi
	[ "$inj" = - ] || ninj=$((ninj + 1))
	[ "$patch" != - ] || continue
	if ! ls "$CS_TOP/kernel/patches/$patch-"*.patch >/dev/null 2>&1; then
		echo "rule $name: no kernel/patches/$patch-<kver>.patch"
		bad=1
	fi
	if ! grep -Eq "rule_first '?([A-Za-z0-9_.]+\|)*${name//./\\.}([|' ]|\$)" "$CS_TOP/scripts/test.sh"; then
		echo "rule $name: no test in scripts/test.sh checks its patch fires it first (rule_first $name BOUND)"
		bad=1
	fi
done < <(rows)
plan=$(sed -n 's/^RULES_INJECT=//p' "$CS_TOP/selftests/cma_stress/cma_stress.sh")
if [ "$ninj" != "$plan" ]; then
	echo "the table has $ninj injections, the kselftests plan RULES_INJECT=$plan"
	bad=1
fi
[ "$(rows | wc -l)" -gt 0 ] || { echo "no rule read from $rules"; bad=1; }
exit "$bad"
