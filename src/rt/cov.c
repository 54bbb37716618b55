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
 * LLVMFuzzerTestOneInput and no main of its own gets this one. Under fozzy
 * fuzz (persistent mode) it asks the supervisor for input after input and
 * runs the harness on each, in one process; fozzy gives the clock, the
 * random streams, the counters and the outputs back between inputs, and
 * replaces the process with a fresh fork now and then. Elsewhere (a replay,
 * --no-persistent, outside fozzy) it runs the harness once on the input:
 * the file named by the first argument, else stdin.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) __attribute__((weak));
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static long persist_marker(long op, void *buf, size_t cap, long rc)
{
	register long r10 __asm__("r10") = rc;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)FOZZY_MARKER_NR), "D"(op), "S"(buf), "d"(cap), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * Where the inputs come from: the supervisor (persistent mode), or the one
 * input of the file or stdin. Both go through drive() and run_one(), so a
 * crash has the same stack, and the same signature, either way.
 */
struct source {
	int persistent;         /* 1 until the supervisor says it is not in persistent mode */
	int started;
	uint8_t *buf;
	size_t cap;
	FILE *in;
	const char *path;       /* the input file (the first argument), or NULL: stdin */
};

/* The whole of the file or stdin into src->buf: its length, or -1 (said why). */
static long read_all(struct source *src)
{
	size_t len = 0;

	for (;;) {
		size_t n;

		if (len == src->cap) {
			uint8_t *p = realloc(src->buf, src->cap ? src->cap * 2 : 4096);

			if (!p) {
				fputs("libfozzy-cov: out of memory reading the input\n", stderr);
				return -1;
			}
			src->buf = p;
			src->cap = src->cap ? src->cap * 2 : 4096;
		}
		n = fread(src->buf + len, 1, src->cap - len, src->in);
		if (!n)
			break;
		len += n;
	}
	return (long)len;
}

/* The next input into src->buf: its length, or -1 at the end (or when it cannot be read: said why). */
static long next_input(struct source *src, int rc)
{
	long n;

	if (src->persistent) {
		n = persist_marker(RT_PERSIST_NEXT, src->buf, src->cap, rc);
		if (n != -ENOSYS || src->started) {
			src->started = 1;
			while (n >= 0 && (size_t)n > src->cap) {
				uint8_t *p = realloc(src->buf, (size_t)n);

				if (!p)
					abort();
				src->buf = p;
				src->cap = (size_t)n;
				n = persist_marker(RT_PERSIST_AGAIN, src->buf, src->cap, 0);
			}
			return n;
		}
		src->persistent = 0; /* outside fozzy, or not persistent: the one input of the file or stdin */
	}
	if (src->started++)
		return -1;
	src->in = stdin;
	if (src->path && !(src->in = fopen(src->path, "rb"))) {
		perror(src->path);
		return -1;
	}
	n = read_all(src);
	if (src->in != stdin)
		fclose(src->in);
	return n;
}

/* One input: an exact-size copy, so ASan sees reads past its end. */
__attribute__((noinline)) static int run_one(const uint8_t *data, size_t len)
{
	uint8_t *exact = malloc(len ? len : 1);
	int rc;

	if (!exact)
		abort();
	memcpy(exact, data, len);
	rc = LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	/* what the harness printed belongs to this input */
	fflush(stdout);
	fflush(stderr);
	return rc;
}

__attribute__((noinline)) static int drive(struct source *src)
{
	int rc = 0, any = 0;
	long n;

	while ((n = next_input(src, rc)) >= 0) {
		rc = run_one(src->buf, (size_t)n);
		any = 1;
	}
	if (!any)
		return 2; /* the input could not be read */
	return !src->persistent && rc ? 1 : 0;
}

int main(int argc, char **argv) __attribute__((weak));

int main(int argc, char **argv)
{
	struct source src = { 0 };
	int code;

	if (!LLVMFuzzerTestOneInput) {
		fputs("libfozzy-cov: no main and no LLVMFuzzerTestOneInput in this program\n", stderr);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	src.cap = 65536;
	src.buf = malloc(src.cap);
	if (!src.buf)
		return 2;
	src.persistent = 1;
	src.path = argc > 1 ? argv[1] : NULL;
	code = drive(&src);
	free(src.buf);
	return code;
}
