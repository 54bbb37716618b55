// SPDX-License-Identifier: MIT
/*
 * Search strategies for distributed scenarios: which action to take at each
 * point of each run, across many runs.
 *   fifo      one run: the script first, then the oldest message
 *   random    a uniform pick at every point, seeded per run
 *   pct       priorities per action (the script, each message) drawn per run;
 *             the highest enabled goes; at d-1 random points the running one
 *             drops below all others (Burckhardt et al., ASPLOS 2010)
 *   dfs, bfs  systematic: a run follows a prefix of picks then takes the first
 *             option; every other option at every new point becomes a new
 *             prefix, tried deepest-first (dfs) or by fewest deviations (bfs),
 *             until none is left ("exhausted": every schedule was tried)
 *   coverage_guided  runs that reach a state no run reached before are kept;
 *             a new run replays a random prefix of a kept run, then picks at
 *             random: a fuzzer over schedules
 */
#include <stdlib.h>
#include <string.h>

#include "fozzy/det.h"
#include "fozzy/scenario.h"
#include "fozzy/util.h"

#define FRONTIER_MAX 200000
#define FRONTIER_MAX_BYTES (256u << 20) /* pending prefixes of long runs: bounded in memory too */
#define PCT_DEPTH 3

struct vec {
	unsigned *v;
	size_t n;
};

struct dist_search {
	enum dist_strategy strat;
	uint64_t seed;
	struct prng rng;
	struct vec prefix;          /* picks this run must follow */
	struct vec picks, opts;     /* what this run did */
	struct vec *frontier;       /* dfs/bfs: prefixes to try */
	size_t nfront, capfront, head;
	uint64_t *seen;             /* open-addressed set of state hashes (0 = empty) */
	size_t cap_seen, nseen;
	bool new_state;             /* this run reached an unseen state */
	struct vec *corpus;         /* coverage_guided: runs that found new states */
	size_t ncorpus;
	uint64_t *prio;             /* pct: by message id; [0] is the script */
	size_t nprio;
	uint64_t low, steps, change[PCT_DEPTH - 1], expect_len;
	bool truncated;             /* dfs/bfs: the frontier overflowed, some schedules were dropped */
	size_t front_bytes;         /* dfs/bfs: memory of the pending prefixes */
};

int dist_strategy_parse(const char *name, enum dist_strategy *out)
{
	static const char *const names[] = { "fifo", "random", "pct", "dfs", "bfs", "coverage_guided" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i])) {
			*out = (enum dist_strategy)i;
			return 0;
		}
	return -1;
}

const char *dist_strategy_name(enum dist_strategy s)
{
	static const char *const names[] = { "fifo", "random", "pct", "dfs", "bfs", "coverage_guided" };

	return names[s];
}

static void vec_push(struct vec *v, unsigned x)
{
	v->v = xrealloc(v->v, (v->n + 1) * sizeof(unsigned));
	v->v[v->n++] = x;
}

static struct vec vec_copy(const unsigned *p, size_t n)
{
	struct vec v = { xmalloc((n ? n : 1) * sizeof(unsigned)), n };

	if (n)
		memcpy(v.v, p, n * sizeof(unsigned));
	return v;
}

static bool seen_add(struct dist_search *s, uint64_t h)
{
	size_t i;

	if (!h)
		h = 1;
	if (s->nseen * 2 >= s->cap_seen) {
		uint64_t *old = s->seen;
		size_t oc = s->cap_seen, k;

		s->cap_seen = oc ? 2 * oc : 1024;
		s->seen = xcalloc(s->cap_seen, sizeof(uint64_t));
		s->nseen = 0;
		for (k = 0; k < oc; k++)
			if (old[k])
				seen_add(s, old[k]);
		free(old);
	}
	for (i = h & (s->cap_seen - 1); s->seen[i]; i = (i + 1) & (s->cap_seen - 1))
		if (s->seen[i] == h)
			return false;
	s->seen[i] = h;
	s->nseen++;
	return true;
}

static uint64_t prio_of(struct dist_search *s, uint64_t id)
{
	if (id >= s->nprio) {
		size_t n = id + 64;

		s->prio = xrealloc(s->prio, n * sizeof(uint64_t));
		memset(s->prio + s->nprio, 0, (n - s->nprio) * sizeof(uint64_t));
		s->nprio = n;
	}
	if (!s->prio[id])
		s->prio[id] = (prng_next(&s->rng) >> 2) | (1ULL << 61); /* above every lowered one */
	return s->prio[id];
}

static unsigned choose(struct dist_chooser *ch, unsigned n, const uint64_t *ids)
{
	struct dist_search *s = ch->ctx;
	size_t pos = s->picks.n;
	unsigned pick = 0, i;

	if (pos < s->prefix.n) {
		pick = s->prefix.v[pos] < n ? s->prefix.v[pos] : n - 1;
	} else {
		switch (s->strat) {
		case DS_FIFO:
		case DS_DFS:
		case DS_BFS:
			pick = 0;
			break;
		case DS_RANDOM:
		case DS_COVERAGE:
			pick = (unsigned)(prng_next(&s->rng) % n);
			break;
		case DS_PCT: {
			uint64_t best = 0;

			for (i = 0; i < n; i++) {
				uint64_t p = prio_of(s, ids[i]);

				if (p > best) {
					best = p;
					pick = i;
				}
			}
			s->steps++;
			for (i = 0; i < PCT_DEPTH - 1; i++)
				if (s->change[i] == s->steps)
					s->prio[ids[pick]] = --s->low; /* drop below everything */
			break;
		}
		}
	}
	vec_push(&s->picks, pick);
	vec_push(&s->opts, n);
	return pick;
}

