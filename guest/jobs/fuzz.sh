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
for k in $keys; do
	for probe in -2 4294967295; do
		printf '%s=%s' "$k" "$probe" | dd of="$D/control" bs=4096 2>/dev/null && continue
		hi=$(dmesg | tail -n 3 | sed -n "s/.* $k=$probe out of range -*[0-9]*\\.\\.\\([0-9]*\\).*/\\1/p" | tail -n 1)
		[ -z "$hi" ] || echo "$k=$((hi + 1))" >>/tmp/values
	done
done
# What the probes changed goes back.
while IFS= read -r kv; do
	[ "$(cat "$P/${kv%%=*}")" = "${kv#*=}" ] || printf '%s' "$kv" | dd of="$D/control" bs=4096 2>/dev/null
done </tmp/settings0
echo "fuzz: out-of-range values from the module's own ranges: $(tr '\n' ' ' </tmp/values)"
nvals=$(wc -l </tmp/values)

# The values no setting takes, whatever its type: each key gets each.
BADV="-2 -99999999999 99999999999999999999 18446744073709551616 abc 1x 0x10 1e3 --1 + 9-"
nbad=$(echo "$BADV" | wc -w)
nkeys=$(echo "$keys" | wc -w)

# gen I FILE: the I-th write into FILE; prints its class and whether it
# must be refused ("must") or may be valid ("may").
gen() {
	f=$2
	case $(($1 % 6)) in
	0)	head -c "$((1 + $(rand 300)))" /dev/urandom >"$f"
		echo "random must" ;;
	1)	k=$(echo "$keys" | tr ' ' '\n' | sed -n "$(($(rand "$nkeys") + 1))p")
		v=$(echo "$BADV" | tr ' ' '\n' | sed -n "$(($(rand "$nbad") + 1))p")
		printf '%s=%s' "$k" "$v" >"$f"
		case $k in areas) echo "badvalue may" ;; *) echo "badvalue must" ;; esac ;;
	2)	if [ "$nvals" -gt 0 ]; then
			sed -n "$(($(rand "$nvals") + 1))p" /tmp/values | tr -d '\n' >"$f"
		else
			printf 'alloc_threads=99999' >"$f"
		fi
		echo "range must" ;;
	3)	case $(rand 5) in
		0) head -c "$((100 + $(rand 4900)))" /dev/zero | tr '\0' a >"$f" ;;
		1) printf 'duration=%0300d' 1 >"$f" ;;
		2) printf 'scenario=%0100d' 0 >"$f" ;;
		3) printf 'start%0200d' 0 >"$f" ;;
		4) head -c 5000 /dev/zero | tr '\0' '=' >"$f" ;;
		esac
		echo "overlong must" ;;
	4)	case $(rand 9) in
		0) printf '\n' >"$f" ;;
		1) printf ' ' >"$f" ;;
		2) printf '\t\n' >"$f" ;;
		3) printf '=' >"$f" ;;
		4) printf '==' >"$f" ;;
		5) printf '=1' >"$f" ;;
		6) printf 'start stop' >"$f" ;;
		7) printf 'nosuchkey=1' >"$f" ;;
		8) printf 'starts' >"$f" ;;
		esac
		echo "empty-or-unknown must" ;;
	5)	case $(rand 6) in
		0) printf '\000' >"$f" ;;
		1) printf 'start\000x' >"$f" ;;
		2) printf 'duration=5\000x' >"$f" ;;
		3) printf '\377\376\375' >"$f" ;;
		4) printf 'scenario=\377' >"$f" ;;
		5) printf '\033[2Jstop' >"$f" ;;
		esac
		echo "binary must" ;;
	esac
}

# 1. single writes
: >/tmp/results
t0=$(date +%s)
i=0
while [ "$i" -lt "$W" ]; do
	i=$((i + 1))
	gen "$i" /tmp/w >/tmp/class
	read -r cls must </tmp/class
	echo "<7>cs-fuzz: $i" >/dev/kmsg
	if dd if=/tmp/w of="$D/control" bs=65536 2>/tmp/e; then
		r=ok
		# An accepted write that started a run is stopped at once.
		if grep -q '^state: running' "$D/stats"; then
			echo stop >"$D/control"
			r=ok-started
		fi
	else
		case $(cat /tmp/e) in
		*"Invalid argument"*) r=EINVAL ;;
		*busy*) r=EBUSY ;;
		*) r=other ;;
		esac
	fi
	echo "$i $cls $must $r $(od -An -c -N40 /tmp/w | tr -s ' \n' ' ')" >>/tmp/results
	[ $((i % 1000)) -ne 0 ] || echo "fuzz: $i writes ($(($(date +%s) - t0))s)"
done
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
		if (nf <= 20) printf "fuzz: finding: write %d (%s): %s: [%s]%s\n", i, cls, bad, what, nl ? " last line: " text[i] : ""
	}
}
END {
	printf "fuzz: %d single writes: %d refused (EINVAL), %d accepted, %d other; %d finding(s)\n",
		total, count["EINVAL"], count["ok"] + count["ok-started"], total - count["EINVAL"] - count["ok"] - count["ok-started"], nf
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
