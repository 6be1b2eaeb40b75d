# SPDX-License-Identifier: GPL-2.0
# Top-level build of hvtrust: the module (Kbuild), the tools, the selftests and the bench.
# Context: host.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
BUILD := $(CURDIR)/build
LINUX_SRC := $(BUILD)/linux-src
KSELFTEST := $(LINUX_SRC)/tools/testing/selftests
CHECKPATCH := $(LINUX_SRC)/scripts/checkpatch.pl
KERNEL_SRCS := $(wildcard module/*.[ch] vmx/*.[chS] ept/*.[ch] token/*.[chS] include/*.h uapi/*.h \
		selftests/vm/kmod/*.c)
LINUX_SOURCE ?= $(lastword $(sort $(wildcard /usr/src/linux-source-6.12.tar.xz)))

CC ?= cc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE
# The kernel's kselftest harness is built with -Wall only upstream.
TEST_CFLAGS := $(USER_CFLAGS) -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered -I$(KSELFTEST)

PURE_SRCS := token/sha256.c token/sha256_ni.S token/sha512.c token/ed25519.c token/drbg.c token/manifest.c vmx/controls.c ept/mtrr.c ept/ept.c ept/hostmap.c
# Static libcrypto: the tools and the selftests run in a bare initramfs too.
CRYPTO_LIBS := -lcrypto
LIBHVTRUST := $(BUILD)/tools/libhvtrust.a
QUOTE_SIGN := $(BUILD)/tests/quote_sign
UNIT_TESTS := $(patsubst selftests/unit/%.c,$(BUILD)/unit/%,$(wildcard selftests/unit/*_test.c))
VM_TEST_BINS := $(patsubst selftests/vm/%.c,$(BUILD)/selftests/%,$(wildcard selftests/vm/*_test.c))
# The bench is no *_test: the guest's test loop does not pick it up.
# trust_bench registers trust_pad_N (N pages of code each) and times their hypercalls.
TRUST_PAD_PAGES := 1 16 64 256 1024
TRUST_PADS := $(foreach n,$(TRUST_PAD_PAGES),$(BUILD)/selftests/trust_pad_$(n))
VM_BENCH := $(BUILD)/selftests/bench $(BUILD)/selftests/trust_bench $(TRUST_PADS)
$(BUILD)/selftests/hv_test $(BUILD)/selftests/bench: LDLIBS += -pthread
# It builds manifests as the trust tests do, with the hypervisor's SHA-256.
$(BUILD)/selftests/trust_bench: TEST_EXTRA := -DHVT_MANIFEST_OWN_SHA256 tools/manifest.c \
	token/sha256.c token/sha256_ni.S
$(BUILD)/selftests/trust_bench: tools/manifest.c tools/manifest.h token/sha256.c token/sha256_ni.S
# The trust tests: a binary a theme (kselftest_harness.h runs only the tests of the file
# that calls it); each registers itself (tools/manifest.c) and is a trusted program (libhvtrust).
# They hash with the hypervisor's SHA-256, not libcrypto: the hypervisor hashes all
# of a binary's code at every first hypercall, and libcrypto would make that 5 times more.
TRUST_TESTS := $(patsubst selftests/vm/%.c,$(BUILD)/selftests/%,\
	$(wildcard selftests/vm/trust_*_test.c))
$(TRUST_TESTS): TEST_EXTRA := -DHVT_MANIFEST_OWN_SHA256 tools/manifest.c \
	token/sha256.c token/sha256_ni.S $(LIBHVTRUST)
$(TRUST_TESTS): LDLIBS += -pthread
# It checks quotes with OpenSSL, independently of the hypervisor's own Ed25519.
$(BUILD)/selftests/trust_quote_test: LDLIBS += $(CRYPTO_LIBS)
$(TRUST_TESTS): selftests/vm/hvt_trust_harness.h tools/manifest.c tools/manifest.h tools/libhvtrust.h \
	$(LIBHVTRUST)
$(BUILD)/unit/manifest_test: UNIT_EXTRA := tools/manifest.c
$(BUILD)/unit/manifest_test: tools/manifest.c tools/manifest.h
$(BUILD)/unit/deps_test: UNIT_EXTRA := tools/deps.c
$(BUILD)/unit/deps_test: tools/deps.c tools/deps.h
$(BUILD)/unit/libhvtrust_test: UNIT_EXTRA := $(LIBHVTRUST)
$(BUILD)/unit/libhvtrust_test: $(LIBHVTRUST) tools/libhvtrust.h
$(BUILD)/unit/quote_verify_test: UNIT_EXTRA := $(LIBHVTRUST)
$(BUILD)/unit/quote_verify_test: $(LIBHVTRUST) tools/libhvtrust.h selftests/unit/quote_fixture.h

# make install: GNU-style directories under PREFIX; DESTDIR stages the tree.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),\
		       $(PREFIX)/lib/systemd/system)
# bash-completion also looks under /usr/local/share (XDG_DATA_DIRS), so PREFIX serves.
BASHCOMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL_ENV = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" SBINDIR="$(SBINDIR)" LIBDIR="$(LIBDIR)" \
	INCLUDEDIR="$(INCLUDEDIR)" MANDIR="$(MANDIR)" SYSCONFDIR="$(SYSCONFDIR)" \
	SYSTEMDUNITDIR="$(strip $(SYSTEMDUNITDIR))" BASHCOMPLETIONDIR="$(BASHCOMPLETIONDIR)"
# The one version of hvtrust (VERSION): the tools get it here, libhvtrust.pc from
# scripts/install.sh, the module through Kbuild, DKMS through scripts/dkms-source.sh.
HVT_VERSION := $(shell sed -n '/^[0-9]/p' VERSION)
DKMS_VERSION := $(HVT_VERSION)

.PHONY: all module tools selftests vm-helpers unit deps modules-all vmtest vmshell \
	demo check checkpatch bench clean install uninstall dkms-install dkms-uninstall \
	dkms-check install-check unit-verify man-check modinfo-check cppcheck

all: module tools

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: install linux-headers-$$(uname -r) or set KDIR"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools: $(BUILD)/tools/hvtrustctl $(LIBHVTRUST) $(BUILD)/tools/hvtrust-exampled

$(BUILD)/tools/hvtrustctl $(BUILD)/tools/hvtrust-exampled: USER_CFLAGS += -DHVT_VERSION='"$(HVT_VERSION)"'
$(BUILD)/tools/hvtrustctl $(BUILD)/tools/hvtrust-exampled: VERSION

# quote verify checks signatures with libhvtrust's verifier, the object a verifying daemon links.
$(BUILD)/tools/hvtrustctl: tools/hvtrustctl.c tools/hvtrustctl_config.c tools/hvtrustctl_opts.c \
		tools/manifest.c tools/deps.c tools/hvtrustctl_config.h tools/hvtrustctl_opts.h \
		tools/manifest.h tools/deps.h tools/libhvtrust.h uapi/hvtrust.h \
		$(BUILD)/tools/libhvtrust_verify.o
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $(filter %.c %.o,$^) $(CRYPTO_LIBS)

$(BUILD)/tools/libhvtrust.o: tools/libhvtrust.c tools/libhvtrust.h tools/hvtrust_stub.h uapi/hvtrust.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/tools/libhvtrust_verify.o: tools/libhvtrust_verify.c tools/libhvtrust.h uapi/hvtrust.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

# Quote verification is an object of its own: the linker takes it, and libcrypto
# with it, only into programs that call it.
$(LIBHVTRUST): $(BUILD)/tools/libhvtrust.o $(BUILD)/tools/libhvtrust_verify.o
	rm -f $@
	$(AR) rcs $@ $^

# Linked as daemons are, against the shared libc and libcrypto: hvtrustctl
# register finds both (and the interpreter) and registers them with it.
$(BUILD)/tools/hvtrust-exampled: tools/hvtrust-exampled.c tools/libhvtrust.h $(LIBHVTRUST)
	$(CC) $(USER_CFLAGS) -o $@ $< $(LIBHVTRUST) $(CRYPTO_LIBS)

# The kselftest harness and checkpatch come from Debian's kernel source tarball,
# extracted at build time (one pass over the archive for all of them).
$(LINUX_SRC)/.extracted:
	@test -n "$(LINUX_SOURCE)" || { echo "linux-source-6.12 is not installed: run make deps"; exit 1; }
	@mkdir -p $(@D)
	tar -xJf $(LINUX_SOURCE) -C $(@D) --strip-components=1 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
	@touch $@

$(KSELFTEST)/kselftest_harness.h $(CHECKPATCH): $(LINUX_SRC)/.extracted

# --no-tree cannot learn the kernel's own CamelCase names (MSR_MTRRfix64K_00000);
# -ENOSYS is what an unknown hypercall number returns, as an unknown syscall does.
checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --strict --no-tree --quiet --show-types --ignore CAMELCASE,ENOSYS \
		-f $(KERNEL_SRCS)

# User-space static analysis; the kernel side has W=1, sparse and checkpatch.
# Suppressions, with their reasons, in scripts/cppcheck.supp.
cppcheck: $(KSELFTEST)/kselftest_harness.h
	cppcheck --error-exitcode=1 --enable=warning,style,performance,portability \
		--std=c11 --quiet --inline-suppr -D__x86_64__ -D_GNU_SOURCE \
		-Iuapi -Iinclude -I$(KSELFTEST) --suppressions-list=scripts/cppcheck.supp \
		tools selftests

PRELOADS := $(BUILD)/selftests/libhvt_preload.so $(BUILD)/selftests/libhvt_preload_v2.so
selftests: $(VM_TEST_BINS) $(VM_BENCH) $(PRELOADS)

# The one dynamically linked selftest: a trusted program mapping its interpreter and libc
# (the bench copies them into the guest), with libhvtrust linked in as daemons link it.
$(BUILD)/selftests/dynamic_test: selftests/vm/dynamic_test.c selftests/vm/hvt_test_util.h \
		uapi/hvtrust.h tools/libhvtrust.h \
		$(LIBHVTRUST) $(KSELFTEST)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIBHVTRUST)

# What an attacker preloads into it: a shared object registered for no one; and
# another build of it, for a library an upgrade replaced.
$(BUILD)/selftests/libhvt_preload.so: selftests/vm/preload.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -shared -fPIC -o $@ $<

$(BUILD)/selftests/libhvt_preload_v2.so: selftests/vm/preload.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -DHVT_PRELOAD_VERSION=2 -shared -fPIC -o $@ $<

$(BUILD)/selftests/%: selftests/vm/%.c selftests/vm/hvt_test_util.h selftests/vm/hvt_bench_util.h selftests/vm/hvt_workload.h \
		selftests/cpu_brand.h \
		uapi/hvtrust.h $(KSELFTEST)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -o $@ $< $(TEST_EXTRA) $(LDLIBS)

# No C library, so the code segment is the padding plus well under a page of code
# (-Os keeps it there; the timed instructions are inline assembly either way).
PAD_CFLAGS := -Os -Wall -Wextra -Werror -static -nostdlib -ffreestanding -fno-stack-protector \
	-fno-pie -no-pie -fno-asynchronous-unwind-tables -fcf-protection=none
$(TRUST_PADS): $(BUILD)/selftests/trust_pad_%: selftests/vm/trust_pad.c tools/hvtrust_stub.h uapi/hvtrust.h
	@mkdir -p $(@D)
	$(CC) $(PAD_CFLAGS) -DPAD_PAGES=$* -o $@ $<

vm-helpers: $(BUILD)/hvtest-poweroff

$(BUILD)/hvtest-poweroff: scripts/vm/poweroff.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $<

$(BUILD)/unit/%: selftests/unit/%.c $(PURE_SRCS) $(KSELFTEST)/kselftest_harness.h \
		$(wildcard */*.h) include/hvt_types.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(PURE_SRCS) $(UNIT_EXTRA) -lcrypto

