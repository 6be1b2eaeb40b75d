#!/bin/bash
# Installs, idempotently, every Debian package that building and testing hvtrust needs.
# Context: host, as root (apt-get); a no-op when everything is present.
set -euo pipefail

packages=(
	build-essential bc kmod cpio xz-utils gzip
	bochs bochsbios vgabios
	busybox-static isolinux syslinux-common xorriso
	libssl-dev linux-libc-dev
	linux-image-amd64 linux-headers-amd64 linux-source-6.12
	sparse dkms
	cppcheck groff-base man-db systemd pkgconf python3
)

missing=()
for pkg in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$pkg")
done

# The 6.12 kernel comes from bookworm-security under a versioned name.
have_612=
for image in /boot/vmlinuz-6.12.*+deb12-amd64; do
	[ -e "$image" ] || continue
	kver=${image#/boot/vmlinuz-}
	[ -d "/usr/src/linux-headers-$kver" ] && have_612=$kver
done

if [ ${#missing[@]} -eq 0 ] && [ -n "$have_612" ]; then
	echo "deps: all packages present (6.12 kernel $have_612)"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages (${missing[*]:-linux 6.12}); run 'make deps' as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ -z "$have_612" ]; then
	kver=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
	       awk '{ print $1 }' | sed 's/^linux-image-//' | sort -V | tail -n 1)
	if [ -z "$kver" ]; then
		echo "deps: no linux-image-6.12.*+deb12-amd64 in the configured archives" >&2
		exit 1
	fi
	missing+=("linux-image-$kver" "linux-headers-$kver")
fi
echo "deps: installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"
