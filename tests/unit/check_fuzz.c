// SPDX-License-Identifier: MIT
/*
 * Unit tests of the fuzzer's parts: mutations, dictionaries, hit-count
 * buckets, sanitizer reports.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fozzy/fuzz.h"
#include "suites.h"

static void fill(struct buf *b, const char *s)
{
	b->len = 0;
	buf_add(b, s, strlen(s));
}

/* The same seed gives the same mutants; another seed other ones. */
START_TEST(test_mutate_deterministic)
{
	struct prng a, b, c;
	struct buf x = { 0 }, y = { 0 }, z = { 0 };
	int i, differ = 0;

	prng_init(&a, 42, 5);
	prng_init(&b, 42, 5);
	prng_init(&c, 43, 5);
	for (i = 0; i < 200; i++) {
		fill(&x, "hello, fuzzing world");
		fill(&y, "hello, fuzzing world");
		fill(&z, "hello, fuzzing world");
		fuzz_mutate(&x, MUT_HAVOC, &a, NULL, (const uint8_t *)"other", 5, 64);
		fuzz_mutate(&y, MUT_HAVOC, &b, NULL, (const uint8_t *)"other", 5, 64);
		fuzz_mutate(&z, MUT_HAVOC, &c, NULL, (const uint8_t *)"other", 5, 64);
		ck_assert_uint_eq(x.len, y.len);
		ck_assert(!memcmp(x.data, y.data, x.len));
		differ += x.len != z.len || memcmp(x.data, z.data, x.len);
	}
	ck_assert_int_gt(differ, 100);
	buf_release(&x);
	buf_release(&y);
	buf_release(&z);
}
END_TEST

/* Every family respects --max-input, changes the input most of the time, and copes with empty input. */
START_TEST(test_mutate_families)
{
	struct fuzz_dict d;
	char why[128];
	struct prng r;
	struct buf b = { 0 };
	int f, i;

	ck_assert_int_eq(dict_parse("\"TOKEN\"\n", 8, &d, why, sizeof(why)), 0);
	prng_init(&r, 7, 5);
	for (f = 0; f < MUT_N; f++) {
		int changed = 0;

		for (i = 0; i < 300; i++) {
			fill(&b, "0123456789abcdef");
			fuzz_mutate(&b, (enum mut_family)f, &r, &d, (const uint8_t *)"XYZXYZXYZ", 9, 24);
			ck_assert_uint_le(b.len, 24);
			changed += b.len != 16 || memcmp(b.data, "0123456789abcdef", 16);
		}
		ck_assert_msg(changed > 150, "%s changed only %d of 300", mut_name((enum mut_family)f), changed);
		/* from nothing, something (all families grow an empty input) */
		b.len = 0;
		for (i = 0; i < 20; i++)
			fuzz_mutate(&b, (enum mut_family)f, &r, &d, (const uint8_t *)"XYZ", 3, 24);
		ck_assert_uint_le(b.len, 24);
	}
	/* the dictionary family inserts its token */
	for (i = 0, f = 0; i < 100; i++) {
		fill(&b, "abc");
		fuzz_mutate(&b, MUT_DICT, &r, &d, NULL, 0, 64);
		f += memmem(b.data, b.len, "TOKEN", 5) != NULL;
	}
	ck_assert_int_eq(f, 100);
	dict_release(&d);
	buf_release(&b);
}
END_TEST

START_TEST(test_mutator_names)
{
	enum mut_family f;

	ck_assert_int_eq(mut_parse("havoc", &f), 0);
	ck_assert_int_eq(f, MUT_HAVOC);
	ck_assert_int_eq(mut_parse("splice", &f), 0);
	ck_assert_int_eq(f, MUT_SPLICE);
	ck_assert_int_eq(mut_parse("radamsa", &f), -1);
	ck_assert_str_eq(mut_name(MUT_ARITH), "arith");
}
END_TEST

