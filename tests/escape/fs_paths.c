// SPDX-License-Identifier: MIT
/*
 * Escape attempt 1: change a host directory outside the overlays.
 * argv[1] is the target folder as an absolute path, argv[2] the same folder
 * relative to the working folder (a sibling: "../target"). The target holds
 * "victim" (a file), "dir" (a folder with a file) and "link" (-> victim).
 * Every write, delete, rename, chmod, chown, link and symlink is tried through
 * "..", absolute paths, /proc/self/root, /proc/self/cwd, /proc/1/root,
 * directory fds (of "/" and of the target), fchdir, /proc/self/fd reopens,
 * symlinks planted in the overlay and shared mmaps. Each must fail.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "escape.h"

static char abs_t[PATH_MAX], rel_t[PATH_MAX];

/* path of name under the target, reached through the way `via` names. */
static const char *at(const char *via, const char *name)
{
	static char buf[4][PATH_MAX * 2];
	static unsigned n;
	char *b = buf[n++ % 4];

	if (!strcmp(via, "rel"))
		snprintf(b, PATH_MAX * 2, "%s/%s", rel_t, name);
	else if (!strcmp(via, "abs"))
		snprintf(b, PATH_MAX * 2, "%s/%s", abs_t, name);
	else if (!strcmp(via, "cwd"))
		snprintf(b, PATH_MAX * 2, "/proc/self/cwd/%s/%s", rel_t, name);
	else
		snprintf(b, PATH_MAX * 2, "%s%s/%s", via, abs_t, name);
	return b;
}

static void close_ok(long fd)
{
	if (fd >= 0)
		close((int)fd);
}

static void create_and_write(const char *via)
{
	long fd;

	fd = attempt(open(at(via, "new"), O_WRONLY | O_CREAT | O_EXCL, 0644), "open %s O_CREAT",
		     at(via, "new"));
	close_ok(fd);
	fd = attempt(open(at(via, "victim"), O_WRONLY | O_TRUNC), "open %s O_WRONLY|O_TRUNC",
		     at(via, "victim"));
	if (fd >= 0)
		attempt(write((int)fd, "pwned\n", 6), "  write");
	close_ok(fd);
	fd = attempt(open(at(via, "victim"), O_RDWR | O_APPEND), "open %s O_RDWR|O_APPEND",
		     at(via, "victim"));
	close_ok(fd);
	attempt(truncate(at(via, "victim"), 0), "truncate %s", at(via, "victim"));
	attempt(unlink(at(via, "victim")), "unlink %s", at(via, "victim"));
	attempt(unlink(at(via, "link")), "unlink %s", at(via, "link"));
	attempt(rmdir(at(via, "dir")), "rmdir %s", at(via, "dir"));
	attempt(rename(at(via, "victim"), at(via, "renamed")), "rename %s -> renamed",
		at(via, "victim"));
	attempt(chmod(at(via, "victim"), 0777), "chmod 0777 %s", at(via, "victim"));
	attempt(chown(at(via, "victim"), 1234, 1234), "chown 1234 %s", at(via, "victim"));
	attempt(lchown(at(via, "link"), 1234, 1234), "lchown 1234 %s", at(via, "link"));
	attempt(utimensat(AT_FDCWD, at(via, "victim"), NULL, 0), "utimensat %s", at(via, "victim"));
	attempt(setxattr(at(via, "victim"), "user.fozzy", "x", 1, 0), "setxattr %s",
		at(via, "victim"));
	attempt(link(at(via, "victim"), at(via, "hard")), "link %s -> hard", at(via, "victim"));
	attempt(symlink("victim", at(via, "sym")), "symlink %s", at(via, "sym"));
	attempt(mkdir(at(via, "newdir"), 0755), "mkdir %s", at(via, "newdir"));
	attempt(mknod(at(via, "fifo"), S_IFIFO | 0644, 0), "mknod fifo %s", at(via, "fifo"));
}

