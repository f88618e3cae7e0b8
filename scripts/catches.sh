#!/bin/bash
# catches.sh [TABLES_C]: print README's "What it catches" block from the
# generator and detector tables in core/tables.c, so the README cannot
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
need_file "$tables" "the generator and detector tables"

# One row per line: kind|id|seeds|what|where|inject or setting.
rows() {
	gawk '
	function str(s) { sub(/^[^"]*"/, "", s); sub(/"[^"]*$/, "", s); return s }
	/^const struct cs_generator/ { kind = "G" }
	/^const struct cs_detector/ { kind = "D" }
	/^\t\[CS_[DG][0-9]/ { id = ""; seeds = ""; what = ""; when = ""; how = ""; set = ""; pending = "" }
	pending != "" && /^\t\t\t"/ { v[pending] = str($0); pending = ""; next }
	/\.id = "/ { s = $0; sub(/.*\.id = "/, "", s); sub(/".*/, "", s); id = s }
	/\.seeds = "/ { s = $0; sub(/.*\.seeds = "/, "", s); sub(/".*/, "", s); seeds = s }
	/\.what =$/ { pending = "what" }
	/\.inject_how =$/ { pending = "how" }
	/\.when = CS_/ { s = $0; sub(/.*\.when = CS_/, "", s); sub(/[^A-Z_].*/, "", s); when = s }
	/\.setting = "/ { s = $0; sub(/.*\.setting = "/, "", s); sub(/".*/, "", s); set = s }
	/^\t},?$/ && id != "" {
		printf "%s|%s|%s|%s|%s|%s\n", kind, id, seeds, v["what"], \
			kind == "D" ? when : set, kind == "D" ? v["how"] : ""
		id = ""; delete v
	}' "$tables"
}

where() {
	case $1 in
	EVERY_AUDIT) echo "the auditor, every audit_ms" ;;
	EVERY_FULL) echo "the auditor, every freelist_ms" ;;
	EVERY_SECOND) echo "the auditor, every second" ;;
	IN_GENERATOR) echo "inside the generators, on what they get" ;;
	AT_STOP) echo "at stop, with every thread stopped" ;;
	*) echo "$1" ;;
	esac
}

wrap() { fold -s -w 68 | sed 's/ *$//; s/^/        /'; }

block() {
	local kind id seeds what col how s
	echo "  (generated from core/tables.c by scripts/catches.sh)"
	echo
	echo "  seed  caught by           stirred up by"
	for s in 000 001 002 003 004; do
		printf '  %s   %-19s %s\n' "$s" \
			"$(rows | awk -F'|' -v s="$s" '$1 == "D" && index(" " $3 " ", " " s " ") { printf "%s ", $2 }')" \
			"$(rows | awk -F'|' -v s="$s" '$1 == "G" && index(" " $3 " ", " " s " ") { printf "%s ", $2 }')"
	done | sed 's/ *$//'
	echo
	echo "Detectors (cs_detectors[]), with how inject=dN proves each fires:"
	echo
	while IFS='|' read -r kind id seeds what col how; do
		[ "$kind" = D ] || continue
		echo "  $id  seeds $seeds; $(where "$col")"
		echo "$what" | wrap
		echo "inject=d${id#D}: $how" | wrap
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