# The native SHA-256 bench: token/sha256.c compiled as the kernel compiles it
# (no SSE/AVX, no red zone), so the figure is the hypervisor's, not the vectorizer's.
# token/sha256_ni.S is the same in both worlds.
SHA256_BENCH := $(BUILD)/bench/sha256_bench
KERNEL_LIKE_CFLAGS := -O2 -mno-sse -mno-mmx -mno-sse2 -mno-avx -mno-red-zone

$(BUILD)/bench/sha256.o: token/sha256.c token/sha256.h include/hvt_types.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KERNEL_LIKE_CFLAGS) -c -o $@ $<

$(BUILD)/bench/sha256_ni.o: token/sha256_ni.S
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(SHA256_BENCH): selftests/unit/sha256_bench.c $(BUILD)/bench/sha256.o $(BUILD)/bench/sha256_ni.o \
		token/sha256.h selftests/cpu_brand.h selftests/unit/bench_clock.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(BUILD)/bench/sha256.o $(BUILD)/bench/sha256_ni.o -lcrypto

ED25519_BENCH := $(BUILD)/bench/ed25519_bench
$(BUILD)/bench/sha512.o: token/sha512.c token/sha512.h include/hvt_types.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KERNEL_LIKE_CFLAGS) -c -o $@ $<

