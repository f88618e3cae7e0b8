#!/bin/bash
# Build (or reuse) a cma-stress test kernel and print its build directory.
#
# allnoconfig + kernel/config/{base,arch-$ARCH,$FLAVOUR}.config (and the
# per-release fragments of fragment_list in lib.sh), optionally
# with PATCHES applied, in a private copy of the source tree cached under
# $CS_CACHE/build/. The key covers the source version, arch, flavour, the
# fragments and the patches, so a second call with the same inputs is a
# cache hit. A patched variant starts from a copy of the clean build of the
# same key, so only the patched files recompile (seconds, not minutes).
# Both bzImage/Image and the modules are built: out-of-tree modules need
# Module.symvers, which only `make modules` writes.
#
# Usage: scripts/build-kernel.sh   (variables: see scripts/lib.sh;
#        PREPARE_ONLY=1: configure and prepare only, below)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
arch_facts

for c in make gcc flex bison bc perl cpio; do
	case $c in
	flex|bison|bc|cpio) need_cmd "$c" "$c" ;;
	*) need_cmd "$c" build-essential ;;
	esac
done
[ -e /usr/include/libelf.h ] || die "libelf.h not found: install libelf-dev"
[ -e /usr/include/openssl/ssl.h ] || die "openssl headers not found: install libssl-dev"
[ -z "$K_CROSS" ] || need_cmd "${K_CROSS}gcc" "$K_CROSS_PKG"

JOBS=${JOBS:-$(nproc)}
mkdir -p "$CS_CACHE/src" "$CS_CACHE/build"

# --- the source tree -------------------------------------------------------
if [ -n "$KSRC" ]; then
	SRC_DIR=$(cd "$KSRC" && pwd) || die "KSRC='$KSRC' is not a directory"
	need_file "$SRC_DIR/Makefile" "KSRC must be a kernel source tree"
	SRC_LABEL=$(make -s -C "$SRC_DIR" kernelversion 2>/dev/null) ||
		die "KSRC='$KSRC': 'make kernelversion' failed: not a kernel tree?"
	SRC_ID="ksrc:$SRC_DIR"
else
	pkg=linux-source-$KVER
	suite=$(cs_kver_suite "$KVER")
	if [ -n "$suite" ]; then
		# Not in the host's sources: deps.sh unpacked it into the cache.
		pdir=$CS_CACHE/pkg/$pkg
		ver=$(cs_pkg_version "$pdir" "$pkg") ||
			die "Debian package '$pkg' (from $suite) is not unpacked in $pdir: KVER=$KVER scripts/deps.sh fetches it"
		tarball=$pdir/usr/src/$pkg.tar.xz
		refetch="KVER=$KVER scripts/deps.sh after rm -r $pdir"
	else
		ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
			die "Debian package '$pkg' is not installed: apt-get install $pkg (scripts/deps.sh does)"
		tarball=/usr/src/$pkg.tar.xz
		refetch="reinstall $pkg"
	fi
	SRC_LABEL=$(printf '%s' "$ver" | tr '~:' '__')
	SRC_ID="pkg:$pkg:$ver"
	SRC_DIR=$CS_CACHE/src/$SRC_LABEL/linux
	if [ ! -e "$CS_CACHE/src/$SRC_LABEL/.extracted" ]; then
		need_file "$tarball" "$refetch"
		log "extracting $tarball"
		rm -rf "$CS_CACHE/src/$SRC_LABEL"
		mkdir -p "$CS_CACHE/src/$SRC_LABEL"
		tar -C "$CS_CACHE/src/$SRC_LABEL" -xf "$tarball"
		mv "$CS_CACHE/src/$SRC_LABEL/$pkg" "$SRC_DIR"
		touch "$CS_CACHE/src/$SRC_LABEL/.extracted"
	fi
fi

# --- the cache key ---------------------------------------------------------
build_key() {	# $1: patch list (may be empty)
	{
		echo "abi=$CS_BUILD_ABI arch=$ARCH flavour=$FLAVOUR src=$SRC_ID"
		fragment_list | xargs cat
		[ -z "$1" ] || printf '%s\n' "$1" | xargs cat
	} | hash_stdin
}
PLIST=$(patch_list)
KEY=$(build_key "$PLIST")
TAG=$(patch_tag)
BDIR=$CS_CACHE/build/$ARCH-$SRC_LABEL-$FLAVOUR-$TAG-$KEY
CLEAN_BDIR=$CS_CACHE/build/$ARCH-$SRC_LABEL-$FLAVOUR-clean-$(build_key "")

