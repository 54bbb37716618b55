/* SPDX-License-Identifier: MIT */
/*
 * The supervisor: runs one program under the seccomp-bpf + ptrace monitor,
 * answers the syscalls the policy traps, and logs every decision into an
 * event stream (see trace.h). A decision source (seeded or replay, det.h)
 * answers every question whose answer could differ between runs.
 */
#ifndef FOZZY_CORE_H
#define FOZZY_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "fozzy/det.h"
#include "fozzy/util.h"

struct sup_result;

struct sup_config {
	bool scratch;           /* run_dir is thrown away unless the caller keeps it: no fsync of its files */
	const char *exe;        /* absolute path of the program */
	char *const *argv;      /* argv, argv[0] as the user gave it */
	char *const *envp;      /* the program's environment */
	const char *cwd;        /* working directory of the program */
	uint64_t seed;
	bool det;               /* virtual clock; without it clocks read the host */
	uint64_t epoch_ns;      /* CLOCK_REALTIME at the start, under det */
	unsigned cpus;          /* CPU count the program sees */
	uint64_t timeout_ns;    /* 0: none. Virtual under det, real otherwise */
	uint64_t wall_guard_ns; /* real-time guard against spins without syscalls */
	const char *run_dir;    /* artifacts folder; sandbox files go in it */
	int out_fd, err_fd;     /* where the program's stdout/stderr are passed through (-1: not) */
	const struct buf *replay; /* recorded event stream to replay, or NULL to record */
	enum sched_strategy strategy; /* who runs next at each scheduling point */
	unsigned pct_depth;           /* pct: d */
	uint64_t pct_steps;           /* pct: k, the range change points are drawn from (0: default) */
	const struct fault_plan *faults; /* syscall faults to inject (under det), or NULL */
	const struct sup_guide *guide; /* shrink: the preemptions to make; none elsewhere */
	size_t guide_len;
	const char *hide_dir;   /* artifacts root, hidden from the program */
	unsigned pids_max;      /* live threads of the whole tree; 0: the default (1024) */
	bool host_net;          /* --net host (never with det): the host's network */
	/*
	 * fuzz: the input, shown read-only at SANDBOX_INPUT_PATH and, with
	 * input_stdin, as the program's stdin (otherwise /dev/null). NULL:
	 * stdin is fozzy's own.
	 */
	const struct buf *input;
	bool input_stdin;
	bool coverage;          /* hand the program a coverage map (cov.h); res->cov gets it */
	/*
	 * Fork server (fuzz, and the replay of its traces). When the program,
	 * still one thread, makes the fork-server marker (libfozzy-cov's
	 * constructor, before main), the supervisor keeps it stopped there as
	 * a template and calls fs_next: first with no report, then after each
	 * child with the child's report (sup_fs_report) and wait status.
	 * fs_next returns 1 with *input set to run one more child: the
	 * template forks, and a fork of fozzy takes the child as the program
	 * and returns from sup_run with its result (sup_fs_child() is true
	 * there). fs_next returns 0 to end: sup_run then returns here with
	 * res->fs_served. Children's stdout and stderr go to the capture files
	 * only. A program without the marker runs as usual.
	 */
	int (*fs_next)(void *arg, const void *report, size_t len, int status, const struct buf **input);
	void *fs_arg;
	/*
	 * Serve the fork-server marker of libfozzy-rt.so too (its constructor,
	 * right after libc's start-up), not only libfozzy-cov's: explore.
	 * A child's overlay must be the template's: when a child changed it,
	 * the server ends after that child (fs_next is called with input NULL,
	 * for the report only) and res->fs_dirty is set; start a new one.
	 */
	bool fs_rt;
	/*
	 * The scheduling stream is seeded again at the program's first
	 * fork-server marker (before main) from sched_seed, when set: explore
	 * varies the schedule of runs that share one world (seed).
	 */
	bool has_sched_seed;
	uint64_t sched_seed;
	/*
	 * The program's stdout and stderr are the capture files themselves
	 * (opened O_APPEND), not pipes: as in a fork server, whose runs must
	 * see what a whole run sees. Passed through (out_fd) after the run.
	 */
	bool capture_files;
	/*
	 * Persistent mode (fuzz, in a fork server). libfozzy-cov's driver of an
	 * LLVMFuzzerTestOneInput harness asks for its input with the marker
	 * RT_PERSIST_NEXT; with persist set, a fork-server child's program then
	 * runs input after input. After each, persist_done (in the child's
	 * fozzy, arg fs_arg) gets the harness's return value and the input's
	 * result as a run that ended there (res: borrowed, not to be released),
	 * reports it with sup_fs_iter and sets *next (sup_fs_input), or returns
	 * 0: the program is told there is no more. Before each next input the
	 * clock, the random streams, the edge counters, the outputs and the
	 * event log go back to where they were when the first was asked for.
	 */
	bool persist;
	int (*persist_done)(void *arg, int rc, struct sup_result *res, const struct buf **next);
};

