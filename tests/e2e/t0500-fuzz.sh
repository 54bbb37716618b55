#!/bin/sh
# fozzy fuzz and fozzy cc: two parsers with memory bugs (fixtures/fuzz/),
# built with ASan and edge coverage, are fuzzed until the bug is found; the
# finding is deduplicated, minimized, and replays every time; the fixed
# versions give nothing. An uninstrumented program is guided by behaviour.
. "$(dirname "$0")/lib.sh"

SRC="$FIX/fuzz"
field_count() { /usr/bin/python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))" "$1" "$2"; }

# clang with the sanitizer runtimes (Debian: clang, libclang-rt-14-dev)
if printf 'int main(void){return 0;}\n' >cc_probe.c && fz cc -o cc_probe cc_probe.c 2>/dev/null && ./cc_probe; then
	HAVE_ASAN=1
else
	HAVE_ASAN=0
fi

asan_test() {
	if [ "$HAVE_ASAN" = 1 ]; then
		test_expect_success "$1" "$2"
	else
		test_skip "$1" "clang with the sanitizer runtimes is not installed"
	fi
}

asan_test 'fozzy cc builds with ASan, UBSan and edge coverage; the programs run natively' '
	fz cc -O1 -o tlv "$SRC/tlv.c" && fz cc -O1 -DFIXED -o tlv_fixed "$SRC/tlv.c" &&
	fz cc -O1 -o lpstr "$SRC/lpstr.c" && fz cc -O1 -DFIXED -o lpstr_fixed "$SRC/lpstr.c" &&
	fz cc -c -o obj.o "$SRC/tlv.c" && test -f obj.o &&
	nm tlv | grep -q "T __sanitizer_cov_trace_pc_guard$" && nm tlv | grep -q __asan_init &&
	mkdir -p seeds lpseeds &&
	printf "TLV1N\005helloI\004ABCDE\000padding-padding-padding-padding" >seeds/seed &&
	printf "\002\003\000abc\002\000de" >lpseeds/seed &&
	./tlv <seeds/seed | grep -q "3 records" && ./lpstr lpseeds/seed | grep -q "2 strings" &&
	expect_exit 2 fz cc 2>err && grep -q "missing compiler arguments" err
'
asan_test 'a TLV decoder with a wrong bound: found, one finding, minimized, replays 10/10' '
	cp -r seeds c1 &&
	expect_exit 1 fz fuzz --json --seed 1 --runs 1500 --crash-only --minimize --corpus c1 -- ./tlv >s.json 2>err &&
	[ "$(field s.json feedback)" = edges ] && [ "$(field s.json input)" = stdin ] &&
	[ "$(field_count s.json findings)" = 1 ] &&
	[ "$(field s.json findings 0 kind)" = heap-buffer-overflow ] &&
	field s.json findings 0 title | grep -q "WRITE of size .* in record .*tlv.c:" &&
	[ "$(field s.json findings 0 minimizedBytes)" -lt "$(field s.json findings 0 inputBytes)" ] &&
	test -s "$(field s.json findings 0 input)" && ls c1/crashes/ | grep -q "\.min$" &&
	trace=$(field s.json findings 0 trace) && test -f "$trace" &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		expect_exit 4 fz replay "$trace" >/dev/null 2>rerr && grep -q "heap-buffer-overflow" rerr &&
		grep -q "fozzy replay CRASH" rerr || return 1
	done
'
asan_test 'the fixed TLV decoder gives no finding in the same budget' '
	cp -r seeds c2 &&
	fz fuzz --seed 1 --runs 400 --corpus c2 -- ./tlv_fixed >out 2>err &&
	grep -q "fozzy fuzz PASS" err && grep -q "no findings" err && grep -q "feedback: edge coverage" err &&
	ls c2 | grep -q "^input-"
