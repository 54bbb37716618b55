// SPDX-License-Identifier: MIT
/*
 * The step-scenario engine: runs the steps of a validated scenario in order
 * against a virtual world. Every choice (which step runs, random values, how
 * far time moves, which message is delivered or dropped, what an allocation
 * got, what a process answered) is a decision: recorded, or on replay
 * compared with the recording. The first failing step ends the run.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <xxhash.h>

#include "fozzy/det.h"
#include "fozzy/report.h"
#include "fozzy/scenario.h"
#include "fozzy/util.h"
#include "host.h"

#define STREAM_SCENARIO 16 /* the scenario's PRNG stream (man/fozzy.5) */
#define MIB (1024ULL * 1024ULL)

struct mem {
	uint64_t attempts, next_id, in_use, peak, allocs, frees, failed;
	uint64_t alloc_bytes; /* every successful allocation, in effective bytes (heap budgets) */
	uint64_t limit_mb, fail_after, frag_seed;
	bool has_limit, has_fail_after, has_frag, used;
	uint64_t wave[64];
	size_t nwave;
	cJSON *live; /* [{id, bytes, effective, tag, callsite}] */
};

struct world {
	uint64_t now_ms;
	bool frozen;
	struct prng rng;
	cJSON *kv, *fs, *snaps, *http, *proc, *queue, *inbox, *parts;
	cJSON *touched; /* host fs: the paths written, {path: true} */
	double drop_rate;
	bool reorder;
	uint64_t next_msg;
	struct mem mem;
};

struct run {
	const struct scenario *s;
	const struct scn_opts *o;
	struct world w;
	cJSON *decisions, *events, *findings, *sink; /* sink: where findings go (nested: a scratch array) */
	const cJSON *replay;
	int rpos;                 /* replay: decisions consumed */
	const cJSON *rcur;        /* replay: the next recorded decision (a cursor: no walk from the start) */
	const cJSON *hcur;        /* o->host_answers: the next recorded host answer */
	size_t epos;              /* o->entropy: bytes taken (not rolled back by assert_throws) */
	uint64_t picks;
	uint64_t wall0_ms;
	bool drift_error, timed_out;
	bool until_stopped;       /* replay --until ended it: no end-of-run leak or budget verdicts */
	char message[512];
	bool executed;
};

/* World state and decisions keep integers below 2^53 as JSON numbers (exact in a double). */
static cJSON *jnum(uint64_t v)
{
	return cJSON_CreateNumber((double)v);
}

static uint64_t wall_ms(void)
{
	return now_mono_ns() / 1000000;
}

static void real_sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/* ---- events, findings, decisions ---- */

static void event(struct run *r, const char *name, cJSON *fields)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddItemToObject(e, "time_ms", jnum(r->w.now_ms));
	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddItemToObject(e, "fields", fields ? fields : cJSON_CreateObject());
	cJSON_AddItemToArray(r->events, e);
}

PRINTF(5, 6) static int finding(struct run *r, const char *kind, const char *title, cJSON *details, const char *fmt, ...)
{
	cJSON *f = cJSON_CreateObject();
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(f, "kind", kind);
	cJSON_AddStringToObject(f, "title", title);
	cJSON_AddStringToObject(f, "message", msg);
	if (details || r->o->path) {
		cJSON *loc = cJSON_AddObjectToObject(f, "location");

		if (r->o->path)
			cJSON_AddStringToObject(loc, "file", r->o->path);
		if (details)
			cJSON_AddItemToObject(loc, "details", details);
	}
	cJSON_AddItemToArray(r->sink, f);
	return -1;
}

/* Details naming the step: {"step": "$.steps[3]", "stepIndex": 3, "stepType": "..."} */
static cJSON *step_details(const char *path, int index, const char *type)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "step", path);
	cJSON_AddNumberToObject(d, "stepIndex", index);
	cJSON_AddStringToObject(d, "stepType", type);
	return d;
}

/*
 * Log decision d (taken over). Replaying: it must be the recorded one. A
 * different kind is a structural divergence (the run stops, exit 2); the same
 * kind with other values is a replay_drift finding that fails the step.
 */
static int host_answer_taken(struct run *r, const cJSON *d);

/*
 * The scenario's random draws (rand_u64, net delivery and drop choices, the
 * seed of a host command): from o->entropy while it lasts (fuzz: the input
 * drives the scenario), 8 bytes little-endian at a time, then from the seed.
 */
static uint64_t draw(struct run *r)
{
	uint64_t v = 0;
	unsigned k;

	if (!r->o->entropy || r->epos >= r->o->entropy_len)
		return prng_next(&r->w.rng);
	for (k = 0; k < 8 && r->epos < r->o->entropy_len; k++)
		v |= (uint64_t)r->o->entropy[r->epos++] << (8 * k);
	return v;
}

static int decide(struct run *r, cJSON *d)
{
	const cJSON *rec;
	char *want, *got;

	cJSON_AddItemToArray(r->decisions, d);
	if (!r->replay)
		return r->o->host_answers ? host_answer_taken(r, d) : 0;
	rec = r->rcur;
	if (rec) {
		r->rcur = rec->next;
		r->rpos++;
	}
	want = rec ? cJSON_PrintUnformatted(rec) : xstrdup("nothing (the trace ends here)");
	got = cJSON_PrintUnformatted(d);
	if (rec && !strcmp(want, got)) {
		free(want);
		free(got);
		return 0;
	}
	/* another kind of decision, or another step picked: the run took another path */
	if (!rec || strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "kind")) ?: "",
			   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "kind"))) ||
	    !strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "kind")), "scheduler_pick")) {
		r->drift_error = true;
		snprintf(r->message, sizeof(r->message), "replay drift at decision %d: expected %.200s, got %.200s",
			 r->rpos - (rec ? 1 : 0), want, got);
		free(want);
		free(got);
		return -1;
	}
	finding(r, "checker", "replay_drift", NULL, "decision %d: the trace has %.300s, the replay took %.300s",
		r->rpos - 1, want, got);
	free(want);
	free(got);
	return -1;
}

/* Is d the answer of a host backend in use (o->host_answers: served from the log)? */
static bool host_kind(const struct run *r, const cJSON *d)
{
	const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "kind")) ?: "";

	return (r->o->host_http && !strncmp(k, "http_request", 12)) ||
	       (r->o->host_proc && !strncmp(k, "proc_spawn", 10)) || (r->o->host_fs && !strncmp(k, "fs_", 3));
}

/*
 * Host answers served from a log (shrink): the host steps must ask the same
 * questions in the same order. Anything else is a structural divergence.
 */
static int host_answer_taken(struct run *r, const cJSON *d)
{
	const cJSON *rec = r->hcur;
	char *want, *got;
	bool same;

	if (!host_kind(r, d))
		return 0;
	if (rec)
		r->hcur = rec->next;
	want = rec ? cJSON_PrintUnformatted(rec) : xstrdup("no more host answers");
	got = cJSON_PrintUnformatted(d);
	same = rec && !strcmp(want, got);
	if (!same) {
		r->drift_error = true;
		snprintf(r->message, sizeof(r->message), "the host would be asked something new: expected %.200s, got %.200s",
			 want, got);
	}
	free(want);
	free(got);
	return same ? 0 : -1;
}

/* Host steps answered from a log (replay, or host_answers) rather than by the host. */
static bool from_log(const struct run *r)
{
	return r->replay || r->o->host_answers;
}

static cJSON *dec(const char *kind)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "kind", kind);
	return d;
}

/* Move time by ms: sleeps (explicit=false) do not move a frozen clock. Non-det also sleeps for real. */
static void pass_time(struct run *r, uint64_t ms, bool explicit_advance)
{
	if (r->w.frozen && !explicit_advance)
		return;
	if (!r->o->det && !explicit_advance && !r->replay)
		real_sleep_ms(ms);
	r->w.now_ms += ms;
}

/* ---- small cJSON helpers ---- */

static const char *str(const cJSON *st, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, k));
}

static bool has(const cJSON *st, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, k);

	return v && !cJSON_IsNull(v);
}

static double num(const cJSON *st, const char *k)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(st, k));
}

static uint64_t dur_ms(const cJSON *st, const char *k)
{
	uint64_t ns = 0;

	parse_duration(str(st, k), &ns); /* validated */
	return ns / 1000000;
}

static void map_set(cJSON *map, const char *k, const char *v)
{
	if (has_key(map, k))
		cJSON_ReplaceItemInObjectCaseSensitive(map, k, cJSON_CreateString(v));
	else
		cJSON_AddStringToObject(map, k, v);
}

static const char *map_get(const cJSON *map, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(map, k));
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

/* A copy of j with the keys of every object sorted. */
static cJSON *sorted_dup(const cJSON *j)
{
	const cJSON *c;
	cJSON *out, **kids;
	size_t n = 0, i;

	if (cJSON_IsArray(j)) {
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(c, j)
			cJSON_AddItemToArray(out, sorted_dup(c));
		return out;
	}
	if (!cJSON_IsObject(j))
		return cJSON_Duplicate(j, true);
	out = cJSON_CreateObject();
	cJSON_ArrayForEach(c, j)
		n++;
	kids = xcalloc(n + 1, sizeof(cJSON *));
	n = 0;
	cJSON_ArrayForEach(c, j)
		kids[n++] = (cJSON *)c;
	qsort(kids, n, sizeof(cJSON *), cmp_key);
	for (i = 0; i < n; i++)
		cJSON_AddItemToObject(out, kids[i]->string, sorted_dup(kids[i]));
	free(kids);
	return out;
}

/* Compact JSON with object keys sorted, so equal values print equally. */
static char *canonical_json(const cJSON *j)
{
	cJSON *d = sorted_dup(j);
	char *s = cJSON_PrintUnformatted(d);

	cJSON_Delete(d);
	return s;
}

/* ---- world state ---- */

static void world_init(struct world *w, uint64_t seed)
{
	memset(w, 0, sizeof(*w));
	prng_init(&w->rng, seed, STREAM_SCENARIO);
	w->kv = cJSON_CreateObject();
	w->fs = cJSON_CreateObject();
	w->snaps = cJSON_CreateObject();
	w->http = cJSON_CreateArray();
	w->proc = cJSON_CreateArray();
	w->queue = cJSON_CreateArray();
	w->inbox = cJSON_CreateObject();
	w->parts = cJSON_CreateArray();
	w->touched = cJSON_CreateObject();
	w->next_msg = 1;
	w->mem.next_id = 1;
	w->mem.live = cJSON_CreateArray();
}

