/* SPDX-License-Identifier: GPL-2.0 */
/* The native benches' clock and the comparison their medians sort with. */
/* Context: user space, native on the host. */
#ifndef HVT_SELFTESTS_BENCH_CLOCK_H
#define HVT_SELFTESTS_BENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif /* HVT_SELFTESTS_BENCH_CLOCK_H */
