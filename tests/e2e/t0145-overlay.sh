#!/bin/sh
# The filesystem sandbox: the host tree is read-only, the working folder and
# /tmp are overlays whose upper layers are artifacts, /dev is minimal.
. "$(dirname "$0")/lib.sh"

# A fingerprint of a tree: names, types, modes, sizes, link targets and contents.
tree_sum() {
	(cd "$1" && find . -path ./.fozzy -prune -o -printf '%p %y %m %s %l\n' | LC_ALL=C sort &&
		find . -path ./.fozzy -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r md5sum)
}

test_expect_success 'writes, deletes, renames, chmods and links leave the host tree unchanged' '
	mkdir w && cd w && echo keep >keep && echo gone >gone && echo old >old && mkdir sub && echo s >sub/f &&
	tree_sum . >../before &&
	tmpname=fozzy-t0145-$$ &&
	fz run --det -- sh -c "echo new >new; rm gone; mv old renamed; chmod 600 keep; echo more >>keep;
		ln keep hard; ln -s keep soft; rm -r sub; mkdir sub2; echo x >sub2/y; echo t >/tmp/$tmpname;
		cat keep renamed /tmp/$tmpname" >../out 2>/dev/null &&
	tree_sum . >../after && cd .. &&
	cmp before after && ! test -e /tmp/$tmpname &&
	printf "keep\nmore\nold\nt\n" >want && cmp want out
'
test_expect_success 'changes.json lists what the program created, changed and deleted' '
	mkdir c && cd c && echo a >a && echo b >b && echo same >same && mkdir d && echo z >d/z &&
	fz run --det --json -- sh -c "echo A >a; rm b; cat same >/dev/null; echo n >n; rm -r d && mkdir d && test ! -e d/z; chmod 700 same" >../sum 2>/dev/null &&
	cd .. && /usr/bin/python3 - sum "$TRASH/c" <<-EOT
	import json, sys
	doc = json.load(open(sys.argv[2] + "/" + json.load(open(sys.argv[1]))["native"]["sandbox"]["changes"]["list"]))
	got = {(c["path"].replace(sys.argv[2], ""), c["kind"]) for c in doc["changes"]}
	want = {("/a", "modified"), ("/b", "deleted"), ("/n", "created"), ("/same", "metadata")}
	assert want <= got, (want - got, got)
	# a folder removed and made again: opaque (replaced), or its old entries deleted
	assert ("/d", "replaced") in got, got
	assert doc["created"] >= 1 and doc["deleted"] >= 1, doc
	EOT
'
test_expect_success 'the upper layer in the run folder holds what the program wrote' '
	mkdir u && cd u &&
	fz run --det --json -- sh -c "echo payload >made" >../sum 2>/dev/null && cd .. &&
	dir=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"native\"][\"sandbox\"][\"overlay\"])" sum) &&
	grep -qx payload "u/$dir/cwd/upper/made" && ! test -e u/made
'
test_expect_success 'outside the overlays the host is read-only (EROFS)' '
	fz run --det -- sh -c "touch /etc/fozzy-probe; echo \$?; mkdir /usr/fozzy-probe; echo \$?" >out 2>err;
	printf "1\n1\n" >want && cmp want out && grep -q "Read-only file system" err && ! test -e /etc/fozzy-probe
'
test_expect_success '/dev holds only null, zero, full, tty, urandom, random and the usual links' '
	fz run --det -- sh -c "ls /dev; echo x >/dev/null; head -c 4 /dev/zero | od -An -tx1" >out 2>/dev/null &&
	cat >want <<-EOT &&
	fd
	full
	null
	ptmx
	pts
	random
	shm
	stderr
	stdin
	stdout
	tty
	urandom
	zero
	 00 00 00 00
	EOT
	cmp want out
'
test_expect_success 'the artifacts folder is hidden from the program' '
	mkdir h && cd h && fz run --det -- /bin/true 2>/dev/null && test -d .fozzy &&
	fz run --det -- sh -c "ls -a; test -e .fozzy && echo visible; exit 0" >../out 2>/dev/null && cd .. &&
	printf ".\n..\n" >want && cmp want out
