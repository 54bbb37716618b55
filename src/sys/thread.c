// SPDX-License-Identifier: MIT
/*
 * Threads and processes: futexes emulated in the supervisor, clone/fork/vfork
 * traced from the first instruction, thread exit, wait4/waitid parked until a
 * child ends, sched_yield. No thread ever blocks in the kernel holding the
 * baton. Kernel ABI per futex(2), clone(2), wait4(2), waitid(2).
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "fozzy/rt.h"
#include "sys_internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define CLONE_NEW_ANY (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
		       CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME)
#define NS 1000000000ULL

/* clone, fork, vfork: never untraced, never into new namespaces, never past the task limit. */
enum sys_action sys_spawn(struct tracee *t, struct sys_call *c)
{
	if (sup_task_limit_hit(t->sup)) {
		c->ret = ERR(EAGAIN); /* what a pids cgroup at its limit answers */
		return SYS_EMULATE;
	}
	if (c->nr == SYS_clone) {
		if (c->args[0] & CLONE_NEW_ANY) {
			c->ret = ERR(EPERM);
			return SYS_EMULATE;
		}
		if (c->args[0] & CLONE_UNTRACED) {
			c->args[0] &= ~(uint64_t)CLONE_UNTRACED;
			t->regs.rdi = c->args[0];
			t->regs_dirty = true;
		}
	}
	return SYS_EXIT_STOP;
}

enum sys_action sys_set_robust_list(struct tracee *t, struct sys_call *c)
{
	t->robust_list = c->args[0];
	return SYS_CONTINUE;
}

enum sys_action sys_set_tid_address(struct tracee *t, struct sys_call *c)
{
	t->clear_tid = c->args[0];
	return SYS_CONTINUE;
}

/* exit(2) ends one thread; exit_group(2) the process. Both are scheduling points. */
enum sys_action sys_exit(struct tracee *t, struct sys_call *c)
{
	t->exiting = c->nr == SYS_exit;
	return SYS_CONTINUE;
}

enum sys_action sys_sched_yield(struct tracee *t, struct sys_call *c)
{
	(void)c;
	t->yielded = true;
	c->ret = 0;
	return SYS_EMULATE;
}

const char *rt_op_name(int op)
{
	static const char *const names[RT_OP_MAX] = {
		[RT_MUTEX_LOCK] = "pthread_mutex_lock", [RT_MUTEX_TRYLOCK] = "pthread_mutex_trylock",
		[RT_MUTEX_TIMEDLOCK] = "pthread_mutex_timedlock", [RT_MUTEX_UNLOCK] = "pthread_mutex_unlock",
		[RT_RWLOCK_RDLOCK] = "pthread_rwlock_rdlock", [RT_RWLOCK_WRLOCK] = "pthread_rwlock_wrlock",
		[RT_RWLOCK_TRYRDLOCK] = "pthread_rwlock_tryrdlock",
		[RT_RWLOCK_TRYWRLOCK] = "pthread_rwlock_trywrlock",
		[RT_RWLOCK_TIMEDRDLOCK] = "pthread_rwlock_timedrdlock",
		[RT_RWLOCK_TIMEDWRLOCK] = "pthread_rwlock_timedwrlock",
		[RT_RWLOCK_UNLOCK] = "pthread_rwlock_unlock", [RT_COND_WAIT] = "pthread_cond_wait",
		[RT_COND_TIMEDWAIT] = "pthread_cond_timedwait", [RT_COND_SIGNAL] = "pthread_cond_signal",
		[RT_COND_BROADCAST] = "pthread_cond_broadcast", [RT_SEM_WAIT] = "sem_wait",
		[RT_SEM_TRYWAIT] = "sem_trywait", [RT_SEM_TIMEDWAIT] = "sem_timedwait",
		[RT_SEM_POST] = "sem_post", [RT_SPIN_LOCK] = "pthread_spin_lock",
		[RT_SPIN_TRYLOCK] = "pthread_spin_trylock", [RT_SPIN_UNLOCK] = "pthread_spin_unlock",
		[RT_BARRIER_WAIT] = "pthread_barrier_wait", [RT_CREATE] = "pthread_create",
		[RT_JOIN] = "pthread_join", [RT_EXIT] = "pthread_exit", [RT_ONCE] = "pthread_once",
		[RT_SPIN_WAIT] = "pthread_spin_lock", [RT_FORKSERVER] = "fork server",
		[RT_PERSIST_NEXT] = "next input", [RT_PERSIST_AGAIN] = "next input",
	};

	return op > 0 && op < RT_OP_MAX && names[op] ? names[op] : "?";
}

