// SPDX-License-Identifier: MIT
/*
 * Escape attempt 11: write into the memory of a process outside the
 * sandbox. "sibling --victim" runs on the host: it prints its pid and the
 * address of a buffer holding "untouched", waits for SIGUSR1, prints the
 * buffer again and exits. "sibling PID ADDR" runs in the sandbox: for that
 * pid and for every pid from 1 to 4096 it tries process_vm_writev and a
 * write through /proc/<pid>/mem at ADDR. The host pid is not even visible;
 * the buffer must still read "untouched". (pid 1 is the sandbox's own init,
 * which case 2 attacks; it is skipped here so this case tests the host.)
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "escape.h"

static char secret[32] = "untouched";
static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static int victim(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGUSR1, &sa, NULL);
	printf("victim %d %#lx\n", (int)getpid(), (unsigned long)(uintptr_t)secret);
	while (!go)
		sigsuspend(&old);
	printf("victim buffer: %s\n", secret);
	return 0;
}

/* Returns true if any write went through. */
static int hit(pid_t pid, uint64_t addr, int loud)
{
	static const char evil[] = "ESCAPED";
	struct iovec l = { (void *)evil, sizeof(evil) }, r = { (void *)(uintptr_t)addr, sizeof(evil) };
	char path[64];
	long rc, fd;
	int wrote = 0;

	rc = process_vm_writev(pid, &l, 1, &r, 1, 0);
	if (loud || rc >= 0)
		attempt(rc, "process_vm_writev(%d, %#llx)", (int)pid, (unsigned long long)addr);
	wrote |= rc > 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR);
	if (loud || fd >= 0)
		attempt(fd, "open %s O_RDWR", path);
	if (fd >= 0) {
		rc = attempt(pwrite((int)fd, evil, sizeof(evil), (off_t)addr), "  pwrite at %#llx",
			     (unsigned long long)addr);
		wrote |= rc > 0;
		close((int)fd);
	}
	return wrote;
}

int main(int argc, char **argv)
{
	uint64_t addr;
	pid_t pid, self = getpid();
	int any = 0;

	escape_init();
	if (argc > 1 && !strcmp(argv[1], "--victim"))
		return victim();
	if (argc < 3) {
		fprintf(stderr, "usage: sibling --victim | sibling PID ADDR\n");
		return 2;
	}
	addr = strtoull(argv[2], NULL, 0);
	hit((pid_t)atoi(argv[1]), addr, 1);
	for (pid = 2; pid <= 4096; pid++)
		if (pid != self)
			any |= hit(pid, addr, 0);
	printf("pids 2..4096 but self: %s\n", any ? "SOME WRITE WENT THROUGH" : "every write refused");
	return 0;
}
