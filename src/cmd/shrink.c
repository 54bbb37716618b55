// SPDX-License-Identifier: MIT
/*
 * fozzy shrink: the fewest preemptions that still give a trace's failure.
 */
#include <getopt.h>
#include <stdio.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/modes.h"
#include "fozzy/util.h"

const char shrink_usage[] =
	"usage: fozzy shrink TRACE [--out PATH] [--budget DUR] [--wall-timeout DUR] [--base-dir DIR] [--json]\n"
	"\n"
	"Replay the failing run recorded in TRACE, then drop each injected fault the\n"
	"failure does not need, and delta-debug its scheduling decisions: preemptions\n"
	"(a switch away from a thread that could go on) are returned to the\n"
	"non-preempting default while the program still fails the same way (same\n"
	"status, and the same exit status or signal). Writes a trace of the\n"
	"smallest such run, which `fozzy replay` reproduces, and names each preemption\n"
	"left: where, between which threads, and what each thread was doing.\n"
	"\n"
	"A scenario trace is shrunk by delta debugging: steps are removed (and, for an\n"
	"explore trace, schedule picks) while a re-run still gives the recorded first\n"
	"finding (same kind and title). The default --out is NAME.min.fozzy.\n"
	"\n"
	"  --out PATH          the shrunk trace (default: shrunk.fozzy beside TRACE; for a\n"
	"                      scenario trace NAME.min.fozzy)\n"
	"  --budget DUR        real time to spend (default 60s); the best so far is kept\n"
	"  --wall-timeout DUR  real-time guard of each run (default 10m)\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"  --json              print the summary as JSON on stdout\n"
	"\n"
	"Exit status: 0 a shrunk trace was written, 2 error (the trace does not fail,\n"
	"its replay diverges, or it cannot be read).\n";

enum { OPT_OUT = 2, OPT_BUDGET, OPT_WALL, OPT_BASE };

int cmd_shrink(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, OPT_OUT },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "wall-timeout", required_argument, NULL, OPT_WALL },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct shrink_opts o;
	int opt;

	shrink_opts_init(&o);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "-", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case 1:
			if (o.trace)
				return usage_error("shrink ", "unexpected argument '%s'", optarg);
			o.trace = optarg;
			break;
		case OPT_HELP:
			fputs(shrink_usage, stdout);
			return EXIT_PASS;
		case OPT_OUT:
			o.out = optarg;
			break;
		case OPT_BUDGET:
			if (parse_duration(optarg, &o.budget_ns) || !o.budget_ns)
				return usage_error("shrink ", "invalid --budget '%s': expected e.g. 30s, 5m", optarg);
			break;
		case OPT_WALL:
			if (parse_duration(optarg, &o.wall_timeout_ns) || !o.wall_timeout_ns)
				return usage_error("shrink ", "invalid --wall-timeout '%s': expected e.g. 30s, 5m", optarg);
			break;
		case OPT_BASE:
			o.base_dir = optarg;
			break;
		default:
			return usage_error("shrink ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!o.trace)
		return usage_error("shrink ", "missing the trace: fozzy shrink TRACE");
	o.json = global.json;
	return mode_shrink(&o);
}
