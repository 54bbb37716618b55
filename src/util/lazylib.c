// SPDX-License-Identifier: MIT
/* libcurl and libzip, loaded on first use (see include/fozzy/lazylib.h). */
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

#define LZ_NO_NAMES
#include "fozzy/lazylib.h"

struct lz_curl lz_curl;
struct lz_zip lz_zip;

struct lib {
	const char *soname;
	int state;              /* 0 not tried, 1 loaded, -1 failed (err says why) */
	char err[300];
};

/* dlopen the library once and resolve every name into its slot (POSIX: a data pointer holds a function's). */
static int load(struct lib *l, const char *const *names, void **const *slots, size_t count, char *why, size_t n)
{
	void *h;
	size_t i;

	if (!l->state) {
		l->state = 1;
		h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			snprintf(l->err, sizeof(l->err), "cannot load %s: %s", l->soname, dlerror());
			l->state = -1;
		}
		for (i = 0; h && i < count; i++)
			if (!(*slots[i] = dlsym(h, names[i]))) {
				snprintf(l->err, sizeof(l->err), "%s has no %s", l->soname, names[i]);
				l->state = -1;
				break;
			}
	}
	if (l->state < 0)
		snprintf(why, n, "%s", l->err);
	return l->state > 0 ? 0 : -1;
}

#define LZ_NAME(f) #f,
#define LZ_SLOT(f) (void **)&tab->f,
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int lz_curl_load(char *why, size_t n)
{
	static struct lib l = { .soname = "libcurl.so.4" };
	static const char *const names[] = { LZ_CURL_FUNCS(LZ_NAME) };
	struct lz_curl *tab = &lz_curl;
	void **const slots[] = { LZ_CURL_FUNCS(LZ_SLOT) };

	return load(&l, names, slots, COUNT(names), why, n);
}

int lz_zip_load(char *why, size_t n)
{
	static struct lib l = { .soname = "libzip.so.4" };
	static const char *const names[] = { LZ_ZIP_FUNCS(LZ_NAME) };
	struct lz_zip *tab = &lz_zip;
	void **const slots[] = { LZ_ZIP_FUNCS(LZ_SLOT) };

	return load(&l, names, slots, COUNT(names), why, n);
}
