// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/util: LEB128 and zigzag varints (round trips at the
 * edges, truncated and overlong input), the duration and u64 parsers of
 * SPEC.md "Durations", buffers, hex, atomic file writes, mkdir -p, RFC 3339
 * timestamps and UUID v4 strings. File tests work in a fresh folder from
 * unit_tmpdir() and check what is left in it afterwards.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fozzy/util.h"
#include "suites.h"

static void setup_quiet(void)
{
	quiet_errors = true;
}

/* Number of entries in dir other than . and ..; the only name into only. */
static int count_entries(const char *dir, char *only, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int count = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (only)
			snprintf(only, n, "%s", de->d_name);
		count++;
	}
	closedir(d);
	return count;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Varints */

static const uint64_t uvalues[] = {
	0, 1, 2, 127, 128, 129, 255, 256, 300, 16383, 16384, 2097151, 2097152,
	UINT32_MAX - 1ULL, UINT32_MAX, 1ULL << 32, (1ULL << 49) - 1, 1ULL << 56,
	(1ULL << 63) - 1, 1ULL << 63, (1ULL << 63) + 1, UINT64_MAX - 1, UINT64_MAX,
};

START_TEST(test_uvarint_round_trip)
{
	struct buf b = { 0 };
	size_t pos = 0, i;
	uint64_t v;

	for (i = 0; i < ARRAY_SIZE(uvalues); i++)
		buf_add_uvarint(&b, uvalues[i]);
	for (i = 0; i < 64; i++)
		buf_add_uvarint(&b, 1ULL << i);
	for (i = 0; i < ARRAY_SIZE(uvalues); i++) {
		ck_assert_int_eq(get_uvarint(b.data, b.len, &pos, &v), 0);
		ck_assert_uint_eq(v, uvalues[i]);
	}
	for (i = 0; i < 64; i++) {
		ck_assert_int_eq(get_uvarint(b.data, b.len, &pos, &v), 0);
		ck_assert_uint_eq(v, 1ULL << i);
	}
	ck_assert_uint_eq(pos, b.len);
	/* Nothing left: a further read is a truncation. */
	ck_assert_int_eq(get_uvarint(b.data, b.len, &pos, &v), -1);
	buf_release(&b);
}
END_TEST

/* The exact LEB128 bytes: 7 bits per byte, least significant group first. */
START_TEST(test_uvarint_encoding)
{
	static const struct {
		uint64_t v;
		size_t len;
		uint8_t bytes[10];
	} cases[] = {
		{ 0, 1, { 0x00 } },
		{ 1, 1, { 0x01 } },
		{ 127, 1, { 0x7f } },
		{ 128, 2, { 0x80, 0x01 } },
		{ 300, 2, { 0xac, 0x02 } },
		{ 16384, 3, { 0x80, 0x80, 0x01 } },
		{ UINT32_MAX, 5, { 0xff, 0xff, 0xff, 0xff, 0x0f } },
		{ 1ULL << 63, 10, { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 } },
		{ UINT64_MAX, 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 } },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = { 0 };

		buf_add_uvarint(&b, cases[i].v);
		ck_assert_uint_eq(b.len, cases[i].len);
		ck_assert_mem_eq(b.data, cases[i].bytes, cases[i].len);
		buf_release(&b);
	}
}
END_TEST

