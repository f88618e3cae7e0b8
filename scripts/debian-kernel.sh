#!/bin/bash
# debian-kernel.sh: a Debian stock kernel for the guest, the "insmod on a
# test box" path. Prints "KDIR IMAGE": the installed linux-headers tree to
# build modules against, and the vmlinuz unpacked (never installed: the
# host's /boot is not touched) from linux-image-*-amd64-unsigned.
#
# KVER=6.12 (default) or 6.1 picks the newest such Debian kernel;
# DEBIAN_KREL=6.12.117+deb12-amd64 picks one exactly.
#
# KVER=7.3 (DEBIAN_KREL=7.3.4+deb13-amd64) comes from trixie-backports,
# which the host's sources do not list: image and headers are fetched the
# private way of scripts/debian-apt.sh and unpacked, with the headers'
# -common and linux-kbuild packages, under $CS_CACHE/debian/$DEBIAN_KREL/
# root, whose usr/src/linux-headers-$DEBIAN_KREL is made a KDIR that works
# on this host (see local_kdir).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_vars
[ "$ARCH" = x86_64 ] || die "KERNEL=debian: only ARCH=x86_64 for now"
need_cmd apt-cache apt
need_cmd dpkg-deb dpkg

# local_kdir ROOT KREL: make ROOT/usr/src/linux-headers-KREL, unpacked
# from a newer Debian release, build modules with this host's tools:
#  - its Makefile names /usr/src/...: point it into ROOT;
#  - it asks for the compiler the kernel was built with (gcc-14 for 7.3):
#    without it, the host's gcc; the compiler-capability options
#    (CONFIG_CC_HAS_*, CONFIG_CC_OPT_*, CONFIG_GCC_ASM_GOTO_OUTPUT_BROKEN)
#    then take the host gcc's answers (Kconfig of linux-source-$KVER with
#    the kernel's own .config), nothing else of the config changes;
#  - host tools of its linux-kbuild that need a newer glibc than the
#    host's (7.3: modpost and objtool want GLIBC_2.38) are rebuilt from
#    linux-source-$KVER (make modules_prepare in a scratch tree);
#  - module BTF would need its pahole and resolve_btfids: its BTF-only
#    vmlinux is set aside (vmlinux.btf-only), so modules get no BTF.
local_kdir() {
	local root=$1 krel=$2 kdir kb cc want have s pdir pver sdir o bin real out scratch_src=
	kdir=$root/usr/src/linux-headers-$krel
	need_file "$kdir/Makefile" "linux-headers-$krel unpacked badly"
	need_file "$kdir/.config" "linux-headers-$krel unpacked badly"
	kb=$(readlink -f "$kdir/scripts/..") || die "$kdir/scripts: dangling (linux-kbuild not unpacked?)"
	need_file "$kb/scripts/mod/modpost" "linux-kbuild not unpacked?"
	sed -i "s|/usr/src/|$root/usr/src/|g" "$kdir/Makefile"

	cc=gcc
	if [ -e "$kdir/.kernelvariables" ]; then
		want=$(sed -n 's/^CC = .*(CROSS_COMPILE)\(gcc-[0-9]*\)$/\1/p' "$kdir/.kernelvariables")
		if [ -n "$want" ] && ! command -v "x86_64-linux-gnu-$want" >/dev/null 2>&1; then
			log "$krel: built with $want, which this host lacks: using gcc ($(gcc -dumpversion))"
			sed -i "s/^\(CC = .*(CROSS_COMPILE)\)$want\$/\1gcc/" "$kdir/.kernelvariables"
		fi
	fi

	# linux-source-$KVER: compiler answers and the host tools.
	pdir=$CS_CACHE/pkg/linux-source-$KVER
	pver=$(cs_pkg_version "$pdir" "linux-source-$KVER") || {
		KVER=$KVER "$CS_TOP/scripts/deps.sh" >&2
		pver=$(cs_pkg_version "$pdir" "linux-source-$KVER") ||
			die "Debian package linux-source-$KVER is not unpacked in $pdir: KVER=$KVER scripts/deps.sh fetches it"
	}
	sdir=$CS_CACHE/src/$(printf '%s' "$pver" | tr '~:' '__')/linux
	if [ ! -e "$sdir/../.extracted" ]; then
		scratch_src=$root/../src
		rm -rf "$scratch_src"
		mkdir -p "$scratch_src"
		log "extracting linux-source-$KVER $pver"
		tar -C "$scratch_src" -xf "$pdir/usr/src/linux-source-$KVER.tar.xz"
		sdir=$scratch_src/linux-source-$KVER
	fi
	o=$root/../tools-build
	rm -rf "$o"
	mkdir -p "$o"
	cp "$kdir/.config" "$o/.config"
	log "host tools and compiler answers from linux-source-$KVER $pver (make modules_prepare)"
	make -s -C "$sdir" O="$o" ARCH=x86 CC="$cc" olddefconfig >&2 ||
		die "olddefconfig of $krel's config in linux-source-$KVER failed"
	make -s -C "$sdir" O="$o" ARCH=x86 CC="$cc" -j"$(nproc)" modules_prepare >&2 ||
		die "make modules_prepare in $o failed"
	[ -z "$scratch_src" ] || rm -rf "$scratch_src"

	# The compiler-capability options, as the host gcc answers them.
	local re='^(# )?CONFIG_(CC_HAS_|CC_OPT_|GCC_ASM_GOTO_OUTPUT_BROKEN)'
	want=$(grep -E "$re" "$kdir/.config" | sort || true)
	have=$(grep -E "$re" "$o/.config" | sort || true)
	if [ "$want" != "$have" ]; then
		log "$krel: the host gcc's answers differ: out: $(comm -23 <(echo "$want") <(echo "$have") | paste -sd' '); in: $(comm -13 <(echo "$want") <(echo "$have") | paste -sd' ')"
		for s in $(printf '%s\n%s\n' "$want" "$have" | grep -oE 'CONFIG_[A-Z0-9_]+' | sort -u); do
			sed -i -E "/^(# )?${s}[= ]/d" "$kdir/.config" "$kdir/include/config/auto.conf"
			sed -i -E "/^#define $s /d" "$kdir/include/generated/autoconf.h"
		done
		while IFS= read -r s; do
			echo "$s" >>"$kdir/.config"
			case $s in "#"*|"") continue ;; esac
			echo "$s" >>"$kdir/include/config/auto.conf"
			case ${s#*=} in
			y) echo "#define ${s%%=*} 1" ;;
			*) echo "#define ${s%%=*} ${s#*=}" ;;
			esac >>"$kdir/include/generated/autoconf.h"
		done <<<"$have"
	fi

	# Host tools that do not run here (glibc too old): this host's build.
	for bin in scripts/mod/modpost tools/objtool/objtool; do
		for real in "$kb/$bin".real-lsb-64 "$kb/$bin".real-x86 "$kb/$bin"; do
			[ -f "$real" ] || continue
			out=$("$real" --help 2>&1 || true)
			if [[ $out == *"version \`GLIBC_"*"' not found"* ]]; then
				need_file "$o/$bin" "make modules_prepare did not build it"
				log "$krel: ${real#"$kb"/} needs a newer glibc: replaced by this host's build"
				cp "$o/$bin" "$real"
			fi
			break
		done
	done
	rm -rf "$o"

	[ ! -e "$kdir/vmlinux" ] || mv "$kdir/vmlinux" "$kdir/vmlinux.btf-only"
}

