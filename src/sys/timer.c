// SPDX-License-Identifier: MIT
/*
 * Timers on the virtual clock: alarm(2), setitimer(2)/getitimer(2),
 * timer_create(2) and friends, timerfd_create(2) and friends. Under --det the
 * kernel never arms anything: the supervisor keeps each timer's expiry in
 * virtual time and fires it (a signal, or a readable timerfd) when the clock
 * gets there, jumping to it when nobody can run. Without --det they are the
 * kernel's, in real time.
 */
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sys_internal.h"

#define NS 1000000000ULL

static uint64_t remaining(struct tracee *t, const struct vtimer *v)
{
	uint64_t now = sup_clock(t->sup)->now;

	return v && v->armed && v->expiry > now ? v->expiry - now : 0;
}

static void to_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NS);
	tv->tv_usec = (suseconds_t)(ns % NS / 1000);
}

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
}

static int64_t from_timespec(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (long)NS)
		return ERR(EINVAL);
	*ns = (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;
	return 0;
}

static void arm(struct tracee *t, struct vtimer *v, uint64_t value, uint64_t interval)
{
	v->armed = value != 0;
	v->expiry = sup_clock(t->sup)->now + value;
	v->interval = interval;
	v->overrun = 0;
}

static const int itimer_signal[3] = { SIGALRM, SIGVTALRM, SIGPROF };

/* alarm(seconds): the previous alarm's seconds left, rounded to nearest, at least 1 */
enum sys_action sys_alarm(struct tracee *t, struct sys_call *c)
{
	struct vtimer *v;
	uint64_t left;

	if (!sup_det(t->sup))
		return SYS_CONTINUE;
	v = sup_timer(t->sup, t, VT_ITIMER, 0, true);
	left = remaining(t, v);
	c->ret = left ? (int64_t)((left + NS / 2) / NS) : 0;
	if (left && !c->ret)
		c->ret = 1;
	v->signo = SIGALRM;
	arm(t, v, (uint64_t)(uint32_t)c->args[0] * NS, 0);
	return SYS_EMULATE;
}

static int64_t put_itimerval(struct tracee *t, uint64_t addr, const struct vtimer *v)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	to_timeval(remaining(t, v), &it.it_value);
	if (v && v->armed)
		to_timeval(v->interval, &it.it_interval);
	return tracee_write(t, addr, &it, sizeof(it)) ? ERR(EFAULT) : 0;
}

/* setitimer(which, new, old), getitimer(which, cur): the three interval timers */
enum sys_action sys_itimer(struct tracee *t, struct sys_call *c)
{
	struct itimerval it;
	struct vtimer *v;
	uint64_t which = c->args[0];

	if (!sup_det(t->sup))
		return SYS_CONTINUE;
	if (which > 2) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	v = sup_timer(t->sup, t, VT_ITIMER, which, true);
	v->signo = itimer_signal[which];
	if (c->nr == SYS_getitimer) {
		c->ret = put_itimerval(t, c->args[1], v);
		return SYS_EMULATE;
	}
	if (c->args[1] && tracee_read(t, c->args[1], &it, sizeof(it))) {
		c->ret = ERR(EFAULT);
		return SYS_EMULATE;
	}
	if (!c->args[1])
		memset(&it, 0, sizeof(it));
	if (it.it_value.tv_usec < 0 || it.it_value.tv_usec >= 1000000 || it.it_value.tv_sec < 0 ||
	    it.it_interval.tv_usec < 0 || it.it_interval.tv_usec >= 1000000 || it.it_interval.tv_sec < 0) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	c->ret = c->args[2] ? put_itimerval(t, c->args[2], v) : 0;
	if (!c->ret)
		arm(t, v, (uint64_t)it.it_value.tv_sec * NS + (uint64_t)it.it_value.tv_usec * 1000,
		    (uint64_t)it.it_interval.tv_sec * NS + (uint64_t)it.it_interval.tv_usec * 1000);
	return SYS_EMULATE;
}

/* The sigevent layout the kernel reads (include/uapi/asm-generic/siginfo.h). */
struct k_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

/* timer_create(clockid, sevp, timerid) */
static enum sys_action timer_create_(struct tracee *t, struct sys_call *c)
{
	struct k_sigevent ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
	struct vtimer *v;
	uint64_t dummy, id;
	int32_t kid;

