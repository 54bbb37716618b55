// SPDX-License-Identifier: MIT
/*
 * The supervisor's event loop (DESIGN.md, "The supervisor"). One program
 * thread for now: threads and child processes stop the run with a clear
 * error until the scheduler lands.
 *
 * Every traced syscall is answered at its seccomp stop when it can be (skip
 * it with orig_rax = -1 and put the result in rax: one stop); only handlers
 * that must see the kernel's result take the exit stop. Each stop is an
 * event: logged when recording, compared with the log when replaying.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/futex.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "fozzy/core.h"
#include "fozzy/cov.h"
#include "fozzy/rt.h"
#include "fozzy/sandbox.h"
#include "fozzy/sys.h"
#include "fozzy/trace.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#define AT_NULL 0
#define AT_IGNORE 1
#define AT_RANDOM 25
#define AT_SYSINFO_EHDR 33

/* A process of the tree. */
struct proc {
	pid_t tgid;        /* host pid */
	pid_t nspid;       /* pid inside the sandbox */
	uint32_t vpid;     /* creation order, 1 = the program */
	struct proc *parent;
	unsigned live;     /* threads not yet dead */
	struct thread *zombie_leader; /* left with exit(2); reported when the group ends */
	bool dying;        /* exit_group or a fatal signal: every thread goes */
	bool ended;        /* all threads gone; a zombie for its parent until reaped */
	bool reaped;
	int status;        /* wait status of the process */
	int pidfd;         /* for pidfd_getfd readiness checks; -1 until needed */
	uint64_t next_timer_id;
	uint32_t mm;       /* address space, numbered in order (CLONE_VM children share it) */
};

/*
 * fozzy's own stdin as the program gets it. A descriptor opened outside the
 * sandbox leads, through /proc/self/fd/0, to a writable host file: so a
 * regular file is reopened read-only inside the sandbox, by its path, at the
 * same offset; pipes, sockets, terminals and /dev/null are passed as they
 * are; anything else (block devices, other character devices, a file whose
 * path no longer leads to it) becomes /dev/null, with a warning.
 */
static int stdin_plan(char **path, long long *off)
{
	struct stat st, by_path;
	char link[PATH_MAX];
	ssize_t n;

	*path = NULL;
	*off = 0;
	if (fstat(STDIN_FILENO, &st))
		return SB_STDIN_NULL;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return SB_STDIN_INHERIT;
	if (S_ISCHR(st.st_mode))
		return isatty(STDIN_FILENO) || st.st_rdev == makedev(1, 3) ? SB_STDIN_INHERIT : SB_STDIN_NULL;
	if (!S_ISREG(st.st_mode))
		return SB_STDIN_NULL;
	n = readlink("/proc/self/fd/0", link, sizeof(link) - 1);
	if (n <= 0 || link[0] != '/')
		return SB_STDIN_NULL;
	link[n] = 0;
	if (stat(link, &by_path) || by_path.st_dev != st.st_dev || by_path.st_ino != st.st_ino)
		return SB_STDIN_NULL;
	*path = xstrdup(link);
	*off = (long long)lseek(STDIN_FILENO, 0, SEEK_CUR);
	if (*off < 0)
		*off = 0;
	return SB_STDIN_PATH;
}

/* The fuzz world: the input file, the program's stdin, the coverage map. */
struct fuzz_io {
	int cov_fd;
	uint8_t *cov;
	char *input_path;
};

/* A thread: the tracee handlers see, and the supervisor's bookkeeping. */
struct thread {
	struct tracee t;
	struct sys_call call;
	struct ev ev;
};

struct overlays;

struct sup {
	const struct sup_config *cfg;
	struct sup_result *res;
	struct vclock clock;
	struct decider dec;
	/* the tree */
	struct thread **threads;   /* in creation order */
	size_t nthreads;
	struct proc **procs;
	uint32_t next_mm;          /* address spaces numbered so far */
	size_t nprocs;
	struct sched sched;
	struct thread *current;    /* holds the baton, or NULL */
	unsigned nparked;          /* threads in TS_PARKED */
	unsigned nlive;            /* threads not TS_DEAD */
	bool signals_sent;         /* look for parked threads with a pending signal */
	struct vtimer *timers;
	size_t ntimers;
	uint64_t current_since;    /* real time current got the baton */
	const struct policy *pol;  /* for refusals answered here */
	size_t guide_pos;          /* scheduling decisions taken with no thread running */
	struct seen_map inos, devs, mnts; /* what stat and getdents show, numbered by first sight */
	struct thread *preempting; /* interrupted, its stop not seen yet */
	bool need_dispatch;        /* current was picked but not resumed yet */
	bool started;              /* the program's first exec happened */
	bool root_ended;
	int root_status;           /* wait status of the program (pid 2) */
	uint64_t park_seq;
	/* stops of threads not known yet (a new thread can report before its creator) */
	struct { pid_t pid; int status; } stash[16];
	unsigned nstash;
	/* stopping the run */
	bool stopping;
	enum sup_outcome stop_outcome;
	/* replay cursor: next expected event; offsets of the last few for context */
	size_t rp_pos;
	size_t rp_hist[4];
	unsigned rp_nhist;
	/* changed files (open addressing, power-of-two capacity) */
	struct chg *chg;
	size_t nchg, capchg;
	/* fork server: what a child's run needs from sup_run */
	struct fuzz_io *io;
	int fs_ctl[2];             /* to the init (pid reset), from the init */
	int out_file, err_file;    /* capture files: the program's stdout and stderr */
	uint8_t *cov_at_fork;      /* the edge counters at the fork point, each child starts with */
	struct overlays *ovl;      /* the writable layers a child must leave as it found them */
	bool reseeded;             /* the scheduling stream was seeded at the fork-server point */
	const struct buf *fs_in;   /* a fork-server child's: the input it was forked for */
	/* persistent mode, in a fork-server child: the input running, and the world before the first */
	const struct buf *persist_in;
	bool persist_over;         /* the program was told there is no more input */
	struct vclock persist_clock;
	struct prng persist_rng[5];
	uint8_t *persist_cov;
	size_t persist_stream, persist_picks;
	uint64_t persist_events;
	struct sched persist_sched;  /* its prio array is a copy of its own */
	size_t persist_nthreads;     /* threads there were; an input that made more ends the process */
};

#define THREAD(tr) ((struct thread *)(tr))
#define ERR_EAGAIN ((int64_t)-EAGAIN)

static volatile sig_atomic_t guard_fired, interrupted, tick;

/*
 * A thread that holds the baton this long without a scheduling point while
 * others could run is interrupted (PTRACE_INTERRUPT): it may spin on a lock a
 * waiting thread holds. Where it stops is not reproducible (no branch counter
 * on these machines), so the run is marked degraded.
 */
#define SLICE_NS (2000ULL * 1000000ULL)
#define TICK_NS (50ULL * 1000000ULL)
/* Forks refused at the task limit before the run is ended as a fork bomb. */
#define PIDS_REFUSALS_MAX 1000
static volatile pid_t live_pid;
static bool fs_is_child; /* this process runs one child of a fork server */


void sup_kill_all(void)
{
	if (live_pid > 0)
		kill(live_pid, SIGKILL);
}

bool sup_det(const struct sup *s) { return s->cfg->det; }
bool sup_replaying(const struct sup *s) { return s->dec.replay; }
unsigned sup_cpus(const struct sup *s) { return s->cfg->cpus; }
struct vclock *sup_clock(struct sup *s) { return &s->clock; }
struct decider *sup_decider(struct sup *s) { return &s->dec; }

__attribute__((format(printf, 3, 0)))
static void stop_run(struct sup *s, enum sup_outcome o, const char *fmt, va_list ap)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->stop_outcome = o;
	vsnprintf(s->res->message, sizeof(s->res->message), fmt, ap);
}

static PRINTF(3, 4) void stop(struct sup *s, enum sup_outcome o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stop_run(s, o, fmt, ap);
	va_end(ap);
}

void sup_abort(struct sup *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stop_run(s, SUP_ABORTED, fmt, ap);
	va_end(ap);
}

void sup_advance(struct sup *s, uint64_t ns)
{
	uint64_t limit = s->cfg->timeout_ns;

	s->clock.now = ns > UINT64_MAX / 4 - s->clock.now ? UINT64_MAX / 4 : s->clock.now + ns;
	if (s->cfg->det && limit && s->clock.now > limit) {
		s->clock.now = limit;
		stop(s, SUP_TIMEOUT, "the program ran past the virtual time limit of %" PRIu64 " ms",
		     limit / 1000000);
	}
}

/* ---- changed files ---- */

static size_t chg_slot(const struct chg *tab, size_t cap, uint64_t dev, uint64_t ino)
{
	size_t i = (size_t)XXH3_64bits_withSeed(&ino, sizeof(ino), dev) & (cap - 1);

	while (tab[i].ino && !(tab[i].dev == dev && tab[i].ino == ino))
		i = (i + 1) & (cap - 1);
	return i;
}

void sup_mark_changed(struct sup *s, uint64_t dev, uint64_t ino, unsigned set, unsigned clear)
{
	uint64_t now;
	struct chg *c;
	unsigned i;

	if (!ino)
		return;
	if ((s->nchg + 1) * 2 > s->capchg) {
		size_t cap = s->capchg ? s->capchg * 2 : 64, j;
		struct chg *tab = xcalloc(cap, sizeof(*tab));

		for (j = 0; j < s->capchg; j++)
			if (s->chg[j].ino)
				tab[chg_slot(tab, cap, s->chg[j].dev, s->chg[j].ino)] = s->chg[j];
		free(s->chg);
		s->chg = tab;
		s->capchg = cap;
	}
	c = &s->chg[chg_slot(s->chg, s->capchg, dev, ino)];
	if (!c->ino) {
		c->dev = dev;
		c->ino = ino;
		s->nchg++;
	}
	vclock_read(&s->clock, 0 /* CLOCK_REALTIME */, &now);
	for (i = 0; i < 4; i++)
		if (set & (1u << i))
			c->t[i] = now;
	c->mask = (c->mask | set) & ~clear;
}

const struct chg *sup_changed(const struct sup *s, uint64_t dev, uint64_t ino)
{
	const struct chg *c;

	if (!s->capchg || !ino)
		return NULL;
	c = &s->chg[chg_slot(s->chg, s->capchg, dev, ino)];
	return c->ino ? c : NULL;
}

bool sup_any_changed(const struct sup *s)
{
	return s->nchg > 0;
}

bool sup_task_limit_hit(struct sup *s)
{
	unsigned max = s->cfg->pids_max ? s->cfg->pids_max : 1024;

	if (sup_live_threads(s) < max)
		return false;
	if (++s->res->pids_refused >= PIDS_REFUSALS_MAX)
		stop(s, SUP_PIDS, "fork bomb: the tree held --pids-max %u threads and went on forking (%" PRIu64
		     " refused)", max, s->res->pids_refused);
	return true;
}

/* ---- identities of files: numbered in order of first sight ---- */

uint64_t sup_vino(struct sup *s, uint64_t dev, uint64_t ino)
{
	return ino ? 1 + seen_number(&s->inos, dev, ino) : 0;
}

uint64_t sup_vdev(struct sup *s, uint64_t dev)
{
	/* anonymous-device numbers (major 0), minors from 64 up */
	return makedev(0, 63 + seen_number(&s->devs, 0, dev));
}

bool sup_host_net(const struct sup *s)
{
	return s->cfg->host_net;
}

uint64_t sup_vmnt(struct sup *s, uint64_t mnt)
{
	return seen_number(&s->mnts, 0, mnt);
}

/* ---- events: record or compare ---- */

static void diverge(struct sup *s, const struct ev *expected, const struct ev *observed,
		    const char *why)
{
	struct buf *d = &s->res->detail;
	struct buf line = { 0 };
	unsigned i;

	if (s->stopping)
		return;
	s->res->divergence_index = s->res->events;
	stop(s, SUP_DIVERGED, "replay diverged at event #%" PRIu64 " (thread %u): %s",
	     s->res->events, observed ? observed->tid : expected ? expected->tid : 0, why);
	buf_addf(d, "  expected: ");
	if (expected)
		ev_format(expected, d);
	else
		buf_addf(d, "(end of trace)");
	buf_addf(d, "\n  observed: ");
	if (observed)
		ev_format(observed, d);
	else
		buf_addf(d, "(the program exited)");
	buf_addf(d, "\n");
	if (s->rp_nhist)
		buf_addf(d, "  events before it:\n");
	for (i = 0; i < s->rp_nhist; i++) {
		size_t pos = s->rp_hist[i];
		struct ev e;

		if (ev_decode(s->dec.in, s->dec.in_len, &pos, &e))
			break;
		line.len = 0;
		ev_format(&e, &line);
		buf_addf(d, "    #%" PRIu64 " %.*s\n", s->res->events - s->rp_nhist + i,
			 (int)line.len, (const char *)line.data);
	}
	buf_release(&line);
}

static bool same_question(const struct ev *a, const struct ev *b)
{
	unsigned i;

	if (a->tag != b->tag || a->tid != b->tid || a->nr != b->nr)
		return false;
	if (a->tag == EV_EXEC)
		return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
	if (a->tag != EV_SYSCALL)
		return true;
	if (a->nargs != b->nargs)
		return false;
	for (i = 0; i < a->nargs; i++)
		if (a->args[i] != b->args[i])
			return false;
	return true;
}

/* Start an event: in replay, check it is the one the log has next. */
static void event_begin(struct sup *s, const struct ev *e)
{
	struct ev want;
	size_t pos = s->rp_pos;

	if (!s->dec.replay || s->stopping)
		return;
	if (pos >= s->dec.in_len) {
		diverge(s, NULL, e, "the program went on past the end of the trace");
		return;
	}
	if (ev_decode(s->dec.in, s->dec.in_len, &pos, &want) || ev_is_decision(want.tag)) {
		diverge(s, NULL, e, "the trace is out of step (a decision where an event belongs)");
		return;
	}
	if (!same_question(&want, e)) {
		diverge(s, &want, e, want.tag == EV_PREEMPT
				     ? "the recorded run was preempted in user space here (a degraded run cannot be replayed exactly)"
				     : want.tag == e->tag && want.nr == e->nr
				     ? "same call, different arguments"
				     : "the program asked something else");
		return;
	}
	s->dec.pos = pos;
}

