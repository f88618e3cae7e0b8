#!/bin/bash
# lava-results.sh LAVA_LOG OUTDIR: read one lava-run job's log (the
# records lava-run prints on stderr, one a line), and put side by side
# what LAVA concluded and what the harness concludes from the same console.
#
# Writes OUTDIR/console.log (the guest's serial console as LAVA recorded
# it: its "target" records) and OUTDIR/lava-results.txt (one test case a
# line: SUITE CASE RESULT [MEASUREMENT UNITS]), and prints:
#
#   every test case LAVA recorded
#   lava: verdict: PASS|FAIL     PASS only if the job completed (LAVA's
#                                own "job" case passed), the test
#                                definition's "verdict" case and the
#                                closing's "guest-done" case passed, and no
#                                test case of ours failed
#   harness: ...                 scripts/console-verdict.sh on console.log
#                                (its report, the failing console lines)
#   harness: verdict: PASS|FAIL
#   lava-results: agree|DISAGREE
#
# Exit 0: both PASS; 1: both FAIL; 3: they disagree; 2: the log cannot be
# read.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: $0 LAVA_LOG OUTDIR"
lava_log=$1 outdir=$2
need_file "$lava_log"
need_cmd python3 python3
mkdir -p "$outdir"

python3 - "$lava_log" "$outdir/console.log" "$outdir/lava-results.txt" <<'PY' ||
import sys
import yaml

log, console, results = sys.argv[1:]
with open(log, errors="replace") as f:
    text = f.read()
# lava-run writes one record a line, a YAML flow mapping (JSON but for
# YAML tags such as ! "626"); a line that is not one (a Python traceback
# on stderr) is skipped, not fatal.
records = []
for line in text.splitlines():
    if not line.startswith("{"):
        continue
    try:
        rec = yaml.safe_load(line)
    except yaml.YAMLError:
        continue
    if isinstance(rec, dict):
        records.append(rec)
if not records:
    sys.exit("lava-results: no lava-run records in %s" % log)
with open(console, "w") as c, open(results, "w") as r:
    for rec in records:
        lvl, msg = rec.get("lvl"), rec.get("msg")
        if lvl in ("target", "feedback") and isinstance(msg, str):
            c.write(msg + "\n")
        elif lvl == "results" and isinstance(msg, dict):
            fields = [str(msg.get("definition", "?")), str(msg.get("case", "?")),
                      str(msg.get("result", "?"))]
            if "measurement" in msg:
                fields += [str(msg["measurement"]), str(msg.get("units", ""))]
            r.write(" ".join(f.replace(" ", "_") or "-" for f in fields) + "\n")
PY
	{ echo "lava-results: cannot read the records of $lava_log"; exit 2; }

echo "lava: test cases (suite case result [measurement units]):"
sed 's/^/lava:   /' "$outdir/lava-results.txt"
lava_verdict=$(awk '
$1 == "lava" && $2 == "job" { job = $3 }
$1 != "lava" && $3 == "fail" { failed++ }
$1 ~ /_cma-stress$/ && $2 == "verdict" { verdict = $3 }
$1 ~ /_closing$/ && $2 == "guest-done" { done = $3 }
END {
	if (job != "pass") print "FAIL (the LAVA job did not complete: job " (job == "" ? "unknown" : job) ")"
	else if (verdict != "pass") print "FAIL (the test definition'"'"'s verdict: " (verdict == "" ? "none" : verdict) ")"
	else if (done != "pass") print "FAIL (the guest'"'"'s closing: " (done == "" ? "none" : done) ")"
	else if (failed) print "FAIL (" failed " failed test case(s))"
	else print "PASS"
}' "$outdir/lava-results.txt")
echo "lava: verdict: $lava_verdict"

set +e
"$CS_TOP/scripts/console-verdict.sh" "$outdir/console.log" >"$outdir/harness.txt"
hrc=$?
set -e
[ "$hrc" -le 1 ] || { cat "$outdir/harness.txt"; echo "lava-results: scripts/console-verdict.sh failed (exit $hrc)"; exit 2; }
grep -E '^(first_violation(_s)?|violations_total|console): |^  \[' "$outdir/harness.txt" | sed 's/^/harness: /' || true
harness_verdict=FAIL
[ "$hrc" -ne 0 ] || harness_verdict=PASS
echo "harness: verdict: $harness_verdict"

if [ "${lava_verdict%% *}" != "$harness_verdict" ]; then
	echo "lava-results: DISAGREE: LAVA says ${lava_verdict%% *}, the harness says $harness_verdict (console: $outdir/console.log)"
	exit 3
fi
echo "lava-results: agree: $harness_verdict"
[ "$harness_verdict" = PASS ]
