// SPDX-License-Identifier: MIT
/*
 * Error reporting, checked allocation and byte buffers shared by every layer.
 * Allocation failure is fatal: fozzy cannot do anything useful without memory
 * and half-finished state is worse than a clear exit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <xxhash.h>

#include "fozzy/exit.h"
#include "fozzy/util.h"

bool quiet_errors;
static die_hook_fn die_hook;
static _Thread_local char last_err[512]; /* per thread: fozzy test --jobs runs threads */

void set_die_hook(die_hook_fn fn)
{
	die_hook = fn;
}

const char *last_error(void)
{
	return last_err;
}

__attribute__((format(printf, 2, 0)))
static void vreport(const char *prefix, const char *fmt, va_list ap, bool keep)
{
	char msg[sizeof(last_err)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (keep)
		memcpy(last_err, msg, sizeof(msg));
	if (!quiet_errors)
		fprintf(stderr, "fozzy: %s%s\n", prefix, msg);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, true);
	va_end(ap);
	if (die_hook)
		die_hook();
	fflush(stdout);
	exit(EXIT_ERROR);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, true);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, false);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("note: ", fmt, ap, false);
	va_end(ap);
}

void bug_fl(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fozzy: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (die_hook)
		die_hook();
	abort();
}

static void *oom(size_t n)
{
	fprintf(stderr, "fozzy: out of memory allocating %zu bytes\n", n);
	if (die_hook)
		die_hook();
	exit(EXIT_ERROR);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom(n);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom(n * size);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	return q ? q : oom(n);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = oom(strlen(fmt));
	va_end(ap);
	return s;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t want = b->len + extra;

	if (want < b->len)
		oom(SIZE_MAX);
	if (want <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < want)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void buf_addc(struct buf *b, uint8_t c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		BUG("vsnprintf failed");
	buf_grow(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_add_uvarint(struct buf *b, uint64_t v)
{
	buf_grow(b, 10);
	while (v >= 0x80) {
		b->data[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->data[b->len++] = (uint8_t)v;
}

void buf_add_svarint(struct buf *b, int64_t v)
{
	buf_add_uvarint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

int get_uvarint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*pos < len) {
		uint8_t c = p[(*pos)++];

		if (shift == 63 && c > 1)
			return -1;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

int get_svarint(const uint8_t *p, size_t len, size_t *pos, int64_t *out)
{
	uint64_t u;

	if (get_uvarint(p, len, pos, &u))
		return -1;
	*out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
		{ "ms", 1000000ULL }, { "s", 1000000000ULL },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL },
	};
	char num[32];
	size_t i, n = 0, end;
	uint64_t v;

	if (!s)
		return -1;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	end = strlen(s);
	while (end && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n'))
		end--;
	while (n < end && s[n] >= '0' && s[n] <= '9')
		n++;
	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	if (parse_u64(num, &v))
		return -1;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		size_t ul = strlen(units[i].unit);

		if (end - n == ul && !memcmp(s + n, units[i].unit, ul)) {
			if (v > UINT64_MAX / units[i].mult)
				return -1;
			*ns = v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int hex_decode(const char *hex, struct buf *out)
{
	size_t n = hex ? strlen(hex) : 0, i;

	if (!hex || n % 2)
		return -1;
	buf_grow(out, n / 2 ? n / 2 : 1);
	for (i = 0; i < n; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out->data[out->len++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void format_rfc3339(uint64_t real_ns, char out[40])
{
	time_t secs = (time_t)(real_ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&secs, &tm);
	char date[24];

	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%.19s.%09uZ", date, (unsigned)(real_ns % 1000000000ULL));
}

void uuid_v4(char out[37])
{
	uint8_t b[16];
	char hex[33];

	if (getrandom(b, sizeof(b), 0) != sizeof(b)) {
		uint64_t t = now_real_ns() ^ now_mono_ns();

		memcpy(b, &t, 8);
		memcpy(b + 8, &t, 8);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	hex_encode(b, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static size_t seen_slot(const struct seen_ent *tab, size_t cap, uint64_t a, uint64_t b)
{
	size_t i = (size_t)XXH3_64bits_withSeed(&b, sizeof(b), a) & (cap - 1);

	while (tab[i].n && !(tab[i].a == a && tab[i].b == b))
		i = (i + 1) & (cap - 1);
	return i;
}

uint64_t seen_number(struct seen_map *m, uint64_t a, uint64_t b)
{
	struct seen_ent *e;

	if ((m->count + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256, j;
		struct seen_ent *tab = xcalloc(cap, sizeof(*tab));

		for (j = 0; j < m->cap; j++)
			if (m->tab[j].n)
				tab[seen_slot(tab, cap, m->tab[j].a, m->tab[j].b)] = m->tab[j];
		free(m->tab);
		m->tab = tab;
		m->cap = cap;
	}
	e = &m->tab[seen_slot(m->tab, m->cap, a, b)];
	if (!e->n) {
		e->a = a;
		e->b = b;
		e->n = ++m->count;
	}
	return e->n;
}

void seen_release(struct seen_map *m)
{
	free(m->tab);
	memset(m, 0, sizeof(*m));
}
