// SPDX-License-Identifier: MIT
/*
 * The profile of a scenario run, derived from its events: where virtual time
 * went (step spans), what the memory model allocated and kept, how many host,
 * network and scheduling operations ran. Nothing is sampled: a scenario runs
 * in fozzy's engine on a virtual clock, so there is no CPU time to measure,
 * and profile.cpu.json says so instead of inventing samples.
 *
 * Exports: OTLP/JSON (the OpenTelemetry protobuf JSON mapping, traces signal:
 * one span per step) and a speedscope "evented" profile of the step spans.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fozzy/report.h"
#include "fozzy/scenario.h"
#include "fozzy/util.h"
#include "fozzy/version.h"

/* Virtual time 0 of an export: 2024-01-01T00:00:00Z, fozzy's virtual epoch. */
#define VIRTUAL_EPOCH_NS 1704067200000000000ULL

static const char *jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k)) ?: "";
}

static uint64_t jnum(const cJSON *o, const char *k)
{
	double v = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));

	return isnan(v) || v < 0 ? 0 : (uint64_t)v;
}

/* The profile kind of an event name. */
static const char *event_kind(const char *name)
{
	if (!strcmp(name, "span_start") || !strcmp(name, "span_end"))
		return name;
	if (!strcmp(name, "http_request") || !strcmp(name, "proc_spawn") || !strncmp(name, "capability_", 11))
		return strcmp(name, "capability_net") ? "io" : "net";
	if (!strncmp(name, "net_", 4))
		return "net";
	if (!strcmp(name, "sched_pick") || !strcmp(name, "deliver") || !strcmp(name, "partition") ||
	    !strcmp(name, "heal") || !strcmp(name, "crash") || !strcmp(name, "restart"))
		return "sched";
	if (!strcmp(name, "memory_alloc"))
		return "alloc";
	if (!strcmp(name, "memory_free"))
		return "free";
	return "event";
}

struct span {
	const char *id, *kind;
	uint64_t start, end, index;
	const char *status;
	int parent; /* index into spans, -1: top level */
	bool closed;
};

struct spans {
	struct span *v;
	size_t n;
};

/*
 * Pair span_start/span_end events; nesting follows the open spans. With
 * owner, (*owner)[k] is the innermost span open at event k (-1: none).
 */
