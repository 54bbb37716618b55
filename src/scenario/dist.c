// SPDX-License-Identifier: MIT
/*
 * Distributed scenarios: a replicated key-value store of named nodes, run
 * for real under a chosen interleaving. At every point the enabled actions
 * are the next script step (client put/get, partition, heal, crash, restart,
 * tick) and the delivery of each in-flight message whose endpoints are up
 * and connected; a chooser (a search strategy, or a recorded trace) picks
 * one. Each pick is a decision. When nothing is enabled the run is quiescent
 * and the invariants are checked.
 *
 * The protocol: a put on a node stamps the value with (Lamport clock, node
 * index), stores it and sends it to every other node; a node keeps the
 * highest stamp it has seen per key (last writer wins). Messages across a
 * partition wait for the heal; a crash loses the crashed node's in-flight
 * messages, to and from it (its stored data survives). So schedules where a
 * crash overtakes a replication leave the nodes disagreeing: the kind of
 * bug the search is for.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fozzy/report.h"
#include "fozzy/scenario.h"
#include "fozzy/util.h"

struct kv {
	char *key, *value;
	uint64_t clock;
	unsigned origin;
};

struct dnode {
	bool up;
	uint64_t clock;
	struct kv *kv;
	size_t nkv;
};

struct dmsg {
	uint64_t id;
	unsigned from, to;
	const char *key, *value; /* point into the script */
	uint64_t clock;
	unsigned origin;
};

struct dworld {
	const struct scenario *s;
	struct dnode *nodes;
	bool *parts; /* nnodes x nnodes */
	struct dmsg *q;
	size_t nq, capq;
	uint64_t next_id, now_ms;
	cJSON *events;
};

static unsigned node_index(const struct scenario *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->nnodes; i++)
		if (!strcmp(s->nodes[i], name))
			return i;
	BUG("node '%s' passed validation but is unknown", name); /* validation checked every name */
}

static struct kv *kv_find(struct dnode *n, const char *key)
{
	size_t i;

	for (i = 0; i < n->nkv; i++)
		if (!strcmp(n->kv[i].key, key))
			return &n->kv[i];
	return NULL;
}

/* Store (value, stamp) if the stamp is newer than what the node has. */
static void kv_merge(struct dnode *n, const char *key, const char *value, uint64_t clock, unsigned origin)
{
	struct kv *e = kv_find(n, key);

	if (n->clock < clock)
		n->clock = clock;
	if (!e) {
		n->kv = xrealloc(n->kv, (n->nkv + 1) * sizeof(*n->kv));
		e = &n->kv[n->nkv++];
		e->key = xstrdup(key);
		e->value = NULL;
	} else if (e->clock > clock || (e->clock == clock && e->origin >= origin)) {
		return;
	}
	free(e->value);
	e->value = xstrdup(value);
	e->clock = clock;
	e->origin = origin;
}

static void ev(struct dworld *w, const char *name, cJSON *fields)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "time_ms", (double)w->now_ms);
	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddItemToObject(e, "fields", fields ? fields : cJSON_CreateObject());
	cJSON_AddItemToArray(w->events, e);
}

static cJSON *fields_node(const char *k, const char *v)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, k, v);
	return f;
}

static bool deliverable(const struct dworld *w, const struct dmsg *m)
{
	return w->nodes[m->from].up && w->nodes[m->to].up && !w->parts[m->from * w->s->nnodes + m->to];
}

static void drop_msgs_of(struct dworld *w, unsigned node)
{
	size_t i, j;

	for (i = j = 0; i < w->nq; i++) {
		if (w->q[i].from == node || w->q[i].to == node) {
			cJSON *f = cJSON_CreateObject();

			cJSON_AddNumberToObject(f, "id", (double)w->q[i].id);
			cJSON_AddStringToObject(f, "reason", "crash");
			ev(w, "drop", f);
			continue;
		}
		w->q[j++] = w->q[i];
	}
	w->nq = j;
}