'
asan_test 'a length-prefixed decoder read as an @@ file: the over-read is found and deduplicated' '
	cp -r lpseeds c3 &&
	expect_exit 1 fz fuzz --json --seed 1 --runs 200 --corpus c3 -- ./lpstr @@ >s.json 2>err &&
	[ "$(field s.json input)" = file ] && [ "$(field_count s.json findings)" = 1 ] &&
	field s.json findings 0 title | grep -q "READ of size .* in decode .*lpstr.c:" &&
	[ "$(field s.json findings 0 count)" -gt 1 ] &&
	[ "$(ls c3/crashes | wc -l)" = 1 ] &&
	expect_exit 4 fz replay "$(field s.json findings 0 trace)" >/dev/null 2>rerr && grep -q "in decode" rerr &&
	cp -r lpseeds c4 && fz fuzz --seed 1 --runs 200 --corpus c4 -- ./lpstr_fixed @@ >/dev/null 2>err &&
	grep -q "no findings" err
'
asan_test 'a finding made in the fork server replays through a fork server (its trace says so)' '
	cp -r lpseeds c5 &&
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:symbolize=0 \
		fz fuzz --json --seed 1 --runs 100 --crash-only --corpus c5 -- ./lpstr @@ >s5.json 2>/dev/null;
	trace=$(field s5.json findings 0 trace) && head -c 100000 "$trace" | grep -q "\"forkServer\":true" &&
	for i in 1 2 3; do
		expect_exit 4 fz replay "$trace" >/dev/null 2>rerr && grep -q "heap-buffer-overflow" rerr || return 1
	done &&
	fz shrink "$trace" --out fs5.fozzy >/dev/null 2>err && grep -q "^  input [0-9]* -> [0-9]* bytes" err &&
	head -c 100000 fs5.fozzy | grep -q "\"forkServer\":false" && expect_exit 4 fz replay fs5.fozzy >/dev/null 2>/dev/null
'
asan_test 'a seed gives the same campaign: twice, with --jobs 2 (each worker a fork server), and with full runs' '
	for d in d1 d2 d3 d4; do cp -r seeds $d; done &&
	fz fuzz --json --seed 9 --runs 150 --corpus d1 -- ./tlv_fixed >j1.json 2>/dev/null &&
	fz fuzz --json --seed 9 --runs 150 --corpus d2 -- ./tlv_fixed >j2.json 2>/dev/null &&
	fz fuzz --json --seed 9 --runs 150 --jobs 2 --corpus d3 -- ./tlv_fixed >j3.json 2>/dev/null &&
	fz fuzz --json --seed 9 --runs 150 --jobs 3 --no-fork-server --corpus d4 -- ./tlv_fixed >j4.json 2>/dev/null &&
	(cd d1 && ls) >l1 && (cd d2 && ls) >l2 && (cd d3 && ls) >l3 && (cd d4 && ls) >l4 &&
	cmp l1 l2 && cmp l1 l3 && cmp l1 l4 && [ "$(wc -l <l1)" -gt 1 ] &&
	for k in execs edges; do
		for j in j2 j3 j4; do [ "$(field j1.json $k)" = "$(field $j.json $k)" ] || return 1; done
	done &&
	for p in $(pgrep -f tlv_fixed); do
		# only this script'"'"'s (another test run may be going on beside it)
		[ "$(readlink /proc/$p/cwd 2>/dev/null)" != "$TRASH" ] || { echo "left behind: $p"; return 1; }
	done
'
asan_test '--shard I/N: shards try different inputs; shard 0/1 is the whole campaign' '
	for d in e0 e1 e2; do cp -r seeds $d; done &&
	fz fuzz --json --seed 9 --runs 150 --shard 0/1 --corpus e0 -- ./tlv_fixed >k0.json 2>/dev/null &&
	(cd e0 && ls) >m0 && cmp m0 l1 && [ "$(field k0.json shard)" = 0/1 ] &&
	fz fuzz --seed 9 --runs 100 --shard 0/2 --corpus e1 -- ./tlv_fixed >/dev/null 2>&1 &&
	fz fuzz --seed 9 --runs 100 --shard 1/2 --corpus e2 -- ./tlv_fixed >/dev/null 2>&1 &&
	(cd e1 && ls) >m1 && (cd e2 && ls) >m2 && ! cmp -s m1 m2 &&
	expect_exit 2 fz fuzz --shard 2/2 -- /bin/true 2>err && grep -q "invalid --shard" err
