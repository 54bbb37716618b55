/* SPDX-License-Identifier: MIT */
/*
 * Determinism policies: the seeded PRNG and the virtual clock.
 *
 * PRNG: xoshiro256** (Blackman and Vigna), its 256-bit state filled by
 * splitmix64. Each purpose draws from its own stream, derived from the seed
 * and a stream id, so an extra random read never perturbs another stream.
 * man/fozzy.5 documents both algorithms with test vectors.
 */
#ifndef FOZZY_DET_H
#define FOZZY_DET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fozzy/util.h"

/* splitmix64: advances *state and returns the next output. */
uint64_t splitmix64_next(uint64_t *state);

struct prng {
	uint64_t s[4];
};

/* Stream ids: each purpose gets its own PRNG stream. */
enum prng_stream {
	STREAM_GETRANDOM = 1, /* getrandom(2) and random-device reads */
	STREAM_AT_RANDOM = 2, /* the 16 AT_RANDOM bytes of each exec */
	STREAM_SCHED = 3,     /* scheduling decisions */
	STREAM_FAULT = 4,     /* fault injection */
};

/* Seed stream `stream` from `seed`. */
void prng_init(struct prng *r, uint64_t seed, uint64_t stream);
/* Seed from an explicit state (test vectors); the state must not be all zero. */
void prng_init_state(struct prng *r, const uint64_t s[4]);
uint64_t prng_next(struct prng *r);
/* Fill n bytes (little-endian words). */
void prng_fill(struct prng *r, void *out, size_t n);

/*
 * The virtual clock of one run, in nanoseconds since the start of the run.
 * Realtime clocks read epoch + now; monotonic ones read boot offset + now.
 */
struct vclock {
	uint64_t now;          /* ns since the run started */
	uint64_t epoch_ns;     /* CLOCK_REALTIME at now == 0 */
	uint64_t boot_ns;      /* CLOCK_MONOTONIC at now == 0 */
	uint64_t syscall_cost; /* ns added for every traced syscall */
};

#define VCLOCK_DEFAULT_EPOCH_NS (1704067200ULL * 1000000000ULL) /* 2024-01-01T00:00:00Z */
#define VCLOCK_DEFAULT_BOOT_NS (100ULL * 1000000000ULL)          /* uptime 100 s */
#define VCLOCK_DEFAULT_SYSCALL_COST 1000ULL                      /* 1 µs */

void vclock_init(struct vclock *c, uint64_t epoch_ns);
/*
 * Value of clock `id` (a clockid_t) in ns. Returns 0, or -EINVAL for clock ids
 * Linux rejects. CPU-time clocks read the virtual time since the run started.
 */
int vclock_read(const struct vclock *c, int id, uint64_t *ns);
/* Resolution of clock `id`: 1 ns (4 ms for the coarse clocks). Same return. */
int vclock_res(int id, uint64_t *ns);


/*
 * The decision source of one run. Seeded: answers come from the seed and the
 * rules (virtual clock), and each is appended to `pending`, the decisions of
 * the current event. Replay: answers are read back from a recorded stream;
 * asking a different question than was recorded is a divergence.
 */
struct decider {
	bool replay;
	struct prng rng[5];           /* indexed by enum prng_stream */
	struct buf pending;           /* record: encoded decisions of the event in flight */
	const uint8_t *in;            /* replay: the recorded stream */
	size_t in_len, pos;           /* replay: cursor at the next decision */
	bool diverged;
	char why[256];                /* first divergence reason */
};

/* in/in_len: recorded stream for replay, or NULL to record. */
void decider_init(struct decider *d, uint64_t seed, const uint8_t *in, size_t in_len);
void decider_release(struct decider *d);
/* A decided integer; `proposed` is the seeded/host answer, replay returns the recorded one. */
uint64_t decide_value(struct decider *d, uint64_t proposed);
/* Decided bytes from PRNG stream s (replay: the recorded bytes, which must be n long). */
void decide_bytes(struct decider *d, enum prng_stream s, void *out, size_t n);

/*
 * Scheduling strategies: which runnable thread gets the baton next.
 * random: uniform among the runnable threads at every scheduling point.
 * fifo:   keep the current thread until it blocks, yields or exits; then the
 *         next runnable one (no preemption: the baseline).
 * pct:    probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010):
 *         threads get random distinct priorities, the highest runnable one
 *         runs, and at depth-1 random steps of the run the running thread
 *         drops below every other. A bug of depth d among n threads and k
 *         steps is hit with probability at least 1/(n k^(d-1)).
 */
