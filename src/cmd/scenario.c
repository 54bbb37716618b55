// SPDX-License-Identifier: MIT
/*
 * Scenario commands: fozzy run SCENARIO, fozzy test, fozzy validate and
 * fozzy schema (alias steps).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/modes.h"
#include "fozzy/report.h"
#include "fozzy/scenario.h"
#include "fozzy/util.h"

const char run_scenario_usage[] =
	"usage: fozzy run SCENARIO.fozzy.json [--det] [--seed N] [--timeout DUR] [--record PATH]\n"
	"                 [--record-collision append|overwrite|error] [--reporter pretty|junit|html]\n"
	"                 [--profile-capture baseline|full] [memory flags] [--json]\n"
	"\n"
	"Run a steps scenario (see fozzy schema) in fozzy's virtual world: KV, virtual\n"
	"files, scripted processes and HTTP, a simulated network and memory model. The\n"
	"flags are those of fozzy test (see fozzy test --help) but --jobs, --filter and\n"
	"--fail-fast. The trace is written to the run folder when the run does not pass,\n"
	"and to --record PATH always. Exit status: 0 pass, 1 fail, 2 error, 3 timeout.\n"
	"\n"
	"  --profile-capture baseline|full  baseline (default): events.json, timeline.json\n"
	"                      and the profile (profile.*.json, symbols.json: where virtual\n"
	"                      time and memory went, per step) when the run does not pass\n"
	"                      or is recorded; full: always\n";

const char test_usage[] =
	"usage: fozzy test [GLOBS...] [--det] [--seed N] [--jobs N] [--filter S] [--fail-fast]\n"
	"                  [--timeout DUR] [--record PATH] [--record-collision POLICY]\n"
	"                  [--reporter pretty|junit|html] [memory flags] [--json]\n"
	"\n"
	"Run every matching steps scenario. Without GLOBS: tests/**/*.fozzy.json. A glob\n"
	"'**' matches any number of folders; .git, target, node_modules, .fozzy, dist,\n"
	"build and coverage are not searched. A path without wildcards must exist. Every\n"
	"file is validated before anything runs.\n"
	"\n"
	"  --det               virtual clock: sleeps, polls and delays take no real time\n"
	"  --seed N            suite seed (u64; default random); scenario i of n gets the\n"
	"                      seed XXH3-64(suite LE8, n LE8, i LE8, path)\n"
	"  --jobs N            run scenarios in N worker threads (results keep file order)\n"
	"  --filter S          only files whose path contains S (the others count as skipped)\n"
	"  --fail-fast         stop after the first failing scenario (implies --jobs 1)\n"
	"  --timeout DUR       per scenario, checked between steps (virtual time under --det)\n"
	"  --record PATH       write every scenario's trace: PATH for one file, else\n"
	"                      PATH with .1, .2, ... before the extension\n"
	"  --record-collision P  append (default: next free NAME.N.fozzy), overwrite, error\n"
	"  --reporter R        also write junit.xml (junit) or report.html (html)\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"  --mem-track, --mem-limit-mb N, --mem-fail-after N, --mem-fragmentation-seed N,\n"
	"  --mem-pressure-wave LIST, --fail-on-leak, --leak-budget BYTES, --mem-artifacts\n"
	"                      options of the memory model (any of them turns tracking on);\n"
	"                      --mem-artifacts: memory.timeline.json, memory.leaks.json and\n"
	"                      memory.graph.json beside events.json (run SCENARIO)\n"
	"  --proc-backend scripted|host  proc_spawn: scripted rules (default), or the real\n"
	"                      command under fozzy's supervisor (sandboxed; --det applies)\n"
	"  --fs-backend virtual|host     fs_*: in memory (default), or real files beneath\n"
	"                      the working directory (no /, . or .., no symbolic links)\n"
	"  --http-backend scripted|host  http_request: scripted rules (default), or real\n"
	"                      HTTP(S) through libcurl; http_when rules then assert answers\n"
	"                      Host answers are recorded; a replay never touches the host.\n"
	"\n"
	"A failing scenario's trace is written to the test run folder (scenario-N.fozzy).\n"
	"Exit status: 0 all passed, 1 a scenario failed or timed out, 2 error.\n";

const char validate_usage[] =
	"usage: fozzy validate SCENARIO [--json]\n"
	"\n"
	"Check a scenario file against the schema (fozzy schema) without running it.\n"
	"The first problem is reported with its JSON path; exit 2 when the file is invalid.\n";

