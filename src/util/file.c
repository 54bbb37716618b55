// SPDX-License-Identifier: MIT
/*
 * File helpers. Artifacts are never left half-written: write_file_atomic()
 * writes a temp file beside the target, fsyncs it and renames it into place.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fozzy/util.h"

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

_Thread_local bool writes_scratch;

int write_file_atomic(const char *path, const void *data, size_t len)
{
	char *dir_copy = xstrdup(path), *base_copy = xstrdup(path);
	char *dir = dirname(dir_copy), *base = basename(base_copy);
	char *tmp = xasprintf("%s/.%s.%d.tmp", dir, base, (int)getpid());
	int fd, dfd, ret = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		error("cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) || (!writes_scratch && fsync(fd))) {
		error("cannot write '%s': %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd)) {
		error("cannot write '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path)) {
		error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	dfd = writes_scratch ? -1 : open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	ret = 0;
out:
	free(tmp);
	free(base_copy);
	free(dir_copy);
	return ret;
}

int read_file(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	for (;;) {
		buf_grow(b, 65536);
		n = read(fd, b->data + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
	}
	if (n < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

/* As mkdir -p: a file in the way is ENOTDIR on the way, EEXIST at the end. */
static int mkdir_one(const char *p, unsigned mode, bool last)
{
	struct stat st;

	if (!mkdir(p, mode))
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(p, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = last ? EEXIST : ENOTDIR;
		return -1;
	}
	return 0;
}

int mkdir_p(const char *path, unsigned mode)
{
	char *p, *s;
	int ret = 0;

	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	p = xstrdup(path);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir_one(p, mode, false)) {
			ret = -1;
			break;
		}
		*s = '/';
	}
	if (!ret && mkdir_one(p, mode, true))
		ret = -1;
	free(p);
	return ret;
}

/*
 * Remove name under dirfd and everything in it, by file descriptors: no
 * path is ever longer than one name, so trees deeper than PATH_MAX (which
 * nftw cannot walk) go too, and no symbolic link is followed.
 */
static int remove_at(int dirfd, const char *name, unsigned depth)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, ret = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) && errno != ENOENT ? -1 : 0;
	if (depth > 800) { /* each level holds a descriptor */
		errno = EMFILE;
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && !fchmodat(dirfd, name, 0700, 0))
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && remove_at(fd, de->d_name, depth + 1))
			ret = -1;
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) && errno != ENOENT)
		ret = -1;
	return ret;
}

int remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path, 0);
}

int fd_read_all(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, (char *)p + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

int fd_write_all(int fd, const void *p, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t k = write(fd, (const char *)p + put, n - put);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		put += (size_t)k;
	}
	return 0;
}

int fd_read_max(int fd, struct buf *b, size_t max, bool *over)
{
	char chunk[65536];

	*over = false;
	for (;;) {
		ssize_t k = read(fd, chunk, sizeof(chunk));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (!k)
			return 0;
		if (b->len + (size_t)k > max) {
			*over = true;
			return 0;
		}
		buf_add(b, chunk, (size_t)k);
	}
}

/* ---- record locks: PATH.lock while a fozzy is about to write PATH ---- */

struct held_lock {
	char *path;
	dev_t dev;
	ino_t ino;              /* released only while it is still this file (not a successor's) */
};

static pthread_mutex_t locks_mu = PTHREAD_MUTEX_INITIALIZER;
static struct held_lock *locks_held;
static size_t nlocks;
static pid_t locks_pid;

static void unlink_if_ours(const struct held_lock *h)
{
	struct stat st;

	if (!lstat(h->path, &st) && st.st_dev == h->dev && st.st_ino == h->ino)
		unlink(h->path);
}

static void locks_release_all(void)
{
	size_t i;

	pthread_mutex_lock(&locks_mu);
	for (i = 0; i < nlocks; i++) {
		if (getpid() == locks_pid) /* not in a forked child: the locks are the parent's */
			unlink_if_ours(&locks_held[i]);
		free(locks_held[i].path);
	}
	free(locks_held);
	locks_held = NULL;
	nlocks = 0;
	pthread_mutex_unlock(&locks_mu);
}

/* The pid a lock file names, or 0: read without blocking, from a regular file only (not a FIFO). */
static pid_t lock_owner(const char *lock)
{
	char text[32];
	struct stat st;
	ssize_t got;
	long v;
	int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	text[got] = 0;
	v = strtol(text, NULL, 10);
	return v > 0 && v < (1L << 22) ? (pid_t)v : 0;
}

int record_lock(const char *path, char *why, size_t n)
{
	char *lock = xasprintf("%s.lock", path), text[64];
	struct stat mine;
	int fd = -1, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		struct stat st;
		time_t now = time(NULL);
		pid_t owner;
		bool alive;

		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
		if (lstat(lock, &st))
			continue; /* released meanwhile: try again */
		owner = lock_owner(lock);
		/* a live owner keeps its lock however old (a long run); a dead one's lock is stale after a while */
		alive = owner > 0 && owner != getpid() && (!kill(owner, 0) || errno == EPERM);
		if (alive || now - st.st_mtime <= RECORD_LOCK_STALE_S || attempt) {
			char who[48] = "";

			if (owner > 0)
				snprintf(who, sizeof(who), " (pid %d%s)", (int)owner, alive ? ", running" : "");
			snprintf(why, n, "record lock: '%s' is held by another fozzy writing '%s'%s (%lld s old); a lock "
				 "whose fozzy is gone is reclaimed after %d s, or remove it if no fozzy is running", lock, path,
				 who, (long long)(now - st.st_mtime), RECORD_LOCK_STALE_S);
			free(lock);
			errno = EBUSY;
			return -1;
		}
		/* stale: its writer died long ago */
		if (unlink(lock) && errno != ENOENT)
			break;
	}
	if (fd < 0) {
		snprintf(why, n, "record lock: cannot create '%s': %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (write(fd, text, strlen(text)) < 0) { /* the pid is a hint (liveness, people) */
	}
	if (fstat(fd, &mine)) {
		snprintf(why, n, "record lock: cannot stat '%s': %s", lock, strerror(errno));
		close(fd);
		unlink(lock);
		free(lock);
		return -1;
	}
	close(fd);
	pthread_mutex_lock(&locks_mu);
	if (!locks_pid) {
		locks_pid = getpid();
		atexit(locks_release_all);
	}
	locks_held = xrealloc(locks_held, (nlocks + 1) * sizeof(*locks_held));
	locks_held[nlocks++] = (struct held_lock){ lock, mine.st_dev, mine.st_ino };
	pthread_mutex_unlock(&locks_mu);
	return 0;
}

void record_unlock(const char *path)
{
	char *lock = xasprintf("%s.lock", path);
	size_t i;

	pthread_mutex_lock(&locks_mu);
	for (i = 0; i < nlocks; i++) {
		if (strcmp(locks_held[i].path, lock))
			continue;
		unlink_if_ours(&locks_held[i]);
		free(locks_held[i].path);
		locks_held[i] = locks_held[--nlocks];
		break;
	}
	pthread_mutex_unlock(&locks_mu);
	free(lock);
}

void fsync_files(const char *dir, const char *const *names, size_t n)
{
	size_t i;
	int fd;

	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);

		fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		free(p);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}
