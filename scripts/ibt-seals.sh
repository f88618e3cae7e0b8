#!/bin/bash
# ibt-seals.sh IMAGE MAP "ROUTES": check the symbol routes a module
# reported (its "symbols:" line, "name=route ...", decided with
# assume_ibt=1) against the kernel image itself. objtool lists every
# function whose address the image never takes in the section
# .ibt_endbr_seal (s32 offsets, each relative to its own slot); at boot
# apply_seal_endbr() turns their ENDBR64 into a 4-byte NOP, on every CPU,
# and an indirect call to one faults on an IBT CPU. So:
#   kallsyms                  a function here must not be in the list;
#   refused:sealed-by-ibt,
#   kallsyms+ibt-lifted       it must be;
#   export, missing           nothing to check (exports are never sealed);
# and at least one sealed function must have been refused, or the test
# shows nothing. MAP is in System.map's (and /proc/kallsyms') format,
# "ADDR TYPE NAME", at the image's own addresses (KASLR off). Data
# symbols (not text) are read, not called: skipped. Exit 0 when every
# route agrees with the image.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 3 ] || die "usage: $0 IMAGE MAP ROUTES"
img=$1 map=$2 routes=$3
need_file "$img" "the kernel image (bzImage)"
need_file "$map" "the symbol map (System.map format)"
[ -n "$routes" ] || die "no routes given"

# The uncompressed vmlinux, by the kernel's own extract-vmlinux.
# find's status is ignored: another build may be unpacking or removing a
# tree under src/ meanwhile, and a vanished directory must not end the check.
ex=$(find "$CS_CACHE/src" -path '*/scripts/extract-vmlinux' -print -quit 2>/dev/null || true)
[ -n "$ex" ] || die "scripts/extract-vmlinux not found under $CS_CACHE/src (KVER=7.3 scripts/build-kernel.sh unpacks a source tree)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$ex" "$img" >"$tmp/vmlinux" 2>/dev/null || die "extract-vmlinux could not unpack $img (needs xz/zstd/gzip)"

# The seal list, as offsets from the section's start: slot i at 4*i
# holds v, so the sealed function is at section + 4*i + v.
need_cmd readelf binutils
read -r sec_addr sec_off sec_size < <(readelf -SW "$tmp/vmlinux" |
	awk '{ for (i = 1; i < NF; i++) if ($i == ".ibt_endbr_seal") { print $(i + 2), $(i + 3), $(i + 4); exit } }') ||
	die "$img has no .ibt_endbr_seal section: not built with CONFIG_X86_KERNEL_IBT"
od -An -v -t d4 -j $((16#$sec_off)) -N $((16#$sec_size)) "$tmp/vmlinux" |
	awk '{ for (j = 1; j <= NF; j++) { print $j + 4 * i; i++ } }' | sort -u >"$tmp/sealed"
echo "ibt-seals: $(wc -l <"$tmp/sealed") functions sealed in the image"

# sealed NAME: yes or no for a text symbol; nothing for any other.
sealed() {
	local addr
	addr=$(awk -v n="$1" '$3 == n && $2 ~ /^[Tt]$/ { print $1; exit }' "$map")
	[ -n "$addr" ] || return 0
	if grep -qx -- "$((16#$addr - 16#$sec_addr))" "$tmp/sealed"; then echo yes; else echo no; fi
}

bad=0 refused=0 checked=0
for kv in $routes; do
	name=${kv%%=*} route=${kv#*=}
	case $route in export|missing) continue ;; esac
	sealed=$(sealed "$name")
	[ -n "$sealed" ] || continue
	checked=$((checked + 1))
	case $route in
	kallsyms) want=no ;;
	refused:sealed-by-ibt) want=yes; refused=$((refused + 1)) ;;
	kallsyms+ibt-lifted) want=yes ;;
	*) echo "$name: unknown route '$route'"; bad=1; continue ;;
	esac
	echo "$name: route $route, sealed in the image: $sealed"
	[ "$sealed" = "$want" ] || { echo "  MISMATCH: the route says sealed=$want"; bad=1; }
done
[ "$checked" -gt 0 ] || { echo "no function route could be checked"; exit 1; }
[ "$refused" -gt 0 ] || { echo "no sealed function was refused: the refusal was not shown"; exit 1; }
echo "ibt-seals: $checked routes checked against the image, $refused refused"
exit "$bad"
