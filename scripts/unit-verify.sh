#!/bin/bash
# Checks hvtrust.service with "systemd-analyze verify" as make install writes it, against
# the files of a temporary install (ExecStart= binaries, Documentation= man pages); any
# diagnostic is a failure. Context: host, root or not, systemd need not be PID 1;
# "make unit-verify", counted by scripts/check.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v systemd-analyze >/dev/null || { echo "unit-verify: systemd-analyze is missing (make deps)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s --no-print-directory install DESTDIR="$tmp/root" SYSTEMDUNITDIR=/lib/systemd/system \
	>"$tmp/make.log" 2>&1 || { cat "$tmp/make.log" >&2; exit 1; }
unit=$tmp/root/lib/systemd/system/hvtrust.service
# The unit names /usr/local/sbin/hvtrustctl; verify a copy that names the
# staged one, so that every ExecStart= binary is checked to exist.
mkdir -p "$tmp/verify"
sed "s|/usr/local/sbin/|$tmp/root/usr/local/sbin/|g" "$unit" >"$tmp/verify/hvtrust.service"
grep -q "^ExecStart=$tmp/root/usr/local/sbin/hvtrustctl " "$tmp/verify/hvtrust.service" ||
	{ echo "unit-verify: the unit does not run the installed hvtrustctl" >&2; exit 1; }
for cmd in $(sed -n 's/^ExecStart=-\{0,1\}\([^ ]*\).*/\1/p' "$tmp/verify/hvtrust.service"); do
	[ -x "$cmd" ] || { echo "unit-verify: ExecStart $cmd is not executable" >&2; exit 1; }
done
# man: links resolve against the staged pages.
out=$(MANPATH=$tmp/root/usr/local/share/man SYSTEMD_LOG_COLOR=0 \
	systemd-analyze verify "$tmp/verify/hvtrust.service" 2>&1) || rc=$?
if [ -n "$out" ] || [ "${rc:-0}" -ne 0 ]; then
	echo "$out" >&2
	echo "unit-verify: systemd-analyze verify failed (status ${rc:-0})" >&2
	exit 1
fi
echo "unit-verify: hvtrust.service passes systemd-analyze verify" \
	"($(systemd-analyze --version | awk 'NR == 1 { print $1, $2 }'))"
