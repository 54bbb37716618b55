// SPDX-License-Identifier: MIT
/*
 * fozzy init: a scaffold whose own `fozzy test` passes out of the box, with
 * a native example to run under the supervisor.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/util.h"

const char init_usage[] =
	"usage: fozzy init [--force] [--template c|minimal] [--with LIST] [--all-tests] [--json]\n"
	"\n"
	"Write a starting point in the working directory: scenario files under tests/\n"
	"(which `fozzy test` runs and passes), a distributed scenario under explore/,\n"
	"a native C example and fuzz target under native/, and tests/INIT_GUIDE.md with\n"
	"the commands to try. Existing files are kept unless --force.\n"
	"\n"
	"  --force           write even if .fozzy/ exists, and overwrite scaffold files\n"
	"  --template T      c (default): also native/example.c and, with fuzz, the fuzz\n"
	"                    target; minimal: scenarios only\n"
	"  --with LIST       which examples, comma-separated: run, memory, explore, fuzz,\n"
	"                    all (default: all)\n"
	"  --all-tests       the same as --with all\n"
	"  --base-dir DIR    artifacts folder to create (default .fozzy)\n"
	"\n"
	"Prints nothing on success (--json: the files written). Exit status 0, or 2.\n";

static const char example_json[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"name\": \"example\",\n"
	"  \"description\": \"an event, a seeded random value, a sleep on the virtual clock, an assertion\",\n"
	"  \"steps\": [\n"
	"    { \"type\": \"trace_event\", \"name\": \"setup\", \"fields\": { \"component\": \"example\" } },\n"
	"    { \"type\": \"rand_u64\", \"key\": \"rand\" },\n"
	"    { \"type\": \"sleep\", \"duration\": \"10ms\" },\n"
	"    { \"type\": \"assert_eq_int\", \"a\": 1, \"b\": 1 }\n"
	"  ]\n"
	"}\n";

static const char run_pass_json[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"name\": \"run.pass\",\n"
	"  \"description\": \"state, files, a scripted process and HTTP service, and an expected failure\",\n"
	"  \"steps\": [\n"
	"    { \"type\": \"set_kv\", \"key\": \"mode\", \"value\": \"ready\" },\n"
	"    { \"type\": \"get_kv_assert\", \"key\": \"mode\", \"equals\": \"ready\" },\n"
	"    { \"type\": \"fs_write\", \"path\": \"config.txt\", \"data\": \"retries=3\" },\n"
	"    { \"type\": \"fs_read_assert\", \"path\": \"config.txt\", \"equals\": \"retries=3\" },\n"
	"    { \"type\": \"proc_when\", \"cmd\": \"git\", \"args\": [\"rev-parse\", \"HEAD\"], \"exit_code\": 0, \"stdout\": \"abc123\\n\" },\n"
	"    { \"type\": \"proc_spawn\", \"cmd\": \"git\", \"args\": [\"rev-parse\", \"HEAD\"], \"expect_exit\": 0, \"save_stdout_as\": \"head\" },\n"
	"    { \"type\": \"http_when\", \"method\": \"GET\", \"path\": \"/health\", \"status\": 200, \"json\": { \"ok\": true } },\n"
	"    { \"type\": \"http_request\", \"method\": \"GET\", \"path\": \"/health\", \"expect_status\": 200, \"expect_json\": { \"ok\": true } },\n"
	"    { \"type\": \"assert_throws\", \"steps\": [ { \"type\": \"get_kv_assert\", \"key\": \"missing\" } ] }\n"
	"  ]\n"
	"}\n";

static const char memory_json[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"name\": \"memory.pass\",\n"
	"  \"description\": \"the simulated allocator: every allocation freed, so no leak finding\",\n"
	"  \"steps\": [\n"
	"    { \"type\": \"memory_limit_mb\", \"mb\": 4 },\n"
	"    { \"type\": \"memory_alloc\", \"bytes\": 1024, \"key\": \"buf\", \"tag\": \"buffer\" },\n"
	"    { \"type\": \"memory_checkpoint\", \"name\": \"allocated\" },\n"
	"    { \"type\": \"memory_free\", \"key\": \"buf\" },\n"
	"    { \"type\": \"memory_assert_in_use_bytes\", \"equals\": 0 }\n"
	"  ]\n"
	"}\n";

static const char distributed_json[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"name\": \"distributed.pass\",\n"
	"  \"description\": \"three replicas converge whatever the delivery order; run with fozzy explore\",\n"
	"  \"distributed\": {\n"
	"    \"node_count\": 3,\n"
	"    \"steps\": [\n"
	"      { \"type\": \"client_put\", \"node\": \"n0\", \"key\": \"k\", \"value\": \"v1\" },\n"
	"      { \"type\": \"client_put\", \"node\": \"n1\", \"key\": \"k\", \"value\": \"v2\" },\n"
	"      { \"type\": \"tick\", \"duration\": \"10ms\" }\n"
	"    ],\n"
	"    \"invariants\": [\n"
	"      { \"type\": \"kv_present_on_all\", \"key\": \"k\" },\n"
	"      { \"type\": \"kv_all_equal\", \"key\": \"k\" }\n"
	"    ]\n"
	"  }\n"
	"}\n";

static const char example_c[] =
	"/* A small native program for fozzy run: two threads, randomness and the clock.\n"
	" * Under `fozzy run --det --seed N` its output is the same on every run. */\n"
	"#include <pthread.h>\n"
	"#include <stdio.h>\n"
	"#include <sys/random.h>\n"
	"#include <time.h>\n"
	"\n"
	"static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;\n"
	"static char order[64];\n"
	"static int n;\n"
	"\n"
	"static void *worker(void *arg)\n"
	"{\n"
	"\tfor (int i = 0; i < 5; i++) {\n"
	"\t\tpthread_mutex_lock(&lock);\n"
	"\t\torder[n++] = *(const char *)arg;\n"
	"\t\tpthread_mutex_unlock(&lock);\n"
	"\t}\n"
	"\treturn NULL;\n"
	"}\n"
	"\n"
	"int main(void)\n"
	"{\n"
	"\tpthread_t a, b;\n"
	"\tunsigned long long r = 0;\n"
	"\tstruct timespec ts;\n"
	"\n"
	"\tif (getrandom(&r, sizeof(r), 0) != sizeof(r))\n"
	"\t\treturn 1;\n"
	"\tclock_gettime(CLOCK_REALTIME, &ts);\n"
	"\tpthread_create(&a, NULL, worker, \"a\");\n"
	"\tpthread_create(&b, NULL, worker, \"b\");\n"
	"\tpthread_join(a, NULL);\n"
	"\tpthread_join(b, NULL);\n"
	"\tprintf(\"random %llu\\ntime %lld\\norder %s\\n\", r, (long long)ts.tv_sec, order);\n"
	"\treturn 0;\n"
	"}\n";

