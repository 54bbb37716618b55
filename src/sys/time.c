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
#include <stddef.h>
#include <stdlib.h>
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
 * A sleep parks the thread until the virtual clock reaches its deadline; the
 * clock jumps there when nobody else can run. Without --det a sleep really
 * sleeps (holding the baton); its replay returns at once.
 */
static enum sys_action sleep_for(struct tracee *t, struct sys_call *c, uint64_t ns)
{
	if (!sup_det(t->sup)) {
		c->ret = 0;
		return SYS_EMULATE;
	}
	t->wait = WAIT_TIME;
	sup_set_deadline(t, ns, 0);
	return SYS_PARK;
}

enum sys_action sys_nanosleep(struct tracee *t, struct sys_call *c)
{
	uint64_t ns;

	if (!virtual_time(t))
		return SYS_CONTINUE;
	c->ret = get_timespec(t, c->args[0], &ns);
	if (c->ret)
		return SYS_EMULATE;
	return sleep_for(t, c, ns);
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
	return sleep_for(t, c, ns);
}

/*
 * Waits on file descriptors: poll, ppoll, select, pselect6, epoll_wait,
 * epoll_pwait, epoll_pwait2. The supervisor checks readiness itself (on
 * duplicates of the program's fds, never blocking). Ready, or a zero
 * timeout: the call runs at once. Otherwise the thread parks until one of
 * its fds is ready, or until its virtual deadline, when the call returns 0
 * as a timed-out wait does (sets, revents and remaining time cleared).
 */
#define POLL_MAX 4096

static bool pollfds_ready(struct tracee *t, uint64_t addr, uint64_t n)
{
	struct pollfd *fds;
	bool ready = false;
	uint64_t i;

	if (n == 0 || n > POLL_MAX)
		return n > POLL_MAX;
	fds = xcalloc(n, sizeof(*fds));
	if (tracee_read(t, addr, fds, n * sizeof(*fds))) {
		free(fds);
		return true; /* the kernel will say EFAULT */
	}
	for (i = 0; i < n && !ready; i++)
		if (fds[i].fd >= 0)
			ready = sup_fd_ready(t->sup, t, fds[i].fd, fds[i].events | POLLHUP) != 0;
	free(fds);
	return ready;
}

static bool fdsets_ready(struct tracee *t, uint64_t nfds, const uint64_t sets[3])
{
	static const short ev[3] = { POLLIN, POLLOUT, POLLPRI };
	uint64_t bits[1024 / 64];
	size_t words = (size_t)((nfds + 63) / 64);
	unsigned k;
	int fd;

	if (nfds > 1024)
		return true;
	for (k = 0; k < 3; k++) {
		if (!sets[k])
			continue;
		if (tracee_read(t, sets[k], bits, words * 8))
			return true;
		for (fd = 0; fd < (int)nfds; fd++)
			if ((bits[fd / 64] >> (fd % 64)) & 1 && sup_fd_ready(t->sup, t, fd, ev[k]) != 0)
				return true;
	}
	return false;
}

static bool poll_ready(struct tracee *t)
{
	const struct sys_call *c = t->cur;

	switch (c->nr) {
	case SYS_poll:
	case SYS_ppoll:
		return pollfds_ready(t, c->args[0], c->args[1]);
	case SYS_select:
	case SYS_pselect6: {
		uint64_t sets[3] = { c->args[1], c->args[2], c->args[3] };

		return fdsets_ready(t, c->args[0], sets);
	}
	default:
		return sup_fd_ready(t->sup, t, (int)c->args[0], POLLIN) != 0;
	}
}

static void poll_timed_out(struct tracee *t)
{
	const struct sys_call *c = t->cur;
	static const uint8_t zero[1024 / 8];
	static const struct timespec zts;
	static const struct timeval ztv;
	uint64_t i;
	unsigned k;

	switch (c->nr) {
	case SYS_poll:
	case SYS_ppoll:
		for (i = 0; i < c->args[1] && i < POLL_MAX; i++)
			tracee_write(t, c->args[0] + i * sizeof(struct pollfd) + offsetof(struct pollfd, revents),
				     zero, sizeof(short));
		if (c->nr == SYS_ppoll && c->args[2])
			tracee_write(t, c->args[2], &zts, sizeof(zts));
		break;
	case SYS_select:
	case SYS_pselect6:
		for (k = 1; k <= 3; k++)
			if (c->args[k] && c->args[0] <= 1024)
				tracee_write(t, c->args[k], zero, (size_t)((c->args[0] + 63) / 64 * 8));
		if (c->args[4])
			c->nr == SYS_select ? tracee_write(t, c->args[4], &ztv, sizeof(ztv))
					    : tracee_write(t, c->args[4], &zts, sizeof(zts));
		break;
	}
}

