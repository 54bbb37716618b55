// SPDX-License-Identifier: MIT
/*
 * fozzy report merge: combine the --json summaries of explore shards.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/util.h"

const char report_usage[] =
	"usage: fozzy report merge SUMMARY.json... [--json]\n"
	"\n"
	"Combine the --json summaries of `fozzy explore --shard I/N` runs (from a CI\n"
	"matrix, indexed batch jobs or GNU parallel) into one verdict: the failure of\n"
	"the lowest run of the whole search if any shard failed, the runs and distinct\n"
	"schedules of all shards, and, for dfs, whether every shard exhausted its part.\n"
	"\n"
	"  --json              print the merged summary as JSON on stdout\n"
	"\n"
	"Exit status: that of the merged verdict (0 pass, 1 fail, 3 timeout, 4 crash),\n"
	"2 when a summary cannot be read or is not an explore summary.\n";

static uint64_t u64_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNumber(v))
		return v->valuedouble < 0 ? 0 : (uint64_t)v->valuedouble;
	if (cJSON_IsRaw(v) && v->valuestring)
		return strtoull(v->valuestring, NULL, 10);
	return 0;
}

static int merge(char **files, int n, bool json)
{
	cJSON *out = cJSON_CreateObject(), *shards = cJSON_CreateArray(), *best = NULL, *docs[1024];
	uint64_t runs = 0, distinct = 0, dur = 0, best_run = UINT64_MAX;
	bool all_exhausted = true, any_dfs = false;
	const char *status = "pass", *best_shard = NULL;
	int i, code;

	if (n > 1024)
		n = 1024;
	for (i = 0; i < n; i++) {
		struct buf b = { 0 };
		const cJSON *mode, *f, *sh, *ex;

		docs[i] = NULL;
		if (read_file(files[i], &b)) {
			error("report merge: cannot read '%s': %s", files[i], strerror(errno));
			goto fail;
		}
		docs[i] = cJSON_ParseWithLength((const char *)b.data, b.len);
		buf_release(&b);
		mode = cJSON_GetObjectItemCaseSensitive(docs[i], "mode");
		if (!docs[i] || !cJSON_IsString(mode) || strcmp(mode->valuestring, "explore")) {
			error("report merge: '%s' is not the --json summary of fozzy explore", files[i]);
			goto fail;
		}
		runs += u64_of(docs[i], "runs");
		distinct += u64_of(docs[i], "distinctSchedules");
		if (u64_of(docs[i], "durationMs") > dur)
			dur = u64_of(docs[i], "durationMs");
		sh = cJSON_GetObjectItemCaseSensitive(docs[i], "shard");
		cJSON_AddItemToArray(shards, cJSON_CreateString(cJSON_IsString(sh) ? sh->valuestring : files[i]));
		ex = cJSON_GetObjectItemCaseSensitive(docs[i], "exhausted");
		if (ex) {
			any_dfs = true;
			all_exhausted &= cJSON_IsTrue(ex);
		}
		f = cJSON_GetObjectItemCaseSensitive(docs[i], "failure");
		if (f) {
			uint64_t g = u64_of(f, "globalRun") ? u64_of(f, "globalRun") : u64_of(f, "run");

			if (g < best_run) {
				best_run = g;
				best = (cJSON *)f;
				best_shard = cJSON_IsString(sh) ? sh->valuestring : files[i];
				status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "status"));
			}
		} else if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(docs[i], "status")), "pass")) {
			error("report merge: '%s' ended in an error; its shard was not searched", files[i]);
			status = "error";
		}
	}
	if (!status)
		status = "fail";
	cJSON_AddStringToObject(out, "status", status);
	cJSON_AddStringToObject(out, "mode", "explore-merge");
	cJSON_AddItemToObject(out, "shards", shards);
	cJSON_AddItemToObject(out, "runs", json_u64(runs));
	cJSON_AddItemToObject(out, "distinctSchedulesAtMost", json_u64(distinct));
	cJSON_AddItemToObject(out, "durationMs", json_u64(dur));
	if (any_dfs)
		cJSON_AddBoolToObject(out, "exhausted", all_exhausted && !best);
	if (best) {
		cJSON_AddStringToObject(out, "failureShard", best_shard);
		cJSON_AddItemToObject(out, "failure", cJSON_Duplicate(best, true));
	}
	if (json) {
		json_print(out);
	} else {
		fprintf(stderr, "fozzy report merge: %d shards, %" PRIu64 " runs, at most %" PRIu64 " distinct schedules\n",
			n, runs, distinct);
		if (best) {
			const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(best, "tracePath"));

			const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(best, "message"));

			fprintf(stderr, "  %s: run %" PRIu64 " of the whole search (shard %s, seed %" PRIu64 ")\n",
				status, best_run, best_shard, u64_of(best, "seed"));
			if (m && *m)
				fprintf(stderr, "  %s\n", m);
			if (t)
				fprintf(stderr, "  replay with: fozzy replay %s\n", t);
		} else {
			fprintf(stderr, "  %s: no shard failed%s\n", status,
				any_dfs ? (all_exhausted ? "; every shard exhausted its bounded space" : "; not every shard exhausted its part") : "");
		}
	}
	code = status_exit_code(status);
	for (i = 0; i < n; i++)
		cJSON_Delete(docs[i]);
	cJSON_Delete(out);
	return code;
fail:
	while (i >= 0)
		cJSON_Delete(docs[i--]);
	cJSON_Delete(shards); /* not in out yet */
	cJSON_Delete(out);
	return EXIT_ERROR;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		GLOBAL_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	char *files[1024];
	int opt, n = 0;
	const char *sub = NULL;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "-", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		switch (opt) {
		case 1:
			if (!sub)
				sub = optarg;
			else if (n < 1024)
				files[n++] = optarg;
			break;
		case OPT_HELP:
			fputs(report_usage, stdout);
			return EXIT_PASS;
		default:
			return usage_error("report ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	for (; optind < argc && n < 1024; optind++)
		files[n++] = argv[optind];
	if (!sub)
		return usage_error("report ", "missing the subcommand: fozzy report merge SUMMARY.json...");
	if (strcmp(sub, "merge"))
		return usage_error("report ", "unknown subcommand '%s': only 'merge' is available in this build", sub);
	if (!n)
		return usage_error("report ", "merge: give the --json summaries of explore shards");
	return merge(files, n, global.json);
}
