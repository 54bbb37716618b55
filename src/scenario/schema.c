// SPDX-License-Identifier: MIT
/*
 * The scenario DSL in one table: every step type with its fields, their
 * types and whether they are required. Validation (load.c) and `fozzy schema`
 * both read it, so the documentation cannot drift from what is accepted.
 */
#include <string.h>

#include "fozzy/scenario.h"
#include "internal.h"

#define F(n, t, r) { n, t, r }
#define END { NULL, 0, false }

static const struct step_def step_defs[] = {
	/* basic */
	{ "trace_event", { F("name", FT_STR, 1), F("fields", FT_OBJ, 0), END },
	  "Append an event with that name and fields at the current virtual time.",
	  "{\"type\":\"trace_event\",\"name\":\"setup\",\"fields\":{\"k\":\"v\"}}" },
	{ "rand_u64", { F("key", FT_STR, 0), END },
	  "Draw the next u64 from the seeded generator (decision rand_u64); store it as decimal text under key.",
	  "{\"type\":\"rand_u64\",\"key\":\"r\"}" },
	{ "assert_ok", { F("value", FT_BOOL, 1), F("msg", FT_STR, 0), END },
	  "Fail when value is false.", "{\"type\":\"assert_ok\",\"value\":true}" },
	{ "assert_eq_int", { F("a", FT_I64, 1), F("b", FT_I64, 1), F("msg", FT_STR, 0), END },
	  "Fail unless the two integer literals are equal.", "{\"type\":\"assert_eq_int\",\"a\":1,\"b\":1}" },
	{ "assert_ne_int", { F("a", FT_I64, 1), F("b", FT_I64, 1), F("msg", FT_STR, 0), END },
	  "Fail when the two integer literals are equal.", "{\"type\":\"assert_ne_int\",\"a\":1,\"b\":2}" },
	{ "assert_eq_str", { F("a", FT_STR, 1), F("b", FT_STR, 1), F("msg", FT_STR, 0), END },
	  "Fail unless the two strings are equal.", "{\"type\":\"assert_eq_str\",\"a\":\"x\",\"b\":\"x\"}" },
	{ "assert_ne_str", { F("a", FT_STR, 1), F("b", FT_STR, 1), F("msg", FT_STR, 0), END },
	  "Fail when the two strings are equal.", "{\"type\":\"assert_ne_str\",\"a\":\"x\",\"b\":\"y\"}" },
	{ "fail", { F("message", FT_STR, 1), END },
	  "Always fails (an assertion finding).", "{\"type\":\"fail\",\"message\":\"boom\"}" },
	{ "panic", { F("message", FT_STR, 1), END },
	  "Always fails with a panic finding (status fail).", "{\"type\":\"panic\",\"message\":\"boom\"}" },
	/* time */
	{ "sleep", { F("duration", FT_DUR, 1), END },
	  "Under --det the virtual clock moves by duration; otherwise a real sleep. Decision time_sleep_ms either way.",
	  "{\"type\":\"sleep\",\"duration\":\"10ms\"}" },
	{ "advance", { F("duration", FT_DUR, 1), END },
	  "Move the virtual clock (needs --det). Decision time_advance_ms.", "{\"type\":\"advance\",\"duration\":\"1s\"}" },
	{ "freeze", { F("at_ms", FT_U64, 0), END },
	  "Set the virtual clock to at_ms if given and freeze it: until unfreeze, sleeps and scripted delays return without "
	  "moving it (advance still moves it, explicitly).",
	  "{\"type\":\"freeze\",\"at_ms\":500}" },
	{ "unfreeze", { END }, "Let the virtual clock move again.", "{\"type\":\"unfreeze\"}" },
	/* kv */
	{ "set_kv", { F("key", FT_STR, 1), F("value", FT_STR, 1), END },
	  "KV[key] = value.", "{\"type\":\"set_kv\",\"key\":\"k\",\"value\":\"v\"}" },
	{ "get_kv_assert", { F("key", FT_STR, 1), F("equals", FT_STR, 0), F("is_null", FT_BOOL, 0), END },
	  "is_null: the key must be absent; equals: its value must equal; neither: it must exist.",
	  "{\"type\":\"get_kv_assert\",\"key\":\"k\",\"equals\":\"v\"}" },
	{ "assert_eventually_kv", { F("key", FT_STR, 1), F("equals", FT_STR, 1), F("within", FT_DUR, 1),
				    F("poll", FT_DUR, 1), F("msg", FT_STR, 0), END },
	  "Poll every `poll` until KV[key] == equals, failing after `within` (virtual time under --det).",
	  "{\"type\":\"assert_eventually_kv\",\"key\":\"k\",\"equals\":\"v\",\"within\":\"100ms\",\"poll\":\"10ms\"}" },
	{ "assert_never_kv", { F("key", FT_STR, 1), F("equals", FT_STR, 1), F("within", FT_DUR, 1),
			       F("poll", FT_DUR, 1), F("msg", FT_STR, 0), END },
	  "Fail if KV[key] == equals at any poll during `within`.",
	  "{\"type\":\"assert_never_kv\",\"key\":\"k\",\"equals\":\"bad\",\"within\":\"100ms\",\"poll\":\"10ms\"}" },
	{ "assert_throws", { F("steps", FT_STEPS, 1), END },
	  "Run the nested steps on a copy of the world; pass iff one of them fails. The world is restored after; "
	  "decisions and events of the nested steps stay in the log.",
	  "{\"type\":\"assert_throws\",\"steps\":[{\"type\":\"fail\",\"message\":\"x\"}]}" },
	{ "assert_rejects", { F("steps", FT_STEPS, 1), END },
	  "Same as assert_throws.", "{\"type\":\"assert_rejects\",\"steps\":[{\"type\":\"fail\",\"message\":\"x\"}]}" },
	/* filesystem */
	{ "fs_write", { F("path", FT_STR, 1), F("data", FT_STR, 1), END },
	  "Write a file of the virtual filesystem.", "{\"type\":\"fs_write\",\"path\":\"a.txt\",\"data\":\"hi\"}" },
	{ "fs_read_assert", { F("path", FT_STR, 1), F("equals", FT_STR, 1), END },
	  "The file must exist with exactly that content.", "{\"type\":\"fs_read_assert\",\"path\":\"a.txt\",\"equals\":\"hi\"}" },
	{ "fs_snapshot", { F("name", FT_STR, 1), END },
	  "Remember the whole virtual filesystem under name.", "{\"type\":\"fs_snapshot\",\"name\":\"s1\"}" },
	{ "fs_restore", { F("name", FT_STR, 1), END },
	  "Put the filesystem back as snapshot name had it.", "{\"type\":\"fs_restore\",\"name\":\"s1\"}" },
	/* http */
	{ "http_when", { F("method", FT_STR, 1), F("path", FT_STR, 1), F("status", FT_U16, 1), F("headers", FT_HEADERS, 0),
			 F("body", FT_STR, 0), F("json", FT_ANY, 0), F("delay", FT_DUR, 0), F("times", FT_U64, 0), END },
	  "Declare a scripted HTTP response for method+path (exact match); times: how often (absent: always).",
	  "{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/health\",\"status\":200,\"body\":\"ok\"}" },
	{ "http_request", { F("method", FT_STR, 1), F("path", FT_STR, 1), F("headers", FT_HEADERS, 0), F("body", FT_STR, 0),
			    F("expect_status", FT_U16, 0), F("expect_headers", FT_HEADERS, 0), F("expect_body", FT_STR, 0),
			    F("expect_json", FT_ANY, 0), F("save_body_as", FT_STR, 0), END },
	  "Send a request to the scripted rules and check the answer.",
	  "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"/health\",\"expect_status\":200}" },
	/* processes */
	{ "proc_when", { F("cmd", FT_STR, 1), F("args", FT_STRARR, 0), F("exit_code", FT_I32, 1), F("stdout", FT_STR, 0),
			 F("stderr", FT_STR, 0), F("times", FT_U64, 0), END },
	  "Declare a scripted process outcome for cmd+args (exact match).",
	  "{\"type\":\"proc_when\",\"cmd\":\"git\",\"args\":[\"status\"],\"exit_code\":0,\"stdout\":\"clean\\n\"}" },
	{ "proc_spawn", { F("cmd", FT_STR, 1), F("args", FT_STRARR, 0), F("expect_exit", FT_I32, 0),
			  F("expect_stdout", FT_STR, 0), F("expect_stderr", FT_STR, 0), F("save_stdout_as", FT_STR, 0), END },
	  "Run cmd with args against the scripted rules (decision proc_spawn) and check the outcome.",
	  "{\"type\":\"proc_spawn\",\"cmd\":\"git\",\"args\":[\"status\"],\"expect_exit\":0}" },
	/* network */
	{ "net_send", { F("from", FT_STR, 1), F("to", FT_STR, 1), F("payload", FT_STR, 1), END },
	  "Queue a message.", "{\"type\":\"net_send\",\"from\":\"a\",\"to\":\"b\",\"payload\":\"hi\"}" },
	{ "net_deliver_one", { F("strategy", FT_STR, 0), END },
	  "Deliver one queued message whose pair is not partitioned: the first, or a seeded pick with strategy "
	  "\"random\" or reorder on; it may be dropped (drop rate).", "{\"type\":\"net_deliver_one\"}" },
	{ "net_recv_assert", { F("node", FT_STR, 1), F("from", FT_STR, 0), F("payload", FT_STR, 1), END },
	  "Take a delivered message with that payload (and sender) from node's inbox.",
	  "{\"type\":\"net_recv_assert\",\"node\":\"b\",\"payload\":\"hi\"}" },
	{ "net_partition", { F("a", FT_STR, 1), F("b", FT_STR, 1), END },
	  "Block deliveries between a and b.", "{\"type\":\"net_partition\",\"a\":\"a\",\"b\":\"b\"}" },
	{ "net_heal", { F("a", FT_STR, 1), F("b", FT_STR, 1), END },
	  "Unblock a and b.", "{\"type\":\"net_heal\",\"a\":\"a\",\"b\":\"b\"}" },
	{ "net_set_drop_rate", { F("rate", FT_F64, 1), END },
	  "Probability (0 to 1) that a delivery is dropped.", "{\"type\":\"net_set_drop_rate\",\"rate\":0.1}" },
	{ "net_set_reorder", { F("enabled", FT_BOOL, 1), END },
	  "Deliver in seeded random order instead of FIFO.", "{\"type\":\"net_set_reorder\",\"enabled\":true}" },
	/* memory model */
	{ "memory_alloc", { F("bytes", FT_U64, 1), F("key", FT_STR, 0), F("tag", FT_STR, 0), END },
	  "Allocate from the simulated allocator; the alloc id goes to KV[key].",
	  "{\"type\":\"memory_alloc\",\"bytes\":1024,\"key\":\"buf\",\"tag\":\"cache\"}" },
	{ "memory_free", { F("alloc_id", FT_U64, 0), F("key", FT_STR, 0), END },
	  "Free by alloc_id or by the id stored under key (exactly one of them).",
	  "{\"type\":\"memory_free\",\"key\":\"buf\"}" },
	{ "memory_limit_mb", { F("mb", FT_U64, 1), END },
	  "In-use ceiling from now on.", "{\"type\":\"memory_limit_mb\",\"mb\":3}" },
	{ "memory_fail_after_allocs", { F("count", FT_U64, 1), END },
	  "Allocation attempts after the count-th fail.", "{\"type\":\"memory_fail_after_allocs\",\"count\":2}" },
	{ "memory_fragmentation", { F("seed", FT_U64, 1), END },
	  "Add seeded fragmentation overhead (0-30%) to each allocation.", "{\"type\":\"memory_fragmentation\",\"seed\":7}" },
	{ "memory_pressure_wave", { F("pattern", FT_STR, 1), END },
	  "Comma list of size multipliers applied to successive allocations.",
	  "{\"type\":\"memory_pressure_wave\",\"pattern\":\"1,2,4\"}" },
	{ "memory_checkpoint", { F("name", FT_STR, 1), END },
	  "Record in-use bytes and live allocations in the memory timeline.",
	  "{\"type\":\"memory_checkpoint\",\"name\":\"after-setup\"}" },
	{ "memory_assert_in_use_bytes", { F("equals", FT_U64, 1), END },
	  "In-use bytes must equal.", "{\"type\":\"memory_assert_in_use_bytes\",\"equals\":0}" },
};

