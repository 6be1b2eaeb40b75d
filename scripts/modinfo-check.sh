#!/bin/bash
# Checks what "modinfo" shows of the built modules: description, version, license and
# author, and a description for every module_param of their sources; each "modinfo -p"
# line of hvtrust.ko must also appear in hvtrust(4). And that everything that states
# hvtrust's version states VERSION's: the module, the DKMS tree, hvtrustctl --version,
# hvtrust-exampled --version and the .TH line of every man page. Context: host;
# "make modinfo-check", after scripts/build-module.sh and "make tools" (Usage:
# modinfo-check.sh [KVER], default the first bench kernel).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kver=${1:-$(scripts/kernels.sh | awk 'NR == 1 { print $2 }')}
kmod=build/kmod/$kver
failures=0
fail() { echo "modinfo-check: FAIL $*" >&2; failures=$((failures + 1)); }

# Parameter names declared in C sources (module_param, _named, _array, _cb, _unsafe).
declared_params() {
	cat "$@" | tr '\n' ' ' |
		grep -oE '\bmodule_param(_named|_array|_cb|_unsafe|_string)?\s*\(\s*[A-Za-z_][A-Za-z0-9_]*' |
		sed -E 's/.*\(\s*//' | sort -u
}

# KO "FIELDS" SOURCES...: the fields and the parameters of one module.
check_module() {
	local ko=$1 fields=$2 field value name line
	shift 2
	[ -e "$ko" ] || { fail "$ko is not built (scripts/build-module.sh $kver $kmod)"; return; }
	for field in $fields; do
		value=$(modinfo -F "$field" "$ko")
		[ -n "$value" ] || fail "$ko: no MODULE_${field^^}"
	done
	for name in $(declared_params "$@"); do
		line=$(modinfo -p "$ko" | grep "^$name:" || true)
		[ -n "$line" ] || { fail "$ko: parameter $name is not in modinfo -p"; continue; }
		value=${line#"$name":}
		value=${value% (*)}
		[ -n "${value// /}" ] || fail "$ko: parameter $name has no MODULE_PARM_DESC"
	done
}

mapfile -t hvtrust_srcs < <(printf 'include Kbuild\nprint:\n\t@echo $(hvtrust-y)\n' |
	make -s --no-print-directory -f - print src=. | tr ' ' '\n' | sed 's/\.o$//' |
	while read -r base; do ls "$base".c "$base".S 2>/dev/null || true; done)
check_module "$kmod/hvtrust.ko" "description version license author" "${hvtrust_srcs[@]}"
# The test-only module is never installed: its parameters must still say what they do.
check_module "$kmod/selftests/vm/kmod/hvt_peek.ko" "description license" selftests/vm/kmod/*.c

# One version, from VERSION; each place that states it is compared with it.
version=$(sed -n '/^[0-9]/p' VERSION)
[[ $version =~ ^[0-9]+(\.[0-9]+)+$ ]] || fail "VERSION holds no one-line version (\"$version\")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if scripts/dkms-source.sh "$tmp" >"$tmp/staged" 2>&1; then
	staged=$(cat "$tmp/staged")
	[ "$staged" = "$(realpath "$tmp")/hvtrust-$version" ] || fail "the DKMS tree is $staged, not hvtrust-$version"
	grep -qx "PACKAGE_VERSION=\"$version\"" "$staged/dkms.conf" ||
		fail "the DKMS tree's dkms.conf does not say PACKAGE_VERSION=\"$version\""
	cmp -s VERSION "$staged/VERSION" || fail "the DKMS tree has no copy of VERSION for Kbuild"
else
	fail "scripts/dkms-source.sh failed: $(cat "$tmp/staged")"
fi
ctl=build/tools/hvtrustctl
if [ -x "$ctl" ]; then
	[[ $("$ctl" --version) == "hvtrustctl $version "* ]] ||
		fail "hvtrustctl --version says \"$("$ctl" --version)\", not $version"
else
	fail "$ctl is not built (make tools)"
fi
daemon=build/tools/hvtrust-exampled
if [ -x "$daemon" ]; then
	[[ $("$daemon" --version) == "hvtrust-exampled $version "* ]] ||
		fail "hvtrust-exampled --version says \"$("$daemon" --version)\", not $version"
else
	fail "$daemon is not built (make tools)"
fi
for page in man/*.[1-8]; do
	# .TH TITLE SECTION DATE SOURCE MANUAL: SOURCE is "hvtrust VERSION".
	grep -qE "^\.TH [^ ]+ [1-8] \"[^\"]*\" \"hvtrust ${version//./\\.}\" " "$page" ||
		fail "$page: the .TH line does not say \"hvtrust $version\": $(grep -m1 '^\.TH' "$page")"
done

ko=$kmod/hvtrust.ko
if [ -e "$ko" ]; then
	[ "$(modinfo -F version "$ko")" = "$version" ] ||
		fail "$ko: MODULE_VERSION is \"$(modinfo -F version "$ko")\", VERSION says $version"
	[ "$(modinfo -F license "$ko")" = GPL ] || fail "$ko: license is not GPL"
	# The page's MODULE PARAMETERS section quotes modinfo -p verbatim.
	rendered=$(groff -man -Tascii -P-c -P-b -P-u man/hvtrust.4 2>/dev/null)
	while IFS= read -r line; do
		grep -qF -- "$line" <<<"$rendered" ||
			fail "hvtrust.4 does not quote the modinfo -p line: $line"
	done < <(modinfo -p "$ko")
	params=$(modinfo -p "$ko" | wc -l)
fi

[ "$failures" -eq 0 ] || exit 1
echo "modinfo-check: $kver: hvtrust.ko and hvt_peek.ko describe themselves and their parameters;" \
	"hvtrust(4) quotes the ${params:-0} of hvtrust.ko; the module, DKMS, hvtrustctl and" \
	"$(ls man/*.[1-8] | wc -l) man pages say version $version"
