#!/bin/sh
# deps.sh [extra packages...]: install, with apt-get, the Debian packages
# the bench needs and that are missing. Does nothing when all are present.
# Needs root (or sudo) only when something is missing.
set -eu
ARCH=${ARCH:-x86_64}
KVER=${KVER:-6.12}
pkgs="build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils kmod
rsync file ccache busybox-static shellcheck sparse gawk gnuplot-nox"
case $ARCH in
x86_64) pkgs="$pkgs qemu-system-x86" ;;
arm64) pkgs="$pkgs qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
*) echo "deps.sh: error: ARCH='$ARCH': use x86_64 or arm64" >&2; exit 2 ;;
esac
[ -n "${KSRC:-}" ] || pkgs="$pkgs linux-source-$KVER"
missing=
for p in $pkgs "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "deps.sh: installing:$missing" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
command -v apt-get >/dev/null 2>&1 ||
	{ echo "deps.sh: error: apt-get not found; install by hand:$missing" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get update -q >/dev/null || ! $SUDO apt-get install -y -q $missing >/dev/null; then
	echo "deps.sh: error: apt-get install failed for:$missing" >&2
	exit 2
fi
