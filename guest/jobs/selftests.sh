# JOB=selftests: run the kselftests in the guest against the modules in
# /lib/cs, exactly as `make -C selftests run_tests CS_MODDIR=...` would.
CS_MODDIR=/lib/cs SHORT=${SHORT:-5} /lib/cs/selftests/run_tests.sh cma_stress/cma_stress.sh
rc=$?
if [ "$rc" -eq 0 ]; then echo "verdict: PASS"; else echo "verdict: FAIL"; fi
exit "$rc"
