// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/trace: every record type encoded and decoded back, the
 * decoder's refusals (unknown tags, bad flag bytes, every truncation), and
 * torture tests of the .fozzy container: every single-bit flip, every
 * truncation and a few appended bytes must be rejected with a reason. A
 * container built here by hand from the layout in include/fozzy/trace.h
 * checks trace_serialize() byte for byte and lets us make well-checksummed
 * traces that are wrong inside.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xxhash.h>

#include "fozzy/det.h"
#include "fozzy/trace.h"
#include "suites.h"

static void setup_quiet(void)
{
	quiet_errors = true;
}

/* Records */

/* Encode e alone, decode it back, and check it used every byte. */
static void round_trip(const struct ev *in, struct ev *out, struct buf *b)
{
	size_t pos = 0;

	b->len = 0;
	ev_encode(b, in);
	ck_assert_int_eq(b->data[0], in->tag);
	ck_assert_msg(ev_decode(b->data, b->len, &pos, out) == 0, "tag %d: decode failed", in->tag);
	ck_assert_int_eq(out->tag, in->tag);
	ck_assert_uint_eq(pos, b->len);
}

START_TEST(test_ev_syscall_round_trip)
{
	static const int64_t results[] = { 0, 1, -1, -38, 4096, INT64_MAX, INT64_MIN };
	static const uint64_t args[6] = {
		0, 1, UINT64_MAX, 0x7ffe5c3a1e40ULL, (uint64_t)-100, 0x8000000000000000ULL,
	};
	static const uint32_t tids[] = { 1, 4242, UINT32_MAX };
	struct buf b = { 0 };
	unsigned nargs, r, t;

	for (nargs = 0; nargs <= 6; nargs++)
		for (t = 0; t < ARRAY_SIZE(tids); t++)
			for (r = 0; r <= ARRAY_SIZE(results); r++) {
				struct ev in = { .tag = EV_SYSCALL, .tid = tids[t],
						 .nr = 228 + nargs, .nargs = (uint8_t)nargs };
				struct ev out;
				unsigned i;

				memcpy(in.args, args, nargs * sizeof(args[0]));
				/* r == ARRAY_SIZE(results): no result (an entry-only record) */
				if (r < ARRAY_SIZE(results)) {
					in.has_result = 1;
					in.result = results[r];
				}
				round_trip(&in, &out, &b);
				ck_assert_uint_eq(out.tid, in.tid);
				ck_assert_uint_eq(out.nr, in.nr);
				ck_assert_uint_eq(out.nargs, nargs);
				for (i = 0; i < nargs; i++)
					ck_assert_uint_eq(out.args[i], args[i]);
				ck_assert_uint_eq(out.has_result, in.has_result);
				if (in.has_result)
					ck_assert_int_eq(out.result, in.result);
			}
	/* the largest syscall numbers and x32-style numbers survive too */
	{
		struct ev in = { .tag = EV_SYSCALL, .tid = 7, .nr = 0x40000000u | 39 }, out;

		round_trip(&in, &out, &b);
		ck_assert_uint_eq(out.nr, in.nr);
		ck_assert_uint_eq(out.has_result, 0);
	}
	buf_release(&b);
}
END_TEST

START_TEST(test_ev_other_round_trip)
{
	static const char path[] = "/usr/bin/true";
	static const uint64_t values[] = { 0, 1, 127, 128, 1ULL << 40, UINT64_MAX };
	static const size_t lens[] = { 0, 1, 16, 127, 128, 300 };
	uint8_t bytes[300];
	struct buf b = { 0 };
	struct ev in, out;
	size_t i;

	in = (struct ev){ .tag = EV_EXEC, .tid = 99, .bytes = (const uint8_t *)path,
			  .len = strlen(path) };
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.tid, 99);
	ck_assert_uint_eq(out.len, strlen(path));
	ck_assert_mem_eq(out.bytes, path, out.len);
	/* the decoded bytes point into the encoded buffer */
	ck_assert(out.bytes > b.data && out.bytes + out.len == b.data + b.len);

	in = (struct ev){ .tag = EV_EXEC, .tid = 1, .bytes = (const uint8_t *)"", .len = 0 };
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.len, 0);

	in = (struct ev){ .tag = EV_INSN, .tid = 5, .nr = INSN_RDTSC };
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.tid, 5);
	ck_assert_uint_eq(out.nr, INSN_RDTSC);
	in.nr = INSN_RDTSCP;
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.nr, INSN_RDTSCP);

	in = (struct ev){ .tag = EV_SIGNAL, .tid = UINT32_MAX, .nr = 11 };
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.tid, UINT32_MAX);
	ck_assert_uint_eq(out.nr, 11);

	in = (struct ev){ .tag = EV_PREEMPT, .tid = 7 };
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.tag, EV_PREEMPT);
	ck_assert_uint_eq(out.tid, 7);

	in = (struct ev){ .tag = EV_EXIT, .tid = 3, .nr = 0x8b00 };
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.tid, 3);
	ck_assert_uint_eq(out.nr, 0x8b00);
	in.nr = UINT32_MAX;
	round_trip(&in, &out, &b);
	ck_assert_uint_eq(out.nr, UINT32_MAX);

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		in = (struct ev){ .tag = DEC_VALUE, .value = values[i] };
		round_trip(&in, &out, &b);
		ck_assert_uint_eq(out.value, values[i]);
	}

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(255 - i);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		in = (struct ev){ .tag = DEC_BYTES, .bytes = bytes, .len = lens[i] };
		round_trip(&in, &out, &b);
		ck_assert_uint_eq(out.len, lens[i]);
		if (lens[i])
			ck_assert_mem_eq(out.bytes, bytes, lens[i]);
	}
	buf_release(&b);
}
END_TEST

