// SPDX-License-Identifier: MIT
/*
 * Loading and validating scenario files. Everything is checked up front,
 * against the schema table, and the first problem is reported with its JSON
 * path: "$.steps[2].duration: invalid duration '1.5s' ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fozzy/scenario.h"
#include "fozzy/util.h"
#include "internal.h"

#define MAX_SAFE_INT 9007199254740992.0 /* 2^53: integers a JSON double holds exactly */

struct vctx {
	char *why;
	size_t whylen;
	bool lenient;
	const struct scenario *s;  /* distributed: the node list */
};

PRINTF(3, 4) static int fail(struct vctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	n = (size_t)snprintf(c->why, c->whylen, "%s: ", path);
	if (n < c->whylen) {
		va_start(ap, fmt);
		vsnprintf(c->why + n, c->whylen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *scenario_variant_name(enum scn_variant v)
{
	return v == SCN_STEPS ? "steps" : v == SCN_SUITES ? "suites" : "distributed";
}

/* Levenshtein distance, capped, for "did you mean" hints. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[64], i, j, prev, tmp, la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev
				 : 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1])
						      : (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = tmp;
		}
	}
	return row[lb];
}

static const char *closest_type(int table, const char *type)
{
	const struct step_def *d, *best = NULL;
	unsigned bd = 4, dist;
	size_t i;

	for (i = 0; (d = step_def_at(table, i)); i++) {
		dist = edit_distance(type, d->type);
		if (dist < bd) {
			bd = dist;
			best = d;
		}
	}
	return best ? best->type : NULL;
}

static bool is_int(const cJSON *v, double lo, double hi)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble) &&
	       v->valuedouble >= lo && v->valuedouble <= hi;
}

static bool node_known(const struct scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nnodes; i++)
		if (!strcmp(s->nodes[i], name))
			return true;
	return false;
}

static char *known_nodes(const struct scenario *s)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < s->nnodes && i < 16; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", s->nodes[i]);
	if (s->nnodes > 16)
		buf_addf(&b, ", ...");
	buf_addc(&b, 0);
	return (char *)b.data;
}

static int check_steps(struct vctx *c, const cJSON *steps, const char *path, int table, int depth);

static int check_field(struct vctx *c, const cJSON *v, const struct field_def *f, const char *path, int table, int depth)
{
	const cJSON *e;
	uint64_t ns;
	int i = 0;

	switch (f->type) {
	case FT_STR:
		if (!cJSON_IsString(v))
			return fail(c, path, "expected a string");
		return 0;
	case FT_NODE:
		if (!cJSON_IsString(v))
			return fail(c, path, "expected a node name (string)");
		if (c->s && !node_known(c->s, v->valuestring)) {
			char *k = known_nodes(c->s);

			fail(c, path, "unknown node '%s' (known nodes: %s)", v->valuestring, k);
			free(k);
			return -1;
		}
		return 0;
	case FT_U64:
		if (!is_int(v, 0, MAX_SAFE_INT))
			return fail(c, path, "expected an unsigned integer (0 to 2^53)");
		return 0;
	case FT_I64:
		if (!is_int(v, -MAX_SAFE_INT, MAX_SAFE_INT))
			return fail(c, path, "expected an integer (-2^53 to 2^53)");
		return 0;
	case FT_I32:
		if (!is_int(v, -2147483648.0, 2147483647.0))
			return fail(c, path, "expected a 32-bit integer");
		return 0;
	case FT_U16:
		if (!is_int(v, 0, 65535))
			return fail(c, path, "expected an integer from 0 to 65535");
		return 0;
	case FT_BOOL:
		if (!cJSON_IsBool(v))
			return fail(c, path, "expected true or false");
		return 0;
	case FT_F64:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return fail(c, path, "expected a number");
		return 0;
	case FT_DUR:
		if (!cJSON_IsString(v))
			return fail(c, path, "expected a duration string such as \"250ms\", \"30s\", \"5m\", \"2h\"");
		if (parse_duration(v->valuestring, &ns))
			return fail(c, path, "invalid duration '%s' (expected an unsigned integer followed by ms, s, m "
				    "or h, e.g. 250ms, 30s, 5m, 2h)", v->valuestring);
		return 0;
	case FT_OBJ:
		if (!cJSON_IsObject(v))
			return fail(c, path, "expected an object");
		return 0;
	case FT_ANY:
		return 0;
	case FT_HEADERS:
		if (!cJSON_IsObject(v))
			return fail(c, path, "expected an object of header name to value");
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e)) {
				char *p = xasprintf("%s.%s", path, e->string);

				fail(c, p, "expected a string header value");
				free(p);
				return -1;
			}
		}
		return 0;
	case FT_STRARR:
		if (!cJSON_IsArray(v))
			return fail(c, path, "expected an array of strings");
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e)) {
				char *p = xasprintf("%s[%d]", path, i);

				fail(c, p, "expected a string");
				free(p);
				return -1;
			}
			i++;
		}
		return 0;
	case FT_STEPS:
		if (!cJSON_IsArray(v))
			return fail(c, path, "expected an array of steps");
		if (depth + 1 > SCN_MAX_DEPTH)
			return fail(c, path, "nested more than %d levels deep", SCN_MAX_DEPTH);
		return check_steps(c, v, path, table, depth + 1);
	}
	return 0;
}

static int check_step(struct vctx *c, const cJSON *st, const char *path, int table, int depth)
{
	const char *what = table == 2 ? "invariant" : "step";
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(st, "type"), *v;
	const struct step_def *d;
	const struct field_def *f;
	char *p;
	int rc;

	if (!cJSON_IsObject(st))
		return fail(c, path, "expected a %s object with a \"type\"", what);
	if (!cJSON_IsString(type)) {
		p = xasprintf("%s.type", path);
		rc = fail(c, p, type ? "expected a string %s type" : "missing the %s type (every %s has \"type\")", what, what);
		free(p);
		return rc;
	}
	d = step_def_find(table, type->valuestring);
	if (!d) {
		const char *near = closest_type(table, type->valuestring);
		const char *other = table == 0 && step_def_find(1, type->valuestring)	? " (a distributed step: it belongs in \"distributed\".\"steps\")"
				    : table == 1 && step_def_find(0, type->valuestring) ? " (a step of steps scenarios, not of distributed ones)"
											  : "";

		p = xasprintf("%s.type", path);
		if (near)
			rc = fail(c, p, "unknown %s type '%s'%s; did you mean '%s'? (see fozzy schema --json)", what,
				  type->valuestring, other, near);
		else
			rc = fail(c, p, "unknown %s type '%s'%s (see fozzy schema --json)", what, type->valuestring, other);
		free(p);
		return rc;
	}
	cJSON_ArrayForEach(v, st) {
		bool known = !strcmp(v->string, "type");

		for (f = d->fields; !known && f->name; f++)
			known = !strcmp(f->name, v->string);
		if (known)
			continue;
		p = xasprintf("%s.%s", path, v->string);
		if (!c->lenient) {
			const char *near = NULL;
			unsigned bd = 3;

			for (f = d->fields; f->name; f++)
				if (edit_distance(v->string, f->name) < bd) {
					bd = edit_distance(v->string, f->name);
					near = f->name;
				}
			if (near)
				rc = fail(c, p, "unknown field of %s '%s'; did you mean '%s'? (--unsafe ignores unknown fields)",
					  what, d->type, near);
			else
				rc = fail(c, p, "unknown field of %s '%s' (--unsafe ignores unknown fields)", what, d->type);
			free(p);
			return rc;
		}
		warning("%s: unknown field of %s '%s' ignored", p, what, d->type);
		free(p);
	}
	for (f = d->fields; f->name; f++) {
		v = cJSON_GetObjectItemCaseSensitive(st, f->name);
		p = xasprintf("%s.%s", path, f->name);
		if (!v || (cJSON_IsNull(v) && f->type != FT_ANY)) {
			rc = f->required ? fail(c, p, "missing required field (%s)", field_type_name(f->type)) : 0;
			free(p);
			if (rc)
				return rc;
			continue;
		}
		rc = check_field(c, v, f, p, table, depth);
		free(p);
		if (rc)
			return rc;
	}
	/* rules that span fields */
	if (!strcmp(d->type, "assert_eventually_kv") || !strcmp(d->type, "assert_never_kv")) {
		uint64_t ns = 0;

		parse_duration(cJSON_GetObjectItemCaseSensitive(st, "poll")->valuestring, &ns);
		if (ns < 1000000) {
			p = xasprintf("%s.poll", path);
			rc = fail(c, p, "must be at least 1ms (a zero poll interval would never end)");
			free(p);
			return rc;
		}
	}
	if ((!strcmp(d->type, "get_kv_assert") || !strcmp(d->type, "client_get_assert")) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(st, "equals")) &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "is_null")))
		return fail(c, path, "%s cannot combine \"equals\" with \"is_null\": true", d->type);
	if (!strcmp(d->type, "memory_free")) {
		bool id = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(st, "alloc_id"));
		bool key = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(st, "key"));

		if (id == key)
			return fail(c, path, "memory_free needs exactly one of \"alloc_id\" and \"key\"");
	}
	return 0;
}