enum sup_outcome {
	SUP_EXITED,   /* the program exited; exit_code */
	SUP_SIGNALED, /* the program was killed by a signal; signal */
	SUP_TIMEOUT,  /* virtual timeout or real-time guard; message says which */
	SUP_ABORTED,  /* fozzy stopped the run: unsupported behaviour; message */
	SUP_DIVERGED, /* replay: the program asked something else; message + detail */
	SUP_DEADLOCK, /* every thread blocked, no timer pending; message + detail */
	SUP_ERROR,    /* the program could not be started, or a supervisor failure */
	SUP_PIDS,     /* the tree kept forking at --pids-max (a fork bomb); message */
};

struct sup_result {
	enum sup_outcome outcome;
	int exit_code;
	int signal;
	char message[512];      /* one line */
	struct buf detail;      /* multi-line detail (divergence context); owned */
	struct buf stream;      /* the event stream of this run; owned */
	uint64_t events;        /* events (traced syscalls, execs, signals, exits) */
	uint64_t vtime_ns;      /* virtual time at the end */
	uint64_t divergence_index;
	uint64_t stdout_hash, stderr_hash; /* XXH3-64 of what the program wrote */
	uint64_t stdout_len, stderr_len;
	bool wall_guard;        /* the timeout came from the real-time guard */
	bool exited, signaled;  /* the program ended with exit_code / signal */
	uint64_t threads;       /* threads that ran (all processes) */
	uint64_t processes;     /* processes that ran */
	uint64_t switches;      /* baton passes between threads */
	uint64_t sched_steps;   /* scheduling points (pct's k for the next run of explore) */
	struct buf picks;       /* struct sup_pick per scheduling decision (n > 1); owned */
	uint64_t fault_seen[FC_N]; /* calls of each fault class (explore chooses N among them) */
	struct sup_fault {      /* faults injected */
		struct fault_rule rule;
		uint32_t tid;
		uint64_t event;
	} faults[FAULT_MAX_RULES];
	unsigned nfaults;
	uint64_t preemptions;   /* threads interrupted in user space: the run is degraded */
	uint64_t policy_hash;   /* XXH3-64 of the policy the filter was built from */
	bool tsc_untrapped;     /* this machine cannot trap rdtsc: TSC reads are the host's */
	bool isolated;          /* overlays were used; changes.json was written */
	unsigned created, modified, deleted; /* what the program changed (changes.json) */
	uint64_t pids_refused;  /* forks and clones refused at the process limit */
	struct sup_refusal {    /* syscalls the policy refused (errno other than ENOSYS) */
		uint32_t nr;
		int err;
		uint32_t first_tid; /* virtual tid of the first attempt */
		uint64_t count;
	} refusals[32];
	unsigned nrefusals;
	uint8_t *cov;           /* cfg->coverage: FOZZY_COV_MAP edge counters; owned */
	uint32_t cov_guards;    /* edges the program was built with (0: not instrumented) */
	bool interrupted;       /* SIGINT or SIGTERM stopped the run */
	bool fs_served;         /* the fork server ran children and ended (fs_next) */
	bool fs_child;          /* this result is a fork-server child's */
	bool persistent;        /* its program took its input in persistent mode (no trace replays that) */
	bool fs_dirty;          /* the fork server ended because a child changed the overlay */
};

