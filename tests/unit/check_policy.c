// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/sys/policy.c and the syscall table: the compiled-in
 * policy covers every x86_64 syscall libseccomp knows, agrees with the
 * handler table, and gives the dispositions fozzy's guarantees rest on;
 * malformed policies are refused with the right reason. The compiled filter
 * is run here by a small classic-BPF interpreter over struct seccomp_data,
 * so every syscall number is checked against the action the kernel would
 * apply, as a table: syscall -> expected SECCOMP_RET_* value.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fozzy/rt.h"
#include "fozzy/sys.h"
#include "fozzy/util.h"
#include "suites.h"

static void setup_quiet(void)
{
	quiet_errors = true;
}

static int nr_of(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);

	ck_assert_msg(nr >= 0 && nr < SYS_NR_MAX, "libseccomp does not know '%s'", name);
	return nr;
}

static bool known_nr(int nr)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);

	free(name);
	return name != NULL;
}

/* The real policy */

START_TEST(test_policy_parses)
{
	struct policy p;

	ck_assert_msg(policy_parse(policy_text, &p) == 0, "policy_text rejected: %s", last_error());
	ck_assert_ptr_nonnull(p.groups);
	ck_assert_uint_eq(p.hash, XXH3_64bits(policy_text, strlen(policy_text)));
	policy_release(&p);
	ck_assert_ptr_null(p.groups);
}
END_TEST

START_TEST(test_policy_covers_every_syscall)
{
	struct policy p;
	int nr, known = 0;

	ck_assert_int_eq(policy_parse(policy_text, &p), 0);
	for (nr = 0; nr < SYS_NR_MAX; nr++) {
		char name[64];

		sys_name((uint32_t)nr, name, sizeof(name));
		if (known_nr(nr)) {
			known++;
			ck_assert_msg(p.action[nr] != POLICY_NONE, "'%s' has no action", name);
			ck_assert_msg(p.group[nr] && *p.group[nr], "'%s' has no group", name);
		} else if (nr == FOZZY_MARKER_NR) {
			/* libfozzy-rt's marker: unassigned on x86_64, traced by fozzy */
			ck_assert_int_eq(p.action[nr], POLICY_TRACE);
			ck_assert_str_eq(name, FOZZY_MARKER_NAME);
		} else {
			char want[32];

			ck_assert_msg(p.action[nr] == POLICY_NONE, "unknown %d has an action", nr);
			snprintf(want, sizeof(want), "syscall_%d", nr);
			ck_assert_str_eq(name, want);
		}
		if (p.action[nr] == POLICY_ERRNO)
			ck_assert_msg(p.err[nr] > 0, "'%s' has errno %d", name, p.err[nr]);
	}
	/* x86_64 has over 350 syscalls; a short count means libseccomp lookups failed */
	ck_assert_int_gt(known, 350);
	policy_release(&p);
}
END_TEST

START_TEST(test_policy_matches_table)
{
	struct policy p;
	int nr, rows = 0;

	ck_assert_int_eq(policy_parse(policy_text, &p), 0);
	for (nr = 0; nr < SYS_NR_MAX; nr++) {
		const struct sys_row *row = &sys_table[nr];
		char name[64];

		sys_name((uint32_t)nr, name, sizeof(name));
		if (p.action[nr] == POLICY_TRACE)
			ck_assert_msg(row->entry != NULL, "'%s' is traced, no handler", name);
		if (row->entry) {
			rows++;
			ck_assert_msg(p.action[nr] == POLICY_TRACE, "'%s' has a handler", name);
			ck_assert_msg(row->name && !strcmp(row->name, name),
				      "row %d is named '%s', libseccomp says '%s'", nr,
				      row->name ? row->name : "(null)", name);
		}
		if (row->exit)
			ck_assert_msg(row->entry != NULL, "'%s' has an exit handler only", name);
		ck_assert_msg(row->nargs <= 6, "'%s' has %u arguments", name, row->nargs);
	}
	ck_assert_int_gt(rows, 0);
	policy_release(&p);
}
END_TEST

