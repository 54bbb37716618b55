// SPDX-License-Identifier: MIT
/*
 * Escape attempt 8: gain privileges through exec. Run as root of the
 * sandbox, the program makes a setuid-root copy of itself and a copy with
 * file capabilities (CAP_SETUID, CAP_DAC_OVERRIDE) in the overlay, drops to
 * uid/gid 65534, then execs those copies, argv[1] (a setuid-root copy the
 * test made on the host) and the host's setuid-root passwd, su and newgrp.
 * With no_new_privs set, no exec may raise the effective uid or capabilities:
 * every "whoami" line must say 65534 with no capability, and passwd -S root
 * (which needs root to read /etc/shadow) must fail.
 * "setuid --whoami LABEL" prints the ids and capabilities of the process.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "escape.h"

#define NOBODY 65534

static int whoami(const char *label)
{
	char line[256], cap[64] = "?";
	uid_t r, e, s;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			sscanf(line + 7, "%63s", cap);
	if (f)
		fclose(f);
	getresuid(&r, &e, &s);
	printf("whoami %s: uid %u euid %u suid %u CapEff %s\n", label, (unsigned)r, (unsigned)e,
	       (unsigned)s, cap);
	return 0;
}

/* A copy of this program at path, owned by root, with the given mode. */
static int copy_self(const char *path, mode_t mode)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), out;
	ssize_t n;

	out = (int)attempt(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755), "copy self to %s (overlay)", path);
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	attempt(fchown(out, 0, 0), "  chown 0:0 %s", path);
	attempt(fchmod(out, mode), "  chmod %04o %s", (unsigned)mode, path);
	close(out);
	return 0;
}

static void run(const char *what, char *const argv[])
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		printf("exec %s: %s\n", what, errname(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		printf("exec %s: fork/wait %s\n", what, errname(errno));
		return;
	}
	if (WIFEXITED(status))
		printf("exec %s: exit %d\n", what, WEXITSTATUS(status));
	else
		printf("exec %s: signal %d\n", what, WTERMSIG(status));
}

int main(int argc, char **argv)
{
	/* struct vfs_cap_data, revision 2, effective: CAP_SETUID and CAP_DAC_OVERRIDE. */
	uint32_t fcap[5] = { 0x02000001, (1u << 7) | (1u << 1), 0, 0, 0 };
	gid_t g = NOBODY;

	escape_init();
	if (argc > 2 && !strcmp(argv[1], "--whoami"))
		return whoami(argv[2]);
	if (argc < 2) {
		fprintf(stderr, "usage: setuid HOST_SETUID_COPY | setuid --whoami LABEL\n");
		return 2;
	}
	whoami("start");
	printf("no_new_privs: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	if (geteuid() == 0) {
		copy_self("suid_copy", 04755);
		copy_self("fcap_copy", 0755);
		attempt(setxattr("fcap_copy", "security.capability", fcap, sizeof(fcap), 0),
			"  setxattr security.capability (cap_setuid,cap_dac_override+ep) fcap_copy");
		attempt(setgroups(1, &g), "drop: setgroups(65534)");
		attempt(setresgid(NOBODY, NOBODY, NOBODY), "drop: setresgid(65534)");
		attempt(setresuid(NOBODY, NOBODY, NOBODY), "drop: setresuid(65534)");
		whoami("dropped");
		run("overlay setuid copy", (char *[]){ "./suid_copy", "--whoami", "overlay-setuid-copy", NULL });
		run("overlay file-caps copy", (char *[]){ "./fcap_copy", "--whoami", "overlay-fcap-copy", NULL });
	}
	run("host setuid copy", (char *[]){ argv[1], "--whoami", "host-setuid-copy", NULL });
	run("/usr/bin/passwd -S root", (char *[]){ "/usr/bin/passwd", "-S", "root", NULL });
	run("/bin/su -c true root", (char *[]){ "/bin/su", "-c", "true", "root", NULL });
	run("/usr/bin/newgrp --help", (char *[]){ "/usr/bin/newgrp", "--help", NULL });
	whoami("end");
	return 0;
}
