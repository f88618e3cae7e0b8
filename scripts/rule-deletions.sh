#!/bin/bash
# rule-deletions.sh [RULE_ERE]: does each rule's proof depend on the
# rule's own comparison? For every rule of core/rules.c with an injection
# (and a name matching RULE_ERE; default all), a scratch cs_core.ko built
# with CS_DELETE_RULE=<its index> (Kbuild: its reports dropped, as if its
# comparison were gone); one guest (JOB=deletions) runs each scratch
# module with that rule's injection, as the kselftests prove it. With
# WITH_PATCHES=1, each rule proven by a kernel patch runs its scratch module on
# its patched kernel too (a guest each, DURATION 60 s). Prints a line per
# rule; exit 1 if any proof still passed without its rule.
#
# Variables: KVER (7.3), FLAVOUR (prod), WITH_PATCHES (0).
set -euo pipefail
export KVER=${KVER:-7.3} FLAVOUR=${FLAVOUR:-prod}
. "$(dirname "$0")/lib.sh"
[ -z "${PATCHES:-}" ] || die "PATCHES is set: the scratch modules run on the clean kernel (WITH_PATCHES=1 for the patch proofs)"
check_vars
arch_facts
want=${1:-.}

kdir=$("$CS_TOP/scripts/build-kernel.sh")
base=$("$CS_TOP/scripts/build-modules.sh" "$kdir")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/extra"

# The enum's order is the table's index: CS_R_<...> -> n.
index_of() {
	awk -v id="$1" '/^enum cs_rule_id/ { on = 1; next }
		on && /CS_NR_RULES/ { exit }
		on { gsub(/[ \t,]/, ""); if ($0 == id) { print n + 0; exit } if ($0 != "") n++ }' \
		"$CS_TOP/core/rules.h"
}

# scratch ID NAME: the module directory of a cs_core without rule ID.
scratch() {
	local d=$work/$2 i
	i=$(index_of "$1")
	[ -n "$i" ] || die "rule $1 is not in core/rules.h's enum"
	cp -a "$base" "$d"
	local -a args
	mapfile -t args < <(kbuild_pahole "$kdir")
	make -s -C "$kdir" M="$d" ARCH="$K_ARCH" ${K_CROSS:+CROSS_COMPILE=$K_CROSS} \
		W=1 "${args[@]}" CS_DELETE_RULE="$i" modules >&2 ||
		die "the scratch build without $2 failed"
	echo "$d"
}

n=0
bad=0
while IFS='|' read -r id name _ _ patch inj _; do
	[[ $name =~ $want ]] || continue
	d=$(scratch "$id" "$name")
	[ "$inj" = - ] || cp "$d/cs_core.ko" "$work/extra/cs_core-del-$name.ko"
	[ "$inj" = - ] || n=$((n + 1))
	if [ "${WITH_PATCHES:-0}" != 1 ] || [ "$patch" = - ]; then
		continue
	fi
	p=$CS_TOP/kernel/patches/$patch-$KVER.patch
	[ -e "$p" ] || { echo "deletion: $name: no $p"; continue; }
	out=$work/$name.out
	MODDIR=$d PATCHES=$p DURATION=60 MODARGS="stop_on_fail=1" \
		"$CS_TOP/scripts/run.sh" >"$out" 2>&1 || true
	fr=$(sed -n 's/^first_rule: //p' "$out" | head -n 1)
	if [ "$fr" = "$name" ]; then
		echo "deletion: $name MISSED on $patch: its rule still fired first"
		bad=1
	else
		echo "deletion: $name caught on $patch: first finding ${fr:-none}, $(grep -m1 '^verdict:' "$out")"
	fi
done < <("$CS_TOP/scripts/rules.sh")

if [ "$n" -gt 0 ]; then
	out=$work/inject.out
	MODDIR=$base EXTRA_MODDIR=$work/extra JOB=deletions DURATION=5 TIMEOUT=$((n * 40 + 120)) \
		RUN_DIR=$work/run "$CS_TOP/scripts/run.sh" >"$out" 2>&1 || true
	tr -d '\r' <"$work/run/console.log" | grep -a '^deletion: ' || true
	grep -aq '^deletion: .* MISSED' "$work/run/console.log" && bad=1
	grep -aq "^deletion: $n scratch modules run" "$work/run/console.log" ||
		{ echo "deletion: the guest did not run the $n scratch modules"; tail -n 20 "$out"; bad=1; }
fi
exit "$bad"