if [ -e "$BDIR/.cs-built" ] && [ -z "$KSRC" ]; then
	log "cached: $BDIR"
	echo "$BDIR"
	exit 0
fi

exec 9>"$BDIR.lock"
flock 9

# --- a private copy of the tree, patched -----------------------------------
if [ ! -e "$BDIR/.cs-patched" ]; then
	rm -rf "$BDIR"
	if [ -n "$PLIST" ] && [ -e "$CLEAN_BDIR/.cs-built" ] && [ -z "$KSRC" ]; then
		log "seeding $TAG variant from the clean build"
		cp -a "$CLEAN_BDIR" "$BDIR"
		rm -f "$BDIR/.cs-built"
	else
		log "copying $SRC_DIR"
		mkdir -p "$BDIR"
		cp -a "$SRC_DIR/." "$BDIR/"
	fi
	if [ -n "$PLIST" ]; then
		while IFS= read -r p; do
			log "applying $p"
			patch -d "$BDIR" -p1 --forward --batch --quiet <"$p" ||
				die "patch '$p' does not apply to $SRC_LABEL"
		done <<<"$PLIST"
	fi
	touch "$BDIR/.cs-patched"
elif [ -n "$KSRC" ]; then
	need_cmd rsync rsync
	rsync -a --exclude .git "$SRC_DIR/" "$BDIR/"
fi

# --- configure: allnoconfig + fragments, then check every line took --------
MK=(make -C "$BDIR" -j"$JOBS" ARCH="$K_ARCH" ${K_CROSS:+CROSS_COMPILE=$K_CROSS})
if command -v ccache >/dev/null 2>&1; then
	MK+=(CC="ccache ${K_CROSS}gcc")
fi
FRAG=$BDIR/.cs-fragment.config
fragment_list | xargs cat >"$FRAG"
if [ ! -e "$BDIR/.config" ] || ! cmp -s "$FRAG" "$BDIR/.cs-fragment.applied"; then
	"${MK[@]}" -s KCONFIG_ALLCONFIG="$FRAG" allnoconfig >&2
	"${MK[@]}" -s olddefconfig >&2
	cp "$FRAG" "$BDIR/.cs-fragment.applied"
fi
"$CS_TOP/scripts/check-config.sh" "$FRAG" "$BDIR/.config"

# PREPARE_ONLY=1: configured and prepared for compiling module objects
# (headers, scripts, objtool), no kernel: enough for W=1 and sparse on our
# sources (build-modules.sh OBJECTS_ONLY=1), at a fraction of a cold
# build. A later full build of this variant goes on in the same tree.
if [ "${PREPARE_ONLY:-0}" = 1 ]; then
	if [ ! -e "$BDIR/.cs-prepared" ]; then
		log "preparing $ARCH $SRC_LABEL $FLAVOUR $TAG for module objects in $BDIR"
		"${MK[@]}" -s modules_prepare >&2 || die "make modules_prepare failed in $BDIR"
		touch "$BDIR/.cs-prepared"
	fi
	echo "$BDIR"
	exit 0
fi

# --- build -----------------------------------------------------------------
start=$(date +%s)
log "building $ARCH $SRC_LABEL $FLAVOUR $TAG in $BDIR"
"${MK[@]}" -s "$(basename "$K_IMAGE")" modules >&2 ||
	die "kernel build failed in $BDIR"
need_file "$BDIR/$K_IMAGE"
need_file "$BDIR/Module.symvers"
log "built in $(($(date +%s) - start)) s"
echo "$(($(date +%s) - start))" >"$BDIR/.cs-build-seconds"
touch "$BDIR/.cs-built"
# Older builds of this same variant (other fragments or patch contents)
# are dead weight at ~2 GiB each: drop them.
for old in "$CS_CACHE/build/$ARCH-$SRC_LABEL-$FLAVOUR-$TAG-"*; do
	case $old in "$BDIR"|*.lock) continue ;; esac
	[ -d "$old" ] || continue
	log "removing stale build $old"
	rm -rf "$old" "$old.lock"
done
echo "$BDIR"