static const struct step_def dist_step_defs[] = {
	{ "client_put", { F("node", FT_NODE, 1), F("key", FT_STR, 1), F("value", FT_STR, 1), END },
	  "A client writes key=value on node, which replicates it to the others.",
	  "{\"type\":\"client_put\",\"node\":\"n0\",\"key\":\"k\",\"value\":\"v\"}" },
	{ "client_get_assert", { F("node", FT_NODE, 1), F("key", FT_STR, 1), F("equals", FT_STR, 0), F("is_null", FT_BOOL, 0), END },
	  "A client reads key on node and checks the value.",
	  "{\"type\":\"client_get_assert\",\"node\":\"n0\",\"key\":\"k\",\"equals\":\"v\"}" },
	{ "partition", { F("a", FT_NODE, 1), F("b", FT_NODE, 1), END },
	  "Block messages between a and b.", "{\"type\":\"partition\",\"a\":\"n0\",\"b\":\"n1\"}" },
	{ "heal", { F("a", FT_NODE, 1), F("b", FT_NODE, 1), END },
	  "Unblock a and b.", "{\"type\":\"heal\",\"a\":\"n0\",\"b\":\"n1\"}" },
	{ "crash", { F("node", FT_NODE, 1), END }, "Stop node (state kept).", "{\"type\":\"crash\",\"node\":\"n0\"}" },
	{ "restart", { F("node", FT_NODE, 1), END }, "Start node again.", "{\"type\":\"restart\",\"node\":\"n0\"}" },
	{ "tick", { F("duration", FT_DUR, 1), END }, "Advance the virtual clock.", "{\"type\":\"tick\",\"duration\":\"10ms\"}" },
};

