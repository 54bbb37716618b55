// SPDX-License-Identifier: MIT
/*
 * fozzy env: what a run would use here (backends from fozzy.toml and the
 * flags given, and whether each is deterministic). fozzy usage: which command
 * for which job.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/util.h"
#include "fozzy/version.h"

const char env_usage[] =
	"usage: fozzy env [--proc-backend scripted|host] [--fs-backend virtual|host]\n"
	"                 [--http-backend scripted|host] [--json]\n"
	"\n"
	"Print the machine and the backends a scenario run would use: fozzy.toml's, or\n"
	"the flags given here (as fozzy run and fozzy test would take them), each with\n"
	"whether it is deterministic.\n";

const char usage_usage[] =
	"usage: fozzy usage [--json]\n"
	"\n"
	"Print which command to use for which job, and how.\n";

static void cap(cJSON *caps, const char *name, const char *backend, bool det)
{
	cJSON *c = cJSON_AddObjectToObject(caps, name);

	cJSON_AddStringToObject(c, "backend", backend);
	cJSON_AddBoolToObject(c, "deterministic", det);
}

/* Human form: "key: value" lines, nested objects indented. */
static void dump(const cJSON *o, int indent)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, o) {
		if (cJSON_IsObject(c)) {
			printf("%*s%s:\n", indent, "", c->string);
			dump(c, indent + 2);
		} else if (cJSON_IsString(c)) {
			printf("%*s%s: %s\n", indent, "", c->string, c->valuestring);
		} else {
			char *s = cJSON_PrintUnformatted(c);

			printf("%*s%s: %s\n", indent, "", c->string, s);
			free(s);
		}
	}
}

enum { EO_PROC = 2, EO_FS, EO_HTTP };

int cmd_env(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "proc-backend", required_argument, NULL, EO_PROC },
		{ "fs-backend", required_argument, NULL, EO_FS },
		{ "http-backend", required_argument, NULL, EO_HTTP },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, proc = -1, fs = -1, http = -1;
	char why[600];
	struct utsname u;
	cJSON *o, *f, *caps;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case OPT_HELP:
			fputs(env_usage, stdout);
			return EXIT_PASS;
		case EO_PROC:
		case EO_HTTP:
			if (strcmp(optarg, "scripted") && strcmp(optarg, "host"))
				return usage_error("env ", "invalid %s '%s': expected scripted or host",
						   opt == EO_PROC ? "--proc-backend" : "--http-backend", optarg);
			*(opt == EO_PROC ? &proc : &http) = !strcmp(optarg, "host");
			break;
		case EO_FS:
			if (strcmp(optarg, "virtual") && strcmp(optarg, "host"))
				return usage_error("env ", "invalid --fs-backend '%s': expected virtual or host", optarg);
			fs = !strcmp(optarg, "host");
			break;
		default:
			return usage_error("env ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("env ", "unexpected argument '%s'", argv[optind]);
	quiet_errors = global.json;
	if (config_load_default(why, sizeof(why)))
		return usage_error(NULL, "config error: %s", why);
	if (proc < 0)
		proc = config.host_proc;
	if (fs < 0)
		fs = config.host_fs;
	if (http < 0)
		http = config.host_http;
	o = cJSON_CreateObject();
	uname(&u);
	cJSON_AddStringToObject(o, "os", "linux");
	cJSON_AddStringToObject(o, "arch", u.machine);
	cJSON_AddStringToObject(o, "kernel", u.release);
	f = cJSON_AddObjectToObject(o, "fozzy");
	cJSON_AddStringToObject(f, "version", FOZZY_VERSION);
	caps = cJSON_AddObjectToObject(o, "capabilities");
	cap(caps, "fs", fs ? "host" : "virtual_overlay", !fs);
	cap(caps, "http", http ? "host" : "scripted", !http);
	cap(caps, "memory", "deterministic_allocator", true);
	cap(caps, "net", "simulated", true);
	cap(caps, "proc", proc ? "host" : "scripted", !proc);
	cap(caps, "rng", "xoshiro256**", true);
	cap(caps, "time", "virtual", true);
	if (global.json)
		json_print(o);
	else
		dump(o, 0);
	cJSON_Delete(o);
	return EXIT_PASS;
}

static const char *const items[][3] = {
	{ "run", "a native test program, deterministically, in the sandbox", "fozzy run --det --seed 7 -- ./my_test" },
	{ "run SCENARIO", "one scenario file (steps against a virtual world)", "fozzy run tests/example.fozzy.json --det" },
	{ "test", "every scenario file of a suite, as CI does", "fozzy test --det --jobs 4 --reporter junit" },
	{ "validate", "check a scenario file without running it", "fozzy validate tests/example.fozzy.json" },
	{ "schema", "the scenario DSL: step types and their fields", "fozzy schema --json" },
	{ "init", "start a project: scenarios, a native example, a guide", "fozzy init" },
	{ "replay", "reproduce a recorded run exactly (native or scenario)", "fozzy replay .fozzy/runs/<id>/trace.fozzy" },
	{ "trace verify", "check a trace's structure and checksum", "fozzy trace verify t.fozzy" },
	{ "trace dump", "read a trace's events and decisions", "fozzy trace dump t.fozzy --json" },
	{ "explore", "search thread schedules and faults of a program until it fails", "fozzy explore --schedule pct -- ./racy" },
	{ "explore SCENARIO", "search message interleavings, partitions and crashes of a distributed scenario",
	  "fozzy explore kv.fozzy.json --schedule dfs" },
	{ "shrink", "the smallest failing trace: fewer preemptions, faults, steps", "fozzy shrink t.fozzy" },
	{ "fuzz", "feed mutated inputs to a program or harness; findings are traces", "fozzy fuzz --runs 10000 -- ./parser @@" },
	{ "cc", "build a C program with coverage and sanitizers for fuzz", "fozzy cc -o parser parser.c" },
	{ "corpus", "list, add to, minimize, export and import fuzz corpora", "fozzy corpus minimize corp -- ./parser @@" },
	{ "report merge", "combine the summaries of explore or fuzz shards", "fozzy report merge s0.json s1.json" },
	{ "policy", "the syscall policy the sandbox enforces", "fozzy policy" },
	{ "env", "the backends a scenario run would use here", "fozzy env --json" },
	{ "version", "the version", "fozzy version" },
};

int cmd_usage(int argc, char **argv)
{
	int rc = parse_plain_args("usage ", argc, argv, usage_usage, NULL);
	cJSON *o, *a;
	size_t i;

	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	if (!global.json) {
		for (i = 0; i < ARRAY_SIZE(items); i++)
			printf("%s\n  when %s\n  how  %s\n", items[i][0], items[i][1], items[i][2]);
		return EXIT_PASS;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "title", "fozzy: which command for which job");
	a = cJSON_AddArrayToObject(o, "items");
	for (i = 0; i < ARRAY_SIZE(items); i++) {
		cJSON *it = cJSON_CreateObject();

		cJSON_AddStringToObject(it, "command", items[i][0]);
		cJSON_AddStringToObject(it, "when", items[i][1]);
		cJSON_AddStringToObject(it, "how", items[i][2]);
		cJSON_AddItemToArray(a, it);
	}
	json_print(o);
	cJSON_Delete(o);
	return EXIT_PASS;
}
