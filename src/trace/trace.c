// SPDX-License-Identifier: MIT
/*
 * The .fozzy container: encode and decode event records, serialize and parse
 * whole traces, and verify them. Parsing trusts nothing: every length is
 * checked against the bytes that are really there, and the checksum is
 * checked before anything inside is interpreted.
 */
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fozzy/rt.h"
#include "fozzy/trace.h"

int ev_is_decision(enum ev_tag tag)
{
	return tag == DEC_VALUE || tag == DEC_BYTES || tag == DEC_JSON;
}

void ev_encode(struct buf *b, const struct ev *e)
{
	unsigned i;

	buf_addc(b, (uint8_t)e->tag);
	switch (e->tag) {
	case EV_SYSCALL:
		buf_add_uvarint(b, e->tid);
		buf_add_uvarint(b, e->nr);
		buf_addc(b, (uint8_t)((e->nargs & 7) | (e->has_result ? EV_HAS_RESULT : 0)));
		for (i = 0; i < e->nargs; i++)
			buf_add_uvarint(b, e->args[i]);
		if (e->has_result)
			buf_add_svarint(b, e->result);
		break;
	case EV_EXEC:
		buf_add_uvarint(b, e->tid);
		buf_add_uvarint(b, e->len);
		buf_add(b, e->bytes, e->len);
		break;
	case EV_INSN:
	case EV_SIGNAL:
	case EV_EXIT:
	case EV_PREEMPT:
		buf_add_uvarint(b, e->tid);
		buf_add_uvarint(b, e->nr);
		break;
	case DEC_VALUE:
		buf_add_uvarint(b, e->value);
		break;
	case DEC_BYTES:
	case EV_JSON:
	case DEC_JSON:
		buf_add_uvarint(b, e->len);
		buf_add(b, e->bytes, e->len);
		break;
	default:
		BUG("unknown record tag %d", (int)e->tag);
	}
}

