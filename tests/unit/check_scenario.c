// SPDX-License-Identifier: MIT
/*
 * Scenario loading, the engine's decision log and replay, and a bounded
 * mutation fuzz of the parser and engine (every mutant must be rejected with
 * a JSON path or run to an outcome, never crash; CI runs it under ASan/UBSan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fozzy/det.h"
#include "fozzy/scenario.h"
#include "fozzy/util.h"
#include "suites.h"

static const char example[] =
	"{\"version\":1,\"name\":\"ex\",\"steps\":["
	"{\"type\":\"trace_event\",\"name\":\"setup\",\"fields\":{\"a\":1}},"
	"{\"type\":\"rand_u64\",\"key\":\"r\"},"
	"{\"type\":\"sleep\",\"duration\":\"10ms\"},"
	"{\"type\":\"set_kv\",\"key\":\"k\",\"value\":\"v\"},"
	"{\"type\":\"assert_throws\",\"steps\":[{\"type\":\"rand_u64\"},{\"type\":\"fail\",\"message\":\"x\"}]},"
	"{\"type\":\"net_set_reorder\",\"enabled\":true},"
	"{\"type\":\"net_send\",\"from\":\"a\",\"to\":\"b\",\"payload\":\"1\"},"
	"{\"type\":\"net_send\",\"from\":\"a\",\"to\":\"b\",\"payload\":\"2\"},"
	"{\"type\":\"net_deliver_one\"},"
	"{\"type\":\"memory_alloc\",\"bytes\":10,\"key\":\"m\"},"
	"{\"type\":\"memory_free\",\"key\":\"m\"},"
	"{\"type\":\"proc_when\",\"cmd\":\"c\",\"exit_code\":3,\"stdout\":\"o\"},"
	"{\"type\":\"proc_spawn\",\"cmd\":\"c\",\"expect_exit\":3},"
	"{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"body\":\"b\",\"delay\":\"5ms\"},"
	"{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"/\",\"expect_body\":\"b\"},"
	"{\"type\":\"get_kv_assert\",\"key\":\"k\",\"equals\":\"v\"}"
	"]}";

static void load(const char *text, struct scenario *s)
{
	char why[512];

	ck_assert_msg(!scenario_parse(text, strlen(text), false, s, why, sizeof(why)), "%s", why);
}

static void expect_error(const char *text, const char *want)
{
	struct scenario s;
	char why[512];

	ck_assert_msg(scenario_parse(text, strlen(text), false, &s, why, sizeof(why)) == -1, "accepted: %s", text);
	ck_assert_msg(strstr(why, want), "error '%s' lacks '%s'", why, want);
	ck_assert_ptr_null(s.root); /* released on failure */
}

START_TEST(test_validate_paths)
{
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"1.5s\"}]}",
		     "$.steps[0].duration: invalid duration '1.5s'");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"slep\"}]}", "did you mean 'sleep'");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"set_kv\",\"key\":\"k\"}]}",
		     "$.steps[0].value: missing required field");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"memory_alloc\",\"bytes\":-1}]}",
		     "$.steps[0].bytes: expected an unsigned integer");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/\","
		     "\"status\":70000}]}", "$.steps[0].status");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"proc_spawn\",\"cmd\":\"a\",\"args\":[1]}]}",
		     "$.steps[0].args[0]: expected a string");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"assert_eventually_kv\",\"key\":\"k\","
		     "\"equals\":\"v\",\"within\":\"1s\",\"poll\":\"0ms\"}]}", "$.steps[0].poll: must be at least 1ms");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[],\"distributed\":{}}", "more than one");
	expect_error("{\"version\":1,\"name\":\"x\",\"stepz\":[]}", "expected one of the variants");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[],\"extra\":1}", "$.extra: unknown top-level key");
	expect_error("{\"version\":1,\"name\":\"d\",\"distributed\":{\"nodes\":[\"a\",\"a\"],\"steps\":[]}}",
		     "$.distributed.nodes[1]: duplicate node");
	expect_error("{\"version\":1,\"name\":\"d\",\"distributed\":{\"nodes\":[\"a\"],\"steps\":[],"
		     "\"invariants\":[{\"type\":\"kv_node_equals\",\"node\":\"b\",\"key\":\"k\",\"equals\":\"v\"}]}}",
		     "$.distributed.invariants[0].node: unknown node 'b'");
	expect_error("{\"version\":1,\"name\":\"d\",\"distributed\":{\"node_count\":2,\"steps\":[{\"type\":\"set_kv\"}]}}",
		     "a step of steps scenarios");
	expect_error("{\"version\":1 \"name\":\"x\"}", "malformed JSON at line 1, column 14");
	expect_error("{\"version\":1,\"name\":\"x\",\"steps\":[]} trailing", "malformed JSON");
}
END_TEST