START_TEST(test_svarint_zigzag)
{
	static const struct {
		int64_t s;
		uint64_t zz;
	} cases[] = {
		{ 0, 0 },
		{ -1, 1 },
		{ 1, 2 },
		{ -2, 3 },
		{ 2, 4 },
		{ -64, 127 },
		{ 64, 128 },
		{ INT64_MAX, UINT64_MAX - 1 },
		{ INT64_MIN, UINT64_MAX },
		{ INT64_MIN + 1, UINT64_MAX - 2 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = { 0 };
		size_t pos = 0;
		uint64_t u;
		int64_t s;

		buf_add_svarint(&b, cases[i].s);
		ck_assert_int_eq(get_uvarint(b.data, b.len, &pos, &u), 0);
		ck_assert_msg(u == cases[i].zz, "zigzag(%lld) = %llu, want %llu",
			      (long long)cases[i].s, (unsigned long long)u,
			      (unsigned long long)cases[i].zz);
		pos = 0;
		ck_assert_int_eq(get_svarint(b.data, b.len, &pos, &s), 0);
		ck_assert_int_eq(s, cases[i].s);
		ck_assert_uint_eq(pos, b.len);
		buf_release(&b);
	}
}
END_TEST

START_TEST(test_uvarint_truncated)
{
	struct buf b = { 0 };
	size_t i, cut;

	for (i = 0; i < ARRAY_SIZE(uvalues); i++) {
		b.len = 0;
		buf_add_uvarint(&b, uvalues[i]);
		for (cut = 0; cut < b.len; cut++) {
			size_t pos = 0;
			uint64_t v;
			int64_t s;

			ck_assert_msg(get_uvarint(b.data, cut, &pos, &v) == -1,
				      "%llu cut to %zu bytes accepted",
				      (unsigned long long)uvalues[i], cut);
			pos = 0;
			ck_assert_int_eq(get_svarint(b.data, cut, &pos, &s), -1);
		}
	}
	buf_release(&b);
}
END_TEST

START_TEST(test_uvarint_overlong)
{
	static const struct {
		size_t len;
		uint8_t bytes[12];
	} cases[] = {
		/* an 11th byte */
		{ 11, { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 } },
		{ 11, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 } },
		/* 10 bytes whose last one carries bits beyond bit 63 */
		{ 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 } },
		{ 10, { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f } },
		/* 10 bytes, the last one still continuing */
		{ 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81 } },
		{ 12, { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 } },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t pos = 0;
		uint64_t v;
		int64_t s;

		ck_assert_msg(get_uvarint(cases[i].bytes, cases[i].len, &pos, &v) == -1,
			      "overlong case %zu accepted as %llu", i, (unsigned long long)v);
		pos = 0;
		ck_assert_int_eq(get_svarint(cases[i].bytes, cases[i].len, &pos, &s), -1);
	}
}
END_TEST

/* Decoding starts at *pos and leaves it after the varint. */
START_TEST(test_uvarint_position)
{
	const uint8_t p[] = { 0xaa, 0xac, 0x02, 0x05, 0x80 };
	size_t pos = 1;
	uint64_t v;

	ck_assert_int_eq(get_uvarint(p, sizeof(p), &pos, &v), 0);
	ck_assert_uint_eq(v, 300);
	ck_assert_uint_eq(pos, 3);
	ck_assert_int_eq(get_uvarint(p, sizeof(p), &pos, &v), 0);
	ck_assert_uint_eq(v, 5);
	ck_assert_uint_eq(pos, 4);
	ck_assert_int_eq(get_uvarint(p, sizeof(p), &pos, &v), -1);
	pos = sizeof(p);
	ck_assert_int_eq(get_uvarint(p, sizeof(p), &pos, &v), -1);
}
END_TEST

/* Durations (SPEC.md: integer, one unit of ms/s/m/h, whitespace trimmed) */

START_TEST(test_parse_duration_valid)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} cases[] = {
		{ "250ms", 250000000ULL },
		{ "30s", 30000000000ULL },
		{ "5m", 300000000000ULL },
		{ "2h", 7200000000000ULL },
		{ " 7s ", 7000000000ULL },
		{ "\t1ms\n", 1000000ULL },
		{ "0s", 0 },
		{ "0ms", 0 },
		{ "1h", 3600000000000ULL },
		/* the largest whole number of hours that fits in u64 nanoseconds */
		{ "5124095h", 5124095ULL * 3600000000000ULL },
		{ "18446744073709ms", 18446744073709ULL * 1000000ULL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t ns = 12345;

		ck_assert_msg(parse_duration(cases[i].s, &ns) == 0, "'%s' rejected", cases[i].s);
		ck_assert_msg(ns == cases[i].ns, "'%s' = %llu ns, want %llu", cases[i].s,
			      (unsigned long long)ns, (unsigned long long)cases[i].ns);
	}
}
END_TEST

