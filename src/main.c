// SPDX-License-Identifier: MIT
/*
 * fozzy: global flags, the command table, dispatch.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fozzy/cmd.h"
#include "fozzy/core.h"
#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/util.h"
#include "fozzy/version.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run a program under the supervisor (--det: deterministically), or a scenario" },
	{ "test", cmd_test, "run scenario files (tests/**/*.fozzy.json by default)" },
	{ "validate", cmd_validate, "check a scenario file against the schema" },
	{ "schema", cmd_schema, "print the scenario DSL: step types and fields (alias: steps)" },
	{ "steps", cmd_schema, NULL },
	{ "init", cmd_init, "write a starting scaffold: scenarios, a native example, a guide" },
	{ "env", cmd_env, "the backends a scenario run would use here, and whether each is deterministic" },
	{ "usage", cmd_usage, "which command for which job, and how" },
	{ "replay", cmd_replay, "re-execute a recorded trace and check it matches" },
	{ "explore", cmd_explore, "run a program under many schedules until one fails" },
	{ "fuzz", cmd_fuzz, "fuzz a program's input; findings come with replayable traces" },
	{ "cc", cmd_cc, "build a C program with edge coverage and sanitizers for fuzz" },
	{ "corpus", cmd_corpus, "list, add to and minimize fuzz corpora" },
	{ "shrink", cmd_shrink, "the fewest preemptions and faults that keep a failure" },
	{ "report", cmd_report, "merge the JSON summaries of explore shards" },
	{ "trace", cmd_trace, "verify or dump a .fozzy trace" },
	{ "policy", cmd_policy, "print the syscall policy table" },
	{ "version", cmd_version, "print the version" },
};

/* Commands of the contract (SPEC.md) that this build does not have yet. */
static const char *const planned[] = {
	"ci", "gate", "full", "artifacts",
	"profile", "memory", "map", "doctor",
};

static void print_help(void)
{
	size_t i;

	printf("usage: fozzy [--json] [--strict|--unsafe] [--no-color] [--cwd DIR] <command> [ARGS]\n\n");
	printf("fozzy runs native Linux test binaries deterministically in a sandbox and turns\n"
	       "every run into a trace that can be verified and replayed.\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].help)
			printf("  %-9s %s\n", commands[i].name, commands[i].help);
	printf("\nglobal flags (before or after the command):\n"
	       "  --json        machine-readable output on stdout\n"
	       "  --strict      strict mode (the default)\n"
	       "  --unsafe      turn strict mode off\n"
	       "  --no-color    no ANSI colours\n"
	       "  --cwd DIR     change to DIR first\n"
	       "  --config PATH defaults for the scenario commands (default fozzy.toml, after --cwd)\n"
	       "  --help        this text; 'fozzy <command> --help' for a command\n"
	       "  --version     print the version\n\n"
	       "exit status: 0 pass, 1 fail, 2 error, 3 timeout, 4 crash\n"
	       "see fozzy(1) and fozzy(5)\n");
}

static void die_cleanup(void)
{
	sup_kill_all();
}

/*
 * A write to a pipe whose reader is gone (a fork-server worker, an explore
 * server, a --jobs worker that died) must fail with EPIPE, for the code to
 * say so, not end fozzy. A handler, not SIG_IGN: exec resets handled
 * signals, so the programs fozzy starts get the default again.
 */
static void on_sigpipe(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	int i, code, strict_seen = 0;
	const char *cmd = NULL;
	struct sigaction sa = { .sa_handler = on_sigpipe };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	set_die_hook(die_cleanup);
	/*
	 * JSON error mode is known from the options of fozzy and of its command,
	 * before anything is parsed; the scan stops at "--" and at the first
	 * argument after the command that is not an option (a program, a path).
	 */
	for (i = 1, code = 0; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--json"))
			global.json = true;
		else if (argv[i][0] != '-' && code++)
			break;
		else if (!strcmp(argv[i], "--cwd") || !strcmp(argv[i], "--config") || !strcmp(argv[i], "--seed") ||
			 !strcmp(argv[i], "--record") || !strcmp(argv[i], "--timeout"))
			i++;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json"))
			global.json = true;
		else if (!strcmp(a, "--strict") || !strcmp(a, "--strict-verify"))
			strict_seen = 1, global.strict_given = true;
		else if (!strcmp(a, "--unsafe"))
			global.unsafe = true;
		else if (!strcmp(a, "--no-color"))
			global.no_color = true;
		else if (!strcmp(a, "--config")) {
			if (i + 1 >= argc)
				return usage_error(NULL, "--config needs a path");
			global.config = argv[++i];
		} else if (!strcmp(a, "--cwd")) {
			if (i + 1 >= argc)
				return usage_error(NULL, "--cwd needs a directory");
			if (chdir(argv[++i]))
				return usage_error(NULL, "cannot change to '%s': %s", argv[i], strerror(errno));
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			print_help();
			return EXIT_PASS;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("fozzy %s\n", FOZZY_VERSION);
			return EXIT_PASS;
		} else if (a[0] == '-') {
			return usage_error(NULL, "unknown global option '%s'", a);
		} else {
			cmd = a;
			break;
		}
	}
	if (strict_seen && global.unsafe)
		return usage_error(NULL, "--strict and --unsafe cannot be used together");
	if (!cmd) {
		if (global.json)
			return usage_error(NULL, "missing command");
		print_help();
		return EXIT_ERROR;
	}
	code = -1;
	for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
		if (!strcmp(cmd, commands[k].name))
			code = commands[k].fn(argc - i, argv + i);
	if (code < 0) {
		for (size_t k = 0; k < ARRAY_SIZE(planned); k++)
			if (!strcmp(cmd, planned[k])) {
				error("'%s' is not available in this build yet", cmd);
				code = EXIT_ERROR;
			}
		if (code < 0)
			return usage_error(NULL, "unknown command '%s'", cmd);
	}
	if (global.json && code == EXIT_ERROR && !json_printed && last_error()[0])
		json_print_error(last_error());
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "fozzy: cannot write to stdout: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	return code;
}
