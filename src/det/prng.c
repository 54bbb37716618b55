// SPDX-License-Identifier: MIT
/*
 * The seeded PRNG: splitmix64 to expand a 64-bit seed, xoshiro256** for the
 * streams. Both are tiny, fast, and have published reference outputs that
 * tests/unit/check_det.c compares against.
 */
#include <string.h>

#include "fozzy/det.h"

uint64_t splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void prng_init(struct prng *r, uint64_t seed, uint64_t stream)
{
	/* Mix the stream id in before expansion so streams are unrelated. */
	uint64_t sm = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64_next(&sm);
}

void prng_init_state(struct prng *r, const uint64_t s[4])
{
	memcpy(r->s, s, sizeof(r->s));
}

uint64_t prng_next(struct prng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

void prng_fill(struct prng *r, void *out, size_t n)
{
	uint8_t *p = out;

	while (n) {
		uint64_t v = prng_next(r);
		size_t k = n < 8 ? n : 8, i;

		for (i = 0; i < k; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		p += k;
		n -= k;
	}
}