# Another suite's stock kernel (KVER=7.3): everything unpacked privately.
suite=$(cs_kver_suite "$KVER")
if [ -n "$suite" ]; then
	apt_dir=$CS_CACHE/apt-$suite
	updated=
	if [ -z "${DEBIAN_KREL:-}" ]; then
		# Stale lists are fine; rm -r $apt_dir/lists looks for a newer one.
		if ! compgen -G "$apt_dir/lists/*_Packages*" >/dev/null; then
			cs_apt_update "$apt_dir" "$suite" ""
			updated=1
		fi
		pat="^linux-headers-${KVER//./\\.}\\.[0-9]+\\+deb[0-9]+-amd64\$"
		pkg=$(cs_apt "$apt_dir" "$suite" "" apt-cache search --names-only "$pat" |
			cut -d' ' -f1 | sort -V | tail -n 1)
		[ -n "$pkg" ] || die "no Debian package in $suite matches $pat (see $apt_dir/update.log)"
		DEBIAN_KREL=${pkg#linux-headers-}
	fi
	dir=$CS_CACHE/debian/$DEBIAN_KREL
	root=$dir/root
	kdir=$root/usr/src/linux-headers-$DEBIAN_KREL
	img=$dir/vmlinuz
	if [ ! -e "$dir/.cs-ready" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		[ -n "$updated" ] || cs_apt_update "$apt_dir" "$suite" ""
		hdr=linux-headers-$DEBIAN_KREL
		cs_apt_has "$apt_dir" "$suite" "" "$hdr" || die "no Debian package $hdr in $suite"
		# Its -common and linux-kbuild packages, as it depends on them.
		deps=$(cs_apt "$apt_dir" "$suite" "" apt-cache depends "$hdr" |
			awk '$1 == "Depends:" { print $2 }' |
			grep -E '^linux-(headers-.*-common|kbuild-)' | sort -u | paste -sd' ')
		[ -n "$deps" ] || die "$hdr depends on no linux-headers-*-common or linux-kbuild-* package"
		# The kernel image: 7.3's linux-image-* is a metapackage of
		# linux-binary-*; the unsigned one where there is one.
		imgpkg=
		for p in "linux-binary-unsigned-$DEBIAN_KREL" "linux-binary-$DEBIAN_KREL" \
			"linux-image-$DEBIAN_KREL-unsigned" "linux-image-$DEBIAN_KREL"; do
			if cs_apt_has "$apt_dir" "$suite" "" "$p"; then imgpkg=$p; break; fi
		done
		[ -n "$imgpkg" ] || die "no Debian package with the image of $DEBIAN_KREL in $suite"
		# shellcheck disable=SC2086 # deps: a list of names
		cs_apt_fetch "$apt_dir" "$suite" "" "$root" "$hdr" $deps "$imgpkg"
		for v in "$root/usr/lib/modules/$DEBIAN_KREL/vmlinuz.unsigned" \
			"$root/usr/lib/modules/$DEBIAN_KREL/vmlinuz" "$root/boot/vmlinuz-$DEBIAN_KREL"; do
			[ ! -e "$v" ] || { cp "$v" "$img"; break; }
		done
		need_file "$img" "$imgpkg has no vmlinuz"
		local_kdir "$root" "$DEBIAN_KREL"
		need_file "$kdir/Module.symvers" "$hdr has no Module.symvers"
		touch "$dir/.cs-ready"
	fi
	echo "$kdir $img"
	exit 0
fi

if [ -z "${DEBIAN_KREL:-}" ]; then
	case $KVER in
	6.12) pat='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
	6.1) pat='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	esac
	pkg=$(apt-cache search --names-only "$pat" | cut -d' ' -f1 | sort -V | tail -n 1)
	[ -n "$pkg" ] || die "no Debian package matches $pat: run apt-get update"
	DEBIAN_KREL=${pkg#linux-image-}
	DEBIAN_KREL=${DEBIAN_KREL%-unsigned}
fi
kdir=/usr/src/linux-headers-$DEBIAN_KREL
if [ ! -e "$kdir/Module.symvers" ]; then
	log "installing linux-headers-$DEBIAN_KREL"
	"$CS_TOP/scripts/deps.sh" "linux-headers-$DEBIAN_KREL" >&2
fi
need_file "$kdir/Module.symvers" "install linux-headers-$DEBIAN_KREL"

dir=$CS_CACHE/debian/$DEBIAN_KREL
img=$dir/vmlinuz
if [ ! -e "$img" ]; then
	log "downloading linux-image-$DEBIAN_KREL-unsigned"
	rm -rf "$dir"
	mkdir -p "$dir/x"
	(cd "$dir" && apt-get download -q "linux-image-$DEBIAN_KREL-unsigned" >&2) ||
		die "apt-get download linux-image-$DEBIAN_KREL-unsigned failed"
	dpkg-deb -x "$dir"/linux-image-*.deb "$dir/x"
	cp "$dir/x/boot/vmlinuz-$DEBIAN_KREL" "$img"
	rm -rf "$dir/x" "$dir"/*.deb
fi
echo "$kdir $img"
