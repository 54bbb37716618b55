#!/bin/sh
# fozzy init: a scaffold whose own tests pass, whose native example runs
# deterministically under the supervisor, and whose fuzz target has a bug to find.
. "$(dirname "$0")/lib.sh"

test_expect_success 'init in an empty folder writes the scaffold and prints nothing (row 15)' '
	mkdir a && (cd a && fz init >../out) && test ! -s out &&
	for f in tests/example.fozzy.json tests/run.pass.fozzy.json tests/memory.pass.fozzy.json \
		explore/distributed.pass.fozzy.json native/example.c native/fuzz_target.c tests/INIT_GUIDE.md; do
		test -s "a/$f" || { echo "missing $f"; return 1; }
	done && test -d a/.fozzy/runs && test -d a/.fozzy/corpora
'
test_expect_success 'the scaffold passes its own fozzy test and fozzy explore (fixed behaviour)' '
	(cd a && fz test --det --json >../o.json) && test "$(field o.json tests passed)" = 3 &&
	(cd a && fz test >/dev/null) &&
	(cd a && fz explore explore/distributed.pass.fozzy.json --schedule dfs --json >../o.json) &&
	test "$(field o.json status)" = pass && test "$(field o.json explore exhausted)" = True &&
	for f in a/tests/*.fozzy.json a/explore/*.fozzy.json; do fz validate "$f" >/dev/null || return 1; done
'
test_expect_success 'the native example runs under the supervisor, the same every time' '
	cc -pthread -o a/native/example a/native/example.c &&
	(cd a && fz run --det --seed 3 -- ./native/example >../o1 2>/dev/null && fz run --det --seed 3 -- ./native/example >../o2 2>/dev/null) &&
	cmp o1 o2 && grep -q "^order [ab]*$" o1
'
test_expect_success 'a second init refuses; --force rewrites (row 16)' '
	(cd a && expect_exit 2 fz init 2>../err) && grep -q -- "--force" err &&
	echo changed >a/tests/example.fozzy.json &&
	(cd a && fz init --force) && fz validate a/tests/example.fozzy.json >/dev/null
'
test_expect_success '--with picks the examples; --template minimal has no native code (row 17)' '
	mkdir b && (cd b && fz init --with memory --template minimal) &&
	test -f b/tests/memory.pass.fozzy.json && test ! -e b/tests/example.fozzy.json && test ! -e b/native &&
	test -f b/tests/INIT_GUIDE.md &&
	mkdir c && (cd c && expect_exit 2 fz init --with host 2>../err) && grep -q "no host-backend scaffold" err &&
	(cd c && expect_exit 2 fz init --with nope 2>/dev/null && expect_exit 2 fz init --template rust 2>/dev/null) &&
	test ! -e c/.fozzy
'
if command -v clang >/dev/null && [ -n "$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.asan*x86_64.a' 2>/dev/null | head -1)" ]; then
	test_expect_success 'the fuzz target of the scaffold has a bug fozzy fuzz finds' '
		(cd a && fz cc -o native/fuzz_target native/fuzz_target.c &&
		 expect_exit 1 fz fuzz --corpus .fozzy/corpora/example --runs 3000 --seed 1 --crash-only --json -- ./native/fuzz_target >../o.json 2>/dev/null) &&
		grep -q "stack-buffer-overflow" o.json
	'
else
	test_skip 'the fuzz target of the scaffold has a bug fozzy fuzz finds' 'needs clang and libclang-rt-14-dev'
fi
test_done
