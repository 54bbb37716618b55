#!/bin/sh
# Syscall-level faults: injected as logged decisions, replayed, searched by
# explore, dropped by shrink when the failure does not need them.
. "$(dirname "$0")/lib.sh"

test_expect_success 'run --faults makes the chosen call fail; the report names it; replay repeats it' '
	expect_exit 1 fz run --det --faults write:EIO@1 --record r.fozzy -- "$FIX/faulty" careless >out 2>err &&
	grep -q "record lost: read back 0 bytes" out && grep -q "faults injected: write:EIO@1 (thread 1, event #" err &&
	for i in 1 2 3; do
		expect_exit 1 fz replay r.fozzy >out2 2>err2 && grep -q "replay: match" err2 && cmp out out2 || return 1
	done &&
	fz run --det --faults write:EIO@1 --json -- "$FIX/faulty" careful >sum 2>/dev/null &&
	grep -q "save failed: Input/output error (reported)" "$(dirname "$(field sum identity reportPath)")/stdout" &&
	test "$(field sum native faults 0 fault)" = "write:EIO@1"
'
test_expect_success 'a short write is found by explore in a program that ignores it, not in one that handles it' '
	expect_exit 1 fz explore --seed 1 --runs 50 --faults write:short --json -- "$FIX/faulty" careless >ex 2>/dev/null &&
	field ex failure faults | grep -q "^write:short@1 " &&
	expect_exit 1 fz replay "$(field ex failure tracePath)" >/dev/null 2>err && grep -q "replay: match" err &&
	fz explore --seed 1 --runs 50 --faults write:short,write:EINTR,fsync:EIO,write:ENOSPC --json -- "$FIX/faulty" careful >ok 2>/dev/null &&
	test "$(field ok status)" = pass
'
test_expect_success 'shrink keeps the one fault that matters' '
	expect_exit 1 fz explore --seed 1 --runs 50 --faults fsync:EIO,write:short --json -- "$FIX/faulty" careless >ex2 2>/dev/null &&
	field ex2 failure faults | grep -q "fsync:EIO@1" &&
	fz shrink "$(field ex2 failure tracePath)" --out small.fozzy --json >sh 2>/dev/null &&
	test "$(field sh faultsBefore)" = 2 &&
	/usr/bin/python3 -c "import json; f = json.load(open(\"sh\"))[\"faults\"]; assert f == [\"write:short@1\"], f" &&
	expect_exit 1 fz replay small.fozzy >/dev/null 2>err && grep -q "faults injected: write:short@1" err &&
	! grep -q fsync err
'
test_expect_success 'kill at a write: what the overlay holds afterwards (crash consistency)' '
	fz run --det --faults write:kill@1 --json -- sh -c "$FIX/faulty careless; cat record.txt | wc -c" >k 2>/dev/null;
	test "$(cat "$(dirname "$(field k identity reportPath)")/stdout")" = 0
'
test_expect_success 'bad fault specs are one-line usage errors' '
	expect_exit 2 fz run --det --faults disk:EIO@1 -- /bin/true 2>err && grep -q "unknown class .disk." err &&
	expect_exit 2 fz run --det --faults write:EWHAT@1 -- /bin/true 2>err && grep -q "expected an errno name" err &&
	expect_exit 2 fz run --det --faults write:EIO -- /bin/true 2>err && grep -q "say which call fails with @N" err &&
	expect_exit 2 fz run --faults write:EIO@1 -- /bin/true 2>err && grep -q "needs --det" err &&
	expect_exit 2 fz run --det --faults open:short@1 -- /bin/true 2>err && grep -q "short. applies to read and write" err
'
test_expect_success 'a trace whose open fault was never placed (run 0 failed) replays and shrinks' '
	expect_exit 1 fz explore --seed 1 --runs 3 --faults write:short --json -- /bin/false >f0 2>/dev/null &&
	t=$(field f0 failure tracePath) &&
	expect_exit 1 fz replay "$t" >/dev/null 2>err && grep -q "replay: match" err &&
	fz shrink "$t" --out f0.fozzy >/dev/null 2>err && grep -q "faults 1 -> 0: none needed" err
