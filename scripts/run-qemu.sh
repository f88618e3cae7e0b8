#!/bin/bash
# run-qemu.sh KERNEL_IMAGE INITRD CONSOLE_LOG [EXTRA_CMDLINE]
#
# Boot one guest and copy its console to CONSOLE_LOG (and to stderr when
# VERBOSE=1). The guest powers itself off; a wall-clock limit (TIMEOUT
# seconds) kills one that hangs, and the log then ends without the
# "cs-guest: done" marker, which the verdict parser reports.
#
# Memory layout (x86_64, MEM=2048): ZONE_MOVABLE is the top 768 MiB
# (movablecore=), so its memory blocks can be offlined; the CMA area is
# placed at 0x50200000, pageblock aligned but not MAX_ORDER aligned, so the
# area's first pageblock has its order-10 buddy outside the area. Memory
# blocks holding CMA pages refuse to go offline; the blocks above
# 0x60000000 hold none.
#
# arm64 (-M virt, MEM=2048): RAM starts at 0x40000000 and the same layout
# sits 1 GiB higher: ZONE_MOVABLE from 0x90000000 and the cma= area at
# 0x90200000-0xa0000000. A second CMA area comes from the device tree
# (kernel/dt/cma-pool.dtsi, a reusable shared-dma-pool at 0x88200000,
# below ZONE_MOVABLE): QEMU's own DTB for this machine, -smp and -m is
# dumped, the node is added with dtc, and the result is booted with -dtb
# (kept beside CONSOLE_LOG as guest.dtb). arm64 refuses to offline boot
# memory (its memory notifier answers MEM_GOING_OFFLINE with NOTIFY_BAD):
# offlines of the boot blocks get as far as isolating them and are refused.
# So a virtio-mem device adds HOTMEM MiB (512) right above RAM (0xc0000000
# on), which the guest onlines to ZONE_MOVABLE at boot: movable blocks
# without CMA that G3 really offlines and onlines.
#
# SIZE=big (guest/size/big) is a test box in small: 8 vCPUs, 12 GiB in two
# NUMA nodes, per-node and hugetlb_cma= areas beside the cma= one.
#
# Variables: SIZE (default|big: guest/size/$SIZE gives the next three),
# SMP (2), MEM (MiB, 2048), NODES (NUMA nodes, 1), TIMEOUT (s, 300), ACCEL
# (auto|tcg|icount|kvm; auto uses KVM only when a probe boot under it
# works; icount: TCG on one host thread, guest time counted in instructions),
# HOTMEM (arm64: MiB of virtio-mem memory, 512; 0 for none).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
arch_facts
[ $# -ge 3 ] || die "usage: $0 KERNEL_IMAGE INITRD CONSOLE_LOG [EXTRA_CMDLINE]"
kimg=$1 initrd=$2 clog=$3 extra=${4:-}
need_file "$kimg"
need_file "$initrd"
need_cmd "$QEMU" "$QEMU_PKG"
need_cmd timeout coreutils

size_facts
HOTMEM=${HOTMEM:-512}
TIMEOUT=${TIMEOUT:-300}
# CS_DEADLINE (epoch seconds, set by scripts/test.sh): no guest outlives it.
if [ -n "${CS_DEADLINE:-}" ]; then
	left=$((CS_DEADLINE - $(date +%s)))
	[ "$left" -ge 30 ] || left=30
	[ "$TIMEOUT" -le "$left" ] || TIMEOUT=$left
fi
ACCEL=${ACCEL:-auto}
case $SMP in ''|*[!0-9]*) die "SMP='$SMP' must be a number" ;; esac
case $MEM in ''|*[!0-9]*) die "MEM='$MEM' must be a number of MiB" ;; esac
[ "$MEM" -ge 2048 ] || die "MEM=$MEM: the CMA and movable layout needs at least 2048 MiB"
case $NODES in ''|*[!0-9]*|0) die "NODES='$NODES' must be a number of NUMA nodes, 1 or more" ;; esac
if { [ "$SMP" -ge "$NODES" ] && [ $((SMP % NODES)) -ne 0 ]; } || [ $((MEM % (NODES * 128))) -ne 0 ]; then
	die "NODES=$NODES must divide SMP=$SMP (or exceed it), and MEM=$MEM into 128 MiB multiples"