static void world_release(struct world *w)
{
	cJSON *all[] = { w->kv, w->fs, w->snaps, w->http, w->proc, w->queue, w->inbox, w->parts, w->mem.live, w->touched };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		cJSON_Delete(all[i]);
}

static void world_copy(struct world *dst, const struct world *src)
{
	*dst = *src;
	dst->kv = cJSON_Duplicate(src->kv, true);
	dst->fs = cJSON_Duplicate(src->fs, true);
	dst->snaps = cJSON_Duplicate(src->snaps, true);
	dst->http = cJSON_Duplicate(src->http, true);
	dst->proc = cJSON_Duplicate(src->proc, true);
	dst->queue = cJSON_Duplicate(src->queue, true);
	dst->inbox = cJSON_Duplicate(src->inbox, true);
	dst->parts = cJSON_Duplicate(src->parts, true);
	dst->touched = cJSON_Duplicate(src->touched, true);
	dst->mem.live = cJSON_Duplicate(src->mem.live, true);
}

/* ---- the steps ---- */

static int exec_steps(struct run *r, const cJSON *steps, const char *path, const char *span_prefix);

static int assert_msg(struct run *r, const cJSON *st, const char *title, const char *fmt, ...) PRINTF(4, 5);
static int assert_msg(struct run *r, const cJSON *st, const char *title, const char *fmt, ...)
{
	char m[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (str(st, "msg"))
		return finding(r, "assertion", title, NULL, "%s (%s)", str(st, "msg"), m);
	return finding(r, "assertion", title, NULL, "%s", m);
}

static int kv_poll(struct run *r, const cJSON *st, bool never)
{
	const char *key = str(st, "key"), *want = str(st, "equals");
	uint64_t within = dur_ms(st, "within"), poll = dur_ms(st, "poll"), spent = 0;

	for (;;) {
		const char *v = map_get(r->w.kv, key);
		bool hit = v && !strcmp(v, want);

		if (hit && !never)
			return 0;
		if (hit && never)
			return assert_msg(r, st, "assert_never_kv", "KV[%s] became '%s' after %" PRIu64 " ms", key, want, spent);
		if (spent >= within)
			break;
		if (r->o->det || r->replay) {
			/* nothing else runs in a steps scenario, so no poll can change the answer: jump to the end */
			uint64_t n = (within - spent + poll - 1) / poll;

			pass_time(r, n * poll, false);
			spent += n * poll;
			continue;
		}
		pass_time(r, poll, false);
		spent += poll;
	}
	if (never)
		return 0;
	return assert_msg(r, st, "assert_eventually_kv", "KV[%s] did not become '%s' within %" PRIu64 " ms (it is %s%s%s)",
			  key, want, within, map_get(r->w.kv, key) ? "'" : "", map_get(r->w.kv, key) ?: "absent",
			  map_get(r->w.kv, key) ? "'" : "");
}

static int step_throws(struct run *r, const cJSON *st, const char *path, const char *span, const char *type)
{
	struct world saved;
	cJSON *scratch = cJSON_CreateArray(), *outer = r->sink;
	char *p = xasprintf("%s.steps", path), *sp = xasprintf("%s.", span + 5); /* "step-1.0": without "step-" */
	int rc;

	world_copy(&saved, &r->w);
	r->sink = scratch;
	rc = exec_steps(r, cJSON_GetObjectItemCaseSensitive(st, "steps"), p, sp);
	r->sink = outer;
	{
		/* the nested changes are rolled back, but not the clock: time only goes forward */
		uint64_t now = r->w.now_ms;

		world_release(&r->w);
		r->w = saved;
		if (now > r->w.now_ms)
			r->w.now_ms = now;
	}
	/* the log keeps the nested steps' decisions and events: replay walks them again */
	{
		cJSON *f = cJSON_CreateObject();

		cJSON_AddBoolToObject(f, "nestedFailed", rc != 0);
		event(r, "assert_nested_result", f);
	}
	free(p);
	free(sp);
	if (r->drift_error || r->timed_out) {
		cJSON_Delete(scratch);
		return -1;
	}
	if (rc) {
		/* a replay drift inside is not the expected failure */
		const cJSON *f;

		cJSON_ArrayForEach(f, scratch) {
			if (!strncmp(str(f, "title") ?: "", "replay_", 7)) {
				cJSON_AddItemToArray(r->sink, cJSON_Duplicate(f, true));
				cJSON_Delete(scratch);
				return -1;
			}
		}
		cJSON_Delete(scratch);
		return 0;
	}
	cJSON_Delete(scratch);
	return finding(r, "assertion", type, NULL, "expected failure but the nested steps passed");
}

/* Header names: trimmed, lower-cased; empty or CR/LF is invalid. NULL on error. */
static cJSON *canon_headers(struct run *r, const cJSON *h)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *e;

	cJSON_ArrayForEach(e, h) {
		char *k = xstrdup(e->string), *s = k, *end;
		size_t i;

		while (*s == ' ' || *s == '\t')
			s++;
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		for (i = 0; s[i]; i++)
			s[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
		if (!*s || strpbrk(s, "\r\n") || strpbrk(e->valuestring, "\r\n")) {
			finding(r, "checker", "http_header_invalid", NULL, "header '%s' has an empty name or a CR/LF", e->string);
			free(k);
			cJSON_Delete(o);
			return NULL;
		}
		map_set(o, s, e->valuestring);
		free(k);
	}
	return o;
}

static int step_http_when(struct run *r, const cJSON *st)
{
	cJSON *rule, *h;
	uint64_t ns = 0;

	if (has(st, "body") && has(st, "json"))
		return finding(r, "checker", "http_when_invalid", NULL, "http_when sets both body and json; choose one");
	if (has(st, "delay") && parse_duration(str(st, "delay"), &ns))
		return finding(r, "checker", "invalid_duration", NULL, "invalid http_when delay '%s'", str(st, "delay"));
	if (r->o->host_http && strncmp(str(st, "path"), "http://", 7) && strncmp(str(st, "path"), "https://", 8) &&
	    str(st, "path")[0] != '/')
		return finding(r, "checker", "http_when_host_path", NULL, "with --http-backend host a rule's path is a URL or "
			       "starts with /, not '%s'", str(st, "path"));
	h = canon_headers(r, cJSON_GetObjectItemCaseSensitive(st, "headers"));
	if (!h)
		return -1;
	rule = cJSON_CreateObject();
	cJSON_AddStringToObject(rule, "method", str(st, "method"));
	cJSON_AddStringToObject(rule, "path", str(st, "path"));
	cJSON_AddNumberToObject(rule, "status", num(st, "status"));
	cJSON_AddItemToObject(rule, "headers", h);
	if (has(st, "json")) {
		char *s = canonical_json(cJSON_GetObjectItemCaseSensitive(st, "json"));

		cJSON_AddStringToObject(rule, "body", s);
		free(s);
	} else {
		cJSON_AddStringToObject(rule, "body", str(st, "body") ?: "");
	}
	cJSON_AddBoolToObject(rule, "is_json", has(st, "json"));
	cJSON_AddBoolToObject(rule, "has_body", has(st, "body"));
	cJSON_AddNumberToObject(rule, "delay_ms", (double)(ns / 1000000));
	cJSON_AddNumberToObject(rule, "left", has(st, "times") ? num(st, "times") : -1);
	cJSON_AddItemToArray(r->w.http, rule);
	return 0;
}

static cJSON *take_rule(cJSON *rules, bool (*match)(const cJSON *rule, const cJSON *st), const cJSON *st)
{
	cJSON *rule;

	cJSON_ArrayForEach(rule, rules) {
		cJSON *left = cJSON_GetObjectItemCaseSensitive(rule, "left");

		if (left->valuedouble == 0 || !match(rule, st))
			continue;
		if (left->valuedouble > 0)
			cJSON_SetNumberValue(left, left->valuedouble - 1);
		return rule;
	}
	return NULL;
}

static bool http_match(const cJSON *rule, const cJSON *st)
{
	return !strcmp(str(rule, "method"), str(st, "method")) && !strcmp(str(rule, "path"), str(st, "path"));
}

/* The response a request got, scripted or from the host. */
struct http_resp {
	int status;
	const char *body;
	const cJSON *headers;
};

static int check_response(struct run *r, const cJSON *st, const struct http_resp *h)
{
	const cJSON *want;

	if (has(st, "expect_status") && (int)num(st, "expect_status") != h->status)
		return finding(r, "assertion", "http_status", NULL, "%s %s: status %d, expected %d", str(st, "method"),
			       str(st, "path"), h->status, (int)num(st, "expect_status"));
	if (has(st, "expect_body") && strcmp(str(st, "expect_body"), h->body))
		return finding(r, "assertion", "http_body", NULL, "%s %s: body '%.200s', expected '%.200s'", str(st, "method"),
			       str(st, "path"), h->body, str(st, "expect_body"));
	want = cJSON_GetObjectItemCaseSensitive(st, "expect_json");
	if (want) {
		cJSON *got = cJSON_Parse(h->body);
		bool same = got && cJSON_Compare(got, want, true);

		if (!got)
			return finding(r, "assertion", "http_json_parse", NULL, "%s %s: the body is not JSON", str(st, "method"),
				       str(st, "path"));
		cJSON_Delete(got);
		if (!same) {
			char *w = canonical_json(want);
			int rc = finding(r, "assertion", "http_json", NULL, "%s %s: body %.200s, expected JSON %.200s",
					 str(st, "method"), str(st, "path"), h->body, w);

			free(w);
			return rc;
		}
	}
	if (has(st, "expect_headers")) {
		const cJSON *e;

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st, "expect_headers")) {
			char lower[256];
			const char *got;
			size_t i;

			for (i = 0; e->string[i] && i < sizeof(lower) - 1; i++)
				lower[i] = (char)((e->string[i] >= 'A' && e->string[i] <= 'Z') ? e->string[i] + 32 : e->string[i]);
			lower[i] = 0;
			got = map_get(h->headers, lower);
			if (!got || strcmp(got, e->valuestring))
				return finding(r, "assertion", "http_headers", NULL, "%s %s: header %s is %s%s%s, expected '%s'",
					       str(st, "method"), str(st, "path"), lower, got ? "'" : "", got ?: "absent",
					       got ? "'" : "", e->valuestring);
		}
	}
	if (has(st, "save_body_as"))
		map_set(r->w.kv, str(st, "save_body_as"), h->body);
	return 0;
}

