#!/bin/bash
# Checks that the code VMX root runs fills whole pages that nothing patches at run time:
# .noinstr.text of hvtrust.ko page aligned and sized, the root objects' code all in it,
# and no jump label, static call or ftrace site in it. Context: host, after a module build.
#   root-text-check.sh BUILD_DIR   (the M= directory of the build)
set -euo pipefail

dir=$1
ko=$dir/hvtrust.ko
fail() { echo "root-text-check: $*" >&2; exit 1; }
[ -e "$ko" ] || fail "no $ko"

# Section NAME's size and alignment in FILE, as two hex/decimal words ("" when absent).
section() {
	readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
		awk -v name="$2" '$1 == name { print $5, $NF }'
}

read -r size align <<<"$(section "$ko" .noinstr.text)"
[ -n "${size:-}" ] || fail "$ko has no .noinstr.text"
[ "$align" = 4096 ] || fail ".noinstr.text is aligned to $align bytes, not a page"
[ $((16#$size % 4096)) -eq 0 ] || fail ".noinstr.text is $((16#$size)) bytes, not whole pages"

# Every object whose code runs in VMX root (Kbuild's hvt_root_objs, entry.S) has
# nothing in .text: an out-of-line function without HVT_ROOT would land there.
objects=$(cd "$dir" && printf 'include Kbuild\nprint:\n\t@echo $(hvt_root_objs) vmx/entry.o\n' |
	make -s --no-print-directory -f - print)
for obj in $objects; do
	[ -e "$dir/$obj" ] || fail "no $dir/$obj"
	read -r size _ <<<"$(section "$dir/$obj" .text)"
	[ $((16#${size:-0})) -eq 0 ] || fail "$obj has $((16#$size)) bytes in .text: mark its functions HVT_ROOT"
done

# Sites Linux patches after load (tracepoints and static keys, static calls,
# ftrace) must all lie outside VMX root's code; those it patches only while
# loading the module (alternatives, retpolines, call padding) are done before.
for rela in .rela__jump_table .rela.static_call_sites .rela__mcount_loc; do
	if readelf -rW "$ko" | awk -v sec="'$rela'" '
		/^Relocation section/ { on = index($0, sec) > 0; next }
		on && $5 == ".noinstr.text" { found = 1 }
		END { exit !found }'; then
		fail "$rela points into .noinstr.text: VMX root's code would be patched at run time"
	fi
done
echo "root-text-check: $(basename "$dir"): VMX root's code is $((16#$(section "$ko" .noinstr.text | cut -d' ' -f1) / 4096)) whole pages, no run-time patch site in them"
