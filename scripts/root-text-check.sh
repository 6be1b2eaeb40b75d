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
# Return and retpoline sites would be rewritten at load into jumps to the
# kernel's chosen thunks: root's objects use root's own (vmx/root_thunks.h).
# Call-depth accounting (.call_sites, retbleed=stuff only) and the sealing of
# unused ENDBRs stay allowed: they change root's own pages before launch and
# reach no code outside them.
for rela in .rela.return_sites .rela.retpoline_sites; do
	if readelf -rW "$ko" | awk -v sec="'$rela'" '
		/^Relocation section/ { on = index($0, sec) > 0; next }
		on && $5 == ".noinstr.text" { found = 1 }
		END { exit !found }'; then
		fail "$rela points into .noinstr.text: loading would send root's code into the kernel's thunks"
	fi
done
# Nothing in it may reach code outside it: a call into the module's other
# text or into the kernel's runs what the guest kernel can patch, a pointer
# read from the kernel's data (pv_ops) runs what it can rewrite. Allowed
# outside: the module's own data. Not allowed: any symbol of the kernel's,
# its thunks and per-CPU offsets included.
noinstr_index=$(readelf -SW "$ko" | sed -n 's/^ *\[ *\([0-9]*\)\] \.noinstr\.text .*/\1/p')
outside=$(
	readelf -rW "$ko" | awk '
		/^Relocation section/ { on = index($0, "'"'"'.rela.noinstr.text'"'"'") > 0; next }
		on && $1 ~ /^[0-9a-f]+$/ && NF >= 5 { print $5 }' | sort -u |
	while read -r sym; do
		read -r type ndx < <(readelf -sW "$ko" |
			awk -v s="$sym" '$8 == s { print $4, $7; exit }')
		case "${type:-}:${ndx:-}" in
		SECTION:*|OBJECT:*) ;;
		*:"$noinstr_index") ;;
		*) echo "$sym" ;;
		esac
	done)
[ -z "$outside" ] || fail "VMX root's code reaches code outside it: $(echo $outside)"
echo "root-text-check: $(basename "$dir"): VMX root's code is $((16#$(section "$ko" .noinstr.text | cut -d' ' -f1) / 4096)) whole pages, no run-time patch site in them, nothing of the kernel's reached from them"
