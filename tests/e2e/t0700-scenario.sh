#!/bin/sh
# Scenario files: fozzy validate, schema, run SCENARIO, test, and replay of
# scenario traces (SPEC.md sections 2, 3, 5 and the section-9 rows they meet).
. "$(dirname "$0")/lib.sh"

S="$FIX/scenarios"
mkdir -p w/tests/sub
cp "$S/example.fozzy.json" "$S/assertions.fozzy.json" w/tests/
cp "$S/fail.fozzy.json" w/tests/sub/
W="$TRASH/w"

test_expect_success 'run --json prints one pass document (row 1)' '
	fz run "$S/example.fozzy.json" --det --json >o.json &&
	python3 -c "import json; d=json.load(open(\"o.json\")); assert d[\"status\"]==\"pass\" and d[\"mode\"]==\"run\", d"
'
test_expect_success 'global flags after the scenario; --cwd makes paths relative to it (row 2)' '
	fz run tests/example.fozzy.json --det --json --cwd "$W" >o.json &&
	test "$(field o.json status)" = pass &&
	test -d "$W/.fozzy/runs/$(field o.json identity runId)" &&
	expect_exit 2 fz run tests/example.fozzy.json --cwd "$TRASH/nope"
'
test_expect_success 'pass exits 0, fail 1, timeout 3 (rows 10, 11)' '
	expect_exit 0 fz run "$S/example.fozzy.json" --det >/dev/null &&
	expect_exit 1 fz run "$S/fail.fozzy.json" --det >/dev/null &&
	expect_exit 3 fz run "$S/timeout-det.fozzy.json" --det --timeout 5s --json >o.json &&
	test "$(field o.json findings 0 kind)" = hang && test "$(field o.json findings 0 title)" = timeout
'
test_expect_success 'error documents: JSON on stdout, text on stderr only (row 7)' '
	expect_exit 2 fz run missing.fozzy.json --json >o.json 2>/dev/null &&
	test "$(field o.json status)" = error && test "$(field o.json code)" = error &&
	expect_exit 2 fz run missing.fozzy.json >out 2>err && test ! -s out && grep -q "missing.fozzy.json" err
'
test_expect_success 'human summary of a failure names the finding and the trace; no ESC byte (rows 6, 64)' '
	expect_exit 1 fz run "$S/fail.fozzy.json" --det --seed 4 >out &&
	grep -q "^fozzy run FAIL" out && grep -q "\[assertion\] assert_eq_int: one is not two" out &&
	grep -q "replay with: fozzy replay" out && ! grep -q "$(printf "\033")" out &&
	fz run "$S/fail.fozzy.json" --det --json >o.json; test -f "$(field o.json identity tracePath)"
'
test_expect_success 'a passing run leaves only report.json and manifest.json (row 65)' '
	fz run "$S/example.fozzy.json" --det --json >o.json &&
	d=$(field o.json identity artifactsDir) && test "$(ls "$d" | tr "\n" " ")" = "manifest.json report.json " &&
	test "$(field "$d/manifest.json" schemaVersion)" = fozzy.run_manifest.v1 &&
	test "$(field "$d/manifest.json" runId)" = "$(field o.json identity runId)"
'
test_expect_success 'FOZZY_ARTIFACTS_FULL writes events.json on pass (row 66)' '
	FOZZY_ARTIFACTS_FULL=1 fz run "$S/example.fozzy.json" --det --json >o.json &&
	d=$(field o.json identity artifactsDir) && test -s "$d/events.json"
'
test_expect_success 'reporter junit and html (row 67)' '
	expect_exit 1 fz run "$S/fail.fozzy.json" --det --reporter junit --json >o.json &&
	d=$(field o.json identity artifactsDir) && grep -q "<testsuite name=\"fozzy\" tests=\"1\" failures=\"1\"" "$d/junit.xml" &&
	grep -q "failure message=\"assert_eq_int\"" "$d/junit.xml" &&
	fz run "$S/example.fozzy.json" --det --reporter html --json >o.json &&
	d=$(field o.json identity artifactsDir) && grep -q "no findings" "$d/report.html" &&
	expect_exit 2 fz run "$S/example.fozzy.json" --reporter xml
