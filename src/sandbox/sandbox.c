// SPDX-License-Identifier: MIT
/*
 * Sandbox set-up. Everything between clone and exec runs in the child and
 * uses only async-signal-safe calls on memory the parent prepared.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
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
#include <linux/mount.h>
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
		[SB_OVERLAY] = "cannot mount the writable overlays (does the run folder's filesystem support overlayfs upper layers?)",
		[SB_DEV] = "cannot set up the minimal /dev",
		[SB_READONLY] = "cannot make the host filesystem read-only",
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

void sandbox_overlay_prepare(struct sandbox_overlay *ov, unsigned i)
{
	int fd = SANDBOX_OVL_FD + 3 * (int)i;

	snprintf(ov->opts, sizeof(ov->opts),
		 "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d", fd,
		 fd + 1, fd + 2);
	snprintf(ov->opts_userxattr, sizeof(ov->opts_userxattr), "userxattr,%s", ov->opts);
}

static int open_at_fd(const char *path, int want, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fd != want) {
		if (dup3(fd, want, O_CLOEXEC) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static void mount_overlays(const struct sandbox_spec *s)
{
	unsigned i;

	for (i = 0; i < s->n_overlays; i++) {
		const struct sandbox_overlay *o = &s->overlays[i];
		int fd = SANDBOX_OVL_FD + 3 * (int)i;

		/* Layers are opened before any overlay is mounted: a run folder under /tmp is found on the host. */
		if (open_at_fd(o->target, fd, O_PATH | O_DIRECTORY) ||
		    open_at_fd(o->upper, fd + 1, O_PATH | O_DIRECTORY) ||
		    open_at_fd(o->work, fd + 2, O_PATH | O_DIRECTORY))
			NORETURN_fail(s->err_fd, SB_OVERLAY);
	}
	for (i = 0; i < s->n_overlays; i++) {
		const struct sandbox_overlay *o = &s->overlays[i];

		/*
		 * userxattr first: in a user namespace the trusted.* xattrs that
		 * mark a folder opaque cannot be set, and without them removing
		 * a host folder fails with EIO. Older kernels lack the option.
		 */
		if (mount("overlay", o->target, "overlay", MS_NODEV, o->opts_userxattr) &&
		    mount("overlay", o->target, "overlay", MS_NODEV, o->opts))
			NORETURN_fail(s->err_fd, SB_OVERLAY);
	}
	for (i = 0; i < 3 * s->n_overlays; i++)
		close(SANDBOX_OVL_FD + (int)i);
}

/* The devices a program may use; bound from the host's nodes, never created. */
static const char *const dev_nodes[] = { "null", "zero", "full", "tty", "urandom", "random" };
#define DEV_FD 760

/* The same times on every run, for everything /dev holds. */
static void fix_times(const char *path, uint64_t epoch_s)
{
	struct timespec ts[2] = { { (time_t)epoch_s, 0 }, { (time_t)epoch_s, 0 } };

	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static void minimal_dev(int err_fd, uint64_t epoch_s)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },     { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
		{ "pts/ptmx", "/dev/ptmx" },
	};
	char src[32], dst[32];
	unsigned i;
	int fd;

	for (i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		memcpy(dst, "/dev/", 5);
		memcpy(dst + 5, dev_nodes[i], strlen(dev_nodes[i]) + 1);
		if (open_at_fd(dst, DEV_FD + (int)i, O_PATH))
			NORETURN_fail(err_fd, SB_DEV);
	}
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k,nr_inodes=64"))
		NORETURN_fail(err_fd, SB_DEV);
	for (i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		memcpy(dst, "/dev/", 5);
		memcpy(dst + 5, dev_nodes[i], strlen(dev_nodes[i]) + 1);
		memcpy(src, "/proc/self/fd/", 14);
		src[14] = (char)('0' + (DEV_FD + (int)i) / 100 % 10);
		src[15] = (char)('0' + (DEV_FD + (int)i) / 10 % 10);
		src[16] = (char)('0' + (DEV_FD + (int)i) % 10);
		src[17] = 0;
		fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0)
			NORETURN_fail(err_fd, SB_DEV);
		close(fd);
		if (mount(src, dst, NULL, MS_BIND, NULL))
			NORETURN_fail(err_fd, SB_DEV);
		close(DEV_FD + (int)i);
	}
	if (mkdir("/dev/shm", 01777) || chmod("/dev/shm", 01777) ||
	    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"))
		NORETURN_fail(err_fd, SB_DEV);
	/* A private pty instance where the kernel allows one; programs without ptys still run. */
	if (!mkdir("/dev/pts", 0755))
		mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=620");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (symlink(links[i][0], links[i][1]))
			NORETURN_fail(err_fd, SB_DEV);
		fix_times(links[i][1], epoch_s);
	}
	fix_times("/dev/shm", epoch_s);
	fix_times("/dev/pts", epoch_s);
	fix_times("/dev", epoch_s);
}