static void http_events(struct run *r, const cJSON *st, const char *backend, int status, size_t body_len, uint64_t ms)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "method", str(st, "method"));
	cJSON_AddStringToObject(f, "path", str(st, "path"));
	cJSON_AddStringToObject(f, "backend", backend);
	cJSON_AddNumberToObject(f, "status", status);
	cJSON_AddNumberToObject(f, "response_payload_bytes", (double)body_len);
	cJSON_AddNumberToObject(f, "request_payload_bytes", has(st, "body") ? (double)strlen(str(st, "body")) : 0);
	event(r, "http_request", f);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "op", "request");
	cJSON_AddStringToObject(f, "method", str(st, "method"));
	cJSON_AddStringToObject(f, "path", str(st, "path"));
	cJSON_AddNumberToObject(f, "payload_bytes", (double)body_len);
	cJSON_AddItemToObject(f, "duration_ms", jnum(ms));
	event(r, "capability_http", f);
}

static uint64_t remaining_ms(const struct run *r)
{
	uint64_t el;

	if (!r->o->has_timeout)
		return 0;
	el = r->o->det || r->replay ? r->w.now_ms : wall_ms() - r->wall0_ms;
	return el >= r->o->timeout_ms ? 1 : r->o->timeout_ms - el;
}

/* The recorded decision at the cursor, if it is of that kind (replay of host steps). */
static const cJSON *recorded(struct run *r, const char *kind)
{
	const cJSON *rec = r->replay ? r->rcur : r->hcur;

	if (rec && !strcmp(str(rec, "kind") ?: "", kind))
		return rec;
	return NULL;
}

static bool host_rule_matches(const cJSON *rule, const char *method, const char *url)
{
	const char *rp = str(rule, "path"), *p;

	if (strcmp(str(rule, "method"), method))
		return false;
	if (!strcmp(rp, url))
		return true;
	if (rp[0] != '/')
		return false;
	/* "/path?query" of the URL */
	p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	return p ? !strcmp(p, rp) : !strcmp(rp, "/");
}

static char *text_of(const struct buf *b);

static int step_http_host(struct run *r, const cJSON *st)
{
	const char *method = str(st, "method"), *url = str(st, "path");
	cJSON *rule = NULL, *d, *headers;
	const cJSON *rec = NULL;
	struct http_resp h;
	uint64_t ms = 0;
	char *body;
	int rc;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return finding(r, "checker", "http_host_url", NULL, "with --http-backend host the path must be an absolute "
			       "http:// or https:// URL, not '%s'", url);
	{
		/* a CR or LF would inject header lines into the request */
		const cJSON *e;

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st, "headers"))
			if (!e->string[0] || strpbrk(e->string, "\r\n:") || strpbrk(e->valuestring, "\r\n"))
				return finding(r, "checker", "http_header_invalid", NULL, "request header '%.100s' has an empty "
					       "name, a colon in the name, or a CR/LF", e->string);
		if (strpbrk(method, "\r\n \t") || !*method)
			return finding(r, "checker", "http_header_invalid", NULL, "invalid HTTP method '%.50s'", method);
	}
	if (cJSON_GetArraySize(r->w.http)) {
		cJSON_ArrayForEach(rule, r->w.http) {
			cJSON *left = cJSON_GetObjectItemCaseSensitive(rule, "left");

			if (left->valuedouble != 0 && host_rule_matches(rule, method, url)) {
				if (left->valuedouble > 0)
					cJSON_SetNumberValue(left, left->valuedouble - 1);
				break;
			}
		}
		if (!rule)
			return finding(r, "assertion", "http_when_host_unmatched", NULL, "no http_when rule matches %s %s; with "
				       "rules declared, every host request must match one (or remove the rules)", method, url);
	}
	if (from_log(r)) {
		rec = recorded(r, "http_request_timeout");
		if (!rec)
			rec = recorded(r, "http_request_error");
		if (!rec)
			rec = recorded(r, "http_request");
		if (!rec) {
			d = dec("http_request");
			cJSON_AddStringToObject(d, "method", method);
			cJSON_AddStringToObject(d, "path", url);
			return decide(r, d); /* reports the divergence */
		}
		d = cJSON_Duplicate(rec, true);
	} else {
		struct host_http_req q = { .method = method, .url = url, .body = str(st, "body"),
					   .headers = cJSON_GetObjectItemCaseSensitive(st, "headers"), .timeout_ms = remaining_ms(r) };
		struct host_http_res res;
		uint64_t t0 = now_mono_ns();

		hosthttp_request(&q, &res);
		ms = (now_mono_ns() - t0 + 999999) / 1000000;
		d = dec(res.timed_out ? "http_request_timeout" : res.ok ? "http_request" : "http_request_error");
		cJSON_AddStringToObject(d, "method", method);
		cJSON_AddStringToObject(d, "path", url);
		if (!res.ok && !res.timed_out)
			cJSON_AddStringToObject(d, "error", res.why); /* the failure is an answer too: replay repeats it */
		if (res.ok) {
			char *text = text_of(&res.body);

			cJSON_AddNumberToObject(d, "status_code", res.status);
			cJSON_AddItemToObject(d, "headers", res.headers);
			res.headers = NULL;
			cJSON_AddStringToObject(d, "body", text);
			free(text);
		}
		cJSON_AddItemToObject(d, "duration_ms", jnum(ms));
		host_http_res_release(&res);
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "method")) || strcmp(str(d, "method"), method) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "path")) || strcmp(str(d, "path"), url)) {
		cJSON_Delete(d);
		d = dec("http_request");
		cJSON_AddStringToObject(d, "method", method);
		cJSON_AddStringToObject(d, "path", url);
		return decide(r, d); /* another request than recorded: a divergence */
	}
	ms = (uint64_t)num(d, "duration_ms");
	if (decide(r, d))
		return -1;
	r->w.now_ms += ms; /* host time passes on the virtual clock too, as recorded */
	if (!strcmp(str(d, "kind"), "http_request_error"))
		return finding(r, "checker", "http_host_request", NULL, "%s %s: %s", method, url, str(d, "error") ?: "failed");
	if (!strcmp(str(d, "kind"), "http_request_timeout")) {
		http_events(r, st, from_log(r) ? "replay" : "host", 0, 0, ms);
		r->timed_out = true;
		return finding(r, "hang", "timeout", NULL, "%s %s: no answer within the --timeout budget", method, url);
	}
	headers = cJSON_GetObjectItemCaseSensitive(d, "headers");
	body = (char *)str(d, "body");
	h = (struct http_resp){ .status = (int)num(d, "status_code"), .body = body ? body : "", .headers = headers };
	http_events(r, st, from_log(r) ? "replay" : "host", h.status, strlen(h.body), ms);
	if (rule) {
		/* the live answer must be the declared one */
		const cJSON *e;

		if ((int)num(rule, "status") != h.status)
			return finding(r, "assertion", "http_when_host_status", NULL, "%s %s answered %d, the http_when rule "
				       "says %d", method, url, h.status, (int)num(rule, "status"));
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rule, "headers")) {
			const char *got = map_get(h.headers, e->string);

			if (!got || strcmp(got, e->valuestring))
				return finding(r, "assertion", "http_when_host_headers", NULL, "%s %s: header %s is %s, the rule "
					       "says '%s'", method, url, e->string, got ?: "absent", e->valuestring);
		}
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rule, "is_json"))) {
			cJSON *got = cJSON_Parse(h.body), *want = cJSON_Parse(str(rule, "body"));
			bool same = got && want && cJSON_Compare(got, want, true);

			cJSON_Delete(got);
			cJSON_Delete(want);
			if (!same)
				return finding(r, "assertion", "http_when_host_json", NULL, "%s %s: body %.200s, the rule says "
					       "JSON %.200s", method, url, h.body, str(rule, "body"));
		} else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rule, "has_body")) && strcmp(str(rule, "body"), h.body)) {
			return finding(r, "assertion", "http_when_host_body", NULL, "%s %s: body '%.200s', the rule says "
				       "'%.200s'", method, url, h.body, str(rule, "body"));
		}
	}
	rc = check_response(r, st, &h);
	return rc;
}

static int step_http_request(struct run *r, const cJSON *st)
{
	const cJSON *rule;
	struct http_resp h;

	if (has(st, "expect_body") && has(st, "expect_json"))
		return finding(r, "checker", "http_request_invalid", NULL, "http_request sets both expect_body and expect_json");
	if (r->o->host_http)
		return step_http_host(r, st);
	rule = take_rule(r->w.http, http_match, st);
	if (!rule) {
		cJSON *f = cJSON_CreateObject();

		cJSON_AddStringToObject(f, "method", str(st, "method"));
		cJSON_AddStringToObject(f, "path", str(st, "path"));
		cJSON_AddStringToObject(f, "backend", "scripted");
		event(r, "http_request", f);
		return finding(r, "assertion", "http_unmatched", NULL,
			       "no http_when rule (with uses left) for %s %s; declare one with http_when", str(st, "method"),
			       str(st, "path"));
	}
	pass_time(r, (uint64_t)num(rule, "delay_ms"), false);
	h = (struct http_resp){ .status = (int)num(rule, "status"), .body = str(rule, "body"),
				.headers = cJSON_GetObjectItemCaseSensitive(rule, "headers") };
	http_events(r, st, "scripted", h.status, strlen(h.body), (uint64_t)num(rule, "delay_ms"));
	return check_response(r, st, &h);
}

static int step_proc_when(struct run *r, const cJSON *st)
{
	cJSON *rule = cJSON_CreateObject();

	cJSON_AddStringToObject(rule, "cmd", str(st, "cmd"));
	cJSON_AddItemToObject(rule, "args", has(st, "args") ? cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(st, "args"), true)
							     : cJSON_CreateArray());
	cJSON_AddNumberToObject(rule, "exit_code", num(st, "exit_code"));
	cJSON_AddStringToObject(rule, "stdout", str(st, "stdout") ?: "");
	cJSON_AddStringToObject(rule, "stderr", str(st, "stderr") ?: "");
	cJSON_AddNumberToObject(rule, "left", has(st, "times") ? num(st, "times") : -1);
	cJSON_AddItemToArray(r->w.proc, rule);
	return 0;
}

