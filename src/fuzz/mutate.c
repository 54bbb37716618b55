// SPDX-License-Identifier: MIT
/*
 * Mutations of fuzz inputs, in the families of AFL's deterministic stages
 * and havoc, and AFL-format dictionaries. Every choice comes from the
 * campaign's PRNG, so a seed gives the same sequence of inputs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fozzy/fuzz.h"

static const char *const names[MUT_N] = { "havoc", "bitflip", "byteflip", "arith",
					   "interesting", "block", "dict", "splice" };

const char *mut_name(enum mut_family f)
{
	return (unsigned)f < MUT_N ? names[f] : "?";
}

int mut_parse(const char *name, enum mut_family *f)
{
	unsigned i;

	for (i = 0; i < MUT_N; i++)
		if (!strcmp(name, names[i])) {
			*f = (enum mut_family)i;
			return 0;
		}
	return -1;
}

/* A number in [0, n); n > 0. */
static size_t below(struct prng *r, size_t n)
{
	return (size_t)(prng_next(r) % n);
}

static const int8_t interesting8[] = { -128, -1, 0, 1, 16, 32, 64, 100, 127 };
static const int16_t interesting16[] = { -32768, -129, 128, 255, 256, 512, 1000, 1024, 4096, 32767 };
static const int32_t interesting32[] = { INT32_MIN, -100663046, -32769, 32768, 65535, 65536,
					 100663045, INT32_MAX };

#define ARITH_MAX 35

static void put_word(uint8_t *p, unsigned width, uint32_t v, bool swap)
{
	unsigned i;

	for (i = 0; i < width; i++)
		p[swap ? width - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_word(const uint8_t *p, unsigned width, bool swap)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < width; i++)
		v |= (uint32_t)p[swap ? width - 1 - i : i] << (8 * i);
	return v;
}

/* A width (1, 2 or 4) that fits in n > 0 bytes. */
static unsigned pick_width(struct prng *r, size_t n)
{
	unsigned w = 1u << below(r, 3);

	while (w > n)
		w >>= 1;
	return w;
}

static void bitflip(struct buf *b, struct prng *r)
{
	size_t bit = below(r, b->len * 8), k = (size_t)1 << below(r, 3), i;

	for (i = 0; i < k && bit + i < b->len * 8; i++)
		b->data[(bit + i) / 8] ^= (uint8_t)(0x80 >> ((bit + i) % 8));
}

static void byteflip(struct buf *b, struct prng *r)
{
	unsigned w = pick_width(r, b->len), i;
	size_t at = below(r, b->len - w + 1);

	for (i = 0; i < w; i++)
		b->data[at + i] ^= 0xff;
}

static void arith(struct buf *b, struct prng *r)
{
	unsigned w = pick_width(r, b->len);
	size_t at = below(r, b->len - w + 1);
	bool swap = w > 1 && (prng_next(r) & 1);
	uint32_t delta = (uint32_t)below(r, ARITH_MAX) + 1, v = get_word(b->data + at, w, swap);

	v = (prng_next(r) & 1) ? v + delta : v - delta;
	put_word(b->data + at, w, v, swap);
}

static void interesting(struct buf *b, struct prng *r)
{
	unsigned w = pick_width(r, b->len);
	size_t at = below(r, b->len - w + 1);
	bool swap = w > 1 && (prng_next(r) & 1);
	uint32_t v;

	if (w == 1)
		v = (uint8_t)interesting8[below(r, sizeof(interesting8))];
	else if (w == 2)
		v = (uint16_t)interesting16[below(r, sizeof(interesting16) / sizeof(interesting16[0]))];
	else
		v = (uint32_t)interesting32[below(r, sizeof(interesting32) / sizeof(interesting32[0]))];
	put_word(b->data + at, w, v, swap);
}

/* A block length for an input of n bytes: mostly short, sometimes long. */
static size_t block_len(struct prng *r, size_t n)
{
	size_t cap = n < 32 ? n : (below(r, 4) ? 32 : n);

	return cap ? below(r, cap) + 1 : 1;
}

/* Insert n bytes at `at` (the caller fills them). */
static uint8_t *insert_gap(struct buf *b, size_t at, size_t n)
{
	buf_grow(b, n);
	memmove(b->data + at + n, b->data + at, b->len - at);
	b->len += n;
	return b->data + at;
}

