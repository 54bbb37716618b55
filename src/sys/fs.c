// SPDX-License-Identifier: MIT
/*
 * File metadata. Timestamps of files the program creates or changes come from
 * the virtual clock: every call that changes a file (writes, truncation,
 * creation, links, renames, removal, chmod/chown/xattrs, utimes) marks the
 * inode with the virtual time, and the stat family reports the marked times.
 * Files the program never touched keep the host's times (they are inputs).
 * Paths are resolved through /proc/<pid>/{cwd,root,fd} so the supervisor
 * sees what the program would, dirfd-relative lookups included.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sys_internal.h"

int tracee_fd_stat(struct tracee *t, int fd, struct stat *st)
{
	char path[64];

	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->pid, fd);
	return stat(path, st) ? -errno : 0;
}

bool is_random_device(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 &&
	       (minor(st->st_rdev) == 8 || minor(st->st_rdev) == 9);
}

/*
 * Build the supervisor-side path of (dirfd, path) as the tracee sees it.
 * parent: resolve the directory that holds the last component instead.
 */
static int host_path(struct tracee *t, int dirfd, uint64_t path_addr, bool parent, char *out,
		     size_t outlen)
{
	char p[PATH_MAX], *slash;
	int rc, n;

	rc = tracee_read_str(t, path_addr, p, sizeof(p));
	if (rc)
		return rc;
	if (parent) {
		size_t len = strlen(p);

		while (len > 1 && p[len - 1] == '/')
			p[--len] = 0;
		slash = strrchr(p, '/');
		if (!slash)
			p[0] = 0;
		else if (slash == p)
			p[1] = 0;
		else
			*slash = 0;
	}
	if (p[0] == '/')
		n = snprintf(out, outlen, "/proc/%d/root%s", (int)t->pid, p);
	else if (dirfd == AT_FDCWD)
		n = snprintf(out, outlen, "/proc/%d/cwd/%s", (int)t->pid, p);
	else
		n = snprintf(out, outlen, "/proc/%d/fd/%d/%s", (int)t->pid, dirfd, p);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static int stat_at(struct tracee *t, int dirfd, uint64_t path_addr, bool parent, bool nofollow,
		   struct stat *st)
{
	char path[PATH_MAX + 64];
	int rc = host_path(t, dirfd, path_addr, parent, path, sizeof(path));

	if (rc)
		return rc;
	return fstatat(AT_FDCWD, path, st, nofollow ? AT_SYMLINK_NOFOLLOW : 0) ? -errno : 0;
}

static void mark(struct tracee *t, const struct stat *st, unsigned set, unsigned clear)
{
	sup_mark_changed(t->sup, st->st_dev, st->st_ino, set, clear);
}

/* Without --det files keep the host's times: nothing to track. */
#define DET_ONLY(t) do { if (!sup_det((t)->sup)) return SYS_CONTINUE; } while (0)

/* Free room of a pipe of t, in bytes, counted in whole pages; -1 if not to be managed. */
static int64_t pipe_room(struct tracee *t, int fd)
{
	int dup = sup_dup_fd(t->sup, t, fd), used = 0, cap;
	bool nonblock;

	if (dup < 0)
		return -1;
	nonblock = fcntl(dup, F_GETFL) & O_NONBLOCK;
	cap = fcntl(dup, F_GETPIPE_SZ);
	if (ioctl(dup, FIONREAD, &used) < 0)
		used = 0;
	close(dup);
	if (nonblock || cap <= 0)
		return -1;
	used = (used + 4095) / 4096 * 4096;
	return cap > used ? cap - used : 0;
}

static bool pipe_has_room(struct tracee *t)
{
	return pipe_room(t, t->wait_fd) != 0;
}

/*
 * A blocking write to a pipe that another traced thread reads: POLLOUT only
 * says some room is free, and a larger write would block in the kernel with
 * the baton. Write what fits, then re-issue the rest (the syscall
 * instruction is run again with the buffer advanced), parking while the pipe
 * is full; the program sees one write of the whole count, as the kernel gives.
 */
static enum sys_action pipe_write(struct tracee *t, struct sys_call *c)
{
	int64_t room = pipe_room(t, (int)c->args[0]);

	if (room < 0 || (!t->write_total && c->args[2] <= (uint64_t)room))
		return SYS_RUN_NOW;
	if (room == 0) {
		t->wait = WAIT_FD;
		t->wait_fd = (int)c->args[0];
		t->wait_events = POLLOUT;
		t->wait_ready = pipe_has_room;
		return SYS_PARK;
	}
	c->scratch[0] = c->args[2];
	if (c->args[2] > (uint64_t)room) {
		t->regs.rdx = (uint64_t)room;
		t->regs_dirty = true;
	}
	return SYS_EXIT_STOP;
}

void sys_write_fd_exit(struct tracee *t, struct sys_call *c)
{
	uint64_t asked = c->scratch[0];

	if (!asked)
		return;
	if (c->ret < 0) {
		if (t->write_total) { /* part was written: that is the result */
			c->ret = (int64_t)t->write_total;
			t->regs.rax = (uint64_t)c->ret;
			t->regs_dirty = true;
		}
		t->write_total = 0;
		return;
	}
	if ((uint64_t)c->ret < asked && c->ret > 0) {
		t->write_total += (uint64_t)c->ret;
		t->regs.rip -= 2; /* the syscall instruction, 0f 05 */
		t->regs.rax = t->regs.orig_rax;
		t->regs.rdi = c->args[0];
		t->regs.rsi = c->args[1] + (uint64_t)c->ret;
		t->regs.rdx = asked - (uint64_t)c->ret;
		t->regs_dirty = true;
		return;
	}
	c->ret += (int64_t)t->write_total;
	t->regs.rax = (uint64_t)c->ret;
	t->regs_dirty = true;
	t->write_total = 0;
}

/* write, writev, pwrite64, pwritev, pwritev2, ftruncate, fallocate: fd first. */
enum sys_action sys_write_fd(struct tracee *t, struct sys_call *c)
{
	struct stat st;

	if (c->args[0] > INT32_MAX || tracee_fd_stat(t, (int)c->args[0], &st))
		return SYS_CONTINUE;
	if (S_ISFIFO(st.st_mode) && c->nr == SYS_write && sup_live_threads(t->sup) > 1)
		return pipe_write(t, c);
	if ((S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || !(st.st_mode & S_IFMT)) && c->nr != SYS_ftruncate &&
	    c->nr != SYS_fallocate)
		return wait_fd(t, (int)c->args[0], POLLOUT); /* a full pipe would block */
	DET_ONLY(t);
	if ((c->nr == SYS_write || c->nr == SYS_pwrite64) && c->args[2] == 0)
		return SYS_CONTINUE;
	if (S_ISREG(st.st_mode))
		mark(t, &st, CHG_M | CHG_C, 0);
	return SYS_CONTINUE;
}

/* fsync, fdatasync: traced only so a fault plan can make them fail; they run as they are. */
enum sys_action sys_fsync(struct tracee *t, struct sys_call *c)
{
	(void)t;
	(void)c;
	return SYS_CONTINUE;
}

enum sys_action sys_truncate(struct tracee *t, struct sys_call *c)
{
	struct stat st;

	DET_ONLY(t);
	if (!stat_at(t, AT_FDCWD, c->args[0], false, false, &st))
		mark(t, &st, CHG_M | CHG_C, 0);
	return SYS_CONTINUE;
}

/* open, openat, creat: creating or truncating a file changes it and its directory. */
enum sys_action sys_open(struct tracee *t, struct sys_call *c)
{
	int dirfd = c->nr == SYS_openat ? (int)c->args[0] : AT_FDCWD;
	uint64_t path = c->nr == SYS_openat ? c->args[1] : c->args[0];
	uint64_t flags = c->nr == SYS_creat ? (O_CREAT | O_WRONLY | O_TRUNC)
			 : c->nr == SYS_openat ? c->args[2] : c->args[1];
	struct stat st;

	DET_ONLY(t);
	if (!(flags & (O_CREAT | O_TRUNC)) && (flags & O_TMPFILE) != O_TMPFILE)
		return SYS_CONTINUE;
	c->scratch[0] = flags;
	c->scratch[1] = (flags & O_TMPFILE) == O_TMPFILE ||
			!stat_at(t, dirfd, path, false, !!(flags & (O_EXCL | O_NOFOLLOW)), &st);
	c->scratch[2] = 0;
	if (!c->scratch[1] && !stat_at(t, dirfd, path, true, false, &st)) {
		c->scratch[2] = 1;
		c->scratch[3] = st.st_dev;
		c->scratch[4] = st.st_ino;
	}
	return SYS_EXIT_STOP;
}

void sys_open_exit(struct tracee *t, struct sys_call *c)
{
	bool existed = c->scratch[1] && (c->scratch[0] & O_TMPFILE) != O_TMPFILE;
	struct stat st;

	if (c->ret < 0)
		return;
	if (!tracee_fd_stat(t, (int)c->ret, &st)) {
		if (!existed)
			mark(t, &st, CHG_A | CHG_M | CHG_C | CHG_B, 0);
		else if (c->scratch[0] & O_TRUNC)
			mark(t, &st, CHG_M | CHG_C, 0);
	}
	if (c->scratch[2])
		sup_mark_changed(t->sup, c->scratch[3], c->scratch[4], CHG_M | CHG_C, 0);
}

/*
 * Path operations, described by which arguments hold (dirfd, path) pairs.
 * A dirfd index of -1 means AT_FDCWD.
 */
enum pc_kind {
	PC_CREATE,  /* path A is created (mkdir, mknod, symlink) */
	PC_LINK,    /* path A gains a name at path B */
	PC_RENAME,  /* path A moves to path B */
	PC_REMOVE,  /* path A is removed */
	PC_TIMES,   /* path A gets new times (times argument `extra`) */
	PC_META,    /* path A (or fd A) changes mode, owner or xattrs */
};

struct pc_desc {
	int nr;
	enum pc_kind kind;
	int8_t dfd_a, path_a, dfd_b, path_b;
	int8_t flags;       /* index of an AT_* flags argument, or -1 */
	int8_t extra;       /* PC_TIMES: index of the times argument */
	uint8_t nofollow;   /* lchown, lsetxattr, lremovexattr */
};

static const struct pc_desc pc_table[] = {
	{ SYS_mkdir, PC_CREATE, -1, 0, -1, -1, -1, -1, 1 },
	{ SYS_mkdirat, PC_CREATE, 0, 1, -1, -1, -1, -1, 1 },
	{ SYS_mknod, PC_CREATE, -1, 0, -1, -1, -1, -1, 1 },
	{ SYS_mknodat, PC_CREATE, 0, 1, -1, -1, -1, -1, 1 },
	{ SYS_symlink, PC_CREATE, -1, 1, -1, -1, -1, -1, 1 },
	{ SYS_symlinkat, PC_CREATE, 1, 2, -1, -1, -1, -1, 1 },
	{ SYS_link, PC_LINK, -1, 0, -1, 1, -1, -1, 1 },
	{ SYS_linkat, PC_LINK, 0, 1, 2, 3, 4, -1, 1 },
	{ SYS_rename, PC_RENAME, -1, 0, -1, 1, -1, -1, 1 },
	{ SYS_renameat, PC_RENAME, 0, 1, 2, 3, -1, -1, 1 },
	{ SYS_renameat2, PC_RENAME, 0, 1, 2, 3, -1, -1, 1 },
	{ SYS_unlink, PC_REMOVE, -1, 0, -1, -1, -1, -1, 1 },
	{ SYS_unlinkat, PC_REMOVE, 0, 1, -1, -1, -1, -1, 1 },
	{ SYS_rmdir, PC_REMOVE, -1, 0, -1, -1, -1, -1, 1 },
	{ SYS_utime, PC_TIMES, -1, 0, -1, -1, -1, 1, 0 },
	{ SYS_utimes, PC_TIMES, -1, 0, -1, -1, -1, 1, 0 },
	{ SYS_utimensat, PC_TIMES, 0, 1, -1, -1, 3, 2, 0 },
	{ SYS_futimesat, PC_TIMES, 0, 1, -1, -1, -1, 2, 0 },
	{ SYS_chmod, PC_META, -1, 0, -1, -1, -1, -1, 0 },
	{ SYS_fchmod, PC_META, 0, -1, -1, -1, -1, -1, 0 },
	{ SYS_fchmodat, PC_META, 0, 1, -1, -1, -1, -1, 0 },
	{ SYS_fchmodat2, PC_META, 0, 1, -1, -1, 3, -1, 0 },
	{ SYS_chown, PC_META, -1, 0, -1, -1, -1, -1, 0 },
	{ SYS_fchown, PC_META, 0, -1, -1, -1, -1, -1, 0 },
	{ SYS_lchown, PC_META, -1, 0, -1, -1, -1, -1, 1 },
	{ SYS_fchownat, PC_META, 0, 1, -1, -1, 4, -1, 0 },
	{ SYS_setxattr, PC_META, -1, 0, -1, -1, -1, -1, 0 },
	{ SYS_lsetxattr, PC_META, -1, 0, -1, -1, -1, -1, 1 },
	{ SYS_fsetxattr, PC_META, 0, -1, -1, -1, -1, -1, 0 },
	{ SYS_removexattr, PC_META, -1, 0, -1, -1, -1, -1, 0 },
	{ SYS_lremovexattr, PC_META, -1, 0, -1, -1, -1, -1, 1 },
	{ SYS_fremovexattr, PC_META, 0, -1, -1, -1, -1, -1, 0 },
};

static const struct pc_desc *pc_find(uint32_t nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pc_table); i++)
		if (pc_table[i].nr == (int)nr)
			return &pc_table[i];
	return NULL;
}