static const struct step_def inv_defs[] = {
	{ "kv_all_equal", { F("key", FT_STR, 1), END }, "At the end, running nodes agree on key.",
	  "{\"type\":\"kv_all_equal\",\"key\":\"k\"}" },
	{ "kv_present_on_all", { F("key", FT_STR, 1), END }, "Every running node has key.",
	  "{\"type\":\"kv_present_on_all\",\"key\":\"k\"}" },
	{ "kv_node_equals", { F("node", FT_NODE, 1), F("key", FT_STR, 1), F("equals", FT_STR, 1), END },
	  "node (if running) has key == equals.", "{\"type\":\"kv_node_equals\",\"node\":\"n0\",\"key\":\"k\",\"equals\":\"v\"}" },
};

const struct step_def *step_def_find(int table, const char *type)
{
	const struct step_def *t = table == 0 ? step_defs : table == 1 ? dist_step_defs : inv_defs;
	size_t i, n = scenario_step_type_count(table);

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].type, type))
			return &t[i];
	return NULL;
}

const struct step_def *step_def_at(int table, size_t i)
{
	const struct step_def *t = table == 0 ? step_defs : table == 1 ? dist_step_defs : inv_defs;

	return i < scenario_step_type_count(table) ? &t[i] : NULL;
}

size_t scenario_step_type_count(int table)
{
	return table == 0 ? sizeof(step_defs) / sizeof(step_defs[0])
	       : table == 1 ? sizeof(dist_step_defs) / sizeof(dist_step_defs[0])
			    : sizeof(inv_defs) / sizeof(inv_defs[0]);
}

