# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are used by the sourcing scripts
# Common helpers for the cma-stress bench scripts. Sourced, never run.
#
# Variables every script understands (all optional):
#   ARCH     x86_64 (default) or arm64
#   KVER     7.3 (default), 6.12 or 6.1: Debian's linux-source-$KVER (7.3
#            from trixie-backports, unpacked into CS_CACHE by scripts/deps.sh)
#   KSRC     any kernel source tree instead of the Debian package
#   FLAVOUR  debug (default) or prod
#   PATCHES  patch files or directories of *.patch (colon-separated) applied to a copy
#   CS_CACHE where kernels and images are cached
#            (default ${XDG_CACHE_HOME:-$HOME/.cache}/cma-stress)

CS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARCH=${ARCH:-x86_64}
KVER=${KVER:-7.3}
KSRC=${KSRC:-}
FLAVOUR=${FLAVOUR:-debug}
PATCHES=${PATCHES:-}
CS_CACHE=${CS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cma-stress}
# Bump when the layout of a cached build changes, to invalidate old ones.
CS_BUILD_ABI=1

# shellcheck source=debian-apt.sh
. "$CS_TOP/scripts/debian-apt.sh"

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 2; }

# need_cmd COMMAND PACKAGE: fail naming the Debian package to install.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found: install the Debian package '$2' (scripts/deps.sh does)"
}

need_file() {
	[ -e "$1" ] || die "missing file '$1'${2:+: $2}"
}

check_vars() {
	case $ARCH in x86_64|arm64) ;; *) die "ARCH='$ARCH': use x86_64 or arm64" ;; esac
	case $FLAVOUR in debug|prod) ;; *) die "FLAVOUR='$FLAVOUR': use debug or prod" ;; esac
	if [ -z "$KSRC" ]; then
		case $KVER in 6.1|6.12|7.3) ;; *) die "KVER='$KVER': use 6.1, 6.12 or 7.3, or KSRC=/path/to/tree" ;; esac
	fi
	local p
	local IFS=:
	for p in $PATCHES; do
		[ -e "$p" ] || die "PATCHES: '$p': no such file or directory"
	done
	return 0
}

# Per-architecture facts: kernel ARCH, cross compiler (and its Debian
# package), image, QEMU.
arch_facts() {
	case $ARCH in
	x86_64)
		K_ARCH=x86
		K_CROSS=
		K_CROSS_PKG=
		K_IMAGE=arch/x86/boot/bzImage
		QEMU=qemu-system-x86_64
		QEMU_PKG=qemu-system-x86
		CONSOLE=ttyS0
		;;
	arm64)
		K_ARCH=arm64
		K_CROSS=aarch64-linux-gnu-
		K_CROSS_PKG=gcc-aarch64-linux-gnu
		K_IMAGE=arch/arm64/boot/Image
		QEMU=qemu-system-aarch64
		QEMU_PKG=qemu-system-arm
		CONSOLE=ttyAMA0
		;;
	esac
}

# The patch files PATCHES names (files or directories of *.patch,
# colon-separated, applied in that order; a directory's sorted), one per line.
patch_list() {
	local p
	local IFS=:
	for p in $PATCHES; do
		if [ -d "$p" ]; then
			find "$p" -maxdepth 1 -name '*.patch' -type f | LC_ALL=C sort
		else
			printf '%s\n' "$p"
		fi
	done
}

# The config fragments of this arch and flavour, in merge order. What only
# one release spells so is in $KVER.config (6.12's PROC_SYSCTL is 7.3's
# SYSCTL) and, for one arch, arch-$ARCH-$KVER.config (6.1's
# DMA_PERNUMA_CMA is 6.12's DMA_NUMA_CMA); with KSRC neither is used.
fragment_list() {
	local d=$CS_TOP/kernel/config f
	printf '%s\n' "$d/base.config" "$d/arch-$ARCH.config" "$d/$FLAVOUR.config"
	[ -z "${KSRC:-}" ] || return 0
	for f in "$d/$KVER.config" "$d/arch-$ARCH-$KVER.config"; do
		[ ! -e "$f" ] || printf '%s\n' "$f"
	done
}

