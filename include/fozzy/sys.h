/* SPDX-License-Identifier: MIT */
/*
 * The syscall table and the policy it is checked against.
 *
 * Every x86_64 syscall has a disposition in seccomp/policy.txt. Those with
 * action `trace` have a row in src/sys/table.c with an entry handler (and
 * optionally an exit handler). The seccomp filter is derived from the policy;
 * no other place lists syscalls.
 */
#ifndef FOZZY_SYS_H
#define FOZZY_SYS_H

#include <stdint.h>
#include <linux/filter.h>

#include "fozzy/core.h"

#define SYS_NR_MAX 512

enum sys_action {
	SYS_CONTINUE,  /* run natively, no exit stop */
	SYS_EXIT_STOP, /* run natively; call the row's exit handler after it */
	SYS_EMULATE,   /* do not run it; the result is c->ret */
	SYS_ABORT,     /* the handler called sup_abort() */
	SYS_PARK,      /* wait: the handler set t->wait and its fields; nothing runs yet */
	SYS_RUN_NOW,   /* run natively at once, no scheduling point (it cannot block now) */
};

struct sys_call {
	uint32_t nr;
	uint64_t args[6];
	int64_t ret;          /* emulated result, or the kernel's at the exit stop */
	uint64_t scratch[10]; /* carried from entry to exit */
};

typedef enum sys_action (*sys_entry_fn)(struct tracee *t, struct sys_call *c);
typedef void (*sys_exit_fn)(struct tracee *t, struct sys_call *c);

struct sys_row {
	const char *name;
	uint8_t nargs;
	sys_entry_fn entry;
	sys_exit_fn exit;
};

/* Indexed by syscall number; rows without an entry handler are not traced. */
extern const struct sys_row sys_table[SYS_NR_MAX];

enum policy_action {
	POLICY_NONE = 0, /* not in the policy: ENOSYS */
	POLICY_ALLOW,
	POLICY_TRACE,
	POLICY_ERRNO,
	POLICY_KILL,
};

/* SECCOMP_RET_TRACE data of a refusal the supervisor answers and reports. */
#define SECCOMP_DATA_REFUSE 1

struct policy {
	enum policy_action action[SYS_NR_MAX];
	int err[SYS_NR_MAX];              /* errno for POLICY_ERRNO */
	const char *group[SYS_NR_MAX];    /* group name (points into `groups`) */
	char *groups;                     /* owned storage for group names */
	uint64_t hash;                    /* XXH3-64 of the policy text */
};

/* The policy text compiled into fozzy (seccomp/policy.txt). */
extern const char policy_text[];

/*
 * Parse policy text and check it against libseccomp's syscall list and the
 * table: every known syscall exactly once, every traced one with a handler,
 * every handler traced. Returns 0, or -1 after error().
 */
int policy_parse(const char *text, struct policy *p);
void policy_release(struct policy *p);
/* Build the BPF program. Returns 0 or -1 after error(); free prog->filter. */
int policy_compile(const struct policy *p, struct sock_fprog *prog);
/* The name of syscall nr (from libseccomp) into out; "syscall_N" if unknown. */
void sys_name(uint32_t nr, char *out, size_t n);

#endif