const char schema_usage[] =
	"usage: fozzy schema [--json]   (alias: fozzy steps)\n"
	"\n"
	"Print the scenario DSL: file variants, every step type with its required and\n"
	"optional fields, their types, an example and notes.\n";

enum { OPT_DET = 2, OPT_SEED, OPT_TIMEOUT, OPT_RECORD, OPT_COLLISION, OPT_REPORTER, OPT_BASE, OPT_JOBS, OPT_FILTER,
       OPT_FAIL_FAST, OPT_MEM_TRACK, OPT_MEM_LIMIT, OPT_MEM_FAIL_AFTER, OPT_MEM_FRAG, OPT_MEM_WAVE, OPT_FAIL_ON_LEAK,
       OPT_LEAK_BUDGET, OPT_MEM_ARTIFACTS, OPT_PROC_BACKEND, OPT_FS_BACKEND, OPT_HTTP_BACKEND, OPT_PROFILE_CAPTURE };

/* Options of run SCENARIO and test; positional arguments are collected. Returns 0, -1 (help), or an exit code. */
static int parse_scn(int argc, char **argv, struct scn_run_opts *o, bool test, char ***pos, int *npos)
{
	static const struct option longopts[] = {
		{ "det", no_argument, NULL, OPT_DET },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "record-collision", required_argument, NULL, OPT_COLLISION },
		{ "reporter", required_argument, NULL, OPT_REPORTER },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "fail-fast", no_argument, NULL, OPT_FAIL_FAST },
		{ "mem-track", no_argument, NULL, OPT_MEM_TRACK },
		{ "mem-limit-mb", required_argument, NULL, OPT_MEM_LIMIT },
		{ "mem-fail-after", required_argument, NULL, OPT_MEM_FAIL_AFTER },
		{ "mem-fragmentation-seed", required_argument, NULL, OPT_MEM_FRAG },
		{ "mem-pressure-wave", required_argument, NULL, OPT_MEM_WAVE },
		{ "fail-on-leak", no_argument, NULL, OPT_FAIL_ON_LEAK },
		{ "leak-budget", required_argument, NULL, OPT_LEAK_BUDGET },
		{ "mem-artifacts", no_argument, NULL, OPT_MEM_ARTIFACTS },
		{ "proc-backend", required_argument, NULL, OPT_PROC_BACKEND },
		{ "fs-backend", required_argument, NULL, OPT_FS_BACKEND },
		{ "http-backend", required_argument, NULL, OPT_HTTP_BACKEND },
		{ "profile-capture", required_argument, NULL, OPT_PROFILE_CAPTURE },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = test ? "test " : "run ";
	bool base_given = false, reporter_given = false, proc_given = false, fs_given = false, http_given = false;
	char why[600];
	uint64_t v, ns;
	int opt, li = 0;

	*pos = xcalloc((size_t)argc + 1, sizeof(char *));
	*npos = 0;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "-", longopts, &li)) != -1) {
		const char *name = longopts[li].name;

		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case 1:
			(*pos)[(*npos)++] = optarg;
			break;
		case OPT_HELP:
			fputs(test ? test_usage : run_scenario_usage, stdout);
			return -1;
		case OPT_DET:
			o->det = true;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return usage_error(cmd, "invalid --seed '%s': expected an unsigned 64-bit integer", optarg);
			o->seed_given = true;
			break;
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &ns))
				return usage_error(cmd, "invalid --timeout '%s': expected e.g. 500ms, 30s, 5m, 2h", optarg);
			o->timeout_ms = ns / 1000000;
			o->has_timeout = true; /* 0ms expires before the first step */
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_COLLISION:
			if (strcmp(optarg, "append") && strcmp(optarg, "overwrite") && strcmp(optarg, "error"))
				return usage_error(cmd, "invalid --record-collision '%s': expected append, overwrite or error", optarg);
			o->collision = optarg;
			break;
		case OPT_REPORTER:
			if (strcmp(optarg, "pretty") && strcmp(optarg, "junit") && strcmp(optarg, "html"))
				return usage_error(cmd, "invalid --reporter '%s': expected pretty, junit or html", optarg);
			o->reporter = optarg;
			reporter_given = true;
			break;
		case OPT_BASE:
			o->base_dir = optarg;
			base_given = true;
			break;
		case OPT_JOBS:
			if (!test)
				return usage_error(cmd, "unknown option '--jobs' (it belongs to fozzy test)");
			if (parse_u64(optarg, &v) || v < 1 || v > 256)
				return usage_error(cmd, "invalid --jobs '%s': expected 1 to 256", optarg);
			o->jobs = (unsigned)v;
			break;
		case OPT_FILTER:
			if (!test)
				return usage_error(cmd, "unknown option '--filter' (it belongs to fozzy test)");
			o->filter = optarg;
			break;
		case OPT_FAIL_FAST:
			if (!test)
				return usage_error(cmd, "unknown option '--fail-fast' (it belongs to fozzy test)");
			o->fail_fast = true;
			break;
		case OPT_MEM_TRACK:
			o->mem_track = true;
			break;
		case OPT_FAIL_ON_LEAK:
			o->fail_on_leak = true;
			break;
		case OPT_MEM_LIMIT:
		case OPT_MEM_FAIL_AFTER:
		case OPT_MEM_FRAG:
		case OPT_LEAK_BUDGET:
			if (parse_u64(optarg, &v) || v > (1ULL << 53))
				return usage_error(cmd, "invalid --%s '%s': expected an unsigned integer", name, optarg);
			if (opt == OPT_MEM_LIMIT)
				o->has_limit = true, o->mem_limit_mb = v;
			else if (opt == OPT_MEM_FAIL_AFTER)
				o->has_fail_after = true, o->mem_fail_after = v;
			else if (opt == OPT_MEM_FRAG)
				o->has_frag = true, o->frag_seed = v;
			else
				o->has_budget = true, o->leak_budget = v;
			break;
		case OPT_MEM_WAVE:
			o->pressure_wave = optarg;
			break;
		case OPT_MEM_ARTIFACTS:
			o->mem_artifacts = true;
			o->mem_track = true;
			break;
		case OPT_PROFILE_CAPTURE:
			if (test)
				return usage_error(cmd, "unknown option '--profile-capture' (fozzy test writes no profile; "
						   "use fozzy run SCENARIO)");
			if (strcmp(optarg, "baseline") && strcmp(optarg, "full"))
				return usage_error(cmd, "invalid --profile-capture '%s': expected baseline or full", optarg);
			o->profile_full = !strcmp(optarg, "full");
			break;
		case OPT_PROC_BACKEND:
		case OPT_HTTP_BACKEND:
			if (strcmp(optarg, "scripted") && strcmp(optarg, "host"))
				return usage_error(cmd, "invalid --%s '%s': expected scripted or host", name, optarg);
			if (opt == OPT_PROC_BACKEND)
				o->host_proc = !strcmp(optarg, "host"), proc_given = true;
			else
				o->host_http = !strcmp(optarg, "host"), http_given = true;
			break;
		case OPT_FS_BACKEND:
			if (strcmp(optarg, "virtual") && strcmp(optarg, "host"))
				return usage_error(cmd, "invalid --fs-backend '%s': expected virtual or host", optarg);
			o->host_fs = !strcmp(optarg, "host");
			fs_given = true;
			break;
		default:
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) /* after "--" */
		(*pos)[(*npos)++] = argv[optind];
	/* fozzy.toml: defaults under the command line */
	quiet_errors = global.json;
	if (config_load_default(why, sizeof(why))) {
		if (global.json) {
			char *m = xasprintf("config error: %s", why);

			json_print_error(m);
			free(m);
		} else {
			fprintf(stderr, "fozzy: config error: %s\n", why);
		}
		return EXIT_ERROR;
	}
	if (!base_given && config.base_dir)
		o->base_dir = config.base_dir;
	if (!reporter_given && config.reporter && strcmp(config.reporter, "json"))
		o->reporter = config.reporter;
	if (!proc_given)
		o->host_proc = config.host_proc;
	if (!fs_given)
		o->host_fs = config.host_fs;
	if (!http_given)
		o->host_http = config.host_http;
	o->mem_track |= config.mem_track || config.mem_artifacts;
	o->fail_on_leak |= config.fail_on_leak;
	o->mem_artifacts |= config.mem_artifacts;
	if (!o->has_limit && config.has_limit)
		o->has_limit = true, o->mem_limit_mb = config.mem_limit_mb;
	if (!o->has_fail_after && config.has_fail_after)
		o->has_fail_after = true, o->mem_fail_after = config.mem_fail_after;
	if (!o->has_budget && config.has_budget)
		o->has_budget = true, o->leak_budget = config.leak_budget;
	if (!o->has_frag && config.has_frag)
		o->has_frag = true, o->frag_seed = config.frag_seed;
	if (!o->pressure_wave && config.pressure_wave)
		o->pressure_wave = config.pressure_wave;
	/* heap budgets: the memory model's totals, so they turn tracking on */
	o->has_heap_alloc_budget = config.has_heap_alloc_budget;
	o->heap_alloc_budget = config.heap_alloc_budget;
	o->has_heap_in_use_budget = config.has_heap_in_use_budget;
	o->heap_in_use_budget = config.heap_in_use_budget;
	o->mem_track |= o->has_heap_alloc_budget || o->has_heap_in_use_budget;
	if (!o->seed_given && getrandom(&o->seed, sizeof(o->seed), 0) != sizeof(o->seed))
		o->seed = now_real_ns();
	o->json = global.json;
	o->strict = !global.unsafe;
	scenario_set_color(!global.no_color && !getenv("NO_COLOR") && isatty(STDOUT_FILENO));
	return 0;
}