static bool proc_match(const cJSON *rule, const cJSON *st)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(st, "args");
	cJSON *empty = cJSON_CreateArray();
	bool same = !strcmp(str(rule, "cmd"), str(st, "cmd")) &&
		    cJSON_Compare(cJSON_GetObjectItemCaseSensitive(rule, "args"), a && !cJSON_IsNull(a) ? a : empty, true);

	cJSON_Delete(empty);
	return same;
}

/* Text for JSON: a NUL would end the string, so it becomes U+FFFD. */
static char *text_of(const struct buf *b)
{
	struct buf t = { 0 };
	size_t i;

	for (i = 0; i < b->len; i++) {
		if (b->data[i])
			buf_addc(&t, b->data[i]);
		else
			buf_add(&t, "\xef\xbf\xbd", 3);
	}
	buf_addc(&t, 0);
	return (char *)t.data;
}

/* proc_spawn with --proc-backend host: the command runs under fozzy's supervisor. */
static int step_proc_host(struct run *r, const cJSON *st, cJSON *rule)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(st, "args"), *a;
	cJSON *d, *f;
	uint64_t ms, child_seed = draw(r);
	const char *out, *err;
	int code;

	if (from_log(r)) {
		const cJSON *rec = recorded(r, "proc_spawn_timeout");

		if (!rec)
			rec = recorded(r, "proc_spawn_error");
		if (!rec)
			rec = recorded(r, "proc_spawn");
		d = rec ? cJSON_Duplicate(rec, true) : dec("proc_spawn");
	} else {
		const char **argv = xcalloc((size_t)cJSON_GetArraySize(args) + 1, sizeof(char *));
		struct host_proc_req q = { .self = r->o->self_exe, .cmd = str(st, "cmd"), .args = argv, .det = r->o->det,
					   .seed = child_seed, .timeout_ms = remaining_ms(r) };
		struct host_proc_res res;
		uint64_t t0 = now_mono_ns();
		size_t i = 0;
		char *o, *e;

		cJSON_ArrayForEach(a, args)
			argv[i++] = a->valuestring;
		hostproc_run(&q, &res);
		free(argv);
		if (!res.ok || res.over_limit) {
			/* the failure is an answer too: replay repeats it */
			char why[600];

			if (res.ok)
				snprintf(why, sizeof(why), "it wrote more than %u MiB on stdout or stderr (the limit)",
					 HOST_MAX_BYTES >> 20);
			else
				snprintf(why, sizeof(why), "%s", res.why);
			d = dec("proc_spawn_error");
			cJSON_AddStringToObject(d, "cmd", str(st, "cmd"));
			cJSON_AddItemToObject(d, "args", args ? cJSON_Duplicate(args, true) : cJSON_CreateArray());
			cJSON_AddStringToObject(d, "error", why);
			cJSON_AddNumberToObject(d, "duration_ms", 0);
			host_proc_res_release(&res);
			goto decided;
		}
		/* its own clock: virtual under --det, else the real time it took */
		ms = r->o->det ? res.vtime_ns / 1000000 : (now_mono_ns() - t0 + 999999) / 1000000;
		d = dec(res.timed_out ? "proc_spawn_timeout" : "proc_spawn");
		cJSON_AddStringToObject(d, "cmd", str(st, "cmd"));
		cJSON_AddItemToObject(d, "args", args ? cJSON_Duplicate(args, true) : cJSON_CreateArray());
		if (!res.timed_out)
			cJSON_AddNumberToObject(d, "exit_code", res.exit_code);
		o = text_of(&res.out);
		e = text_of(&res.err);
		cJSON_AddStringToObject(d, "stdout", o);
		cJSON_AddStringToObject(d, "stderr", e);
		free(o);
		free(e);
		cJSON_AddItemToObject(d, "duration_ms", jnum(ms));
		host_proc_res_release(&res);
	}
decided:
	{
		/* the recorded call must be this one */
		cJSON *empty = cJSON_CreateArray();
		bool same = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "cmd")) && !strcmp(str(d, "cmd"), str(st, "cmd")) &&
			    cJSON_Compare(cJSON_GetObjectItemCaseSensitive(d, "args"), args ? args : empty, true);

		cJSON_Delete(empty);
		if (!same) {
			cJSON_Delete(d);
			d = dec("proc_spawn");
			cJSON_AddStringToObject(d, "cmd", str(st, "cmd"));
			return decide(r, d); /* reports the divergence */
		}
	}
	ms = (uint64_t)num(d, "duration_ms");
	if (decide(r, d))
		return -1;
	r->w.now_ms += ms;
	if (!strcmp(str(d, "kind"), "proc_spawn_error"))
		return finding(r, "checker", "proc_spawn_host", NULL, "'%s': %s", str(st, "cmd"), str(d, "error") ?: "failed");
	out = str(d, "stdout") ?: "";
	err = str(d, "stderr") ?: "";
	code = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(d, "exit_code")) ? (int)num(d, "exit_code") : -1;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "cmd", str(st, "cmd"));
	cJSON_AddStringToObject(f, "backend", from_log(r) ? "replay" : "host");
	cJSON_AddNumberToObject(f, "exit_code", code);
	cJSON_AddNumberToObject(f, "stdout_bytes", (double)strlen(out));
	cJSON_AddNumberToObject(f, "stderr_bytes", (double)strlen(err));
	event(r, "proc_spawn", f);
	if (!strcmp(str(d, "kind"), "proc_spawn_timeout")) {
		r->timed_out = true;
		return finding(r, "hang", "timeout", NULL, "'%s' had not exited when the --timeout budget ran out",
			       str(st, "cmd"));
	}
	if (rule) {
		if ((int)num(rule, "exit_code") != code)
			return finding(r, "assertion", "proc_when_host_exit", NULL, "'%s' exited %d, the proc_when rule says %d",
				       str(st, "cmd"), code, (int)num(rule, "exit_code"));
		if (strcmp(str(rule, "stdout"), out))
			return finding(r, "assertion", "proc_when_host_stdout", NULL, "'%s' wrote '%.200s', the proc_when rule "
				       "says '%.200s'", str(st, "cmd"), out, str(rule, "stdout"));
		if (strcmp(str(rule, "stderr"), err))
			return finding(r, "assertion", "proc_when_host_stderr", NULL, "'%s' wrote '%.200s' on stderr, the rule "
				       "says '%.200s'", str(st, "cmd"), err, str(rule, "stderr"));
	}
	if (has(st, "expect_exit") && (int)num(st, "expect_exit") != code)
		return finding(r, "assertion", "proc_exit", NULL, "'%s' exited %d, expected %d", str(st, "cmd"), code,
			       (int)num(st, "expect_exit"));
	if (has(st, "expect_stdout") && strcmp(str(st, "expect_stdout"), out))
		return finding(r, "assertion", "proc_stdout", NULL, "'%s' wrote '%.200s' on stdout, expected '%.200s'",
			       str(st, "cmd"), out, str(st, "expect_stdout"));
	if (has(st, "expect_stderr") && strcmp(str(st, "expect_stderr"), err))
		return finding(r, "assertion", "proc_stderr", NULL, "'%s' wrote '%.200s' on stderr, expected '%.200s'",
			       str(st, "cmd"), err, str(st, "expect_stderr"));
	if (has(st, "save_stdout_as"))
		map_set(r->w.kv, str(st, "save_stdout_as"), out);
	return 0;
}

static int step_proc_spawn(struct run *r, const cJSON *st, const char *path, int index)
{
	const cJSON *rule = take_rule(r->w.proc, proc_match, st);
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(st, "args");
	cJSON *d, *f;
	int code;

	if (r->o->host_proc) {
		if (!rule && cJSON_GetArraySize(r->w.proc))
			return finding(r, "assertion", "proc_when_host_unmatched", NULL, "no proc_when rule matches '%s'; with "
				       "rules declared, every host command must match one (or remove the rules)", str(st, "cmd"));
		return step_proc_host(r, st, (cJSON *)rule);
	}

	if (!rule) {
		cJSON *det = step_details(path, index, "proc_spawn"), *sug = cJSON_CreateObject();

		cJSON_AddStringToObject(det, "command", str(st, "cmd"));
		cJSON_AddItemToObject(det, "args", has(st, "args") ? cJSON_Duplicate(args, true) : cJSON_CreateArray());
		if (r->o->path)
			cJSON_AddStringToObject(det, "scenarioPath", r->o->path);
		cJSON_AddStringToObject(sug, "type", "proc_when");
		cJSON_AddStringToObject(sug, "cmd", str(st, "cmd"));
		cJSON_AddItemToObject(sug, "args", has(st, "args") ? cJSON_Duplicate(args, true) : cJSON_CreateArray());
		cJSON_AddNumberToObject(sug, "exit_code", 0);
		cJSON_AddStringToObject(sug, "stdout", "");
		cJSON_AddStringToObject(sug, "stderr", "");
		cJSON_AddNumberToObject(sug, "times", 1);
		cJSON_AddItemToObject(det, "suggestedProcWhen", sug);
		return finding(r, "assertion", "proc_unmatched", det,
			       "no proc_when rule (with uses left) for '%s'; the scripted process backend runs nothing real "
			       "(add a proc_when; see location.details.suggestedProcWhen)", str(st, "cmd"));
	}
	code = (int)num(rule, "exit_code");
	d = dec("proc_spawn");
	cJSON_AddStringToObject(d, "cmd", str(st, "cmd"));
	cJSON_AddItemToObject(d, "args", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rule, "args"), true));
	cJSON_AddNumberToObject(d, "exit_code", code);
	cJSON_AddStringToObject(d, "stdout", str(rule, "stdout"));
	cJSON_AddStringToObject(d, "stderr", str(rule, "stderr"));
	cJSON_AddNumberToObject(d, "duration_ms", 0);
	if (decide(r, d))
		return -1;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "cmd", str(st, "cmd"));
	cJSON_AddStringToObject(f, "backend", r->replay ? "replay" : "scripted");
	cJSON_AddNumberToObject(f, "exit_code", code);
	cJSON_AddNumberToObject(f, "stdout_bytes", (double)strlen(str(rule, "stdout")));
	cJSON_AddNumberToObject(f, "stderr_bytes", (double)strlen(str(rule, "stderr")));
	event(r, "proc_spawn", f);
	if (has(st, "expect_exit") && (int)num(st, "expect_exit") != code)
		return finding(r, "assertion", "proc_exit", NULL, "'%s' exited %d, expected %d", str(st, "cmd"), code,
			       (int)num(st, "expect_exit"));
	if (has(st, "expect_stdout") && strcmp(str(st, "expect_stdout"), str(rule, "stdout")))
		return finding(r, "assertion", "proc_stdout", NULL, "'%s' wrote '%.200s' on stdout, expected '%.200s'",
			       str(st, "cmd"), str(rule, "stdout"), str(st, "expect_stdout"));
	if (has(st, "expect_stderr") && strcmp(str(st, "expect_stderr"), str(rule, "stderr")))
		return finding(r, "assertion", "proc_stderr", NULL, "'%s' wrote '%.200s' on stderr, expected '%.200s'",
			       str(st, "cmd"), str(rule, "stderr"), str(st, "expect_stderr"));
	if (has(st, "save_stdout_as"))
		map_set(r->w.kv, str(st, "save_stdout_as"), str(rule, "stdout"));
	return 0;
}

