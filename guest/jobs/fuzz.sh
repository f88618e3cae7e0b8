# JOB=fuzz: malformed and random writes to $MODULE's control file, then
# three writers racing start/stop/reset/audit/settings, then a normal run.
#
#  1. WRITES (10000) single writes, each one write(2), in turn: random
#     bytes, every setting with values out of its range (the range read
#     from the module's own refusal of -2) or unparsable, unknown keys and
#     commands, overlong writes, empty and blank writes, binary (NUL and
#     high bytes). Each must be refused with EINVAL and exactly one line of
#     ours in the kernel log; a write the module accepts must add no line
#     (and only values that could be valid may be accepted).
#  2. RACE_S (60) seconds of three writers racing start, stop, reset,
#     audit and settings (EBUSY and EINVAL are answers; a write that never
#     returns is a hang), a fourth reading report and stats.
#  3. The settings put back, a DURATION (10) s run of the default mix:
#     verdict PASS, every generator with threads did work.
#
# MODARGS may set writes=N race_s=N. The kernel log is read from /dev/kmsg
# (a marker before each write, so a line is charged to the write that made
# it, however many lines the ring buffer holds). Prints "fuzz: ..." lines,
# the last run's report, and verdict PASS only if every check held.
M=${MODULE:-cma_stress}
D=/sys/kernel/debug/$M
W=10000 RACE_S=60
for a in $MODARGS; do
	case $a in
	writes=*) W=${a#writes=} ;;
	race_s=*) RACE_S=${a#race_s=} ;;
	esac
done
rand() { echo $(($(od -An -N2 -tu2 /dev/urandom) % $1)); }	# 0 .. $1-1
findings=0
finding() { findings=$((findings + 1)); [ "$findings" -gt 20 ] || echo "fuzz: finding: $*"; }

cat /dev/kmsg >/tmp/kmsg 2>/dev/null &
kp=$!
insmod /lib/cs/cs_core.ko || exit 1
insmod "/lib/cs/$M.ko" || exit 1
P=/sys/module/$M/parameters
keys=$(ls "$P")
for k in $keys; do
	printf '%s=%s\n' "$k" "$(cat "$P/$k")"
done >/tmp/settings0
echo "fuzz: $M, settings: $(tr '\n' ' ' </tmp/settings0)"

# Each key's range, from the module's refusal of -2 ("K=-2 out of range
# LO..HI"); unsigned keys refuse -2 as unparsable, so 4294967295 tells.
: >/tmp/values
bools=
for k in $keys; do
	unparsable=0
	for probe in -2 4294967295; do
		printf '%s=%s' "$k" "$probe" | dd of="$D/control" bs=4096 2>/dev/null && continue
		last=$(dmesg | tail -n 3)
		case $last in *"cannot parse '$probe' as a value for $k"*) unparsable=$((unparsable + 1)) ;; esac
		hi=$(echo "$last" | sed -n "s/.* $k=$probe out of range -*[0-9]*\\.\\.\\([0-9]*\\).*/\\1/p" | tail -n 1)
		[ -z "$hi" ] || echo "$k=$((hi + 1))" >>/tmp/values
	done
	# Neither a negative nor a large number parses: a boolean. kstrtobool()
	# reads the first character only ("1x" is true), as every kernel bool
	# parameter does: such values may be accepted.
	[ "$unparsable" -lt 2 ] || bools="$bools $k"
done
# What the probes changed goes back.
while IFS= read -r kv; do
	[ "$(cat "$P/${kv%%=*}")" = "${kv#*=}" ] || printf '%s' "$kv" | dd of="$D/control" bs=4096 2>/dev/null
done </tmp/settings0
echo "fuzz: out-of-range values from the module's own ranges: $(tr '\n' ' ' </tmp/values)"
echo "fuzz: booleans (kstrtobool reads one character):$bools"

# The values no setting takes, whatever its type: each key gets each.
BADV="-2 -99999999999 99999999999999999999 18446744073709551616 abc 1x 0x10 1e3 --1 + 9-"

