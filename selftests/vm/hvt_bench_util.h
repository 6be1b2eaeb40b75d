/* SPDX-License-Identifier: GPL-2.0 */
/* Report lines, statistics and parameters shared by the in-guest bench programs. */
/* Context: user space inside the bench guest (root); header-only, after hvt_test_util.h. */
#ifndef HVT_BENCH_UTIL_H
#define HVT_BENCH_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	fprintf(stderr, "bench: error: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* Every report line carries the prefix the host picks out of the serial log. */
static inline void out(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v; the median (mean of the middle two for an even count). */
static inline double median_u64(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static inline double median_double(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* hvtest.NAME=VALUE on the kernel command line, clamped, or @fallback. */
static inline int param_int(const char *name, int fallback, int lo, int hi)
{
	char buf[32];
	int v;

	if (!hvt_cmdline_param(name, buf, sizeof(buf)))
		return fallback;
	v = atoi(buf);
	return v < lo ? lo : v > hi ? hi : v;
}

#endif /* HVT_BENCH_UTIL_H */
