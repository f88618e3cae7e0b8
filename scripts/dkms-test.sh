#!/bin/bash
# dkms-test.sh: the DKMS path, for real. Install dkms and the headers of
# the newest Debian stock kernel of KVER, dkms add/build/install this tree
# against it, then boot that very kernel in QEMU with the DKMS-built
# modules and run: isolate_race on 6.1/6.12 (built without CMA),
# cma_stress's default scenario on 7.3 (CONFIG_CMA=y; the area comes from
# cma= on the command line). The host's own kernel is never touched: the
# modules go to /lib/modules/<that kernel>, or, for 7.3, whose headers are
# unpacked privately (scripts/debian-kernel.sh) and not installed, stay in
# DKMS's build tree (dkms build --kernelsourcedir, no install).
# Leaves nothing registered with DKMS afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
"$CS_TOP/scripts/deps.sh" dkms
need_cmd dkms dkms

read -r kdir kimg < <("$CS_TOP/scripts/debian-kernel.sh") || true
[ -n "${kimg:-}" ] || die "no Debian kernel (see the messages above)"
krel=$(basename "$kdir")
krel=${krel#linux-headers-}
module=isolate_race
installed=yes
case $kdir in /usr/src/*) ;; *) installed=no module=cma_stress ;; esac
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
dkms build -m "$name" -v "$ver" -k "$krel" --kernelsourcedir="$kdir" >&2 || {
	cat "/var/lib/dkms/$name/$ver/build/make.log" >&2 2>/dev/null
	die "dkms build failed against $krel"
}
moddir=$(mktemp -d)
if [ "$installed" = yes ]; then
	dkms install -m "$name" -v "$ver" -k "$krel" >&2
	cp /lib/modules/"$krel"/updates/dkms/*.ko* "$moddir/"
else
	cp /var/lib/dkms/"$name/$ver/$krel"/*/module/*.ko* "$moddir/"
fi
for f in "$moddir"/*.ko.xz; do [ -e "$f" ] && xz -d "$f"; done
for f in "$moddir"/*.ko.zst; do [ -e "$f" ] && zstd -q -d --rm "$f"; done
ls "$moddir" >&2
KERNEL=debian MODDIR="$moddir" MODULE=$module DURATION="${DURATION:-20}" \
	"$CS_TOP/scripts/run.sh"
