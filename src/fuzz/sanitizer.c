// SPDX-License-Identifier: MIT
/*
 * Sanitizer reports, read from what a program wrote on stderr: which tool,
 * what kind of bug, the access, and the top frames of the first stack. A
 * finding is deduplicated on these, so they leave out what changes between
 * inputs (addresses, sizes in messages, columns).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "fozzy/fuzz.h"

/* Copy src into dst (size n > 0), cut to fit. */
static void scopy(char *dst, size_t n, const char *src)
{
	size_t k = strlen(src);

	if (k >= n)
		k = n - 1;
	memcpy(dst, src, k);
	dst[k] = 0;
}

/* The line starting at p (up to len bytes) copied into out without its newline. */
static size_t line_at(const char *p, size_t len, char *out, size_t max)
{
	size_t n = 0;

	while (n < len && p[n] != '\n')
		n++;
	if (max) {
		size_t k = n < max - 1 ? n : max - 1;

		memcpy(out, p, k);
		out[k] = 0;
	}
	return n;
}

static const char *const runtime_prefixes[] = {
	"__asan", "__interceptor", "___interceptor", "__sanitizer", "__ubsan", "__lsan", "__msan",
	"__tsan", "__GI_", "__libc_", "_start", "__wrap_", "__cxa_", "__gxx_", "__assert_fail",
	"__assert_perror", "abort", "raise", "__pthread_kill", "pthread_kill", "gsignal",
};

static bool runtime_frame(const char *fn, const char *where)
{
	size_t i;

	for (i = 0; i < sizeof(runtime_prefixes) / sizeof(runtime_prefixes[0]); i++)
		if (!strncmp(fn, runtime_prefixes[i], strlen(runtime_prefixes[i])))
			return true;
	return strstr(where, "compiler-rt/") || strstr(where, "sanitizer_common") ||
	       strstr(where, "libc.so") || strstr(where, "libclang_rt") || strstr(where, "/libasan") ||
	       strstr(where, "/libubsan") || strstr(where, "csu/../") || strstr(where, "sysdeps/");
}

/*
 * A frame line "#N 0xADDR in FUNC FILE:LINE:COL" or "#N 0xADDR in FUNC (MODULE+0xOFF)" or
 * "#N 0xADDR (MODULE+0xOFF)": "FUNC FILE:LINE" / "FUNC MODULE+0xOFF" in out; false when
 * not a frame or a runtime frame.
 */
static bool frame(const char *l, char *out, size_t max, bool *is_frame)
{
	const char *p = l, *fn = "", *where;
	char func[128] = "", loc[160] = "";
	size_t n;

	*is_frame = false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '#' || !isdigit((unsigned char)p[1]))
		return false;
	*is_frame = true;
	p = strchr(p, ' ');
	if (!p)
		return false;
	while (*p == ' ')
		p++;
	if (strncmp(p, "0x", 2))
		return false;
	p = strchr(p, ' ');
	if (!p)
		return false;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "in ", 3)) {
		p += 3;
		n = strcspn(p, " ");
		snprintf(func, sizeof(func), "%.*s", (int)n, p);
		fn = func;
		p += n;
		while (*p == ' ')
			p++;
	}
	where = p;
	if (*p == '(') {
		/* (module+0xoff) (BuildId: ...): the module's file name and the offset */
		const char *end = strchr(p, ')'), *slash;

		if (!end)
			return false;
		snprintf(loc, sizeof(loc), "%.*s", (int)(end - p - 1), p + 1);
		slash = strrchr(loc, '/');
		if (slash)
			memmove(loc, slash + 1, strlen(slash + 1) + 1);
	} else {
		/* file:line:col: the column goes (it changes with unrelated edits on the line) */
		char *c;

		n = strcspn(p, " ");
		snprintf(loc, sizeof(loc), "%.*s", (int)n, p);
		c = strrchr(loc, ':');
		if (c && c != strchr(loc, ':'))
			*c = 0;
	}
	if (runtime_frame(fn, where))
		return false;
	snprintf(out, max, "%s%s%s", fn, *fn && *loc ? " " : "", loc);
	return true;
}