/* A fuzz input at SANDBOX_INPUT_PATH: the host file bound over an empty one (read-only later, with /dev). */
#define INPUT_FD 790

static void input_file(int err_fd, uint64_t epoch_s)
{
	char src[32];
	int fd;

	snprintf(src, sizeof(src), "/proc/self/fd/%d", INPUT_FD);
	fd = open(SANDBOX_INPUT_PATH, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		NORETURN_fail(err_fd, SB_DEV);
	close(fd);
	if (mount(src, SANDBOX_INPUT_PATH, NULL, MS_BIND, NULL))
		NORETURN_fail(err_fd, SB_DEV);
	close(INPUT_FD);
	fix_times(SANDBOX_INPUT_PATH, epoch_s);
	fix_times("/dev", epoch_s);
}

/*
 * Kernel knobs under /proc act on the whole host, and root in the sandbox is
 * root's uid: they stay read-only even where the rest of /proc is writable.
 */
static void proc_knobs_readonly(int err_fd)
{
	static const char *const knobs[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
					     "/proc/bus", "/proc/fs", "/proc/sysvipc", "/proc/acpi",
					     "/proc/dynamic_debug", "/proc/driver", "/proc/scsi",
					     "/proc/tty", "/proc/pressure", "/proc/mtrr" };
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	unsigned i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if (access(knobs[i], F_OK))
			continue;
		if (mount(knobs[i], knobs[i], NULL, MS_BIND | MS_REC, NULL) ||
		    syscall(SYS_mount_setattr, AT_FDCWD, knobs[i], AT_RECURSIVE, &ro, sizeof(ro)))
			NORETURN_fail(err_fd, SB_READONLY);
	}
}