/* ---- network ---- */

static bool partitioned(const struct run *r, const char *a, const char *b)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, r->w.parts) {
		const char *x = cJSON_GetArrayItem(p, 0)->valuestring, *y = cJSON_GetArrayItem(p, 1)->valuestring;

		if ((!strcmp(x, a) && !strcmp(y, b)) || (!strcmp(x, b) && !strcmp(y, a)))
			return true;
	}
	return false;
}

static void set_partition(struct run *r, const char *a, const char *b, bool on)
{
	cJSON *p;
	int i = 0;

	cJSON_ArrayForEach(p, r->w.parts) {
		const char *x = cJSON_GetArrayItem(p, 0)->valuestring, *y = cJSON_GetArrayItem(p, 1)->valuestring;

		if ((!strcmp(x, a) && !strcmp(y, b)) || (!strcmp(x, b) && !strcmp(y, a))) {
			if (!on)
				cJSON_DeleteItemFromArray(r->w.parts, i);
			return;
		}
		i++;
	}
	if (on) {
		const char *pair[2] = { a, b };

		cJSON_AddItemToArray(r->w.parts, cJSON_CreateStringArray(pair, 2));
	}
}

static int step_net_deliver(struct run *r, const cJSON *st)
{
	const char *strategy = str(st, "strategy");
	cJSON *msg, *d, *f, *box;
	int idx[4096], n = 0, i = 0, pick;
	bool random_pick, dropped = false;
	uint64_t id;

	if (strategy && strcasecmp(strategy, "random") && strcasecmp(strategy, "fifo"))
		return finding(r, "checker", "net_deliver_strategy", NULL, "unknown strategy '%s' (fifo or random)", strategy);
	cJSON_ArrayForEach(msg, r->w.queue) {
		if (n < (int)ARRAY_SIZE(idx) && !partitioned(r, str(msg, "from"), str(msg, "to")))
			idx[n++] = i;
		i++;
	}
	if (!n)
		return finding(r, "assertion", "net_deliver", NULL, "no deliverable message (%d queued, all partitioned or none)",
			       cJSON_GetArraySize(r->w.queue));
	random_pick = strategy ? !strcasecmp(strategy, "random") : r->w.reorder;
	pick = random_pick ? idx[draw(r) % (uint64_t)n] : idx[0];
	msg = cJSON_GetArrayItem(r->w.queue, pick);
	id = (uint64_t)num(msg, "id");
	d = dec("net_deliver_pick");
	cJSON_AddItemToObject(d, "message_id", jnum(id));
	if (decide(r, d))
		return -1;
	if (r->w.drop_rate > 0)
		dropped = (double)(draw(r) >> 11) * 0x1.0p-53 < r->w.drop_rate;
	d = dec("net_drop");
	cJSON_AddItemToObject(d, "message_id", jnum(id));
	cJSON_AddBoolToObject(d, "dropped", dropped);
	if (decide(r, d))
		return -1;
	msg = cJSON_DetachItemFromArray(r->w.queue, pick);
	f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "id", jnum(id));
	cJSON_AddStringToObject(f, "from", str(msg, "from"));
	cJSON_AddStringToObject(f, "to", str(msg, "to"));
	if (dropped) {
		event(r, "net_drop", f);
		cJSON_Delete(msg);
		return 0;
	}
	event(r, "net_deliver", f);
	box = cJSON_GetObjectItemCaseSensitive(r->w.inbox, str(msg, "to"));
	if (!box)
		box = cJSON_AddArrayToObject(r->w.inbox, str(msg, "to"));
	cJSON_AddItemToArray(box, msg);
	return 0;
}

static int step_net_recv(struct run *r, const cJSON *st)
{
	cJSON *box = cJSON_GetObjectItemCaseSensitive(r->w.inbox, str(st, "node")), *m;
	int i = 0;

	cJSON_ArrayForEach(m, box) {
		if (!strcmp(str(m, "payload"), str(st, "payload")) && (!has(st, "from") || !strcmp(str(m, "from"), str(st, "from")))) {
			cJSON_DeleteItemFromArray(box, i);
			return 0;
		}
		i++;
	}
	return finding(r, "assertion", "net_recv_assert", NULL, "%s has no delivered message '%.200s'%s%s", str(st, "node"),
		       str(st, "payload"), has(st, "from") ? " from " : "", has(st, "from") ? str(st, "from") : "");
}

/* ---- memory model ---- */

static void mem_set_wave(struct mem *m, const char *pattern)
{
	const char *p = pattern;

	m->nwave = 0;
	while (*p && m->nwave < ARRAY_SIZE(m->wave)) {
		char *end;
		unsigned long long v;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		v = strtoull(p, &end, 10);
		if (end != p && v > 0 && v < (1ULL << 32))
			m->wave[m->nwave++] = v;
		p = end == p ? p + 1 : end;
		while (*p && *p != ',')
			p++;
	}
}

static char *callsite_hash(const struct run *r, const char *path, const cJSON *st)
{
	struct buf b = { 0 };
	XXH128_hash_t h;
	XXH128_canonical_t c;
	char *hex = xmalloc(33);

	buf_addf(&b, "memory_alloc|path=%s|step=%s", r->o->path ? r->o->path : "", path);
	if (has(st, "key"))
		buf_addf(&b, "|key=%s", str(st, "key"));
	if (has(st, "tag"))
		buf_addf(&b, "|tag=%s", str(st, "tag"));
	h = XXH3_128bits(b.data, b.len);
	XXH128_canonicalFromHash(&c, h);
	hex_encode(c.digest, 16, hex);
	buf_release(&b);
	return hex;
}

static int step_memory_alloc(struct run *r, const cJSON *st, const char *path)
{
	struct mem *m = &r->w.mem;
	uint64_t bytes = (uint64_t)num(st, "bytes"), eff = bytes, id = 0;
	const char *reason = NULL;
	char *cs = callsite_hash(r, path, st);
	cJSON *d, *f;

	m->used = true;
	m->attempts++;
	if (m->nwave && __builtin_mul_overflow(bytes, m->wave[(m->attempts - 1) % m->nwave], &eff))
		eff = 1ULL << 53;
	if (eff > 1ULL << 53)
		eff = 1ULL << 53; /* stays exact in JSON */
	if (m->has_frag) {
		uint64_t in[3] = { m->frag_seed, m->attempts, bytes };
		uint64_t h = XXH3_64bits(in, sizeof(in));

		eff += eff / 100 * ((h & 0xff) % 31) + eff % 100 * ((h & 0xff) % 31) / 100;
	}
	if (m->has_limit && m->limit_mb < (1ULL << 40) && m->in_use + eff > m->limit_mb * MIB)
		reason = "limit_mb";
	else if (m->has_fail_after && m->attempts > m->fail_after)
		reason = "fail_after_allocs";
	if (!reason)
		id = m->next_id++;
	d = dec("memory_alloc");
	cJSON_AddItemToObject(d, "bytes", jnum(bytes));
	cJSON_AddItemToObject(d, "effective_bytes", jnum(eff));
	cJSON_AddItemToObject(d, "alloc_id", jnum(id));
	cJSON_AddStringToObject(d, "callsite_hash", cs);
	if (reason)
		cJSON_AddStringToObject(d, "failed_reason", reason);
	if (decide(r, d)) {
		free(cs);
		return -1;
	}
	f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "alloc_id", jnum(id));
	cJSON_AddItemToObject(f, "bytes", jnum(bytes));
	cJSON_AddItemToObject(f, "effective_bytes", jnum(eff));
	if (has(st, "tag"))
		cJSON_AddStringToObject(f, "tag", str(st, "tag"));
	cJSON_AddStringToObject(f, "callsite_hash", cs);
	if (reason)
		cJSON_AddStringToObject(f, "failed_reason", reason);
	event(r, "memory_alloc", f);
	if (reason) {
		free(cs);
		m->failed++;
		return finding(r, "checker", "memory_alloc_failed", NULL, "allocation of %" PRIu64 " bytes (%" PRIu64
			       " effective) failed: %s", bytes, eff, !strcmp(reason, "limit_mb") ? "over memory_limit_mb" :
			       "past memory_fail_after_allocs");
	}
	m->allocs++;
	m->alloc_bytes += eff;
	m->in_use += eff;
	if (m->in_use > m->peak)
		m->peak = m->in_use;
	f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "id", jnum(id));
	cJSON_AddItemToObject(f, "bytes", jnum(bytes));
	cJSON_AddItemToObject(f, "effective_bytes", jnum(eff));
	if (has(st, "tag"))
		cJSON_AddStringToObject(f, "tag", str(st, "tag"));
	cJSON_AddStringToObject(f, "callsite_hash", cs);
	cJSON_AddItemToArray(m->live, f);
	free(cs);
	if (has(st, "key")) {
		char s[24];

		snprintf(s, sizeof(s), "%" PRIu64, id);
		map_set(r->w.kv, str(st, "key"), s);
	}
	return 0;
}

static int step_memory_free(struct run *r, const cJSON *st)
{
	struct mem *m = &r->w.mem;
	uint64_t id;
	cJSON *a, *d, *f;
	bool existed = false;
	int i = 0;

	m->used = true;
	if (has(st, "key")) {
		const char *v = map_get(r->w.kv, str(st, "key"));

		if (!v || parse_u64(v, &id))
			return finding(r, "checker", "memory_free", NULL, "KV[%s] %s", str(st, "key"),
				       v ? "is not an allocation id" : "is not set");
	} else {
		id = (uint64_t)num(st, "alloc_id");
	}
	cJSON_ArrayForEach(a, m->live) {
		if ((uint64_t)num(a, "id") == id) {
			existed = true;
			break;
		}
		i++;
	}
	d = dec("memory_free");
	cJSON_AddItemToObject(d, "alloc_id", jnum(id));
	cJSON_AddBoolToObject(d, "existed", existed);
	if (decide(r, d))
		return -1;
	f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "alloc_id", jnum(id));
	cJSON_AddBoolToObject(f, "existed", existed);
	event(r, "memory_free", f);
	if (!existed)
		return finding(r, "checker", "memory_free_missing", NULL, "allocation %" PRIu64 " is not live (never allocated "
			       "or already freed)", id);
	m->in_use -= (uint64_t)num(a, "effective_bytes");
	m->frees++;
	cJSON_DeleteItemFromArray(m->live, i);
	return 0;
}