static void block(struct buf *b, struct prng *r, size_t max)
{
	size_t op = below(r, 5), n, at, from;

	if (!b->len)
		op = 0;
	switch (op) {
	case 0: /* insert random bytes, or a run of one byte */
		if (b->len >= max)
			return;
		n = block_len(r, b->len ? b->len : 8);
		if (n > max - b->len)
			n = max - b->len;
		at = below(r, b->len + 1);
		{
			uint8_t *p = insert_gap(b, at, n);

			if (prng_next(r) & 1)
				memset(p, (int)(prng_next(r) & 0xff), n);
			else
				prng_fill(r, p, n);
		}
		break;
	case 1: /* delete */
	case 2:
		if (b->len < 2)
			return;
		n = block_len(r, b->len - 1);
		at = below(r, b->len - n + 1);
		memmove(b->data + at, b->data + at + n, b->len - at - n);
		b->len -= n;
		break;
	case 3: /* duplicate a block somewhere else */
		if (b->len >= max)
			return;
		n = block_len(r, b->len);
		if (n > max - b->len)
			n = max - b->len;
		from = below(r, b->len - n + 1);
		at = below(r, b->len + 1);
		insert_gap(b, at, n);
		/* the source moved if it was after the gap */
		memmove(b->data + at, b->data + (from >= at ? from + n : from), n);
		break;
	default: /* overwrite a block with a copy of another part */
		n = block_len(r, b->len);
		from = below(r, b->len - n + 1);
		at = below(r, b->len - n + 1);
		memmove(b->data + at, b->data + from, n);
		break;
	}
}

static void dict_op(struct buf *b, struct prng *r, const struct fuzz_dict *d, size_t max)
{
	const struct fuzz_token *t = &d->t[below(r, d->n)];
	size_t at;

	if (!t->len || t->len > max)
		return;
	if (b->len >= t->len && (prng_next(r) & 1)) { /* overwrite */
		at = below(r, b->len - t->len + 1);
		memcpy(b->data + at, t->p, t->len);
		return;
	}
	if (b->len + t->len > max)
		return;
	at = below(r, b->len + 1);
	memcpy(insert_gap(b, at, t->len), t->p, t->len);
}

static void splice(struct buf *b, struct prng *r, const uint8_t *other, size_t olen, size_t max)
{
	size_t head = b->len ? below(r, b->len + 1) : 0, tail = below(r, olen + 1);

	b->len = head;
	if (head + (olen - tail) > max)
		tail = olen - (max - head);
	buf_add(b, other + tail, olen - tail);
}

static void one(struct buf *b, enum mut_family f, struct prng *r, const struct fuzz_dict *d,
		const uint8_t *other, size_t olen, size_t max)
{
	if (!b->len && f != MUT_BLOCK && f != MUT_DICT && f != MUT_SPLICE)
		f = MUT_BLOCK; /* only growing helps an empty input */
	switch (f) {
	case MUT_BITFLIP:
		bitflip(b, r);
		break;
	case MUT_BYTEFLIP:
		byteflip(b, r);
		break;
	case MUT_ARITH:
		arith(b, r);
		break;
	case MUT_INTERESTING:
		interesting(b, r);
		break;
	case MUT_DICT:
		if (d && d->n)
			dict_op(b, r, d, max);
		else
			block(b, r, max);
		break;
	case MUT_SPLICE:
		if (other && olen)
			splice(b, r, other, olen, max);
		else
			block(b, r, max);
		break;
	default:
		block(b, r, max);
		break;
	}
}

void fuzz_mutate(struct buf *b, enum mut_family f, struct prng *r, const struct fuzz_dict *d,
		 const uint8_t *other, size_t other_len, size_t max)
{
	unsigned n, i;

	if (f == MUT_SPLICE && (!other || !other_len))
		f = MUT_HAVOC;
	if (f == MUT_DICT && (!d || !d->n))
		f = MUT_HAVOC;
	if (f != MUT_HAVOC) {
		one(b, f, r, d, other, other_len, max);
	} else {
		/* havoc: 1, 2, 4, 8 or 16 stacked operations of any family */
		n = 1u << below(r, 5);
		for (i = 0; i < n; i++) {
			enum mut_family g = (enum mut_family)(1 + below(r, MUT_N - 1));

			if (g == MUT_SPLICE && (!other || !other_len || i))
				g = MUT_BLOCK; /* splice at most once, first */
			if (g == MUT_DICT && (!d || !d->n))
				g = MUT_INTERESTING;
			one(b, g, r, d, other, other_len, max);
		}
	}
	if (b->len > max)
		b->len = max;
}

