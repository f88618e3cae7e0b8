#!/bin/bash
# mkinitramfs.sh OUT.cpio.gz MODDIR JOB [KEY=VALUE ...]
#
# A busybox-static initramfs carrying guest/init, the job scripts, the
# modules built in MODDIR, selftests/ and the pressure program. The job to
# run and its settings go in /etc/cs-job.conf (CS_JOB=JOB plus each
# KEY=VALUE), so one image is built per run in about a second.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
[ $# -ge 3 ] || die "usage: $0 OUT.cpio.gz MODDIR JOB [KEY=VALUE ...]"
out=$1 moddir=$2 job=$3
shift 3
need_file "$CS_TOP/guest/jobs/$job.sh" "no such guest job '$job'"
need_cmd cpio cpio
need_cmd gzip gzip

case $ARCH in
x86_64)
	busybox=/bin/busybox
	need_file "$busybox" "install the Debian package busybox-static"
	cc=gcc cc_pkg=gcc libc_pkg=libc6-dev
	;;
arm64)
	busybox=$CS_CACHE/arm64-busybox/bin/busybox
	need_file "$busybox" "run ARCH=arm64 scripts/deps.sh to unpack busybox-static:arm64"
	cc=aarch64-linux-gnu-gcc cc_pkg=gcc-aarch64-linux-gnu libc_pkg=libc6-dev-arm64-cross
	;;
esac
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	die "$busybox is not statically linked: install busybox-static, not busybox"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,lib/cs/jobs,root}
cp "$busybox" "$root/bin/busybox"
cp "$CS_TOP/guest/init" "$root/init"
cp "$CS_TOP"/guest/jobs/*.sh "$root/lib/cs/jobs/"
# EXTRA_MODDIR: more modules for the job (the console fixture generator).
for d in "$moddir" ${EXTRA_MODDIR:+"$EXTRA_MODDIR"}; do
	[ -d "$d" ] || continue
	find "$d" -maxdepth 1 -name '*.ko' -exec cp {} "$root/lib/cs/" \;
done
if [ -d "$CS_TOP/selftests" ]; then
	cp -r "$CS_TOP/selftests" "$root/lib/cs/selftests"
fi

# The pressure program: static, so it needs nothing from the image.
pressure=$CS_CACHE/bin/$ARCH/cs-pressure
src=$CS_TOP/guest/cs-pressure.c
if [ -e "$src" ] && { [ ! -e "$pressure" ] || [ "$src" -nt "$pressure" ]; }; then
	need_cmd "$cc" "$cc_pkg"
	mkdir -p "$(dirname "$pressure")"
	"$cc" -static -O2 -Wall -Wextra -o "$pressure" "$src" ||
		die "building $src failed (static libc: install the Debian package $libc_pkg)"
fi
[ ! -e "$pressure" ] || cp "$pressure" "$root/bin/cs-pressure"

{
	echo "CS_JOB=$job"
	for kv in "$@"; do
		printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"
	done
} >"$root/etc/cs-job.conf"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out"
