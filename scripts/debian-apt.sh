# shellcheck shell=sh
# Debian packages the host's apt sources do not offer (another suite, or
# another architecture), fetched with apt-get and unpacked with dpkg-deb
# into the cache: never installed, and the host's apt setup (/etc/apt,
# dpkg's status and architectures) stays as it is. Sourced, never run, by
# deps.sh (POSIX sh) and lib.sh (bash); the sourcing script gives die().
#
# A private apt state lives in a directory of $CS_CACHE: its own package
# lists and cache, an empty dpkg status, and, for another suite, its own
# sources.list naming only that suite of the Debian archive the host's own
# apt sources use (CS_DEBIAN_URI=... overrides that), signed by
# debian-archive-keyring.

# cs_kver_suite KVER: the Debian suite that has linux-source-KVER and the
# stock kernel of KVER when the host's own (bookworm) sources do not;
# nothing for a release the host's sources have.
cs_kver_suite() {
	case $1 in
	7.3) echo trixie-backports ;;
	*) ;;
	esac
}

# cs_debian_uri: the URI of the main Debian archive in the host's apt
# sources: the first enabled deb source (deb822 .sources or one-line
# .list) of suite $VERSION_CODENAME (or stable) with component main.
cs_debian_uri() {
	if [ -n "${CS_DEBIAN_URI:-}" ]; then
		echo "$CS_DEBIAN_URI"
		return 0
	fi
	cs_codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	cs_codename=${cs_codename:-stable}
	cs_sl=/etc/apt/sources.list
	cs_sp=/etc/apt/sources.list.d
	if command -v apt-config >/dev/null 2>&1; then
		eval "$(apt-config shell cs_sl Dir::Etc::sourcelist/f cs_sp Dir::Etc::sourceparts/d)"
	fi
	cs_uri=$(
		for f in "$cs_sl" "${cs_sp%/}"/*.list; do
			[ -r "$f" ] || continue
			awk -v cn="$cs_codename" '
			$1 != "deb" { next }
			{
				i = 2
				if ($2 ~ /^\[/) {	# [options]: up to the field ending in ]
					while (i <= NF && $i !~ /\]$/) i++
					i++
				}
				uri = $i; suite = $(i + 1)
				if (suite != cn && suite != "stable") next
				for (j = i + 2; j <= NF; j++)
					if ($j == "main") { print uri; exit }
			}' "$f"
		done
		for f in "${cs_sp%/}"/*.sources; do
			[ -r "$f" ] || continue
			awk -v cn="$cs_codename" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no" &&
				    (" " suites " ") ~ (" (" cn "|stable) ") &&
				    (" " comps " ") ~ / main /) {
					split(uris, u, " "); print u[1]; exit
				}
				types = uris = suites = comps = enabled = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			{
				key = tolower($1); $1 = ""; sub(/^[ \t]+/, "")
				if (key == "types:") types = $0
				else if (key == "uris:") uris = $0
				else if (key == "suites:") suites = $0
				else if (key == "components:") comps = $0
				else if (key == "enabled:") enabled = tolower($0)
			}
			END { flush() }' "$f"
		done | head -n 1
	)
	[ -n "$cs_uri" ] ||
		die "no Debian archive (a deb source of suite $cs_codename or stable, component main) in $cs_sl or $cs_sp: set CS_DEBIAN_URI=<Debian archive URI>"
	echo "$cs_uri"
}

# cs_apt DIR SUITE ARCH COMMAND [ARGS...]: run apt-get or apt-cache
# (COMMAND) with the private state in DIR. SUITE empty: the host's own
# sources; else only SUITE main of the host's Debian archive. ARCH empty:
# the host's architecture; else only that (Debian) architecture.
cs_apt() {
	cs_dir=$1 cs_suite=$2 cs_arch=$3 cs_cmd=$4
	shift 4
	set -- -q -o Dir::State::Lists="$cs_dir/lists" -o Dir::Cache="$cs_dir/cache" \
		-o Dir::State::status=/dev/null "$@"
	if [ -n "$cs_suite" ]; then
		set -- -o Dir::Etc::SourceList="$cs_dir/sources.list" \
			-o Dir::Etc::SourceParts=/dev/null "$@"
	fi
	if [ -n "$cs_arch" ]; then
		set -- -o APT::Architecture="$cs_arch" -o APT::Architectures="$cs_arch" "$@"
	fi
	# Root: apt would drop to its _apt user, who cannot write here.
	[ "$(id -u)" -ne 0 ] || set -- -o APT::Sandbox::User=root "$@"
	"$cs_cmd" "$@"
}

# cs_apt_update DIR SUITE ARCH: write DIR's sources.list (for a SUITE) and
# fetch its package lists. For another suite a failure is fatal; for the
# host's sources only a warning (a source without ARCH makes update
# complain; the download then says whether the archive answered).
cs_apt_update() {
	for c in apt-get apt-cache dpkg-deb; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found: install the Debian packages apt and dpkg"
	done
	mkdir -p "$1/lists/partial" "$1/cache/archives/partial"
	if [ -n "$2" ]; then
		cs_key=/usr/share/keyrings/debian-archive-keyring.gpg
		[ -r "$cs_key" ] ||
			die "missing file '$cs_key': install the Debian package debian-archive-keyring"
		printf 'deb [signed-by=%s] %s %s main\n' "$cs_key" "$(cs_debian_uri)" "$2" >"$1/sources.list"
	fi
	cs_what=${2:-the host sources}
	[ -z "$3" ] || cs_what="$cs_what, $3"
	echo "${0##*/}: apt-get update ($cs_what) in $1" >&2
	if ! cs_apt "$1" "$2" "$3" apt-get update >"$1/update.log" 2>&1; then
		[ -z "$2" ] ||
			die "apt-get update of Debian suite '$2' failed (see $1/update.log)"
		echo "${0##*/}: warning: apt-get update${3:+ for $3} reported errors (see $1/update.log)" >&2
	fi
}

