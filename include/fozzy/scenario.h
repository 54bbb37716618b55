/* SPDX-License-Identifier: MIT */
/*
 * Scenario files (*.fozzy.json, SPEC.md section 2): loading and validation
 * against one schema table, and the engine that runs step scenarios in a
 * virtual world (clock, KV, files, scripted processes and HTTP, network,
 * memory model), logging every decision so a trace replays the run exactly.
 */
#ifndef FOZZY_SCENARIO_H
#define FOZZY_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/*
 * Does object o have key k, with this exact case? (cJSON_HasObjectItem
 * ignores case while the ...CaseSensitive calls do not: mixing them lost
 * values and leaked.)
 */
static inline bool has_key(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k) != NULL;
}

#define SCN_MAX_FILE (16u << 20) /* bytes: a larger scenario file is refused */
#define SCN_MAX_DEPTH 32         /* assert_throws/assert_rejects nesting */

enum scn_variant { SCN_STEPS, SCN_SUITES, SCN_DISTRIBUTED };

/* A loaded, validated scenario. `root` is the parsed file (owned). */
struct scenario {
	enum scn_variant variant;
	cJSON *root;
	const char *name;          /* points into root */
	const cJSON *steps;        /* steps: the step array; distributed: its steps */
	const cJSON *invariants;   /* distributed only, may be NULL */
	char **nodes;              /* distributed: node names (owned) */
	size_t nnodes;
};

/*
 * Parse and validate scenario text. `lenient` (--unsafe) turns unknown fields
 * into warnings instead of errors. On failure returns -1 with a one-line
 * message naming the JSON path in why ("$.steps[2].duration: ...").
 */
int scenario_parse(const char *text, size_t len, bool lenient, struct scenario *s, char *why, size_t whylen);
/* Read a file and scenario_parse() it; I/O problems also go to why. */
int scenario_load(const char *path, bool lenient, struct scenario *s, char *why, size_t whylen);
void scenario_release(struct scenario *s);
const char *scenario_variant_name(enum scn_variant v);

/* The machine-readable surface of the DSL for `fozzy schema` (caller owns it). */
cJSON *scenario_schema_json(void);
/* Number of step types the schema knows (steps, distributed steps, invariants). */
size_t scenario_step_type_count(int table);

/* ---- the engine (src/scenario/engine.c) ---- */

struct scn_opts {
	uint64_t seed;
	bool det;                  /* virtual clock for sleeps, polls and delays */
	bool has_timeout;
	uint64_t timeout_ms;       /* virtual ms under det, wall ms otherwise; checked before and after each top-level step */
	const char *path;          /* the scenario path as given (callsite hashes, findings) */
	const cJSON *replay;       /* a recorded decision array to replay, or NULL */
	/*
	 * Not replaying, but the host backends answer from this array of recorded
	 * host decisions, in order (shrink): the host is never touched, and a host
	 * step that asks something else ends the run as a drift error.
	 */
	const cJSON *host_answers;
	const uint8_t *entropy;    /* fuzz: the random draws come from these bytes first (then the seed) */
	size_t entropy_len;
	bool has_until;            /* replay --until: stop before the first top-level step at or after until_ms */
	uint64_t until_ms;
	/* host backends; on replay their recorded answers are used and the host is not touched */
	bool host_fs, host_proc, host_http;
	int fs_root;               /* host fs: the folder paths are beneath (an O_PATH fd) */
	const char *self_exe;      /* host proc: the fozzy binary that supervises the command */
	/* memory options (flags); a set option implies tracking */
	bool mem_track, fail_on_leak;
	uint64_t mem_limit_mb, mem_fail_after, leak_budget, frag_seed;
	bool has_limit, has_fail_after, has_budget, has_frag;
	const char *pressure_wave;
	/* heap budgets (fozzy.toml profile_heap_*_budget): checker findings, a tracked run implied */
	bool has_heap_alloc_budget, has_heap_in_use_budget;
	uint64_t heap_alloc_budget, heap_in_use_budget;
};

struct scn_result {
	const char *status;        /* pass, fail, timeout, error */
	cJSON *decisions;          /* owned arrays */
	cJSON *events;
	cJSON *findings;
	cJSON *memory;             /* the memory summary, or NULL when untracked */
	cJSON *leaks;              /* tracked: the live allocations at the end [{allocId, bytes, callsiteHash, tag?}] */
	uint64_t virtual_ms;       /* time of the last event */
	bool drift_error;          /* replay: a structural divergence (exit 2) */
	char message[512];         /* drift_error: why */
};

