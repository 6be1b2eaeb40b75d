#!/bin/bash
# Checks "make install" and "make uninstall" in a temporary DESTDIR: the tree is exactly
# the list in README.md, a second install changes nothing, each installed header compiles
# on its own, libhvtrust.pc is right and the example of libhvtrust(3) builds with it, linked
# statically and dynamically, the bash completion loads, hvtrust-exampled(8) documents the
# daemon's options, PREFIX moves everything, an edited config survives, uninstall leaves no
# file behind. Context: host, any user; "make install-check", counted by scripts/check.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "install-check: FAIL $*" >&2; failures=$((failures + 1)); }
mk() { make -s --no-print-directory "$@" >>"$tmp/make.log" 2>&1 || { cat "$tmp/make.log" >&2; return 1; }; }
tree() { (cd "$1" && find . ! -type d | sed 's|^\.||' | sort); }

# The documented list: the first fenced block after "make install` creates" in README.md.
sed -n '/make install` creates/,$p' README.md |
	awk '/^```/ { fences++; next } fences == 1' |
	sed 's/[[:space:]]*#.*//; /^$/d' >"$tmp/documented"
[ -s "$tmp/documented" ] || { echo "install-check: no installed-files list in README.md" >&2; exit 1; }
sort -o "$tmp/documented" "$tmp/documented"

dest=$tmp/root
mk install DESTDIR="$dest" SYSTEMDUNITDIR=/lib/systemd/system
tree "$dest" >"$tmp/installed"
diff -u "$tmp/documented" "$tmp/installed" >&2 || fail "installed tree differs from README.md's list (- README, + tree)"

# Modes, and the unit names the installed hvtrustctl.
[ "$(stat -c %a "$dest/usr/local/sbin/hvtrustctl")" = 755 ] || fail "hvtrustctl is not mode 755"
[ "$(stat -c %a "$dest/usr/local/sbin/hvtrust-exampled")" = 755 ] || fail "hvtrust-exampled is not mode 755"
[ "$(stat -c %a "$dest/etc/hvtrust/hvtrust.conf")" = 644 ] || fail "hvtrust.conf is not mode 644"
grep -qx 'ExecStart=/usr/local/sbin/hvtrustctl register --config' "$dest/lib/systemd/system/hvtrust.service" ||
	fail "hvtrust.service does not run /usr/local/sbin/hvtrustctl"
grep -qx 'seal = no' "$dest/etc/hvtrust/hvtrust.conf" || fail "hvtrust.conf does not say seal = no"

# A second install is a no-op on the tree and the manifest.
manifest=$dest/usr/local/lib/hvtrust/install-manifest
cp "$manifest" "$tmp/manifest.1"
mk install DESTDIR="$dest" SYSTEMDUNITDIR=/lib/systemd/system
[ "$(tree "$dest")" = "$(cat "$tmp/installed")" ] || fail "a second install changed the tree"
cmp -s "$manifest" "$tmp/manifest.1" || fail "a second install changed the manifest"

# Each installed header stands alone: a file that includes only it compiles, in C and in
# C++, and it reaches the others as installed, not as they lie in the source tree.
headers=$(cd "$dest/usr/local/include" && find . -name '*.h' | sed 's|^\./||' | sort)
[ -n "$headers" ] || fail "no header installed"
for header in $headers; do
	printf '#include <%s>\n' "$header" >"$tmp/header.c"
	cc -std=c11 -pedantic -Wall -Wextra -Werror -I"$dest/usr/local/include" -c -o /dev/null \
		"$tmp/header.c" || fail "the installed <$header> does not compile on its own"
	c++ -x c++ -Wall -Wextra -Werror -I"$dest/usr/local/include" -c -o /dev/null \
		"$tmp/header.c" || fail "the installed <$header> does not compile on its own as C++"
	! grep -n '^#[[:space:]]*include[[:space:]]*"' "$dest/usr/local/include/$header" >&2 ||
		fail "the installed <$header> includes a file by a source-tree path"
done

