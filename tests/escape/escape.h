// SPDX-License-Identifier: MIT
/*
 * Shared by the escape programs of tests/escape: each attempt prints one line,
 * "what: RESULT", where RESULT is the errno name of a refused call or
 * "SUCCEEDED" (with the return value) when the call went through. Whether
 * anything escaped is decided on the host by tests/e2e/t0146-escape.sh; these
 * lines say what was tried and what the program saw.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Line-buffered stdout: forks and crashes lose or repeat nothing. */
static inline void escape_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* Report a call returning < 0 with errno on failure; returns ret unchanged. */
__attribute__((format(printf, 2, 3)))
static inline long attempt(long ret, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (ret < 0)
		printf(": %s\n", errname(e));
	else
		printf(": SUCCEEDED (%ld)\n", ret);
	errno = e;
	return ret;
}

#endif