START_TEST(test_validate_nesting_limit)
{
	struct buf b = { 0 };
	int i;

	buf_addf(&b, "{\"version\":1,\"name\":\"x\",\"steps\":[");
	for (i = 0; i < SCN_MAX_DEPTH + 2; i++)
		buf_addf(&b, "{\"type\":\"assert_throws\",\"steps\":[");
	buf_addf(&b, "{\"type\":\"fail\",\"message\":\"x\"}");
	for (i = 0; i < SCN_MAX_DEPTH + 2; i++)
		buf_addf(&b, "]}");
	buf_addf(&b, "]}");
	buf_addc(&b, 0);
	expect_error((const char *)b.data, "nested more than");
	buf_release(&b);
}
END_TEST

static void run(const struct scenario *s, uint64_t seed, const cJSON *replay, struct scn_result *r)
{
	struct scn_opts o;

	scn_opts_init(&o);
	o.seed = seed;
	o.det = true;
	o.replay = replay;
	scenario_execute(s, &o, r);
}

START_TEST(test_engine_deterministic)
{
	struct scenario s;
	struct scn_result a, b, c;
	char *x, *y;

	load(example, &s);
	run(&s, 5, NULL, &a);
	ck_assert_str_eq(a.status, "pass");
	ck_assert_int_eq(cJSON_GetArraySize(a.findings), 0);
	ck_assert_uint_eq(a.virtual_ms, 15);
	run(&s, 5, NULL, &b);
	x = cJSON_PrintUnformatted(a.decisions);
	y = cJSON_PrintUnformatted(b.decisions);
	ck_assert_str_eq(x, y);
	free(y);
	run(&s, 6, NULL, &c);
	y = cJSON_PrintUnformatted(c.decisions);
	ck_assert_str_ne(x, y); /* the random values differ */
	free(x);
	free(y);
	scn_result_release(&a);
	scn_result_release(&b);
	scn_result_release(&c);
	scenario_release(&s);
}
END_TEST

static const cJSON *find_kind(const cJSON *decisions, const char *kind)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, decisions)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "kind")), kind))
			return d;
	return NULL;
}