/* Options of run and explore (native or scenario) that take a separate value. */
static bool takes_value(const char *a)
{
	static const char *const with_value[] = {
		"--seed", "--record", "--timeout", "--wall-timeout", "--cpus", "--epoch", "--base-dir", "--schedule",
		"--pct-depth", "--pids-max", "--net", "--faults", "--cwd", "--record-collision", "--reporter", "--jobs",
		"--filter", "--mem-limit-mb", "--mem-fail-after", "--mem-fragmentation-seed", "--mem-pressure-wave",
		"--leak-budget", "--proc-backend", "--fs-backend", "--http-backend", "--runs", "--time", "--steps",
		"--nodes", "--checker", "--preemption-bound", "--shard", "--shrink-budget", "--expect-exit",
		"--expect-stdout",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(with_value); i++)
		if (!strcmp(a, with_value[i]))
			return true;
	return false;
}

bool is_scenario_invocation(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (!strcmp(argv[i], "--"))
			return false;
		if (argv[i][0] == '-') {
			if (!strchr(argv[i], '=') && takes_value(argv[i]))
				i++; /* its value */
			continue;
		}
		/* the first positional argument decides */
		return n > 5 && !strcmp(argv[i] + n - 5, ".json");
	}
	return false;
}

int cmd_run_scenario(int argc, char **argv)
{
	struct scn_run_opts o;
	char **pos;
	int npos, rc;

	scn_run_opts_init(&o);
	rc = parse_scn(argc, argv, &o, false, &pos, &npos);
	if (!rc && npos != 1)
		rc = usage_error("run ", npos ? "unexpected argument '%s': run takes one scenario" : "missing the scenario%s",
				 npos ? pos[1] : "");
	if (rc) {
		free(pos);
		return rc < 0 ? EXIT_PASS : rc;
	}
	o.path = pos[0];
	rc = mode_scenario_run(&o);
	free(pos);
	return rc;
}

