// SPDX-License-Identifier: MIT
/*
 * Clocks, sleeps, timers and timeouts. Under --det every clock reads the
 * virtual clock and sleeps jump it forward; without --det clocks read the
 * host and the value read is recorded as a decision, so replay reproduces it.
 * Replays always answer from the log. Kernel ABI per clock_gettime(2),
 * gettimeofday(2), time(2), nanosleep(2), clock_nanosleep(2), poll(2).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "sys_internal.h"

#define NS 1000000000ULL

/* Answer from the virtual clock (det) or the log (replay)? Else: let the host answer. */
static bool virtual_time(struct tracee *t)
{
	return sup_det(t->sup) || sup_replaying(t->sup);
}

static int64_t put_timespec(struct tracee *t, uint64_t addr, uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NS), .tv_nsec = (long)(ns % NS) };

	return tracee_write(t, addr, &ts, sizeof(ts)) ? ERR(EFAULT) : 0;
}

static int64_t put_timeval(struct tracee *t, uint64_t addr, uint64_t ns)
{
	struct timeval tv = { .tv_sec = (time_t)(ns / NS), .tv_usec = (suseconds_t)(ns % NS / 1000) };

	return tracee_write(t, addr, &tv, sizeof(tv)) ? ERR(EFAULT) : 0;
}

/* Read a timespec argument; -EFAULT or -EINVAL as the kernel would. */
static int64_t get_timespec(struct tracee *t, uint64_t addr, uint64_t *ns)
{
	struct timespec ts;

	if (tracee_read(t, addr, &ts, sizeof(ts)))
		return ERR(EFAULT);
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS)
		return ERR(EINVAL);
	*ns = (uint64_t)ts.tv_sec > UINT64_MAX / NS / 2 ? UINT64_MAX / 2
						       : (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
	return 0;
}

enum sys_action sys_clock_gettime(struct tracee *t, struct sys_call *c)
{
	uint64_t ns = 0;
	int rc;

	if (!virtual_time(t))
		return SYS_EXIT_STOP;
	rc = vclock_read(sup_clock(t->sup), (int)c->args[0], &ns);
	if (rc) {
		c->ret = rc;
		return SYS_EMULATE;
	}
	c->ret = put_timespec(t, c->args[1], decide_value(sup_decider(t->sup), ns));
	return SYS_EMULATE;
}