static int pc_dfd(const struct sys_call *c, int idx)
{
	return idx < 0 ? AT_FDCWD : (int)c->args[idx];
}

/* Remember an inode to mark at exit: slots of (dev, ino, set-mask). */
static void remember(struct sys_call *c, const struct stat *st, unsigned set)
{
	unsigned n = (unsigned)c->scratch[0];

	if (n >= 3)
		return;
	c->scratch[1 + 3 * n] = st->st_dev;
	c->scratch[2 + 3 * n] = st->st_ino;
	c->scratch[3 + 3 * n] = set;
	c->scratch[0] = n + 1;
}

enum sys_action sys_path_change(struct tracee *t, struct sys_call *c)
{
	const struct pc_desc *d = pc_find(c->nr);
	struct stat st;
	bool nofollow;

	if (!d)
		BUG("no path-change row for syscall %u", c->nr);
	DET_ONLY(t);
	nofollow = d->nofollow || (d->flags >= 0 && (c->args[d->flags] & AT_SYMLINK_NOFOLLOW));
	c->scratch[0] = 0;
	c->scratch[9] = CHG_C;
	switch (d->kind) {
	case PC_CREATE:
	case PC_LINK:
		if (d->kind == PC_LINK && !stat_at(t, pc_dfd(c, d->dfd_a), c->args[d->path_a], false,
						   !(d->flags >= 0 && (c->args[d->flags] & AT_SYMLINK_FOLLOW)), &st))
			remember(c, &st, CHG_C);
		int8_t dfd = d->kind == PC_LINK ? d->dfd_b : d->dfd_a;
		int8_t path = d->kind == PC_LINK ? d->path_b : d->path_a;

		if (!stat_at(t, pc_dfd(c, dfd), c->args[path], true, false, &st))
			remember(c, &st, CHG_M | CHG_C);
		break;
	case PC_RENAME:
		if (!stat_at(t, pc_dfd(c, d->dfd_a), c->args[d->path_a], false, true, &st))
			remember(c, &st, CHG_C);
		if (!stat_at(t, pc_dfd(c, d->dfd_a), c->args[d->path_a], true, false, &st))
			remember(c, &st, CHG_M | CHG_C);
		if (!stat_at(t, pc_dfd(c, d->dfd_b), c->args[d->path_b], true, false, &st))
			remember(c, &st, CHG_M | CHG_C);
		break;
	case PC_REMOVE:
		if (!stat_at(t, pc_dfd(c, d->dfd_a), c->args[d->path_a], false, true, &st))
			remember(c, &st, CHG_C);
		if (!stat_at(t, pc_dfd(c, d->dfd_a), c->args[d->path_a], true, false, &st))
			remember(c, &st, CHG_M | CHG_C);
		break;
	case PC_TIMES:
	case PC_META: {
		int rc;
		unsigned set = CHG_C;

		if (d->path_a < 0 || (c->nr == SYS_utimensat && !c->args[d->path_a]))
			rc = tracee_fd_stat(t, (int)c->args[d->dfd_a], &st);
		else
			rc = stat_at(t, pc_dfd(c, d->dfd_a), c->args[d->path_a], false, nofollow, &st);
		if (rc)
			break;
		if (d->kind == PC_TIMES) {
			/* NULL times: both become "now"; explicit ones are the kernel's to report. */
			if (!c->args[d->extra]) {
				set |= CHG_A | CHG_M;
			} else if (c->nr == SYS_utimensat) {
				struct timespec ts[2];

				if (!tracee_read(t, c->args[d->extra], ts, sizeof(ts))) {
					set |= (ts[0].tv_nsec == UTIME_NOW ? CHG_A : 0) |
					       (ts[1].tv_nsec == UTIME_NOW ? CHG_M : 0);
					c->scratch[9] |= (ts[0].tv_nsec == UTIME_OMIT || ts[0].tv_nsec == UTIME_NOW ? 0 : 16) |
							 (ts[1].tv_nsec == UTIME_OMIT || ts[1].tv_nsec == UTIME_NOW ? 0 : 32);
				}
			} else {
				c->scratch[9] |= 16 | 32;
			}
		}
		remember(c, &st, set);
		break;
	}
	}
	return SYS_EXIT_STOP;
}

