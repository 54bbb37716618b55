# SPDX-License-Identifier: MIT
# Shared helpers of the end-to-end tests: TAP output, a scratch directory per
# script, and assertions. A script sources this file, calls test_expect_*
# for each check, then test_done. Exit 77 skips a whole script.

set -u
TEST_NAME=$(basename "$0" .sh)
SRC_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FOZZY="$SRC_ROOT/fozzy"
FIX="$SRC_ROOT/fixtures"
TRASH="$SRC_ROOT/tests/e2e/trash/$TEST_NAME"
rm -rf "$TRASH"
mkdir -p "$TRASH"
cd "$TRASH" || exit 1
test_count=0
test_failed=0
export FOZZY FIX TRASH

# test_expect_success DESCRIPTION 'shell code': the code must exit 0.
test_expect_success() {
	test_count=$((test_count + 1))
	if (eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out" | tail -n 25
	fi
}

# test_skip DESCRIPTION REASON
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# expect_exit N command...: run command, require exit status N.
expect_exit() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		return 1
	fi
}

# fz ...: fozzy with the run folder in the trash directory.
fz() {
	"$FOZZY" "$@"
}

# field FILE KEY...: a value from a JSON document (numeric keys index arrays).
field() {
	f=$1
	shift
	/usr/bin/python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d)" "$f" "$@"
}

# nobody_reaches: are we root with setpriv, and can uid 65534 reach the
# checkout and this script's trash (every parent folder searchable)? A clone
# under a 0700 folder (mktemp -d) is out of its reach.
nobody_reaches() {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
		setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$FOZZY" -a -x "$TRASH" 2>/dev/null
}
NOBODY_SKIP="needs root, setpriv, and a checkout uid 65534 can reach (no 0700 parent folder)"

test_done() {
	echo "1..$test_count"
	echo "# $TEST_NAME: $((test_count - test_failed)) passed, $test_failed failed"
	[ "$test_failed" = 0 ]
}