/*
 * Run cfg->exe under the supervisor and fill res. The program's stdout and
 * stderr are written to <run_dir>/stdout and <run_dir>/stderr (and passed
 * through when out_fd/err_fd are set). Returns 0 when the run happened (see
 * res->outcome), -1 after error() when the supervisor itself failed.
 * Release res with sup_result_release().
 */
int sup_run(const struct sup_config *cfg, struct sup_result *res);

/* One scheduling decision among several runnable threads, as shrink sees it. */
struct sup_pick {
	uint32_t pick;     /* index among the runnable threads */
	uint32_t dflt;     /* the pick without a preemption: the current thread, or the next after a yield */
	uint32_t from, to; /* virtual tids: the thread that was running (0: none), the one picked */
	uint64_t step;     /* from's own count of decisions (from 0: the count of such decisions) */
	uint64_t event;    /* events before it */
	uint32_t n;        /* runnable threads */
	uint32_t ready[8]; /* the first of them, by virtual tid (dfs tries each) */
};

/*
 * A preemption for shrink to make: when thread `from` reaches its step-th
 * scheduling decision, switch to `to`. Named by the thread's own count, a
 * preemption keeps its place when others before it are dropped.
 */
struct sup_guide {
	uint32_t from, to;
	uint64_t step;
};
void sup_result_release(struct sup_result *res);

/* In a fork-server child process (the fork of fozzy that runs one child)? */
bool sup_fs_child(void);
/* From a fork-server child: hand the parent's fs_next a report. 0 or -1. */
int sup_fs_report(const void *p, size_t n);
/* Persistent mode, from a fork-server child: one input's report, then the next input (1), or 0: no more. */
int sup_fs_iter(const void *p, size_t n);
int sup_fs_input(struct buf *in);

/* Does rdtsc fault under PR_TSC_SIGSEGV on this machine? (cached) */
bool probe_tsc_trap(void);

/* Kill any running tracee; safe to call from a die hook or signal handler. */
void sup_kill_all(void);

/*
 * What handlers in src/sys see of the supervisor.
 */
struct sup;

/* A thread's place in the scheduler. */
enum tstate {
	TS_READY,    /* stopped at a scheduling point, waiting for the baton */
	TS_RUNNING,  /* holds the baton */
	TS_PARKED,   /* stopped at a seccomp stop, waiting for something (enum wait_kind) */
	TS_INKERNEL, /* a vfork parent, suspended by the kernel until its child execs or exits */
	TS_DEAD,
};

enum wait_kind {
	WAIT_NONE,
	WAIT_FUTEX, /* woken by a futex wake on (key, bitset), or its deadline */
	WAIT_CHILD, /* wait4/waitid: retried when any process of the tree ends */
	WAIT_FD,    /* read/write/accept...: retried when the fd is ready */
	WAIT_TIME,  /* a sleep: woken at its deadline */
	WAIT_POLL,  /* poll/select/epoll: retried after any event, or times out */
	WAIT_SIGNAL, /* pause, sigsuspend, sigtimedwait: until a signal in wait_sigmask is pending */
};

struct proc;