/* A stream of one record of every kind (and the decoded expectations). */
static void sample_stream(struct buf *s)
{
	static const uint8_t rnd[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct ev evs[] = {
		{ .tag = EV_EXEC, .tid = 100, .bytes = (const uint8_t *)"/bin/true", .len = 9 },
		{ .tag = EV_SYSCALL, .tid = 100, .nr = 228, .nargs = 2, .args = { 1, 0x7ffe1000 },
		  .has_result = 1, .result = 0 },
		{ .tag = DEC_VALUE, .value = 123456789 },
		{ .tag = EV_SYSCALL, .tid = 100, .nr = 318, .nargs = 3,
		  .args = { 0x7ffe2000, 8, 0 } },
		{ .tag = DEC_BYTES, .bytes = rnd, .len = sizeof(rnd) },
		{ .tag = EV_INSN, .tid = 100, .nr = INSN_RDTSC },
		{ .tag = DEC_VALUE, .value = 5 },
		{ .tag = EV_SIGNAL, .tid = 100, .nr = 17 },
		{ .tag = EV_EXIT, .tid = 100, .nr = 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(evs); i++)
		ev_encode(s, &evs[i]);
}

START_TEST(test_ev_sequence)
{
	static const enum ev_tag tags[] = {
		EV_EXEC, EV_SYSCALL, DEC_VALUE, EV_SYSCALL, DEC_BYTES, EV_INSN, DEC_VALUE,
		EV_SIGNAL, EV_EXIT,
	};
	struct buf s = { 0 };
	size_t pos = 0, i;
	struct ev e;

	sample_stream(&s);
	for (i = 0; i < ARRAY_SIZE(tags); i++) {
		ck_assert_int_eq(ev_decode(s.data, s.len, &pos, &e), 0);
		ck_assert_int_eq(e.tag, tags[i]);
	}
	ck_assert_uint_eq(pos, s.len);
	ck_assert_int_eq(ev_decode(s.data, s.len, &pos, &e), -1);
	buf_release(&s);
}
END_TEST

START_TEST(test_ev_is_decision)
{
	ck_assert(ev_is_decision(DEC_VALUE));
	ck_assert(ev_is_decision(DEC_BYTES));
	ck_assert(!ev_is_decision(EV_SYSCALL));
	ck_assert(!ev_is_decision(EV_EXEC));
	ck_assert(!ev_is_decision(EV_INSN));
	ck_assert(!ev_is_decision(EV_SIGNAL));
	ck_assert(!ev_is_decision(EV_EXIT));
}
END_TEST

START_TEST(test_ev_decode_unknown_tags)
{
	uint8_t rec[16];
	unsigned tag;

	memset(rec, 0, sizeof(rec));
	for (tag = 0; tag < 256; tag++) {
		size_t pos = 0;
		struct ev e;

		if ((tag >= EV_SYSCALL && tag <= EV_JSON) || tag == DEC_VALUE || tag == DEC_BYTES || tag == DEC_JSON)
			continue;
		rec[0] = (uint8_t)tag;
		ck_assert_msg(ev_decode(rec, sizeof(rec), &pos, &e) == -1, "tag %u accepted", tag);
	}
}
END_TEST

START_TEST(test_ev_decode_bad_flags)
{
	/* EV_SYSCALL tid 1, nr 2, flags, then enough args and a result */
	uint8_t rec[] = { EV_SYSCALL, 1, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	unsigned bit, nargs;
	size_t pos;
	struct ev e;

	/* nargs 7 (with and without a result) */
	rec[3] = 7;
	pos = 0;
	ck_assert_int_eq(ev_decode(rec, sizeof(rec), &pos, &e), -1);
	rec[3] = 7 | EV_HAS_RESULT;
	pos = 0;
	ck_assert_int_eq(ev_decode(rec, sizeof(rec), &pos, &e), -1);

	/* every unknown flag bit, alone and with valid ones */
	for (bit = 4; bit < 8; bit++) {
		rec[3] = (uint8_t)(1u << bit);
		pos = 0;
		ck_assert_msg(ev_decode(rec, sizeof(rec), &pos, &e) == -1, "flags %#x", rec[3]);
		rec[3] = (uint8_t)((1u << bit) | 3 | EV_HAS_RESULT);
		pos = 0;
		ck_assert_msg(ev_decode(rec, sizeof(rec), &pos, &e) == -1, "flags %#x", rec[3]);
	}

	/* the valid ones for comparison */
	for (nargs = 0; nargs <= 6; nargs++) {
		rec[3] = (uint8_t)nargs;
		pos = 0;
		ck_assert_int_eq(ev_decode(rec, sizeof(rec), &pos, &e), 0);
		ck_assert_uint_eq(pos, 4 + nargs);
		rec[3] = (uint8_t)(nargs | EV_HAS_RESULT);
		pos = 0;
		ck_assert_int_eq(ev_decode(rec, sizeof(rec), &pos, &e), 0);
		ck_assert_uint_eq(pos, 5 + nargs);
	}
}
END_TEST

START_TEST(test_ev_decode_out_of_range)
{
	/* tid 2^32 (5-byte varint) */
	static const uint8_t big_tid[] = { EV_SIGNAL, 0x80, 0x80, 0x80, 0x80, 0x10, 9 };
	/* nr 2^32 */
	static const uint8_t big_nr[] = { EV_EXIT, 1, 0x80, 0x80, 0x80, 0x80, 0x10 };
	static const uint8_t big_sys_nr[] = { EV_SYSCALL, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 0 };
	/* DEC_BYTES of 5 bytes with 4 present, and of 2^64-1 bytes */
	static const uint8_t short_bytes[] = { DEC_BYTES, 5, 'a', 'b', 'c', 'd' };
	static const uint8_t huge_bytes[] = {
		DEC_BYTES, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a',
	};
	static const uint8_t huge_exec[] = { EV_EXEC, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, '/' };
	static const struct {
		const uint8_t *p;
		size_t len;
	} cases[] = {
		{ big_tid, sizeof(big_tid) },
		{ big_nr, sizeof(big_nr) },
		{ big_sys_nr, sizeof(big_sys_nr) },
		{ short_bytes, sizeof(short_bytes) },
		{ huge_bytes, sizeof(huge_bytes) },
		{ huge_exec, sizeof(huge_exec) },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t pos = 0;
		struct ev e;

		ck_assert_msg(ev_decode(cases[i].p, cases[i].len, &pos, &e) == -1,
			      "case %zu accepted", i);
	}
}
END_TEST

START_TEST(test_ev_decode_truncations)
{
	static const uint8_t some[5] = { 9, 8, 7, 6, 5 };
	const struct ev evs[] = {
		{ .tag = EV_SYSCALL, .tid = 300, .nr = 1, .nargs = 0 },
		{ .tag = EV_SYSCALL, .tid = 1, .nr = 1, .has_result = 1, .result = -38 },
		{ .tag = EV_SYSCALL, .tid = 70000, .nr = 202, .nargs = 6,
		  .args = { 1, 128, UINT64_MAX, 0x7ffe5c3a1e40ULL, 0, 16384 },
		  .has_result = 1, .result = INT64_MIN },
		{ .tag = EV_EXEC, .tid = 1, .bytes = (const uint8_t *)"/bin/sh", .len = 7 },
		{ .tag = EV_EXEC, .tid = 1, .bytes = (const uint8_t *)"", .len = 0 },
		{ .tag = EV_INSN, .tid = 1, .nr = INSN_RDTSCP },
		{ .tag = EV_SIGNAL, .tid = 1 << 20, .nr = 9 },
		{ .tag = EV_EXIT, .tid = 1, .nr = 0x100 },
		{ .tag = DEC_VALUE, .value = UINT64_MAX },
		{ .tag = DEC_VALUE, .value = 0 },
		{ .tag = DEC_BYTES, .bytes = some, .len = sizeof(some) },
		{ .tag = DEC_BYTES, .bytes = some, .len = 0 },
	};
	struct buf b = { 0 };
	size_t i, cut;

	for (i = 0; i < ARRAY_SIZE(evs); i++) {
		b.len = 0;
		ev_encode(&b, &evs[i]);
		for (cut = 0; cut < b.len; cut++) {
			size_t pos = 0;
			struct ev e;

			ck_assert_msg(ev_decode(b.data, cut, &pos, &e) == -1,
				      "record %zu cut to %zu of %zu bytes decoded", i, cut, b.len);
		}
	}
	buf_release(&b);
}
END_TEST

/* A typical syscall record stays small: the trace size budget relies on it. */
START_TEST(test_ev_syscall_size)
{
	struct buf b = { 0 };
	struct prng r;
	int i, n = 1000;

	prng_init(&r, 1, 9);
	for (i = 0; i < n; i++) {
		struct ev e = { .tag = EV_SYSCALL, .nargs = 3, .has_result = 1 };
		int k;

		e.tid = 1000 + (uint32_t)(prng_next(&r) % 30000);
		e.nr = (uint32_t)(prng_next(&r) % 335);
		for (k = 0; k < 3; k++)
			e.args[k] = 0x7ff000000000ULL | (prng_next(&r) & 0xfffffffffULL);
		e.result = (int64_t)(prng_next(&r) % 4096);
		ev_encode(&b, &e);
	}
	ck_assert_msg(b.len / (size_t)n < 40, "average EV_SYSCALL is %zu bytes", b.len / (size_t)n);
	buf_release(&b);
}
END_TEST

/* Text and JSON renderings name syscalls in full, as libseccomp does. */
START_TEST(test_ev_format)
{
	static const uint8_t rnd[3] = { 0x01, 0xab, 0xff };
	static const struct {
		struct ev e;
		const char *want;
	} cases[] = {
		{ { .tag = EV_SYSCALL, .tid = 7, .nr = SYS_clock_gettime, .nargs = 2,
		    .args = { 1, 0x7ffe }, .has_result = 1, .result = 0 }, "clock_gettime(" },
		{ { .tag = EV_SYSCALL, .tid = 7, .nr = SYS_clock_gettime, .nargs = 2,
		    .args = { 1, 0x7ffe }, .has_result = 1, .result = -22 }, " = -22" },
		{ { .tag = EV_SYSCALL, .tid = 7, .nr = SYS_sched_getaffinity, .nargs = 3,
		    .args = { 0, 128, 0x7ffe } }, "sched_getaffinity(" },
		{ { .tag = EV_SYSCALL, .tid = 7, .nr = SYS_timer_getoverrun, .nargs = 1,
		    .args = { 3 } }, "timer_getoverrun(" },
		{ { .tag = EV_SYSCALL, .tid = 7, .nr = 1000, .nargs = 0 }, "syscall_1000(" },
		{ { .tag = EV_EXEC, .tid = 7, .bytes = (const uint8_t *)"/bin/true", .len = 9 },
		  "/bin/true" },
		{ { .tag = EV_INSN, .tid = 7, .nr = INSN_RDTSCP }, "rdtscp" },
		{ { .tag = EV_SIGNAL, .tid = 7, .nr = 11 }, "11" },
		{ { .tag = DEC_VALUE, .value = UINT64_MAX }, "18446744073709551615" },
		{ { .tag = DEC_BYTES, .bytes = rnd, .len = 3 }, "01abff" },
	};
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		b.len = 0;
		ev_format(&cases[i].e, &b);
		buf_addc(&b, 0);
		ck_assert_msg(strstr((char *)b.data, cases[i].want), "case %zu: '%s' lacks '%s'", i,
			      (char *)b.data, cases[i].want);
	}
	buf_release(&b);
}
END_TEST

START_TEST(test_ev_to_json)
{
	static const char *const names[] = {
		"clock_gettime", "sched_getaffinity", "timer_getoverrun",
	};
	static const uint32_t nrs[] = {
		SYS_clock_gettime, SYS_sched_getaffinity, SYS_timer_getoverrun,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		struct ev e = { .tag = EV_SYSCALL, .tid = 7, .nr = nrs[i], .nargs = 1,
				.args = { 255 } };
		cJSON *o = ev_to_json(&e);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(o, "args");

		ck_assert(cJSON_IsString(name));
		ck_assert_str_eq(name->valuestring, names[i]);
		ck_assert_int_eq(cJSON_GetArraySize(args), 1);
		ck_assert_str_eq(cJSON_GetArrayItem(args, 0)->valuestring, "0xff");
		cJSON_Delete(o);
	}
	{
		struct ev e = { .tag = DEC_VALUE, .value = UINT64_MAX };
		cJSON *o = ev_to_json(&e);

		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "value")->valuestring,
				 "18446744073709551615");
		cJSON_Delete(o);
	}
}
END_TEST