'
asan_test 'fozzy corpus list, add and minimize (in place, or to --out) keep every edge bucket' '
	cp -r d1 cm && n0=$(ls cm | wc -l) &&
	fz corpus list cm >lst 2>lerr && [ "$(wc -l <lst)" = "$n0" ] && grep -q "^$n0 inputs" lerr &&
	fz --json corpus list no-such-dir >nl.json && [ "$(cat nl.json | tr -d "[:space:]")" = "[]" ] &&
	printf "TLV1E\000" >extra && fz corpus add cm extra extra >added && [ "$(sort -u added | wc -l)" = 1 ] &&
	[ "$(ls cm | wc -l)" = $((n0 + 1)) ] &&
	fz --json corpus minimize cm --out cm2 -- ./tlv_fixed >m.json 2>/dev/null &&
	[ "$(field m.json filesBefore)" = $((n0 + 1)) ] && after=$(field m.json filesAfter) &&
	[ "$after" -lt $((n0 + 1)) ] && [ "$(ls cm2 | wc -l)" = "$after" ] && [ "$(ls cm | wc -l)" = $((n0 + 1)) ] &&
	fz --json fuzz --seed 9 --runs 1 --corpus cm -- ./tlv_fixed >f1.json 2>/dev/null &&
	fz --json fuzz --seed 9 --runs 1 --corpus cm2 -- ./tlv_fixed >f2.json 2>/dev/null &&
	[ "$(field f1.json edges)" = "$(field f2.json edges)" ] &&
	fz corpus minimize cm -- ./tlv_fixed 2>merr && [ "$(ls cm | wc -l)" = "$after" ] && grep -q "the others removed" merr &&
	mkdir -p emptyc && expect_exit 2 fz corpus minimize emptyc -- ./tlv_fixed 2>err && grep -q "holds no inputs" err &&
	expect_exit 2 fz corpus export cm 2>err && grep -q "usage: fozzy corpus export DIR --out" err &&
	expect_exit 2 fz corpus frob 2>err && grep -q "unknown subcommand" err &&
	expect_exit 2 fz corpus add cm no-such-file 2>err && grep -q "cannot read" err
'
asan_test 'a libFuzzer-style harness (LLVMFuzzerTestOneInput, no main) runs on libfozzy-cov'"'"'s driver' '
	fz cc -O1 -o harness "$SRC/harness.c" && fz cc -O1 -DFIXED -o harness_fixed "$SRC/harness.c" &&
	printf "Kab=1" >h.in && ./harness h.in && ./harness <h.in &&
	mkdir -p hc && cp h.in hc/ &&
	expect_exit 1 fz fuzz --json --seed 1 --runs 2000 --crash-only --corpus hc -- ./harness @@ >s.json 2>/dev/null &&
	[ "$(field s.json findings 0 kind)" = stack-buffer-overflow ] &&
	field s.json findings 0 title | grep -q "in LLVMFuzzerTestOneInput .*harness.c:" &&
	expect_exit 4 fz replay "$(field s.json findings 0 trace)" >/dev/null 2>&1 &&
	mkdir -p hc2 && cp h.in hc2/ && fz fuzz --seed 1 --runs 300 --corpus hc2 -- ./harness_fixed >/dev/null 2>err &&
	grep -q "no findings" err
'
test_expect_success 'an uninstrumented program is guided by behaviour; its crash is one finding' '
	mkdir -p pseeds && printf "AAAAAAAAAAAA" >pseeds/a &&
	expect_exit 1 fz fuzz --json --seed 3 --runs 300 --corpus pseeds -- "$FIX/fuzz_plain" >s.json 2>err &&
	[ "$(field s.json feedback)" = behaviour ] && [ "$(field_count s.json findings)" = 1 ] &&
	[ "$(field s.json findings 0 kind)" = crash ] && [ "$(field s.json findings 0 signature)" = signal:SEGV ] &&
	expect_exit 4 fz replay "$(field s.json findings 0 trace)" >/dev/null 2>&1
'
test_expect_success 'a program that crashes on every input: one finding seen at each execution' '
	expect_exit 1 fz fuzz --json --seed 1 --runs 20 --corpus empty1 -- "$FIX/crash" >s.json 2>err &&
	grep -q "is empty: starting from the empty input" err &&
	[ "$(field_count s.json findings)" = 1 ] && [ "$(field s.json findings 0 count)" = "$(field s.json execs)" ]