static void dirfd_tricks(void)
{
	long root, dir, pdir, fd, cwd;

	root = attempt(open("/", O_RDONLY | O_DIRECTORY), "open / O_DIRECTORY (setup)");
	fd = attempt(openat((int)root, abs_t + 1, O_RDONLY | O_DIRECTORY), "openat(dirfd /, target) (setup)");
	close_ok(fd);
	{
		char p[PATH_MAX + 16];

		snprintf(p, sizeof(p), "%s/new", abs_t + 1);
		fd = attempt(openat((int)root, p, O_WRONLY | O_CREAT | O_EXCL, 0644),
			     "openat(dirfd /, %s, O_CREAT)", p);
		close_ok(fd);
		snprintf(p, sizeof(p), "%s/victim", abs_t + 1);
		fd = attempt(openat((int)root, p, O_WRONLY | O_TRUNC), "openat(dirfd /, %s, O_TRUNC)", p);
		close_ok(fd);
		attempt(unlinkat((int)root, p, 0), "unlinkat(dirfd /, %s)", p);
		attempt(fchmodat((int)root, p, 0777, 0), "fchmodat(dirfd /, %s)", p);
	}
	dir = attempt(open(abs_t, O_RDONLY | O_DIRECTORY), "open target O_DIRECTORY (setup)");
	fd = attempt(openat((int)dir, "new", O_WRONLY | O_CREAT | O_EXCL, 0644),
		     "openat(dirfd target, new, O_CREAT)");
	close_ok(fd);
	fd = attempt(openat((int)dir, "victim", O_WRONLY | O_TRUNC), "openat(dirfd target, victim, O_TRUNC)");
	close_ok(fd);
	attempt(unlinkat((int)dir, "victim", 0), "unlinkat(dirfd target, victim)");
	attempt(renameat((int)dir, "victim", (int)dir, "renamed"), "renameat(dirfd target, victim -> renamed)");
	attempt(symlinkat("victim", (int)dir, "sym"), "symlinkat(dirfd target, sym)");
	attempt(linkat((int)dir, "victim", (int)dir, "hard", 0), "linkat(dirfd target, victim -> hard)");
	attempt(mkdirat((int)dir, "newdir", 0755), "mkdirat(dirfd target, newdir)");
	attempt(fchmod((int)dir, 0777), "fchmod(dirfd target, 0777)");
	attempt(fchown((int)dir, 1234, 1234), "fchown(dirfd target, 1234)");
	pdir = attempt(open(abs_t, O_PATH | O_DIRECTORY), "open target O_PATH (setup)");
	fd = attempt(openat((int)pdir, "new", O_WRONLY | O_CREAT | O_EXCL, 0644),
		     "openat(O_PATH dirfd target, new, O_CREAT)");
	close_ok(fd);
	/* fchdir into the target, create there, come back. */
	cwd = attempt(open(".", O_PATH | O_DIRECTORY), "open . O_PATH (setup)");
	if (!attempt(fchdir((int)dir), "fchdir(dirfd target) (setup)")) {
		fd = attempt(open("new", O_WRONLY | O_CREAT | O_EXCL, 0644), "after fchdir: open new O_CREAT");
		close_ok(fd);
		attempt(rename("victim", "renamed"), "after fchdir: rename victim -> renamed");
		attempt(unlink("victim"), "after fchdir: unlink victim");
		attempt(fchdir((int)cwd), "fchdir back (setup)");
	}
	close_ok(cwd);
	close_ok(pdir);
	close_ok(dir);
	close_ok(root);
}