# size_facts: SIZE (default) and its guest/size/ file, which gives the
# size_* values; SMP, MEM and NODES given by the caller win over them.
size_facts() {
	SIZE=${SIZE:-default}
	case $SIZE in ''|*[!a-z0-9]*) die "SIZE='$SIZE': use default or big" ;; esac
	need_file "$CS_TOP/guest/size/$SIZE"
	# shellcheck source=../guest/size/default
	. "$CS_TOP/guest/size/$SIZE"
	SMP=${SMP:-$size_smp}
	MEM=${MEM:-$size_mem}
	NODES=${NODES:-$size_nodes}
}

hash_stdin() { sha256sum | cut -c1-12; }

# A short name for a patch set, for directory names and reports.
patch_tag() {
	local p
	p=$(patch_list)
	[ -n "$p" ] || { echo clean; return; }
	# shellcheck disable=SC2086
	printf '%s' "$(basename -a $p | sed 's/\.patch$//' | paste -sd+ | cut -c1-40)"
}

# bug_to_report OUTPUT: for a control whose kernel says when it plants
# its bug ("leftover-isolate: pfn ...", "cma-bit-lost: ..."), the seconds
# from that console line to the harness's first FAIL line; nothing for
# the others.
bug_to_report() {
	awk 'function ts(l) { sub(/^\[ */, "", l); sub(/\].*/, "", l); return l + 0 }
		/^\[ *[0-9.]+\] (leftover-isolate: pfn|(cma: )?cma-bit-lost: )/ && bug == "" { bug = ts($0) }
		/^\[ *[0-9.]+\] [a-z_]+: FAIL d[0-9]/ && bug != "" && fail == "" { fail = ts($0) }
		END { if (bug != "" && fail != "") printf "%.3f\n", fail - bug }' "$1"
}

# series_columns HEADER: from a series CSV's header line, the zone columns
# (<zone>[_node<N>]_free_kb) into the array zones and the CMA areas
# (cma_<area>_used_kb) into the array areas (scripts/series-plot.sh and
# scripts/fail-plot.sh draw both).
series_columns() {
	local n a names
	zones=() areas=()
	IFS=, read -r -a names <<<"$1"
	for n in "${names[@]}"; do
		case $n in
		cma_free_kb | mem_free_kb) ;;
		cma_*_used_kb) a=${n#cma_}; areas+=("${a%_used_kb}") ;;
		cma_*) ;;
		*_free_kb) zones+=("${n%_free_kb}") ;;
		esac
	done
}

# series_pauses CSV COLUMN: a line "start end" (seconds) per checkpoint
# pause of a series CSV, from its pause_ms column (COLUMN; empty: none),
# for the shaded rectangles of series-plot.sh and fail-plot.sh.
series_pauses() {
	[ -n "$2" ] || return 0
	awk -F, -v p="$2" 'NR > 1 && $p > 0 { printf "%.3f %.3f\n", $1 - $p / 1000, $1 }' "$1"
}

# c_files DIR: the modules' C files under DIR (a checkout, or
# build-modules.sh's copy of one): the two modules, the frame and the
# generators, a path a line.
c_files() {
	printf '%s\n' "$1"/*.c "$1"/core/*.c "$1"/gen/*.c
}

# kbuild_pahole KDIR: the make argument, if any, that builds modules for
# KDIR with the pahole the kernel was built with. Kbuild warns when the
# pahole at hand is another (7.x); a kernel built before pahole was on
# this machine (it comes in later with Debian's headers packages) recorded
# version 0: its modules build without pahole too. A real mismatch still warns.
kbuild_pahole() {
	local v
	v=$(sed -n 's/^CONFIG_PAHOLE_VERSION=//p' "$1/.config" 2>/dev/null || true)
	[ "$v" != 0 ] || echo PAHOLE=cs-stress-no-pahole
}
