#!/bin/sh
# Threads and processes under the seeded scheduler: one thread runs at a time,
# the seed decides every switch, replay reproduces the interleaving.
. "$(dirname "$0")/lib.sh"

same() { # seed args...: five runs, byte-identical output
	seed=$1
	shift
	fz run --det --seed "$seed" -- "$@" >r1 2>/dev/null || return 1
	for i in 2 3 4 5; do
		fz run --det --seed "$seed" -- "$@" >r$i 2>/dev/null && cmp r1 r$i || return 1
	done
}

for m in racy mutex condvar sync sleep join; do
	test_expect_success "threads $m: byte-identical across runs with one seed" "
		same 3 \"\$FIX/threads\" $m
	"
done
test_expect_success 'a racy counter ends at different values across seeds' '
	for s in 1 2 3 4 5 6; do fz run --det --seed $s -- "$FIX/threads" racy 2>/dev/null; done | sort -u >vals &&
	[ $(wc -l <vals) -ge 2 ]
'
test_expect_success 'mutex interleavings differ across seeds, always complete' '
	for s in 1 2 3 4; do fz run --det --seed $s -- "$FIX/threads" mutex 2>/dev/null; done >runs &&
	[ $(sort -u runs | wc -l) -ge 2 ] && ! grep -v "^counter 20 " runs
'
test_expect_success 'condition variables: producer/consumer hands over every item' '
	fz run --det --seed 9 -- "$FIX/threads" condvar 2>/dev/null | grep -q "^consumed total 210$"
'
test_expect_success 'spin locks yield instead of spinning: no preemption needed' '
	for s in 1 2 3 4 5 6 7 8; do
		fz run --det --seed $s -- "$FIX/threads" sync >/dev/null 2>err || return 1
		! grep -q preempted err || return 1
	done
'
test_expect_success 'rwlock, semaphore, barrier, once, spinlock, timedlock' '
	fz run --det --seed 4 -- "$FIX/threads" sync 2>/dev/null | grep -q "^counter 4 once 1 order [abcd]\{4\} trylock 0$"
'
test_expect_success 'sleeping threads wake in virtual-time order, at once' '
	start=$(date +%s) &&
	fz run --det --seed 4 -- "$FIX/threads" sleep >o 2>err && grep -q "woke in order 1234" o &&
	grep -q "virtual time 400 ms" err && [ $(( $(date +%s) - start )) -lt 3 ]
'
test_expect_success 'a deadlock ends the run as a failure naming each waiting thread' '
	expect_exit 1 fz run --det --seed 1 -- "$FIX/threads" deadlock >/dev/null 2>err &&
	grep -q "deadlock: every thread is blocked" err &&
	grep -q "thread 2 (process 1) waits on a futex" err && grep -q "thread 3 (process 1) waits on a futex" err
'
for m in pipes exec zombie; do
	test_expect_success "processes $m: fork, pipes, exec, wait are deterministic" "
		same 2 \"\$FIX/procs\" $m
	"
done
test_expect_success 'children writing one pipe interleave by seed' '
	fz run --det --seed 1 -- "$FIX/procs" pipes >a 2>/dev/null &&
	grep -c "^child" a | grep -q 6 && grep -c "^reaped pid [345] status [012]" a | grep -q 3
'
test_expect_success 'replays of threaded and multi-process runs match' '
	for m in racy mutex condvar sync sleep; do
		fz run --det --seed 7 --record t-$m.fozzy -- "$FIX/threads" $m >/dev/null 2>&1 &&
		fz replay t-$m.fozzy >/dev/null 2>err && grep -q "replay: match" err || return 1
	done &&
	for m in pipes exec; do
		fz run --det --seed 7 --record p-$m.fozzy -- "$FIX/procs" $m >/dev/null 2>&1 &&
		fz replay p-$m.fozzy >/dev/null 2>err && grep -q "replay: match" err || return 1
	done
'
test_expect_success '--schedule fifo runs a thread until it blocks or yields' '
	fz run --det --seed 1 --schedule fifo -- "$FIX/threads" mutex 2>/dev/null | grep -q "order abcdabcdabcdabcdabcd$" &&
	fz run --det --seed 2 --schedule fifo -- "$FIX/threads" mutex 2>/dev/null | grep -q "order abcdabcdabcdabcdabcd$"