void sys_clock_gettime_exit(struct tracee *t, struct sys_call *c)
{
	struct timespec ts;

	if (c->ret == 0 && !tracee_read(t, c->args[1], &ts, sizeof(ts)))
		decide_value(sup_decider(t->sup), (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec);
}

static uint64_t realtime_now(struct tracee *t)
{
	uint64_t ns = 0;

	vclock_read(sup_clock(t->sup), CLOCK_REALTIME, &ns);
	return ns;
}

enum sys_action sys_gettimeofday(struct tracee *t, struct sys_call *c)
{
	static const struct timezone tz = { 0, 0 };

	if (!virtual_time(t))
		return SYS_EXIT_STOP;
	c->ret = 0;
	if (c->args[0])
		c->ret = put_timeval(t, c->args[0], decide_value(sup_decider(t->sup), realtime_now(t)));
	if (!c->ret && c->args[1] && tracee_write(t, c->args[1], &tz, sizeof(tz)))
		c->ret = ERR(EFAULT);
	return SYS_EMULATE;
}

void sys_gettimeofday_exit(struct tracee *t, struct sys_call *c)
{
	struct timeval tv;

	if (c->ret == 0 && c->args[0] && !tracee_read(t, c->args[0], &tv, sizeof(tv)))
		decide_value(sup_decider(t->sup), (uint64_t)tv.tv_sec * NS + (uint64_t)tv.tv_usec * 1000);
}

enum sys_action sys_time(struct tracee *t, struct sys_call *c)
{
	uint64_t secs;

	if (!virtual_time(t))
		return SYS_EXIT_STOP;
	secs = decide_value(sup_decider(t->sup), realtime_now(t) / NS);
	c->ret = (int64_t)secs;
	if (c->args[0] && tracee_write(t, c->args[0], &secs, sizeof(secs)))
		c->ret = ERR(EFAULT);
	return SYS_EMULATE;
}

void sys_time_exit(struct tracee *t, struct sys_call *c)
{
	if (c->ret >= 0)
		decide_value(sup_decider(t->sup), (uint64_t)c->ret);
}

enum sys_action sys_clock_getres(struct tracee *t, struct sys_call *c)
{
	uint64_t ns;
	int rc = vclock_res((int)c->args[0], &ns);

	c->ret = rc ? rc : c->args[1] ? put_timespec(t, c->args[1], ns) : 0;
	return SYS_EMULATE;
}

/* times(2): clock ticks of 10 ms (USER_HZ 100); all CPU time is user time. */
enum sys_action sys_times(struct tracee *t, struct sys_call *c)
{
	struct vclock *vc = sup_clock(t->sup);
	struct tms tms = { .tms_utime = (clock_t)(vc->now / 10000000ULL) };

	c->ret = (int64_t)((vc->boot_ns + vc->now) / 10000000ULL);
	if (c->args[0] && tracee_write(t, c->args[0], &tms, sizeof(tms)))
		c->ret = ERR(EFAULT);
	return SYS_EMULATE;
}

/* getrusage(2): user time is virtual time; every counter is zero. */
enum sys_action sys_getrusage(struct tracee *t, struct sys_call *c)
{
	struct rusage ru;
	int who = (int)c->args[0];
	uint64_t now = sup_clock(t->sup)->now;

	memset(&ru, 0, sizeof(ru));
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	if (who != RUSAGE_CHILDREN) {
		ru.ru_utime.tv_sec = (time_t)(now / NS);
		ru.ru_utime.tv_usec = (suseconds_t)(now % NS / 1000);
	}
	c->ret = tracee_write(t, c->args[1], &ru, sizeof(ru)) ? ERR(EFAULT) : 0;
	return SYS_EMULATE;
}

/* sysinfo(2): a fixed machine whose uptime is the virtual monotonic clock. */
enum sys_action sys_sysinfo(struct tracee *t, struct sys_call *c)
{
	struct vclock *vc = sup_clock(t->sup);
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (long)((vc->boot_ns + vc->now) / NS);
	si.totalram = 4ULL << 30;
	si.freeram = 2ULL << 30;
	si.procs = 1;
	si.mem_unit = 1;
	c->ret = tracee_write(t, c->args[0], &si, sizeof(si)) ? ERR(EFAULT) : 0;
	return SYS_EMULATE;
}

/*
 * Without --det a sleep really sleeps, and the virtual clock (which only
 * counts syscalls then) does not move; its replay returns at once, likewise.
 */
static void sleep_for(struct tracee *t, uint64_t ns)
{
	if (sup_det(t->sup))
		sup_advance(t->sup, ns);
}

enum sys_action sys_nanosleep(struct tracee *t, struct sys_call *c)
{
	uint64_t ns;

	if (!virtual_time(t))
		return SYS_CONTINUE;
	c->ret = get_timespec(t, c->args[0], &ns);
	if (!c->ret)
		sleep_for(t, ns);
	return SYS_EMULATE;
}

enum sys_action sys_clock_nanosleep(struct tracee *t, struct sys_call *c)
{
	int id = (int)c->args[0];
	uint64_t ns, cur;

	if (!virtual_time(t))
		return SYS_CONTINUE;
	if (id == CLOCK_THREAD_CPUTIME_ID || vclock_read(sup_clock(t->sup), id, &cur)) {
		c->ret = id == CLOCK_THREAD_CPUTIME_ID ? ERR(EINVAL) : ERR(ENOTSUP);
		return SYS_EMULATE;
	}
	c->ret = get_timespec(t, c->args[2], &ns);
	if (c->ret)
		return SYS_EMULATE;
	if (c->args[1] & TIMER_ABSTIME)
		ns = ns > cur ? ns - cur : 0;
	sleep_for(t, ns);
	return SYS_EMULATE;
}

/* Timers deliver signals at host times; the scheduler issue makes them virtual. */
enum sys_action sys_timer_unsupported(struct tracee *t, struct sys_call *c)
{
	char name[32];

	if (!sup_det(t->sup))
		return SYS_CONTINUE;
	sys_name(c->nr, name, sizeof(name));
	sup_abort(t->sup, "the program called '%s': timers and alarms are not supported under --det yet", name);
	return SYS_ABORT;
}

/*
 * Waits on file descriptors. A zero timeout is a plain readiness check. A
 * finite timeout is turned into a zero one: if nothing is ready the wait
 * times out at once and the virtual clock jumps by the timeout. Only one
 * thread exists yet, so nothing inside the sandbox could make an fd ready
 * meanwhile. An infinite wait needs the scheduler (issue 3) and stops the run.
 */
static enum sys_action wait_unsupported(struct tracee *t, struct sys_call *c)
{
	char name[32];

	sys_name(c->nr, name, sizeof(name));
	sup_abort(t->sup, "the program waits without a timeout in '%s': blocking waits are not supported under --det yet", name);
	return SYS_ABORT;
}

/* poll, epoll_wait, epoll_pwait: the timeout is an int argument, in ms. */
enum sys_action sys_poll(struct tracee *t, struct sys_call *c)
{
	int idx = c->nr == SYS_poll ? 2 : 3;
	int ms = (int)c->args[idx];

	if (!sup_det(t->sup) || ms == 0)
		return SYS_CONTINUE;
	if (ms < 0)
		return wait_unsupported(t, c);
	c->scratch[0] = (uint64_t)ms * 1000000ULL;
	if (idx == 2)
		t->regs.rdx = 0;
	else
		t->regs.r10 = 0;
	t->regs_dirty = true;
	return SYS_EXIT_STOP;
}

void sys_poll_exit(struct tracee *t, struct sys_call *c)
{
	if (c->ret == 0)
		sup_advance(t->sup, c->scratch[0]);
}

/* ppoll, pselect6, epoll_pwait2: the timeout is a struct timespec pointer. */
enum sys_action sys_ppoll(struct tracee *t, struct sys_call *c)
{
	int idx = c->nr == SYS_pselect6 ? 4 : c->nr == SYS_ppoll ? 2 : 3;
	static const struct timespec zero;
	uint64_t ns;

	if (!sup_det(t->sup))
		return SYS_CONTINUE;
	if (!c->args[idx])
		return wait_unsupported(t, c);
	c->ret = get_timespec(t, c->args[idx], &ns);
	if (c->ret)
		return SYS_EMULATE;
	if (ns == 0)
		return SYS_CONTINUE;
	c->scratch[0] = ns;
	c->scratch[1] = (uint64_t)idx;
	if (tracee_write(t, c->args[idx], &zero, sizeof(zero))) {
		c->ret = ERR(EFAULT);
		return SYS_EMULATE;
	}
	return SYS_EXIT_STOP;
}

void sys_ppoll_exit(struct tracee *t, struct sys_call *c)
{
	uint64_t addr = c->args[c->scratch[1]];

	/* Timed out: the remaining time the kernel wrote back is zero, as it should be. */
	if (c->ret == 0)
		sup_advance(t->sup, c->scratch[0]);
	else if (c->ret > 0 && c->nr != SYS_epoll_pwait2)
		put_timespec(t, addr, c->scratch[0]); /* ready at once: nothing elapsed */
}

/* select(2): struct timeval, updated with the time left. */
enum sys_action sys_select(struct tracee *t, struct sys_call *c)
{
	static const struct timeval zero;
	struct timeval tv;

	if (!sup_det(t->sup))
		return SYS_CONTINUE;
	if (!c->args[4])
		return wait_unsupported(t, c);
	if (tracee_read(t, c->args[4], &tv, sizeof(tv))) {
		c->ret = ERR(EFAULT);
		return SYS_EMULATE;
	}
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	c->scratch[0] = (uint64_t)tv.tv_sec * NS + (uint64_t)tv.tv_usec * 1000;
	if (!c->scratch[0])
		return SYS_CONTINUE;
	if (tracee_write(t, c->args[4], &zero, sizeof(zero))) {
		c->ret = ERR(EFAULT);
		return SYS_EMULATE;
	}
	return SYS_EXIT_STOP;
}

void sys_select_exit(struct tracee *t, struct sys_call *c)
{
	if (c->ret == 0)
		sup_advance(t->sup, c->scratch[0]);
	else if (c->ret > 0)
		put_timeval(t, c->args[4], c->scratch[0]);
}
