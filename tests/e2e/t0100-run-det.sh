#!/bin/sh
# fozzy run --det: the program's behaviour is a function of the seed.
. "$(dirname "$0")/lib.sh"

run3() { # seed cmd...: run three times, compare the outputs byte for byte
	seed=$1
	shift
	fz run --det --seed "$seed" -- "$@" >o1 2>/dev/null &&
	fz run --det --seed "$seed" -- "$@" >o2 2>/dev/null &&
	fz run --det --seed "$seed" -- "$@" >o3 2>/dev/null &&
	cmp o1 o2 && cmp o1 o3
}

test_expect_success 'same seed, byte-identical output' '
	run3 7 "$FIX/det_sources"
'
test_expect_success 'different seed, different randomness' '
	fz run --det --seed 7 -- "$FIX/det_sources" >a 2>/dev/null &&
	fz run --det --seed 8 -- "$FIX/det_sources" >b 2>/dev/null &&
	! cmp -s a b &&
	grep getrandom a >ra && grep getrandom b >rb && ! cmp -s ra rb &&
	grep at_random a >ra && grep at_random b >rb && ! cmp -s ra rb &&
	grep realtime a >ta && grep realtime b >tb && cmp ta tb
'
test_expect_success 'clocks read the virtual clock from the epoch' '
	fz run --det --seed 1 -- "$FIX/det_sources" >o 2>/dev/null &&
	grep -q "^realtime 1704067200\.0000" o &&
	grep -q "^monotonic 100\.0000" o &&
	grep -q "^time 1704067200$" o &&
	fz run --det --seed 1 --epoch 1000000000 -- "$FIX/det_sources" >o 2>/dev/null &&
	grep -q "^realtime 1000000000\." o
'
test_expect_success 'identity: pid 2, ppid 1, hostname fozzy, one CPU everywhere' '
	fz run --det --seed 1 -- "$FIX/det_sources" >o 2>/dev/null &&
	grep -q "^pid 2 ppid 1$" o && grep -q "^nodename fozzy$" o && grep -q "^cpus 1 nprocs 1$" o &&
	fz run --det --seed 1 --cpus 4 -- "$FIX/det_sources" >o 2>/dev/null &&
	grep -q "^cpus 4 nprocs 4$" o
'
test_expect_success 'a 10 s sleep returns at once and the clock moved 10 s' '
	start=$(date +%s) &&
	fz run --det --seed 1 -- "$FIX/sleeper" 10 >o 2>/dev/null &&
	end=$(date +%s) &&
	grep -q "^slept 10\.000 s$" o && [ $((end - start)) -lt 3 ]
'
test_expect_success 'exit status: 0 pass, 1 the program failed, 4 crash' '
	expect_exit 0 fz run --det -- "$FIX/exit_code" 0 >/dev/null 2>&1 &&
	expect_exit 1 fz run --det -- "$FIX/exit_code" 3 >/dev/null 2>err &&
	grep -q "exit status 3" err &&
	expect_exit 4 fz run --det -- "$FIX/crash" >/dev/null 2>err && grep -q "SIGSEGV" err &&
	expect_exit 4 fz run --det -- "$FIX/crash" abort >/dev/null 2>err && grep -q "SIGABRT" err
'
for prog in "date" "date +%s.%N" "mktemp -u" "shuf -i 1-1000 -n 8" "od -An -N16 -tx1 /dev/urandom"; do
	test_expect_success "real program is deterministic: $prog" "
		run3 11 $prog && fz run --det --seed 12 -- $prog >o4 2>/dev/null &&
		case '$prog' in date*) cmp o1 o4 ;; *) ! cmp -s o1 o4 ;; esac
	"
done
test_expect_success 'python3: random, time, urandom, uuid4 deterministic per seed' '
	code="import random,time,os,uuid; print(random.random(), time.time(), os.urandom(8).hex(), uuid.uuid4())" &&
	run3 5 /usr/bin/python3 -c "$code" &&
	fz run --det --seed 6 -- /usr/bin/python3 -c "$code" >o4 2>/dev/null && ! cmp -s o1 o4 &&
	grep -q " 1704067200\." o1
'
test_done
