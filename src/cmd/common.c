// SPDX-License-Identifier: MIT
/*
 * Option handling shared by all commands: the global flags and usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/util.h"

struct global_opts global = { .strict = true };

bool parse_global_opt(int opt, const char *arg)
{
	switch (opt) {
	case OPT_JSON:
		global.json = true;
		return true;
	case OPT_STRICT:
		global.strict_given = true;
		if (global.unsafe)
			exit(usage_error(NULL, "--strict and --unsafe cannot be used together"));
		return true;
	case OPT_UNSAFE:
		global.unsafe = true;
		if (global.strict_given)
			exit(usage_error(NULL, "--strict and --unsafe cannot be used together"));
		return true;
	case OPT_NO_COLOR:
		global.no_color = true;
		return true;
	case OPT_CONFIG:
		global.config = arg;
		return true;
	case OPT_CWD:
		if (chdir(arg))
			exit(usage_error(NULL, "cannot change to '%s': %s", arg, strerror(errno)));
		return true;
	default:
		return false;
	}
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (global.json) {
		json_print_error(msg);
	} else {
		fprintf(stderr, "fozzy: %s\n", msg);
		fprintf(stderr, "try 'fozzy %s--help'\n", cmd ? cmd : "");
	}
	return EXIT_ERROR;
}

int parse_plain_args(const char *cmd, int argc, char **argv, const char *usage, const char **path)
{
	static const struct option longopts[] = { GLOBAL_LONG_OPTS, { NULL, 0, NULL, 0 } };
	int opt;

	if (path)
		*path = NULL;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "-", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		if (opt == OPT_HELP) {
			fputs(usage, stdout);
			return -1;
		}
		if (opt != 1)
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		if (!path || *path)
			return usage_error(cmd, "unexpected argument '%s'", optarg);
		*path = optarg;
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int config_load_default(char *why, size_t n)
{
	return config_load(global.config ? global.config : "fozzy.toml", global.config != NULL, why, n);
}
