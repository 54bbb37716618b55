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

struct walk {
	const char *skip; /* fozzy's own whiteout over the artifacts root */
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

static bool is_opaque(const char *dir)
{
	char v[4];
	ssize_t n = lgetxattr(dir, "trusted.overlay.opaque", v, sizeof(v));

	if (n < 0)
		n = lgetxattr(dir, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static bool same_content(const char *a, const char *b, off_t size)
{
	char x[65536], y[65536];
	int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
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

static bool same_link(const char *a, const char *b)
{
	char x[4096], y[4096];
	ssize_t n = readlink(a, x, sizeof(x)), m = readlink(b, y, sizeof(y));

	return n >= 0 && n == m && !memcmp(x, y, (size_t)n);
}

/* A copied-up entry: what, if anything, changed against the host's. */
static const char *compare(const char *up, const struct stat *u, const char *low, const struct stat *l)
{
	if ((u->st_mode & S_IFMT) != (l->st_mode & S_IFMT))
		return "replaced";
	if (S_ISREG(u->st_mode) && (u->st_size != l->st_size || !same_content(up, low, u->st_size)))
		return "modified";
	if (S_ISLNK(u->st_mode) && !same_link(up, low))
		return "modified";
	if (u->st_mode != l->st_mode || u->st_uid != l->st_uid || u->st_gid != l->st_gid)
		return "metadata";
	return NULL;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* Walk upper dir `up` whose host counterpart is `low` (NULL: everything below is new). */
static void walk_dir(struct walk *w, const char *up, const char *low, const char *shown)
{
	struct dirent **ents;
	int n, i;

	if (w->depth > 256)
		return;
	n = scandir(up, &ents, skip_dots, by_name);
	if (n < 0)
		return;
	w->depth++;
	for (i = 0; i < n; i++) {
		char *u = xasprintf("%s/%s", up, ents[i]->d_name);
		char *s = xasprintf("%s/%s", strcmp(shown, "/") ? shown : "", ents[i]->d_name);
		char *l = low ? xasprintf("%s/%s", low, ents[i]->d_name) : NULL;
		struct stat us, ls;
		bool in_lower = l && !lstat(l, &ls);

		if (lstat(u, &us) || (w->skip && !strcmp(s, w->skip))) {
			/* vanished under us, or fozzy's own: nothing to report */
		} else if (is_whiteout(&us)) {
			if (in_lower)
				add(w, s, "deleted", ls.st_mode);
		} else if (!in_lower) {
			add(w, s, "created", us.st_mode);
			if (S_ISDIR(us.st_mode))
				walk_dir(w, u, NULL, s);
		} else if (S_ISDIR(us.st_mode) && S_ISDIR(ls.st_mode)) {
			bool opaque = is_opaque(u);
			const char *k = opaque ? "replaced" : compare(u, &us, l, &ls);

			if (k)
				add(w, s, k, us.st_mode);
			walk_dir(w, u, opaque ? NULL : l, s);
		} else {
			const char *k = compare(u, &us, l, &ls);

			if (k)
				add(w, s, k, us.st_mode);
			if (S_ISDIR(us.st_mode))
				walk_dir(w, u, NULL, s);
		}
		free(u);
		free(s);
		free(l);
		free(ents[i]);
	}
	free(ents);
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
	for (i = 0; i < n; i++)
		walk_dir(&w, ov[i].upper, ov[i].target, ov[i].target);
	cJSON_AddNumberToObject(doc, "created", counts->created);
	cJSON_AddNumberToObject(doc, "modified", counts->modified);
	cJSON_AddNumberToObject(doc, "deleted", counts->deleted);
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
