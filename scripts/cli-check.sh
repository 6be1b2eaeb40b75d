#!/bin/bash
# Checks hvtrustctl's command line without the module: no input makes it hang, its
# messages, exit codes and JSON match hvtrustctl(8), quote verify tells good quotes
# from bad ones, and the bash completion works.
# Context: host, root or not; "make cli-check", counted by scripts/check.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
ctl=$top/build/tools/hvtrustctl
signer=$top/build/tests/quote_sign
page=$top/man/hvtrustctl.8
completion=$top/etc/bash-completion/hvtrustctl
checks=0
failures=0
fail() { echo "cli-check: FAIL $*" >&2; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }

[ -x "$ctl" ] || { echo "cli-check: FAIL $ctl is not built (make tools)" >&2; exit 1; }
[ -x "$signer" ] || { echo "cli-check: FAIL $signer is not built (make cli-check)" >&2; exit 1; }
tmp=$(mktemp -d)
sock_pid=
cleanup() {
	[ -z "$sock_pid" ] || kill "$sock_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# A test key and quotes it signed, good and bad (see selftests/unit/quote_sign.c).
qdir=$tmp/quote
mkdir "$qdir" && "$signer" "$qdir" || { echo "cli-check: FAIL $signer $qdir" >&2; exit 1; }
qname=$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$qdir")

# Runs hvtrustctl with a time limit: a hang fails the check instead of the CI.
# Sets rc, out (stdout) and err (stderr).
run() {
	timeout -k 2 10 "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# Every message is "hvtrustctl: ...", never argv[0]'s path.
check_prefix() {
	local what=$1 line

	while IFS= read -r line; do
		[[ $line == "hvtrustctl: "* ]] || { fail "$what: message not prefixed 'hvtrustctl: ': $line"; return; }
	done <<<"$err"
}

# expect WANT_RC LINES PATTERN DESCRIPTION -- ARGS...: the exit status is WANT_RC,
# stderr has LINES lines (0: any number) and matches the extended regex PATTERN.
expect() {
	local want_rc=$1 lines=$2 pattern=$3 what=$4
	shift 5
	run "$@"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "$what: hvtrustctl $* hung (killed after 10 s)"
		return
	fi
	if [ "$rc" -ne "$want_rc" ]; then
		fail "$what: hvtrustctl $* exited $rc, not $want_rc; stderr: $err"
		return
	fi
	if [ "$lines" -gt 0 ] && [ "$(grep -c '' <<<"$err")" -ne "$lines" ]; then
		fail "$what: hvtrustctl $* printed not $lines line(s) on stderr: $err"
		return
	fi
	if ! grep -qE -- "$pattern" <<<"$err"; then
		fail "$what: hvtrustctl $* stderr does not match '$pattern': $err"
		return
	fi
	check_prefix "$what"
	pass
}

# ---- inputs that are no regular file: one line naming the file, never a hang ----

elf=$ctl	# an ELF64 x86-64 program that surely exists
mkfifo "$tmp/fifo"
mkdir "$tmp/dir"
declare -A kinds=([fifo]=$tmp/fifo [directory]=$tmp/dir [char-device]=/dev/null)
# A socket: made here when python3 can, else one the system has.
if command -v python3 >/dev/null; then
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); time.sleep(120)' "$tmp/sock" &
	sock_pid=$!
	for _ in $(seq 50); do [ -S "$tmp/sock" ] && break; sleep 0.1; done
fi
[ -S "$tmp/sock" ] && kinds[socket]=$tmp/sock
[ -n "${kinds[socket]:-}" ] || kinds[socket]=$(find /run /var/run /dev -maxdepth 3 -type s 2>/dev/null | head -n 1)
# A block device: made here as root (it is never opened), else one the system has.
if [ "$(id -u)" -eq 0 ] && mknod "$tmp/blk" b 7 0 2>/dev/null; then
	kinds[block-device]=$tmp/blk
else
	kinds[block-device]=$(find /dev -maxdepth 2 -type b 2>/dev/null | head -n 1)
fi
# Pseudo-files: /proc/kmsg blocks a reader (root) or refuses it, /proc/self/status
# says size 0 but has contents; and a sysfs attribute.
kinds[procfs-blocking]=/proc/kmsg
kinds[procfs-size-0]=/proc/self/status
for f in /sys/kernel/uevent_seqnum /sys/devices/system/cpu/online /sys/power/state; do
	[ -e "$f" ] && { kinds[sysfs]=$f; break; }
done

printf 'seal = maybe\n' >"$tmp/bad-seal.conf"
kinds_checked=0
for kind in "${!kinds[@]}"; do
	f=${kinds[$kind]}
	if [ -z "$f" ] || ! [ -e "$f" ]; then
		echo "cli-check: no $kind on this machine, not checked" >&2
		continue
	fi
	kinds_checked=$((kinds_checked + 1))
	name=$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$f")
	expect 1 1 "^hvtrustctl: manifest: $name: " "manifest of a $kind" -- manifest "$f"
	expect 1 1 "^hvtrustctl: manifest: $name: " "manifest --json of a $kind" -- manifest --json "$f"
	expect 1 1 "^hvtrustctl: register: $name: " "register a $kind" -- register "$f"
	expect 1 1 "^hvtrustctl: register: $name: " "register --lib a $kind" -- register "$elf" --lib "$f"
	expect 1 1 "^hvtrustctl: unregister: $name: " "unregister a $kind" -- unregister "$f"
	expect 2 1 "^hvtrustctl: seal: $name: " "seal --if-configured=a $kind" -- seal --if-configured="$f"
	expect 1 1 "^hvtrustctl: quote verify: $name: " "quote verify of a $kind" \
		-- quote verify "$f" --key "$qdir/key.hex"
	expect 1 1 "^hvtrustctl: quote verify: $name: " "quote verify --key a $kind" \
		-- quote verify "$qdir/quote.bin" --key "$f"
	[ "$kind" = directory ] ||
		expect 2 1 "^hvtrustctl: register: $name: " "register --config=a $kind" -- register --config="$f"
	# a trusted.d entry that names it, as hvtrust.service meets it at boot
	rm -rf "$tmp/conf" && mkdir "$tmp/conf"
	printf 'path = %s\n' "$f" >"$tmp/conf/entry.conf"
	expect 2 2 "^hvtrustctl: register: $tmp/conf/entry\.conf:1: $name: " \
		"a trusted.d entry naming a $kind" -- register --config="$tmp/conf"
	# the trusted.d file itself, when it can be one
	case $kind in fifo | directory | socket)
		rm -rf "$tmp/conf" && mkdir "$tmp/conf"
		ln -s "$f" "$tmp/conf/link.conf"
		expect 2 2 "^hvtrustctl: register: $tmp/conf/link\.conf: " \
			"a trusted.d file that is a $kind" -- register --config="$tmp/conf"
		;;
	esac
