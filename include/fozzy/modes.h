/* SPDX-License-Identifier: MIT */
/*
 * Run-like modes: each configures the supervisor with a decision source and
 * turns its outcome into a report, a trace and an exit code (exit.h).
 */
#ifndef FOZZY_MODES_H
#define FOZZY_MODES_H

#include <stdbool.h>
#include <stdint.h>

#include "fozzy/det.h"

struct cJSON;

struct run_opts {
	bool det;
	bool seed_given;
	uint64_t seed;
	bool json;
	bool strict;
	const char *record;        /* extra copy of the trace, or NULL */
	uint64_t timeout_ns;       /* 0: none */
	uint64_t wall_timeout_ns;  /* real-time guard */
	unsigned pids_max;         /* threads of the tree; 0: default */
	bool host_net;             /* --net host */
	const char *faults;        /* --faults SPEC, or NULL */
	unsigned cpus;
	uint64_t epoch_ns;
	enum sched_strategy strategy;
	unsigned pct_depth;
	bool no_rt;                /* do not preload libfozzy-rt.so */
	const char *base_dir;      /* artifacts root, default ".fozzy" */
	char **cmd;                /* program and its arguments, NULL-terminated */
	int ncmd;
};

#define RUN_DEFAULT_WALL_TIMEOUT_NS (600ULL * 1000000000ULL)
#define RUN_DEFAULT_CPUS 1

struct replay_opts {
	const char *trace;
	bool json;
	const char *base_dir;
	uint64_t wall_timeout_ns;
	bool host_env;             /* run with the current environment, not the recorded one */
	bool strict;
	char **cmd;                /* optional: the command as the user expects it */
	int ncmd;
	bool has_until;            /* --until: stop when virtual time reaches until_ns */
	uint64_t until_ns;
	/* scenario traces: artifacts of the replay run */
	bool dump_events;          /* --dump-events: events.json and timeline.json even on pass */
	bool profile_full;         /* --profile-capture full / --profile-regen: the profile even on pass */
	const char *export_format; /* --profile-export-format otlp|speedscope */
	const char *export_out;    /* --profile-export-out PATH */
};

struct explore_opts {
	struct run_opts run;       /* det always; seed is the first run's */
	uint64_t runs;             /* at most this many runs (default 500) */
	uint64_t time_ns;          /* and at most this long in real time; 0: no limit */
	int expect_exit;           /* -1: any exit 0 passes */
	const char *expect_stdout; /* file the output must equal, or NULL */
	unsigned jobs;             /* worker processes; the result does not depend on it */
	bool shrink;               /* shrink the failure found */
	unsigned preemption_bound; /* dfs: the most preemptions a schedule may have (default 2) */
	unsigned shard, shards;    /* --shard i/n: this shard's part of the space (shards 0: all) */
	uint64_t shrink_budget_ns;
	bool no_fork_server;       /* every run starts the program afresh */
};

struct shrink_opts {
	const char *trace;
	const char *out;           /* default: shrunk.fozzy beside the trace */
	uint64_t budget_ns;        /* real time to spend (default 60 s) */
	uint64_t wall_timeout_ns;
	const char *base_dir;
	bool json;
	unsigned minimize;         /* SHRINK_MIN_* bits; 0: all that apply */
	struct cJSON **result;     /* set: hand the summary over here, print nothing */
};

/* What shrink may reduce (--minimize). */
enum {
	SHRINK_MIN_SCHEDULE = 1u << 0, /* preemptions; picks of an explore scenario trace */
	SHRINK_MIN_FAULTS = 1u << 1,   /* injected faults */
	SHRINK_MIN_INPUT = 1u << 2,    /* a fuzz trace's input bytes */
	SHRINK_MIN_STEPS = 1u << 3,    /* a scenario's steps */
	SHRINK_MIN_ALL = 0xfu,
};

struct fuzz_opts {
	struct run_opts run;       /* det always; seed of the campaign */
	uint64_t runs;             /* executions after the corpus (0: until --time or Ctrl-C) */
	uint64_t time_ns;          /* real time (0: no limit) */
	const char *corpus;        /* corpus folder (default <base>/corpora/default) */
	const char *dict;          /* AFL-format dictionary, or NULL */
	size_t max_input;          /* bytes (default 4096) */
	int mutator;               /* enum mut_family */
	unsigned jobs;             /* worker processes; results do not depend on it */
	unsigned shard, shards;    /* --shard i/n (shards 0: all) */
	bool minimize;             /* shrink each new finding's input */
	bool crash_only;           /* stop at the first finding */
	int expect_exit;           /* -1: exit statuses are not findings */
	uint64_t minimize_budget;  /* executions per finding (default 512) */
	bool no_fork_server;       /* one full run per input, even for fozzy cc programs */
	bool no_persistent;        /* a harness's driver runs one input per fork, not many per process */
	bool det;                  /* --det: a campaign fixed by its seed and --runs (no --time) */
	bool property;             /* --mode property: the corpus never grows */
	const char *record;        /* --record PATH: the first finding's trace, or the last input's */
};

