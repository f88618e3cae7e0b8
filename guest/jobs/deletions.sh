# JOB=deletions: the rule table's deletion check (scripts/rule-deletions.sh).
# For each scratch cs_core built with one rule's reports dropped
# (/lib/cs/cs_core-del-<rule>.ko), the rule's own injection, exactly as the
# kselftests prove it (rule_fires): "deletion: <rule> caught" when that
# proof now fails, "deletion: <rule> MISSED" when it still passes.
MOD=cma_stress
# shellcheck source=selftests/cma_stress/lib.sh
. /lib/cs/selftests/cma_stress/lib.sh
SHORT=${SHORT:-5}
rc=0 n=0
for ko in /lib/cs/cs_core-del-*.ko; do
	[ -e "$ko" ] || { echo "deletion: no scratch modules in /lib/cs"; rc=1; break; }
	rule=${ko#/lib/cs/cs_core-del-}
	rule=${rule%.ko}
	n=$((n + 1))
	if ! insmod "$ko" || ! insmod /lib/cs/$MOD.ko; then
		echo "deletion: $rule: the scratch modules do not load"
		rc=1
		rmmod "$MOD" 2>/dev/null
		rmmod cs_core 2>/dev/null
		continue
	fi
	# shellcheck disable=SC2046
	set -- $(grep "^$rule " "$D/rules")
	if rule_fires "$rule" "$2" "${4#bound_s=}"; then
		echo "deletion: $rule MISSED: its proof still passes without it"
		rc=1
	else
		echo "deletion: $rule caught: its proof fails without it"
	fi
	if ! rmmod "$MOD" || ! rmmod cs_core; then
		echo "deletion: cannot unload"
		rc=1
		break
	fi
done
echo "deletion: $n scratch modules run"
if [ "$rc" -eq 0 ]; then echo "verdict: PASS"; else echo "verdict: FAIL"; fi
exit "$rc"