START_TEST(test_policy_dispositions)
{
	static const struct {
		const char *name;
		enum policy_action act;
		int err;
		const char *group;
	} cases[] = {
		{ "clock_gettime", POLICY_TRACE, 0, "clock-read" },
		{ "gettimeofday", POLICY_TRACE, 0, "clock-read" },
		{ "getrandom", POLICY_TRACE, 0, "random" },
		{ "openat", POLICY_TRACE, 0, "file-create" },
		{ "nanosleep", POLICY_TRACE, 0, "sleep" },
		{ "clone", POLICY_TRACE, 0, "spawn" },
		{ "fork", POLICY_TRACE, 0, "spawn" },
		{ "read", POLICY_TRACE, 0, "reads" },
		{ "rseq", POLICY_ERRNO, ENOSYS, "rseq" },
		{ "clone3", POLICY_ERRNO, ENOSYS, "clone3" },
		{ "io_uring_setup", POLICY_ERRNO, ENOSYS, "async-rings" },
		{ "ptrace", POLICY_ERRNO, EPERM, "foreign-memory" },
		{ "bpf", POLICY_ERRNO, EPERM, "kernel-attack-surface" },
		{ "perf_event_open", POLICY_ERRNO, EPERM, "kernel-attack-surface" },
		{ "mount", POLICY_ERRNO, EPERM, "host-admin" },
		{ "unshare", POLICY_ERRNO, EPERM, "host-admin" },
		{ "setns", POLICY_ERRNO, EPERM, "host-admin" },
		{ "keyctl", POLICY_ERRNO, EPERM, "kernel-attack-surface" },
		{ "process_vm_writev", POLICY_ERRNO, EPERM, "foreign-memory" },
		{ "mmap", POLICY_ALLOW, 0, "memory" },
		{ "exit_group", POLICY_TRACE, 0, "threads" },
		{ "futex", POLICY_TRACE, 0, "threads" },
		{ "execve", POLICY_TRACE, 0, "process-control" },
		{ "seccomp", POLICY_ERRNO, EPERM, "own-filters" },
		{ "getpid", POLICY_ALLOW, 0, "identity" },
		{ "futex_waitv", POLICY_ERRNO, ENOSYS, "futex2" },
	};
	struct policy p;
	size_t i;

	ck_assert_int_eq(policy_parse(policy_text, &p), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int nr = nr_of(cases[i].name);

		ck_assert_msg(p.action[nr] == cases[i].act, "'%s': action %d, want %d",
			      cases[i].name, p.action[nr], cases[i].act);
		if (cases[i].act == POLICY_ERRNO)
			ck_assert_msg(p.err[nr] == cases[i].err, "'%s': errno %d, want %d",
				      cases[i].name, p.err[nr], cases[i].err);
		ck_assert_ptr_nonnull(p.group[nr]);
		ck_assert_msg(!strcmp(p.group[nr], cases[i].group), "'%s': group '%s', want '%s'",
			      cases[i].name, p.group[nr], cases[i].group);
	}
	policy_release(&p);
}
END_TEST

/* Malformed policies */

/* policy_text with the first `from` replaced by `to`, then `append`; caller frees. */
static char *mutate(const char *from, const char *to, const char *append)
{
	const char *at = strstr(policy_text, from);
	struct buf b = { 0 };

	ck_assert_msg(at != NULL, "'%s' is not in the policy", from);
	buf_add(&b, policy_text, (size_t)(at - policy_text));
	buf_add(&b, to, strlen(to));
	buf_add(&b, at + strlen(from), strlen(at + strlen(from)));
	buf_add(&b, append, strlen(append));
	buf_addc(&b, 0);
	return (char *)b.data;
}

