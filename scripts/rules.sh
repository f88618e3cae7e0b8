#!/bin/bash
# rules.sh [--check | --doc | --update] [RULES_C]: the rule table
# (core/rules.c, or RULES_C) as rows, one per rule:
# ID|NAME|DETECTOR|WHAT|PATCH|INJECTION|BOUND_S, with "-" for a proof the
# rule does not have. scripts/catches.sh lists the names in README under
# their detectors; --doc prints docs/rules.md (every rule, its check,
# bound and proofs), --update rewrites it (make test compares the two).
#
# --check: fail, naming each, on a rule with no proof, a patch proof with
# no kernel/patches/<patch>-<kver>.patch, or a patch proof that no guest
# test runs with the rule's name (rule_first NAME), and on an
# injection count other than the kselftests' plan (RULES_INJECT).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=rows
case ${1:-} in
--check | --doc | --update)
	mode=${1#--}
	shift
	;;
esac
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

doc() {
	local det='' name d what patch inj bound
	cat <<'EOF'
Rules and their proofs
======================

(generated from core/rules.c by scripts/rules.sh --update; make test
fails when they differ)

A rule is one comparison of a detector that can report a violation. Each
FAIL line and the report's first_rule name it. Its proofs: a kernel patch
(kernel/patches/<patch>-<kver>.patch, run by make test, rule_first in
scripts/test-guest.sh) that breaks the kernel the way the rule describes, or an
injection (inject=<rule>, run by the kselftests) that changes only what
the check reads or what the harness does, never the kernel's state. Each
must make its rule the run's first finding within the bound (seconds from
the start; for a patch that prints its bug, from that line).
`make rule-deletions` runs each injection on a cs_core built without its
rule: every one of them must then fail.
EOF
	while IFS='|' read -r _ name d what patch inj bound; do
		if [ "$d" != "$det" ]; then
			det=$d
			printf '\n%s\n--\n\n' "$d"
		fi
		printf -- '- %s, first within %s s: %s.\n' "$name" "$bound" "$what"
		[ "$patch" = - ] || printf '  Patch: %s.\n' "$patch"
		[ "$inj" = - ] || printf '  Injection: %s.\n' "$inj"
	done < <(rows)
}

case $mode in
rows) rows; exit 0 ;;
doc) doc; exit 0 ;;
update) doc >"$CS_TOP/docs/rules.md"; exit 0 ;;
esac

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
	if ! cat "$CS_TOP/scripts/test.sh" "$CS_TOP/scripts/test-guest.sh" |
		grep -Eq "rule_first '?([A-Za-z0-9_.]+\|)*${name//./\\.}([|' ]|\$)"; then
		echo "rule $name: no guest test checks that its patch fires it first (rule_first $name, scripts/test-guest.sh)"
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