'
test_expect_success 'validate: variants, JSON paths, fixed version check (rows 18-24)' '
	fz validate "$S/example.fozzy.json" --json >o.json && test "$(field o.json variant)" = steps &&
	fz validate "$S/kv.explore.fozzy.json" --json >o.json && test "$(field o.json variant)" = distributed &&
	test "$(field o.json invariants)" = 1 &&
	expect_exit 2 fz validate "$S/suites.fozzy.json" --json >o.json && test "$(field o.json ok)" = False &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"memory_alloc\",\"bytes\":\"x\"}]}" >b.json &&
	expect_exit 2 fz validate b.json 2>err && grep -q "steps\[0\].bytes" err &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"assert_throws\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"not-a-duration\"}]}]}" >b.json &&
	expect_exit 2 fz validate b.json 2>err && grep -q "steps\[0\].steps\[0\].duration: invalid duration .not-a-duration." err &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"get_kv_assert\",\"key\":\"k\",\"equals\":\"v\",\"is_null\":true}]}" >b.json &&
	expect_exit 2 fz validate b.json &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"memory_free\",\"alloc_id\":1,\"key\":\"k\"}]}" >b.json &&
	expect_exit 2 fz validate b.json &&
	echo "{\"version\":2,\"name\":\"x\",\"steps\":[]}" >b.json &&
	expect_exit 2 fz validate b.json 2>err && grep -q "unsupported scenario version 2" err &&
	expect_exit 2 fz run b.json &&
	echo "{\"version\":1,\"name\":\"d\",\"distributed\":{\"node_count\":2,\"steps\":[{\"type\":\"partition\",\"a\":\"n0\",\"b\":\"n9\"}]}}" >b.json &&
	expect_exit 2 fz validate b.json 2>err && grep -q "unknown node .n9. (known nodes: n0, n1)" err &&
	echo "{\"version\":1,\"name\":\"d\",\"distributed\":{\"node_count\":0,\"steps\":[]}}" >b.json &&
	expect_exit 2 fz validate b.json 2>err && grep -q "node_count" err
'
test_expect_success 'declaration-only scenarios are rejected (row 20)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"proc_when\",\"cmd\":\"a\",\"exit_code\":0}]}" >b.json &&
	expect_exit 2 fz run b.json 2>err && grep -q "http_when or proc_when declaration" err
'
test_expect_success 'unknown fields are errors with a hint; --unsafe ignores them; empty steps pass (row 25)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"sleep\",\"duraton\":\"1s\",\"duration\":\"1s\"}]}" >b.json &&
	expect_exit 2 fz validate b.json 2>err && grep -q "did you mean .duration." err &&
	fz --unsafe validate b.json 2>err && grep -q "ignored" err &&
	echo "{\"version\":1,\"name\":\"x\",\"description\":\"c\",\"_note\":1,\"steps\":[]}" >b.json &&
	fz run b.json --det >/dev/null
'
test_expect_success 'malformed, empty, NUL-bearing and huge files: one line, exit 2, no crash (issue 7.9)' '
	printf "{\"version\":1," >b.json && expect_exit 2 fz validate b.json 2>err && grep -q "malformed JSON at line 1" err &&
	: >b.json && expect_exit 2 fz validate b.json 2>err && grep -q "empty" err &&
	printf "{}\000" >b.json && expect_exit 2 fz validate b.json 2>err && grep -q "NUL" err &&
	echo "[1,2]" >b.json && expect_exit 2 fz validate b.json &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"nope\"}]}" >b.json && expect_exit 2 fz validate b.json 2>err &&
	grep -q "unknown step type" err &&
	truncate -s 17M big.json && expect_exit 2 fz validate big.json 2>err && grep -q "limited to 16 MiB" err &&
	python3 -c "print(\"[\" * 100000)" >deep.json && expect_exit 2 fz validate deep.json &&
	test $(wc -l <err) = 1
'
test_expect_success 'durations: grammar (row 26)' '
	for d in 250ms 30s 5m 2h; do
		echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"$d\"}]}" >b.json &&
		fz validate b.json >/dev/null || return 1
	done &&
	for d in 1.5s 10 ms 1m30s; do
		echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"$d\"}]}" >b.json &&
		expect_exit 2 fz validate b.json 2>/dev/null || return 1
	done
'
test_expect_success 'schema and steps list 42 step types, 7 distributed steps, 3 invariants (row 149)' '
	fz schema --json >o.json && fz steps --json >p.json && cmp o.json p.json &&
	python3 -c "import json; d=json.load(open(\"o.json\")); assert (len(d[\"stepTypes\"]), len(d[\"distributedStepTypes\"]), len(d[\"distributedInvariantTypes\"])) == (42, 7, 3); assert all(t in d[\"stepSchemas\"] for t in d[\"stepTypes\"])" &&
	fz schema | grep -q "memory_alloc bytes:u64"
'
test_expect_success 'trace_event and freeze: events at the virtual time (rows 27, 32)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"freeze\",\"at_ms\":500},{\"type\":\"sleep\",\"duration\":\"1s\"},{\"type\":\"trace_event\",\"name\":\"mark\",\"fields\":{\"a\":1}},{\"type\":\"unfreeze\"},{\"type\":\"sleep\",\"duration\":\"1s\"},{\"type\":\"trace_event\",\"name\":\"later\"}]}" >b.json &&
	FOZZY_ARTIFACTS_FULL=1 fz run b.json --det --json >o.json &&
	python3 -c "import json; e=json.load(open(\"$(field o.json identity artifactsDir)/events.json\")); m=[x for x in e if x[\"name\"]==\"mark\"][0]; l=[x for x in e if x[\"name\"]==\"later\"][0]; assert m[\"time_ms\"]==500 and m[\"fields\"]=={\"a\":1} and l[\"time_ms\"]==1500, (m, l)"