'
test_expect_success '--schedule pct: deterministic per seed, varies across seeds' '
	fz run --det --seed 4 --schedule pct -- "$FIX/threads" mutex >p1 2>/dev/null &&
	fz run --det --seed 4 --schedule pct -- "$FIX/threads" mutex >p2 2>/dev/null && cmp p1 p2 &&
	for s in 1 2 3 4 5; do fz run --det --seed $s --schedule pct --pct-depth 2 -- "$FIX/threads" mutex 2>/dev/null; done | sort -u | wc -l >n &&
	[ $(cat n) -ge 2 ]
'
test_expect_success 'replay follows the recorded strategy' '
	for st in fifo pct; do
		fz run --det --seed 3 --schedule $st --record s-$st.fozzy -- "$FIX/threads" racy >a 2>/dev/null &&
		fz replay s-$st.fozzy >b 2>err && grep -q "replay: match" err && cmp a b || return 1
	done
'
test_expect_success 'a bad --schedule or --pct-depth is a usage error' '
	expect_exit 2 fz run --schedule lifo -- /bin/true 2>err && grep -q "invalid --schedule" err &&
	expect_exit 2 fz run --schedule pct --pct-depth 0 -- /bin/true
'
test_expect_success 'a thread spinning without syscalls is preempted; strict mode rejects the run' '
	# seeds 1 and 3 of pct run the spinner before main sets its flag (checked)
	for s in 1 2 3; do
		fz run --det --seed $s --schedule pct --wall-timeout 20s -- "$FIX/threads" spin >o 2>err; rc=$?
		grep -q "spinner released" o || return 1
		if grep -q "preempted" err; then
			[ $rc = 2 ] && grep -q "strict mode" err &&
			fz --unsafe run --det --seed $s --schedule pct --wall-timeout 20s -- "$FIX/threads" spin >/dev/null 2>err2 &&
			grep -q "preempted" err2 && echo preempted >>seen || return 1
		fi
	done;
	test -s seen
'
test_expect_success 'signals: raise, kill of a blocked child, restarted reads, SIGCHLD' '
	for s in 1 2 3 4 5 6; do
		fz run --det --seed $s --wall-timeout 10s -- "$FIX/signals" >o$s 2>/dev/null || return 1
	done &&
	grep -q "^raise: handler saw 10$" o1 && grep -q "^kill: child killed by signal 15$" o1 &&
	grep -q "read on: yes$" o1 && grep -q "^sigchld: 1$" o1 &&
	for s in 2 3 4 5 6; do cmp o1 o$s || return 1; done &&
	same 5 "$FIX/signals"
'
test_expect_success 'libfozzy-rt: pthread calls are scheduling points, so an atomicity bug shows' '
	for s in 1 2 3 4 5 6; do fz run --det --seed $s --no-rt -- "$FIX/threads" atomicity 2>/dev/null; done | sort -u >no-rt &&
	[ "$(cat no-rt)" = "counter 20 (of 20)" ] &&
	for s in 1 2 3 4 5 6; do fz run --det --seed $s -- "$FIX/threads" atomicity 2>/dev/null; done | sort -u >rt &&
	grep -v "counter 20 " rt
'
test_expect_success 'libfozzy-rt is harmless outside fozzy' '
	LD_PRELOAD="$SRC_ROOT/libfozzy-rt.so" "$FIX/threads" condvar | grep -q "consumed total 210"
'
test_expect_success 'reports say which scheduling points a run had' '
	fz --json run --det -- "$FIX/threads" mutex 2>/dev/null | grep -q "syscalls and pthread calls (libfozzy-rt)" &&
	fz --json run --det --no-rt -- "$FIX/threads" mutex 2>/dev/null | grep -q "syscalls only (--no-rt)" &&
	fz --json run --det -- "$FIX/hello_static" 2>/dev/null | grep -q "a static binary cannot preload" &&
	fz run --det --seed 2 -- "$FIX/hello_static" 2>/dev/null | grep -q "^static hello at 1704067200$"
'
test_expect_success 'a deadlock report names the pthread call each thread is in' '
	fz run --det --seed 1 -- "$FIX/threads" deadlock >/dev/null 2>err;
	grep -q "last in pthread_mutex_lock(0x" err && grep -q "last in pthread_join" err