static void event_end(struct sup *s, const struct ev *e)
{
	struct ev want, next;
	size_t pos;

	if (!s->dec.replay) {
		ev_encode(&s->res->stream, e);
		buf_add(&s->res->stream, s->dec.pending.data, s->dec.pending.len);
		s->dec.pending.len = 0;
		s->res->events++;
		return;
	}
	if (s->stopping && s->stop_outcome == SUP_DIVERGED)
		return;
	pos = s->rp_pos;
	if (ev_decode(s->dec.in, s->dec.in_len, &pos, &want))
		BUG("replay cursor on a bad record");
	if (s->dec.diverged) {
		diverge(s, &want, e, s->dec.why);
		return;
	}
	if (want.has_result && e->has_result && want.result != e->result) {
		diverge(s, &want, e, "same call, different result");
		return;
	}
	pos = s->dec.pos;
	if (pos < s->dec.in_len && !ev_decode(s->dec.in, s->dec.in_len, &pos, &next) &&
	    ev_is_decision(next.tag)) {
		diverge(s, &want, e, "the program asked fewer questions than were recorded");
		return;
	}
	/* The replay's own trace: the observed event and the decisions it used. */
	ev_encode(&s->res->stream, e);
	pos = s->rp_pos;
	ev_decode(s->dec.in, s->dec.in_len, &pos, &want);
	buf_add(&s->res->stream, s->dec.in + pos, s->dec.pos - pos);
	if (s->rp_nhist == ARRAY_SIZE(s->rp_hist))
		memmove(s->rp_hist, s->rp_hist + 1, sizeof(s->rp_hist) - sizeof(s->rp_hist[0]));
	else
		s->rp_nhist++;
	s->rp_hist[s->rp_nhist - 1] = s->rp_pos;
	s->rp_pos = s->dec.pos;
	s->res->events++;
}

/* ---- ptrace plumbing ---- */

static int getregs(struct tracee *t)
{
	t->regs_dirty = false;
	return ptrace(PTRACE_GETREGS, t->pid, 0, &t->regs) ? -errno : 0;
}

static int resume(struct tracee *t, int req, int sig)
{
	if (t->regs_dirty && ptrace(PTRACE_SETREGS, t->pid, 0, &t->regs))
		return -errno;
	t->regs_dirty = false;
	return ptrace((enum __ptrace_request)req, t->pid, 0, (void *)(uintptr_t)sig) ? -errno : 0;
}

/* ---- the tree ---- */

static pid_t read_nspid(pid_t pid)
{
	char path[64], line[256];
	pid_t ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p, *last = NULL, *save = NULL;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = strtok_r(line + 6, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save))
			last = p;
		if (last)
			ns = (pid_t)atoi(last);
		break;
	}
	fclose(f);
	return ns;
}

static struct proc *new_proc(struct sup *s, pid_t tgid, struct proc *parent)
{
	struct proc *p = xcalloc(1, sizeof(*p));

	p->tgid = tgid;
	p->nspid = read_nspid(tgid);
	p->parent = parent;
	p->vpid = (uint32_t)s->nprocs + 1;
	p->mm = ++s->next_mm;
	p->pidfd = -1;
	s->procs = xrealloc(s->procs, (s->nprocs + 1) * sizeof(*s->procs));
	s->procs[s->nprocs++] = p;
	s->res->processes++;
	return p;
}

static struct thread *new_thread(struct sup *s, pid_t tid, struct proc *p)
{
	struct thread *th = xcalloc(1, sizeof(*th));

	th->t.pid = tid;
	th->t.vtid = (uint32_t)s->nthreads + 1;
	th->t.sup = s;
	th->t.proc = p;
	th->t.cur = &th->call;
	th->t.state = TS_READY;
	th->t.resume_req = PTRACE_CONT;
	th->t.wait_fd = -1;
	p->live++;
	s->nlive++;
	s->threads = xrealloc(s->threads, (s->nthreads + 1) * sizeof(*s->threads));
	s->threads[s->nthreads++] = th;
	s->res->threads++;
	return th;
}

static struct thread *find_thread(struct sup *s, pid_t pid)
{
	size_t i;

	for (i = s->nthreads; i-- > 0;)
		if (s->threads[i]->t.pid == pid && s->threads[i]->t.state != TS_DEAD)
			return s->threads[i];
	return NULL;
}

unsigned sup_live_threads(const struct sup *s)
{
	return s->nlive;
}

/* Every change to TS_DEAD goes through here. */
static void set_dead(struct sup *s, struct thread *th)
{
	if (th->t.state == TS_DEAD)
		return;
	if (th->t.state == TS_PARKED)
		s->nparked--;
	th->t.state = TS_DEAD;
	s->nlive--;
}

enum sched_strategy sup_strategy(const struct sup *s)
{
	return s->cfg->strategy;
}

/* Wait for a stop of one thread, taking it from the stash if it came early. */
static int wait_for(struct sup *s, pid_t pid, int *status)
{
	unsigned i;
	pid_t w;

	for (i = 0; i < s->nstash; i++) {
		if (s->stash[i].pid != pid)
			continue;
		*status = s->stash[i].status;
		s->stash[i] = s->stash[--s->nstash];
		return 0;
	}
	while ((w = waitpid(pid, status, __WALL)) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* ---- parking and waking ---- */

void sup_set_deadline(struct tracee *t, uint64_t ns, int64_t timeout_ret)
{
	t->has_deadline = true;
	t->deadline = t->retrying && t->saved_has_deadline ? t->saved_deadline
							  : t->sup->clock.now + ns;
	t->timeout_ret = timeout_ret;
}

static void wake(struct thread *th, bool emulate, int64_t ret)
{
	if (th->t.state == TS_PARKED)
		th->t.sup->nparked--;
	th->t.saved_has_deadline = !emulate && th->t.has_deadline;
	th->t.saved_deadline = th->t.deadline;
	th->t.state = TS_READY;
	th->t.wait = WAIT_NONE;
	th->t.has_deadline = false;
	th->t.emulate = emulate;
	th->t.retry = !emulate;
	th->t.wake_ret = ret;
	th->t.resume_req = PTRACE_CONT;
}

static bool futex_match(const struct tracee *t, const uint64_t key[2], uint32_t bitset)
{
	return t->state == TS_PARKED && t->wait == WAIT_FUTEX && t->futex_key[0] == key[0] &&
	       t->futex_key[1] == key[1] && (t->futex_bitset & bitset);
}

/* The parked waiters of a futex key, oldest first. Caller frees. */
static struct thread **futex_waiters(struct sup *s, const uint64_t key[2], uint32_t bitset,
				     unsigned *n)
{
	struct thread **w = xcalloc(s->nthreads + 1, sizeof(*w)), *tmp;
	unsigned i, j;

	*n = 0;
	for (i = 0; i < s->nthreads; i++)
		if (futex_match(&s->threads[i]->t, key, bitset))
			w[(*n)++] = s->threads[i];
	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && w[j - 1]->t.park_seq > w[j]->t.park_seq; j--) {
			tmp = w[j];
			w[j] = w[j - 1];
			w[j - 1] = tmp;
		}
	return w;
}

unsigned sup_futex_wake(struct sup *s, const uint64_t key[2], uint32_t bitset, unsigned n)
{
	unsigned count, i;
	struct thread **w = futex_waiters(s, key, bitset, &count);

	for (i = 0; i < count && i < n; i++)
		wake(w[i], true, 0);
	free(w);
	return i;
}

unsigned sup_futex_requeue(struct sup *s, const uint64_t from[2], const uint64_t to[2],
			   unsigned nwake, unsigned nmove)
{
	unsigned count, i, moved = 0;
	struct thread **w = futex_waiters(s, from, ~0u, &count);

	for (i = 0; i < count; i++) {
		if (i < nwake) {
			wake(w[i], true, 0);
		} else if (moved < nmove) {
			w[i]->t.futex_key[0] = to[0];
			w[i]->t.futex_key[1] = to[1];
			moved++;
		}
	}
	free(w);
	return (count < nwake ? count : nwake) + moved;
}

static struct proc *find_proc_nspid(const struct sup *s, pid_t nspid)
{
	size_t i;

	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i]->nspid == nspid)
			return s->procs[i];
	return NULL;
}

void sup_futex_key(const struct tracee *t, uint64_t addr, bool private, uint64_t key[2])
{
	key[0] = private ? t->proc->mm : 0; /* the kernel keys private futexes by address space */
	key[1] = addr;
}

void sup_mark_reaped(struct sup *s, pid_t nspid)
{
	struct proc *p = find_proc_nspid(s, nspid);

	if (p)
		p->reaped = true;
}

bool sup_thread_is_last(const struct tracee *t)
{
	return t->proc->live <= 1;
}

int sup_child_waitable(struct sup *s, struct tracee *t, int64_t which)
{
	bool any = false;
	size_t i;

	for (i = 0; i < s->nprocs; i++) {
		struct proc *p = s->procs[i];

		if (p->parent != t->proc || p->reaped)
			continue;
		if (which > 0 && p->nspid != (pid_t)which)
			continue;
		any = true;
		if (p->ended)
			return 1;
	}
	return any ? 0 : -ECHILD;
}

int sup_dup_fd(struct sup *s, struct tracee *t, int fd)
{
	int dup;

	(void)s;
	if (t->proc->pidfd < 0)
		t->proc->pidfd = (int)syscall(SYS_pidfd_open, t->proc->tgid, 0);
	if (t->proc->pidfd < 0)
		return -errno;
	dup = (int)syscall(SYS_pidfd_getfd, t->proc->pidfd, fd, 0);
	return dup < 0 ? -errno : dup;
}

static bool signal_masks(const struct tracee *t, uint64_t *thread, uint64_t *shared, uint64_t *blocked);

/*
 * A signalfd reads the signals of the process that reads it: a duplicate in
 * fozzy would report fozzy's. Ready when the program has a pending signal in
 * the signalfd's mask (/proc/<pid>/fdinfo). Returns -1 if fd is no signalfd.
 */
static int signalfd_ready(const struct tracee *t, int fd)
{
	char path[96], link[64], line[128];
	uint64_t mask = 0, mine = 0, shared = 0, blocked = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	if (strcmp(link, "anon_inode:[signalfd]"))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)t->pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "sigmask:", 8))
			mask = strtoull(line + 8, NULL, 16);
	fclose(f);
	if (!signal_masks(t, &mine, &shared, &blocked))
		return 1;
	return ((mine | shared) & mask) != 0;
}

int sup_fd_ready(struct sup *s, struct tracee *t, int fd, short events)
{
	struct pollfd pfd;
	int dup, n;

	n = signalfd_ready(t, fd);
	if (n >= 0)
		return n;

	dup = sup_dup_fd(s, t, fd);
	if (dup < 0)
		return dup;
	if (fcntl(dup, F_GETFL) & O_NONBLOCK) {
		close(dup); /* the call will not block: EAGAIN at worst */
		return 1;
	}
	pfd = (struct pollfd){ .fd = dup, .events = events };
	n = poll(&pfd, 1, 0);
	close(dup);
	if (n < 0)
		return -errno;
	return n > 0 && (pfd.revents & (events | POLLHUP | POLLERR | POLLNVAL));
}

static void time_out(struct thread *th)
{
	if (th->t.on_timeout)
		th->t.on_timeout(&th->t);
	wake(th, true, th->t.timeout_ret);
}

struct vtimer *sup_timer(struct sup *s, struct tracee *t, enum vtimer_kind kind, uint64_t id, bool create)
{
	size_t i;

	for (i = 0; i < s->ntimers; i++)
		if (s->timers[i].proc == t->proc && s->timers[i].kind == kind && s->timers[i].id == id)
			return &s->timers[i];
	if (!create)
		return NULL;
	s->timers = xrealloc(s->timers, (s->ntimers + 1) * sizeof(*s->timers));
	memset(&s->timers[s->ntimers], 0, sizeof(s->timers[0]));
	s->timers[s->ntimers].kind = kind;
	s->timers[s->ntimers].proc = t->proc;
	s->timers[s->ntimers].id = id;
	return &s->timers[s->ntimers++];
}

bool sup_timers_armed(const struct sup *s)
{
	size_t i;

	for (i = 0; i < s->ntimers; i++)
		if (s->timers[i].armed && !s->timers[i].proc->ended)
			return true;
	return false;
}

void sup_timer_delete(struct sup *s, struct vtimer *v)
{
	*v = s->timers[--s->ntimers];
}

uint64_t sup_timer_new_id(struct sup *s, struct tracee *t)
{
	(void)s;
	return t->proc->next_timer_id++;
}

pid_t sup_host_tid(struct sup *s, struct tracee *t, pid_t nstid)
{
	size_t i;

	for (i = 0; i < s->nthreads; i++) {
		struct thread *th = s->threads[i];

		if (th->t.proc == t->proc && th->t.state != TS_DEAD && read_nspid(th->t.pid) == nstid)
			return th->t.pid;
	}
	return 0;
}

/* Fire one due timer: a signal, or its timerfd armed to a past time so it is readable. */
static void fire(struct sup *s, struct vtimer *v)
{
	struct proc *p = v->proc;

	if (v->kind == VT_TIMERFD) {
		struct itimerspec past = { .it_value = { 0, 1 } };
		int dup;

		if (p->pidfd < 0)
			p->pidfd = (int)syscall(SYS_pidfd_open, p->tgid, 0);
		dup = p->pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, p->pidfd, (int)v->id, 0);
		if (dup >= 0) {
			timerfd_settime(dup, TFD_TIMER_ABSTIME, &past, NULL);
			close(dup);
		}
	} else if (v->signo && !(v->kind == VT_POSIX && v->notify == SIGEV_NONE)) {
		if (v->kind == VT_POSIX) {
			siginfo_t si;

			memset(&si, 0, sizeof(si));
			si.si_signo = v->signo;
			si.si_code = SI_TIMER;
			si.si_timerid = (int)v->id;
			si.si_overrun = (int)v->overrun;
			si.si_value.sival_ptr = (void *)(uintptr_t)v->value;
			if (v->notify == SIGEV_THREAD_ID && v->target)
				syscall(SYS_rt_tgsigqueueinfo, p->tgid, v->target, v->signo, &si);
			else
				syscall(SYS_rt_sigqueueinfo, p->tgid, v->signo, &si);
		} else {
			kill(p->tgid, v->signo);
		}
		s->signals_sent = true;
	}
	if (!v->interval) {
		v->armed = false;
		return;
	}
	v->overrun = 0;
	do {
		v->expiry += v->interval;
		if (v->expiry <= s->clock.now)
			v->overrun++;
	} while (v->expiry <= s->clock.now);
}