/* ---- host files ---- */

static char *hex_of(const void *p, size_t n)
{
	char *h = xmalloc(2 * n + 1);

	hex_encode(p, n, h);
	return h;
}

static int unhex(const char *h, struct buf *out)
{
	size_t i, n = strlen(h);

	if (n % 2)
		return -1;
	for (i = 0; i < n; i += 2) {
		unsigned v;

		if (sscanf(h + i, "%2x", &v) != 1)
			return -1;
		buf_addc(out, (uint8_t)v);
	}
	return 0;
}

/* fs_* with --fs-backend host: real files beneath the working directory. */
static int step_fs_host(struct run *r, const cJSON *st, const char *t)
{
	const char *key = has(st, "path") ? str(st, "path") : str(st, "name");
	const char *kind = t; /* the decision kind is the step type */
	cJSON *d, *f;
	uint64_t t0 = now_mono_ns(), ms;
	int rc = 0;

	if (has(st, "path") && !hostfs_path_ok(key))
		return finding(r, "checker", "host_fs_path", NULL, "'%s' is not a relative path beneath the working directory "
			       "(no /, . or .. components)", key);
	if (from_log(r)) {
		const cJSON *rec = recorded(r, kind);

		d = rec ? cJSON_Duplicate(rec, true) : dec(kind);
	} else {
		d = dec(kind);
		if (!strcmp(t, "fs_write")) {
			const char *data = str(st, "data");
			char *hx = hex_of(data, strlen(data));

			cJSON_AddStringToObject(d, "path", key);
			cJSON_AddStringToObject(d, "data_hex", hx);
			if (!has_key(r->w.touched, key)) {
				/* first write: remember what was there, so a restore can put it back */
				struct buf old = { 0 };
				bool missing;

				if (hostfs_read(r->o->fs_root, key, &old, &missing)) {
					cJSON_AddStringToObject(d, "error", strerror(errno));
				} else if (missing) {
					cJSON_AddNullToObject(d, "before_hex");
				} else {
					char *bh = hex_of(old.data, old.len);

					cJSON_AddStringToObject(d, "before_hex", bh);
					free(bh);
				}
				buf_release(&old);
			}
			if (!has_key(d, "error") && hostfs_write(r->o->fs_root, key, data, strlen(data)))
				cJSON_AddStringToObject(d, "error", strerror(errno)); /* replay repeats the failure */
			free(hx);
		} else if (!strcmp(t, "fs_read_assert")) {
			struct buf b = { 0 };
			bool missing;

			cJSON_AddStringToObject(d, "path", key);
			if (hostfs_read(r->o->fs_root, key, &b, &missing)) {
				cJSON_AddNullToObject(d, "data_hex");
				cJSON_AddStringToObject(d, "error", strerror(errno));
			} else if (missing) {
				cJSON_AddNullToObject(d, "data_hex");
			} else {
				char *hx = hex_of(b.data, b.len);

				cJSON_AddStringToObject(d, "data_hex", hx);
				free(hx);
			}
			buf_release(&b);
		} else if (!strcmp(t, "fs_snapshot")) {
			cJSON *entries = cJSON_CreateObject();
			const cJSON *p;

			cJSON_ArrayForEach(p, r->w.touched) {
				struct buf b = { 0 };
				bool missing;

				if (hostfs_read(r->o->fs_root, p->string, &b, &missing)) {
					if (!has_key(d, "error")) {
						char *m = xasprintf("cannot read %s: %s", p->string, strerror(errno));

						cJSON_AddStringToObject(d, "error", m);
						free(m);
					}
					cJSON_AddNullToObject(entries, p->string);
				} else if (missing) {
					cJSON_AddNullToObject(entries, p->string);
				} else {
					char *hx = hex_of(b.data, b.len);

					cJSON_AddStringToObject(entries, p->string, hx);
					free(hx);
				}
				buf_release(&b);
			}
			cJSON_AddStringToObject(d, "name", key);
			cJSON_AddItemToObject(d, "entries", entries);
		} else {
			const cJSON *snap = cJSON_GetObjectItemCaseSensitive(r->w.snaps, key), *p;

			/* no snapshot: nothing is touched, the decision says so and the check below fails the step */
			const cJSON *paths = snap ? r->w.touched : NULL;

			cJSON_ArrayForEach(p, paths) {
				/* in the snapshot: its bytes then; first written after it: its bytes before the run wrote it */
				const cJSON *ent = has_key(snap, p->string) ? cJSON_GetObjectItemCaseSensitive(snap, p->string) : p;
				const char *hx = cJSON_GetStringValue(ent);
				struct buf b = { 0 };
				int e = 0;

				if (hx && !unhex(hx, &b))
					e = hostfs_write(r->o->fs_root, p->string, b.data ? (const char *)b.data : "", b.len);
				else
					e = hostfs_remove(r->o->fs_root, p->string);
				buf_release(&b);
				if (e && !has_key(d, "error")) {
					char *m = xasprintf("cannot restore %s: %s", p->string, strerror(errno));

					cJSON_AddStringToObject(d, "error", m);
					free(m);
				}
			}
			cJSON_AddStringToObject(d, "name", key);
		}
		cJSON_AddItemToObject(d, "duration_ms", jnum((now_mono_ns() - t0) / 1000000));
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, has(st, "path") ? "path" : "name")) ||
	    strcmp(str(d, has(st, "path") ? "path" : "name"), key)) {
		cJSON_Delete(d);
		d = dec(kind);
		cJSON_AddStringToObject(d, has(st, "path") ? "path" : "name", key);
		return decide(r, d); /* another step than recorded: a divergence */
	}
	ms = (uint64_t)num(d, "duration_ms");
	if (decide(r, d))
		return -1;
	r->w.now_ms += ms;
	d = cJSON_GetArrayItem(r->decisions, cJSON_GetArraySize(r->decisions) - 1);
	if (has(d, "error") && strcmp(t, "fs_read_assert")) {
		return finding(r, "checker", !strcmp(t, "fs_write") ? "host_fs_write" : !strcmp(t, "fs_snapshot") ? "host_fs_snapshot"
			       : "host_fs_restore", NULL, "%s %s: %s", t, key, str(d, "error"));
	}
	if (has(d, "error"))
		return finding(r, "assertion", "host_fs_read_assert", NULL, "cannot read %s: %s", key, str(d, "error"));
	if (!strcmp(t, "fs_write")) {
		if (!has_key(r->w.touched, key)) {
			const cJSON *bh = cJSON_GetObjectItemCaseSensitive(d, "before_hex");

			cJSON_AddItemToObject(r->w.touched, key, cJSON_IsString(bh) ? cJSON_CreateString(bh->valuestring)
										     : cJSON_CreateNull());
		}
	} else if (!strcmp(t, "fs_read_assert")) {
		const char *hx = str(d, "data_hex");
		struct buf b = { 0 };

		if (!hx)
			rc = finding(r, "assertion", "host_fs_read_assert", NULL, "%s does not exist", key);
		else if (unhex(hx, &b) || b.len != strlen(str(st, "equals")) || (b.len && memcmp(b.data, str(st, "equals"), b.len)))
			rc = finding(r, "assertion", "host_fs_read_assert", NULL, "%s holds '%.300s', expected '%.300s'", key,
				     b.data ? (buf_addc(&b, 0), (const char *)b.data) : "", str(st, "equals"));
		buf_release(&b);
	} else if (!strcmp(t, "fs_snapshot")) {
		cJSON *copy = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "entries"), true);

		if (has_key(r->w.snaps, key))
			cJSON_ReplaceItemInObjectCaseSensitive(r->w.snaps, key, copy);
		else
			cJSON_AddItemToObject(r->w.snaps, key, copy);
	} else if (!has_key(r->w.snaps, key)) {
		rc = finding(r, "checker", "host_fs_restore_missing_snapshot", NULL, "no snapshot named '%s'", key);
	}
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "op", t + 3);
	cJSON_AddStringToObject(f, has(st, "path") ? "path" : "name", key);
	cJSON_AddStringToObject(f, "backend", from_log(r) ? "replay" : "host");
	if (has(st, "data"))
		cJSON_AddNumberToObject(f, "payload_bytes", (double)strlen(str(st, "data")));
	cJSON_AddItemToObject(f, "duration_ms", jnum(ms));
	event(r, "capability_fs", f);
	return rc;
}

/* ---- one step ---- */

