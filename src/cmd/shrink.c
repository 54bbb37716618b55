// SPDX-License-Identifier: MIT
/*
 * fozzy shrink: the fewest preemptions that still give a trace's failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/modes.h"
#include "fozzy/util.h"

const char shrink_usage[] =
	"usage: fozzy shrink TRACE [--out PATH] [--budget DUR] [--minimize WHAT] [--wall-timeout DUR]\n"
	"                    [--base-dir DIR] [--json]\n"
	"\n"
	"Replay the failing run recorded in TRACE, then drop each injected fault the\n"
	"failure does not need, and delta-debug its scheduling decisions: preemptions\n"
	"(a switch away from a thread that could go on) are returned to the\n"
	"non-preempting default while the program still fails the same way (same\n"
	"status, the same exit status or signal, and for a sanitizer report the same\n"
	"kind and top frame). A fuzz finding's trace also has its input cut down, by\n"
	"delta debugging over its bytes. Writes a trace of the\n"
	"smallest such run, which `fozzy replay` reproduces, and names each preemption\n"
	"left: where, between which threads, and what each thread was doing.\n"
	"\n"
	"A scenario trace is shrunk by delta debugging: steps are removed (and, for an\n"
	"explore trace, schedule picks) while a re-run still gives the recorded first\n"
	"finding (same kind and title). The default --out is NAME.min.fozzy. Steps\n"
	"that asked the host (a host backend) are kept, and their recorded answers\n"
	"reused, so shrinking never touches the host.\n"
	"\n"
	"  --out PATH          the shrunk trace (default: shrunk.fozzy beside TRACE; for a\n"
	"                      scenario trace NAME.min.fozzy)\n"
	"  --budget DUR        real time to spend (default 60s); the best so far is kept\n"
	"  --minimize WHAT     what to reduce, comma-separated: schedule (preemptions;\n"
	"                      an explore scenario's delivery picks), faults, input (a\n"
	"                      fuzz trace's bytes), steps (a scenario's), or all (the\n"
	"                      default: whatever the trace has)\n"
	"  --wall-timeout DUR  real-time guard of each run (default 10m)\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"  --json              print the summary as JSON on stdout\n"
	"\n"
	"Exit status: 0 a shrunk trace was written, 2 error (the trace does not fail,\n"
	"its replay diverges, or it cannot be read).\n";

enum { OPT_OUT = 2, OPT_BUDGET, OPT_WALL, OPT_BASE, OPT_MINIMIZE };

/* "schedule,faults" -> SHRINK_MIN_* bits; -1 for an unknown word. */
static int parse_minimize(const char *arg)
{
	static const struct { const char *name; unsigned bit; } words[] = {
		{ "schedule", SHRINK_MIN_SCHEDULE }, { "faults", SHRINK_MIN_FAULTS }, { "input", SHRINK_MIN_INPUT },
		{ "steps", SHRINK_MIN_STEPS }, { "all", SHRINK_MIN_ALL },
	};
	unsigned bits = 0, i;
	const char *p = arg;

	while (*p) {
		size_t len = strcspn(p, ",");

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].name) == len && !strncmp(p, words[i].name, len))
				break;
		if (i == sizeof(words) / sizeof(words[0]))
			return -1;
		bits |= words[i].bit;
		p += len;
		if (*p == ',')
			p++;
	}
	return bits ? (int)bits : -1;
}

int cmd_shrink(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, OPT_OUT },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "wall-timeout", required_argument, NULL, OPT_WALL },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		{ "minimize", required_argument, NULL, OPT_MINIMIZE },
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
		case OPT_MINIMIZE: {
			int bits = parse_minimize(optarg);

			if (bits < 0)
				return usage_error("shrink ", "invalid --minimize '%s': expected schedule, faults, input, "
						   "steps or all (comma-separated)", optarg);
			o.minimize = (unsigned)bits;
			break;
		}
		default:
			return usage_error("shrink ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!o.trace)
		return usage_error("shrink ", "missing the trace: fozzy shrink TRACE");
	o.json = global.json;
	return mode_shrink(&o);
}