void sys_path_change_exit(struct tracee *t, struct sys_call *c)
{
	const struct pc_desc *d = pc_find(c->nr);
	unsigned i, clear = 0;
	struct stat st;

	if (c->ret < 0)
		return;
	if (c->scratch[9] & 16)
		clear |= CHG_A;
	if (c->scratch[9] & 32)
		clear |= CHG_M;
	for (i = 0; i < c->scratch[0]; i++)
		sup_mark_changed(t->sup, c->scratch[1 + 3 * i], c->scratch[2 + 3 * i],
				 (unsigned)c->scratch[3 + 3 * i], i == 0 ? clear : 0);
	if (d->kind == PC_CREATE &&
	    !stat_at(t, pc_dfd(c, d->dfd_a), c->args[d->path_a], false, true, &st))
		mark(t, &st, CHG_A | CHG_M | CHG_C | CHG_B, 0);
}

/*
 * The stat family, under --det: every result is rewritten at the exit stop.
 * Inode numbers, devices and mount ids are numbered in order of first sight
 * (the host's differ from run to run for anything the run creates), and a
 * file the program changed shows times from the virtual clock.
 */
enum sys_action sys_stat(struct tracee *t, struct sys_call *c)
{
	(void)c;
	DET_ONLY(t);
	return SYS_EXIT_STOP;
}