int cmd_test(int argc, char **argv)
{
	struct scn_run_opts o;
	char **pos;
	int npos, rc;

	scn_run_opts_init(&o);
	rc = parse_scn(argc, argv, &o, true, &pos, &npos);
	if (rc) {
		free(pos);
		return rc < 0 ? EXIT_PASS : rc;
	}
	o.globs = pos;
	o.nglobs = npos;
	rc = mode_scenario_test(&o);
	free(pos);
	return rc;
}

static size_t count_steps(const cJSON *steps)
{
	const cJSON *st;
	size_t n = 0;

	cJSON_ArrayForEach(st, steps) {
		n++;
		n += count_steps(cJSON_GetObjectItemCaseSensitive(st, "steps"));
	}
	return n;
}

int cmd_validate(int argc, char **argv)
{
	const char *path = NULL;
	struct scenario s;
	char why[1024];
	cJSON *o;
	int rc = parse_plain_args("validate ", argc, argv, validate_usage, &path);

	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	if (!path)
		return usage_error("validate ", "missing the scenario file: fozzy validate SCENARIO");
	quiet_errors = global.json;
	o = cJSON_CreateObject();
	if (scenario_load(path, global.unsafe, &s, why, sizeof(why))) {
		cJSON_AddBoolToObject(o, "ok", false);
		cJSON_AddStringToObject(o, "scenario", path);
		cJSON_AddStringToObject(o, "error", why);
		rc = EXIT_ERROR;
	} else if (s.variant == SCN_SUITES) {
		cJSON_AddBoolToObject(o, "ok", false);
		cJSON_AddStringToObject(o, "scenario", path);
		cJSON_AddStringToObject(o, "variant", "suites");
		cJSON_AddStringToObject(o, "name", s.name);
		snprintf(why, sizeof(why), "$.suites: a suites file has no executable step DSL; nothing can run it "
			 "(use steps or distributed)");
		cJSON_AddStringToObject(o, "error", why);
		rc = EXIT_ERROR;
	} else {
		cJSON_AddBoolToObject(o, "ok", true);
		cJSON_AddStringToObject(o, "scenario", path);
		cJSON_AddStringToObject(o, "variant", scenario_variant_name(s.variant));
		cJSON_AddStringToObject(o, "name", s.name);
		cJSON_AddNumberToObject(o, "steps", (double)count_steps(s.steps));
		if (s.variant == SCN_DISTRIBUTED) {
			cJSON_AddNumberToObject(o, "invariants", cJSON_GetArraySize(s.invariants));
			cJSON_AddNumberToObject(o, "nodes", (double)s.nnodes);
		}
	}
	if (global.json)
		json_print(o);
	else if (rc)
		fprintf(stderr, "fozzy: scenario error: %s: %s\n", path, why);
	else
		printf("%s: ok (%s scenario '%s', %.0f steps)\n", path, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "variant")),
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "name")),
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "steps")));
	if (s.root)
		scenario_release(&s);
	cJSON_Delete(o);
	return rc;
}