fi
[ "$NODES" -eq 1 ] || [ "$ARCH" = x86_64 ] || die "NODES=$NODES: NUMA guests are x86_64 only"
case $HOTMEM in ''|*[!0-9]*) die "HOTMEM='$HOTMEM' must be a number of MiB" ;; esac
[ $((HOTMEM % 128)) -eq 0 ] || die "HOTMEM=$HOTMEM: use a multiple of 128 MiB (the memory block size)"

# The CMA area ends 1.5 GiB into RAM; ZONE_MOVABLE takes what lies above
# 1.25 GiB into RAM.
case $ARCH in
x86_64) ram_base=0 ;;
arm64) ram_base=$((0x40000000)) ;;
esac
cma_area=$(printf '254M@0x%x-0x%x' $((ram_base + 0x50200000)) $((ram_base + 0x60000000)))
movable=${size_movable:-$((MEM - 1280))}
cmdline="console=$CONSOLE panic=-1 loglevel=7 movablecore=${movable}M"
# nokaslr: a kernel built with RANDOMIZE_BASE (Debian's stock ones) may
# decompress itself into the fixed window the cma= area needs, and then
# boots without it ("cma: Failed to reserve"; one stock 7.3 boot in a few).
cmdline="$cmdline cma=$cma_area nokaslr hung_task_panic=0${size_boot:+ $size_boot}"
[ "$FLAVOUR" != debug ] || cmdline="$cmdline page_owner=on"
# The QEMU memory options: -m, and on arm64 the virtio-mem device.
mem_args=(-m "$MEM")
hot=
if [ "$ARCH" = arm64 ] && [ "$HOTMEM" -gt 0 ]; then
	mem_args=(-m "$MEM,maxmem=$((MEM + HOTMEM))M"
		-object "memory-backend-ram,id=cs-hotmem,size=${HOTMEM}M"
		-device "virtio-mem-pci,id=cs-vmem,memdev=cs-hotmem,requested-size=${HOTMEM}M")
	cmdline="$cmdline memhp_default_state=online_movable"
	hot=" hotmem=${HOTMEM}M"
fi
# NUMA: NODES equal nodes, each with its share of RAM and of the vCPUs,
# one socket a node (a socket spanning nodes makes the scheduler WARN that
# an LLC sibling sits on another node). Fewer vCPUs than nodes (SMP=1 for
# ACCEL=icount): every vCPU on node 0, the other nodes memory only.
smp_arg=$SMP
if [ "$NODES" -gt 1 ]; then
	c=$((SMP / NODES))
	[ "$c" -gt 0 ] && smp_arg="$SMP,sockets=$NODES,cores=$c,threads=1"
	for ((n = 0; n < NODES; n++)); do
		if [ "$c" -gt 0 ]; then
			cpus=",cpus=$((n * c))-$((n * c + c - 1))"
		elif [ "$n" -eq 0 ]; then
			cpus=",cpus=0-$((SMP - 1))"
		else
			cpus=
		fi
		mem_args+=(-object "memory-backend-ram,id=cs-node$n,size=$((MEM / NODES))M"
			-numa "node,nodeid=$n,memdev=cs-node$n$cpus")
	done
fi
cmdline="$cmdline $extra"

accel_args() {
	case $1 in
	kvm) echo "-accel kvm -cpu host" ;;
	tcg) echo "-accel tcg,thread=multi -cpu max" ;;
	# One host thread runs every vCPU and the guest's clock counts its
	# instructions (2^0 ns each): a vCPU the host deschedules loses no
	# guest time, so a hold measured in the guest is the guest's own work.
	icount) echo "-accel tcg,thread=single -icount shift=0,sleep=on -cpu max" ;;
	esac
}

machine_args() {
	case $ARCH in
	x86_64) echo "-M pc" ;;
	arm64) echo "-M virt,gic-version=3" ;;
	esac
}

