#!/bin/bash
# Builds hvtrust.ko out of tree for one kernel, W=1 and sparse, and fails on any warning.
# It is the bench's build: with the selftests' hooks (HVT_TEST_HOOKS=y, see Kbuild);
# what DKMS and "make module" build has none.
# Context: host. Usage: build-module.sh KVER OUTDIR [extra make arguments]
set -euo pipefail

kver=$1
out=$(realpath -m "$2")
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=/lib/modules/$kver/build
[ -d "$kdir" ] || kdir=/usr/src/linux-headers-$kver

# Each kernel gets its own copy of the sources: Kbuild writes its objects
# next to them, and two kernels must not share objects.
mkdir -p "$out"
rsync_like() {
	(cd "$top" && tar -cf - Kbuild VERSION include module vmx ept token uapi selftests/vm/kmod) |
		(cd "$out" && tar -xf -)
}
rsync_like

# C=2: sparse checks every file, not only those make rebuilds.
command -v sparse >/dev/null && set -- C=2 "$@"
log=$out/build.log
if ! make -C "$kdir" M="$out" W=1 HVT_TEST_HOOKS=y "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module: $kver: build failed" >&2
	exit 1
fi
# The test-only module the selftests load into the guest.
if ! make -C "$kdir" M="$out/selftests/vm/kmod" W=1 "$@" modules >>"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module: $kver: the test module failed to build" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$log" >&2; then
	echo "build-module: $kver: the build printed warnings (log: $log)" >&2
	exit 1
fi
"$top/scripts/root-text-check.sh" "$out" >/dev/null || { echo "build-module: $kver: VMX root's code is not laid out apart" >&2; exit 1; }
echo "build-module: $kver: $out/hvtrust.ko built with W=1 $(grep -q ' CHECK ' "$log" && echo 'and sparse') and no warning"
