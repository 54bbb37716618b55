// SPDX-License-Identifier: MIT
/*
 * Escape attempt 5: new namespaces, where the program would hold every
 * capability and could mount over the read-only host. unshare and setns
 * with each namespace kind, and clone with CLONE_NEW* flags, must fail
 * (EPERM). A clone child that got a namespace anyway says so, then tries to
 * create argv[1]/ns-escaped on the host.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"

static const struct {
	unsigned long flag;
	const char *name;
} kinds[] = {
	{ CLONE_NEWUSER, "CLONE_NEWUSER" }, { CLONE_NEWNS, "CLONE_NEWNS" },
	{ CLONE_NEWNET, "CLONE_NEWNET" },   { CLONE_NEWPID, "CLONE_NEWPID" },
	{ CLONE_NEWUTS, "CLONE_NEWUTS" },   { CLONE_NEWIPC, "CLONE_NEWIPC" },
	{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" }, { CLONE_NEWTIME, "CLONE_NEWTIME" },
};

static ino_t ns_ino(const char *which)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", which);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* In a clone child: report the namespaces it ended in and try the host. */
static void child(const char *name, ino_t user, ino_t mnt, const char *target)
{
	char path[4096];
	long fd;

	printf("  %s child: user ns %s, mount ns %s\n", name, ns_ino("user") == user ? "same" : "NEW",
	       ns_ino("mnt") == mnt ? "same" : "NEW");
	attempt(mount("none", "/mnt", "tmpfs", 0, NULL), "  %s child: mount tmpfs /mnt", name);
	attempt(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL), "  %s child: remount / rw", name);
	snprintf(path, sizeof(path), "%s/ns-escaped", target);
	fd = attempt(open(path, O_WRONLY | O_CREAT, 0644), "  %s child: open %s O_CREAT", name, path);
	if (fd >= 0)
		close((int)fd);
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	static const char *const nsfiles[] = { "user", "mnt", "net", "pid", "uts", "ipc", "cgroup", "time" };
	ino_t user = ns_ino("user"), mnt = ns_ino("mnt");
	char path[64];
	unsigned i;
	long fd, pid;
	int status;

	escape_init();
	if (argc < 2) {
		fprintf(stderr, "usage: namespaces TARGET_DIR\n");
		return 2;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		attempt(unshare((int)kinds[i].flag), "unshare(%s)", kinds[i].name);
	for (i = 0; i < sizeof(nsfiles) / sizeof(nsfiles[0]); i++) {
		snprintf(path, sizeof(path), "/proc/1/ns/%s", nsfiles[i]);
		fd = open(path, O_RDONLY);
		attempt(setns((int)fd, 0), "setns(%s)", path);
		if (fd >= 0)
			close((int)fd);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		fflush(stdout);
		pid = syscall(SYS_clone, kinds[i].flag | SIGCHLD, NULL, NULL, NULL, 0);
		if (pid == 0)
			child(kinds[i].name, user, mnt, argv[1]);
		attempt(pid, "clone(%s)", kinds[i].name);
		if (pid > 0)
			waitpid((pid_t)pid, &status, 0);
	}
	fflush(stdout);
	pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0)
		child("CLONE_NEWUSER|CLONE_NEWNS", user, mnt, argv[1]);
	attempt(pid, "clone(CLONE_NEWUSER|CLONE_NEWNS)");
	if (pid > 0)
		waitpid((pid_t)pid, &status, 0);
	return 0;
}