struct tracee {
	pid_t pid;                     /* host tid */
	uint32_t vtid;                 /* thread id as logged: creation order, 1 = first */
	uint64_t nsched;               /* scheduling decisions taken while it held the baton */
	struct user_regs_struct regs;  /* valid at a stop */
	bool regs_dirty;               /* write back before resuming */
	struct sup *sup;
	struct proc *proc;
	enum tstate state;
	/* what to do when it gets the baton again */
	bool retry;                    /* re-run the entry handler of the syscall it is stopped at */
	bool emulate;                  /* finish the syscall with wake_ret */
	int64_t wake_ret;
	int resume_req;                /* PTRACE_CONT or PTRACE_SYSCALL */
	/* the syscall in flight */
	struct sys_call *cur;
	const struct sys_row *cur_row;
	/* parking */
	enum wait_kind wait;
	uint64_t futex_key[2];
	uint32_t futex_bitset;
	int wait_fd;
	short wait_events;
	bool has_deadline;
	uint64_t deadline;             /* virtual ns (vclock.now) */
	int64_t timeout_ret;           /* result when the deadline passes */
	bool (*wait_ready)(struct tracee *t);  /* retried waits: would it proceed now? */
	void (*on_timeout)(struct tracee *t);  /* before timeout_ret is returned (select: clear sets) */
	uint64_t clear_tid;            /* CLONE_CHILD_CLEARTID / set_tid_address */
	uint64_t robust_list;          /* set_robust_list: walked when the thread dies */
	uint64_t wait_sigmask;         /* WAIT_SIGNAL: signals that end the wait (0: any unblocked) */
	uint64_t park_seq;             /* FIFO order of futex waiters */
	bool exiting;                  /* called exit(2): only this thread goes */
	bool yielded;                  /* sched_yield: let the others go first */
	uint64_t write_total;          /* a pipe write done in parts: bytes written so far */
	int rt_op;                     /* last libfozzy-rt marker: enum rt_op, object */
	uint64_t rt_obj;
	bool retrying;                 /* the handler runs again after a retried wait */
	bool signal_exit;              /* woken by a signal, the syscall runs natively with an exit stop */
	bool saved_has_deadline;       /* the deadline of the wait being retried */
	uint64_t saved_deadline;
};

/* Copy from/to the tracee; return 0 or -errno. Never re-read a pointer target. */
int tracee_read(struct tracee *t, uint64_t addr, void *out, size_t n);
int tracee_write(struct tracee *t, uint64_t addr, const void *in, size_t n);
/* Read a NUL-terminated string of at most max-1 bytes; 0 or -errno. */
int tracee_read_str(struct tracee *t, uint64_t addr, char *out, size_t max);

/* Accessors for handlers. */
bool sup_det(const struct sup *s);
bool sup_replaying(const struct sup *s);
unsigned sup_cpus(const struct sup *s);
struct vclock *sup_clock(struct sup *s);
struct decider *sup_decider(struct sup *s);
/* Advance the virtual clock; sets the timeout outcome if it passes the limit. */
void sup_advance(struct sup *s, uint64_t ns);
/* Stop the run: the program did something fozzy cannot make deterministic yet. */
PRINTF(2, 3) void sup_abort(struct sup *s, const char *fmt, ...);

/*
 * Files the program changed during the run, keyed by (st_dev, st_ino). Their
 * timestamps are reported from the virtual clock: each time in `set` becomes
 * the current virtual realtime; each in `clear` is again the kernel's (the
 * program set it explicitly, e.g. with utimensat).
 */
enum chg_time { CHG_A = 1, CHG_M = 2, CHG_C = 4, CHG_B = 8 };
struct chg {
	uint64_t dev, ino;
	uint64_t t[4];   /* virtual realtime ns of atime, mtime, ctime, btime */
	unsigned mask;   /* which of t[] are virtual (enum chg_time) */
};
void sup_mark_changed(struct sup *s, uint64_t dev, uint64_t ino, unsigned set, unsigned clear);
/* The record of a changed file, or NULL. */
const struct chg *sup_changed(const struct sup *s, uint64_t dev, uint64_t ino);
bool sup_any_changed(const struct sup *s);
/* The inode number, device and mount id the program sees (numbered by first sight). */
uint64_t sup_vino(struct sup *s, uint64_t dev, uint64_t ino);
uint64_t sup_vdev(struct sup *s, uint64_t dev);
uint64_t sup_vmnt(struct sup *s, uint64_t mnt);
/* --net host: the program may reach the host's network and its unix sockets. */
bool sup_host_net(const struct sup *s);

