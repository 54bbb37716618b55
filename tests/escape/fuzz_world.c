// SPDX-License-Identifier: MIT
/*
 * Under fozzy fuzz: try to write the input (through stdin's magic link,
 * /dev/fozzy-input, and /dev/fd/0), and to resize or unmap-and-shrink the
 * coverage map (descriptor 198), which the supervisor reads after the run.
 * Exits 99 when anything went through, 0 otherwise.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "escape.h"

int main(void)
{
	static const char *const paths[] = { "/proc/self/fd/0", "/dev/fozzy-input", "/dev/fd/0" };
	int bad = 0;
	unsigned i;

	escape_init();
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct stat st;

		/* stdin that is not a file (/dev/null, a pipe) is no input to corrupt */
		if (i != 1 && (fstat(0, &st) || !S_ISREG(st.st_mode)))
			continue;
		int fd = (int)attempt(open(paths[i], O_WRONLY), "open %s for writing", paths[i]);

		if (fd >= 0) {
			bad |= attempt(write(fd, "X", 1), "write %s", paths[i]) == 1;
			close(fd);
		}
		fd = (int)attempt(open(paths[i], O_RDWR | O_TRUNC), "truncate %s", paths[i]);
		if (fd >= 0) {
			bad = 1;
			close(fd);
		}
	}
	bad |= attempt(ftruncate(198, 0), "shrink the coverage map") == 0;
	bad |= attempt(ftruncate(198, 1 << 20), "grow the coverage map") == 0;
	return bad ? 99 : 0;
}