/*
 * The libfozzy-rt marker before a pthread call: a scheduling point, nothing
 * else. The operation and object are kept for deadlock reports.
 */
enum sys_action sys_marker(struct tracee *t, struct sys_call *c)
{
	t->rt_op = (int)c->args[0];
	t->rt_obj = c->args[1];
	t->yielded = t->rt_op == RT_SPIN_WAIT;
	c->ret = 0;
	return SYS_EMULATE;
}

/* ---- futex ---- */

static void futex_key(struct tracee *t, uint64_t addr, int op, uint64_t key[2])
{
	sup_futex_key(t, addr, !!(op & FUTEX_PRIVATE_FLAG), key);
}

static int read_u32(struct tracee *t, uint64_t addr, uint32_t *v)
{
	return tracee_read(t, addr, v, sizeof(*v));
}

/* Deadline of a futex wait; returns 0, -EINVAL, -EFAULT, or -ETIMEDOUT if already past. */
static int64_t futex_deadline(struct tracee *t, struct sys_call *c, int cmd)
{
	struct timespec ts;
	uint64_t ns, cur = 0;

	if (!c->args[3])
		return 0;
	if (tracee_read(t, c->args[3], &ts, sizeof(ts)))
		return ERR(EFAULT);
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS)
		return ERR(EINVAL);
	ns = (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
	if (cmd == FUTEX_WAIT_BITSET) {
		/* absolute, on CLOCK_MONOTONIC or CLOCK_REALTIME */
		int clk = (c->args[1] & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC;

		if (sup_det(t->sup) || sup_replaying(t->sup)) {
			vclock_read(sup_clock(t->sup), clk, &cur);
		} else {
			struct timespec now;

			clock_gettime(clk, &now);
			cur = (uint64_t)now.tv_sec * NS + (uint64_t)now.tv_nsec;
		}
		if (ns <= cur)
			return ERR(ETIMEDOUT);
		ns -= cur;
	}
	t->has_deadline = true;
	t->deadline = sup_clock(t->sup)->now + ns;
	t->timeout_ret = ERR(ETIMEDOUT);
	return 0;
}

static bool futex_cmp(unsigned cmp, int32_t a, int32_t b, bool *ok)
{
	*ok = true;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: return a == b;
	case FUTEX_OP_CMP_NE: return a != b;
	case FUTEX_OP_CMP_LT: return a < b;
	case FUTEX_OP_CMP_LE: return a <= b;
	case FUTEX_OP_CMP_GT: return a > b;
	case FUTEX_OP_CMP_GE: return a >= b;
	}
	*ok = false;
	return false;
}

