#!/bin/bash
# The full-system bench: boots Debian kernels under Bochs (VT-x emulated), runs the
# selftests inside and judges the serial log. Context: host.
#   vmtest.sh [test]   every configuration (or those in VM_CONFIGS), summary lines
#   vmtest.sh shell    one machine with an interactive shell on the serial console
#   vmtest.sh demo     one machine that tells hvtrust's story; fails when it goes otherwise
#   vmtest.sh bench    the bench machines, one after the other; prints their reports
#   vmtest.sh plan     what test, demo and shell would run, from the variables below;
#                      builds and boots nothing
# Environment: VM_EXTRA=DIR (copied to /extra, /extra/run runs after the selftests),
# VM_CONFIGS="SERIES:MODEL:CPUS:EXPECT[:TESTS] ...", VM_JOBS (runs side by side),
# VM_TIMEOUT (seconds per run: test, demo, bench),
# VM_TESTS=load_test,trust_session_test (a subset of the selftests, in that order, for
# every configuration; trust_lifecycle_test seals, so it comes last),
# VM_KERNEL and VM_CPU (shell and demo), VM_DKMS=no (never boot build/dkms's module),
# BENCH_CONFIGS="SERIES:MODEL:CPUS:MEGS ...", BENCH_ITERS and BENCH_REPS (bench),
# BENCH_TRUST=0|1 (the trusted-program figures: none, or on every machine too).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
vm=$build/vm
action=${1:-test}

# Longest first: two run side by side, one per host core.
# SERIES:MODEL:CPUS:EXPECT[:TESTS]: the 4-CPU machine runs the hypervisor's
# selftests, not the trusted-program ones, which the 2-CPU machines of the same
# kernel and model run (idle guest time, which a 4-CPU Bochs has most of, is
# what Bochs emulates slowest).
default_configs="6.12:tigerlake:2:load 6.12:corei7_skylake_x:4:load:load_test,caps_test,hv_test 6.1:corei7_skylake_x:2:load 6.12:corei7_skylake_x:2:load 6.12:ryzen:1:refuse"
configs=${VM_CONFIGS:-$default_configs}
jobs=${VM_JOBS:-$(nproc)}
# The machine of shell and demo.
series_1=${VM_KERNEL:-6.12}
model_1=${VM_CPU:-corei7_skylake_x}
# The demo's machine boots in about half a minute and tells its story in seconds.
demo_budget=300

die() { echo "vmtest: $*" >&2; exit 1; }

declare -A kver_of
while read -r series kver; do
	kver_of[$series]=$kver
done < <("$top/scripts/kernels.sh")

kernel_of() {
	local kver=${kver_of[$1]:-}
	[ -n "$kver" ] || die "no kernel for series $1 (known: ${!kver_of[*]})"
	echo "$kver"
}

# A list of selftests, as VM_TESTS and a configuration's TESTS give it: each must exist,
# or the guest would only find out after a boot.
check_tests() {
	local what=$1 list=$2 test
	[ -n "$list" ] || return 0
	for test in ${list//,/ }; do
		if [[ $test != *_test ]] || [ ! -e "$top/selftests/vm/$test.c" ]; then
			die "$what: no selftest named '$test' (selftests/vm/*_test.c)"
		fi
	done
}

positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1=$2: expected a positive number"; }

# Every variable checked before anything is built or booted.
check_variables() {
	local config series model cpus expect tests rest
	positive VM_JOBS "$jobs"
	[ -z "${VM_TIMEOUT:-}" ] || positive VM_TIMEOUT "$VM_TIMEOUT"
	case ${VM_DKMS:-yes} in yes | no) ;; *) die "VM_DKMS=$VM_DKMS: expected yes or no" ;; esac
	check_tests VM_TESTS "${VM_TESTS:-}"
	[ -n "$configs" ] || die "VM_CONFIGS names no configuration"
	for config in $configs; do
		IFS=: read -r series model cpus expect tests rest <<<"$config"
		if [ -n "$rest" ] || [ -z "$model" ]; then
			die "VM_CONFIGS: '$config': expected SERIES:MODEL:CPUS:load|refuse[:TESTS]"
		fi
		kernel_of "$series" >/dev/null
		positive "VM_CONFIGS: '$config': CPUS" "$cpus"
		case $expect in load | refuse) ;; *) die "VM_CONFIGS: '$config': expected load or refuse, not '$expect'" ;; esac
		check_tests "VM_CONFIGS: '$config'" "$tests"
	done
	kernel_of "$series_1" >/dev/null
	[[ $model_1 =~ ^[a-z0-9_]+$ ]] || die "VM_CPU=$model_1: not a Bochs CPU model name"
	[ -z "${VM_EXTRA:-}" ] || [ -d "$VM_EXTRA" ] || die "VM_EXTRA=$VM_EXTRA is not a directory"
}