/* Threads alive in the tree (not TS_DEAD). */
unsigned sup_live_threads(const struct sup *s);
/* The tree holds --pids-max threads: true (and counted) when one more is refused. */
bool sup_task_limit_hit(struct sup *s);
/* Wake up to n threads parked on futex key with a common bitset bit; returns how many. */
unsigned sup_futex_wake(struct sup *s, const uint64_t key[2], uint32_t bitset, unsigned n);
/* Wake up to nwake waiters of `from`, move up to nmove others to `to`; returns woken + moved. */
unsigned sup_futex_requeue(struct sup *s, const uint64_t from[2], const uint64_t to[2],
			   unsigned nwake, unsigned nmove);
/*
 * wait4/waitid of thread t for pid spec `which` (as wait4: -1 any, >0 one pid
 * in the sandbox's numbering, 0 or < -1 a group, taken as any): 1 if a child
 * has ended and can be reaped, 0 if children exist but none has, -ECHILD.
 */
int sup_child_waitable(struct sup *s, struct tracee *t, int64_t which);
/* The wait-queue key of a futex word: per process when private, global otherwise. */
void sup_futex_key(const struct tracee *t, uint64_t addr, bool private, uint64_t key[2]);
/* wait4/waitid of a tracee reaped the child with this (sandbox) pid. */
void sup_mark_reaped(struct sup *s, pid_t nspid);
/* Is t the only live thread of its process? */
bool sup_thread_is_last(const struct tracee *t);
/* A duplicate of fd of t for the supervisor (pidfd_getfd), or -errno. Caller closes. */
int sup_dup_fd(struct sup *s, struct tracee *t, int fd);
/* Is fd of t ready for events (POLLIN/POLLOUT) now? 1, 0, or -errno. Never blocks. */
int sup_fd_ready(struct sup *s, struct tracee *t, int fd, short events);
/*
 * Give a parking thread a deadline ns from now (virtual), or keep the one
 * its wait already had when it is a retry; timeout_ret is its result then.
 */
void sup_set_deadline(struct tracee *t, uint64_t ns, int64_t timeout_ret);
/*
 * Virtual timers: alarm/setitimer (per process, id = which), POSIX timers
 * (id = timer id) and timerfds (id = fd). The supervisor fires them when the
 * virtual clock passes their expiry: a signal, or a timerfd made readable.
 */
enum vtimer_kind { VT_ITIMER = 1, VT_POSIX, VT_TIMERFD };

struct vtimer {
	enum vtimer_kind kind;
	struct proc *proc;
	uint64_t id;
	bool armed;
	uint64_t expiry;     /* virtual ns (vclock.now) */
	uint64_t interval;   /* 0: one-shot */
	int signo;           /* 0: no signal */
	int notify;          /* POSIX: SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	pid_t target;        /* SIGEV_THREAD_ID: host tid */
	uint64_t value;      /* sigev_value */
	int clockid;
	uint32_t overrun;
};

/* The timer (kind, id) of t's process; created disarmed if create. NULL if absent. */
struct vtimer *sup_timer(struct sup *s, struct tracee *t, enum vtimer_kind kind, uint64_t id, bool create);
void sup_timer_delete(struct sup *s, struct vtimer *v);
/* Is any virtual timer armed? */
bool sup_timers_armed(const struct sup *s);
/* A fresh POSIX timer id for t's process (0, 1, ... as the kernel hands them out). */
uint64_t sup_timer_new_id(struct sup *s, struct tracee *t);
/* The host tid of thread nstid (a tid in the sandbox) of t's process, or 0. */
pid_t sup_host_tid(struct sup *s, struct tracee *t, pid_t nstid);

/* A signal was sent: parked threads with a deliverable signal get to take it. */
void sup_signal_sent(struct sup *s);
/* Scheduling strategy in use. */
enum sched_strategy sup_strategy(const struct sup *s);

#endif
