// SPDX-License-Identifier: MIT
/*
 * Scheduling strategies. The supervisor asks at every scheduling point which
 * runnable thread runs next; the answer is a decision (logged, replayed).
 * Every random draw comes from the scheduling stream of the seed, so the
 * strategy's state is itself a function of the seed and the decisions.
 */
#include <stdlib.h>
#include <string.h>

#include "fozzy/det.h"
#include "fozzy/util.h"

int sched_parse(const char *name, enum sched_strategy *out)
{
	if (!strcmp(name, "random"))
		*out = STRAT_RANDOM;
	else if (!strcmp(name, "fifo"))
		*out = STRAT_FIFO;
	else if (!strcmp(name, "dfs"))
		*out = STRAT_DFS;
	else if (!strcmp(name, "pct"))
		*out = STRAT_PCT;
	else if (!strcmp(name, "coverage_guided"))
		*out = STRAT_COVERAGE;
	else
		return -1;
	return 0;
}

const char *sched_name(enum sched_strategy s)
{
	return s == STRAT_FIFO ? "fifo" : s == STRAT_PCT ? "pct" : s == STRAT_DFS ? "dfs"
	       : s == STRAT_COVERAGE ? "coverage_guided" : "random";
}

void sched_init(struct sched *s, enum sched_strategy strategy, uint64_t seed, unsigned depth)
{
	sched_init_steps(s, strategy, seed, depth, PCT_DEFAULT_STEPS);
}

void sched_init_steps(struct sched *s, enum sched_strategy strategy, uint64_t seed, unsigned depth,
		      uint64_t steps)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->strategy = strategy;
	prng_init(&s->rng, seed, STREAM_SCHED);
	s->depth = depth < 1 ? 1 : depth > PCT_MAX_DEPTH ? PCT_MAX_DEPTH : depth;
	for (i = 0; i + 1 < s->depth; i++)
		s->change[i] = 1 + prng_next(&s->rng) % (steps ? steps : PCT_DEFAULT_STEPS);
	s->low = s->depth; /* initial priorities are drawn above every change priority */
	s->k = steps ? steps : PCT_DEFAULT_STEPS;
}

void sched_reseed(struct sched *s, uint64_t seed, uint64_t k)
{
	uint64_t at = s->steps, span;
	unsigned i;

	if (k)
		s->k = k;
	span = s->k > at ? s->k - at : s->k;
	prng_init(&s->rng, seed, STREAM_SCHED);
	for (i = 0; i + 1 < s->depth; i++)
		s->change[i] = at + 1 + prng_next(&s->rng) % span;
	free(s->prio);
	s->prio = NULL;
	s->nprio = 0;
	s->low = s->depth;
}

void sched_copy(struct sched *dst, const struct sched *src)
{
	*dst = *src;
	dst->prio = NULL;
	if (src->nprio) {
		dst->prio = xmalloc(src->nprio * sizeof(*src->prio));
		memcpy(dst->prio, src->prio, src->nprio * sizeof(*src->prio));
	}
}

void sched_release(struct sched *s)
{
	free(s->prio);
	s->prio = NULL;
}

/* pct: a thread's priority, drawn when first seen: random and above all change levels. */
static uint64_t *prio_of(struct sched *s, uint32_t vtid)
{
	while (s->nprio < vtid) {
		s->prio = xrealloc(s->prio, (s->nprio + 1) * sizeof(*s->prio));
		s->prio[s->nprio++] = PCT_MAX_DEPTH + 1 + (prng_next(&s->rng) >> 8);
	}
	return &s->prio[vtid - 1];
}

/* pct: a yielding thread goes just below every other thread's initial priority. */
static void pct_yield(struct sched *s, uint32_t vtid)
{
	uint64_t min = UINT64_MAX;
	size_t i;

	(void)prio_of(s, vtid);
	for (i = 0; i < s->nprio; i++)
		if (i + 1 != vtid && s->prio[i] > PCT_MAX_DEPTH && s->prio[i] < min)
			min = s->prio[i];
	if (min != UINT64_MAX && min > PCT_MAX_DEPTH + 1)
		s->prio[vtid - 1] = min - 1;
}

unsigned sched_pick(struct sched *s, const uint32_t *vtids, unsigned n, int cur, bool yielded)
{
	unsigned i, best = 0;

	s->steps++;
	switch (s->strategy) {
	case STRAT_FIFO:
	case STRAT_DFS:
	case STRAT_COVERAGE:
		if (cur < 0)
			return 0;
		return yielded ? (unsigned)(cur + 1) % n : (unsigned)cur;
	case STRAT_PCT:
		if (yielded && cur >= 0 && n > 1)
			pct_yield(s, vtids[cur]);
		for (i = 0; i + 1 < s->depth; i++)
			if (s->change[i] == s->steps && cur >= 0)
				*prio_of(s, vtids[cur]) = s->depth - 1 - i; /* drop below everyone */
		for (i = 1; i < n; i++)
			if (*prio_of(s, vtids[i]) > *prio_of(s, vtids[best]))
				best = i;
		(void)prio_of(s, vtids[0]);
		return best;
	default:
		return n <= 1 ? 0 : (unsigned)(prng_next(&s->rng) % n);
	}
}