const char *field_type_name(enum field_type t)
{
	switch (t) {
	case FT_STR: return "string";
	case FT_U64: return "u64";
	case FT_I64: return "i64";
	case FT_I32: return "i32";
	case FT_U16: return "u16";
	case FT_BOOL: return "bool";
	case FT_F64: return "number";
	case FT_DUR: return "duration";
	case FT_OBJ: return "object";
	case FT_ANY: return "any JSON";
	case FT_HEADERS: return "object of strings";
	case FT_STRARR: return "array of strings";
	case FT_STEPS: return "array of steps";
	case FT_NODE: return "node name";
	}
	return "?";
}

static cJSON *defs_json(int table, cJSON **names_out)
{
	cJSON *all = cJSON_CreateObject(), *names = cJSON_CreateArray();
	size_t i, n = scenario_step_type_count(table);

	for (i = 0; i < n; i++) {
		const struct step_def *d = step_def_at(table, i);
		cJSON *o = cJSON_CreateObject(), *req = cJSON_AddArrayToObject(o, "requiredFields"),
		      *opt = cJSON_AddArrayToObject(o, "optionalFields"), *types = cJSON_AddObjectToObject(o, "fieldTypes");
		const struct field_def *f;

		cJSON_AddItemToArray(req, cJSON_CreateString("type"));
		for (f = d->fields; f->name; f++) {
			cJSON_AddItemToArray(f->required ? req : opt, cJSON_CreateString(f->name));
			cJSON_AddStringToObject(types, f->name, field_type_name(f->type));
		}
		cJSON_AddItemToObject(o, "example", cJSON_Parse(d->example));
		cJSON_AddStringToObject(o, "notes", d->notes);
		cJSON_AddItemToObject(all, d->type, o);
		cJSON_AddItemToArray(names, cJSON_CreateString(d->type));
	}
	*names_out = names;
	return all;
}

