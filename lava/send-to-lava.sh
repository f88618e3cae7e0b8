#!/bin/sh
# send-to-lava.sh RESULT_FILE: each line "NAME RESULT [MEASUREMENT UNITS]"
# of RESULT_FILE becomes one lava-test-case call (as test-definitions'
# automated/utils/send-to-lava.sh does). Outside LAVA (no lava-test-case on
# PATH) the lines are printed as they would be sent.
set -u
[ $# -eq 1 ] || { echo "usage: $0 RESULT_FILE" >&2; exit 2; }
[ -r "$1" ] || { echo "$0: error: cannot read '$1'" >&2; exit 2; }
lava=no
command -v lava-test-case >/dev/null 2>&1 && lava=yes
while read -r name res meas units; do
	[ -n "$name" ] || continue
	if [ "$lava" = no ]; then
		echo "<TEST_CASE_ID=$name RESULT=$res${meas:+ MEASUREMENT=$meas}${units:+ UNITS=$units}>"
	elif [ -n "$meas" ]; then
		lava-test-case "$name" --result "$res" --measurement "$meas" --units "${units:-none}"
	else
		lava-test-case "$name" --result "$res"
	fi
done <"$1"
