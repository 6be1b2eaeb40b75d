#!/bin/bash
# make install / make uninstall: installs the tools, the library with its headers and
# pkg-config file, man pages, bash completion, systemd unit and example configuration, and
# records what it created in a manifest that uninstall follows.
# Context: host; as root for system paths, any user with DESTDIR. Usage: install.sh install|uninstall
# Environment (from the Makefile): DESTDIR PREFIX SBINDIR LIBDIR INCLUDEDIR MANDIR
# SYSCONFDIR SYSTEMDUNITDIR BASHCOMPLETIONDIR.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-}
: "${DESTDIR:=}" "${PREFIX:=/usr/local}"
: "${SBINDIR:=$PREFIX/sbin}" "${LIBDIR:=$PREFIX/lib}" "${INCLUDEDIR:=$PREFIX/include}"
: "${MANDIR:=$PREFIX/share/man}" "${SYSCONFDIR:=/etc}"
: "${SYSTEMDUNITDIR:=$PREFIX/lib/systemd/system}"
: "${BASHCOMPLETIONDIR:=$PREFIX/share/bash-completion/completions}"
manifest=$LIBDIR/hvtrust/install-manifest

die() { echo "install: $*" >&2; exit 1; }

# SOURCE DESTINATION MODE KIND: what "make install" installs. KIND is "file",
# "config" (never overwritten, kept at uninstall when edited) or "optional"
# (skipped when the build did not produce it).
install_list() {
	cat <<-LIST
	build/tools/hvtrustctl $SBINDIR/hvtrustctl 0755 file
	build/tools/hvtrust-exampled $SBINDIR/hvtrust-exampled 0755 file
	build/tools/libhvtrust.a $LIBDIR/libhvtrust.a 0644 file
	libhvtrust.pc.in $LIBDIR/pkgconfig/libhvtrust.pc 0644 file
	tools/libhvtrust.h $INCLUDEDIR/libhvtrust.h 0644 file
	uapi/hvtrust.h $INCLUDEDIR/hvtrust/hvtrust.h 0644 file
	man/hvtrustctl.8 $MANDIR/man8/hvtrustctl.8 0644 file
	man/hvtrust-exampled.8 $MANDIR/man8/hvtrust-exampled.8 0644 file
	man/libhvtrust.3 $MANDIR/man3/libhvtrust.3 0644 file
	man/hvtrust.4 $MANDIR/man4/hvtrust.4 0644 file
	etc/bash-completion/hvtrustctl $BASHCOMPLETIONDIR/hvtrustctl 0644 file
	systemd/hvtrust.service.in $SYSTEMDUNITDIR/hvtrust.service 0644 file
	etc/hvtrust.conf $SYSCONFDIR/hvtrust/hvtrust.conf 0644 config
	etc/example.conf.sample $SYSCONFDIR/hvtrust/trusted.d/example.conf.sample 0644 file
	LIST
}

# Manifest lines: "d PATH" for a directory install created, "f SHA256 PATH"
# for a file; paths as on the target system, without DESTDIR.
declare -A dirs files
order=()

load_manifest() {
	local kind rest path
	[ -e "$DESTDIR$manifest" ] || return 0
	while read -r kind rest; do
		case $kind in
		d) dirs[$rest]=1 ;;
		f)
			path=${rest#* }
			files[$path]=${rest%% *}
			order+=("$path")
			;;
		esac
	done <"$DESTDIR$manifest"
}

make_dir() {
	local dir=$1
	if [ "$dir" = / ]; then
		mkdir -p "$DESTDIR/"
		return 0
	fi
	[ -d "$DESTDIR$dir" ] && return 0
	make_dir "$(dirname "$dir")"
	mkdir -m 0755 "$DESTDIR$dir"
	dirs[$dir]=1
}

# DIR as libhvtrust.pc writes it: relative to ${prefix} where it lies under PREFIX, so
# PKG_CONFIG_SYSROOT_DIR and a moved prefix (pkg-config --define-prefix) apply to it.
pc_dir() {
	case $1 in
	"$PREFIX"/*) echo "\${prefix}${1#"$PREFIX"}" ;;
	*) echo "$1" ;;
	esac
}

# The installed libhvtrust.h finds the ABI header where it is installed.
render() {
	local src=$1 version
	case $src in
	systemd/*.in) sed "s|@SBINDIR@|$SBINDIR|g" "$top/$src" ;;
	tools/libhvtrust.h) sed 's|#include "../uapi/hvtrust.h"|#include <hvtrust/hvtrust.h>|' "$top/$src" ;;
	libhvtrust.pc.in)
		version=$(sed -n '/^[0-9]/p' "$top/VERSION")
		[ -n "$version" ] || die "VERSION holds no version"
		sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LIBDIR@|$(pc_dir "$LIBDIR")|g" \
		    -e "s|@INCLUDEDIR@|$(pc_dir "$INCLUDEDIR")|g" -e "s|@VERSION@|$version|g" "$top/$src"
		;;
	*) cat "$top/$src" ;;
	esac
}

record() {
	local path=$1
	[ -n "${files[$path]+set}" ] || order+=("$path")
	files[$path]=$(sha256sum <"$DESTDIR$path" | cut -d' ' -f1)
}

do_install() {
	local src dest mode kind tmp
	load_manifest
	while read -r src dest mode kind; do
		if [ ! -e "$top/$src" ]; then
			[ "$kind" = optional ] && { echo "install: $src not built, skipped"; continue; }
			die "$src is missing (run make tools)"
		fi
		make_dir "$(dirname "$dest")"
		if [ "$kind" = config ] && [ -e "$DESTDIR$dest" ]; then
			echo "install: $DESTDIR$dest exists, kept"
			continue
		fi
		tmp=$(mktemp "$DESTDIR$dest.XXXXXX")
		render "$src" >"$tmp"
		chmod "$mode" "$tmp"
		mv -f "$tmp" "$DESTDIR$dest"
		record "$dest"
		echo "install: $DESTDIR$dest"
	done < <(install_list)

	make_dir "$(dirname "$manifest")"
	tmp=$(mktemp "$DESTDIR$manifest.XXXXXX")
	{
		for dir in "${!dirs[@]}"; do echo "d $dir"; done | sort
		for path in "${order[@]}"; do echo "f ${files[$path]} $path"; done
	} >"$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$DESTDIR$manifest"
	echo "install: manifest $DESTDIR$manifest"
}

do_uninstall() {
	local path dir sum
	[ -e "$DESTDIR$manifest" ] || die "no $DESTDIR$manifest: nothing installed here"
	load_manifest
	for path in "${order[@]}"; do
		[ -e "$DESTDIR$path" ] || continue
		sum=$(sha256sum <"$DESTDIR$path" | cut -d' ' -f1)
		if [ "$sum" != "${files[$path]}" ] && [[ $path == "$SYSCONFDIR"/* ]]; then
			echo "install: $DESTDIR$path was edited, kept"
			continue
		fi
		rm -f "$DESTDIR$path"
		echo "uninstall: $DESTDIR$path"
	done
	rm -f "$DESTDIR$manifest"
	# Deepest first; a directory that holds something else stays.
	while read -r dir; do
		rmdir "$DESTDIR$dir" 2>/dev/null || true
	done < <(printf '%s\n' "${!dirs[@]}" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
}

case $action in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: install.sh install|uninstall" ;;
esac