'
test_expect_success 'ls -la --full-time of the working folder and /dev is the same on every run' '
	mkdir l && cd l && echo x >f && mkdir g &&
	fz run --det --seed 2 -- sh -c "mkdir made; echo y >made/z; ls -la --full-time . made /dev" >../l1 2>/dev/null &&
	fz run --det --seed 2 -- sh -c "mkdir made; echo y >made/z; ls -la --full-time . made /dev" >../l2 2>/dev/null &&
	cd .. && grep -v " \.\.$" l1 >m1 && grep -v " \.\.$" l2 >m2 && cmp m1 m2 && grep -q " made$" l1
'
test_expect_success 'a root program gets no capability over the host (user namespace)' '
	before=$(cat /proc/sys/kernel/printk_ratelimit) &&
	fz run --det -- sh -c "echo 7 >/proc/sys/kernel/printk_ratelimit; echo \$?; echo 1 >/proc/sysrq-trigger; echo \$?" >out 2>/dev/null &&
	test "$(cat /proc/sys/kernel/printk_ratelimit)" = "$before" && printf "2\n2\n" >want && cmp want out
'
test_expect_success 'find -printf "%i %T@", ls -li, stat and tar of a created tree are the same on every run' '
	mkdir m && cd m &&
	script="mkdir -p t/a t/b; for f in z y x w; do echo \$f >t/a/\$f; done; ln -s a t/l; mkfifo t/p;
		find t -printf \"%i %T@ %y %p\\n\"; ls -li t/a; stat -c \"%d %i %n\" / . t t/a/x; tar cf - t | md5sum; ls /" &&
	fz run --det --seed 2 -- sh -c "$script" >../d1 2>/dev/null &&
	fz run --det --seed 2 -- sh -c "$script" >../d2 2>/dev/null && cd .. &&
	cmp d1 d2 && grep -q " t/a/w$" d1 &&
	grep "^[0-9]* [0-9.]* [a-z] t/a/" d1 | sed "s/.* //" >names && printf "t/a/w\nt/a/x\nt/a/y\nt/a/z\n" >want && cmp want names
'
test_expect_success 'directory listings come in name order, and rewinddir/seekdir still work' '
	mkdir o && cd o && fz run --det -- sh -c "for f in c a d b; do echo >\$f; done; ls -f | tr \"\\n\" \" \"" >../o1 2>/dev/null && cd .. &&
	printf ". .. a b c d " >want && cmp want o1 &&
	fz run --det -- /usr/bin/python3 -c "import os; a = sorted(os.listdir(\"/etc\")); b = os.listdir(\"/etc\"); print(a == b, len(b) > 10)" >o2 2>/dev/null &&
	grep -qx "True True" o2
'
test_expect_success 'small getdents64 buffers, telldir, seekdir and rewinddir under the sorted listing' '
	mkdir s && cd s && for f in c a e d b; do echo >$f; done &&
	fz run --det -- "$FIX/dirs" >../s1 2>/dev/null && cd .. &&
	printf "raw: . .. a b c d e (7, last 0)\nafter entry 3 (a) comes b\nrewound: 7 entries\n" >want && cmp want s1
'
test_expect_success 'changes.json lists files past PATH_MAX too (no hiding in long paths)' '
	mkdir lp && cd lp &&
	fz run --det --json -- /usr/bin/python3 -c "
import os
n = \"d\" * 200
for i in range(25):
    os.mkdir(n); os.chdir(n)
open(\"hidden.txt\", \"w\").write(\"x\")" >../lsum 2>/dev/null && cd .. &&
	/usr/bin/python3 -c "import json, os
s = json.load(open(\"lsum\"))
doc = json.load(open(os.path.join(\"lp\", s[\"native\"][\"sandbox\"][\"changes\"][\"list\"])))
paths = [c[\"path\"] for c in doc[\"changes\"]]
assert any(p.endswith(\"/hidden.txt\") for p in paths), paths[-2:]
assert len(paths) == 26 and doc[\"truncated\"] is False, (len(paths), doc[\"truncated\"])"
'
test_done