int cmd_schema(int argc, char **argv)
{
	int rc = parse_plain_args("schema ", argc, argv, schema_usage, NULL);
	cJSON *o;

	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	o = scenario_schema_json();
	if (global.json) {
		json_print(o);
	} else {
		static const char *const tables[] = { "stepSchemas", "distributedStepSchemas", "distributedInvariantSchemas" };
		static const char *const titles[] = { "steps scenarios ({\"version\":1,\"name\":...,\"steps\":[...]})",
						      "distributed scenarios: steps", "distributed scenarios: invariants" };
		size_t t;

		printf("durations: %s\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "durations")));
		for (t = 0; t < ARRAY_SIZE(tables); t++) {
			const cJSON *d;

			printf("\n%s\n", titles[t]);
			cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(o, tables[t])) {
				const cJSON *f, *types = cJSON_GetObjectItemCaseSensitive(d, "fieldTypes");

				printf("  %s", d->string);
				cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(d, "requiredFields"))
					if (strcmp(f->valuestring, "type"))
						printf(" %s:%s", f->valuestring,
						       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(types, f->valuestring)));
				cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(d, "optionalFields"))
					printf(" [%s:%s]", f->valuestring,
					       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(types, f->valuestring)));
				printf("\n      %s\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "notes")));
			}
		}
	}
	cJSON_Delete(o);
	return EXIT_PASS;
}

const char explore_scenario_usage[] =
	"usage: fozzy explore SCENARIO.fozzy.json [--schedule S] [--seed N] [--runs N] [--steps N]\n"
	"                     [--time DUR] [--nodes N] [--faults PRESETS] [--checker TOKENS]\n"
	"                     [--record PATH] [--record-collision POLICY] [--json]\n"
	"\n"
	"Run a distributed scenario under many interleavings of its script steps and\n"
	"message deliveries until an invariant (or a client_get_assert) fails. The\n"
	"nodes run a replicated KV store (last writer wins by Lamport stamp); messages\n"
	"wait out partitions and are lost when an endpoint crashes. Invariants are\n"
	"checked once nothing is left to do.\n"
	"\n"
	"  --schedule S        random (default), pct, dfs (every schedule, deepest choice\n"
	"                      first), bfs (every schedule, fewest deviations first),\n"
	"                      coverage_guided (replays prefixes of runs that reached new\n"
	"                      states), fifo (one run: script first, oldest message first)\n"
	"  --seed N            seed of the search (default random); run i uses N+i\n"
	"  --runs N            at most N runs (default 1000)\n"
	"  --steps N           at most N actions per run (default 10000); a run cut short\n"
	"                      is counted as incomplete and its invariants are not checked\n"
	"  --time DUR          and at most DUR of real time\n"
	"  --nodes N           replace the node set with n0 .. n(N-1)\n"
	"  --faults PRESETS    steps put before the script: partition-first-two,\n"
	"                      heal-first-two, crash-first, restart-first, none\n"
	"  --checker TOKENS    replace the invariants: kv_all_equal:KEY,\n"
	"                      kv_present_on_all:KEY, kv_node_equals:NODE:KEY:VALUE\n"
	"  --record PATH       also write the trace to PATH: the failing run, or the last run when all pass\n"
	"  --record-collision P  error (default: an existing PATH is an error), append or overwrite\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"\n"
	"The failing run's trace replays with fozzy replay. Exit status: 0 no failure\n"
	"in the budget, 1 a run failed, 2 error.\n";

