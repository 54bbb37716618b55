/* SPDX-License-Identifier: MIT */
/*
 * The sandbox the program runs in: fresh user, pid, mount, uts, ipc and
 * network namespaces. Its first process (pid 1) is a tiny init that makes the
 * host filesystem read-only with writable overlays over the working directory
 * and /tmp, mounts a fresh /proc and a minimal /dev, fixes the hostname and
 * the visible CPU count, brings up loopback, forks the program (pid 2), reaps
 * and exits with the program's status. The supervisor traces that init just
 * long enough to catch the fork, so the program is traced from its first
 * instruction.
 */
#ifndef FOZZY_SANDBOX_H
#define FOZZY_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
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
	/* Filesystem isolation (see "The sandbox" in man/fozzy.1). */
	bool isolate_fs;                 /* host read-only, overlays, minimal /dev */
	unsigned n_overlays;
	const struct sandbox_overlay *overlays; /* mounted in order */
	uint64_t epoch_s;                /* times given to what /dev holds */
	bool host_net;                   /* --net host: the host's network namespace */
	/*
	 * The program's fd 0: fozzy's own (SB_STDIN_INHERIT), the input at
	 * SANDBOX_INPUT_PATH, or /dev/null -- both opened inside the sandbox,
	 * through its read-only mounts, so no descriptor of the program leads
	 * to a writable host file.
	 */
	int stdin_from;
	const char *stdin_path;          /* SB_STDIN_PATH: fozzy's stdin file, reopened read-only here */
	long long stdin_offset;          /* at fozzy's offset */
	const char *input_path;          /* a file shown read-only at SANDBOX_INPUT_PATH; NULL: none */
	int cov_fd;                      /* the coverage map, fd SANDBOX_COV_FD of the program; -1: none */
	/*
	 * Fork server: the init answers each byte on ctl_in by making the next
	 * pid of the namespace 3 again (ns_last_pid = 2) and writing a byte to
	 * ctl_out, so every child forked from the program gets the same pid.
	 * -1: not a fork server.
	 */
	int ctl_in, ctl_out;
	int ctl_close[2];                /* the supervisor's ends, closed in the init */
};

enum { SB_STDIN_INHERIT, SB_STDIN_INPUT, SB_STDIN_NULL, SB_STDIN_PATH };

/* Where fuzz inputs appear in the sandbox, and the descriptor of the coverage map. */
#define SANDBOX_INPUT_PATH "/dev/fozzy-input"
#define SANDBOX_COV_FD 198

/*
 * A writable overlay over a host directory. The option string is prepared by
 * the parent with fixed descriptor numbers (SANDBOX_OVL_FD + 3*i + 0..2 for
 * lower, upper and work) that the init opens and moves into place, so paths
 * with commas or colons need no escaping and a layer inside another overlay
 * is found on the host.
 */
struct sandbox_overlay {
	const char *target;  /* host directory, overlaid in place */
	const char *upper;   /* in the run folder */
	const char *work;    /* in the run folder, on the same filesystem as upper */
	char opts[128];
	char opts_userxattr[144];
};

#define SANDBOX_OVL_FD 700
#define SANDBOX_MAX_OVERLAYS 4

/* Fill the option strings of ov[i] for position i. */
void sandbox_overlay_prepare(struct sandbox_overlay *ov, unsigned i);

/* What a setup failure reports through err_fd. */
struct sandbox_failure {
	int stage; /* enum sandbox_stage */
	int err;   /* errno */
};

enum sandbox_stage {
	SB_MOUNT_PRIVATE = 1, SB_MOUNT_PROC, SB_BIND_CPU, SB_HOSTNAME, SB_LOOPBACK, SB_FORK,
	SB_SETSID, SB_CHDIR, SB_NO_NEW_PRIVS, SB_PERSONALITY, SB_TSC, SB_SECCOMP, SB_EXEC,
	SB_OVERLAY, SB_DEV, SB_READONLY,
};

/* What a run changed, by kind ("modified" counts every change that is not a creation or deletion). */
struct sandbox_changes {
	unsigned created, modified, deleted;
};

/*
 * Compare each overlay's upper layer with the host directory below it and
 * write <run_dir>/changes.json (paths as the program saw them, sorted, with
 * kinds created, modified, metadata, replaced, deleted), leaving out the
 * path `skip` (fozzy's whiteout over its artifacts root). Returns 0 or -1.
 */
int sandbox_write_changes(const char *run_dir, const struct sandbox_overlay *ov, unsigned n,
			  const char *skip, struct sandbox_changes *counts);

/* Describe a failure stage ("cannot mount /proc"). */
const char *sandbox_stage_name(int stage);

/* Start the sandbox init. Returns its pid, or -errno. */
pid_t sandbox_clone(const struct sandbox_spec *s);
/*
 * Write the uid/gid maps of the init's user namespace: the caller's own ids,
 * or, when fozzy runs as root, every id (root inside keeps root's file access
 * but holds no capability over the host). Returns 0 or -errno.
 */
int sandbox_map_ids(pid_t init_pid);

#endif