/* "signed integer overflow: 1 + 2 cannot..." -> "signed-integer-overflow" */
static void ubsan_kind(const char *msg, char *out, size_t max)
{
	char word[64];
	size_t used = 0;
	const char *p = msg;

	out[0] = 0;
	while (*p && *p != ':') {
		size_t n;
		bool keep = true;

		while (*p == ' ')
			p++;
		n = strcspn(p, " :");
		if (!n)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		for (size_t i = 0; word[i]; i++)
			if (isdigit((unsigned char)word[i]) || word[i] == '\'' || word[i] == '"' ||
			    word[i] == '[' || word[i] == '(')
				keep = false;
		if (keep && used + n + 2 < max) {
			used += (size_t)snprintf(out + used, max - used, "%s%s", used ? "-" : "", word);
		}
		p += n;
	}
	if (!out[0])
		snprintf(out, max, "undefined-behavior");
}

int san_parse(const char *text, size_t len, struct san_report *out)
{
	static const char *const tools[] = { "AddressSanitizer", "LeakSanitizer", "MemorySanitizer",
					     "ThreadSanitizer", "UndefinedBehaviorSanitizer" };
	size_t pos = 0;
	bool found = false, in_stack = false, stack_done = false;
	char l[512];

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		size_t n = line_at(text + pos, len - pos, l, sizeof(l));
		const char *e;
		bool is_frame;

		pos += n + 1;
		if (!found) {
			size_t i;

			if ((e = strstr(l, ": runtime error: "))) {
				/* UBSan: FILE:LINE:COL: runtime error: MESSAGE */
				char where[160];
				char *c;

				snprintf(out->tool, sizeof(out->tool), "UndefinedBehaviorSanitizer");
				ubsan_kind(e + 17, out->kind, sizeof(out->kind));
				snprintf(where, sizeof(where), "%.*s", (int)(e - l), l);
				c = strrchr(where, ':');
				if (c && c != strchr(where, ':'))
					*c = 0;
				scopy(out->frames[0], sizeof(out->frames[0]), where);
				out->nframes = 1;
				scopy(out->summary, sizeof(out->summary), l);
				found = true;
				continue;
			}
			if (!(e = strstr(l, "ERROR: ")))
				continue;
			for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
				if (!strncmp(e + 7, tools[i], strlen(tools[i])) && e[7 + strlen(tools[i])] == ':')
					break;
			if (i == sizeof(tools) / sizeof(tools[0]))
				continue;
			scopy(out->tool, sizeof(out->tool), tools[i]);
			e += 7 + strlen(tools[i]) + 2;
			{
				/* the kind: up to " on ", " (" or the end; "detected memory leaks" for LSan */
				size_t k = strlen(e);
				const char *on = strstr(e, " on "), *paren = strstr(e, " (");

				if (on && (size_t)(on - e) < k)
					k = (size_t)(on - e);
				if (paren && (size_t)(paren - e) < k)
					k = (size_t)(paren - e);
				snprintf(out->kind, sizeof(out->kind), "%.*s", (int)k, e);
				for (char *s = out->kind; *s; s++)
					if (*s == ' ')
						*s = '-';
			}
			scopy(out->summary, sizeof(out->summary), l);
			found = true;
			continue;
		}
		if (!out->access[0] && !in_stack &&
		    (!strncmp(l, "READ of size ", 13) || !strncmp(l, "WRITE of size ", 14))) {
			char *at = strstr(l, " at ");

			if (at)
				*at = 0;
			scopy(out->access, sizeof(out->access), l);
			continue;
		}
		if (!out->access[0] && strstr(l, "The signal is caused by a ")) {
			const char *w = strstr(l, "caused by a ") + 12;

			snprintf(out->access, sizeof(out->access), "%.*s", (int)strcspn(w, " "), w);
			continue;
		}
		if (!strncmp(l, "SUMMARY: ", 9)) {
			scopy(out->summary, sizeof(out->summary), l + 9);
			break;
		}
		if (stack_done)
			continue;
		{
			char f[160];
			bool kept = frame(l, f, sizeof(f), &is_frame);

			if (is_frame) {
				in_stack = true;
				if (kept && out->nframes < 3) {
					size_t k = out->nframes;

					/* UBSan with a stack: its location is frame 0 already */
					if (!(k == 1 && !strcmp(out->tool, "UndefinedBehaviorSanitizer")))
						scopy(out->frames[out->nframes++], sizeof(out->frames[0]), f);
				}
			} else if (in_stack) {
				stack_done = true;
			}
		}
	}
	/* strip the "==PID==" prefix from a summary taken from the ERROR line */
	if (!strncmp(out->summary, "==", 2)) {
		char *e2 = strstr(out->summary + 2, "==");

		if (e2)
			memmove(out->summary, e2 + 2, strlen(e2 + 2) + 1);
	}
	return found;
}