static void fire_timers(struct sup *s)
{
	size_t i;

	for (i = 0; i < s->ntimers; i++)
		if (s->timers[i].armed && !s->timers[i].proc->ended && s->timers[i].expiry <= s->clock.now)
			fire(s, &s->timers[i]);
}

void sup_signal_sent(struct sup *s)
{
	s->signals_sent = true;
}

/* Pending (thread, shared) and blocked signal masks of a thread, from /proc. */
static bool signal_masks(const struct tracee *t, uint64_t *thread, uint64_t *shared, uint64_t *blocked)
{
	char path[96], line[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)t->proc->tgid, (int)t->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f) && found < 3) {
		if (!strncmp(line, "SigPnd:", 7))
			*thread = strtoull(line + 7, NULL, 16), found++;
		else if (!strncmp(line, "ShdPnd:", 7))
			*shared = strtoull(line + 7, NULL, 16), found++;
		else if (!strncmp(line, "SigBlk:", 7))
			*blocked = strtoull(line + 7, NULL, 16), found++;
	}
	fclose(f);
	return found == 3;
}

/*
 * A parked thread with a signal to take runs its syscall natively: the kernel
 * sees the pending signal and interrupts the wait at once (EINTR, or a
 * restart after the handler), as it would have without fozzy. A signal sent
 * to a whole process goes to its main thread, as the kernel prefers.
 */
static void wake_signalled(struct sup *s)
{
	size_t i;

	s->signals_sent = false;
	for (i = 0; i < s->nthreads; i++) {
		struct thread *th = s->threads[i];
		uint64_t mine = 0, shared = 0, blocked = 0;

		if (th->t.state != TS_PARKED || !signal_masks(&th->t, &mine, &shared, &blocked))
			continue;
		if (th->t.wait == WAIT_SIGNAL && th->t.wait_sigmask)
			blocked = ~th->t.wait_sigmask; /* sigtimedwait's set, sigsuspend's mask */
		/*
		 * A process-wide signal: the kernel's pick is the main thread if it
		 * does not block it; a thread waiting for it by sigwait takes it
		 * from the shared queue itself, blocked or not.
		 */
		if (!(mine & ~blocked) &&
		    !((shared & ~blocked) && (th->t.pid == th->t.proc->tgid ||
					      (th->t.wait == WAIT_SIGNAL && th->t.wait_sigmask))))
			continue;
		wake(th, false, 0);
		th->t.retry = false; /* run the syscall as it is, in the kernel */
		th->t.saved_has_deadline = false;
		/* Its result may matter to fozzy (a wait4 that reaps): take the exit stop. */
		if (th->call.nr < SYS_NR_MAX && sys_table[th->call.nr].exit) {
			th->t.cur_row = &sys_table[th->call.nr];
			th->t.signal_exit = true;
			th->t.resume_req = PTRACE_SYSCALL;
		}
	}
}

/* Waits whose condition holds, or whose deadline passed, become runnable again. */
static void wake_ready_waiters(struct sup *s)
{
	size_t i;

	for (i = 0; i < s->nthreads; i++) {
		struct thread *th = s->threads[i];

		if (th->t.state != TS_PARKED)
			continue;
		if (th->t.wait_ready && th->t.wait_ready(&th->t))
			wake(th, false, 0);
		else if (th->t.has_deadline && th->t.deadline <= s->clock.now)
			time_out(th);
	}
}

/*
 * Nobody can run: move the virtual clock to the earliest deadline and time
 * those waits out. Returns false when no wait has a deadline.
 */
static bool jump_time(struct sup *s)
{
	uint64_t when = UINT64_MAX;
	size_t i;

	for (i = 0; i < s->nthreads; i++) {
		struct tracee *t = &s->threads[i]->t;

		if (t->state == TS_PARKED && t->has_deadline && t->deadline < when)
			when = t->deadline;
	}
	for (i = 0; i < s->ntimers; i++)
		if (s->timers[i].armed && !s->timers[i].proc->ended && s->timers[i].expiry < when)
			when = s->timers[i].expiry;
	if (when == UINT64_MAX)
		return false;
	if (when > s->clock.now)
		sup_advance(s, when - s->clock.now);
	fire_timers(s);
	for (i = 0; i < s->nthreads; i++) {
		struct thread *th = s->threads[i];

		if (th->t.state != TS_PARKED || !th->t.has_deadline || th->t.deadline > s->clock.now)
			continue;
		time_out(th);
	}
	return true;
}

/*
 * Nobody can run and no timer is pending, but some thread waits on a file
 * descriptor: its data may come from outside the sandbox (stdin, a pipe whose
 * other end fozzy does not hold). Wait in real time, polling, until one is
 * ready or the real-time guard fires. Returns false when there is nothing to
 * wait for this way.
 */
static bool real_wait(struct sup *s)
{
	unsigned delay_us = 100;
	bool any = false;
	size_t i;

	for (i = 0; i < s->nthreads; i++) {
		struct tracee *t = &s->threads[i]->t;

		any |= t->state == TS_PARKED && (t->wait == WAIT_FD || t->wait == WAIT_POLL ||
						 (t->wait == WAIT_SIGNAL && !s->cfg->det));
	}
	if (!any)
		return false;
	for (;;) {
		for (i = 0; i < s->nthreads; i++) {
			struct thread *th = s->threads[i];

			if (th->t.state == TS_PARKED && th->t.wait_ready && th->t.wait_ready(&th->t)) {
				wake(th, false, 0);
				return true;
			}
		}
		if (!s->cfg->det) {
			/* kernel timers and outside senders: look for pending signals */
			unsigned before = s->nparked;

			wake_signalled(s);
			if (s->nparked != before)
				return true;
		}
		if (interrupted) {
			stop(s, SUP_ERROR, "interrupted");
			return false;
		}
		if (guard_fired) {
			s->res->wall_guard = true;
			stop(s, SUP_TIMEOUT, "real-time guard: every thread waited on a file descriptor or a signal for %" PRIu64
			     " s of real time (a deadlock on a pipe or socket, or input or a signal that never came)",
			     (uint64_t)(s->cfg->wall_guard_ns / 1000000000ULL));
			return false;
		}
		usleep(delay_us);
		if (delay_us < 10000)
			delay_us *= 2;
	}
}

static const char *wait_name(enum wait_kind k)
{
	switch (k) {
	case WAIT_FUTEX: return "a futex";
	case WAIT_CHILD: return "a child process";
	case WAIT_FD: return "a file descriptor";
	case WAIT_TIME: return "a timer";
	case WAIT_POLL: return "poll/select/epoll";
	case WAIT_SIGNAL: return "a signal";
	default: return "nothing";
	}
}

static void deadlock(struct sup *s)
{
	struct buf *d = &s->res->detail;
	size_t i;

	stop(s, SUP_DEADLOCK, "deadlock: every thread is blocked and no timer is pending");
	for (i = 0; i < s->nthreads; i++) {
		struct tracee *t = &s->threads[i]->t;
		char name[32];

		if (t->state != TS_PARKED)
			continue;
		sys_name(THREAD(t)->call.nr, name, sizeof(name));
		buf_addf(d, "  thread %u (process %u) waits on %s in %s", t->vtid, t->proc->vpid,
			 wait_name(t->wait), name);
		if (t->wait == WAIT_FUTEX)
			buf_addf(d, " at %#" PRIx64, t->futex_key[1]);
		if (t->rt_op && t->wait == WAIT_FUTEX)
			buf_addf(d, ", last in %s(%#" PRIx64 ")", rt_op_name(t->rt_op), t->rt_obj);
		else if (t->wait == WAIT_FD)
			buf_addf(d, " (fd %d)", t->wait_fd);
		buf_addf(d, "\n");
	}
}

/*
 * A scheduling point: prev (if any) stopped and is READY, PARKED or DEAD.
 * Pick who runs next; the pick is a decision of the event in progress.
 */
static void schedule(struct sup *s, struct thread *prev)
{
	struct thread *ready_small[64], **ready = ready_small;
	uint32_t vtids_small[64], *vtids = vtids_small;
	unsigned n, i, idx;
	bool yielded;
	int cur;

	if (s->nthreads >= ARRAY_SIZE(ready_small)) {
		ready = xcalloc(s->nthreads + 1, sizeof(*ready));
		vtids = xcalloc(s->nthreads + 1, sizeof(*vtids));
	}
	s->current = NULL;
	for (;;) {
		if (s->ntimers)
			fire_timers(s);
		if (s->nparked && s->signals_sent)
			wake_signalled(s);
		if (s->nparked)
			wake_ready_waiters(s);
		for (n = 0, cur = -1, i = 0; i < s->nthreads; i++) {
			if (s->threads[i]->t.state != TS_READY)
				continue;
			if (s->threads[i] == prev)
				cur = (int)n;
			vtids[n] = s->threads[i]->t.vtid;
			ready[n++] = s->threads[i];
		}
		if (n || s->stopping || !sup_live_threads(s))
			break;
		if (!jump_time(s)) {
			if (real_wait(s))
				continue;
			if (!s->stopping)
				deadlock(s);
			break;
		}
	}
	yielded = prev && prev->t.yielded;
	if (prev)
		prev->t.yielded = false;
	if (n) {
		unsigned dflt = cur < 0 ? 0 : yielded ? (unsigned)(cur + 1) % n : (unsigned)cur;

		uint32_t from = prev ? prev->t.vtid : 0;
		uint64_t step = prev ? prev->t.nsched : s->guide_pos;

		if (s->cfg->guide) {
			size_t g;

			idx = dflt;
			for (g = 0; n > 1 && g < s->cfg->guide_len; g++)
				if (s->cfg->guide[g].from == from && s->cfg->guide[g].step == step)
					for (i = 0; i < n; i++)
						if (vtids[i] == s->cfg->guide[g].to)
							idx = i;
		} else {
			idx = sched_pick(&s->sched, vtids, n, cur, yielded);
		}
		if (n > 1) {
			struct sup_pick pk;

			idx = (unsigned)decide_value(&s->dec, idx);
			if (prev)
				prev->t.nsched++;
			else
				s->guide_pos++;
			pk = (struct sup_pick){ .pick = idx, .dflt = dflt, .from = from,
						.to = idx < n ? vtids[idx] : 0, .step = step, .event = s->res->events,
						.n = n };
			for (i = 0; i < n && i < ARRAY_SIZE(pk.ready); i++)
				pk.ready[i] = vtids[i];
			buf_add(&s->res->picks, &pk, sizeof(pk));
		}
		if (idx >= n) {
			s->dec.diverged = true;
			snprintf(s->dec.why, sizeof(s->dec.why), "the trace picks thread %u of %u runnable", idx, n);
			idx = 0;
		}
		s->current = ready[idx];
		s->current->t.state = TS_RUNNING;
		s->need_dispatch = true;
		if (prev && s->current != prev)
			s->res->switches++;
	}
	if (ready != ready_small) {
		free(ready);
		free(vtids);
	}
}

/*
 * The main thread left with exit(2) while others go on: its end is reported
 * only with the group's, but its clear_child_tid is cleared now, and a
 * pthread_join on it waits for that. Wait (briefly, in real time) until the
 * kernel has cleared it, seen through a live thread, then do the futex wake
 * the kernel did in its own queue; robust mutexes likewise.
 */
static void wake_robust(struct sup *s, struct thread *dead);

/* A live thread of process p, through which its memory can be read; NULL if none. */
static struct tracee *live_thread_of(const struct sup *s, const struct proc *p)
{
	size_t i;

	for (i = 0; i < s->nthreads; i++)
		if (s->threads[i]->t.proc == p && s->threads[i]->t.state != TS_DEAD)
			return &s->threads[i]->t;
	return NULL;
}

static void main_thread_gone(struct sup *s, struct thread *th)
{
	struct tracee *reader = live_thread_of(s, th->t.proc);
	uint32_t tid = 1;
	int tries;

	if (!reader)
		return;
	if (th->t.clear_tid) {
		uint64_t shared[2] = { 0, th->t.clear_tid }, private[2] = { th->t.proc->vpid, th->t.clear_tid };

		for (tries = 0; tries < 2000 && tid; tries++)
			if (tracee_read(reader, th->t.clear_tid, &tid, sizeof(tid)) || (tid && usleep(500)))
				break;
		sup_futex_wake(s, shared, ~0u, UINT32_MAX);
		sup_futex_wake(s, private, ~0u, UINT32_MAX);
	}
	if (th->t.robust_list)
		wake_robust(s, th);
}

/* Give the baton to s->current: finish its syscall, re-run its handler, or resume it. */
static void on_seccomp(struct sup *s, struct thread *th);
static bool fs_serve(struct sup *s, struct thread *th);

static void dispatch(struct sup *s)
{
	struct thread *th = s->current;

	s->need_dispatch = false;
	if (!th)
		return;
	if (th->t.exiting && th->t.pid == th->t.proc->tgid && th->t.proc->live > 1) {
		/*
		 * The main thread leaves with exit(2) while others go on: the
		 * kernel reports it only when the whole group has ended, so it is
		 * gone from the scheduler's view now.
		 */
		struct ev e = { .tag = EV_EXIT, .tid = th->t.vtid, .nr = 0 };

		resume(&th->t, th->t.resume_req, 0);
		set_dead(s, th);
		th->t.proc->live--;
		th->t.proc->zombie_leader = th;
		event_begin(s, &e);
		main_thread_gone(s, th);
		schedule(s, NULL);
		event_end(s, &e);
		return;
	}
	if (th->t.retry) {
		th->t.retry = false;
		th->t.retrying = true;
		on_seccomp(s, th);
		th->t.retrying = false;
		return;
	}
	s->current_since = now_mono_ns();
	if (th->t.emulate) {
		th->t.emulate = false;
		th->t.regs.orig_rax = (uint64_t)-1;
		th->t.regs.rax = (uint64_t)th->t.wake_ret;
		th->t.regs_dirty = true;
	}
	resume(&th->t, th->t.resume_req, 0);
}