'
test_expect_success 'rand_u64 is a function of the seed (row 28)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"rand_u64\",\"key\":\"r\"},{\"type\":\"get_kv_assert\",\"key\":\"r\",\"equals\":\"17090654259284395734\"}]}" >b.json &&
	fz run b.json --det --seed 7 >/dev/null && expect_exit 1 fz run b.json --det --seed 8 >/dev/null
'
test_expect_success 'assertions on literals, fail, panic (row 29)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"panic\",\"message\":\"boom\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 kind)" = panic &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"fail\",\"message\":\"boom\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 kind)" = assertion
'
test_expect_success 'sleep: --det takes virtual time only, without --det real time (row 30)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"10s\"}]}" >b.json &&
	t0=$(date +%s%N) && fz run b.json --det --json >o.json && t1=$(date +%s%N) &&
	test $(( (t1 - t0) / 1000000 )) -lt 5000 && test "$(field o.json durationMs)" = 10000 &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"300ms\"}]}" >b.json &&
	t0=$(date +%s%N) && fz run b.json >/dev/null && t1=$(date +%s%N) && test $(( (t1 - t0) / 1000000 )) -ge 300
'
test_expect_success 'advance needs --det (row 31)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"advance\",\"duration\":\"1s\"}]}" >b.json &&
	expect_exit 1 fz run b.json --json >o.json && test "$(field o.json findings 0 title)" = advance_requires_det &&
	fz run b.json --det >/dev/null
'
test_expect_success 'KV and assert_eventually/never on the virtual clock (rows 33-35)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"assert_eventually_kv\",\"key\":\"k\",\"equals\":\"v\",\"within\":\"100ms\",\"poll\":\"30ms\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json durationMs)" -ge 120 &&
	test "$(field o.json findings 0 title)" = assert_eventually_kv &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"set_kv\",\"key\":\"k\",\"value\":\"v\"},{\"type\":\"assert_eventually_kv\",\"key\":\"k\",\"equals\":\"v\",\"within\":\"100ms\",\"poll\":\"30ms\"},{\"type\":\"assert_never_kv\",\"key\":\"k\",\"equals\":\"w\",\"within\":\"50ms\",\"poll\":\"10ms\"},{\"type\":\"get_kv_assert\",\"key\":\"nope\",\"is_null\":true}]}" >b.json &&
	fz run b.json --det >/dev/null &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"get_kv_assert\",\"key\":\"nope\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det >/dev/null
'
test_expect_success 'assert_throws/assert_rejects roll the world back (row 36)' '
	fz run "$S/assertions.fozzy.json" --det >/dev/null &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"assert_throws\",\"steps\":[{\"type\":\"assert_ok\",\"value\":true}]}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 title)" = assert_throws
'
test_expect_success 'virtual fs, scripted http, proc, net, memory fixtures pass (rows 37, 40-42, 48, 54, 57, 59)' '
	for f in http proc net net-reorder memory.pass memory.limits; do
		fz run "$S/$f.fozzy.json" --det >/dev/null || { echo "$f failed"; return 1; }
	done &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"fs_write\",\"path\":\"a\",\"data\":\"1\"},{\"type\":\"fs_snapshot\",\"name\":\"s\"},{\"type\":\"fs_write\",\"path\":\"a\",\"data\":\"2\"},{\"type\":\"fs_restore\",\"name\":\"s\"},{\"type\":\"fs_read_assert\",\"path\":\"a\",\"equals\":\"1\"},{\"type\":\"fs_restore\",\"name\":\"zz\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 title)" = fs_restore_missing_snapshot
'
test_expect_success 'http: delay moves virtual time; unmatched and conflicts fail (rows 41-43)' '
	fz run "$S/http.fozzy.json" --det --json >o.json && test "$(field o.json durationMs)" -ge 100 &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"/x\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 title)" = http_unmatched &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/x\",\"status\":200,\"body\":\"a\",\"json\":{}},{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"/x\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 title)" = http_when_invalid
'
test_expect_success 'proc_unmatched suggests a proc_when (row 49)' '
	expect_exit 1 fz run "$S/proc-unmatched.fozzy.json" --det --json >o.json &&
	test "$(field o.json findings 0 location details suggestedProcWhen cmd)" = make &&
	test "$(field o.json findings 0 location details stepIndex)" = 0