done
[ "$kinds_checked" -ge 6 ] || fail "only $kinds_checked kinds of file could be checked"

# ---- command line: one line per error, the exit status hvtrustctl(8) gives ----

expect 2 1 "^hvtrustctl: unknown command 'foo' \(try 'hvtrustctl --help'\)$" "unknown command" -- foo
[ -z "$out" ] || fail "an unknown command printed on stdout: $out"
expect 2 1 "^hvtrustctl: missing command \(try 'hvtrustctl --help'\)$" "missing command" --
expect 2 1 "^hvtrustctl: unknown option '--bogus' \(try" "unknown global option" -- --bogus status
expect 2 1 "^hvtrustctl: unknown option '-x' \(try" "unknown short option" -- -x
expect 2 1 "^hvtrustctl: status: unknown option '--bogus' \(try" "unknown command option" -- status --bogus
expect 2 1 "^hvtrustctl: list: option '--json' takes no value" "value for a switch" -- list --json=1
expect 2 1 "^hvtrustctl: manifest: option '-o' needs a value" "missing option value" -- manifest "$elf" -o
expect 2 1 "^hvtrustctl: status: unexpected argument 'x'" "extra argument" -- status x
expect 2 1 "^hvtrustctl: manifest: needs exactly one FILE" "missing FILE" -- manifest
expect 2 1 "^hvtrustctl: unregister: needs one ID or FILE" "missing ID" -- unregister
expect 2 1 "^hvtrustctl: register: needs FILE\.\.\. or --config" "FILE and --config" -- register --config="$tmp" x
expect 2 1 "^hvtrustctl: manifest: --output writes" "-o with --json" -- manifest "$elf" --json -o x
expect 1 1 "^hvtrustctl: manifest: $tmp/none: No such file" "missing file" -- manifest "$tmp/none"
expect 2 1 "^hvtrustctl: seal: $tmp/bad-seal\.conf:1: seal = 'maybe'" "malformed hvtrust.conf" \
	-- seal --if-configured="$tmp/bad-seal.conf"