void scn_opts_init(struct scn_opts *o);
/* Before any thread runs scenarios with the HTTP host backend (libcurl's global setup). */
int scenario_host_init(char *why, size_t n);
/* Run a step scenario. Never fails as a whole: problems are findings. */
void scenario_execute(const struct scenario *s, const struct scn_opts *o, struct scn_result *r);
void scn_result_release(struct scn_result *r);

/* ---- distributed scenarios (src/scenario/dist.c, explore.c) ---- */

#define DIST_STOP 0xffffffffu

/*
 * Who picks the next action. choose() gets the n enabled actions by id (0:
 * the next script step; k: the delivery of message k) and returns an index,
 * or DIST_STOP. check(), if set, vets each decision (replay: 0 if it is the
 * recorded one). observe(), if set, sees the state hash after each action.
 */
struct dist_chooser {
	unsigned (*choose)(struct dist_chooser *ch, unsigned n, const uint64_t *ids);
	int (*check)(struct dist_chooser *ch, const cJSON *decision);
	void (*observe)(struct dist_chooser *ch, uint64_t state);
	void *ctx;
};

struct dist_result {
	cJSON *decisions, *events, *findings; /* owned */
	bool quiescent;  /* ended with nothing enabled (else: the step limit) */
	bool failed;     /* an assertion or invariant finding */
	bool diverged;   /* the chooser stopped it (replay mismatch) */
	uint64_t steps, virtual_ms;
};

/* One run of a distributed scenario under ch, at most max_steps actions. */
void dist_execute(const struct scenario *s, const cJSON *steps, const cJSON *invariants, uint64_t max_steps,
		  struct dist_chooser *ch, struct dist_result *r);
void dist_result_release(struct dist_result *r);

/* Search strategies over the picks of many runs. */
enum dist_strategy { DS_FIFO, DS_RANDOM, DS_PCT, DS_DFS, DS_BFS, DS_COVERAGE };
int dist_strategy_parse(const char *name, enum dist_strategy *out);
const char *dist_strategy_name(enum dist_strategy s);

struct dist_search;
struct dist_search *dist_search_new(enum dist_strategy strat, uint64_t seed);
void dist_search_free(struct dist_search *s);
/* Set up run number `run` (0, 1, ...); false when the strategy has nothing left to try. */
bool dist_search_begin(struct dist_search *s, uint64_t run, struct dist_chooser *ch);
/* After the run: learn from it (new prefixes, coverage). */
void dist_search_end(struct dist_search *s, const struct dist_result *r);
/* dfs/bfs: more than 200,000 schedules were pending, so some were dropped. */
bool dist_search_truncated(const struct dist_search *s);
/* Distinct states seen over all runs so far. */
uint64_t dist_search_states(const struct dist_search *s);

/* A memory-options JSON object for traces, and back (replay). */
cJSON *scn_mem_options_json(const struct scn_opts *o);
void scn_mem_options_from_json(struct scn_opts *o, const cJSON *j);

/*
 * Seed of scenario `ordinal` (0-based) of `total` in a test run with suite
 * seed `suite`: XXH3-64 of suite LE8, total LE8, ordinal LE8 and the path.
 */
uint64_t scenario_test_seed(uint64_t suite, uint64_t total, uint64_t ordinal, const char *path);

/* ---- the profile of a scenario run (src/scenario/profile.c), derived from its events ---- */

/*
 * Write timeline.json, profile.{timeline,cpu,heap,latency,metrics}.json and
 * symbols.json into dir. 0, or -1 (errno) when a file cannot be written.
 */
int scn_write_profile(const char *dir, const cJSON *events, const char *run_id, uint64_t seed, uint64_t host_ms,
		      const char *scenario_path);
/* The step spans as OTLP/JSON (traces signal), on the virtual clock from 2024-01-01T00:00:00Z. */
cJSON *scn_profile_otlp(const cJSON *events, const char *run_id, uint64_t seed, const char *scenario_path);
/* The step spans as a speedscope evented profile (virtual milliseconds). */
cJSON *scn_profile_speedscope(const cJSON *events, const char *run_id, const char *scenario_path);

#endif