static void observe(struct dist_chooser *ch, uint64_t state)
{
	struct dist_search *s = ch->ctx;

	if (seen_add(s, state))
		s->new_state = true;
}

struct dist_search *dist_search_new(enum dist_strategy strat, uint64_t seed)
{
	struct dist_search *s = xcalloc(1, sizeof(*s));

	s->strat = strat;
	s->seed = seed;
	s->expect_len = 64;
	if (strat == DS_DFS || strat == DS_BFS) {
		s->frontier = xcalloc(16, sizeof(struct vec));
		s->capfront = 16;
		s->frontier[s->nfront++] = vec_copy(NULL, 0); /* the empty prefix: the first run */
	}
	return s;
}

void dist_search_free(struct dist_search *s)
{
	size_t i;

	if (!s)
		return;
	for (i = s->head; i < s->nfront; i++)
		free(s->frontier[i].v);
	free(s->frontier);
	for (i = 0; i < s->ncorpus; i++)
		free(s->corpus[i].v);
	free(s->corpus);
	free(s->prefix.v);
	free(s->picks.v);
	free(s->opts.v);
	free(s->seen);
	free(s->prio);
	free(s);
}

bool dist_search_begin(struct dist_search *s, uint64_t run, struct dist_chooser *ch)
{
	size_t i;

	free(s->prefix.v);
	s->prefix = (struct vec){ 0 };
	s->picks.n = s->opts.n = 0;
	s->new_state = false;
	prng_init(&s->rng, s->seed + run, 0x64697374); /* "dist" */
	switch (s->strat) {
	case DS_FIFO:
		if (run > 0)
			return false;
		break;
	case DS_DFS:
	case DS_BFS:
		if (s->head == s->nfront)
			return false;
		if (s->strat == DS_BFS) {
			s->prefix = s->frontier[s->head++];
		} else {
			s->prefix = s->frontier[--s->nfront];
		}
		s->front_bytes -= s->prefix.n * sizeof(unsigned);
		break;
	case DS_COVERAGE:
		if (s->ncorpus && run % 4) { /* one run in four starts from scratch */
			const struct vec *c = &s->corpus[prng_next(&s->rng) % s->ncorpus];
			size_t len = c->n ? (size_t)(prng_next(&s->rng) % (c->n + 1)) : 0;

			s->prefix = vec_copy(c->v, len);
		}
		break;
	case DS_PCT:
		s->steps = 0;
		s->low = 1ULL << 60;
		if (s->nprio)
			memset(s->prio, 0, s->nprio * sizeof(uint64_t));
		for (i = 0; i < PCT_DEPTH - 1; i++)
			s->change[i] = 1 + prng_next(&s->rng) % s->expect_len;
		break;
	case DS_RANDOM:
		break;
	}
	ch->choose = choose;
	ch->check = NULL;
	ch->observe = observe;
	ch->ctx = s;
	return true;
}

void dist_search_end(struct dist_search *s, const struct dist_result *r)
{
	size_t p, k;

	if (s->strat == DS_PCT && r->steps > s->expect_len)
		s->expect_len = r->steps;
	if (s->strat == DS_COVERAGE && s->new_state) {
		s->corpus = xrealloc(s->corpus, (s->ncorpus + 1) * sizeof(struct vec));
		s->corpus[s->ncorpus++] = vec_copy(s->picks.v, s->picks.n);
	}
	if (s->strat != DS_DFS && s->strat != DS_BFS)
		return;
	/*
	 * Every untaken option at every point past the prefix is a new prefix.
	 * dfs pops the last pushed (the deepest point) first; bfs takes them in
	 * order, so all one-deviation schedules come before any two-deviation one.
	 */
	for (p = s->prefix.n; p < s->picks.n; p++) {
		for (k = 1; k < s->opts.v[p]; k++) {
			struct vec c;

			if (s->nfront - s->head >= FRONTIER_MAX || s->front_bytes + (p + 1) * sizeof(unsigned) > FRONTIER_MAX_BYTES) {
				s->truncated = true;
				return;
			}
			if (s->nfront == s->capfront) {
				if (s->head > s->capfront / 2) { /* bfs: reuse the consumed front */
					memmove(s->frontier, s->frontier + s->head, (s->nfront - s->head) * sizeof(struct vec));
					s->nfront -= s->head;
					s->head = 0;
				} else {
					s->capfront *= 2;
					s->frontier = xrealloc(s->frontier, s->capfront * sizeof(struct vec));
				}
			}
			c = vec_copy(s->picks.v, p + 1);
			c.v[p] = (unsigned)k;
			s->front_bytes += c.n * sizeof(unsigned);
			s->frontier[s->nfront++] = c;
		}
	}
}

bool dist_search_truncated(const struct dist_search *s)
{
	return s->truncated;
}

uint64_t dist_search_states(const struct dist_search *s)
{
	return s->nseen;
}
