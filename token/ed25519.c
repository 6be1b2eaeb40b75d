// SPDX-License-Identifier: GPL-2.0
/* Ed25519 (RFC 8032): key derivation, signing and verification over SHA-512. */
/* Context: any, VMX root included; pure logic shared with the unit tests. */
#include "ed25519.h"
#include "sha512.h"

/*
 * Everything that touches the seed, the private scalar or the nonce runs in
 * time independent of their values: no branch and no table index depends on
 * them, selections are masks. Verification handles public data only and
 * may return early.
 *
 * The code may call nothing outside this file and sha512.c (VMX root reaches
 * no kernel function): copies are explicit loops or constant-size builtins,
 * 128-bit integers are only multiplied, added and shifted (a 128-bit division
 * would call a libgcc helper the kernel lacks).
 *
 * Stack use: see hvt_ed25519_sign().
 */

/*
 * The kernel's compiler_types.h defines noinline; only VMX root's small
 * stack needs it, so user space (the unit tests) goes without.
 */
#ifndef noinline
#define noinline
#endif

/* A field element modulo p = 2^255 - 19, five limbs of 51 bits, least significant first. */
struct hvt_fe {
	u64 v[5];
};

/*
 * Points in extended coordinates (x = X/Z, y = Y/Z, xy = T/Z) on
 * -x^2 + y^2 = 1 + d x^2 y^2. The addition and doubling formulas are those
 * of Hisil, Wong, Carter and Dawson (2008) for a = -1; with d not a square
 * they are complete: no input, the neutral point included, is special.
 */
struct hvt_ge {
	struct hvt_fe x, y, z, t;
};

/*
 * The result of an addition or doubling before its last four products:
 * x = X/Z, y = Y/T. Splitting it out lets a doubling skip T when only
 * another doubling follows.
 */
struct hvt_ge_p1p1 {
	struct hvt_fe x, y, z, t;
};

/* An addend prepared once: Y + X, Y - X, Z, 2dT. */
struct hvt_ge_cached {
	struct hvt_fe ypx, ymx, z, t2d;
};

#define HVT_FE_MASK	((1ULL << 51) - 1)

/* d = -121665/121666 */
static const struct hvt_fe hvt_fe_d = { {
	0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb, 0x52036cee2b6ff,
} };

static const struct hvt_fe hvt_fe_d2 = { {
	0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977, 0x2406d9dc56dff,
} };

/* A square root of -1: 2^((p - 1) / 4) */
static const struct hvt_fe hvt_fe_sqrtm1 = { {
	0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e, 0x2b8324804fc1d,
} };

/* The base point B: y = 4/5, x even (RFC 8032, 5.1). */
static const struct hvt_ge hvt_ge_base = {
	.x = { { 0x62d608f25d51a, 0x412a4b4f6592a, 0x75b7171a4b31d, 0x1ff60527118fe,
		 0x216936d3cd6e5 } },
	.y = { { 0x6666666666658, 0x4cccccccccccc, 0x1999999999999, 0x3333333333333,
		 0x6666666666666 } },
	.z = { { 1, 0, 0, 0, 0 } },
	.t = { { 0x68ab3a5b7dda3, 0x00eea2a5eadbb, 0x2af8df483c27e, 0x332b375274732,
		 0x67875f0fd78b7 } },
};

/* The group order L = 2^252 + 27742317777372353535851937790883648493, 64-bit limbs. */
static const u64 hvt_sc_l[4] = {
	0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0, 0x1000000000000000ULL,
};

/* floor(2^512 / L), the Barrett constant for reducing 512-bit numbers. */
static const u64 hvt_sc_mu[5] = {
	0xed9ce5a30a2c131bULL, 0x2106215d086329a7ULL, 0xffffffffffffffebULL,
	0xffffffffffffffffULL, 0xf,
};