/* ---- stops ---- */

/*
 * A fault of the plan fires at this call: an errno (the call does not run),
 * a short read or write (half the bytes, then the call runs), or the death of
 * the process. Each firing is a decision in the log. Returns true when the
 * call is answered here (act set).
 */
static bool inject_fault(struct sup *s, struct thread *th, enum sys_action *act)
{
	struct tracee *t = &th->t;
	struct sys_call *c = &th->call;
	const struct fault_rule *fr;
	int cls;

	if (!s->cfg->faults || !s->cfg->det || (cls = fault_class_of(c->nr)) < 0 || t->retrying)
		return false;
	s->res->fault_seen[cls]++;
	fr = fault_match(s->cfg->faults, cls, s->res->fault_seen[cls]);
	if (!fr)
		return false;
	(void)decide_value(&s->dec, fr->kind * 1000u + (unsigned)fr->err);
	if (s->res->nfaults < ARRAY_SIZE(s->res->faults))
		s->res->faults[s->res->nfaults++] = (struct sup_fault){ .rule = *fr, .tid = t->vtid,
									.event = s->res->events };
	switch (fr->kind) {
	case FK_SHORT:
		/* read, write, pread64, pwrite64: the count is the third argument */
		if ((c->nr == SYS_read || c->nr == SYS_write || c->nr == SYS_pread64 || c->nr == SYS_pwrite64) &&
		    c->args[2] > 1) {
			c->args[2] /= 2;
			t->regs.rdx = c->args[2];
			t->regs_dirty = true;
		}
		return false; /* the handler goes on with the shorter call */
	case FK_KILL:
		kill(t->proc->tgid, SIGKILL);
		c->ret = -EINTR;
		*act = SYS_EMULATE;
		return true;
	default:
		c->ret = -fr->err;
		*act = SYS_EMULATE;
		return true;
	}
}

/* The event of the syscall t is stopped at: its number and all six arguments (nargs are logged). */
static void syscall_event(const struct tracee *t, struct ev *e, uint8_t nargs)
{
	memset(e, 0, sizeof(*e));
	e->tag = EV_SYSCALL;
	e->tid = t->vtid;
	e->nr = (uint32_t)t->regs.orig_rax;
	e->nargs = nargs;
	e->args[0] = t->regs.rdi;
	e->args[1] = t->regs.rsi;
	e->args[2] = t->regs.rdx;
	e->args[3] = t->regs.r10;
	e->args[4] = t->regs.r8;
	e->args[5] = t->regs.r9;
}

/* A refused syscall: answer the policy's errno, count the attempt; a scheduling point like any. */
static void on_refusal(struct sup *s, struct thread *th)
{
	struct tracee *t = &th->t;
	struct ev *e = &th->ev;
	uint32_t nr = (uint32_t)t->regs.orig_rax;
	int err = s->pol->err[nr];
	unsigned i;

	syscall_event(t, e, 6);
	sup_advance(s, s->clock.syscall_cost);
	event_begin(s, e);
	if (s->stopping)
		return;
	for (i = 0; i < s->res->nrefusals && s->res->refusals[i].nr != nr; i++)
		;
	if (i < ARRAY_SIZE(s->res->refusals)) {
		if (i == s->res->nrefusals) {
			s->res->nrefusals++;
			s->res->refusals[i] = (struct sup_refusal){ .nr = nr, .err = err, .first_tid = t->vtid };
		}
		s->res->refusals[i].count++;
	}
	e->has_result = 1;
	e->result = -err;
	t->state = TS_READY;
	t->emulate = true;
	t->wake_ret = -err;
	t->resume_req = PTRACE_CONT;
	schedule(s, th);
	event_end(s, e);
}

static void arm_guard(uint64_t ns);

/* Persistent mode: the world of the first input's start, kept, then given back before each next input. */
static void persist_snapshot(struct sup *s)
{
	s->persist_clock = s->clock;
	memcpy(s->persist_rng, s->dec.rng, sizeof(s->persist_rng));
	if (s->io->cov) {
		s->persist_cov = xmalloc(FOZZY_COV_MAP);
		memcpy(s->persist_cov, s->io->cov, FOZZY_COV_MAP);
	}
	s->persist_stream = s->res->stream.len;
	s->persist_picks = s->res->picks.len;
	s->persist_events = s->res->events;
	sched_copy(&s->persist_sched, &s->sched);
	s->persist_nthreads = s->nthreads;
}

static void persist_restore(struct sup *s)
{
	sched_release(&s->sched);
	sched_copy(&s->sched, &s->persist_sched);
	s->clock = s->persist_clock;
	memcpy(s->dec.rng, s->persist_rng, sizeof(s->persist_rng));
	if (s->persist_cov)
		memcpy(s->io->cov, s->persist_cov, FOZZY_COV_MAP);
	s->res->stream.len = s->persist_stream;
	s->res->picks.len = s->persist_picks;
	s->res->events = s->persist_events;
	while (ftruncate(s->out_file, 0) && errno == EINTR)
		;
	while (ftruncate(s->err_file, 0) && errno == EINTR)
		;
	guard_fired = 0;
	arm_guard(s->cfg->wall_guard_ns);
}

/*
 * The driver of libfozzy-cov asks for an input: RT_PERSIST_NEXT(buffer,
 * capacity, the harness's return value for the last input), or AGAIN with a
 * larger buffer. Answer: the input's length (copied when it fits), a negative
 * value when there is no more, -ENOSYS outside persistent mode (the driver
 * then reads its one input from the file or stdin).
 */
static int64_t persist_next(struct sup *s, struct thread *th)
{
	struct tracee *t = &th->t;
	uint64_t addr = t->regs.rsi, cap = t->regs.rdx;
	const struct buf *in;

	if (!s->cfg->persist || !s->cfg->persist_done || !fs_is_child || !s->fs_in)
		return -(int64_t)ENOSYS;
	if (s->persist_over)
		return -(int64_t)ESRCH;
	if (t->regs.rdi == RT_PERSIST_NEXT) {
		if (!s->persist_in) {
			/* the first: the input this child was forked for */
			s->persist_in = s->fs_in;
			persist_snapshot(s);
		} else if (s->nthreads != s->persist_nthreads) {
			/*
			 * The input made threads: their ids cannot be given back, so the
			 * process ends here (its end is this input's result) and the next
			 * input gets a fresh fork.
			 */
			s->persist_over = true;
			return -(int64_t)ESRCH;
		} else {
			struct sup_result view = *s->res; /* this input's result, as a run that ended now */
			const struct buf *next = NULL;

			view.outcome = SUP_EXITED;
			view.exit_code = (int)t->regs.r10 ? 1 : 0;
			view.signal = 0;
			view.message[0] = 0;
			view.interrupted = interrupted;
			view.cov = s->io->cov;
			{
				off_t end = lseek(s->err_file, 0, SEEK_END);

				view.stderr_len = end > 0 ? (uint64_t)end : 0;
			}
			view.cov_guards = s->io->cov ? ((struct fozzy_cov_header *)(s->io->cov + FOZZY_COV_MAP))->guards : 0;
			if (s->cfg->persist_done(s->cfg->fs_arg, (int)t->regs.r10, &view, &next) <= 0 || !next) {
				s->persist_over = true;
				return -(int64_t)ESRCH;
			}
			s->persist_in = next;
			persist_restore(s);
		}
	}
	in = s->persist_in;
	if (!in)
		return -(int64_t)EINVAL;
	s->res->persistent = true;
	if (in->len > cap)
		return (int64_t)in->len; /* to be asked again with a larger buffer */
	if (in->len && tracee_write(t, addr, in->data, in->len))
		return -(int64_t)EFAULT;
	return (int64_t)in->len;
}

static void on_seccomp(struct sup *s, struct thread *th)
{
	struct tracee *t = &th->t;
	const struct sys_row *row;
	struct sys_call *c = &th->call;
	struct ev *e = &th->ev;
	enum sys_action act;
	unsigned i;

	if (getregs(t))
		return;
	row = t->regs.orig_rax < SYS_NR_MAX ? &sys_table[t->regs.orig_rax] : NULL;
	if (!s->started) {
		/* fozzy's own execve of the program, right after the filter went in */
		resume(t, PTRACE_CONT, 0);
		return;
	}
	if (s->cfg->fs_next && t->regs.orig_rax == FOZZY_MARKER_NR && t->regs.rdi == RT_FORKSERVER &&
	    (t->regs.rsi == 0 || s->cfg->fs_rt) && !s->res->fs_served && !fs_is_child &&
	    sup_live_threads(s) == 1 && !fs_serve(s, th))
		return; /* the fork server has ended; in a child's run, the marker is answered below */
	if (t->regs.orig_rax == FOZZY_MARKER_NR && t->regs.rdi == RT_FORKSERVER && !s->reseeded) {
		/* the run's own schedule from here (a fork-server child's starts here too) */
		s->reseeded = true;
		if (s->cfg->has_sched_seed)
			sched_reseed(&s->sched, s->cfg->sched_seed, s->cfg->pct_steps);
	}
	if (t->regs.orig_rax < SYS_NR_MAX && s->pol->action[t->regs.orig_rax] == POLICY_ERRNO) {
		on_refusal(s, th);
		return;
	}
	if (!row || !row->entry) {
		/* A filter of the program's own asked for a trace stop; not ours. */
		resume(t, PTRACE_CONT, 0);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->nr = (uint32_t)t->regs.orig_rax;
	syscall_event(t, e, row->nargs);
	for (i = 0; i < 6; i++)
		c->args[i] = e->args[i];
	for (i = row->nargs; i < 6; i++)
		e->args[i] = 0;
	sup_advance(s, s->clock.syscall_cost);
	event_begin(s, e);
	if (s->stopping)
		return;
	t->wait = WAIT_NONE;
	t->wait_ready = NULL;
	t->on_timeout = NULL;
	t->has_deadline = false;
	t->yielded = false;
	if (c->nr == FOZZY_MARKER_NR && (c->args[0] == RT_PERSIST_NEXT || c->args[0] == RT_PERSIST_AGAIN)) {
		c->ret = persist_next(s, th);
		act = SYS_EMULATE;
	} else if (!inject_fault(s, th, &act)) {
		act = row->entry(t, c);
	}
	switch (act) {
	case SYS_EMULATE:
		t->yielded |= c->ret == ERR_EAGAIN;
		e->has_result = 1;
		e->result = c->ret;
		t->state = TS_READY;
		t->emulate = true;
		t->wake_ret = c->ret;
		t->resume_req = PTRACE_CONT;
		schedule(s, th);
		event_end(s, e);
		break;
	case SYS_CONTINUE:
		t->state = TS_READY;
		t->resume_req = PTRACE_CONT;
		schedule(s, th);
		event_end(s, e);
		break;
	case SYS_EXIT_STOP:
		th->t.cur_row = row;
		resume(t, PTRACE_SYSCALL, 0);
		break;
	case SYS_RUN_NOW:
		event_end(s, e);
		resume(t, PTRACE_CONT, 0);
		break;
	case SYS_PARK:
		s->nparked++;
		t->state = TS_PARKED;
		t->park_seq = ++s->park_seq;
		schedule(s, th);
		event_end(s, e);
		break;
	case SYS_ABORT:
		break;
	}
}

static void on_syscall_exit(struct sup *s, struct thread *th)
{
	struct tracee *t = &th->t;
	struct sys_call *c = &th->call;
	const struct sys_row *row = t->cur_row;

	t->cur_row = NULL;
	if (getregs(t))
		return;
	if (!row) {
		resume(t, PTRACE_CONT, 0);
		return;
	}
	if (t->signal_exit) {
		/* The parked call's event has ended; its native run is an event of its own. */
		t->signal_exit = false;
		event_begin(s, &th->ev);
	}
	c->ret = (int64_t)t->regs.rax;
	if (row->exit)
		row->exit(t, c);
	th->ev.has_result = 1;
	th->ev.result = c->ret;
	t->yielded |= c->ret == ERR_EAGAIN; /* a retry loop: let the others go first */
	t->state = TS_READY;
	t->resume_req = PTRACE_CONT;
	schedule(s, th);
	event_end(s, &th->ev);
}

/* Read one 8-byte word of the new image's initial stack. */
static int stack_word(struct tracee *t, uint64_t addr, uint64_t *w)
{
	return tracee_read(t, addr, w, sizeof(*w));
}

/* A vfork parent is released when its child execs or ends; take its stop now. */
static void release_vfork_parent(struct sup *s, struct thread *child)
{
	size_t i;
	int status;

	for (i = 0; i < s->nthreads; i++) {
		struct thread *p = s->threads[i];

		if (p->t.state != TS_INKERNEL || p->t.wait_fd != (int)child->t.vtid)
			continue;
		if (wait_for(s, p->t.pid, &status) == 0 && WIFSTOPPED(status)) {
			getregs(&p->t);
			p->t.state = TS_READY;
			p->t.resume_req = PTRACE_CONT;
			p->t.wait_fd = -1;
		}
	}
}

/*
 * After exec: hide the vDSO (AT_SYSINFO_EHDR becomes AT_IGNORE, so libc
 * falls back to real syscalls, which we trap) and replace the AT_RANDOM bytes
 * with seeded ones. Layout per the x86-64 psABI: argc, argv[], NULL, envp[],
 * NULL, auxv pairs up to AT_NULL.
 */
static void on_exec(struct sup *s, struct thread *th)
{
	struct tracee *t = &th->t;
	char exe[PATH_MAX], path[64];
	uint64_t sp, w, type, val;
	uint8_t rnd[16];
	struct ev e = { .tag = EV_EXEC };
	ssize_t n;
	int nulls = 0, guard;

	if (getregs(t))
		return;
	t->proc->mm = ++s->next_mm; /* a new address space */
	s->started = true;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n < 0 ? 0 : n] = 0;
	e.tid = t->vtid;
	e.bytes = (const uint8_t *)exe;
	e.len = strlen(exe);
	sup_advance(s, s->clock.syscall_cost);
	event_begin(s, &e);
	if (s->stopping)
		return;
	release_vfork_parent(s, th);
	/* exec deletes the process's POSIX timers (timer_create(2)); alarms and itimers stay */
	for (size_t k = 0; k < s->ntimers;) {
		if (s->timers[k].proc == t->proc && s->timers[k].kind == VT_POSIX)
			sup_timer_delete(s, &s->timers[k]);
		else
			k++;
	}
	sp = t->regs.rsp + 8; /* skip argc */
	for (guard = 0; nulls < 2 && guard < 1 << 20; guard++, sp += 8) {
		if (stack_word(t, sp, &w))
			goto bad;
		if (!w)
			nulls++;
	}
	for (guard = 0; guard < 512; guard++, sp += 16) {
		if (stack_word(t, sp, &type) || stack_word(t, sp + 8, &val))
			goto bad;
		if (type == AT_NULL)
			break;
		if (type == AT_SYSINFO_EHDR) {
			uint64_t ignore = AT_IGNORE;

			if (tracee_write(t, sp, &ignore, sizeof(ignore)))
				goto bad;
		} else if (type == AT_RANDOM) {
			decide_bytes(&s->dec, STREAM_AT_RANDOM, rnd, sizeof(rnd));
			if (tracee_write(t, val, rnd, sizeof(rnd)))
				goto bad;
		}
	}
	event_end(s, &e);
	if (!s->stopping)
		resume(t, PTRACE_CONT, 0);
	return;
bad:
	stop(s, SUP_ERROR, "cannot rewrite the auxiliary vector of '%s' after exec", exe);
}