START_TEST(test_dict_parse)
{
	static const char text[] = "# a comment\n"
				   "\n"
				   "kw_if=\"if\"\n"
				   "magic@2 = \"\\x7fELF\"\n"
				   "  \"quote\\\"back\\\\\"  # trailing comment\n";
	struct fuzz_dict d;
	char why[128];

	ck_assert_int_eq(dict_parse(text, strlen(text), &d, why, sizeof(why)), 0);
	ck_assert_uint_eq(d.n, 3);
	ck_assert_uint_eq(d.t[0].len, 2);
	ck_assert(!memcmp(d.t[0].p, "if", 2));
	ck_assert_uint_eq(d.t[1].len, 4);
	ck_assert(!memcmp(d.t[1].p, "\x7f" "ELF", 4));
	ck_assert_uint_eq(d.t[2].len, 11);
	ck_assert(!memcmp(d.t[2].p, "quote\"back\\", 11));
	dict_release(&d);
}
END_TEST

START_TEST(test_dict_errors)
{
	static const char *const bad[] = { "x=unquoted\n", "\"open\n", "\"a\\q\"\n", "\"\\x4\"\n",
					   "\"ok\" junk\n", "noequals \"x\"\n", "# only a comment\n",
					   "\"tab\there\"\n" };
	struct fuzz_dict d;
	char why[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		ck_assert_msg(dict_parse(bad[i], strlen(bad[i]), &d, why, sizeof(why)) == -1, "accepted: %s", bad[i]);
		ck_assert_msg(why[0], "no reason for: %s", bad[i]);
	}
	ck_assert_int_eq(dict_parse("\"a\"\n\"b\n", 8, &d, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "line 2"));
}
END_TEST

START_TEST(test_cov_buckets)
{
	static const uint8_t in[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 127, 128, 255 };
	static const uint8_t want[] = { 0, 1, 2, 4, 8, 8, 16, 16, 32, 32, 64, 64, 128, 128 };
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		ck_assert_uint_eq(cov_bucket(in[i]), want[i]);
}
END_TEST

START_TEST(test_cov_merge)
{
	uint8_t seen[8] = { 0 }, run[8] = { 0 };
	size_t buckets;

	run[1] = 1;
	run[3] = 5;
	ck_assert(cov_has_new(seen, run, 8));
	ck_assert_uint_eq(cov_merge(seen, run, 8, &buckets), 2);
	ck_assert_uint_eq(buckets, 2);
	ck_assert(!cov_has_new(seen, run, 8));
	ck_assert_uint_eq(cov_merge(seen, run, 8, &buckets), 0);
	ck_assert_uint_eq(buckets, 0);
	/* the same edge in a new bucket: no new edge, one new bucket */
	run[3] = 6; /* still 4-7 */
	ck_assert(!cov_has_new(seen, run, 8));
	run[3] = 9;
	ck_assert(cov_has_new(seen, run, 8));
	ck_assert_uint_eq(cov_merge(seen, run, 8, &buckets), 0);
	ck_assert_uint_eq(buckets, 1);
}
END_TEST

START_TEST(test_san_asan)
{
	static const char rep[] =
		"noise before\n"
		"=================================================================\n"
		"==3==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000020 at pc 0x55 bp 0x7f sp 0x7f\n"
		"WRITE of size 1 at 0x602000000020 thread T0\n"
		"    #0 0x55555563375d in __asan_memcpy (/x/tlv+0x1)\n"
		"    #1 0x55555563375d in record /src/tlv.c:31:13\n"
		"    #2 0x555555633a1f in main /src/tlv.c:66:8\n"
		"    #3 0x7ffff7829d8f in __libc_start_call_main csu/../sysdeps/nptl/libc_start_call_main.h:58:16\n"
		"\n"
		"0x602000000020 is located 0 bytes to the right of 16-byte region\n"
		"allocated by thread T0 here:\n"
		"    #0 0x5555555f0ffe in malloc (/x/tlv+0xf0ffe)\n"
		"SUMMARY: AddressSanitizer: heap-buffer-overflow /src/tlv.c:31:13 in record\n";
	struct san_report r;

	ck_assert_int_eq(san_parse(rep, strlen(rep), &r), 1);
	ck_assert_str_eq(r.tool, "AddressSanitizer");
	ck_assert_str_eq(r.kind, "heap-buffer-overflow");
	ck_assert_str_eq(r.access, "WRITE of size 1");
	ck_assert_uint_eq(r.nframes, 2);
	ck_assert_str_eq(r.frames[0], "record /src/tlv.c:31");
	ck_assert_str_eq(r.frames[1], "main /src/tlv.c:66");
	ck_assert_str_eq(r.summary, "AddressSanitizer: heap-buffer-overflow /src/tlv.c:31:13 in record");
}
END_TEST