/* Containers */

static void put_le(struct buf *b, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_addc(b, (uint8_t)(v >> (8 * i)));
}

static void put_be64(struct buf *b, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--)
		buf_addc(b, (uint8_t)(v >> (8 * i)));
}

/*
 * A container written from the layout in include/fozzy/trace.h, with header
 * and footer text as given (they need not be valid JSON) and a correct
 * checksum: XXH3-128 of everything before it, high half first, big-endian.
 */
static void build_raw(struct buf *out, uint32_t version, const char *header,
		      const uint8_t *stream, size_t slen, const char *footer)
{
	XXH128_hash_t h;

	out->len = 0;
	buf_add(out, "FOZZYTRC", 8);
	put_le(out, version, 4);
	put_le(out, strlen(header), 4);
	buf_add(out, header, strlen(header));
	put_le(out, slen, 8);
	buf_add(out, stream, slen);
	put_le(out, strlen(footer), 4);
	buf_add(out, footer, strlen(footer));
	h = XXH3_128bits(out->data, out->len);
	put_be64(out, h.high64);
	put_be64(out, h.low64);
}

/* A small trace in memory: header, footer and sample_stream(). */
static void sample_trace(struct trace *t)
{
	memset(t, 0, sizeof(*t));
	t->header = cJSON_CreateObject();
	cJSON_AddStringToObject(t->header, "format", TRACE_FORMAT);
	cJSON_AddStringToObject(t->header, "seed", "7");
	t->footer = cJSON_CreateObject();
	cJSON_AddStringToObject(t->footer, "status", "pass");
	sample_stream(&t->stream);
}