/* The timeout of a wait: *inf for none; -EFAULT/-EINVAL as the kernel would. */
static int64_t wait_timeout(struct tracee *t, const struct sys_call *c, bool *inf, uint64_t *ns)
{
	struct timeval tv;
	int64_t ms;

	*inf = false;
	switch (c->nr) {
	case SYS_poll:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
		ms = (int32_t)c->args[c->nr == SYS_poll ? 2 : 3];
		*inf = ms < 0;
		*ns = ms < 0 ? 0 : (uint64_t)ms * 1000000ULL;
		return 0;
	case SYS_select:
		if (!c->args[4]) {
			*inf = true;
			return 0;
		}
		if (tracee_read(t, c->args[4], &tv, sizeof(tv)))
			return ERR(EFAULT);
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return ERR(EINVAL);
		*ns = (uint64_t)tv.tv_sec * NS + (uint64_t)tv.tv_usec * 1000;
		return 0;
	default: { /* ppoll (2), pselect6 (4), epoll_pwait2 (3): a timespec */
		int idx = c->nr == SYS_ppoll ? 2 : c->nr == SYS_pselect6 ? 4 : 3;

		if (!c->args[idx]) {
			*inf = true;
			return 0;
		}
		return get_timespec(t, c->args[idx], ns);
	}
	}
}

enum sys_action sys_poll(struct tracee *t, struct sys_call *c)
{
	bool inf;
	uint64_t ns = 0;

	c->ret = wait_timeout(t, c, &inf, &ns);
	if (c->ret)
		return SYS_EMULATE;
	if (!inf && ns == 0) {
		/* A polling loop: let the others go first, or fifo would starve them. */
		t->yielded = !poll_ready(t);
		return SYS_CONTINUE;
	}
	if (poll_ready(t))
		return SYS_EXIT_STOP;
	t->wait = WAIT_POLL;
	t->wait_ready = poll_ready;
	if (!inf) {
		sup_set_deadline(t, ns, 0);
		t->on_timeout = poll_timed_out;
	}
	return SYS_PARK;
}

/*
 * Sending a signal: it runs at once; if it reached anyone, the scheduler
 * looks for parked threads that now have a signal to take (sup_signal_sent).
 */
enum sys_action sys_signal_send(struct tracee *t, struct sys_call *c)
{
	(void)t;
	(void)c;
	return SYS_EXIT_STOP;
}

void sys_signal_send_exit(struct tracee *t, struct sys_call *c)
{
	if (c->ret == 0)
		sup_signal_sent(t->sup);
}

/*
 * Waiting for a signal: pause, rt_sigsuspend, rt_sigtimedwait. Under --det,
 * or with several threads, the thread parks until a signal it waits for is
 * pending (sent by a thread, a child's end, or a virtual timer); it then runs
 * the call in the kernel, which returns at once. sigtimedwait's timeout is a
 * virtual deadline. Alone and without --det, it waits in the kernel.
 */
enum sys_action sys_signal_wait(struct tracee *t, struct sys_call *c)
{
	uint64_t set = 0, ns;

	if (!sup_det(t->sup) && sup_live_threads(t->sup) <= 1)
		return SYS_CONTINUE;
	if (c->nr != SYS_pause && tracee_read(t, c->args[0], &set, sizeof(set))) {
		c->ret = ERR(EFAULT);
		return SYS_EMULATE;
	}
	t->wait = WAIT_SIGNAL;
	/* sigsuspend: the signals its temporary mask lets through; sigtimedwait: its set */
	t->wait_sigmask = c->nr == SYS_rt_sigsuspend ? ~set : c->nr == SYS_rt_sigtimedwait ? set : 0;
	if (c->nr == SYS_rt_sigtimedwait && c->args[2]) {
		c->ret = get_timespec(t, c->args[2], &ns);
		if (c->ret)
			return SYS_EMULATE;
		sup_set_deadline(t, ns, ERR(EAGAIN));
	}
	return SYS_PARK;
}
