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
set -eu
ARCH=${ARCH:-x86_64}
KVER=${KVER:-6.12}
CS_CACHE=${CS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cma-stress}
pkgs="build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils kmod
rsync file ccache busybox-static shellcheck sparse gawk gnuplot-nox"
case $ARCH in
x86_64) pkgs="$pkgs qemu-system-x86" ;;
arm64) pkgs="$pkgs qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross device-tree-compiler" ;;
*) echo "deps.sh: error: ARCH='$ARCH': use x86_64 or arm64" >&2; exit 2 ;;
esac
[ -n "${KSRC:-}" ] || pkgs="$pkgs linux-source-$KVER"

die() { echo "deps.sh: error: $*" >&2; exit 2; }

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
	for c in apt-get dpkg-deb; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found: it fetches busybox-static:arm64 (or put a static arm64 busybox at $bb/bin/busybox)"
	done
	apt=$CS_CACHE/apt-arm64
	rm -rf "$apt/deb"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/deb"
	# Root: apt would drop to its _apt user, who cannot write here.
	sandbox=
	[ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
	echo "deps.sh: fetching busybox-static:arm64" >&2
	# shellcheck disable=SC2086
	set -- -q $sandbox -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
		-o Dir::State::status=/dev/null
	# A source without arm64 makes update complain; download then says
	# whether the Debian archive answered.
	apt-get "$@" update >"$apt/update.log" 2>&1 ||
		echo "deps.sh: warning: apt-get update for arm64 reported errors (see $apt/update.log)" >&2
	(cd "$apt/deb" && apt-get "$@" download busybox-static >"$apt/download.log" 2>&1) ||
		die "could not download the Debian package busybox-static:arm64 (see $apt/download.log and $apt/update.log)"
	set -- "$apt"/deb/busybox-static_*_arm64.deb
	[ -e "$1" ] || die "apt-get download left no busybox-static_*_arm64.deb in $apt/deb"
	rm -rf "$bb.new"
	dpkg-deb -x "$1" "$bb.new" || die "dpkg-deb -x $1 failed"
	[ -x "$bb.new/bin/busybox" ] || die "$1 has no bin/busybox"
	rm -rf "$bb"
	mv "$bb.new" "$bb"
	rm -rf "$apt/deb"
}

# shellcheck disable=SC2086
install_missing $pkgs "$@"
[ "$ARCH" != arm64 ] || arm64_busybox
