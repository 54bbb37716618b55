// SPDX-License-Identifier: MIT
/*
 * What the program changed: a walk of each overlay's upper layer against the
 * host directory below it. Overlayfs records a deletion as a whiteout (a
 * character device 0:0) and a directory that was removed and made again as
 * an opaque directory; everything else in the upper layer was created or
 * copied up, and a copy is compared with the host file to tell a real change
 * from a file that was only opened for writing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fozzy/sandbox.h"
#include "fozzy/util.h"

#define CHANGES_MAX_ENTRIES 100000
#define CHANGES_MAX_DEPTH 400 /* two descriptors a level: within a 1024 limit */

struct walk {
	const char *skip; /* fozzy's own whiteout over the artifacts root */
	bool truncated;   /* more entries, or deeper folders, than are listed */
	size_t list_len;
	cJSON *list;
	struct sandbox_changes *n;
	unsigned depth;
};

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "special";
	}
}

static void add(struct walk *w, const char *path, const char *kind, mode_t m)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "path", path);
	cJSON_AddStringToObject(e, "kind", kind);
	if (m)
		cJSON_AddStringToObject(e, "type", type_name(m));
	cJSON_AddItemToArray(w->list, e);
	w->list_len++;
	if (!strcmp(kind, "created"))
		w->n->created++;
	else if (!strcmp(kind, "deleted"))
		w->n->deleted++;
	else
		w->n->modified++;
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(int dirfd)
{
	char v[4];
	ssize_t n = fgetxattr(dirfd, "trusted.overlay.opaque", v, sizeof(v));

	if (n < 0)
		n = fgetxattr(dirfd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

/* Open name in dir without following a symlink; -1 if it cannot be. */
static int open_in(int dir, const char *name, int flags)
{
	return dir < 0 ? -1 : openat(dir, name, flags | O_CLOEXEC | O_NOFOLLOW);
}

static bool same_content(int updir, int lowdir, const char *name, off_t size)
{
	char x[65536], y[65536];
	int fa = open_in(updir, name, O_RDONLY), fb = open_in(lowdir, name, O_RDONLY);
	bool same = fa >= 0 && fb >= 0;

	while (same && size > 0) {
		ssize_t n = read(fa, x, sizeof(x)), m;

		if (n <= 0)
			break;
		m = read(fb, y, (size_t)n);
		same = m == n && !memcmp(x, y, (size_t)n);
		size -= n;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

static bool same_link(int updir, int lowdir, const char *name)
{
	char x[4096], y[4096];
	ssize_t n = readlinkat(updir, name, x, sizeof(x)), m = readlinkat(lowdir, name, y, sizeof(y));

	return n >= 0 && n == m && !memcmp(x, y, (size_t)n);
}

/* A copied-up entry: what, if anything, changed against the host's. */
static const char *compare(int updir, int lowdir, const char *name, const struct stat *u, const struct stat *l)
{
	if ((u->st_mode & S_IFMT) != (l->st_mode & S_IFMT))
		return "replaced";
	if (S_ISREG(u->st_mode) && (u->st_size != l->st_size || !same_content(updir, lowdir, name, u->st_size)))
		return "modified";
	if (S_ISLNK(u->st_mode) && !same_link(updir, lowdir, name))
		return "modified";
	if (u->st_mode != l->st_mode || u->st_uid != l->st_uid || u->st_gid != l->st_gid)
		return "metadata";
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd, sorted; NULL on error. */
static char **list_dir(int fd, size_t *n)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup < 0 ? NULL : fdopendir(dup);
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;

	*n = 0;
	if (!d) {
		if (dup >= 0)
			close(dup);
		return NULL;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), by_name);
	return v;
}

/*
 * Walk upper folder `up` (a descriptor) whose host counterpart is `low` (-1:
 * everything below is new), relative to descriptors, so no path length or
 * symlink in the tree matters. `shown` is the path the program saw.
 */
static void walk_dir(struct walk *w, int up, int low, const char *shown)
{
	size_t n, i;
	char **names;

	if (w->depth >= CHANGES_MAX_DEPTH) {
		w->truncated = true;
		return;
	}
	names = list_dir(up, &n);
	if (!names)
		return;
	w->depth++;
	for (i = 0; i < n; i++) {
		const char *name = names[i];
		char *sh = xasprintf("%s/%s", strcmp(shown, "/") ? shown : "", name);
		struct stat us, ls;
		bool in_lower = low >= 0 && !fstatat(low, name, &ls, AT_SYMLINK_NOFOLLOW);

		if (w->list_len >= CHANGES_MAX_ENTRIES) {
			w->truncated = true;
		} else if (fstatat(up, name, &us, AT_SYMLINK_NOFOLLOW) || (w->skip && !strcmp(sh, w->skip))) {
			/* vanished, or fozzy's own whiteout: nothing to report */
		} else if (is_whiteout(&us)) {
			if (in_lower)
				add(w, sh, "deleted", ls.st_mode);
		} else if (!in_lower) {
			add(w, sh, "created", us.st_mode);
			if (S_ISDIR(us.st_mode)) {
				int sub = open_in(up, name, O_RDONLY | O_DIRECTORY);

				if (sub >= 0) {
					walk_dir(w, sub, -1, sh);
					close(sub);
				}
			}
		} else if (S_ISDIR(us.st_mode) && S_ISDIR(ls.st_mode)) {
			int sub = open_in(up, name, O_RDONLY | O_DIRECTORY);
			int lsub = -1;
			bool opaque = sub >= 0 && is_opaque(sub);
			const char *k = opaque ? "replaced" : compare(up, low, name, &us, &ls);

			if (k)
				add(w, sh, k, us.st_mode);
			if (sub >= 0) {
				if (!opaque)
					lsub = open_in(low, name, O_RDONLY | O_DIRECTORY);
				walk_dir(w, sub, lsub, sh);
				if (lsub >= 0)
					close(lsub);
				close(sub);
			}
		} else {
			const char *k = compare(up, low, name, &us, &ls);

			if (k)
				add(w, sh, k, us.st_mode);
			if (S_ISDIR(us.st_mode)) {
				int sub = open_in(up, name, O_RDONLY | O_DIRECTORY);

				if (sub >= 0) {
					walk_dir(w, sub, -1, sh);
					close(sub);
				}
			}
		}
		free(sh);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	w->depth--;
}

int sandbox_write_changes(const char *run_dir, const struct sandbox_overlay *ov, unsigned n,
			  const char *skip, struct sandbox_changes *counts)
{
	cJSON *doc = cJSON_CreateObject(), *list = cJSON_CreateArray();
	struct walk w = { .skip = skip, .list = list, .n = counts };
	char *text, *path, *line;
	unsigned i;
	int rc;

	memset(counts, 0, sizeof(*counts));
	for (i = 0; i < n; i++) {
		int up = open(ov[i].upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int low = open(ov[i].target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (up >= 0)
			walk_dir(&w, up, low, ov[i].target);
		if (up >= 0)
			close(up);
		if (low >= 0)
			close(low);
	}
	cJSON_AddNumberToObject(doc, "created", counts->created);
	cJSON_AddNumberToObject(doc, "modified", counts->modified);
	cJSON_AddNumberToObject(doc, "deleted", counts->deleted);
	cJSON_AddBoolToObject(doc, "truncated", w.truncated);
	cJSON_AddItemToObject(doc, "changes", list);
	text = cJSON_Print(doc);
	line = xasprintf("%s\n", text);
	path = xasprintf("%s/changes.json", run_dir);
	rc = write_file_atomic(path, line, strlen(line));
	free(path);
	free(line);
	free(text);
	cJSON_Delete(doc);
	return rc;
}
