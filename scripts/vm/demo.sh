#!/bin/busybox sh
# The demo's story, told in the guest: load hvtrust, register and start the example daemon,
# tamper with its code, show the revocation and the audit record, unload. Context: the demo
# guest, run by /init as root; prints "demo: " lines, then "demo: result: ok" or
# "demo: result: FAILED: why". /init passes $problems and $boot_lines (its kernel-log judge).

daemon=/bin/hvtrust-exampled
daemon_log=/tmp/exampled.log
# The library the attacker patches: the daemon runs its code, no other process here does
# (busybox and hvtrustctl are static), so a write to it disturbs nothing else.
victim_lib=/lib/x86_64-linux-gnu/libcrypto.so.3
daemon_pid=

say() { echo "demo: $*"; }
# Indented: output of the commands the story runs.
show() { sed 's/^/demo:    /'; }
fail() {
	say "result: FAILED: $*"
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	exit 1
}

# Polls up to $1 tenths of a second (guest time) for the command that follows to succeed.
# On this one-CPU machine an idle guest costs little wall time.
wait_for() {
	local tenths="$1"
	shift
	while ! "$@"; do
		tenths=$((tenths - 1))
		[ "$tenths" -gt 0 ] || return 1
		sleep 0.1
	done
}

# The daemon's stderr lines without their syslog level ("<6>").
daemon_says() { sed 's/^<[0-9]>//' "$daemon_log"; }
daemon_logged() { grep -q "$1" "$daemon_log"; }
daemon_gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }

say "1. Linux $(uname -r) is up on an emulated CPU with VT-x. Load hvtrust, the hypervisor:"
say "   insmod hvtrust.ko"
insmod /lib/hvtrust.ko 2>&1 | show
grep -q '^hvtrust ' /proc/modules || fail "hvtrust did not load (dmesg: $(dmesg | grep 'hvtrust:' | tail -n 1))"
status=$(hvtrustctl status | head -n 1)
echo "$status" | show
case $status in
"hypervisor: running, "*) ;;
*) fail "hvtrustctl status does not say the hypervisor runs" ;;
esac
say "   Linux goes on running, now as a guest of the hypervisor under it."

say "2. The administrator registers the example daemon: its code, and the loader and"
say "   libraries it runs, each hashed page by page. hvtrustctl register $daemon"
hvtrustctl register "$daemon" >/tmp/register.out 2>&1 || { show </tmp/register.out; fail "hvtrustctl register failed"; }
show </tmp/register.out

say "3. The daemon starts. Its first hypercall opens a session: the hypervisor hashes the"
say "   code the process runs, issues a secret token into a page only the hypervisor writes"
say "   (never printed), and from then on write-protects that code and the data it asks for."
$daemon --interval 200 2>"$daemon_log" &
daemon_pid=$!
wait_for 300 daemon_logged 'check 1 ok' || { daemon_says | show; fail "the daemon did not open its session and pass a first check"; }
daemon_says | show
told=$(wc -l <"$daemon_log")
session=$(sed -n 's/.*: session \([0-9]*\) open$/\1/p' "$daemon_log")
[ -n "$session" ] || fail "the daemon named no session"

# Where the attacker writes: the first page of libcrypto's code as the daemon maps it
# (its maps are readable without revoking), at that mapping's offset in the file.
mapping=$(grep " r-xp .*$victim_lib\$" "/proc/$daemon_pid/maps" | head -n 1)
[ -n "$mapping" ] || fail "the daemon does not map the code of $victim_lib"
target=0x${mapping%%-*}
offset=$(printf '%#x' "0x$(echo "$mapping" | cut -d' ' -f3)")

say "4. An attacker, a root process of its own, patches libcrypto's code in place: one byte,"
say "   file offset $offset, a page the daemon runs at $target (it writes the byte's own"
say "   value: the hypervisor traps the write itself, whatever it writes)."
say "   dd of=$victim_lib seek=$((offset)) bs=1 count=1 conv=notrunc"
dd if="$victim_lib" of="$victim_lib" bs=1 count=1 skip=$((offset)) seek=$((offset)) conv=notrunc \
	2>/tmp/dd.out || { show </tmp/dd.out; fail "the attacker's write failed"; }
say "   1 byte written: to Linux, root writing a file nobody has open for writing is fine."

# Told once it is known to have happened.
hvtrustctl log >/tmp/audit.out 2>&1 || { show </tmp/audit.out; fail "hvtrustctl log failed"; }
record=$(grep " write .* session $session pid $daemon_pid " /tmp/audit.out | head -n 1)
if [ -z "$record" ]; then
	say "5. hvtrustctl log"
	show </tmp/audit.out
	fail "no audit record of a write to session $session"
fi
say "5. The hypervisor saw the write to a protected frame in EPT and revoked the session at"
say "   once (token wiped). Its audit log: who (session, pid, command), what, where"
say "   (gva: the daemon's address; gpa: the physical frame). hvtrustctl log"
show </tmp/audit.out
gva=$(echo "$record" | sed -n 's/.* gva \(0x[0-9a-f]*\) .*/\1/p')
gpa=$(echo "$record" | sed -n 's/.* gpa \(0x[0-9a-f]*\).*/\1/p')
[ $((gva & ~0xfff)) -eq $((target & ~0xfff)) ] ||
	fail "the audit record names $gva, the attacker wrote the page at $target"
say "   In plain words: who: session $session of pid $daemon_pid (hvtrust-exampled); what: a write"
say "   to its protected code; where: $gva (libcrypto's code in the daemon), frame $gpa."
say "   (In the \"protected\" records, gva is where a range starts and len its length.)"
say "   The kernel log says it too:"
dmesg | grep 'hvtrust: audit: write' | sed 's/^\[[ 0-9.]*\] //' | show

wait_for 300 daemon_gone || fail "the daemon still runs: it did not see the revocation"
wait "$daemon_pid"
rc=$?
daemon_pid_was=$daemon_pid
daemon_pid=
say "6. The daemon's next check found its session revoked; it reported it and stopped:"
daemon_says | tail -n +$((told + 1)) | show
[ "$rc" -eq 4 ] || fail "the daemon exited with status $rc, not 4 (integrity violation)"
daemon_logged 'session revoked' || fail "the daemon did not report the revocation"
say "   hvtrust-exampled (pid $daemon_pid_was) exited with status 4, its code for an integrity violation."

say "7. Unload: every CPU leaves VMX and Linux runs on the bare CPU again. rmmod hvtrust"
rmmod hvtrust 2>&1 | show
grep -q '^hvtrust ' /proc/modules && fail "rmmod did not unload hvtrust"
hvtrustctl status >/dev/null 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "hvtrustctl status exited $rc after rmmod, not 3 (not loaded)"
say "   hvtrustctl status: exit status 3, its code for \"hvtrust is not loaded\"."

# The kernel must have stayed healthy through the story (boot-time warnings of the
# emulated CPU aside: /init lists those before, unjudged).
issues=
[ -n "${problems:-}" ] && issues=$(dmesg | tail -n +$((${boot_lines:-0} + 1)) | grep -E "$problems")
if [ -n "$issues" ]; then
	echo "$issues" | show
	fail "the kernel logged a problem during the demo"
fi
say "result: ok"