rm -rf "$tmp/conf" && mkdir "$tmp/conf"
printf 'path = %s\nsha256 = 12\n' "$elf" >"$tmp/conf/bad.conf"
expect 2 2 "^hvtrustctl: register: $tmp/conf/bad\.conf:2: sha256 '12' is not 64 hex digits" \
	"malformed trusted.d file" -- register --config="$tmp/conf"
expect 2 1 "^hvtrustctl: register: $tmp/none: No such file" "missing trusted.d" -- register --config="$tmp/none"
run --help
{ [ "$rc" -eq 0 ] && grep -q '^Exit status:' <<<"$out"; } && pass || fail "--help exits $rc or has no 'Exit status:' block"
run --version
{ [ "$rc" -eq 0 ] && grep -qE '^hvtrustctl [0-9]' <<<"$out"; } && pass || fail "--version exits $rc: $out"

# -o - is standard output, the same bytes as -o FILE, and no file named "-".
(cd "$tmp" && timeout 10 "$ctl" manifest "$elf" -o - >"$tmp/stdout.mf") && rc=0 || rc=$?
timeout 10 "$ctl" manifest "$elf" -o "$tmp/file.mf" || rc=$?
if [ "$rc" -ne 0 ] || ! [ -s "$tmp/stdout.mf" ] || ! cmp -s "$tmp/stdout.mf" "$tmp/file.mf"; then
	fail "manifest -o - does not write the manifest -o FILE writes (exit $rc)"
elif [ -e "$tmp/-" ]; then
	fail "manifest -o - created a file named '-'"
else
	pass
fi

# ---- JSON: parses, has "version": 1 and exactly the fields hvtrustctl(8) documents ----

# The field paths of JSON objects on stdin, one per line: "a.b", "a[].b" for an
# array of objects; one object per input line (log), any number of lines.
if command -v python3 >/dev/null; then
	json_paths() {
		python3 -c '
import json, sys
def flat(v, p):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from flat(x, p + "." + k if p else k)
    elif isinstance(v, list) and v and isinstance(v[0], dict):
        for x in v:
            yield from flat(x, p + "[]")
    else:
        yield p
paths = set()
for line in sys.stdin:
    if line.strip():
        obj = json.loads(line)
        if obj.get("version") != 1 or type(obj["version"]) is not int:
            sys.exit("version is %r, not 1" % obj.get("version"))
        paths.update(flat(obj, ""))
print("\n".join(sorted(paths)))'
	}
elif command -v jq >/dev/null; then
	json_paths() {
		jq -r 'def flat(p): if type == "object" then to_entries[] | .key as $k | .value |
				flat(if p == "" then $k else p + "." + $k end)
			elif type == "array" and length > 0 and (.[0] | type) == "object" then .[] | flat(p + "[]")
			else p end;
			if .version != 1 then error("version is \(.version), not 1") else flat("") end' |
			LC_ALL=C sort -u
	}
else
	json_paths() { echo "cli-check: neither python3 nor jq is installed to parse JSON" >&2; return 1; }
fi