START_TEST(test_policy_rejects)
{
	static const struct {
		const char *what, *from, *to, *append, *reason;
	} cases[] = {
		{ "unknown action", "allow memory:", "permit memory:", "", "unknown action" },
		{ "upper-case action", "allow memory:", "ALLOW memory:", "", "unknown action" },
		{ "unknown errno", "errno ENOSYS rseq:", "errno EWHAT rseq:", "", "unknown errno" },
		{ "errno without a name", "errno ENOSYS rseq: rseq", "errno rseq: rseq", "",
		  "unknown errno" },
		{ "errno alone", "", "", "errno\n", "unknown errno" },
		{ "unknown syscall", "trace random: getrandom",
		  "trace random: getrandom frobnicate", "", "unknown syscall" },
		{ "i386-only syscall", "", "", "errno ENOSYS old: socketcall\n",
		  "unknown syscall" },
		{ "syscall listed twice", "", "", "allow again: getpid\n",
		  "already has a disposition" },
		{ "twice in one group", "trace random: getrandom",
		  "trace random: getrandom getrandom", "", "already has a disposition" },
		{ "missing GROUP:", "trace random: getrandom", "trace random getrandom", "",
		  "GROUP:" },
		{ "group without colon at end", "trace random: getrandom",
		  "trace random:x getrandom", "", "GROUP:" },
		{ "action alone", "", "", "allow\n", "GROUP:" },
		{ "missing syscall", "trace random: getrandom", "trace random:", "",
		  "no disposition" },
		{ "traced without handler", "allow identity: getpid ", "allow identity: ",
		  "trace extra: getpid\n", "no handler" },
		{ "handler not traced", "trace random: getrandom", "allow random: getrandom", "",
		  "not traced" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = mutate(cases[i].from, cases[i].to, cases[i].append);
		struct policy p;

		ck_assert_msg(policy_parse(text, &p) == -1, "%s: accepted", cases[i].what);
		ck_assert_msg(strstr(last_error(), cases[i].reason), "%s: error '%s' lacks '%s'",
			      cases[i].what, last_error(), cases[i].reason);
		ck_assert_ptr_null(p.groups);
		free(text);
	}
}
END_TEST

START_TEST(test_policy_rejects_small)
{
	static const char *const texts[] = {
		"", "# only a comment\n", "allow memory: brk\n", "\n\n\n",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		struct policy p;

		ck_assert_int_eq(policy_parse(texts[i], &p), -1);
		ck_assert_ptr_null(p.groups);
	}
}
END_TEST

/* Errors name the line of the policy file they are on, blank lines counted. */
START_TEST(test_policy_error_line)
{
	struct policy p;

	ck_assert_int_eq(policy_parse("# a comment\n\nfrobnicate group: read\n", &p), -1);
	ck_assert_msg(strstr(last_error(), "line 3"), "error '%s' does not name line 3",
		      last_error());
	ck_assert_int_eq(policy_parse("allow a: read\nallow b: read\n", &p), -1);
	ck_assert_msg(strstr(last_error(), "line 2"), "error '%s' does not name line 2",
		      last_error());
}
END_TEST

/* Whitespace, comments and continuations are layout only. */
START_TEST(test_policy_layout)
{
	char *text = mutate("trace random: getrandom", "\t trace \t random:\\\n\t getrandom  # x",
			    "\n# trailing comment\n   \n");
	struct policy p;
	int nr = nr_of("getrandom");

	/* "# x" after a syscall is not a comment: it is refused as a name */
	ck_assert_int_eq(policy_parse(text, &p), -1);
	free(text);
	text = mutate("trace random: getrandom", "\t trace \t random:\\\n\t getrandom  ",
		      "\n# trailing comment\n   \n");
	ck_assert_msg(policy_parse(text, &p) == 0, "rejected: %s", last_error());
	ck_assert_int_eq(p.action[nr], POLICY_TRACE);
	ck_assert_str_eq(p.group[nr], "random");
	policy_release(&p);
	free(text);
}
END_TEST

/* The compiled filter */

/*
 * Run a classic BPF program over d as the kernel's seccomp does and return
 * its verdict. Only what seccomp filters may use is implemented; anything
 * else fails the test.
 */
static uint32_t bpf_run(const struct sock_fprog *prog, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	unsigned pc = 0;

	while (pc < prog->len) {
		const struct sock_filter *f = &prog->filter[pc++];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		bool cond;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v;

			switch (BPF_MODE(f->code)) {
			case BPF_ABS:
				ck_assert_msg(BPF_CLASS(f->code) == BPF_LD &&
					      BPF_SIZE(f->code) == BPF_W && f->k % 4 == 0 &&
					      f->k + 4 <= sizeof(*d), "bad load at %u", pc - 1);
				memcpy(&v, (const uint8_t *)d + f->k, 4);
				break;
			case BPF_IMM:
				v = f->k;
				break;
			case BPF_MEM:
				ck_assert_uint_lt(f->k, BPF_MEMWORDS);
				v = mem[f->k];
				break;
			case BPF_LEN:
				v = sizeof(*d);
				break;
			default:
				ck_abort_msg("unsupported load %#x at %u", f->code, pc - 1);
			}
			if (BPF_CLASS(f->code) == BPF_LD)
				a = v;
			else
				x = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			ck_assert_uint_lt(f->k, BPF_MEMWORDS);
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				ck_assert_uint_ne(src, 0);
				a /= src;
				break;
			case BPF_OR: a |= src; break;
			case BPF_AND: a &= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default:
				ck_abort_msg("unsupported ALU op %#x at %u", f->code, pc - 1);
			}
			break;
		case BPF_JMP:
			switch (BPF_OP(f->code)) {
			case BPF_JA:
				pc += f->k;
				continue;
			case BPF_JEQ: cond = a == src; break;
			case BPF_JGT: cond = a > src; break;
			case BPF_JGE: cond = a >= src; break;
			case BPF_JSET: cond = (a & src) != 0; break;
			default:
				ck_abort_msg("unsupported jump %#x at %u", f->code, pc - 1);
			}
			pc += cond ? f->jt : f->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			ck_abort_msg("unsupported instruction %#x at %u", f->code, pc - 1);
		}
	}
	ck_abort_msg("the filter ran off its end");
	return 0;
}

