#!/bin/bash
# dkms-test.sh: the DKMS path, for real. Install dkms and the headers of
# the newest Debian stock kernel of KVER, dkms add/build/install this tree
# against it, then boot that very kernel in QEMU with the DKMS-built
# modules and run isolate_race (the kernel has no CMA). The host's own
# kernel is never touched: the modules go to /lib/modules/<that kernel>.
# Leaves nothing registered with DKMS afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
"$CS_TOP/scripts/deps.sh" dkms
need_cmd dkms dkms

read -r kdir kimg < <("$CS_TOP/scripts/debian-kernel.sh") || true
[ -n "${kimg:-}" ] || die "no Debian kernel (see the messages above)"
krel=${kdir#/usr/src/linux-headers-}
name=cma-stress
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$CS_TOP/dkms.conf")
src=/usr/src/$name-$ver

cleanup() { dkms remove -m "$name" -v "$ver" --all >/dev/null 2>&1 || true; rm -rf "$src"; }
trap cleanup EXIT
cleanup
mkdir -p "$src"
cp "$CS_TOP"/Kbuild "$CS_TOP"/dkms.conf "$CS_TOP"/*.c "$src/"
cp -r "$CS_TOP"/core "$CS_TOP"/gen "$src/"
dkms add -m "$name" -v "$ver" >&2
dkms build -m "$name" -v "$ver" -k "$krel" >&2 || {
	cat "/var/lib/dkms/$name/$ver/build/make.log" >&2 2>/dev/null
	die "dkms build failed against $krel"
}
dkms install -m "$name" -v "$ver" -k "$krel" >&2
moddir=$(mktemp -d)
cp /lib/modules/"$krel"/updates/dkms/*.ko* "$moddir/"
for f in "$moddir"/*.ko.xz; do [ -e "$f" ] && xz -d "$f"; done
for f in "$moddir"/*.ko.zst; do [ -e "$f" ] && zstd -q -d --rm "$f"; done
ls "$moddir" >&2
KERNEL=debian MODDIR="$moddir" MODULE=isolate_race DURATION="${DURATION:-20}" \
	"$CS_TOP/scripts/run.sh"
