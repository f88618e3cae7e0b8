#!/bin/bash
# lava-initramfs.sh OUT.cpio.gz MODDIR: the initramfs of a LAVA job.
# scripts/mkinitramfs.sh's image (busybox, guest/init, the modules of
# MODDIR in /lib/cs, cs-pressure) with one more guest job,
# lava/guest-shell.sh as /lib/cs/jobs/lava-shell.sh, chosen in
# /etc/cs-job.conf: guest/init runs it, it offers LAVA a shell on the
# console, and when LAVA's last action closes the shell guest/init ends as
# after any job ("cs-guest: done rc=N", power off). Repacked as one newc
# archive: LAVA unpacks it with cpio to append its overlay, and cpio stops
# at the first archive's trailer.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
[ $# -eq 2 ] || die "usage: $0 OUT.cpio.gz MODDIR"
out=$1 moddir=$2
need_file "$CS_TOP/lava/guest-shell.sh"
need_file "$moddir/cs_core.ko" "build the modules first (scripts/build-modules.sh)"
need_cmd cpio cpio
need_cmd gzip gzip

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# JOB=stress only satisfies mkinitramfs.sh's check; CS_JOB, written after
# it, is the job guest/init runs.
"$CS_TOP/scripts/mkinitramfs.sh" "$tmp/base.cpio.gz" "$moddir" stress CS_JOB=lava-shell
mkdir "$tmp/root"
(cd "$tmp/root" && gzip -dc "$tmp/base.cpio.gz" | cpio -idm --quiet) ||
	die "cannot unpack $tmp/base.cpio.gz"
grep -qx 'CS_JOB=lava-shell' "$tmp/root/etc/cs-job.conf" ||
	die "scripts/mkinitramfs.sh did not write CS_JOB=lava-shell to /etc/cs-job.conf"
cp "$CS_TOP/lava/guest-shell.sh" "$tmp/root/lib/cs/jobs/lava-shell.sh"
(cd "$tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out"