'
test_expect_success 'a program that exits at once, or ignores @@: no finding' '
	fz fuzz --seed 1 --runs 20 --corpus empty2 -- /bin/true >/dev/null 2>err && grep -q "no findings" err &&
	fz fuzz --seed 1 --runs 20 --corpus empty3 -- /bin/cat @@ >/dev/null 2>err && grep -q "no findings" err
'
test_expect_success '--expect-exit makes other exit statuses findings' '
	expect_exit 1 fz fuzz --json --seed 1 --runs 10 --expect-exit 0 --corpus empty4 -- /bin/false >s.json 2>/dev/null &&
	[ "$(field s.json findings 0 signature)" = exit:1 ]
'
test_expect_success 'the program cannot write its input nor resize the coverage map (stdin and @@)' '
	esc="$SRC_ROOT/tests/escape/fuzz_world" && test -x "$esc" &&
	mkdir -p w1 && printf "input" >w1/a && cp -r w1 w2 &&
	fz fuzz --seed 1 --runs 3 --expect-exit 0 --corpus w1 -- "$esc" >/dev/null 2>err1 &&
	fz fuzz --seed 1 --runs 3 --expect-exit 0 --corpus w2 -- "$esc" @@ >/dev/null 2>err2 &&
	grep -q "no findings" err1 && grep -q "no findings" err2 &&
	[ "$(cat w1/a)" = input ] && [ "$(cat w2/a)" = input ]
'
test_expect_success 'bad input is a one-line usage error (exit 2)' '
	expect_exit 2 fz fuzz --dict no-such.dict -- /bin/true 2>err && grep -q "cannot use the dictionary" err &&
	printf "\"ok\"\nbad line\n" >bad.dict &&
	expect_exit 2 fz fuzz --dict bad.dict -- /bin/true 2>err && grep -q "line 2" err &&
	expect_exit 2 fz fuzz -- ./no-such-program 2>err && grep -q "no-such-program" err &&
	expect_exit 2 fz fuzz -- fn:utf8 2>err && grep -q "unknown target .fn:utf8." err &&
	expect_exit 2 fz fuzz --mutator radamsa -- /bin/true 2>err && grep -q "invalid --mutator" err &&
	expect_exit 2 fz fuzz --bogus -- /bin/true 2>err && grep -q "unknown option" err &&
	expect_exit 2 fz fuzz 2>err && grep -q "missing the program" err &&
	expect_exit 2 fz fuzz --corpus /proc/version -- /bin/true 2>err && grep -q "corpus" err
'
asan_test 'shrink --minimize input cuts a fork-server finding down; the result replays to the same report' '
	rm -rf c9 && cp -r lpseeds c9 &&
	{ expect_exit 1 fz fuzz --json --seed 1 --runs 200 --corpus c9 -- ./lpstr @@ >s9.json 2>fz9.err || { tail -5 fz9.err; false; }; } &&
	t=$(field s9.json findings 0 trace) &&
	{ fz shrink "$t" --minimize input --out in.fozzy --json >sh.json 2>sh.err || { cat sh.json; tail -5 sh.err; false; }; } &&
	[ "$(field sh.json inputBytesAfter)" -le "$(field sh.json inputBytesBefore)" ] &&
	test "$(field sh.json status)" = crash &&
	{ expect_exit 4 fz replay in.fozzy >/dev/null 2>rerr || { tail -5 rerr; false; }; } &&
	grep -q "replay: match" rerr && grep -q "in decode" rerr