/* Fill o with the defaults. */
/* Scenario files (*.fozzy.json): fozzy run SCENARIO and fozzy test. */
struct scn_run_opts {
	const char *path;          /* run: the scenario */
	char **globs;              /* test: patterns or paths (none: every *.fozzy.json under tests/) */
	int nglobs;
	bool det;
	bool seed_given;
	uint64_t seed;
	bool has_timeout;
	uint64_t timeout_ms;
	const char *record;
	const char *collision;     /* append (default), overwrite, error */
	const char *reporter;      /* pretty (default), junit, html */
	const char *base_dir;
	bool json, strict;
	unsigned jobs;             /* test */
	const char *filter;        /* test */
	bool fail_fast;            /* test */
	/* memory options, as struct scn_opts has them */
	bool mem_track, fail_on_leak, has_limit, has_fail_after, has_budget, has_frag;
	uint64_t mem_limit_mb, mem_fail_after, leak_budget, frag_seed;
	const char *pressure_wave;
	bool host_fs, host_proc, host_http; /* --fs-backend host, --proc-backend host, --http-backend host */
	bool mem_artifacts;        /* --mem-artifacts: memory.timeline/leaks/graph.json with the other artifacts */
	bool profile_full;         /* --profile-capture full: events and profile even on pass */
	bool has_heap_alloc_budget, has_heap_in_use_budget; /* fozzy.toml profile_heap_*_budget */
	uint64_t heap_alloc_budget, heap_in_use_budget;
};

/* fozzy explore SCENARIO: a distributed scenario under many interleavings. */
struct scn_explore_opts {
	const char *path;
	uint64_t seed;
	const char *strategy;      /* fifo, random (default), pct, dfs, bfs, coverage_guided */
	uint64_t runs;             /* default 1000 */
	uint64_t max_steps;        /* actions per run, default 10000 */
	uint64_t time_ns;          /* real-time budget, 0: none */
	unsigned nodes;            /* --nodes N: replace the node set, 0: keep */
	const char *faults;        /* --faults presets, comma list */
	const char *checker;       /* --checker tokens, comma list */
	const char *record;
	const char *collision;
	const char *base_dir;
	bool json, strict;
};

int mode_scenario_explore(const struct scn_explore_opts *o);
struct trace;
/* fozzy shrink of a scenario trace (steps or explore), already loaded. */
int mode_scenario_shrink(const struct shrink_opts *o, const struct trace *t);

void scn_run_opts_init(struct scn_run_opts *o);
/* Colour the human summaries of scenario commands (a terminal, no --no-color, no NO_COLOR). */
void scenario_set_color(bool on);
int mode_scenario_run(const struct scn_run_opts *o);
int mode_scenario_test(const struct scn_run_opts *o);
/* Replay a scenario trace (header kind "scenario"). */
int mode_scenario_replay(const struct replay_opts *o);

struct scenario;

/* fozzy fuzz scenario:PATH: one execution with the input as the scenario's source of choices. */
struct scn_fuzz_out {
	char status[16];           /* pass, fail, timeout */
	char kind[64], title[400], sig[400]; /* the first finding; sig empty: none */
	uint64_t *features;        /* behaviour keys (owned) */
	size_t nfeatures;
	char dir[4096], trace[4096]; /* keep: the run folder and trace (written whatever the end) */
};
/*
 * Steps scenarios: the input's bytes are the random draws (rand_u64, net
 * delivery and drop choices), 8 at a time, then the seed; --det semantics,
 * scripted backends. Distributed scenarios: each byte picks the next action
 * among those enabled (then the first), at most max_steps actions.
 */
void scenario_fuzz_exec(const struct scenario *s, const char *path, uint64_t seed, uint64_t timeout_ms,
			uint64_t max_steps, const uint8_t *in, size_t n, bool keep, const char *base_dir,
			struct scn_fuzz_out *out);

void run_opts_init(struct run_opts *o);
void replay_opts_init(struct replay_opts *o);
void explore_opts_init(struct explore_opts *o);
void shrink_opts_init(struct shrink_opts *o);

/* Return an exit code (enum fozzy_exit). Errors are reported before returning. */
int mode_run(const struct run_opts *o);
int mode_replay(const struct replay_opts *o);
int mode_explore(const struct explore_opts *o);
int mode_shrink(const struct shrink_opts *o);
void fuzz_opts_init(struct fuzz_opts *o);
int mode_fuzz(const struct fuzz_opts *o);
/* fozzy corpus minimize: keep the fewest, smallest inputs with every edge (in place, or copied to out_dir). */
int mode_corpus_minimize(const struct fuzz_opts *o, const char *out_dir);

/* A file shipped with fozzy (beside the binary, or PREFIX/lib/fozzy); caller frees; NULL if absent. */
char *find_lib(const char *name);
/* Resolve a command name through PATH to an absolute, existing executable. */
char *resolve_program(const char *name);

#endif
