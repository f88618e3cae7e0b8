#!/bin/bash
# build-modules.sh KERNEL_BUILD_DIR: build the harness modules against a
# kernel build tree, in a per-kernel copy of the sources (so modules for
# several kernels never overwrite each other), and print that directory.
# W=1 by default: the modules must build warning-free with it. C=1 or C=2
# runs sparse: Kbuild honours W and C only on make's command line.
# OBJECTS_ONLY=1: objects only (below).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
arch_facts
[ $# -eq 1 ] || die "usage: $0 KERNEL_BUILD_DIR"
kdir=$1
# OBJECTS_ONLY=1: compile every C file to its object (W=1, sparse with C),
# no modpost, no .ko: needs only a prepared tree (build-kernel.sh
# PREPARE_ONLY=1), not a built kernel's Module.symvers.
objects_only=${OBJECTS_ONLY:-0}
[ "$objects_only" = 1 ] ||
	need_file "$kdir/Module.symvers" "run 'make modules' in $kdir (scripts/build-kernel.sh does)"
[ -z "$K_CROSS" ] || need_cmd "${K_CROSS}gcc" "$K_CROSS_PKG"
# Per kernel and per checkout: two worktrees building at once must not
# rsync their sources into one directory.
out=$CS_CACHE/modules/$(basename "$kdir")-$(printf '%s' "$CS_TOP" | hash_stdin)
mkdir -p "$out"
# By content, not times (-c, no -t): a file that changed is written now,
# so make rebuilds it even when the source is older than the object
# (another checkout or worktree sharing the cache built it last).
rsync -rlc --delete --include='/core/' --include='/gen/' --include='Kbuild' \
	--include='*.[ch]' --exclude='*' \
	"$CS_TOP/" "$out/"
# With C, no -s: it would hide sparse's CHECK lines, which show it ran.
flags=(-s)
[ -z "${C:-}" ] || flags=(C="$C")
# Kbuild drops C= without a word when its checker-valid.sh rejects the
# sparse at hand (7.x wants __typeof_unqual__, which sparse 0.6.4 cannot
# parse): say so and fail instead of passing unchecked.
if [ -n "${C:-}" ] && [ -e "$kdir/scripts/checker-valid.sh" ] &&
	[ "$(sh "$kdir/scripts/checker-valid.sh" sparse 2>/dev/null)" != 1 ]; then
	die "C=$C: this kernel's scripts/checker-valid.sh rejects $(sparse --version 2>&1 | head -n 1) (too old for it): no sparse check is possible here"
fi
mapfile -t -O "${#flags[@]}" flags < <(kbuild_pahole "$kdir")
targets=(modules)
if [ "$objects_only" = 1 ]; then
	targets=()
	while IFS= read -r f; do
		f=${f#"$out"/}
		targets+=("${f%.c}.o")
	done < <(c_files "$out")
fi
make "${flags[@]}" -C "$kdir" M="$out" ARCH="$K_ARCH" ${K_CROSS:+CROSS_COMPILE=$K_CROSS} \
	W="${W:-1}" "${targets[@]}" >&2 || die "module build failed against $kdir"
echo "$out"
