#!/bin/sh
# check-config.sh FRAGMENT DOTCONFIG: fail, naming each line, if a line of
# the fragment did not take effect in the resolved .config (a typo, a
# missing dependency, or an option the tree does not have).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 FRAGMENT .config" >&2; exit 2; }
[ -r "$1" ] || { echo "$0: error: cannot read fragment '$1'" >&2; exit 2; }
[ -r "$2" ] || { echo "$0: error: cannot read config '$2'" >&2; exit 2; }

bad=0
frag=$(cat "$1")
# Later lines win, as in merge_config.sh: only check the last setting.
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		sym=${line%%=*}
		want=$line
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		want=$line
		;;
	*) continue ;;
	esac
	last=$(printf '%s\n' "$frag" | grep -E "^($sym=|# $sym is not set)" | tail -n 1)
	[ "$last" = "$want" ] || continue
	got=$(grep -E "^($sym=|# $sym is not set)" "$2" || true)
	if [ "$want" = "# $sym is not set" ] && [ -z "$got" ]; then
		continue	# absent from .config: its dependencies are off
	fi
	if [ "$got" != "$want" ]; then
		echo "check-config: fragment line '$want' did not take effect (.config has '${got:-nothing}')" >&2
		bad=1
	fi
done <<EOF
$frag
EOF
[ "$bad" -eq 0 ] || { echo "check-config: error: $1 does not apply to this tree" >&2; exit 1; }