/* rdtsc/rdtscp fault under PR_TSC_SIGSEGV: answer from the virtual clock (1 GHz). */
static bool emulate_tsc(struct sup *s, struct thread *th)
{
	struct tracee *t = &th->t;
	uint8_t insn[3];
	struct ev e = { .tag = EV_INSN };
	uint64_t tsc;
	unsigned len;

	if (getregs(t) || tracee_read(t, t->regs.rip, insn, sizeof(insn)))
		return false;
	if (insn[0] == 0x0f && insn[1] == 0x31) {
		e.nr = INSN_RDTSC;
		len = 2;
	} else if (insn[0] == 0x0f && insn[1] == 0x01 && insn[2] == 0xf9) {
		e.nr = INSN_RDTSCP;
		len = 3;
	} else {
		return false;
	}
	e.tid = t->vtid;
	sup_advance(s, s->clock.syscall_cost);
	event_begin(s, &e);
	if (s->stopping)
		return true;
	tsc = decide_value(&s->dec, s->clock.boot_ns + s->clock.now);
	t->regs.rax = tsc & 0xffffffffu;
	t->regs.rdx = tsc >> 32;
	if (e.nr == INSN_RDTSCP)
		t->regs.rcx = 0; /* TSC_AUX: CPU 0 */
	t->regs.rip += len;
	t->regs_dirty = true;
	event_end(s, &e);
	if (!s->stopping)
		resume(t, PTRACE_CONT, 0);
	return true;
}

static void on_signal(struct sup *s, struct thread *th, int sig)
{
	struct ev e = { .tag = EV_SIGNAL, .tid = th->t.vtid, .nr = (uint32_t)sig };

	if (sig == SIGSEGV && emulate_tsc(s, th))
		return;
	event_begin(s, &e);
	event_end(s, &e);
	if (!s->stopping)
		resume(&th->t, PTRACE_CONT, sig);
}

/* clone/fork/vfork event of th: the new thread or process is traced already. */
static void on_spawn(struct sup *s, struct thread *th, int event)
{
	unsigned long msg = 0;
	struct thread *child;
	struct proc *p;
	int status;

	ptrace(PTRACE_GETEVENTMSG, th->t.pid, 0, &msg);
	p = event == PTRACE_EVENT_CLONE && (th->call.args[0] & CLONE_THREAD)
		    ? th->t.proc
		    : new_proc(s, (pid_t)msg, th->t.proc);
	child = new_thread(s, (pid_t)msg, p);
	/* a process sharing its parent's memory (vfork, CLONE_VM) shares its private futexes too */
	if (p != th->t.proc &&
	    (event == PTRACE_EVENT_VFORK || (th->call.nr == SYS_clone && (th->call.args[0] & CLONE_VM))))
		p->mm = th->t.proc->mm;
	if (event == PTRACE_EVENT_CLONE && (th->call.args[0] & CLONE_CHILD_CLEARTID))
		child->t.clear_tid = th->call.args[3];
	/* Its first stop, so it is stopped before anything else happens. */
	if (wait_for(s, child->t.pid, &status) || !WIFSTOPPED(status)) {
		stop(s, SUP_ERROR, "the new %s did not start under the tracer",
		     p == th->t.proc ? "thread" : "process");
		return;
	}
	if (p != th->t.proc)
		p->nspid = read_nspid(p->tgid);
	if (event == PTRACE_EVENT_VFORK || (event == PTRACE_EVENT_CLONE && (th->call.args[0] & CLONE_VFORK))) {
		/* The parent sleeps in the kernel until the child execs or ends. */
		th->ev.has_result = 0;
		event_end(s, &th->ev);
		th->t.cur_row = NULL;
		th->t.state = TS_INKERNEL;
		th->t.wait_fd = (int)child->t.vtid;
		resume(&th->t, PTRACE_SYSCALL, 0);
		s->current = child;
		child->t.state = TS_RUNNING;
		s->need_dispatch = true;
		return;
	}
	/* The creator goes on to its exit stop, the scheduling point. */
	resume(&th->t, PTRACE_SYSCALL, 0);
}

/* A thread is gone. Its process ends when its last thread does. */
static void thread_died(struct sup *s, struct thread *th, int status, bool reschedule);

/*
 * A thread died holding robust mutexes: the kernel marked each futex word
 * FUTEX_OWNER_DIED and woke a waiter in its own queue, where ours are not
 * (get_robust_list(2), kernel/futex/core.c exit_robust_list). Wake one of
 * ours per such futex. The list is read through a live thread of the process.
 */
static void wake_robust(struct sup *s, struct thread *dead)
{
	struct { uint64_t next; int64_t offset; uint64_t pending; } head;
	struct tracee *reader = live_thread_of(s, dead->t.proc);
	uint64_t entry;
	int n;

	if (!reader || tracee_read(reader, dead->t.robust_list, &head, sizeof(head)))
		return;
	for (entry = head.next, n = 0; entry && entry != dead->t.robust_list && n < 2048; n++) {
		uint64_t addr = entry + (uint64_t)head.offset, next;
		uint32_t word;

		if (!tracee_read(reader, addr, &word, sizeof(word)) && (word & FUTEX_OWNER_DIED)) {
			uint64_t shared[2] = { 0, addr }, private[2] = { dead->t.proc->vpid, addr };

			if (!sup_futex_wake(s, private, ~0u, 1))
				sup_futex_wake(s, shared, ~0u, 1);
		}
		if (tracee_read(reader, entry, &next, sizeof(next)))
			break;
		entry = next;
	}
}

/*
 * A whole process dies (exit_group, a fatal signal): the kernel reports its
 * threads in any order, so take them all, in creation order with the main
 * thread last (the kernel reports a group leader only once the rest of its
 * group is reaped), and make one scheduling decision at the end.
 */
static void collect_process(struct sup *s, struct proc *p)
{
	struct thread *last = NULL;
	bool lost_current = s->current && s->current->t.proc == p;
	size_t i;
	int status = 0, pass;

	p->dying = true;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < s->nthreads; i++) {
			struct thread *o = s->threads[i];

			if (o->t.proc == p && o->t.state != TS_DEAD && (o->t.pid == p->tgid) == (pass == 1))
				last = o;
		}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < s->nthreads; i++) {
			struct thread *o = s->threads[i];

			if (o->t.proc != p || o->t.state == TS_DEAD || (o->t.pid == p->tgid) != (pass == 1))
				continue;
			while (wait_for(s, o->t.pid, &status) == 0 && WIFSTOPPED(status))
				ptrace(PTRACE_CONT, o->t.pid, 0, (void *)0);
			if (WIFSTOPPED(status))
				status = 0; /* it could not be waited for: take it as gone */
			thread_died(s, o, status, lost_current && o == last);
		}
	}
}

static void thread_died(struct sup *s, struct thread *th, int status, bool reschedule)
{
	struct proc *p = th->t.proc;
	struct ev e = { .tag = EV_EXIT, .tid = th->t.vtid, .nr = (uint32_t)status };
	const uint64_t key[2] = { 0, th->t.clear_tid };

	if (s->current == th)
		s->current = NULL;
	set_dead(s, th);
	p->live--;
	event_begin(s, &e);
	/* CLONE_CHILD_CLEARTID: the kernel cleared the tid; its futex wake is ours to do. */
	if (th->t.clear_tid) {
		uint64_t pkey[2] = { p->vpid, th->t.clear_tid };

		sup_futex_wake(s, key, ~0u, UINT32_MAX);
		sup_futex_wake(s, pkey, ~0u, UINT32_MAX);
	}
	release_vfork_parent(s, th);
	if (th->t.robust_list && p->live)
		wake_robust(s, th);
	if (!p->live && !p->ended && p->zombie_leader && p->zombie_leader != th &&
	    wait_for(s, p->zombie_leader->t.pid, &status))
		status = 0;
	if (!p->live && !p->ended) {
		p->ended = true;
		p->status = status;
		s->signals_sent = true; /* SIGCHLD to the parent */
		if (p->vpid == 1)
			s->root_status = status, s->root_ended = true;
	}
	if (reschedule)
		schedule(s, NULL);
	event_end(s, &e);
}

/* A death notification from waitpid. */
static void on_death(struct sup *s, struct thread *th, int status)
{
	struct proc *p = th->t.proc;
	bool was_current = s->current == th;

	if (th->t.exiting && !WIFSIGNALED(status) && !p->dying) {
		/* exit(2) of one thread: the others go on */
		thread_died(s, th, status, was_current);
		return;
	}
	/* exit_group or a fatal signal: the whole process, in a fixed order */
	if (s->nstash < ARRAY_SIZE(s->stash)) {
		s->stash[s->nstash].pid = th->t.pid;
		s->stash[s->nstash++].status = status;
	}
	collect_process(s, p);
}

/* ---- output capture ---- */

struct pump {
	int in[2];        /* read ends of the program's stdout and stderr pipes */
	int file[2];      /* capture files */
	int pass[2];      /* passthrough fds or -1 */
	XXH3_state_t *h[2];
	uint64_t len[2];
	int err;
};

static void write_fully(int fd, const uint8_t *p, size_t n, int *err)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (err && !*err)
				*err = errno;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	struct pollfd pfd[2];
	uint8_t chunk[65536];
	int open_n = 2, i;

	for (i = 0; i < 2; i++)
		pfd[i] = (struct pollfd){ .fd = p->in[i], .events = POLLIN };
	while (open_n) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pfd[i].fd = -1;
				open_n--;
				continue;
			}
			write_fully(p->file[i], chunk, (size_t)n, &p->err);
			if (p->pass[i] >= 0)
				write_fully(p->pass[i], chunk, (size_t)n, NULL);
			XXH3_64bits_update(p->h[i], chunk, (size_t)n);
			p->len[i] += (uint64_t)n;
		}
	}
	return NULL;
}


/* Without the pump (fork server): hash the capture files, and pass them through. */
static void capture_hashes(struct pump *p)
{
	uint8_t chunk[65536];
	int i;

	for (i = 0; i < 2; i++) {
		off_t off = 0;
		ssize_t n;

		while ((n = pread(p->file[i], chunk, sizeof(chunk), off)) > 0) {
			XXH3_64bits_update(p->h[i], chunk, (size_t)n);
			p->len[i] += (uint64_t)n;
			if (p->pass[i] >= 0)
				write_fully(p->pass[i], chunk, (size_t)n, NULL);
			off += n;
		}
	}
}

/* ---- the run ---- */

static void on_alarm(int sig)
{
	(void)sig;
	guard_fired = 1;
}

static void on_tick(int sig)
{
	(void)sig;
	tick = 1;
}

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The program's outcome is its own (pid 2's) end; the replay must have used the whole log. */
static void finish(struct sup *s)
{
	int status = s->root_status;

	if (!s->root_ended && !s->stopping)
		stop(s, SUP_ERROR, "the program's end was not observed");
	if (s->stopping)
		return; /* fozzy ended the run: no exit status of the program's own to report */
	if (WIFEXITED(status)) {
		s->res->outcome = SUP_EXITED;
		s->res->exit_code = WEXITSTATUS(status);
		s->res->exited = true;
	} else if (WIFSIGNALED(status)) {
		s->res->outcome = SUP_SIGNALED;
		s->res->signal = WTERMSIG(status);
		s->res->signaled = true;
	}
	if (s->dec.replay && !s->stopping && s->rp_pos != s->dec.in_len)
		diverge(s, NULL, NULL, "the program ended before the end of the trace");
}

/* Kill the whole tree and take every remaining notification. */
static void kill_tree(struct sup *s)
{
	size_t i;
	int status;

	for (i = 0; i < s->nthreads; i++)
		if (s->threads[i]->t.state != TS_DEAD)
			kill(s->threads[i]->t.pid, SIGKILL);
	/*
	 * Take the ends in any order: a group leader is reported only after the
	 * rest of its group, and the program's main thread may be such a zombie
	 * (TS_DEAD already, its end still to come).
	 */
	while (sup_live_threads(s) || (s->nprocs && s->procs[0]->zombie_leader && !s->root_ended)) {
		struct thread *th;
		pid_t w = waitpid(-1, &status, __WALL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!WIFEXITED(status) && !WIFSIGNALED(status))
			continue;
		for (i = 0; i < s->nthreads; i++) {
			th = s->threads[i];
			if (th->t.pid != w)
				continue;
			set_dead(s, th);
			if (th->t.proc->vpid == 1 && th->t.pid == th->t.proc->tgid && !s->root_ended) {
				s->root_status = status;
				s->root_ended = true;
			}
		}
	}
}

static const long trace_opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE |
			       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
			       PTRACE_O_TRACESYSGOOD;