static uint32_t verdict(const struct sock_fprog *prog, uint32_t arch, uint32_t nr)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = (int)nr;
	d.instruction_pointer = 0x401000;
	return bpf_run(prog, &d);
}

/* The SECCOMP_RET_* value the policy gives syscall nr. */
static uint32_t expected(const struct policy *p, int nr)
{
	switch (nr >= 0 && nr < SYS_NR_MAX ? p->action[nr] : POLICY_NONE) {
	case POLICY_ALLOW:
		return SECCOMP_RET_ALLOW;
	case POLICY_TRACE:
		return SECCOMP_RET_TRACE;
	case POLICY_ERRNO:
		/* refusals other than ENOSYS stop in the supervisor, which answers and reports them */
		if (p->err[nr] != ENOSYS)
			return SECCOMP_RET_TRACE | SECCOMP_DATA_REFUSE;
		return SECCOMP_RET_ERRNO | ENOSYS;
	case POLICY_KILL:
		return SECCOMP_RET_KILL_PROCESS;
	default:
		return SECCOMP_RET_ERRNO | ENOSYS;
	}
}

START_TEST(test_policy_compile)
{
	struct sock_fprog prog = { 0 };
	struct policy p;

	ck_assert_int_eq(policy_parse(policy_text, &p), 0);
	ck_assert_int_eq(policy_compile(&p, &prog), 0);
	ck_assert_uint_gt(prog.len, 0);
	ck_assert_uint_le(prog.len, BPF_MAXINSNS);
	ck_assert_ptr_nonnull(prog.filter);
	/* a seccomp program ends in a return */
	ck_assert_uint_eq(BPF_CLASS(prog.filter[prog.len - 1].code), BPF_RET);
	free(prog.filter);
	policy_release(&p);
}
END_TEST

START_TEST(test_filter_table)
{
	static const struct {
		const char *name;
		uint32_t ret;
	} rows[] = {
		{ "clock_gettime", SECCOMP_RET_TRACE },
		{ "getrandom", SECCOMP_RET_TRACE },
		{ "read", SECCOMP_RET_TRACE },
		{ "clone", SECCOMP_RET_TRACE },
		{ "mmap", SECCOMP_RET_ALLOW },
		{ "exit_group", SECCOMP_RET_TRACE },
		{ "execve", SECCOMP_RET_TRACE },
		{ "seccomp", SECCOMP_RET_TRACE | SECCOMP_DATA_REFUSE },
		{ "getpid", SECCOMP_RET_ALLOW },
		{ "rseq", SECCOMP_RET_ERRNO | ENOSYS },
		{ "clone3", SECCOMP_RET_ERRNO | ENOSYS },
		{ "io_uring_setup", SECCOMP_RET_ERRNO | ENOSYS },
		{ "ptrace", SECCOMP_RET_TRACE | SECCOMP_DATA_REFUSE },
		{ "bpf", SECCOMP_RET_TRACE | SECCOMP_DATA_REFUSE },
		{ "unshare", SECCOMP_RET_TRACE | SECCOMP_DATA_REFUSE },
	};
	struct sock_fprog prog = { 0 };
	struct policy p;
	size_t i;
	int nr;

	ck_assert_int_eq(policy_parse(policy_text, &p), 0);
	ck_assert_int_eq(policy_compile(&p, &prog), 0);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		uint32_t got = verdict(&prog, AUDIT_ARCH_X86_64, (uint32_t)nr_of(rows[i].name));

		ck_assert_msg(got == rows[i].ret, "%s: filter returns %#x, want %#x", rows[i].name,
			      got, rows[i].ret);
	}
	/* every number, known or not, gets the policy's action */
	for (nr = 0; nr < 1024; nr++) {
		uint32_t got = verdict(&prog, AUDIT_ARCH_X86_64, (uint32_t)nr);

		ck_assert_msg(got == expected(&p, nr), "syscall %d: filter returns %#x, want %#x",
			      nr, got, expected(&p, nr));
	}
	free(prog.filter);
	policy_release(&p);
}
END_TEST

