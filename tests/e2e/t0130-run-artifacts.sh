#!/bin/sh
# The run folder, report.json, --record and --json.
. "$(dirname "$0")/lib.sh"

test_expect_success 'each run gets a folder with report, trace, stdout and stderr' '
	fz run --det --seed 9 -- "$FIX/exit_code" 0 >out 2>err &&
	dir=$(ls -d .fozzy/runs/*) && [ $(echo "$dir" | wc -l) = 1 ] &&
	test -f "$dir/report.json" && test -f "$dir/trace.fozzy" &&
	grep -q "exiting with 0" "$dir/stdout" && test -f "$dir/stderr" &&
	grep -q "exiting with 0" out &&
	grep -q "\"status\":[[:space:]]*\"pass\"" "$dir/report.json" &&
	grep -q "\"seed\":[[:space:]]*9" "$dir/report.json" &&
	fz trace verify "$dir/trace.fozzy"
'
test_expect_success '--json prints one summary object, the program output goes to stderr' '
	fz --json run --det --seed 18446744073709551615 -- "$FIX/exit_code" 5 >out 2>err;
	[ $? = 1 ] &&
	python3 -c "import json,sys; d=json.load(open(\"out\")); assert d[\"status\"]==\"fail\" and d[\"mode\"]==\"run\" and d[\"native\"][\"exitCode\"]==5 and d[\"identity\"][\"seed\"]==18446744073709551615, d" &&
	grep -q "exiting with 5" err
'
test_expect_success '--record writes the trace there too' '
	fz run --det --seed 1 --record rec.fozzy -- "$FIX/exit_code" 0 >/dev/null 2>&1 &&
	fz trace verify rec.fozzy >/dev/null &&
	! ls .fozzy/runs/*/.*.tmp 2>/dev/null && ! ls .rec.fozzy* 2>/dev/null
'
test_done
