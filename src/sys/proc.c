// SPDX-License-Identifier: MIT
/*
 * Processes and CPUs: the CPU count the program sees, the CPU it runs on,
 * thread and process creation (not supported until the scheduler lands), and
 * the prctl/personality switches that would undo the sandbox's determinism.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "sys_internal.h"

/* getcpu(2): always CPU 0, node 0. */
enum sys_action sys_getcpu(struct tracee *t, struct sys_call *c)
{
	unsigned zero = 0;

	c->ret = 0;
	if ((c->args[0] && tracee_write(t, c->args[0], &zero, sizeof(zero))) ||
	    (c->args[1] && tracee_write(t, c->args[1], &zero, sizeof(zero))))
		c->ret = ERR(EFAULT);
	return SYS_EMULATE;
}

/*
 * sched_getaffinity(2) at the syscall level returns the number of bytes it
 * wrote: the kernel's cpumask size, 8 for up to 64 CPUs. The same count is
 * in /sys/devices/system/cpu/{online,possible,present} inside the sandbox.
 */
enum sys_action sys_sched_getaffinity(struct tracee *t, struct sys_call *c)
{
	unsigned cpus = sup_cpus(t->sup);
	uint64_t mask = cpus >= 64 ? ~0ULL : (1ULL << cpus) - 1;

	if (c->args[1] < sizeof(mask) || (c->args[1] & (sizeof(long) - 1)))
		c->ret = ERR(EINVAL);
	else
		c->ret = tracee_write(t, c->args[2], &mask, sizeof(mask)) ? ERR(EFAULT)
									 : (int64_t)sizeof(mask);
	return SYS_EMULATE;
}

/*
 * prctl(2): PR_SET_TSC would re-enable rdtsc and bypass the virtual clock;
 * a filter of the program's own (PR_SET_SECCOMP, like seccomp(2)) could
 * outrank fozzy's (SECCOMP_RET_USER_NOTIF) and run traced calls unseen.
 */
enum sys_action sys_prctl(struct tracee *t, struct sys_call *c)
{
	(void)t;
	if (c->args[0] != PR_SET_TSC && c->args[0] != PR_SET_SECCOMP)
		return SYS_CONTINUE;
	c->ret = ERR(EPERM);
	return SYS_EMULATE;
}

/*
 * execve, execveat: the kernel kills every other thread of the process and
 * gives the exec'ing thread the main thread's id, an end the scheduler does
 * not follow yet: refuse it rather than lose the program.
 */
enum sys_action sys_execve(struct tracee *t, struct sys_call *c)
{
	(void)c;
	if (sup_thread_is_last(t))
		return SYS_CONTINUE;
	sup_abort(t->sup, "a thread called exec while its process has other threads: not supported yet");
	return SYS_ABORT;
}

/* personality(2): ASLR stays off for every exec, whatever the program asks. */
enum sys_action sys_personality(struct tracee *t, struct sys_call *c)
{
	if ((uint32_t)c->args[0] == 0xffffffffu || (c->args[0] & ADDR_NO_RANDOMIZE))
		return SYS_CONTINUE;
	t->regs.rdi = c->args[0] | ADDR_NO_RANDOMIZE;
	t->regs_dirty = true;
	return SYS_CONTINUE;
}
