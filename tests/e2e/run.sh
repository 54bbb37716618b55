#!/bin/sh
# Runs every end-to-end script and prints "e2e: N passed, N failed".
cd "$(dirname "$0")" || exit 2
passed=0
failed=0
skipped=0
for t in t[0-9]*.sh; do
	out=$(sh "./$t" 2>&1)
	rc=$?
	echo "$out"
	if [ $rc = 77 ]; then
		skipped=$((skipped + 1))
		continue
	fi
	p=$(echo "$out" | grep -c '^ok ')
	f=$(echo "$out" | grep -c '^not ok ')
	if [ $rc != 0 ] && [ "$f" = 0 ]; then
		echo "# $t exited $rc with no failing test"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