START_TEST(test_replay_and_drift)
{
	struct scenario s;
	struct scn_result rec, r;
	cJSON *log;
	const cJSON *d;

	load(example, &s);
	run(&s, 9, NULL, &rec);
	/* an exact replay */
	run(&s, 9, rec.decisions, &r);
	ck_assert_str_eq(r.status, "pass");
	ck_assert(!r.drift_error);
	scn_result_release(&r);
	/* a changed random value: a replay_drift finding (row 89) */
	log = cJSON_Duplicate(rec.decisions, true);
	d = find_kind(log, "rand_u64");
	cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)d, "value", cJSON_CreateString("1"));
	run(&s, 9, log, &r);
	ck_assert_str_eq(r.status, "fail");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r.findings, 0), "title")),
			 "replay_drift");
	scn_result_release(&r);
	cJSON_Delete(log);
	/* the first scheduler pick removed: a structural divergence (row 90) */
	log = cJSON_Duplicate(rec.decisions, true);
	cJSON_DeleteItemFromArray(log, 0);
	run(&s, 9, log, &r);
	ck_assert(r.drift_error);
	ck_assert_str_eq(r.status, "error");
	ck_assert_msg(strstr(r.message, "replay drift at decision 0"), "%s", r.message);
	scn_result_release(&r);
	cJSON_Delete(log);
	/* an extra decision at the end (row 91) */
	log = cJSON_Duplicate(rec.decisions, true);
	cJSON_AddItemToArray(log, cJSON_Duplicate(cJSON_GetArrayItem(log, 0), true));
	run(&s, 9, log, &r);
	ck_assert_str_eq(r.status, "fail");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r.findings, 0), "title")),
			 "replay_unused_decisions");
	scn_result_release(&r);
	cJSON_Delete(log);
	/* a different seed on replay: the random value drifts */
	run(&s, 10, rec.decisions, &r);
	ck_assert_str_eq(r.status, "fail");
	scn_result_release(&r);
	scn_result_release(&rec);
	scenario_release(&s);
}
END_TEST

START_TEST(test_memory_model)
{
	static const char text[] =
		"{\"version\":1,\"name\":\"m\",\"steps\":["
		"{\"type\":\"memory_fragmentation\",\"seed\":7},"
		"{\"type\":\"memory_pressure_wave\",\"pattern\":\"1, 2,x,0,4\"},"
		"{\"type\":\"memory_alloc\",\"bytes\":200000,\"key\":\"a\"},"
		"{\"type\":\"memory_alloc\",\"bytes\":200000},"
		"{\"type\":\"memory_alloc\",\"bytes\":200000},"
		"{\"type\":\"memory_free\",\"key\":\"a\"}]}";
	struct scenario s;
	struct scn_result r;
	struct scn_opts o;
	uint64_t eff[3], sum = 0;
	const cJSON *d;
	int i = 0;

	load(text, &s);
	scn_opts_init(&o);
	o.det = true;
	o.has_budget = true;
	o.leak_budget = 1u << 30;
	scenario_execute(&s, &o, &r);
	ck_assert_str_eq(r.status, "pass");
	cJSON_ArrayForEach(d, r.decisions) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "kind")), "memory_alloc"))
			continue;
		eff[i] = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(d, "effective_bytes"));
		/* the wave (1, 2, 4; bad items dropped) times 100..130% fragmentation */
		ck_assert_uint_ge(eff[i], 200000ULL << i);
		ck_assert_uint_le(eff[i], (200000ULL << i) * 130 / 100);
		sum += eff[i];
		i++;
	}
	ck_assert_int_eq(i, 3);
	ck_assert_uint_eq((uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r.memory, "inUseBytes")), sum - eff[0]);
	ck_assert_uint_eq((uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r.memory, "peakBytes")), sum);
	ck_assert_uint_eq((uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r.memory, "leakedAllocs")), 2);
	scn_result_release(&r);
	scenario_release(&s);
}
END_TEST

START_TEST(test_test_seeds)
{
	uint64_t a = scenario_test_seed(1, 3, 0, "tests/a.fozzy.json");

	ck_assert_uint_eq(a, scenario_test_seed(1, 3, 0, "tests/a.fozzy.json"));
	ck_assert_uint_ne(a, scenario_test_seed(1, 3, 1, "tests/a.fozzy.json"));
	ck_assert_uint_ne(a, scenario_test_seed(2, 3, 0, "tests/a.fozzy.json"));
	ck_assert_uint_ne(a, scenario_test_seed(1, 4, 0, "tests/a.fozzy.json"));
	ck_assert_uint_ne(a, scenario_test_seed(1, 3, 0, "tests/b.fozzy.json"));
}
END_TEST

