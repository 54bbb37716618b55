// SPDX-License-Identifier: MIT
/*
 * Syscall-level fault plans: "CLASS:WHAT[@N],..." where CLASS names a family
 * of syscalls, WHAT is an errno name, "short" (a read or write of half the
 * bytes asked) or "kill" (the process dies at that call), and N picks the
 * N-th call of the class in the run. Without @N, explore chooses N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "fozzy/det.h"
#include "fozzy/util.h"

static const char *const class_names[FC_N] = {
	[FC_READ] = "read", [FC_WRITE] = "write", [FC_OPEN] = "open", [FC_FSYNC] = "fsync",
	[FC_CONNECT] = "connect", [FC_SEND] = "send", [FC_RECV] = "recv",
};

const char *fault_class_name(int cls)
{
	return cls >= 0 && cls < FC_N ? class_names[cls] : "?";
}

int fault_class_of(uint32_t nr)
{
	switch (nr) {
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
		return FC_READ;
	case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
		return FC_WRITE;
	case SYS_open: case SYS_openat: case SYS_creat:
		return FC_OPEN;
	case SYS_fsync: case SYS_fdatasync:
		return FC_FSYNC;
	case SYS_connect:
		return FC_CONNECT;
	case SYS_sendto: case SYS_sendmsg:
		return FC_SEND;
	case SYS_recvfrom: case SYS_recvmsg:
		return FC_RECV;
	default:
		return -1;
	}
}

static int errno_by_name(const char *name)
{
	int e;

	for (e = 1; e < 134; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return 0;
}

/* Named plans for common situations; each expands to CLASS:WHAT items (N is left to explore or @N). */
static const struct {
	const char *name, *spec, *what;
} presets[] = {
	{ "disk-full", "write:ENOSPC", "a write fails because the disk is full" },
	{ "io-error", "write:EIO", "a write fails with an I/O error" },
	{ "read-error", "read:EIO", "a read fails with an I/O error" },
	{ "fsync-fail", "fsync:EIO", "fsync reports that data was lost" },
	{ "short-io", "read:short,write:short", "a read and a write move half the bytes asked" },
	{ "interrupted", "read:EINTR,write:EINTR", "a read and a write are interrupted by a signal" },
	{ "crash", "write:kill", "the process dies at a write (what is on disk afterwards?)" },
	{ "crash-on-fsync", "fsync:kill", "the process dies at an fsync" },
	{ "no-fds", "open:EMFILE", "an open finds the descriptor table full" },
	{ "net-refused", "connect:ECONNREFUSED", "a connect is refused" },
	{ "net-reset", "recv:ECONNRESET,send:EPIPE", "the peer resets the connection" },
	{ "net-again", "recv:EAGAIN,send:EAGAIN", "a socket call would block" },
};

const char *fault_preset(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(presets); i++)
		if (!strcmp(presets[i].name, name))
			return presets[i].spec;
	return NULL;
}

