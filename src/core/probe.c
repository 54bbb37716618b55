// SPDX-License-Identifier: MIT
/*
 * Probes of what this machine can do. PR_SET_TSC(PR_TSC_SIGSEGV) sets CR4.TSD
 * so rdtsc faults, but some hypervisors (seen on Firecracker on AMD EPYC)
 * execute rdtsc without honouring it; there the TSC cannot be virtualized and
 * runs say so instead of claiming determinism they do not have.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

#include "fozzy/core.h"

bool probe_tsc_trap(void)
{
	static int cached = -1;
	int status;
	pid_t pid;

	if (cached >= 0)
		return cached;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0))
			_exit(1);
		(void)__rdtsc();
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	cached = WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
	return cached;
}