static int exec_step(struct run *r, const cJSON *st, const char *path, int index, const char *span)
{
	const char *t = str(st, "type");
	cJSON *d, *f;
	uint64_t ms;

	if (!strcmp(t, "trace_event")) {
		const cJSON *fl = cJSON_GetObjectItemCaseSensitive(st, "fields");

		event(r, str(st, "name"), fl && cJSON_IsObject(fl) ? cJSON_Duplicate(fl, true) : NULL);
		return 0;
	}
	if (!strcmp(t, "rand_u64")) {
		uint64_t v = draw(r);
		char s[24];

		snprintf(s, sizeof(s), "%" PRIu64, v);
		d = dec("rand_u64");
		cJSON_AddStringToObject(d, "value", s); /* a u64: exact as text */
		if (decide(r, d))
			return -1;
		if (has(st, "key"))
			map_set(r->w.kv, str(st, "key"), s);
		return 0;
	}
	if (!strcmp(t, "assert_ok"))
		return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "value")) ? 0
			: assert_msg(r, st, "assert_ok", "value is false");
	if (!strcmp(t, "assert_eq_int") || !strcmp(t, "assert_ne_int")) {
		double a = num(st, "a"), b = num(st, "b");
		bool eq = !strcmp(t, "assert_eq_int");

		if ((a == b) == eq)
			return 0;
		return assert_msg(r, st, t, "%.0f %s %.0f", a, eq ? "!=" : "==", b);
	}
	if (!strcmp(t, "assert_eq_str") || !strcmp(t, "assert_ne_str")) {
		bool eq = !strcmp(t, "assert_eq_str");

		if (!strcmp(str(st, "a"), str(st, "b")) == eq)
			return 0;
		return assert_msg(r, st, t, "'%.300s' %s '%.300s'", str(st, "a"), eq ? "!=" : "==", str(st, "b"));
	}
	if (!strcmp(t, "fail"))
		return finding(r, "assertion", "fail", NULL, "%s", str(st, "message"));
	if (!strcmp(t, "panic"))
		return finding(r, "panic", "panic", NULL, "%s", str(st, "message"));
	if (!strcmp(t, "sleep")) {
		ms = dur_ms(st, "duration");
		d = dec("time_sleep_ms");
		cJSON_AddItemToObject(d, "ms", jnum(ms));
		if (decide(r, d))
			return -1;
		pass_time(r, ms, false);
		return 0;
	}
	if (!strcmp(t, "advance")) {
		if (!r->o->det)
			return finding(r, "checker", "advance_requires_det", NULL,
				       "advance moves the virtual clock, which only exists under --det");
		ms = dur_ms(st, "duration");
		d = dec("time_advance_ms");
		cJSON_AddItemToObject(d, "ms", jnum(ms));
		if (decide(r, d))
			return -1;
		pass_time(r, ms, true);
		return 0;
	}
	if (!strcmp(t, "freeze")) {
		if (has(st, "at_ms"))
			r->w.now_ms = (uint64_t)num(st, "at_ms");
		r->w.frozen = true;
		return 0;
	}
	if (!strcmp(t, "unfreeze")) {
		r->w.frozen = false;
		return 0;
	}
	if (!strcmp(t, "set_kv")) {
		map_set(r->w.kv, str(st, "key"), str(st, "value"));
		return 0;
	}
	if (!strcmp(t, "get_kv_assert")) {
		const char *v = map_get(r->w.kv, str(st, "key"));

		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "is_null")))
			return v ? finding(r, "assertion", "get_kv_assert", NULL, "KV[%s] is '%.300s', expected absent",
					   str(st, "key"), v) : 0;
		if (!v)
			return finding(r, "assertion", "get_kv_assert", NULL, "KV[%s] is absent", str(st, "key"));
		if (has(st, "equals") && strcmp(v, str(st, "equals")))
			return finding(r, "assertion", "get_kv_assert", NULL, "KV[%s] is '%.300s', expected '%.300s'",
				       str(st, "key"), v, str(st, "equals"));
		return 0;
	}
	if (!strcmp(t, "assert_eventually_kv"))
		return kv_poll(r, st, false);
	if (!strcmp(t, "assert_never_kv"))
		return kv_poll(r, st, true);
	if (!strcmp(t, "assert_throws") || !strcmp(t, "assert_rejects"))
		return step_throws(r, st, path, span, t);
	if (!strncmp(t, "fs_", 3) && r->o->host_fs)
		return step_fs_host(r, st, t);
	if (!strncmp(t, "fs_", 3)) {
		const char *key = has(st, "path") ? str(st, "path") : str(st, "name");
		const char *op = t + 3;
		int rc = 0;

		if (!strcmp(t, "fs_write")) {
			map_set(r->w.fs, key, str(st, "data"));
		} else if (!strcmp(t, "fs_read_assert")) {
			const char *v = map_get(r->w.fs, key);

			if (!v)
				rc = finding(r, "assertion", "fs_read_assert", NULL, "%s does not exist", key);
			else if (strcmp(v, str(st, "equals")))
				rc = finding(r, "assertion", "fs_read_assert", NULL, "%s holds '%.300s', expected '%.300s'", key,
					     v, str(st, "equals"));
		} else if (!strcmp(t, "fs_snapshot")) {
			cJSON *copy = cJSON_Duplicate(r->w.fs, true);

			if (has_key(r->w.snaps, key))
				cJSON_ReplaceItemInObjectCaseSensitive(r->w.snaps, key, copy);
			else
				cJSON_AddItemToObject(r->w.snaps, key, copy);
		} else {
			const cJSON *snap = cJSON_GetObjectItemCaseSensitive(r->w.snaps, key);

			if (!snap) {
				rc = finding(r, "checker", "fs_restore_missing_snapshot", NULL, "no snapshot named '%s'", key);
			} else {
				cJSON_Delete(r->w.fs);
				r->w.fs = cJSON_Duplicate(snap, true);
			}
		}
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "op", op);
		cJSON_AddStringToObject(f, has(st, "path") ? "path" : "name", key);
		cJSON_AddStringToObject(f, "backend", "virtual");
		if (has(st, "data"))
			cJSON_AddNumberToObject(f, "payload_bytes", (double)strlen(str(st, "data")));
		cJSON_AddNumberToObject(f, "duration_ms", 0);
		event(r, "capability_fs", f);
		return rc;
	}
	if (!strcmp(t, "http_when"))
		return step_http_when(r, st);
	if (!strcmp(t, "http_request"))
		return step_http_request(r, st);
	if (!strcmp(t, "proc_when"))
		return step_proc_when(r, st);
	if (!strcmp(t, "proc_spawn"))
		return step_proc_spawn(r, st, path, index);
	if (!strcmp(t, "net_send")) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddItemToObject(m, "id", jnum(r->w.next_msg));
		cJSON_AddStringToObject(m, "from", str(st, "from"));
		cJSON_AddStringToObject(m, "to", str(st, "to"));
		cJSON_AddStringToObject(m, "payload", str(st, "payload"));
		cJSON_AddItemToArray(r->w.queue, m);
		f = cJSON_CreateObject();
		cJSON_AddItemToObject(f, "id", jnum(r->w.next_msg++));
		cJSON_AddStringToObject(f, "from", str(st, "from"));
		cJSON_AddStringToObject(f, "to", str(st, "to"));
		cJSON_AddNumberToObject(f, "payload_size", (double)strlen(str(st, "payload")));
		event(r, "net_send", f);
		return 0;
	}
	if (!strcmp(t, "net_deliver_one"))
		return step_net_deliver(r, st);
	if (!strcmp(t, "net_recv_assert"))
		return step_net_recv(r, st);
	if (!strcmp(t, "net_partition") || !strcmp(t, "net_heal")) {
		set_partition(r, str(st, "a"), str(st, "b"), !strcmp(t, "net_partition"));
		return 0;
	}
	if (!strcmp(t, "net_set_drop_rate")) {
		double rate = num(st, "rate");

		if (!(rate >= 0 && rate <= 1))
			return finding(r, "checker", "net_drop_rate", NULL, "drop rate %g is outside [0, 1]", rate);
		r->w.drop_rate = rate;
		return 0;
	}
	if (!strcmp(t, "net_set_reorder")) {
		r->w.reorder = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "enabled"));
		return 0;
	}
	if (!strcmp(t, "memory_alloc"))
		return step_memory_alloc(r, st, path);
	if (!strcmp(t, "memory_free"))
		return step_memory_free(r, st);
	if (!strncmp(t, "memory_", 7)) {
		struct mem *m = &r->w.mem;

		m->used = true;
		if (!strcmp(t, "memory_limit_mb")) {
			m->has_limit = true;
			m->limit_mb = (uint64_t)num(st, "mb");
		} else if (!strcmp(t, "memory_fail_after_allocs")) {
			m->has_fail_after = true;
			m->fail_after = (uint64_t)num(st, "count");
		} else if (!strcmp(t, "memory_fragmentation")) {
			m->has_frag = true;
			m->frag_seed = (uint64_t)num(st, "seed");
		} else if (!strcmp(t, "memory_pressure_wave")) {
			mem_set_wave(m, str(st, "pattern"));
		} else if (!strcmp(t, "memory_checkpoint")) {
			f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "name", str(st, "name"));
			cJSON_AddItemToObject(f, "inUseBytes", jnum(m->in_use));
			cJSON_AddNumberToObject(f, "liveAllocs", cJSON_GetArraySize(m->live));
			event(r, "memory_checkpoint", f);
		} else if (!strcmp(t, "memory_assert_in_use_bytes")) {
			if (m->in_use != (uint64_t)num(st, "equals"))
				return finding(r, "assertion", "memory_assert_in_use_bytes", NULL,
					       "in-use bytes are %" PRIu64 ", expected %.0f", m->in_use, num(st, "equals"));
		}
		return 0;
	}
	BUG("step type '%s' passed validation but has no handler", t);
}

static bool timed_out(struct run *r)
{
	uint64_t elapsed;

	if (r->o->has_until && r->w.now_ms >= r->o->until_ms) {
		r->timed_out = true;
		r->until_stopped = true;
		finding(r, "hang", "until", NULL, "the replay stopped at --until %" PRIu64 "ms (virtual time %" PRIu64 " ms)",
			r->o->until_ms, r->w.now_ms);
		return true;
	}
	if (!r->o->has_timeout)
		return false;
	elapsed = r->o->det || r->replay ? r->w.now_ms : wall_ms() - r->wall0_ms;
	if (elapsed < r->o->timeout_ms)
		return false;
	r->timed_out = true;
	finding(r, "hang", "timeout", NULL, "scenario timed out after %" PRIu64 " ms (%s time; --timeout %" PRIu64 "ms)",
		elapsed, r->o->det || r->replay ? "virtual" : "wall", r->o->timeout_ms);
	return true;
}

