#!/bin/sh
# fozzy env and fozzy usage (rows 13, 148, 149, adapted: env reflects the flags too).
. "$(dirname "$0")/lib.sh"

test_expect_success 'env: seven capabilities, deterministic by default (row 148)' '
	fz env --json >o.json &&
	python3 -c "import json; d=json.load(open(\"o.json\")); c=d[\"capabilities\"]; assert sorted(c)==[\"fs\",\"http\",\"memory\",\"net\",\"proc\",\"rng\",\"time\"], c; assert all(v[\"deterministic\"] for v in c.values()); assert d[\"os\"]==\"linux\" and d[\"fozzy\"][\"version\"]" &&
	fz env | grep -q "^capabilities:"
'
test_expect_success 'env: fozzy.toml and the flags choose the backends (row 13, fixed behaviour)' '
	printf "proc_backend = \"host\"\n" >fozzy.toml &&
	fz env --json >o.json && test "$(field o.json capabilities proc backend)" = host &&
	test "$(field o.json capabilities proc deterministic)" = False &&
	fz env --proc-backend scripted --fs-backend host --json >o.json &&
	test "$(field o.json capabilities proc backend)" = scripted && test "$(field o.json capabilities fs backend)" = host &&
	rm fozzy.toml && expect_exit 2 fz env --fs-backend nope 2>/dev/null
'
test_expect_success 'usage: one item per command of this build (row 149, adapted)' '
	fz usage --json >o.json &&
	python3 -c "import json; d=json.load(open(\"o.json\")); i=d[\"items\"]; assert len(i)>=15 and all(x[\"command\"] and x[\"when\"] and x[\"how\"].startswith(\"fozzy \") for x in i)" &&
	fz usage | grep -q "^run SCENARIO"
'
test_done