	if (vclock_read(sup_clock(t->sup), (int)c->args[0], &dummy)) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	if (c->args[1] && tracee_read(t, c->args[1], &ev, sizeof(ev))) {
		c->ret = ERR(EFAULT);
		return SYS_EMULATE;
	}
	if (ev.notify != SIGEV_NONE && ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_THREAD_ID) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > 64)) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	id = sup_timer_new_id(t->sup, t);
	if (!c->args[1])
		ev.value = id;
	kid = (int32_t)id;
	if (tracee_write(t, c->args[2], &kid, sizeof(kid))) {
		c->ret = ERR(EFAULT);
		return SYS_EMULATE;
	}
	v = sup_timer(t->sup, t, VT_POSIX, id, true);
	v->signo = ev.notify == SIGEV_NONE ? 0 : ev.signo;
	v->notify = ev.notify;
	v->value = ev.value;
	v->clockid = (int)c->args[0];
	v->target = ev.notify == SIGEV_THREAD_ID ? sup_host_tid(t->sup, t, ev.tid) : 0;
	if (ev.notify == SIGEV_THREAD_ID && !v->target) {
		sup_timer_delete(t->sup, v);
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	c->ret = 0;
	return SYS_EMULATE;
}

static int64_t put_itimerspec(struct tracee *t, uint64_t addr, const struct vtimer *v)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	to_timespec(remaining(t, v), &its.it_value);
	if (v->armed)
		to_timespec(v->interval, &its.it_interval);
	return tracee_write(t, addr, &its, sizeof(its)) ? ERR(EFAULT) : 0;
}

/* timer_settime / timerfd_settime: (id, flags, new, old); abstime in flags bit 0 for both */
static int64_t settime(struct tracee *t, struct vtimer *v, const struct sys_call *c)
{
	struct itimerspec its;
	uint64_t value, interval, now;
	int64_t rc;

	if (tracee_read(t, c->args[2], &its, sizeof(its)))
		return ERR(EFAULT);
	rc = from_timespec(&its.it_value, &value);
	if (!rc)
		rc = from_timespec(&its.it_interval, &interval);
	if (rc)
		return rc;
	if (c->args[3] && (rc = put_itimerspec(t, c->args[3], v)))
		return rc;
	if (value && (c->args[1] & 1 /* TIMER_ABSTIME, TFD_TIMER_ABSTIME */)) {
		if (vclock_read(sup_clock(t->sup), v->clockid, &now))
			now = 0;
		value = value > now ? value - now : 1; /* already past: fires at once */
	}
	arm(t, v, value, interval);
	return 0;
}

enum sys_action sys_posix_timer(struct tracee *t, struct sys_call *c)
{
	struct vtimer *v;

	if (!sup_det(t->sup))
		return SYS_CONTINUE;
	if (c->nr == SYS_timer_create)
		return timer_create_(t, c);
	v = sup_timer(t->sup, t, VT_POSIX, (uint64_t)(int32_t)c->args[0], false);
	if (!v) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	switch (c->nr) {
	case SYS_timer_settime:
		c->ret = settime(t, v, c);
		break;
	case SYS_timer_gettime:
		c->ret = put_itimerspec(t, c->args[1], v);
		break;
	case SYS_timer_getoverrun:
		c->ret = v->overrun;
		break;
	default: /* timer_delete */
		sup_timer_delete(t->sup, v);
		c->ret = 0;
	}
	return SYS_EMULATE;
}

/* timerfd_create runs for real (the program needs a real fd to poll); it is never armed. */
enum sys_action sys_timerfd(struct tracee *t, struct sys_call *c)
{
	struct vtimer *v;

	if (!sup_det(t->sup))
		return SYS_CONTINUE;
	if (c->nr == SYS_timerfd_create)
		return SYS_EXIT_STOP;
	v = sup_timer(t->sup, t, VT_TIMERFD, c->args[0], false);
	if (!v)
		return SYS_CONTINUE; /* not made under fozzy: the kernel's */
	if (c->nr == SYS_timerfd_gettime) {
		c->ret = put_itimerspec(t, c->args[1], v);
		return SYS_EMULATE;
	}
	c->ret = settime(t, v, c);
	if (!c->ret) {
		/* Setting a timerfd clears its expirations: disarm the real one, fired or not. */
		static const struct itimerspec off;
		int dup = sup_dup_fd(t->sup, t, (int)c->args[0]);

		if (dup >= 0) {
			timerfd_settime(dup, 0, &off, NULL);
			close(dup);
		}
	}
	return SYS_EMULATE;
}

void sys_timerfd_exit(struct tracee *t, struct sys_call *c)
{
	struct vtimer *v;

	if (c->nr != SYS_timerfd_create || c->ret < 0)
		return;
	v = sup_timer(t->sup, t, VT_TIMERFD, (uint64_t)c->ret, true);
	memset(&v->armed, 0, sizeof(*v) - offsetof(struct vtimer, armed));
	v->clockid = (int)c->args[0];
}