'
test_expect_success 'runs with the runtime replay and match' '
	fz run --det --seed 3 --record rt.fozzy -- "$FIX/threads" atomicity >a 2>/dev/null &&
	fz replay rt.fozzy >b 2>err && grep -q "replay: match" err && cmp a b
'
test_expect_success 'timers on the virtual clock: alarm, setitimer, POSIX (signal, thread), timerfd' '
	start=$(date +%s) &&
	fz run --det --seed 1 -- "$FIX/timers" >o 2>err && [ $(( $(date +%s) - start )) -lt 5 ] &&
	cat >want <<-EOT &&
	alarm: fired 1 at +3.000 s
	itimer: 5 ticks by +3.500 s
	posix signal: got 10 at +5.500 s
	posix thread: value 42 at +7.500 s
	timerfd: 1 expiration at +12.500 s
	EOT
	diff want o && grep -q "virtual time 12500 ms" err &&
	same 2 "$FIX/timers" &&
	fz run --det --seed 2 --record tm.fozzy -- "$FIX/timers" >a 2>/dev/null &&
	fz replay tm.fozzy >b 2>err && grep -q "replay: match" err && cmp a b
'
test_expect_success 'a thread dying while holding a robust mutex hands it over (EOWNERDEAD)' '
	for s in 1 2 3; do
		fz run --det --seed $s --wall-timeout 10s -- "$FIX/threads" robust 2>/dev/null | grep -q "^robust lock: EOWNERDEAD$" || return 1
	done
'
test_expect_success 'exec from a process with other threads is refused, not run unsupervised' '
	cat >exmt.c <<-EOT &&
	#include <pthread.h>
	#include <unistd.h>
	static void *idle(void *a) { pause(); return a; }
	int main(void) { pthread_t t; pthread_create(&t, NULL, idle, NULL); usleep(1000); execl("/bin/date", "date", (char *)0); return 1; }
	EOT
	cc -o exmt exmt.c -pthread &&
	expect_exit 2 fz run --det --seed 1 --wall-timeout 10s -- ./exmt >out 2>err &&
	grep -q "called exec while its process has other threads" err && ! grep -q 2024 out
'
test_expect_success 'a thread can join the main thread after it called pthread_exit' '
	for s in 1 2 3; do
		fz run --det --seed $s --wall-timeout 10s -- "$FIX/threads" joinmain 2>/dev/null | grep -q "^joined the main thread$" || return 1
	done
'
test_expect_success 'a write larger than the pipe goes through whole while another thread reads' '
	fz run --det --seed 2 --wall-timeout 10s -- "$FIX/bigpipe" >o 2>err &&
	printf "read 1048576\nwrote 1048576\n" >want && diff want o && ! grep -q preempted err &&
	same 2 "$FIX/bigpipe" &&
	fz run --det --seed 2 --record bp.fozzy -- "$FIX/bigpipe" >/dev/null 2>&1 &&
	fz replay bp.fozzy >/dev/null 2>err && grep -q "replay: match" err &&
	fz run --wall-timeout 10s -- "$FIX/bigpipe" >o 2>/dev/null && diff want o
'
test_expect_success 'sigwait in a dedicated thread, signalfd, a lone timerfd read' '
	fz run --det --seed 1 --wall-timeout 10s -- "$FIX/sigwait" >o 2>err &&
	printf "signal thread got 14\nsignalfd got 10\ntimerfd read 1\n" >want && diff want o &&
	grep -q "virtual time 5000 ms" err && same 3 "$FIX/sigwait"
'
test_expect_success 'without --det, kernel timers still reach threads waiting for signals' '
	fz run --wall-timeout 20s -- "$FIX/sigwait" >o 2>/dev/null && grep -q "signal thread got 14" o
'
test_expect_success 'a shell running commands in sequence and in pipelines reaps every child' '
	for seed in 1 2 3 4 5; do
		fz run --det --seed $seed --wall-timeout 20s -- sh -c "/bin/true; /bin/true; /bin/echo a | cat; ls / | cat >/dev/null; echo done" >out 2>err &&
		printf "a\ndone\n" >want && cmp want out || return 1
	done
'
test_expect_success 'a CLONE_VM child process waits on a private futex its parent wakes (the kernel keys them by address space)' '
	for seed in 1 2 3 4; do
		fz run --det --seed $seed --wall-timeout 10s -- "$FIX/clone_vm" >out 2>err &&
		grep -q woken out || return 1
	done
'
test_done
