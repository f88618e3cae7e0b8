#!/bin/sh
# report-check.sh OUTPUT: does the first harness report in OUTPUT (a run's
# output or console log, the lines between "==== report MODULE ====" and
# "==== end report ====") show a run that really tested something?
#
#  - every detector ran: each "dN_NAME_checks:" is above 0, and no
#    "dN_NAME_disabled:" line, except isolate_race's d5_placement (it has no
#    G6, so D5 has nothing to check there);
#  - every generator the run gave threads did work: for each gN=K with
#    K > 0 on the "threads:" line, "gN_ops:" is above 0;
#  - where cma_alloc_frozen() could be called (7.x), G1/G7 made frozen
#    requests too (g1_frozen_ok + g7_frozen_ok above 0).
#
# A PASS verdict without these means nothing: a run whose audits never ran
# (bare=1) or whose generator never got going passes as easily as a good
# one. Prints one line per finding and a summary; exit 0 only if none.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTPUT" >&2; exit 2; }
{ [ -r "$1" ] && [ ! -d "$1" ]; } || { echo "$0: error: cannot read '$1'" >&2; exit 2; }

tr -d '\r' <"$1" | sed 's/^\[ *[0-9]*\.[0-9]*\] //' | awk '
/^==== report / && !seen { inrep = 1; seen = 1; mod = $3; next }
/^==== end report/ { inrep = 0 }
!inrep { next }
/^threads: / {
	threads = 1
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[2] + 0 > 0) want[kv[1]] = kv[2]
	}
	next
}
/^g[0-9]+_ops: / { k = $1; sub(/_ops:$/, "", k); ops[k] = $2 + 0; next }
/^symbols: / { if ($0 ~ / cma_alloc_frozen=(export|kallsyms)/) frozen_calls = 1; next }
/^g[0-9]+_frozen_ok: / { frozen += $2; next }
/^d[0-9]+_[a-z0-9_]+_disabled: / {
	k = $1; sub(/_disabled:$/, "", k)
	why = $0; sub(/^[^:]*: /, "", why)
	disabled[k] = why
	next
}
/^d[0-9]+_[a-z0-9_]+_checks: / { k = $1; sub(/_checks:$/, "", k); checks[k] = $2 + 0; nd++; next }
END {
	if (!seen) { print "report-check: no \"==== report\" block"; exit 1 }
	if (!threads) { print "report-check: the report has no \"threads:\" line"; bad++ }
	if (!nd) { print "report-check: the report has no detector checks"; bad++ }
	for (k in disabled) {
		if (mod == "isolate_race" && k == "d5_placement") continue
		printf "report-check: %s is disabled: %s\n", k, disabled[k]; bad++
	}
	for (k in checks) {
		if (mod == "isolate_race" && k == "d5_placement") continue
		if (k in disabled) continue
		if (checks[k] <= 0) { printf "report-check: %s ran no check (%s_checks: %d)\n", k, k, checks[k]; bad++ }
		dl = dl " " k "=" checks[k]
	}
	for (g in want) {
		if (!(g in ops)) { printf "report-check: %s had %s thread(s) but the report has no %s_ops\n", g, want[g], g; bad++ }
		else if (ops[g] <= 0) { printf "report-check: %s had %s thread(s) and did no work (%s_ops: %d)\n", g, want[g], g, ops[g]; bad++ }
		gl = gl " " g "=" ops[g]
	}
	if (frozen_calls && (("g1" in want) || ("g7" in want)) && !frozen) {
		print "report-check: cma_alloc_frozen() was callable but G1/G7 made no frozen request (g1/g7_frozen_ok: 0)"; bad++
	}
	printf "report-check: %s: %s; checks:%s; ops:%s\n", mod, bad ? bad " finding(s)" : "every detector ran, every generator worked", dl, gl
	exit bad ? 1 : 0
}'
