#!/bin/bash
# catches.sh [TABLES_C]: print README's "What it catches" block from the
# detector table (core/tables.c, or TABLES_C), the generators' rows (the
# "const struct cs_generator" of gen/*.c) and the modules' cs_offer()
# lines (the setting of each generator's threads), so the README cannot
# drift from the code: `make test` compares the two, and
# `scripts/catches.sh --update` rewrites the block in README.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
tables=${1:-$CS_TOP/core/tables.c}
need_file "$tables" "the detector table"
gens=("$CS_TOP"/gen/*.c)
need_file "${gens[0]}" "the generators' rows"

# Each generator's setting, from the modules' cs_offer(prefix, CS_Gn, setting, ...) lines.
settings() {
	sed -n 's/^cs_offer([a-z_]*, CS_\(G[0-9]*\), \([a-z_0-9]*\),.*/\1 \2/p' "$CS_TOP"/*.c | sort -u
}

# One row per line: kind|id|seeds|what|where|inject or setting; detectors
# in table order, then generators by number.
rows() {
	gawk -v offers="$(settings)" '
	BEGIN { n = split(offers, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], kv, " "); set[kv[1]] = kv[2] } }
	function str(s) { sub(/^[^"]*"/, "", s); sub(/"[^"]*$/, "", s); return s }
	FNR == 1 { kind = "" }
	/^const struct cs_detector cs_detectors/ { kind = "D"; next }
	/^\t\[CS_D[0-9]/ && kind == "D" { id = ""; when = ""; pending = ""; delete v }
	/^const struct cs_generator cs_[a-z0-9_]+ = \{/ { kind = "G"; id = ""; pending = ""; delete v; next }
	kind == "" { next }
	pending != "" && /^\t+"/ { v[pending] = str($0); pending = ""; next }
	/\.id = "/ { s = $0; sub(/.*\.id = "/, "", s); sub(/".*/, "", s); id = s }
	/\.seeds = "/ { s = $0; sub(/.*\.seeds = "/, "", s); sub(/".*/, "", s); seeds = s }
	/\.what =$/ { pending = "what" }
	/\.inject_rule = CS_R_/ { s = $0; sub(/.*\.inject_rule = /, "", s); sub(/,.*/, "", s); v["how"] = s }
	/\.when = CS_/ { s = $0; sub(/.*\.when = CS_/, "", s); sub(/[^A-Z_].*/, "", s); when = s }
	((kind == "D" && /^\t},?$/) || (kind == "G" && /^};$/)) && id != "" {
		printf "%s|%s|%s|%s|%s|%s\n", kind, id, seeds, v["what"], \
			kind == "D" ? when : set[id], kind == "D" ? v["how"] : ""
		id = ""; delete v
		if (kind == "G") kind = ""
	}' "$tables" "${gens[@]}" | sort -t'|' -s -k1,1 -k2.2n
}

where() {
	case $1 in
	EVERY_AUDIT) echo "the auditor, every audit_ms" ;;
	EVERY_FULL) echo "the auditor, every freelist_ms" ;;
	EVERY_SECOND) echo "the auditor, every second" ;;
	IN_GENERATOR) echo "inside the generators, on what they get" ;;
	WHEN_QUIET) echo "at stop and at checkpoints, generators stopped or parked" ;;
	*) echo "$1" ;;
	esac
}

wrap() { fold -s -w 68 | sed 's/ *$//; s/^/        /'; }

block() {
	local kind id seeds what col how s rules
	rules=$("$CS_TOP/scripts/rules.sh")
	echo "  (generated from core/tables.c by scripts/catches.sh)"
	echo
	echo "  seed  caught by           stirred up by"
	for s in 000 001 002 003 004; do
		printf '  %s   %-19s %s\n' "$s" \
			"$(rows | awk -F'|' -v s="$s" '$1 == "D" && index(" " $3 " ", " " s " ") { printf "%s ", $2 }')" \
			"$(rows | awk -F'|' -v s="$s" '$1 == "G" && index(" " $3 " ", " " s " ") { printf "%s ", $2 }')"
	done | sed 's/ *$//'
	echo
	echo "Detectors (cs_detectors[]) and their rules (core/rules.c, docs/rules.md):"
	echo
	while IFS='|' read -r kind id seeds what col how; do
		[ "$kind" = D ] || continue
		echo "  $id  seeds $seeds; $(where "$col")"
		echo "$what" | wrap
		echo "rules (inject=d${id#D}: $(awk -F'|' -v r="$how" '$1 == r { print $2 }' <<<"$rules")):" \
			"$(awk -F'|' -v d="$id" '$3 == d { printf "%s ", $2 }' <<<"$rules")" | wrap
	done < <(rows)
	echo
	echo "Generators (cs_generators[]), with the setting that gives their threads:"
	echo
	while IFS='|' read -r kind id seeds what col how; do
		[ "$kind" = G ] || continue
		echo "  $id  $col; seeds $seeds"
		echo "$what" | wrap
	done < <(rows)
}

begin='  (generated from core/tables.c by scripts/catches.sh)'
end='(end of the generated block)'
if [ "$update" -eq 1 ]; then
	tmp=$(mktemp)
	gawk -v b="$begin" -v e="$end" -v f=<(block) '
		$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
		skip && index($0, e) { skip = 0; print "  " e; next }
		!skip' "$CS_TOP/README" >"$tmp"
	grep -qF "$end" "$tmp" || die "README has no generated block ending in '$end'"
	mv "$tmp" "$CS_TOP/README"
else
	block
	echo "  $end"
fi
