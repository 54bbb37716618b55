// SPDX-License-Identifier: MIT
/*
 * libfozzy-cov.a: the edge-coverage runtime linked into programs built with
 * -fsanitize-coverage=trace-pc-guard (see fozzy cc). It is linked statically,
 * so its definitions win over the weak ones of the sanitizer runtimes. Never
 * built with coverage itself. See include/fozzy/cov.h for the map.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "fozzy/cov.h"
#include "fozzy/rt.h"
#include "fozzy/sandbox.h"

static uint8_t private_map[FOZZY_COV_MAP];
static uint8_t *counters = private_map;
static struct fozzy_cov_header *header;
static uint32_t next_guard;
static int tried;

static void cov_attach(void)
{
	struct stat st;
	void *p;

	if (tried)
		return;
	tried = 1;
	if (fstat(SANDBOX_COV_FD, &st) || st.st_size != (off_t)FOZZY_COV_SIZE)
		return;
	p = mmap(0, FOZZY_COV_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, SANDBOX_COV_FD, 0);
	if (p == MAP_FAILED)
		return;
	header = (struct fozzy_cov_header *)((uint8_t *)p + FOZZY_COV_MAP);
	if (header->magic != FOZZY_COV_MAGIC) {
		munmap(p, FOZZY_COV_SIZE);
		header = 0;
		return;
	}
	counters = p;
	__atomic_add_fetch(&header->attached, 1, __ATOMIC_RELAXED);
}

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
{
	uint32_t *g;

	cov_attach();
	if (start == stop || *start)
		return; /* a module is initialized once */
	for (g = start; g < stop; g++)
		*g = next_guard++ % (FOZZY_COV_MAP - 1) + 1;
	if (header)
		header->guards = next_guard;
}

void __sanitizer_cov_trace_pc_guard(uint32_t *guard)
{
	uint8_t *c = &counters[*guard];

	if (*c != 255)
		(*c)++;
}

/*
 * The fork server's place: after the sanitizers and the program's other
 * constructors (this one has the lowest priority), before main. Under
 * fozzy fuzz the supervisor keeps the program here and forks it once per
 * input; elsewhere the marker is one ignored syscall (ENOSYS outside fozzy).
 */
__attribute__((constructor(65535))) static void cov_fork_point(void)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)FOZZY_MARKER_NR), "D"((long)RT_FORKSERVER), "S"(0L)
			 : "rcx", "r11", "memory");
	(void)ret;
}

/*
 * A driver for libFuzzer-style harnesses: a program that defines
 * LLVMFuzzerTestOneInput and no main of its own gets this one, which runs
 * the harness once on the input (the file named by the first argument, else
 * stdin). Under fozzy fuzz every input runs in a fresh fork of the process
 * stopped before main: that fork is the state reset between inputs.
 */
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) __attribute__((weak));
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int main(int argc, char **argv) __attribute__((weak));

int main(int argc, char **argv)
{
	FILE *in = stdin;
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!LLVMFuzzerTestOneInput) {
		fputs("libfozzy-cov: no main and no LLVMFuzzerTestOneInput in this program\n", stderr);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1 && !(in = fopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 2;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *p = realloc(data, cap ? cap * 2 : 4096);

			if (!p) {
				fputs("libfozzy-cov: out of memory reading the input\n", stderr);
				return 2;
			}
			data = p;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(data + len, 1, cap - len, in);
		if (!n)
			break;
		len += n;
	}
	if (in != stdin)
		fclose(in);
	/* an exact-size copy, so ASan sees reads past the input's end */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact)
			return 2;
		for (size_t i = 0; i < len; i++)
			exact[i] = data[i];
		free(data);
		rc = LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return rc ? 1 : 0;
}
