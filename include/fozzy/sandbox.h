/* SPDX-License-Identifier: MIT */
/*
 * The sandbox the program runs in: fresh pid, mount, uts, ipc and network
 * namespaces (and a user namespace when fozzy is not root). Its first process
 * (pid 1) is a tiny init that mounts a fresh /proc, fixes the hostname and
 * the visible CPU count, brings up loopback, forks the program (pid 2), reaps
 * and exits with the program's status. The supervisor traces that init just
 * long enough to catch the fork, so the program is traced from its first
 * instruction.
 */
#ifndef FOZZY_SANDBOX_H
#define FOZZY_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/filter.h>

struct sandbox_spec {
	const char *exe;
	char *const *argv;
	char *const *envp;
	const char *cwd;
	int stdout_fd, stderr_fd;        /* become the program's fds 1 and 2 */
	int err_fd;                      /* setup failures are written here (O_CLOEXEC) */
	int sync_fd;                     /* init waits for one byte before starting */
	const struct sock_fprog *filter; /* installed right before exec */
	const char *cpu_file;            /* bind-mounted over /sys/.../cpu/{online,possible,present} */
	bool userns;
};

/* What a setup failure reports through err_fd. */
struct sandbox_failure {
	int stage; /* enum sandbox_stage */
	int err;   /* errno */
};

enum sandbox_stage {
	SB_MOUNT_PRIVATE = 1, SB_MOUNT_PROC, SB_BIND_CPU, SB_HOSTNAME, SB_LOOPBACK, SB_FORK,
	SB_SETSID, SB_CHDIR, SB_NO_NEW_PRIVS, SB_PERSONALITY, SB_TSC, SB_SECCOMP, SB_EXEC,
};

/* Describe a failure stage ("cannot mount /proc"). */
const char *sandbox_stage_name(int stage);

/* Start the sandbox init. Returns its pid, or -errno. */
pid_t sandbox_clone(const struct sandbox_spec *s);
/* Write the uid/gid maps of a user-namespaced init. Returns 0 or -errno. */
int sandbox_map_ids(pid_t init_pid);

#endif
