// SPDX-License-Identifier: MIT
/*
 * Escape attempt 3: syscalls through the foreign ABIs the filter must not
 * let through: i386 (int $0x80) and x32 (the 0x40000000 bit). argv[1] picks
 * one: int80-creat, int80-unlink, x32-creat, x32-unlink; argv[2] is the host
 * file to create or remove. The first foreign call must kill the program
 * (SIGSYS) before it runs: "returned" is never printed, the file unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "escape.h"

#define X32_BIT 0x40000000L

int main(int argc, char **argv)
{
	char *path;
	long ret, nr;

	escape_init();
	if (argc < 3) {
		fprintf(stderr, "usage: abi32 int80-creat|int80-unlink|x32-creat|x32-unlink PATH\n");
		return 2;
	}
	/* i386 calls take 32-bit pointers: the path goes below 4 GiB. */
	path = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (path == MAP_FAILED || strlen(argv[2]) >= 4096) {
		perror("mmap");
		return 2;
	}
	memcpy(path, argv[2], strlen(argv[2]) + 1);
	printf("%s %s: trying\n", argv[1], path);
	if (!strncmp(argv[1], "int80-", 6)) {
		nr = !strcmp(argv[1] + 6, "creat") ? 8 : 10; /* i386 creat, unlink */
		__asm__ volatile("int $0x80"
				 : "=a"(ret)
				 : "a"(nr), "b"((long)(uintptr_t)path), "c"(0644L)
				 : "memory");
	} else {
		nr = X32_BIT | (!strcmp(argv[1] + 4, "creat") ? 85 : 87); /* x32 creat, unlink */
		__asm__ volatile("syscall"
				 : "=a"(ret)
				 : "a"(nr), "D"(path), "S"(0644L)
				 : "rcx", "r11", "memory");
	}
	printf("%s %s: returned %ld\n", argv[1], path, ret);
	return 0;
}
