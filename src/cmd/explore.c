// SPDX-License-Identifier: MIT
/*
 * fozzy explore: run a program under many schedules until one fails.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/modes.h"
#include "fozzy/util.h"

const char explore_usage[] =
	"usage: fozzy explore [--schedule S] [--seed N] [--runs N] [--time DUR] [--jobs N] [--shrink]\n"
	"                     [--json]\n"
	"                     -- CMD [ARGS...]\n"
	"       fozzy explore SCENARIO.fozzy.json [OPTIONS]   (see fozzy explore x.fozzy.json --help)\n"
	"\n"
	"Run CMD under --det again and again, each run under another schedule (run i's\n"
	"schedule has seed N+i; its clock, randomness and pids are those of seed N),\n"
	"until one fails or the budget ends. A failure is a non-zero exit, a crash\n"
	"signal, a deadlock, a virtual-time timeout, or a mismatch with\n"
	"--expect-exit / --expect-stdout. The failing run keeps its run folder and trace\n"
	"and prints the command that replays it; passing runs leave nothing behind.\n"
	"\n"
	"  --schedule S        random (default), pct (priority change points), fifo,\n"
	"                      dfs (every schedule with up to --preemption-bound\n"
	"                      preemptions, by increasing bound; says when exhausted), or\n"
	"                      coverage_guided (keeps the schedules that reached new\n"
	"                      (thread, sync object, operation) pairs and mutates their\n"
	"                      preemptions; dfs and coverage_guided run one at a time)\n"
	"  --preemption-bound B dfs: the most preemptions per schedule (default 2)\n"
	"  --pct-depth D       pct: the bug depth to aim for (default 3)\n"
	"  --seed N            seed of the first run (default: random)\n"
	"  --runs N            at most N runs (default 500)\n"
	"  --time DUR          and at most DUR of real time, e.g. 30s, 5m\n"
	"  --faults SPEC       syscall faults, CLASS:WHAT[@N],... as for fozzy run; without\n"
	"                      @N, each run but the first fails a call chosen from its seed\n"
	"                      among those of the class the first run made; presets\n"
	"                      (disk-full, io-error, read-error, fsync-fail, short-io,\n"
	"                      interrupted, crash, crash-on-fsync, no-fds, net-refused,\n"
	"                      net-reset, net-again) and JSON fault files (FILE.json) too\n"
	"  --shrink            shrink the failure found (see fozzy shrink)\n"
	"  --shrink-budget DUR real time shrink may spend (default 60s)\n"
	"  --shard I/N         search shard I (0 to N-1) of N disjoint parts of the space:\n"
	"                      run k of the shard is run (k-1)*N+I+1 of the whole search\n"
	"                      (dfs: every N-th first preemption); each shard also makes\n"
	"                      run 0. Combine the --json summaries with fozzy report merge\n"
	"  --jobs N            run N schedules at a time in worker processes; the\n"
	"                      result for a seed does not depend on N (default 1)\n"
	"  --expect-exit N     a run passes only if the program exits with N\n"
	"  --expect-stdout F   a run passes only if its stdout equals file F\n"
	"  --timeout DUR       virtual-time limit of each run\n"
	"  --wall-timeout DUR  real-time guard of each run (default 10m)\n"
	"  --record PATH       also write the failing run's trace to PATH\n"
	"  --cpus N            CPU count the program sees (default 1)\n"
	"  --pids-max N        threads the whole tree may hold (default 1024)\n"
	"  --no-rt             do not preload libfozzy-rt.so (syscalls only)\n"
	"  --no-fork-server    start the program afresh for every run (by default runs\n"
	"                      fork from it, stopped where libfozzy-rt starts, unless\n"
	"                      --faults is given; the results are the same)\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"  --json              print the summary as JSON on stdout\n"
	"\n"
	"On a terminal a progress line shows runs, runs/s, distinct schedules and time.\n"
	"Exit status: 0 no failure in the budget, 1 a run failed, 3 a run timed out,\n"
	"4 a run crashed, 2 error.\n";

enum { OPT_SCHEDULE = 1, OPT_PCT_DEPTH, OPT_SEED, OPT_RUNS, OPT_TIME, OPT_EXPECT_EXIT,
       OPT_EXPECT_STDOUT, OPT_TIMEOUT, OPT_WALL, OPT_RECORD, OPT_CPUS, OPT_PIDS_MAX, OPT_NO_RT,
       OPT_BASE, OPT_JOBS, OPT_SHRINK, OPT_SHRINK_BUDGET, OPT_FAULTS, OPT_BOUND, OPT_SHARD, OPT_NO_FS };

int cmd_explore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "schedule", required_argument, NULL, OPT_SCHEDULE },
		{ "pct-depth", required_argument, NULL, OPT_PCT_DEPTH },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "expect-exit", required_argument, NULL, OPT_EXPECT_EXIT },
		{ "expect-stdout", required_argument, NULL, OPT_EXPECT_STDOUT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "wall-timeout", required_argument, NULL, OPT_WALL },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "pids-max", required_argument, NULL, OPT_PIDS_MAX },
		{ "no-rt", no_argument, NULL, OPT_NO_RT },
		{ "no-fork-server", no_argument, NULL, OPT_NO_FS },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "shrink", no_argument, NULL, OPT_SHRINK },
		{ "faults", required_argument, NULL, OPT_FAULTS },
		{ "preemption-bound", required_argument, NULL, OPT_BOUND },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "shrink-budget", required_argument, NULL, OPT_SHRINK_BUDGET },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct explore_opts o;
	uint64_t v;
	int opt;

	if (is_scenario_invocation(argc, argv))
		return cmd_explore_scenario(argc, argv);

	explore_opts_init(&o);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case OPT_HELP:
			fputs(explore_usage, stdout);
			return EXIT_PASS;
		case OPT_SCHEDULE:
			if (sched_parse(optarg, &o.run.strategy))
				return usage_error("explore ", "invalid --schedule '%s': expected random, pct, fifo, dfs or "
						   "coverage_guided", optarg);
			break;
		case OPT_PCT_DEPTH:
			if (parse_u64(optarg, &v) || v < 1 || v > PCT_MAX_DEPTH)
				return usage_error("explore ", "invalid --pct-depth '%s': expected 1 to %d", optarg, PCT_MAX_DEPTH);
			o.run.pct_depth = (unsigned)v;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, &o.run.seed))
				return usage_error("explore ", "invalid --seed '%s': expected an unsigned 64-bit integer", optarg);
			o.run.seed_given = true;
			break;
		case OPT_RUNS:
			if (parse_u64(optarg, &o.runs) || !o.runs || o.runs > 100000000)
				return usage_error("explore ", "invalid --runs '%s': expected a positive integer", optarg);
			break;
		case OPT_TIME:
			if (parse_duration(optarg, &o.time_ns) || !o.time_ns)
				return usage_error("explore ", "invalid --time '%s': expected e.g. 30s, 5m", optarg);
			break;
		case OPT_EXPECT_EXIT:
			if (parse_u64(optarg, &v) || v > 255)
				return usage_error("explore ", "invalid --expect-exit '%s': expected 0 to 255", optarg);
			o.expect_exit = (int)v;
			break;
		case OPT_EXPECT_STDOUT:
			o.expect_stdout = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &o.run.timeout_ns) || !o.run.timeout_ns)
				return usage_error("explore ", "invalid --timeout '%s': expected e.g. 500ms, 30s", optarg);
			break;
		case OPT_WALL:
			if (parse_duration(optarg, &o.run.wall_timeout_ns) || !o.run.wall_timeout_ns)
				return usage_error("explore ", "invalid --wall-timeout '%s': expected e.g. 30s, 5m", optarg);
			break;
		case OPT_RECORD:
			o.run.record = optarg;
			break;
		case OPT_CPUS:
			if (parse_u64(optarg, &v) || v < 1 || v > 64)
				return usage_error("explore ", "invalid --cpus '%s': expected 1 to 64", optarg);
			o.run.cpus = (unsigned)v;
			break;
		case OPT_PIDS_MAX:
			if (parse_u64(optarg, &v) || v < 1 || v > 1000000)
				return usage_error("explore ", "invalid --pids-max '%s': expected 1 to 1000000", optarg);
			o.run.pids_max = (unsigned)v;
			break;
		case OPT_NO_RT:
			o.run.no_rt = true;
			break;
		case OPT_NO_FS:
			o.no_fork_server = true;
			break;
		case OPT_JOBS:
			if (parse_u64(optarg, &v) || v < 1 || v > 64)
				return usage_error("explore ", "invalid --jobs '%s': expected 1 to 64", optarg);
			o.jobs = (unsigned)v;
			break;
		case OPT_SHARD: {
			unsigned i, n;
			char end;

			if (sscanf(optarg, "%u/%u%c", &i, &n, &end) != 2 || n < 1 || n > 100000 || i >= n)
				return usage_error("explore ", "invalid --shard '%s': expected I/N with 0 <= I < N, e.g. 0/4", optarg);
			o.shard = i;
			o.shards = n;
			break;
		}
		case OPT_BOUND:
			if (parse_u64(optarg, &v) || v > PCT_MAX_DEPTH)
				return usage_error("explore ", "invalid --preemption-bound '%s': expected 0 to %d", optarg, PCT_MAX_DEPTH);
			o.preemption_bound = (unsigned)v;
			break;
		case OPT_FAULTS:
			o.run.faults = optarg;
			break;
		case OPT_SHRINK:
			o.shrink = true;
			break;
		case OPT_SHRINK_BUDGET:
			if (parse_duration(optarg, &o.shrink_budget_ns) || !o.shrink_budget_ns)
				return usage_error("explore ", "invalid --shrink-budget '%s': expected e.g. 30s, 5m", optarg);
			o.shrink = true;
			break;
		case OPT_BASE:
			o.run.base_dir = optarg;
			break;
		default:
			return usage_error("explore ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("explore ", "missing the program to explore: fozzy explore [OPTIONS] -- CMD [ARGS...]");
	if (strcmp(argv[optind - 1], "--") && strstr(argv[optind], ".fozzy.json"))
		return usage_error("explore ", "scenario files are not supported yet; explore a native program with 'fozzy explore -- CMD'");
	o.run.cmd = argv + optind;
	o.run.ncmd = argc - optind;
	o.run.json = global.json;
	o.run.strict = !global.unsafe;
	if (!o.run.seed_given && getrandom(&o.run.seed, sizeof(o.run.seed), 0) != sizeof(o.run.seed))
		o.run.seed = now_real_ns();
	return mode_explore(&o);
}
