#!/bin/bash
# Checks the manual pages: each renders with groff and man-db without a single warning,
# and hvtrustctl(8) documents every command and option "hvtrustctl --help" lists.
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
	head -n 5 "$page" | grep -q "^\.TH [A-Z]* $section " || fail "$page: .TH does not name section $section"
done

# What the tool itself offers must be in its page.
ctl=build/tools/hvtrustctl
if [ -x "$ctl" ]; then
	help=$("$ctl" --help)
	commands=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | awk '/^  [a-z]/ { print $1 }')
	[ -n "$commands" ] || fail "hvtrustctl --help lists no command"
	for cmd in $commands; do
		grep -qE "^\.B[IR]? \"?$cmd( |\"|$)" man/hvtrustctl.8 ||
			fail "hvtrustctl.8 does not document the command $cmd"
	done
	for opt in $(grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' <<<"$(sed -n '/^Options:/,/^$/p' <<<"$help")" |
		     tr -d ' ,' | sort -u); do
		grep -qF -- "${opt//-/\\-}" man/hvtrustctl.8 ||
			fail "hvtrustctl.8 does not document the option $opt"
	done
else
	fail "$ctl is not built (make tools)"
fi

[ "$failures" -eq 0 ] || exit 1
echo "man-check: ${#pages[@]} pages render without warnings; hvtrustctl.8 documents all $(wc -w <<<"$commands") command(s) of --help"
