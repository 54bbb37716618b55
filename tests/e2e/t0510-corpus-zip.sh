#!/bin/sh
# fozzy corpus export/import: deterministic, atomic archives; imports that
# check every name before writing and never overwrite (SPEC.md 6.9, row 147).
. "$(dirname "$0")/lib.sh"

mkdir -p c/crashes && printf 'a' >c/input-1 && printf 'bb' >c/input-2 && printf 'crash' >c/crashes/crash-1

test_expect_success 'export writes every file, sorted, with fixed times; twice gives the same bytes' '
	fz corpus export c --out one.zip >out && grep -q "exported 3 files" out &&
	fz corpus export c --out two.zip >/dev/null && cmp one.zip two.zip &&
	python3 -c "import zipfile; z=zipfile.ZipFile(\"one.zip\"); n=z.namelist(); assert n==sorted(n)==[\"crashes/crash-1\",\"input-1\",\"input-2\"], n; assert all(i.date_time[0]==1980 for i in z.infolist())" &&
	fz --json corpus export c --out three.zip >o.json && test "$(field o.json files)" = 3 && ls -a | grep -qv "\.tmp$"
'
test_expect_success 'import into an empty folder gives the same files; again is refused (row 147)' '
	fz corpus import one.zip --out d >/dev/null && diff -r c d &&
	expect_exit 2 fz corpus import one.zip --out d 2>err && grep -q "already exists" err
'
test_expect_success 'hostile archives are refused before anything is written (row 147)' '
	for name in ../x /etc/x "a/../../x" "a\\\\b" "x:y" "CON" "a./b" "dup"; do
		python3 -c "import sys, zipfile
z = zipfile.ZipFile(\"bad.zip\", \"w\")
z.writestr(\"ok-first\", \"fine\")
n = sys.argv[1]
z.writestr(n, \"evil\")
if n == \"dup\":
    z.writestr(\"DUP\", \"evil\")
z.close()" "$name" &&
		rm -rf e && expect_exit 2 fz corpus import bad.zip --out e 2>err &&
		test ! -e e/ok-first && test ! -e x && test ! -e /etc/x || { echo "accepted: $name"; cat err; return 1; }
	done
'
test_expect_success 'a symbolic link in an archive is refused' '
	python3 -c "import zipfile, stat
z = zipfile.ZipFile(\"link.zip\", \"w\")
i = zipfile.ZipInfo(\"l\")
i.create_system = 3
i.external_attr = (stat.S_IFLNK | 0o777) << 16
z.writestr(i, \"/etc/passwd\")
z.close()" &&
	expect_exit 2 fz corpus import link.zip --out f 2>err && grep -q "not a regular file" err && test ! -e f/l
'
test_expect_success 'bad input: empty folder, links, corrupt archive, missing arguments' '
	mkdir -p empty && expect_exit 2 fz corpus export empty --out x.zip 2>err && grep -q "no file" err && test ! -e x.zip &&
	mkdir -p withlink && ln -sf /etc/passwd withlink/p && expect_exit 2 fz corpus export withlink --out y.zip 2>err &&
	grep -q "symbolic link" err && test ! -e y.zip &&
	head -c 100 one.zip >broken.zip && expect_exit 2 fz corpus import broken.zip --out g 2>err && grep -q "zip" err &&
	expect_exit 2 fz corpus export c 2>/dev/null && expect_exit 2 fz --json corpus import nope.zip --out h >o.json 2>/dev/null &&
	test "$(field o.json status)" = error
'
test_expect_success 'an archive lying about its sizes (a zip bomb) is refused; a file needed as a folder too' '
	python3 -c "import zipfile, struct
z = zipfile.ZipFile(\"bomb.zip\", \"w\", zipfile.ZIP_DEFLATED)
z.writestr(\"big\", b\"\\0\" * (70 << 20))
z.close()
b = bytearray(open(\"bomb.zip\", \"rb\").read())
struct.pack_into(\"<I\", b, 22, 10)
c = b.rfind(b\"PK\\x01\\x02\")
struct.pack_into(\"<I\", b, c + 24, 10)
open(\"bomb.zip\", \"wb\").write(b)" &&
	expect_exit 2 fz corpus import bomb.zip --out bomb 2>err && test ! -s bomb/big &&
	python3 -c "import zipfile
z = zipfile.ZipFile(\"pf.zip\", \"w\")
z.writestr(\"a\", \"x\")
z.writestr(\"a/b\", \"y\")
z.close()" &&
	expect_exit 2 fz corpus import pf.zip --out pf 2>err && grep -q "needs it as a folder" err && test ! -e pf/a
'
test_done