START_TEST(test_san_segv_unsymbolized)
{
	static const char rep[] =
		"==2==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x5555 bp 0 sp 0 T0)\n"
		"==2==The signal is caused by a WRITE memory access.\n"
		"    #0 0x555555633a1f  (/work/bin/parser+0x133a1f) (BuildId: abc)\n"
		"    #1 0x7ffff7829d8f  (/lib/x86_64-linux-gnu/libc.so.6+0x29d8f)\n";
	struct san_report r;

	ck_assert_int_eq(san_parse(rep, strlen(rep), &r), 1);
	ck_assert_str_eq(r.kind, "SEGV");
	ck_assert_str_eq(r.access, "WRITE");
	ck_assert_uint_eq(r.nframes, 1);
	ck_assert_str_eq(r.frames[0], "parser+0x133a1f");
}
END_TEST

START_TEST(test_san_ubsan)
{
	static const char a[] = "/src/p.c:12:9: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'\n";
	static const char b[] = "/src/p.c:12:14: runtime error: signed integer overflow: 5 + 2147483647 cannot be represented in type 'int'\n";
	static const char c[] = "/src/q.c:40:3: runtime error: index 9 out of bounds for type 'int [4]'\n";
	struct san_report ra, rb, rc;

	ck_assert_int_eq(san_parse(a, strlen(a), &ra), 1);
	ck_assert_int_eq(san_parse(b, strlen(b), &rb), 1);
	ck_assert_int_eq(san_parse(c, strlen(c), &rc), 1);
	ck_assert_str_eq(ra.tool, "UndefinedBehaviorSanitizer");
	ck_assert_str_eq(ra.kind, "signed-integer-overflow");
	/* the same bug with other values and another column is the same finding */
	ck_assert_str_eq(ra.kind, rb.kind);
	ck_assert_str_eq(ra.frames[0], "/src/p.c:12");
	ck_assert_str_eq(ra.frames[0], rb.frames[0]);
	ck_assert_str_eq(rc.kind, "index-out-of-bounds-for-type");
	ck_assert_str_eq(rc.frames[0], "/src/q.c:40");
}
END_TEST

START_TEST(test_san_none)
{
	static const char t[] = "tlv: bad record 3 (type 9)\nERROR: something else\n";
	struct san_report r;

	ck_assert_int_eq(san_parse(t, strlen(t), &r), 0);
	ck_assert_int_eq(san_parse("", 0, &r), 0);
}
END_TEST


/* fn: targets: an execution runs in a forked child; how it ended is the result. */
static int fn_crash(const uint8_t *p, size_t n, char *why, size_t wn)
{
	(void)why;
	(void)wn;
	if (n && p[0] == 'C')
		raise(SIGSEGV);
	if (n && p[0] == 'L')
		for (;;)
			;
	if (n && p[0] == 'A') {
		static const char rep[] = "==2==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6 at pc 0x5\n"
					  "READ of size 1 at 0x6 thread T0\n    #0 0x5555 in decode /src/p.c:20:9\n";

		if (write(STDERR_FILENO, rep, sizeof(rep) - 1) < 0)
			_exit(3);
		_exit(1);
	}
	return n && p[0] == 'R';
}