static int32_t sext12(uint32_t v)
{
	return (int32_t)(v << 20) >> 20;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake uaddr; if cmp(old) wake uaddr2. */
static int64_t futex_wake_op(struct tracee *t, struct sys_call *c, int op)
{
	uint32_t enc = (uint32_t)c->args[5], old, new;
	unsigned fop = (enc >> 28) & 7, cmp = (enc >> 24) & 15;
	int32_t oparg = sext12((enc >> 12) & 0xfff), cmparg = sext12(enc & 0xfff);
	uint64_t k1[2], k2[2];
	bool ok;
	int64_t n;

	if (enc & (FUTEX_OP_OPARG_SHIFT << 28)) {
		if (oparg < 0 || oparg > 31)
			return ERR(EINVAL);
		oparg = (int32_t)(1u << oparg);
	}
	if (read_u32(t, c->args[4], &old))
		return ERR(EFAULT);
	switch (fop) {
	case FUTEX_OP_SET: new = (uint32_t)oparg; break;
	case FUTEX_OP_ADD: new = old + (uint32_t)oparg; break;
	case FUTEX_OP_OR: new = old | (uint32_t)oparg; break;
	case FUTEX_OP_ANDN: new = old & ~(uint32_t)oparg; break;
	case FUTEX_OP_XOR: new = old ^ (uint32_t)oparg; break;
	default: return ERR(ENOSYS);
	}
	if (tracee_write(t, c->args[4], &new, sizeof(new)))
		return ERR(EFAULT);
	futex_key(t, c->args[0], op, k1);
	futex_key(t, c->args[4], op, k2);
	n = sup_futex_wake(t->sup, k1, ~0u, (unsigned)c->args[2]);
	if (futex_cmp(cmp, (int32_t)old, cmparg, &ok))
		n += sup_futex_wake(t->sup, k2, ~0u, (unsigned)(uint32_t)c->args[3]);
	return ok ? n : ERR(ENOSYS);
}

enum sys_action sys_futex(struct tracee *t, struct sys_call *c)
{
	int op = (int)c->args[1], cmd = op & FUTEX_CMD_MASK;
	uint32_t val = (uint32_t)c->args[2], cur, bitset = FUTEX_BITSET_MATCH_ANY;
	uint64_t key[2], key2[2];
	int64_t rc;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET)
			bitset = (uint32_t)c->args[5];
		if (!bitset) {
			c->ret = ERR(EINVAL);
			return SYS_EMULATE;
		}
		if (read_u32(t, c->args[0], &cur)) {
			c->ret = ERR(EFAULT);
			return SYS_EMULATE;
		}
		if (cur != val) {
			c->ret = ERR(EAGAIN);
			return SYS_EMULATE;
		}
		rc = futex_deadline(t, c, cmd);
		if (rc) {
			c->ret = rc;
			return SYS_EMULATE;
		}
		futex_key(t, c->args[0], op, t->futex_key);
		t->futex_bitset = bitset;
		t->wait = WAIT_FUTEX;
		return SYS_PARK;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET)
			bitset = (uint32_t)c->args[5];
		if (!bitset) {
			c->ret = ERR(EINVAL);
			return SYS_EMULATE;
		}
		futex_key(t, c->args[0], op, key);
		c->ret = sup_futex_wake(t->sup, key, bitset, val > INT32_MAX ? INT32_MAX : val);
		return SYS_EMULATE;
	case FUTEX_CMP_REQUEUE:
		if (read_u32(t, c->args[0], &cur)) {
			c->ret = ERR(EFAULT);
			return SYS_EMULATE;
		}
		if (cur != (uint32_t)c->args[5]) {
			c->ret = ERR(EAGAIN);
			return SYS_EMULATE;
		}
		__attribute__((fallthrough));
	case FUTEX_REQUEUE:
		futex_key(t, c->args[0], op, key);
		futex_key(t, c->args[4], op, key2);
		c->ret = sup_futex_requeue(t->sup, key, key2, val, (unsigned)(uint32_t)c->args[3]);
		return SYS_EMULATE;
	case FUTEX_WAKE_OP:
		c->ret = futex_wake_op(t, c, op);
		return SYS_EMULATE;
	case FUTEX_FD:
		c->ret = ERR(ENOSYS);
		return SYS_EMULATE;
	default:
		sup_abort(t->sup, "futex operation %d (priority inheritance) is not supported yet", cmd);
		return SYS_ABORT;
	}
}

/* ---- wait4, waitid ---- */

static int64_t wait_which(const struct sys_call *c)
{
	if (c->nr == SYS_wait4)
		return (int32_t)c->args[0];
	return c->args[0] == P_PID ? (int64_t)(int32_t)c->args[1] : -1;
}

static bool child_ready(struct tracee *t)
{
	return sup_child_waitable(t->sup, t, wait_which(t->cur)) != 0;
}

enum sys_action sys_wait(struct tracee *t, struct sys_call *c)
{
	uint64_t options = c->nr == SYS_wait4 ? c->args[2] : c->args[3];

	if ((options & WNOHANG) || child_ready(t))
		return SYS_EXIT_STOP;
	t->wait = WAIT_CHILD;
	t->wait_ready = child_ready;
	return SYS_PARK;
}

void sys_wait_exit(struct tracee *t, struct sys_call *c)
{
	uint64_t options = c->nr == SYS_wait4 ? c->args[2] : c->args[3];
	siginfo_t si;

	if (c->nr == SYS_wait4 && c->ret > 0) {
		sup_mark_reaped(t->sup, (pid_t)c->ret);
	} else if (c->nr == SYS_waitid && c->ret == 0 && !(options & WNOWAIT) && c->args[2] &&
		   !tracee_read(t, c->args[2], &si, sizeof(si)) && si.si_pid > 0) {
		sup_mark_reaped(t->sup, si.si_pid);
	}
}