/* Attach to the sandbox init, let it fork the program, and hand back the program's pid. */
static pid_t start_program(pid_t init, int sync_fd, int *status)
{
	unsigned long msg = 0;
	pid_t prog;

	if (ptrace(PTRACE_SEIZE, init, 0, (void *)trace_opts)) {
		int e = errno;

		kill(init, SIGKILL);
		waitpid(init, status, 0);
		return -e;
	}
	if (write(sync_fd, "g", 1) != 1)
		return -EPIPE;
	for (;;) {
		if (waitpid(init, status, __WALL) < 0)
			return errno == EINTR ? (interrupted ? -EINTR : 0) : -errno;
		if (WIFEXITED(*status) || WIFSIGNALED(*status))
			return 0; /* set-up failed; the error pipe says why */
		if ((*status >> 8) == (SIGTRAP | (PTRACE_EVENT_FORK << 8)))
			break;
		/* Any other stop of the init: resume it unchanged. */
		ptrace(PTRACE_CONT, init, 0, (void *)(uintptr_t)((*status >> 16) ? 0 : WSTOPSIG(*status)));
	}
	ptrace(PTRACE_GETEVENTMSG, init, 0, &msg);
	prog = (pid_t)msg;
	ptrace(PTRACE_DETACH, init, 0, 0);
	/* The auto-attached program starts in a PTRACE_EVENT_STOP. */
	while (waitpid(prog, status, __WALL) < 0)
		if (errno != EINTR)
			return -errno;
	return prog;
}

static int open_capture(const char *dir, const char *name, bool append)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | (append ? O_APPEND : 0), 0644);

	if (fd < 0)
		error("cannot create '%s': %s", path, strerror(errno));
	free(path);
	return fd;
}

static int fuzz_io_open(const struct sup_config *cfg, struct fuzz_io *io)
{
	io->cov_fd = -1;
	io->cov = NULL;
	io->input_path = NULL;
	if (cfg->input) {
		char *path = xasprintf("%s/input", cfg->run_dir), *abs;

		if (write_file_atomic(path, cfg->input->data ? cfg->input->data : (const uint8_t *)"",
				      cfg->input->len)) {
			error("cannot write the input to '%s': %s", path, strerror(errno));
			free(path);
			return -1;
		}
		abs = realpath(path, NULL);
		free(path);
		if (!abs) {
			error("cannot resolve the input's path: %s", strerror(errno));
			return -1;
		}
		io->input_path = abs;
	}
	if (cfg->coverage) {
		void *p;

		/* sealed at its size: a program that shrank it would make the supervisor fault reading it */
		io->cov_fd = memfd_create("fozzy-cov", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (io->cov_fd < 0 || ftruncate(io->cov_fd, FOZZY_COV_SIZE) ||
		    fcntl(io->cov_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) ||
		    (p = mmap(NULL, FOZZY_COV_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, io->cov_fd, 0)) ==
			    MAP_FAILED) {
			error("cannot create the coverage map: %s", strerror(errno));
			return -1;
		}
		io->cov = p;
		((struct fozzy_cov_header *)(io->cov + FOZZY_COV_MAP))->magic = FOZZY_COV_MAGIC;
	}
	return 0;
}

static void fuzz_io_close(struct fuzz_io *io, struct sup_result *res)
{
	if (io->cov) {
		res->cov = xmalloc(FOZZY_COV_MAP);
		memcpy(res->cov, io->cov, FOZZY_COV_MAP);
		res->cov_guards = ((struct fozzy_cov_header *)(io->cov + FOZZY_COV_MAP))->guards;
		munmap(io->cov, FOZZY_COV_SIZE);
		io->cov = NULL;
	}
	if (io->cov_fd >= 0)
		close(io->cov_fd);
	io->cov_fd = -1;
	free(io->input_path);
	io->input_path = NULL;
}

static int write_cpu_file(const char *dir, unsigned cpus, char **path_out)
{
	char text[32];
	int n = cpus <= 1 ? snprintf(text, sizeof(text), "0\n")
			  : snprintf(text, sizeof(text), "0-%u\n", cpus - 1);

	*path_out = xasprintf("%s/cpus", dir);
	return write_file_atomic(*path_out, text, (size_t)n);
}

/* The overlays of an isolated run, with their folders made in <run_dir>/overlay. */
struct overlays {
	struct sandbox_overlay ov[SANDBOX_MAX_OVERLAYS];
	unsigned n;
	char *paths[3 * SANDBOX_MAX_OVERLAYS];
	char *root, *hidden;
};

/* Give an upper-layer folder the host folder's look, so the merged view shows the host's times and mode. */
static void copy_dir_attrs(const char *from, const char *to)
{
	struct stat st;
	struct timespec ts[2];

	if (stat(from, &st))
		return;
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (chown(to, st.st_uid, st.st_gid)) {
		/* a non-root user cannot give away a folder: its own ids stay */
	}
	chmod(to, st.st_mode & 07777);
	utimensat(AT_FDCWD, to, ts, 0);
}

static int add_overlay(struct overlays *o, const char *name, const char *target)
{
	struct sandbox_overlay *v = &o->ov[o->n];
	char *dir = xasprintf("%s/%s", o->root, name);
	int rc = 0;

	o->paths[3 * o->n] = dir;
	o->paths[3 * o->n + 1] = xasprintf("%s/upper", dir);
	o->paths[3 * o->n + 2] = xasprintf("%s/work", dir);
	v->target = target;
	v->upper = o->paths[3 * o->n + 1];
	v->work = o->paths[3 * o->n + 2];
	if (mkdir(dir, 0700) || mkdir(v->upper, 0755) || mkdir(v->work, 0700)) {
		error("cannot create the overlay folders in '%s': %s", o->root, strerror(errno));
		rc = -1;
	} else {
		copy_dir_attrs(target, v->upper);
	}
	sandbox_overlay_prepare(v, o->n);
	o->n++;
	return rc;
}

/*
 * The artifacts root inside an overlaid folder is hidden by a whiteout in the
 * upper layer (the program sees no such entry, as on a clean checkout); the
 * folders leading to it copy the host's attributes. Returns true if hidden.
 */
static bool hide_in_overlay(struct overlays *o, const char *hide)
{
	const struct sandbox_overlay *v = NULL;
	size_t n = 0;
	char *rel, *p;
	bool ok = true;
	unsigned i;

	/* The innermost overlay holding it (the working folder may be inside /tmp). */
	for (i = 0; i < o->n; i++) {
		size_t len = strlen(o->ov[i].target);

		if (!strncmp(hide, o->ov[i].target, len) && hide[len] == '/' && hide[len + 1] && len >= n) {
			v = &o->ov[i];
			n = len;
		}
	}
	if (!v)
		return false;
	rel = xstrdup(hide + n + 1);
	for (p = strchr(rel, '/'); p && ok; p = strchr(p + 1, '/')) {
		char *up, *low;

		*p = 0;
		up = xasprintf("%s/%s", v->upper, rel);
		low = xasprintf("%s/%s", v->target, rel);
		ok = !mkdir(up, 0755) || errno == EEXIST;
		if (ok)
			copy_dir_attrs(low, up);
		free(up);
		free(low);
		*p = '/';
	}
	if (ok) {
		char *w = xasprintf("%s/%s", v->upper, rel);

		ok = !mknod(w, S_IFCHR | 0000, makedev(0, 0));
		free(w);
	}
	/* Making entries touched the folders' times: give them the host's again, innermost first. */
	while ((p = strrchr(rel, '/'))) {
		char *up, *low;

		*p = 0;
		up = xasprintf("%s/%s", v->upper, rel);
		low = xasprintf("%s/%s", v->target, rel);
		copy_dir_attrs(low, up);
		free(up);
		free(low);
	}
	copy_dir_attrs(v->target, v->upper);
	free(rel);
	if (ok)
		o->hidden = xstrdup(hide);
	return ok;
}

static int overlays_prepare(struct overlays *o, const struct sup_config *cfg)
{
	char abs[PATH_MAX];

	if (!realpath(cfg->run_dir, abs)) {
		error("cannot resolve the run folder '%s': %s", cfg->run_dir, strerror(errno));
		return -1;
	}
	if (!strcmp(cfg->cwd, "/")) {
		error("the working directory is /, which fozzy cannot overlay; run from a project folder");
		return -1;
	}
	o->root = xasprintf("%s/overlay", abs);
	/* 0700: what the program made (setuid files included) is not for other host users. */
	if (mkdir(o->root, 0700)) {
		error("cannot create '%s': %s", o->root, strerror(errno));
		return -1;
	}
	if (add_overlay(o, "tmp", "/tmp"))
		return -1;
	if (strcmp(cfg->cwd, "/tmp") && add_overlay(o, "cwd", cfg->cwd))
		return -1;
	if (cfg->hide_dir && realpath(cfg->hide_dir, abs))
		hide_in_overlay(o, abs);
	return 0;
}

/* After the run: drop the overlay work folders and list what changed. */
static void overlays_finish(struct overlays *o, const char *run_dir, struct sup_result *res)
{
	struct sandbox_changes n;
	unsigned i;

	for (i = 0; i < o->n; i++) {
		char *w = xasprintf("%s/work", o->ov[i].work), *x = xasprintf("%s/index", o->ov[i].work);

		rmdir(w);
		rmdir(x);
		rmdir(o->ov[i].work);
		free(w);
		free(x);
	}
	if (sandbox_write_changes(run_dir, o->ov, o->n, o->hidden, &n)) {
		warning("cannot write the list of changes in '%s'", run_dir);
		return;
	}
	res->isolated = true;
	res->created = n.created;
	res->modified = n.modified;
	res->deleted = n.deleted;
}

static void overlays_release(struct overlays *o)
{
	unsigned i;

	for (i = 0; i < 3 * o->n; i++)
		free(o->paths[i]);
	free(o->root);
	free(o->hidden);
}

static bool ready_others(const struct sup *s, const struct thread *self)
{
	size_t i;

	for (i = 0; i < s->nthreads; i++)
		if (s->threads[i] != self && s->threads[i]->t.state == TS_READY)
			return true;
	return false;
}

/* The interrupted thread stopped: let the others run first. */
static void on_preempt(struct sup *s, struct thread *th)
{
	struct ev e = { .tag = EV_PREEMPT, .tid = th->t.vtid };

	s->preempting = NULL;
	s->res->preemptions++;
	if (getregs(&th->t))
		return;
	event_begin(s, &e);
	th->t.state = TS_READY;
	th->t.resume_req = th->t.cur_row ? PTRACE_SYSCALL : PTRACE_CONT;
	th->t.yielded = true;
	if (!ready_others(s, th))
		jump_time(s); /* it may be spinning until a sleeper wakes: let time pass */
	schedule(s, th);
	event_end(s, &e);
}

/* Called on every tick: interrupt a baton holder that has run too long while others wait. */
static void maybe_preempt(struct sup *s)
{
	size_t i;

	if (!s->cfg->det || !s->current || s->need_dispatch || s->preempting ||
	    now_mono_ns() - s->current_since < SLICE_NS)
		return;
	for (i = 0; i < s->nthreads; i++) {
		struct tracee *t = &s->threads[i]->t;

		if (t->state == TS_READY || (t->state == TS_PARKED && t->has_deadline)) {
			if (!ptrace(PTRACE_INTERRUPT, s->current->t.pid, 0, 0))
				s->preempting = s->current;
			return;
		}
	}
}

/* One stop or end reported by waitpid, for a thread of the tree. */
static void on_stop(struct sup *s, struct thread *th, int status)
{
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_death(s, th, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	sig = WSTOPSIG(status);
	event = status >> 16;
	if (th->t.state == TS_INKERNEL) {
		/* A vfork parent released: it waits for the baton like anyone. */
		getregs(&th->t);
		th->t.state = TS_READY;
		th->t.resume_req = PTRACE_CONT;
		th->t.wait_fd = -1;
		return;
	}
	if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP)
		on_seccomp(s, th);
	else if (sig == (SIGTRAP | 0x80))
		on_syscall_exit(s, th);
	else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC)
		on_exec(s, th);
	else if (sig == SIGTRAP && (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK ||
				    event == PTRACE_EVENT_VFORK))
		on_spawn(s, th, event);
	else if (event == PTRACE_EVENT_STOP && th == s->preempting)
		on_preempt(s, th);
	else if (event == PTRACE_EVENT_STOP || (sig == SIGTRAP && event))
		resume(&th->t, th->t.cur_row ? PTRACE_SYSCALL : PTRACE_CONT, 0);
	else
		on_signal(s, th, sig);
}

static void event_loop(struct sup *s)
{
	for (;;) {
		struct thread *th;
		int status;
		pid_t w;

		if (s->stopping)
			break;
		if (s->need_dispatch) {
			dispatch(s);
			continue;
		}
		if (!sup_live_threads(s))
			return;
		w = waitpid(-1, &status, __WALL);
		if (w < 0) {
			if (errno == ECHILD)
				return;
			if (errno != EINTR) {
				stop(s, SUP_ERROR, "waitpid: %s", strerror(errno));
				break;
			}
			if (tick && !guard_fired && !interrupted) {
				tick = 0;
				maybe_preempt(s);
				continue;
			}
			if (interrupted)
				stop(s, SUP_ERROR, "interrupted");
			else if (guard_fired && s->cfg->det)
				stop(s, SUP_TIMEOUT, "real-time guard: the program ran %" PRIu64
				     " s of real time without finishing (it may spin without syscalls; see --wall-timeout)",
				     (uint64_t)(s->cfg->wall_guard_ns / 1000000000ULL));
			else if (guard_fired)
				stop(s, SUP_TIMEOUT, "the program ran past the time limit of %" PRIu64 " ms",
				     (uint64_t)((s->cfg->timeout_ns ? s->cfg->timeout_ns : s->cfg->wall_guard_ns) / 1000000));
			if (guard_fired)
				s->res->wall_guard = true;
			if (s->stopping)
				break;
			continue;
		}
		th = find_thread(s, w);
		if (!th) {
			/* The sandbox init, or a new thread before its creator's event. */
			if (WIFSTOPPED(status) && s->nstash < ARRAY_SIZE(s->stash)) {
				s->stash[s->nstash].pid = w;
				s->stash[s->nstash++].status = status;
			} else if (WIFSTOPPED(status)) {
				stop(s, SUP_ERROR, "too many stops of unknown threads to keep track of");
				break;
			}
			continue;
		}
		on_stop(s, th, status);
	}
	kill_tree(s);
}