'
test_expect_success 'presets name common faults; explore searches them like any rule' '
	expect_exit 2 fz run --det --faults io-error -- "$FIX/faulty" careless 2>err && grep -q "@N" err &&
	expect_exit 1 fz run --det --faults io-error@1 --json -- "$FIX/faulty" careless >sum 2>/dev/null &&
	test "$(field sum native faults 0 fault)" = "write:EIO@1" &&
	expect_exit 1 fz explore --seed 1 --runs 50 --faults short-io --json -- "$FIX/faulty" careless >ex 2>/dev/null &&
	field ex failure faults | grep -q "short@" &&
	fz explore --seed 1 --runs 30 --faults disk-full,fsync-fail,io-error --json -- "$FIX/faulty" careful >ok 2>/dev/null &&
	test "$(field ok status)" = pass &&
	expect_exit 2 fz explore --faults nosuchpreset -- "$FIX/faulty" careful 2>err && grep -q "disk-full" err
'
test_expect_success 'a JSON fault file: rules as strings, objects or presets; bad files are one-line errors' '
	printf "{\"faults\": [{\"class\": \"write\", \"errno\": \"EIO\", \"nth\": 1}]}" >f.json &&
	expect_exit 1 fz run --det --faults f.json --json -- "$FIX/faulty" careless >sum 2>/dev/null &&
	test "$(field sum native faults 0 fault)" = "write:EIO@1" &&
	printf "[\"write:short\", {\"preset\": \"fsync-fail\"}, {\"class\": \"write\", \"kill\": true}]" >g.json &&
	fz explore --seed 2 --runs 5 --faults ./g.json --json -- "$FIX/faulty" careful >ex 2>/dev/null; test -s ex &&
	printf "{\"faults\": [{\"class\": \"write\", \"errno\": \"EIO\", \"short\": true}]}" >bad.json &&
	expect_exit 2 fz run --det --faults bad.json -- "$FIX/faulty" careless 2>err && grep -q "faults\[0\]" err &&
	printf "[]" >empty.json && expect_exit 2 fz run --det --faults empty.json -- "$FIX/faulty" careless 2>/dev/null &&
	expect_exit 2 fz run --det --faults missing.json -- "$FIX/faulty" careless 2>err && grep -q "cannot read" err &&
	printf "[{\"preset\": \"io-error\", \"nth\": 1}, \"bogus:EIO@1\"]" >bad2.json &&
	expect_exit 2 fz run --det --faults bad2.json -- "$FIX/faulty" careless 2>err && grep -q "bad2.json: \$\[1\]: unknown class" err &&
	printf "[{\"preset\": \"io-error\", \"nth\": 1}]" >p1.json &&
	expect_exit 1 fz run --det --faults p1.json --json -- "$FIX/faulty" careless >sum 2>/dev/null &&
	test "$(field sum native faults 0 fault)" = "write:EIO@1"
'
test_expect_success 'shrink drops every fault the failure does not need from the trace it writes, not only from the summary' '
	expect_exit 1 fz explore --seed 1 --runs 50 --faults fsync:EIO,write:short,write:EINTR --json -- "$FIX/faulty" careless >ex3 2>/dev/null &&
	t=$(field ex3 failure tracePath) && field ex3 failure faults | grep -q "EINTR" &&
	fz shrink "$t" --out three.fozzy >/dev/null 2>err && grep -q "faults 3 -> 1: write:short@1" err &&
	expect_exit 1 fz replay three.fozzy >/dev/null 2>err && grep -q "faults injected: write:short@1 (" err &&
	! grep -q "EINTR" err
'
test_expect_success 'shrink --minimize chooses what is reduced; what the trace lacks is a one-line error' '
	t=$(field ex3 failure tracePath) &&
	fz shrink "$t" --minimize schedule --out sched.fozzy >/dev/null 2>err && grep -q "faults 3 -> 3" err &&
	fz shrink "$t" --minimize faults,schedule --out both.fozzy >/dev/null 2>err && grep -q "faults 3 -> 1" err &&
	expect_exit 2 fz shrink "$t" --minimize input 2>err && grep -q "only a fuzz finding" err &&
	expect_exit 2 fz shrink "$t" --minimize steps 2>err && grep -q "a native run has none" err &&
	expect_exit 2 fz shrink "$t" --minimize everything 2>err && grep -q "invalid --minimize" err &&
	fz run --det --record nofault.fozzy -- "$FIX/exit_code" 3 >/dev/null 2>&1;
	expect_exit 2 fz shrink nofault.fozzy --minimize faults 2>err && grep -q "had no --faults" err
'
test_done
