// SPDX-License-Identifier: MIT
/*
 * Randomness. getrandom(2) and reads of /dev/urandom and /dev/random come
 * from the seed. Random devices are recognized by device number (1:8, 1:9),
 * never by path, so /dev/./urandom, /proc/self/fd/N and hard links are caught
 * too. Bulk transfers out of a random device (sendfile, splice,
 * copy_file_range) fail with EINVAL rather than leak host entropy.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sys_internal.h"

#define GETRANDOM_MAX 33554431 /* the kernel's per-call cap (drivers/char/random.c) */

static int64_t give_random(struct tracee *t, uint64_t addr, size_t n)
{
	uint8_t *tmp = xmalloc(n);
	int64_t ret;

	decide_bytes(sup_decider(t->sup), STREAM_GETRANDOM, tmp, n);
	ret = tracee_write(t, addr, tmp, n) ? ERR(EFAULT) : (int64_t)n;
	free(tmp);
	return ret;
}

enum sys_action sys_getrandom(struct tracee *t, struct sys_call *c)
{
	size_t n = c->args[1] > GETRANDOM_MAX ? GETRANDOM_MAX : (size_t)c->args[1];

	if (c->args[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | 0x0004 /* GRND_INSECURE */))
		c->ret = ERR(EINVAL);
	else
		c->ret = n ? give_random(t, c->args[0], n) : 0;
	return SYS_EMULATE;
}

static bool fd_ready(struct tracee *t)
{
	return sup_fd_ready(t->sup, t, t->wait_fd, t->wait_events) != 0;
}

/*
 * A pipe or socket that is not ready would block the thread in the kernel,
 * holding the baton: park it until the fd is ready; the call then runs at
 * once, with no scheduling point in between that could let another thread
 * take the data. Errors (a bad fd) are the kernel's to report.
 */
enum sys_action wait_fd(struct tracee *t, int fd, short events)
{
	/*
	 * Alone in the tree, nothing else could need the baton: block if need be,
	 * unless a virtual timer is armed (a timerfd or its signal could be what
	 * makes this fd ready).
	 */
	if ((sup_live_threads(t->sup) == 1 && !sup_timers_armed(t->sup)) ||
	    sup_fd_ready(t->sup, t, fd, events) != 0)
		return SYS_RUN_NOW;
	t->wait = WAIT_FD;
	t->wait_fd = fd;
	t->wait_events = events;
	t->wait_ready = fd_ready;
	return SYS_PARK;
}

/* What a read-like call on fd is: 1 random device, 2 pipe or socket, 0 anything else. */
static int fd_kind(struct tracee *t, uint64_t fd)
{
	struct stat st;

	if (fd > INT32_MAX || tracee_fd_stat(t, (int)fd, &st))
		return 0;
	if (is_random_device(&st))
		return 1;
	/* pipes, sockets, and anon inodes (eventfd, timerfd, signalfd, inotify: no file type) */
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || !(st.st_mode & S_IFMT) ? 2 : 0;
}

/* read, pread64: (fd, buf, count, ...) */
enum sys_action sys_read(struct tracee *t, struct sys_call *c)
{
	int kind = fd_kind(t, c->args[0]);

	if (kind == 2)
		return wait_fd(t, (int)c->args[0], POLLIN);
	if (kind != 1)
		return SYS_CONTINUE;
	c->ret = c->args[2] ? give_random(t, c->args[1], c->args[2] > GETRANDOM_MAX ? GETRANDOM_MAX
										     : c->args[2])
			    : 0;
	return SYS_EMULATE;
}

/* readv, preadv, preadv2: (fd, iov, iovcnt, ...) */
enum sys_action sys_readv(struct tracee *t, struct sys_call *c)
{
	struct iovec iov[64];
	size_t cnt, i, total = 0;
	int kind = fd_kind(t, c->args[0]);

	if (kind == 2)
		return wait_fd(t, (int)c->args[0], POLLIN);
	if (kind != 1)
		return SYS_CONTINUE;
	cnt = c->args[2] > 1024 ? 1025 : (size_t)c->args[2];
	if (cnt > 1024) {
		c->ret = ERR(EINVAL);
		return SYS_EMULATE;
	}
	c->ret = 0;
	for (i = 0; i < cnt && c->ret >= 0; i++) {
		if (i % 64 == 0 && tracee_read(t, c->args[1] + i * sizeof(struct iovec), iov,
					       (cnt - i < 64 ? cnt - i : 64) * sizeof(struct iovec))) {
			c->ret = ERR(EFAULT);
			break;
		}
		if (iov[i % 64].iov_len) {
			int64_t r = give_random(t, (uint64_t)iov[i % 64].iov_base, iov[i % 64].iov_len);

			if (r < 0)
				c->ret = total ? (int64_t)total : r;
			else
				total += (size_t)r;
		}
	}
	if (c->ret >= 0)
		c->ret = (int64_t)total;
	return SYS_EMULATE;
}

/* accept, recv*, send*: park until the socket is ready unless MSG_DONTWAIT. */
enum sys_action sys_sockio(struct tracee *t, struct sys_call *c)
{
	uint64_t flags = c->nr == SYS_recvmsg || c->nr == SYS_sendmsg ? c->args[2] : c->args[3];
	short ev = c->nr == SYS_sendto || c->nr == SYS_sendmsg || c->nr == SYS_sendmmsg ? POLLOUT : POLLIN;

	if (c->nr != SYS_accept && c->nr != SYS_accept4 && (flags & MSG_DONTWAIT))
		return SYS_CONTINUE;
	return wait_fd(t, (int)c->args[0], ev);
}

/* sendfile(out, in, ...), splice(in, ...), copy_file_range(in, ...) */
enum sys_action sys_transfer(struct tracee *t, struct sys_call *c)
{
	uint64_t in = c->nr == SYS_sendfile ? c->args[1] : c->args[0];

	if (fd_kind(t, in) != 1)
		return SYS_CONTINUE;
	c->ret = ERR(EINVAL);
	return SYS_EMULATE;
}
