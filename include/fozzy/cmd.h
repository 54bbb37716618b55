/* SPDX-License-Identifier: MIT */
/*
 * Commands: one cmd_<name>() per file in src/cmd, dispatched by main.c.
 * Each parses its own options (getopt_long), then calls a mode.
 */
#ifndef FOZZY_CMD_H
#define FOZZY_CMD_H

#include <stdbool.h>
#include <stdint.h>

/* Flags every command accepts, before or after its name. */
struct global_opts {
	bool json;
	bool strict;
	bool strict_given;
	bool unsafe;
	bool no_color;
	const char *config;        /* --config PATH, or NULL: fozzy.toml */
};

extern struct global_opts global;

/* fozzy.toml (src/cmd/config.c): defaults of the scenario commands; the command line wins. */
struct fozzy_config {
	char *base_dir, *reporter, *pressure_wave;
	bool host_proc, host_fs, host_http, mem_track, fail_on_leak, mem_artifacts;
	bool has_limit, has_fail_after, has_budget, has_frag;
	uint64_t mem_limit_mb, mem_fail_after, leak_budget, frag_seed;
	bool has_heap_alloc_budget, has_heap_in_use_budget;
	uint64_t heap_alloc_budget, heap_in_use_budget;
};

extern struct fozzy_config config;
/* Read path (after --cwd); a missing file is fine unless given (--config). 0, or -1 with why. */
int config_load(const char *path, bool given, char *why, size_t n);

/* Handle a global flag seen by a command's getopt loop; true if it was one. */
bool parse_global_opt(int opt, const char *arg);

/* Common getopt_long entries; their values start at GLOBAL_OPT_BASE. */
enum { GLOBAL_OPT_BASE = 1000, OPT_JSON = GLOBAL_OPT_BASE, OPT_STRICT, OPT_UNSAFE, OPT_NO_COLOR, OPT_CWD, OPT_HELP, OPT_CONFIG };
#define GLOBAL_LONG_OPTS \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "strict", no_argument, NULL, OPT_STRICT }, \
	{ "strict-verify", no_argument, NULL, OPT_STRICT }, \
	{ "unsafe", no_argument, NULL, OPT_UNSAFE }, \
	{ "no-color", no_argument, NULL, OPT_NO_COLOR }, \
	{ "cwd", required_argument, NULL, OPT_CWD }, \
	{ "config", required_argument, NULL, OPT_CONFIG }, \
	{ "help", no_argument, NULL, OPT_HELP }

/*
 * The options of a command that takes only the global flags and, when path
 * is not NULL, at most one argument (*path, NULL when absent). Returns 0,
 * -1 after printing usage for --help, or the exit code of a usage error.
 */
int parse_plain_args(const char *cmd, int argc, char **argv, const char *usage, const char **path);
/* config_load() of --config, or of fozzy.toml when none was given. */
int config_load_default(char *why, size_t n);

/* Report a usage error ("try 'fozzy <cmd> --help'") and return the exit code for it. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_shrink(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);
int cmd_cc(int argc, char **argv);
int cmd_corpus(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_usage(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_schema(int argc, char **argv);
/* fozzy run with a *.json argument before any "--": a scenario run. */
bool is_scenario_invocation(int argc, char **argv);
int cmd_run_scenario(int argc, char **argv);
int cmd_explore_scenario(int argc, char **argv);

/* Help texts, also checked against man/fozzy.1 and CLI.md by the tests. */
extern const char run_usage[];
extern const char replay_usage[];
extern const char explore_usage[];
extern const char shrink_usage[];
extern const char report_usage[];
extern const char trace_usage[];
extern const char policy_usage[];
extern const char fuzz_usage[];
extern const char cc_usage[];
extern const char corpus_usage[];
extern const char run_scenario_usage[];
extern const char test_usage[];
extern const char init_usage[];
extern const char env_usage[];
extern const char usage_usage[];
extern const char validate_usage[];
extern const char schema_usage[];
extern const char explore_scenario_usage[];

#endif