static const char fuzz_c[] =
	"/* A fuzz target: build with `fozzy cc -o native/fuzz_target native/fuzz_target.c`,\n"
	" * then `fozzy fuzz --corpus .fozzy/corpora/example --runs 5000 -- ./native/fuzz_target`.\n"
	" * It reads a length-prefixed name; the bug is an unchecked length. */\n"
	"#include <stddef.h>\n"
	"#include <stdint.h>\n"
	"#include <string.h>\n"
	"\n"
	"int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)\n"
	"{\n"
	"\tchar name[16];\n"
	"\n"
	"\tif (size < 2 || data[0] != 'N')\n"
	"\t\treturn 0;\n"
	"\tif (data[1] > size - 2)\n"
	"\t\treturn 0;\n"
	"\tmemcpy(name, data + 2, data[1]); /* bug: data[1] may exceed sizeof(name) */\n"
	"\treturn name[0] == 'x';\n"
	"}\n";

static const char guide_md[] =
	"# Getting started with fozzy\n"
	"\n"
	"Scenario files (the DSL: `fozzy schema`):\n"
	"\n"
	"    fozzy test --det                                # every tests/**/*.fozzy.json\n"
	"    fozzy run tests/example.fozzy.json --det --seed 7\n"
	"    fozzy validate tests/run.pass.fozzy.json\n"
	"    fozzy explore explore/distributed.pass.fozzy.json --schedule dfs\n"
	"\n"
	"A run that does not pass writes a trace; `fozzy replay TRACE` reproduces it.\n"
	"\n"
	"Native programs, under the supervisor and in the sandbox:\n"
	"\n"
	"    cc -pthread -o native/example native/example.c\n"
	"    fozzy run --det --seed 1 -- ./native/example       # the same output every time\n"
	"    fozzy explore --schedule pct --runs 200 -- ./native/example\n"
	"\n"
	"Fuzzing (needs clang and libclang-rt-14-dev):\n"
	"\n"
	"    fozzy cc -o native/fuzz_target native/fuzz_target.c\n"
	"    fozzy fuzz --corpus .fozzy/corpora/example --runs 5000 -- ./native/fuzz_target\n";

struct out {
	cJSON *written;
	bool force;
};