'
test_expect_success 'net: drop rate and its range (row 55); reorder is seeded (row 56)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"net_set_drop_rate\",\"rate\":1.0},{\"type\":\"net_send\",\"from\":\"a\",\"to\":\"b\",\"payload\":\"p\"},{\"type\":\"net_deliver_one\"},{\"type\":\"net_recv_assert\",\"node\":\"b\",\"payload\":\"p\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 title)" = net_recv_assert &&
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"net_set_drop_rate\",\"rate\":1.5}]}" >b.json &&
	expect_exit 1 fz run b.json --det --json >o.json && test "$(field o.json findings 0 title)" = net_drop_rate &&
	fz run "$S/net-reorder.fozzy.json" --det --seed 9 --record r1.fozzy >/dev/null &&
	fz run "$S/net-reorder.fozzy.json" --det --seed 9 --record r2.fozzy >/dev/null &&
	fz --json trace dump r1.fozzy | python3 -c "import json,sys; d=json.load(sys.stdin); print([e[\"decision\"] for e in d[\"events\"] if e[\"kind\"]==\"decision\" and e[\"decision\"][\"kind\"]==\"net_deliver_pick\"])" >p1 &&
	fz --json trace dump r2.fozzy | python3 -c "import json,sys; d=json.load(sys.stdin); print([e[\"decision\"] for e in d[\"events\"] if e[\"kind\"]==\"decision\" and e[\"decision\"][\"kind\"]==\"net_deliver_pick\"])" >p2 &&
	cmp p1 p2 && test "$(grep -o message_id p1 | wc -l)" = 4
'
test_expect_success 'memory: leaks fail by default; budget and fail-on-leak (rows 60-62)' '
	expect_exit 1 fz run "$S/memory.leak.fozzy.json" --det --json >o.json && test "$(field o.json findings 0 title)" = memory_leak &&
	fz run "$S/memory.leak.fozzy.json" --det --leak-budget 512 --json >o.json && test "$(field o.json memory leakedBytes)" = 256 &&
	expect_exit 1 fz run "$S/memory.leak.fozzy.json" --det --leak-budget 100 --json >o.json &&
	grep -q memory_leak_budget o.json &&
	expect_exit 1 fz run "$S/memory.leak.fozzy.json" --det --fail-on-leak --leak-budget 512 >/dev/null &&
	fz run "$S/memory.pass.fozzy.json" --det --json >o.json && test "$(field o.json memory allocCount)" = 1 &&
	test "$(field o.json memory freeCount)" = 1 && test "$(field o.json memory inUseBytes)" = 0
'
test_expect_success 'memory sidecars with --mem-artifacts agree with the summary (row 63)' '
	expect_exit 1 fz run "$S/memory.leak.fozzy.json" --det --mem-artifacts --json >o.json &&
	d=$(field o.json identity artifactsDir) &&
	test "$(field "$d/memory.leaks.json" 0 bytes)" = "$(field o.json memory leakedBytes)" &&
	test "$(field "$d/memory.leaks.json" 0 tag)" = leak-test &&
	test "$(field "$d/memory.timeline.json" 0 kind)" = alloc &&
	test "$(field "$d/memory.graph.json" edges 0 kind)" = allocates &&
	fz run "$S/memory.pass.fozzy.json" --det --mem-artifacts --json >o.json &&
	test ! -e "$(field o.json identity artifactsDir)/memory.leaks.json"
'
test_expect_success 'fozzy.toml: missing means defaults, bad is a config error, keys apply (rows 3, 12)' '
	mkdir -p cfg && cp "$S/memory.leak.fozzy.json" cfg/ &&
	(cd cfg && fz --config nope.toml run memory.leak.fozzy.json --det --leak-budget 512 >/dev/null 2>err) && grep -q "using the defaults" cfg/err &&
	test -d cfg/.fozzy/runs &&
	printf "base_dir = [\n" >cfg/fozzy.toml &&
	(cd cfg && expect_exit 2 fz run memory.leak.fozzy.json --det 2>../err) && grep -q "^fozzy: config error: fozzy.toml: line 1" err &&
	printf "# defaults\nbase_dir = \"art\"\nleak_budget = 512\nsome_future_key = 1\n" >cfg/fozzy.toml &&
	(cd cfg && fz run memory.leak.fozzy.json --det --json >../o.json) &&
	test "$(field o.json status)" = pass && test "$(field o.json memory leakedBytes)" = 256 &&
	case "$(field o.json identity artifactsDir)" in art/runs/*) ;; *) return 1;; esac &&
	(cd cfg && expect_exit 1 fz run memory.leak.fozzy.json --det --leak-budget 100 >/dev/null) &&
	printf "proc_backend = \"sometimes\"\n" >cfg/fozzy.toml &&
	(cd cfg && expect_exit 2 fz test --json >../o.json) && grep -q "config error" o.json
'
test_expect_success 'timeouts are checked between steps only (row 68)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"assert_eventually_kv\",\"key\":\"k\",\"equals\":\"v\",\"within\":\"10s\",\"poll\":\"1s\"}]}" >b.json &&
	expect_exit 1 fz run b.json --det --timeout 2s --json >o.json && test "$(field o.json findings 0 kind)" = assertion
'
test_expect_success 'distributed and suites files are refused by run (row 69)' '
	expect_exit 2 fz run "$S/kv.explore.fozzy.json" 2>err && grep -q "fozzy explore" err &&
	expect_exit 2 fz run "$S/suites.fozzy.json" 2>err && grep -q "suites" err
'
test_expect_success 'test: default glob, counts, per-file traces of failures (row 70)' '
	(cd w && expect_exit 1 fz test --det --seed 5 --json >../o.json) &&
	test "$(field o.json tests passed)" = 2 && test "$(field o.json tests failed)" = 1 &&
	test "$(field o.json scenarios 2 path)" = tests/sub/fail.fozzy.json &&
	test -f "$(field o.json scenarios 2 tracePath)"
'
test_expect_success 'test: distributed files and missing literal paths are errors (rows 71, 72)' '
	cp "$S/kv.explore.fozzy.json" w/tests/kv.fozzy.json &&
	(cd w && expect_exit 2 fz test 2>../err) && grep -q "kv.fozzy.json is a distributed scenario" err &&
	rm w/tests/kv.fozzy.json &&
	(cd w && expect_exit 2 fz test tests/example.fozzy.json missing.fozzy.json 2>../err) && grep -q "missing.fozzy.json" err &&
	(cd w && expect_exit 2 fz test "nothing/**/*.fozzy.json" 2>../err) && grep -q "no scenario file matches" err