/* Run script step st; a failed client_get_assert adds a finding and returns -1. */
static int dist_step(struct dworld *w, const cJSON *st, cJSON *findings)
{
	const struct scenario *s = w->s;
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "type"));
	const char *node = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "node"));
	const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "key"));

	if (!strcmp(t, "client_put")) {
		unsigned n = node_index(s, node), i;
		const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "value"));
		cJSON *f = fields_node("node", node);

		cJSON_AddStringToObject(f, "key", key);
		if (!w->nodes[n].up) {
			cJSON_AddBoolToObject(f, "refused", true); /* a client cannot reach a crashed node */
			ev(w, "client_put", f);
			return 0;
		}
		ev(w, "client_put", f);
		w->nodes[n].clock++;
		kv_merge(&w->nodes[n], key, value, w->nodes[n].clock, n);
		for (i = 0; i < s->nnodes; i++) {
			if (i == n)
				continue;
			if (w->nq == w->capq) {
				w->capq = w->capq ? 2 * w->capq : 16;
				w->q = xrealloc(w->q, w->capq * sizeof(*w->q));
			}
			w->q[w->nq++] = (struct dmsg){ .id = w->next_id++, .from = n, .to = i, .key = key, .value = value,
						       .clock = w->nodes[n].clock, .origin = n };
		}
		return 0;
	}
	if (!strcmp(t, "client_get_assert")) {
		unsigned n = node_index(s, node);
		struct kv *e = w->nodes[n].up ? kv_find(&w->nodes[n], key) : NULL;
		const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "equals"));
		bool is_null = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "is_null"));
		char msg[512];
		cJSON *f;

		ev(w, "client_get", fields_node("node", node));
		if (!w->nodes[n].up)
			snprintf(msg, sizeof(msg), "%s is down: the read of '%s' cannot be served", node, key);
		else if (is_null && e)
			snprintf(msg, sizeof(msg), "%s has %s = '%.200s', expected absent", node, key, e->value);
		else if (!is_null && !e)
			snprintf(msg, sizeof(msg), "%s has no %s%s%.200s%s", node, key, want ? ", expected '" : "", want ?: "",
				 want ? "'" : "");
		else if (!is_null && want && strcmp(e->value, want))
			snprintf(msg, sizeof(msg), "%s has %s = '%.200s', expected '%.200s'", node, key, e->value, want);
		else
			return 0;
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "kind", "assertion");
		cJSON_AddStringToObject(f, "title", "client_get_assert");
		cJSON_AddStringToObject(f, "message", msg);
		cJSON_AddItemToArray(findings, f);
		return -1;
	}
	if (!strcmp(t, "partition") || !strcmp(t, "heal")) {
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "a"));
		const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "b"));
		unsigned x = node_index(s, a), y = node_index(s, b);
		bool on = !strcmp(t, "partition");
		cJSON *f = fields_node("a", a);

		cJSON_AddStringToObject(f, "b", b);
		ev(w, t, f);
		w->parts[x * s->nnodes + y] = w->parts[y * s->nnodes + x] = on;
		return 0;
	}
	if (!strcmp(t, "crash") || !strcmp(t, "restart")) {
		unsigned n = node_index(s, node);
		bool up = !strcmp(t, "restart");

		ev(w, t, fields_node("node", node));
		if (!up && w->nodes[n].up)
			drop_msgs_of(w, n);
		w->nodes[n].up = up;
		return 0;
	}
	if (!strcmp(t, "tick")) {
		uint64_t ns = 0;

		parse_duration(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "duration")), &ns);
		w->now_ms += ns / 1000000;
		ev(w, "tick", NULL);
		return 0;
	}
	BUG("distributed step '%s' has no handler", t);
}

static void deliver(struct dworld *w, size_t qi)
{
	struct dmsg m = w->q[qi];
	cJSON *f = cJSON_CreateObject();

	memmove(w->q + qi, w->q + qi + 1, (w->nq - qi - 1) * sizeof(*w->q));
	w->nq--;
	cJSON_AddNumberToObject(f, "id", (double)m.id);
	cJSON_AddStringToObject(f, "from", w->s->nodes[m.from]);
	cJSON_AddStringToObject(f, "to", w->s->nodes[m.to]);
	cJSON_AddStringToObject(f, "key", m.key);
	ev(w, "deliver", f);
	kv_merge(&w->nodes[m.to], m.key, m.value, m.clock, m.origin);
	w->now_ms++;
}

/* The invariants at quiescence; findings for each violation. */
static int check_invariants(struct dworld *w, const cJSON *invariants, cJSON *findings)
{
	const struct scenario *s = w->s;
	const cJSON *inv;
	int bad = 0;

	cJSON_ArrayForEach(inv, invariants) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "type"));
		const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "key"));
		char msg[768] = "";
		unsigned i;

		if (!strcmp(t, "kv_all_equal")) {
			/* every running node holds the same value; absent differs from present */
			const char *ref = NULL, *ref_node = NULL;
			bool first = true;

			for (i = 0; i < s->nnodes && !msg[0]; i++) {
				struct kv *e;
				const char *v;

				if (!w->nodes[i].up)
					continue;
				e = kv_find(&w->nodes[i], key);
				v = e ? e->value : NULL;
				if (first) {
					ref = v;
					ref_node = s->nodes[i];
					first = false;
				} else if ((!ref) != (!v) || (ref && strcmp(ref, v))) {
					snprintf(msg, sizeof(msg), "%s: %s has %s%.150s%s but %s has %s%.150s%s", key, ref_node,
						 ref ? "'" : "", ref ? ref : "nothing", ref ? "'" : "", s->nodes[i], v ? "'" : "",
						 v ? v : "nothing", v ? "'" : "");
				}
			}
		} else if (!strcmp(t, "kv_present_on_all")) {
			for (i = 0; i < s->nnodes && !msg[0]; i++)
				if (w->nodes[i].up && !kv_find(&w->nodes[i], key))
					snprintf(msg, sizeof(msg), "%s is missing on %s", key, s->nodes[i]);
		} else {
			const char *node = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "node"));
			const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "equals"));
			unsigned n = node_index(s, node);
			struct kv *e = kv_find(&w->nodes[n], key);

			if (w->nodes[n].up && (!e || strcmp(e->value, want)))
				snprintf(msg, sizeof(msg), "%s has %s = %s%.200s%s, expected '%.200s'", node, key, e ? "'" : "",
					 e ? e->value : "nothing", e ? "'" : "", want);
		}
		if (msg[0]) {
			cJSON *f = cJSON_CreateObject();

			cJSON_AddStringToObject(f, "kind", "invariant");
			cJSON_AddStringToObject(f, "title", t);
			cJSON_AddStringToObject(f, "message", msg);
			cJSON_AddItemToArray(findings, f);
			bad = -1;
		}
	}
	return bad;
}