static int exec_steps(struct run *r, const cJSON *steps, const char *path, const char *span_prefix)
{
	const cJSON *st;
	int i = 0;

	cJSON_ArrayForEach(st, steps) {
		const char *t = str(st, "type");
		char *p = xasprintf("%s[%d]", path, i), *span = xasprintf("step-%s%d", span_prefix, i);
		cJSON *d, *f;
		uint64_t t0 = r->w.now_ms;
		int rc, nf = cJSON_GetArraySize(r->sink);
		bool top = !*span_prefix;

		if (top && timed_out(r)) {
			free(p);
			free(span);
			return -1;
		}
		r->picks++;
		d = dec("scheduler_pick");
		cJSON_AddItemToObject(d, "task_id", jnum(r->picks));
		cJSON_AddStringToObject(d, "label", t);
		if (decide(r, d)) {
			free(p);
			free(span);
			return -1;
		}
		if (strcmp(t, "http_when") && strcmp(t, "proc_when"))
			r->executed = true;
		f = cJSON_CreateObject();
		cJSON_AddItemToObject(f, "task_id", jnum(r->picks));
		cJSON_AddNumberToObject(f, "step_index", i);
		cJSON_AddStringToObject(f, "step_kind", t);
		event(r, "sched_pick", f);
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "span", span);
		cJSON_AddStringToObject(f, "task", "step");
		cJSON_AddNumberToObject(f, "step_index", i);
		cJSON_AddStringToObject(f, "step_kind", t);
		event(r, "span_start", f);
		rc = exec_step(r, st, p, i, span);
		/* name the step in the findings it produced */
		for (; nf < cJSON_GetArraySize(r->sink); nf++) {
			cJSON *fi = cJSON_GetArrayItem(r->sink, nf), *loc = cJSON_GetObjectItemCaseSensitive(fi, "location");

			if (!loc)
				loc = cJSON_AddObjectToObject(fi, "location");
			if (!cJSON_GetObjectItemCaseSensitive(loc, "details"))
				cJSON_AddItemToObject(loc, "details", step_details(p, i, t));
		}
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "span", span);
		cJSON_AddStringToObject(f, "status", rc ? "error" : "ok");
		cJSON_AddItemToObject(f, "duration_ms", jnum(r->w.now_ms - t0));
		event(r, "span_end", f);
		free(p);
		free(span);
		if (rc || r->drift_error)
			return -1;
		if (top && timed_out(r))
			return -1;
		i++;
	}
	return 0;
}

/* ---- memory summary and leak policy ---- */

static bool mem_tracked(const struct run *r)
{
	const struct scn_opts *o = r->o;

	return o->mem_track || o->fail_on_leak || o->has_limit || o->has_fail_after || o->has_budget || o->has_frag ||
	       o->pressure_wave || r->w.mem.used;
}

static cJSON *mem_summary(const struct mem *m)
{
	cJSON *s = cJSON_CreateObject();
	const cJSON *a;
	uint64_t leaked = 0;

	cJSON_ArrayForEach(a, m->live)
		leaked += (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "effective_bytes"));
	cJSON_AddItemToObject(s, "allocCount", jnum(m->allocs));
	cJSON_AddItemToObject(s, "freeCount", jnum(m->frees));
	cJSON_AddItemToObject(s, "failedAllocCount", jnum(m->failed));
	cJSON_AddItemToObject(s, "inUseBytes", jnum(m->in_use));
	cJSON_AddItemToObject(s, "peakBytes", jnum(m->peak));
	cJSON_AddItemToObject(s, "leakedBytes", jnum(leaked));
	cJSON_AddNumberToObject(s, "leakedAllocs", cJSON_GetArraySize(m->live));
	return s;
}

void scn_opts_init(struct scn_opts *o)
{
	memset(o, 0, sizeof(*o));
}

cJSON *scn_mem_options_json(const struct scn_opts *o)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddBoolToObject(j, "track", o->mem_track);
	if (o->has_limit)
		cJSON_AddItemToObject(j, "limit_mb", jnum(o->mem_limit_mb));
	if (o->has_fail_after)
		cJSON_AddItemToObject(j, "fail_after_allocs", jnum(o->mem_fail_after));
	cJSON_AddBoolToObject(j, "fail_on_leak", o->fail_on_leak);
	if (o->has_budget)
		cJSON_AddItemToObject(j, "leak_budget_bytes", jnum(o->leak_budget));
	if (o->has_frag)
		cJSON_AddItemToObject(j, "fragmentation_seed", jnum(o->frag_seed));
	if (o->pressure_wave)
		cJSON_AddStringToObject(j, "pressure_wave", o->pressure_wave);
	if (o->has_heap_alloc_budget)
		cJSON_AddItemToObject(j, "heap_alloc_budget_bytes", jnum(o->heap_alloc_budget));
	if (o->has_heap_in_use_budget)
		cJSON_AddItemToObject(j, "heap_in_use_budget_bytes", jnum(o->heap_in_use_budget));
	return j;
}

void scn_mem_options_from_json(struct scn_opts *o, const cJSON *j)
{
	uint64_t v;

	if (!cJSON_IsObject(j))
		return;
	o->mem_track = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "track"));
	o->fail_on_leak = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "fail_on_leak"));
	if (!json_get_u64(j, "limit_mb", &v)) {
		o->has_limit = true;
		o->mem_limit_mb = v;
	}
	if (!json_get_u64(j, "fail_after_allocs", &v)) {
		o->has_fail_after = true;
		o->mem_fail_after = v;
	}
	if (!json_get_u64(j, "leak_budget_bytes", &v)) {
		o->has_budget = true;
		o->leak_budget = v;
	}
	if (!json_get_u64(j, "fragmentation_seed", &v)) {
		o->has_frag = true;
		o->frag_seed = v;
	}
	o->pressure_wave = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "pressure_wave"));
	if (!json_get_u64(j, "heap_alloc_budget_bytes", &v)) {
		o->has_heap_alloc_budget = true;
		o->heap_alloc_budget = v;
	}
	if (!json_get_u64(j, "heap_in_use_budget_bytes", &v)) {
		o->has_heap_in_use_budget = true;
		o->heap_in_use_budget = v;
	}
}

void scenario_execute(const struct scenario *s, const struct scn_opts *o, struct scn_result *res)
{
	struct run r = { .s = s, .o = o, .replay = o->replay };
	const cJSON *last;
	int rc;

	memset(res, 0, sizeof(*res));
	world_init(&r.w, o->seed);
	r.w.mem.has_limit = o->has_limit;
	r.w.mem.limit_mb = o->mem_limit_mb;
	r.w.mem.has_fail_after = o->has_fail_after;
	r.w.mem.fail_after = o->mem_fail_after;
	r.w.mem.has_frag = o->has_frag;
	r.w.mem.frag_seed = o->frag_seed;
	if (o->pressure_wave)
		mem_set_wave(&r.w.mem, o->pressure_wave);
	r.decisions = cJSON_CreateArray();
	r.events = cJSON_CreateArray();
	r.findings = r.sink = cJSON_CreateArray();
	r.wall0_ms = wall_ms();
	r.rcur = o->replay ? o->replay->child : NULL;
	r.hcur = o->host_answers ? o->host_answers->child : NULL;
	rc = exec_steps(&r, s->steps, "$.steps", "");
	res->status = rc ? (r.timed_out ? "timeout" : "fail") : "pass";
	if (r.drift_error) {
		res->status = "error";
		res->drift_error = true;
		snprintf(res->message, sizeof(res->message), "%s", r.message);
	}
	if (!rc && !r.executed && cJSON_GetArraySize(s->steps)) {
		finding(&r, "assertion", "no_steps_executed", NULL, "only http_when/proc_when declarations ran");
		res->status = "fail";
	}
	if (r.replay && !r.drift_error && !rc && r.rcur) {
		finding(&r, "checker", "replay_unused_decisions", NULL, "the replay finished with %d unused decisions",
			cJSON_GetArraySize(r.replay) - r.rpos);
		res->status = "fail";
	}
	if (mem_tracked(&r)) {
		struct mem *m = &r.w.mem;
		uint64_t leaked;

		res->memory = mem_summary(m);
		{
			const cJSON *a;

			res->leaks = cJSON_CreateArray();
			cJSON_ArrayForEach(a, m->live) {
				cJSON *l = cJSON_CreateObject();

				cJSON_AddItemToObject(l, "allocId", jnum((uint64_t)num(a, "id")));
				cJSON_AddItemToObject(l, "bytes", jnum((uint64_t)num(a, "effective_bytes")));
				cJSON_AddStringToObject(l, "callsiteHash", str(a, "callsite_hash"));
				if (has(a, "tag"))
					cJSON_AddStringToObject(l, "tag", str(a, "tag"));
				cJSON_AddItemToArray(res->leaks, l);
			}
		}
		leaked = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(res->memory, "leakedBytes"));
		if (leaked && (o->fail_on_leak || !o->has_budget) && !r.until_stopped) {
			finding(&r, "checker", "memory_leak", NULL, "%" PRIu64 " bytes in %d allocations were never freed%s",
				leaked, cJSON_GetArraySize(m->live), o->fail_on_leak ? " (--fail-on-leak)" : " (set --leak-budget to tolerate)");
			if (!strcmp(res->status, "pass"))
				res->status = "fail";
		}
		/* heap budgets: checker findings that do not fail the run (strict mode refuses a pass with them) */
		if (o->has_heap_alloc_budget && m->alloc_bytes > o->heap_alloc_budget && !r.until_stopped)
			finding(&r, "checker", "heap_alloc_budget", NULL, "%" PRIu64 " bytes were allocated, over the "
				"profile_heap_alloc_budget of %" PRIu64, m->alloc_bytes, o->heap_alloc_budget);
		if (o->has_heap_in_use_budget && m->peak > o->heap_in_use_budget && !r.until_stopped)
			finding(&r, "checker", "heap_in_use_budget", NULL, "%" PRIu64 " bytes were in use at the peak, over "
				"the profile_heap_in_use_budget of %" PRIu64, m->peak, o->heap_in_use_budget);
		if (o->has_budget && leaked > o->leak_budget && !r.until_stopped) {
			finding(&r, "checker", "memory_leak_budget", NULL, "%" PRIu64 " leaked bytes exceed the budget of %" PRIu64,
				leaked, o->leak_budget);
			if (!strcmp(res->status, "pass"))
				res->status = "fail";
		}
	}
	last = cJSON_GetArrayItem(r.events, cJSON_GetArraySize(r.events) - 1);
	res->virtual_ms = last ? (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(last, "time_ms")) : r.w.now_ms;
	if (r.w.now_ms > res->virtual_ms)
		res->virtual_ms = r.w.now_ms;
	res->decisions = r.decisions;
	res->events = r.events;
	res->findings = r.findings;
	world_release(&r.w);
}

void scn_result_release(struct scn_result *r)
{
	cJSON_Delete(r->decisions);
	cJSON_Delete(r->events);
	cJSON_Delete(r->findings);
	cJSON_Delete(r->memory);
	cJSON_Delete(r->leaks);
	memset(r, 0, sizeof(*r));
}

uint64_t scenario_test_seed(uint64_t suite, uint64_t total, uint64_t ordinal, const char *path)
{
	struct buf b = { 0 };
	uint64_t h, le[3] = { suite, total, ordinal };

	buf_add(&b, le, sizeof(le)); /* x86-64: little-endian */
	buf_add(&b, path, strlen(path));
	h = XXH3_64bits(b.data, b.len);
	buf_release(&b);
	return h;
}
