#!/bin/sh
# deps.sh [extra packages...]: install, with apt-get, the Debian packages
# the bench needs and that are missing. Does nothing when all are present.
# Needs root (or sudo) only when something is missing.
#
# ARCH=arm64 also needs an arm64 busybox-static for the guest. It is
# fetched with apt-get from the host's own Debian sources, with private
# arm64-only package lists under $CS_CACHE/apt-arm64 (so dpkg's
# architectures stay as they are, and no root is needed), and unpacked to
# $CS_CACHE/arm64-busybox/bin/busybox, where scripts/mkinitramfs.sh takes it.
#
# A KVER whose linux-source the host's sources do not have (7.3: Debian's
# trixie-backports) is fetched the same private way, from that suite of
# the host's Debian archive (scripts/debian-apt.sh), and unpacked, not
# installed, to $CS_CACHE/pkg/linux-source-$KVER, where
# scripts/build-kernel.sh takes the tarball.
set -eu
ARCH=${ARCH:-x86_64}
KVER=${KVER:-7.3}
CS_CACHE=${CS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cma-stress}
# shellcheck source=debian-apt.sh
. "$(dirname "$0")/debian-apt.sh"
pkgs="build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils kmod
rsync file ccache busybox-static shellcheck sparse gawk gnuplot-nox"
case $ARCH in
x86_64) pkgs="$pkgs qemu-system-x86" ;;
arm64) pkgs="$pkgs qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross device-tree-compiler" ;;
*) echo "deps.sh: error: ARCH='$ARCH': use x86_64 or arm64" >&2; exit 2 ;;
esac
die() { echo "deps.sh: error: $*" >&2; exit 2; }

src_suite=
if [ -z "${KSRC:-}" ]; then
	src_suite=$(cs_kver_suite "$KVER")
	[ -n "$src_suite" ] || pkgs="$pkgs linux-source-$KVER"
fi

install_missing() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "deps.sh: installing:$missing" >&2
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	command -v apt-get >/dev/null 2>&1 ||
		die "apt-get not found; install by hand:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! $SUDO apt-get update -q >/dev/null || ! $SUDO apt-get install -y -q $missing >/dev/null; then
		die "apt-get install failed for:$missing"
	fi
}

# The arm64 guest's busybox: the binary of Debian's busybox-static:arm64.
arm64_busybox() {
	bb=$CS_CACHE/arm64-busybox
	[ -x "$bb/bin/busybox" ] && return 0
	cs_apt_update "$CS_CACHE/apt-arm64" "" arm64
	cs_apt_fetch "$CS_CACHE/apt-arm64" "" arm64 "$bb.pkg" busybox-static
	[ -x "$bb.pkg/bin/busybox" ] || die "busybox-static:arm64 has no bin/busybox"
	rm -rf "$bb"
	mv "$bb.pkg" "$bb"
}

# linux-source-$KVER from $src_suite, unpacked to $CS_CACHE/pkg/.
private_source() {
	pkg=linux-source-$KVER
	dest=$CS_CACHE/pkg/$pkg
	[ -e "$dest/usr/src/$pkg.tar.xz" ] && cs_pkg_version "$dest" "$pkg" >/dev/null && return 0
	cs_apt_update "$CS_CACHE/apt-$src_suite" "$src_suite" ""
	cs_apt_fetch "$CS_CACHE/apt-$src_suite" "$src_suite" "" "$dest" "$pkg"
	[ -e "$dest/usr/src/$pkg.tar.xz" ] || die "Debian package $pkg has no usr/src/$pkg.tar.xz"
}

# shellcheck disable=SC2086
install_missing $pkgs "$@"
[ "$ARCH" != arm64 ] || arm64_busybox
[ -z "$src_suite" ] || private_source