# The plan, one write a line: "CLASS MUST FORMAT", FORMAT a printf format
# (every byte that is not a letter, digit, _ = . or - as an octal escape),
# MUST "must" where the write has to be refused and "may" where it could be
# valid. Written by one awk run, so the loop below forks once a write (dd).
# SEED (MODARGS-free: a job variable) replays a plan; the seed is printed
# either way.
seed=${SEED:-$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')}
echo "fuzz: plan seed $seed (replay: make run JOB=fuzz SEED=$seed)"
awk -v n="$W" -v seed="$seed" -v keys="$keys" -v bools="$bools" -v badv="$BADV" '
function rnd(k) { return int(rand() * k) }
function enc(s,   i, c, o) {	# printable ASCII to a printf format
	o = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		o = o (c ~ /[A-Za-z0-9_=.-]/ ? c : sprintf("\\%03o", ord[c]))
	}
	return o
}
function rbytes(len,   o) { o = ""; while (len-- > 0) o = o sprintf("\\%03o", rnd(256)); return o }
function rep(c, k,   o) { o = ""; while (k-- > 0) o = o c; return o }
BEGIN {
	srand(seed)
	for (i = 32; i < 127; i++) ord[sprintf("%c", i)] = i
	nk = split(keys, key, " ")
	nb = split(badv, bad, " ")
	split(bools, b, " "); for (i in b) isbool[b[i]] = 1
	nv = 0
	while ((getline l < "/tmp/values") > 0) val[++nv] = l
	if (!nv) val[++nv] = "alloc_threads=99999"
	nx = split("\\012 \\040 \\011\\012 = == =1 start\\040stop nosuchkey=1 starts", empty, " ")
	ny = split("\\000 start\\000x duration=5\\000x \\377\\376\\375 scenario=\\377 \\033[2Jstop", bin, " ")
	for (i = 1; i <= n; i++) {
		c = i % 6
		if (c == 0) print "random must " rbytes(1 + rnd(300))
		else if (c == 1) {
			k = key[1 + rnd(nk)]; v = bad[1 + rnd(nb)]
			may = (k == "areas") || ((k in isbool) && v ~ /^[01yYnNoO]/)
			print "badvalue " (may ? "may " : "must ") enc(k "=" v)
		} else if (c == 2) print "range must " enc(val[1 + rnd(nv)])
		else if (c == 3) {
			x = rnd(5)
			if (x == 0) s = rep("a", 100 + rnd(4900))
			else if (x == 1) s = "duration=" rep("0", 299) "1"
			else if (x == 2) s = "scenario=" rep("0", 100)
			else if (x == 3) s = "start" rep("0", 200)
			else s = rep("=", 5000)
			print "overlong must " s
		} else if (c == 4) print "empty-or-unknown must " empty[1 + rnd(nx)]
		else print "binary must " bin[1 + rnd(ny)]
	}
}' >/tmp/plan

# 1. single writes
: >/tmp/results
t0=$(date +%s)
i=0
while read -r cls must fmt; do
	i=$((i + 1))
	# shellcheck disable=SC2059 # the format is the write
	printf "$fmt" >/tmp/w
	echo "<7>cs-fuzz: $i" >/dev/kmsg
	if dd if=/tmp/w of="$D/control" bs=65536 2>/tmp/e; then
		r=ok
		# An accepted write that started a run is stopped at once.
		while read -r l; do
			[ "$l" != "state: running" ] || { echo stop >"$D/control"; r=ok-started; }
		done <"$D/stats"
	else
		read -r e </tmp/e
		case $e in
		*"Invalid argument"*) r=EINVAL ;;
		*busy*) r=EBUSY ;;
		*) r=other ;;
		esac
	fi
	echo "$i $cls $must $r $fmt" >>/tmp/results
	[ $((i % 1000)) -ne 0 ] || echo "fuzz: $i writes ($(($(date +%s) - t0))s)"
done </tmp/plan
echo "<7>cs-fuzz: end" >/dev/kmsg
n=0
while ! grep -q 'cs-fuzz: end$' /tmp/kmsg && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
grep -q 'cs-fuzz: end$' /tmp/kmsg || finding "the /dev/kmsg reader stopped (the log is incomplete)"

# Each write's lines of ours (between its marker and the next), judged.
awk -v mod="$M" '
FNR == NR {
	sub(/^[^;]*;/, "")
	if ($0 ~ /^cs-fuzz: [0-9]+$/) { cur = $2; next }
	if ($0 ~ /^cs-fuzz: end$/) { cur = ""; next }
	if (cur != "" && index($0, mod ": ") == 1) { lines[cur]++; text[cur] = $0 }
	next
}
{
	i = $1; cls = $2; must = $3; r = $4
	nl = lines[i] + 0
	total++; count[r]++
	what = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", what)
	bad = ""
	if (r == "EINVAL" && nl != 1) bad = "refused with " nl " line(s) of ours"
	else if (r ~ /^ok/ && must == "must") bad = "accepted (" r "), it should be refused"
	else if (r ~ /^ok/ && nl != 0) bad = "accepted with " nl " line(s) of ours"
	else if (r != "EINVAL" && r !~ /^ok/) bad = "answered " r
	if (bad != "") {
		nf++
		if (nf <= 20) printf "fuzz: finding: write %d (%s): %s: [%s]%s\n", i, cls, bad, substr(what, 1, 120), nl ? " last line: " text[i] : ""
		k = cls ": " bad " [" substr(what, 1, 40) "]"
		if (!(k in kind)) order[++nk] = k
		kind[k]++
	}
}
END {
	printf "fuzz: %d single writes: %d refused (EINVAL), %d accepted, %d other; %d finding(s)\n",
		total, count["EINVAL"], count["ok"] + count["ok-started"], total - count["EINVAL"] - count["ok"] - count["ok-started"], nf
	for (j = 1; j <= nk; j++) printf "fuzz: finding kind: %dx %s\n", kind[order[j]], order[j]
	exit nf > 0
}' /tmp/kmsg /tmp/results || findings=$((findings + 1))