/* i386 `int 0x80` and x32 calls are killed before any rule (policy.txt, STYLE.md). */
START_TEST(test_filter_foreign_abi)
{
	static const uint32_t nrs[] = { 0, 1, 20, 39, 228, 318 };
	struct sock_fprog prog = { 0 };
	struct policy p;
	size_t i;

	ck_assert_int_eq(policy_parse(policy_text, &p), 0);
	ck_assert_int_eq(policy_compile(&p, &prog), 0);
	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		uint32_t got = verdict(&prog, AUDIT_ARCH_I386, nrs[i]);

		ck_assert_msg(got == SECCOMP_RET_KILL_PROCESS, "i386 %u: filter returns %#x",
			      nrs[i], got);
		got = verdict(&prog, AUDIT_ARCH_X86_64, 0x40000000u | nrs[i]);
		ck_assert_msg(got == SECCOMP_RET_KILL_PROCESS, "x32 %u: filter returns %#x",
			      nrs[i], got);
	}
	ck_assert_uint_eq(verdict(&prog, AUDIT_ARCH_AARCH64, 63), SECCOMP_RET_KILL_PROCESS);
	free(prog.filter);
	policy_release(&p);
}
END_TEST

/* kill and the other errno names compile to their actions. */
START_TEST(test_filter_other_actions)
{
	char *text = mutate("errno EPERM foreign-memory:", "kill foreign-memory:", "");
	char *text2;
	struct sock_fprog prog = { 0 };
	struct policy p;

	ck_assert_msg(policy_parse(text, &p) == 0, "rejected: %s", last_error());
	ck_assert_int_eq(p.action[nr_of("ptrace")], POLICY_KILL);
	ck_assert_int_eq(policy_compile(&p, &prog), 0);
	ck_assert_uint_eq(verdict(&prog, AUDIT_ARCH_X86_64, (uint32_t)nr_of("ptrace")),
			  SECCOMP_RET_KILL_PROCESS);
	ck_assert_uint_eq(verdict(&prog, AUDIT_ARCH_X86_64, (uint32_t)nr_of("bpf")),
			  SECCOMP_RET_TRACE | SECCOMP_DATA_REFUSE);
	free(prog.filter);
	policy_release(&p);

	text2 = mutate("errno EPERM clock-set:", "errno EACCES clock-set:", "");
	ck_assert_int_eq(policy_parse(text2, &p), 0);
	ck_assert_int_eq(p.err[nr_of("settimeofday")], EACCES);
	ck_assert_int_eq(policy_compile(&p, &prog), 0);
	ck_assert_uint_eq(verdict(&prog, AUDIT_ARCH_X86_64, (uint32_t)nr_of("clock_settime")),
			  SECCOMP_RET_TRACE | SECCOMP_DATA_REFUSE);
	ck_assert_int_eq(p.err[nr_of("clock_settime")], EACCES); /* the supervisor's answer */
	free(prog.filter);
	policy_release(&p);
	free(text2);
	free(text);
}
END_TEST

START_TEST(test_sys_name)
{
	char out[32];

	sys_name((uint32_t)nr_of("clock_gettime"), out, sizeof(out));
	ck_assert_str_eq(out, "clock_gettime");
	sys_name(0, out, sizeof(out));
	ck_assert_str_eq(out, "read");
	sys_name(1000, out, sizeof(out));
	ck_assert_str_eq(out, "syscall_1000");
	sys_name(0, out, 3);
	ck_assert_str_eq(out, "re");
}
END_TEST

Suite *suite_policy(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = unit_tcase(s, "policy");
	tcase_add_checked_fixture(tc, setup_quiet, NULL);
	tcase_add_test(tc, test_policy_parses);
	tcase_add_test(tc, test_policy_covers_every_syscall);
	tcase_add_test(tc, test_policy_matches_table);
	tcase_add_test(tc, test_policy_dispositions);
	tcase_add_test(tc, test_policy_rejects);
	tcase_add_test(tc, test_policy_rejects_small);
	tcase_add_test(tc, test_policy_error_line);
	tcase_add_test(tc, test_policy_layout);
	tcase_add_test(tc, test_sys_name);

	tc = unit_tcase(s, "filter");
	tcase_add_checked_fixture(tc, setup_quiet, NULL);
	tcase_add_test(tc, test_policy_compile);
	tcase_add_test(tc, test_filter_table);
	tcase_add_test(tc, test_filter_foreign_abi);
	tcase_add_test(tc, test_filter_other_actions);
	return s;
}