cJSON *scenario_schema_json(void)
{
	cJSON *o = cJSON_CreateObject(), *v = cJSON_AddArrayToObject(o, "fileVariants"), *names, *defs, *x;

	cJSON_AddStringToObject(o, "schemaVersion", "fozzy.schema_doc.v4");
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", "steps");
	cJSON_AddItemToObject(x, "requiredTopLevelKeys", cJSON_Parse("[\"version\",\"name\",\"steps\"]"));
	cJSON_AddItemToObject(x, "minimalExample",
			      cJSON_Parse("{\"version\":1,\"name\":\"example\",\"steps\":[{\"type\":\"assert_ok\",\"value\":true}]}"));
	cJSON_AddItemToArray(v, x);
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", "distributed");
	cJSON_AddItemToObject(x, "requiredTopLevelKeys", cJSON_Parse("[\"version\",\"name\",\"distributed\"]"));
	cJSON_AddItemToObject(x, "minimalExample",
			      cJSON_Parse("{\"version\":1,\"name\":\"kv\",\"distributed\":{\"node_count\":3,\"steps\":"
					  "[{\"type\":\"client_put\",\"node\":\"n0\",\"key\":\"k\",\"value\":\"v\"}],"
					  "\"invariants\":[{\"type\":\"kv_all_equal\",\"key\":\"k\"}]}}"));
	cJSON_AddItemToArray(v, x);
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", "suites");
	cJSON_AddItemToObject(x, "requiredTopLevelKeys", cJSON_Parse("[\"version\",\"name\",\"suites\"]"));
	cJSON_AddItemToObject(x, "minimalExample", cJSON_Parse("{\"version\":1,\"name\":\"s\",\"suites\":[]}"));
	cJSON_AddStringToObject(x, "notes", "recognized but not executable: no command runs a suites file");
	cJSON_AddItemToArray(v, x);
	cJSON_AddStringToObject(o, "durations", "an unsigned integer immediately followed by ms, s, m or h (250ms, 30s, 5m, 2h)");
	cJSON_AddStringToObject(o, "topLevelComments", "top-level keys \"description\", \"$schema\" and any key starting with "
				"\"_\" are accepted and ignored; other unknown keys are errors (warnings under --unsafe)");
	defs = defs_json(0, &names);
	cJSON_AddItemToObject(o, "stepTypes", names);
	cJSON_AddItemToObject(o, "stepSchemas", defs);
	defs = defs_json(1, &names);
	cJSON_AddItemToObject(o, "distributedStepTypes", names);
	cJSON_AddItemToObject(o, "distributedStepSchemas", defs);
	defs = defs_json(2, &names);
	cJSON_AddItemToObject(o, "distributedInvariantTypes", names);
	cJSON_AddItemToObject(o, "distributedInvariantSchemas", defs);
	return o;
}
