#!/bin/sh
# fozzy explore SCENARIO: distributed scenarios searched over interleavings of
# script steps and message deliveries; failures recorded and replayed.
. "$(dirname "$0")/lib.sh"

S="$FIX/scenarios"

test_expect_success 'a convergent scenario passes; dfs and bfs try all 3! interleavings (row 109)' '
	fz explore "$S/kv.explore.fozzy.json" --schedule dfs --json >o.json &&
	test "$(field o.json status)" = pass && test "$(field o.json explore runs)" = 6 &&
	test "$(field o.json explore exhausted)" = True &&
	fz explore "$S/kv.explore.fozzy.json" --schedule bfs --json >o.json && test "$(field o.json explore runs)" = 6
'
test_expect_success 'a crash that overtakes replication breaks kv_all_equal; the trace replays it (row 110)' '
	expect_exit 1 fz explore "$S/crash-loses-update.explore.fozzy.json" --schedule fifo --json >o.json &&
	test "$(field o.json findings 0 kind)" = invariant && test "$(field o.json findings 0 title)" = kv_all_equal &&
	t=$(field o.json identity tracePath) && test -f "$t" &&
	expect_exit 1 fz replay "$t" --json >r.json && test "$(field r.json findings 0 title)" = kv_all_equal &&
	test "$(field r.json mode)" = replay
'
test_expect_success 'every strategy finds the stale read but fifo, which cannot (row 111)' '
	fz explore "$S/stale-read.explore.fozzy.json" --schedule fifo --seed 3 >/dev/null &&
	for s in random pct dfs bfs coverage_guided; do
		expect_exit 1 fz explore "$S/stale-read.explore.fozzy.json" --schedule $s --seed 3 --json >o.json &&
		test "$(field o.json findings 0 title)" = client_get_assert || { echo "$s"; return 1; }
	done &&
	expect_exit 2 fz explore "$S/stale-read.explore.fozzy.json" --schedule nope 2>err && grep -q "unknown --schedule" err
'
test_expect_success 'a seed gives the same search: same failing run, same trace decisions (row 111)' '
	expect_exit 1 fz explore "$S/stale-read.explore.fozzy.json" --schedule random --seed 77 --record a.fozzy >/dev/null &&
	expect_exit 1 fz explore "$S/stale-read.explore.fozzy.json" --schedule random --seed 77 --record b.fozzy >/dev/null &&
	fz --json trace dump a.fozzy | python3 -c "import json,sys; print([e for e in json.load(sys.stdin)[\"events\"] if e[\"kind\"]==\"decision\"])" >da &&
	fz --json trace dump b.fozzy | python3 -c "import json,sys; print([e for e in json.load(sys.stdin)[\"events\"] if e[\"kind\"]==\"decision\"])" >db &&
	cmp da db && grep -q explore_pick da
'
test_expect_success 'fault presets are steps before the script; unknown ones and files are refused (row 112)' '
	expect_exit 1 fz explore "$S/kv.explore.fozzy.json" --faults partition-first-two --schedule fifo --json >o.json &&
	t=$(field o.json identity tracePath) && fz --json trace dump "$t" | grep -q "\"partition\"" &&
	expect_exit 2 fz explore "$S/kv.explore.fozzy.json" --faults nope 2>err && grep -q "unknown --faults preset" err &&
	expect_exit 2 fz explore "$S/kv.explore.fozzy.json" --faults ./faults.json 2>/dev/null
'
test_expect_success '--checker replaces the invariants; malformed tokens are refused (row 113)' '
	expect_exit 1 fz explore "$S/kv.explore.fozzy.json" --checker kv_node_equals:n1:k:other --schedule fifo --json >o.json &&
	test "$(field o.json findings 0 title)" = kv_node_equals &&
	fz explore "$S/kv.explore.fozzy.json" --checker kv_node_equals:n1:k:v1,kv_present_on_all:k --schedule dfs >/dev/null &&
	expect_exit 2 fz explore "$S/kv.explore.fozzy.json" --checker kv_node_equals:n1 2>/dev/null &&
	expect_exit 2 fz explore "$S/kv.explore.fozzy.json" --checker bogus:k 2>/dev/null &&
	expect_exit 2 fz explore "$S/kv.explore.fozzy.json" --checker kv_node_equals:n9:k:v 2>err && grep -q "unknown node" err
'
test_expect_success '--nodes, --steps, --runs, --time (row 114)' '
	fz explore "$S/kv.explore.fozzy.json" --nodes 5 --schedule random --runs 20 --json >o.json &&
	test "$(field o.json explore nodes)" = 5 && test "$(field o.json explore runs)" = 20 &&
	fz explore "$S/kv.explore.fozzy.json" --steps 1 --runs 3 --json >o.json &&
	test "$(field o.json explore incompleteRuns)" = 3 && test "$(field o.json status)" = pass &&
	fz explore "$S/kv.explore.fozzy.json" --nodes 40 --runs 100000000 --time 300ms --json >o.json &&
	test "$(field o.json explore outOfTime)" = True
'
test_expect_success 'client_get_assert is a finding, not an error (row 115)' '
	expect_exit 1 fz explore "$S/stale-read.explore.fozzy.json" --schedule dfs --json >o.json &&
	test "$(field o.json findings 0 kind)" = assertion
'
test_expect_success 'steps scenarios and bad files are refused by explore' '
	expect_exit 2 fz explore "$S/example.fozzy.json" 2>err && grep -q "fozzy run or fozzy test" err &&
	expect_exit 2 fz explore missing.fozzy.json 2>/dev/null &&
	expect_exit 2 fz explore "$S/kv.explore.fozzy.json" --bogus 2>/dev/null
'
test_expect_success 'a tampered explore trace fails replay (exit 2)' '
	expect_exit 1 fz explore "$S/crash-loses-update.explore.fozzy.json" --schedule fifo --record c.fozzy >/dev/null &&
	cp c.fozzy x.fozzy && printf "z" >>x.fozzy && expect_exit 2 fz replay x.fozzy 2>/dev/null
'
test_expect_success 'explore --record of a passing search writes its last run, which replays; an existing PATH is an error by default (rows 86, 109)' '
	fz explore "$S/kv.explore.fozzy.json" --steps 10 --record kp.fozzy --json >o.json && test "$(field o.json status)" = pass &&
	test "$(field o.json identity tracePath)" = "$PWD/kp.fozzy" && fz replay kp.fozzy >/dev/null &&
	expect_exit 2 fz explore "$S/kv.explore.fozzy.json" --record kp.fozzy 2>err && grep -q "record collision" err &&
	fz explore "$S/kv.explore.fozzy.json" --record kp.fozzy --record-collision append >/dev/null && test -f kp.1.fozzy
'
test_done