enum { XO_SEED = 2, XO_SCHEDULE, XO_RUNS, XO_STEPS, XO_TIME, XO_NODES, XO_FAULTS, XO_CHECKER, XO_RECORD, XO_COLLISION,
       XO_BASE };

int cmd_explore_scenario(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, XO_SEED },
		{ "schedule", required_argument, NULL, XO_SCHEDULE },
		{ "runs", required_argument, NULL, XO_RUNS },
		{ "steps", required_argument, NULL, XO_STEPS },
		{ "time", required_argument, NULL, XO_TIME },
		{ "nodes", required_argument, NULL, XO_NODES },
		{ "faults", required_argument, NULL, XO_FAULTS },
		{ "checker", required_argument, NULL, XO_CHECKER },
		{ "record", required_argument, NULL, XO_RECORD },
		{ "record-collision", required_argument, NULL, XO_COLLISION },
		{ "base-dir", required_argument, NULL, XO_BASE },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct scn_explore_opts o = { .strategy = "random", .runs = 1000, .max_steps = 10000, .collision = "error",
				      .base_dir = ".fozzy" };
	bool seed_given = false, base_given = false;
	uint64_t v;
	int opt, li = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "-", longopts, &li)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case 1:
			if (o.path)
				return usage_error("explore x.fozzy.json ", "unexpected argument '%s': explore takes one scenario", optarg);
			o.path = optarg;
			break;
		case OPT_HELP:
			fputs(explore_scenario_usage, stdout);
			return EXIT_PASS;
		case XO_SEED:
			if (parse_u64(optarg, &o.seed))
				return usage_error("explore x.fozzy.json ", "invalid --seed '%s': expected an unsigned 64-bit integer", optarg);
			seed_given = true;
			break;
		case XO_SCHEDULE:
			o.strategy = optarg;
			break;
		case XO_RUNS:
		case XO_STEPS:
		case XO_NODES:
			if (parse_u64(optarg, &v) || v < 1 || (opt == XO_NODES && v > 1024))
				return usage_error("explore x.fozzy.json ", "invalid --%s '%s': expected a positive integer%s", longopts[li].name,
						   optarg, opt == XO_NODES ? " up to 1024" : "");
			if (opt == XO_RUNS)
				o.runs = v;
			else if (opt == XO_STEPS)
				o.max_steps = v;
			else
				o.nodes = (unsigned)v;
			break;
		case XO_TIME:
			if (parse_duration(optarg, &o.time_ns) || !o.time_ns)
				return usage_error("explore x.fozzy.json ", "invalid --time '%s': expected e.g. 500ms, 30s, 5m", optarg);
			break;
		case XO_FAULTS:
			o.faults = optarg;
			break;
		case XO_CHECKER:
			o.checker = optarg;
			break;
		case XO_RECORD:
			o.record = optarg;
			break;
		case XO_COLLISION:
			if (strcmp(optarg, "append") && strcmp(optarg, "overwrite") && strcmp(optarg, "error"))
				return usage_error("explore x.fozzy.json ", "invalid --record-collision '%s': expected append, overwrite or error",
						   optarg);
			o.collision = optarg;
			break;
		case XO_BASE:
			o.base_dir = optarg;
			base_given = true;
			break;
		default:
			return usage_error("explore x.fozzy.json ", "unknown option '%s' (for a scenario; see fozzy explore x.fozzy.json --help)",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("explore x.fozzy.json ", "unexpected argument '%s'", argv[optind]);
	if (!o.path)
		return usage_error("explore x.fozzy.json ", "missing the scenario");
	{
		char why[600];

		if (config_load_default(why, sizeof(why)))
			return usage_error(NULL, "config error: %s", why);
		if (!base_given && config.base_dir)
			o.base_dir = config.base_dir;
	}
	if (!seed_given && getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = now_real_ns();
	o.json = global.json;
	o.strict = !global.unsafe;
	scenario_set_color(!global.no_color && !getenv("NO_COLOR") && isatty(STDOUT_FILENO));
	return mode_scenario_explore(&o);
}