# KVM guests crash on some hosts (they do on the project's CI machines):
# /dev/kvm is not proof. Boot the probe job once under KVM and trust it only
# if the guest reached userspace; the answer is cached per host boot.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	[ "$ARCH" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || return 1
	local stamp probe_log
	stamp=$CS_CACHE/kvm-probe.$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo x)
	if [ ! -e "$stamp" ]; then
		probe_log=$(mktemp)
		# A crashing QEMU is an answer too: keep its abort message quiet.
		# shellcheck disable=SC2046
		(timeout 60 "$QEMU" $(machine_args) $(accel_args kvm) -smp 1 -m 512 \
			-display none -monitor none -serial "file:$probe_log" -no-reboot \
			-kernel "$kimg" -initrd "$initrd" \
			-append "console=$CONSOLE panic=-1 cs_probe" </dev/null >/dev/null 2>&1) \
			2>/dev/null || true
		if grep -q 'cs-guest: start' "$probe_log"; then echo kvm >"$stamp"; else echo tcg >"$stamp"; fi
		rm -f "$probe_log"
	fi
	[ "$(cat "$stamp")" = kvm ]
}

case $ACCEL in
auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
kvm|tcg|icount) accel=$ACCEL ;;
*) die "ACCEL='$ACCEL': use auto, tcg, icount or kvm" ;;
esac

# arm64: QEMU's device tree for exactly this machine plus the DT CMA pool.
dtb_args=()
if [ "$ARCH" = arm64 ]; then
	need_cmd dtc device-tree-compiler
	dtsi=$CS_TOP/kernel/dt/cma-pool.dtsi
	need_file "$dtsi"
	dtb=$(dirname "$clog")/guest.dtb
	# shellcheck disable=SC2046
	"$QEMU" $(machine_args) -machine dumpdtb="$dtb.qemu" $(accel_args "$accel") \
		-smp "$smp_arg" "${mem_args[@]}" -display none -monitor none </dev/null >/dev/null 2>&1 ||
		die "$QEMU could not dump its device tree (-machine dumpdtb=$dtb.qemu)"
	{ dtc -q -I dtb -O dts "$dtb.qemu" && cat "$dtsi"; } |
		dtc -q -I dts -O dtb -o "$dtb" - ||
		die "dtc could not add $dtsi to QEMU's device tree"
	rm -f "$dtb.qemu"
	dtb_args=(-dtb "$dtb")
fi

# boot: one QEMU run of the guest, its console in $clog.
boot() {
	local qpid rc
	: >"$clog"
	set +e
	# shellcheck disable=SC2046
	timeout --kill-after=10 "$TIMEOUT" "$QEMU" $(machine_args) $(accel_args "$accel") \
		-smp "$smp_arg" "${mem_args[@]}" -display none -monitor none -no-reboot \
		-serial "file:$clog" -kernel "$kimg" -initrd "$initrd" "${dtb_args[@]}" \
		-append "$cmdline" </dev/null &
	qpid=$!
	if [ "${VERBOSE:-0}" = 1 ]; then
		tail -n +1 -f "$clog" --pid="$qpid" >&2 &
	fi
	wait "$qpid"
	rc=$?
	set -e
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "cs-runner: guest killed after ${TIMEOUT}s wall-clock limit" >>"$clog"
	elif [ "$rc" -ne 0 ]; then
		echo "cs-runner: qemu exited with status $rc" >>"$clog"
	fi
}

log "booting $ARCH $accel size=$SIZE smp=$SMP mem=${MEM}M nodes=$NODES$hot timeout=${TIMEOUT}s"
boot
# Multi-threaded TCG now and then runs a stale translation of code that
# another vCPU's text_poke_bp() has already restored: an "Oops: int3"
# during boot (seen on Debian's stock 7.3, in set_next_task_fair(), about
# one boot in five here), before any job or module. That is the
# emulator's, not the kernel's or ours: such a boot, and only such a one,
# is made again once; its console is kept beside the new one.
if [ "$accel" = tcg ] && ! grep -aq '^cs-guest: start' "$clog" &&
	grep -aq 'Oops: int3' "$clog"; then
	mv "$clog" "${clog%.log}.boot1.log"
	log "the guest died of an int3 oops while booting (TCG, before the job): booting again"
	boot
	echo "cs-rerun: boot 1 died of an int3 oops before the job (TCG): ${clog%.log}.boot1.log; this is boot 2" >>"$clog"
fi
exit 0
