// SPDX-License-Identifier: MIT
/*
 * Decision sources. Everything that can differ between two runs passes
 * through decide_*(): seeded runs log each answer, replays read them back.
 * A replay that is asked for a decision the log does not have at that point
 * has diverged; the supervisor reports where.
 */
#include <stdio.h>
#include <string.h>

#include "fozzy/det.h"
#include "fozzy/trace.h"

void decider_init(struct decider *d, uint64_t seed, const uint8_t *in, size_t in_len)
{
	unsigned i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < ARRAY_SIZE(d->rng); i++)
		prng_init(&d->rng[i], seed, i);
	d->replay = in != NULL;
	d->in = in;
	d->in_len = in_len;
}

void decider_release(struct decider *d)
{
	buf_release(&d->pending);
}

static int next_decision(struct decider *d, enum ev_tag want, struct ev *e)
{
	size_t pos = d->pos;

	if (d->diverged)
		return -1;
	if (pos >= d->in_len || ev_decode(d->in, d->in_len, &pos, e) || e->tag != want) {
		d->diverged = true;
		snprintf(d->why, sizeof(d->why), "the program asked for a %s the trace does not have here",
			 want == DEC_VALUE ? "value (clock, count)" : "block of random bytes");
		return -1;
	}
	d->pos = pos;
	return 0;
}

uint64_t decide_value(struct decider *d, uint64_t proposed)
{
	struct ev e = { .tag = DEC_VALUE, .value = proposed };

	if (d->replay)
		return next_decision(d, DEC_VALUE, &e) ? proposed : e.value;
	ev_encode(&d->pending, &e);
	return proposed;
}

void decide_bytes(struct decider *d, enum prng_stream s, void *out, size_t n)
{
	struct ev e;

	if (d->replay) {
		if (next_decision(d, DEC_BYTES, &e) == 0 && e.len == n) {
			memcpy(out, e.bytes, n);
			return;
		}
		if (!d->diverged) {
			d->diverged = true;
			snprintf(d->why, sizeof(d->why),
				 "the program asked for %zu random bytes, the trace recorded %zu", n, e.len);
		}
		prng_fill(&d->rng[s], out, n);
		return;
	}
	prng_fill(&d->rng[s], out, n);
	e = (struct ev){ .tag = DEC_BYTES, .bytes = out, .len = n };
	ev_encode(&d->pending, &e);
}
