// SPDX-License-Identifier: MIT
/*
 * The network namespace isolates IP and abstract unix sockets, but a unix
 * socket bound to a path is reached through the filesystem, and the host
 * tree is visible (read-only). A socket file on a read-only mount was made by
 * the host, never by the program (it can only make files in the overlays and
 * /dev/shm), so connect, sendto, sendmsg and sendmmsg to one are refused with
 * ECONNREFUSED, what a socket with no listener answers. The path is resolved
 * as the program sees it: in its mount namespace, from its root, following
 * its symlinks; what fozzy cannot resolve that way (magic links such as
 * /proc/self/fd/N, /proc/self, a deleted working folder) is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sys_internal.h"

/*
 * Resolve path as t sees it, from t's root: absolute symlinks land in its
 * mount namespace, magic links (/proc/<pid>/fd/N) are refused, and a
 * relative path is taken from t's working folder, whose name is checked
 * against the folder itself (a deleted or renamed one does not count).
 * Returns an O_PATH descriptor, or -errno.
 */
static int resolve_as(struct tracee *t, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char link[64], cwd[4096], full[8192];
	struct stat a, b;
	int root, fd, real;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/root", (int)t->pid);
	root = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	if (path[0] == '/') {
		n = snprintf(full, sizeof(full), "%s", path);
	} else {
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)t->pid);
		n = readlink(link, cwd, sizeof(cwd) - 1);
		real = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (n < 0 || real < 0 || fstat(real, &a)) {
			if (real >= 0)
				close(real);
			close(root);
			return -ENOENT;
		}
		close(real);
		cwd[n] = 0;
		fd = cwd[0] == '/' ? (int)syscall(SYS_openat2, root, cwd, &how, sizeof(how)) : -1;
		if (fd < 0 || fstat(fd, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
			if (fd >= 0)
				close(fd);
			close(root);
			return -ENOENT; /* the folder's name no longer leads to it */
		}
		close(fd);
		n = snprintf(full, sizeof(full), "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= sizeof(full)) {
		close(root);
		return -ENAMETOOLONG;
	}
	fd = (int)syscall(SYS_openat2, root, full, &how, sizeof(how));
	if (fd < 0)
		fd = -errno;
	close(root);
	return fd;
}

/*
 * 0 to let the call go to path, or the -errno to answer instead: the
 * socket is the host's (on a read-only mount), or fozzy cannot see where
 * the path leads as the program sees it. It fails closed: what cannot be
 * resolved here is refused (with the reason), never let through.
 */
static int host_socket(struct tracee *t, const char *path)
{
	struct statfs sf;
	struct stat st;
	int fd = resolve_as(t, path), rc = 0;

	if (fd < 0)
		return fd == -ELOOP || fd == -EXDEV ? -EACCES : fd;
	if (fstat(fd, &st) || fstatfs(fd, &sf))
		rc = -EACCES;
	else if (S_ISSOCK(st.st_mode) && (sf.f_flags & ST_RDONLY))
		rc = -ECONNREFUSED;
	close(fd);
	return rc;
}

/* 0, or the -errno to answer for a path-bound unix address (see host_socket). */
static int host_address(struct tracee *t, uint64_t addr, uint64_t len)
{
	struct sockaddr_un sun;
	char path[sizeof(sun.sun_path) + 1];
	size_t plen;

	if (!addr || len <= offsetof(struct sockaddr_un, sun_path) || sup_host_net(t->sup))
		return 0;
	if (len > sizeof(sun))
		len = sizeof(sun);
	memset(&sun, 0, sizeof(sun));
	if (tracee_read(t, addr, &sun, len) || sun.sun_family != AF_UNIX || !sun.sun_path[0])
		return 0; /* unreadable (the kernel says EFAULT), not unix, or abstract */
	plen = len - offsetof(struct sockaddr_un, sun_path);
	memcpy(path, sun.sun_path, plen);
	path[plen] = 0;
	return host_socket(t, path);
}

static enum sys_action refuse(struct sys_call *c, int err)
{
	c->ret = err;
	return SYS_EMULATE;
}

enum sys_action sys_connect(struct tracee *t, struct sys_call *c)
{
	int err = host_address(t, c->args[1], c->args[2]);

	return err ? refuse(c, err) : SYS_CONTINUE;
}

/* sendto, sendmsg, sendmmsg: the guard, then the usual wait for room. */
enum sys_action sys_send(struct tracee *t, struct sys_call *c)
{
	int err = 0;

	if (c->nr == SYS_sendto && (err = host_address(t, c->args[4], c->args[5])))
		return refuse(c, err);
	if (c->nr == SYS_sendmsg) {
		struct msghdr m;

		if (!tracee_read(t, c->args[1], &m, sizeof(m)) &&
		    (err = host_address(t, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen)))
			return refuse(c, err);
	}
	if (c->nr == SYS_sendmmsg) {
		struct mmsghdr v[64];
		uint64_t i, n = c->args[2] < 64 ? c->args[2] : 64;

		/* The kernel sends at most UIO_MAXIOV; past 64 the check repeats per call. */
		if (c->args[2] > 64) {
			t->regs.rdx = 64;
			t->regs_dirty = true;
			c->args[2] = 64;
		}
		if (n && !tracee_read(t, c->args[1], v, n * sizeof(v[0])))
			for (i = 0; i < n; i++)
				if ((err = host_address(t, (uint64_t)(uintptr_t)v[i].msg_hdr.msg_name,
							v[i].msg_hdr.msg_namelen)))
					return refuse(c, err);
	}
	return sys_sockio(t, c);
}
