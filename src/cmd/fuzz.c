// SPDX-License-Identifier: MIT
/*
 * fozzy fuzz: feed mutated inputs to a program under the sandbox.
 * fozzy cc: build a program for it (edge coverage, sanitizers).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/fuzz.h"
#include "fozzy/modes.h"
#include "fozzy/util.h"

const char fuzz_usage[] =
	"usage: fozzy fuzz [--seed N] [--runs N] [--time DUR] [--det] [--corpus DIR] [--dict FILE]\n"
	"                  [--max-input BYTES] [--mutator NAME] [--jobs N] [--minimize]\n"
	"                  [--crash-only] [--json] -- CMD [ARGS...]\n"
	"\n"
	"Run CMD on the inputs of a corpus, then on mutants of them, each execution a\n"
	"deterministic run under the supervisor (--det, seed N). The input is CMD's\n"
	"stdin, or a read-only file where an argument holds @@. Inputs that reach new\n"
	"edges (programs built with 'fozzy cc') or new behaviour (others: the syscalls\n"
	"made and the outcome) join the corpus. A crash, a sanitizer report, a hang or\n"
	"an --expect-exit mismatch is a finding: deduplicated by kind and top frames,\n"
	"saved with its input, trace and report; 'fozzy replay TRACE' reproduces it.\n"
	"\n"
	"  --seed N            campaign seed (default: random); each execution runs\n"
	"                      with this seed, so it depends only on (seed, input)\n"
	"  --runs N            stop after N mutated inputs (default: until --time or\n"
	"                      Ctrl-C)\n"
	"  --time DUR          stop after DUR of real time, e.g. 30s, 5m\n"
	"  --corpus DIR        corpus folder: every file in it is an input; new inputs\n"
	"                      are saved there, findings in DIR/crashes (default\n"
	"                      <base-dir>/corpora/default)\n"
	"  --dict FILE         AFL-format dictionary of tokens to insert\n"
	"  --max-input BYTES   largest input (default 4096)\n"
	"  --mutator NAME      havoc (default: stacks of all of these), bitflip,\n"
	"                      byteflip, arith, interesting, block, dict, splice\n"
	"  --jobs N            run N inputs at a time in worker processes, each with its\n"
	"                      own fork server; the result for a seed does not depend\n"
	"                      on N (default 1)\n"
	"  --shard I/N         campaign I (0 to N-1) of N: each shard runs the corpus,\n"
	"                      then mutants from its own PRNG stream of the seed; shards\n"
	"                      can share a corpus folder (entries are written atomically)\n"
	"  --minimize          shrink each new finding's input to the smallest that\n"
	"                      gives the same finding\n"
	"  --minimize-budget N executions --minimize may spend per finding (default 512)\n"
	"  --crash-only        stop at the first finding\n"
	"  --det               a campaign fixed by its seed: needs --runs, refuses --time,\n"
	"                      and the seed is 0 unless --seed is given\n"
	"  --mode M            coverage (default): inputs that reach something new join\n"
	"                      the corpus; property: the corpus never grows (every\n"
	"                      mutant comes from the corpus as given)\n"
	"  --record PATH       also write a trace to PATH: the first finding's (the next\n"
	"                      ones to STEM.1.fozzy, STEM.2.fozzy, ... where STEM is PATH\n"
	"                      without .fozzy), or with no finding the last input's\n"
	"  --expect-exit N     an exit status other than N is a finding too\n"
	"  --timeout DUR       virtual-time limit of an execution (default 10s)\n"
	"  --wall-timeout DUR  real-time guard of an execution (default 5s)\n"
	"  --pids-max N        threads the whole tree may hold (default 1024)\n"
	"  --no-rt             do not preload libfozzy-rt.so (syscalls only)\n"
	"  --no-fork-server    one full run per input, even for programs built with\n"
	"                      fozzy cc (which otherwise start once and fork per input)\n"
	"  --no-persistent     a libFuzzer-style harness (LLVMFuzzerTestOneInput, built\n"
	"                      with fozzy cc) runs one input per fork, not many inputs\n"
	"                      per process (persistent mode, the default)\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"  --json              print the summary as JSON on stdout\n"
	"\n"
	"On a terminal a status line shows execs, execs/s, corpus size, edges,\n"
	"findings and the time since the last new edge.\n"
	"Exit status: 0 no finding, 1 findings, 2 error.\n";

const char cc_usage[] =
	"usage: fozzy cc [--no-sanitize] [CC-ARGS...]\n"
	"\n"
	"Compile and link a C program for fozzy fuzz: runs $CC (default clang) with\n"
	"-g -fsanitize=address,undefined -fsanitize-coverage=trace-pc-guard\n"
	"-fno-omit-frame-pointer and CC-ARGS, and links libfozzy-cov.a, which hands\n"
	"the program's edge counters to fozzy. With --no-sanitize, coverage only.\n"
	"Example: fozzy cc -O1 -o parser parser.c\n";

enum { OPT_SEED = 1, OPT_RUNS, OPT_TIME, OPT_CORPUS, OPT_DICT, OPT_MAX_INPUT, OPT_MUTATOR,
       OPT_JOBS, OPT_MINIMIZE, OPT_MIN_BUDGET, OPT_CRASH_ONLY, OPT_EXPECT_EXIT, OPT_TIMEOUT,
       OPT_WALL, OPT_PIDS_MAX, OPT_NO_RT, OPT_BASE, OPT_NO_FS, OPT_SHARD, OPT_NO_PERSIST, OPT_DET,
       OPT_MODE, OPT_RECORD };

int cmd_fuzz(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "corpus", required_argument, NULL, OPT_CORPUS },
		{ "dict", required_argument, NULL, OPT_DICT },
		{ "max-input", required_argument, NULL, OPT_MAX_INPUT },
		{ "mutator", required_argument, NULL, OPT_MUTATOR },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "minimize", no_argument, NULL, OPT_MINIMIZE },
		{ "minimize-budget", required_argument, NULL, OPT_MIN_BUDGET },
		{ "crash-only", no_argument, NULL, OPT_CRASH_ONLY },
		{ "expect-exit", required_argument, NULL, OPT_EXPECT_EXIT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "wall-timeout", required_argument, NULL, OPT_WALL },
		{ "pids-max", required_argument, NULL, OPT_PIDS_MAX },
		{ "no-rt", no_argument, NULL, OPT_NO_RT },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		{ "no-fork-server", no_argument, NULL, OPT_NO_FS },
		{ "no-persistent", no_argument, NULL, OPT_NO_PERSIST },
		{ "det", no_argument, NULL, OPT_DET },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "shard", required_argument, NULL, OPT_SHARD },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct fuzz_opts o;
	enum mut_family m;
	uint64_t v;
	int opt;

	fuzz_opts_init(&o);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case OPT_HELP:
			fputs(fuzz_usage, stdout);
			return EXIT_PASS;
		case OPT_SEED:
			if (parse_u64(optarg, &o.run.seed))
				return usage_error("fuzz ", "invalid --seed '%s': expected an unsigned 64-bit integer", optarg);
			o.run.seed_given = true;
			break;
		case OPT_RUNS:
			if (parse_u64(optarg, &o.runs) || !o.runs || o.runs > 1000000000000ULL)
				return usage_error("fuzz ", "invalid --runs '%s': expected a positive integer", optarg);
			break;
		case OPT_TIME:
			if (parse_duration(optarg, &o.time_ns) || !o.time_ns)
				return usage_error("fuzz ", "invalid --time '%s': expected e.g. 30s, 5m", optarg);
			break;
		case OPT_CORPUS:
			o.corpus = optarg;
			break;
		case OPT_DICT:
			o.dict = optarg;
			break;
		case OPT_MAX_INPUT:
			if (parse_u64(optarg, &v) || !v || v > (64u << 20))
				return usage_error("fuzz ", "invalid --max-input '%s': expected 1 to %u bytes", optarg, 64u << 20);
			o.max_input = (size_t)v;
			break;
		case OPT_MUTATOR:
			if (mut_parse(optarg, &m))
				return usage_error("fuzz ", "invalid --mutator '%s': expected havoc, bitflip, byteflip, arith, interesting, block, dict or splice", optarg);
			o.mutator = (int)m;
			break;
		case OPT_JOBS:
			if (parse_u64(optarg, &v) || v < 1 || v > 16)
				return usage_error("fuzz ", "invalid --jobs '%s': expected 1 to 16", optarg);
			o.jobs = (unsigned)v;
			break;
		case OPT_MINIMIZE:
			o.minimize = true;
			break;
		case OPT_MIN_BUDGET:
			if (parse_u64(optarg, &o.minimize_budget) || !o.minimize_budget)
				return usage_error("fuzz ", "invalid --minimize-budget '%s': expected a positive integer", optarg);
			o.minimize = true;
			break;
		case OPT_CRASH_ONLY:
			o.crash_only = true;
			break;
		case OPT_EXPECT_EXIT:
			if (parse_u64(optarg, &v) || v > 255)
				return usage_error("fuzz ", "invalid --expect-exit '%s': expected 0 to 255", optarg);
			o.expect_exit = (int)v;
			break;
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &o.run.timeout_ns) || !o.run.timeout_ns)
				return usage_error("fuzz ", "invalid --timeout '%s': expected e.g. 500ms, 30s", optarg);
			break;
		case OPT_WALL:
			if (parse_duration(optarg, &o.run.wall_timeout_ns) || !o.run.wall_timeout_ns)
				return usage_error("fuzz ", "invalid --wall-timeout '%s': expected e.g. 1s, 30s", optarg);
			break;
		case OPT_PIDS_MAX:
			if (parse_u64(optarg, &v) || v < 1 || v > 1000000)
				return usage_error("fuzz ", "invalid --pids-max '%s': expected 1 to 1000000", optarg);
			o.run.pids_max = (unsigned)v;
			break;
		case OPT_NO_RT:
			o.run.no_rt = true;
			break;
		case OPT_BASE:
			o.run.base_dir = optarg;
			break;
		case OPT_DET:
			o.det = true;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "coverage") && strcmp(optarg, "property"))
				return usage_error("fuzz ", "invalid --mode '%s': expected coverage or property", optarg);
			o.property = !strcmp(optarg, "property");
			break;
		case OPT_RECORD:
			if (!*optarg)
				return usage_error("fuzz ", "invalid --record '': expected a path");
			o.record = optarg;
			break;
		case OPT_NO_PERSIST:
			o.no_persistent = true;
			break;
		case OPT_NO_FS:
			o.no_fork_server = true;
			break;
		case OPT_SHARD: {
			unsigned i, n;
			char end;

			if (sscanf(optarg, "%u/%u%c", &i, &n, &end) != 2 || n < 1 || n > 100000 || i >= n)
				return usage_error("fuzz ", "invalid --shard '%s': expected I/N with 0 <= I < N, e.g. 0/4", optarg);
			o.shard = i;
			o.shards = n;
			break;
		}
		default:
			return usage_error("fuzz ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("fuzz ", "missing the program to fuzz: fozzy fuzz [OPTIONS] -- CMD [ARGS...]");
	o.run.cmd = argv + optind;
	o.run.ncmd = argc - optind;
	o.run.json = global.json;
	o.run.strict = !global.unsafe;
	if (o.det && o.time_ns)
		return usage_error("fuzz ", "--det and --time exclude each other: how far a time budget gets depends on the machine");
	if (o.det && !o.runs)
		return usage_error("fuzz ", "--det needs --runs N: a campaign fixed by its seed has a fixed length");
	if (o.det && !o.run.seed_given)
		o.run.seed = 0; /* --det: the seed given, or 0 */
	else if (!o.run.seed_given && getrandom(&o.run.seed, sizeof(o.run.seed), 0) != sizeof(o.run.seed))
		o.run.seed = now_real_ns();
	return mode_fuzz(&o);
}

