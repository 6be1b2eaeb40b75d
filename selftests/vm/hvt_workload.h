/* SPDX-License-Identifier: GPL-2.0 */
/* The guest workload of hv_test and the bench: processes, threads, page faults, tmpfs I/O. */
/* Context: user space inside the test guest; link with -pthread. */
#ifndef HVT_WORKLOAD_H
#define HVT_WORKLOAD_H

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

/* Bounded on purpose: Bochs runs some 50 million guest instructions a second. */
#define HVT_WORKLOAD_EXECS	10
#define HVT_WORKLOAD_ROUNDS	500
#define HVT_WORKLOAD_MAPS	4
#define HVT_WORKLOAD_MAP_LEN	(4UL << 20)
#define HVT_WORKLOAD_FILE_PAGES	256
#define HVT_WORKLOAD_FILE	"/tmp/hvt_workload.dat"

static inline int hvt_online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static inline void hvt_pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		abort();
}

/* Processes: fork and exec /bin/true. Returns 0 or 1. */
static inline int hvt_workload_exec(void)
{
	int i;

	for (i = 0; i < HVT_WORKLOAD_EXECS; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
	}
	return 0;
}

struct hvt_pingpong {
	int to_peer[2];
	int to_main[2];
	int rounds;
};

static inline void *hvt_pong(void *arg)
{
	struct hvt_pingpong *pp = arg;
	int i, value;

	hvt_pin_to(hvt_online_cpus() - 1);
	for (i = 0; i < pp->rounds; i++) {
		if (read(pp->to_peer[0], &value, sizeof(value)) != sizeof(value))
			return NULL;
		value++;
		if (write(pp->to_main[1], &value, sizeof(value)) != sizeof(value))
			return NULL;
	}
	return NULL;
}

/*
 * Threads: a pipe ping-pong between CPU 0 and the last CPU, so wake-ups and
 * IPIs cross CPUs. Leaves the caller pinned to CPU 0. Returns 0, 2 to 5.
 */
static inline int hvt_workload_threads(void)
{
	struct hvt_pingpong pp = { .rounds = HVT_WORKLOAD_ROUNDS };
	pthread_t thread;
	int i, value = 0, ret = 0;

	if (pipe(pp.to_peer) || pipe(pp.to_main))
		return 2;
	hvt_pin_to(0);
	if (pthread_create(&thread, NULL, hvt_pong, &pp))
		return 3;
	for (i = 0; i < pp.rounds; i++) {
		if (write(pp.to_peer[1], &value, sizeof(value)) != sizeof(value) ||
		    read(pp.to_main[0], &value, sizeof(value)) != sizeof(value)) {
			ret = 4;
			break;
		}
		value++;
	}
	/* an early exit closes the pipes first, so the thread ends too */
	close(pp.to_peer[1]);
	close(pp.to_main[0]);
	pthread_join(thread, NULL);
	close(pp.to_peer[0]);
	close(pp.to_main[1]);
	if (!ret && value != 2 * pp.rounds)
		ret = 5;
	return ret;
}

/* Page faults: map, touch and check anonymous memory. Returns 0, 6 or 7. */
static inline int hvt_workload_faults(void)
{
	const size_t len = HVT_WORKLOAD_MAP_LEN;
	unsigned char *mem;
	int i;

	for (i = 0; i < HVT_WORKLOAD_MAPS; i++) {
		size_t off;

		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return 6;
		for (off = 0; off < len; off += 4096)
			mem[off] = (unsigned char)(off >> 12);
		for (off = 0; off < len; off += 4096)
			if (mem[off] != (unsigned char)(off >> 12))
				return 7;
		munmap(mem, len);
	}
	return 0;
}

/* File I/O on tmpfs: write pages, read them back and sum. Returns 0, 8 to 10. */
static inline int hvt_workload_file(void)
{
	unsigned long sum = 0, expect = 0;
	char buf[4096];
	int i, fd;

	fd = open(HVT_WORKLOAD_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 8;
	for (i = 0; i < HVT_WORKLOAD_FILE_PAGES; i++) {
		memset(buf, i, sizeof(buf));
		expect += (unsigned long)i * sizeof(buf);
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			unlink(HVT_WORKLOAD_FILE);
			return 9;
		}
	}
	lseek(fd, 0, SEEK_SET);
	while ((i = read(fd, buf, sizeof(buf))) > 0)
		while (i--)
			sum += buf[i] & 0xff;
	close(fd);
	unlink(HVT_WORKLOAD_FILE);
	return sum == expect ? 0 : 10;
}

/* The whole workload; 0 when every part did what it should, else which failed. */
static inline int hvt_run_workload(void)
{
	return hvt_workload_exec() ?: hvt_workload_threads() ?:
	       hvt_workload_faults() ?: hvt_workload_file();
}

#endif /* HVT_WORKLOAD_H */