static void collect_spans(const cJSON *events, struct spans *sp, int **owner)
{
	const cJSON *e;
	int *open = NULL;
	size_t nopen = 0, idx = 0;

	memset(sp, 0, sizeof(*sp));
	if (owner)
		*owner = xcalloc((size_t)cJSON_GetArraySize(events) + 1, sizeof(int));
	cJSON_ArrayForEach(e, events) {
		const char *name = jstr(e, "name");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fields");

		if (owner)
			(*owner)[idx] = nopen ? open[nopen - 1] : -1;

		if (!strcmp(name, "span_start")) {
			sp->v = xrealloc(sp->v, (sp->n + 1) * sizeof(*sp->v));
			open = xrealloc(open, (nopen + 1) * sizeof(*open));
			sp->v[sp->n] = (struct span){ .id = jstr(f, "span"), .kind = jstr(f, "step_kind"),
						      .start = jnum(e, "time_ms"), .end = jnum(e, "time_ms"), .index = idx,
						      .status = "open", .parent = nopen ? open[nopen - 1] : -1 };
			open[nopen++] = (int)sp->n++;
		} else if (!strcmp(name, "span_end") && nopen) {
			size_t k = nopen;

			/* the innermost open span of that id (a missing end closes nothing else) */
			while (k > 0 && strcmp(sp->v[open[k - 1]].id, jstr(f, "span")))
				k--;
			if (k) {
				struct span *s = &sp->v[open[k - 1]];

				s->end = jnum(e, "time_ms");
				s->status = jstr(f, "status");
				s->closed = true;
				nopen = k - 1;
			}
		}
		idx++;
	}
	free(open);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: index round((n-1)p) of the sorted values. */
static uint64_t pct(const uint64_t *v, size_t n, double p)
{
	return n ? v[(size_t)llround((double)(n - 1) * p)] : 0;
}

struct by_dur {
	uint64_t dur;
	size_t idx;
};

static int cmp_by_dur(const void *a, const void *b)
{
	const struct by_dur *x = a, *y = b;

	if (x->dur != y->dur)
		return x->dur > y->dur ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct latency {
	uint64_t p50, p95, p99, max;
};

static cJSON *latency_doc(const struct spans *sp, const char *run_id, struct latency *out)
{
	cJSON *doc = cJSON_CreateObject(), *dist, *crit, *rows, *tail;
	uint64_t *d = xcalloc(sp->n + 1, sizeof(*d)), sum = 0;
	size_t i, n = 0, *order = xcalloc(sp->n + 1, sizeof(*order));
	double mean = 0, var = 0;

	for (i = 0; i < sp->n; i++)
		if (sp->v[i].parent < 0)
			d[n++] = sp->v[i].end - sp->v[i].start;
	qsort(d, n, sizeof(*d), cmp_u64);
	for (i = 0; i < n; i++)
		sum += d[i];
	if (n) {
		mean = (double)sum / (double)n;
		for (i = 0; i < n; i++)
			var += ((double)d[i] - mean) * ((double)d[i] - mean);
		var /= (double)n;
	}
	*out = (struct latency){ pct(d, n, 0.5), pct(d, n, 0.95), pct(d, n, 0.99), n ? d[n - 1] : 0 };
	cJSON_AddStringToObject(doc, "schemaVersion", "fozzy.profile_latency.v1");
	cJSON_AddStringToObject(doc, "runId", run_id);
	cJSON_AddStringToObject(doc, "timeDomain", "virtual");
	dist = cJSON_AddObjectToObject(doc, "distribution");
	cJSON_AddNumberToObject(dist, "spans", (double)n);
	cJSON_AddNumberToObject(dist, "p50Ms", (double)out->p50);
	cJSON_AddNumberToObject(dist, "p95Ms", (double)out->p95);
	cJSON_AddNumberToObject(dist, "p99Ms", (double)out->p99);
	cJSON_AddNumberToObject(dist, "maxMs", (double)out->max);
	cJSON_AddNumberToObject(dist, "meanMs", mean);
	cJSON_AddNumberToObject(dist, "varianceMs2", var);
	rows = cJSON_AddArrayToObject(doc, "spans");
	for (i = 0; i < sp->n; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddStringToObject(r, "span", sp->v[i].id);
		cJSON_AddStringToObject(r, "stepKind", sp->v[i].kind);
		if (sp->v[i].parent >= 0)
			cJSON_AddStringToObject(r, "parent", sp->v[sp->v[i].parent].id);
		cJSON_AddNumberToObject(r, "startMs", (double)sp->v[i].start);
		cJSON_AddNumberToObject(r, "durationMs", (double)(sp->v[i].end - sp->v[i].start));
		cJSON_AddStringToObject(r, "status", sp->v[i].status);
		cJSON_AddItemToArray(rows, r);
	}
	/* the top-level steps by time taken: the path virtual time went along */
	for (i = 0, n = 0; i < sp->n; i++)
		if (sp->v[i].parent < 0)
			order[n++] = i;
	{
		/* longest first, stable (by position) among equals */
		struct by_dur *bd = xcalloc(n + 1, sizeof(*bd));

		for (i = 0; i < n; i++)
			bd[i] = (struct by_dur){ sp->v[order[i]].end - sp->v[order[i]].start, order[i] };
		qsort(bd, n, sizeof(*bd), cmp_by_dur);
		for (i = 0; i < n; i++)
			order[i] = bd[i].idx;
		free(bd);
	}
	crit = cJSON_AddArrayToObject(doc, "criticalPath");
	tail = cJSON_AddArrayToObject(doc, "tailSuspects");
	for (i = 0; i < n; i++) {
		const struct span *s = &sp->v[order[i]];
		uint64_t dur = s->end - s->start;
		cJSON *r;

		if (i < 10 && dur) {
			r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "span", s->id);
			cJSON_AddStringToObject(r, "stepKind", s->kind);
			cJSON_AddNumberToObject(r, "durationMs", (double)dur);
			cJSON_AddNumberToObject(r, "sharePct", sum ? 100.0 * (double)dur / (double)sum : 0);
			cJSON_AddItemToArray(crit, r);
		}
		if (cJSON_GetArraySize(tail) < 10 && dur >= (out->p95 > 1 ? out->p95 : 1)) {
			r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "span", s->id);
			cJSON_AddNumberToObject(r, "durationMs", (double)dur);
			cJSON_AddItemToArray(tail, r);
		}
	}
	free(d);
	free(order);
	return doc;
}