'
test_expect_success 'test: --filter counts the rest as skipped (row 73)' '
	(cd w && fz test --filter example --det --json >../o.json) &&
	test "$(field o.json tests skipped)" = 2 && test "$(field o.json tests passed)" = 1
'
test_expect_success 'test: per-file seeds are distinct and stable for a --seed (row 74)' '
	(cd w && fz test --det --seed 11 --json >../a.json; fz test --det --seed 11 --json >../b.json; fz test --det --seed 12 --json >../c.json) ;
	python3 -c "import json; a,b,c=(json.load(open(f)) for f in (\"a.json\",\"b.json\",\"c.json\")); s=lambda d: [x[\"seed\"] for x in d[\"scenarios\"]]; assert s(a)==s(b) and s(a)!=s(c) and len(set(s(a)))==3, (s(a), s(c))"
'
test_expect_success 'test: --record names one trace per scenario (row 75)' '
	(cd w && expect_exit 1 fz test --det --record t.fozzy >/dev/null) &&
	test -f w/t.1.fozzy && test -f w/t.2.fozzy && test -f w/t.3.fozzy && fz trace verify w/t.2.fozzy >/dev/null
'
test_expect_success 'test: --fail-fast stops; --jobs gives the same results as serial (row 76)' '
	cp "$S/fail.fozzy.json" w/tests/a-fail.fozzy.json &&
	(cd w && expect_exit 1 fz test --det --fail-fast --json >../o.json) &&
	test "$(field o.json tests failed)" = 1 && test "$(field o.json tests skipped)" = 3 &&
	(cd w && fz test --det --seed 3 --json >../s.json; fz test --det --seed 3 --jobs 3 --json >../p.json);
	python3 -c "import json; a,b=(json.load(open(f)) for f in (\"s.json\",\"p.json\")); k=lambda d: [(x[\"path\"],x[\"seed\"],x[\"status\"],x[\"findings\"]) for x in d[\"scenarios\"]]; assert k(a)==k(b) and a[\"tests\"]==b[\"tests\"], (k(a), k(b))" &&
	rm w/tests/a-fail.fozzy.json
'
test_expect_success 'test: flags of other commands are refused (row 77)' '
	expect_exit 2 fz test x --profile-capture full 2>/dev/null &&
	expect_exit 2 fz run "$S/example.fozzy.json" --jobs 2 2>/dev/null
'
test_expect_success 'test: a timed-out scenario makes the test fail, not time out (row 78)' '
	cp "$S/timeout-det.fozzy.json" w/tests/ &&
	(cd w && expect_exit 1 fz test --det --timeout 5s --filter timeout --json >../o.json) &&
	test "$(field o.json status)" = fail && rm w/tests/timeout-det.fozzy.json
'
test_expect_success 'replay: pass and fail round trips keep the seed (rows 87, 88)' '
	fz run "$S/example.fozzy.json" --det --seed 21 --record p.fozzy >/dev/null &&
	fz replay p.fozzy --json >o.json && test "$(field o.json mode)" = replay &&
	test "$(field o.json status)" = pass && test "$(field o.json identity seed)" = 21 &&
	expect_exit 1 fz run "$S/fail.fozzy.json" --det --seed 22 --record f.fozzy >/dev/null &&
	expect_exit 1 fz replay f.fozzy --json >o.json && test "$(field o.json findings 0 title)" = assert_eq_int
'
test_expect_success 'replay: assert_throws traces replay cleanly (row 96, fixed behaviour)' '
	fz run "$S/assertions.fozzy.json" --det --seed 5 --record a.fozzy >/dev/null &&
	fz replay a.fozzy --json >o.json && test "$(field o.json status)" = pass && ! grep -q findings o.json
'
test_expect_success 'replay: a trace recorded without --det does not drift (row 97, fixed behaviour)' '
	fz run "$S/example.fozzy.json" --seed 5 --record n.fozzy >/dev/null &&
	fz replay n.fozzy --json >o.json && test "$(field o.json status)" = pass
