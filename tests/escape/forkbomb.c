// SPDX-License-Identifier: MIT
/*
 * Escape attempt 12: exhaust the host's processes. Every process forks in a
 * loop forever, children included; with "sleep" (argv[1]) each waits 10 ms
 * of (virtual) time between forks, so the count doubles every 10 ms instead
 * of as fast as the scheduler goes. The run must end (timeout or a process
 * limit) and leave no process behind on the host.
 */
#include <time.h>
#include <unistd.h>

#include "escape.h"

int main(int argc, char **argv)
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
	int sleeping = argc > 1 && !strcmp(argv[1], "sleep");
	int failed = 0;
	pid_t self = getpid();

	escape_init();
	printf("fork bomb (%s): forking forever\n", sleeping ? "10 ms apart" : "flat out");
	for (;;) {
		if (fork() < 0 && !failed++ && getpid() == self)
			printf("fork: %s\n", errname(errno));
		if (sleeping)
			nanosleep(&ten_ms, NULL);
	}
}