# The seconds a test run may take: VM_TIMEOUT, or enough for its number of CPUs.
budget_of() {
	echo "${VM_TIMEOUT:-$(($1 > 1 ? 3600 : 480))}"
}

copy_module() {
	local from=$1 to=$2
	[ -n "$from" ] || die "missing kernel module for $to"
	case $from in
	*.xz) xz -dc "$from" >"$to" ;;
	*.zst) zstd -dqc "$from" >"$to" ;;
	*) cp "$from" "$to" ;;
	esac
}

# The hvtrust.ko a kernel boots: the one scripts/dkms-check.sh left in
# build/dkms/KVER when it comes from the same sources as build/kmod's (same
# srcversion), so the bench proves what DKMS installs; else build/kmod's.
module_for() {
	local kver=$1 plain=$build/kmod/$1/hvtrust.ko dkms=$build/dkms/$1/hvtrust.ko
	if [ -e "$dkms" ] && [ "${VM_DKMS:-yes}" != no ]; then
		if [ -e "$plain" ] && [ "$(modinfo -F srcversion "$dkms")" = "$(modinfo -F srcversion "$plain")" ]; then
			echo "$dkms"
			return
		fi
		echo "vmtest: $kver: $dkms ignored, built from other sources (run scripts/dkms-check.sh)" >&2
	fi
	echo "$plain"
}