/* ---- dictionaries ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void dict_release(struct fuzz_dict *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->t[i].p);
	free(d->t);
	d->t = NULL;
	d->n = 0;
}

#define DICT_MAX_TOKEN 1024
#define DICT_MAX_TOKENS 65536

int dict_parse(const char *text, size_t len, struct fuzz_dict *d, char *why, size_t whylen)
{
	size_t pos = 0, line = 0, cap = 0;

	memset(d, 0, sizeof(*d));
	while (pos < len) {
		size_t end = pos, i;
		uint8_t tok[DICT_MAX_TOKEN];
		size_t tlen = 0;

		while (end < len && text[end] != '\n')
			end++;
		line++;
		i = pos;
		pos = end + 1;
		while (i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
			i++;
		if (i == end || text[i] == '#')
			continue;
		/* an optional name (letters, digits, _ and @level) and '=' */
		if (text[i] != '"') {
			while (i < end && text[i] != '=' && text[i] != '"')
				i++;
			if (i == end || text[i] != '=') {
				snprintf(why, whylen, "line %zu: expected name=\"value\" or \"value\"", line);
				dict_release(d);
				return -1;
			}
			i++;
			while (i < end && (text[i] == ' ' || text[i] == '\t'))
				i++;
		}
		if (i == end || text[i] != '"') {
			snprintf(why, whylen, "line %zu: the value must be in double quotes", line);
			dict_release(d);
			return -1;
		}
		for (i++; i < end && text[i] != '"'; i++) {
			int c = (unsigned char)text[i];

			if (c == '\\') {
				if (i + 1 >= end) {
					snprintf(why, whylen, "line %zu: a backslash ends the value", line);
					dict_release(d);
					return -1;
				}
				c = (unsigned char)text[++i];
				if (c == 'x') {
					int h = i + 2 < end ? hexval(text[i + 1]) : -1,
					    l = i + 2 < end ? hexval(text[i + 2]) : -1;

					if (h < 0 || l < 0) {
						snprintf(why, whylen, "line %zu: \\x needs two hex digits", line);
						dict_release(d);
						return -1;
					}
					c = h * 16 + l;
					i += 2;
				} else if (c != '\\' && c != '"') {
					snprintf(why, whylen, "line %zu: unknown escape \\%c", line, c);
					dict_release(d);
					return -1;
				}
			} else if (c < 32 || c > 126) {
				snprintf(why, whylen, "line %zu: non-printable byte in the value (write it as \\x%02x)",
					 line, c);
				dict_release(d);
				return -1;
			}
			if (tlen == sizeof(tok)) {
				snprintf(why, whylen, "line %zu: token longer than %d bytes", line, DICT_MAX_TOKEN);
				dict_release(d);
				return -1;
			}
			tok[tlen++] = (uint8_t)c;
		}
		if (i == end) {
			snprintf(why, whylen, "line %zu: missing closing quote", line);
			dict_release(d);
			return -1;
		}
		for (i++; i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'); i++)
			;
		if (i < end && text[i] != '#') {
			snprintf(why, whylen, "line %zu: text after the closing quote", line);
			dict_release(d);
			return -1;
		}
		if (!tlen)
			continue;
		if (d->n == DICT_MAX_TOKENS) {
			snprintf(why, whylen, "more than %d tokens", DICT_MAX_TOKENS);
			dict_release(d);
			return -1;
		}
		if (d->n == cap) {
			cap = cap ? cap * 2 : 16;
			d->t = xrealloc(d->t, cap * sizeof(*d->t));
		}
		d->t[d->n].p = xmalloc(tlen);
		memcpy(d->t[d->n].p, tok, tlen);
		d->t[d->n++].len = tlen;
	}
	if (!d->n) {
		snprintf(why, whylen, "no tokens");
		return -1;
	}
	return 0;
}

int dict_load(const char *path, struct fuzz_dict *d, char *why, size_t whylen)
{
	struct buf b = { 0 };
	int rc;

	memset(d, 0, sizeof(*d));
	if (read_file(path, &b)) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	rc = dict_parse(b.data ? (const char *)b.data : "", b.len, d, why, whylen);
	buf_release(&b);
	return rc;
}

/* ---- coverage ---- */

uint8_t cov_bucket(uint8_t c)
{
	if (c <= 2)
		return c;
	if (c == 3)
		return 4;
	if (c < 8)
		return 8;
	if (c < 16)
		return 16;
	if (c < 32)
		return 32;
	if (c < 128)
		return 64;
	return 128;
}

size_t cov_merge(uint8_t *seen, const uint8_t *counters, size_t n, size_t *new_buckets)
{
	size_t i, edges = 0, buckets = 0;

	for (i = 0; i < n; i++) {
		uint8_t b;

		if (!counters[i])
			continue;
		b = cov_bucket(counters[i]);
		if (seen[i] & b)
			continue;
		if (!seen[i])
			edges++;
		buckets++;
		seen[i] |= b;
	}
	if (new_buckets)
		*new_buckets = buckets;
	return edges;
}

bool cov_has_new(const uint8_t *seen, const uint8_t *counters, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (counters[i] && !(seen[i] & cov_bucket(counters[i])))
			return true;
	return false;
}
