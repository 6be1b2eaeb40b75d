// SPDX-License-Identifier: GPL-2.0
/* Unit tests of token/drbg.c: determinism per seed, key replacement, comparison. */
/* Context: user space, native build. */
#include <string.h>

#include "kselftest_harness.h"
#include "../../token/drbg.h"

TEST(unseeded_refuses)
{
	struct hvt_drbg drbg = { 0 };
	unsigned char out[32];

	EXPECT_EQ(-EAGAIN, hvt_drbg_generate(&drbg, out, sizeof(out)));
}

TEST(same_seed_same_stream_other_seed_differs)
{
	struct hvt_drbg a = { 0 }, b = { 0 }, c = { 0 };
	unsigned char oa[100], ob[100], oc[100];

	hvt_drbg_mix(&a, "seed-1", 6);
	hvt_drbg_mix(&b, "seed-1", 6);
	hvt_drbg_mix(&c, "seed-2", 6);
	ASSERT_EQ(0, hvt_drbg_generate(&a, oa, sizeof(oa)));
	ASSERT_EQ(0, hvt_drbg_generate(&b, ob, sizeof(ob)));
	ASSERT_EQ(0, hvt_drbg_generate(&c, oc, sizeof(oc)));
	EXPECT_EQ(0, memcmp(oa, ob, sizeof(oa)));
	EXPECT_NE(0, memcmp(oa, oc, sizeof(oa)));
}

TEST(key_changes_after_each_request)
{
	struct hvt_drbg drbg = { 0 };
	unsigned char key[32], first[32], second[32];

	hvt_drbg_mix(&drbg, "x", 1);
	memcpy(key, drbg.key, sizeof(key));
	ASSERT_EQ(0, hvt_drbg_generate(&drbg, first, sizeof(first)));
	EXPECT_NE(0, memcmp(key, drbg.key, sizeof(key)));
	ASSERT_EQ(0, hvt_drbg_generate(&drbg, second, sizeof(second)));
	EXPECT_NE(0, memcmp(first, second, sizeof(first)));
	/* No output block equals the key that replaced the one producing it. */
	EXPECT_NE(0, memcmp(second, drbg.key, sizeof(second)));
}

TEST(output_bits_are_balanced)
{
	struct hvt_drbg drbg = { 0 };
	static unsigned char out[1 << 16];
	unsigned long ones = 0;
	size_t i;

	hvt_drbg_mix(&drbg, "balance", 7);
	ASSERT_EQ(0, hvt_drbg_generate(&drbg, out, sizeof(out)));
	for (i = 0; i < sizeof(out); i++)
		ones += __builtin_popcount(out[i]);
	/* 524288 bits: a fair source stays within 6 sigma (+-4345) of half. */
	EXPECT_LT(labs((long)ones - (long)sizeof(out) * 4), 4345);
}

TEST(constant_time_equal)
{
	unsigned char a[32], b[32];

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	EXPECT_TRUE(hvt_ct_equal(a, b, sizeof(a)));
	b[31] ^= 1;
	EXPECT_FALSE(hvt_ct_equal(a, b, sizeof(a)));
	b[31] ^= 1;
	b[0] ^= 0x80;
	EXPECT_FALSE(hvt_ct_equal(a, b, sizeof(a)));
}

TEST_HARNESS_MAIN