'
test_expect_success 'replay: a timed-out run replays as a timeout (exit 3)' '
	expect_exit 3 fz run "$S/timeout-det.fozzy.json" --det --timeout 5s --record to.fozzy >/dev/null &&
	expect_exit 3 fz replay to.fozzy >/dev/null
'
test_expect_success 'record collisions: append, error, overwrite (row 86)' '
	rm -f c.fozzy c.1.fozzy c.2.fozzy &&
	fz run "$S/example.fozzy.json" --det --record c.fozzy >/dev/null &&
	fz run "$S/example.fozzy.json" --det --record c.fozzy >/dev/null && test -f c.1.fozzy &&
	fz run "$S/example.fozzy.json" --det --record c.fozzy >/dev/null && test -f c.2.fozzy &&
	expect_exit 2 fz run "$S/example.fozzy.json" --det --record c.fozzy --record-collision error 2>err && grep -q "record collision" err &&
	fz run "$S/example.fozzy.json" --det --record c.fozzy --record-collision overwrite >/dev/null && test ! -f c.3.fozzy
'
test_expect_success 'a corrupted scenario trace is refused (exit 2)' '
	cp p.fozzy x.fozzy && printf "x" >>x.fozzy && expect_exit 2 fz replay x.fozzy 2>/dev/null &&
	expect_exit 2 fz shrink p.fozzy 2>err && grep -q "no finding to keep" err
'
test_expect_success 'shrink keeps only the failing step (exit 0: a trace was written); the result replays (row 98)' '
	expect_exit 1 fz run "$S/fail.fozzy.json" --det --seed 8 --record fl.fozzy >/dev/null &&
	fz shrink fl.fozzy --json >o.json && test -f fl.min.fozzy &&
	test "$(field o.json shrink stepsBefore)" = 5 && test "$(field o.json shrink stepsAfter)" = 1 &&
	test "$(field o.json findings 0 title)" = assert_eq_int &&
	fz --json trace dump fl.min.fozzy | python3 -c "import json,sys; s=json.load(sys.stdin)[\"header\"][\"scenario\"][\"steps\"]; assert [x[\"type\"] for x in s]==[\"assert_eq_int\"], s" &&
	expect_exit 1 fz replay fl.min.fozzy >/dev/null
'
test_expect_success 'shrink: --budget bounds it and still writes a valid trace (row 100)' '
	fz shrink fl.fozzy --budget 1ms --out b.fozzy --json >o.json &&
	case "$(field o.json shrink outOfTime)" in True|False) ;; *) return 1;; esac && fz trace verify b.fozzy >/dev/null
'
test_expect_success 'shrink of an explore trace: the script and the schedule (row 101)' '
	expect_exit 1 fz explore "$S/crash-loses-update.explore.fozzy.json" --schedule random --seed 4 --record e.fozzy >/dev/null &&
	fz shrink e.fozzy --json >o.json && test "$(field o.json findings 0 kind)" = invariant &&
	test "$(field o.json shrink stepsAfter)" -le 3 && expect_exit 1 fz replay e.min.fozzy >/dev/null
'
test_expect_success 'keys differing only in case are different keys (a lost value and a leak before)' '
	echo "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"set_kv\",\"key\":\"A\",\"value\":\"1\"},{\"type\":\"set_kv\",\"key\":\"a\",\"value\":\"2\"},{\"type\":\"get_kv_assert\",\"key\":\"a\",\"equals\":\"2\"},{\"type\":\"get_kv_assert\",\"key\":\"A\",\"equals\":\"1\"}]}" >b.json &&
	fz run b.json --det >/dev/null
'
test_expect_success 'invalid UTF-8, /dev/zero, a FIFO and a twice-set config key are one-line errors' '
	printf "{\"version\":1,\"name\":\"x\",\"steps\":[{\"type\":\"fail\",\"message\":\"a\377b\"}]}" >b.json &&
	expect_exit 2 fz validate b.json 2>err && grep -q "steps\[0\].message: the string is not valid UTF-8" err &&
	expect_exit 2 timeout 20 "$FOZZY" validate /dev/zero 2>err && grep -q "larger than 16 MiB" err &&
	rm -f fifo.json && mkfifo fifo.json && expect_exit 2 timeout 20 "$FOZZY" validate fifo.json 2>/dev/null &&
	mkdir -p dup && printf "base_dir = \"a\"\nbase_dir = \"b\"\n" >dup/fozzy.toml &&
	(cd dup && expect_exit 2 fz run "$S/example.fozzy.json" 2>../err) && grep -q "set twice" err
'
test_expect_success 'unknown backend names are refused' '
	expect_exit 2 fz run "$S/proc.fozzy.json" --proc-backend nope 2>err && grep -q "proc-backend" err &&
	expect_exit 2 fz run "$S/proc.fozzy.json" --fs-backend nope 2>/dev/null &&
	expect_exit 2 fz run "$S/proc.fozzy.json" --http-backend nope 2>/dev/null