$(BUILD)/bench/ed25519.o: token/ed25519.c token/ed25519.h token/sha512.h include/hvt_types.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KERNEL_LIKE_CFLAGS) -c -o $@ $<

$(ED25519_BENCH): selftests/unit/ed25519_bench.c $(BUILD)/bench/ed25519.o $(BUILD)/bench/sha512.o \
		token/ed25519.h selftests/cpu_brand.h selftests/unit/bench_clock.h uapi/hvtrust.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(BUILD)/bench/ed25519.o $(BUILD)/bench/sha512.o -lcrypto

# The bench programs are built here, so make check compiles them; make bench runs them.
unit: $(UNIT_TESTS) $(SHA256_BENCH) $(ED25519_BENCH)
	@for t in $(UNIT_TESTS); do $$t || exit 1; done

deps:
	scripts/deps.sh

modules-all:
	@scripts/kernels.sh | while read -r series kver; do \
		scripts/build-module.sh $$kver $(BUILD)/kmod/$$kver || exit 1; done

# The VM_* variables reach the bench from the environment or from make's command
# line (make exports those); this Makefile must define none of them.
vmtest:
	scripts/vmtest.sh test

# What vmtest, demo and vmshell would boot with the VM_* variables given; boots nothing.
.PHONY: vmtest-plan
vmtest-plan:
	@scripts/vmtest.sh plan

