#!/bin/bash
# ibt-seals.sh IMAGE MAP "ROUTES": check the symbol routes a module
# reported (its "symbols:" line, "name=route ...", decided with
# assume_ibt=1) against the kernel image itself. objtool seals a function
# whose address the image never takes by turning its ENDBR64 (f3 0f 1e fa)
# into a 4-byte NOP (66 0f 1f 00); an indirect call to it faults on an IBT
# CPU. So:
#   kallsyms                  a function here must start with ENDBR64;
#   refused:sealed-by-ibt,
#   kallsyms+ibt-lifted       it must start with the seal;
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
need_cmd objdump binutils
[ -n "$routes" ] || die "no routes given"

# The uncompressed vmlinux, by the kernel's own extract-vmlinux.
ex=$(find "$CS_CACHE/src" -path '*/scripts/extract-vmlinux' 2>/dev/null | head -n 1)
[ -n "$ex" ] || die "scripts/extract-vmlinux not found under $CS_CACHE/src (KVER=7.3 scripts/build-kernel.sh unpacks a source tree)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$ex" "$img" >"$tmp/vmlinux" 2>/dev/null || die "extract-vmlinux could not unpack $img (needs xz/zstd/gzip)"

# first4 NAME: the first 4 bytes of text symbol NAME, as 8 hex digits;
# nothing for a symbol that is not text.
first4() {
	local addr end
	addr=$(awk -v n="$1" '$3 == n && $2 ~ /^[Tt]$/ { print $1; exit }' "$map")
	[ -n "$addr" ] || return 0
	end=$(printf '%x' $((16#$addr + 4)))
	objdump -s --start-address="0x$addr" --stop-address="0x$end" "$tmp/vmlinux" |
		awk '/^ [0-9a-f]+ / { print $2; exit }'
}

bad=0 refused=0 checked=0
for kv in $routes; do
	name=${kv%%=*} route=${kv#*=}
	case $route in export|missing) continue ;; esac
	insn=$(first4 "$name")
	[ -n "$insn" ] || continue
	case $insn in
	f30f1efa) sealed=no ;;
	660f1f00) sealed=yes ;;
	*) echo "$name: starts with $insn, neither ENDBR64 nor the seal (an image without IBT?)"; bad=1; continue ;;
	esac
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
