#!/bin/sh
# fozzy replay: match, divergence, changed binaries and commands.
. "$(dirname "$0")/lib.sh"

test_expect_success 'a replay of a recorded run matches (exit 0)' '
	fz run --det --seed 4 --record ok.fozzy -- "$FIX/det_sources" >rec.out 2>/dev/null &&
	fz replay ok.fozzy >rep.out 2>err && grep -q "replay: match" err && cmp rec.out rep.out
'
test_expect_success 'the trace a replay writes replays too' '
	fz replay ok.fozzy >/dev/null 2>err &&
	t=$(sed -n "s/^  trace //p" err) && test -f "$t" &&
	fz replay "$t" >rep2.out 2>err2 && grep -q "replay: match" err2 && cmp rec.out rep2.out
'
test_expect_success 'python3 replays and matches' '
	# python3 lists its working directory: keep the trace out of it, or it is a changed input
	mkdir pyw && cd pyw &&
	fz run --det --seed 4 --record ../py.fozzy -- /usr/bin/python3 -c "import random,uuid; print(random.random(), uuid.uuid4())" >/dev/null 2>&1 &&
	fz replay ../py.fozzy >/dev/null 2>../err && grep -q "replay: match" ../err
'
test_expect_success 'a file added to the directory python3 lists is a divergence' '
	cd pyw && touch new-file && expect_exit 2 fz replay ../py.fozzy >/dev/null 2>../err &&
	grep -q "replay diverged at event" ../err
'
test_expect_success 'a failing run replays as failing (exit 1) and matches' '
	fz run --det --record fail.fozzy -- "$FIX/exit_code" 3 >/dev/null 2>&1;
	expect_exit 1 fz replay fail.fozzy >/dev/null 2>err && grep -q "replay: match" err
'
test_expect_success 'a crash replays as a crash (exit 4)' '
	fz run --det --record crash.fozzy -- "$FIX/crash" >/dev/null 2>&1;
	expect_exit 4 fz replay crash.fozzy >/dev/null 2>err && grep -q "replay: match" err
'
test_expect_success 'a non-det run replays the recorded host clock' '
	fz run --seed 1 --record host.fozzy -- "$FIX/det_sources" >a 2>/dev/null &&
	sleep 1 && fz replay host.fozzy >b 2>err && grep -q "replay: match" err && cmp a b
'
test_expect_success 'a non-det run with a real sleep replays at once and matches' '
	fz run --seed 1 --record nd.fozzy -- /usr/bin/python3 -c "import time,os; time.sleep(0.3); print(os.times()[4] > 0)" >a 2>/dev/null &&
	fz replay nd.fozzy >b 2>err && grep -q "replay: match" err && cmp a b
'
test_expect_success 'without --det, file times are the host times' '
	mkdir nd && fz run --seed 1 -- "$FIX/files" "$TRASH/nd" >a 2>/dev/null &&
	! grep -q "mtime 17040672" a && grep -q "^a.txt: mtime 1[0-9]*\." a
'
test_expect_success 'the recorded environment is replayed, not the current one' '
	FOZZY_TEST_VAR=one fz run --det --record env.fozzy -- "$FIX/cat_file" >a 2>/dev/null &&
	FOZZY_TEST_VAR=two fz replay env.fozzy >b 2>err && grep -q "replay: match" err &&
	cmp a b && grep -q "var=one" b
'
test_expect_success 'with --host-env, a changed environment variable is a divergence' '
	FOZZY_TEST_VAR=one fz run --det --record env2.fozzy -- "$FIX/cat_file" >/dev/null 2>&1 &&
	FOZZY_TEST_VAR=one fz replay --host-env env2.fozzy >/dev/null 2>err && grep -q "replay: match" err &&
	FOZZY_TEST_VAR=a-longer-value expect_exit 2 fz replay --host-env env2.fozzy >/dev/null 2>err &&
	grep -q "replay diverged" err
'
test_expect_success 'a changed input file is a divergence at the event (exit 2)' '
	echo "first input" >in.txt &&
	fz run --det --record in.fozzy -- "$FIX/cat_file" "$TRASH/in.txt" >/dev/null 2>&1 &&
	echo "second input, longer than the first one" >in.txt &&
	expect_exit 2 fz replay in.fozzy >/dev/null 2>err &&
	grep -q "replay diverged" err && grep -q "expected:" err && grep -q "observed:" err
'
test_expect_success 'a changed binary is reported before running (exit 2)' '
	cp "$FIX/exit_code" prog && fz run --det --record bin.fozzy -- ./prog 0 >/dev/null 2>&1 &&
	cp "$FIX/sleeper" prog &&
	expect_exit 2 fz replay bin.fozzy >out 2>err &&
	grep -q "changed since it was recorded" err && ! grep -q slept out
'
test_expect_success 'a different command is reported before running (exit 2)' '
	expect_exit 2 fz replay ok.fozzy -- "$FIX/det_sources" extra 2>err &&
	grep -q "command differs" err &&
	fz replay ok.fozzy -- "$FIX/det_sources" >/dev/null 2>&1
'
test_expect_success 'a corrupted trace is refused (exit 2)' '
	cp ok.fozzy bad.fozzy && printf "!" | dd of=bad.fozzy bs=1 seek=100 conv=notrunc 2>/dev/null &&
	expect_exit 2 fz replay bad.fozzy 2>err && grep -q "checksum mismatch" err
'
test_expect_success 'replay --json reports match and events' '
	fz --json replay ok.fozzy 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"mode\"]==\"replay\" and d[\"replay\"][\"match\"] is True and d[\"replay\"][\"events\"]>5, d"
'
test_expect_success 'replay --until stops on the virtual clock: matched up to there, status timeout (exit 3)' '
	fz run --det --seed 2 --record sl.fozzy -- "$FIX/sleeper" >/dev/null 2>&1 &&
	expect_exit 3 fz replay sl.fozzy --until 50ms >/dev/null 2>err &&
	grep -q "replay: match (up to --until)" err && grep -q "stopped at --until 50ms" err &&
	fz --json replay sl.fozzy --until 50ms 2>/dev/null >u.json; test "$(field u.json replay stoppedAtUntil)" = True &&
	fz replay sl.fozzy --until 1h >/dev/null 2>err && grep -q "replay: match$" err &&
	expect_exit 2 fz replay sl.fozzy --until soon 2>err && grep -q "invalid --until" err &&
	fz run --record nd.fozzy -- /bin/true >/dev/null 2>&1 &&
	expect_exit 2 fz replay nd.fozzy --until 1s 2>err && grep -q "recorded without --det" err
'
test_done
