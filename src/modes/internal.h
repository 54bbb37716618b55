/* SPDX-License-Identifier: MIT */
/*
 * What the run-like modes (run.c, fuzz.c) share: a run's context, and the
 * pieces that turn a supervisor result into a trace, a report and a summary.
 */
#ifndef FOZZY_MODES_INTERNAL_H
#define FOZZY_MODES_INTERNAL_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "fozzy/core.h"
#include "fozzy/det.h"
#include "fozzy/report.h"
#include "fozzy/trace.h"

struct run_ctx {
	const char *mode;          /* "run" or "replay" */
	struct sup_config cfg;
	struct run_dir rd;
	char exe_hash[33];
	bool json;
	bool strict;
	char **argv;               /* owned when loaded from a trace */
	char **envp;
	char *exe;
	char *cwd;
	const cJSON *footer;       /* replay: the recorded outcome */
	char *runtime;             /* libfozzy-rt.so preloaded, or NULL */
	const char *runtime_note;  /* why not, for the report */
	char *const *user_env;     /* the environment as recorded (without the preload) */
	struct fault_plan plan;    /* --faults, when cfg.faults points here */
	struct buf input;          /* replay of a fuzz trace: the input; owned */
	bool fork_server;          /* the trace was recorded in a fork server (fuzz) */
	int fs_status;             /* replay in a fork server: the child fozzy's wait status */
	bool fs_given;             /* the input has been handed to the fork server */
	bool until;                /* replay --until: cfg.timeout_ns is where it stops, not a failure */
	/* oracles (explore --expect-exit/--expect-stdout), recorded in the trace so replay and shrink judge alike */
	bool has_expect_exit;
	int expect_exit;
	const char *expect_stdout; /* the file named, or NULL */
	uint64_t want_hash, want_len;
	char *oracle_file;         /* owned copy when loaded from a trace */
};

/*
 * One run of x->cfg in a new run folder under base (x->rd, cfg.run_dir): 0,
 * or -1 with nothing left behind (folder removed, r released).
 */
int ctx_run(struct run_ctx *x, const char *base, struct sup_result *r);
/* A run's status with the oracles of x applied (r->message says why it failed). */
const char *run_verdict(const struct run_ctx *x, struct sup_result *r);

/* The program named on the command line, resolved, or NULL after error(). */
char *program_or_error(const char *name);
/* Is the ELF file dynamically linked (so libfozzy-rt can be preloaded)? */
bool is_dynamic(const char *path);
/* libfozzy-rt.so: $FOZZY_RT, beside fozzy, or PREFIX/lib/fozzy. Caller frees; NULL if absent. */
char *find_runtime(void);
char **env_with_runtime(char *const *env, const char *rt);
void free_runtime_env(char **env);
/* XXH3-128 of a file as 32 hex digits; 0 or -1 with errno. */
int hash_file(const char *path, char out[33]);
/* "pass", "fail", "crash", "timeout" or "error" for a result. */
const char *outcome_status(const struct sup_result *r);
/* The findings array of a result (empty when it passed). */
cJSON *findings(const struct sup_result *r);
cJSON *trace_header(const struct run_ctx *x, const struct sup_result *r);
cJSON *trace_footer(const struct sup_result *r);
cJSON *summary_json(const struct run_ctx *x, const struct sup_result *r, const char *status,
		    const char *trace_path, cJSON *extra);
/* trace.fozzy (and record), report.json; the trace path (caller frees) or NULL. */
char *write_artifacts(const struct run_ctx *x, const struct sup_result *r, const char *record,
		      const char *status, cJSON *extra, cJSON **summary_out);
/* Configure x from a recorded trace (replay, shrink). 0, or -1 after error(). */
int ctx_from_trace(struct run_ctx *x, const struct trace *t, const char *path, const char *verb,
		   char **cmd, int ncmd, bool host_env, uint64_t wall_ns, const char *base_dir);
void ctx_release(struct run_ctx *x);
void print_human(const struct run_ctx *x, const struct sup_result *r, const char *status,
		 const char *trace_path, const char *note);

#endif
