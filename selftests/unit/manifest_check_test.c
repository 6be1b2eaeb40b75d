// SPDX-License-Identifier: GPL-2.0
/* Unit tests of token/manifest.c: layout checks and code-page lookups. */
/* Context: user space, native build. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../token/manifest.h"

#define SEGS 2
#define PAGES 5

struct two_segment_manifest {
	struct hvtrust_manifest head;
	struct hvtrust_manifest_segment segs[SEGS];
	unsigned char hashes[PAGES][HVTRUST_SHA256_SIZE];
};

static void build(struct two_segment_manifest *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->head.magic = HVTRUST_MANIFEST_MAGIC;
	m->head.version = HVTRUST_MANIFEST_VERSION;
	m->head.size = sizeof(*m);
	m->head.flags = HVTRUST_MANIFEST_PIE;
	m->head.file_size = 0x10000;
	m->head.nr_segments = SEGS;
	m->head.nr_pages = PAGES;
	m->segs[0] = (struct hvtrust_manifest_segment){
		.vaddr = 0x1000, .offset = 0x1000, .filesz = 0x2000, .memsz = 0x2000,
		.flags = HVTRUST_SEGMENT_X | HVTRUST_SEGMENT_R, .first_page = 0, .nr_pages = 2,
	};
	m->segs[1] = (struct hvtrust_manifest_segment){
		.vaddr = 0x8000, .offset = 0x4000, .filesz = 0x1800, .memsz = 0x2100,
		.flags = HVTRUST_SEGMENT_X, .first_page = 2, .nr_pages = 3,
	};
	for (i = 0; i < PAGES; i++)
		memset(m->hashes[i], i + 1, HVTRUST_SHA256_SIZE);
}

TEST(well_formed_passes)
{
	struct two_segment_manifest m;

	build(&m);
	EXPECT_EQ(0, hvt_manifest_check(&m.head, sizeof(m)));
}

TEST(each_corruption_is_refused)
{
	struct two_segment_manifest m;
	int variant;

	for (variant = 0; variant < 16; variant++) {
		build(&m);
		switch (variant) {
		case 0: m.head.magic ^= 1; break;
		case 1: m.head.version = 2; break;
		case 2: m.head.size -= 1; break;
		case 3: m.head.flags = 0x80; break;
		case 4: m.head.reserved[1] = 1; break;
		case 5: m.head.nr_pages = PAGES + 1; break;
		case 6: m.segs[1].vaddr = 0x2000; break;	/* overlaps segment 0 */
		case 7: m.segs[0].vaddr = 0x1800; break;	/* not page aligned */
		case 8: m.segs[1].flags = HVTRUST_SEGMENT_R; break;	/* not executable */
		case 9: m.segs[1].first_page = 3; break;
		case 10: m.segs[1].nr_pages = 2; break;
		case 11: m.segs[1].filesz = 0x3000; break;	/* more than memsz */
		case 12: m.segs[1].offset = 0xf000; break;	/* past the end of the file */
		case 13: m.segs[0].vaddr = 0x7ffffffff000ULL; break;	/* leaves the user half */
		case 14: m.segs[0].reserved = 1; break;
		case 15: m.head.nr_segments = 0; break;
		}
		EXPECT_EQ(-EINVAL, hvt_manifest_check(&m.head, sizeof(m))) {
			TH_LOG("corruption %d was accepted", variant);
		}
	}
	build(&m);
	EXPECT_EQ(-EINVAL, hvt_manifest_check(&m.head, sizeof(m) - 1));
	EXPECT_EQ(-EINVAL, hvt_manifest_check(&m.head, 8));
}

TEST(page_lookups)
{
	struct two_segment_manifest m;
	unsigned int index = 99;

	build(&m);
	ASSERT_EQ(0, hvt_manifest_check(&m.head, sizeof(m)));
	EXPECT_EQ(0, hvt_manifest_page_of(&m.head, 0x1000, &index));
	EXPECT_EQ(0, index);
	EXPECT_EQ(0, hvt_manifest_page_of(&m.head, 0x2fff, &index));
	EXPECT_EQ(1, index);
	EXPECT_EQ(0, hvt_manifest_page_of(&m.head, 0xa0ff, &index));
	EXPECT_EQ(4, index);
	EXPECT_EQ(-ENOENT, hvt_manifest_page_of(&m.head, 0x3000, &index));
	EXPECT_EQ(-ENOENT, hvt_manifest_page_of(&m.head, 0xb000, &index));
	EXPECT_EQ(-ENOENT, hvt_manifest_page_of(&m.head, 0xfff, &index));
	EXPECT_EQ(0x1000, hvt_manifest_page_vaddr(&m.head, 0));
	EXPECT_EQ(0x9000, hvt_manifest_page_vaddr(&m.head, 3));
	EXPECT_EQ(3, hvt_manifest_page_hash(&m.head, 2)[0]);
	EXPECT_EQ(5, hvt_manifest_page_hash(&m.head, 4)[31]);
}

TEST_HARNESS_MAIN