START_TEST(test_parse_duration_invalid)
{
	static const char *const cases[] = {
		"1.5s", "10", "ms", "1m30s", "", "-1s", "5 s", "99999999999999999999h",
		"5124096h", "18446744073710ms", "18446744073709551616ms", "s", " ", "+1s",
		"1S", "1MS", "1sec", "1us", "1d", "0x10s", "1ms ms", "1s1", "1 ms", "1e3ms",
		"1,000ms", "\xef\xbc\x91s" /* a full-width digit one */,
	};
	size_t i;

	ck_assert_int_eq(parse_duration(NULL, &(uint64_t){ 0 }), -1);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t ns = 0;

		ck_assert_msg(parse_duration(cases[i], &ns) == -1, "'%s' accepted as %llu ns",
			      cases[i], (unsigned long long)ns);
	}
}
END_TEST

START_TEST(test_parse_u64)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "42", 0, 42 },
		{ "4294967296", 0, 1ULL << 32 },
		{ "18446744073709551614", 0, UINT64_MAX - 1 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -1, 0 },
		{ "18446744073709551620", -1, 0 },
		{ "18446744073709551625", -1, 0 },
		{ "99999999999999999999", -1, 0 },
		{ "184467440737095516150", -1, 0 },
		{ "", -1, 0 },
		{ "12a", -1, 0 },
		{ "a12", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "-1", -1, 0 },
		{ "+1", -1, 0 },
		{ "0x10", -1, 0 },
		{ "1.0", -1, 0 },
	};
	size_t i;

	ck_assert_int_eq(parse_u64(NULL, &(uint64_t){ 0 }), -1);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 7;
		int ret = parse_u64(cases[i].s, &v);

		ck_assert_msg(ret == cases[i].ret, "parse_u64('%s') returned %d", cases[i].s, ret);
		if (!ret)
			ck_assert_uint_eq(v, cases[i].v);
	}
}
END_TEST

/* Buffers and hex */

START_TEST(test_buf_addf)
{
	struct buf b = { 0 };
	char big[1000];
	size_t i;

	buf_addf(&b, "%s=%d", "seed", 42);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_mem_eq(b.data, "seed=42", 7);
	/* buf_addf leaves a NUL after the data, not counted in len */
	ck_assert_int_eq(b.data[b.len], 0);
	buf_add(&b, ",", 1);
	buf_addf(&b, "%llu", (unsigned long long)UINT64_MAX);
	ck_assert_uint_eq(b.len, 28);
	ck_assert_mem_eq(b.data, "seed=42,18446744073709551615", 28);
	buf_addf(&b, "%s", "");
	ck_assert_uint_eq(b.len, 28);

	/* growth well past the first allocation */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	buf_addf(&b, "[%s]", big);
	ck_assert_uint_eq(b.len, 28 + 2 + 999);
	ck_assert_uint_ge(b.cap, b.len + 1);
	ck_assert_int_eq(b.data[28], '[');
	for (i = 29; i < 29 + 999; i++)
		ck_assert_int_eq(b.data[i], 'x');
	ck_assert_int_eq(b.data[b.len - 1], ']');
	ck_assert_int_eq(b.data[b.len], 0);
	buf_release(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_buf_add_grow)
{
	struct buf b = { 0 };
	uint8_t chunk[37];
	size_t i;

	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)i;
	for (i = 0; i < 100; i++)
		buf_add(&b, chunk, sizeof(chunk));
	buf_add(&b, NULL, 0);
	ck_assert_uint_eq(b.len, 100 * sizeof(chunk));
	for (i = 0; i < b.len; i++)
		ck_assert_uint_eq(b.data[i], i % sizeof(chunk));
	buf_addc(&b, 0xfe);
	ck_assert_uint_eq(b.data[b.len - 1], 0xfe);
	buf_release(&b);
}
END_TEST

