#!/bin/sh
# The command line: help, version, usage errors and their exit codes.
. "$(dirname "$0")/lib.sh"

test_expect_success '--help and --version exit 0' '
	fz --help | grep -q "usage: fozzy" &&
	fz --version | grep -qE "^fozzy [0-9]+\.[0-9]+\.[0-9]+$" &&
	fz run --help | grep -q -- "--det" &&
	fz replay --help | grep -q "TRACE" &&
	fz trace --help | grep -q "verify"
'
test_expect_success 'unknown command is a usage error (exit 2)' '
	expect_exit 2 fz frobnicate 2>err && grep -q "unknown command" err
'
test_expect_success 'unknown option is a usage error with a hint' '
	expect_exit 2 fz run --bogus -- /bin/true 2>err &&
	grep -q "unknown option" err && grep -q "try .fozzy run --help." err
'
test_expect_success '--strict and --unsafe conflict' '
	expect_exit 2 fz --strict --unsafe version
'
test_expect_success 'a missing program is a clear error' '
	expect_exit 2 fz run --det -- ./no-such-program 2>err &&
	grep -q "cannot find an executable named" err
'
test_expect_success 'a bad duration is rejected' '
	expect_exit 2 fz run --timeout 1.5s -- /bin/true 2>err && grep -q "invalid --timeout" err &&
	expect_exit 2 fz run --timeout 10 -- /bin/true
'
test_expect_success 'a bad seed is rejected' '
	expect_exit 2 fz run --seed -3 -- /bin/true 2>err && grep -q "invalid --seed" err
'
test_expect_success 'commands of the contract not built yet say so' '
	expect_exit 2 fz doctor 2>err && grep -q "not available in this build yet" err
'
test_expect_success 'JSON error documents on stdout' '
	expect_exit 2 fz --json run --det -- ./no-such-program >out 2>/dev/null &&
	grep -q "\"status\":[[:space:]]*\"error\"" out && grep -q "cannot find" out
'
test_expect_success '--strict and --unsafe conflict after the command too' '
	expect_exit 2 fz run --unsafe --strict -- /bin/true 2>err && grep -q "cannot be used together" err
'
test_expect_success 'a bad --cwd is a JSON error in JSON mode' '
	expect_exit 2 fz --json --cwd /no/such/dir version >out 2>/dev/null &&
	grep -q "cannot change to" out && grep -q "\"code\"" out
'
test_expect_success 'options after the program belong to the program' '
	expect_exit 1 fz run --det -- "$FIX/cat_file" --json >out 2>err &&
	! grep -q "{" out && grep -q "FAIL" err
'
test_expect_success 'global flags after the command' '
	fz version --json | grep -q "\"version\""
'
test_done