static void set_ts(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec = (time_t)(ns / 1000000000ULL);
	ts->tv_nsec = (long)(ns % 1000000000ULL);
}

static void set_stx(struct statx_timestamp *ts, uint64_t ns)
{
	ts->tv_sec = (int64_t)(ns / 1000000000ULL);
	ts->tv_nsec = (uint32_t)(ns % 1000000000ULL);
}

void sys_stat_exit(struct tracee *t, struct sys_call *c)
{
	const struct chg *ch;

	if (c->ret != 0)
		return;
	if (c->nr == SYS_statx) {
		struct statx sx;
		uint64_t dev;

		if (tracee_read(t, c->args[4], &sx, sizeof(sx)))
			return;
		dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		ch = sup_changed(t->sup, dev, sx.stx_ino);
		if (ch && (ch->mask & CHG_A))
			set_stx(&sx.stx_atime, ch->t[0]);
		if (ch && (ch->mask & CHG_M))
			set_stx(&sx.stx_mtime, ch->t[1]);
		if (ch && (ch->mask & CHG_C))
			set_stx(&sx.stx_ctime, ch->t[2]);
		if (ch && (ch->mask & CHG_B))
			set_stx(&sx.stx_btime, ch->t[3]);
		if (sx.stx_mask & STATX_INO)
			sx.stx_ino = sup_vino(t->sup, dev, sx.stx_ino);
		if (sx.stx_mask & (STATX_MNT_ID | 0x4000U /* STATX_MNT_ID_UNIQUE */))
			sx.stx_mnt_id = sup_vmnt(t->sup, sx.stx_mnt_id);
		dev = sup_vdev(t->sup, dev);
		sx.stx_dev_major = major(dev);
		sx.stx_dev_minor = minor(dev);
		tracee_write(t, c->args[4], &sx, sizeof(sx));
	} else {
		uint64_t addr = c->nr == SYS_newfstatat ? c->args[2] : c->args[1];
		struct stat st;

		if (tracee_read(t, addr, &st, sizeof(st)))
			return;
		ch = sup_changed(t->sup, st.st_dev, st.st_ino);
		if (ch && (ch->mask & CHG_A))
			set_ts(&st.st_atim, ch->t[0]);
		if (ch && (ch->mask & CHG_M))
			set_ts(&st.st_mtim, ch->t[1]);
		if (ch && (ch->mask & CHG_C))
			set_ts(&st.st_ctim, ch->t[2]);
		st.st_ino = sup_vino(t->sup, st.st_dev, st.st_ino);
		st.st_dev = sup_vdev(t->sup, st.st_dev);
		tracee_write(t, addr, &st, sizeof(st));
	}
}

