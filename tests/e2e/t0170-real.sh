#!/bin/sh
# Real programs nobody here wrote, multi-threaded or multi-process, run
# byte-identically with one seed and replay to a match.
. "$(dirname "$0")/lib.sh"

same() { # name cmd...: five runs with one seed, identical stdout, then replay of the first
	name=$1
	shift
	fz run --det --seed 11 --record "$name.fozzy" -- "$@" >"$name.1" 2>/dev/null || return 1
	for i in 2 3 4 5; do
		fz run --det --seed 11 -- "$@" >"$name.$i" 2>/dev/null && cmp "$name.1" "$name.$i" || return 1
	done
	fz replay "$name.fozzy" >"$name.r" 2>"$name.err" && grep -q "replay: match" "$name.err" &&
		cmp "$name.1" "$name.r"
}

cat >threads.py <<'PY'
import threading, concurrent.futures, random, time
lock = threading.Lock()
out = []
def work(i):
    time.sleep(0.01 * (i % 3))
    with lock:
        out.append(i)
    return i * i
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
with concurrent.futures.ThreadPoolExecutor(max_workers=3) as ex:
    r = list(ex.map(work, range(6)))
print(out, r, random.random())
PY
mkdir w && cd w || exit 1

test_expect_success 'python3 threading and concurrent.futures' '
	same py /usr/bin/python3 ../threads.py
'
test_expect_success 'sort --parallel=2' '
	seq 30000 | sort -R --random-source=/dev/zero >../in.txt 2>/dev/null || seq 30000 -1 1 >../in.txt
	same sort sort --parallel=2 -S 100K -n ../in.txt
'
if command -v xz >/dev/null; then
	test_expect_success 'xz -T2' '
		seq 200000 >../x.txt && same xz xz -T2 -c ../x.txt
	'
else
	test_skip 'xz -T2' 'xz not installed'
fi
test_expect_success 'make -j2 building with gcc (gcc, cc1, as, ld)' '
	mkdir p && printf "int add(int a, int b) { return a + b; }\n" >p/a.c &&
	printf "#include <stdio.h>\nint add(int, int);\nint main(void) { printf(\"%%d\\\\n\", add(2, 3)); return 0; }\n" >p/b.c &&
	printf "prog: a.o b.o\n\tgcc -o prog a.o b.o\n%%.o: %%.c\n\tgcc -c -o \$@ \$<\nclean:\n\trm -f a.o b.o prog\n" >p/Makefile &&
	fz run --det --seed 3 -- sh -c "make -s -C p -j2 && ./p/prog && md5sum p/prog p/a.o" >m1 2>/dev/null &&
	fz run --det --seed 3 -- sh -c "make -s -C p -j2 && ./p/prog && md5sum p/prog p/a.o" >m2 2>/dev/null &&
	cmp m1 m2 && grep -q "^5$" m1 && ! test -e p/prog
'
test_done
