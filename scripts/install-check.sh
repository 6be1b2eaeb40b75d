#!/bin/bash
# Checks "make install" and "make uninstall" in a temporary DESTDIR: the tree is exactly
# the list in README.md, a second install changes nothing, the installed headers compile,
# PREFIX moves everything, an edited config survives, uninstall leaves no file behind.
# Context: host, any user; "make install-check", counted by scripts/check.sh.
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

# The installed headers stand alone.
printf '#include <hvtrust/hvtrust.h>\nint main(void) { return HVTRUST_ABI_VERSION != 1; }\n' >"$tmp/abi.c"
cc -Wall -Wextra -Werror -I"$dest/usr/local/include" -o "$tmp/abi" "$tmp/abi.c" ||
	fail "a program cannot include the installed <hvtrust/hvtrust.h>"
if [ -e "$dest/usr/local/include/libhvtrust.h" ]; then
	printf '#include <libhvtrust.h>\nint main(void) { return hvtrust_present() < 0; }\n' >"$tmp/lib.c"
	cc -Wall -Wextra -Werror -static -I"$dest/usr/local/include" -o "$tmp/lib" "$tmp/lib.c" \
		-L"$dest/usr/local/lib" -lhvtrust ||
		fail "a program cannot build against the installed libhvtrust"
fi

mk uninstall DESTDIR="$dest" SYSTEMDUNITDIR=/lib/systemd/system
left=$(cd "$dest" && find . -mindepth 1 | sort)
[ -z "$left" ] || fail "uninstall left:"$'\n'"$left"

# PREFIX and SYSCONFDIR move everything; an edited config is kept at
# reinstall and at uninstall, and nothing else stays.
dest=$tmp/opt
mk install DESTDIR="$dest" PREFIX=/opt/hvtrust SYSCONFDIR=/opt/hvtrust/etc
for path in /opt/hvtrust/sbin/hvtrustctl /opt/hvtrust/share/man/man8/hvtrustctl.8 \
	    /opt/hvtrust/include/hvtrust/hvtrust.h /opt/hvtrust/etc/hvtrust/hvtrust.conf; do
	[ -e "$dest$path" ] || fail "PREFIX=/opt/hvtrust: no $path"
done
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
	"headers compile, PREFIX honoured, edited config kept, uninstall complete"
