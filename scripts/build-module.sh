#!/bin/bash
# Builds hvtrust.ko out of tree for one kernel, W=1, and fails on any compiler warning.
# Context: host. Usage: build-module.sh KVER OUTDIR [extra make arguments]
set -euo pipefail

kver=$1
out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=/lib/modules/$kver/build
[ -d "$kdir" ] || kdir=/usr/src/linux-headers-$kver

# Each kernel gets its own copy of the sources: Kbuild writes its objects
# next to them, and two kernels must not share objects.
mkdir -p "$out"
rsync_like() {
	(cd "$top" && tar -cf - Kbuild include module vmx ept token uapi) |
		(cd "$out" && tar -xf -)
}
rsync_like

log=$out/build.log
if ! make -C "$kdir" M="$out" W=1 "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module: $kver: build failed" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$log" >&2; then
	echo "build-module: $kver: the build printed warnings (log: $log)" >&2
	exit 1
fi
echo "build-module: $kver: $out/hvtrust.ko built warning-free with W=1"
