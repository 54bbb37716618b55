// SPDX-License-Identifier: MIT
/*
 * Scenario runs: fozzy run SCENARIO, fozzy test [GLOBS], and replay of their
 * traces. Each loads and validates the files, runs the engine, and writes
 * the run folder (report.json, manifest.json, the trace when the run did not
 * pass or --record asked, events on failure, junit/html on request).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "fozzy/exit.h"
#include "fozzy/modes.h"
#include "fozzy/report.h"
#include "fozzy/scenario.h"
#include "fozzy/trace.h"
#include "fozzy/util.h"
#include "fozzy/version.h"

void scn_run_opts_init(struct scn_run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->base_dir = ".fozzy";
	o->collision = "append";
	o->reporter = "pretty";
	o->jobs = 1;
}

static int host_root = -1;       /* --fs-backend host: the working directory */
static char self_exe[PATH_MAX];  /* --proc-backend host: this fozzy */

/* Set up what the host backends need, before anything runs. 0, or -1 with why. */
static int host_setup(const struct scn_run_opts *o, char *why, size_t n)
{
	ssize_t len;

	if (o->host_fs && host_root < 0 && (host_root = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(why, n, "cannot open the working directory: %s", strerror(errno));
		return -1;
	}
	if (o->host_proc && !self_exe[0]) {
		len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
		if (len <= 0) {
			snprintf(why, n, "cannot find the fozzy binary: %s", strerror(errno));
			return -1;
		}
		self_exe[len] = 0;
	}
	if (o->host_http && scenario_host_init(why, n))
		return -1;
	return 0;
}

static void engine_opts(const struct scn_run_opts *o, struct scn_opts *e)
{
	scn_opts_init(e);
	e->det = o->det;
	e->has_timeout = o->has_timeout;
	e->timeout_ms = o->timeout_ms;
	e->mem_track = o->mem_track;
	e->fail_on_leak = o->fail_on_leak;
	e->has_limit = o->has_limit;
	e->mem_limit_mb = o->mem_limit_mb;
	e->has_fail_after = o->has_fail_after;
	e->mem_fail_after = o->mem_fail_after;
	e->has_budget = o->has_budget;
	e->leak_budget = o->leak_budget;
	e->has_frag = o->has_frag;
	e->frag_seed = o->frag_seed;
	e->pressure_wave = o->pressure_wave;
	e->has_heap_alloc_budget = o->has_heap_alloc_budget;
	e->heap_alloc_budget = o->heap_alloc_budget;
	e->has_heap_in_use_budget = o->has_heap_in_use_budget;
	e->heap_in_use_budget = o->heap_in_use_budget;
	e->host_fs = o->host_fs;
	e->host_proc = o->host_proc;
	e->host_http = o->host_http;
	e->fs_root = host_root;
	e->self_exe = self_exe;
}

/* Print an error (JSON document under --json) and return exit 2. */
PRINTF(2, 3) static int fail_error(bool json, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json)
		json_print_error(msg);
	else
		error("%s", msg);
	return EXIT_ERROR;
}

/* ---- record targets: --record-collision append|overwrite|error ---- */

static _Thread_local char record_why[600]; /* per thread: fozzy test --jobs */

/* The path to write for --record PATH under policy; NULL with record_why set. Caller frees. */
static char *record_target(const char *path, const char *policy)
{
	struct stat st;
	const char *dot;
	char *stem, *cand;
	unsigned n;

	if (stat(path, &st) || !strcmp(policy, "overwrite")) {
		/* this very name: a fresh lock on it (another fozzy writing it) blocks the recording */
		if (record_lock(path, record_why, sizeof(record_why)))
			return NULL;
		return xstrdup(path);
	} else if (!strcmp(policy, "error")) {
		snprintf(record_why, sizeof(record_why),
			 "record collision: '%s' already exists (--record-collision overwrite or append)", path);
		return NULL;
	}
	dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/'))
		dot = path + strlen(path);
	stem = xstrdup(path);
	stem[dot - path] = 0;
	for (n = 1; n < 100000; n++) {
		cand = xasprintf("%s.%u%s", stem, n, dot);
		if (stat(cand, &st)) {
			if (!record_lock(cand, record_why, sizeof(record_why))) {
				free(stem);
				return cand;
			}
			if (errno != EBUSY) {
				free(stem);
				free(cand);
				return NULL;
			}
		}
		free(cand);
	}
	free(stem);
	snprintf(record_why, sizeof(record_why), "record collision: no free name beside '%s'", path);
	return NULL;
}

/* The --record target (under the collision policy) and the run folder; 0, or -1 with why. */
static int open_outputs(const char *record, const char *collision, const char *base_dir, char **record_out,
			struct run_dir *rd, char *why, size_t n)
{
	*record_out = NULL;
	if (record && !(*record_out = record_target(record, collision))) {
		snprintf(why, n, "%s", record_why);
		return -1;
	}
	if (run_dir_create(rd, base_dir)) {
		snprintf(why, n, "%s", last_error());
		free(*record_out);
		*record_out = NULL;
		return -1;
	}
	return 0;
}

static char *abs_path(const char *p)
{
	char cwd[PATH_MAX];

	if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

/* ---- the trace of a scenario run ---- */

static cJSON *scn_header(const struct scenario *s, const char *path, const char *mode, uint64_t seed,
			 const struct scn_opts *e)
{
	cJSON *h = cJSON_CreateObject(), *b;

	cJSON_AddStringToObject(h, "format", TRACE_FORMAT);
	cJSON_AddStringToObject(h, "kind", "scenario");
	cJSON_AddStringToObject(h, "fozzyVersion", FOZZY_VERSION);
	cJSON_AddStringToObject(h, "mode", mode);
	if (path)
		cJSON_AddStringToObject(h, "scenario_path", path);
	else
		cJSON_AddNullToObject(h, "scenario_path");
	cJSON_AddItemToObject(h, "scenario", cJSON_Duplicate(s->root, true));
	json_add_u64_string(h, "seed", seed);
	cJSON_AddBoolToObject(h, "det", e->det);
	if (e->has_timeout)
		cJSON_AddItemToObject(h, "timeoutMs", json_u64(e->timeout_ms));
	else
		cJSON_AddNullToObject(h, "timeoutMs");
	cJSON_AddItemToObject(h, "memory", scn_mem_options_json(e));
	b = cJSON_AddObjectToObject(h, "backends");
	cJSON_AddStringToObject(b, "proc", e->host_proc ? "host" : "scripted");
	cJSON_AddStringToObject(b, "fs", e->host_fs ? "host" : "virtual");
	cJSON_AddStringToObject(b, "http", e->host_http ? "host" : "scripted");
	if (e->entropy) {
		/* a fuzz execution: its input is the source of the random draws; replay and shrink feed it again */
		char *hex = xmalloc(e->entropy_len * 2 + 1);

		hex_encode(e->entropy, e->entropy_len, hex);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(h, "fuzz"), "inputHex", hex);
		free(hex);
	}
	return h;
}

static void add_json_records(struct buf *stream, const cJSON *arr, enum ev_tag tag)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		char *s = cJSON_PrintUnformatted(it);
		struct ev e = { .tag = tag, .bytes = (const uint8_t *)s, .len = strlen(s) };

		ev_encode(stream, &e);
		free(s);
	}
}

static int write_scn_trace(const char *path, cJSON *header, const struct scn_result *r, const char *run_id)
{
	struct trace t = { .header = header };
	int rc;

	t.footer = cJSON_CreateObject();
	cJSON_AddStringToObject(t.footer, "status", r->status);
	cJSON_AddStringToObject(t.footer, "runId", run_id);
	cJSON_AddItemToObject(t.footer, "virtualTimeMs", json_u64(r->virtual_ms));
	cJSON_AddItemToObject(t.footer, "findings", cJSON_Duplicate(r->findings, true));
	if (r->memory)
		cJSON_AddItemToObject(t.footer, "memory", cJSON_Duplicate(r->memory, true));
	cJSON_AddNumberToObject(t.footer, "decisions", cJSON_GetArraySize(r->decisions));
	cJSON_AddNumberToObject(t.footer, "events", cJSON_GetArraySize(r->events));
	add_json_records(&t.stream, r->events, EV_JSON);
	add_json_records(&t.stream, r->decisions, DEC_JSON);
	rc = trace_write(path, &t);
	t.header = NULL; /* the caller's */
	trace_release(&t);
	record_unlock(path); /* taken by record_target, if it was */
	return rc;
}

/* ---- summaries, reporters ---- */

static cJSON *summary(const struct run_dir *rd, const char *mode, const char *status, uint64_t seed,
		      const char *trace_path, uint64_t virtual_ms, const cJSON *memory, const cJSON *findings)
{
	cJSON *s = cJSON_CreateObject(), *id = cJSON_CreateObject();
	uint64_t wall = now_mono_ns() - rd->started_mono_ns, dur = wall;
	char t0[40], t1[40], *p;

	/* a --det run that slept 10 s lasted 10 s of its own time (capped at ~31 years: no overflow) */
	if (virtual_ms > 1000000000000ULL)
		virtual_ms = 1000000000000ULL;
	if (virtual_ms * 1000000 > dur)
		dur = virtual_ms * 1000000;
	format_rfc3339(rd->started_real_ns, t0);
	format_rfc3339(rd->started_real_ns + dur, t1);
	cJSON_AddStringToObject(s, "status", status);
	cJSON_AddStringToObject(s, "mode", mode);
	cJSON_AddStringToObject(id, "runId", rd->id);
	cJSON_AddItemToObject(id, "seed", json_u64(seed));
	if (trace_path)
		cJSON_AddStringToObject(id, "tracePath", trace_path);
	p = xasprintf("%s/report.json", rd->path);
	cJSON_AddStringToObject(id, "reportPath", p);
	free(p);
	cJSON_AddStringToObject(id, "artifactsDir", rd->path);
	cJSON_AddItemToObject(s, "identity", id);
	cJSON_AddStringToObject(s, "startedAt", t0);
	cJSON_AddStringToObject(s, "finishedAt", t1);
	cJSON_AddItemToObject(s, "durationMs", json_u64((dur + 999999) / 1000000));
	cJSON_AddItemToObject(s, "durationNs", json_u64(dur));
	if (memory)
		cJSON_AddItemToObject(s, "memory", cJSON_Duplicate(memory, true));
	if (findings && cJSON_GetArraySize(findings))
		cJSON_AddItemToObject(s, "findings", cJSON_Duplicate(findings, true));
	return s;
}

static cJSON *manifest(const cJSON *sum)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(sum, "identity"), *t;
	cJSON *m = cJSON_CreateObject();
	static const char *const idk[] = { "runId" };
	static const char *const top[] = { "mode", "status" };
	static const char *const more[] = { "startedAt", "finishedAt", "durationMs", "durationNs" };
	size_t i;

	cJSON_AddStringToObject(m, "schemaVersion", "fozzy.run_manifest.v1");
	for (i = 0; i < ARRAY_SIZE(idk); i++)
		cJSON_AddItemToObject(m, idk[i], cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(id, idk[i]), true));
	for (i = 0; i < ARRAY_SIZE(top); i++)
		cJSON_AddItemToObject(m, top[i], cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(sum, top[i]), true));
	cJSON_AddItemToObject(m, "seed", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(id, "seed"), true));
	for (i = 0; i < ARRAY_SIZE(more); i++)
		cJSON_AddItemToObject(m, more[i], cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(sum, more[i]), true));
	static const char *const paths[] = { "tracePath", "reportPath", "artifactsDir" };
	for (i = 0; i < ARRAY_SIZE(paths); i++)
		if ((t = cJSON_GetObjectItemCaseSensitive(id, paths[i])))
			cJSON_AddItemToObject(m, paths[i], cJSON_Duplicate(t, true));
	cJSON_AddNumberToObject(m, "findingsCount", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sum, "findings")));
	if ((t = cJSON_GetObjectItemCaseSensitive(sum, "tests"))) {
		cJSON_AddItemToObject(m, "testsPassed", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "passed"), true));
		cJSON_AddItemToObject(m, "testsFailed", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "failed"), true));
		cJSON_AddItemToObject(m, "testsSkipped", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "skipped"), true));
	}
	if ((t = cJSON_GetObjectItemCaseSensitive(sum, "memory"))) {
		cJSON_AddItemToObject(m, "memoryLeakedBytes", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "leakedBytes"), true));
		cJSON_AddItemToObject(m, "memoryLeakedAllocs", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "leakedAllocs"), true));
		cJSON_AddItemToObject(m, "memoryPeakBytes", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "peakBytes"), true));
	}
	return m;
}