# libhvtrust.pc, read as a cross build reads a staged tree: only the DESTDIR's .pc
# files, every path under it (pkg-config prefixes the sysroot to each of them).
# ROOT LIBDIR ARG...; pc_var reads a variable as written, without the sysroot.
pc() {
	PKG_CONFIG_LIBDIR="$1$2/pkgconfig" PKG_CONFIG_PATH='' PKG_CONFIG_SYSROOT_DIR="$1" \
		pkg-config "${@:3}" libhvtrust | sed 's/[[:space:]]*$//'
}
pc_var() {
	PKG_CONFIG_LIBDIR="$1$2/pkgconfig" PKG_CONFIG_PATH='' pkg-config --variable="$3" libhvtrust
}
version=$(sed -n '/^[0-9]/p' VERSION)
pc "$dest" /usr/local/lib --validate || fail "pkg-config does not accept libhvtrust.pc"
[ "$(pc "$dest" /usr/local/lib --modversion)" = "$version" ] || fail "libhvtrust.pc's version is not $version"
for var in prefix=/usr/local includedir=/usr/local/include libdir=/usr/local/lib; do
	[ "$(pc_var "$dest" /usr/local/lib "${var%%=*}")" = "${var#*=}" ] ||
		fail "libhvtrust.pc's ${var%%=*} is \"$(pc_var "$dest" /usr/local/lib "${var%%=*}")\", not ${var#*=}"
done
[ "$(pc "$dest" /usr/local/lib --cflags)" = "-I$dest/usr/local/include" ] ||
	fail "pkg-config --cflags libhvtrust says \"$(pc "$dest" /usr/local/lib --cflags)\""
[ "$(pc "$dest" /usr/local/lib --static --libs)" = "-L$dest/usr/local/lib -lhvtrust" ] ||
	fail "pkg-config --static --libs libhvtrust says \"$(pc "$dest" /usr/local/lib --static --libs)\""

# The example of libhvtrust(3), as a developer copies it from the page, builds with
# nothing but pkg-config's flags: against the shared libc, and static. Both carry
# libhvtrust's code (there is no shared libhvtrust) and, run where the hypervisor is
# absent, say so and exit 3.
example() {
	sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$1" |
		awk '/^\.EE/ { if (inex) exit } inex { print } /^\.EX/ { inex = 1 }' |
		sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\&//g' -e 's/\\e/\\/g'
}
# ROOT LIBDIR NAME [static]: builds $tmp/NAME from the example with what pkg-config
# says of ROOT's libhvtrust.pc.
build_example() {
	local root=$1 libdir=$2 out=$tmp/$3 link=${4:-} flags
	local -a pc_opts=(--cflags --libs) cc_opts=()
	[ "$link" = static ] && pc_opts+=(--static) && cc_opts+=(-static)
	flags=$(pc "$root" "$libdir" "${pc_opts[@]}") || { fail "$out: pkg-config failed"; return 1; }
	# shellcheck disable=SC2086 # the flags are words
	cc -Wall -Wextra -Werror "${cc_opts[@]}" -o "$out" "$tmp/example.c" $flags ||
		{ fail "the example of libhvtrust(3) does not build ($out)"; return 1; }
	nm "$out" >"$tmp/symbols"
	grep -q ' T hvtrust_open$' "$tmp/symbols" || fail "$out: libhvtrust's code is not linked in"
}
run_example() {
	local out=$1 rc=0
	"$out" >/dev/null 2>"$tmp/example.err" || rc=$?
	if [ ! -e /dev/hvtrust ]; then
		[ "$rc" -eq 3 ] && grep -qx 'keyd: the hvtrust hypervisor is not running' "$tmp/example.err" ||
			fail "$out, without the hypervisor: status $rc, \"$(cat "$tmp/example.err")\", expected 3"
	fi
}
example man/libhvtrust.3 >"$tmp/example.c"
grep -q hvtrust_open "$tmp/example.c" || fail "libhvtrust(3) has no example program under EXAMPLES"
if build_example "$dest" /usr/local/lib example-dynamic; then
	readelf -d "$tmp/example-dynamic" >"$tmp/dynamic"
	grep -q 'NEEDED.*libc\.so' "$tmp/dynamic" || fail "example-dynamic is not linked against the shared libc"
	! grep 'NEEDED.*hvtrust' "$tmp/dynamic" >&2 || fail "example-dynamic needs a shared libhvtrust"
	run_example "$tmp/example-dynamic"
