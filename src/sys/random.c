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

static bool fd_is_random(struct tracee *t, uint64_t fd)
{
	struct stat st;

	return fd <= INT32_MAX && !tracee_fd_stat(t, (int)fd, &st) && is_random_device(&st);
}

/* read, pread64: (fd, buf, count, ...) */
enum sys_action sys_read(struct tracee *t, struct sys_call *c)
{
	if (!fd_is_random(t, c->args[0]))
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

	if (!fd_is_random(t, c->args[0]))
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

/* sendfile(out, in, ...), splice(in, ...), copy_file_range(in, ...) */
enum sys_action sys_transfer(struct tracee *t, struct sys_call *c)
{
	uint64_t in = c->nr == SYS_sendfile ? c->args[1] : c->args[0];

	if (!fd_is_random(t, in))
		return SYS_CONTINUE;
	c->ret = ERR(EINVAL);
	return SYS_EMULATE;
}