/* Write path with text unless it exists (and no --force). 0 or -1 after error(). */
static int put(struct out *o, const char *path, const char *text)
{
	struct stat st;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (!o->force && !lstat(path, &st)) {
		free(dir);
		return 0;
	}
	if (slash) {
		*slash = 0;
		if (mkdir_p(dir, 0755)) {
			error("cannot create '%s': %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
	}
	free(dir);
	if (write_file_atomic(path, text, strlen(text)))
		return -1;
	cJSON_AddItemToArray(o->written, cJSON_CreateString(path));
	return 0;
}

enum { IO_FORCE = 2, IO_TEMPLATE, IO_WITH, IO_ALL, IO_BASE };

int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, IO_FORCE },
		{ "template", required_argument, NULL, IO_TEMPLATE },
		{ "with", required_argument, NULL, IO_WITH },
		{ "all-tests", no_argument, NULL, IO_ALL },
		{ "base-dir", required_argument, NULL, IO_BASE },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	bool want_run = true, want_mem = true, want_explore = true, want_fuzz = true, native = true;
	const char *base = ".fozzy", *with = NULL;
	struct out o = { 0 };
	struct stat st;
	int opt, rc = 0;
	char *p;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case OPT_HELP:
			fputs(init_usage, stdout);
			return EXIT_PASS;
		case IO_FORCE:
			o.force = true;
			break;
		case IO_TEMPLATE:
			if (!strcmp(optarg, "c") || !strcmp(optarg, "minimal"))
				native = !strcmp(optarg, "c");
			else
				return usage_error("init ", "unknown --template '%s': expected c or minimal", optarg);
			break;
		case IO_WITH:
			with = optarg;
			break;
		case IO_ALL:
			with = "all";
			break;
		case IO_BASE:
			base = optarg;
			break;
		default:
			return usage_error("init ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("init ", "unexpected argument '%s'", argv[optind]);
	if (with) {
		char *list = xstrdup(with), *tok, *save = NULL;

		want_run = want_mem = want_explore = want_fuzz = false;
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "run"))
				want_run = true;
			else if (!strcmp(tok, "memory"))
				want_mem = true;
			else if (!strcmp(tok, "explore"))
				want_explore = true;
			else if (!strcmp(tok, "fuzz"))
				want_fuzz = true;
			else if (!strcmp(tok, "all"))
				want_run = want_mem = want_explore = want_fuzz = true;
			else if (!strcmp(tok, "host")) {
				free(list);
				return usage_error("init ", "--with host: there is no host-backend scaffold (a scenario using real commands, "
						   "files or HTTP depends on the machine); use --proc-backend host with your own");
			} else {
				int code = usage_error("init ", "unknown --with item '%s': expected run, memory, explore, fuzz or all", tok);

				free(list);
				return code;
			}
		}
		free(list);
	}
	quiet_errors = global.json;
	if (!o.force && !stat(base, &st)) {
		error("'%s' already exists: this folder is initialized (--force writes the scaffold anyway)", base);
		if (global.json)
			json_print_error(last_error());
		return EXIT_ERROR;
	}
	o.written = cJSON_CreateArray();
	p = xasprintf("%s/runs", base);
	if (mkdir_p(p, 0755))
		rc = error("cannot create '%s': %s", p, strerror(errno));
	free(p);
	p = xasprintf("%s/corpora", base);
	if (!rc && mkdir_p(p, 0755))
		rc = error("cannot create '%s': %s", p, strerror(errno));
	free(p);
	if (!rc && want_run)
		rc = put(&o, "tests/example.fozzy.json", example_json) || put(&o, "tests/run.pass.fozzy.json", run_pass_json);
	if (!rc && want_mem)
		rc = put(&o, "tests/memory.pass.fozzy.json", memory_json);
	if (!rc && want_explore) /* outside tests/: `fozzy test` runs steps scenarios, `fozzy explore` this one */
		rc = put(&o, "explore/distributed.pass.fozzy.json", distributed_json);
	if (!rc && native)
		rc = put(&o, "native/example.c", example_c);
	if (!rc && want_fuzz && native) { /* minimal: scenarios only */
		p = xasprintf("%s/corpora/example/seed", base);
		rc = put(&o, "native/fuzz_target.c", fuzz_c) || put(&o, p, "N\004abcdefghijklmnopqrstuvwxyz");
		free(p);
	}
	if (!rc)
		rc = put(&o, "tests/INIT_GUIDE.md", guide_md);
	if (rc) {
		if (global.json)
			json_print_error(last_error());
		cJSON_Delete(o.written);
		return EXIT_ERROR;
	}
	if (global.json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddBoolToObject(j, "ok", true);
		cJSON_AddItemToObject(j, "written", o.written);
		json_print(j);
		cJSON_Delete(j);
	} else {
		cJSON_Delete(o.written);
	}
	return EXIT_PASS;
}
