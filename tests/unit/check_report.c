// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/report/report.c: seeds and other u64 values survive
 * JSON exactly (cJSON keeps numbers as doubles, which would round them),
 * u64 fields read back strictly, summary statuses map to the exit codes of
 * include/fozzy/exit.h, and run folders and JSON files are created where
 * and how the header says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/util.h"
#include "suites.h"

static void setup_quiet(void)
{
	quiet_errors = true;
}

/* The compact text of a one-key object {key: item}; caller frees. */
static char *print_one(const char *key, cJSON *item)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddItemToObject(o, key, item); /* o takes item */
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(test_json_u64_exact)
{
	static const struct {
		uint64_t v;
		const char *text;
	} cases[] = {
		{ 0, "{\"seed\":0}" },
		{ 7, "{\"seed\":7}" },
		{ 9007199254740993ULL, "{\"seed\":9007199254740993}" },
		{ 18446744073709551615ULL, "{\"seed\":18446744073709551615}" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = print_one("seed", json_u64(cases[i].v));

		ck_assert_str_eq(s, cases[i].text);
		free(s);
	}
}
END_TEST

START_TEST(test_json_u64_string_round_trip)
{
	static const uint64_t values[] = { 0, 1, 9007199254740993ULL, UINT64_MAX - 1, UINT64_MAX };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		cJSON *o = cJSON_CreateObject(), *back;
		uint64_t v = 1234;
		char *s;

		json_add_u64_string(o, "seed", values[i]);
		ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "seed")));
		ck_assert_int_eq(json_get_u64(o, "seed", &v), 0);
		ck_assert_uint_eq(v, values[i]);

		/* and through text, as a trace header is read back */
		s = cJSON_PrintUnformatted(o);
		back = cJSON_Parse(s);
		ck_assert_ptr_nonnull(back);
		v = 1234;
		ck_assert_int_eq(json_get_u64(back, "seed", &v), 0);
		ck_assert_uint_eq(v, values[i]);
		cJSON_Delete(back);
		free(s);
		cJSON_Delete(o);
	}
}
END_TEST

