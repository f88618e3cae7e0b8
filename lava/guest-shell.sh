# JOB=lava-shell, the LAVA route (scripts/lava.sh puts this file in the
# initramfs as /lib/cs/jobs/lava-shell.sh): an interactive shell on the
# console, with the prompt the job template waits for, for LAVA's test
# shell to drive (lava/cma-stress.yaml runs the scenario in it). When LAVA
# closes the shell (its last action sends "exit"), the job's status is the
# verdict the test definition wrote to /tmp/cs-lava.rc; guest/init then
# runs its kmemleak check, prints "cs-guest: done rc=N" and powers off, as
# after any job.
rm -f /tmp/cs-lava.rc
echo "cs-guest: lava-shell: a shell for LAVA on the console"
PS1='cs-lava# ' sh -i
if [ ! -r /tmp/cs-lava.rc ]; then
	echo "cs-guest: lava-shell: no verdict from the test definition (/tmp/cs-lava.rc)"
	exit 1
fi
exit "$(cat /tmp/cs-lava.rc)"
