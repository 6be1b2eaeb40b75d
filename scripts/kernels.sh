#!/bin/bash
# Names the Debian kernels the bench builds for and boots: prints "SERIES KVER" lines.
# Context: host; reads /boot and /usr/src only.
set -euo pipefail

newest() {
	local pattern=$1 image kver best=
	for image in /boot/vmlinuz-$pattern; do
		[ -e "$image" ] || continue
		kver=${image#/boot/vmlinuz-}
		[ -d "/usr/src/linux-headers-$kver" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$kver" | sed '/^$/d' | sort -V | tail -n 1)
	done
	[ -n "$best" ] || { echo "kernels: no kernel with headers matches $pattern (run make deps)" >&2; return 1; }
	echo "$best"
}

echo "6.1 $(newest '6.1.0-*-amd64')"
echo "6.12 $(newest '6.12.*+deb12-amd64')"