/* A stable hash of the world's state, for coverage and distinct-state counts. */
static uint64_t world_hash(const struct dworld *w)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, k;

#define MIX(v) (h = (h ^ (uint64_t)(v)) * 0x100000001b3ULL)
	for (i = 0; i < w->s->nnodes; i++) {
		MIX(w->nodes[i].up);
		for (k = 0; k < w->nodes[i].nkv; k++) {
			const char *p;

			for (p = w->nodes[i].kv[k].key; *p; p++)
				MIX(*p);
			MIX(0xff);
			for (p = w->nodes[i].kv[k].value; *p; p++)
				MIX(*p);
			MIX(w->nodes[i].kv[k].clock);
		}
		MIX(0xfe);
	}
	for (i = 0; i < w->nq; i++)
		MIX(w->q[i].id);
	for (i = 0; i < w->s->nnodes * w->s->nnodes; i++)
		MIX(w->parts[i]);
#undef MIX
	return h;
}

void dist_execute(const struct scenario *s, const cJSON *steps, const cJSON *invariants, uint64_t max_steps,
		  struct dist_chooser *ch, struct dist_result *r)
{
	struct dworld w = { .s = s, .next_id = 1 };
	const cJSON *step = steps ? steps->child : NULL;
	size_t idx[4096], i;
	uint64_t ids[4096];
	unsigned step_no = 0;
	uint64_t taken = 0;

	memset(r, 0, sizeof(*r));
	r->decisions = cJSON_CreateArray();
	r->findings = cJSON_CreateArray();
	r->events = w.events = cJSON_CreateArray();
	w.nodes = xcalloc(s->nnodes, sizeof(*w.nodes));
	w.parts = xcalloc(s->nnodes * s->nnodes, sizeof(bool));
	for (i = 0; i < s->nnodes; i++)
		w.nodes[i].up = true;
	for (;;) {
		unsigned n = 0, pick;
		char label[128];
		cJSON *d;

		if (step) {
			ids[n] = 0;
			idx[n++] = SIZE_MAX; /* the next script step */
		}
		for (i = 0; i < w.nq && n < ARRAY_SIZE(idx); i++)
			if (deliverable(&w, &w.q[i])) {
				ids[n] = w.q[i].id;
				idx[n++] = i;
			}
		if (!n) {
			r->quiescent = true;
			break;
		}
		if (taken >= max_steps)
			break;
		pick = ch->choose(ch, n, ids);
		if (pick == DIST_STOP) {
			r->diverged = true;
			break;
		}
		if (idx[pick] == SIZE_MAX)
			snprintf(label, sizeof(label), "step %u %s", step_no,
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(step, "type")));
		else
			snprintf(label, sizeof(label), "deliver %" PRIu64, w.q[idx[pick]].id);
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "kind", "explore_pick");
		cJSON_AddNumberToObject(d, "pick", pick);
		cJSON_AddNumberToObject(d, "options", n);
		cJSON_AddStringToObject(d, "action", label);
		cJSON_AddItemToArray(r->decisions, d);
		if (ch->check && ch->check(ch, d)) {
			r->diverged = true;
			break;
		}
		taken++;
		if (idx[pick] == SIZE_MAX) {
			if (dist_step(&w, step, r->findings)) {
				r->failed = true;
				break;
			}
			step = step->next;
			step_no++;
		} else {
			deliver(&w, idx[pick]);
		}
		if (ch->observe)
			ch->observe(ch, world_hash(&w));
	}
	r->steps = taken;
	if (r->quiescent && !r->failed && check_invariants(&w, invariants, r->findings))
		r->failed = true;
	r->virtual_ms = w.now_ms;
	for (i = 0; i < s->nnodes; i++) {
		size_t k;

		for (k = 0; k < w.nodes[i].nkv; k++) {
			free(w.nodes[i].kv[k].key);
			free(w.nodes[i].kv[k].value);
		}
		free(w.nodes[i].kv);
	}
	free(w.nodes);
	free(w.parts);
	free(w.q);
}

void dist_result_release(struct dist_result *r)
{
	cJSON_Delete(r->decisions);
	cJSON_Delete(r->events);
	cJSON_Delete(r->findings);
	memset(r, 0, sizeof(*r));
}