'
test_expect_success 'fn: targets fuzz fozzy'"'"'s own parsers in a forked child; behaviour grows the corpus; a seed gives the same campaign' '
	mkdir -p fs1 fs2 && cp "$FIX"/scenarios/*.fozzy.json fs1/ && cp "$FIX"/scenarios/*.fozzy.json fs2/ &&
	fz fuzz --seed 3 --runs 300 --corpus fs1 --json -- fn:scenario >j1 2>/dev/null &&
	fz fuzz --seed 3 --runs 300 --corpus fs2 --json -- fn:scenario >j2 2>/dev/null &&
	test "$(field j1 status)" = pass && test "$(field j1 feedback)" = behaviour &&
	test "$(field j1 corpus added)" -gt 0 &&
	test "$(ls fs1 | sort | md5sum)" = "$(ls fs2 | sort | md5sum)" &&
	for t in trace duration faults policy; do
		fz fuzz --seed 1 --runs 50 --corpus "c-$t" -- fn:$t >/dev/null 2>err || return 1
	done &&
	expect_exit 2 fz fuzz --runs 3 -- fn:nope 2>err && grep -q "the fn: targets are fn:scenario, fn:trace" err &&
	expect_exit 2 fz fuzz --runs 3 -- fn:trace extra 2>err && grep -q "takes no arguments" err &&
	expect_exit 2 fz fuzz --runs 3 -- scenario:x.fozzy.json 2>err && grep -q "scenario error: x.fozzy.json" err
'
test_expect_success 'an fn: finding (a hang past the real-time guard) is saved with a trace that replays the same way' '
	mkdir -p fh && python3 -c "import json; json.dump({\"version\":1,\"name\":\"big\",\"steps\":[{\"type\":\"set_kv\",\"key\":\"k%d\"%i,\"value\":\"v\"} for i in range(30000)]}, open(\"fh/big.json\",\"w\"))" &&
	expect_exit 1 fz fuzz --seed 1 --runs 3 --crash-only --max-input 4000000 --wall-timeout 1ms --corpus fh --json -- fn:scenario >fj 2>/dev/null &&
	test "$(field fj findings 0 kind)" = hang && t=$(field fj findings 0 trace) && test -f "$t" && ls fh/crashes | grep -q . &&
	for i in 1 2 3; do
		expect_exit 3 fz replay "$t" >/dev/null 2>err && grep -q "replay: match" err || return 1
	done &&
	fz --json replay "$t" 2>/dev/null >rj; test "$(field rj match)" = True &&
	expect_exit 2 fz shrink "$t" 2>err && grep -q "fuzz --minimize" err
'
test_expect_success 'scenario: targets: the input is the scenario'"'"'s source of choices; a finding replays from its trace' '
	echo "{\"version\":1,\"name\":\"pick\",\"steps\":[{\"type\":\"rand_u64\",\"key\":\"r\"},{\"type\":\"net_set_reorder\",\"enabled\":true},{\"type\":\"net_send\",\"from\":\"a\",\"to\":\"b\",\"payload\":\"x\"},{\"type\":\"net_send\",\"from\":\"a\",\"to\":\"b\",\"payload\":\"y\"},{\"type\":\"net_deliver_one\"},{\"type\":\"net_recv_assert\",\"node\":\"b\",\"payload\":\"x\"}]}" >pick.fozzy.json &&
	expect_exit 1 fz fuzz --seed 1 --runs 200 --corpus sc1 --json -- scenario:pick.fozzy.json >s1 2>/dev/null &&
	test "$(field s1 findings 0 kind)" = assertion && field s1 findings 0 title | grep -q "net_recv_assert" &&
	t=$(field s1 findings 0 trace) && head -c 100000 "$t" | grep -q "inputHex" &&
	for i in 1 2 3; do
		expect_exit 1 fz --json replay "$t" >r 2>/dev/null && test "$(field r findings 0 title)" = net_recv_assert || return 1
		! grep -q replay_drift r || return 1
	done &&
	fz shrink "$t" --out pick.min.fozzy >/dev/null 2>&1 && expect_exit 1 fz replay pick.min.fozzy >/dev/null 2>&1 &&
	head -c 100000 pick.min.fozzy | grep -q "inputHex" &&
	expect_exit 1 fz fuzz --seed 1 --runs 200 --corpus sc2 --json -- pick.fozzy.json >s2 2>/dev/null &&
	test "$(field s1 findings 0 title)" = "$(field s2 findings 0 title)" &&
	expect_exit 1 fz fuzz --seed 1 --runs 300 --corpus sc3 --json -- "scenario:$FIX/scenarios/stale-read.explore.fozzy.json" >s3 2>/dev/null &&
	expect_exit 1 fz replay "$(field s3 findings 0 trace)" >/dev/null 2>&1 &&
	fz fuzz --seed 1 --runs 100 --corpus sc4 -- "scenario:$FIX/scenarios/kv.explore.fozzy.json" >/dev/null 2>err && grep -q "no findings" err &&
	expect_exit 2 fz fuzz --runs 3 -- "scenario:$FIX/scenarios/suites.fozzy.json" 2>err && grep -q "suites" err &&
	expect_exit 2 fz fuzz --runs 3 -- scenario:pick.fozzy.json extra 2>err && grep -q "takes no arguments" err
'
test_expect_success '--minimize cuts a scenario: finding down (a known finding still gets its smaller input)' '
	echo "{\"version\":1,\"name\":\"drop\",\"steps\":[{\"type\":\"net_set_drop_rate\",\"rate\":0.5},{\"type\":\"net_send\",\"from\":\"a\",\"to\":\"b\",\"payload\":\"x\"},{\"type\":\"net_deliver_one\"},{\"type\":\"net_recv_assert\",\"node\":\"b\",\"payload\":\"x\"}]}" >drop2.fozzy.json &&
	mkdir -p cm && printf AAAAAAA >cm/seed &&
	expect_exit 1 fz fuzz --runs 5 --seed 1 --minimize --corpus cm --json -- scenario:drop2.fozzy.json >m 2>/dev/null &&
	test "$(field m findings 0 minimizedBytes)" -lt "$(field m findings 0 inputBytes)" &&
	ls cm/crashes | grep -q "\.min$"
'
asan_test 'fork server: an input whose run wrote a file gets a new server, so the next input sees the world as it was' '
	fz cc -O1 -o fresh_cov "$FIX/fresh.c" -lpthread && mkdir -p fr &&
	fz fuzz --json --seed 1 --runs 30 --corpus fr -- ./fresh_cov stdin >s.json 2>err &&
	test "$(field_count s.json findings)" = 0 &&
	test ! -e fresh-run-file
'
asan_test 'persistent mode: a harness runs input after input in one process, with the results of one input per fork' '
	mkdir -p pc pc2 && printf "K=v" >pc/seed && cp pc/seed pc2/ &&
	fz fuzz --json --seed 1 --runs 1500 --corpus pc -- ./harness_fixed >p.json 2>/dev/null &&
	fz fuzz --json --seed 1 --runs 1500 --no-persistent --corpus pc2 -- ./harness_fixed >f.json 2>/dev/null &&
	[ "$(field p.json execution)" = persistent ] && [ "$(field f.json execution)" = "fork server" ] &&
	[ "$(field p.json edges)" = "$(field f.json edges)" ] &&
	[ "$(field p.json corpus added)" = "$(field f.json corpus added)" ] &&
	[ "$(ls pc | sort)" = "$(ls pc2 | sort)" ] &&
	/usr/bin/python3 -c "import json,sys; p, f = (json.load(open(n)) for n in sys.argv[1:]); sys.exit(0 if p[\"execsPerSec\"] > f[\"execsPerSec\"] else 1)" p.json f.json
'
asan_test 'persistent mode: a finding gets its trace from a fresh run of its input, replays, and is minimized' '
	mkdir -p pb && printf "K=v" >pb/seed &&
	expect_exit 1 fz fuzz --json --seed 1 --runs 20000 --crash-only --minimize --corpus pb -- ./harness >s.json 2>/dev/null &&
	[ "$(field s.json execution)" = persistent ] && [ "$(field_count s.json findings)" = 1 ] &&
	[ "$(field s.json findings 0 kind)" = stack-buffer-overflow ] &&
	trace=$(field s.json findings 0 trace) && test -f "$trace" &&
	test "$(field s.json findings 0 minimizedBytes)" -lt "$(field s.json findings 0 inputBytes)" &&
	! grep -q reproducedAlone s.json &&
	for i in 1 2 3; do expect_exit 4 fz replay "$trace" >/dev/null 2>&1 || return 1; done
'
asan_test 'persistent mode: every input gets the same world; a bug that needs an earlier input is said to be one' '
	fz cc -O1 -o stateful "$SRC/stateful.c" && mkdir -p st st2 && printf A >st/1 && printf B >st/2 &&
	cp st/* st2/ &&
	expect_exit 1 fz fuzz --json --seed 1 --runs 200 --corpus st -- ./stateful >s.json 2>err &&
	[ "$(field_count s.json findings)" = 1 ] && [ "$(field s.json findings 0 signature)" = signal:ABRT ] &&
	[ "$(field s.json findings 0 reproducedAlone)" = False ] && [ -z "$(field s.json findings 0 trace)" ] &&
	mkdir -p st3 && cp st2/* st3/ &&
	expect_exit 1 fz fuzz --seed 1 --runs 200 --corpus st3 -- ./stateful >/dev/null 2>err &&
	grep -q "found in persistent mode; a fresh run of this input ends otherwise" err &&
	fz fuzz --json --seed 1 --runs 200 --no-persistent --corpus st2 -- ./stateful >f.json 2>/dev/null &&
	[ "$(field_count f.json findings)" = 0 ]
'
test_expect_success 'fuzz --det needs --runs and refuses --time; --mode property keeps the corpus as given; coverage.json' '
	expect_exit 2 fz fuzz --det --time 1s -- fn:duration 2>err && grep -q "exclude each other" err &&
	expect_exit 2 fz fuzz --det -- fn:duration 2>err && grep -q "needs --runs" err &&
	expect_exit 2 fz fuzz --mode fast -- fn:duration 2>err && grep -q "invalid --mode" err &&
	mkdir -p dp && printf 5s >dp/a &&
	fz fuzz --json --det --runs 60 --mode property --corpus dp -- fn:duration >p.json 2>/dev/null &&
	[ "$(field p.json seed)" = 0 ] && [ "$(field p.json corpus added)" = 0 ] && [ "$(ls dp | wc -l)" = 1 ] &&
	mkdir -p dc && printf 5s >dc/a &&
	fz fuzz --json --det --runs 60 --corpus dc -- fn:duration >c.json 2>/dev/null &&
	test "$(field c.json corpus added)" -gt 0 &&
	cov=$(dirname "$(field c.json report)")/coverage.json && test -f "$cov" &&
	[ "$(field "$cov" executed)" = "$(field c.json execs)" ] && [ "$(field "$cov" corpus_entries)" = "$(field c.json corpus entries)" ]
'
test_expect_success 'fuzz --record writes the last input'"'"'s trace when nothing is found; it replays' '
	mkdir -p dr && printf 5s >dr/a &&
	fz fuzz --json --det --runs 30 --record last.fozzy --corpus dr -- fn:duration >r.json 2>/dev/null &&
	[ "$(field r.json recorded 0)" = last.fozzy ] && test -f last.fozzy &&
	fz replay last.fozzy >/dev/null 2>err && grep -q "replay: match" err
'
asan_test 'fuzz --record writes the finding'"'"'s trace (persistent mode); it replays to the crash' '
	mkdir -p hr && printf "K=v" >hr/seed &&
	expect_exit 1 fz fuzz --json --seed 1 --runs 20000 --crash-only --record crash.fozzy --corpus hr -- ./harness >s.json 2>/dev/null &&
	[ "$(field s.json recorded 0)" = crash.fozzy ] && cmp crash.fozzy "$(field s.json findings 0 trace)" &&
	expect_exit 4 fz replay crash.fozzy >/dev/null 2>&1
'
asan_test 'persistent mode: an input that makes threads ends its process, so the next input'"'"'s threads run as in a fresh fork' '
	fz cc -O1 -o threaded "$SRC/threaded.c" -lpthread && mkdir -p tc && printf x >tc/a &&
	fz fuzz --json --seed 1 --runs 40 --corpus tc -- ./threaded >s.json 2>/dev/null &&
	[ "$(field s.json execution)" = persistent ] && [ "$(field_count s.json findings)" = 0 ]
'
asan_test 'fork server: each input'"'"'s child is reaped by its pid, not a zombie the program left before the fork point' '
	fz cc -O1 -o zombie "$SRC/zombie.c" && mkdir -p zc && printf x >zc/a &&
	fz fuzz --json --seed 1 --runs 30 --corpus zc -- ./zombie >s.json 2>/dev/null &&
	[ "$(field s.json execution)" = "fork server" ] && [ "$(field_count s.json findings)" = 0 ]
'
test_done