bench: $(SHA256_BENCH) $(ED25519_BENCH)
	scripts/bench.sh

vmshell:
	scripts/vmtest.sh shell

demo: deps
	@scripts/vmtest.sh demo

check:
	scripts/check.sh

install: tools
	$(INSTALL_ENV) scripts/install.sh install

uninstall:
	$(INSTALL_ENV) scripts/install.sh uninstall

# On a server: the sources to /usr/src/hvtrust-VERSION (where dkms looks), then dkms
# builds and installs hvtrust.ko for the running kernel and, through its kernel
# hook, for every kernel installed later.
dkms-install:
	scripts/dkms-source.sh /usr/src
	-dkms remove hvtrust/$(DKMS_VERSION) --all >/dev/null 2>&1
	dkms add hvtrust/$(DKMS_VERSION)
	dkms install hvtrust/$(DKMS_VERSION)

dkms-uninstall:
	-dkms remove hvtrust/$(DKMS_VERSION) --all
	rm -rf /usr/src/hvtrust-$(DKMS_VERSION)

# The packaging checks of make check, one verdict each.
dkms-check:
	scripts/dkms-check.sh

install-check:
	scripts/install-check.sh

unit-verify:
	scripts/unit-verify.sh

man-check:
	scripts/man-check.sh

.PHONY: cli-check
cli-check: $(BUILD)/tools/hvtrustctl $(QUOTE_SIGN)
	scripts/cli-check.sh

# Signs test quotes with a key of its own, for cli-check's offline quote verify.
$(QUOTE_SIGN): selftests/unit/quote_sign.c selftests/unit/quote_fixture.h uapi/hvtrust.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< -lcrypto

modinfo-check:
	scripts/modinfo-check.sh

clean:
	rm -rf $(BUILD)
	-$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