/* Is this compiler invocation a link (no -c, -S or -E)? */
static int links(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "-S") || !strcmp(argv[i], "-E") ||
		    !strcmp(argv[i], "-M") || !strcmp(argv[i], "-MM"))
			return 0;
	return 1;
}

int cmd_cc(int argc, char **argv)
{
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "clang";
	char **v = xcalloc((size_t)argc + 16, sizeof(*v)), *lib = NULL;
	int i = 1, k = 0;
	int sanitize = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(cc_usage, stdout);
		free(v);
		return EXIT_PASS;
	}
	if (argc > 1 && !strcmp(argv[1], "--no-sanitize")) {
		sanitize = 0;
		i = 2;
	}
	if (i >= argc) {
		free(v);
		return usage_error("cc ", "missing compiler arguments: fozzy cc [--no-sanitize] -o PROG SOURCES...");
	}
	v[k++] = (char *)cc;
	v[k++] = "-g";
	v[k++] = "-fno-omit-frame-pointer";
	v[k++] = "-fsanitize-coverage=trace-pc-guard";
	if (sanitize)
		v[k++] = "-fsanitize=address,undefined";
	for (; i < argc; i++)
		v[k++] = argv[i];
	if (links(argc - 1, argv + 1)) {
		lib = find_lib("libfozzy-cov.a");
		if (!lib) {
			free(v);
			error("cc: libfozzy-cov.a was not found beside fozzy or in its lib/fozzy folder");
			return EXIT_ERROR;
		}
		/* whole: the sanitizer runtimes define these callbacks weakly, so a plain archive member would never be pulled in */
		v[k++] = "-Wl,--whole-archive";
		v[k++] = lib;
		v[k++] = "-Wl,--no-whole-archive";
	}
	v[k] = NULL;
	fflush(NULL);
	execvp(cc, v);
	error("cc: cannot run '%s': %s", cc, strerror(errno));
	free(lib);
	free(v);
	return EXIT_ERROR;
}