/* Seeds of valid scenarios the mutator starts from. */
static const char *const corpus[] = {
	example,
	"{\"version\":1,\"name\":\"d\",\"distributed\":{\"nodes\":[\"a\",\"b\"],\"steps\":[{\"type\":\"client_put\","
	"\"node\":\"a\",\"key\":\"k\",\"value\":\"v\"},{\"type\":\"partition\",\"a\":\"a\",\"b\":\"b\"},{\"type\":\"tick\","
	"\"duration\":\"1s\"}],\"invariants\":[{\"type\":\"kv_all_equal\",\"key\":\"k\"}]}}",
	"{\"version\":1,\"name\":\"p\",\"steps\":[{\"type\":\"assert_eventually_kv\",\"key\":\"k\",\"equals\":\"v\","
	"\"within\":\"100ms\",\"poll\":\"30ms\"},{\"type\":\"freeze\",\"at_ms\":5},{\"type\":\"advance\",\"duration\":\"1h\"},"
	"{\"type\":\"fs_write\",\"path\":\"a\",\"data\":\"b\"},{\"type\":\"fs_snapshot\",\"name\":\"s\"},{\"type\":\"fs_restore\","
	"\"name\":\"s\"},{\"type\":\"net_set_drop_rate\",\"rate\":0.5},{\"type\":\"memory_limit_mb\",\"mb\":1},"
	"{\"type\":\"memory_fail_after_allocs\",\"count\":1},{\"type\":\"memory_alloc\",\"bytes\":9007199254740992}]}",
};

static const char *const tokens[] = {
	"{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "0", "-1", "1e308", "1.5", "9007199254740993",
	"\"type\"", "\"steps\"", "\"sleep\"", "\"assert_throws\"", "\"duration\"", "\"0ms\"", "\"99999999h\"", "\"\\u0000\"",
	"{\"type\":\"assert_throws\",\"steps\":[", "{\"type\":\"memory_free\",\"alloc_id\":1}",
	"{\"type\":\"net_deliver_one\",\"strategy\":\"RANDOM\"}",
	("{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/\",\"status\":1,\"headers\":{\"\\r\":\"x\"}}"),
};

/* A random node of the tree (pre-order), or NULL for the root. */
static cJSON *pick_node(cJSON *root, struct prng *rng)
{
	cJSON *stack[256], *best = NULL, *c;
	unsigned n = 0, seen = 0;

	stack[n++] = root;
	while (n) {
		cJSON *x = stack[--n];

		if (x != root && prng_next(rng) % ++seen == 0)
			best = x;
		for (c = x->child; c && n < ARRAY_SIZE(stack); c = c->next)
			stack[n++] = c;
	}
	return best;
}

static cJSON *parent_of(cJSON *root, const cJSON *x)
{
	cJSON *stack[256], *c;
	unsigned n = 0;

	stack[n++] = root;
	while (n) {
		cJSON *p = stack[--n];

		for (c = p->child; c; c = c->next) {
			if (c == x)
				return p;
			if (n < ARRAY_SIZE(stack))
				stack[n++] = c;
		}
	}
	return NULL;
}

/* Structural mutation: replace a value, delete a member, or duplicate an array element. */
static void mutate_tree(struct buf *b, struct prng *rng)
{
	static const char *const values[] = { "0", "1", "-1", "1e300", "\"10ms\"", "\"x\"", "true", "null", "\"99999999h\"",
					      "9007199254740992", "[]", "{}", "0.5", "\"RANDOM\"", "\"0ms\"" };
	cJSON *root = cJSON_ParseWithLength((const char *)b->data, b->len), *x, *p;
	char *out;

	if (!root)
		return;
	x = pick_node(root, rng);
	p = x ? parent_of(root, x) : NULL;
	if (p) {
		switch (prng_next(rng) % 3) {
		case 0:
			cJSON_ReplaceItemViaPointer(p, x, cJSON_Parse(values[prng_next(rng) % ARRAY_SIZE(values)]));
			break;
		case 1:
			cJSON_Delete(cJSON_DetachItemViaPointer(p, x));
			break;
		default:
			if (cJSON_IsArray(p))
				cJSON_AddItemToArray(p, cJSON_Duplicate(x, true));
			break;
		}
	}
	out = cJSON_PrintUnformatted(root);
	b->len = 0;
	buf_add(b, out, strlen(out));
	free(out);
	cJSON_Delete(root);
}