# 2. three writers racing, one reader
while IFS= read -r kv; do
	printf '%s' "$kv" | dd of="$D/control" bs=4096 2>/dev/null
done </tmp/settings0
case $M in
cma_stress) TH=alloc_threads SC="default seed001 seed004" ;;
*) TH=racer_threads SC=default ;;
esac
writer() {	# writer ID: write random commands until /tmp/race-stop exists
	nw=0 ne=0
	while [ ! -e /tmp/race-stop ]; do
		case $(rand 10) in
		0|1) c=start ;;
		2|3) c=stop ;;
		4) c=reset ;;
		5) c=audit ;;
		6) c="duration=$((1 + $(rand 5)))" ;;
		7) c="$TH=$(rand 3)" ;;
		8) c="hold_ms=$(rand 200)" ;;
		9) c="scenario=$(echo "$SC" | tr ' ' '\n' | sed -n "$(($(rand "$(echo "$SC" | wc -w)") + 1))p")" ;;
		esac
		echo "$c" >"/tmp/race-last.$1"
		printf '%s' "$c" | dd of="$D/control" bs=4096 2>/dev/null || ne=$((ne + 1))
		nw=$((nw + 1))
	done
	echo "$nw $ne" >"/tmp/race-done.$1"
}
reader() {
	nr=0
	while [ ! -e /tmp/race-stop ]; do
		cat "$D/report" "$D/stats" >/dev/null && nr=$((nr + 1))
	done
	echo "$nr" >/tmp/race-done.r
}
rm -f /tmp/race-stop /tmp/race-done.*
cs-pressure "${PRESSURE:-50}" &
pp=$!
for w in 1 2 3; do writer "$w" & done
reader &
sleep "$RACE_S"
touch /tmp/race-stop
n=0
while [ "$(find /tmp -maxdepth 1 -name 'race-done.*' | wc -l)" -lt 4 ] && [ "$n" -lt 120 ]; do
	sleep 1
	n=$((n + 1))
done
for w in 1 2 3 r; do
	[ -e "/tmp/race-done.$w" ] ||
		finding "racer $w did not finish within 120 s of the stop (a write that never returns?): last '$(cat "/tmp/race-last.$w" 2>/dev/null)'"
done
echo "fuzz: race ${RACE_S}s: writes/refused per writer: $(cat /tmp/race-done.1 /tmp/race-done.2 /tmp/race-done.3 2>/dev/null | tr '\n' '/') report+stats reads: $(cat /tmp/race-done.r 2>/dev/null)"
echo stop >"$D/control" 2>/dev/null
n=0
while grep -q '^state: running' "$D/stats" && [ "$n" -lt 300 ]; do sleep 1; n=$((n + 1)); done
grep -q '^state: running' "$D/stats" && finding "still running 300 s after the last stop"

# 3. the settings back, and a normal run that must PASS
while IFS= read -r kv; do
	[ "$(cat "$P/${kv%%=*}")" = "${kv#*=}" ] || printf '%s' "$kv" | dd of="$D/control" bs=4096 2>/dev/null ||
		finding "cannot put back $kv"
done </tmp/settings0
echo reset >"$D/control"
echo "duration=${DURATION:-10}" >"$D/control"
echo start >"$D/control" || finding "the normal run did not start"
sleep 2
n=0
while grep -q '^state: running' "$D/stats" && [ "$n" -lt 600 ]; do sleep 2; n=$((n + 2)); done
kill "$pp" 2>/dev/null
wait "$pp" 2>/dev/null
cat "$D/report" >/tmp/report
echo "==== report $M ===="
cat /tmp/report
echo "==== end report ===="
grep -q '^verdict: PASS' /tmp/report || finding "the normal run after the fuzzing did not PASS"
rmmod "$M" || finding "rmmod $M failed"
rmmod cs_core || finding "rmmod cs_core failed"
kill "$kp" 2>/dev/null
echo "fuzz: $M: $findings finding(s)"
[ "$findings" -eq 0 ] || { echo "verdict: FAIL"; exit 1; }
echo "verdict: PASS"
