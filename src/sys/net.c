// SPDX-License-Identifier: MIT
/*
 * The network namespace isolates IP and abstract unix sockets, but a unix
 * socket bound to a path is reached through the filesystem, and the host
 * tree is visible (read-only). A socket file on a read-only mount was made by
 * the host, never by the program (it can only make files in the overlays and
 * /dev/shm), so connect, sendto, sendmsg and sendmmsg to one are refused with
 * ECONNREFUSED, what a socket with no listener answers. The path is resolved
 * as the program sees it: in its mount namespace, from its root, following
 * its symlinks.
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

/* Does this path, seen by t, name a socket on a read-only mount? */
static bool host_socket(struct tracee *t, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char link[64], cwd[4096], full[4096 + 110];
	struct statfs sf;
	struct stat st;
	bool host = false;
	int root, fd;
	ssize_t n;

	if (path[0] == '/') {
		snprintf(full, sizeof(full), "%s", path);
	} else {
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)t->pid);
		n = readlink(link, cwd, sizeof(cwd) - 1);
		if (n < 0)
			return false;
		cwd[n] = 0;
		snprintf(full, sizeof(full), "%s/%s", cwd, path);
	}
	snprintf(link, sizeof(link), "/proc/%d/root", (int)t->pid);
	root = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return false;
	fd = (int)syscall(SYS_openat2, root, full, &how, sizeof(how));
	close(root);
	if (fd < 0)
		return false; /* the kernel will not find it either */
	if (!fstat(fd, &st) && S_ISSOCK(st.st_mode) && !fstatfs(fd, &sf) && (sf.f_flags & ST_RDONLY))
		host = true;
	close(fd);
	return host;
}

/* The address at addr (len bytes) is a path-bound unix socket of the host. */
static bool host_address(struct tracee *t, uint64_t addr, uint64_t len)
{
	struct sockaddr_un sun;
	char path[sizeof(sun.sun_path) + 1];
	size_t plen;

	if (!addr || len <= offsetof(struct sockaddr_un, sun_path) || sup_host_net(t->sup))
		return false;
	if (len > sizeof(sun))
		len = sizeof(sun);
	memset(&sun, 0, sizeof(sun));
	if (tracee_read(t, addr, &sun, len) || sun.sun_family != AF_UNIX || !sun.sun_path[0])
		return false; /* unreadable (the kernel says EFAULT), not unix, or abstract */
	plen = len - offsetof(struct sockaddr_un, sun_path);
	memcpy(path, sun.sun_path, plen);
	path[plen] = 0;
	return host_socket(t, path);
}

static enum sys_action refuse(struct sys_call *c)
{
	c->ret = ERR(ECONNREFUSED);
	return SYS_EMULATE;
}

enum sys_action sys_connect(struct tracee *t, struct sys_call *c)
{
	return host_address(t, c->args[1], c->args[2]) ? refuse(c) : SYS_CONTINUE;
}

/* sendto, sendmsg, sendmmsg: the guard, then the usual wait for room. */
enum sys_action sys_send(struct tracee *t, struct sys_call *c)
{
	if (c->nr == SYS_sendto && host_address(t, c->args[4], c->args[5]))
		return refuse(c);
	if (c->nr == SYS_sendmsg) {
		struct msghdr m;

		if (!tracee_read(t, c->args[1], &m, sizeof(m)) &&
		    host_address(t, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen))
			return refuse(c);
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
				if (host_address(t, (uint64_t)(uintptr_t)v[i].msg_hdr.msg_name,
						 v[i].msg_hdr.msg_namelen))
					return refuse(c);
	}
	return sys_sockio(t, c);
}
