#!/bin/bash
# Stages the DKMS source tree of hvtrust: dkms.conf (its PACKAGE_VERSION from VERSION),
# Kbuild, VERSION, LICENSE and exactly the files Kbuild builds hvtrust.ko from. Context: host.
# Usage: dkms-source.sh DIR (DIR/hvtrust-VERSION is made, replaced if it exists; its path
# is printed).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: dkms-source.sh DIR" >&2; exit 2; }
version=$(sed -n '/^[0-9]/p' "$top/VERSION")
[[ $version =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "dkms-source: VERSION holds no one-line version" >&2; exit 1; }
grep -qx 'PACKAGE_VERSION="@VERSION@"' "$top/dkms.conf" ||
	{ echo "dkms-source: dkms.conf has no PACKAGE_VERSION=\"@VERSION@\" to fill in" >&2; exit 1; }
dest=$(realpath -m "$1")/hvtrust-$version

# The object list comes from Kbuild itself, so DKMS can never build from
# another list than a plain "make" does.
objects=$(cd "$top" && printf 'include Kbuild\nprint:\n\t@echo $(hvtrust-y)\n' |
	  make -s --no-print-directory -f - print src=.)
[ -n "$objects" ] || { echo "dkms-source: Kbuild lists no hvtrust-y objects" >&2; exit 1; }

files=(Kbuild VERSION LICENSE)
for obj in $objects; do
	base=${obj%.o}
	if [ -e "$top/$base.c" ]; then
		files+=("$base.c")
	elif [ -e "$top/$base.S" ]; then
		files+=("$base.S")
	else
		echo "dkms-source: Kbuild names $obj but there is no $base.c or $base.S" >&2
		exit 1
	fi
done
# Headers: those beside the objects, the shared ones and the uapi.
dirs=$(for obj in $objects; do dirname "$obj"; done | sort -u)
for dir in $dirs include uapi; do
	for header in "$top/$dir"/*.h; do
		[ -e "$header" ] && files+=("${header#"$top"/}")
	done
done

rm -rf "$dest"
mkdir -p "$dest"
(cd "$top" && tar -cf - "${files[@]}") | (cd "$dest" && tar -xf -)
sed 's/^PACKAGE_VERSION="@VERSION@"$/PACKAGE_VERSION="'"$version"'"/' "$top/dkms.conf" >"$dest/dkms.conf"
echo "$dest"
