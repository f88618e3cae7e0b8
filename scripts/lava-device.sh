#!/bin/bash
# lava-device.sh JOB.yaml OUT.yaml: the device configuration lava-run needs
# for LAVA's qemu device type, rendered as a LAVA server renders it for a
# job: lava/device-qemu.jinja2 (the device dictionary, extending
# qemu.jinja2) with the job's context variables.
#
# The device-type templates (qemu.jinja2, base.jinja2) ship in Debian's
# lava-server package, not in lava-dispatcher. lava-server itself (a
# Django site with PostgreSQL) is not needed to run a job: when it is not
# installed, its .deb is fetched with `apt-get download lava-server` and
# unpacked, not installed, to $CS_CACHE/lava-server; only the templates
# are used.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: $0 JOB.yaml OUT.yaml"
job=$1 out=$2
need_file "$job"
need_file "$CS_TOP/lava/device-qemu.jinja2"
need_cmd python3 python3
python3 -c 'import jinja2, yaml' 2>/dev/null ||
	die "python3 cannot import jinja2 and yaml: install the Debian packages python3-jinja2 python3-yaml"

templates=
for d in /etc/lava-server/dispatcher-config/device-types /usr/share/lava-server/device-types \
	"$CS_CACHE/lava-server/usr/share/lava-server/device-types"; do
	if [ -e "$d/qemu.jinja2" ] && [ -e "$d/base.jinja2" ]; then
		templates=$d
		break
	fi
done
if [ -z "$templates" ]; then
	log "no LAVA device-type templates: fetching them from Debian's lava-server package (not installed)"
	need_cmd apt-get apt
	need_cmd dpkg-deb dpkg
	dl=$(mktemp -d)
	trap 'rm -rf "$dl"' EXIT
	chmod 777 "$dl"	# apt's _apt user writes there
	(cd "$dl" && apt-get download lava-server >&2) ||
		die "apt-get download lava-server failed: install the Debian package lava-server (or run apt-get update), which ships the device-type templates"
	rm -rf "$CS_CACHE/lava-server"
	dpkg-deb -x "$dl"/lava-server_*.deb "$CS_CACHE/lava-server" ||
		die "cannot unpack the lava-server package to $CS_CACHE/lava-server"
	templates=$CS_CACHE/lava-server/usr/share/lava-server/device-types
	need_file "$templates/qemu.jinja2" "the lava-server package has no qemu device type"
fi

python3 - "$job" "$out" "$CS_TOP/lava" "$templates" <<'PY'
import sys
import jinja2
import yaml

job, out, ours, templates = sys.argv[1:]
with open(job) as f:
    context = yaml.safe_load(f).get("context", {})
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader([ours, templates]),
    trim_blocks=True,
    autoescape=False,
)
text = env.get_template("device-qemu.jinja2").render(**context)
yaml.safe_load(text)  # the result must be YAML, as lava-run reads it
with open(out, "w") as f:
    f.write(text)
PY
