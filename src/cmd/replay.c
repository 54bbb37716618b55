// SPDX-License-Identifier: MIT
/*
 * fozzy replay: re-execute a recorded run with the decisions of its trace.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/modes.h"
#include "fozzy/util.h"

const char replay_usage[] =
	"usage: fozzy replay TRACE [--json] [--until DUR] [--wall-timeout DUR] [-- CMD [ARGS...]]\n"
	"       fozzy replay SCENARIO-TRACE [--dump-events] [--profile-capture baseline|full]\n"
	"                    [--profile-export-format otlp|speedscope --profile-export-out PATH]\n"
	"\n"
	"Re-execute the run recorded in TRACE, answering every decision (clock, random\n"
	"bytes, ...) from the trace, and check that the program asks the same questions\n"
	"in the same order. Prints 'match', or the first divergence: the event index,\n"
	"thread, expected and observed syscall with arguments and result, and the events\n"
	"before it. A changed binary, or a CMD that differs from the recorded command,\n"
	"is reported before anything runs.\n"
	"\n"
	"  --host-env          run with the current environment instead of the recorded\n"
	"                      one, to see whether an environment change alters the run\n"
	"  --json              print the summary as JSON on stdout\n"
	"  --until DUR         stop when the virtual clock reaches DUR (e.g. 250ms): the\n"
	"                      run up to there is checked, and the status is timeout with\n"
	"                      an 'until' finding (--det traces; steps scenarios stop\n"
	"                      before the first step at or after DUR)\n"
	"  --wall-timeout DUR  real-time guard (default 10m)\n"
	"\n"
	"Scenario traces only:\n"
	"  --dump-events       write events.json, timeline.json and the profile even when\n"
	"                      the replay passes\n"
	"  --profile-capture M baseline (default: the profile when the replay does not\n"
	"                      pass) or full (always); --profile-regen is full\n"
	"  --profile-export-format F  otlp (OpenTelemetry traces, OTLP/JSON) or\n"
	"                      speedscope (an evented profile): the replay's step spans on\n"
	"                      the virtual clock, written to --profile-export-out PATH;\n"
	"                      with --json stdout is {\"run\": SUMMARY, \"profileExport\": ...}\n"
	"  --base-dir DIR      artifacts folder (default .fozzy)\n"
	"\n"
	"Exit status: that of the replayed run (0 pass, 1 fail, 3 timeout, 4 crash), or 2\n"
	"when the replay diverged or could not start.\n";

enum { OPT_WALL = 2, OPT_BASE, OPT_HOST_ENV, OPT_UNTIL, OPT_DUMP, OPT_CAPTURE, OPT_REGEN, OPT_EXP_FMT, OPT_EXP_OUT };

int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wall-timeout", required_argument, NULL, OPT_WALL },
		{ "base-dir", required_argument, NULL, OPT_BASE },
		{ "host-env", no_argument, NULL, OPT_HOST_ENV },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "dump-events", no_argument, NULL, OPT_DUMP },
		{ "profile-capture", required_argument, NULL, OPT_CAPTURE },
		{ "profile-regen", no_argument, NULL, OPT_REGEN },
		{ "profile-export-format", required_argument, NULL, OPT_EXP_FMT },
		{ "profile-export-out", required_argument, NULL, OPT_EXP_OUT },
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct replay_opts o;
	int opt;

	replay_opts_init(&o);
	opterr = 0;
	optind = 1;
	/* Permute so TRACE may come before or after the options, up to "--". */
	while ((opt = getopt_long(argc, argv, "-", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case 1:
			if (o.trace)
				return usage_error("replay ", "unexpected argument '%s'", optarg);
			o.trace = optarg;
			break;
		case OPT_HELP:
			fputs(replay_usage, stdout);
			return EXIT_PASS;
		case OPT_WALL:
			if (parse_duration(optarg, &o.wall_timeout_ns) || !o.wall_timeout_ns)
				return usage_error("replay ", "invalid --wall-timeout '%s'", optarg);
			break;
		case OPT_BASE:
			o.base_dir = optarg;
			break;
		case OPT_HOST_ENV:
			o.host_env = true;
			break;
		case OPT_UNTIL:
			if (parse_duration(optarg, &o.until_ns))
				return usage_error("replay ", "invalid --until '%s': expected e.g. 0ms, 250ms, 5s", optarg);
			o.has_until = true;
			break;
		case OPT_DUMP:
			o.dump_events = true;
			break;
		case OPT_CAPTURE:
			if (strcmp(optarg, "baseline") && strcmp(optarg, "full"))
				return usage_error("replay ", "invalid --profile-capture '%s': expected baseline or full", optarg);
			o.profile_full = !strcmp(optarg, "full");
			break;
		case OPT_REGEN:
			o.profile_full = true;
			break;
		case OPT_EXP_FMT:
			if (!strcmp(optarg, "pprof"))
				return usage_error("replay ", "--profile-export-format pprof is not available: pprof is a protocol "
						   "buffers format this build does not write; use otlp or speedscope");
			if (strcmp(optarg, "otlp") && strcmp(optarg, "speedscope"))
				return usage_error("replay ", "invalid --profile-export-format '%s': expected otlp or speedscope",
						   optarg);
			o.export_format = optarg;
			break;
		case OPT_EXP_OUT:
			o.export_out = optarg;
			break;
		default:
			return usage_error("replay ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!o.trace)
		return usage_error("replay ", "missing the trace to replay: fozzy replay TRACE");
	if (!o.export_format != !o.export_out)
		return usage_error("replay ", "--profile-export-format and --profile-export-out go together");
	o.cmd = argv + optind;
	o.ncmd = argc - optind;
	o.json = global.json;
	o.strict = !global.unsafe;
	return mode_replay(&o);
}
