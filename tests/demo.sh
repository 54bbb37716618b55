#!/bin/sh
# make demo: a bundled example, run deterministically, twice, then replayed.
set -e
cd "$(dirname "$0")/.."
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
echo "== fozzy run --det --seed 7 -- ./fixtures/det_sources"
./fozzy run --det --seed 7 --record "$demo/a.fozzy" --base-dir "$demo/runs" -- ./fixtures/det_sources
echo
echo "== the same again: the output is byte for byte the same"
./fozzy run --det --seed 7 --base-dir "$demo/runs" -- ./fixtures/det_sources >"$demo/b" 2>/dev/null
./fozzy run --det --seed 7 --base-dir "$demo/runs" -- ./fixtures/det_sources >"$demo/c" 2>/dev/null
cmp "$demo/b" "$demo/c" && echo "identical ($(wc -c <"$demo/b") bytes)"
echo
echo "== another seed: other random bytes, same virtual clock"
./fozzy run --det --seed 8 --base-dir "$demo/runs" -- ./fixtures/det_sources 2>/dev/null | grep -E 'getrandom|realtime'
echo
echo "== fozzy trace verify and fozzy replay of the first run"
./fozzy trace verify "$demo/a.fozzy"
./fozzy replay --base-dir "$demo/runs" "$demo/a.fozzy" >/dev/null