'
test_expect_success 'replay --until 0ms of a multi-step trace: timeout with an until finding (row 94)' '
	fz run "$S/example.fozzy.json" --det --record u.fozzy >/dev/null &&
	expect_exit 3 fz replay u.fozzy --until 0ms --json >o.json &&
	test "$(field o.json status)" = timeout && test "$(field o.json findings 0 title)" = until &&
	test "$(field o.json findings 0 kind)" = hang &&
	fz replay u.fozzy --until 1h >/dev/null &&
	expect_exit 2 fz replay e.fozzy --until 1s 2>err && grep -q "distributed explore trace" err
'
test_expect_success 'shrink --minimize on scenario traces: schedule needs an explore trace (row 99)' '
	expect_exit 2 fz shrink fl.fozzy --minimize schedule 2>err && grep -q "has no schedule" err &&
	expect_exit 2 fz shrink fl.fozzy --minimize faults 2>err && grep -q "a scenario trace has none" err &&
	expect_exit 2 fz shrink fl.fozzy --reporter junit 2>/dev/null &&
	fz shrink fl.fozzy --minimize steps --out st.fozzy --json >o.json && test "$(field o.json shrink stepsAfter)" = 1 &&
	fz shrink e.fozzy --minimize schedule --out sc.fozzy --json >o.json &&
	test "$(field o.json shrink stepsAfter)" = "$(field o.json shrink stepsBefore)" && expect_exit 1 fz replay sc.fozzy >/dev/null
'
test_expect_success 'record locks: a fresh PATH.lock blocks recording, one older than 300 s is reclaimed, none is left (row 85)' '
	touch lk.fozzy.lock &&
	expect_exit 2 fz run "$S/example.fozzy.json" --det --record lk.fozzy 2>err && grep -q "record lock: .lk.fozzy.lock. is held" err &&
	test ! -e lk.fozzy &&
	expect_exit 2 fz run --det --record lk.fozzy -- /bin/true 2>err && grep -q "record lock" err &&
	touch -d "10 minutes ago" lk.fozzy.lock &&
	fz run "$S/example.fozzy.json" --det --record lk.fozzy >/dev/null && test -f lk.fozzy && test ! -e lk.fozzy.lock &&
	fz run "$S/example.fozzy.json" --det --record lk.fozzy >/dev/null && test -f lk.1.fozzy && test ! -e lk.1.fozzy.lock &&
	fz run --det --record nat.fozzy -- /bin/true >/dev/null 2>&1 && test -f nat.fozzy && test ! -e nat.fozzy.lock &&
	fz test "$S/example.fozzy.json" "$S/fail.fozzy.json" --det --record tl.fozzy >/dev/null 2>&1;
	test -f tl.1.fozzy && test -f tl.2.fozzy && ! ls | grep -q "\.lock$"
'
test_expect_success 'heap budgets from fozzy.toml: a checker finding; strict refuses the pass, --unsafe accepts it (row 14)' '
	printf "profile_heap_alloc_budget = 1\n" >hb.toml &&
	expect_exit 2 fz --config hb.toml run "$S/memory.pass.fozzy.json" --det --json >o.json &&
	test "$(field o.json summary findings 0 title)" = heap_alloc_budget &&
	fz --unsafe --config hb.toml run "$S/memory.pass.fozzy.json" --det --json >o.json &&
	test "$(field o.json findings 0 kind)" = checker &&
	printf "profile_heap_in_use_budget = 1000\n" >hb2.toml &&
	expect_exit 2 fz --config hb2.toml run "$S/memory.pass.fozzy.json" --det 2>err >/dev/null && grep -q heap_in_use_budget err &&
	printf "profile_heap_in_use_budget = 1024\n" >hb3.toml && fz --config hb3.toml run "$S/memory.pass.fozzy.json" --det >/dev/null
'
test_expect_success 'profile artifacts: --profile-capture full or FOZZY_ARTIFACTS_FULL write them on pass, not by default (row 66)' '
	fz run "$S/memory.pass.fozzy.json" --det --json >o.json && d=$(field o.json identity artifactsDir) &&
	test ! -e "$d/profile.heap.json" &&
	fz run "$S/memory.pass.fozzy.json" --det --profile-capture full --json >o.json && d=$(field o.json identity artifactsDir) &&
	for f in events timeline profile.timeline profile.cpu profile.heap profile.latency profile.metrics symbols; do
		test -s "$d/$f.json" || return 1
	done &&
	test "$(field "$d/profile.heap.json" allocBytes)" = 1024 && test "$(field "$d/profile.heap.json" peakInUseBytes)" = 1024 &&
	test "$(field "$d/profile.cpu.json" available)" = False &&
	test "$(field "$d/symbols.json" symbols 1 jsonPath)" = "\$.steps[1]" &&
	FOZZY_ARTIFACTS_FULL=1 fz run "$S/example.fozzy.json" --det --json >o.json && test -s "$(field o.json identity artifactsDir)/profile.latency.json" &&
	expect_exit 2 fz run "$S/example.fozzy.json" --profile-capture most 2>/dev/null &&
	expect_exit 2 fz test "$S/example.fozzy.json" --profile-capture full 2>err && grep -q "unknown option" err