static void xml_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_addf(b, "&amp;"); break;
		case '<': buf_addf(b, "&lt;"); break;
		case '>': buf_addf(b, "&gt;"); break;
		case '"': buf_addf(b, "&quot;"); break;
		case '\'': buf_addf(b, "&#39;"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r')
				buf_addc(b, '?'); /* not allowed in XML 1.0, even as a reference */
			else
				buf_addc(b, (uint8_t)*s);
		}
	}
}

static const char *js(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k)) ?: "";
}

static char *u64_text(const cJSON *v)
{
	return cJSON_PrintUnformatted(v);
}

/* junit.xml or report.html of a summary. */
static void render_report(const cJSON *sum, const char *format, struct buf *b)
{
	const cJSON *fs = cJSON_GetObjectItemCaseSensitive(sum, "findings"), *f;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(sum, "identity");
	int n = cJSON_GetArraySize(fs), failures = 0, i = 0;

	if (!strcmp(format, "junit") && cJSON_GetObjectItemCaseSensitive(sum, "scenarios")) {
		/* fozzy test: one testcase per scenario */
		const cJSON *sc, *list = cJSON_GetObjectItemCaseSensitive(sum, "scenarios");
		int fails = 0;

		cJSON_ArrayForEach(sc, list)
			fails += strcmp(js(sc, "status"), "pass") != 0;
		buf_addf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"fozzy\" tests=\"%d\" failures=\"%d\">\n",
			 cJSON_GetArraySize(list), fails);
		cJSON_ArrayForEach(sc, list) {
			const cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sc, "findings"), 0);

			buf_addf(b, "  <testcase classname=\"fozzy\" name=\"");
			xml_escape(b, js(sc, "path"));
			if (!strcmp(js(sc, "status"), "pass")) {
				buf_addf(b, "\"/>\n");
				continue;
			}
			buf_addf(b, "\">\n    <failure message=\"");
			xml_escape(b, f0 ? js(f0, "title") : js(sc, "status"));
			buf_addf(b, "\">");
			xml_escape(b, f0 ? js(f0, "message") : js(sc, "status"));
			buf_addf(b, "</failure>\n  </testcase>\n");
		}
		buf_addf(b, "</testsuite>\n");
		return;
	}
	if (!strcmp(format, "junit")) {
		char *ms = u64_text(cJSON_GetObjectItemCaseSensitive(sum, "durationMs"));

		cJSON_ArrayForEach(f, fs) {
			const char *k = js(f, "kind");

			failures += !strcmp(k, "assertion") || !strcmp(k, "invariant") || !strcmp(k, "checker");
		}
		buf_addf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"fozzy\" tests=\"%d\" failures=\"%d\" "
			 "time=\"%.3f\">\n", n ? n : 1, failures, strtod(ms, NULL) / 1000.0);
		free(ms);
		if (!n) {
			buf_addf(b, "  <testcase classname=\"fozzy\" name=\"");
			xml_escape(b, js(id, "runId"));
			buf_addf(b, "\"/>\n");
		}
		cJSON_ArrayForEach(f, fs) {
			buf_addf(b, "  <testcase classname=\"fozzy\" name=\"finding_%d\">\n    <failure message=\"", i++);
			xml_escape(b, js(f, "title"));
			buf_addf(b, "\">");
			xml_escape(b, js(f, "message"));
			buf_addf(b, "</failure>\n  </testcase>\n");
		}
		buf_addf(b, "</testsuite>\n");
		return;
	}
	{
		char *seed = u64_text(cJSON_GetObjectItemCaseSensitive(id, "seed"));

		buf_addf(b, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>fozzy ");
		xml_escape(b, js(id, "runId"));
		buf_addf(b, "</title><style>body{font-family:monospace}</style></head><body>\n<h1>fozzy %s</h1>\n<p>status: ",
			 js(sum, "mode"));
		xml_escape(b, js(sum, "status"));
		buf_addf(b, "<br>runId: ");
		xml_escape(b, js(id, "runId"));
		buf_addf(b, "<br>seed: %s<br>startedAt: %s<br>finishedAt: %s</p>\n<ul>\n", seed, js(sum, "startedAt"),
			 js(sum, "finishedAt"));
		free(seed);
		cJSON_ArrayForEach(f, fs) {
			buf_addf(b, "<li>");
			xml_escape(b, js(f, "kind"));
			buf_addf(b, ": ");
			xml_escape(b, js(f, "title"));
			buf_addf(b, ": ");
			xml_escape(b, js(f, "message"));
			buf_addf(b, "</li>\n");
		}
		if (!n)
			buf_addf(b, "<li>no findings</li>\n");
		buf_addf(b, "</ul>\n</body></html>\n");
	}
}

static bool use_color;

void scenario_set_color(bool on)
{
	use_color = on;
}

static const char *status_color(const char *st)
{
	if (!use_color)
		return "";
	return !strcmp(st, "pass") ? "\033[32m" : !strcmp(st, "timeout") ? "\033[33m" : "\033[31m";
}

static void print_human_summary(const cJSON *sum, FILE *out)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(sum, "identity"), *t, *f;
	char upper[16], *seed = u64_text(cJSON_GetObjectItemCaseSensitive(id, "seed"));
	char *ms = u64_text(cJSON_GetObjectItemCaseSensitive(sum, "durationMs"));
	const char *st = js(sum, "status");
	size_t i;

	for (i = 0; st[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)(st[i] >= 'a' && st[i] <= 'z' ? st[i] - 32 : st[i]);
	upper[i] = 0;
	fprintf(out, "%sfozzy%s %s %s%s%s\n  run %s\n  seed %s\n  duration %sms\n", use_color ? "\033[36m" : "",
		use_color ? "\033[0m" : "", js(sum, "mode"), status_color(st), upper, use_color ? "\033[0m" : "",
		js(id, "runId"), seed, ms);
	free(seed);
	free(ms);
	if ((t = cJSON_GetObjectItemCaseSensitive(sum, "tests"))) {
		char *p = u64_text(cJSON_GetObjectItemCaseSensitive(t, "passed")), *fl = u64_text(cJSON_GetObjectItemCaseSensitive(t, "failed")),
		     *sk = u64_text(cJSON_GetObjectItemCaseSensitive(t, "skipped"));

		fprintf(out, "  tests pass=%s fail=%s skip=%s\n", p, fl, sk);
		free(p);
		free(fl);
		free(sk);
	}
	if ((t = cJSON_GetObjectItemCaseSensitive(sum, "memory"))) {
		static const char *const k[] = { "allocCount", "freeCount", "failedAllocCount", "inUseBytes", "peakBytes",
						 "leakedBytes", "leakedAllocs" };
		static const char *const l[] = { "allocs", "frees", "failed", "in_use", "peak", "leaked", "leaked_allocs" };

		fprintf(out, "  memory");
		for (i = 0; i < ARRAY_SIZE(k); i++) {
			char *v = u64_text(cJSON_GetObjectItemCaseSensitive(t, k[i]));

			fprintf(out, " %s=%s", l[i], v);
			free(v);
		}
		fputc('\n', out);
	}
	if (*js(id, "tracePath"))
		fprintf(out, "  trace %s\n", js(id, "tracePath"));
	fprintf(out, "  report %s\n  artifacts %s\n", js(id, "reportPath"), js(id, "artifactsDir"));
	if ((t = cJSON_GetObjectItemCaseSensitive(sum, "scenarios"))) {
		cJSON_ArrayForEach(f, t) {
			if (strcmp(js(f, "status"), "pass"))
				fprintf(out, "  %s %s%s%s\n", js(f, "status"), js(f, "path"), *js(f, "tracePath") ? "  trace " : "",
					js(f, "tracePath"));
		}
	}
	if ((t = cJSON_GetObjectItemCaseSensitive(sum, "findings")) && cJSON_GetArraySize(t)) {
		fprintf(out, "  findings\n");
		cJSON_ArrayForEach(f, t)
			fprintf(out, "    - [%s] %s: %s\n", js(f, "kind"), js(f, "title"), js(f, "message"));
	}
	if (*js(id, "tracePath") && strcmp(st, "pass") && strcmp(js(sum, "mode"), "replay"))
		fprintf(out, "  replay with: fozzy replay %s\n", js(id, "tracePath"));
}

/* report.json, manifest.json and the reporter file; 0 or -1. */
static int write_reports(const struct run_dir *rd, const cJSON *sum, const char *reporter)
{
	char *p = xasprintf("%s/report.json", rd->path), *s = cJSON_PrintUnformatted(sum);
	cJSON *m = manifest(sum);
	int rc = 0;
	struct buf b = { 0 };

	buf_add(&b, s, strlen(s));
	buf_addc(&b, '\n');
	if (write_file_atomic(p, b.data, b.len))
		rc = -1;
	free(p);
	free(s);
	p = xasprintf("%s/manifest.json", rd->path);
	if (json_write_file(p, m))
		rc = -1;
	free(p);
	cJSON_Delete(m);
	if (reporter && strcmp(reporter, "pretty")) {
		b.len = 0;
		render_report(sum, reporter, &b);
		p = xasprintf("%s/%s", rd->path, !strcmp(reporter, "junit") ? "junit.xml" : "report.html");
		if (write_file_atomic(p, b.data, b.len))
			rc = -1;
		free(p);
	}
	buf_release(&b);
	return rc;
}

/* Strict mode: a pass that carries checker findings is not clean. */
static const char *strict_warning(const cJSON *sum)
{
	const cJSON *f;

	if (strcmp(js(sum, "status"), "pass"))
		return NULL;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(sum, "findings"))
		if (!strcmp(js(f, "kind"), "checker"))
			return js(f, "title");
	return NULL;
}

/* --json: one document for a run that ended but is an error all the same: the error, with its summary (taken over). */
static int print_rejection(cJSON *sum, const char *msg)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "status", "error");
	cJSON_AddStringToObject(e, "code", "error");
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddItemToObject(e, "summary", sum);
	json_print(e);
	cJSON_Delete(e);
	return EXIT_ERROR;
}

static int finish(cJSON *sum, bool json, bool strict)
{
	const char *w = strict ? strict_warning(sum) : NULL;
	int code = status_exit_code(js(sum, "status"));

	if (w && json) {
		char *m = xasprintf("strict mode: the run passed with a warning finding (%s); --unsafe accepts it", w);

		code = print_rejection(sum, m);
		free(m);
		return code;
	}
	if (json)
		json_print(sum);
	else
		print_human_summary(sum, stdout);
	fflush(stdout);
	if (w)
		code = fail_error(json, "strict mode: the run passed with a warning finding (%s); --unsafe accepts it", w);
	cJSON_Delete(sum);
	return code;
}

/* durationMs of a summary (a raw u64 number). */
static uint64_t summary_ms(const cJSON *sum)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(sum, "durationMs");
	uint64_t ms = 0;

	if (cJSON_IsRaw(v)) /* json_u64 writes u64s raw */
		parse_u64(v->valuestring, &ms);
	else
		json_get_u64(sum, "durationMs", &ms);
	return ms;
}

static bool full_artifacts(void)
{
	const char *v = getenv("FOZZY_ARTIFACTS_FULL");

	return v && (!strcmp(v, "1") || !strcmp(v, "true"));
}

