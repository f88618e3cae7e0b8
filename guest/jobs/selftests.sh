# JOB=selftests: run the kselftests in the guest against the modules in
# /lib/cs, exactly as `make -C selftests run_tests CS_MODDIR=...` would.
# The guest has everything they need, so a skip is a failure here.
CS_MODDIR=/lib/cs SHORT=${SHORT:-5} /lib/cs/selftests/run_tests.sh \
	cma_stress/cma_stress.sh cma_stress/isolate_race.sh >/tmp/ktap 2>&1
rc=$?
cat /tmp/ktap
if grep -q '^ok [0-9]* selftests: .*# SKIP' /tmp/ktap; then
	echo "cs-guest: a kselftest skipped in a guest built for it"
	rc=1
fi
if [ "$rc" -eq 0 ]; then echo "verdict: PASS"; else echo "verdict: FAIL"; fi
exit "$rc"