struct heap_totals {
	uint64_t alloc_bytes, in_use, peak;
};

static cJSON *heap_doc(const cJSON *events, const char *run_id, struct heap_totals *t)
{
	cJSON *doc = cJSON_CreateObject(), *hot = cJSON_CreateObject(), *live = cJSON_CreateObject(), *rows, *e;
	uint64_t allocs = 0, frees = 0, failed = 0, last = 0, buckets[4] = { 0 };
	static const char *const bucket_names[] = { "0-1ms", "2-10ms", "11-100ms", "101ms+" };
	unsigned b;

	memset(t, 0, sizeof(*t));
	cJSON_ArrayForEach(e, events) {
		const char *name = jstr(e, "name");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fields");
		char id[24];

		last = jnum(e, "time_ms");
		if (!strcmp(name, "memory_alloc")) {
			const char *cs = jstr(f, "callsite_hash");
			cJSON *h = cJSON_GetObjectItemCaseSensitive(hot, cs), *l;
			uint64_t eff = jnum(f, "effective_bytes");

			if (cJSON_GetObjectItemCaseSensitive(f, "failed_reason")) {
				failed++;
				continue;
			}
			allocs++;
			t->alloc_bytes += eff;
			t->in_use += eff;
			if (t->in_use > t->peak)
				t->peak = t->in_use;
			if (!h) {
				h = cJSON_AddObjectToObject(hot, cs);
				cJSON_AddStringToObject(h, "callsiteHash", cs);
				if (cJSON_GetObjectItemCaseSensitive(f, "tag"))
					cJSON_AddStringToObject(h, "tag", jstr(f, "tag"));
				cJSON_AddNumberToObject(h, "allocs", 0);
				cJSON_AddNumberToObject(h, "bytes", 0);
			}
			cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(h, "allocs"), (double)(jnum(h, "allocs") + 1));
			cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(h, "bytes"), (double)(jnum(h, "bytes") + eff));
			snprintf(id, sizeof(id), "%" PRIu64, jnum(f, "alloc_id"));
			cJSON_DeleteItemFromObjectCaseSensitive(live, id);
			l = cJSON_AddObjectToObject(live, id);
			cJSON_AddNumberToObject(l, "allocId", (double)jnum(f, "alloc_id"));
			cJSON_AddNumberToObject(l, "bytes", (double)eff);
			cJSON_AddStringToObject(l, "callsiteHash", cs);
			if (cJSON_GetObjectItemCaseSensitive(f, "tag"))
				cJSON_AddStringToObject(l, "tag", jstr(f, "tag"));
			cJSON_AddNumberToObject(l, "allocatedAtMs", (double)last);
		} else if (!strcmp(name, "memory_free") && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "existed"))) {
			const cJSON *l;
			uint64_t life;

			snprintf(id, sizeof(id), "%" PRIu64, jnum(f, "alloc_id"));
			l = cJSON_GetObjectItemCaseSensitive(live, id);
			if (!l)
				continue;
			frees++;
			t->in_use -= jnum(l, "bytes") <= t->in_use ? jnum(l, "bytes") : t->in_use;
			life = last - jnum(l, "allocatedAtMs");
			buckets[life <= 1 ? 0 : life <= 10 ? 1 : life <= 100 ? 2 : 3]++;
			cJSON_DeleteItemFromObjectCaseSensitive(live, id);
		}
	}
	cJSON_AddStringToObject(doc, "schemaVersion", "fozzy.profile_heap.v2");
	cJSON_AddStringToObject(doc, "runId", run_id);
	cJSON_AddNumberToObject(doc, "allocCount", (double)allocs);
	cJSON_AddNumberToObject(doc, "freeCount", (double)frees);
	cJSON_AddNumberToObject(doc, "failedAllocCount", (double)failed);
	cJSON_AddNumberToObject(doc, "allocBytes", (double)t->alloc_bytes);
	cJSON_AddNumberToObject(doc, "inUseBytes", (double)t->in_use);
	cJSON_AddNumberToObject(doc, "peakInUseBytes", (double)t->peak);
	rows = cJSON_AddArrayToObject(doc, "hotspots");
	cJSON_ArrayForEach(e, hot)
		cJSON_AddItemToArray(rows, cJSON_Duplicate(e, true));
	{
		/* by bytes, largest first (a stable insertion sort: few callsites) */
		int n = cJSON_GetArraySize(rows), i, k;
		cJSON **v = xcalloc((size_t)n + 1, sizeof(*v));

		for (i = 0; i < n; i++)
			v[i] = cJSON_DetachItemFromArray(rows, 0);
		for (i = 1; i < n; i++) {
			cJSON *x = v[i];

			for (k = i; k > 0 && jnum(v[k - 1], "bytes") < jnum(x, "bytes"); k--)
				v[k] = v[k - 1];
			v[k] = x;
		}
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(rows, v[i]);
		free(v);
	}
	rows = cJSON_AddObjectToObject(doc, "lifetimes");
	for (b = 0; b < 4; b++)
		cJSON_AddNumberToObject(rows, bucket_names[b], (double)buckets[b]);
	rows = cJSON_AddArrayToObject(doc, "retentionSuspects");
	cJSON_ArrayForEach(e, live) {
		cJSON *l = cJSON_Duplicate(e, true);

		cJSON_AddNumberToObject(l, "ageMs", (double)(last - jnum(e, "allocatedAtMs")));
		cJSON_AddItemToArray(rows, l);
	}
	cJSON_Delete(hot);
	cJSON_Delete(live);
	return doc;
}

