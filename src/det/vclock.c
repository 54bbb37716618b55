// SPDX-License-Identifier: MIT
/*
 * The virtual clock. Time moves only by rule (a fixed cost per traced syscall,
 * sleeps jump it forward), so every clock a program reads is a function of
 * what the program did, never of the host. Clock ids per clock_gettime(2).
 */
#include <errno.h>
#include <time.h>

#include "fozzy/det.h"

void vclock_init(struct vclock *c, uint64_t epoch_ns)
{
	c->now = 0;
	c->epoch_ns = epoch_ns;
	c->boot_ns = VCLOCK_DEFAULT_BOOT_NS;
	c->syscall_cost = VCLOCK_DEFAULT_SYSCALL_COST;
}

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

int vclock_read(const struct vclock *c, int id, uint64_t *ns)
{
	if (id < 0) {
		/*
		 * Dynamic CPU clocks (clock_getcpuclockid, pthread_getcpuclockid)
		 * encode ~pid << 3 | per-thread << 2 | type, type 0..2; type 3
		 * marks an fd clock (a PTP device) or, per-thread, nothing valid
		 * (kernel/time/posix-cpu-timers.c, CPUCLOCK_MAX). We have no
		 * devices; every valid CPU clock reads elapsed virtual time.
		 */
		if ((id & 3) == 3)
			return -EINVAL;
		*ns = c->now;
		return 0;
	}
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
		*ns = c->epoch_ns + c->now;
		return 0;
	case CLOCK_TAI:
		*ns = c->epoch_ns + c->now + 37ULL * 1000000000ULL;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ns = c->boot_ns + c->now;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = c->now;
		return 0;
	default:
		return -EINVAL;
	}
}

int vclock_res(int id, uint64_t *ns)
{
	uint64_t dummy;
	struct vclock c = { 0 };
	int ret = vclock_read(&c, id, &dummy);

	if (ret)
		return ret;
	*ns = (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE) ? 4000000 : 1;
	return 0;
}
