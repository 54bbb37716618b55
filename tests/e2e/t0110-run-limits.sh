#!/bin/sh
# Time limits: --timeout in virtual time, the real-time guard.
. "$(dirname "$0")/lib.sh"

test_expect_success 'virtual --timeout stops a long sleep at once (exit 3)' '
	start=$(date +%s) &&
	expect_exit 3 fz run --det --timeout 5s -- "$FIX/sleeper" 100 >/dev/null 2>err &&
	end=$(date +%s) && [ $((end - start)) -lt 3 ] &&
	grep -q "TIMEOUT" err && grep -q "virtual time limit of 5000 ms" err
'
test_expect_success 'the real-time guard stops a program spinning without syscalls' '
	expect_exit 3 fz run --det --wall-timeout 1s -- "$FIX/spin" >/dev/null 2>err &&
	grep -q "real-time guard" err
'
test_expect_success 'without --det, --timeout is real time' '
	expect_exit 3 fz run --timeout 300ms -- "$FIX/spin" >/dev/null 2>err &&
	grep -q "time limit of 300 ms" err
'
test_expect_success 'a fork bomb meets --pids-max (EAGAIN) and the run ends as a failure, leaving no process' '
	expect_exit 1 fz run --det --pids-max 32 --wall-timeout 60s -- sh -c "fzbomb() { fzbomb | fzbomb & }; fzbomb" >out 2>err &&
	grep -q "fork bomb: the tree held --pids-max 32 threads" err && grep -q "Cannot fork" err &&
	# (a plain "b | b" pattern is a regex alternation that matched unrelated processes on CI)
	if pgrep -af fzbomb; then echo "processes left behind" >&2; false; fi
'
test_expect_success '--pids-max refuses forks past the limit with EAGAIN, which the program sees' '
	expect_exit 1 fz run --det --pids-max 3 -- sh -c "sleep 1 & sleep 1 & sleep 1 & wait; echo end" >out 2>err &&
	grep -q "Cannot fork" err && grep -q "exit status 2" err && ! grep -q "fork bomb" err &&
	expect_exit 2 fz run --pids-max 0 -- /bin/true 2>err && grep -q "invalid --pids-max" err
'
test_done