START_TEST(test_fn_exec_outcomes)
{
	static const struct fn_target t = { "crashy", "a test target", fn_crash };
	struct fn_result r;
	char st[16], kind[64], sig[400], title[400];

	ck_assert_int_eq(fn_exec(&t, (const uint8_t *)"ok", 2, 5000000000ULL, &r), 0);
	fn_classify(&r, st, sizeof(st), kind, sizeof(kind), sig, sizeof(sig), title, sizeof(title));
	ck_assert_str_eq(st, "pass");
	ck_assert_str_eq(sig, "");
	ck_assert_str_eq(r.why, "accepted: -");
	fn_result_release(&r);

	ck_assert_int_eq(fn_exec(&t, (const uint8_t *)"R", 1, 5000000000ULL, &r), 0);
	ck_assert_str_eq(r.why, "rejected: -");
	fn_result_release(&r);

	ck_assert_int_eq(fn_exec(&t, (const uint8_t *)"C", 1, 5000000000ULL, &r), 0);
	fn_classify(&r, st, sizeof(st), kind, sizeof(kind), sig, sizeof(sig), title, sizeof(title));
	if (r.signal) {
		ck_assert_int_eq(r.signal, SIGSEGV);
		ck_assert_str_eq(st, "crash");
		ck_assert_str_eq(sig, "signal:SEGV");
	} else {
		/* fozzy built with AddressSanitizer: its SEGV handler reports and exits */
		ck_assert_int_ne(r.exit_code, 0);
		ck_assert_ptr_nonnull(strstr(sig, "SEGV"));
	}
	fn_result_release(&r);

	ck_assert_int_eq(fn_exec(&t, (const uint8_t *)"L", 1, 50000000ULL, &r), 0);
	fn_classify(&r, st, sizeof(st), kind, sizeof(kind), sig, sizeof(sig), title, sizeof(title));
	ck_assert(r.timed_out);
	ck_assert_str_eq(st, "timeout");
	ck_assert_str_eq(sig, "hang:wall");
	fn_result_release(&r);

	ck_assert_int_eq(fn_exec(&t, (const uint8_t *)"A", 1, 5000000000ULL, &r), 0);
	fn_classify(&r, st, sizeof(st), kind, sizeof(kind), sig, sizeof(sig), title, sizeof(title));
	ck_assert_str_eq(st, "fail");
	ck_assert_str_eq(kind, "heap-buffer-overflow");
	ck_assert_ptr_nonnull(strstr(sig, "decode /src/p.c:20"));
	fn_result_release(&r);
}
END_TEST

START_TEST(test_fn_targets)
{
	char names[256];

	fn_names(names, sizeof(names));
	ck_assert_str_eq(names, "fn:scenario, fn:trace, fn:duration, fn:faults, fn:policy");
	ck_assert_ptr_nonnull(fn_find("scenario"));
	ck_assert_ptr_null(fn_find("utf8"));
	{
		char why[512];

		ck_assert_int_eq(fn_find("duration")->run((const uint8_t *)"250ms", 5, why, sizeof(why)), 0);
		ck_assert_int_eq(fn_find("duration")->run((const uint8_t *)"1.5s", 4, why, sizeof(why)), 1);
		ck_assert_int_eq(fn_find("scenario")->run((const uint8_t *)"{", 1, why, sizeof(why)), 1);
		ck_assert_ptr_nonnull(strstr(why, "malformed JSON"));
	}
}
END_TEST

Suite *suite_fuzz(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc;

	tc = unit_tcase(s, "mutate");
	tcase_add_test(tc, test_mutate_deterministic);
	tcase_add_test(tc, test_mutate_families);
	tcase_add_test(tc, test_mutator_names);
	tc = unit_tcase(s, "dict");
	tcase_add_test(tc, test_dict_parse);
	tcase_add_test(tc, test_dict_errors);
	tc = unit_tcase(s, "coverage");
	tcase_add_test(tc, test_cov_buckets);
	tcase_add_test(tc, test_cov_merge);
	tc = unit_tcase(s, "sanitizer");
	tcase_add_test(tc, test_san_asan);
	tcase_add_test(tc, test_san_segv_unsymbolized);
	tcase_add_test(tc, test_san_ubsan);
	tcase_add_test(tc, test_san_none);
	tcase_add_test(tc, test_fn_exec_outcomes);
	tcase_add_test(tc, test_fn_targets);
	return s;
}
