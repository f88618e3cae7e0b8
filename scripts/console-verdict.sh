#!/bin/sh
# console-verdict.sh CONSOLE_LOG [RULES]
#
# Turn a guest console log into a verdict. Prints the harness report (the
# lines between "==== report" and "==== end report"), then every failing
# line (first ten) with the rule that caught it, then "verdict: PASS" or
# "verdict: FAIL". Exit 0 only for PASS.
#
# PASS needs all of: the guest printed "cs-guest: done rc=0" and then
# powered off (the kernel's "reboot: Restarting system" or "reboot: Power
# down" after it: a guest that hangs in sync or reboot never prints it), no
# line of the whole log matched a fail rule of scripts/console-rules.txt
# (benign rules first; a late oops after the job counts as much as one
# during it), and the job printed at least one "verdict: PASS" of its own.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 CONSOLE_LOG [RULES]" >&2; exit 2; }
log=$1
rules=${2:-$(dirname "$0")/console-rules.txt}
{ [ -r "$log" ] && [ ! -d "$log" ]; } || { echo "$0: error: cannot read console log '$log'" >&2; exit 2; }
[ -r "$rules" ] || { echo "$0: error: cannot read rules '$rules'" >&2; exit 2; }

awk -F '\t' -v rules="$rules" '
BEGIN {
	while ((getline r < rules) > 0) {
		if (r ~ /^#/ || r ~ /^[ \t]*$/)
			continue
		n = split(r, f, "\t")
		if (f[1] == "fail" && n >= 3) { nf++; fname[nf] = f[2]; fre[nf] = f[3] }
		else if (f[1] == "benign" && n >= 4) { nb++; bre[nb] = f[3] }
		else { printf "console-verdict: bad rule line: %s\n", r > "/dev/stderr"; bad = 1 }
	}
	if (!nf) { print "console-verdict: no fail rules read" > "/dev/stderr"; bad = 1 }
	FS = "\n"
}
{
	line = $0
	sub(/\r$/, "", line)
	# Strip the printk timestamp so rules can anchor at the message start.
	msg = line
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", msg)
	if (!done) {
		if (msg ~ /^==== report /) inrep = 1
		if (inrep) report[++nrep] = msg
		if (msg ~ /^==== end report/) inrep = 0
		if (msg ~ /^cs-guest: done rc=/) {
			done = 1
			rc = msg; sub(/^cs-guest: done rc=/, "", rc)
			next
		}
		if (msg ~ /^verdict: PASS/) jobpass++
	} else if (msg ~ /^reboot: (Restarting system|Power down)/) {
		off = 1
	}
	for (i = 1; i <= nb; i++)
		if (msg ~ bre[i])
			next
	for (i = 1; i <= nf; i++)
		if (msg ~ fre[i]) {
			if (++nfail <= 10)
				failed[nfail] = sprintf("  [%s] %s", fname[i], line)
			break
		}
}
END {
	if (bad)
		exit 2
	for (i = 1; i <= nrep; i++)
		print report[i]
	if (!done)
		why[++nwhy] = "guest never reported: no \"cs-guest: done\" line (timeout, panic or crash)"
	else if (rc != "0")
		why[++nwhy] = "guest job exited with status " rc
	if (done && !off)
		why[++nwhy] = "guest did not power off after \"cs-guest: done\": no \"reboot: Restarting system\" or \"reboot: Power down\" line (a hang after the job)"
	if (done && rc == "0" && !jobpass && !nfail)
		why[++nwhy] = "the job printed no \"verdict: PASS\""
	if (nfail)
		why[++nwhy] = nfail " console line(s) matched a fail rule; first ones:"
	for (i = 1; i <= nwhy; i++)
		print "console: " why[i]
	for (i = 1; i <= nfail && i <= 10; i++)
		print failed[i]
	if (nwhy) { print "verdict: FAIL"; exit 1 }
	print "verdict: PASS"
}' "$log"
