// SPDX-License-Identifier: GPL-2.0
/* Selftest: volume: 10^5 random ioctls and 10^5 random hypercalls while a trusted program keeps passing its checks. */
/* Context: user space inside the test guest (root); registers itself. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "hvt_trust_harness.h"

#define FUZZ_CALLS	100000
#define FUZZ_SEED	0x6876747275737421ULL	/* HVT_FUZZ_SEED replaces it */
#define SCRATCH_PAGES	16
#define DAEMON_CHECK_EVERY	256
/* Every structure of the ABI fits; the scratch past it keeps older garbage. */
#define ARGUMENT_BYTES	256

static uint64_t fuzz_seed(void)
{
	const char *text = getenv("HVT_FUZZ_SEED");

	return text ? strtoull(text, NULL, 0) : FUZZ_SEED;
}

/* xorshift64*: one seed, one sequence, on every machine. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/*
 * Memory to point the kernel and root at: SCRATCH_PAGES readable and
 * writable pages with a guard page after them, so that a structure can end
 * one byte into the guard.
 */
struct arena {
	unsigned char *scratch;
	unsigned char *guard;
};

static int arena_make(struct arena *a)
{
	size_t len = (SCRATCH_PAGES + 1) * PAGE;

	a->scratch = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->scratch == MAP_FAILED)
		return -errno;
	memset(a->scratch, 0, len);
	a->guard = a->scratch + SCRATCH_PAGES * PAGE;
	return mprotect(a->guard, PAGE, PROT_NONE) ? -errno : 0;
}

/* An address as a hostile caller would pass it: valid, straddling, unmapped, kernel, wild. */
static uint64_t pick_pointer(uint64_t *state, const struct arena *a)
{
	uint64_t r = next_random(state);

	switch (r % 8) {
	case 0:
		return 0;
	case 1:
	case 2:
		return (uintptr_t)a->scratch + (r >> 8) % (SCRATCH_PAGES * PAGE);
	case 3:
		return (uintptr_t)a->guard - 1 - (r >> 8) % 64;
	case 4:
		return (uintptr_t)a->guard + (r >> 8) % PAGE;
	case 5:
		return 0xffff888000000000ULL + ((r >> 8) & 0xfffff000);
	case 6:
		return 0x8000000000000000ULL | (r >> 8);
	default:
		/* User addresses where neither the loader nor mmap puts anything. */
		return 0x100000000000ULL + ((r >> 17) & 0xffffffff000ULL);
	}
}

/* A size field: what the structures know, what they do not, and nonsense. */
static uint32_t pick_size(uint64_t *state)
{
	static const uint32_t sizes[] = { 0, 1, 4, 7, 8, 16, 24, 40, 56, 64, 72, 80, 4096, 65536,
					  0x7fffffff, 0xffffffff };
	uint64_t r = next_random(state);

	return r & 1 ? sizes[(r >> 1) % (sizeof(sizes) / sizeof(sizes[0]))] : (uint32_t)(r >> 32);
}

/* Random words at @p, some of them pointers or small numbers, then a size field first. */
static void fill_arguments(uint64_t *state, const struct arena *a, unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = next_random(state), word;

		switch (r % 4) {
		case 0:
			word = pick_pointer(state, a);
			break;
		case 1:
			word = (r >> 8) % 8;
			break;
		default:
			word = next_random(state);
		}
		memcpy(p + i, &word, 8);
	}
	if (len >= 4) {
		uint32_t size = pick_size(state);

		memcpy(p, &size, 4);
	}
}

