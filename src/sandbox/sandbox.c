// SPDX-License-Identifier: MIT
/*
 * Sandbox set-up. Everything between clone and exec runs in the child and
 * uses only async-signal-safe calls on memory the parent prepared.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "fozzy/sandbox.h"

const char *sandbox_stage_name(int stage)
{
	static const char *const names[] = {
		[SB_MOUNT_PRIVATE] = "cannot make the mount namespace private",
		[SB_MOUNT_PROC] = "cannot mount a fresh /proc",
		[SB_BIND_CPU] = "cannot fix the CPU count in /sys",
		[SB_HOSTNAME] = "cannot set the sandbox hostname",
		[SB_LOOPBACK] = "cannot bring up loopback",
		[SB_FORK] = "cannot fork the program",
		[SB_SETSID] = "cannot start a new session",
		[SB_CHDIR] = "cannot change to the working directory",
		[SB_NO_NEW_PRIVS] = "cannot set no_new_privs",
		[SB_PERSONALITY] = "cannot disable ASLR",
		[SB_TSC] = "cannot trap rdtsc",
		[SB_SECCOMP] = "cannot install the seccomp filter",
		[SB_EXEC] = "cannot execute the program",
	};

	if (stage <= 0 || stage >= (int)(sizeof(names) / sizeof(names[0])) || !names[stage])
		return "sandbox set-up failed";
	return names[stage];
}

static void NORETURN_fail(int fd, int stage) __attribute__((noreturn));
static void NORETURN_fail(int fd, int stage)
{
	struct sandbox_failure f = { .stage = stage, .err = errno };

	if (write(fd, &f, sizeof(f)) < 0) {
		/* nothing left to report it with */
	}
	_exit(127);
}

static void bind_cpu(const struct sandbox_spec *s)
{
	static const char *const files[] = {
		"/sys/devices/system/cpu/online",
		"/sys/devices/system/cpu/possible",
		"/sys/devices/system/cpu/present",
	};
	struct stat st;
	unsigned i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (stat(files[i], &st))
			continue;
		if (mount(s->cpu_file, files[i], NULL, MS_BIND, NULL))
			NORETURN_fail(s->err_fd, SB_BIND_CPU);
	}
}

static void loopback_up(int err_fd)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		NORETURN_fail(err_fd, SB_LOOPBACK);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		NORETURN_fail(err_fd, SB_LOOPBACK);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		NORETURN_fail(err_fd, SB_LOOPBACK);
	close(fd);
}

static void NORETURN_program(const struct sandbox_spec *s) __attribute__((noreturn));
static void NORETURN_program(const struct sandbox_spec *s)
{
	if (setsid() < 0)
		NORETURN_fail(s->err_fd, SB_SETSID);
	if (dup2(s->stdout_fd, 1) < 0 || dup2(s->stderr_fd, 2) < 0)
		NORETURN_fail(s->err_fd, SB_FORK);
	/* Everything else closes at exec (the error pipe too, which tells the parent exec worked). */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (chdir(s->cwd))
		NORETURN_fail(s->err_fd, SB_CHDIR);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		NORETURN_fail(s->err_fd, SB_NO_NEW_PRIVS);
	if (personality(ADDR_NO_RANDOMIZE) < 0)
		NORETURN_fail(s->err_fd, SB_PERSONALITY);
	if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0))
		NORETURN_fail(s->err_fd, SB_TSC);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, s->filter))
		NORETURN_fail(s->err_fd, SB_SECCOMP);
	execve(s->exe, s->argv, s->envp);
	NORETURN_fail(s->err_fd, SB_EXEC);
}

/* pid 1 of the sandbox: set up, fork the program, reap, exit with its status. */
static void NORETURN_init(const struct sandbox_spec *s) __attribute__((noreturn));
static void NORETURN_init(const struct sandbox_spec *s)
{
	char c;
	int status, code = 127;
	pid_t prog, w;

	if (read(s->sync_fd, &c, 1) != 1)
		_exit(127);
	close(s->sync_fd);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		NORETURN_fail(s->err_fd, SB_MOUNT_PRIVATE);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		NORETURN_fail(s->err_fd, SB_MOUNT_PROC);
	bind_cpu(s);
	if (sethostname("fozzy", 5) || setdomainname("(none)", 6))
		NORETURN_fail(s->err_fd, SB_HOSTNAME);
	loopback_up(s->err_fd);
	prog = fork();
	if (prog < 0)
		NORETURN_fail(s->err_fd, SB_FORK);
	if (prog == 0)
		NORETURN_program(s);
	close(s->err_fd);
	close(s->stdout_fd);
	close(s->stderr_fd);
	close(0);
	close(1);
	close(2);
	for (;;) {
		w = waitpid(-1, &status, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		if (w == prog)
			code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	_exit(code);
}

pid_t sandbox_clone(const struct sandbox_spec *s)
{
	unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			      CLONE_NEWNET | SIGCHLD;
	long pid;

	if (s->userns)
		flags |= CLONE_NEWUSER;
	pid = syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
	if (pid < 0)
		return -errno;
	if (pid == 0)
		NORETURN_init(s);
	return (pid_t)pid;
}

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int sandbox_map_ids(pid_t pid)
{
	char map[64];
	int rc;

	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getuid(), (unsigned)getuid());
	rc = write_proc(pid, "uid_map", map);
	if (!rc)
		rc = write_proc(pid, "setgroups", "deny");
	if (!rc) {
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getgid(), (unsigned)getgid());
		rc = write_proc(pid, "gid_map", map);
	}
	return rc;
}