int scn_write_profile(const char *dir, const cJSON *events, const char *run_id, uint64_t seed, uint64_t host_ms,
		      const char *scenario_path)
{
	struct spans sp;
	struct latency lat;
	struct heap_totals heap;
	cJSON *timeline = cJSON_CreateArray(), *ptl = cJSON_CreateObject(), *evs, *cpu, *lat_doc, *heap_doc_,
	      *metrics = cJSON_CreateObject(), *sym = cJSON_CreateObject(), *rows, *e;
	uint64_t io = 0, net = 0, sched = 0, last = 0, index = 0;
	char seed_s[24];
	int rc = 0;
	size_t i;
	struct { const char *name; cJSON *doc; } files[7];

	snprintf(seed_s, sizeof(seed_s), "%" PRIu64, seed);
	collect_spans(events, &sp, NULL);
	cJSON_AddStringToObject(ptl, "schemaVersion", "fozzy.profile_timeline.v1");
	cJSON_AddStringToObject(ptl, "runId", run_id);
	cJSON_AddStringToObject(ptl, "seed", seed_s);
	cJSON_AddStringToObject(ptl, "timeDomain", "virtual");
	evs = cJSON_AddArrayToObject(ptl, "events");
	cJSON_ArrayForEach(e, events) {
		const char *name = jstr(e, "name"), *kind = event_kind(name);
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fields");
		uint64_t t = jnum(e, "time_ms"), next = e->next ? jnum(e->next, "time_ms") : t;
		cJSON *row = cJSON_CreateObject(), *pe = cJSON_CreateObject();

		last = t;
		io += !strcmp(kind, "io");
		net += !strcmp(kind, "net");
		sched += !strcmp(kind, "sched");
		cJSON_AddNumberToObject(row, "index", (double)index);
		cJSON_AddNumberToObject(row, "time_ms", (double)t);
		cJSON_AddStringToObject(row, "name", name);
		cJSON_AddItemToObject(row, "fields", f ? cJSON_Duplicate(f, true) : cJSON_CreateObject());
		cJSON_AddItemToArray(timeline, row);
		cJSON_AddNumberToObject(pe, "index", (double)index);
		cJSON_AddNumberToObject(pe, "tVirtualMs", (double)t);
		cJSON_AddStringToObject(pe, "kind", kind);
		cJSON_AddStringToObject(pe, "name", name);
		cJSON_AddStringToObject(pe, "thread", "main");
		if (cJSON_GetObjectItemCaseSensitive(f, "span"))
			cJSON_AddStringToObject(pe, "span", jstr(f, "span"));
		cJSON_AddNumberToObject(pe, "costMs", (double)(next >= t ? next - t : 0));
		if (cJSON_GetObjectItemCaseSensitive(f, "effective_bytes"))
			cJSON_AddNumberToObject(pe, "bytes", (double)jnum(f, "effective_bytes"));
		cJSON_AddItemToArray(evs, pe);
		index++;
	}
	cpu = cJSON_CreateObject();
	cJSON_AddStringToObject(cpu, "schemaVersion", "fozzy.profile_cpu.v3");
	cJSON_AddStringToObject(cpu, "runId", run_id);
	cJSON_AddBoolToObject(cpu, "available", false);
	cJSON_AddStringToObject(cpu, "reason", "a scenario runs in fozzy's engine on a virtual clock: there is no CPU time "
				"to sample (see profile.latency.json for where virtual time went)");
	cJSON_AddArrayToObject(cpu, "samples");
	lat_doc = latency_doc(&sp, run_id, &lat);
	heap_doc_ = heap_doc(events, run_id, &heap);
	cJSON_AddStringToObject(metrics, "schemaVersion", "fozzy.profile_metrics.v2");
	cJSON_AddStringToObject(metrics, "runId", run_id);
	cJSON_AddNumberToObject(metrics, "virtualTimeMs", (double)last);
	cJSON_AddNumberToObject(metrics, "hostTimeMs", (double)host_ms);
	cJSON_AddNullToObject(metrics, "cpuTimeMs");
	cJSON_AddNumberToObject(metrics, "allocBytes", (double)heap.alloc_bytes);
	cJSON_AddNumberToObject(metrics, "inUseBytes", (double)heap.in_use);
	cJSON_AddNumberToObject(metrics, "peakInUseBytes", (double)heap.peak);
	cJSON_AddNumberToObject(metrics, "p50LatencyMs", (double)lat.p50);
	cJSON_AddNumberToObject(metrics, "p95LatencyMs", (double)lat.p95);
	cJSON_AddNumberToObject(metrics, "p99LatencyMs", (double)lat.p99);
	cJSON_AddNumberToObject(metrics, "maxLatencyMs", (double)lat.max);
	cJSON_AddNumberToObject(metrics, "ioOps", (double)io);
	cJSON_AddNumberToObject(metrics, "netOps", (double)net);
	cJSON_AddNumberToObject(metrics, "schedOps", (double)sched);
	cJSON_AddNumberToObject(metrics, "events", (double)index);
	/* symbols: each span's step, by its place in the scenario file */
	cJSON_AddStringToObject(sym, "schemaVersion", "fozzy.profile_symbols.v1");
	cJSON_AddStringToObject(sym, "runId", run_id);
	cJSON_AddStringToObject(sym, "module", scenario_path ? scenario_path : "");
	rows = cJSON_AddArrayToObject(sym, "symbols");
	for (i = 0; i < sp.n; i++) {
		cJSON *r = cJSON_CreateObject();
		struct buf path = { 0 };
		const char *p = sp.v[i].id + (strncmp(sp.v[i].id, "step-", 5) ? 0 : 5);

		/* "step-3.1": $.steps[3].steps[1], the nested step of an assert_throws/assert_rejects */
		buf_addf(&path, "$");
		while (*p) {
			size_t len = strcspn(p, ".");

			buf_addf(&path, ".steps[%.*s]", (int)len, p);
			p += len + (p[len] == '.');
		}
		buf_addc(&path, 0);
		cJSON_AddStringToObject(r, "span", sp.v[i].id);
		cJSON_AddStringToObject(r, "stepKind", sp.v[i].kind);
		cJSON_AddStringToObject(r, "jsonPath", (const char *)path.data);
		cJSON_AddItemToArray(rows, r);
		buf_release(&path);
	}
	files[0].name = "timeline.json", files[0].doc = timeline;
	files[1].name = "profile.timeline.json", files[1].doc = ptl;
	files[2].name = "profile.cpu.json", files[2].doc = cpu;
	files[3].name = "profile.heap.json", files[3].doc = heap_doc_;
	files[4].name = "profile.latency.json", files[4].doc = lat_doc;
	files[5].name = "profile.metrics.json", files[5].doc = metrics;
	files[6].name = "symbols.json", files[6].doc = sym;
	for (i = 0; i < 7; i++) {
		char *p = xasprintf("%s/%s", dir, files[i].name);

		if (!rc && json_write_file(p, files[i].doc))
			rc = -1;
		free(p);
		cJSON_Delete(files[i].doc);
	}
	free(sp.v);
	return rc;
}