enum sched_strategy {
	STRAT_RANDOM = 0,
	STRAT_FIFO = 1,
	STRAT_PCT = 2,
	STRAT_DFS = 3,    /* explore only: systematic, by preemption bound; a run picks like fifo */
	STRAT_COVERAGE = 4, /* explore only: preemptions that reached new (thread, object, operation) pairs, mutated */
};

#define PCT_DEFAULT_DEPTH 3
#define PCT_DEFAULT_STEPS 10000 /* k: the step range change points are drawn from */
#define PCT_MAX_DEPTH 16

struct sched {
	enum sched_strategy strategy;
	struct prng rng;             /* the scheduling stream */
	unsigned depth;              /* pct: d */
	uint64_t steps;              /* scheduling points so far */
	uint64_t change[PCT_MAX_DEPTH]; /* pct: the d-1 change points */
	uint64_t *prio;              /* pct: priority per thread (vtid-1), grown on demand */
	size_t nprio;
	uint64_t low;                /* pct: next priority below all others */
	uint64_t k;                  /* pct: the range change points are drawn from */
};

/* Parse "random", "fifo" or "pct"; returns 0 or -1. */
int sched_parse(const char *name, enum sched_strategy *out);
const char *sched_name(enum sched_strategy s);

void sched_init(struct sched *s, enum sched_strategy strategy, uint64_t seed, unsigned depth);
/* pct with change points drawn from [1, steps]: steps is k, the program's length in scheduling points. */
void sched_init_steps(struct sched *s, enum sched_strategy strategy, uint64_t seed, unsigned depth,
		      uint64_t steps);
/*
 * Seed the strategy again at this point of the run (the fork-server point,
 * before main): a fresh stream, pct priorities drawn anew and change points
 * among the k (0: as at init) scheduling points after this one. The count of
 * points goes on.
 */
void sched_reseed(struct sched *s, uint64_t seed, uint64_t k);
/* dst becomes a copy of src, with a priority array of its own (dst's own is not freed). */
void sched_copy(struct sched *dst, const struct sched *src);
void sched_release(struct sched *s);

/*
 * Pick one of n runnable threads, given by their ids (vtid, creation order,
 * ascending); cur is the index of the thread that just stopped and could go
 * on, or -1 (it blocked or exited). yielded: cur asked the others to go first
 * (sched_yield, or a call that said "try again"); no strategy starves them.
 */
unsigned sched_pick(struct sched *s, const uint32_t *vtids, unsigned n, int cur, bool yielded);

/* ---- fault plans (src/det/faults.c) ---- */

enum fault_class { FC_READ, FC_WRITE, FC_OPEN, FC_FSYNC, FC_CONNECT, FC_SEND, FC_RECV, FC_N };
enum fault_kind { FK_ERRNO, FK_SHORT, FK_KILL };
#define FAULT_MAX_RULES 8

struct fault_rule {
	unsigned cls;       /* enum fault_class */
	unsigned kind;      /* enum fault_kind */
	int err;            /* FK_ERRNO */
	uint64_t nth;       /* the n-th call of the class (from 1); 0: to be chosen (explore) */
};

struct fault_plan {
	struct fault_rule r[FAULT_MAX_RULES];
	unsigned n;
};

/* The rules of a named preset ("disk-full" -> "write:ENOSPC"), or NULL. */
const char *fault_preset(const char *name);
/* "disk-full, io-error, ..." */
void fault_presets_list(char *out, size_t n);
/* "write:EIO@2,fsync:EIO,read:short@1,disk-full": 0, or -1 with a reason in why. */
int fault_plan_parse(const char *spec, struct fault_plan *p, char *why, size_t whylen);
void fault_plan_format(const struct fault_plan *p, char *out, size_t n);
void fault_rule_format(const struct fault_rule *r, char *out, size_t n);
/* The class of a syscall (enum fault_class), or -1. */
int fault_class_of(uint32_t nr);
const char *fault_class_name(int cls);
/* The rule that fires at the nth call of class cls, or NULL. */
const struct fault_rule *fault_match(const struct fault_plan *p, int cls, uint64_t nth);
/* Give each rule without @N a call in [1, seen[class]], from the seed. */
void fault_plan_choose(struct fault_plan *p, const uint64_t seen[FC_N], uint64_t seed);

#endif