static inline HVT_ROOT u64 hvt_ed_load64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline HVT_ROOT void hvt_ed_store64(u8 *p, u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* Whether two byte strings differ anywhere, without an early exit. */
static HVT_ROOT bool hvt_ed_equal(const u8 *a, const u8 *b, size_t len)
{
	u8 diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* The full 128-bit product; x86-64 has it in one instruction. */
static inline HVT_ROOT unsigned __int128 hvt_mul64(u64 a, u64 b)
{
	return (unsigned __int128)a * b;
}

/* Field arithmetic. Limbs stay below 2^52 between operations. */

static inline HVT_ROOT void hvt_fe_copy(struct hvt_fe *h, const struct hvt_fe *f)
{
	int i;

	for (i = 0; i < 5; i++)
		h->v[i] = f->v[i];
}

static inline HVT_ROOT void hvt_fe_set(struct hvt_fe *h, u64 small)
{
	int i;

	h->v[0] = small;
	for (i = 1; i < 5; i++)
		h->v[i] = 0;
}

static inline HVT_ROOT void hvt_fe_carry(struct hvt_fe *h)
{
	u64 c;
	int i;

	for (i = 0; i < 4; i++) {
		c = h->v[i] >> 51;
		h->v[i] &= HVT_FE_MASK;
		h->v[i + 1] += c;
	}
	c = h->v[4] >> 51;
	h->v[4] &= HVT_FE_MASK;
	h->v[0] += 19 * c;
}

static inline HVT_ROOT void hvt_fe_add(struct hvt_fe *h, const struct hvt_fe *f,
				       const struct hvt_fe *g)
{
	int i;

	for (i = 0; i < 5; i++)
		h->v[i] = f->v[i] + g->v[i];
	hvt_fe_carry(h);
}

/* f - g computed as f + 2p - g: no limb goes negative while g's limbs are below 2^52 - 38. */
static inline HVT_ROOT void hvt_fe_sub(struct hvt_fe *h, const struct hvt_fe *f,
				       const struct hvt_fe *g)
{
	int i;

	h->v[0] = f->v[0] + 0xfffffffffffdaULL - g->v[0];
	for (i = 1; i < 5; i++)
		h->v[i] = f->v[i] + 0xffffffffffffeULL - g->v[i];
	hvt_fe_carry(h);
}

static inline HVT_ROOT void hvt_fe_neg(struct hvt_fe *h, const struct hvt_fe *f)
{
	struct hvt_fe zero;

	hvt_fe_set(&zero, 0);
	hvt_fe_sub(h, &zero, f);
}

/*
 * Folds the five 128-bit column sums of a product into limbs: 2^255 = 19
 * modulo p carries the top back to the bottom.
 */
static inline HVT_ROOT void hvt_fe_reduce128(struct hvt_fe *h,
					     unsigned __int128 r0, unsigned __int128 r1,
					     unsigned __int128 r2, unsigned __int128 r3,
					     unsigned __int128 r4)
{
	u64 c;

	r1 += (u64)(r0 >> 51);
	r2 += (u64)(r1 >> 51);
	r3 += (u64)(r2 >> 51);
	r4 += (u64)(r3 >> 51);
	c = (u64)(r4 >> 51);
	h->v[0] = ((u64)r0 & HVT_FE_MASK) + 19 * c;
	h->v[1] = ((u64)r1 & HVT_FE_MASK) + (h->v[0] >> 51);
	h->v[0] &= HVT_FE_MASK;
	h->v[2] = (u64)r2 & HVT_FE_MASK;
	h->v[3] = (u64)r3 & HVT_FE_MASK;
	h->v[4] = (u64)r4 & HVT_FE_MASK;
}

static HVT_ROOT void hvt_fe_mul(struct hvt_fe *h, const struct hvt_fe *f, const struct hvt_fe *g)
{
	const u64 *a = f->v, *b = g->v;
	u64 b1 = 19 * b[1], b2 = 19 * b[2], b3 = 19 * b[3], b4 = 19 * b[4];
	unsigned __int128 r0, r1, r2, r3, r4;

	r0 = hvt_mul64(a[0], b[0]) + hvt_mul64(a[1], b4) + hvt_mul64(a[2], b3) +
	       hvt_mul64(a[3], b2) + hvt_mul64(a[4], b1);
	r1 = hvt_mul64(a[0], b[1]) + hvt_mul64(a[1], b[0]) + hvt_mul64(a[2], b4) +
	       hvt_mul64(a[3], b3) + hvt_mul64(a[4], b2);
	r2 = hvt_mul64(a[0], b[2]) + hvt_mul64(a[1], b[1]) + hvt_mul64(a[2], b[0]) +
	       hvt_mul64(a[3], b4) + hvt_mul64(a[4], b3);
	r3 = hvt_mul64(a[0], b[3]) + hvt_mul64(a[1], b[2]) + hvt_mul64(a[2], b[1]) +
	       hvt_mul64(a[3], b[0]) + hvt_mul64(a[4], b4);
	r4 = hvt_mul64(a[0], b[4]) + hvt_mul64(a[1], b[3]) + hvt_mul64(a[2], b[2]) +
	       hvt_mul64(a[3], b[1]) + hvt_mul64(a[4], b[0]);
	hvt_fe_reduce128(h, r0, r1, r2, r3, r4);
}

static HVT_ROOT void hvt_fe_sq(struct hvt_fe *h, const struct hvt_fe *f)
{
	const u64 *a = f->v;
	u64 a0_2 = 2 * a[0], a1_2 = 2 * a[1];
	u64 a1_38 = 38 * a[1], a2_38 = 38 * a[2], a3_38 = 38 * a[3];
	u64 a3_19 = 19 * a[3], a4_19 = 19 * a[4];
	unsigned __int128 r0, r1, r2, r3, r4;

	r0 = hvt_mul64(a[0], a[0]) + hvt_mul64(a1_38, a[4]) + hvt_mul64(a2_38, a[3]);
	r1 = hvt_mul64(a0_2, a[1]) + hvt_mul64(a2_38, a[4]) + hvt_mul64(a3_19, a[3]);
	r2 = hvt_mul64(a0_2, a[2]) + hvt_mul64(a[1], a[1]) + hvt_mul64(a3_38, a[4]);
	r3 = hvt_mul64(a0_2, a[3]) + hvt_mul64(a1_2, a[2]) + hvt_mul64(a4_19, a[4]);
	r4 = hvt_mul64(a0_2, a[4]) + hvt_mul64(a1_2, a[3]) + hvt_mul64(a[2], a[2]);
	hvt_fe_reduce128(h, r0, r1, r2, r3, r4);
}

/* h = f^(2^n) */
static HVT_ROOT void hvt_fe_sqn(struct hvt_fe *h, const struct hvt_fe *f, int n)
{
	hvt_fe_sq(h, f);
	while (--n > 0)
		hvt_fe_sq(h, h);
}

/*
 * z^(2^250 - 1) and z^11, the common trunk of inversion (z^(p - 2)) and of
 * the square root's power z^((p - 5) / 8). The chain is fixed: its timing
 * says nothing about z.
 */
static HVT_ROOT void hvt_fe_pow_2_250(struct hvt_fe *z250, struct hvt_fe *z11,
				      const struct hvt_fe *z)
{
	struct hvt_fe t0, t1, t2;

	hvt_fe_sq(&t0, z);			/* z^2 */
	hvt_fe_sqn(&t1, &t0, 2);		/* z^8 */
	hvt_fe_mul(&t1, &t1, z);		/* z^9 */
	hvt_fe_mul(z11, &t1, &t0);		/* z^11 */
	hvt_fe_sq(&t0, z11);			/* z^22 */
	hvt_fe_mul(&t0, &t0, &t1);		/* z^(2^5 - 1) */
	hvt_fe_sqn(&t1, &t0, 5);
	hvt_fe_mul(&t0, &t1, &t0);		/* z^(2^10 - 1) */
	hvt_fe_sqn(&t1, &t0, 10);
	hvt_fe_mul(&t1, &t1, &t0);		/* z^(2^20 - 1) */
	hvt_fe_sqn(&t2, &t1, 20);
	hvt_fe_mul(&t1, &t2, &t1);		/* z^(2^40 - 1) */
	hvt_fe_sqn(&t1, &t1, 10);
	hvt_fe_mul(&t0, &t1, &t0);		/* z^(2^50 - 1) */
	hvt_fe_sqn(&t1, &t0, 50);
	hvt_fe_mul(&t1, &t1, &t0);		/* z^(2^100 - 1) */
	hvt_fe_sqn(&t2, &t1, 100);
	hvt_fe_mul(&t1, &t2, &t1);		/* z^(2^200 - 1) */
	hvt_fe_sqn(&t1, &t1, 50);
	hvt_fe_mul(z250, &t1, &t0);		/* z^(2^250 - 1) */
	hvt_wipe(&t0, sizeof(t0));
	hvt_wipe(&t1, sizeof(t1));
	hvt_wipe(&t2, sizeof(t2));
}

/* 1/z as z^(p - 2) = z^(2^255 - 21); 0 maps to 0. */
static HVT_ROOT void hvt_fe_invert(struct hvt_fe *h, const struct hvt_fe *z)
{
	struct hvt_fe z250, z11;

	hvt_fe_pow_2_250(&z250, &z11, z);
	hvt_fe_sqn(&z250, &z250, 5);
	hvt_fe_mul(h, &z250, &z11);
	hvt_wipe(&z250, sizeof(z250));
	hvt_wipe(&z11, sizeof(z11));
}

/* z^((p - 5) / 8) = z^(2^252 - 3) */
static HVT_ROOT void hvt_fe_pow22523(struct hvt_fe *h, const struct hvt_fe *z)
{
	struct hvt_fe z250, z11;

	hvt_fe_pow_2_250(&z250, &z11, z);
	hvt_fe_sqn(&z250, &z250, 2);
	hvt_fe_mul(h, &z250, z);
}

/* The unique encoding: fully reduced below p, 32 bytes little-endian, bit 255 clear. */
static HVT_ROOT void hvt_fe_tobytes(u8 s[32], const struct hvt_fe *f)
{
	struct hvt_fe h;
	u64 q, c;
	int i;

	hvt_fe_copy(&h, f);
	hvt_fe_carry(&h);
	hvt_fe_carry(&h);
	/*
	 * Now h < 2^255 + 19 < 2p. q = 1 exactly when h >= p, that is when
	 * h + 19 reaches 2^255; subtracting p is then adding 19 and
	 * dropping bit 255.
	 */
	q = (h.v[0] + 19) >> 51;
	for (i = 1; i < 5; i++)
		q = (h.v[i] + q) >> 51;
	h.v[0] += 19 * q;
	for (i = 0; i < 4; i++) {
		c = h.v[i] >> 51;
		h.v[i] &= HVT_FE_MASK;
		h.v[i + 1] += c;
	}
	h.v[4] &= HVT_FE_MASK;
	hvt_ed_store64(s, h.v[0] | h.v[1] << 51);
	hvt_ed_store64(s + 8, h.v[1] >> 13 | h.v[2] << 38);
	hvt_ed_store64(s + 16, h.v[2] >> 26 | h.v[3] << 25);
	hvt_ed_store64(s + 24, h.v[3] >> 39 | h.v[4] << 12);
	hvt_wipe(&h, sizeof(h));
}

/* Reads 255 bits, ignoring bit 255; the value may be p or above (callers that care check). */
static HVT_ROOT void hvt_fe_frombytes(struct hvt_fe *h, const u8 s[32])
{
	u64 w0 = hvt_ed_load64(s), w1 = hvt_ed_load64(s + 8);
	u64 w2 = hvt_ed_load64(s + 16), w3 = hvt_ed_load64(s + 24);

	h->v[0] = w0 & HVT_FE_MASK;
	h->v[1] = (w0 >> 51 | w1 << 13) & HVT_FE_MASK;
	h->v[2] = (w1 >> 38 | w2 << 26) & HVT_FE_MASK;
	h->v[3] = (w2 >> 25 | w3 << 39) & HVT_FE_MASK;
	h->v[4] = (w3 >> 12) & HVT_FE_MASK;
}

/* Parity of the reduced value: the sign of x in a point's encoding. */
static HVT_ROOT int hvt_fe_isnegative(const struct hvt_fe *f)
{
	u8 s[32];

	hvt_fe_tobytes(s, f);
	return s[0] & 1;
}

static HVT_ROOT bool hvt_fe_iszero(const struct hvt_fe *f)
{
	static const u8 zero[32];
	u8 s[32];

	hvt_fe_tobytes(s, f);
	return hvt_ed_equal(s, zero, sizeof(s));
}

/* h = g where mask is all ones, h unchanged where it is zero. */
static inline HVT_ROOT void hvt_fe_cmov(struct hvt_fe *h, const struct hvt_fe *g, u64 mask)
{
	int i;

	for (i = 0; i < 5; i++)
		h->v[i] ^= mask & (h->v[i] ^ g->v[i]);
}

/* Group arithmetic. */

static HVT_ROOT void hvt_ge_identity(struct hvt_ge *p)
{
	hvt_fe_set(&p->x, 0);
	hvt_fe_set(&p->y, 1);
	hvt_fe_set(&p->z, 1);
	hvt_fe_set(&p->t, 0);
}

static HVT_ROOT void hvt_ge_to_cached(struct hvt_ge_cached *c, const struct hvt_ge *p)
{
	hvt_fe_add(&c->ypx, &p->y, &p->x);
	hvt_fe_sub(&c->ymx, &p->y, &p->x);
	hvt_fe_copy(&c->z, &p->z);
	hvt_fe_mul(&c->t2d, &p->t, &hvt_fe_d2);
}

/* with_t: whether T is needed; a doubling reads only X, Y and Z. */
static HVT_ROOT void hvt_ge_from_p1p1(struct hvt_ge *r, const struct hvt_ge_p1p1 *p, bool with_t)
{
	hvt_fe_mul(&r->x, &p->x, &p->t);
	hvt_fe_mul(&r->y, &p->y, &p->z);
	hvt_fe_mul(&r->z, &p->z, &p->t);
	if (with_t)
		hvt_fe_mul(&r->t, &p->x, &p->y);
}

/* p + q */
static HVT_ROOT void hvt_ge_add(struct hvt_ge_p1p1 *r, const struct hvt_ge *p,
				const struct hvt_ge_cached *q)
{
	struct hvt_fe c, d;

	/* A and B go straight into r: the stack is VMX root's, and small. */
	hvt_fe_sub(&r->x, &p->y, &p->x);
	hvt_fe_mul(&r->x, &r->x, &q->ymx);	/* A */
	hvt_fe_add(&r->y, &p->y, &p->x);
	hvt_fe_mul(&r->y, &r->y, &q->ypx);	/* B */
	hvt_fe_mul(&c, &p->t, &q->t2d);
	hvt_fe_mul(&d, &p->z, &q->z);
	hvt_fe_add(&d, &d, &d);
	hvt_fe_add(&r->z, &d, &c);		/* G */
	hvt_fe_sub(&r->t, &d, &c);		/* F */
	hvt_fe_copy(&c, &r->x);
	hvt_fe_sub(&r->x, &r->y, &c);		/* E = B - A */
	hvt_fe_add(&r->y, &r->y, &c);		/* H = B + A */
}

/* 2p, reading X, Y and Z only */
static HVT_ROOT void hvt_ge_dbl(struct hvt_ge_p1p1 *r, const struct hvt_ge *p)
{
	struct hvt_fe a, b;

	/*
	 * The formulas give H = -A - B and F = G - C; this takes A + B and
	 * C - G instead. Negating both negates all four coordinates of the
	 * result, which is the same projective point.
	 */
	hvt_fe_sq(&a, &p->x);
	hvt_fe_sq(&b, &p->y);
	hvt_fe_add(&r->y, &a, &b);		/* -H = A + B */
	hvt_fe_sub(&r->z, &b, &a);		/* G = B - A */
	hvt_fe_add(&a, &p->x, &p->y);
	hvt_fe_sq(&a, &a);
	hvt_fe_sub(&r->x, &a, &r->y);		/* E = (X + Y)^2 - A - B */
	hvt_fe_sq(&a, &p->z);
	hvt_fe_add(&a, &a, &a);			/* C = 2 Z^2 */
	hvt_fe_sub(&r->t, &a, &r->z);		/* -F = C - G */
}

/* The table entry whose multiple is |digit|, negated when digit < 0, read without indexing. */
static HVT_ROOT void hvt_ge_select(struct hvt_ge_cached *c, const struct hvt_ge_cached table[4],
				   signed char digit)
{
	u64 negative = (u8)digit >> 7;
	u64 magnitude = (u8)(digit - 2 * (digit & -(int)negative));
	struct hvt_fe t;
	int j;

	hvt_fe_set(&c->ypx, 1);
	hvt_fe_set(&c->ymx, 1);
	hvt_fe_set(&c->z, 1);
	hvt_fe_set(&c->t2d, 0);
	for (j = 0; j < 4; j++) {
		/* All ones when magnitude == j + 1: the difference is zero, minus one borrows. */
		u64 mask = 0 - (((magnitude ^ (j + 1)) - 1) >> 63);

		hvt_fe_cmov(&c->ypx, &table[j].ypx, mask);
		hvt_fe_cmov(&c->ymx, &table[j].ymx, mask);
		hvt_fe_cmov(&c->z, &table[j].z, mask);
		hvt_fe_cmov(&c->t2d, &table[j].t2d, mask);
	}
	/* -(x, y) = (-x, y): swap Y + X with Y - X, negate 2dT. */
	hvt_fe_copy(&t, &c->ypx);
	hvt_fe_cmov(&c->ypx, &c->ymx, 0 - negative);
	hvt_fe_cmov(&c->ymx, &t, 0 - negative);
	hvt_fe_neg(&t, &c->t2d);
	hvt_fe_cmov(&c->t2d, &t, 0 - negative);
	hvt_wipe(&t, sizeof(t));
}

/*
 * r = a * p for a 256-bit little-endian scalar a, in constant time.
 *
 * The scalar is recoded in 86 signed digits in [-4, 4] (radix 8), so the
 * table holds only 1p..4p: three doublings and one addition of a selected
 * entry per digit, with every entry read for every digit. r is the
 * accumulator, so it must not be p.
 */
static HVT_ROOT void hvt_ge_scalarmult(struct hvt_ge *r, const u8 a[32], const struct hvt_ge *p)
{
	struct hvt_ge_cached table[4], sel;
	struct hvt_ge_p1p1 t;
	signed char e[86];
	int i, carry;

	for (i = 0; i < 85; i++) {
		int bit = 3 * i, byte = bit >> 3;
		unsigned int v = a[byte];

		if (byte < 31)
			v |= (unsigned int)a[byte + 1] << 8;
		e[i] = (v >> (bit & 7)) & 7;
	}
	e[85] = a[31] >> 7;
	/* Digits of 4..7 become -4..-1 and carry one into the next. */
	carry = 0;
	for (i = 0; i < 85; i++) {
		e[i] += carry;
		carry = (e[i] + 4) >> 3;
		e[i] -= carry << 3;
	}
	e[85] += carry;

	hvt_ge_to_cached(&table[0], p);
	hvt_ge_dbl(&t, p);
	hvt_ge_from_p1p1(r, &t, true);		/* 2p */
	hvt_ge_to_cached(&table[1], r);
	hvt_ge_dbl(&t, r);
	hvt_ge_from_p1p1(r, &t, true);		/* 4p */
	hvt_ge_to_cached(&table[3], r);
	hvt_ge_add(&t, p, &table[1]);
	hvt_ge_from_p1p1(r, &t, true);		/* 3p */
	hvt_ge_to_cached(&table[2], r);

	hvt_ge_identity(r);
	for (i = 85; i >= 0; i--) {
		if (i < 85) {
			hvt_ge_dbl(&t, r);
			hvt_ge_from_p1p1(r, &t, false);
			hvt_ge_dbl(&t, r);
			hvt_ge_from_p1p1(r, &t, false);
			hvt_ge_dbl(&t, r);
			hvt_ge_from_p1p1(r, &t, true);
		}
		hvt_ge_select(&sel, table, e[i]);
		hvt_ge_add(&t, r, &sel);
		hvt_ge_from_p1p1(r, &t, true);
	}

	hvt_wipe(e, sizeof(e));
	hvt_wipe(&t, sizeof(t));
	hvt_wipe(&sel, sizeof(sel));
	hvt_wipe(table, sizeof(table));
}

static HVT_ROOT void hvt_ge_tobytes(u8 s[32], const struct hvt_ge *p)
{
	struct hvt_fe recip, x, y;

	hvt_fe_invert(&recip, &p->z);
	hvt_fe_mul(&x, &p->x, &recip);
	hvt_fe_mul(&y, &p->y, &recip);
	hvt_fe_tobytes(s, &y);
	s[31] ^= hvt_fe_isnegative(&x) << 7;
	hvt_wipe(&recip, sizeof(recip));
	hvt_wipe(&x, sizeof(x));
	hvt_wipe(&y, sizeof(y));
}

/*
 * Decodes a point (RFC 8032, 5.1.3), refusing a y of p or more, an x that
 * does not exist, and the encoding of x = 0 with the sign bit set: every
 * point then has exactly one accepted encoding. Public input only.
 */
static HVT_ROOT bool hvt_ge_frombytes(struct hvt_ge *p, const u8 s[32])
{
	struct hvt_fe u, v, v3, vxx, check;
	u8 canonical[32];
	int sign = s[31] >> 7;

	hvt_fe_frombytes(&p->y, s);
	hvt_fe_tobytes(canonical, &p->y);
	canonical[31] |= sign << 7;
	if (!hvt_ed_equal(canonical, s, sizeof(canonical)))
		return false;

	hvt_fe_set(&p->z, 1);
	hvt_fe_sq(&u, &p->y);
	hvt_fe_mul(&v, &u, &hvt_fe_d);
	hvt_fe_sub(&u, &u, &p->z);		/* u = y^2 - 1 */
	hvt_fe_add(&v, &v, &p->z);		/* v = d y^2 + 1 */

	/* x = u v^3 (u v^7)^((p - 5) / 8), a square root of u / v if there is one. */
	hvt_fe_sq(&v3, &v);
	hvt_fe_mul(&v3, &v3, &v);
	hvt_fe_sq(&p->x, &v3);
	hvt_fe_mul(&p->x, &p->x, &v);
	hvt_fe_mul(&p->x, &p->x, &u);
	hvt_fe_pow22523(&p->x, &p->x);
	hvt_fe_mul(&p->x, &p->x, &v3);
	hvt_fe_mul(&p->x, &p->x, &u);

	hvt_fe_sq(&vxx, &p->x);
	hvt_fe_mul(&vxx, &vxx, &v);
	hvt_fe_sub(&check, &vxx, &u);
	if (!hvt_fe_iszero(&check)) {
		hvt_fe_add(&check, &vxx, &u);
		if (!hvt_fe_iszero(&check))
			return false;
		hvt_fe_mul(&p->x, &p->x, &hvt_fe_sqrtm1);
	}
	if (hvt_fe_iszero(&p->x) && sign)
		return false;
	if (hvt_fe_isnegative(&p->x) != sign)
		hvt_fe_neg(&p->x, &p->x);
	hvt_fe_mul(&p->t, &p->x, &p->y);
	return true;
}

/* Scalars modulo L, as 64-bit limbs, least significant first. */

/* a * b + c + *carry, which fits in 128 bits: the low half returned, the high in *carry. */
static inline HVT_ROOT u64 hvt_mac64(u64 a, u64 b, u64 c, u64 *carry)
{
	unsigned __int128 t = hvt_mul64(a, b) + c + *carry;

	*carry = t >> 64;
	return t;
}

/* a - b - *borrow modulo 2^64, *borrow becoming 1 when that wrapped. */
static inline HVT_ROOT u64 hvt_sbb64(u64 a, u64 b, u64 *borrow)
{
	unsigned __int128 d = (unsigned __int128)a - b - *borrow;

	*borrow = (d >> 64) & 1;
	return d;
}

/* r = r - L where that does not borrow, else r unchanged; r has five limbs. */
static HVT_ROOT void hvt_sc_sub_l_if_ge(u64 r[5])
{
	u64 d[5], borrow = 0, keep;
	int i;

	for (i = 0; i < 5; i++)
		d[i] = hvt_sbb64(r[i], i < 4 ? hvt_sc_l[i] : 0, &borrow);
	/* borrow = 1: r < L, keep r. */
	keep = 0 - borrow;
	for (i = 0; i < 5; i++)
		r[i] = (r[i] & keep) | (d[i] & ~keep);
	hvt_wipe(d, sizeof(d));
}

/*
 * out = x mod L for a 512-bit x (eight limbs), by Barrett reduction
 * (Handbook of Applied Cryptography, 14.42, with base 2^64 and k = 4):
 * q = floor(floor(x / 2^192) * mu / 2^320). In general q undershoots
 * floor(x / L) by up to 2; for this L by at most 1: with x = x1 2^192 + x0,
 * x / L - x1 mu / 2^320 = x0 / L + x1 (2^512 / L - mu) / 2^320, which is
 * below 2^-60 + 0.225 (the fraction 2^512 / L - mu). So x - qL, computed
 * modulo 2^320, lies below 2L, and one conditional subtraction ends it.
 */
static HVT_ROOT void hvt_sc_reduce512(u8 out[32], const u64 x[8])
{
	u64 q2[10], r[5];
	u64 carry, borrow;
	int i, j;

	for (i = 0; i < 10; i++)
		q2[i] = 0;
	for (i = 0; i < 5; i++) {
		carry = 0;
		for (j = 0; j < 5; j++)
			q2[i + j] = hvt_mac64(x[3 + i], hvt_sc_mu[j], q2[i + j], &carry);
		q2[i + 5] = carry;
	}
	/* q3 = q2[5..9]; r = q3 * L, its low 320 bits only. */
	for (i = 0; i < 5; i++)
		r[i] = 0;
	for (i = 0; i < 5; i++) {
		carry = 0;
		for (j = 0; i + j < 5; j++)
			r[i + j] = hvt_mac64(q2[5 + i], j < 4 ? hvt_sc_l[j] : 0, r[i + j], &carry);
	}
	/* r = (x mod 2^320) - r, modulo 2^320 */
	borrow = 0;
	for (i = 0; i < 5; i++)
		r[i] = hvt_sbb64(x[i], r[i], &borrow);
	hvt_sc_sub_l_if_ge(r);
	for (i = 0; i < 4; i++)
		hvt_ed_store64(out + 8 * i, r[i]);
	hvt_wipe(q2, sizeof(q2));
	hvt_wipe(r, sizeof(r));
}

/* out = s mod L for a 64-byte little-endian s, such as a SHA-512 digest. */
static HVT_ROOT void hvt_sc_reduce(u8 out[32], const u8 s[64])
{
	u64 x[8];
	int i;

	for (i = 0; i < 8; i++)
		x[i] = hvt_ed_load64(s + 8 * i);
	hvt_sc_reduce512(out, x);
	hvt_wipe(x, sizeof(x));
}

/* out = (a * b + c) mod L for 256-bit a, b and c, all little-endian. */
static HVT_ROOT void hvt_sc_muladd(u8 out[32], const u8 a[32], const u8 b[32], const u8 c[32])
{
	u64 x[8], av[4], bv[4];
	u64 carry;
	int i, j;

	for (i = 0; i < 4; i++) {
		av[i] = hvt_ed_load64(a + 8 * i);
		bv[i] = hvt_ed_load64(b + 8 * i);
		x[i] = hvt_ed_load64(c + 8 * i);
		x[i + 4] = 0;
	}
	for (i = 0; i < 4; i++) {
		carry = 0;
		for (j = 0; j < 4; j++)
			x[i + j] = hvt_mac64(av[i], bv[j], x[i + j], &carry);
		/* The limbs above still hold zero or the carries of c. */
		for (j = i + 4; j < 8; j++)
			x[j] = hvt_mac64(0, 0, x[j], &carry);
	}
	hvt_sc_reduce512(out, x);
	hvt_wipe(x, sizeof(x));
	hvt_wipe(av, sizeof(av));
	hvt_wipe(bv, sizeof(bv));
}

/* Whether a 32-byte little-endian s is below L: an S of L or more is a forgery's mark. */
static HVT_ROOT bool hvt_sc_is_canonical(const u8 s[32])
{
	u64 borrow = 0;
	int i;

	for (i = 0; i < 4; i++)
		hvt_sbb64(hvt_ed_load64(s + 8 * i), hvt_sc_l[i], &borrow);
	return borrow;
}

/* The private scalar a (clamped first half) and the nonce prefix (second half) of a seed. */
static HVT_ROOT void hvt_ed25519_expand(u8 az[64], const u8 seed[32])
{
	hvt_sha512(seed, 32, az);
	az[0] &= 248;
	az[31] &= 127;
	az[31] |= 64;
}

/*
 * The steps of signing stay out of line: inlined, their locals would all
 * sit in one frame under the scalar multiplication's.
 */

/* out = SHA-512(first || second || msg) mod L; second may be NULL. */
static noinline HVT_ROOT void hvt_ed25519_hash_scalar(u8 out[32], const u8 first[32],
						      const u8 *second, const void *msg, size_t len)
{
	struct hvt_sha512 ctx;
	u8 digest[64];

	hvt_sha512_init(&ctx);
	hvt_sha512_update(&ctx, first, 32);
	if (second)
		hvt_sha512_update(&ctx, second, 32);
	hvt_sha512_update(&ctx, msg, len);
	hvt_sha512_final(&ctx, digest);
	hvt_sc_reduce(out, digest);
	hvt_wipe(digest, sizeof(digest));
}

/* The encoding of [scalar]B. */
static noinline HVT_ROOT void hvt_ed25519_base_point(u8 out[32], const u8 scalar[32])
{
	struct hvt_ge p;

	hvt_ge_scalarmult(&p, scalar, &hvt_ge_base);
	hvt_ge_tobytes(out, &p);
	hvt_wipe(&p, sizeof(p));
}

static noinline HVT_ROOT void hvt_ed25519_s(u8 out[32], const u8 k[32], const u8 a[32],
					    const u8 r[32])
{
	hvt_sc_muladd(out, k, a, r);
}

/**
 * hvt_ed25519_public_key() - the public key of a private seed
 * @seed: the 32-byte private key of RFC 8032
 * @pub: receives the encoded point [a]B
 */
HVT_ROOT void hvt_ed25519_public_key(const u8 seed[HVT_ED25519_SEED_SIZE],
				     u8 pub[HVT_ED25519_PUBLIC_KEY_SIZE])
{
	u8 az[64];

	hvt_ed25519_expand(az, seed);
	hvt_ed25519_base_point(pub, az);
	hvt_wipe(az, sizeof(az));
}

/**
 * hvt_ed25519_sign() - sign a message (RFC 8032, 5.1.6)
 * @seed: the 32-byte private key
 * @pub: its public key, as hvt_ed25519_public_key() returned it
 * @msg: the message
 * @len: its length
 * @sig: receives R || S; must not overlap @msg
 *
 * @pub is taken, not recomputed, to halve the cost; it must be the one
 * that belongs to @seed. Two signatures of one message under one seed but
 * different @pub share their nonce and together reveal the private scalar.
 *
 * Stack: about 1.9 KiB at the deepest point (x86-64, GCC 12, Linux 6.1
 * and 6.12 flags, -fstack-usage): 1.2 KiB of it the scalar
 * multiplication's table and temporaries.
 */
HVT_ROOT void hvt_ed25519_sign(const u8 seed[HVT_ED25519_SEED_SIZE],
			       const u8 pub[HVT_ED25519_PUBLIC_KEY_SIZE],
			       const void *msg, size_t len, u8 sig[HVT_ED25519_SIGNATURE_SIZE])
{
	u8 az[64], r[32], k[32];

	hvt_ed25519_expand(az, seed);
	/* r = H(prefix || M) mod L: deterministic, secret, and new for each message. */
	hvt_ed25519_hash_scalar(r, az + 32, NULL, msg, len);
	hvt_ed25519_base_point(sig, r);
	/* k = H(R || A || M) mod L; S = r + k a mod L */
	hvt_ed25519_hash_scalar(k, sig, pub, msg, len);
	hvt_ed25519_s(sig + 32, k, az, r);
	hvt_wipe(az, sizeof(az));
	hvt_wipe(r, sizeof(r));
}

/**
 * hvt_ed25519_verify() - check a signature (RFC 8032, 5.1.7)
 * @pub: the signer's public key
 * @msg: the message
 * @len: its length
 * @sig: R || S
 *
 * Refuses an S of L or more, and encodings of R or of the key that are not
 * the canonical encoding of a curve point. The equation checked is
 * [S]B = R + [k]A without the cofactor, as OpenSSL checks it, by comparing
 * the encoding of [S]B - [k]A with R.
 *
 * Return: true when the signature is valid.
 */
HVT_ROOT bool hvt_ed25519_verify(const u8 pub[HVT_ED25519_PUBLIC_KEY_SIZE],
				 const void *msg, size_t len,
				 const u8 sig[HVT_ED25519_SIGNATURE_SIZE])
{
	struct hvt_ge a, p;
	struct hvt_ge_cached neg_k_a;
	struct hvt_ge_p1p1 sum;
	u8 k[32], check[32];

	if (!hvt_sc_is_canonical(sig + 32))
		return false;
	if (!hvt_ge_frombytes(&a, pub) || !hvt_ge_frombytes(&p, sig))
		return false;
	hvt_ed25519_hash_scalar(k, sig, pub, msg, len);

	hvt_fe_neg(&a.x, &a.x);
	hvt_fe_neg(&a.t, &a.t);
	hvt_ge_scalarmult(&p, k, &a);
	hvt_ge_to_cached(&neg_k_a, &p);
	hvt_ge_scalarmult(&p, sig + 32, &hvt_ge_base);
	hvt_ge_add(&sum, &p, &neg_k_a);
	hvt_ge_from_p1p1(&p, &sum, false);
	hvt_ge_tobytes(check, &p);
	return hvt_ed_equal(check, sig, sizeof(check));
}
