#!/bin/sh
# fozzy explore: many schedules until one fails; the failure replays.
. "$(dirname "$0")/lib.sh"

test_expect_success 'random finds a lost update, the trace replays to the same failure every time' '
	expect_exit 1 fz explore --seed 1 --runs 300 --json -- "$FIX/race" atomicity >sum 2>/dev/null &&
	test "$(field sum status)" = fail && test "$(field sum failure status)" = fail &&
	trace=$(field sum failure tracePath) && test -f "$trace" &&
	for i in 1 2 3 4 5; do
		expect_exit 1 fz replay "$trace" >out 2>err && grep -q "replay: match" err &&
		grep -qx "counter 1 (of 2)" out || return 1
	done
'
test_expect_success 'an order violation (crash) and a lock-order deadlock are found' '
	expect_exit 4 fz explore --seed 1 --runs 300 -- "$FIX/race" order >out 2>err &&
	grep -q "fozzy explore CRASH" err && grep -q "SIGSEGV" err && grep -q "replay with: fozzy replay" err &&
	expect_exit 1 fz explore --seed 1 --runs 300 -- "$FIX/race" deadlock >out 2>err &&
	grep -q "deadlock: every thread is blocked" err && grep -q "pthread_mutex_lock" err
'
test_expect_success 'pct finds the bugs too; the correct program passes the same budget with no false alarm' '
	expect_exit 1 fz explore --schedule pct --seed 1 --runs 300 -- "$FIX/race" atomicity >/dev/null 2>err &&
	grep -q "schedule pct" err &&
	fz explore --schedule pct --seed 1 --runs 100 --json -- "$FIX/race" correct >sum 2>/dev/null &&
	test "$(field sum status)" = pass && test "$(field sum runs)" = 100 &&
	fz explore --seed 1 --runs 100 -- "$FIX/race" correct >/dev/null 2>err &&
	grep -q "100 runs, [0-9]* distinct schedules, no failure" err
'
test_expect_success 'fifo, the no-preemption baseline, has one schedule and misses the race' '
	fz explore --schedule fifo --seed 1 --runs 20 --json -- "$FIX/race" atomicity >sum 2>/dev/null &&
	test "$(field sum status)" = pass && test "$(field sum distinctSchedules)" = 1