/* ---- directories: listed in name order ---- */

struct dent {
	uint64_t ino;
	uint8_t type;
	char *name;
};

static int dent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name, ((const struct dent *)b)->name);
}

/* Read all of directory `fd` (from its start). Returns the count, or -errno. */
static long read_whole_dir(int fd, struct dent **out)
{
	static uint8_t chunk[32768];
	struct dent *v = NULL;
	size_t n = 0, cap = 0;
	long got;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((got = syscall(SYS_getdents64, fd, chunk, sizeof(chunk))) > 0) {
		long off = 0;

		while (off < got) {
			const struct linux_dirent64 {
				uint64_t d_ino;
				int64_t d_off;
				uint16_t d_reclen;
				uint8_t d_type;
				char d_name[];
			} *d = (const void *)(chunk + off);

			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n].ino = d->d_ino;
			v[n].type = d->d_type;
			v[n].name = xstrdup(d->d_name);
			n++;
			off += d->d_reclen;
		}
	}
	if (got < 0) {
		long err = -errno;

		while (n)
			free(v[--n].name);
		free(v);
		return err;
	}
	if (n)
		qsort(v, n, sizeof(*v), dent_cmp);
	*out = v;
	return (long)n;
}

/*
 * getdents64, emulated under --det: the whole directory is read through a
 * duplicate of the program's descriptor, sorted by name, and served from
 * the position, which holds the index of the next entry (d_off is index + 1,
 * so telldir/seekdir and rewinddir keep working).
 */
