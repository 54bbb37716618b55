// SPDX-License-Identifier: MIT
/*
 * Scheduling strategies. The supervisor asks at every scheduling point which
 * runnable thread runs next; the answer is a decision (logged, replayed).
 * Modulo bias of next % n is below 2^-50 for any realistic thread count.
 */
#include <string.h>

#include "fozzy/det.h"

int sched_parse(const char *name, enum sched_strategy *out)
{
	if (!strcmp(name, "random"))
		*out = STRAT_RANDOM;
	else if (!strcmp(name, "fifo"))
		*out = STRAT_FIFO;
	else
		return -1;
	return 0;
}

const char *sched_name(enum sched_strategy s)
{
	return s == STRAT_FIFO ? "fifo" : "random";
}

unsigned sched_pick(enum sched_strategy s, struct prng *r, unsigned n, int cur)
{
	if (n <= 1)
		return 0;
	if (s == STRAT_FIFO)
		return cur >= 0 ? (unsigned)cur : 0;
	return (unsigned)(prng_next(r) % n);
}