fi
if build_example "$dest" /usr/local/lib example-static static; then
	readelf -l "$tmp/example-static" >"$tmp/segments"
	! grep INTERP "$tmp/segments" >&2 || fail "example-static has an interpreter"
	run_example "$tmp/example-static"
fi

# The daemon's page documents each option its --help lists.
exampled=$dest/usr/local/sbin/hvtrust-exampled
if help=$("$exampled" --help); then
	for opt in $(grep -oE -- '(^|[ ,])--?[a-zA-Z0-9][a-z-]*' <<<"$help" | tr -d ' ,' | sort -u); do
		grep -qF -- "${opt//-/\\-}" "$dest/usr/local/share/man/man8/hvtrust-exampled.8" ||
			fail "hvtrust-exampled.8 does not document $opt"
	done
else
	fail "the installed hvtrust-exampled --help fails"
fi

# The bash completion loads on its own, without bash-completion, and offers the commands.
completion=$dest/usr/local/share/bash-completion/completions/hvtrustctl
# shellcheck disable=SC2016 # expanded by the inner bash
words=$(bash --norc --noprofile -c 'source "$1" || exit 1
	spec=$(complete -p hvtrustctl) || exit 1
	func=${spec#*-F }
	func=${func%% *}
	COMP_WORDS=(hvtrustctl "") COMP_CWORD=1 COMP_LINE="hvtrustctl " COMP_POINT=11
	"$func" hvtrustctl "" hvtrustctl || exit 1
	printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" 2>&1) ||
	fail "the installed bash completion does not load: $words"
grep -qx register <<<"$words" || fail "the installed bash completion does not offer hvtrustctl register"

mk uninstall DESTDIR="$dest" SYSTEMDUNITDIR=/lib/systemd/system
left=$(cd "$dest" && find . -mindepth 1 | sort)
[ -z "$left" ] || fail "uninstall left:"$'\n'"$left"

# PREFIX and SYSCONFDIR move everything; an edited config is kept at
# reinstall and at uninstall, and nothing else stays.
dest=$tmp/opt
mk install DESTDIR="$dest" PREFIX=/opt/hvtrust SYSCONFDIR=/opt/hvtrust/etc
for path in /opt/hvtrust/sbin/hvtrustctl /opt/hvtrust/share/man/man8/hvtrustctl.8 \
	    /opt/hvtrust/include/hvtrust/hvtrust.h /opt/hvtrust/etc/hvtrust/hvtrust.conf \
	    /opt/hvtrust/lib/pkgconfig/libhvtrust.pc \
	    /opt/hvtrust/share/bash-completion/completions/hvtrustctl; do
	[ -e "$dest$path" ] || fail "PREFIX=/opt/hvtrust: no $path"
done
[ "$(pc_var "$dest" /opt/hvtrust/lib prefix)" = /opt/hvtrust ] ||
	fail "PREFIX=/opt/hvtrust: libhvtrust.pc's prefix is not /opt/hvtrust"
build_example "$dest" /opt/hvtrust/lib example-opt || true
[ -z "$(tree "$dest" | grep -v '^/opt/hvtrust/\|^/lib/systemd/system/')" ] ||
	fail "PREFIX=/opt/hvtrust: files outside the prefix and the unit directory"
echo 'seal = yes' >"$dest/opt/hvtrust/etc/hvtrust/hvtrust.conf"
mk install DESTDIR="$dest" PREFIX=/opt/hvtrust SYSCONFDIR=/opt/hvtrust/etc
grep -qx 'seal = yes' "$dest/opt/hvtrust/etc/hvtrust/hvtrust.conf" || fail "reinstall overwrote an edited config"
mk uninstall DESTDIR="$dest" PREFIX=/opt/hvtrust SYSCONFDIR=/opt/hvtrust/etc
[ "$(tree "$dest")" = /opt/hvtrust/etc/hvtrust/hvtrust.conf ] ||
	fail "uninstall should keep only the edited config, left: $(tree "$dest" | tr '\n' ' ')"

[ "$failures" -eq 0 ] || exit 1
echo "install-check: $(wc -l <"$tmp/installed") files installed as documented, reinstall idempotent," \
	"$(wc -w <<<"$headers") headers compile alone, libhvtrust(3)'s example builds with pkg-config" \
	"(static and dynamic), completion loads, PREFIX honoured, edited config kept, uninstall complete"