void fault_presets_list(char *out, size_t n)
{
	size_t i, used = 0;

	if (n)
		out[0] = 0;
	for (i = 0; i < ARRAY_SIZE(presets) && used + 1 < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", presets[i].name);
}

int fault_plan_parse(const char *spec, struct fault_plan *p, char *why, size_t whylen)
{
	struct buf expanded = { 0 };
	char *copy, *save = NULL, *item;
	int rc = 0;

	/* presets (items without a colon) become their rules first */
	copy = xstrdup(spec);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *at = strchr(item, ':') ? NULL : strchr(item, '@');
		const char *pre;

		if (at)
			*at = 0; /* PRESET@N: each of its rules at the N-th call */
		pre = strchr(item, ':') ? NULL : fault_preset(item);
		if (pre && at && !at[1]) {
			snprintf(why, whylen, "'%s@': the call number after @ is missing (e.g. %s@1)", item, item);
			free(copy);
			buf_release(&expanded);
			return -1;
		}
		if (pre && at) {
			char *rules = xstrdup(pre), *s2 = NULL, *one;

			for (one = strtok_r(rules, ",", &s2); one; one = strtok_r(NULL, ",", &s2))
				buf_addf(&expanded, "%s%s@%s", expanded.len ? "," : "", one, at + 1);
			free(rules);
			continue;
		}
		if (!strchr(item, ':') && !pre) {
			char names[512];

			fault_presets_list(names, sizeof(names));
			snprintf(why, whylen, "'%s' is neither CLASS:WHAT[@N] nor a preset (%s)", item, names);
			free(copy);
			buf_release(&expanded);
			return -1;
		}
		buf_addf(&expanded, "%s%s", expanded.len ? "," : "", pre ? pre : item);
	}
	free(copy);
	buf_addc(&expanded, 0);
	copy = (char *)expanded.data;
	save = NULL;

	memset(p, 0, sizeof(*p));
	for (item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		struct fault_rule r = { 0 };
		char *colon = strchr(item, ':'), *at;
		int c;

		if (p->n == FAULT_MAX_RULES) {
			snprintf(why, whylen, "at most %d faults", FAULT_MAX_RULES);
			rc = -1;
			break;
		}
		if (!colon) {
			snprintf(why, whylen, "'%s': expected CLASS:WHAT[@N], e.g. write:EIO@2", item);
			rc = -1;
			break;
		}
		*colon = 0;
		for (c = 0; c < FC_N && strcmp(item, class_names[c]); c++)
			;
		if (c == FC_N) {
			snprintf(why, whylen, "unknown class '%s' (read, write, open, fsync, connect, send, recv)", item);
			rc = -1;
			break;
		}
		r.cls = c;
		at = strchr(colon + 1, '@');
		if (at) {
			uint64_t n;

			*at = 0;
			if (parse_u64(at + 1, &n) || !n) {
				snprintf(why, whylen, "'%s': the occurrence after @ must be 1 or more", at + 1);
				rc = -1;
				break;
			}
			r.nth = n;
		}
		if (!strcmp(colon + 1, "short")) {
			r.kind = FK_SHORT;
			if (c != FC_READ && c != FC_WRITE) {
				snprintf(why, whylen, "'short' applies to read and write only");
				rc = -1;
				break;
			}
		} else if (!strcmp(colon + 1, "kill")) {
			r.kind = FK_KILL;
		} else if ((r.err = errno_by_name(colon + 1))) {
			r.kind = FK_ERRNO;
		} else {
			snprintf(why, whylen, "'%s': expected an errno name (EIO, ENOSPC, EINTR, ...), short or kill",
				 colon + 1);
			rc = -1;
			break;
		}
		p->r[p->n++] = r;
	}
	free(copy);
	return rc;
}

void fault_rule_format(const struct fault_rule *r, char *out, size_t n)
{
	const char *what = r->kind == FK_SHORT ? "short" : r->kind == FK_KILL ? "kill"
			   : strerrorname_np(r->err) ? strerrorname_np(r->err) : "E?";

	if (r->nth)
		snprintf(out, n, "%s:%s@%llu", fault_class_name(r->cls), what, (unsigned long long)r->nth);
	else
		snprintf(out, n, "%s:%s", fault_class_name(r->cls), what);
}

void fault_plan_format(const struct fault_plan *p, char *out, size_t n)
{
	size_t used = 0;
	unsigned i;

	if (n)
		out[0] = 0;
	for (i = 0; i < p->n && used + 1 < n; i++) {
		char one[64];

		fault_rule_format(&p->r[i], one, sizeof(one));
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", one);
	}
}

const struct fault_rule *fault_match(const struct fault_plan *p, int cls, uint64_t nth)
{
	unsigned i;

	for (i = 0; p && i < p->n; i++)
		if ((int)p->r[i].cls == cls && p->r[i].nth == nth)
			return &p->r[i];
	return NULL;
}

void fault_plan_choose(struct fault_plan *p, const uint64_t seen[FC_N], uint64_t seed)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		uint64_t k = seen[p->r[i].cls], h = seed + 0x9e3779b97f4a7c15ULL * (i + 1);

		if (p->r[i].nth || !k)
			continue;
		h ^= h >> 31;
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 27;
		p->r[i].nth = 1 + h % k;
	}
}