START_TEST(test_json_get_u64_number)
{
	cJSON *o = cJSON_Parse("{\"a\":42,\"b\":0,\"c\":9007199254740991}");
	uint64_t v = 0;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_get_u64(o, "a", &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(json_get_u64(o, "b", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(json_get_u64(o, "c", &v), 0);
	ck_assert_uint_eq(v, 9007199254740991ULL);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_json_get_u64_rejects)
{
	static const char *const keys[] = {
		"missing", "SEED", "word", "empty", "neg", "trail", "space", "over", "hex",
		"negnum", "huge", "bool", "null", "obj", "arr",
	};
	cJSON *o = cJSON_Parse("{\"seed\":\"1\",\"word\":\"abc\",\"empty\":\"\","
			       "\"neg\":\"-1\",\"trail\":\"12a\",\"space\":\" 12\","
			       "\"over\":\"18446744073709551616\",\"hex\":\"0x10\","
			       "\"negnum\":-1,\"huge\":1e300,\"bool\":true,"
			       "\"null\":null,\"obj\":{},\"arr\":[1]}");
	size_t i;

	ck_assert_ptr_nonnull(o);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		uint64_t v = 77;

		ck_assert_msg(json_get_u64(o, keys[i], &v) == -1, "key '%s' accepted as %llu",
			      keys[i], (unsigned long long)v);
	}
	/* a missing object has no keys */
	ck_assert_int_eq(json_get_u64(NULL, "seed", &(uint64_t){ 0 }), -1);
	cJSON_Delete(o);
}
END_TEST

/* A number with a fraction is not a u64: 1.5 must not be read as seed 1. */
START_TEST(test_json_get_u64_fraction)
{
	cJSON *o = cJSON_Parse("{\"half\":1.5,\"tiny\":0.25}");
	uint64_t v = 77;

	ck_assert_ptr_nonnull(o);
	ck_assert_msg(json_get_u64(o, "half", &v) == -1, "1.5 read as %llu",
		      (unsigned long long)v);
	ck_assert_msg(json_get_u64(o, "tiny", &v) == -1, "0.25 read as %llu",
		      (unsigned long long)v);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_status_exit_code)
{
	static const struct {
		const char *status;
		int code;
	} cases[] = {
		{ "pass", 0 }, { "fail", 1 }, { "error", 2 }, { "timeout", 3 }, { "crash", 4 },
		{ "", 2 }, { "PASS", 2 }, { "passed", 2 }, { "unknown", 2 }, { "pass ", 2 },
	};
	size_t i;

	ck_assert_int_eq(EXIT_PASS, 0);
	ck_assert_int_eq(EXIT_FAIL, 1);
	ck_assert_int_eq(EXIT_ERROR, 2);
	ck_assert_int_eq(EXIT_TIMEOUT, 3);
	ck_assert_int_eq(EXIT_CRASH, 4);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ck_assert_msg(status_exit_code(cases[i].status) == cases[i].code,
			      "status '%s' gives %d, want %d", cases[i].status,
			      status_exit_code(cases[i].status), cases[i].code);
}
END_TEST

START_TEST(test_run_dir_create)
{
	char *base = unit_tmpdir(), *want;
	struct run_dir rd, rd2, rel;
	struct stat st;
	size_t i;

	ck_assert_int_eq(run_dir_create(&rd, base), 0);
	ck_assert_uint_eq(strlen(rd.id), 36);
	for (i = 0; i < 36; i++)
		ck_assert(rd.id[i] == '-' ? (i == 8 || i == 13 || i == 18 || i == 23)
					  : strchr("0123456789abcdef", rd.id[i]) != NULL);
	want = xasprintf("%s/runs/%s", base, rd.id);
	ck_assert_str_eq(rd.path, want);
	ck_assert_str_eq(rd.abs_path, want); /* base is absolute */
	free(want);
	ck_assert_int_eq(stat(rd.path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_gt(rd.started_real_ns, 0);
	ck_assert_uint_gt(rd.started_mono_ns, 0);

	/* a second run gets its own folder */
	ck_assert_int_eq(run_dir_create(&rd2, base), 0);
	ck_assert_str_ne(rd2.id, rd.id);

	/* a relative base still gives an absolute abs_path */
	ck_assert_int_eq(chdir(base), 0);
	ck_assert_int_eq(run_dir_create(&rel, "rel"), 0);
	want = xasprintf("%s/rel/runs/%s", base, rel.id);
	ck_assert_str_eq(rel.path, want + strlen(base) + 1);
	ck_assert_str_eq(rel.abs_path, want);
	free(want);
	ck_assert_int_eq(chdir("/"), 0);

	run_dir_release(&rel);
	ck_assert_ptr_null(rel.path);
	ck_assert_ptr_null(rel.abs_path);
	run_dir_release(&rd2);
	run_dir_release(&rd);
	free(base);
}
END_TEST

START_TEST(test_json_write_file)
{
	char *dir = unit_tmpdir(), *path;
	cJSON *o = cJSON_CreateObject(), *back;
	struct buf b = { 0 };
	uint64_t v;

	path = xasprintf("%s/report.json", dir);
	cJSON_AddStringToObject(o, "status", "pass");
	cJSON_AddItemToObject(o, "seed", json_u64(UINT64_MAX)); /* o takes it */
	ck_assert_int_eq(json_write_file(path, o), 0);
	ck_assert_int_eq(read_file(path, &b), 0);
	ck_assert_uint_gt(b.len, 1);
	ck_assert_int_eq(b.data[b.len - 1], '\n');
	buf_addc(&b, 0);
	ck_assert_ptr_nonnull(strstr((char *)b.data, "18446744073709551615"));
	back = cJSON_Parse((char *)b.data);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(back, "status")->valuestring, "pass");
	/* a JSON number that large is only exact as text: read it from there */
	ck_assert_int_eq(json_get_u64(back, "seed", &v), -1);
	cJSON_Delete(back);
	free(dir);
	buf_release(&b);
	free(path);
	cJSON_Delete(o);
}
END_TEST

Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = unit_tcase(s, "json");
	tcase_add_test(tc, test_json_u64_exact);
	tcase_add_test(tc, test_json_u64_string_round_trip);
	tcase_add_test(tc, test_json_get_u64_number);
	tcase_add_test(tc, test_json_get_u64_rejects);
	tcase_add_test(tc, test_json_get_u64_fraction);
	tcase_add_test(tc, test_status_exit_code);

	tc = unit_tcase(s, "files");
	tcase_add_checked_fixture(tc, setup_quiet, NULL);
	tcase_add_test(tc, test_run_dir_create);
	tcase_add_test(tc, test_json_write_file);
	return s;
}
