// SPDX-License-Identifier: MIT
/*
 * fozzy run: parse options into struct run_opts, then mode_run().
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/modes.h"
#include "fozzy/util.h"

const char run_usage[] =
	"usage: fozzy run [--det] [--seed N] [--schedule S] [--record PATH] [--timeout DUR] [--json]\n"
	"                 -- CMD [ARGS...]\n"
	"       fozzy run SCENARIO.fozzy.json [--det] [--seed N] [--timeout DUR] [--record PATH] ...\n"
	"\n"
	"Run CMD under the fozzy supervisor, in the sandbox, and record the run. With a\n"
	"scenario file instead of a command, run that scenario (its flags are those of\n"
	"fozzy test --help, without --jobs, --filter and --fail-fast).\n"
	"\n"
	"  --det               deterministic: virtual clock, seeded randomness; the run is\n"
	"                      a function of (binary, args, seed, input files)\n"
	"  --seed N            seed (u64) for randomness and decisions; default: random\n"
	"  --record PATH       also write the trace to PATH\n"
	"  --timeout DUR       stop the program after DUR (virtual time under --det);\n"
	"                      DUR is a number with ms, s, m or h, e.g. 500ms, 30s\n"
	"  --wall-timeout DUR  real-time guard against programs that hang (default 10m)\n"
	"  --schedule S        who runs next at each scheduling point: random (default),\n"
	"                      fifo (run a thread until it blocks), pct (priority changes)\n"
	"  --pct-depth D       pct: the bug depth to aim for (default 3)\n"
	"  --no-rt             do not preload libfozzy-rt.so: pthread calls are then not\n"
	"                      scheduling points, only syscalls are\n"
	"  --cpus N            CPU count the program sees (default 1)\n"
	"  --net none|host     none (default): only the sandbox's own loopback; host: the\n"
	"                      host's network and unix sockets (not with --det)\n"
	"  --faults SPEC       under --det, make chosen syscalls fail: CLASS:WHAT@N,...\n"
	"                      CLASS read, write, open, fsync, connect, send, recv; WHAT an\n"
	"                      errno name (EIO, ENOSPC, EINTR, ...), short or kill; N the\n"
	"                      N-th call of the class, e.g. write:EIO@2,fsync:EIO@1; or a\n"
	"                      preset with @N (disk-full@1, io-error@2, crash@1, ...; see\n"
	"                      fozzy(5)); or a JSON fault file (FILE.json)\n"
	"  --pids-max N        threads the whole tree may hold; fork and clone past it\n"
	"                      fail with EAGAIN (default 1024)\n"
	"  --epoch SECONDS     virtual wall-clock start, Unix seconds (default 1704067200)\n"
	"  --json              print the run summary as JSON on stdout\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"\n"
	"The program's stdout and stderr pass through (stdout goes to stderr under\n"
	"--json) and are saved in .fozzy/runs/<runId>/ with report.json and trace.fozzy.\n"
	"Exit status: 0 pass, 1 the program failed, 2 error, 3 timeout, 4 crash (signal).\n";

enum { OPT_DET = 1, OPT_SEED, OPT_RECORD, OPT_TIMEOUT, OPT_WALL, OPT_CPUS, OPT_EPOCH, OPT_BASE,
       OPT_SCHEDULE, OPT_PCT_DEPTH, OPT_NO_RT, OPT_PIDS_MAX, OPT_NET, OPT_FAULTS };

/* Parse argv into o. Returns 0, or an exit code after reporting a usage error. */
static int parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "det", no_argument, NULL, OPT_DET },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "wall-timeout", required_argument, NULL, OPT_WALL },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "epoch", required_argument, NULL, OPT_EPOCH },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		{ "schedule", required_argument, NULL, OPT_SCHEDULE },
		{ "pct-depth", required_argument, NULL, OPT_PCT_DEPTH },
		{ "no-rt", no_argument, NULL, OPT_NO_RT },
		{ "pids-max", required_argument, NULL, OPT_PIDS_MAX },
		{ "net", required_argument, NULL, OPT_NET },
		{ "faults", required_argument, NULL, OPT_FAULTS },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case OPT_HELP:
			fputs(run_usage, stdout);
			return -1;
		case OPT_DET:
			o->det = true;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return usage_error("run ", "invalid --seed '%s': expected an unsigned 64-bit integer", optarg);
			o->seed_given = true;
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &o->timeout_ns) || !o->timeout_ns)
				return usage_error("run ", "invalid --timeout '%s': expected e.g. 500ms, 30s, 5m, 2h", optarg);
			break;
		case OPT_WALL:
			if (parse_duration(optarg, &o->wall_timeout_ns) || !o->wall_timeout_ns)
				return usage_error("run ", "invalid --wall-timeout '%s': expected e.g. 30s, 5m", optarg);
			break;
		case OPT_CPUS:
			if (parse_u64(optarg, &v) || v < 1 || v > 64)
				return usage_error("run ", "invalid --cpus '%s': expected 1 to 64", optarg);
			o->cpus = (unsigned)v;
			break;
		case OPT_EPOCH:
			if (parse_u64(optarg, &v) || v > 253402300799ULL)
				return usage_error("run ", "invalid --epoch '%s': expected Unix seconds", optarg);
			o->epoch_ns = v * 1000000000ULL;
			break;
		case OPT_BASE:
			o->base_dir = optarg;
			break;
		case OPT_SCHEDULE:
			if (sched_parse(optarg, &o->strategy) || o->strategy == STRAT_DFS || o->strategy == STRAT_COVERAGE)
				return usage_error("run ", "invalid --schedule '%s': expected random, fifo or pct%s", optarg,
						   !strcmp(optarg, "dfs") || !strcmp(optarg, "coverage_guided")
							   ? " (dfs and coverage_guided are searches of fozzy explore)" : "");
			break;
		case OPT_NO_RT:
			o->no_rt = true;
			break;
		case OPT_FAULTS:
			o->faults = optarg;
			break;
		case OPT_NET:
			if (strcmp(optarg, "none") && strcmp(optarg, "host"))
				return usage_error("run ", "invalid --net '%s': expected none or host", optarg);
			o->host_net = !strcmp(optarg, "host");
			break;
		case OPT_PIDS_MAX:
			if (parse_u64(optarg, &v) || v < 1 || v > 1000000)
				return usage_error("run ", "invalid --pids-max '%s': expected 1 to 1000000", optarg);
			o->pids_max = (unsigned)v;
			break;
		case OPT_PCT_DEPTH:
			if (parse_u64(optarg, &v) || v < 1 || v > PCT_MAX_DEPTH)
				return usage_error("run ", "invalid --pct-depth '%s': expected 1 to %d", optarg, PCT_MAX_DEPTH);
			o->pct_depth = (unsigned)v;
			break;
		default:
			return usage_error("run ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->faults && !o->det)
		return usage_error("run ", "--faults needs --det: injected faults are decisions of a deterministic run");
	if (o->host_net && o->det)
		return usage_error("run ", "--net host is rejected under --det: the host's network cannot be replayed");
	if (optind >= argc)
		return usage_error("run ", "missing the program to run: fozzy run [OPTIONS] -- CMD [ARGS...]");
	o->cmd = argv + optind;
	o->ncmd = argc - optind;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int rc;

	if (is_scenario_invocation(argc, argv))
		return cmd_run_scenario(argc, argv);
	run_opts_init(&o);
	rc = parse_run(argc, argv, &o);
	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	o.json = global.json;
	o.strict = !global.unsafe;
	if (!o.seed_given && getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = now_real_ns();
	return mode_run(&o);
}