static void arm_guard(uint64_t ns)
{
	struct itimerval it = { 0 };

	if (!ns) {
		setitimer(ITIMER_REAL, &it, NULL); /* off */
		return;
	}
	it.it_value.tv_sec = (time_t)(ns / 1000000000ULL);
	it.it_value.tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* ---- the fork server ---- */

static int fs_report_fd = -1, fs_request_fd = -1;

/*
 * Between the fork server and a child's fozzy, framed messages: a header
 * (kind, length), then the bytes. The child reports FS_FINAL when its run
 * ended, FS_ITER when its program (persistent) ran one input and asks for
 * the next; the server answers that with FS_INPUT or FS_END.
 */
enum { FS_FINAL = 1, FS_ITER, FS_INPUT, FS_END };
/* Inputs one persistent process runs before a fresh fork replaces it. */
#define FS_PERSIST_MAX 1000u

static int fs_frame_write(int fd, uint32_t kind, const void *p, size_t n)
{
	uint32_t h[2] = { kind, (uint32_t)n };

	if (n > UINT32_MAX || fd_write_all(fd, h, sizeof(h)) || (n && fd_write_all(fd, p, n)))
		return -1;
	return 0;
}

/* The next message into out (replaced); its kind, or 0 at the end of the pipe or on an error. */
static int fs_frame_read(int fd, struct buf *out)
{
	uint32_t h[2];

	out->len = 0;
	if (fd_read_all(fd, h, sizeof(h)) || !h[0] || h[0] > FS_END || h[1] > (1u << 30))
		return 0;
	buf_grow(out, h[1] ? h[1] : 1);
	if (h[1] && fd_read_all(fd, out->data, h[1]))
		return 0;
	out->len = h[1];
	return (int)h[0];
}

bool sup_fs_child(void)
{
	return fs_is_child;
}

int sup_fs_report(const void *p, size_t n)
{
	return fs_frame_write(fs_report_fd, FS_FINAL, p, n);
}

int sup_fs_iter(const void *p, size_t n)
{
	return fs_frame_write(fs_report_fd, FS_ITER, p, n);
}

int sup_fs_input(struct buf *in)
{
	return fs_frame_read(fs_request_fd, in) == FS_INPUT ? 1 : 0;
}

/* Wait for a stop of pid (not through the stash: only the template and its child run now). */
static int fs_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, __WALL) < 0)
		if (errno != EINTR)
			return -1;
	return WIFSTOPPED(*status) ? 0 : -1;
}

/*
 * Run one syscall in the template, stopped at the marker's seccomp stop,
 * and put it back there. fork_child: the syscall is a fork, whose child is
 * left stopped at its first stop (*child). Returns the syscall's result, or
 * -1 with *bad set when the template did not behave.
 */
static long fs_inject(struct thread *tpl, long nr, const long a[6], pid_t *child, bool *bad)
{
	struct user_regs_struct saved = tpl->t.regs, r = saved;
	pid_t pid = tpl->t.pid;
	int status;
	long ret;

	*bad = true;
	r.orig_rax = (uint64_t)nr;
	r.rdi = (uint64_t)a[0];
	r.rsi = (uint64_t)a[1];
	r.rdx = (uint64_t)a[2];
	r.r10 = (uint64_t)a[3];
	r.r8 = (uint64_t)a[4];
	r.r9 = (uint64_t)a[5];
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_SYSCALL, pid, 0, 0))
		return -1;
	for (;;) {
		if (fs_wait(pid, &status))
			return -1;
		if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_FORK << 8))) {
			unsigned long msg = 0;

			ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
			if (child)
				*child = (pid_t)msg;
			if (ptrace(PTRACE_SYSCALL, pid, 0, 0))
				return -1;
			continue;
		}
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			break; /* the syscall's exit */
		/* a signal (SIGCHLD of an earlier child): not for the program now */
		if (ptrace(PTRACE_SYSCALL, pid, 0, 0))
			return -1;
	}
	if (ptrace(PTRACE_GETREGS, pid, 0, &r))
		return -1;
	ret = (long)r.rax;
	/* back to the marker: its syscall instruction again, and its seccomp stop */
	r = saved;
	r.rip -= 2;
	r.rax = saved.orig_rax;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_CONT, pid, 0, 0))
		return -1;
	for (;;) {
		if (fs_wait(pid, &status))
			return -1;
		if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)))
			break;
		if (ptrace(PTRACE_CONT, pid, 0, 0)) /* a signal: suppressed */
			return -1;
	}
	if (ptrace(PTRACE_GETREGS, pid, 0, &tpl->t.regs) || tpl->t.regs.orig_rax != saved.orig_rax)
		return -1;
	*bad = false;
	return ret;
}

/* The init's answer to a pid reset. */
static int fs_reset_pids(struct sup *s)
{
	char c = 'p';

	if (fd_write_all(s->fs_ctl[0], &c, 1) || fd_read_all(s->fs_ctl[1], &c, 1) || c != 'k')
		return -1;
	return 0;
}

/* A fresh input for the next child: same file, new bytes; fresh outputs and counters. */
static int fs_prepare(struct sup *s, const struct buf *in)
{
	struct fuzz_io *io = s->io;
	int fd;

	if (io->input_path) {
		while ((fd = open(io->input_path, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0 && errno == EINTR)
			;
		if (fd < 0)
			return -1;
		if (in->len && fd_write_all(fd, in->data, in->len)) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	while (ftruncate(s->out_file, 0) && errno == EINTR)
		;
	while (ftruncate(s->err_file, 0) && errno == EINTR)
		;
	if (io->cov && s->cov_at_fork)
		memcpy(io->cov, s->cov_at_fork, FOZZY_COV_MAP);
	return 0;
}

/*
 * In the fork of fozzy that runs one child: take the child over from the
 * parent (which left it in a group-stop), make it the program's thread,
 * and let sup_run go on as if the marker had just been answered.
 */
static int fs_adopt(struct sup *s, struct thread *th, pid_t child, pid_t nspid)
{
	int status, i;

	fs_is_child = true;
	s->res->fs_child = true;
	s->res->fs_served = false;
	if (ptrace(PTRACE_SEIZE, child, 0, (void *)trace_opts))
		return -1;
	if (fs_wait(child, &status))
		return -1;
	/* end the group-stop; take the SIGCONT's delivery stop, where the child waits for us */
	kill(child, SIGCONT);
	for (i = 0; i < 8; i++) {
		if (WSTOPSIG(status) == SIGCONT && (status >> 16) == 0)
			break;
		if (ptrace(PTRACE_CONT, child, 0, 0) || fs_wait(child, &status))
			return -1;
	}
	if (i == 8)
		return -1;
	th->t.pid = child;
	th->t.proc->tgid = child;
	th->t.proc->nspid = nspid; /* the fork's result in the template: its pid in the sandbox */
	if (th->t.proc->pidfd >= 0)
		close(th->t.proc->pidfd);
	th->t.proc->pidfd = -1;
	s->nstash = 0;
	live_pid = child;
	/*
	 * The child's registers become the template's at the marker (the
	 * injected fork left its own arguments in them): it returns from the
	 * marker, answered below, exactly as an unforked program would.
	 */
	th->t.regs_dirty = true;
	guard_fired = tick = 0; /* the fork server's, not this run's */
	arm_guard(s->cfg->wall_guard_ns);
	return 0;
}

/*
 * A fingerprint of the writable layers: every entry's name, identity, size
 * and times but the access time. A child that created, changed or removed
 * anything changes it; reading changes nothing.
 */
static XXH3_state_t *print_state;

static int print_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	uint64_t v[10] = { (uint64_t)st->st_ino, st->st_mode, (uint64_t)st->st_size, st->st_nlink,
			   (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec,
			   (uint64_t)st->st_ctim.tv_sec, (uint64_t)st->st_ctim.tv_nsec, st->st_rdev,
			   (uint64_t)st->st_uid << 32 | st->st_gid };

	(void)flag;
	(void)ftw;
	XXH3_64bits_update(print_state, path, strlen(path) + 1);
	XXH3_64bits_update(print_state, v, sizeof(v));
	return 0;
}

static uint64_t overlay_print(const struct overlays *o)
{
	uint64_t h;
	unsigned i;

	print_state = XXH3_createState();
	if (!print_state)
		return 0;
	XXH3_64bits_reset(print_state);
	for (i = 0; i < o->n; i++)
		if (nftw(o->ov[i].upper, print_entry, 16, FTW_PHYS))
			XXH3_64bits_update(print_state, "?", 1); /* unreadable: never equal to a good walk */
	h = XXH3_64bits_digest(print_state);
	XXH3_freeState(print_state);
	print_state = NULL;
	return h;
}

/* The worker has ended (or is to be given up): its fozzy waited for, its program reaped in the template. */
static void fs_worker_reap(struct sup *s, struct thread *th, pid_t *worker, pid_t child, pid_t nspid, int *rep,
			   int *req, int *wstatus, bool *bad)
{
	/* the run's child only (by its pid in the sandbox): the program may have others of its own */
	long wait_args[6] = { nspid, 0, __WALL, 0, 0, 0 };

	close(*rep);
	close(*req);
	*rep = *req = -1;
	while (waitpid(*worker, wstatus, 0) < 0 && errno == EINTR)
		;
	*worker = -1;
	/* the child is the template's: reap it there */
	kill(child, SIGKILL);
	fs_inject(th, SYS_wait4, wait_args, NULL, bad);
	if (*bad)
		stop(s, SUP_ERROR, "fork server: the program stopped serving");
}

/* End a persistent worker between inputs: its program is told there is no more, then reaped. */
static void fs_worker_end(struct sup *s, struct thread *th, pid_t *worker, pid_t child, pid_t nspid, int *rep,
			  int *req, bool *bad)
{
	struct buf drain = { 0 };
	int wstatus;

	fs_frame_write(*req, FS_END, NULL, 0);
	while (fs_frame_read(*rep, &drain))
		; /* its last report is of no input */
	buf_release(&drain);
	fs_worker_reap(s, th, worker, child, nspid, rep, req, &wstatus, bad);
}

/*
 * Whether a child changed the writable layers, cheaply: inotify watches on
 * every folder of the upper layers (a change anywhere below shows on the
 * folder that holds it). The fingerprint walk is the fallback.
 */
struct layer_watch {
	int fd;                 /* inotify, or -1: compare fingerprints */
	uint64_t print0;
};

static int watch_fd = -1;

static int watch_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_D && inotify_add_watch(watch_fd, path, IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM |
						      IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
						      IN_MOVE_SELF | IN_ONLYDIR) < 0)
		return -1;
	return 0;
}

static void layers_watch(const struct overlays *o, struct layer_watch *w)
{
	unsigned i;

	w->print0 = overlay_print(o);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	watch_fd = w->fd;
	for (i = 0; w->fd >= 0 && i < o->n; i++)
		if (nftw(o->ov[i].upper, watch_entry, 16, FTW_PHYS)) {
			close(w->fd);
			w->fd = -1;
		}
	watch_fd = -1;
}

static bool layers_changed(const struct overlays *o, struct layer_watch *w)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (w->fd < 0)
		return overlay_print(o) != w->print0;
	n = read(w->fd, ev, sizeof(ev));
	if (n > 0)
		return true;
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return overlay_print(o) != w->print0; /* the queue overflowed or broke: look */
	return false;
}

/*
 * The template is stopped at the fork-server marker. Serve fs_next's inputs:
 * each a fork of the template taken over by a fork of fozzy. Returns true in
 * such a fork (the run goes on there); false here when fs_next has ended,
 * with the run stopped.
 */