/* A span id of 16 hex digits, from the run and the span's name. */
static void span_id(const char *run_id, const char *span, char out[17])
{
	XXH64_hash_t h = XXH3_64bits_withSeed(span, strlen(span), XXH3_64bits(run_id, strlen(run_id)));

	snprintf(out, 17, "%016" PRIx64, (uint64_t)(h ? h : 1));
}

static cJSON *attr(const char *key, const char *value)
{
	cJSON *a = cJSON_CreateObject(), *v;

	cJSON_AddStringToObject(a, "key", key);
	v = cJSON_AddObjectToObject(a, "value");
	cJSON_AddStringToObject(v, "stringValue", value);
	return a;
}

static cJSON *ns_string(uint64_t ms)
{
	char b[24];

	/* saturated: a virtual time past 2554 would wrap */
	uint64_t ns = ms > (UINT64_MAX - VIRTUAL_EPOCH_NS) / 1000000ULL ? UINT64_MAX : VIRTUAL_EPOCH_NS + ms * 1000000ULL;

	snprintf(b, sizeof(b), "%" PRIu64, ns);
	return cJSON_CreateString(b);
}

cJSON *scn_profile_otlp(const cJSON *events, const char *run_id, uint64_t seed, const char *scenario_path)
{
	cJSON *doc = cJSON_CreateObject(), *rs, *res, *attrs, *ss, *scope, *spans, *e;
	XXH128_hash_t th = XXH3_128bits(run_id, strlen(run_id));
	char trace_id[33], seed_s[24], id[17];
	struct spans sp;
	int *owner;
	cJSON **span_evs;
	size_t i, k;

	snprintf(trace_id, sizeof(trace_id), "%016" PRIx64 "%016" PRIx64, (uint64_t)th.high64, (uint64_t)th.low64);
	snprintf(seed_s, sizeof(seed_s), "%" PRIu64, seed);
	collect_spans(events, &sp, &owner);
	span_evs = xcalloc(sp.n + 1, sizeof(*span_evs));
	rs = cJSON_AddArrayToObject(doc, "resourceSpans");
	res = cJSON_CreateObject();
	cJSON_AddItemToArray(rs, res);
	attrs = cJSON_AddArrayToObject(cJSON_AddObjectToObject(res, "resource"), "attributes");
	cJSON_AddItemToArray(attrs, attr("service.name", "fozzy"));
	cJSON_AddItemToArray(attrs, attr("fozzy.run_id", run_id));
	cJSON_AddItemToArray(attrs, attr("fozzy.seed", seed_s));
	if (scenario_path)
		cJSON_AddItemToArray(attrs, attr("fozzy.scenario", scenario_path));
	ss = cJSON_AddArrayToObject(res, "scopeSpans");
	scope = cJSON_CreateObject();
	cJSON_AddItemToArray(ss, scope);
	{
		cJSON *sc = cJSON_AddObjectToObject(scope, "scope");

		cJSON_AddStringToObject(sc, "name", "fozzy");
		cJSON_AddStringToObject(sc, "version", FOZZY_VERSION);
	}
	spans = cJSON_AddArrayToObject(scope, "spans");
	for (i = 0; i < sp.n; i++) {
		const struct span *s = &sp.v[i];
		cJSON *o = cJSON_CreateObject(), *a, *st;
		char *name = xasprintf("%s %s", s->id, s->kind);

		cJSON_AddStringToObject(o, "traceId", trace_id);
		span_id(run_id, s->id, id);
		cJSON_AddStringToObject(o, "spanId", id);
		if (s->parent >= 0) {
			span_id(run_id, sp.v[s->parent].id, id);
			cJSON_AddStringToObject(o, "parentSpanId", id);
		}
		cJSON_AddStringToObject(o, "name", name);
		free(name);
		cJSON_AddNumberToObject(o, "kind", 1); /* SPAN_KIND_INTERNAL */
		cJSON_AddItemToObject(o, "startTimeUnixNano", ns_string(s->start));
		cJSON_AddItemToObject(o, "endTimeUnixNano", ns_string(s->end));
		a = cJSON_AddArrayToObject(o, "attributes");
		cJSON_AddItemToArray(a, attr("fozzy.step_kind", s->kind));
		cJSON_AddItemToArray(a, attr("fozzy.step_status", s->status));
		/* the span's own events (not a nested span's) are added below, in one pass */
		span_evs[i] = cJSON_AddArrayToObject(o, "events");
		st = cJSON_AddObjectToObject(o, "status");
		/* STATUS_CODE_OK 1, STATUS_CODE_ERROR 2 */
		cJSON_AddNumberToObject(st, "code", !strcmp(s->status, "ok") ? 1 : 2);
		cJSON_AddItemToArray(spans, o);
	}
	k = 0;
	cJSON_ArrayForEach(e, events) {
		const char *n = jstr(e, "name");

		if (owner[k] >= 0 && strcmp(n, "span_start") && strcmp(n, "span_end") && strcmp(n, "sched_pick")) {
			cJSON *ev = cJSON_CreateObject(), *ea, *f;

			cJSON_AddItemToObject(ev, "timeUnixNano", ns_string(jnum(e, "time_ms")));
			cJSON_AddStringToObject(ev, "name", n);
			ea = cJSON_AddArrayToObject(ev, "attributes");
			cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(e, "fields")) {
				char *v = cJSON_IsString(f) ? xstrdup(f->valuestring) : cJSON_PrintUnformatted(f);

				cJSON_AddItemToArray(ea, attr(f->string, v));
				free(v);
			}
			cJSON_AddItemToArray(span_evs[owner[k]], ev);
		}
		k++;
	}
	free(span_evs);
	free(owner);
	free(sp.v);
	return doc;
}