static void isolate_fs(const struct sandbox_spec *s)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
	static const char *const writable[] = { "/proc", "/dev/shm", "/dev/pts" };
	unsigned i;

	/* the input is opened here, in this mount namespace, before the overlays hide the run folder */
	if (s->input_path && open_at_fd(s->input_path, INPUT_FD, O_PATH))
		NORETURN_fail(s->err_fd, SB_DEV);
	mount_overlays(s);
	minimal_dev(s->err_fd, s->epoch_s);
	if (s->input_path)
		input_file(s->err_fd, s->epoch_s);
	proc_knobs_readonly(s->err_fd);
	/* Everything read-only, then the writable places opened again. */
	if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)))
		NORETURN_fail(s->err_fd, SB_READONLY);
	for (i = 0; i < s->n_overlays; i++)
		if (syscall(SYS_mount_setattr, AT_FDCWD, s->overlays[i].target, 0, &rw, sizeof(rw)))
			NORETURN_fail(s->err_fd, SB_READONLY);
	for (i = 0; i < sizeof(writable) / sizeof(writable[0]); i++)
		if (syscall(SYS_mount_setattr, AT_FDCWD, writable[i], 0, &rw, sizeof(rw)) &&
		    errno != EINVAL && errno != ENOENT)
			NORETURN_fail(s->err_fd, SB_READONLY);
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
	if (s->stdin_from != SB_STDIN_INHERIT) {
		const char *p = s->stdin_from == SB_STDIN_INPUT ? SANDBOX_INPUT_PATH
				: s->stdin_from == SB_STDIN_PATH ? s->stdin_path : "/dev/null";
		int fd = open(p, O_RDONLY);

		if (fd >= 0 && s->stdin_from == SB_STDIN_PATH && s->stdin_offset &&
		    lseek(fd, (off_t)s->stdin_offset, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
		if (fd < 0 || dup2(fd, 0) < 0)
			NORETURN_fail(s->err_fd, SB_DEV);
		if (fd != 0)
			close(fd);
	}
	if (dup2(s->stdout_fd, 1) < 0 || dup2(s->stderr_fd, 2) < 0 ||
	    (s->cov_fd >= 0 && dup2(s->cov_fd, SANDBOX_COV_FD) < 0))
		NORETURN_fail(s->err_fd, SB_FORK);
	/* Everything else closes at exec (the error pipe too, which tells the parent exec worked). */
	if (s->cov_fd >= 0) {
		syscall(SYS_close_range, 3, SANDBOX_COV_FD - 1, CLOSE_RANGE_CLOEXEC);
		syscall(SYS_close_range, SANDBOX_COV_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC);
	} else {
		syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	}
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

static void on_sigchld(int sig)
{
	(void)sig;
}

/*
 * The init of a fork server: reap, and answer the supervisor's requests to
 * hand out pid 3 next, until the program (the fork server) has ended.
 */
static void NORETURN_serve_pids(const struct sandbox_spec *s, int last_pid_fd, pid_t prog)
	__attribute__((noreturn));
static void NORETURN_serve_pids(const struct sandbox_spec *s, int last_pid_fd, pid_t prog)
{
	struct sigaction sa = { .sa_handler = on_sigchld };
	sigset_t block, none;
	int status, code = 127;
	bool prog_ended = false;

	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &none);
	sigemptyset(&none);
	for (;;) {
		struct pollfd pfd = { .fd = s->ctl_in, .events = POLLIN };
		pid_t w;

		while ((w = waitpid(-1, &status, WNOHANG)) > 0)
			if (w == prog) {
				code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				prog_ended = true;
			}
		if (prog_ended && w < 0)
			_exit(code);
		if (ppoll(&pfd, 1, NULL, &none) <= 0)
			continue;
		{
			char req;
			ssize_t n = read(s->ctl_in, &req, 1);

			if (n == 0) {
				/* the supervisor is gone */
				pfd.fd = -1;
				close(s->ctl_in);
				for (;;) {
					w = waitpid(-1, &status, 0);
					if (w < 0 && errno != EINTR)
						_exit(code);
					if (w == prog)
						code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				}
			}
			if (n == 1) {
				char ok = pwrite(last_pid_fd, "2", 1, 0) == 1 ? 'k' : 'e';

				if (write(s->ctl_out, &ok, 1) != 1)
					_exit(code);
			}
		}
	}
}

/* pid 1 of the sandbox: set up, fork the program, reap, exit with its status. */
static void NORETURN_init(const struct sandbox_spec *s) __attribute__((noreturn));
static void NORETURN_init(const struct sandbox_spec *s)
{
	char c;
	int status, code = 127, last_pid_fd = -1;
	pid_t prog, w;

	if (read(s->sync_fd, &c, 1) != 1)
		_exit(127);
	close(s->sync_fd);
	/*
	 * The init has no filter and every capability of the sandbox: nothing
	 * in it may open its /proc/1/mem or ptrace it. Not dumpable, it is
	 * guarded by the host user namespace its memory belongs to.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		NORETURN_fail(s->err_fd, SB_MOUNT_PRIVATE);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		NORETURN_fail(s->err_fd, SB_MOUNT_PRIVATE);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		NORETURN_fail(s->err_fd, SB_MOUNT_PROC);
	/* opened before /proc/sys turns read-only; the program never has it (O_CLOEXEC) */
	if (s->ctl_in >= 0) {
		close(s->ctl_close[0]);
		close(s->ctl_close[1]);
	}
	/*
	 * The knob's folder, held before /proc/sys turns read-only: a writable
	 * descriptor now would keep / from turning read-only (EBUSY), so the
	 * knob is opened through this one afterwards, in /proc's own mount.
	 */
	if (s->ctl_in >= 0 &&
	    (last_pid_fd = open("/proc/sys/kernel", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		NORETURN_fail(s->err_fd, SB_MOUNT_PROC);
	bind_cpu(s);
	if (s->isolate_fs)
		isolate_fs(s);
	if (sethostname("fozzy", 5) || setdomainname("(none)", 6))
		NORETURN_fail(s->err_fd, SB_HOSTNAME);
	if (!s->host_net)
		loopback_up(s->err_fd);
	if (last_pid_fd >= 0) {
		int dir = last_pid_fd;

		last_pid_fd = openat(dir, "ns_last_pid", O_WRONLY | O_CLOEXEC);
		close(dir);
		if (last_pid_fd < 0)
			NORETURN_fail(s->err_fd, SB_MOUNT_PROC);
	}
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
	if (s->ctl_in >= 0)
		NORETURN_serve_pids(s, last_pid_fd, prog);
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
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
			      CLONE_NEWIPC | SIGCHLD;
	long pid;

	if (!s->host_net)
		flags |= CLONE_NEWNET;
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

	if (geteuid() == 0) {
		rc = write_proc(pid, "uid_map", "0 0 4294967295\n");
		return rc ? rc : write_proc(pid, "gid_map", "0 0 4294967295\n");
	}
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
