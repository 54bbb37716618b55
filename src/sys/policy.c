// SPDX-License-Identifier: MIT
/*
 * The policy: seccomp/policy.txt parsed, checked against libseccomp's list of
 * x86_64 syscalls and against the handler table, and compiled to BPF.
 *
 * The filter checks the architecture first (libseccomp emits that check);
 * any other arch, i.e. i386 `int 0x80`, kills the process, and so does an
 * x32 number (bit 30 set): libseccomp treats the x32 ABI as a foreign arch.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "fozzy/rt.h"
#include "fozzy/sys.h"

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "ENOSYS", ENOSYS }, { "EPERM", EPERM }, { "EACCES", EACCES }, { "EINVAL", EINVAL },
};

void sys_name(uint32_t nr, char *out, size_t n)
{
	char *s = nr == FOZZY_MARKER_NR ? strdup(FOZZY_MARKER_NAME)
					 : seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);

	if (s)
		snprintf(out, n, "%s", s);
	else
		snprintf(out, n, "syscall_%u", nr);
	free(s);
}

static int parse_line(char *line, int lineno, struct policy *p, struct buf *names)
{
	char *save = NULL, *tok, *colon;
	enum policy_action act;
	int err = 0;
	size_t group_off;
	unsigned i;

	tok = strtok_r(line, " \t", &save);
	if (!tok)
		return 0;
	if (!strcmp(tok, "allow"))
		act = POLICY_ALLOW;
	else if (!strcmp(tok, "trace"))
		act = POLICY_TRACE;
	else if (!strcmp(tok, "kill"))
		act = POLICY_KILL;
	else if (!strcmp(tok, "errno")) {
		act = POLICY_ERRNO;
		tok = strtok_r(NULL, " \t", &save);
		for (i = 0; tok && i < ARRAY_SIZE(errno_names); i++)
			if (!strcmp(tok, errno_names[i].name))
				err = errno_names[i].value;
		if (!err)
			return error("policy line %d: unknown errno '%s'", lineno, tok ? tok : "");
	} else
		return error("policy line %d: unknown action '%s'", lineno, tok);
	tok = strtok_r(NULL, " \t", &save);
	colon = tok ? strchr(tok, ':') : NULL;
	if (!colon || colon[1])
		return error("policy line %d: expected 'GROUP:' after the action", lineno);
	*colon = 0;
	group_off = names->len;
	buf_add(names, tok, strlen(tok) + 1);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		int nr = strcmp(tok, FOZZY_MARKER_NAME) ? seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, tok)
							: FOZZY_MARKER_NR;

		if (nr < 0 || nr >= SYS_NR_MAX)
			return error("policy line %d: unknown syscall '%s'", lineno, tok);
		if (p->action[nr])
			return error("policy line %d: '%s' already has a disposition", lineno, tok);
		p->action[nr] = act;
		p->err[nr] = err;
		p->group[nr] = (const char *)(uintptr_t)(group_off + 1); /* fixed up below */
	}
	return 0;
}

int policy_parse(const char *text, struct policy *p)
{
	struct buf joined = { 0 }, names = { 0 };
	const char *src = text;
	char *line;
	int lineno = 0, nr, ret = -1;

	memset(p, 0, sizeof(*p));
	p->hash = XXH3_64bits(text, strlen(text));
	/* One logical line at a time; errors name the line it starts on. */
	while (*src) {
		int first = ++lineno;

		joined.len = 0;
		for (; *src && *src != '\n'; src++) {
			if (src[0] == '\\' && src[1] == '\n') {
				buf_addc(&joined, ' ');
				src++;
				lineno++;
				continue;
			}
			buf_addc(&joined, (uint8_t)*src);
		}
		if (*src)
			src++;
		buf_addc(&joined, 0);
		line = (char *)joined.data;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (parse_line(line, first, p, &names))
			goto out;
	}
	p->groups = (char *)names.data;
	names.data = NULL;
	for (nr = 0; nr < SYS_NR_MAX; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		bool known = name != NULL;

		if (p->group[nr])
			p->group[nr] = p->groups + ((uintptr_t)p->group[nr] - 1);
		if (known && !p->action[nr]) {
			error("policy: syscall '%s' (%d) has no disposition", name, nr);
			free(name);
			goto out;
		}
		if (p->action[nr] == POLICY_TRACE && !sys_table[nr].entry) {
			error("policy: syscall '%s' is traced but has no handler", name);
			free(name);
			goto out;
		}
		if (sys_table[nr].entry && p->action[nr] != POLICY_TRACE) {
			error("policy: syscall '%s' has a handler but is not traced",
			      name ? name : sys_table[nr].name);
			free(name);
			goto out;
		}
		free(name);
	}
	ret = 0;
out:
	if (ret)
		policy_release(p);
	buf_release(&joined);
	buf_release(&names);
	return ret;
}