static int get_u32(const uint8_t *p, size_t len, size_t *pos, uint32_t *out)
{
	uint64_t v;

	if (get_uvarint(p, len, pos, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int ev_decode(const uint8_t *p, size_t len, size_t *pos, struct ev *e)
{
	uint64_t n;
	unsigned i;

	memset(e, 0, sizeof(*e));
	if (*pos >= len)
		return -1;
	e->tag = p[(*pos)++];
	switch (e->tag) {
	case EV_SYSCALL:
		if (get_u32(p, len, pos, &e->tid) || get_u32(p, len, pos, &e->nr) || *pos >= len)
			return -1;
		if (p[*pos] & ~(7 | EV_HAS_RESULT))
			return -1;
		e->nargs = p[*pos] & 7;
		e->has_result = !!(p[*pos] & EV_HAS_RESULT);
		(*pos)++;
		if (e->nargs > 6)
			return -1;
		for (i = 0; i < e->nargs; i++)
			if (get_uvarint(p, len, pos, &e->args[i]))
				return -1;
		if (e->has_result && get_svarint(p, len, pos, &e->result))
			return -1;
		return 0;
	case EV_EXEC:
		if (get_u32(p, len, pos, &e->tid))
			return -1;
		/* the path is encoded like DEC_BYTES */
		__attribute__((fallthrough));
	case DEC_BYTES:
	case EV_JSON:
	case DEC_JSON:
		if (get_uvarint(p, len, pos, &n) || n > len - *pos)
			return -1;
		e->bytes = p + *pos;
		e->len = (size_t)n;
		*pos += (size_t)n;
		return 0;
	case EV_INSN:
	case EV_SIGNAL:
	case EV_EXIT:
	case EV_PREEMPT:
		return get_u32(p, len, pos, &e->tid) || get_u32(p, len, pos, &e->nr) ? -1 : 0;
	case DEC_VALUE:
		return get_uvarint(p, len, pos, &e->value);
	default:
		return -1;
	}
}

long trace_count_events(const struct buf *stream)
{
	size_t pos = 0;
	long n = 0;
	struct ev e;

	while (pos < stream->len) {
		if (ev_decode(stream->data, stream->len, &pos, &e))
			return -1;
		if (!ev_is_decision(e.tag))
			n++;
	}
	return n;
}

static void put_le(struct buf *b, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		buf_addc(b, (uint8_t)(v >> (8 * i)));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void trace_serialize(const struct trace *t, struct buf *out)
{
	char *h = cJSON_PrintUnformatted(t->header);
	char *f = cJSON_PrintUnformatted(t->footer);
	size_t start = out->len;
	XXH128_canonical_t sum;

	if (!h || !f)
		BUG("cannot serialize trace JSON");
	buf_add(out, TRACE_MAGIC, 8);
	put_le(out, TRACE_VERSION, 4);
	put_le(out, strlen(h), 4);
	buf_add(out, h, strlen(h));
	put_le(out, t->stream.len, 8);
	buf_add(out, t->stream.data, t->stream.len);
	put_le(out, strlen(f), 4);
	buf_add(out, f, strlen(f));
	XXH128_canonicalFromHash(&sum, XXH3_128bits(out->data + start, out->len - start));
	buf_add(out, sum.digest, sizeof(sum.digest));
	free(h);
	free(f);
}

int trace_write(const char *path, const struct trace *t)
{
	struct buf b = { 0 };
	int ret;

	trace_serialize(t, &b);
	ret = write_file_atomic(path, b.data, b.len);
	buf_release(&b);
	return ret;
}

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), -1)

/*
 * Walk the length fields without trusting them; returns the size they
 * describe (or 0 if they run past the data) for a precise reason.
 */
static uint64_t declared_size(const uint8_t *p, size_t len)
{
	uint64_t off = 12, n;

	if (len < off + 4)
		return 0;
	off += 4 + get_le(p + 12, 4);
	if (off + 8 > len)
		return off + 8;
	n = get_le(p + off, 8);
	if (n > len)
		return (uint64_t)len + 1 + n;
	off += 8 + n;
	if (off + 4 > len)
		return off + 4;
	off += 4 + get_le(p + off, 4);
	return off + 16;
}

/* One JSON object filling exactly n bytes: trailing bytes are corruption too. */
static cJSON *parse_object(const uint8_t *p, size_t n)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts((const char *)p, n, &end, 0);

	if (j && (!cJSON_IsObject(j) || end != (const char *)p + n)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

int trace_parse(const uint8_t *p, size_t len, struct trace *t, char *why, size_t whylen)
{
	XXH128_canonical_t sum;
	uint64_t hlen, slen, flen, off, want;
	size_t pos;
	uint32_t version;
	struct ev e;
	const cJSON *fmt;

	memset(t, 0, sizeof(*t));
	if (len < 8 || memcmp(p, TRACE_MAGIC, 8))
		return WHY("not a fozzy trace (bad magic)");
	if (len < 12 + 16)
		return WHY("truncated: %zu bytes is shorter than any trace", len);
	version = (uint32_t)get_le(p + 8, 4);
	if (version != TRACE_VERSION)
		return WHY("unsupported trace container version %u (this fozzy reads %d)", version,
			   TRACE_VERSION);
	XXH128_canonicalFromHash(&sum, XXH3_128bits(p, len - 16));
	if (memcmp(sum.digest, p + len - 16, 16)) {
		want = declared_size(p, len);
		if (want > len)
			return WHY("truncated: the trace is %zu bytes, its lengths need %" PRIu64,
				   len, want);
		if (want && want < len)
			return WHY("%" PRIu64 " unexpected bytes after the end of the trace",
				   (uint64_t)len - want);
		return WHY("checksum mismatch: the trace was modified or corrupted");
	}
	hlen = get_le(p + 12, 4);
	off = 16;
	if (off + hlen + 8 > len - 16)
		return WHY("malformed: header length %" PRIu64 " out of range", hlen);
	t->header = parse_object(p + off, (size_t)hlen);
	if (!t->header)
		return trace_release(t), WHY("malformed: header is not a JSON object");
	off += hlen;
	slen = get_le(p + off, 8);
	off += 8;
	if (slen > len - 16 - off || off + slen + 4 > len - 16)
		return trace_release(t), WHY("malformed: stream length %" PRIu64 " out of range", slen);
	buf_add(&t->stream, p + off, (size_t)slen);
	off += slen;
	flen = get_le(p + off, 4);
	off += 4;
	if (off + flen != len - 16)
		return trace_release(t), WHY("malformed: footer length %" PRIu64 " does not end at the checksum", flen);
	t->footer = parse_object(p + off, (size_t)flen);
	if (!t->footer)
		return trace_release(t), WHY("malformed: footer is not a JSON object");
	fmt = cJSON_GetObjectItemCaseSensitive(t->header, "format");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, TRACE_FORMAT))
		return trace_release(t), WHY("unsupported trace format (header.format is not \"%s\")", TRACE_FORMAT);
	for (pos = 0; pos < t->stream.len;) {
		size_t at = pos;

		if (ev_decode(t->stream.data, t->stream.len, &pos, &e))
			return trace_release(t), WHY("malformed: bad record at stream offset %zu", at);
	}
	return 0;
}

int trace_load(const char *path, struct trace *t, char *why, size_t whylen)
{
	struct buf b = { 0 };
	int ret;

	memset(t, 0, sizeof(*t));
	if (read_file(path, &b)) {
		snprintf(why, whylen, "cannot read '%s': %s", path, strerror(errno));
		buf_release(&b);
		return -1;
	}
	ret = trace_parse(b.data, b.len, t, why, whylen);
	buf_release(&b);
	return ret;
}

void trace_release(struct trace *t)
{
	cJSON_Delete(t->header);
	cJSON_Delete(t->footer);
	buf_release(&t->stream);
	t->header = t->footer = NULL;
}

static const char *sysname(uint32_t nr, char tmp[32])
{
	char *n = nr == FOZZY_MARKER_NR ? strdup(FOZZY_MARKER_NAME)
					: seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);

	if (!n) {
		snprintf(tmp, 32, "syscall_%u", nr);
		return tmp;
	}
	snprintf(tmp, 32, "%.31s", n);
	free(n);
	return tmp;
}