static int write_events(const struct run_dir *rd, const cJSON *events)
{
	char *p = xasprintf("%s/events.json", rd->path);
	int rc = json_write_file(p, events);

	free(p);
	return rc;
}

/*
 * The memory sidecars, derived from the run's events and leaks:
 * memory.timeline.json [{index, timeMs, kind, fields}], memory.leaks.json
 * [{allocId, bytes, callsiteHash, tag?}], memory.graph.json {nodes, edges}.
 */
static int write_memory_artifacts(const struct run_dir *rd, const struct scn_result *r)
{
	cJSON *tl = cJSON_CreateArray(), *g = cJSON_CreateObject(), *nodes, *edges, *seen = cJSON_CreateObject();
	const cJSON *e;
	int idx = 0, rc = 0;
	char *p;

	nodes = cJSON_AddArrayToObject(g, "nodes");
	edges = cJSON_AddArrayToObject(g, "edges");
	cJSON_ArrayForEach(e, r->events) {
		const char *name = js(e, "name");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fields");
		const char *kind = NULL;

		if (!strcmp(name, "memory_alloc"))
			kind = cJSON_GetObjectItemCaseSensitive(f, "failed_reason") ? "alloc_fail" : "alloc";
		else if (!strcmp(name, "memory_free"))
			kind = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "existed")) ? "free" : "free_missing";
		else if (!strcmp(name, "memory_checkpoint"))
			kind = "checkpoint";
		if (!kind)
			continue;
		{
			cJSON *t = cJSON_CreateObject();

			cJSON_AddNumberToObject(t, "index", idx++);
			cJSON_AddItemToObject(t, "timeMs", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "time_ms"), true));
			cJSON_AddStringToObject(t, "kind", kind);
			cJSON_AddItemToObject(t, "fields", cJSON_Duplicate(f, true));
			cJSON_AddItemToArray(tl, t);
		}
		if (!strcmp(kind, "alloc") || !strcmp(kind, "free")) {
			char id[64], cs[80];
			double aid = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(f, "alloc_id"));
			cJSON *n = cJSON_CreateObject(), *ed = cJSON_CreateObject();

			snprintf(id, sizeof(id), "%s:%.0f", kind, aid);
			cJSON_AddStringToObject(n, "id", id);
			cJSON_AddStringToObject(n, "kind", kind);
			if (!strcmp(kind, "alloc")) {
				const char *tag = js(f, "tag");

				snprintf(cs, sizeof(cs), "callsite:%s", js(f, "callsite_hash"));
				cJSON_AddStringToObject(n, "label", *tag ? tag : id);
				if (!has_key(seen, cs)) {
					cJSON *c = cJSON_CreateObject();

					cJSON_AddBoolToObject(seen, cs, true);
					cJSON_AddStringToObject(c, "id", cs);
					cJSON_AddStringToObject(c, "kind", "callsite");
					cJSON_AddStringToObject(c, "label", js(f, "callsite_hash"));
					cJSON_AddItemToArray(nodes, c);
				}
				cJSON_AddStringToObject(ed, "from", cs);
				cJSON_AddStringToObject(ed, "to", id);
				cJSON_AddStringToObject(ed, "kind", "allocates");
			} else {
				char from[64];

				snprintf(from, sizeof(from), "alloc:%.0f", aid);
				cJSON_AddStringToObject(n, "label", id);
				cJSON_AddStringToObject(ed, "from", from);
				cJSON_AddStringToObject(ed, "to", id);
				cJSON_AddStringToObject(ed, "kind", "freed_by");
			}
			cJSON_AddItemToArray(nodes, n);
			cJSON_AddItemToArray(edges, ed);
		}
	}
	p = xasprintf("%s/memory.timeline.json", rd->path);
	rc |= json_write_file(p, tl);
	free(p);
	p = xasprintf("%s/memory.leaks.json", rd->path);
	rc |= json_write_file(p, r->leaks);
	free(p);
	p = xasprintf("%s/memory.graph.json", rd->path);
	rc |= json_write_file(p, g);
	free(p);
	cJSON_Delete(tl);
	cJSON_Delete(g);
	cJSON_Delete(seen);
	return rc ? -1 : 0;
}

/* Load a scenario that `run`/`test` can execute; error text in why. */
static int load_steps(const char *path, bool strict, struct scenario *s, char *why, size_t n)
{
	char inner[900];

	if (scenario_load(path, !strict, s, inner, sizeof(inner))) {
		snprintf(why, n, "scenario error: %s: %s", path, inner);
		return -1;
	}
	if (s->variant == SCN_DISTRIBUTED) {
		snprintf(why, n, "scenario error: %s is a distributed scenario: run it with fozzy explore", path);
		scenario_release(s);
		return -1;
	}
	if (s->variant == SCN_SUITES) {
		snprintf(why, n, "scenario error: %s uses \"suites\", which has no executable step DSL: nothing can run it",
			 path);
		scenario_release(s);
		return -1;
	}
	return 0;
}

int mode_scenario_run(const struct scn_run_opts *o)
{
	struct scenario s = { 0 };
	struct scn_opts e;
	struct scn_result r;
	struct run_dir rd;
	char why[1024], *trace_path = NULL, *record = NULL;
	cJSON *header, *sum;
	bool heavy;

	quiet_errors = o->json;
	if (load_steps(o->path, o->strict, &s, why, sizeof(why)))
		return fail_error(o->json, "%s", why);
	if (host_setup(o, why, sizeof(why))) {
		scenario_release(&s);
		return fail_error(o->json, "%s", why);
	}
	if (open_outputs(o->record, o->collision, o->base_dir, &record, &rd, why, sizeof(why))) {
		scenario_release(&s);
		return fail_error(o->json, "%s", why);
	}
	engine_opts(o, &e);
	e.seed = o->seed;
	e.path = o->path;
	scenario_execute(&s, &e, &r);
	header = scn_header(&s, o->path, "run", o->seed, &e);
	heavy = record || strcmp(r.status, "pass") || full_artifacts() || o->profile_full;
	if (record || strcmp(r.status, "pass")) {
		char *p = xasprintf("%s/trace.fozzy", rd.abs_path);

		if (write_scn_trace(record ? record : p, header, &r, rd.id)) {
			free(p);
			goto io_error;
		}
		trace_path = record ? abs_path(record) : xstrdup(p);
		free(p);
	}
	if (heavy && write_events(&rd, r.events))
		goto io_error;
	if (heavy && o->mem_artifacts && r.memory && write_memory_artifacts(&rd, &r))
		goto io_error;
	sum = summary(&rd, "run", r.status, o->seed, trace_path, r.virtual_ms, r.memory, r.findings);
	if (heavy && scn_write_profile(rd.path, r.events, rd.id, o->seed, summary_ms(sum), o->path)) {
		cJSON_Delete(sum);
		goto io_error;
	}
	if (write_reports(&rd, sum, o->reporter)) {
		cJSON_Delete(sum);
		goto io_error;
	}
	cJSON_Delete(header);
	scn_result_release(&r);
	scenario_release(&s);
	run_dir_release(&rd);
	free(trace_path);
	free(record);
	return finish(sum, o->json, o->strict);
io_error:
	cJSON_Delete(header);
	scn_result_release(&r);
	scenario_release(&s);
	run_dir_release(&rd);
	free(trace_path);
	free(record);
	return fail_error(o->json, "io error: %s", last_error());
}

/* ---- fozzy test: file discovery ---- */

static bool has_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

/* fnmatch per path segment, with "**" matching any number of whole segments. */
static bool glob_match(const char *pat, const char *s)
{
	const char *ps, *ss;
	char seg_p[NAME_MAX + 1], seg_s[NAME_MAX + 1];
	size_t lp, ls;

	if (!strcmp(pat, "**"))
		return true;
	if (!strncmp(pat, "**/", 3)) {
		if (glob_match(pat + 3, s))
			return true;
		for (ss = strchr(s, '/'); ss; ss = strchr(ss + 1, '/'))
			if (glob_match(pat + 3, ss + 1))
				return true;
		return false;
	}
	ps = strchr(pat, '/');
	ss = strchr(s, '/');
	lp = ps ? (size_t)(ps - pat) : strlen(pat);
	ls = ss ? (size_t)(ss - s) : strlen(s);
	if (lp > NAME_MAX || ls > NAME_MAX || !ps != !ss)
		return false;
	memcpy(seg_p, pat, lp);
	seg_p[lp] = 0;
	memcpy(seg_s, s, ls);
	seg_s[ls] = 0;
	if (fnmatch(seg_p, seg_s, FNM_PERIOD))
		return false;
	return ps ? glob_match(ps + 1, ss + 1) : true;
}

static bool skipped_dir(const char *name)
{
	static const char *const skip[] = { ".git", "target", "node_modules", ".fozzy", "dist", "build", "coverage" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(skip); i++)
		if (!strcmp(name, skip[i]))
			return true;
	return false;
}

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_add(struct strv *a, char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(char *));
	}
	a->v[a->n++] = s;
}

static void walk(const char *dir, const char *pat, struct strv *out, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d || depth > 64) {
		if (d)
			closedir(d);
		return;
	}
	while ((de = readdir(d))) {
		char *p;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = !strcmp(dir, ".") ? xstrdup(de->d_name) : xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &st)) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!skipped_dir(de->d_name))
				walk(p, pat, out, depth + 1);
			free(p);
		} else if (S_ISREG(st.st_mode) && glob_match(pat, p)) {
			strv_add(out, p);
		} else {
			free(p);
		}
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expand patterns into a sorted, de-duplicated file list. 0, or -1 with why. */
static int discover(char **globs, int n, struct strv *out, char *why, size_t whylen)
{
	static char *deflt[] = { "tests/**/*.fozzy.json" };
	struct buf missing = { 0 };
	size_t i, j;
	int k;

	if (!n) {
		globs = deflt;
		n = 1;
	}
	for (k = 0; k < n; k++) {
		const char *g = globs[k];
		struct stat st;

		while (has_glob(g) && !strncmp(g, "./", 2))
			g += 2; /* walked paths are written without it */

		if (!has_glob(g)) {
			if (stat(g, &st) || !S_ISREG(st.st_mode))
				buf_addf(&missing, "%s%s", missing.len ? ", " : "", g);
			else
				strv_add(out, xstrdup(g));
			continue;
		}
		{
			/* walk from the longest wildcard-free folder prefix */
			char *base = xstrdup(g), *w = base + (strpbrk(base, "*?[") - base), *slash;

			*w = 0;
			slash = strrchr(base, '/');
			if (slash) {
				*slash = 0;
				walk(base[0] ? base : "/", g, out, 0);
			} else {
				walk(".", g, out, 0);
			}
			free(base);
		}
	}
	if (missing.len) {
		snprintf(why, whylen, "no such scenario file: %.*s", (int)missing.len, (const char *)missing.data);
		buf_release(&missing);
		return -1;
	}
	if (!out->n) {
		snprintf(why, whylen, "no scenario file matches %s%s", n == 1 && globs == deflt ? "the default " : "", globs[0]);
		return -1;
	}
	qsort(out->v, out->n, sizeof(char *), cmp_str);
	for (i = j = 0; i < out->n; i++) {
		if (j && !strcmp(out->v[j - 1], out->v[i]))
			free(out->v[i]);
		else
			out->v[j++] = out->v[i];
	}
	out->n = j;
	return 0;
}

/* ---- fozzy test: running ---- */

