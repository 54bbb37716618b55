// SPDX-License-Identifier: MIT
/*
 * Escape attempt 4: asynchronous rings, which run file and socket operations
 * in kernel workers the filter never sees. io_uring_setup, io_uring_enter,
 * io_uring_register and the older io_setup/io_submit must all fail (ENOSYS).
 */
#include <linux/io_uring.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "escape.h"

int main(void)
{
	struct io_uring_params p;
	unsigned long ctx = 0;
	long fd;

	escape_init();
	memset(&p, 0, sizeof(p));
	fd = attempt(syscall(SYS_io_uring_setup, 8, &p), "io_uring_setup(8)");
	attempt(syscall(SYS_io_uring_enter, fd < 0 ? 3 : fd, 1, 0, 0, NULL, 0), "io_uring_enter");
	attempt(syscall(SYS_io_uring_register, fd < 0 ? 3 : fd, 0, NULL, 0), "io_uring_register");
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	attempt(syscall(SYS_io_uring_setup, 8, &p), "io_uring_setup(8, IORING_SETUP_SQPOLL)");
	attempt(syscall(SYS_io_setup, 8, &ctx), "io_setup(8)");
	attempt(syscall(SYS_io_submit, ctx, 0, NULL), "io_submit");
	return 0;
}
