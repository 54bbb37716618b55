// SPDX-License-Identifier: MIT
/*
 * fozzy corpus export/import: a corpus folder as a zip archive (libzip).
 * Export is deterministic (sorted names, fixed 1980 timestamps, mode 0644)
 * and atomic (a temp file renamed into place). Import trusts nothing: the
 * whole central directory is checked before one byte is written, and no
 * existing file is ever overwritten.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "fozzy/fuzz.h"
#include "fozzy/lazylib.h"
#include "fozzy/util.h"

#define ZIP_MAX_ENTRIES 100000
#define ZIP_MAX_ENTRY (64u << 20)      /* one input */
#define ZIP_MAX_TOTAL (1024ULL << 20)  /* all of them */
#define DOS_EPOCH 315532800            /* 1980-01-01, the earliest zip time */

struct names {
	char **v;
	size_t n, cap;
};

static void names_add(struct names *a, char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = xrealloc(a->v, a->cap * sizeof(char *));
	}
	a->v[a->n++] = s;
}

static void names_free(struct names *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_nocase(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files under root/rel, as relative names; symbolic links are refused. */
static int collect(const char *root, const char *rel, struct names *out, char *why, size_t n, int depth)
{
	char *path = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(path);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		snprintf(why, n, "cannot read '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (!rc && (de = readdir(d))) {
		char *r, *full;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		full = xasprintf("%s/%s", root, r);
		if (lstat(full, &st)) {
			snprintf(why, n, "cannot read '%s': %s", full, strerror(errno));
			rc = -1;
		} else if (S_ISLNK(st.st_mode)) {
			snprintf(why, n, "'%s' is a symbolic link: a corpus holds plain files", full);
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (depth > 32) {
				snprintf(why, n, "'%s' is nested too deep", full);
				rc = -1;
			} else {
				rc = collect(root, r, out, why, n, depth + 1);
			}
		} else if (S_ISREG(st.st_mode)) {
			names_add(out, r);
			r = NULL;
		}
		free(r);
		free(full);
	}
	closedir(d);
	free(path);
	return rc;
}

int corpus_export(const char *dir, const char *zip_path, unsigned *count, char *why, size_t n)
{
	struct names files = { 0 };
	char *tmp = NULL, *copy = xstrdup(zip_path), *slash = strrchr(copy, '/');
	zip_t *z;
	int err = 0, fd;
	size_t i;

	if (lz_zip_load(why, n) || collect(dir, "", &files, why, n, 0))
		goto fail;
	if (!files.n) {
		snprintf(why, n, "'%s' holds no file to export", dir);
		goto fail;
	}
	qsort(files.v, files.n, sizeof(char *), cmp_names);
	if (slash)
		*slash = 0;
	tmp = xasprintf("%s/.%s.%d.tmp", slash ? copy : ".", slash ? slash + 1 : zip_path, (int)getpid());
	z = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (!z) {
		snprintf(why, n, "cannot create '%s' (libzip error %d)", tmp, err);
		goto fail;
	}
	for (i = 0; i < files.n; i++) {
		char *full = xasprintf("%s/%s", dir, files.v[i]);
		zip_source_t *src = zip_source_file(z, full, 0, -1);
		zip_int64_t idx;

		free(full);
		if (!src || (idx = zip_file_add(z, files.v[i], src, ZIP_FL_ENC_UTF_8)) < 0) {
			snprintf(why, n, "cannot add '%s': %s", files.v[i], zip_strerror(z));
			if (src)
				zip_source_free(src);
			zip_discard(z);
			goto fail;
		}
		zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9);
		zip_file_set_mtime(z, (zip_uint64_t)idx, DOS_EPOCH, 0);
		zip_file_set_external_attributes(z, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, (zip_uint32_t)(S_IFREG | 0644) << 16);
	}
	if (zip_close(z)) {
		snprintf(why, n, "cannot write '%s': %s", tmp, zip_strerror(z));
		zip_discard(z);
		goto fail;
	}
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) || rename(tmp, zip_path)) {
		snprintf(why, n, "cannot write '%s': %s", zip_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	*count = (unsigned)files.n;
	names_free(&files);
	free(tmp);
	free(copy);
	return 0;
fail:
	if (tmp)
		unlink(tmp);
	names_free(&files);
	free(tmp);
	free(copy);
	return -1;
}

/* A name an archive may bring in: relative, plain, portable. NULL if fine, else why not. */
static const char *bad_name(const char *name)
{
	const char *p = name, *seg;
	size_t len = strlen(name);

	if (!len)
		return "an empty name";
	if (name[0] == '/' || name[0] == '\\')
		return "an absolute path";
	if (len >= 2 && name[1] == ':')
		return "a drive letter";
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return "a control character";
		if (strchr("\\:*?\"<>|", c))
			return "a character that is not portable (\\ : * ? \" < > |)";
	}
	for (seg = name; seg && *seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
		size_t n = strchr(seg, '/') ? (size_t)(strchr(seg, '/') - seg) : strlen(seg);
		static const char *const reserved[] = { "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4",
							"lpt1", "lpt2", "lpt3" };
		size_t i;

		if (!n)
			return "an empty path component";
		if ((n == 1 && seg[0] == '.') || (n == 2 && !strncmp(seg, "..", 2)))
			return "a . or .. component";
		if (seg[n - 1] == '.' || seg[n - 1] == ' ')
			return "a component ending in a dot or a space";
		for (i = 0; i < ARRAY_SIZE(reserved); i++) {
			size_t rl = strlen(reserved[i]);

			if ((n == rl || (n > rl && seg[rl] == '.')) && !strncasecmp(seg, reserved[i], rl))
				return "a name Windows reserves";
		}
	}
	return NULL;
}