/* Parse must fail with a reason and leave nothing allocated in t. */
static void expect_reject(const uint8_t *p, size_t len, char *why, size_t whylen, const char *what)
{
	struct trace t;

	why[0] = 0;
	ck_assert_msg(trace_parse(p, len, &t, why, whylen) == -1, "%s: accepted", what);
	ck_assert_msg(why[0], "%s: no reason given", what);
	ck_assert_ptr_null(t.header);
	ck_assert_ptr_null(t.footer);
	ck_assert_ptr_null(t.stream.data);
}

START_TEST(test_trace_round_trip)
{
	struct trace t, back;
	struct buf b = { 0 };
	char why[256] = "";

	sample_trace(&t);
	buf_add(&b, "xyz", 3); /* trace_serialize appends */
	trace_serialize(&t, &b);
	ck_assert_mem_eq(b.data, "xyz", 3);
	ck_assert_msg(trace_parse(b.data + 3, b.len - 3, &back, why, sizeof(why)) == 0, "%s", why);
	ck_assert(cJSON_Compare(back.header, t.header, 1));
	ck_assert(cJSON_Compare(back.footer, t.footer, 1));
	ck_assert_uint_eq(back.stream.len, t.stream.len);
	ck_assert_mem_eq(back.stream.data, t.stream.data, t.stream.len);
	ck_assert_int_eq(trace_count_events(&back.stream), 6);
	trace_release(&back);
	ck_assert_ptr_null(back.header);
	ck_assert_ptr_null(back.footer);
	ck_assert_ptr_null(back.stream.data);
	trace_release(&t);

	/* an empty stream is a valid trace */
	memset(&t, 0, sizeof(t));
	t.header = cJSON_CreateObject();
	cJSON_AddStringToObject(t.header, "format", TRACE_FORMAT);
	t.footer = cJSON_CreateObject();
	b.len = 0;
	trace_serialize(&t, &b);
	ck_assert_msg(trace_parse(b.data, b.len, &back, why, sizeof(why)) == 0, "%s", why);
	ck_assert_uint_eq(back.stream.len, 0);
	ck_assert_int_eq(trace_count_events(&back.stream), 0);
	trace_release(&back);
	trace_release(&t);
	buf_release(&b);
}
END_TEST