/* One scenario of a test run; the result as a JSON object. */
static cJSON *test_one(const struct scn_run_opts *o, const struct scenario *s, const char *path, uint64_t seed,
		       const struct run_dir *rd, size_t ordinal, size_t total, const char *record_base)
{
	struct scn_opts e;
	struct scn_result r;
	cJSON *res = cJSON_CreateObject();
	char *trace = NULL;

	engine_opts(o, &e);
	e.seed = seed;
	e.path = path;
	scenario_execute(s, &e, &r);
	if (record_base || strcmp(r.status, "pass")) {
		cJSON *h = scn_header(s, path, "test", seed, &e);

		if (record_base) {
			char *name = total == 1 ? xstrdup(record_base) : NULL;

			if (!name) {
				const char *dot = strrchr(record_base, '.');
				size_t stem = dot && !strchr(dot, '/') ? (size_t)(dot - record_base) : strlen(record_base);

				name = xasprintf("%.*s.%zu%s", (int)stem, record_base, ordinal + 1, record_base + stem);
			}
			trace = record_target(name, o->collision);
			free(name);
		} else {
			trace = xasprintf("%s/scenario-%zu.fozzy", rd->abs_path, ordinal + 1);
		}
		if (!trace || write_scn_trace(trace, h, &r, rd->id)) {
			cJSON_AddStringToObject(res, "error", trace ? last_error() : record_why);
			free(trace);
			trace = NULL;
		}
		cJSON_Delete(h);
	}
	cJSON_AddStringToObject(res, "path", path);
	cJSON_AddItemToObject(res, "seed", json_u64(seed));
	cJSON_AddStringToObject(res, "status", r.status);
	cJSON_AddItemToObject(res, "virtualTimeMs", json_u64(r.virtual_ms));
	if (trace)
		cJSON_AddStringToObject(res, "tracePath", trace);
	if (r.memory)
		cJSON_AddItemToObject(res, "memory", cJSON_Duplicate(r.memory, true));
	cJSON_AddItemToObject(res, "findings", r.findings);
	r.findings = NULL;
	free(trace);
	scn_result_release(&r);
	return res;
}

struct test_worker {
	pthread_t thread;
	const struct scn_run_opts *o;
	const struct scenario *scn;
	const struct strv *files;
	const bool *selected;
	cJSON **results;
	size_t total, nrun;
	const struct run_dir *rd;
	unsigned k, jobs;
};

/*
 * Threads, not processes: a forked worker copies the parent's heap page by
 * page as it allocates, which cost more than the scenarios themselves.
 * The engine shares nothing between runs.
 */
static void *test_worker_main(void *arg)
{
	struct test_worker *w = arg;
	size_t i, nth = 0;

	for (i = 0; i < w->total; i++) {
		if (!w->selected[i] || nth++ % w->jobs != w->k)
			continue;
		w->results[i] = test_one(w->o, &w->scn[i], w->files->v[i],
					 scenario_test_seed(w->o->seed, w->total, i, w->files->v[i]), w->rd, i, w->nrun,
					 w->o->record);
	}
	return NULL;
}

/* Loading of test files in threads: each takes the next index until none is left. */
struct load_worker {
	const struct scn_run_opts *o;
	const struct strv *files;
	const bool *selected;
	struct scenario *scn;
	size_t total;
	char **errs;               /* errs[i]: why file i did not load (owned), or NULL */
	atomic_size_t next;
};

static void *load_worker_main(void *arg)
{
	struct load_worker *lw = arg;
	size_t i;
	char why[1024];

	while ((i = atomic_fetch_add(&lw->next, 1)) < lw->total) {
		if (!lw->selected[i])
			continue;
		if (load_steps(lw->files->v[i], lw->o->strict, &lw->scn[i], why, sizeof(why)))
			lw->errs[i] = xstrdup(why);
	}
	return NULL;
}

int mode_scenario_test(const struct scn_run_opts *o)
{
	struct strv files = { 0 };
	struct scenario *scn;
	struct run_dir rd;
	cJSON **results, *sum, *all_findings, *list, *mem = NULL, *tests;
	char why[1024];
	size_t i, total, nrun = 0;
	uint64_t passed = 0, failed = 0, skipped = 0;
	bool *selected;
	unsigned jobs = o->fail_fast ? 1 : o->jobs;
	int code = EXIT_PASS;

	quiet_errors = o->json;
	if (discover(o->globs, o->nglobs, &files, why, sizeof(why))) {
		for (i = 0; i < files.n; i++)
			free(files.v[i]);
		free(files.v);
		return fail_error(o->json, "invalid argument: %s", why);
	}
	total = files.n;
	scn = xcalloc(total, sizeof(*scn));
	selected = xcalloc(total, sizeof(bool));
	results = xcalloc(total, sizeof(cJSON *));
	/* every file is loaded and validated before anything runs (in --jobs threads; the first error by file order) */
	for (i = 0; i < total; i++) {
		selected[i] = !o->filter || strstr(files.v[i], o->filter);
		if (!selected[i])
			skipped++;
		else
			nrun++;
	}
	{
		struct load_worker lw = { .o = o, .files = &files, .selected = selected, .scn = scn, .total = total,
					  .errs = xcalloc(total + 1, sizeof(char *)) };
		/* --unsafe prints warnings while loading: one thread, so they come in file order */
		unsigned k, nthreads = !o->strict ? 1 : jobs < total ? jobs : (unsigned)(total ? total : 1);
		pthread_t *th = xcalloc(nthreads, sizeof(*th));
		char *first = NULL;

		atomic_init(&lw.next, 0);
		for (k = 1; k < nthreads; k++)
			if (pthread_create(&th[k], NULL, load_worker_main, &lw))
				die("cannot start a loader thread");
		load_worker_main(&lw);
		for (k = 1; k < nthreads; k++)
			pthread_join(th[k], NULL);
		free(th);
		for (i = 0; i < total; i++) {
			if (lw.errs[i] && !first)
				first = lw.errs[i];
			else
				free(lw.errs[i]);
		}
		free(lw.errs);
		if (first) {
			code = fail_error(o->json, "%s", first);
			free(first);
			goto out;
		}
	}
	if (host_setup(o, why, sizeof(why))) {
		code = fail_error(o->json, "%s", why);
		goto out;
	}
	if (run_dir_create(&rd, o->base_dir)) {
		code = fail_error(o->json, "%s", last_error());
		goto out;
	}
	if (jobs > nrun)
		jobs = nrun ? (unsigned)nrun : 1;
	if (jobs <= 1) {
		for (i = 0; i < total; i++) {
			if (!selected[i])
				continue;
			results[i] = test_one(o, &scn[i], files.v[i], scenario_test_seed(o->seed, total, i, files.v[i]), &rd, i,
					      nrun, o->record);
			if (o->fail_fast && strcmp(js(results[i], "status"), "pass"))
				break;
		}
	} else {
		/* thread k runs the selected files k, k+jobs, ... into their own result slots */
		struct test_worker *w = xcalloc(jobs, sizeof(*w));
		unsigned k;

		for (k = 0; k < jobs; k++) {
			w[k] = (struct test_worker){ .o = o, .scn = scn, .files = &files, .selected = selected,
						     .results = results, .total = total, .nrun = nrun, .rd = &rd,
						     .k = k, .jobs = jobs };
			if (pthread_create(&w[k].thread, NULL, test_worker_main, &w[k]))
				die("cannot start a test worker thread");
		}
		for (k = 0; k < jobs; k++)
			pthread_join(w[k].thread, NULL);
		free(w);
	}
	all_findings = cJSON_CreateArray();
	list = cJSON_CreateArray();
	for (i = 0; i < total; i++) {
		const cJSON *f, *m;

		if (!selected[i])
			continue;
		if (!results[i]) { /* --fail-fast stopped before it */
			skipped++;
			continue;
		}
		if (!strcmp(js(results[i], "status"), "pass"))
			passed++;
		else
			failed++;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(results[i], "findings"))
			cJSON_AddItemToArray(all_findings, cJSON_Duplicate(f, true));
		if ((m = cJSON_GetObjectItemCaseSensitive(results[i], "memory"))) {
			static const char *const sumk[] = { "allocCount", "freeCount", "failedAllocCount", "inUseBytes",
							    "leakedBytes", "leakedAllocs" };
			size_t k;

			if (!mem) {
				mem = cJSON_Duplicate(m, true);
			} else {
				for (k = 0; k < ARRAY_SIZE(sumk); k++) {
					cJSON *a = cJSON_GetObjectItemCaseSensitive(mem, sumk[k]);

					cJSON_SetNumberValue(a, a->valuedouble + cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, sumk[k])));
				}
				if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "peakBytes")) >
				    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(mem, "peakBytes")))
					cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(mem, "peakBytes"),
							     cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "peakBytes")));
			}
		}
		cJSON_AddItemToArray(list, results[i]);
		results[i] = NULL;
	}
	sum = summary(&rd, "test", failed ? "fail" : "pass", o->seed, NULL, 0, mem, all_findings);
	tests = cJSON_CreateObject();
	cJSON_AddItemToObject(tests, "passed", json_u64(passed));
	cJSON_AddItemToObject(tests, "failed", json_u64(failed));
	cJSON_AddItemToObject(tests, "skipped", json_u64(skipped));
	cJSON_AddItemToObject(sum, "tests", tests);
	cJSON_AddItemToObject(sum, "scenarios", list);
	cJSON_Delete(all_findings);
	cJSON_Delete(mem);
	{
		const cJSON *res;
		const char *werr = NULL;

		cJSON_ArrayForEach(res, list)
			if (!werr && cJSON_GetObjectItemCaseSensitive(res, "error"))
				werr = xstrdup(js(res, "error"));
		if (write_reports(&rd, sum, o->reporter)) {
			cJSON_Delete(sum);
			code = fail_error(o->json, "io error: %s", last_error());
		} else if (werr && o->json) {
			char *m = xasprintf("a trace could not be written: %s", werr);

			code = print_rejection(sum, m);
			free(m);
		} else {
			code = finish(sum, o->json, o->strict);
			if (werr)
				code = fail_error(o->json, "a trace could not be written: %s", werr);
		}
		free((char *)werr);
	}
	run_dir_release(&rd);
out:
	for (i = 0; i < total; i++) {
		if (scn[i].root)
			scenario_release(&scn[i]);
		cJSON_Delete(results[i]);
		free(files.v[i]);
	}
	free(files.v);
	free(scn);
	free(selected);
	free(results);
	return code;
}

/* ---- replay ---- */

/*
 * replay --profile-export-format: the replay's step spans as OTLP/JSON or a
 * speedscope profile, written atomically to --profile-export-out. The result
 * document (fozzy.profile_export_result.v1), or NULL with last_error() set.
 */
static cJSON *profile_export(const struct replay_opts *o, const cJSON *events, const char *run_id, uint64_t seed,
			     const char *scenario_path)
{
	cJSON *doc = !strcmp(o->export_format, "otlp") ? scn_profile_otlp(events, run_id, seed, scenario_path)
						       : scn_profile_speedscope(events, run_id, scenario_path);
	cJSON *res, *spans = NULL;
	char *text = cJSON_Print(doc);
	bool q = quiet_errors;
	int rc;

	quiet_errors = true; /* one error line, the caller's */
	rc = write_file_atomic(o->export_out, text, strlen(text));
	free(text);
	if (rc)
		error("cannot write --profile-export-out '%s': %s", o->export_out, strerror(errno));
	quiet_errors = q;
	if (rc) {
		cJSON_Delete(doc);
		return NULL;
	}
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "schemaVersion", "fozzy.profile_export_result.v1");
	cJSON_AddStringToObject(res, "run", run_id);
	cJSON_AddStringToObject(res, "format", o->export_format);
	cJSON_AddStringToObject(res, "out", o->export_out);
	if (!strcmp(o->export_format, "otlp"))
		spans = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "resourceSpans"), 0), "scopeSpans"), 0),
			"spans");
	else
		spans = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "shared"), "frames");
	cJSON_AddNumberToObject(res, "spans", cJSON_GetArraySize(spans));
	cJSON_AddArrayToObject(res, "warnings");
	cJSON_Delete(doc);
	return res;
}