# cs_apt_has DIR SUITE ARCH PACKAGE: whether the lists in DIR have PACKAGE.
cs_apt_has() {
	cs_apt "$1" "$2" "$3" apt-cache show --no-all-versions "$4" >/dev/null 2>&1
}

# cs_apt_fetch DIR SUITE ARCH DEST PACKAGE...: download the PACKAGEs with
# the private state in DIR (cs_apt_update first) and unpack them all into
# DEST (replaced as a whole), with DEST/.cs-versions: "package version" lines.
cs_apt_fetch() {
	cs_dir=$1 cs_suite=$2 cs_arch=$3 cs_dest=$4
	shift 4
	rm -rf "$cs_dir/deb" "$cs_dest.new"
	mkdir -p "$cs_dir/deb" "$cs_dest.new"
	cs_what="$*"
	[ -z "$cs_suite" ] || cs_what="$cs_what from $cs_suite"
	[ -z "$cs_arch" ] || cs_what="$cs_what for $cs_arch"
	echo "${0##*/}: fetching $cs_what" >&2
	(cd "$cs_dir/deb" && cs_apt "$cs_dir" "$cs_suite" "$cs_arch" apt-get download "$@" \
		>"$cs_dir/download.log" 2>&1) ||
		die "could not download the Debian package(s) $cs_what (see $cs_dir/download.log and $cs_dir/update.log)"
	for p in "$@"; do
		set -- "$cs_dir/deb/${p}"_*.deb
		[ -e "$1" ] || die "apt-get download left no ${p}_*.deb in $cs_dir/deb"
		dpkg-deb -x "$1" "$cs_dest.new" || die "dpkg-deb -x $1 failed"
		echo "$p $(dpkg-deb -f "$1" Version)" >>"$cs_dest.new/.cs-versions"
	done
	rm -rf "$cs_dest" "$cs_dir/deb"
	mv "$cs_dest.new" "$cs_dest"
}

# cs_pkg_version DEST PACKAGE: the version of PACKAGE unpacked into DEST
# by cs_apt_fetch; fails when it is not there.
cs_pkg_version() {
	[ -r "$1/.cs-versions" ] || return 1
	awk -v p="$2" '$1 == p { print $2; f = 1 } END { exit !f }' "$1/.cs-versions"
}
