#!/bin/sh
# fozzy trace verify and dump: intact traces pass, every corruption fails.
. "$(dirname "$0")/lib.sh"

fz run --det --seed 2 --record t.fozzy -- "$FIX/det_sources" >/dev/null 2>&1

test_expect_success 'an intact trace verifies (exit 0)' '
	fz trace verify t.fozzy | grep -q ": ok" &&
	fz --json trace verify t.fozzy | grep -q "\"checksumValid\":[[:space:]]*true"
'
test_expect_success 'a flipped byte anywhere fails with a reason (exit 2)' '
	size=$(stat -c %s t.fozzy) &&
	for off in 0 9 20 $((size / 2)) $((size - 20)) $((size - 1)); do
		cp t.fozzy f.fozzy &&
		python3 -c "import sys; p=sys.argv[1]; o=int(sys.argv[2]); b=bytearray(open(p,\"rb\").read()); b[o]^=0x10; open(p,\"wb\").write(b)" f.fozzy $off &&
		expect_exit 2 fz trace verify f.fozzy 2>err && grep -q "is invalid" err || return 1
	done
'
test_expect_success 'a truncated trace fails (exit 2)' '
	head -c 300 t.fozzy >short.fozzy &&
	expect_exit 2 fz trace verify short.fozzy 2>err && grep -q "truncated" err &&
	: >empty.fozzy && expect_exit 2 fz trace verify empty.fozzy
'
test_expect_success 'appended bytes fail (exit 2)' '
	cp t.fozzy long.fozzy && printf "xyz" >>long.fozzy &&
	expect_exit 2 fz trace verify long.fozzy 2>err && grep -q "unexpected bytes" err
'
test_expect_success 'a missing file and a non-trace are errors' '
	expect_exit 2 fz trace verify nope.fozzy 2>err && grep -q "cannot read" err &&
	echo hello >text.fozzy && expect_exit 2 fz trace verify text.fozzy 2>err && grep -q "bad magic" err
'
test_expect_success 'dump shows header, events with decisions, footer' '
	fz trace dump t.fozzy >d &&
	grep -q "^header" d && grep -q "getrandom" d && grep -q "decide 8 bytes" d &&
	grep -q "exec" d && grep -q "^footer" d &&
	fz --json trace dump t.fozzy | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"header\"][\"format\"]==\"fozzy-trace\" and len(d[\"events\"])>5"
'
test_expect_success 'the decision log stays compact (< 64 bytes per event)' '
	fz --json trace verify t.fozzy | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"streamBytes\"] < 64 * d[\"events\"], d"
'
test_done