START_TEST(test_fuzz_parser_and_engine)
{
	struct prng rng;
	unsigned long iters = 30000, accepted = 0, i;
	const char *env = getenv("FOZZY_SCENARIO_FUZZ_ITERS");

	if (env)
		iters = strtoul(env, NULL, 10);
	quiet_errors = true; /* --unsafe-style warnings of the lenient half */
	prng_init(&rng, 0x5ce7a710, 1);
	for (i = 0; i < iters; i++) {
		const char *seed = corpus[prng_next(&rng) % ARRAY_SIZE(corpus)];
		struct buf b = { 0 };
		unsigned n = 1 + (unsigned)(prng_next(&rng) % 4), k;
		struct scenario s;
		char why[512];

		buf_add(&b, seed, strlen(seed));
		if (i % 2) {
			for (k = 0; k < n; k++)
				mutate_tree(&b, &rng);
			n = 0;
		}
		for (k = 0; k < n && b.len; k++) {
			size_t at = (size_t)(prng_next(&rng) % b.len);

			switch (prng_next(&rng) % 5) {
			case 0: /* flip a bit */
				b.data[at] ^= (uint8_t)(1u << (prng_next(&rng) % 8));
				break;
			case 1: /* truncate */
				b.len = at;
				break;
			case 2: { /* delete a span */
				size_t len = 1 + (size_t)(prng_next(&rng) % 16);

				if (at + len > b.len)
					len = b.len - at;
				memmove(b.data + at, b.data + at + len, b.len - at - len);
				b.len -= len;
				break;
			}
			case 3: { /* insert a JSON token */
				const char *t = tokens[prng_next(&rng) % ARRAY_SIZE(tokens)];
				size_t len = strlen(t);

				buf_grow(&b, len);
				memmove(b.data + at + len, b.data + at, b.len - at);
				memcpy(b.data + at, t, len);
				b.len += len;
				break;
			}
			default: { /* duplicate a span */
				size_t len = 1 + (size_t)(prng_next(&rng) % 64);

				if (at + len > b.len)
					len = b.len - at;
				buf_grow(&b, len);
				memmove(b.data + at + len, b.data + at, b.len - at);
				b.len += len;
				break;
			}
			}
		}
		if (!scenario_parse(b.len ? (const char *)b.data : "", b.len, (i >> 1) & 1, &s, why, sizeof(why))) {
			accepted++;
			if (s.variant == SCN_STEPS) {
				struct scn_result r;

				run(&s, i, NULL, &r);
				ck_assert(r.status != NULL);
				scn_result_release(&r);
			}
			scenario_release(&s);
		} else {
			/* every rejection names a JSON path */
			ck_assert_msg(why[0] == '$', "rejection without a path: %s", why);
		}
		buf_release(&b);
	}
	/* the mutations must not all be rejected outright, or the engine goes untested */
	ck_assert_msg(accepted > iters / 50, "only %lu of %lu mutants parsed", accepted, iters);
}
END_TEST

Suite *suite_scenario(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc;

	tc = unit_tcase(s, "validate");
	tcase_add_test(tc, test_validate_paths);
	tcase_add_test(tc, test_validate_nesting_limit);
	tc = unit_tcase(s, "engine");
	tcase_add_test(tc, test_engine_deterministic);
	tcase_add_test(tc, test_replay_and_drift);
	tcase_add_test(tc, test_memory_model);
	tcase_add_test(tc, test_test_seeds);
	tc = unit_tcase(s, "fuzz");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fuzz_parser_and_engine);
	return s;
}
