// SPDX-License-Identifier: MIT
/*
 * Escape attempt 10: type into the terminal fozzy was started from.
 * TIOCSTI pushes bytes into a terminal's input queue as if typed: into the
 * host shell's terminal it would run commands outside the sandbox. Tried on
 * stdin (the test gives a pty that is the controlling terminal of fozzy's
 * session), after trying to make it the program's controlling terminal
 * (TIOCSCTTY, plain and forced), and on /dev/tty. All must fail; the test
 * reads the pty on the host to see that nothing arrived.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "escape.h"

static void push(int fd, const char *what)
{
	static const char cmd[] = "echo escaped\n";
	unsigned i;
	long rc = 0;

	for (i = 0; i < sizeof(cmd) - 1 && rc == 0; i++)
		rc = ioctl(fd, TIOCSTI, &cmd[i]);
	attempt(rc, "ioctl(%s, TIOCSTI, \"echo escaped\\n\")", what);
}

int main(void)
{
	long tty;

	escape_init();
	printf("stdin is a tty: %s, sid %d\n", isatty(0) ? "yes" : "no", (int)getsid(0));
	push(0, "stdin");
	attempt(ioctl(0, TIOCSCTTY, 0), "ioctl(stdin, TIOCSCTTY, 0)");
	attempt(ioctl(0, TIOCSCTTY, 1), "ioctl(stdin, TIOCSCTTY, 1 (steal))");
	push(0, "stdin");
	tty = attempt(open("/dev/tty", O_RDWR), "open /dev/tty");
	if (tty >= 0) {
		push((int)tty, "/dev/tty");
		close((int)tty);
	}
	tty = attempt(open("/proc/self/fd/0", O_RDWR), "reopen stdin O_RDWR (setup)");
	if (tty >= 0) {
		push((int)tty, "reopened stdin");
		close((int)tty);
	}
	return 0;
}
