#!/bin/sh
# Randomness by device number, file timestamps, rdtsc.
. "$(dirname "$0")/lib.sh"

test_expect_success 'random device aliases all read the seed' '
	ln -s /dev/urandom ulink &&
	fz run --det --seed 3 -- "$FIX/urandom_alias" "$TRASH/ulink" >a 2>/dev/null &&
	fz run --det --seed 3 -- "$FIX/urandom_alias" "$TRASH/ulink" >b 2>/dev/null &&
	cmp a b && grep -q "^dot " a && grep -q "^random " a && grep -q "^procfd " a &&
	grep -q "^link " a && grep -q "^readv-b " a && grep -q "^pread " a &&
	fz run --det --seed 4 -- "$FIX/urandom_alias" "$TRASH/ulink" >c 2>/dev/null && ! cmp -s a c
'
if [ "$(id -u)" = 0 ]; then
	test_expect_success 'a host device node in the working folder cannot be opened (overlays are nodev)' '
		mknod rnd c 1 9 &&
		fz run --det --seed 3 -- "$FIX/urandom_alias" "$TRASH/rnd" >a 2>/dev/null &&
		grep -q "^link: cannot open" a
	'
else
	test_skip 'a host device node in the working folder cannot be opened (overlays are nodev)' 'needs root'
fi
test_expect_success 'timestamps of files the program changes come from the virtual clock' '
	mkdir d1 d2 &&
	fz run --det --seed 1 -- "$FIX/files" "$TRASH/d1" >a 2>/dev/null &&
	sleep 1 &&
	fz run --det --seed 1 -- "$FIX/files" "$TRASH/d2" >b 2>/dev/null &&
	cmp a b &&
	grep -q "^a.txt: mtime 1704067200\.0000" a &&
	grep -q "^a.txt: mtime 1704067201\.0000.* size 6" a &&
	grep -q "^b.txt: mtime 1704067201\.0000[0-9]* ctime 1704067202\." a &&
	grep -q "^sub: mtime 1704067202\." a && grep -q "^\.: mtime 1704067202\." a
'
test_expect_success 'rdtsc: virtualized, or reported as degraded where it cannot be trapped' '
	fz run --det --seed 1 -- "$FIX/tsc" >a 2>err &&
	if grep -q "cannot trap rdtsc" err; then
		fz --json run --det --seed 1 -- "$FIX/tsc" 2>/dev/null | grep -q "cannot trap rdtsc"
	else
		fz run --det --seed 1 -- "$FIX/tsc" >b 2>/dev/null && cmp a b &&
		grep -q "aux 0" a
	fi
'
test_done
