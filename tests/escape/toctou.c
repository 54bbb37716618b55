// SPDX-License-Identifier: MIT
/*
 * Escape attempt 7: change a path between the supervisor's look and the
 * kernel's use. One thread opens (O_WRONLY|O_CREAT|O_TRUNC) and writes the
 * path in a shared buffer, again and again; another flips that buffer
 * between a harmless name in the overlay and argv[1], a host file outside
 * it. Whatever the supervisor saw, the host file must stay as it was.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "escape.h"

#define ROUNDS 3000

static char buf[4096];
static const char *target;
static atomic_int done;

static void *flipper(void *arg)
{
	size_t tl = strlen(target) + 1;
	unsigned i, k;

	(void)arg;
	for (i = 0; !atomic_load(&done); i++) {
		/* A few flips between scheduling points, then yield. */
		for (k = 0; k < 64; k++) {
			if ((i + k) & 1)
				memcpy(buf, target, tl);
			else
				memcpy(buf, "harmless", 9);
			__asm__ volatile("" ::: "memory");
		}
		sched_yield();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned i, ok = 0, erofs = 0, other = 0;
	pthread_t th;
	int fd;

	escape_init();
	if (argc < 2 || strlen(argv[1]) >= sizeof(buf)) {
		fprintf(stderr, "usage: toctou HOST_FILE\n");
		return 2;
	}
	target = argv[1];
	memcpy(buf, "harmless", 9);
	if (pthread_create(&th, NULL, flipper, NULL))
		return 2;
	for (i = 0; i < ROUNDS; i++) {
		fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			ok++;
			if (write(fd, "pwned\n", 6) != 6)
				other++;
			close(fd);
		} else if (errno == EROFS) {
			erofs++;
		} else {
			other++;
		}
	}
	atomic_store(&done, 1);
	pthread_join(th, NULL);
	printf("open of a flipping path x%u (harmless <-> %s): %u opened, %u EROFS, %u other errors\n",
	       ROUNDS, target, ok, erofs, other);
	return 0;
}