/* finish() for a replay with an export: --json prints {run, profileExport}. */
static int finish_export(cJSON *sum, cJSON *exported, bool json, bool strict)
{
	const char *w = strict ? strict_warning(sum) : NULL;
	int code = status_exit_code(js(sum, "status"));

	if (w || !json) {
		code = finish(sum, json, strict);
		if (!json)
			printf("profile export: %s, %d spans -> %s\n", js(exported, "format"),
			       (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(exported, "spans")), js(exported, "out"));
		cJSON_Delete(exported);
		return code;
	}
	{
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddItemToObject(doc, "run", sum);
		cJSON_AddItemToObject(doc, "profileExport", exported);
		json_print(doc);
		cJSON_Delete(doc);
	}
	return code;
}

static int replay_dist(const struct scenario *s, const cJSON *decisions, const struct trace *t, const char *trace_path,
		       bool json, bool strict, const char *base_dir);

int mode_scenario_replay(const struct replay_opts *o)
{
	const char *trace_path = o->trace, *base_dir = o->base_dir;
	bool json = o->json, strict = o->strict;
	uint64_t until_ms_v = o->until_ns / 1000000;
	const uint64_t *until_ms = o->has_until ? &until_ms_v : NULL;
	cJSON *exported = NULL;
	struct buf entropy = { 0 };
	struct trace t;
	struct scenario s = { 0 };
	struct scn_opts e;
	struct scn_result r;
	struct run_dir rd;
	cJSON *decisions = cJSON_CreateArray(), *sum, *findings;
	const cJSON *rec_mem, *rec_status;
	char why[1024], *text;
	uint64_t seed, tmo = 0;
	size_t pos = 0;
	struct ev ev;
	const char *status;
	bool stopped;
	int code;

	quiet_errors = json;
	if (trace_load(trace_path, &t, why, sizeof(why))) {
		cJSON_Delete(decisions);
		return fail_error(json, "trace error: %s: %s", trace_path, why);
	}
	text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(t.header, "scenario"));
	if (json_get_u64(t.header, "seed", &seed) || !text ||
	    scenario_parse(text, strlen(text), true, &s, why, sizeof(why)) || s.variant == SCN_SUITES) {
		if (s.root)
			scenario_release(&s);
		free(text);
		trace_release(&t);
		cJSON_Delete(decisions);
		return fail_error(json, "trace error: %s: the embedded scenario is missing or invalid", trace_path);
	}
	free(text);
	while (pos < t.stream.len) {
		if (ev_decode(t.stream.data, t.stream.len, &pos, &ev)) {
			code = fail_error(json, "trace error: %s: malformed record stream", trace_path);
			goto out_early;
		}
		if (ev.tag == DEC_JSON) {
			cJSON *d = cJSON_ParseWithLength((const char *)ev.bytes, ev.len);

			if (!cJSON_IsObject(d)) {
				cJSON_Delete(d);
				code = fail_error(json, "trace error: %s: a decision record is not a JSON object", trace_path);
				goto out_early;
			}
			cJSON_AddItemToArray(decisions, d);
		}
	}
	if (s.variant == SCN_DISTRIBUTED) {
		if (until_ms || o->dump_events || o->profile_full || o->export_format) {
			code = fail_error(json, "replay %s applies to steps scenarios%s; '%s' is a distributed explore trace",
					  until_ms ? "--until" : o->export_format ? "--profile-export-format" :
					  o->dump_events ? "--dump-events" : "--profile-capture full",
					  until_ms ? " and native traces" : "", trace_path);
			goto out_early;
		}
		code = replay_dist(&s, decisions, &t, trace_path, json, strict, base_dir);
		goto out_early;
	}
	scn_opts_init(&e);
	scn_mem_options_from_json(&e, cJSON_GetObjectItemCaseSensitive(t.header, "memory"));
	e.seed = seed;
	e.det = true; /* replay runs on the virtual clock, whatever the recording used */
	/* a timeout in virtual time repeats; one in wall time shows in the recorded status instead */
	e.has_timeout = !json_get_u64(t.header, "timeoutMs", &tmo) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t.header, "det"));
	e.timeout_ms = tmo;
	e.path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t.header, "scenario_path"));
	e.replay = decisions;
	{
		/* a fuzz execution's trace: its input was the source of the random draws */
		const char *hx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(t.header, "fuzz"), "inputHex"));

		if (hx && hex_decode(hx, &entropy)) {
			code = fail_error(json, "trace error: %s: the fuzz input in the header is not hex", trace_path);
			goto out_early;
		}
		if (hx) {
			e.entropy = entropy.data ? entropy.data : (const uint8_t *)"";
			e.entropy_len = entropy.len;
		}
	}
	if (until_ms) {
		e.has_until = true;
		e.until_ms = *until_ms;
	}
	{
		/* host steps take their recorded answers: the host is not touched */
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(t.header, "backends");

		e.host_fs = !strcmp(js(b, "fs"), "host");
		e.host_proc = !strcmp(js(b, "proc"), "host");
		e.host_http = !strcmp(js(b, "http"), "host");
		e.fs_root = -1;
	}
	if (run_dir_create(&rd, base_dir)) {
		code = fail_error(json, "%s", last_error());
		goto out_early;
	}
	scenario_execute(&s, &e, &r);
	if (r.drift_error) {
		code = fail_error(json, "trace error: %s: %s", trace_path, r.message);
		rmdir(rd.path); /* nothing was written in it */
		scn_result_release(&r);
		run_dir_release(&rd);
		goto out_early;
	}
	status = r.status;
	findings = r.findings;
	rec_mem = cJSON_GetObjectItemCaseSensitive(t.footer, "memory");
	stopped = false;
	if (until_ms && !strcmp(status, "timeout")) {
		const cJSON *uf;

		cJSON_ArrayForEach(uf, findings)
			stopped |= !strcmp(js(uf, "kind"), "hang") && !strcmp(js(uf, "title"), "until");
	}
	if (!stopped && !cJSON_Compare(rec_mem, r.memory, true) && (rec_mem || r.memory)) {
		cJSON *f = cJSON_CreateObject();

		cJSON_AddStringToObject(f, "kind", "checker");
		cJSON_AddStringToObject(f, "title", "replay_memory_drift");
		cJSON_AddStringToObject(f, "message", "the replay's memory summary differs from the recorded one");
		cJSON_AddItemToArray(findings, f);
	}
	rec_status = cJSON_GetObjectItemCaseSensitive(t.footer, "status");
	if (!stopped && cJSON_IsString(rec_status) && strcmp(rec_status->valuestring, status)) {
		cJSON *f = cJSON_CreateObject();
		char *m = xasprintf("the trace recorded status %s, the replay ended %s", rec_status->valuestring, status);

		cJSON_AddStringToObject(f, "kind", "checker");
		cJSON_AddStringToObject(f, "title", "replay_status_drift");
		cJSON_AddStringToObject(f, "message", m);
		cJSON_AddItemToArray(findings, f);
		free(m);
	}
	if (!strcmp(status, "pass")) {
		const cJSON *f;

		cJSON_ArrayForEach(f, findings)
			if (!strncmp(js(f, "title"), "replay_", 7))
				status = "fail";
	}
	{
		char *abs = abs_path(trace_path);

		bool heavy = strcmp(status, "pass") || full_artifacts() || o->dump_events || o->profile_full;

		if (heavy)
			write_events(&rd, r.events);
		sum = summary(&rd, "replay", status, seed, abs, r.virtual_ms, r.memory, findings);
		free(abs);
		if (heavy && scn_write_profile(rd.path, r.events, rd.id, seed, summary_ms(sum), e.path)) {
			cJSON_Delete(sum);
			sum = NULL;
		}
	}
	if (!sum || write_reports(&rd, sum, "pretty")) {
		cJSON_Delete(sum);
		code = fail_error(json, "io error: %s", last_error());
	} else if (o->export_format && !(exported = profile_export(o, r.events, rd.id, seed, e.path))) {
		cJSON_Delete(sum);
		code = fail_error(json, "%s", last_error()); /* the replay's run folder is complete all the same */
	} else if (exported) {
		code = finish_export(sum, exported, json, strict);
	} else {
		code = finish(sum, json, strict);
	}
	scn_result_release(&r);
	run_dir_release(&rd);
out_early:
	buf_release(&entropy);
	scenario_release(&s);
	trace_release(&t);
	cJSON_Delete(decisions);
	return code;
}

/* ---- fozzy explore SCENARIO: distributed scenarios ---- */

/* --nodes, --faults and --checker rewrite the scenario, which is then validated again. 0 or -1 with why. */
static int apply_overrides(cJSON *root, const struct scn_explore_opts *o, char *why, size_t whylen)
{
	cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "distributed");
	cJSON *steps = cJSON_GetObjectItemCaseSensitive(d, "steps"), *nodes;
	char *list, *tok, *save = NULL;

	if (o->nodes) {
		cJSON_DeleteItemFromObjectCaseSensitive(d, "nodes");
		cJSON_DeleteItemFromObjectCaseSensitive(d, "node_count");
		cJSON_AddNumberToObject(d, "node_count", o->nodes);
	}
	nodes = cJSON_GetObjectItemCaseSensitive(d, "nodes");
	if (o->faults) {
		/* presets, each one a step put before the script (in the order given) */
		cJSON *pre = cJSON_CreateArray();
		int count = nodes ? cJSON_GetArraySize(nodes) : (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(d, "node_count"));
		const char *n0 = nodes ? cJSON_GetStringValue(cJSON_GetArrayItem(nodes, 0)) : "n0";
		const char *n1 = nodes ? cJSON_GetStringValue(cJSON_GetArrayItem(nodes, 1)) : "n1";

		n0 = n0 ? n0 : "";
		n1 = n1 ? n1 : "";
		list = xstrdup(o->faults);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			cJSON *st = cJSON_CreateObject();
			bool two = !strcmp(tok, "partition-first-two") || !strcmp(tok, "heal-first-two");

			if (!strcmp(tok, "none")) {
				cJSON_Delete(st);
				continue;
			}
			if (two || !strcmp(tok, "crash-first") || !strcmp(tok, "restart-first")) {
				if (count < (two ? 2 : 1)) {
					snprintf(why, whylen, "--faults %s needs at least %d nodes", tok, two ? 2 : 1);
					cJSON_Delete(st);
					cJSON_Delete(pre);
					free(list);
					return -1;
				}
				cJSON_AddStringToObject(st, "type", !strcmp(tok, "partition-first-two") ? "partition"
								 : !strcmp(tok, "heal-first-two")    ? "heal"
								 : !strcmp(tok, "crash-first")	    ? "crash"
												    : "restart");
				if (two) {
					cJSON_AddStringToObject(st, "a", n0);
					cJSON_AddStringToObject(st, "b", n1);
				} else {
					cJSON_AddStringToObject(st, "node", n0);
				}
				cJSON_AddItemToArray(pre, st);
				continue;
			}
			snprintf(why, whylen, "unknown --faults preset '%s' (none, partition-first-two, heal-first-two, "
				 "crash-first, restart-first)", tok);
			cJSON_Delete(st);
			cJSON_Delete(pre);
			free(list);
			return -1;
		}
		free(list);
		while (cJSON_GetArraySize(pre)) {
			cJSON *st = cJSON_DetachItemFromArray(pre, cJSON_GetArraySize(pre) - 1);

			cJSON_InsertItemInArray(steps, 0, st);
		}
		cJSON_Delete(pre);
	}
	if (o->checker) {
		cJSON *inv = cJSON_CreateArray();

		list = xstrdup(o->checker);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			cJSON *x = cJSON_CreateObject();
			char *c1 = strchr(tok, ':'), *c2, *c3;

			if (c1 && (!strncmp(tok, "kv_all_equal:", 13) || !strncmp(tok, "kv_present_on_all:", 18)) && c1[1]) {
				*c1 = 0;
				cJSON_AddStringToObject(x, "type", tok);
				cJSON_AddStringToObject(x, "key", c1 + 1);
			} else if (c1 && !strncmp(tok, "kv_node_equals:", 15) && (c2 = strchr(c1 + 1, ':')) &&
				   (c3 = strchr(c2 + 1, ':')) && c2 > c1 + 1 && c3 > c2 + 1) {
				*c2 = *c3 = 0;
				cJSON_AddStringToObject(x, "type", "kv_node_equals");
				cJSON_AddStringToObject(x, "node", c1 + 1);
				cJSON_AddStringToObject(x, "key", c2 + 1);
				cJSON_AddStringToObject(x, "equals", c3 + 1);
			} else {
				snprintf(why, whylen, "invalid --checker '%s' (kv_all_equal:KEY, kv_present_on_all:KEY or "
					 "kv_node_equals:NODE:KEY:VALUE)", tok);
				cJSON_Delete(x);
				cJSON_Delete(inv);
				free(list);
				return -1;
			}
			cJSON_AddItemToArray(inv, x);
		}
		free(list);
		if (!cJSON_GetArraySize(inv)) {
			snprintf(why, whylen, "--checker is empty");
			cJSON_Delete(inv);
			return -1;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(d, "invariants");
		cJSON_AddItemToObject(d, "invariants", inv);
	}
	return 0;
}