/* trace_serialize writes exactly the documented layout. */
START_TEST(test_trace_layout)
{
	struct buf got = { 0 }, want = { 0 };
	char *h, *f;
	struct trace t;

	sample_trace(&t);
	trace_serialize(&t, &got);
	h = cJSON_PrintUnformatted(t.header);
	f = cJSON_PrintUnformatted(t.footer);
	build_raw(&want, TRACE_VERSION, h, t.stream.data, t.stream.len, f);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_mem_eq(got.data, want.data, want.len);
	ck_assert_mem_eq(got.data, "FOZZYTRC\x01\x00\x00\x00", 12);
	free(h);
	free(f);
	buf_release(&want);
	buf_release(&got);
	trace_release(&t);
}
END_TEST

START_TEST(test_trace_bit_flips)
{
	struct buf b = { 0 };
	size_t bit;
	struct trace t;
	char why[256];

	sample_trace(&t);
	trace_serialize(&t, &b);
	trace_release(&t);
	for (bit = 0; bit < 8 * b.len; bit++) {
		char what[64];

		b.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		snprintf(what, sizeof(what), "bit %zu of %zu flipped", bit, 8 * b.len);
		expect_reject(b.data, b.len, why, sizeof(why), what);
		b.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* restored, it parses again */
	ck_assert_int_eq(trace_parse(b.data, b.len, &t, why, sizeof(why)), 0);
	trace_release(&t);
	buf_release(&b);
}
END_TEST

START_TEST(test_trace_truncations)
{
	struct buf b = { 0 };
	size_t len;
	struct trace t;
	char why[256];

	sample_trace(&t);
	trace_serialize(&t, &b);
	trace_release(&t);
	for (len = 0; len < b.len; len++) {
		char what[64];

		snprintf(what, sizeof(what), "cut to %zu of %zu bytes", len, b.len);
		expect_reject(b.data, len, why, sizeof(why), what);
		/* once the magic is there, the reason says what happened */
		if (len >= 8)
			ck_assert_msg(!strncmp(why, "truncated", 9), "%s: reason '%s'", what, why);
	}
	buf_release(&b);
}
END_TEST

START_TEST(test_trace_trailing_bytes)
{
	static const uint8_t extra[3] = { 0x00, 0xff, 0x2a };
	struct buf b = { 0 };
	size_t n, len;
	struct trace t;
	char why[256];

	sample_trace(&t);
	trace_serialize(&t, &b);
	trace_release(&t);
	len = b.len;
	for (n = 1; n <= 3; n++) {
		char what[64];

		b.len = len;
		buf_add(&b, extra, n);
		snprintf(what, sizeof(what), "%zu bytes appended", n);
		expect_reject(b.data, b.len, why, sizeof(why), what);
		ck_assert_msg(strstr(why, "unexpected bytes"), "%s: reason '%s'", what, why);
	}
	buf_release(&b);
}
END_TEST

START_TEST(test_trace_bad_magic)
{
	struct buf b = { 0 };
	struct trace t;
	char why[256];

	sample_trace(&t);
	trace_serialize(&t, &b);
	trace_release(&t);
	b.data[0] = 'G';
	expect_reject(b.data, b.len, why, sizeof(why), "bad magic");
	ck_assert_msg(strstr(why, "magic"), "reason '%s'", why);
	b.data[0] = 'F';
	b.data[7] = 'c';
	expect_reject(b.data, b.len, why, sizeof(why), "lower-case magic");
	expect_reject((const uint8_t *)"", 0, why, sizeof(why), "empty file");
	buf_release(&b);
}
END_TEST

/* Checksummed traces that are wrong inside */

START_TEST(test_trace_bad_version)
{
	struct buf b = { 0 };
	char why[256];

	build_raw(&b, 2, "{\"format\":\"fozzy-trace\"}", NULL, 0, "{}");
	expect_reject(b.data, b.len, why, sizeof(why), "version 2");
	ck_assert_msg(strstr(why, "version"), "reason '%s'", why);
	build_raw(&b, 0, "{\"format\":\"fozzy-trace\"}", NULL, 0, "{}");
	expect_reject(b.data, b.len, why, sizeof(why), "version 0");
	/* the same container with version 1 is fine */
	build_raw(&b, 1, "{\"format\":\"fozzy-trace\"}", NULL, 0, "{}");
	{
		struct trace t;

		ck_assert_msg(trace_parse(b.data, b.len, &t, why, sizeof(why)) == 0, "%s", why);
		trace_release(&t);
	}
	buf_release(&b);
}
END_TEST

START_TEST(test_trace_wrong_format)
{
	static const char *const formats[] = { "fozzy-trace2", "", "FOZZY-TRACE", "fozzy" };
	struct buf b = { 0 };
	struct trace t;
	char why[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		memset(&t, 0, sizeof(t));
		t.header = cJSON_CreateObject();
		cJSON_AddStringToObject(t.header, "format", formats[i]);
		t.footer = cJSON_CreateObject();
		sample_stream(&t.stream);
		b.len = 0;
		trace_serialize(&t, &b);
		trace_release(&t);
		expect_reject(b.data, b.len, why, sizeof(why), formats[i]);
		ck_assert_msg(strstr(why, "format"), "reason '%s'", why);
	}

	/* no format at all, or not a string */
	memset(&t, 0, sizeof(t));
	t.header = cJSON_CreateObject();
	cJSON_AddNumberToObject(t.header, "format", 1);
	t.footer = cJSON_CreateObject();
	b.len = 0;
	trace_serialize(&t, &b);
	expect_reject(b.data, b.len, why, sizeof(why), "numeric format");
	cJSON_DeleteItemFromObject(t.header, "format");
	b.len = 0;
	trace_serialize(&t, &b);
	expect_reject(b.data, b.len, why, sizeof(why), "no format");
	trace_release(&t);
	buf_release(&b);
}
END_TEST

START_TEST(test_trace_header_footer_not_objects)
{
	static const char ok[] = "{\"format\":\"fozzy-trace\"}";
	static const struct {
		const char *header, *footer;
	} cases[] = {
		{ "[]", "{}" },
		{ "\"fozzy-trace\"", "{}" },
		{ "", "{}" },
		{ "{\"format\":\"fozzy-trace\"", "{}" },
		{ "not json", "{}" },
		{ ok, "[]" },
		{ ok, "" },
		{ ok, "null" },
		{ ok, "{" },
	};
	struct buf b = { 0 };
	char why[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		build_raw(&b, 1, cases[i].header, NULL, 0, cases[i].footer);
		expect_reject(b.data, b.len, why, sizeof(why), cases[i].header);
	}
	buf_release(&b);
}
END_TEST

/*
 * The header is "a JSON object" of the declared length: bytes after the
 * object inside that length are not JSON and must not be ignored.
 */
START_TEST(test_trace_header_trailing_junk)
{
	static const char *const headers[] = {
		"{\"format\":\"fozzy-trace\"} junk",
		"{\"format\":\"fozzy-trace\"}{}",
	};
	struct buf b = { 0 };
	char why[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(headers); i++) {
		build_raw(&b, 1, headers[i], NULL, 0, "{}");
		expect_reject(b.data, b.len, why, sizeof(why), headers[i]);
	}
	build_raw(&b, 1, "{\"format\":\"fozzy-trace\"}", NULL, 0, "{} junk");
	expect_reject(b.data, b.len, why, sizeof(why), "footer with junk");
	buf_release(&b);
}
END_TEST

START_TEST(test_trace_bad_record)
{
	static const char h[] = "{\"format\":\"fozzy-trace\"}";
	struct buf b = { 0 }, s = { 0 };
	char why[256];

	/* an unknown tag at offset 0 */
	buf_addc(&s, 0xee);
	build_raw(&b, 1, h, s.data, s.len, "{}");
	expect_reject(b.data, b.len, why, sizeof(why), "unknown tag");
	ck_assert_msg(strstr(why, "offset 0"), "reason '%s'", why);

	/* valid records, then one cut short */
	s.len = 0;
	sample_stream(&s);
	{
		size_t good = s.len;
		char want[32];

		buf_add(&s, "\x11\x05" "abc", 5); /* DEC_BYTES of 5 with 3 present */
		build_raw(&b, 1, h, s.data, s.len, "{}");
		expect_reject(b.data, b.len, why, sizeof(why), "short record");
		snprintf(want, sizeof(want), "offset %zu", good);
		ck_assert_msg(strstr(why, want), "reason '%s' lacks '%s'", why, want);
	}
	buf_release(&s);
	buf_release(&b);
}
END_TEST

/* Length fields that disagree with the data, under a correct checksum. */
START_TEST(test_trace_bad_lengths)
{
	struct buf b = { 0 }, bad = { 0 };
	char why[256];
	XXH128_hash_t h;
	size_t body;
	static const struct {
		size_t off;
		int n;
		uint64_t v;
	} edits[] = {
		{ 12, 4, 0xffffffff },   /* header length */
		{ 12, 4, 0 },            /* header length zero */
		{ 12, 4, 5 },            /* header length cut inside the object */
		{ 40, 8, UINT64_MAX },   /* stream length (header is 24 bytes) */
		{ 40, 8, 1ULL << 40 },
		{ 40, 8, 3 },            /* too short: the footer length lands in the stream */
	};
	size_t i;

	build_raw(&b, 1, "{\"format\":\"fozzy-trace\"}", (const uint8_t *)"\x10\x01\x10\x02", 4,
		  "{}");
	body = b.len - 16;
	for (i = 0; i < ARRAY_SIZE(edits); i++) {
		int k;

		bad.len = 0;
		buf_add(&bad, b.data, body);
		for (k = 0; k < edits[i].n; k++)
			bad.data[edits[i].off + (size_t)k] = (uint8_t)(edits[i].v >> (8 * k));
		h = XXH3_128bits(bad.data, bad.len);
		put_be64(&bad, h.high64);
		put_be64(&bad, h.low64);
		expect_reject(bad.data, bad.len, why, sizeof(why), "length edit");
	}
	buf_release(&bad);
	buf_release(&b);
}
END_TEST

/* Files */

START_TEST(test_trace_write_load)
{
	char *dir = unit_tmpdir(), *path, why[256];
	struct buf want = { 0 }, got = { 0 };
	struct trace t, back;
	struct dirent *de;
	int entries = 0;
	DIR *d;

	path = xasprintf("%s/run.fozzy", dir);
	sample_trace(&t);
	trace_serialize(&t, &want);
	ck_assert_int_eq(trace_write(path, &t), 0);
	/* rewriting replaces it in place */
	ck_assert_int_eq(trace_write(path, &t), 0);
	ck_assert_int_eq(read_file(path, &got), 0);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_mem_eq(got.data, want.data, want.len);

	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ck_assert_str_eq(de->d_name, "run.fozzy");
		entries++;
	}
	closedir(d);
	ck_assert_int_eq(entries, 1);

	ck_assert_msg(trace_load(path, &back, why, sizeof(why)) == 0, "%s", why);
	ck_assert(cJSON_Compare(back.header, t.header, 1));
	ck_assert_mem_eq(back.stream.data, t.stream.data, t.stream.len);
	trace_release(&back);

	unlink(path);
	why[0] = 0;
	ck_assert_int_eq(trace_load(path, &back, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "cannot read"), "reason '%s'", why);
	free(path);

	path = xasprintf("%s/missing/run.fozzy", dir);
	ck_assert_int_eq(trace_write(path, &t), -1);
	free(path);

	trace_release(&t);
	buf_release(&got);
	buf_release(&want);
	free(dir);
}
END_TEST

