#!/bin/bash
# debian-kernel.sh: a Debian stock kernel for the guest, the "insmod on a
# test box" path. Prints "KDIR IMAGE": the installed linux-headers tree to
# build modules against, and the vmlinuz unpacked (never installed: the
# host's /boot is not touched) from linux-image-*-amd64-unsigned.
#
# KVER=6.12 (default) or 6.1 picks the newest such Debian kernel;
# DEBIAN_KREL=6.12.117+deb12-amd64 picks one exactly.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
[ "$ARCH" = x86_64 ] || die "KERNEL=debian: only ARCH=x86_64 for now"
need_cmd apt-cache apt
need_cmd dpkg-deb dpkg

if [ -z "${DEBIAN_KREL:-}" ]; then
	case $KVER in
	6.12) pat='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
	6.1) pat='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	esac
	pkg=$(apt-cache search --names-only "$pat" | cut -d' ' -f1 | sort -V | tail -n 1)
	[ -n "$pkg" ] || die "no Debian package matches $pat: run apt-get update"
	DEBIAN_KREL=${pkg#linux-image-}
	DEBIAN_KREL=${DEBIAN_KREL%-unsigned}
fi
kdir=/usr/src/linux-headers-$DEBIAN_KREL
if [ ! -e "$kdir/Module.symvers" ]; then
	log "installing linux-headers-$DEBIAN_KREL"
	"$CS_TOP/scripts/deps.sh" "linux-headers-$DEBIAN_KREL" >&2
fi
need_file "$kdir/Module.symvers" "install linux-headers-$DEBIAN_KREL"

dir=$CS_CACHE/debian/$DEBIAN_KREL
img=$dir/vmlinuz
if [ ! -e "$img" ]; then
	log "downloading linux-image-$DEBIAN_KREL-unsigned"
	rm -rf "$dir"
	mkdir -p "$dir/x"
	(cd "$dir" && apt-get download -q "linux-image-$DEBIAN_KREL-unsigned" >&2) ||
		die "apt-get download linux-image-$DEBIAN_KREL-unsigned failed"
	dpkg-deb -x "$dir"/linux-image-*.deb "$dir/x"
	cp "$dir/x/boot/vmlinuz-$DEBIAN_KREL" "$img"
	rm -rf "$dir/x" "$dir"/*.deb
fi
echo "$kdir $img"