void ev_format(const struct ev *e, struct buf *out)
{
	char tmp[32];
	unsigned i;

	switch (e->tag) {
	case EV_SYSCALL:
		buf_addf(out, "[%u] %s(", e->tid, sysname(e->nr, tmp));
		for (i = 0; i < e->nargs; i++)
			buf_addf(out, i ? ", %#" PRIx64 : "%#" PRIx64, e->args[i]);
		buf_addf(out, ")");
		if (e->has_result)
			buf_addf(out, " = %" PRId64, e->result);
		break;
	case EV_EXEC:
		buf_addf(out, "[%u] exec %.*s", e->tid, (int)e->len, (const char *)e->bytes);
		break;
	case EV_INSN:
		buf_addf(out, "[%u] %s", e->tid, e->nr == INSN_RDTSCP ? "rdtscp" : "rdtsc");
		break;
	case EV_SIGNAL:
		buf_addf(out, "[%u] signal %u", e->tid, e->nr);
		break;
	case EV_EXIT:
		buf_addf(out, "[%u] exit status %#x", e->tid, e->nr);
		break;
	case EV_PREEMPT:
		buf_addf(out, "[%u] preempted in user space (not reproducible)", e->tid);
		break;
	case DEC_VALUE:
		buf_addf(out, "  decide value %" PRIu64, e->value);
		break;
	case EV_JSON:
		buf_addf(out, "%.*s", (int)e->len, (const char *)e->bytes);
		break;
	case DEC_JSON:
		buf_addf(out, "  decide %.*s", (int)e->len, (const char *)e->bytes);
		break;
	case DEC_BYTES: {
		char hex[2 * 32 + 1];
		size_t n = e->len < 32 ? e->len : 32;

		hex_encode(e->bytes, n, hex);
		buf_addf(out, "  decide %zu bytes %s%s", e->len, hex, n < e->len ? "..." : "");
		break;
	}
	}
}

cJSON *ev_to_json(const struct ev *e)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char tmp[32], *hex;
	unsigned i;

	switch (e->tag) {
	case EV_SYSCALL:
		cJSON_AddStringToObject(o, "kind", "syscall");
		cJSON_AddNumberToObject(o, "tid", e->tid);
		cJSON_AddStringToObject(o, "name", sysname(e->nr, tmp));
		cJSON_AddNumberToObject(o, "nr", e->nr);
		a = cJSON_AddArrayToObject(o, "args");
		for (i = 0; i < e->nargs; i++) {
			char s[24];

			snprintf(s, sizeof(s), "%#" PRIx64, e->args[i]);
			cJSON_AddItemToArray(a, cJSON_CreateString(s)); /* a takes it */
		}
		if (e->has_result)
			cJSON_AddNumberToObject(o, "result", (double)e->result);
		break;
	case EV_EXEC:
		cJSON_AddStringToObject(o, "kind", "exec");
		cJSON_AddNumberToObject(o, "tid", e->tid);
		hex = xmalloc(e->len + 1);
		memcpy(hex, e->bytes, e->len);
		hex[e->len] = 0;
		cJSON_AddStringToObject(o, "path", hex);
		free(hex);
		break;
	case EV_INSN:
		cJSON_AddStringToObject(o, "kind", e->nr == INSN_RDTSCP ? "rdtscp" : "rdtsc");
		cJSON_AddNumberToObject(o, "tid", e->tid);
		break;
	case EV_SIGNAL:
		cJSON_AddStringToObject(o, "kind", "signal");
		cJSON_AddNumberToObject(o, "tid", e->tid);
		cJSON_AddNumberToObject(o, "signal", e->nr);
		break;
	case EV_EXIT:
		cJSON_AddStringToObject(o, "kind", "exit");
		cJSON_AddNumberToObject(o, "tid", e->tid);
		cJSON_AddNumberToObject(o, "status", e->nr);
		break;
	case EV_PREEMPT:
		cJSON_AddStringToObject(o, "kind", "preempt");
		cJSON_AddNumberToObject(o, "tid", e->tid);
		break;
	case DEC_VALUE: {
		char s[24];

		cJSON_AddStringToObject(o, "kind", "value");
		snprintf(s, sizeof(s), "%" PRIu64, e->value);
		cJSON_AddStringToObject(o, "value", s);
		break;
	}
	case EV_JSON:
	case DEC_JSON: {
		cJSON *v = cJSON_ParseWithLength((const char *)e->bytes, e->len);

		cJSON_AddStringToObject(o, "kind", e->tag == EV_JSON ? "event" : "decision");
		cJSON_AddItemToObject(o, e->tag == EV_JSON ? "event" : "decision", v ? v : cJSON_CreateNull());
		break;
	}
	case DEC_BYTES:
		cJSON_AddStringToObject(o, "kind", "bytes");
		hex = xmalloc(2 * e->len + 1);
		hex_encode(e->bytes, e->len, hex);
		cJSON_AddStringToObject(o, "hex", hex);
		free(hex);
		break;
	}
	return o;
}