static int check_steps(struct vctx *c, const cJSON *steps, const char *path, int table, int depth)
{
	const cJSON *st;
	bool only_decl = true;
	int i = 0;

	cJSON_ArrayForEach(st, steps) {
		char *p = xasprintf("%s[%d]", path, i++);
		int rc = check_step(c, st, p, table, depth);
		const char *t;

		free(p);
		if (rc)
			return rc;
		t = cJSON_GetObjectItemCaseSensitive(st, "type")->valuestring;
		if (strcmp(t, "http_when") && strcmp(t, "proc_when"))
			only_decl = false;
	}
	if (table == 0 && i > 0 && only_decl)
		return fail(c, path, "every step is an http_when or proc_when declaration, so nothing would run; add "
			    "executable steps such as proc_spawn, http_request, fs or assertion steps");
	return 0;
}

/* Is s valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF)? */
static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p, n, cp, k;

		if (c < 0x80) {
			p++;
			continue;
		}
		n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		if (!n || c > 0xf4)
			return false;
		cp = c & (0x3f >> n);
		for (k = 1; k <= n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* Every key and string of the file must be UTF-8 (reports, traces and junit carry them). */
static int check_utf8(struct vctx *c, const cJSON *j, const char *path, int depth)
{
	const cJSON *e;
	int i = 0;

	if (depth > 200)
		return 0; /* cJSON's own nesting limit is lower */
	if (cJSON_IsString(j) && !utf8_ok(j->valuestring))
		return fail(c, path, "the string is not valid UTF-8");
	cJSON_ArrayForEach(e, j) {
		char *p = cJSON_IsArray(j) ? xasprintf("%s[%d]", path, i) : xasprintf("%s.%s", path, e->string);
		int rc = 0;

		if (cJSON_IsObject(j) && !utf8_ok(e->string))
			rc = fail(c, path, "a key is not valid UTF-8");
		else
			rc = check_utf8(c, e, p, depth + 1);
		free(p);
		if (rc)
			return rc;
		i++;
	}
	return 0;
}

static bool comment_key(const char *k)
{
	return k[0] == '_' || !strcmp(k, "description") || !strcmp(k, "$schema");
}

static int check_top_keys(struct vctx *c, const cJSON *root, const char *const *allowed)
{
	const cJSON *v;
	const char *const *a;

	cJSON_ArrayForEach(v, root) {
		bool ok = comment_key(v->string);

		for (a = allowed; !ok && *a; a++)
			ok = !strcmp(*a, v->string);
		if (ok)
			continue;
		if (!c->lenient) {
			char *p = xasprintf("$.%s", v->string);

			fail(c, p, "unknown top-level key (allowed: version, name, steps|distributed|suites, description, "
			     "$schema, keys starting with '_'; --unsafe ignores unknown keys)");
			free(p);
			return -1;
		}
		warning("$.%s: unknown top-level key ignored", v->string);
	}
	return 0;
}

static int check_distributed(struct vctx *c, struct scenario *s, const cJSON *d)
{
	static const char *const keys[] = { "nodes", "node_count", "steps", "invariants", NULL };
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(d, "nodes"), *count, *v;
	size_t i = 0;

	if (!cJSON_IsObject(d))
		return fail(c, "$.distributed", "expected an object with nodes or node_count, steps and invariants");
	cJSON_ArrayForEach(v, d) {
		const char *const *a;
		bool ok = false;

		for (a = keys; !ok && *a; a++)
			ok = !strcmp(*a, v->string);
		if (!ok && !c->lenient) {
			char *p = xasprintf("$.distributed.%s", v->string);

			fail(c, p, "unknown key (allowed: nodes, node_count, steps, invariants)");
			free(p);
			return -1;
		}
		if (!ok)
			warning("$.distributed.%s: unknown key ignored", v->string);
	}
	if (nodes && !cJSON_IsNull(nodes)) {
		if (!cJSON_IsArray(nodes) || !cJSON_GetArraySize(nodes))
			return fail(c, "$.distributed.nodes", "expected a non-empty array of node names");
		if (cJSON_GetArraySize(nodes) > 1024)
			return fail(c, "$.distributed.nodes", "more than 1024 nodes");
		s->nodes = xcalloc((size_t)cJSON_GetArraySize(nodes), sizeof(char *));
		s->nnodes = 0; /* counts the names checked so far */
		cJSON_ArrayForEach(v, nodes) {
			char *p = xasprintf("$.distributed.nodes[%zu]", i);

			if (!cJSON_IsString(v) || !v->valuestring[0]) {
				fail(c, p, "expected a non-empty node name");
				free(p);
				return -1;
			}
			if (node_known(s, v->valuestring)) {
				fail(c, p, "duplicate node '%s'", v->valuestring);
				free(p);
				return -1;
			}
			free(p);
			s->nodes[s->nnodes++] = xstrdup(v->valuestring);
			i++;
		}
	} else {
		count = cJSON_GetObjectItemCaseSensitive(d, "node_count");
		if (!count)
			return fail(c, "$.distributed", "needs \"nodes\" (a list of names) or \"node_count\" (at least 1)");
		if (!is_int(count, 1, 1024))
			return fail(c, "$.distributed.node_count", "expected an integer from 1 to 1024");
		s->nnodes = (size_t)count->valuedouble;
		s->nodes = xcalloc(s->nnodes, sizeof(char *));
		for (i = 0; i < s->nnodes; i++)
			s->nodes[i] = xasprintf("n%zu", i);
	}
	c->s = s;
	s->steps = cJSON_GetObjectItemCaseSensitive(d, "steps");
	if (!cJSON_IsArray(s->steps))
		return fail(c, "$.distributed.steps", s->steps ? "expected an array of steps" : "missing required field (array of steps)");
	if (check_steps(c, s->steps, "$.distributed.steps", 1, 0))
		return -1;
	s->invariants = cJSON_GetObjectItemCaseSensitive(d, "invariants");
	if (s->invariants && cJSON_IsNull(s->invariants))
		s->invariants = NULL;
	if (s->invariants) {
		if (!cJSON_IsArray(s->invariants))
			return fail(c, "$.distributed.invariants", "expected an array of invariants");
		if (check_steps(c, s->invariants, "$.distributed.invariants", 2, 0))
			return -1;
	}
	return 0;
}

static int parse_inner(const char *text, size_t len, bool lenient, struct scenario *s, char *why, size_t whylen)
{
	struct vctx c = { .why = why, .whylen = whylen, .lenient = lenient };
	const cJSON *version, *name, *steps, *dist, *suites;
	const char *end = NULL;
	int nvar;

	memset(s, 0, sizeof(*s));
	if (len > SCN_MAX_FILE)
		return fail(&c, "$", "the file is %zu bytes; scenario files are limited to %u MiB", len, SCN_MAX_FILE >> 20);
	if (!len)
		return fail(&c, "$", "the file is empty; a scenario is a JSON object (see fozzy schema --json)");
	if (memchr(text, 0, len))
		return fail(&c, "$", "the file contains a NUL byte: not JSON text");
	s->root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (s->root && end) {
		const char *q = end;

		while (q < text + len && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
			q++;
		if (q < text + len) {
			cJSON_Delete(s->root);
			s->root = NULL;
			end = q;
		}
	}
	if (!s->root) {
		size_t off = end && end >= text ? (size_t)(end - text) : 0, line = 1, col = 1, i;

		for (i = 0; i < off && i < len; i++) {
			if (text[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		return fail(&c, "$", "malformed JSON at line %zu, column %zu", line, col);
	}
	if (!cJSON_IsObject(s->root))
		return fail(&c, "$", "expected a JSON object with version, name and steps (see fozzy schema --json)");
	if (check_utf8(&c, s->root, "$", 0))
		return -1;
	steps = cJSON_GetObjectItemCaseSensitive(s->root, "steps");
	dist = cJSON_GetObjectItemCaseSensitive(s->root, "distributed");
	suites = cJSON_GetObjectItemCaseSensitive(s->root, "suites");
	nvar = !!steps + !!dist + !!suites;
	if (nvar != 1)
		return fail(&c, "$", nvar ? "has more than one of \"steps\", \"distributed\" and \"suites\"; a scenario is exactly one"
				     : "expected one of the variants: steps ({version, name, steps}), distributed ({version, "
				       "name, distributed}) or suites (see fozzy schema --json)");
	s->variant = steps ? SCN_STEPS : dist ? SCN_DISTRIBUTED : SCN_SUITES;
	version = cJSON_GetObjectItemCaseSensitive(s->root, "version");
	if (!version)
		return fail(&c, "$.version", "missing required field (the scenario format version, 1)");
	if (!is_int(version, 0, 4294967295.0))
		return fail(&c, "$.version", "expected an unsigned integer");
	if (version->valuedouble != 1)
		return fail(&c, "$.version", "unsupported scenario version %.0f (expected 1)", version->valuedouble);
	name = cJSON_GetObjectItemCaseSensitive(s->root, "name");
	if (!cJSON_IsString(name))
		return fail(&c, "$.name", name ? "expected a string" : "missing required field (string)");
	s->name = name->valuestring;
	switch (s->variant) {
	case SCN_STEPS: {
		static const char *const keys[] = { "version", "name", "steps", NULL };

		if (check_top_keys(&c, s->root, keys))
			return -1;
		if (!cJSON_IsArray(steps))
			return fail(&c, "$.steps", "expected an array of steps");
		s->steps = steps;
		return check_steps(&c, steps, "$.steps", 0, 0);
	}
	case SCN_DISTRIBUTED: {
		static const char *const keys[] = { "version", "name", "distributed", NULL };

		if (check_top_keys(&c, s->root, keys))
			return -1;
		return check_distributed(&c, s, dist);
	}
	case SCN_SUITES:
		return 0;
	}
	return 0;
}

int scenario_parse(const char *text, size_t len, bool lenient, struct scenario *s, char *why, size_t whylen)
{
	if (parse_inner(text, len, lenient, s, why, whylen)) {
		scenario_release(s);
		return -1;
	}
	return 0;
}

int scenario_load(const char *path, bool lenient, struct scenario *s, char *why, size_t whylen)
{
	struct buf b = { 0 };
	struct stat st;
	int rc;

	memset(s, 0, sizeof(*s));
	if (stat(path, &st)) {
		snprintf(why, whylen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "'%s' is a directory, not a scenario file", path);
		return -1;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SCN_MAX_FILE) {
		snprintf(why, whylen, "'%s' is %lld bytes; scenario files are limited to %u MiB", path,
			 (long long)st.st_size, SCN_MAX_FILE >> 20);
		return -1;
	}
	{
		/* bounded: /dev/zero or a FIFO has no size to check first */
		bool over;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO without a writer must not hang */

		if (fd < 0) {
			snprintf(why, whylen, "cannot read '%s': %s", path, strerror(errno));
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		if (fd_read_max(fd, &b, SCN_MAX_FILE, &over)) {
			snprintf(why, whylen, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			buf_release(&b);
			return -1;
		}
		if (over) {
			snprintf(why, whylen, "'%s' is larger than %u MiB, the limit for scenario files", path, SCN_MAX_FILE >> 20);
			close(fd);
			buf_release(&b);
			return -1;
		}
		close(fd);
	}
	rc = scenario_parse(b.len ? (const char *)b.data : "", b.len, lenient, s, why, whylen);
	buf_release(&b);
	return rc;
}

void scenario_release(struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->nnodes; i++)
		free(s->nodes[i]);
	free(s->nodes);
	cJSON_Delete(s->root);
	memset(s, 0, sizeof(*s));
}