# The fields hvtrustctl(8) documents under JSON OUTPUT, subsection $1 ("" for all).
documented_fields() {
	awk -v want="$1" '
		/^\.SH / { on = ($0 ~ /^\.SH "?JSON OUTPUT/); next }
		!on { next }
		/^\.SS / { sub(/^\.SS +"?/, ""); sub(/[ "].*/, ""); section = $0; next }
		want != "" && section != want { next }
		(prev ~ /^\.T[PQ]/) && /^\.BR? / { sub(/^\.BR? +/, ""); gsub(/"[^"]*"/, " "); print }
		{ prev = $0 }' "$page" | tr ' ,' '\n\n' | sed '/^$/d' | LC_ALL=C sort -u
}

# The fields of subsection $1 that the page says are printed "Only" at times:
# those whose description starts with that word.
optional_fields() {
	awk -v want="$1" '
		/^\.SH / { on = ($0 ~ /^\.SH "?JSON OUTPUT/); next }
		!on { next }
		/^\.SS / { sub(/^\.SS +"?/, ""); sub(/[ "].*/, ""); section = $0; next }
		want != "" && section != want { next }
		(prev ~ /^\.T[PQ]/) && /^\.BR? / {
			f = $0; sub(/^\.BR? +/, "", f); gsub(/"[^"]*"/, " ", f); fields = fields " " f
			prev = $0; next
		}
		/^\.T[PQ]/ { prev = $0; next }
		fields != "" { if ($0 ~ /^Only /) print fields; fields = "" }
		{ prev = $0 }' "$page" | tr ' ,' '\n\n' | sed '/^$/d' | LC_ALL=C sort -u
}

# check_json WHAT SECTION: stdout of the last run against the page's SECTION:
# every field printed is documented, every documented one printed unless optional.
check_json() {
	local what=$1 section=$2 got want extra missing

	if ! got=$(LC_ALL=C json_paths <<<"$out" | LC_ALL=C sort -u); then
		fail "$what: stdout is no JSON with \"version\": 1: $out"
		return
	fi
	want=$(documented_fields "$section")
	[ -n "$want" ] || { fail "$what: hvtrustctl(8) documents no field for '$section'"; return; }
	extra=$(LC_ALL=C comm -23 <(echo "$got") <(echo "$want"))
	missing=$(LC_ALL=C comm -13 <(echo "$got") <(echo "$want") |
		  LC_ALL=C comm -23 - <(optional_fields "$section"))
	if [ -n "$extra$missing" ]; then
		fail "$what: fields differ from hvtrustctl(8) '$section' (< printed only, > documented only):"$'\n'"$(sed 's/^/< /' <<<"$extra"; sed 's/^/> /' <<<"$missing")"
		return
	fi
	pass
}

run manifest --json "$elf"
[ "$rc" -eq 0 ] || fail "manifest --json exited $rc: $err"
check_json "manifest --json" manifest
run -j manifest "$tmp/fifo"
check_json "manifest --json of a FIFO (error object)" Error
# Without the module each command says so, as JSON too; with it, its own object.
for cmd in status list log; do
	run "$cmd" --json
	if [ -e /dev/hvtrust ]; then
		[ "$rc" -eq 0 ] && [ "$cmd" != log ] && check_json "$cmd --json" "$cmd"
		continue
	fi
	if [ "$rc" -ne 3 ]; then
		fail "$cmd --json without the module exited $rc, not 3"
		continue
	fi
	check_json "$cmd --json without the module" Error
	grep -q '"errno":2[,}]' <<<"$out" || fail "$cmd --json: errno is not ENOENT (2): $out"
done
# Every key the source prints is documented, and every documented field printed.
src_keys=$(grep -oE '\\"[a-z_0-9]+\\":' tools/hvtrustctl.c | sed -E 's/\\"([a-z_0-9]+)\\":/\1/' | LC_ALL=C sort -u)
doc_keys=$(documented_fields "" | tr '.[]' '\n\n\n' | sed '/^$/d' | LC_ALL=C sort -u)
if [ -z "$src_keys" ] || [ "$src_keys" != "$doc_keys" ]; then
	fail "JSON keys of tools/hvtrustctl.c and hvtrustctl(8) differ (< source, > page):"$'\n'"$(diff <(echo "$src_keys") <(echo "$doc_keys") | grep '^[<>]')"
else
	pass
fi

# ---- quote verify, offline: a test key's quotes, good and bad ----

nonce=$(cat "$qdir/nonce.hex")
for key in key.hex key.raw key.pem; do
	run quote verify "$qdir/quote.bin" --key "$qdir/$key" --nonce "$nonce"
	if [ "$rc" -ne 0 ] || [ -n "$err" ]; then
		fail "quote verify with the $key: exited $rc: $err"
	elif ! grep -qx 'signature: *valid' <<<"$out" || ! grep -qx 'session id: *7' <<<"$out" ||
		! grep -q "^nonce: *$nonce (matches --nonce)$" <<<"$out" ||
		! grep -q "^key sha256: *$(cat "$qdir/key.sha256") " <<<"$out"; then
		fail "quote verify with the $key: not the report's fields and 'signature: valid': $out"
	else
		pass
	fi
done
# What a verifier reads as valid is the signed report: a revoked session's quote too.
run quote verify "$qdir/revoked.bin" --key "$qdir/key.hex"
{ [ "$rc" -eq 0 ] && grep -qx 'flags: *REVOKED (0x2)' <<<"$out" &&
	grep -qx 'signature: *valid' <<<"$out"; } && pass ||
	fail "quote verify of a revoked session's quote: exited $rc, $out $err"
head -c 503 "$qdir/quote.bin" >"$qdir/short.bin"
cat "$qdir/quote.bin" "$qdir/quote.bin" >"$qdir/long.bin"
other=$(cat "$qdir/other.hex")
expect 1 1 "^hvtrustctl: quote verify: $qname/tampered\.bin: bad signature" \
	"a report changed after signing" -- quote verify "$qdir/tampered.bin" --key "$qdir/key.hex"
expect 1 1 "^hvtrustctl: quote verify: $qname/badsig\.bin: bad signature" \
	"a signature changed" -- quote verify "$qdir/badsig.bin" --key "$qdir/key.pem"
expect 1 1 "^hvtrustctl: quote verify: $qname/forged\.bin: bad signature" \
	"a quote another key signed" -- quote verify "$qdir/forged.bin" --key "$qdir/key.raw"
expect 1 1 "^hvtrustctl: quote verify: $qname/fingerprint\.bin: wrong key fingerprint" \
	"a quote naming another key" -- quote verify "$qdir/fingerprint.bin" --key "$qdir/key.hex"
expect 1 1 "^hvtrustctl: quote verify: $qname/quote\.bin: wrong key fingerprint: the quote names key fingerprint $(cat "$qdir/key.sha256"), the key in $qname/other\.hex has [0-9a-f]{64}$" \
	"another key" -- quote verify "$qdir/quote.bin" --key "$qdir/other.hex"
expect 1 1 "^hvtrustctl: quote verify: $qname/quote\.bin: nonce mismatch: the quote answers nonce $nonce, not $other$" \
	"another nonce" -- quote verify "$qdir/quote.bin" --key "$qdir/key.hex" --nonce "$other"
expect 1 1 "^hvtrustctl: quote verify: $qname/magic\.bin: bad magic" \
	"a bad magic" -- quote verify "$qdir/magic.bin" --key "$qdir/key.hex"
expect 1 1 "^hvtrustctl: quote verify: $qname/version\.bin: bad version" \
	"a bad version" -- quote verify "$qdir/version.bin" --key "$qdir/key.hex"
expect 1 1 "^hvtrustctl: quote verify: $qname/short\.bin: 503 bytes, not a quote \(504 bytes\)$" \
	"a short quote" -- quote verify "$qdir/short.bin" --key "$qdir/key.hex"
expect 1 1 "^hvtrustctl: quote verify: $qname/long\.bin: more than 504 bytes, not a quote" \
	"a long quote" -- quote verify "$qdir/long.bin" --key "$qdir/key.hex"
expect 1 1 "^hvtrustctl: quote verify: $qname/quote\.bin: not an Ed25519 public key" \
	"a key file that holds none" -- quote verify "$qdir/quote.bin" --key "$qdir/quote.bin"
expect 1 1 "^hvtrustctl: quote verify: $tmp/none: No such file" \
	"a missing quote" -- quote verify "$tmp/none" --key "$qdir/key.hex"
expect 2 1 "^hvtrustctl: quote verify: --nonce needs 64 hex digits, not '12' \(try" \
	"a short nonce" -- quote verify "$qdir/quote.bin" --key "$qdir/key.hex" --nonce 12
expect 2 1 "^hvtrustctl: quote verify: needs exactly one FILE" "quote verify without FILE" \
	-- quote verify --key "$qdir/key.hex"
expect 2 1 "^hvtrustctl: quote: needs 'key' or 'verify'" "quote alone" -- quote
expect 2 1 "^hvtrustctl: quote: unknown quote command 'sign'" "quote sign" -- quote sign
expect 2 1 "^hvtrustctl: quote key: unknown option '--json'" "quote key --json" -- quote key --json
run quote verify "$qdir/quote.bin" --key "$qdir/key.hex" --nonce "$nonce" --json
[ "$rc" -eq 0 ] || fail "quote verify --json exited $rc: $err"
check_json "quote verify --json" quote
if command -v python3 >/dev/null; then
	python3 -c 'import json, sys
q = json.loads(sys.argv[1])
want = {"session_id": 7, "open": True, "revoked": False, "checks": 42, "key_source": "file",
	"nonce": sys.argv[2], "nonce_checked": True, "signature_valid": True}
bad = {k: q.get(k) for k in want if q.get(k) != want[k]}
sys.exit("quote verify --json: %r" % bad if bad else 0)' "$out" "$nonce" && pass ||
		fail "quote verify --json has wrong values: $out"
fi
run -j quote verify "$qdir/tampered.bin" --key "$qdir/key.hex"
[ "$rc" -eq 1 ] || fail "quote verify --json of a tampered quote exited $rc"
check_json "quote verify --json of a tampered quote (error object)" Error
grep -q '"errno":74[,}]' <<<"$out" || fail "quote verify --json, bad signature: errno is not EBADMSG (74): $out"
if ! [ -e /dev/hvtrust ]; then
	expect 3 1 "^hvtrustctl: quote key: cannot open /dev/hvtrust" "quote key without the module" \
		-- quote key
	expect 3 1 "^hvtrustctl: quote verify: no --key: cannot open /dev/hvtrust" \
		"quote verify without --key or module" -- quote verify "$qdir/quote.bin"
fi

# ---- bash completion ----

if bash -n "$completion"; then pass; else fail "$completion: bash -n"; fi
# complete WORDS...: what the completion offers for the last word, one per line.
complete_words() {
	# shellcheck disable=SC2016
	bash -c '
		[ -r /usr/share/bash-completion/bash_completion ] &&
			. /usr/share/bash-completion/bash_completion >/dev/null 2>&1
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_hvtrustctl hvtrustctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
		printf "%s\n" "${COMPREPLY[@]}"' complete "$completion" "$@"
}
offers() {
	local want=$1 got
	shift
	got=$(cd "$tmp" && complete_words "$@")
	if grep -qxF -- "$want" <<<"$got"; then
		pass
	else
		fail "completion of '$*' does not offer '$want' (offers: $(xargs <<<"$got"))"
	fi
}
offers register hvtrustctl reg
offers --json hvtrustctl status --j
offers --output hvtrustctl manifest --o
offers --follow hvtrustctl log --f
offers --if-configured hvtrustctl seal --if
offers --lib hvtrustctl register --l
offers quote hvtrustctl quo
offers verify hvtrustctl quote v
offers --pem hvtrustctl quote key --p
offers --nonce hvtrustctl quote verify --n
offers --key hvtrustctl quote verify x --k
offers fifo hvtrustctl manifest fi
# bash splits --config=DIR at '=' (COMP_WORDBREAKS); without '=' there, one word
offers bad-seal.conf hvtrustctl seal --if-configured = bad
offers --if-configured=bad-seal.conf hvtrustctl seal --if-configured=bad
offers dir hvtrustctl register --config = di
offers --config=dir hvtrustctl register --config=di
# the same commands as --help, no more, no fewer
help_commands=$("$ctl" --help | sed -n '/^Commands:/,/^$/p' | awk '/^  [a-z]/ { print $1 }' | LC_ALL=C sort -u | xargs)
completed=$(complete_words hvtrustctl "" | LC_ALL=C sort -u | xargs)
if [ -n "$help_commands" ] && [ "$help_commands" = "$completed" ]; then
	pass
else
	fail "completion offers the commands '$completed', --help lists '$help_commands'"
fi

[ "$failures" -eq 0 ] || { echo "cli-check: $failures failed, $checks passed" >&2; exit 1; }
echo "cli-check: $checks checks passed ($kinds_checked kinds of file refused without a hang)"
