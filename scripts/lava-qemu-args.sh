#!/bin/bash
# lava-qemu-args.sh KERNEL_IMAGE INITRD [EXTRA_CMDLINE]
#
# The guest `make run` boots, as LAVA's qemu device type takes it: runs
# scripts/run-qemu.sh with a stand-in for QEMU first on PATH that records
# its arguments and boots nothing, so the machine, memory layout and kernel
# command line (cma=, movablecore=, SIZE, SMP, MEM, NODES, ACCEL) are
# run-qemu.sh's own, never a copy of them. Prints:
#
#   append CMDLINE     the kernel command line (-append)
#   mem MIB            -m (LAVA's device dictionary sets it: context memory)
#   opt OPTION VALUE   every other option, one a line (context extra_options)
#
# Left out, as LAVA's device type provides them: -kernel and -initrd (the
# job's images), -serial file:... (LAVA reads the serial console on stdio,
# -nographic), -display none (implied by -nographic) and -monitor none.
# x86_64 only: the qemu device type adds its own -cpu and -machine on arm64.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
arch_facts
[ $# -ge 2 ] || die "usage: $0 KERNEL_IMAGE INITRD [EXTRA_CMDLINE]"
[ "$ARCH" = x86_64 ] || die "ARCH=$ARCH: the LAVA job template is for x86_64 guests (LAVA's qemu device type adds -cpu cortex-a57 -machine virt on arm64, which the harness's arm64 guest cannot take)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/$QEMU" <<'EOF'
#!/bin/sh
# scripts/lava-qemu-args.sh's stand-in: record the arguments, boot nothing.
printf '%s\n' "$@" >"$CS_LAVA_ARGV"
EOF
chmod +x "$tmp/$QEMU"
# ACCEL=auto would probe KVM by booting a guest: LAVA's device decides.
CS_LAVA_ARGV=$tmp/argv PATH=$tmp:$PATH ACCEL=${ACCEL:-tcg} \
	"$CS_TOP/scripts/run-qemu.sh" "$1" "$2" "$tmp/console.log" "${3:-}" >/dev/null 2>&1 ||
	die "scripts/run-qemu.sh refused the settings; run it alone to see why"
[ -s "$tmp/argv" ] || die "scripts/run-qemu.sh did not call $QEMU"

mapfile -t argv <"$tmp/argv"
i=0
while [ "$i" -lt "${#argv[@]}" ]; do
	a=${argv[i]}
	v=${argv[i + 1]:-}
	case $a in
	-append) v=${v%"${v##*[! ]}"}; echo "append $v"; i=$((i + 2)) ;;
	-m) echo "mem $v"; i=$((i + 2)) ;;
	-kernel|-initrd|-serial|-display|-monitor) i=$((i + 2)) ;;
	-no-reboot|-nographic) echo "opt $a"; i=$((i + 1)) ;;
	-*)
		if [ -n "$v" ] && [ "${v#-}" = "$v" ]; then
			echo "opt $a $v"; i=$((i + 2))
		else
			echo "opt $a"; i=$((i + 1))
		fi
		;;
	*) die "unexpected QEMU argument '$a' from scripts/run-qemu.sh" ;;
	esac
done