/* Open dir/name's parent, creating folders, never through a symbolic link. */
static int parent_fd(const char *dir, const char *name)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char *copy = xstrdup(name), *seg = copy, *slash;

	while (fd >= 0 && (slash = strchr(seg, '/'))) {
		int next;

		*slash = 0;
		if (mkdirat(fd, seg, 0755) && errno != EEXIST) {
			close(fd);
			fd = -1;
			break;
		}
		next = openat(fd, seg, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		seg = slash + 1;
	}
	free(copy);
	return fd;
}

int corpus_import(const char *zip_path, const char *dir, unsigned *count, char *why, size_t n)
{
	zip_t *z;
	zip_int64_t num, i, k;
	int err = 0;
	zip_uint64_t total = 0, total_out = 0;
	struct names seen = { 0 };
	struct stat st;

	if (lz_zip_load(why, n))
		return -1;
	z = zip_open(zip_path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	if (!z) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, err);
		snprintf(why, n, "cannot open '%s' as a zip archive: %s", zip_path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	num = zip_get_num_entries(z, 0);
	if (num < 0 || num > ZIP_MAX_ENTRIES) {
		snprintf(why, n, "'%s' has %lld entries (at most %d)", zip_path, (long long)num, ZIP_MAX_ENTRIES);
		goto fail;
	}
	if (mkdir_p(dir, 0755) || lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(why, n, "'%s' is not a folder fozzy can write (or is a symbolic link)", dir);
		goto fail;
	}
	/* check everything first */
	for (i = 0; i < num; i++) {
		zip_stat_t zs;
		zip_uint8_t os;
		zip_uint32_t attr;
		const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_GUESS), *bad;
		char *out;
		size_t len;

		if (!name || zip_stat_index(z, (zip_uint64_t)i, 0, &zs)) {
			snprintf(why, n, "entry %lld of '%s' is unreadable", (long long)i, zip_path);
			goto fail;
		}
		len = strlen(name);
		if (len && name[len - 1] == '/')
			continue; /* a folder entry */
		if ((bad = bad_name(name))) {
			snprintf(why, n, "entry '%.200s' has %s: refused", name, bad);
			goto fail;
		}
		if (!zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &os, &attr) && os == ZIP_OPSYS_UNIX &&
		    ((attr >> 16) & S_IFMT) && ((attr >> 16) & S_IFMT) != S_IFREG) {
			snprintf(why, n, "entry '%.200s' is not a regular file (a symbolic link?): refused", name);
			goto fail;
		}
		if (!(zs.valid & ZIP_STAT_SIZE) || zs.size > ZIP_MAX_ENTRY || (total += zs.size) > ZIP_MAX_TOTAL) {
			snprintf(why, n, "entry '%.200s' is too large (%u MiB per input, 1 GiB in all)", name, ZIP_MAX_ENTRY >> 20);
			goto fail;
		}
		names_add(&seen, xstrdup(name));
		out = xasprintf("%s/%s", dir, name);
		if (!lstat(out, &st)) {
			snprintf(why, n, "'%s' already exists: import never overwrites", out);
			free(out);
			goto fail;
		}
		free(out);
	}
	/* names that clash: the same but for case, or a file that another entry needs as a folder */
	qsort(seen.v, seen.n, sizeof(char *), cmp_nocase);
	for (k = 0; k < (zip_int64_t)seen.n; k++) {
		char *slash, *pre;

		if (k && !strcasecmp(seen.v[k - 1], seen.v[k])) {
			snprintf(why, n, "entries '%.200s' and '%.200s' differ only in case: refused", seen.v[k - 1], seen.v[k]);
			goto fail;
		}
		pre = xstrdup(seen.v[k]);
		for (slash = strchr(pre, '/'); slash; slash = strchr(slash + 1, '/')) {
			char *key = pre, *out;

			*slash = 0;
			if (bsearch(&key, seen.v, seen.n, sizeof(char *), cmp_nocase)) {
				snprintf(why, n, "entry '%.200s' is a file, but '%.200s' needs it as a folder: refused", pre, seen.v[k]);
				free(pre);
				goto fail;
			}
			out = xasprintf("%s/%s", dir, pre);
			if (!lstat(out, &st) && !S_ISDIR(st.st_mode)) {
				snprintf(why, n, "'%s' exists and is not a folder, but '%.200s' needs it as one: refused", out,
					 seen.v[k]);
				free(out);
				free(pre);
				goto fail;
			}
			free(out);
			*slash = '/';
		}
		free(pre);
	}
	/* then write, each file through a temp name */
	*count = 0;
	for (i = 0; i < num; i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_GUESS), *base;
		zip_file_t *zf;
		char chunk[65536], *tmp;
		int pfd, fd;
		zip_int64_t got;

		if (name[strlen(name) - 1] == '/')
			continue;
		pfd = parent_fd(dir, name);
		base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
		tmp = xasprintf(".%s.%d.tmp", base, (int)getpid());
		fd = pfd < 0 ? -1 : openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		zf = fd < 0 ? NULL : zip_fopen_index(z, (zip_uint64_t)i, 0);
		if (!zf) {
			snprintf(why, n, "cannot write '%s/%s': %s", dir, name, fd < 0 ? strerror(errno) : zip_strerror(z));
			if (fd >= 0) {
				close(fd);
				unlinkat(pfd, tmp, 0);
			}
			if (pfd >= 0)
				close(pfd);
			free(tmp);
			goto fail;
		}
		{
			/* count what really comes out: a lying header must not get past the limits */
			zip_uint64_t wrote = 0;
			zip_stat_t zs;

			zip_stat_index(z, (zip_uint64_t)i, 0, &zs);
			while ((got = zip_fread(zf, chunk, sizeof(chunk))) > 0) {
				wrote += (zip_uint64_t)got;
				total_out += (zip_uint64_t)got;
				if (wrote > zs.size || wrote > ZIP_MAX_ENTRY || total_out > ZIP_MAX_TOTAL) {
					got = -2;
					break;
				}
				if (fd_write_all(fd, chunk, (size_t)got))
					break;
			}
			if (!got && wrote != zs.size)
				got = -2;
		}
		zip_fclose(zf);
		if (got == -2) {
			snprintf(why, n, "entry '%.200s' holds more or less data than its header says: refused", name);
			close(fd);
			unlinkat(pfd, tmp, 0);
			close(pfd);
			free(tmp);
			goto fail;
		}
		if (got != 0 || fsync(fd) || close(fd) || renameat2(pfd, tmp, pfd, base, RENAME_NOREPLACE)) {
			snprintf(why, n, "cannot write '%s/%s': %s", dir, name, got < 0 ? "corrupt data" : strerror(errno));
			unlinkat(pfd, tmp, 0);
			close(pfd);
			free(tmp);
			goto fail;
		}
		close(pfd);
		free(tmp);
		(*count)++;
	}
	names_free(&seen);
	zip_close(z);
	return 0;
fail:
	names_free(&seen);
	zip_discard(z);
	return -1;
}
