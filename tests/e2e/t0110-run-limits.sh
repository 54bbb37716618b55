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
test_done