'
test_expect_success 'passing runs leave no run folder; the failing run keeps one' '
	mkdir f && cd f &&
	fz explore --seed 1 --runs 5 -- "$FIX/race" correct >/dev/null 2>&1 && test -z "$(ls .fozzy/runs)" &&
	expect_exit 1 fz explore --seed 1 --runs 300 -- "$FIX/race" atomicity >/dev/null 2>&1 &&
	test "$(ls .fozzy/runs | wc -l)" = 1 && test -f .fozzy/runs/*/trace.fozzy
'
test_expect_success '--expect-exit and --expect-stdout are oracles; the same seed gives the same result' '
	expect_exit 1 fz explore --seed 7 --runs 10 --expect-exit 3 -- "$FIX/exit_code" 0 >/dev/null 2>err &&
	grep -q "expect-exit 3: the program exited with 0" err &&
	printf "counter 2 (of 2)\n" >want &&
	expect_exit 1 fz explore --seed 1 --runs 300 --json --expect-stdout want -- "$FIX/race" atomicity >s1 2>/dev/null &&
	expect_exit 1 fz explore --seed 1 --runs 300 --json --expect-stdout want -- "$FIX/race" atomicity >s2 2>/dev/null &&
	test "$(field s1 failure seed)" = "$(field s2 failure seed)" && test "$(field s1 runs)" = "$(field s2 runs)" &&
	printf "wrong\n" >wrong &&
	expect_exit 1 fz explore --seed 1 --runs 3 --json --expect-exit 0 --expect-stdout wrong -- /bin/echo hi >s3 2>/dev/null &&
	test "$(field s3 failure run)" = 1 &&
	/usr/bin/python3 -c "import json; f = json.load(open(\"s3\"))[\"failure\"][\"report\"][\"findings\"][0]; assert f[\"title\"] == \"oracle\" and \"expect-stdout\" in f[\"message\"], f"
'
test_expect_success '--time bounds the search; bad options are usage errors' '
	fz explore --seed 1 --runs 100000 --time 1s -- "$FIX/race" correct >/dev/null 2>err &&
	grep -q "no failure" err &&
	expect_exit 2 fz explore --runs 0 -- /bin/true 2>err && grep -q "invalid --runs" err &&
	expect_exit 2 fz explore --schedule bfs -- /bin/true 2>err && grep -q "invalid --schedule" err &&
	expect_exit 2 fz run --det --schedule dfs -- /bin/true 2>err && grep -q "dfs and coverage_guided are searches of fozzy explore" err &&
	expect_exit 2 fz explore 2>err && grep -q "missing the program" err
'
test_expect_success '--jobs 2 and 3 give the same result as --jobs 1 for a seed, and leave no worker behind' '
	for j in 1 2 3; do
		expect_exit 1 fz explore --seed 1 --runs 300 --jobs $j --json -- "$FIX/race" atomicity >j$j 2>/dev/null || return 1
	done &&
	for j in 2 3; do
		test "$(field j$j failure seed)" = "$(field j1 failure seed)" &&
		test "$(field j$j runs)" = "$(field j1 runs)" &&
		test "$(field j$j distinctSchedules)" = "$(field j1 distinctSchedules)" || return 1
	done &&
	fz explore --seed 1 --runs 40 --jobs 2 --json -- "$FIX/race" correct >p2 2>/dev/null &&
	fz explore --seed 1 --runs 40 --json -- "$FIX/race" correct >p1 2>/dev/null &&
	test "$(field p2 distinctSchedules)" = "$(field p1 distinctSchedules)" && test "$(field p2 runs)" = 40 &&
	! pgrep -f "explore --seed 1 --runs" >/dev/null &&
	expect_exit 2 fz explore --jobs 0 -- /bin/true 2>err && grep -q "invalid --jobs" err
'
test_expect_success 'shrink leaves the one preemption a lost update needs; the shrunk trace replays to the same failure' '
	mkdir sh && cd sh &&
	expect_exit 1 fz explore --seed 1 --runs 300 --json -- "$FIX/race" atomicity >../ex 2>/dev/null && cd .. &&
	trace=$(field ex failure tracePath) &&
	fz shrink "$trace" --out small.fozzy --json >sum 2>/dev/null &&
	test "$(field sum preemptionsAfter)" = 1 && test "$(field sum preemptionsBefore)" -gt 1 &&
	test "$(field sum status)" = fail &&
	/usr/bin/python3 -c "import json; p = json.load(open(\"sum\"))[\"preemptions\"][0]; assert \"pthread_mutex_lock\" in p[\"fromAt\"], p" &&
	for i in 1 2 3; do
		expect_exit 1 fz replay small.fozzy >out 2>err && grep -q "replay: match" err &&
		grep -qx "counter 1 (of 2)" out || return 1
	done &&
	fz trace verify small.fozzy >/dev/null
'
test_expect_success 'shrink of a deadlock keeps a deadlock; the summary names threads and calls' '
	expect_exit 1 fz explore --seed 1 --runs 300 --json -- "$FIX/race" deadlock >ex2 2>/dev/null &&
	trace=$(field ex2 failure tracePath) &&
	fz shrink "$trace" --out dl.fozzy >/dev/null 2>err &&
	grep -q "^fozzy shrink FAIL" err && grep -q "preemption 1 at event #[0-9]*: thread [0-9] -> thread [0-9]" err &&
	grep -Eq "preemptions [0-9]+ -> [12]," err &&
	expect_exit 1 fz replay dl.fozzy >/dev/null 2>err && grep -q "deadlock" err && grep -q "replay: match" err
'
test_expect_success 'shrink refuses a passing trace, a bad file, and a missing argument' '
	fz run --det --seed 1 --record ok.fozzy -- "$FIX/race" correct >/dev/null 2>&1 &&
	expect_exit 2 fz shrink ok.fozzy 2>err && grep -q "the recorded run passes" err &&
	echo junk >junk.fozzy && expect_exit 2 fz shrink junk.fozzy 2>err && grep -q "cannot shrink" err &&
	expect_exit 2 fz shrink 2>err && grep -q "missing the trace" err
'
test_expect_success 'explore --shrink reports the failure already shrunk' '
	expect_exit 1 fz explore --seed 1 --runs 300 --shrink --json -- "$FIX/race" atomicity >xs 2>/dev/null &&
	test "$(field xs failure shrunk preemptionsAfter)" = 1 &&
	small=$(field xs failure shrunk output) && test -f "$small" &&
	expect_exit 1 fz replay "$small" >/dev/null 2>err && grep -q "replay: match" err &&
	expect_exit 1 fz explore --seed 1 --runs 300 --shrink-budget 20s -- "$FIX/race" atomicity >/dev/null 2>err &&
	grep -q "shrunk: [0-9]* preemptions -> 1" err && grep -q "thread 2 was at pthread_mutex_lock" err
'
test_expect_success 'dfs: bound 0 cannot reach the lost update, bound 1 finds it; the correct program exhausts bound 2' '
	fz explore --schedule dfs --preemption-bound 0 --seed 1 --runs 100 --json -- "$FIX/race" atomicity >d0 2>/dev/null &&
	test "$(field d0 status)" = pass && test "$(field d0 exhausted)" = True && test "$(field d0 runs)" = 1 &&
	expect_exit 1 fz explore --schedule dfs --preemption-bound 1 --seed 1 --runs 500 --json -- "$FIX/race" atomicity >d1 2>/dev/null &&
	test "$(field d1 failure status)" = fail &&
	expect_exit 1 fz replay "$(field d1 failure tracePath)" >/dev/null 2>err && grep -q "replay: match" err &&
	fz explore --schedule dfs --seed 1 --runs 2000 -- "$FIX/race" correct >/dev/null 2>err &&
	grep -q "bound 2 searched: [0-9]* schedules with up to 2 preemptions: the bounded space is exhausted" err &&
	fz explore --schedule dfs --seed 1 --runs 5 --json -- "$FIX/race" correct >d3 2>/dev/null &&
	test "$(field d3 exhausted)" = False && field d3 search | grep -q "cut short"
'
test_expect_success '--shard i/n splits the runs; report merge gives the unsharded verdict' '
	expect_exit 1 fz explore --seed 1 --runs 40 --json -- "$FIX/race" atomicity >whole 2>/dev/null &&
	for i in 0 1 2; do
		fz explore --seed 1 --runs 40 --shard $i/3 --json -- "$FIX/race" atomicity >s$i 2>/dev/null
		test "$(field s$i shard)" = "$i/3" || return 1
	done &&
	expect_exit 1 fz report merge s0 s1 s2 --json >m 2>/dev/null &&
	test "$(field m failure seed)" = "$(field whole failure seed)" &&
	test "$(field m failure globalRun)" = "$(field whole failure run)" &&
	expect_exit 1 fz report merge s0 s1 s2 >/dev/null 2>err && grep -q "replay with: fozzy replay" err &&
	for i in 0 1; do
		fz explore --schedule dfs --seed 1 --runs 500 --shard $i/2 --json -- "$FIX/race" correct >d$i 2>/dev/null || return 1
	done &&
	fz report merge d0 d1 --json >dm 2>/dev/null && test "$(field dm exhausted)" = True &&
	test $(( $(field d0 runs) + $(field d1 runs) )) = 99 &&
	expect_exit 2 fz report merge nothing.json 2>err && grep -q "cannot read" err &&
	expect_exit 2 fz explore --shard 3/3 -- /bin/true 2>err && grep -q "invalid --shard" err &&
	expect_exit 2 fz report show x 2>err && grep -q "only .merge." err
'
test_expect_success 'coverage_guided finds the three bugs, keeps the schedules that reached new pairs, replays; no false alarm' '
	for bug in atomicity order deadlock; do
		case $bug in order) want=4;; *) want=1;; esac
		expect_exit $want fz explore --schedule coverage_guided --seed 1 --runs 300 --json -- "$FIX/race" $bug >cg 2>/dev/null || return 1
		test "$(field cg schedule)" = coverage_guided && test "$(field cg coverage pairs)" -gt 0 || return 1
		expect_exit $want fz replay "$(field cg failure tracePath)" >/dev/null 2>err && grep -q "replay: match" err || return 1
	done &&
	fz explore --schedule coverage_guided --seed 1 --runs 150 --json -- "$FIX/race" correct >ok 2>/dev/null &&
	test "$(field ok status)" = pass && test "$(field ok runs)" = 150 && test "$(field ok coverage keptSchedules)" -gt 1 &&
	fz explore --schedule coverage_guided --seed 1 --runs 150 --json -- "$FIX/race" correct >ok2 2>/dev/null &&
	test "$(field ok coverage pairs)" = "$(field ok2 coverage pairs)" && test "$(field ok distinctSchedules)" = "$(field ok2 distinctSchedules)" &&
	expect_exit 2 fz run --det --schedule coverage_guided -- /bin/true 2>err && grep -q "searches of fozzy explore" err
'
test_expect_success 'an oracle failure (--expect-stdout) is recorded in the trace: replay and shrink judge by it too' '
	echo "counter 2 (of 2)" >want.txt &&
	expect_exit 1 fz explore --seed 1 --runs 100 --expect-stdout want.txt --json -- /bin/sh -c "$FIX/race atomicity; exit 0" >ox 2>/dev/null &&
	t=$(field ox failure tracePath) && head -c 200000 "$t" | grep -q "\"oracles\"" &&
	for i in 1 2 3; do
		expect_exit 1 fz replay "$t" >/dev/null 2>err && grep -q "replay: match" err && grep -q "expect-stdout: the output differs" err || return 1
	done &&
	fz shrink "$t" --out ox.min.fozzy >/dev/null 2>err && grep -q "preemptions [0-9]* -> 1," err &&
	expect_exit 1 fz replay ox.min.fozzy >/dev/null 2>err && grep -q "expect-stdout" err
'
test_expect_success 'runs fork from the program stopped before main: the same results as whole runs, for every strategy' '
	for s in random pct dfs coverage_guided; do
		fz explore --schedule $s --seed 3 --runs 40 --json -- "$FIX/race" correct >fs 2>/dev/null &&
		fz explore --schedule $s --seed 3 --runs 40 --json --no-fork-server -- "$FIX/race" correct >whole 2>/dev/null &&
		test "$(field fs runs)" = "$(field whole runs)" &&
		test "$(field fs distinctSchedules)" = "$(field whole distinctSchedules)" || return 1
	done &&
	expect_exit 1 fz explore --schedule pct --seed 7 --runs 300 --json -- "$FIX/race" deadlock >fs 2>/dev/null &&
	expect_exit 1 fz explore --schedule pct --seed 7 --runs 300 --json --no-fork-server -- "$FIX/race" deadlock >whole 2>/dev/null &&
	test "$(field fs runs)" = "$(field whole runs)" && test "$(field fs failure seed)" = "$(field whole failure seed)"
'
test_expect_success 'a forked run is recorded as one and replays in a fork server; a whole run does not say so' '
	expect_exit 1 fz explore --seed 1 --runs 300 --json -- "$FIX/race" atomicity >sum 2>/dev/null &&
	trace=$(field sum failure tracePath) &&
	fz trace dump "$trace" >dump && grep -q "\"forkServer\":.*\"rt\"" dump && grep -q "\"scheduleSeed\"" dump &&
	for i in 1 2 3; do
		expect_exit 1 fz replay "$trace" >out 2>err && grep -q "replay: match" err || return 1
	done &&
	expect_exit 1 fz explore --seed 1 --runs 300 --json --no-fork-server -- "$FIX/race" atomicity >sum 2>/dev/null &&
	fz trace dump "$(field sum failure tracePath)" >dump && ! grep -q forkServer dump
'
test_expect_success 'every run sees the world as it was: a run that wrote a file gets a new fork server' '
	fz explore --seed 1 --runs 12 --json -- "$FIX/fresh" >sum 2>err &&
	test "$(field sum status)" = pass && test "$(field sum runs)" = 12 && test ! -e fresh-run-file
'
test_expect_success 'a forked run prints the pid it had; replay gives the same output' '
	expect_exit 1 fz explore --seed 1 --runs 3 --expect-exit 9 --json -- "$FIX/fresh" >sum 2>/dev/null &&
	trace=$(field sum failure tracePath) && dir=$(field sum failure artifactsDir) &&
	grep -q "^pid " "$dir/stdout" &&
	expect_exit 1 fz replay "$trace" >out 2>err && grep -q "replay: match" err && cmp out "$dir/stdout"
'
test_expect_success 'Ctrl-C or SIGTERM ends a search after the runs in flight; the summary says it was interrupted' '
	"$FOZZY" explore --seed 1 --runs 1000000 --json -- "$FIX/race" correct >int.json 2>int.err & pid=$! &&
	sleep 2 && kill -TERM $pid && wait $pid &&
	[ "$(field int.json interrupted)" = True ] && [ "$(field int.json status)" = pass ] &&
	test "$(field int.json runs)" -gt 0 && ! pgrep -f "runs 1000000" >/dev/null &&
	! grep -q "fork server stopped" int.err
'
test_done