'
test_expect_success 'profile latency: where virtual time went, per step' '
	echo "{\"version\":1,\"name\":\"lat\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"30ms\"},{\"type\":\"sleep\",\"duration\":\"250ms\"},{\"type\":\"set_kv\",\"key\":\"k\",\"value\":\"v\"}]}" >lat.json &&
	fz run lat.json --det --profile-capture full --json >o.json && d=$(field o.json identity artifactsDir) &&
	test "$(field "$d/profile.latency.json" distribution maxMs)" = 250 &&
	test "$(field "$d/profile.latency.json" criticalPath 0 span)" = step-1 &&
	test "$(field "$d/profile.metrics.json" virtualTimeMs)" = 280
'
test_expect_success 'replay --profile-export-format otlp writes OTLP/JSON spans; --json prints {run, profileExport} (row 95)' '
	fz run "$S/assertions.fozzy.json" --det --record ex.fozzy >/dev/null &&
	fz replay ex.fozzy --profile-export-format otlp --profile-export-out o.json --json >r.json &&
	test "$(field r.json profileExport format)" = otlp && test "$(field r.json run mode)" = replay &&
	python3 -c "import json; d=json.load(open(\"o.json\")); sp=d[\"resourceSpans\"][0][\"scopeSpans\"][0][\"spans\"]; assert len(sp)>3 and all(len(s[\"traceId\"])==32 and len(s[\"spanId\"])==16 for s in sp), sp; assert any(\"parentSpanId\" in s for s in sp)" &&
	fz replay ex.fozzy --profile-export-format speedscope --profile-export-out s.json >/dev/null &&
	python3 -c "import json; d=json.load(open(\"s.json\")); e=d[\"profiles\"][0][\"events\"]; assert e and sum(1 for x in e if x[\"type\"]==\"O\")==sum(1 for x in e if x[\"type\"]==\"C\")" &&
	expect_exit 2 fz replay ex.fozzy --profile-export-format pprof --profile-export-out p.json 2>err && grep -q "protocol buffers" err &&
	expect_exit 2 fz replay ex.fozzy --profile-export-format otlp 2>/dev/null &&
	expect_exit 2 fz replay ex.fozzy --profile-export-format otlp --profile-export-out nodir/o.json 2>err && grep -q "cannot write" err &&
	fz replay ex.fozzy --dump-events --json >r.json && test -s "$(field r.json identity artifactsDir)/timeline.json"
'
test_expect_success 'assert_throws rolls back the world but not the clock: time only goes forward' '
	echo "{\"version\":1,\"name\":\"t\",\"steps\":[{\"type\":\"assert_throws\",\"steps\":[{\"type\":\"sleep\",\"duration\":\"40ms\"},{\"type\":\"fail\",\"message\":\"x\"}]},{\"type\":\"trace_event\",\"name\":\"after\"}]}" >tf.json &&
	fz run tf.json --det --record tf.fozzy --json >o.json && d=$(field o.json identity artifactsDir) &&
	python3 -c "import json; e=json.load(open(\"$d/events.json\")); t=[x[\"time_ms\"] for x in e]; assert t==sorted(t), t; assert [x for x in e if x[\"name\"]==\"after\"][0][\"time_ms\"]==40, e" &&
	fz replay tf.fozzy --profile-export-format speedscope --profile-export-out tf.json.ss >/dev/null &&
	python3 -c "import json; e=json.load(open(\"tf.json.ss\"))[\"profiles\"][0][\"events\"]; t=[x[\"at\"] for x in e]; assert t==sorted(t), t"
'
test_expect_success 'replay --until of a memory-tracked run: no leak or drift verdict for what the rest of the run frees' '
	echo "{\"version\":1,\"name\":\"mp\",\"steps\":[{\"type\":\"memory_alloc\",\"bytes\":100,\"key\":\"a\"},{\"type\":\"sleep\",\"duration\":\"10ms\"},{\"type\":\"memory_free\",\"key\":\"a\"}]}" >mp.json &&
	fz run mp.json --det --mem-track --record mp.fozzy >/dev/null &&
	expect_exit 3 fz replay mp.fozzy --until 5ms --json >o.json &&
	python3 -c "import json; t=[f[\"title\"] for f in json.load(open(\"o.json\"))[\"findings\"]]; assert t==[\"until\"], t"
'
test_expect_success 'record locks: a live owner keeps its lock however old; a FIFO in its place does not hang fozzy' '
	sleep 30 & pid=$! && echo $pid >live.fozzy.lock && touch -d "10 minutes ago" live.fozzy.lock &&
	expect_exit 2 fz run "$S/example.fozzy.json" --det --record live.fozzy 2>err; rc=$?; kill $pid; test $rc = 0 &&
	grep -q "pid $pid, running" err && test -f live.fozzy.lock &&
	mkfifo ff.fozzy.lock && expect_exit 2 timeout 10 "$FOZZY" run "$S/example.fozzy.json" --det --record ff.fozzy 2>err &&
	grep -q "record lock" err
'
test_done