static cJSON *dist_header(const struct scenario *s, const char *path, const char *strategy, uint64_t seed,
			  uint64_t run, uint64_t max_steps)
{
	cJSON *h = cJSON_CreateObject();

	cJSON_AddStringToObject(h, "format", TRACE_FORMAT);
	cJSON_AddStringToObject(h, "kind", "scenario");
	cJSON_AddStringToObject(h, "fozzyVersion", FOZZY_VERSION);
	cJSON_AddStringToObject(h, "mode", "explore");
	cJSON_AddStringToObject(h, "scenario_path", path);
	cJSON_AddItemToObject(h, "scenario", cJSON_Duplicate(s->root, true));
	json_add_u64_string(h, "seed", seed);
	cJSON_AddStringToObject(h, "schedule", strategy);
	json_add_u64_string(h, "run", run);
	json_add_u64_string(h, "maxSteps", max_steps);
	return h;
}

static int write_dist_trace(const char *path, cJSON *header, const struct dist_result *r, const char *status,
			    const char *run_id)
{
	struct trace t = { .header = header };
	int rc;

	t.footer = cJSON_CreateObject();
	cJSON_AddStringToObject(t.footer, "status", status);
	cJSON_AddStringToObject(t.footer, "runId", run_id);
	cJSON_AddItemToObject(t.footer, "virtualTimeMs", json_u64(r->virtual_ms));
	cJSON_AddItemToObject(t.footer, "findings", cJSON_Duplicate(r->findings, true));
	cJSON_AddBoolToObject(t.footer, "quiescent", r->quiescent);
	cJSON_AddNumberToObject(t.footer, "decisions", cJSON_GetArraySize(r->decisions));
	cJSON_AddNumberToObject(t.footer, "events", cJSON_GetArraySize(r->events));
	add_json_records(&t.stream, r->events, EV_JSON);
	add_json_records(&t.stream, r->decisions, DEC_JSON);
	rc = trace_write(path, &t);
	t.header = NULL;
	trace_release(&t);
	record_unlock(path); /* taken by record_target, if it was */
	return rc;
}

static bool explore_progress_tty(bool json)
{
	return !json && isatty(STDERR_FILENO);
}

int mode_scenario_explore(const struct scn_explore_opts *o)
{
	struct scenario s = { 0 };
	struct dist_search *search;
	struct dist_chooser ch;
	struct dist_result r = { 0 }, last = { 0 };
	bool have_last = false;
	enum dist_strategy strat;
	struct run_dir rd;
	char why[1024], inner[900], *text, *trace_path = NULL, *record = NULL;
	uint64_t run, runs_done = 0, incomplete = 0, t0 = now_mono_ns(), last_tick = t0;
	bool found = false, exhausted = false, out_of_time = false;
	cJSON *sum, *ex;
	const char *status = "pass";

	quiet_errors = o->json;
	if (dist_strategy_parse(o->strategy, &strat))
		return fail_error(o->json, "invalid argument: unknown --schedule '%s' (fifo, random, pct, dfs, bfs, "
				  "coverage_guided)", o->strategy);
	if (scenario_load(o->path, !o->strict, &s, inner, sizeof(inner)))
		return fail_error(o->json, "scenario error: %s: %s", o->path, inner);
	if (s.variant != SCN_DISTRIBUTED) {
		scenario_release(&s);
		return fail_error(o->json, "scenario error: %s is a %s scenario: run it with fozzy run or fozzy test", o->path,
				  s.variant == SCN_STEPS ? "steps" : "suites");
	}
	if (o->nodes || o->faults || o->checker) {
		cJSON *root = cJSON_Duplicate(s.root, true);

		scenario_release(&s);
		if (apply_overrides(root, o, why, sizeof(why))) {
			cJSON_Delete(root);
			return fail_error(o->json, "invalid argument: %s", why);
		}
		text = cJSON_PrintUnformatted(root);
		cJSON_Delete(root);
		if (scenario_parse(text, strlen(text), !o->strict, &s, inner, sizeof(inner))) {
			free(text);
			return fail_error(o->json, "scenario error: %s (after --nodes/--faults/--checker): %s", o->path, inner);
		}
		free(text);
	}
	if (open_outputs(o->record, o->collision, o->base_dir, &record, &rd, why, sizeof(why))) {
		scenario_release(&s);
		return fail_error(o->json, "%s", why);
	}
	search = dist_search_new(strat, o->seed);
	for (run = 0; run < o->runs; run++) {
		if (o->time_ns && now_mono_ns() - t0 >= o->time_ns) {
			out_of_time = true;
			break;
		}
		if (!dist_search_begin(search, run, &ch)) {
			exhausted = true;
			break;
		}
		dist_execute(&s, s.steps, s.invariants, o->max_steps, &ch, &r);
		dist_search_end(search, &r);
		runs_done++;
		if (!r.quiescent && !r.failed)
			incomplete++;
		if (r.failed) {
			found = true;
			break;
		}
		if (record) {
			/* --record of a search that passes: the last run is the one written */
			if (have_last)
				dist_result_release(&last);
			last = r;
			have_last = true;
		} else {
			dist_result_release(&r);
		}
		if (explore_progress_tty(o->json) && now_mono_ns() - last_tick > 500000000ULL) {
			last_tick = now_mono_ns();
			fprintf(stderr, "\rfozzy explore: %" PRIu64 " runs, %" PRIu64 " states, %.1f s", runs_done,
				dist_search_states(search), (double)(last_tick - t0) / 1e9);
		}
	}
	if (explore_progress_tty(o->json) && runs_done)
		fprintf(stderr, "\r\033[K");
	if (found) {
		cJSON *h = dist_header(&s, o->path, o->strategy, o->seed, run, o->max_steps);
		char *p = xasprintf("%s/trace.fozzy", rd.abs_path);

		status = "fail";
		if (write_dist_trace(p, h, &r, status, rd.id) || (record && write_dist_trace(record, h, &r, status, rd.id))) {
			cJSON_Delete(h);
			free(p);
			dist_result_release(&r);
			dist_search_free(search);
			scenario_release(&s);
			run_dir_release(&rd);
			free(record);
			return fail_error(o->json, "io error: %s", last_error());
		}
		cJSON_Delete(h);
		trace_path = record ? abs_path(record) : xstrdup(p);
		free(p);
		write_events(&rd, r.events);
	}
	if (!found && have_last) {
		cJSON *h = dist_header(&s, o->path, o->strategy, o->seed, runs_done - 1, o->max_steps);

		if (write_dist_trace(record, h, &last, "pass", rd.id)) {
			cJSON_Delete(h);
			dist_result_release(&last);
			dist_search_free(search);
			scenario_release(&s);
			run_dir_release(&rd);
			free(record);
			return fail_error(o->json, "io error: %s", last_error());
		}
		cJSON_Delete(h);
		trace_path = abs_path(record);
	}
	if (have_last)
		dist_result_release(&last);
	sum = summary(&rd, "explore", status, o->seed, trace_path, found ? r.virtual_ms : 0, NULL, found ? r.findings : NULL);
	ex = cJSON_AddObjectToObject(sum, "explore");
	cJSON_AddStringToObject(ex, "schedule", o->strategy);
	cJSON_AddItemToObject(ex, "runs", json_u64(runs_done));
	cJSON_AddItemToObject(ex, "distinctStates", json_u64(dist_search_states(search)));
	cJSON_AddItemToObject(ex, "incompleteRuns", json_u64(incomplete));
	cJSON_AddNumberToObject(ex, "nodes", (double)s.nnodes);
	exhausted = exhausted && !dist_search_truncated(search);
	cJSON_AddBoolToObject(ex, "exhausted", exhausted);
	cJSON_AddBoolToObject(ex, "outOfTime", out_of_time);
	if (found)
		cJSON_AddItemToObject(ex, "failingRun", json_u64(run));
	if (write_reports(&rd, sum, "pretty")) {
		cJSON_Delete(sum);
		status = NULL;
	}
	if (!o->json && status) {
		fprintf(stdout, "explored %" PRIu64 " schedule%s (%s), %" PRIu64 " distinct states%s%s\n", runs_done,
			runs_done == 1 ? "" : "s", o->strategy, dist_search_states(search),
			exhausted ? "; every schedule was tried" : "", out_of_time ? "; the --time budget ran out" : "");
		if (incomplete)
			fprintf(stdout, "%" PRIu64 " run%s hit the --steps limit before quiescence (invariants not checked)\n",
				incomplete, incomplete == 1 ? "" : "s");
	}
	if (found)
		dist_result_release(&r);
	dist_search_free(search);
	scenario_release(&s);
	run_dir_release(&rd);
	free(trace_path);
	free(record);
	if (!status)
		return fail_error(o->json, "io error: %s", last_error());
	return finish(sum, o->json, o->strict);
}

/* Replay chooser: the recorded picks, in order; anything else stops the run. */
struct dist_replay {
	const cJSON *rec;
	int pos;
	char why[512];
};

static unsigned replay_choose(struct dist_chooser *ch, unsigned n, const uint64_t *ids)
{
	struct dist_replay *rp = ch->ctx;
	const cJSON *d = cJSON_GetArrayItem(rp->rec, rp->pos);
	double pick = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(d, "pick"));

	(void)ids;
	if (!d) {
		snprintf(rp->why, sizeof(rp->why), "replay drift at decision %d: the trace ends, the run goes on", rp->pos);
		return DIST_STOP;
	}
	if (!(pick >= 0 && pick < n)) {
		snprintf(rp->why, sizeof(rp->why), "replay drift at decision %d: pick %g of %u enabled actions", rp->pos, pick, n);
		return DIST_STOP;
	}
	return (unsigned)pick;
}

static int replay_check(struct dist_chooser *ch, const cJSON *decision)
{
	struct dist_replay *rp = ch->ctx;
	char *want = cJSON_PrintUnformatted(cJSON_GetArrayItem(rp->rec, rp->pos)), *got = cJSON_PrintUnformatted(decision);
	int rc = strcmp(want, got) ? -1 : 0;

	if (rc)
		snprintf(rp->why, sizeof(rp->why), "replay drift at decision %d: expected %.200s, got %.200s", rp->pos, want, got);
	rp->pos++;
	free(want);
	free(got);
	return rc;
}

