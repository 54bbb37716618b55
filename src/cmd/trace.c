// SPDX-License-Identifier: MIT
/*
 * fozzy trace verify|dump: check a trace's structure and checksum, or show it.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/trace.h"
#include "fozzy/util.h"

const char trace_usage[] =
	"usage: fozzy trace verify PATH [--json]\n"
	"       fozzy trace dump PATH [--json]\n"
	"\n"
	"verify  check the structure and the XXH3-128 checksum of a .fozzy trace:\n"
	"        exit 0 when intact, 2 with a one-line reason when a byte was flipped,\n"
	"        the file was truncated or bytes were appended\n"
	"dump    show the header, every event and decision, and the footer\n";

static int parse(int argc, char **argv, const char **path)
{
	int rc = parse_plain_args("trace ", argc, argv, trace_usage, path);

	if (!rc && !*path)
		return usage_error("trace ", "missing the trace path");
	return rc;
}

static int verify(int argc, char **argv)
{
	const char *path;
	char why[256], full[PATH_MAX];
	struct trace t;
	long events;
	int rc = parse(argc, argv, &path);
	cJSON *o;

	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	if (trace_load(path, &t, why, sizeof(why))) {
		error("trace '%s' is invalid: %s", path, why);
		return EXIT_ERROR;
	}
	events = trace_count_events(&t.stream);
	if (global.json) {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddStringToObject(o, "path", realpath(path, full) ? full : path);
		cJSON_AddNumberToObject(o, "version", TRACE_VERSION);
		cJSON_AddBoolToObject(o, "checksumPresent", 1);
		cJSON_AddBoolToObject(o, "checksumValid", 1);
		cJSON_AddNumberToObject(o, "events", (double)events);
		cJSON_AddNumberToObject(o, "streamBytes", (double)t.stream.len);
		json_print(o);
		cJSON_Delete(o);
	} else {
		printf("%s: ok (%ld events, %zu bytes of events)\n", path, events, t.stream.len);
	}
	trace_release(&t);
	return EXIT_PASS;
}

static int dump(int argc, char **argv)
{
	const char *path;
	char why[256], *s;
	struct trace t;
	struct buf line = { 0 };
	size_t pos = 0;
	long idx = 0;
	struct ev e;
	int rc = parse(argc, argv, &path);
	cJSON *o = NULL, *events = NULL;

	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	if (trace_load(path, &t, why, sizeof(why))) {
		error("trace '%s' is invalid: %s", path, why);
		return EXIT_ERROR;
	}
	if (global.json) {
		o = cJSON_CreateObject();
		cJSON_AddItemReferenceToObject(o, "header", t.header);
		events = cJSON_AddArrayToObject(o, "events");
	} else {
		s = cJSON_Print(t.header);
		printf("header %s\n", s);
		free(s);
	}
	while (pos < t.stream.len && !ev_decode(t.stream.data, t.stream.len, &pos, &e)) {
		if (global.json) {
			cJSON_AddItemToArray(events, ev_to_json(&e)); /* events takes it */
			continue;
		}
		line.len = 0;
		ev_format(&e, &line);
		if (ev_is_decision(e.tag))
			printf("       %.*s\n", (int)line.len, (const char *)line.data);
		else
			printf("#%-5ld %.*s\n", idx++, (int)line.len, (const char *)line.data);
	}
	if (global.json) {
		cJSON_AddItemReferenceToObject(o, "footer", t.footer);
		json_print(o);
		cJSON_Delete(o);
	} else {
		s = cJSON_Print(t.footer);
		printf("footer %s\n", s);
		free(s);
	}
	buf_release(&line);
	trace_release(&t);
	return EXIT_PASS;
}

int cmd_trace(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc < 2)
			return usage_error("trace ", "missing subcommand: verify or dump");
		fputs(trace_usage, stdout);
		return EXIT_PASS;
	}
	if (!strcmp(argv[1], "verify"))
		return verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "dump"))
		return dump(argc - 1, argv + 1);
	return usage_error("trace ", "unknown subcommand '%s': expected verify or dump", argv[1]);
}