START_TEST(test_hex_encode)
{
	const uint8_t p[] = { 0x00, 0x01, 0x0f, 0x10, 0xab, 0xcd, 0xef, 0xff };
	char out[2 * sizeof(p) + 1];

	memset(out, '?', sizeof(out));
	hex_encode(p, sizeof(p), out);
	ck_assert_str_eq(out, "00010f10abcdefff");
	memset(out, '?', sizeof(out));
	hex_encode(p, 0, out);
	ck_assert_str_eq(out, "");
	hex_encode(p + 4, 1, out);
	ck_assert_str_eq(out, "ab");
}
END_TEST

/* hex_decode takes what hex_encode gives, either case, and refuses the rest whole. */
START_TEST(test_hex_decode)
{
	static const uint8_t p[] = { 0x00, 0x7f, 0x80, 0xff, 0xab };
	char enc[11];
	struct buf b = { 0 };

	hex_encode(p, sizeof(p), enc);
	ck_assert_int_eq(hex_decode(enc, &b), 0);
	ck_assert_uint_eq(b.len, sizeof(p));
	ck_assert_mem_eq(b.data, p, sizeof(p));
	b.len = 0;
	ck_assert_int_eq(hex_decode("ABcd", &b), 0);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_uint_eq(b.data[0], 0xab);
	ck_assert_uint_eq(b.data[1], 0xcd);
	b.len = 0;
	ck_assert_int_eq(hex_decode("", &b), 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(hex_decode("abc", &b), -1);
	ck_assert_int_eq(hex_decode("zz", &b), -1);
	ck_assert_int_eq(hex_decode("0x", &b), -1);
	ck_assert_int_eq(hex_decode(" 1", &b), -1);
	ck_assert_int_eq(hex_decode(NULL, &b), -1);
	buf_release(&b);
}
END_TEST

/* Files */

START_TEST(test_write_file_atomic)
{
	char *dir = unit_tmpdir(), *path = xasprintf("%s/out.json", dir), name[256];
	static const char first[] = "{\"status\":\"pass\"}\n";
	struct buf b = { 0 }, big = { 0 };
	size_t i;

	ck_assert_int_eq(write_file_atomic(path, first, strlen(first)), 0);
	ck_assert_int_eq(read_file(path, &b), 0);
	ck_assert_uint_eq(b.len, strlen(first));
	ck_assert_mem_eq(b.data, first, b.len);
	ck_assert_int_eq(count_entries(dir, name, sizeof(name)), 1);
	ck_assert_str_eq(name, "out.json");

	/* replacing: the new content, still no temp file */
	for (i = 0; i < 300000; i++)
		buf_addc(&big, (uint8_t)(i * 7));
	ck_assert_int_eq(write_file_atomic(path, big.data, big.len), 0);
	b.len = 0;
	ck_assert_int_eq(read_file(path, &b), 0);
	ck_assert_uint_eq(b.len, big.len);
	ck_assert_mem_eq(b.data, big.data, big.len);
	ck_assert_int_eq(count_entries(dir, name, sizeof(name)), 1);
	ck_assert_str_eq(name, "out.json");

	/* empty content gives an empty file */
	ck_assert_int_eq(write_file_atomic(path, "", 0), 0);
	b.len = 0;
	ck_assert_int_eq(read_file(path, &b), 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(count_entries(dir, NULL, 0), 1);

	buf_release(&big);
	buf_release(&b);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_write_file_atomic_fails)
{
	char *dir = unit_tmpdir(), *path = xasprintf("%s/missing/out", dir);
	struct buf b = { 0 };

	ck_assert_int_eq(write_file_atomic(path, "x", 1), -1);
	ck_assert_int_eq(count_entries(dir, NULL, 0), 0);
	ck_assert_int_eq(read_file(path, &b), -1);
	ck_assert_int_eq(errno, ENOENT);
	buf_release(&b);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_read_file_appends)
{
	char *dir = unit_tmpdir(), *path = xasprintf("%s/f", dir);
	struct buf b = { 0 };

	ck_assert_int_eq(write_file_atomic(path, "world", 5), 0);
	buf_add(&b, "hello ", 6);
	ck_assert_int_eq(read_file(path, &b), 0);
	ck_assert_uint_eq(b.len, 11);
	ck_assert_mem_eq(b.data, "hello world", 11);
	buf_release(&b);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_mkdir_p)
{
	char *dir = unit_tmpdir();
	char *deep = xasprintf("%s/a/b/c", dir), *slash = xasprintf("%s/x/y/", dir);
	char *rel_base = xasprintf("%s/rel", dir);

	ck_assert_int_eq(mkdir_p(deep, 0755), 0);
	ck_assert(is_dir(deep));
	/* existing folders are fine */
	ck_assert_int_eq(mkdir_p(deep, 0755), 0);
	ck_assert_int_eq(mkdir_p(dir, 0755), 0);
	ck_assert_int_eq(mkdir_p(slash, 0755), 0);
	ck_assert(is_dir(slash));

	/* a relative path, from the current folder */
	ck_assert_int_eq(mkdir(rel_base, 0755), 0);
	ck_assert_int_eq(chdir(rel_base), 0);
	ck_assert_int_eq(mkdir_p("p/q", 0700), 0);
	ck_assert(is_dir("p/q"));
	ck_assert_int_eq(chdir("/"), 0);

	free(rel_base);
	free(slash);
	free(deep);
	free(dir);
}
END_TEST

START_TEST(test_mkdir_p_under_file)
{
	char *dir = unit_tmpdir(), *file = xasprintf("%s/file", dir);
	char *under = xasprintf("%s/sub/dir", file);

	ck_assert_int_eq(write_file_atomic(file, "x", 1), 0);
	errno = 0;
	ck_assert_int_eq(mkdir_p(under, 0755), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	free(under);
	free(file);
	free(dir);
}
END_TEST

/*
 * Like mkdir -p, a path that exists but is not a folder is an error (EEXIST):
 * run_dir_create() must not believe a run folder exists when a file is there.
 */
START_TEST(test_mkdir_p_over_file)
{
	char *dir = unit_tmpdir(), *file = xasprintf("%s/file", dir);

	ck_assert_int_eq(write_file_atomic(file, "x", 1), 0);
	errno = 0;
	ck_assert_msg(mkdir_p(file, 0755) == -1,
		      "mkdir_p() of an existing regular file returned 0");
	ck_assert_int_eq(errno, EEXIST);
	free(file);
	free(dir);
}
END_TEST

/* Like mkdir(""), an empty path is ENOENT; nothing past the string is read. */
START_TEST(test_mkdir_p_empty)
{
	errno = 0;
	ck_assert_int_eq(mkdir_p("", 0755), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* Time stamps and ids */

START_TEST(test_format_rfc3339)
{
	char out[40];

	format_rfc3339(0, out);
	ck_assert_str_eq(out, "1970-01-01T00:00:00.000000000Z");
	format_rfc3339(1704067200ULL * 1000000000ULL + 5, out);
	ck_assert_str_eq(out, "2024-01-01T00:00:00.000000005Z");
	format_rfc3339(951782400ULL * 1000000000ULL + 999999999, out);
	ck_assert_str_eq(out, "2000-02-29T00:00:00.999999999Z");
}
END_TEST

static void check_uuid(const char *u)
{
	size_t i;

	ck_assert_uint_eq(strlen(u), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_msg(u[i] == '-', "uuid '%s': no '-' at %zu", u, i);
		else
			ck_assert_msg(strchr("0123456789abcdef", u[i]) && u[i],
				      "uuid '%s': '%c' at %zu is not lower-case hex", u, u[i], i);
	}
	ck_assert_msg(u[14] == '4', "uuid '%s': version nibble is not 4", u);
	ck_assert_msg(strchr("89ab", u[19]) && u[19], "uuid '%s': variant nibble not 8..b", u);
}

START_TEST(test_uuid_v4)
{
	char a[37], b[37];
	int i;

	for (i = 0; i < 200; i++) {
		memset(a, '!', sizeof(a));
		uuid_v4(a);
		check_uuid(a);
	}
	uuid_v4(b);
	check_uuid(b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_remove_tree_deep_and_links)
{
	char *dir = unit_tmpdir(), *outside = xasprintf("%s/outside", dir), *tree = xasprintf("%s/tree", dir), name[201];
	int fd, next, i;
	struct stat st;

	/* a tree deeper than PATH_MAX (nftw gave up on these), a link out of it, and a mode-000 folder */
	memset(name, 'd', 200);
	name[200] = 0;
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	ck_assert_int_eq(mkdir(tree, 0755), 0);
	fd = open(tree, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(symlinkat(outside, fd, "link"), 0);
	for (i = 0; i < 30; i++) {
		ck_assert_int_eq(mkdirat(fd, name, 0755), 0);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(next, 0);
		close(fd);
		fd = next;
	}
	{
		char *keep = xasprintf("%s/keep", outside);

		close(open(keep, O_WRONLY | O_CREAT, 0644));
		free(keep);
	}
	ck_assert_int_eq(mkdirat(fd, "locked", 0), 0);
	close(fd);
	ck_assert_int_eq(remove_tree(tree), 0);
	ck_assert_int_eq(lstat(tree, &st), -1);
	ck_assert_int_eq(lstat(outside, &st), 0); /* the link was removed, not followed */
	ck_assert_int_eq(remove_tree(tree), 0);     /* nothing there: fine */
	free(outside);
	free(tree);
	free(dir);
}
END_TEST

Suite *suite_util(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = unit_tcase(s, "varint");
	tcase_add_test(tc, test_uvarint_round_trip);
	tcase_add_test(tc, test_uvarint_encoding);
	tcase_add_test(tc, test_svarint_zigzag);
	tcase_add_test(tc, test_uvarint_truncated);
	tcase_add_test(tc, test_uvarint_overlong);
	tcase_add_test(tc, test_uvarint_position);

	tc = unit_tcase(s, "parse");
	tcase_add_test(tc, test_parse_duration_valid);
	tcase_add_test(tc, test_parse_duration_invalid);
	tcase_add_test(tc, test_parse_u64);

	tc = unit_tcase(s, "buf");
	tcase_add_test(tc, test_buf_addf);
	tcase_add_test(tc, test_buf_add_grow);
	tcase_add_test(tc, test_hex_encode);
	tcase_add_test(tc, test_hex_decode);

	tc = unit_tcase(s, "file");
	tcase_add_checked_fixture(tc, setup_quiet, NULL);
	tcase_add_test(tc, test_write_file_atomic);
	tcase_add_test(tc, test_write_file_atomic_fails);
	tcase_add_test(tc, test_read_file_appends);
	tcase_add_test(tc, test_mkdir_p);
	tcase_add_test(tc, test_mkdir_p_under_file);
	tcase_add_test(tc, test_mkdir_p_over_file);
	tcase_add_test(tc, test_mkdir_p_empty);
	tcase_add_test(tc, test_remove_tree_deep_and_links);

	tc = unit_tcase(s, "ids");
	tcase_add_test(tc, test_format_rfc3339);
	tcase_add_test(tc, test_uuid_v4);
	return s;
}