# The interpreter and libraries a dynamically linked selftest maps, at the paths its
# loader looks for them (files, not links: the guest has no /usr merge).
copy_loader_and_libs() {
	local binary=$1 root=$2 lib
	for lib in $(ldd "$binary" | sed -n -e 's/.*=> \(\/[^ ]*\).*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# The bench's build of the module is current when this script saw it pass (a build
# that warns leaves a module too), and nothing it is built from, nor the module, has
# changed since. Test and bench runs build it anyway; shell and demo boot a current
# one as it is, sparing a minute of sparse.
module_current() {
	local out=$build/kmod/$1 passed=$vm/$1/module-passed
	[ -e "$passed" ] && [ -e "$out/hvtrust.ko" ] && [ -e "$out/selftests/vm/kmod/hvt_peek.ko" ] &&
		[ ! "$out/hvtrust.ko" -nt "$passed" ] &&
		[ -z "$(cd "$top" && find Kbuild include module vmx ept token uapi selftests/vm/kmod \
			scripts/build-module.sh scripts/root-text-check.sh -newer "$passed" -print -quit)" ]
}

# The initramfs a machine of this action boots: the demo's carries only what its story
# runs, so that it unpacks in less emulated time.
initrd_of() {
	if [ "$action" = demo ]; then echo "$vm/$1/initrd-demo.img"; else echo "$vm/$1/initrd.img"; fi
}

# Module, msr driver, tools and selftests of one kernel, packed as an initramfs.
build_initramfs() {
	local kver=$1 root=$vm/$1/root msr module out
	out=$(initrd_of "$kver")

	if [ "$action" = test ] || [ "$action" = bench ] || ! module_current "$kver"; then
		rm -f "$vm/$kver/module-passed"
		"$top/scripts/build-module.sh" "$kver" "$build/kmod/$kver" >/dev/null
		touch "$vm/$kver/module-passed"
	fi
	module=$(module_for "$kver")
	echo "${module#"$top"/}" >"$vm/$kver/module"
	[ "$action" = demo ] && root=$vm/$kver/root-demo
	rm -rf "$root"
	mkdir -p "$root"/{bin,lib,tests,dev,proc,sys,tmp}
	cp /bin/busybox "$root/bin/busybox"
	cp "$top/scripts/vm/init" "$root/init"
	chmod 755 "$root/init"
	cp "$build/hvtest-poweroff" "$root/bin/hvtest-poweroff"
	cp "$build/tools/hvtrustctl" "$root/bin/hvtrustctl"
	cp "$build/tools/hvtrust-exampled" "$root/bin/hvtrust-exampled"
	cp "$top/scripts/vm/demo.sh" "$root/bin/hvtest-demo"
	copy_loader_and_libs "$build/tools/hvtrust-exampled" "$root"
	cp "$module" "$root/lib/hvtrust.ko"
	msr=$(find "/lib/modules/$kver/kernel/arch/x86/kernel" -name 'msr.ko*' | head -n 1)
	[ -n "$msr" ] || die "$kver: no msr.ko"
	copy_module "$msr" "$root/lib/msr.ko"
	if [ "$action" != demo ]; then
		cp "$build"/selftests/*_test "$build"/selftests/libhvt_preload*.so "$root/tests/"
		copy_loader_and_libs "$build/selftests/dynamic_test" "$root"
		cp "$build/kmod/$kver/selftests/vm/kmod/hvt_peek.ko" "$root/lib/hvt_peek.ko"
		# KVM, to prove it cannot take VMX from under hvtrust.
		for mod in irqbypass kvm kvm-intel; do
			copy_module "$(find "/lib/modules/$kver/kernel" -name "$mod.ko*" | head -n 1)" \
				"$root/lib/$mod.ko"
		done
		[ -n "${VM_EXTRA:-}" ] && cp -a "$VM_EXTRA" "$root/extra"
	fi
	# Only bench machines carry the bench: the test machines boot no bigger.
	if [ "$action" = bench ]; then
		cp "$build/selftests/bench" "$build/selftests/trust_bench" "$build"/selftests/trust_pad_* \
			"$root/tests/"
	fi
	[ "$(id -u)" -eq 0 ] && mknod -m 600 "$root/dev/console" c 5 1
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
}

# A bootable ISO: isolinux, the kernel, the initramfs and the command line.
build_iso() {
	local kver=$1 cmdline=$2 iso=$3 stage
	stage=$(dirname "$iso")/iso
	rm -rf "$stage"
	mkdir -p "$stage/isolinux" "$stage/boot"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$stage/isolinux/"
	cp "/boot/vmlinuz-$kver" "$stage/boot/vmlinuz"
	cp "$(initrd_of "$kver")" "$stage/boot/initrd.img"
	cat >"$stage/isolinux/isolinux.cfg" <<-CFG
	default hvtest
	prompt 0
	timeout 0
	label hvtest
	  kernel /boot/vmlinuz
	  append initrd=/boot/initrd.img $cmdline
	CFG
	xorriso -as mkisofs -quiet -o "$iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$stage" 2>/dev/null
	rm -rf "$stage"
}

write_bochsrc() {
	local dir=$1 model=$2 cpus=$3 com1=$4 megs=${5:-512}
	sed -e "s|@MEGS@|$megs|" -e "s|@MODEL@|$model|" -e "s|@CPUS@|$cpus|" \
	    -e "s|@ISO@|$dir/boot.iso|" -e "s|@COM1@|$com1|" -e "s|@LOG@|$dir/bochs.log|" \
	    "$top/scripts/vm/bochsrc.in" >"$dir/bochsrc"
	echo c >"$dir/debugger.rc"
}

# cryptomgr.notests: the 6.12 crypto self-tests take minutes under emulation.
# clearcpuid=mwaitx (ryzen): Bochs 2.7 never ends an MWAITX timed wait, so the
# kernel's first udelay() on an AMD model would spin forever.
# indirect_target_selection=off (tigerlake, an ITS-affected model): Debian's
# 6.12.117 warns "CPA detected W^X violation" from apply_retpolines() when
# it places ITS thunks for any module with indirect calls (kvm's too).
# idle=halt (tigerlake): Bochs 2.7 loses wakeups of a CPU idling in MWAIT on
# this model, where Linux idles with MWAIT when no cpuidle driver binds (none
# does in these machines). After kvm and kvm_intel loaded, with hvtrust
# running or never loaded, the guest crawled or hung: sleeping tasks woken
# seconds late or never, both CPUs idle. With HLT as the idle instruction,
# 8 of 8 load and unload rounds (4 with hvtrust, 4 without) ran at normal speed.
cmdline_for() {
	local mode=$1 expect=$2 model=${3:-}
	local cmdline="console=ttyS0,115200 loglevel=5 panic=0 cryptomgr.notests"
	[ "$model" = ryzen ] && cmdline+=" clearcpuid=mwaitx"
	[ "$model" = tigerlake ] && cmdline+=" indirect_target_selection=off"
	[ "$model" = tigerlake ] && cmdline+=" idle=halt"
	[ -n "${VM_TESTS:-}" ] && cmdline+=" hvtest.tests=$VM_TESTS"
	echo "$cmdline hvtest.mode=$mode hvtest.expect=$expect"
}

# Boots one machine and waits for it to power off; stops it on a panic, a
# guest that finished but did not power off, or when the budget runs out.
boot_and_wait() {
	local dir=$1 budget=$2 serial=$1/serial.log start pid
	: >"$serial"
	start=$(date +%s)
	(cd "$dir" && exec timeout -k 10 "$budget" bochs-bin -q -f bochsrc -rc debugger.rc \
		</dev/null >"$dir/bochs.out" 2>&1) &
	pid=$!
	local done_at=0 panic_at=0 now
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		now=$(date +%s)
		if [ "$panic_at" -eq 0 ] && grep -q 'Kernel panic - not syncing' "$serial"; then
			panic_at=$now
		fi
		if [ "$done_at" -eq 0 ] && grep -q '^hvtest: done' "$serial"; then
			done_at=$now
		fi
		local why=
		if [ "$panic_at" -gt 0 ] && [ $((now - panic_at)) -ge 10 ]; then
			why="the guest kernel panicked"
		elif [ "$done_at" -gt 0 ] && [ $((now - done_at)) -ge 120 ]; then
			why="the guest finished but did not power off"
		fi
		if [ -n "$why" ]; then
			echo "$why" >"$dir/stopped"
			pkill -TERM -P "$pid" 2>/dev/null || true
			kill -TERM "$pid" 2>/dev/null || true
			break
		fi
	done
	wait "$pid" || echo "$?" >"$dir/exit_status"
	[ -e "$dir/stopped" ] && echo "vmtest: $(cat "$dir/stopped"): stopped it" >&2
	echo $(($(date +%s) - start)) >"$dir/seconds"
}

# Bochs leaves with status 1 after an ACPI power-off: that one is clean.
bochs_status() {
	local status
	status=$(cat "$1/exit_status" 2>/dev/null || echo 0)
	if [ "$status" = 1 ] && grep -q 'ACPI control: soft power off' "$1/bochs.out"; then
		status=0
	fi
	echo "$status"
}

# Reads the serial log of a run and prints its verdict line.
judge() {
	local dir=$1 kver=$2 model=$3 cpus=$4 expect=$5
	tr -d '\r' <"$dir/serial.log" | awk -v kver="$kver" -v model="$model" -v cpus="$cpus" \
		-v expect="$expect" -v seconds="$(cat "$dir/seconds")" \
		-v exit_status="$(bochs_status "$dir")" '
	function fail(why) { failed++; print "vmtest: FAIL " why > "/dev/stderr" }
	function close_plan() {
		if (plan >= 0 && results != plan)
			fail(section ": plan of " plan " tests, " results " results")
		plan = -1; results = 0
	}
	BEGIN { plan = -1; section = "?" }
	/^hvtest: boot kernel=/ {
		booted = 1
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^kernel=/) uname = substr($i, 8)
			if ($i ~ /^cpus=/) seen_cpus = substr($i, 6)
		}
	}
	/^hvtest: run / { close_plan(); section = $3; section_failed = 0 }
	/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; results = 0 }
	/^(not )?ok [0-9]+/ {
		results++
		if ($0 ~ /^not ok/) { fail(section ": " $0); section_failed++ }
		else if (toupper($0) ~ /# SKIP/) skipped++
		else passed++
	}
	/^hvtest: exit / {
		close_plan()
		if ($4 != 0 && section_failed == 0) fail($3 " exited with status " $4)
	}
	/^hvtest: module not loaded/ { if (expect == "load") fail($0) }
	/^hvtest: kernel-problem: / { fail($0) }
	/Kernel panic - not syncing/ { fail("guest: " $0) }
	/^hvtest: done/ { finished = 1 }
	END {
		close_plan()
		if (!booted) fail("the guest never reached /init")
		else {
			if (uname != kver) fail("booted kernel " uname ", expected " kver)
			if (seen_cpus != cpus) fail("guest saw " seen_cpus " CPUs, expected " cpus)
		}
		if (!finished) fail("no end of run (hang, crash or budget of the run spent after " seconds " s)")
		if (exit_status != 0 && exit_status != "") fail("bochs exit status " exit_status)
		if (passed + failed == 0) fail("no test ran")
		printf "vmtest kernel=%s cpu=%s cpus=%s: %d passed, %d failed, %d skipped\n",
		       uname != "" ? uname : kver, model, cpus, passed, failed, skipped
	}'
}

run_config() {
	local config=$1 series model cpus expect tests kver dir budget
	IFS=: read -r series model cpus expect tests <<<"$config"
	kver=$(kernel_of "$series")
	dir=$vm/runs/$series-$model-${cpus}cpu
	rm -rf "$dir"
	mkdir -p "$dir"
	budget=$(budget_of "$cpus")
	build_iso "$kver" "$(VM_TESTS=${VM_TESTS:-$tests} cmdline_for test "$expect" "$model")" \
		"$dir/boot.iso"
	write_bochsrc "$dir" "$model" "$cpus" "mode=file, dev=$dir/serial.log"
	echo "vmtest: $series $model ${cpus}cpu boots $(cat "$vm/$kver/module")"
	boot_and_wait "$dir" "$budget"
	judge "$dir" "$kver" "$model" "$cpus" "$expect" >"$dir/verdict" 2>"$dir/failures" || true
	cat "$dir/failures" "$dir/verdict"
	if ! grep -q ', 0 failed,' "$dir/verdict"; then
		echo "vmtest: log of the failed run: $dir/serial.log (bochs: $dir/bochs.log)"
	fi
	echo "vmtest: $series $model ${cpus}cpu took $(cat "$dir/seconds") s"
}

# Builds what the guests need; for the kernels of the series named, or all.
prepare() {
	local series kver
	# shellcheck disable=SC2046 # no word, or one
	make -C "$top" --no-print-directory tools vm-helpers $([ "$action" = demo ] || echo selftests) >/dev/null
	for series in "${@:-${!kver_of[@]}}"; do
		kver=${kver_of[$series]}
		mkdir -p "$vm/$kver"
		build_initramfs "$kver"
	done
}

# One bench machine: boots it, keeps the serial log, prints its report
# section (the guest's "bench: " lines under a header naming the machine).
bench_config() {
	local config=$1 series model cpus megs kver dir cmdline ips
	IFS=: read -r series model cpus megs <<<"$config"
	kver=$(kernel_of "$series")
	dir=$vm/bench/$series-$model-${cpus}cpu
	rm -rf "$dir"
	mkdir -p "$dir"
	cmdline=$(cmdline_for bench load "$model")
	[ -n "${BENCH_ITERS:-}" ] && cmdline+=" hvtest.bench_iters=$BENCH_ITERS"
	[ -n "${BENCH_REPS:-}" ] && cmdline+=" hvtest.bench_reps=$BENCH_REPS"
	[ -n "${BENCH_TRUST:-}" ] && cmdline+=" hvtest.bench_trust=$BENCH_TRUST"
	build_iso "$kver" "$cmdline" "$dir/boot.iso"
	write_bochsrc "$dir" "$model" "$cpus" "mode=file, dev=$dir/serial.log" "$megs"
	ips=$(sed -n 's/.*ips=\([0-9]*\).*/\1/p' "$dir/bochsrc")
	# The one-CPU machine measures the trusted-program service (f) too.
	boot_and_wait "$dir" "${VM_TIMEOUT:-$((cpus > 1 ? 600 : 480))}"
	echo "== Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null || echo '?'):" \
		"$model, $cpus CPU$([ "$cpus" = 1 ] || echo s), $megs MiB, ips=$ips, clock sync=none; Debian $kver"
	echo "   emulation figures: guest time and TSC advance with emulated instructions, not host time;"
	echo "   the machine took $(cat "$dir/seconds") s of wall time, boot included"
	tr -d '\r' <"$dir/serial.log" | sed -n 's/^bench: //p'
	tr -d '\r' <"$dir/serial.log" | grep -E '^hvtest: kernel-problem|^bench: error|Kernel panic' || true
	if ! tr -d '\r' <"$dir/serial.log" | grep -q '^bench: end'; then
		echo "bench: $series $model ${cpus}cpu did not finish: $dir/serial.log (bochs: $dir/bochs.log)"
		return 1
	fi
}

relative() { echo "${1#"$top"/}"; }

# The kernel series the configurations name, each once.
series_of_configs() {
	local config
	for config in $configs; do echo "${config%%:*}"; done | sort -u
}

# What the runs would boot, one line each, from the variables alone: nothing is
# built or booted (scripts/bench-vars-check.sh reads it).
plan() {
	local config series model cpus expect tests
	echo "plan: jobs=$jobs dkms=${VM_DKMS:-yes} extra=${VM_EXTRA:-none}"
	for config in $configs; do
		IFS=: read -r series model cpus expect tests <<<"$config"
		tests=${VM_TESTS:-$tests}
		echo "plan: test series=$series kernel=$(kernel_of "$series") cpu=$model cpus=$cpus" \
			"expect=$expect timeout=$(budget_of "$cpus") tests=${tests:-default}" \
			"module=$(relative "$(module_for "$(kernel_of "$series")" 2>/dev/null)")"
	done
	for config in demo shell; do
		echo "plan: $config series=$series_1 kernel=$(kernel_of "$series_1") cpu=$model_1 cpus=1" \
			"timeout=$([ $config = demo ] && echo "${VM_TIMEOUT:-$demo_budget}" || echo none)" \
			"module=$(relative "$(module_for "$(kernel_of "$series_1")" 2>/dev/null)")"
	done
}

# Prints the guest's story lines ("demo: ", the verdict left out) that came since the
# last call, whole lines only; $shown counts them.
show_story() {
	local serial=$1 lines complete
	complete=$(wc -l <"$serial")
	mapfile -t lines < <(head -n "$complete" "$serial" | tr -d '\r' | grep '^demo: ' | grep -v '^demo: result: ')
	while [ "$shown" -lt "${#lines[@]}" ]; do
		echo "${lines[$shown]}"
		shown=$((shown + 1))
	done
}

# One 1-CPU machine tells the story (scripts/vm/demo.sh); its lines show as they come,
# everything else stays in the serial log. Fails unless the guest says it all happened.
demo() {
	local kver dir module start=$SECONDS built why bw rc shown=0
	kver=$(kernel_of "$series_1")
	dir=$vm/demo
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "demo: building hvtrust, its tools and a small Linux image ($kver); log: $(relative "$dir")/build.log"
	# Not as a condition: that would switch errexit off inside prepare.
	set +e
	(set -e; prepare "$series_1") >"$dir/build.log" 2>&1
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$dir/build.log" >&2
		echo "demo: FAILED: the build failed; its log: $(relative "$dir")/build.log" >&2
		exit 1
	fi
	built=$((SECONDS - start))
	module=$(cat "$vm/$kver/module")
	case $module in
	build/dkms/*) echo "demo: module $module: the production build, as DKMS installs it" ;;
	*) echo "demo: module $module: the bench's build, test hooks unused"
	   echo "demo: (no production build from DKMS for $kver in build/dkms; make check leaves 6.1's)" ;;
	esac
	build_iso "$kver" "$(cmdline_for demo load "$model_1")" "$dir/boot.iso"
	write_bochsrc "$dir" "$model_1" 1 "mode=file, dev=$dir/serial.log"
	echo "demo: booting Linux $kver under Bochs on one emulated $model_1 CPU with VT-x, about a minute..."
	boot_and_wait "$dir" "${VM_TIMEOUT:-$demo_budget}" &
	bw=$!
	while kill -0 "$bw" 2>/dev/null; do
		sleep 1
		show_story "$dir/serial.log"
	done
	wait "$bw" || true
	show_story "$dir/serial.log"
	why=$(tr -d '\r' <"$dir/serial.log" | sed -n 's/^demo: result: //p' | tail -n 1)
	if [ "$why" != ok ]; then
		[ -n "$why" ] || why="the guest did not finish the story: $(cat "$dir/stopped" 2>/dev/null ||
			echo "it stopped after $(cat "$dir/seconds") s (budget ${VM_TIMEOUT:-$demo_budget} s)")"
		echo "demo: FAILED: ${why#FAILED: } (after $((SECONDS - start)) s)" >&2
		echo "demo: the whole serial log: $(relative "$dir")/serial.log"
		echo "demo: next: make vmshell for a shell on this machine with hvtrust loaded; make check for every test"
		exit 1
	fi
	echo "demo: the story held: loaded, trusted, tampered with, revoked, audited, reported, unloaded"
	echo "demo: $((SECONDS - start)) s: $built s to build, $(cat "$dir/seconds") s for the emulated machine"
	echo "demo: the whole serial log: $(relative "$dir")/serial.log"
	echo "demo: next: make vmshell for a shell on this machine with hvtrust loaded; make check for every test"
}

check_variables
case $action in
bench)
	configs=${BENCH_CONFIGS:-"6.12:corei7_skylake_x:1:512 6.12:corei7_skylake_x:2:1024"}
	# shellcheck disable=SC2046 # one word per series
	prepare $(series_of_configs)
	status=0
	for config in $configs; do
		bench_config "$config" || status=1
		echo
	done
	exit $status
	;;
test)
	# shellcheck disable=SC2046 # one word per series
	prepare $(series_of_configs)
	rm -rf "$vm/runs"
	mkdir -p "$vm/runs"
	running=0
	for config in $configs; do
		if [ "$running" -ge "$jobs" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		run_config "$config" >"$vm/runs/${config//:/_}.out" 2>&1 &
		running=$((running + 1))
	done
	wait || true
	total_p=0 total_f=0 total_s=0
	for config in $configs; do
		out=$vm/runs/${config//:/_}.out
		cat "$out"
		line=$(grep '^vmtest kernel=' "$out" || echo "vmtest $config: 0 passed, 1 failed, 0 skipped")
		read -r p f s < <(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/' <<<"$line")
		total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	done
	echo "vmtest: $total_p passed, $total_f failed, $total_s skipped"
	[ "$total_f" -eq 0 ]
	;;
shell)
	prepare "$series_1"
	kver=$(kernel_of "$series_1")
	dir=$vm/shell
	rm -rf "$dir"
	mkdir -p "$dir"
	build_iso "$kver" "$(cmdline_for shell load "$model_1")" "$dir/boot.iso"
	tty -s || die "vmshell needs a terminal"
	write_bochsrc "$dir" "$model_1" 1 "mode=term, dev=$(tty)"
	echo "vmshell: booting $kver on $model_1; 'poweroff -f' or /bin/hvtest-poweroff ends it"
	cd "$dir" && exec bochs-bin -q -f bochsrc -rc debugger.rc
	;;
demo)
	demo
	;;
plan)
	plan
	;;
*)
	die "unknown action $action (test, shell, demo, bench or plan)"
	;;
esac