START_TEST(test_trace_count_events)
{
	struct buf s = { 0 };
	struct ev v = { .tag = DEC_VALUE, .value = 1 };
	struct ev sc = { .tag = EV_SYSCALL, .tid = 1, .nr = 0, .nargs = 1, .args = { 3 } };

	ck_assert_int_eq(trace_count_events(&s), 0);
	ev_encode(&s, &v);
	ev_encode(&s, &v);
	ck_assert_int_eq(trace_count_events(&s), 0);
	ev_encode(&s, &sc);
	ev_encode(&s, &v);
	ck_assert_int_eq(trace_count_events(&s), 1);
	s.len = 0;
	sample_stream(&s);
	ck_assert_int_eq(trace_count_events(&s), 6);
	/* a malformed tail */
	buf_addc(&s, 0xee);
	ck_assert_int_eq(trace_count_events(&s), -1);
	s.len -= 2; /* cut the last record (EV_EXIT) short */
	ck_assert_int_eq(trace_count_events(&s), -1);
	buf_release(&s);
}
END_TEST

Suite *suite_trace(void)
{
	Suite *s = suite_create("trace");
	TCase *tc;

	tc = unit_tcase(s, "records");
	tcase_add_test(tc, test_ev_syscall_round_trip);
	tcase_add_test(tc, test_ev_other_round_trip);
	tcase_add_test(tc, test_ev_sequence);
	tcase_add_test(tc, test_ev_is_decision);
	tcase_add_test(tc, test_ev_decode_unknown_tags);
	tcase_add_test(tc, test_ev_decode_bad_flags);
	tcase_add_test(tc, test_ev_decode_out_of_range);
	tcase_add_test(tc, test_ev_decode_truncations);
	tcase_add_test(tc, test_ev_syscall_size);
	tcase_add_test(tc, test_ev_format);
	tcase_add_test(tc, test_ev_to_json);

	tc = unit_tcase(s, "container");
	tcase_add_test(tc, test_trace_round_trip);
	tcase_add_test(tc, test_trace_layout);
	tcase_add_test(tc, test_trace_bit_flips);
	tcase_add_test(tc, test_trace_truncations);
	tcase_add_test(tc, test_trace_trailing_bytes);
	tcase_add_test(tc, test_trace_bad_magic);
	tcase_add_test(tc, test_trace_bad_version);
	tcase_add_test(tc, test_trace_wrong_format);
	tcase_add_test(tc, test_trace_header_footer_not_objects);
	tcase_add_test(tc, test_trace_header_trailing_junk);
	tcase_add_test(tc, test_trace_bad_record);
	tcase_add_test(tc, test_trace_bad_lengths);

	tc = unit_tcase(s, "files");
	tcase_add_checked_fixture(tc, setup_quiet, NULL);
	tcase_add_test(tc, test_trace_write_load);
	tcase_add_test(tc, test_trace_count_events);
	return s;
}
