#!/bin/bash
# Proves the DKMS packaging: dkms add, build, install and autoinstall of hvtrust for every
# bench kernel, in a throwaway DKMS tree under build/dkms (the system's DKMS state and
# /lib/modules are left alone, and checked to be). Context: host, as root (dkms).
# The module installed for DKMS_BOOT_SERIES (default 6.1) is left at
# build/dkms/KVER/hvtrust.ko, where scripts/vmtest.sh boots it instead of build/kmod's.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/dkms
boot_series=${DKMS_BOOT_SERIES:-6.1}
log=$out/dkms.log
failures=0

die() { echo "dkms-check: $*" >&2; exit 1; }
fail() { echo "dkms-check: FAIL $*" >&2; failures=$((failures + 1)); }

command -v dkms >/dev/null || die "dkms is not installed (make deps)"
[ "$(id -u)" -eq 0 ] || die "dkms needs root"
# The one version (VERSION): the staged dkms.conf and every module DKMS builds must say it.
version=$(sed -n '/^[0-9]/p' "$top/VERSION")
[ -n "$version" ] || die "VERSION holds no version"

# What dkms must not touch: the system's tree and every kernel's module directory.
system_state() {
	{
		find /var/lib/dkms /etc/dkms -printf '%p %s %T@\n' 2>/dev/null
		find /lib/modules -name 'hvtrust.ko*' -printf '%p %T@\n' 2>/dev/null
		find /lib/modules -maxdepth 2 -name 'modules.dep' -printf '%p %T@\n' 2>/dev/null
	} | sort | sha256sum
}
before=$(system_state)

rm -rf "$out"
mkdir -p "$out"
src_parent=$out/src
tree=$out/tree
modroot=$out/root/lib/modules
mkdir -p "$tree" "$modroot"
"$top/scripts/dkms-source.sh" "$src_parent" >/dev/null
staged=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src_parent/hvtrust-$version/dkms.conf" 2>/dev/null || true)
[ "$staged" = "$version" ] ||
	die "the staged dkms.conf says PACKAGE_VERSION \"$staged\", VERSION says \"$version\""
# dkms signs what it builds when the kernel ships sign-file; a throwaway key
# here keeps it from creating /var/lib/dkms/mok.key.
export mok_signing_key=$out/mok.key mok_certificate=$out/mok.pub

dk() {
	echo "+ dkms $*" >>"$log"
	dkms "$@" --dkmstree "$tree" --sourcetree "$src_parent" --installtree "$modroot" \
		>>"$log" 2>&1
}

installed_ko() {
	find "$modroot/$1/updates/dkms" -name 'hvtrust.ko*' 2>/dev/null | head -n 1
}

# modinfo of the installed module: right kernel, right version, same sources
# as the plain build (srcversion is a checksum of the source files).
check_installed() {
	local kver=$1 ko info plain
	ko=$(installed_ko "$kver")
	[ -n "$ko" ] || { fail "$kver: no hvtrust.ko under $modroot/$kver/updates/dkms"; return; }
	info=$(modinfo "$ko")
	[ "$(awk '$1 == "vermagic:" { print $2 }' <<<"$info")" = "$kver" ] ||
		fail "$kver: vermagic of $ko is not $kver"
	[ "$(awk '$1 == "version:" { print $2 }' <<<"$info")" = "$version" ] ||
		fail "$kver: version of $ko is not $version"
	grep -q "^hvtrust/$version, $kver, x86_64: installed" <(dk_status) ||
		fail "$kver: dkms status does not say installed"
	plain=$top/build/kmod/$kver/hvtrust.ko
	if [ -e "$plain" ]; then
		[ "$(modinfo -F srcversion "$ko")" = "$(modinfo -F srcversion "$plain")" ] ||
			fail "$kver: srcversion differs from $plain: DKMS built other sources"
	fi
}

dk_status() {
	dkms status --dkmstree "$tree" --sourcetree "$src_parent" --installtree "$modroot" 2>/dev/null
}

dk add "hvtrust/$version" || fail "dkms add"
kvers=()
declare -A kver_of
while read -r series kver; do
	kvers+=("$kver")
	kver_of[$series]=$kver
	mkdir -p "$modroot/$kver"
	if dk build "hvtrust/$version" -k "$kver" &&
	   dk install "hvtrust/$version" -k "$kver" --no-depmod; then
		check_installed "$kver"
	else
		fail "$kver: dkms build or install failed (log: $log)"
	fi
done < <("$top/scripts/kernels.sh")

# A kernel installed later: its postinst hook runs "dkms autoinstall".
last=${kvers[${#kvers[@]} - 1]}
if dk uninstall "hvtrust/$version" -k "$last" --no-depmod &&
   [ -z "$(installed_ko "$last")" ] &&
   dk autoinstall -k "$last" --no-depmod; then
	check_installed "$last"
else
	fail "$last: dkms autoinstall did not reinstall hvtrust (log: $log)"
fi

# BUILD_EXCLUSIVE_ARCH: another architecture is skipped (status 77), not built.
rc=0
dk build "hvtrust/$version" -k "$last" -a aarch64 || rc=$?
[ "$rc" -eq 77 ] || fail "a build for aarch64 ended with status $rc, expected 77 (excluded)"
# BUILD_EXCLUSIVE_KERNEL: a kernel older than 6.1 is skipped too.
rc=0
dk build "hvtrust/$version" -k 5.10.0-1-amd64 --kernelsourcedir "/lib/modules/$last/build" || rc=$?
[ "$rc" -eq 77 ] || fail "a build for 5.10 ended with status $rc, expected 77 (excluded)"

[ "$(system_state)" = "$before" ] || fail "the system's DKMS tree or /lib/modules changed"

boot_kver=${kver_of[$boot_series]:-}
if [ -n "$boot_kver" ] && [ -n "$(installed_ko "$boot_kver")" ] && [ "$failures" -eq 0 ]; then
	mkdir -p "$out/$boot_kver"
	case $(installed_ko "$boot_kver") in
	*.xz) xz -dc "$(installed_ko "$boot_kver")" >"$out/$boot_kver/hvtrust.ko" ;;
	*.zst) zstd -dqc "$(installed_ko "$boot_kver")" >"$out/$boot_kver/hvtrust.ko" ;;
	*) cp "$(installed_ko "$boot_kver")" "$out/$boot_kver/hvtrust.ko" ;;
	esac
fi

if [ "$failures" -ne 0 ]; then
	echo "dkms-check: $failures failure(s); dkms output: $log" >&2
	exit 1
fi
echo "dkms-check: hvtrust/$version added, built, installed for ${kvers[*]}, autoinstalled" \
	"for $last, skipped for aarch64 and 5.10; ${boot_kver:+the bench boots $out/$boot_kver/hvtrust.ko}"