/* Replay of an explore trace; called by mode_scenario_replay. */
static int replay_dist(const struct scenario *s, const cJSON *decisions, const struct trace *t, const char *trace_path,
		       bool json, bool strict, const char *base_dir)
{
	struct dist_replay rp = { .rec = decisions };
	struct dist_chooser ch = { .choose = replay_choose, .check = replay_check, .ctx = &rp };
	struct dist_result r;
	struct run_dir rd;
	uint64_t seed = 0, max_steps = 10000;
	const char *status;
	const cJSON *rec_status = cJSON_GetObjectItemCaseSensitive(t->footer, "status");
	cJSON *sum;
	char *abs;

	json_get_u64(t->header, "seed", &seed);
	json_get_u64(t->header, "maxSteps", &max_steps);
	dist_execute(s, s->steps, s->invariants, max_steps, &ch, &r);
	if (r.diverged) {
		dist_result_release(&r);
		return fail_error(json, "trace error: %s: %s", trace_path, rp.why);
	}
	if (run_dir_create(&rd, base_dir)) {
		dist_result_release(&r);
		return fail_error(json, "%s", last_error());
	}
	status = r.failed ? "fail" : "pass";
	if (rp.pos < cJSON_GetArraySize(decisions)) {
		cJSON *f = cJSON_CreateObject();
		char *m = xasprintf("the replay finished with %d unused decisions", cJSON_GetArraySize(decisions) - rp.pos);

		cJSON_AddStringToObject(f, "kind", "checker");
		cJSON_AddStringToObject(f, "title", "replay_unused_decisions");
		cJSON_AddStringToObject(f, "message", m);
		cJSON_AddItemToArray(r.findings, f);
		free(m);
		status = "fail";
	}
	if (cJSON_IsString(rec_status) && strcmp(rec_status->valuestring, status)) {
		cJSON *f = cJSON_CreateObject();
		char *m = xasprintf("the trace recorded status %s, the replay ended %s", rec_status->valuestring, status);

		cJSON_AddStringToObject(f, "kind", "checker");
		cJSON_AddStringToObject(f, "title", "replay_status_drift");
		cJSON_AddStringToObject(f, "message", m);
		cJSON_AddItemToArray(r.findings, f);
		free(m);
		status = "fail";
	}
	abs = abs_path(trace_path);
	if (strcmp(status, "pass") || full_artifacts())
		write_events(&rd, r.events);
	sum = summary(&rd, "replay", status, seed, abs, r.virtual_ms, NULL, r.findings);
	free(abs);
	dist_result_release(&r);
	if (write_reports(&rd, sum, "pretty")) {
		cJSON_Delete(sum);
		run_dir_release(&rd);
		return fail_error(json, "io error: %s", last_error());
	}
	run_dir_release(&rd);
	return finish(sum, json, strict);
}

/* ---- fozzy shrink of scenario traces ---- */

struct scn_shrink {
	const struct trace *t;
	cJSON *root;               /* the scenario being shrunk (owned) */
	bool dist;
	uint64_t seed, max_steps;
	struct scn_opts e;         /* steps: the run's options */
	char kind[32], title[128]; /* the failure to keep */
	cJSON *picks;              /* explore: the picks to follow (owned) */
	cJSON *host_answers;       /* host backends: their recorded answers (owned), or NULL */
	struct buf entropy;        /* a fuzz trace's input: the source of the random draws */
	uint64_t runs, deadline;
	bool out_of_time;
};

/* Does a step (or a step nested in it) ask a host backend in use? Such steps are never removed. */
static bool asks_host(const struct scn_opts *e, const cJSON *st)
{
	const cJSON *c;
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "type"));

	if (type && ((e->host_http && !strcmp(type, "http_request")) || (e->host_proc && !strcmp(type, "proc_spawn")) ||
		     (e->host_fs && !strncmp(type, "fs_", 3))))
		return true;
	cJSON_ArrayForEach(c, st)
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && asks_host(e, c))
			return true;
	return false;
}

/* Tolerant replay: follow the picks as far as they go (clamped), then take the first option. */
struct follow {
	const cJSON *picks;
	int pos;
};

static unsigned follow_choose(struct dist_chooser *ch, unsigned n, const uint64_t *ids)
{
	struct follow *f = ch->ctx;
	const cJSON *p = cJSON_GetArrayItem(f->picks, f->pos++);
	double v = p ? cJSON_GetNumberValue(p) : 0;

	(void)ids;
	return v >= 0 && v < n ? (unsigned)v : n - 1;
}

/* Does the failure survive in this scenario text (and picks)? Fills r when given. */
static bool still_fails(struct scn_shrink *sh, const cJSON *root, const cJSON *picks, struct dist_result *dr,
			struct scn_result *sr)
{
	struct scenario s = { 0 };
	char why[256], *text = cJSON_PrintUnformatted(root);
	const cJSON *f, *findings;
	bool hit = false;
	struct dist_result dtmp;
	struct scn_result stmp;

	sh->runs++;
	if (scenario_parse(text, strlen(text), true, &s, why, sizeof(why))) {
		free(text);
		return false;
	}
	free(text);
	if (sh->dist) {
		struct follow fl = { .picks = picks };
		struct dist_chooser ch = { .choose = follow_choose, .ctx = &fl };

		dist_execute(&s, s.steps, s.invariants, sh->max_steps, &ch, dr ? dr : &dtmp);
		findings = (dr ? dr : &dtmp)->findings;
	} else {
		scenario_execute(&s, &sh->e, sr ? sr : &stmp);
		findings = (sr ? sr : &stmp)->findings;
	}
	f = cJSON_GetArrayItem(findings, 0); /* the first finding: what made the run fail */
	hit = f && !strcmp(js(f, "kind"), sh->kind) && !strcmp(js(f, "title"), sh->title) &&
	      (sh->dist || !(sr ? sr : &stmp)->drift_error); /* a new question for the host: not the same run */
	if (!dr && sh->dist)
		dist_result_release(&dtmp);
	if (!sr && !sh->dist)
		scn_result_release(&stmp);
	scenario_release(&s);
	return hit;
}

/* Replace the items of arr with copies of items[i] for the i with keep[i]. */
static void set_items(cJSON *arr, cJSON *const *items, const bool *keep, size_t n)
{
	size_t i;

	/*
	 * Rebuilt from scratch: Debian 12's cJSON (1.7.15-1+deb12u4) refuses
	 * cJSON_InsertItemInArray at any index but 0, so nothing is put back in place.
	 */
	while (cJSON_GetArraySize(arr))
		cJSON_DeleteItemFromArray(arr, 0);
	for (i = 0; i < n; i++)
		if (keep[i])
			cJSON_AddItemToArray(arr, cJSON_Duplicate(items[i], true));
}

/*
 * Delta debugging over the items of arr (a step list or the picks): remove
 * chunks of ceil(n/2), then halves of that, ..., keeping every removal after
 * which the failure survives, never emptying a step list.
 */
static void ddmin(struct scn_shrink *sh, cJSON *arr, bool keep_one)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), i, k, chunk = (n + 1) / 2, left = n;
	cJSON **items = xcalloc(n + 1, sizeof(cJSON *)), *it;
	bool *keep = xcalloc(n + 1, sizeof(bool)), *pin = xcalloc(n + 1, sizeof(bool)), is_steps = keep_one;

	i = 0;
	cJSON_ArrayForEach(it, arr) {
		items[i] = cJSON_Duplicate(it, true);
		/* a step that asks the host stays: its answer is only known for the recorded question order */
		pin[i] = is_steps && sh->host_answers && asks_host(&sh->e, it);
		if (pin[i]) {
			left--;
			keep_one = false; /* the list never empties */
		}
		keep[i++] = true;
	}
	while (chunk >= 1 && left) {
		bool progress = false;
		size_t start = 0; /* position among the kept items */

		while (start < left) {
			size_t len = chunk < left - start ? chunk : left - start, seen = 0;
			size_t idx[4096], m = 0;

			if (now_mono_ns() >= sh->deadline) {
				sh->out_of_time = true;
				goto done;
			}
			if (keep_one && len == left)
				break;
			/* the kept items number start .. start+len-1 */
			for (k = 0; k < n && m < len && m < ARRAY_SIZE(idx); k++) {
				if (!keep[k] || pin[k])
					continue;
				if (seen++ >= start)
					idx[m++] = k;
			}
			for (k = 0; k < m; k++)
				keep[idx[k]] = false;
			set_items(arr, items, keep, n);
			if (still_fails(sh, sh->root, sh->picks, NULL, NULL)) {
				left -= m;
				progress = true;
				continue;
			}
			for (k = 0; k < m; k++)
				keep[idx[k]] = true;
			start += m;
		}
		if (!progress) {
			if (chunk == 1)
				break;
			chunk = (chunk + 1) / 2;
		}
	}
done:
	set_items(arr, items, keep, n);
	for (i = 0; i < n; i++)
		cJSON_Delete(items[i]);
	free(items);
	free(keep);
	free(pin);
}

