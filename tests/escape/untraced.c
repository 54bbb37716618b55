// SPDX-License-Identifier: MIT
/*
 * Escape attempt 9: a child the supervisor does not trace. clone3 must fail
 * (ENOSYS: its flags are out of the filter's reach); clone with
 * CLONE_UNTRACED must still give a traced child. Each child reads
 * getrandom and the realtime clock: traced, both come from the seed and the
 * virtual clock (2024-01-01); an untraced child would get ENOSYS from the
 * filter or, worse, host values. Then it tries to create argv[1]/untraced.
 * The test runs this twice with one seed and compares the output.
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"

static void child(const char *how, const char *target)
{
	char path[4096];
	uint64_t r = 0;
	struct timespec ts = { 0, 0 };
	long n, c, fd;

	n = getrandom(&r, sizeof(r), 0);
	c = clock_gettime(CLOCK_REALTIME, &ts);
	printf("%s: pid %d getrandom %ld %016llx clock_gettime %ld %lld\n", how, (int)getpid(),
	       n < 0 ? -errno : n, (unsigned long long)r, c < 0 ? -errno : c, (long long)ts.tv_sec);
	snprintf(path, sizeof(path), "%s/untraced", target);
	fd = attempt(open(path, O_WRONLY | O_CREAT, 0644), "%s: open %s O_CREAT", how, path);
	if (fd >= 0)
		close((int)fd);
	fflush(stdout);
	_exit(0);
}

static void spawn(const char *how, unsigned long flags, const char *target)
{
	int status;
	long pid;

	fflush(stdout);
	pid = syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
	if (pid == 0) {
		char label[128];

		snprintf(label, sizeof(label), "%s child", how);
		child(label, target);
	}
	attempt(pid < 0 ? pid : 0, "clone(%s)", how);
	if (pid <= 0)
		return;
	if (waitpid((pid_t)pid, &status, 0) == pid)
		printf("%s: child exit %d\n", how, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	else
		printf("%s: waitpid %s (the child is init's)\n", how, errname(errno));
}

int main(int argc, char **argv)
{
	struct clone_args ca;
	long pid;

	escape_init();
	if (argc < 2) {
		fprintf(stderr, "usage: untraced TARGET_DIR\n");
		return 2;
	}
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_UNTRACED;
	ca.exit_signal = SIGCHLD;
	fflush(stdout);
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		child("clone3(CLONE_UNTRACED) child", argv[1]);
	attempt(pid, "clone3(CLONE_UNTRACED)");
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	spawn("CLONE_UNTRACED|SIGCHLD", CLONE_UNTRACED | SIGCHLD, argv[1]);
	spawn("CLONE_UNTRACED|CLONE_PTRACE|SIGCHLD", CLONE_UNTRACED | CLONE_PTRACE | SIGCHLD, argv[1]);
	spawn("CLONE_UNTRACED|CLONE_PARENT|SIGCHLD", CLONE_UNTRACED | CLONE_PARENT | SIGCHLD, argv[1]);
	child("the program itself", argv[1]);
}
