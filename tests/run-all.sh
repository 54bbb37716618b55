#!/bin/sh
# make check: the unit tests, then the end-to-end tests; one summary line last.
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
up=0
uf=0
out=$(CK_DEFAULT_TIMEOUT=60 ./tests/unit/runner 2>&1)
urc=$?
echo "$out"
line=$(echo "$out" | grep -E '^unit: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -n "$line" ]; then
	up=$(echo "$line" | sed -E 's/^unit: ([0-9]+) passed.*/\1/')
	uf=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
elif [ $urc != 0 ]; then
	uf=1
fi
out=$(sh tests/e2e/run.sh 2>&1)
erc=$?
echo "$out"
line=$(echo "$out" | grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
ep=$(echo "$line" | sed -E 's/^e2e: ([0-9]+) passed.*/\1/')
ef=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
[ -n "$ep" ] || { ep=0; ef=1; }
[ $erc != 0 ] && [ "$ef" = 0 ] && ef=1
echo "$((up + ep)) passed, $((uf + ef)) failed"
[ $((uf + ef)) = 0 ]