int mode_scenario_shrink(const struct shrink_opts *o, const struct trace *t)
{
	struct scn_shrink sh = { .t = t };
	struct run_dir rd;
	struct scenario s = { 0 };
	const cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t->footer, "findings"), 0), *d;
	cJSON *steps, *header, *sum, *sk;
	char why[512], *out, *text;
	size_t before_steps, before_picks = 0, pos = 0;
	struct ev ev;
	const char *status;
	unsigned want = o->minimize ? o->minimize : SHRINK_MIN_ALL;
	int code;

	quiet_errors = o->json;
	if (!f0)
		return fail_error(o->json, "cannot shrink '%s': the recorded run has no finding to keep", o->trace);
	if (want & (SHRINK_MIN_FAULTS | SHRINK_MIN_INPUT) && want != SHRINK_MIN_ALL)
		return fail_error(o->json, "cannot shrink '%s' with --minimize %s: a scenario trace has none; use steps or "
				  "schedule", o->trace, want & SHRINK_MIN_FAULTS ? "faults" : "input");
	snprintf(sh.kind, sizeof(sh.kind), "%s", js(f0, "kind"));
	snprintf(sh.title, sizeof(sh.title), "%s", js(f0, "title"));
	sh.root = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t->header, "scenario"), true);
	text = cJSON_PrintUnformatted(sh.root);
	memset(&s, 0, sizeof(s));
	if (!text || json_get_u64(t->header, "seed", &sh.seed) ||
	    scenario_parse(text, strlen(text), true, &s, why, sizeof(why)) || s.variant == SCN_SUITES) {
		if (s.root)
			scenario_release(&s);
		free(text);
		cJSON_Delete(sh.root);
		return fail_error(o->json, "trace error: %s: the embedded scenario is missing or invalid", o->trace);
	}
	free(text);
	sh.dist = s.variant == SCN_DISTRIBUTED;
	scenario_release(&s);
	if (!sh.dist && want & SHRINK_MIN_SCHEDULE && want != SHRINK_MIN_ALL) {
		cJSON_Delete(sh.root);
		return fail_error(o->json, "cannot shrink '%s' with --minimize schedule: a steps scenario has no schedule "
				  "(its steps run in order); use --minimize steps", o->trace);
	}
	sh.max_steps = 10000;
	json_get_u64(t->header, "maxSteps", &sh.max_steps);
	scn_opts_init(&sh.e);
	scn_mem_options_from_json(&sh.e, cJSON_GetObjectItemCaseSensitive(t->header, "memory"));
	sh.e.seed = sh.seed;
	sh.e.det = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t->header, "det")) ||
		   !cJSON_GetObjectItemCaseSensitive(t->header, "det"); /* explore traces have none: virtual */
	sh.e.has_timeout = !json_get_u64(t->header, "timeoutMs", &sh.e.timeout_ms);
	sh.e.path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->header, "scenario_path"));
	{
		/* a fuzz execution's trace: its input is the source of the random draws here too */
		const char *hx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(t->header, "fuzz"), "inputHex"));

		if (hx && hex_decode(hx, &sh.entropy)) {
			cJSON_Delete(sh.root);
			buf_release(&sh.entropy);
			return fail_error(o->json, "trace error: %s: the fuzz input in the header is not hex", o->trace);
		}
		if (hx) {
			sh.e.entropy = sh.entropy.data ? sh.entropy.data : (const uint8_t *)"";
			sh.e.entropy_len = sh.entropy.len;
		}
	}
	{
		/* host backends: their recorded answers are served again, so the host is never asked */
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(t->header, "backends");

		sh.e.host_fs = !strcmp(js(b, "fs"), "host");
		sh.e.host_proc = !strcmp(js(b, "proc"), "host");
		sh.e.host_http = !strcmp(js(b, "http"), "host");
		if (sh.e.host_fs || sh.e.host_proc || sh.e.host_http) {
			sh.host_answers = cJSON_CreateArray();
			sh.e.host_answers = sh.host_answers;
		}
	}
	sh.picks = cJSON_CreateArray();
	while (pos < t->stream.len && !ev_decode(t->stream.data, t->stream.len, &pos, &ev)) {
		if (ev.tag != DEC_JSON)
			continue;
		d = cJSON_ParseWithLength((const char *)ev.bytes, ev.len);
		if (d && !strcmp(js(d, "kind"), "explore_pick"))
			cJSON_AddItemToArray(sh.picks, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "pick"), true));
		else if (d && sh.host_answers &&
			 ((sh.e.host_http && !strncmp(js(d, "kind"), "http_request", 12)) ||
			  (sh.e.host_proc && !strncmp(js(d, "kind"), "proc_spawn", 10)) ||
			  (sh.e.host_fs && !strncmp(js(d, "kind"), "fs_", 3))))
			cJSON_AddItemToArray(sh.host_answers, cJSON_Duplicate(d, true));
		cJSON_Delete((cJSON *)d);
	}
	before_picks = (size_t)cJSON_GetArraySize(sh.picks);
	sh.deadline = now_mono_ns() + o->budget_ns;
	steps = sh.dist ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sh.root, "distributed"), "steps")
			: cJSON_GetObjectItemCaseSensitive(sh.root, "steps");
	before_steps = (size_t)cJSON_GetArraySize(steps);
	if (!still_fails(&sh, sh.root, sh.picks, NULL, NULL)) {
		cJSON_Delete(sh.root);
		cJSON_Delete(sh.picks);
		cJSON_Delete(sh.host_answers);
	buf_release(&sh.entropy);
		return fail_error(o->json, "cannot shrink '%s': re-running it does not give its %s finding '%s'", o->trace,
				  sh.kind, sh.title);
	}
	if (want & SHRINK_MIN_STEPS)
		ddmin(&sh, steps, true);
	if (sh.dist && want & SHRINK_MIN_SCHEDULE)
		ddmin(&sh, sh.picks, false);
	/* the final run, recorded exactly */
	out = o->out ? xstrdup(o->out) : NULL;
	if (!out) {
		const char *dot = strrchr(o->trace, '.');
		size_t stem = dot && !strchr(dot, '/') ? (size_t)(dot - o->trace) : strlen(o->trace);

		out = xasprintf("%.*s.min.fozzy", (int)stem, o->trace);
	}
	if (run_dir_create(&rd, o->base_dir)) {
		cJSON_Delete(sh.root);
		cJSON_Delete(sh.picks);
		cJSON_Delete(sh.host_answers);
	buf_release(&sh.entropy);
		free(out);
		return fail_error(o->json, "%s", last_error());
	}
	text = cJSON_PrintUnformatted(sh.root);
	scenario_parse(text, strlen(text), true, &s, why, sizeof(why)); /* it parsed in still_fails */
	free(text);
	if (sh.dist) {
		struct dist_result r;
		struct follow fl = { .picks = sh.picks };
		struct dist_chooser ch = { .choose = follow_choose, .ctx = &fl };

		dist_execute(&s, s.steps, s.invariants, sh.max_steps, &ch, &r);
		status = r.failed ? "fail" : "pass";
		header = dist_header(&s, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->header, "scenario_path")) ?: "",
				     js(t->header, "schedule"), sh.seed, 0, sh.max_steps);
		code = write_dist_trace(out, header, &r, status, rd.id);
		sum = summary(&rd, "shrink", status, sh.seed, NULL, r.virtual_ms, NULL, r.findings);
		dist_result_release(&r);
	} else {
		struct scn_result r;

		scenario_execute(&s, &sh.e, &r);
		status = r.status;
		header = scn_header(&s, sh.e.path, "shrink", sh.seed, &sh.e);
		code = write_scn_trace(out, header, &r, rd.id);
		sum = summary(&rd, "shrink", status, sh.seed, NULL, r.virtual_ms, r.memory, r.findings);
		scn_result_release(&r);
	}
	cJSON_Delete(header);
	scenario_release(&s);
	if (code) {
		cJSON_Delete(sum);
		cJSON_Delete(sh.root);
		cJSON_Delete(sh.picks);
		cJSON_Delete(sh.host_answers);
	buf_release(&sh.entropy);
		run_dir_release(&rd);
		free(out);
		return fail_error(o->json, "io error: %s", last_error());
	}
	{
		char *abs = abs_path(out);

		cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(sum, "identity"), "tracePath", abs);
		free(abs);
	}
	sk = cJSON_AddObjectToObject(sum, "shrink");
	cJSON_AddStringToObject(sk, "from", o->trace);
	cJSON_AddStringToObject(sk, "kept", sh.title);
	cJSON_AddNumberToObject(sk, "stepsBefore", (double)before_steps);
	cJSON_AddNumberToObject(sk, "stepsAfter", cJSON_GetArraySize(steps));
	if (sh.dist) {
		cJSON_AddNumberToObject(sk, "picksBefore", (double)before_picks);
		cJSON_AddNumberToObject(sk, "picksAfter", cJSON_GetArraySize(sh.picks));
	}
	cJSON_AddItemToObject(sk, "runs", json_u64(sh.runs));
	cJSON_AddBoolToObject(sk, "outOfTime", sh.out_of_time);
	if (!o->json)
		printf("shrunk %zu steps to %d%s (%" PRIu64 " runs%s), keeping %s '%s'\n", before_steps, cJSON_GetArraySize(steps),
		       sh.dist ? " and the schedule" : "", sh.runs, sh.out_of_time ? ", the --budget ran out" : "", sh.kind,
		       sh.title);
	write_reports(&rd, sum, "pretty");
	cJSON_Delete(sh.root);
	cJSON_Delete(sh.picks);
	cJSON_Delete(sh.host_answers);
	buf_release(&sh.entropy);
	run_dir_release(&rd);
	free(out);
	/* as for native traces: 0 means a shrunk trace was written (its status says how it ends) */
	code = finish(sum, o->json, false);
	return code == EXIT_ERROR ? code : EXIT_PASS;
}

/* ---- fozzy fuzz scenario:PATH ---- */

struct input_chooser {
	const uint8_t *in;
	size_t n, pos;
	struct scn_fuzz_out *out;
};

static unsigned input_choose(struct dist_chooser *ch, unsigned n, const uint64_t *ids)
{
	struct input_chooser *c = ch->ctx;

	(void)ids;
	if (c->pos < c->n)
		return c->in[c->pos++] % n;
	return 0;
}

static void input_observe(struct dist_chooser *ch, uint64_t state)
{
	struct input_chooser *c = ch->ctx;

	c->out->features = xrealloc(c->out->features, (c->out->nfeatures + 1) * sizeof(uint64_t));
	c->out->features[c->out->nfeatures++] = state;
}

static void add_feature(struct scn_fuzz_out *out, const char *a, const char *b)
{
	char k[512];
	int len = snprintf(k, sizeof(k), "%s\x1f%s", a, b);

	out->features = xrealloc(out->features, (out->nfeatures + 1) * sizeof(uint64_t));
	out->features[out->nfeatures++] = XXH3_64bits(k, len > 0 && (size_t)len < sizeof(k) ? (size_t)len : sizeof(k) - 1);
}

void scenario_fuzz_exec(const struct scenario *s, const char *path, uint64_t seed, uint64_t timeout_ms,
			uint64_t max_steps, const uint8_t *in, size_t n, bool keep, const char *base_dir,
			struct scn_fuzz_out *out)
{
	const cJSON *f0, *ev;
	cJSON *findings;
	struct run_dir rd;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (s->variant == SCN_DISTRIBUTED) {
		struct input_chooser ic = { .in = in, .n = n, .out = out };
		struct dist_chooser ch = { .choose = input_choose, .observe = input_observe, .ctx = &ic };
		struct dist_result r;

		dist_execute(s, s->steps, s->invariants, max_steps, &ch, &r);
		snprintf(out->status, sizeof(out->status), "%s", r.failed ? "fail" : "pass");
		findings = r.findings;
		f0 = cJSON_GetArrayItem(findings, 0);
		if (f0) {
			snprintf(out->kind, sizeof(out->kind), "%s", js(f0, "kind"));
			snprintf(out->title, sizeof(out->title), "%s: %s", js(f0, "title"), js(f0, "message"));
			snprintf(out->sig, sizeof(out->sig), "scenario:%s:%s", js(f0, "kind"), js(f0, "title"));
			add_feature(out, out->sig, "");
		}
		if (keep && !run_dir_create(&rd, base_dir)) {
			cJSON *h = dist_header(s, path, "fuzz", seed, 0, max_steps);
			char *p = xasprintf("%s/trace.fozzy", rd.abs_path);

			rc = write_dist_trace(p, h, &r, out->status, rd.id);
			if (!rc) {
				snprintf(out->trace, sizeof(out->trace), "%s", p);
				snprintf(out->dir, sizeof(out->dir), "%s", rd.path);
				write_events(&rd, r.events);
			}
			free(p);
			cJSON_Delete(h);
			run_dir_release(&rd);
		}
		dist_result_release(&r);
		return;
	}
	{
		struct scn_opts e;
		struct scn_result r;

		scn_opts_init(&e);
		e.det = true;
		e.seed = seed;
		e.path = path;
		e.has_timeout = timeout_ms > 0;
		e.timeout_ms = timeout_ms;
		e.entropy = in;
		e.entropy_len = n;
		scenario_execute(s, &e, &r);
		snprintf(out->status, sizeof(out->status), "%s", r.status);
		/* behaviour: how each step ended, the events in each, the findings */
		{
			const char *span = "";

			cJSON_ArrayForEach(ev, r.events) {
				const cJSON *fl = cJSON_GetObjectItemCaseSensitive(ev, "fields");

				if (!strcmp(js(ev, "name"), "span_start"))
					span = js(fl, "span");
				else if (!strcmp(js(ev, "name"), "span_end"))
					add_feature(out, js(fl, "span"), js(fl, "status"));
				else if (strcmp(js(ev, "name"), "sched_pick"))
					add_feature(out, span, js(ev, "name"));
			}
		}
		cJSON_ArrayForEach(ev, r.findings)
			add_feature(out, js(ev, "kind"), js(ev, "title"));
		f0 = cJSON_GetArrayItem(r.findings, 0);
		if (f0 && strcmp(r.status, "pass")) {
			snprintf(out->kind, sizeof(out->kind), "%s", js(f0, "kind"));
			snprintf(out->title, sizeof(out->title), "%s: %s", js(f0, "title"), js(f0, "message"));
			snprintf(out->sig, sizeof(out->sig), "scenario:%s:%s", js(f0, "kind"), js(f0, "title"));
		}
		if (keep && !run_dir_create(&rd, base_dir)) {
			cJSON *h = scn_header(s, path, "fuzz", seed, &e); /* with the input: replay feeds it again */
			char *p = xasprintf("%s/trace.fozzy", rd.abs_path);

			rc = write_scn_trace(p, h, &r, rd.id);
			if (!rc) {
				snprintf(out->trace, sizeof(out->trace), "%s", p);
				snprintf(out->dir, sizeof(out->dir), "%s", rd.path);
				write_events(&rd, r.events);
			}
			free(p);
			cJSON_Delete(h);
			run_dir_release(&rd);
		}
		scn_result_release(&r);
	}
}
