/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's pseudo-random numbers, for what must come out the same
 * on every machine for the same seed: the bootstrap's resamples
 * (stats-bootstrap.c) and the shuffled run order of `ab` (bench-ab.c).
 *
 * xoshiro256** 1.0 (Blackman and Vigna, https://prng.di.unimi.it/),
 * its 256-bit state filled from the 64-bit seed by four steps of
 * splitmix64, as the authors recommend.  Only 64-bit integer arithmetic
 * with defined wrap-around: no floating point, no platform's rand(), so a
 * seed gives the same stream everywhere.  Not for secrets.
 *
 * The two functions a bootstrap calls millions of times are inline here.
 */
#ifndef NP_UTIL_RAND_H
#define NP_UTIL_RAND_H

#include <stdint.h>

struct np_rand {
	uint64_t s[4];    /* never all zero (splitmix64 cannot give that) */
};

void np_rand_seed(struct np_rand *r, uint64_t seed);

static inline uint64_t np_rand_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits. */
static inline uint64_t np_rand_next(struct np_rand *r)
{
	uint64_t *s = r->s;
	uint64_t out = np_rand_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = np_rand_rotl(s[3], 45);
	return out;
}

/* The 128-bit product x * y as two halves: the compiler's when it has a
 * 128-bit type, else from 32-bit pieces; the same numbers either way. */
static inline uint64_t np_rand_mul_hi(uint64_t x, uint64_t y, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 p = (unsigned __int128)x * y;

	*lo = (uint64_t)p;
	return (uint64_t)(p >> 64);
#else
	uint64_t xl = x & 0xffffffffu, xh = x >> 32;
	uint64_t yl = y & 0xffffffffu, yh = y >> 32;
	uint64_t ll = xl * yl, lh = xl * yh, hl = xh * yl, hh = xh * yh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);

	*lo = (mid << 32) | (ll & 0xffffffffu);
	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/*
 * Uniform in [0, n), n >= 1, without bias (Lemire, "Fast random integer
 * generation in an interval", 2019): the high 64 bits of the 128-bit
 * product np_rand_next() * n, a draw whose low 64 bits fall below
 * 2^64 mod n rejected and drawn again, so one call may take more than
 * one np_rand_next(), the same everywhere.  The division that computes
 * the bound is needed only when the low half is below n.
 */
static inline uint64_t np_rand_below(struct np_rand *r, uint64_t n)
{
	uint64_t lo, hi = np_rand_mul_hi(np_rand_next(r), n, &lo);

	if (lo < n) {
		uint64_t reject_below = (0 - n) % n;

		while (lo < reject_below)
			hi = np_rand_mul_hi(np_rand_next(r), n, &lo);
	}
	return hi;
}

/* Uniform in [0, 1): the top 53 bits over 2^53. */
static inline double np_rand_unit(struct np_rand *r)
{
	return (double)(np_rand_next(r) >> 11) * 0x1.0p-53;
}

#endif