enum sys_action sys_getdents(struct tracee *t, struct sys_call *c)
{
	int fd = (int)c->args[0], dup;
	uint64_t count = (uint32_t)c->args[2], used = 0;
	struct dent *v = NULL;
	struct stat st;
	long n, i, pos;
	uint8_t *out;

	DET_ONLY(t);
	if ((int64_t)c->args[0] < 0 || c->args[0] > INT32_MAX)
		return SYS_CONTINUE;
	dup = sup_dup_fd(t->sup, t, fd);
	if (dup < 0)
		return SYS_CONTINUE; /* the kernel gives the error */
	if (fstat(dup, &st) || !S_ISDIR(st.st_mode) || (fcntl(dup, F_GETFL) & O_PATH)) {
		close(dup);
		return SYS_CONTINUE;
	}
	pos = (long)lseek(dup, 0, SEEK_CUR);
	n = read_whole_dir(dup, &v);
	if (n < 0) {
		close(dup);
		c->ret = n;
		return SYS_EMULATE;
	}
	if (pos < 0)
		pos = 0;
	if (count > (1u << 20))
		count = 1u << 20;
	out = xcalloc(1, count ? count : 1);
	for (i = pos; i < n; i++) {
		size_t len = strlen(v[i].name), rec = (19 + len + 1 + 7) & ~(size_t)7;
		uint8_t *p = out + used;
		uint64_t ino = sup_vino(t->sup, st.st_dev, v[i].ino);
		int64_t off = i + 1;
		uint16_t reclen = (uint16_t)rec;

		if (used + rec > count)
			break;
		memcpy(p, &ino, 8);
		memcpy(p + 8, &off, 8);
		memcpy(p + 16, &reclen, 2);
		p[18] = v[i].type;
		memcpy(p + 19, v[i].name, len + 1);
		used += rec;
	}
	if (i == pos && pos < n)
		c->ret = -EINVAL; /* the buffer cannot hold one entry */
	else if (used && tracee_write(t, c->args[1], out, used))
		c->ret = -EFAULT;
	else
		c->ret = (int64_t)used;
	if (c->ret >= 0)
		lseek(dup, i, SEEK_SET);
	else
		lseek(dup, pos, SEEK_SET);
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	free(out);
	close(dup);
	return SYS_EMULATE;
}