void policy_release(struct policy *p)
{
	free(p->groups);
	p->groups = NULL;
}

static int compile_uncached(const struct policy *p, struct sock_fprog *prog);

/*
 * The filter depends on the policy only, and libseccomp takes milliseconds to
 * build it: explore and fuzz run the same policy hundreds of times a second.
 * The last compiled filter is kept (per process, under a lock: test --jobs
 * threads may compile at once) and copied out.
 */
int policy_compile(const struct policy *p, struct sock_fprog *prog)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct sock_filter *cached;
	static unsigned short cached_len;
	static uint64_t cached_hash;
	static bool have;
	int rc = 0;

	pthread_mutex_lock(&mu);
	if (!have || cached_hash != p->hash) {
		struct sock_fprog fresh = { 0 };

		rc = compile_uncached(p, &fresh);
		if (!rc) {
			free(cached);
			cached = fresh.filter;
			cached_len = fresh.len;
			cached_hash = p->hash;
			have = true;
		}
	}
	if (!rc) {
		prog->len = cached_len;
		prog->filter = xmalloc(cached_len * sizeof(*cached));
		memcpy(prog->filter, cached, cached_len * sizeof(*cached));
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

static int compile_uncached(const struct policy *p, struct sock_fprog *prog)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
	int nr, rc, fds[2] = { -1, -1 };
	struct buf bpf = { 0 };
	uint8_t chunk[4096];
	ssize_t n;
	int ret = -1;

	if (!ctx)
		return error("cannot create the seccomp filter");
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) {
		error("cannot set seccomp filter attributes");
		goto out;
	}
	for (nr = 0; nr < SYS_NR_MAX; nr++) {
		uint32_t act;

		switch (p->action[nr]) {
		case POLICY_ALLOW:
			act = SCMP_ACT_ALLOW;
			break;
		case POLICY_TRACE:
			act = SCMP_ACT_TRACE(0);
			break;
		case POLICY_ERRNO:
			/*
			 * ENOSYS answers (libc's routine probes of rseq, clone3, ...)
			 * come from the filter. Other refusals stop in the supervisor,
			 * which answers the errno and lists the attempt in the report.
			 */
			if (p->err[nr] == ENOSYS)
				continue; /* the default action */
			act = SCMP_ACT_TRACE(SECCOMP_DATA_REFUSE);
			break;
		case POLICY_KILL:
			act = SCMP_ACT_KILL_PROCESS;
			break;
		default:
			continue;
		}
		rc = seccomp_rule_add(ctx, act, nr, 0);
		if (rc) {
			error("cannot add seccomp rule for syscall %d: %s", nr, strerror(-rc));
			goto out;
		}
	}
	/* libseccomp 2.5 exports BPF only to a file descriptor. */
	if (pipe2(fds, O_CLOEXEC)) {
		error("cannot export the seccomp filter: %s", strerror(errno));
		goto out;
	}
	rc = seccomp_export_bpf(ctx, fds[1]);
	close(fds[1]);
	fds[1] = -1;
	if (rc) {
		error("cannot export the seccomp filter: %s", strerror(-rc));
		goto out;
	}
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
		buf_add(&bpf, chunk, (size_t)n);
	if (!bpf.len || bpf.len % sizeof(struct sock_filter)) {
		error("seccomp filter export gave %zu bytes", bpf.len);
		goto out;
	}
	prog->len = (unsigned short)(bpf.len / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)bpf.data;
	bpf.data = NULL;
	ret = 0;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	buf_release(&bpf);
	seccomp_release(ctx);
	return ret;
}