static bool errno_expected(int err)
{
	static const int known[] = {
		EINVAL, EFAULT, ENOTTY, EPERM, ENOENT, ENOSPC, EBUSY, ENODEV, ESRCH, EACCES,
		EEXIST, E2BIG, EBADF, EOPNOTSUPP, EBADMSG, ENOEXEC, EFBIG, ENOMEM, EINTR,
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (err == known[i])
			return true;
	return false;
}

/*
 * A trusted program beside the fuzz: a session with a protected page,
 * STATUS in a loop and a CHECK every DAEMON_CHECK_EVERY calls, until the
 * test closes its pipe. It exits 0 with the calls made when every one
 * passed.
 */
struct daemon {
	pid_t pid;
	int stop[2];
	int result[2];
};

static void daemon_run(struct daemon *d)
{
	uint64_t calls = 0, rdi, r8;
	struct raw r;
	char *buf, byte;

	close(d->stop[1]);
	close(d->result[0]);
	CHILD_CHECK(raw_open(&r) == 0, 2);
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(buf != MAP_FAILED, 2);
	memset(buf, 0x3c, PAGE);
	CHILD_CHECK(raw_protect(&r, buf, PAGE) == 0, 2);
	CHILD_CHECK(fcntl(d->stop[0], F_SETFL, O_NONBLOCK) == 0, 2);
	CHILD_CHECK(write(d->result[1], "r", 1) == 1, 2);
	while (read(d->stop[0], &byte, 1) < 0 && errno == EAGAIN) {
		CHILD_CHECK(raw_status(&r) == 0, 3);
		if (++calls % DAEMON_CHECK_EVERY == 0) {
			rdi = 0;
			r8 = 0;
			CHILD_CHECK(raw_call(&r, HVTRUST_HC_CHECK, &rdi, &r8) == 0, 4);
		}
	}
	CHILD_CHECK(write(d->result[1], &calls, sizeof(calls)) == sizeof(calls), 2);
	_exit(0);
}

static int daemon_start(struct daemon *d)
{
	char ready;

	if (pipe(d->stop) || pipe(d->result))
		return -errno;
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (!d->pid)
		daemon_run(d);
	close(d->stop[0]);
	close(d->result[1]);
	return read(d->result[0], &ready, 1) == 1 ? 0 : -EPROTO;
}

/* Return: the daemon's exit status; *calls the calls it made. */
static int daemon_stop(struct daemon *d, uint64_t *calls)
{
	*calls = 0;
	close(d->stop[1]);
	if (read(d->result[0], calls, sizeof(*calls)) != sizeof(*calls))
		*calls = 0;
	close(d->result[0]);
	return wait_exit(d->pid);
}

/* The size each command's structure has, by command number. */
static const uint32_t abi_sizes[] = {
	HVTRUST_CAPS_SIZE_V1, HVTRUST_STATUS_SIZE_V3, HVTRUST_EXITS_SIZE_V1,
	HVTRUST_REGISTER_SIZE_V1, HVTRUST_UNREGISTER_SIZE_V1, HVTRUST_LIST_SIZE_V1,
	HVTRUST_SEAL_SIZE_V1, HVTRUST_ATTACH_SIZE_V1, HVTRUST_READ_AUDIT_SIZE_V1,
	HVTRUST_QUOTE_KEY_SIZE_V1,
};

/* An ioctl number: ours, ours with other bits, or anything. */
static unsigned long pick_command(uint64_t *state)
{
	uint64_t r = next_random(state);

	switch (r % 8) {
	case 0:
		return (uint32_t)(r >> 32);
	case 1:
		return _IOC((r >> 8) & 3, HVTRUST_IOCTL_TYPE, (r >> 16) % 16, (r >> 24) & 0x3fff);
	default:
		return _IO(HVTRUST_IOCTL_TYPE, (r >> 8) % 16);
	}
}

/*
 * Attacker: any process with the device open, root included, throwing
 * every command number with garbage: sizes the structures never had,
 * pointers into unmapped and kernel memory and across a guard page,
 * nonsense fields. Each call fails with one of the module's error codes
 * or succeeds; nothing it does reaches a trusted program or the guest.
 * Unregister and seal, the two commands that would lose the registry,
 * get ids no binary has and a nonzero flag.
 */
TEST_F_TIMEOUT(trust, a_hundred_thousand_random_ioctls_are_refused_cleanly, 120)
{
	uint64_t seed = fuzz_seed(), state = seed | 1, calls, refused = 0, accepted = 0;
	struct daemon d;
	struct arena a;
	int i, status;

	TH_LOG("seed %#llx (HVT_FUZZ_SEED repeats it)", (unsigned long long)seed);
	ASSERT_EQ(0, arena_make(&a));
	ASSERT_EQ(0, daemon_start(&d));
	for (i = 0; i < FUZZ_CALLS; i++) {
		unsigned long cmd = pick_command(&state);
		uint64_t arg = pick_pointer(&state, &a);
		int ret;

		fill_arguments(&state, &a, a.scratch, ARGUMENT_BYTES);
		/* Half the time past the size check, into the fields. */
		if (_IOC_NR(cmd) < sizeof(abi_sizes) / sizeof(abi_sizes[0]) &&
		    next_random(&state) % 2) {
			memcpy(a.scratch, &abi_sizes[_IOC_NR(cmd)], sizeof(uint32_t));
			arg = (uintptr_t)a.scratch;
		}
		if (_IOC_NR(cmd) == _IOC_NR(HVTRUST_IOC_UNREGISTER)) {
			struct hvtrust_unregister *u = (void *)a.scratch;

			u->id = HVTRUST_MAX_BINARIES + (u->id % 1000);
		} else if (_IOC_NR(cmd) == _IOC_NR(HVTRUST_IOC_SEAL)) {
			struct hvtrust_seal *s = (void *)a.scratch;

			s->flags |= 1;
		}
		/* Valid arguments often enough to reach past the size check. */
		if ((arg & 3) == 1)
			arg = (uintptr_t)a.scratch;
		ret = ioctl(self->dev, cmd, (unsigned long)arg);
		if (!ret) {
			accepted++;
			continue;
		}
		refused++;
		ASSERT_TRUE(errno_expected(errno)) {
			TH_LOG("seed %#llx call %d: ioctl %#lx (%#llx): errno %d", (unsigned long long)seed,
			       i, cmd, (unsigned long long)arg, errno);
		}
	}
	status = daemon_stop(&d, &calls);
	TH_LOG("%d ioctls: %llu refused, %llu accepted; the trusted program made %llu calls",
	       FUZZ_CALLS, (unsigned long long)refused, (unsigned long long)accepted,
	       (unsigned long long)calls);
	EXPECT_EQ(0, status);
	EXPECT_LT(0, calls);
	EXPECT_TRUE(all_cpus_virtualized(self->dev));
}

/* A hypercall number: the trusted program's, the kernel's, near them, or anything. */
static uint64_t pick_hypercall(uint64_t *state)
{
	static const uint64_t calls[] = {
		HVTRUST_HC_STATUS, HVTRUST_HC_PROTECT, HVTRUST_HC_UNPROTECT, HVTRUST_HC_SECRET_GET,
		HVTRUST_HC_PING, HVTRUST_HC_VERSION, HVTRUST_HC_DEVIRTUALIZE,
		HVTRUST_HC_SESSION_PREPARE, HVTRUST_HC_SESSION_END, HVTRUST_HC_SESSION_MOVING,
		HVTRUST_HC_REGISTRY_REMOVE, HVTRUST_HC_SEAL, HVTRUST_HC_CAPACITY,
	};
	uint64_t r = next_random(state);

	switch (r % 4) {
	case 0:
		return r >> 2;
	case 1:
		return (r >> 2) & 0x1ff;
	default:
		return calls[(r >> 2) % (sizeof(calls) / sizeof(calls[0]))];
	}
}

/*
 * Attacker: a trusted program's own process calling with its valid token
 * (and, a quarter of the time, from outside the stub) with random numbers
 * and arguments: kernel-only numbers, addresses across the guard page and
 * in kernel memory, lengths up to 8 GiB. Each call returns an error code
 * or succeeds; the session survives its own nonsense, and the other
 * trusted program keeps passing. CLOSE, which ends the session,
 * SECRET_PUT, whose secrets would outlive the test, and the full checks
 * (CHECK, QUOTE), which the other program makes, are not drawn.
 */
TEST_F_TIMEOUT(trust, a_hundred_thousand_random_hypercalls_are_refused_cleanly, 120)
{
	uint64_t seed = fuzz_seed() ^ 0x5a5a5a5a5a5a5a5aULL, state = seed | 1, calls;
	uint64_t refused = 0, accepted = 0, tok[4];
	struct daemon d;
	struct arena a;
	struct raw r;
	int i, status;

	TH_LOG("seed %#llx (HVT_FUZZ_SEED repeats it)", (unsigned long long)fuzz_seed());
	ASSERT_EQ(0, arena_make(&a));
	memset(a.scratch, 0x7e, SCRATCH_PAGES * PAGE);
	ASSERT_EQ(0, daemon_start(&d));
	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	for (i = 0; i < FUZZ_CALLS; i++) {
		uint64_t nr = pick_hypercall(&state), rdi = pick_pointer(&state, &a);
		uint64_t r8 = next_random(&state);
		long ret;

		/*
		 * Out of the draw: CLOSE ends the session, SECRET_PUT keeps what
		 * it got, and CHECK and QUOTE hash every code page of this
		 * static binary, tens of milliseconds each under emulation.
		 */
		if (nr == HVTRUST_HC_CLOSE || nr == HVTRUST_HC_SECRET_PUT ||
		    nr == HVTRUST_HC_CHECK || nr == HVTRUST_HC_QUOTE)
			nr = HVTRUST_HC_STATUS;
		if (nr == HVTRUST_HC_PROTECT || nr == HVTRUST_HC_UNPROTECT)
			r8 = r8 & 1 ? (r8 >> 1) % (4 * PAGE) : r8 % (8ULL << 30);
		if (next_random(&state) % 4) {
			ret = call_with(&r, 0, nr, tok, &rdi, &r8);
		} else {
			struct hc h = { .rax = nr, .rbx = tok[0], .rcx = tok[1], .rdx = tok[2],
					.rsi = tok[3], .rdi = rdi, .r8 = r8 };

			hc_direct(&h);
			ret = h.rax;
		}
		if (nr == HVTRUST_HC_PING || nr == HVTRUST_HC_VERSION || ret >= 0) {
			accepted++;
			continue;
		}
		refused++;
		ASSERT_TRUE(ret == -EINVAL || ret == -EFAULT || ret == -ENOSPC || ret == -ENOENT ||
			    ret == -EPERM || ret == -ENOSYS || ret == -EACCES || ret == -ENOMEM ||
			    ret == -ETIMEDOUT || ret == -ESRCH || ret == -EBUSY || ret == -E2BIG) {
			TH_LOG("seed %#llx call %d: hypercall %#llx (%#llx, %#llx): %ld",
			       (unsigned long long)fuzz_seed(), i, (unsigned long long)nr,
			       (unsigned long long)rdi, (unsigned long long)r8, ret);
		}
	}
	EXPECT_EQ(0, raw_status(&r));
	status = daemon_stop(&d, &calls);
	TH_LOG("%d hypercalls: %llu refused, %llu accepted; the trusted program made %llu calls",
	       FUZZ_CALLS, (unsigned long long)refused, (unsigned long long)accepted,
	       (unsigned long long)calls);
	EXPECT_EQ(0, status);
	EXPECT_LT(0, calls);
	EXPECT_TRUE(all_cpus_virtualized(self->dev));
}

static int run_role(const char *role)
{
	return UNKNOWN_ROLE;
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, run_role);
}