cJSON *scn_profile_speedscope(const cJSON *events, const char *run_id, const char *scenario_path)
{
	cJSON *doc = cJSON_CreateObject(), *frames, *prof, *evs, *profiles;
	struct spans sp;
	uint64_t end = 0;
	size_t i, *stack, depth = 0;
	const cJSON *e;

	collect_spans(events, &sp, NULL);
	cJSON_AddStringToObject(doc, "$schema", "https://www.speedscope.app/file-format-schema.json");
	cJSON_AddStringToObject(doc, "name", scenario_path ? scenario_path : run_id);
	cJSON_AddStringToObject(doc, "exporter", "fozzy " FOZZY_VERSION);
	frames = cJSON_AddArrayToObject(cJSON_AddObjectToObject(doc, "shared"), "frames");
	for (i = 0; i < sp.n; i++) {
		cJSON *f = cJSON_CreateObject();
		char *name = xasprintf("%s %s", sp.v[i].id, sp.v[i].kind);

		cJSON_AddStringToObject(f, "name", name);
		free(name);
		if (scenario_path)
			cJSON_AddStringToObject(f, "file", scenario_path);
		cJSON_AddItemToArray(frames, f);
	}
	cJSON_ArrayForEach(e, events)
		end = jnum(e, "time_ms");
	profiles = cJSON_AddArrayToObject(doc, "profiles");
	prof = cJSON_CreateObject();
	cJSON_AddItemToArray(profiles, prof);
	cJSON_AddStringToObject(prof, "type", "evented");
	cJSON_AddStringToObject(prof, "name", run_id);
	cJSON_AddStringToObject(prof, "unit", "milliseconds");
	cJSON_AddNumberToObject(prof, "startValue", 0);
	cJSON_AddNumberToObject(prof, "endValue", (double)end);
	evs = cJSON_AddArrayToObject(prof, "events");
	/* open and close in order; a span that never ended closes at the end */
	stack = xcalloc(sp.n + 1, sizeof(*stack));
	for (i = 0; i < sp.n; i++) {
		cJSON *o;

		while (depth && (sp.v[i].parent < 0 || stack[depth - 1] != (size_t)sp.v[i].parent)) {
			cJSON *c = cJSON_CreateObject();
			size_t top = stack[--depth];

			cJSON_AddStringToObject(c, "type", "C");
			cJSON_AddNumberToObject(c, "frame", (double)top);
			cJSON_AddNumberToObject(c, "at", (double)(sp.v[top].closed ? sp.v[top].end : end));
			cJSON_AddItemToArray(evs, c);
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "O");
		cJSON_AddNumberToObject(o, "frame", (double)i);
		cJSON_AddNumberToObject(o, "at", (double)sp.v[i].start);
		cJSON_AddItemToArray(evs, o);
		stack[depth++] = i;
	}
	while (depth) {
		cJSON *c = cJSON_CreateObject();
		size_t top = stack[--depth];

		cJSON_AddStringToObject(c, "type", "C");
		cJSON_AddNumberToObject(c, "frame", (double)top);
		cJSON_AddNumberToObject(c, "at", (double)(sp.v[top].closed ? sp.v[top].end : end));
		cJSON_AddItemToArray(evs, c);
	}
	free(stack);
	free(sp.v);
	return doc;
}