static void reopen_tricks(void)
{
	char p[64];
	long ro, op, fd;
	void *m;

	ro = attempt(open(at("abs", "victim"), O_RDONLY), "open victim O_RDONLY (setup)");
	snprintf(p, sizeof(p), "/proc/self/fd/%ld", ro);
	fd = attempt(open(p, O_WRONLY | O_TRUNC), "reopen %s (O_RDONLY fd) O_WRONLY|O_TRUNC", p);
	close_ok(fd);
	attempt(ftruncate((int)ro, 0), "ftruncate(O_RDONLY fd)");
	attempt(write((int)ro, "x", 1), "write(O_RDONLY fd)");
	attempt(fchmod((int)ro, 0777), "fchmod(O_RDONLY fd, 0777)");
	attempt(fchown((int)ro, 1234, 1234), "fchown(O_RDONLY fd, 1234)");
	attempt(fsetxattr((int)ro, "user.fozzy", "x", 1, 0), "fsetxattr(O_RDONLY fd)");
	attempt(futimens((int)ro, NULL), "futimens(O_RDONLY fd)");
	attempt(linkat((int)ro, "", AT_FDCWD, "stolen", AT_EMPTY_PATH), "linkat(victim fd, AT_EMPTY_PATH -> ./stolen)");
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)ro, 0);
	attempt(m == MAP_FAILED ? -1 : 0, "mmap(O_RDONLY fd, PROT_WRITE, MAP_SHARED)");
	if (m != MAP_FAILED) {
		memcpy(m, "pwned", 5);
		munmap(m, 4096);
	}
	op = attempt(open(at("abs", "victim"), O_PATH), "open victim O_PATH (setup)");
	snprintf(p, sizeof(p), "/proc/self/fd/%ld", op);
	fd = attempt(open(p, O_RDWR), "reopen %s (O_PATH fd) O_RDWR", p);
	close_ok(fd);
	close_ok(op);
	close_ok(ro);
}

static void overlay_tricks(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long fd, s;

	/* Things made in the overlay that point or move out of it. */
	fd = attempt(open("mine", O_WRONLY | O_CREAT | O_TRUNC, 0644), "open ./mine O_CREAT (setup, overlay)");
	if (fd >= 0) {
		attempt(write((int)fd, "mine\n", 5), "write ./mine (setup, overlay)");
		close((int)fd);
	}
	attempt(symlink(at("abs", "victim"), "esc"), "symlink ./esc -> victim (setup, overlay)");
	fd = attempt(open("esc", O_WRONLY | O_TRUNC), "open ./esc (-> victim) O_WRONLY|O_TRUNC");
	close_ok(fd);
	attempt(chmod("esc", 0777), "chmod ./esc (-> victim)");
	attempt(symlink(abs_t, "escdir"), "symlink ./escdir -> target (setup, overlay)");
	fd = attempt(open("escdir/new", O_WRONLY | O_CREAT | O_EXCL, 0644), "open ./escdir/new O_CREAT");
	close_ok(fd);
	attempt(rename("mine", at("rel", "planted")), "rename ./mine -> %s", at("rel", "planted"));
	attempt(rename("mine", at("abs", "victim")), "rename ./mine over %s", at("abs", "victim"));
	attempt(renameat2(AT_FDCWD, "mine", AT_FDCWD, at("abs", "victim"), RENAME_EXCHANGE),
		"renameat2 RENAME_EXCHANGE ./mine <-> victim");
	attempt(rename(at("abs", "victim"), "stolen"), "rename victim -> ./stolen");
	attempt(link("mine", at("abs", "hard")), "link ./mine -> target/hard");
	attempt(link(at("abs", "victim"), "hard"), "link victim -> ./hard");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (strlen(rel_t) + sizeof("/sock") <= sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, rel_t, strlen(rel_t));
		memcpy(sa.sun_path + strlen(rel_t), "/sock", sizeof("/sock"));
		attempt(bind((int)s, (struct sockaddr *)&sa, sizeof(sa)), "bind AF_UNIX %s", sa.sun_path);
	}
	close_ok(s);
}

int main(int argc, char **argv)
{
	static const char *const vias[] = { "rel", "abs", "/proc/self/root", "cwd", "/proc/1/root" };
	unsigned i;

	escape_init();
	if (argc < 3) {
		fprintf(stderr, "usage: fs_paths ABS_TARGET REL_TARGET\n");
		return 2;
	}
	snprintf(abs_t, sizeof(abs_t), "%s", argv[1]);
	snprintf(rel_t, sizeof(rel_t), "%s", argv[2]);
	for (i = 0; i < sizeof(vias) / sizeof(vias[0]); i++)
		create_and_write(vias[i]);
	dirfd_tricks();
	reopen_tricks();
	overlay_tricks();
	return 0;
}
