#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_tests.sh PROG...: run each kselftest program as kselftest's runner
# does: under the timeout from its directory's settings file, its KTAP
# output indented as a subtest, then one "ok N selftests: ..." line per
# program (exit 4 is a skip). Busybox sh is enough: the guest has no make.
cd "$(dirname "$0")" || exit 1
rcfile=$(mktemp)
trap 'rm -f "$rcfile"' EXIT
n=0 failed=0
echo "TAP version 13"
echo "1..$#"
for prog in "$@"; do
	n=$((n + 1))
	dir=$(dirname "$prog")
	limit=45
	if [ -r "$dir/settings" ]; then
		t=$(sed -n 's/^timeout=//p' "$dir/settings")
		[ -z "$t" ] || limit=$t
	fi
	name="selftests: $(basename "$dir"): $(basename "$prog")"
	echo "# $name"
	{ timeout "$limit" "./$prog" 2>&1; echo $? >"$rcfile"; } | sed 's/^/  /'
	rc=$(cat "$rcfile")
	case $rc in
	0) echo "ok $n $name" ;;
	4) echo "ok $n $name # SKIP" ;;
	124) echo "not ok $n $name # TIMEOUT $limit seconds"; failed=$((failed + 1)) ;;
	*) echo "not ok $n $name # exit=$rc"; failed=$((failed + 1)) ;;
	esac
done
[ "$failed" -eq 0 ]