static bool fs_serve(struct sup *s, struct thread *th)
{
	const struct buf *in = NULL;
	struct buf report = { 0 };
	int wstatus = 0;
	bool bad = false;
	struct layer_watch lw;
	/* a persistent worker: a child that runs input after input, and the fozzy that traces it */
	pid_t worker = -1, child = -1, nspid = -1;
	int rep = -1, req = -1;
	unsigned served = 0;      /* inputs the live worker has run */

	layers_watch(s->ovl, &lw);
	s->res->fs_served = true;
	arm_guard(0); /* the template waits; each child's run has the guard */
	guard_fired = 0;
	if (s->io->cov) {
		/* a child's counters start as a full run's would: with the start-up's */
		s->cov_at_fork = xmalloc(FOZZY_COV_MAP);
		memcpy(s->cov_at_fork, s->io->cov, FOZZY_COV_MAP);
	}
	while (!s->stopping && s->cfg->fs_next(s->cfg->fs_arg, report.data, report.len, wstatus, &in) > 0) {
		static const long fork_args[6] = { SIGCHLD, 0, 0, 0, 0, 0 };
		int p[2], q[2], status, kind;

		report.len = 0;
		wstatus = 0;
		if (worker > 0 && served >= FS_PERSIST_MAX) {
			/* a fresh process now and then: what earlier inputs left behind goes */
			fs_worker_end(s, th, &worker, child, nspid, &rep, &req, &bad);
			if (bad)
				break;
		}
		if (worker > 0) {
			/* the next input to the live worker's program, which asked for it */
			if (fs_frame_write(req, FS_INPUT, in->data, in->len)) {
				fs_worker_end(s, th, &worker, child, nspid, &rep, &req, &bad);
				if (bad)
					break;
				/* it died between inputs: run this one in a new child */
			} else {
				served++;
				kind = fs_frame_read(rep, &report);
				if (kind == FS_ITER)
					goto iter_done;
				fs_worker_reap(s, th, &worker, child, nspid, &rep, &req, &wstatus, &bad);
				if (bad)
					break;
				goto child_done;
			}
		}
		if (fs_prepare(s, in) || fs_reset_pids(s)) {
			stop(s, SUP_ERROR, "fork server: cannot prepare the next input: %s", strerror(errno));
			break;
		}
		if (s->cfg->input && s->cfg->input_stdin) {
			/* the template's stdin is the input file, opened in the sandbox: back to its start */
			static const long rewind_args[6] = { 0, 0, SEEK_SET, 0, 0, 0 };

			if (fs_inject(th, SYS_lseek, rewind_args, NULL, &bad) != 0 || bad) {
				stop(s, SUP_ERROR, "fork server: cannot rewind the program's stdin");
				break;
			}
		}
		nspid = (pid_t)fs_inject(th, SYS_clone, fork_args, &child, &bad);
		if (bad || child <= 0 || nspid <= 0 || fs_wait(child, &status)) {
			stop(s, SUP_ERROR, "fork server: the program could not be forked");
			break;
		}
		/*
		 * Leave the child for the worker to take over: a SIGSTOP queued
		 * now stops it before it runs an instruction of its own, traced by
		 * the worker by then or not (fs_adopt).
		 */
		kill(child, SIGSTOP);
		if (ptrace(PTRACE_DETACH, child, 0, 0)) {
			kill(child, SIGKILL);
			stop(s, SUP_ERROR, "fork server: cannot hand the child over: %s", strerror(errno));
			break;
		}
		if (pipe2(p, O_CLOEXEC)) {
			kill(child, SIGKILL);
			stop(s, SUP_ERROR, "fork server: cannot create a pipe: %s", strerror(errno));
			break;
		}
		if (pipe2(q, O_CLOEXEC)) {
			close(p[0]);
			close(p[1]);
			kill(child, SIGKILL);
			stop(s, SUP_ERROR, "fork server: cannot create a pipe: %s", strerror(errno));
			break;
		}
		fflush(NULL);
		worker = fork();
		if (worker == 0) {
			close(p[0]);
			close(q[1]);
			fs_report_fd = p[1];
			fs_request_fd = q[0];
			s->fs_in = in;
			/* the fork server's own buffers are not this run's */
			buf_release(&report);
			free(s->cov_at_fork);
			s->cov_at_fork = NULL;
			if (fs_adopt(s, th, child, nspid)) {
				kill(child, SIGKILL);
				_exit(125);
			}
			return true;
		}
		close(p[1]);
		close(q[0]);
		rep = p[0];
		req = q[1];
		if (worker < 0) {
			close(rep);
			close(req);
			rep = req = -1;
			kill(child, SIGKILL);
			stop(s, SUP_ERROR, "fork server: cannot fork: %s", strerror(errno));
			break;
		}
		served = 1;
		kind = fs_frame_read(rep, &report);
		if (kind == FS_ITER)
			goto iter_done;
		/* its run ended with this input (or it died: no report) */
		fs_worker_reap(s, th, &worker, child, nspid, &rep, &req, &wstatus, &bad);
		if (bad)
			break;
child_done:
		if (interrupted)
			break;
		if (layers_changed(s->ovl, &lw)) {
			/* the next child would see this one's files: its report, then a new server */
			s->res->fs_dirty = true;
			s->cfg->fs_next(s->cfg->fs_arg, report.data, report.len, wstatus, NULL);
			break;
		}
		continue;
iter_done:
		/* the worker's program asks for the next input; it has changed nothing, or it ends */
		if (interrupted)
			break;
		if (layers_changed(s->ovl, &lw)) {
			fs_worker_end(s, th, &worker, child, nspid, &rep, &req, &bad);
			s->res->fs_dirty = true;
			s->cfg->fs_next(s->cfg->fs_arg, report.data, report.len, wstatus, NULL);
			break;
		}
	}
	if (worker > 0)
		fs_worker_end(s, th, &worker, child, nspid, &rep, &req, &bad);
	if (lw.fd >= 0)
		close(lw.fd);
	buf_release(&report);
	free(s->cov_at_fork);
	s->cov_at_fork = NULL;
	if (!s->stopping)
		stop(s, SUP_ABORTED, "fork server finished");
	return false;
}

/*
 * Only one thread of the program runs at a time, so the supervisor and the
 * program share one CPU: a ptrace stop costs less when no cross-CPU wake-up
 * is involved (measured in shared/prior-art/determinism.md, 3.2). The CPU is
 * the one fozzy runs on now, so parallel runs spread over the machine.
 */
static void pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int sup_run(const struct sup_config *cfg, struct sup_result *res)
{
	struct sup s = { .cfg = cfg, .res = res };
	struct policy pol;
	struct sock_fprog prog = { 0 };
	struct sandbox_spec spec = { 0 };
	struct overlays ovl = { .n = 0 };
	struct fuzz_io io = { -1, NULL, NULL };
	struct sandbox_failure fail;
	struct pump pump = { .in = { -1, -1 }, .file = { -1, -1 } };
	struct sigaction sa = { 0 }, old_alrm, old_int, old_term, old_usr1;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec period = { { 0, (long)TICK_NS }, { 0, (long)TICK_NS } };
	timer_t ticker;
	bool ticking = false;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, failp[2] = { -1, -1 }, syncp[2] = { -1, -1 };
	int ctlp[2] = { -1, -1 }, ackp[2] = { -1, -1 };
	bool fs = cfg->fs_next != NULL;
	bool direct = fs || cfg->capture_files; /* the program writes the capture files itself */
	char *stdin_path = NULL;
	long long stdin_off = 0;
	int stdin_from = cfg->input ? (cfg->input_stdin ? SB_STDIN_INPUT : SB_STDIN_NULL)
				    : stdin_plan(&stdin_path, &stdin_off);
	char *cpu_path = NULL;
	pthread_t pump_thread;
	bool pumping = false;
	sigset_t block, oldmask;
	pid_t init = -1, child;
	int status = 0, ret = -1, i;

	memset(res, 0, sizeof(*res));
	writes_scratch = cfg->scratch;
	res->tsc_untrapped = !probe_tsc_trap();
	vclock_init(&s.clock, cfg->epoch_ns);
	sched_init_steps(&s.sched, cfg->strategy, cfg->has_sched_seed ? cfg->sched_seed : cfg->seed,
			 cfg->pct_depth, cfg->pct_steps);
	decider_init(&s.dec, cfg->seed, cfg->replay ? cfg->replay->data : NULL,
		     cfg->replay ? cfg->replay->len : 0);
	if (cfg->replay)
		s.dec.in = cfg->replay->data ? cfg->replay->data : (const uint8_t *)"";
	if (policy_parse(policy_text, &pol))
		return -1;
	res->policy_hash = pol.hash;
	s.pol = &pol;
	if (policy_compile(&pol, &prog))
		goto out;
	if (write_cpu_file(cfg->run_dir, cfg->cpus, &cpu_path))
		goto out;
	if (overlays_prepare(&ovl, cfg) || fuzz_io_open(cfg, &io))
		goto out;
	pump.file[0] = open_capture(cfg->run_dir, "stdout", direct);
	pump.file[1] = open_capture(cfg->run_dir, "stderr", direct);
	if (pump.file[0] < 0 || pump.file[1] < 0)
		goto out;
	if ((!direct && (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))) || pipe2(failp, O_CLOEXEC) ||
	    pipe2(syncp, O_CLOEXEC) || (fs && (pipe2(ctlp, O_CLOEXEC) || pipe2(ackp, O_CLOEXEC)))) {
		error("cannot create pipes: %s", strerror(errno));
		goto out;
	}
	s.io = &io;
	s.ovl = &ovl;
	s.out_file = pump.file[0];
	s.err_file = pump.file[1];
	s.fs_ctl[0] = ctlp[1];
	s.fs_ctl[1] = ackp[0];
	spec = (struct sandbox_spec){
		.exe = cfg->exe, .argv = cfg->argv, .envp = cfg->envp, .cwd = cfg->cwd,
		.stdout_fd = direct ? pump.file[0] : outp[1], .stderr_fd = direct ? pump.file[1] : errp[1],
		.err_fd = failp[1], .ctl_in = fs ? ctlp[0] : -1, .ctl_out = fs ? ackp[1] : -1,
		.ctl_close = { ctlp[1], ackp[0] },
		.sync_fd = syncp[0], .filter = &prog, .cpu_file = cpu_path,
		.isolate_fs = true, .n_overlays = ovl.n, .overlays = ovl.ov,
		.epoch_s = cfg->epoch_ns / 1000000000ULL, .host_net = cfg->host_net,
		.stdin_from = stdin_from, .stdin_path = stdin_path, .stdin_offset = stdin_off,
		.input_path = io.input_path, .cov_fd = io.cov_fd,
	};
	guard_fired = interrupted = tick = 0;
	sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid must return EINTR */
	sigaction(SIGALRM, &sa, &old_alrm);
	sa.sa_handler = on_tick;
	sigaction(SIGUSR1, &sa, &old_usr1);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pin_to_one_cpu();
	init = sandbox_clone(&spec);
	if (init < 0) {
		error("cannot create the sandbox: %s%s", strerror(-init),
		      init == -EPERM || init == -EINVAL ? " (are unprivileged user namespaces disabled?)" : "");
		init = -1;
		goto restore;
	}
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	close(failp[1]);
	close(syncp[0]);
	outp[1] = errp[1] = failp[1] = syncp[0] = -1;
	if (fs) {
		close(ctlp[0]);
		close(ackp[1]);
		ctlp[0] = ackp[1] = -1;
	}
	if (sandbox_map_ids(init)) {
		error("cannot map user ids into the sandbox");
		kill(init, SIGKILL);
		goto restore;
	}
	child = start_program(init, syncp[1], &status);
	close(syncp[1]);
	syncp[1] = -1;
	if (child <= 0) {
		if (child < 0) {
			error("cannot start the sandbox: %s", strerror(-child));
			goto restore;
		}
		if (read(failp[0], &fail, sizeof(fail)) == sizeof(fail))
			error("%s: %s", sandbox_stage_name(fail.stage), strerror(fail.err));
		else
			error("the sandbox init died during set-up");
		goto restore;
	}
	live_pid = child;
	s.current = new_thread(&s, child, new_proc(&s, child, NULL));
	s.current->t.state = TS_RUNNING;
	/* The pump thread must never take SIGALRM/SIGINT meant for waitpid. */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &oldmask);
	pump.in[0] = outp[0];
	pump.in[1] = errp[0];
	pump.pass[0] = cfg->out_fd;
	pump.pass[1] = cfg->err_fd;
	for (i = 0; i < 2; i++) {
		pump.h[i] = XXH3_createState();
		XXH3_64bits_reset(pump.h[i]);
	}
	/* fork server: the program writes the capture files itself (its children do too) */
	pumping = !direct && !pthread_create(&pump_thread, NULL, pump_main, &pump);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	if (!pumping && !direct) {
		error("cannot start the output thread");
		kill_tree(&s);
		goto restore;
	}
	arm_guard(!cfg->det && cfg->timeout_ns && cfg->timeout_ns < cfg->wall_guard_ns
			  ? cfg->timeout_ns : cfg->wall_guard_ns);
	ticking = !timer_create(CLOCK_MONOTONIC, &sev, &ticker) && !timer_settime(ticker, 0, &period, NULL);
	ptrace(PTRACE_CONT, child, 0, 0);
	event_loop(&s);
	arm_guard(0);
	{
		struct itimerval off = { 0 };

		setitimer(ITIMER_REAL, &off, NULL);
	}
	live_pid = 0;
	finish(&s);
	if (s.stopping) {
		res->outcome = s.stop_outcome;
	} else if (res->outcome == SUP_EXITED && res->exit_code == 127 && res->events <= 1 &&
		   read(failp[0], &fail, sizeof(fail)) == sizeof(fail)) {
		res->outcome = SUP_ERROR;
		snprintf(res->message, sizeof(res->message), "%s '%s': %s",
			 sandbox_stage_name(fail.stage), cfg->exe, strerror(fail.err));
	}
	if (pumping) {
		pthread_join(pump_thread, NULL);
	} else {
		if (res->fs_served) /* the children's output was theirs to show */
			pump.pass[0] = pump.pass[1] = -1;
		capture_hashes(&pump);
	}
	pumping = false;
	for (i = 0; i < 2; i++) {
		uint64_t h = XXH3_64bits_digest(pump.h[i]);

		if (i == 0) {
			res->stdout_hash = h;
			res->stdout_len = pump.len[0];
		} else {
			res->stderr_hash = h;
			res->stderr_len = pump.len[1];
		}
	}
	if (pump.err)
		warning("cannot save the program's output: %s", strerror(pump.err));
	res->vtime_ns = s.clock.now;
	res->sched_steps = s.sched.steps;
	res->interrupted = interrupted;
	ret = 0;
restore:
	if (init > 0)
		while (waitpid(init, &status, 0) < 0 && errno == EINTR)
			;
	/* a fork-server child's overlay is the template's: its changes are not its own */
	if (ovl.n && ret == 0 && !fs_is_child) {
		overlays_finish(&ovl, cfg->run_dir, res);
	} else if (ovl.n && ret == 0 && cfg->fs_rt) {
		/* explore's: the overlay was the template's at the fork, so they are (still mounted) */
		struct sandbox_changes n;

		if (!sandbox_write_changes(cfg->run_dir, ovl.ov, ovl.n, ovl.hidden, &n)) {
			res->isolated = true;
			res->created = n.created;
			res->modified = n.modified;
			res->deleted = n.deleted;
		}
	}
	if (ticking)
		timer_delete(ticker);
	sigaction(SIGALRM, &old_alrm, NULL);
	sigaction(SIGUSR1, &old_usr1, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	for (i = 0; i < 2; i++) {
		if (pump.h[i])
			XXH3_freeState(pump.h[i]);
		if (pump.file[i] >= 0) {
			if (!fs_is_child && !cfg->scratch) /* a fork-server child's are the template's */
				fsync(pump.file[i]);
			close(pump.file[i]);
		}
	}
	for (i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (failp[i] >= 0)
			close(failp[i]);
		if (syncp[i] >= 0)
			close(syncp[i]);
		if (ctlp[i] >= 0)
			close(ctlp[i]);
		if (ackp[i] >= 0)
			close(ackp[i]);
	}
	free(cpu_path);
	free(stdin_path);
	fuzz_io_close(&io, res);
	overlays_release(&ovl);
	free(prog.filter);
	policy_release(&pol);
	decider_release(&s.dec);
	sched_release(&s.sched);
	free(s.chg);
	free(s.persist_cov);
	free(s.persist_sched.prio);
	seen_release(&s.inos);
	seen_release(&s.devs);
	seen_release(&s.mnts);
	free(s.timers);
	for (i = 0; i < (int)s.nthreads; i++)
		free(s.threads[i]);
	free(s.threads);
	for (i = 0; i < (int)s.nprocs; i++) {
		if (s.procs[i]->pidfd >= 0)
			close(s.procs[i]->pidfd);
		free(s.procs[i]);
	}
	free(s.procs);
	writes_scratch = false;
	return ret;
}

void sup_result_release(struct sup_result *res)
{
	buf_release(&res->detail);
	buf_release(&res->stream);
	buf_release(&res->picks);
	free(res->cov);
	res->cov = NULL;
}
