#!/bin/bash
# Checks the manual pages: each renders with groff and man-db without a single warning,
# hvtrustctl(8) and "hvtrustctl --help" name the same commands, options and exit codes,
# and libhvtrust(3) the functions of <libhvtrust.h>.
# Context: host (groff, man-db); "make man-check", counted by scripts/check.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
failures=0
fail() { echo "man-check: FAIL $*" >&2; failures=$((failures + 1)); }

pages=(man/*.[1-8])
for page in "${pages[@]}"; do
	# -ww: every warning; -z: no output, only diagnostics.
	out=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "$page: groff failed"
	[ -z "$out" ] || fail "$page: groff warnings:"$'\n'"$out"
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || fail "$page: man -l failed"
	[ -z "$out" ] || fail "$page: man -l warnings:"$'\n'"$out"
	section=${page##*.}
	head -n 5 "$page" | grep -qE "^\.TH [A-Z0-9_-]+ $section " || fail "$page: .TH does not name section $section"
done

# hvtrustctl(8) and "hvtrustctl --help" agree, in both directions: the commands,
# the options, the exit codes (and these with the enum of tools/hvtrustctl.c).
page=man/hvtrustctl.8
# The roff source of the page's section $1, font escapes and \- made plain.
man_section() {
	awk -v want="$1" '/^\.SH / { sub(/^\.SH +"?/, ""); sub(/"$/, ""); on = ($0 == want); next }
		on' "$page" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g'
}
# Options written as -x or --name, after a blank or bracket (not in VT-x or SHA-256).
options_in() {
	grep -oE -- '(^|[][ ,|("])--?[a-zA-Z][a-zA-Z-]*' | sed -E 's/^[][ ,|("]//' | sort -u
}
# The words of $2 missing from $1, space-separated.
missing() {
	comm -13 <(tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -u) <(tr ' ' '\n' <<<"$2" | sed '/^$/d' | sort -u) | xargs
}
ctl=build/tools/hvtrustctl
commands=
if [ -x "$ctl" ]; then
	help=$("$ctl" --help)
	commands=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | awk '/^  [a-z]/ { print $1 }' | sort -u | xargs)
	[ -n "$commands" ] || fail "hvtrustctl --help lists no command"
	man_commands=$(man_section COMMANDS | awk 'prev ~ /^\.TP/ { sub(/^\.B[IR]? +"?/, ""); sub(/[" ].*/, ""); print } { prev = $0 }' |
		       sort -u | xargs)
	[ -n "$man_commands" ] || fail "$page documents no command"
	m=$(missing "$man_commands" "$commands")
	[ -z "$m" ] || fail "$page does not document the command(s) $m of --help"
	m=$(missing "$commands" "$man_commands")
	[ -z "$m" ] || fail "--help does not list the command(s) $m of $page"

	help_options=$(options_in <<<"$help" | xargs)
	man_options=$( { man_section SYNOPSIS; man_section COMMANDS; man_section OPTIONS; } | options_in | xargs)
	[ -n "$help_options" ] || fail "hvtrustctl --help names no option"
	m=$(missing "$man_options" "$help_options")
	[ -z "$m" ] || fail "$page does not document the option(s) $m of --help"
	m=$(missing "$help_options" "$man_options")
	[ -z "$m" ] || fail "--help does not list the option(s) $m of $page"

	help_codes=$(sed -n '/^Exit status:/,/^$/p' <<<"$help" | awk '/^  [0-9]+ / { print $1 }' | xargs)
	man_codes=$(man_section "EXIT STATUS" | awk 'prev ~ /^\.TP/ && /^\.B [0-9]+$/ { print $2 } { prev = $0 }' | xargs)
	code_codes=$(sed -n 's/^\tEXIT_[A-Z_]* = \([0-9][0-9]*\),.*/\1/p' tools/hvtrustctl.c | xargs)
	[ -n "$help_codes" ] || fail "hvtrustctl --help has no 'Exit status:' block"
	[ "$help_codes" = "$man_codes" ] ||
		fail "exit codes differ: --help says '$help_codes', $page says '$man_codes'"
	[ "$help_codes" = "$code_codes" ] ||
		fail "exit codes differ: --help says '$help_codes', tools/hvtrustctl.c has '$code_codes'"
else
	fail "$ctl is not built (make tools)"
fi

# libhvtrust(3) names and declares every function of <libhvtrust.h>, and no other.
lib_page=man/libhvtrust.3
lib_functions=$(grep -oE '^(int|const char \*) *hvtrust_[a-z_]+\(' tools/libhvtrust.h |
		sed -E 's/.*(hvtrust_[a-z_]+)\(/\1/' | sort -u | xargs)
name_functions=$(sed -n '/^\.SH NAME/,/^\.SH /p' "$lib_page" | grep -oE 'hvtrust_[a-z_]+' | sort -u | xargs)
synopsis_functions=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$lib_page" |
		     grep -oE 'hvtrust_[a-z_]+\(' | tr -d '(' | sort -u | xargs)
[ -n "$lib_functions" ] || fail "tools/libhvtrust.h declares no function"
[ "$lib_functions" = "$name_functions" ] ||
	fail "$lib_page NAME lists '$name_functions', tools/libhvtrust.h declares '$lib_functions'"
[ "$lib_functions" = "$synopsis_functions" ] ||
	fail "$lib_page SYNOPSIS declares '$synopsis_functions', tools/libhvtrust.h '$lib_functions'"

[ "$failures" -eq 0 ] || exit 1
echo "man-check: ${#pages[@]} pages render without warnings; hvtrustctl.8 and --help agree on" \
	"$(wc -w <<<"$commands") commands, $(wc -w <<<"$help_options") options and exit codes $help_codes;" \
	"libhvtrust.3 documents the $(wc -w <<<"$lib_functions") functions of libhvtrust.h"
