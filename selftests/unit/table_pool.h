/* SPDX-License-Identifier: GPL-2.0 */
/* The unit tests' page-table allocator: 4 KiB tables named by a made-up physical address. */
/* Context: user space, native build. */
#ifndef HVT_TABLE_POOL_H
#define HVT_TABLE_POOL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_POOL_SIZE	8192

/* A table's "physical address" is its index + 1 pages; @limit caps how many are given. */
struct pool {
	uint64_t *tables[TABLE_POOL_SIZE];
	unsigned int used;
	unsigned int limit;
};

static inline uint64_t *pool_alloc(void *ctx, uint64_t *phys)
{
	struct pool *pool = ctx;
	uint64_t *table;

	if (pool->used >= pool->limit || pool->used == TABLE_POOL_SIZE)
		return NULL;
	table = aligned_alloc(4096, 4096);
	if (!table)
		return NULL;
	memset(table, 0, 4096);
	pool->tables[pool->used++] = table;
	*phys = (uint64_t)pool->used << 12;
	return table;
}

static inline uint64_t *pool_table(void *ctx, uint64_t phys)
{
	struct pool *pool = ctx;

	return pool->tables[(phys >> 12) - 1];
}

static inline void pool_free_all(struct pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->used; i++)
		free(pool->tables[i]);
	pool->used = 0;
}

#endif /* HVT_TABLE_POOL_H */
