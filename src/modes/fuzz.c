// SPDX-License-Identifier: MIT
/*
 * fozzy fuzz: a coverage-guided (or, for uninstrumented programs,
 * behaviour-guided) fuzzer whose every execution is a deterministic run
 * under the supervisor, so every finding comes with a trace that replays it.
 *
 * The campaign works in batches of FUZZ_BATCH inputs. A batch is made from
 * the corpus as it stood when the batch began and the campaign's PRNG, its
 * inputs run (in --jobs worker processes, or here), and the results are
 * taken in input order. So a seed gives the same campaign for any --jobs.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "fozzy/cov.h"
#include "fozzy/exit.h"
#include "fozzy/fuzz.h"
#include "fozzy/modes.h"
#include "fozzy/sandbox.h"
#include "fozzy/scenario.h"
#include "fozzy/trace.h"
#include "fozzy/version.h"
#include "internal.h"

extern char **environ;

#define FUZZ_BATCH 16
#define STREAM_FUZZ 5
#define STDERR_READ_MAX (1u << 20)

void fuzz_opts_init(struct fuzz_opts *o)
{
	memset(o, 0, sizeof(*o));
	run_opts_init(&o->run);
	o->run.det = true;
	o->run.timeout_ns = 10ULL * 1000000000ULL;
	o->run.wall_timeout_ns = 5ULL * 1000000000ULL;
	o->max_input = 4096;
	o->mutator = MUT_HAVOC;
	o->jobs = 1;
	o->expect_exit = -1;
	o->minimize_budget = 512;
}

/* What one execution gave. Sent whole through a pipe by workers. */
struct exec_out {
	int ok;                 /* the supervisor ran it */
	int interrupted;
	int outcome, exit_code, signal;
	uint32_t guards;        /* edges the program was built with */
	char status[16];        /* pass, fail, crash, timeout, error */
	char sig[400];          /* the finding's identity; empty: no finding */
	char kind[64];          /* crash, hang, sanitizer kind, exit */
	char title[400];        /* one line for people */
	char dir[PATH_MAX];     /* run folder kept for a finding */
	char trace[PATH_MAX];
	char message[512];
	int persistent;         /* run in persistent mode: its artifacts come from a fresh run of the input */
	uint8_t map[FOZZY_COV_MAP]; /* edge counters, or behaviour features */
};

/*
 * An exec_out as it crosses a pipe (fork-server children, --jobs workers):
 * its fields, then the map's non-zero counters as (index, value) triples.
 * The map is mostly zeros; sent whole, it was most of the bytes per input.
 */
static void out_pack(const struct exec_out *o, struct buf *b)
{
	uint32_t n = 0;
	size_t at, i;

	b->len = 0;
	buf_add(b, o, offsetof(struct exec_out, map));
	at = b->len;
	buf_add(b, &n, sizeof(n));
	for (i = 0; i < FOZZY_COV_MAP; i += 8) {
		uint64_t w;
		size_t k;

		memcpy(&w, o->map + i, sizeof(w));
		if (!w)
			continue;
		for (k = i; k < i + 8; k++)
			if (o->map[k]) {
				uint8_t e[3] = { (uint8_t)(k & 0xff), (uint8_t)(k >> 8), o->map[k] };

				buf_add(b, e, sizeof(e));
				n++;
			}
	}
	memcpy(b->data + at, &n, sizeof(n));
}

static int out_unpack(const uint8_t *p, size_t len, struct exec_out *o)
{
	const size_t head = offsetof(struct exec_out, map);
	uint32_t n, i;

	if (!p || len < head + sizeof(n))
		return -1;
	memcpy(&n, p + head, sizeof(n));
	if (len != head + sizeof(n) + (size_t)n * 3)
		return -1;
	memcpy(o, p, head);
	memset(o->map, 0, sizeof(o->map));
	for (i = 0, p += head + sizeof(n); i < n; i++, p += 3)
		o->map[p[0] | p[1] << 8] = p[2];
	return 0;
}

struct entry {
	struct buf data;
	char name[80];
};

struct finding {
	char sig[400];
	char kind[64];
	char title[400];
	char status[16];
	char dir[PATH_MAX];
	char trace[PATH_MAX];
	char crash_file[PATH_MAX];
	char min_file[PATH_MAX];
	uint64_t exec;          /* the execution that found it */
	size_t len, min_len;    /* input bytes, and after --minimize */
	uint64_t count;         /* executions that found it again */
	struct buf input;       /* the input */
	struct buf min;         /* --minimize: the smallest input with the same finding */
	bool alone_differs;     /* found in persistent mode; a fresh run of the input ends otherwise */
};

struct fuzz {
	const struct fuzz_opts *o;
	struct run_ctx x;
	struct fuzz_dict dict;
	char *corpus_dir;
	struct entry *corpus;
	size_t ncorpus, cap;
	size_t added;           /* entries added by this campaign */
	uint8_t seen[FOZZY_COV_MAP];
	size_t edges;           /* distinct edges (or features) seen */
	uint32_t guards;
	bool coverage;          /* the program reports edges */
	bool mode_known;
	struct finding *findings;
	size_t nfindings;
	uint64_t execs, t0, last_new_ns;
	struct prng rng;
	bool stop;
	bool tty;
	char **envp;            /* the program's environment (+ sanitizer defaults) */
	char **envp_sym;        /* the same, symbolizing: for each finding's artifacts */
	bool asan_user;         /* ASAN_OPTIONS came from the user: used as it is */
	char **argv;            /* @@ replaced */
	bool file_input;        /* @@ given */
	/* the batch in flight */
	struct buf batch[FUZZ_BATCH];
	struct exec_out *outs;
	size_t nbatch, bpos;
	size_t ninitial, next_initial; /* the corpus as loaded, run first */
	uint64_t mutated;
	const struct buf *cur;  /* the input a fork-server child runs */
	bool fs;                /* inputs run in a fork server */
	bool persistent_seen;   /* some input ran in persistent mode */
	bool persist_ok;        /* a harness's driver may run many inputs per process */
	/* coverage.json and --record */
	uint64_t new_total, new_max;   /* edges new to the campaign: in all, and the most one input brought */
	uint64_t crash_execs;          /* executions that gave a finding */
	struct buf last_in;            /* the last input taken */
	bool record_all;               /* keep the next run's artifacts even without a finding (--record) */
	/* --minimize of one finding, as a job for the same drivers */
	struct finding *min_fd;
	struct buf min_in, min_try;
	size_t min_chunk, min_at;
	uint64_t min_spent;
	bool keep;              /* the job's findings keep their run folders */
	bool failed;            /* the campaign met an error (reported) */
	struct exec_out *probe; /* one result, for the drivers */
	const struct fn_target *fn; /* an fn: target: fozzy's own parser, in a forked child */
	struct scenario *scn;   /* a scenario: target (loaded), run in process */
	const char *scn_path;
};

/* ---- the program's world ---- */

/* argv with every "@@" replaced by the input's path in the sandbox. */
static char **replace_at_at(char **cmd, int n, bool *found)
{
	char **v = xcalloc((size_t)n + 1, sizeof(*v));
	int i;

	*found = false;
	for (i = 0; i < n; i++) {
		const char *at = strstr(cmd[i], "@@");

		if (!at) {
			v[i] = xstrdup(cmd[i]);
			continue;
		}
		*found = true;
		v[i] = xasprintf("%.*s%s%s", (int)(at - cmd[i]), cmd[i], SANDBOX_INPUT_PATH, at + 2);
	}
	return v;
}

static void free_vec(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/*
 * The environment with sanitizer defaults a fuzzer needs, unless the user
 * set them: abort on the first report (a crash, not an exit status), no leak
 * check (LeakSanitizer stops the world with ptrace, which the sandbox refuses).
 * The campaign runs without symbolizing (llvm-symbolizer costs more than the
 * run; frames are module+offset, stable without ASLR); each finding's
 * artifacts come from one more run that symbolizes.
 */
static char **fuzz_env(bool symbolize, bool *asan_set)
{
	const char *const defaults[] = {
		symbolize ? "ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:symbolize=1:handle_abort=0"
			  : "ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:symbolize=0:handle_abort=0",
		"UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1",
		"MSAN_OPTIONS=abort_on_error=1",
	};
	size_t n = 0, i, k = 0;
	char **v;

	while (environ[n])
		n++;
	v = xcalloc(n + 4, sizeof(*v));
	for (i = 0; i < n; i++)
		v[k++] = xstrdup(environ[i]);
	for (i = 0; i < 3; i++) {
		size_t nl = (size_t)(strchr(defaults[i], '=') - defaults[i]) + 1, j;

		for (j = 0; j < n; j++)
			if (!strncmp(environ[j], defaults[i], nl))
				break;
		if (j == n)
			v[k++] = xstrdup(defaults[i]);
		else if (i == 0)
			*asan_set = true;
	}
	return v;
}

/* ---- features of uninstrumented programs: what the program did, not where it went ---- */

static void behaviour_map(const struct buf *stream, const struct sup_result *r, uint8_t *map)
{
	uint32_t prev[64] = { 0 };
	size_t pos = 0;
	struct ev e;

	memset(map, 0, FOZZY_COV_MAP);
	while (pos < stream->len && !ev_decode(stream->data, stream->len, &pos, &e)) {
		uint64_t key[4] = { e.tag, 0, 0, 0 };
		uint32_t slot = e.tid % 64, i;

		if (ev_is_decision(e.tag))
			continue;
		if (e.tag == EV_SYSCALL) {
			key[1] = prev[slot];
			key[2] = e.nr;
			key[3] = e.has_result ? (e.result < 0 ? (uint64_t)-e.result : (e.result ? 1000 : 0)) : 2000;
			prev[slot] = e.nr + 1;
		} else {
			key[1] = e.nr;
		}
		i = (uint32_t)(XXH3_64bits(key, sizeof(key)) % (FOZZY_COV_MAP - 1)) + 1;
		if (map[i] != 255)
			map[i]++;
	}
	{
		uint64_t key[3] = { 99, (uint64_t)r->outcome, (uint64_t)(r->exit_code * 256 + r->signal) };
		uint32_t i = (uint32_t)(XXH3_64bits(key, sizeof(key)) % (FOZZY_COV_MAP - 1)) + 1;

		map[i] = 1;
	}
}


static struct finding *finding_find(struct fuzz *f, const char *sig);

/* ---- fn: targets ---- */

/* A message as a behaviour: numbers and quoted text taken out, so "$.steps[3]" and "$.steps[7]" are one. */
static uint64_t message_shape(const char *m)
{
	char t[512];
	size_t k = 0;
	char quote = 0;

	for (; *m && k + 1 < sizeof(t); m++) {
		if (quote) {
			if (*m == quote)
				quote = 0;
			continue;
		}
		if (*m == '\'' || *m == '"') {
			quote = *m;
			t[k++] = '_';
		} else if (*m >= '0' && *m <= '9') {
			if (!k || t[k - 1] != '#')
				t[k++] = '#';
		} else {
			t[k++] = *m;
		}
	}
	return XXH3_64bits(t, k);
}

/* A finding's folder: the input, the parser's stderr, a trace that fozzy replay runs again, a report. */
static void fn_keep(struct fuzz *f, const struct buf *input, const struct fn_result *r, struct exec_out *out)
{
	struct run_dir rd;
	struct trace t = { 0 };
	cJSON *fz, *fd, *rep;
	char *p, *hex;

	if (run_dir_create(&rd, f->o->run.base_dir))
		return;
	p = xasprintf("%s/input", rd.path);
	write_file_atomic(p, input->data ? input->data : (const uint8_t *)"", input->len);
	free(p);
	p = xasprintf("%s/stderr", rd.path);
	write_file_atomic(p, r->err.data ? r->err.data : (const uint8_t *)"", r->err.len);
	free(p);
	t.header = cJSON_CreateObject();
	cJSON_AddStringToObject(t.header, "format", TRACE_FORMAT);
	cJSON_AddNumberToObject(t.header, "version", TRACE_VERSION);
	cJSON_AddStringToObject(t.header, "fozzy", FOZZY_VERSION);
	cJSON_AddStringToObject(t.header, "kind", "fn");
	cJSON_AddStringToObject(t.header, "mode", "fuzz");
	cJSON_AddStringToObject(t.header, "target", f->o->run.cmd[0]);
	json_add_u64_string(t.header, "seed", f->o->run.seed);
	json_add_u64_string(t.header, "wallTimeoutNs", f->o->run.wall_timeout_ns);
	fz = cJSON_AddObjectToObject(t.header, "fuzz");
	hex = xmalloc(input->len * 2 + 1);
	hex_encode(input->data, input->len, hex);
	cJSON_AddStringToObject(fz, "inputHex", hex);
	free(hex);
	t.footer = cJSON_CreateObject();
	cJSON_AddStringToObject(t.footer, "status", out->status);
	cJSON_AddStringToObject(t.footer, "runId", rd.id);
	fd = cJSON_AddObjectToObject(t.footer, "finding");
	cJSON_AddStringToObject(fd, "kind", out->kind);
	cJSON_AddStringToObject(fd, "title", out->title);
	cJSON_AddStringToObject(fd, "signature", out->sig);
	p = xasprintf("%s/trace.fozzy", rd.abs_path);
	if (!trace_write(p, &t)) {
		snprintf(out->trace, sizeof(out->trace), "%s", p);
		snprintf(out->dir, sizeof(out->dir), "%s", rd.path);
	}
	free(p);
	rep = cJSON_Duplicate(t.footer, true);
	cJSON_AddStringToObject(rep, "mode", "fuzz");
	cJSON_AddStringToObject(rep, "target", f->o->run.cmd[0]);
	p = xasprintf("%s/report.json", rd.path);
	json_write_file(p, rep);
	free(p);
	cJSON_Delete(rep);
	trace_release(&t);
	run_dir_release(&rd);
}

static void fn_fuzz_exec(struct fuzz *f, const struct buf *input, struct exec_out *out, bool keep)
{
	struct fn_result r;
	uint64_t key[2];
	uint32_t i;

	memset(out, 0, offsetof(struct exec_out, map));
	memset(out->map, 0, FOZZY_COV_MAP);
	if (fn_exec(f->fn, input->data ? input->data : (const uint8_t *)"", input->len,
		    f->o->run.wall_timeout_ns, &r)) {
		error("fuzz: cannot run %s: %s", f->o->run.cmd[0], strerror(errno));
		f->stop = f->failed = true;
		return;
	}
	out->ok = 1;
	out->exit_code = r.exit_code;
	out->signal = r.signal;
	fn_classify(&r, out->status, sizeof(out->status), out->kind, sizeof(out->kind), out->sig, sizeof(out->sig),
		    out->title, sizeof(out->title));
	snprintf(out->message, sizeof(out->message), "%s", r.why);
	/* behaviour: what the parser said, and how the child ended */
	key[0] = message_shape(r.why);
	key[1] = (uint64_t)r.signal * 1000 + (uint64_t)r.exit_code + (r.timed_out ? 500000 : 0);
	i = (uint32_t)(XXH3_64bits(key, sizeof(key)) % (FOZZY_COV_MAP - 1)) + 1;
	out->map[i] = 1;
	/* a known finding is only counted (but --minimize needs the folder of its smaller input) */
	if ((out->sig[0] || f->record_all) && keep && (f->min_fd || f->record_all || !finding_find(f, out->sig)))
		fn_keep(f, input, &r, out);
	fn_result_release(&r);
}


/* ---- scenario: targets ---- */

static void scn_fuzz_exec(struct fuzz *f, const struct buf *input, struct exec_out *out, bool keep)
{
	struct scn_fuzz_out so;
	size_t i;

	memset(out, 0, offsetof(struct exec_out, map));
	memset(out->map, 0, FOZZY_COV_MAP);
	scenario_fuzz_exec(f->scn, f->scn_path, f->o->run.seed, f->o->run.timeout_ns / 1000000, 200,
			   input->data ? input->data : (const uint8_t *)"", input->len, false, f->o->run.base_dir, &so);
	if (keep && (so.sig[0] || f->record_all) && (f->min_fd || f->record_all || !finding_find(f, so.sig))) {
		/* a new finding: run it again (it is deterministic) to write its trace; a known one is only counted */
		free(so.features);
		scenario_fuzz_exec(f->scn, f->scn_path, f->o->run.seed, f->o->run.timeout_ns / 1000000, 200,
				   input->data ? input->data : (const uint8_t *)"", input->len, true, f->o->run.base_dir, &so);
	}
	out->ok = 1;
	snprintf(out->status, sizeof(out->status), "%s", so.status);
	snprintf(out->kind, sizeof(out->kind), "%s", so.kind);
	snprintf(out->sig, sizeof(out->sig), "%s", so.sig);
	snprintf(out->title, sizeof(out->title), "%s", so.title);
	snprintf(out->dir, sizeof(out->dir), "%s", so.dir);
	snprintf(out->trace, sizeof(out->trace), "%s", so.trace);
	for (i = 0; i < so.nfeatures; i++) {
		uint32_t k = (uint32_t)(so.features[i] % (FOZZY_COV_MAP - 1)) + 1;

		if (out->map[k] != 255)
			out->map[k]++;
	}
	free(so.features);
}

/* ---- one execution ---- */

static void read_stderr(const char *dir, struct buf *b)
{
	char *path = xasprintf("%s/stderr", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	free(path);
	if (fd < 0)
		return;
	for (;;) {
		ssize_t n;

		buf_grow(b, 65536);
		n = read(fd, b->data + b->len, 65536);
		if (n <= 0)
			break;
		b->len += (size_t)n;
		if (b->len >= STDERR_READ_MAX)
			break;
	}
	close(fd);
}

/* Name the finding (sig) of a result, if it is one. */
static void classify(const struct fuzz *f, const struct sup_result *r, const struct buf *err,
		     struct exec_out *out)
{
	struct san_report san;
	const char *status = out->status;

	out->sig[0] = 0;
	if (san_parse(err->data ? (const char *)err->data : "", err->len, &san)) {
		char frames[3 * 162] = "";
		unsigned i;
		size_t used = 0;

		for (i = 0; i < san.nframes; i++)
			used += (size_t)snprintf(frames + used, sizeof(frames) - used, "%s%s", i ? " < " : "",
						 san.frames[i]);
		snprintf(out->kind, sizeof(out->kind), "%s", san.kind);
		snprintf(out->sig, sizeof(out->sig), "%s:%s:%.*s:%s", san.tool, san.kind,
			 (int)strcspn(san.access, " "), san.access, frames);
		snprintf(out->title, sizeof(out->title), "%s: %s%s%s%s%s", san.tool, san.kind,
			 san.access[0] ? " (" : "", san.access, san.access[0] ? ")" : "",
			 san.nframes ? "" : "");
		if (san.nframes) {
			size_t l = strlen(out->title);

			snprintf(out->title + l, sizeof(out->title) - l, " in %s", san.frames[0]);
		}
		return;
	}
	if (!strcmp(status, "crash")) {
		snprintf(out->kind, sizeof(out->kind), "crash");
		snprintf(out->sig, sizeof(out->sig), "signal:%s", sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?");
		snprintf(out->title, sizeof(out->title), "killed by signal %d (%s)", r->signal, strsignal(r->signal));
		return;
	}
	if (!strcmp(status, "timeout") || r->outcome == SUP_DEADLOCK) {
		snprintf(out->kind, sizeof(out->kind), "hang");
		snprintf(out->sig, sizeof(out->sig), "hang:%s",
			 r->outcome == SUP_DEADLOCK ? "deadlock" : r->wall_guard ? "wall" : "virtual");
		snprintf(out->title, sizeof(out->title), "hang: %.390s", r->message);
		return;
	}
	if (f->o->expect_exit >= 0 && r->outcome == SUP_EXITED && r->exit_code != f->o->expect_exit) {
		snprintf(out->kind, sizeof(out->kind), "exit");
		snprintf(out->sig, sizeof(out->sig), "exit:%d", r->exit_code);
		snprintf(out->title, sizeof(out->title), "exit status %d (--expect-exit %d)", r->exit_code,
			 f->o->expect_exit);
		return;
	}
	if (r->outcome == SUP_PIDS) {
		snprintf(out->kind, sizeof(out->kind), "resource");
		snprintf(out->sig, sizeof(out->sig), "pids");
		snprintf(out->title, sizeof(out->title), "%.399s", r->message);
	}
}

static void exec_result(struct fuzz *f, const struct sup_result *r, struct exec_out *out, const char *dir);
static void exec_keep(struct fuzz *f, const struct sup_result *r, struct exec_out *out);
static void fs_child_exec(struct fuzz *f, struct sup_result *r, struct exec_out *out, bool keep)
	__attribute__((noreturn));

/*
 * Run one input. keep: a finding keeps its run folder (trace, report, input,
 * output); everything else is removed.
 */
static void fuzz_exec(struct fuzz *f, const struct buf *input, struct exec_out *out, bool keep)
{
	struct run_ctx *x = &f->x;
	struct sup_result r;

	if (f->fn) {
		fn_fuzz_exec(f, input, out, keep);
		return;
	}
	if (f->scn) {
		scn_fuzz_exec(f, input, out, keep);
		return;
	}
	memset(out, 0, offsetof(struct exec_out, map));
	x->cfg.input = input;
	if (ctx_run(x, f->o->run.base_dir, &r))
		return;
	if (r.fs_child)
		fs_child_exec(f, &r, out, keep); /* does not return */
	if (r.fs_served) {
		/* the fork server ran the job (fs_next), or part of it (3: start a new one) */
		out->ok = r.fs_dirty ? 3 : 2;
		if (r.outcome == SUP_ERROR) {
			error("fuzz: %s", r.message);
			f->stop = true;
			f->failed = true;
		}
	} else {
		exec_result(f, &r, out, x->rd.path);
		if ((out->sig[0] || f->record_all) && keep)
			exec_keep(f, &r, out);
	}
	if (!out->dir[0])
		remove_tree(x->rd.path);
	run_dir_release(&x->rd);
	sup_result_release(&r);
	x->cfg.input = NULL;
}

/* The result of a run: status, features, finding. dir holds its stderr. */
static void exec_result(struct fuzz *f, const struct sup_result *r, struct exec_out *out, const char *dir)
{
	struct buf err = { 0 };

	out->ok = 1;
	out->interrupted = r->interrupted;
	out->outcome = (int)r->outcome;
	out->exit_code = r->exit_code;
	out->signal = r->signal;
	out->guards = r->cov_guards;
	snprintf(out->status, sizeof(out->status), "%s", outcome_status(r));
	snprintf(out->message, sizeof(out->message), "%s", r->message);
	if (r->cov_guards && r->cov)
		memcpy(out->map, r->cov, FOZZY_COV_MAP);
	else
		behaviour_map(&r->stream, r, out->map);
	if (r->outcome != SUP_ERROR && !r->interrupted) {
		if (r->stderr_len)
			read_stderr(dir, &err);
		classify(f, r, &err, out);
	}
	buf_release(&err);
}

/* A finding's artifacts in x->rd: trace and report (the output and input are there). */
static void exec_keep(struct fuzz *f, const struct sup_result *r, struct exec_out *out)
{
	struct run_ctx *x = &f->x;
	cJSON *summary = NULL, *extra = cJSON_CreateObject();
	char *trace;

	cJSON_AddStringToObject(extra, "finding", out->title);
	cJSON_AddStringToObject(extra, "signature", out->sig);
	trace = write_artifacts(x, r, NULL, out->status, extra, &summary);
	snprintf(out->dir, sizeof(out->dir), "%s", x->rd.path);
	snprintf(out->trace, sizeof(out->trace), "%s", trace ? trace : "");
	free(trace);
	cJSON_Delete(summary);
}

/*
 * Persistent mode, in a fork-server child's fozzy: the harness has run one
 * input (res: as a run that ended there). Its result goes to the fork
 * server; the next input comes back, or none.
 */
static int persist_done(void *arg, int rc, struct sup_result *res, const struct buf **next)
{
	static struct buf in;
	static struct exec_out *out;
	struct fuzz *f = arg;

	(void)rc;
	static struct buf packed;

	if (!out)
		out = xmalloc(sizeof(*out));
	exec_result(f, res, out, f->x.rd.path);
	out->persistent = 1;
	out_pack(out, &packed);
	if (sup_fs_iter(packed.data, packed.len) || !sup_fs_input(&in))
		return 0;
	f->cur = &in;
	*next = &in;
	return 1;
}

/*
 * In a fork-server child's fozzy: the run happened in the template's run
 * folder. A finding gets a folder of its own (output and input copied) and
 * its artifacts; then the result goes to the fork server and this process
 * ends. Nothing else touches the disk.
 */
static void fs_child_exec(struct fuzz *f, struct sup_result *r, struct exec_out *out, bool keep)
{
	struct run_ctx *x = &f->x;
	static const char *const files[] = { "stdout", "stderr" };
	struct run_dir rd;
	size_t i;

	x->cfg.input = f->cur;
	exec_result(f, r, out, x->rd.path);
	out->persistent = r->persistent;
	/* a persistent run's trace would not replay: the finding's artifacts come from a fresh run later */
	if ((out->sig[0] || f->record_all) && (keep || f->keep) && !r->persistent &&
	    !run_dir_create(&rd, f->o->run.base_dir)) {
		for (i = 0; i < 2; i++) {
			char *from = xasprintf("%s/%s", x->rd.path, files[i]);
			char *to = xasprintf("%s/%s", rd.path, files[i]);
			struct buf b = { 0 };

			if (!read_file(from, &b))
				write_file_atomic(to, b.data ? b.data : (const uint8_t *)"", b.len);
			buf_release(&b);
			free(from);
			free(to);
		}
		{
			char *to = xasprintf("%s/input", rd.path);

			write_file_atomic(to, f->cur->data ? f->cur->data : (const uint8_t *)"", f->cur->len);
			free(to);
		}
		x->rd = rd; /* the template's stays with the fork server */
		exec_keep(f, r, out);
	}
	{
		struct buf packed = { 0 };

		out_pack(out, &packed);
		_exit(sup_fs_report(packed.data, packed.len) ? 1 : 0);
	}
}

/* ---- the corpus ---- */

static void corpus_add(struct fuzz *f, const uint8_t *p, size_t n, const char *name)
{
	struct entry *e;

	if (f->ncorpus == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->corpus = xrealloc(f->corpus, f->cap * sizeof(*f->corpus));
	}
	e = &f->corpus[f->ncorpus++];
	memset(e, 0, sizeof(*e));
	buf_add(&e->data, p, n);
	snprintf(e->name, sizeof(e->name), "%s", name);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file at the top of the folder, by name. Inputs past --max-input are cut. */
static int corpus_load(struct fuzz *f)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i, cut = 0;

	if (mkdir_p(f->corpus_dir, 0755)) {
		error("fuzz: cannot create the corpus folder '%s': %s", f->corpus_dir, strerror(errno));
		return -1;
	}
	d = opendir(f->corpus_dir);
	if (!d) {
		error("fuzz: cannot read the corpus folder '%s': %s", f->corpus_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", f->corpus_dir, de->d_name);
		if (!stat(path, &st) && S_ISREG(st.st_mode)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = xrealloc(names, cap * sizeof(*names));
			}
			names[n++] = xstrdup(de->d_name);
		}
		free(path);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", f->corpus_dir, names[i]);
		struct buf b = { 0 };

		if (read_file(path, &b)) {
			warning("fuzz: skipping corpus file '%s': %s", path, strerror(errno));
		} else {
			if (b.len > f->o->max_input) {
				b.len = f->o->max_input;
				cut++;
			}
			corpus_add(f, b.data ? b.data : (const uint8_t *)"", b.len, names[i]);
		}
		buf_release(&b);
		free(path);
		free(names[i]);
	}
	free(names);
	if (cut)
		warning("fuzz: %zu corpus input(s) longer than --max-input %zu were cut", cut, f->o->max_input);
	return 0;
}

/* Save a new corpus entry as input-<xxh3>, atomically; the name goes to name. */
static void corpus_save(struct fuzz *f, const struct buf *in, char *name, size_t max)
{
	char *path;

	snprintf(name, max, "input-%016" PRIx64, XXH3_64bits(in->data ? in->data : (const uint8_t *)"", in->len));
	path = xasprintf("%s/%s", f->corpus_dir, name);
	if (access(path, F_OK) && write_file_atomic(path, in->data ? in->data : (const uint8_t *)"", in->len))
		warning("fuzz: cannot save '%s': %s", path, strerror(errno));
	free(path);
}

/* ---- findings ---- */

static struct finding *finding_find(struct fuzz *f, const char *sig)
{
	size_t i;

	for (i = 0; i < f->nfindings; i++)
		if (!strcmp(f->findings[i].sig, sig))
			return &f->findings[i];
	return NULL;
}

/* A result with a finding: a new one is kept (and minimized); a known one counted. */
static void take_finding(struct fuzz *f, const struct buf *input, const struct exec_out *o, uint64_t exec)
{
	struct finding *fd = finding_find(f, o->sig);
	struct buf in = { 0 };
	char name[64], *crash;

	if (fd) {
		fd->count++;
		if (o->dir[0])
			remove_tree(o->dir);
		return;
	}
	f->findings = xrealloc(f->findings, (f->nfindings + 1) * sizeof(*f->findings));
	fd = &f->findings[f->nfindings++];
	memset(fd, 0, sizeof(*fd));
	snprintf(fd->sig, sizeof(fd->sig), "%s", o->sig);
	snprintf(fd->kind, sizeof(fd->kind), "%s", o->kind);
	snprintf(fd->title, sizeof(fd->title), "%s", o->title);
	snprintf(fd->status, sizeof(fd->status), "%s", o->status);
	snprintf(fd->dir, sizeof(fd->dir), "%s", o->dir);
	snprintf(fd->trace, sizeof(fd->trace), "%s", o->trace);
	fd->exec = exec;
	fd->count = 1;
	fd->len = fd->min_len = input->len;
	buf_add(&in, input->data, input->len);
	buf_add(&fd->input, input->data, input->len);
	/* the input also goes to <corpus>/crashes, as AFL and libFuzzer users expect */
	{
		char *dir = xasprintf("%s/crashes", f->corpus_dir);

		snprintf(name, sizeof(name), "%s-%016" PRIx64, fd->kind[0] ? "crash" : "finding",
			 XXH3_64bits(fd->sig, strlen(fd->sig)));
		crash = xasprintf("%s/%s", dir, name);
		if (mkdir_p(dir, 0755) || write_file_atomic(crash, in.data ? in.data : (const uint8_t *)"", in.len))
			warning("fuzz: cannot save '%s': %s", crash, strerror(errno));
		else
			snprintf(fd->crash_file, sizeof(fd->crash_file), "%s", crash);
		free(crash);
		free(dir);
	}
	buf_release(&in);
	if (f->o->crash_only)
		f->stop = true;
}

/* ---- the campaign ---- */

static void status_line(const struct fuzz *f, bool done)
{
	uint64_t now = now_mono_ns();
	double secs = (double)(now - f->t0) / 1e9;

	if (!f->tty)
		return;
	fprintf(stderr, "\r  fuzz: %" PRIu64 " execs, %.0f/s, corpus %zu, %s %zu, findings %zu, last new %.0f s ago ",
		f->execs, secs > 0 ? (double)f->execs / secs : 0.0, f->ncorpus,
		f->coverage ? "edges" : "features", f->edges, f->nfindings,
		(double)(now - f->last_new_ns) / 1e9);
	if (done)
		fputc('\n', stderr);
}

/* Take one result in input order: the mode, coverage, the corpus, findings. */
static void take(struct fuzz *f, const struct buf *input, const struct exec_out *o, bool from_corpus)
{
	size_t added, buckets;

	f->execs++;
	if (!o->ok) {
		f->stop = true;
		return;
	}
	if (o->interrupted) {
		f->stop = true;
		return;
	}
	if (o->persistent)
		f->persistent_seen = true;
	if (!f->mode_known) {
		f->mode_known = true;
		f->coverage = o->guards > 0;
		f->guards = o->guards;
	}
	added = cov_merge(f->seen, o->map, FOZZY_COV_MAP, &buckets);
	f->edges += added;
	f->new_total += added;
	if (added > f->new_max)
		f->new_max = added;
	if (o->sig[0])
		f->crash_execs++;
	if (f->o->record) { /* --record with no finding runs the last input again */
		f->last_in.len = 0;
		buf_add(&f->last_in, input->data, input->len);
	}
	if (buckets) {
		f->last_new_ns = now_mono_ns();
		if (!from_corpus && !o->sig[0] && !f->o->property) {
			char name[80];

			corpus_save(f, input, name, sizeof(name));
			corpus_add(f, input->data ? input->data : (const uint8_t *)"", input->len, name);
			f->added++;
		}
	}
	if (o->sig[0])
		take_finding(f, input, o, f->execs);
}

static bool budget_left(const struct fuzz *f)
{
	if (f->stop)
		return false;
	if (f->next_initial < f->ninitial)
		return true;
	if (f->o->runs && f->mutated >= f->o->runs)
		return false;
	if (f->o->time_ns && now_mono_ns() - f->t0 >= f->o->time_ns)
		return false;
	return true;
}

/* The next batch: the loaded corpus first, in order, then mutants. False when the budget is spent. */
static bool make_batch(struct fuzz *f)
{
	size_t n = 0;

	f->nbatch = f->bpos = 0;
	if (!budget_left(f))
		return false;
	if (f->next_initial < f->ninitial) {
		while (n < FUZZ_BATCH && f->next_initial < f->ninitial) {
			const struct entry *e = &f->corpus[f->next_initial++];

			f->batch[n].len = 0;
			buf_add(&f->batch[n], e->data.data, e->data.len);
			n++;
		}
	} else {
		n = FUZZ_BATCH;
		if (f->o->runs && f->o->runs - f->mutated < n)
			n = (size_t)(f->o->runs - f->mutated);
		for (size_t k = 0; k < n; k++) {
			const struct entry *parent = &f->corpus[prng_next(&f->rng) % f->ncorpus];
			const struct entry *other = &f->corpus[prng_next(&f->rng) % f->ncorpus];

			f->batch[k].len = 0;
			buf_add(&f->batch[k], parent->data.data, parent->data.len);
			fuzz_mutate(&f->batch[k], (enum mut_family)f->o->mutator, &f->rng, &f->dict,
				    other->data.data, other->data.len, f->o->max_input);
		}
		f->mutated += n;
	}
	f->nbatch = n;
	return n > 0;
}

/* Take the first n results of the batch, in order. */
static void take_batch(struct fuzz *f, size_t n)
{
	bool initial = f->mutated == 0;
	size_t k;

	for (k = 0; k < n && !f->stop; k++)
		take(f, &f->batch[k], &f->outs[k], initial);
	/* after a stop (--crash-only, Ctrl-C) the rest leaves nothing behind */
	for (; k < n; k++)
		if (f->outs[k].ok == 1 && f->outs[k].dir[0])
			remove_tree(f->outs[k].dir);
	status_line(f, false);
}

/* Work for the drivers: inputs to run, and what to do with each result. */
struct job {
	bool (*next)(struct fuzz *f, const struct buf **in);
	void (*result)(struct fuzz *f, const struct exec_out *o);
	bool keep;             /* findings keep their run folders */
};

static bool campaign_next(struct fuzz *f, const struct buf **in)
{
	if (f->stop || f->bpos == f->nbatch) {
		if (f->bpos)
			take_batch(f, f->bpos);
		f->nbatch = f->bpos = 0;
		if (f->stop || !make_batch(f))
			return false;
	}
	*in = &f->batch[f->bpos++];
	return true;
}

static void campaign_result(struct fuzz *f, const struct exec_out *o)
{
	memcpy(&f->outs[f->bpos - 1], o, sizeof(*o));
	if (o->ok != 1 || o->interrupted) {
		f->stop = true;
	}
}

static const struct job campaign_job = { campaign_next, campaign_result, true };

/* --minimize: drop chunks of the input, halving their size, while the finding stays the same. */
static bool min_next(struct fuzz *f, const struct buf **in)
{
	size_t n;

	for (;;) {
		if (f->stop || f->min_spent >= f->o->minimize_budget || !f->min_in.len || !f->min_chunk)
			return false;
		if (f->min_at < f->min_in.len)
			break;
		if (f->min_chunk == 1)
			return false;
		f->min_chunk /= 2;
		f->min_at = 0;
	}
	n = f->min_chunk < f->min_in.len - f->min_at ? f->min_chunk : f->min_in.len - f->min_at;
	f->min_try.len = 0;
	buf_add(&f->min_try, f->min_in.data, f->min_at);
	buf_add(&f->min_try, f->min_in.data + f->min_at + n, f->min_in.len - f->min_at - n);
	f->min_spent++;
	*in = &f->min_try;
	return true;
}

static void min_result(struct fuzz *f, const struct exec_out *o)
{
	size_t n = f->min_in.len - f->min_try.len;

	f->execs++;
	if (o->interrupted || !o->ok) {
		f->stop = true;
		return;
	}
	if (o->ok == 1 && !strcmp(o->sig, f->min_fd->sig)) {
		struct buf t = f->min_in;

		f->min_in = f->min_try;
		f->min_try = t;
	} else {
		f->min_at += n;
	}
}

static const struct job min_job = { min_next, min_result, false };

/* One input, its result kept in f->outs[0]. */
static bool one_next(struct fuzz *f, const struct buf **in)
{
	if (f->bpos)
		return false;
	f->bpos = 1;
	*in = &f->batch[0];
	return true;
}

static void one_result(struct fuzz *f, const struct exec_out *o)
{
	memcpy(&f->outs[0], o, sizeof(*o));
}

static const struct job one_job = { one_next, one_result, true };

static const struct job *cur_job;

/* The fork server's fs_next: the result of the last child, then the next input. */
static int fs_next(void *arg, const void *report, size_t len, int status, const struct buf **in)
{
	struct fuzz *f = arg;

	if (f->cur) {
		static struct exec_out *got;

		if (!got)
			got = xmalloc(sizeof(*got));
		if (!out_unpack(report, len, got)) {
			cur_job->result(f, got);
		} else {
			struct exec_out *e = xcalloc(1, sizeof(*e));

			if (!f->stop) {
				error("fuzz: a fork-server worker failed (%s %d)",
				      WIFSIGNALED(status) ? "signal" : "exit status",
				      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
				f->failed = true; /* the campaign ends short: an error, not a pass */
			}
			cur_job->result(f, e);
			free(e);
		}
		f->cur = NULL;
	}
	if (!in) /* the server ends after that child: it changed the overlay */
		return 0;
	if (!cur_job->next(f, in))
		return 0;
	f->cur = *in;
	return 1;
}

/*
 * Run a job: in a fork server when the program has one (one run of the
 * template serves every input), else one full run per input, or --jobs
 * workers per batch (the campaign only).
 */
/* ---- --jobs N: worker processes, each with its own fork server ---- */

static int worker_req = -1, worker_res = -1;
static struct buf worker_in;

/* In a worker: the next input from the campaign, or false at its end. */
static bool worker_next(struct fuzz *f, const struct buf **in)
{
	uint32_t len;

	(void)f;
	if (fd_read_all(worker_req, &len, sizeof(len)))
		return false;
	worker_in.len = 0;
	buf_grow(&worker_in, len ? len : 1);
	if (len && fd_read_all(worker_req, worker_in.data, len))
		return false;
	worker_in.len = len;
	*in = &worker_in;
	return true;
}

static void worker_result(struct fuzz *f, const struct exec_out *o)
{
	static struct buf packed;
	uint32_t len;

	out_pack(o, &packed);
	len = (uint32_t)packed.len;
	if (fd_write_all(worker_res, &len, sizeof(len)) || fd_write_all(worker_res, packed.data, packed.len))
		f->stop = true;
}

/* A worker's result for input k: 0, or -1 (the worker is gone, or it sent nonsense). */
static int worker_read(int fd, struct exec_out *o)
{
	static struct buf b;
	uint32_t len;

	if (fd_read_all(fd, &len, sizeof(len)) || len > offsetof(struct exec_out, map) + 4 + 3 * FOZZY_COV_MAP)
		return -1;
	b.len = 0;
	buf_grow(&b, len ? len : 1);
	if (fd_read_all(fd, b.data, len))
		return -1;
	return out_unpack(b.data, len, o);
}

static const struct job worker_job = { worker_next, worker_result, true };

struct workers {
	unsigned n;
	pid_t pid[16];
	int req[16], res[16];
};

static void drive(struct fuzz *f, const struct job *j);

static void workers_stop(struct workers *w)
{
	unsigned i;

	for (i = 0; i < w->n; i++) {
		close(w->req[i]);
		close(w->res[i]);
	}
	for (i = 0; i < w->n; i++)
		while (waitpid(w->pid[i], NULL, 0) < 0 && errno == EINTR)
			;
	w->n = 0;
}

/* Start n workers; each runs worker_job through drive (its own fork server when it can). */
static int workers_start(struct fuzz *f, struct workers *w, unsigned n)
{
	unsigned i, k;

	w->n = 0;
	for (i = 0; i < n; i++) {
		int req[2], res[2];
		pid_t pid;

		if (pipe2(req, O_CLOEXEC)) {
			workers_stop(w);
			return -1;
		}
		if (pipe2(res, O_CLOEXEC)) {
			close(req[0]);
			close(req[1]);
			workers_stop(w);
			return -1;
		}
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			for (k = 0; k < w->n; k++) {
				close(w->req[k]);
				close(w->res[k]);
			}
			close(req[1]);
			close(res[0]);
			worker_req = req[0];
			worker_res = res[1];
			f->tty = false;
			/* a CPU of its own: the supervisor pins itself and its program to the CPU it starts on */
			{
				cpu_set_t all, one;
				int c, seen = 0;

				if (!sched_getaffinity(0, sizeof(all), &all) && CPU_COUNT(&all) > 1)
					for (c = 0; c < CPU_SETSIZE; c++)
						if (CPU_ISSET(c, &all) && seen++ == (int)(i % (unsigned)CPU_COUNT(&all))) {
							CPU_ZERO(&one);
							CPU_SET(c, &one);
							sched_setaffinity(0, sizeof(one), &one);
							break;
						}
			}
			drive(f, &worker_job);
			_exit(0);
		}
		close(req[0]);
		close(res[1]);
		if (pid < 0) {
			close(req[1]);
			close(res[0]);
			workers_stop(w);
			return -1;
		}
		w->pid[w->n] = pid;
		w->req[w->n] = req[1];
		w->res[w->n++] = res[0];
	}
	return 0;
}

static int send_input(int fd, const struct buf *in)
{
	uint32_t len = (uint32_t)in->len;

	return fd_write_all(fd, &len, sizeof(len)) || (len && fd_write_all(fd, in->data, len)) ? -1 : 0;
}

/*
 * A batch on the workers: input k goes to worker k % n, each worker has one
 * input at a time, and results are read in input order.
 */
static void workers_batch(struct fuzz *f, struct workers *w)
{
	size_t sent = 0, k;

	for (k = 0; k < f->nbatch; k++)
		f->outs[k].ok = 0;
	while (sent < f->nbatch && sent < w->n && !send_input(w->req[sent % w->n], &f->batch[sent]))
		sent++;
	for (k = 0; k < f->nbatch && k < sent; k++) {
		if (worker_read(w->res[k % w->n], &f->outs[k])) {
			f->outs[k].ok = 0;
			break;
		}
		if (sent < f->nbatch && !send_input(w->req[sent % w->n], &f->batch[sent]))
			sent++;
	}
}

static void drive(struct fuzz *f, const struct job *j)
{
	const struct buf *in;

	if (j == &campaign_job && f->o->jobs > 1) {
		struct workers w;

		if (!workers_start(f, &w, f->o->jobs)) {
			while (make_batch(f)) {
				workers_batch(f, &w);
				take_batch(f, f->nbatch);
			}
			workers_stop(&w);
			return;
		}
		warning("fuzz: cannot start the workers: %s; running one input at a time", strerror(errno));
	}

	cur_job = j;
	f->keep = j->keep;
	/* one input whose artifacts are wanted (a confirmation) runs alone in its process */
	f->x.cfg.persist = f->persist_ok && j != &one_job;
	if (f->fs) {
		struct buf empty = { 0 };

		f->x.cfg.fs_next = fs_next;
		f->x.cfg.fs_arg = f;
		do {
			/* a child that changed the overlay ends its server: the next input gets a new one */
			f->cur = NULL;
			fuzz_exec(f, &empty, f->probe, j->keep);
		} while (f->probe->ok == 3 && !f->stop);
		f->x.cfg.fs_next = NULL;
		if (f->probe->ok >= 2)
			return;
		/* no fork-server marker (not built with fozzy cc): one run per input from now on */
		f->fs = false;
		if (!f->probe->ok)
			return;
	}
	while (j->next(f, &in)) {
		fuzz_exec(f, in, f->probe, j->keep);
		j->result(f, f->probe);
	}
}

/*
 * Each finding once more, as a full run that symbolizes: its artifacts (and
 * title) then name functions and lines. Its identity stays the campaign's.
 */
static void symbolized_findings(struct fuzz *f)
{
	struct run_ctx *x = &f->x;
	char *const *saved = x->cfg.envp;
	char **env = x->runtime ? env_with_runtime(f->envp_sym, x->runtime) : f->envp_sym;
	size_t i;

	x->cfg.envp = env;
	x->user_env = f->envp_sym;
	for (i = 0; i < f->nfindings; i++) {
		struct finding *fd = &f->findings[i];
		const struct buf *in = fd->min_len < fd->len ? &fd->min : &fd->input;

		fuzz_exec(f, in, f->probe, true);
		if (f->probe->ok == 1 && f->probe->dir[0] && !strcmp(f->probe->kind, fd->kind)) {
			remove_tree(fd->dir);
			snprintf(fd->dir, sizeof(fd->dir), "%s", f->probe->dir);
			snprintf(fd->trace, sizeof(fd->trace), "%s", f->probe->trace);
			snprintf(fd->title, sizeof(fd->title), "%s", f->probe->title);
		} else if (f->probe->ok == 1 && f->probe->dir[0]) {
			remove_tree(f->probe->dir);
		}
	}
	x->cfg.envp = saved;
	x->user_env = f->envp;
	if (env != f->envp_sym)
		free_runtime_env(env);
}

/*
 * Findings made in persistent mode have no artifacts yet (a trace of such a
 * process would not replay): each input runs once more, alone in a fresh
 * fork. The same finding then gives the run folder and trace; another end
 * is said in the report (the finding needed what earlier inputs left).
 */
static void confirm_findings(struct fuzz *f)
{
	size_t i;

	for (i = 0; i < f->nfindings && !(f->probe->interrupted); i++) {
		struct finding *fd = &f->findings[i];

		if (fd->dir[0])
			continue;
		f->batch[0].len = 0;
		buf_add(&f->batch[0], fd->input.data, fd->input.len);
		f->bpos = 0;
		memset(&f->outs[0], 0, offsetof(struct exec_out, map));
		drive(f, &one_job);
		if (f->outs[0].ok == 1 && !strcmp(f->outs[0].sig, fd->sig) && f->outs[0].dir[0]) {
			snprintf(fd->dir, sizeof(fd->dir), "%s", f->outs[0].dir);
			snprintf(fd->trace, sizeof(fd->trace), "%s", f->outs[0].trace);
		} else {
			fd->alone_differs = true;
			if (f->outs[0].ok == 1 && f->outs[0].dir[0])
				remove_tree(f->outs[0].dir);
		}
	}
}

/* --minimize each finding; its artifacts become those of the smallest input. */
static void minimize_findings(struct fuzz *f)
{
	size_t i;

	for (i = 0; i < f->nfindings && !f->stop; i++) {
		struct finding *fd = &f->findings[i];

		if (fd->input.len < 2)
			continue;
		f->min_fd = fd;
		f->min_in.len = 0;
		buf_add(&f->min_in, fd->input.data, fd->input.len);
		f->min_chunk = fd->input.len / 2;
		f->min_at = 0;
		f->min_spent = 0;
		drive(f, &min_job);
		if (f->min_in.len >= fd->input.len)
			continue;
		f->batch[0].len = 0;
		buf_add(&f->batch[0], f->min_in.data, f->min_in.len);
		f->bpos = 0;
		memset(&f->outs[0], 0, offsetof(struct exec_out, map));
		drive(f, &one_job);
		if (f->outs[0].ok == 1 && !strcmp(f->outs[0].sig, fd->sig) && f->outs[0].dir[0]) {
			char *min = xasprintf("%s.min", fd->crash_file);

			fd->alone_differs = false; /* the smaller input does it alone */
			if (fd->dir[0])
				remove_tree(fd->dir);
			snprintf(fd->dir, sizeof(fd->dir), "%s", f->outs[0].dir);
			snprintf(fd->trace, sizeof(fd->trace), "%s", f->outs[0].trace);
			fd->min_len = f->min_in.len;
			fd->min.len = 0;
			buf_add(&fd->min, f->min_in.data, f->min_in.len);
			if (fd->crash_file[0] &&
			    !write_file_atomic(min, f->min_in.data, f->min_in.len))
				snprintf(fd->min_file, sizeof(fd->min_file), "%s", min);
			free(min);
		} else if (f->outs[0].ok == 1 && f->outs[0].dir[0]) {
			remove_tree(f->outs[0].dir);
		}
	}
}

static cJSON *summary(const struct fuzz *f, const char *status, const char *target)
{
	cJSON *s = cJSON_CreateObject(), *c = cJSON_CreateObject(), *a;
	uint64_t ms = (now_mono_ns() - f->t0) / 1000000;
	size_t i;

	cJSON_AddStringToObject(s, "mode", "fuzz");
	cJSON_AddStringToObject(s, "status", status);
	json_add_u64_string(s, "seed", f->o->run.seed);
	cJSON_AddStringToObject(s, "target", target);
	cJSON_AddStringToObject(s, "input", f->file_input ? "file" : "stdin");
	cJSON_AddStringToObject(s, "feedback", f->coverage ? "edges" : "behaviour");
	cJSON_AddStringToObject(s, "mutator", mut_name((enum mut_family)f->o->mutator));
	if (f->o->shards) {
		char sh[32];

		snprintf(sh, sizeof(sh), "%u/%u", f->o->shard, f->o->shards);
		cJSON_AddStringToObject(s, "shard", sh);
	}
	cJSON_AddStringToObject(s, "execution", f->persistent_seen ? "persistent" : f->fs ? "fork server" : "full runs");
	cJSON_AddItemToObject(s, "execs", json_u64(f->execs));
	cJSON_AddNumberToObject(s, "execsPerSec", ms ? (double)f->execs * 1000.0 / (double)ms : 0.0);
	cJSON_AddItemToObject(s, "timeMs", json_u64(ms));
	cJSON_AddStringToObject(c, "dir", f->corpus_dir);
	cJSON_AddNumberToObject(c, "entries", (double)f->ncorpus);
	cJSON_AddNumberToObject(c, "added", (double)f->added);
	cJSON_AddItemToObject(s, "corpus", c);
	cJSON_AddNumberToObject(s, f->coverage ? "edges" : "features", (double)f->edges);
	if (f->coverage)
		cJSON_AddNumberToObject(s, "edgesInProgram", f->guards);
	a = cJSON_AddArrayToObject(s, "findings");
	for (i = 0; i < f->nfindings; i++) {
		const struct finding *fd = &f->findings[i];
		cJSON *o = cJSON_CreateObject();
		char *rp = xasprintf("fozzy replay %s", fd->trace);

		cJSON_AddStringToObject(o, "kind", fd->kind);
		cJSON_AddStringToObject(o, "title", fd->title);
		cJSON_AddStringToObject(o, "signature", fd->sig);
		cJSON_AddStringToObject(o, "status", fd->status);
		cJSON_AddItemToObject(o, "exec", json_u64(fd->exec));
		cJSON_AddItemToObject(o, "count", json_u64(fd->count));
		cJSON_AddNumberToObject(o, "inputBytes", (double)fd->len);
		if (f->o->minimize)
			cJSON_AddNumberToObject(o, "minimizedBytes", (double)fd->min_len);
		cJSON_AddStringToObject(o, "input", fd->crash_file);
		cJSON_AddStringToObject(o, "trace", fd->trace);
		cJSON_AddStringToObject(o, "artifactsDir", fd->dir);
		cJSON_AddStringToObject(o, "replay", fd->trace[0] ? rp : "");
		if (fd->alone_differs)
			cJSON_AddBoolToObject(o, "reproducedAlone", false);
		free(rp);
		cJSON_AddItemToArray(a, o); /* a takes o */
	}
	return s;
}

static void print_summary(const struct fuzz *f, const char *status)
{
	uint64_t ms = (now_mono_ns() - f->t0) / 1000000;
	size_t i;

	fprintf(stderr, "fozzy fuzz %s\n", !strcmp(status, "pass") ? "PASS" : !strcmp(status, "error") ? "ERROR" : "FAIL");
	fprintf(stderr, "  %" PRIu64 " execs in %.1f s (%.0f/s), seed %" PRIu64 "\n", f->execs,
		(double)ms / 1000.0, ms ? (double)f->execs * 1000.0 / (double)ms : 0.0, f->o->run.seed);
	if (f->coverage)
		fprintf(stderr, "  feedback: edge coverage, %zu of %u edges\n", f->edges, f->guards);
	else if (f->scn)
		fprintf(stderr, "  feedback: behaviour (steps' outcomes and events, states reached, findings), %zu features\n",
			f->edges);
	else if (f->fn)
		fprintf(stderr, "  feedback: behaviour (what the parser said: accepted, or the shape of its error), %zu features\n",
			f->edges);
	else
		fprintf(stderr, "  feedback: behaviour (the program is not instrumented: build it with 'fozzy cc' for edge coverage), %zu features\n",
			f->edges);
	fprintf(stderr, "  corpus %s: %zu entries, %zu new\n", f->corpus_dir, f->ncorpus, f->added);
	for (i = 0; i < f->nfindings; i++) {
		const struct finding *fd = &f->findings[i];

		fprintf(stderr, "  finding %zu: %s\n", i + 1, fd->title);
		fprintf(stderr, "    input %s (%zu bytes", fd->crash_file, f->o->minimize ? fd->min_len : fd->len);
		if (f->o->minimize && fd->min_len != fd->len)
			fprintf(stderr, ", minimized from %zu", fd->len);
		fprintf(stderr, "), seen %" PRIu64 " time(s)\n", fd->count);
		if (fd->alone_differs)
			fprintf(stderr, "    found in persistent mode; a fresh run of this input ends otherwise (it needed what "
				"earlier inputs left in the process): no trace\n");
		else if (fd->trace[0])
			fprintf(stderr, "    replay: fozzy replay %s\n", fd->trace);
	}
	if (!f->nfindings)
		fprintf(stderr, "  no findings\n");
}

/* Everything a campaign needs before its first run. 0, or -1 after error(). cwd: the caller's buffer. */
/*
 * What every kind of target needs once it is known: the dictionary, the
 * corpus (folder dir, owned), the campaign's PRNG and the result buffers.
 * 0, or -1 after error().
 */
static int fuzz_common(struct fuzz *f, char *dir, const char *verb)
{
	const struct fuzz_opts *o = f->o;
	char why[256];

	f->corpus_dir = dir;
	if (o->dict && dict_load(o->dict, &f->dict, why, sizeof(why))) {
		error("%s: cannot use the dictionary '%s': %s", verb, o->dict, why);
		return -1;
	}
	if (corpus_load(f))
		return -1;
	f->ninitial = f->ncorpus;
	prng_init(&f->rng, o->run.seed, STREAM_FUZZ + o->shard * 16);
	f->outs = xmalloc(FUZZ_BATCH * sizeof(*f->outs));
	f->probe = xcalloc(1, sizeof(*f->probe));
	f->t0 = f->last_new_ns = now_mono_ns();
	return 0;
}

static int fuzz_setup(struct fuzz *f, const struct fuzz_opts *o, char *cwd, size_t cwdlen, const char *verb)
{
	struct run_ctx *x = &f->x;

	f->o = o;
	f->tty = isatty(STDERR_FILENO) && !o->run.json;
	x->mode = "fuzz";
	x->json = o->run.json;
	x->strict = o->run.strict;
	if (!strncmp(o->run.cmd[0], "fn:", 3)) {
		char names[256];

		fn_names(names, sizeof(names));
		f->fn = fn_find(o->run.cmd[0] + 3);
		if (!f->fn) {
			error("%s: unknown target '%s': the fn: targets are %s", verb, o->run.cmd[0], names);
			return -1;
		}
		if (o->run.ncmd > 1) {
			error("%s: %s takes no arguments (the input is the function's)", verb, o->run.cmd[0]);
			return -1;
		}
		x->exe = xstrdup(o->run.cmd[0]);
		return fuzz_common(f, o->corpus ? xstrdup(o->corpus)
						: xasprintf("%s/corpora/%s", o->run.base_dir, o->run.cmd[0] + 3), verb);
	}
	if (!strncmp(o->run.cmd[0], "scenario:", 9) || strstr(o->run.cmd[0], ".fozzy.json")) {
		const char *path = !strncmp(o->run.cmd[0], "scenario:", 9) ? o->run.cmd[0] + 9 : o->run.cmd[0];
		char inner[900];

		if (o->run.ncmd > 1) {
			error("%s: a scenario target takes no arguments (the input drives the scenario)", verb);
			return -1;
		}
		f->scn = xcalloc(1, sizeof(*f->scn));
		if (scenario_load(path, !o->run.strict, f->scn, inner, sizeof(inner))) {
			error("%s: scenario error: %s: %s", verb, path, inner);
			free(f->scn);
			f->scn = NULL;
			return -1;
		}
		if (f->scn->variant == SCN_SUITES) {
			error("%s: scenario error: %s uses \"suites\", which has no executable step DSL", verb, path);
			scenario_release(f->scn);
			free(f->scn);
			f->scn = NULL;
			return -1;
		}
		f->scn_path = path;
		x->exe = xstrdup(o->run.cmd[0]);
		return fuzz_common(f, o->corpus ? xstrdup(o->corpus)
						: xasprintf("%s/corpora/scenario-%016" PRIx64, o->run.base_dir,
							    (uint64_t)XXH3_64bits(path, strlen(path))), verb);
	}
	x->exe = program_or_error(o->run.cmd[0]);
	if (!x->exe)
		return -1;
	if (hash_file(x->exe, x->exe_hash)) {
		error("%s: cannot read '%s': %s", verb, x->exe, strerror(errno));
		return -1;
	}
	if (!getcwd(cwd, cwdlen)) {
		error("%s: cannot get the working directory: %s", verb, strerror(errno));
		return -1;
	}
	if (fuzz_common(f, o->corpus ? xstrdup(o->corpus) : xasprintf("%s/corpora/default", o->run.base_dir), verb))
		return -1;
	f->argv = replace_at_at(o->run.cmd, o->run.ncmd, &f->file_input);
	f->envp = fuzz_env(false, &f->asan_user);
	f->envp_sym = fuzz_env(true, &f->asan_user);
	x->user_env = f->envp;
	if (o->run.no_rt)
		x->runtime_note = "syscalls only (--no-rt)";
	else if (!is_dynamic(x->exe))
		x->runtime_note = "syscalls only: a static binary cannot preload libfozzy-rt";
	else if (!(x->runtime = find_runtime()))
		x->runtime_note = "syscalls only: libfozzy-rt.so was not found (set FOZZY_RT)";
	x->cfg = (struct sup_config){
		.exe = x->exe, .argv = f->argv, .envp = f->envp, .cwd = cwd,
		.seed = o->run.seed, .det = true, .epoch_ns = o->run.epoch_ns, .cpus = o->run.cpus,
		.timeout_ns = o->run.timeout_ns, .wall_guard_ns = o->run.wall_timeout_ns,
		.strategy = o->run.strategy, .pct_depth = o->run.pct_depth, .hide_dir = o->run.base_dir,
		.pids_max = o->run.pids_max ? o->run.pids_max : 1024, .out_fd = -1, .err_fd = -1,
		.input_stdin = !f->file_input, .coverage = true,
	};
	if (x->runtime)
		x->cfg.envp = env_with_runtime(f->envp, x->runtime);
	f->fs = !o->no_fork_server;
	f->persist_ok = f->fs && !o->no_persistent;
	x->cfg.persist_done = persist_done;
	return 0;
}

static void fuzz_release(struct fuzz *f)
{
	struct run_ctx *x = &f->x;
	size_t i;

	for (i = 0; i < FUZZ_BATCH; i++)
		buf_release(&f->batch[i]);
	buf_release(&f->min_in);
	buf_release(&f->min_try);
	buf_release(&f->last_in);
	free(f->outs);
	free(f->probe);
	if (f->scn) {
		scenario_release(f->scn);
		free(f->scn);
	}
	if (x->runtime && x->cfg.envp && x->cfg.envp != f->envp)
		free_runtime_env((char **)x->cfg.envp);
	free(x->runtime);
	free(x->exe);
	free_vec(f->argv);
	free_vec(f->envp);
	free_vec(f->envp_sym);
	for (i = 0; i < f->ncorpus; i++)
		buf_release(&f->corpus[i].data);
	free(f->corpus);
	for (i = 0; i < f->nfindings; i++) {
		buf_release(&f->findings[i].input);
		buf_release(&f->findings[i].min);
	}
	free(f->findings);
	free(f->corpus_dir);
	dict_release(&f->dict);
	free(f);
}

/* PATH for the first trace, STEM.k.fozzy for the (k+1)-th (STEM: PATH without .fozzy). */
static char *record_name(const char *path, size_t k)
{
	size_t n = strlen(path);

	if (!k)
		return xstrdup(path);
	if (n > 6 && !strcmp(path + n - 6, ".fozzy"))
		n -= 6;
	return xasprintf("%.*s.%zu.fozzy", (int)n, path, k);
}

static int copy_trace(const char *from, const char *to)
{
	struct buf b = { 0 };
	int rc = read_file(from, &b) || write_file_atomic(to, b.data ? b.data : (const uint8_t *)"", b.len) ? -1 : 0;

	if (rc)
		warning("fuzz: --record: cannot copy '%s' to '%s': %s", from, to, strerror(errno));
	buf_release(&b);
	return rc;
}

/*
 * --record PATH: each finding's trace (the first at PATH), or with no
 * finding the trace of the last input, run once more with its artifacts.
 * The paths written go to the summary.
 */
static void record_traces(struct fuzz *f, cJSON *into)
{
	cJSON *a = cJSON_CreateArray();
	size_t i, k = 0;

	for (i = 0; i < f->nfindings; i++) {
		char *to;

		if (!f->findings[i].trace[0])
			continue;
		to = record_name(f->o->record, k);
		if (!copy_trace(f->findings[i].trace, to)) {
			cJSON_AddItemToArray(a, cJSON_CreateString(to));
			k++;
		}
		free(to);
	}
	if (!f->nfindings && f->execs) {
		f->batch[0].len = 0;
		buf_add(&f->batch[0], f->last_in.data, f->last_in.len);
		f->bpos = 0;
		memset(&f->outs[0], 0, offsetof(struct exec_out, map));
		f->record_all = true;
		drive(f, &one_job);
		f->record_all = false;
		if (f->outs[0].ok == 1 && f->outs[0].trace[0] && !copy_trace(f->outs[0].trace, f->o->record))
			cJSON_AddItemToArray(a, cJSON_CreateString(f->o->record));
	}
	if (!cJSON_GetArraySize(a))
		warning("fuzz: --record: no trace to write to '%s'%s", f->o->record,
			f->nfindings ? " (no finding has a trace)" : "");
	cJSON_AddItemToObject(into, "recorded", a);
}

/* coverage.json beside the report: what the campaign reached. */
static void write_coverage(const struct fuzz *f, const char *dir)
{
	cJSON *c = cJSON_CreateObject();
	char *p = xasprintf("%s/coverage.json", dir);

	cJSON_AddStringToObject(c, "target", f->o->run.cmd[0]);
	cJSON_AddItemToObject(c, "executed", json_u64(f->execs));
	cJSON_AddItemToObject(c, "crashes", json_u64(f->crash_execs));
	cJSON_AddNumberToObject(c, "findings", (double)f->nfindings);
	cJSON_AddStringToObject(c, "feedback", f->coverage ? "edges" : "behaviour");
	cJSON_AddNumberToObject(c, "unique_edges", (double)f->edges);
	cJSON_AddItemToObject(c, "discovered_edges_total", json_u64(f->new_total));
	cJSON_AddItemToObject(c, "max_new_edges_per_input", json_u64(f->new_max));
	cJSON_AddNumberToObject(c, "corpus_entries", (double)f->ncorpus);
	if (f->coverage)
		cJSON_AddNumberToObject(c, "edges_in_program", f->guards);
	if (json_write_file(p, c))
		warning("fuzz: cannot write '%s'", p);
	free(p);
	cJSON_Delete(c);
}

int mode_fuzz(const struct fuzz_opts *o)
{
	struct fuzz *f = xcalloc(1, sizeof(*f));
	struct run_ctx *x = &f->x;
	char cwd[PATH_MAX];
	const char *status;
	int code = EXIT_ERROR;

	if (o->record) {
		char why[600];

		if (record_lock(o->record, why, sizeof(why))) {
			error("%s", why);
			free(f);
			return EXIT_ERROR;
		}
	}
	if (fuzz_setup(f, o, cwd, sizeof(cwd), "fuzz"))
		goto out;
	if (!f->ncorpus) {
		note("fuzz: the corpus '%s' is empty: starting from the empty input", f->corpus_dir);
		corpus_add(f, (const uint8_t *)"", 0, "(empty)");
		f->ninitial = f->ncorpus;
	}
	drive(f, &campaign_job);
	if (!f->execs && !f->stop) {
		/* the probe of the fork server failed: error() said why */
		goto out;
	}
	if (f->scn && f->execs && !o->run.json)
		note("fuzz: %s: the input is the scenario's source of choices (random draws; in a distributed scenario, "
		     "the order of actions); guided by behaviour", f->scn_path);
	else if (f->fn && f->execs && !o->run.json)
		note("fuzz: %s runs in a forked child of fozzy; guided by what the parser says (behaviour)", o->run.cmd[0]);
	else if (!f->coverage && f->execs && !o->run.json)
		note("fuzz: '%s' reports no edge coverage; guided by behaviour (syscalls and outcome). Build it with 'fozzy cc' for edges",
		     x->exe);
	if (f->persistent_seen && f->nfindings) {
		bool stopped = f->stop;

		f->stop = false;
		confirm_findings(f);
		f->stop = stopped;
	}
	if (o->minimize && f->nfindings) {
		bool stopped = f->stop;

		f->stop = false;
		if (!stopped || !f->probe->interrupted)
			minimize_findings(f);
	}
	if (!f->fn && !f->scn && !f->asan_user && f->nfindings && !f->probe->interrupted)
		symbolized_findings(f);
	status_line(f, true);
	status = f->failed ? "error" : f->nfindings ? "fail" : "pass";
	{
		cJSON *sj = summary(f, status, o->run.cmd[0]);
		struct run_dir rd;

		if (o->record && !f->probe->interrupted)
			record_traces(f, sj);
		if (!run_dir_create(&rd, o->run.base_dir)) {
			char *p = xasprintf("%s/report.json", rd.path);

			write_coverage(f, rd.path);
			cJSON_AddStringToObject(sj, "report", p);
			if (json_write_file(p, sj))
				warning("fuzz: cannot write '%s'", p);
			free(p);
			run_dir_release(&rd);
		}
		if (o->run.json)
			json_print(sj);
		else
			print_summary(f, status);
		cJSON_Delete(sj);
	}
	code = f->failed ? EXIT_ERROR : f->nfindings ? EXIT_FAIL : EXIT_PASS;
out:
	fuzz_release(f);
	return code;
}

/* ---- fozzy corpus minimize: the fewest, smallest entries that keep every edge ---- */

struct cmin {
	uint32_t *feat;   /* edge index * 8 + bucket bit, per entry */
	size_t nfeat;
	bool finding;
};

static struct cmin *cmin_entries;

static bool cmin_next(struct fuzz *f, const struct buf **in)
{
	if (f->stop || f->next_initial >= f->ninitial)
		return false;
	f->batch[0].len = 0;
	buf_add(&f->batch[0], f->corpus[f->next_initial].data.data, f->corpus[f->next_initial].data.len);
	f->next_initial++;
	*in = &f->batch[0];
	return true;
}

static void cmin_result(struct fuzz *f, const struct exec_out *o)
{
	struct cmin *c = &cmin_entries[f->next_initial - 1];
	size_t i, n = 0;

	f->execs++;
	if (o->ok != 1 || o->interrupted) {
		f->stop = true;
		return;
	}
	if (!f->mode_known) {
		f->mode_known = true;
		f->coverage = o->guards > 0;
		f->guards = o->guards;
	}
	c->finding = o->sig[0] != 0;
	for (i = 0; i < FOZZY_COV_MAP; i++)
		n += o->map[i] != 0;
	c->feat = xmalloc((n ? n : 1) * sizeof(*c->feat));
	for (i = 0; i < FOZZY_COV_MAP; i++) {
		uint8_t b = cov_bucket(o->map[i]);

		if (b)
			c->feat[c->nfeat++] = (uint32_t)(i * 8 + (unsigned)__builtin_ctz(b));
	}
	status_line(f, false);
}

static const struct job cmin_job = { cmin_next, cmin_result, false };

int mode_corpus_minimize(const struct fuzz_opts *o, const char *out_dir)
{
	struct fuzz *f = xcalloc(1, sizeof(*f));
	char cwd[PATH_MAX];
	size_t *owner = NULL, i, k, kept = 0, findings = 0, features = 0;
	uint64_t bytes_before = 0, bytes_after = 0;
	bool *keep = NULL;
	int code = EXIT_ERROR;

	if (fuzz_setup(f, o, cwd, sizeof(cwd), "corpus minimize"))
		goto out;
	if (!f->ncorpus) {
		error("corpus minimize: '%s' holds no inputs", f->corpus_dir);
		goto out;
	}
	cmin_entries = xcalloc(f->ncorpus, sizeof(*cmin_entries));
	drive(f, &cmin_job);
	if (f->next_initial < f->ninitial || f->execs < f->ninitial) {
		if (!f->probe->interrupted)
			error("corpus minimize: the runs did not finish; nothing was changed");
		goto out;
	}
	/* each feature is owned by the smallest entry that has it (the first by name on a tie) */
	owner = xmalloc((size_t)FOZZY_COV_MAP * 8 * sizeof(*owner));
	for (i = 0; i < (size_t)FOZZY_COV_MAP * 8; i++)
		owner[i] = SIZE_MAX;
	for (i = 0; i < f->ncorpus; i++)
		for (k = 0; k < cmin_entries[i].nfeat; k++) {
			size_t *w = &owner[cmin_entries[i].feat[k]];

			if (*w == SIZE_MAX || f->corpus[i].data.len < f->corpus[*w].data.len)
				*w = i;
		}
	keep = xcalloc(f->ncorpus, sizeof(*keep));
	for (i = 0; i < (size_t)FOZZY_COV_MAP * 8; i++)
		if (owner[i] != SIZE_MAX) {
			keep[owner[i]] = true;
			features++;
		}
	for (i = 0; i < f->ncorpus; i++) {
		if (cmin_entries[i].finding) {
			keep[i] = true; /* a finding is not ours to drop */
			findings++;
		}
		bytes_before += f->corpus[i].data.len;
		if (keep[i]) {
			kept++;
			bytes_after += f->corpus[i].data.len;
		}
	}
	if (out_dir && mkdir_p(out_dir, 0755)) {
		error("corpus minimize: cannot create '%s': %s", out_dir, strerror(errno));
		goto out;
	}
	for (i = 0; i < f->ncorpus; i++) {
		char *path;

		if (out_dir && keep[i]) {
			path = xasprintf("%s/%s", out_dir, f->corpus[i].name);
			if (write_file_atomic(path, f->corpus[i].data.data ? f->corpus[i].data.data : (const uint8_t *)"",
					      f->corpus[i].data.len)) {
				error("corpus minimize: cannot write '%s': %s", path, strerror(errno));
				free(path);
				goto out;
			}
			free(path);
		} else if (!out_dir && !keep[i]) {
			path = xasprintf("%s/%s", f->corpus_dir, f->corpus[i].name);
			if (unlink(path))
				warning("corpus minimize: cannot remove '%s': %s", path, strerror(errno));
			free(path);
		}
	}
	status_line(f, true);
	{
		cJSON *j = cJSON_CreateObject();

		cJSON_AddBoolToObject(j, "ok", true);
		cJSON_AddStringToObject(j, "dir", f->corpus_dir);
		if (out_dir)
			cJSON_AddStringToObject(j, "out", out_dir);
		cJSON_AddStringToObject(j, "feedback", f->coverage ? "edges" : "behaviour");
		cJSON_AddNumberToObject(j, "filesBefore", (double)f->ncorpus);
		cJSON_AddNumberToObject(j, "filesAfter", (double)kept);
		cJSON_AddItemToObject(j, "bytesBefore", json_u64(bytes_before));
		cJSON_AddItemToObject(j, "bytesAfter", json_u64(bytes_after));
		cJSON_AddNumberToObject(j, "features", (double)features);
		cJSON_AddNumberToObject(j, "findingsKept", (double)findings);
		if (o->run.json)
			json_print(j);
		else
			fprintf(stderr, "fozzy corpus minimize: %zu of %zu inputs keep all %zu %s (%" PRIu64 " of %" PRIu64
				" bytes)%s%s%s\n", kept, f->ncorpus, features,
				f->coverage ? "edge buckets" : "behaviour features", bytes_after, bytes_before,
				out_dir ? ", written to " : ", the others removed", out_dir ? out_dir : "",
				findings ? " (inputs with findings are kept)" : "");
		cJSON_Delete(j);
	}
	code = EXIT_PASS;
out:
	if (cmin_entries) {
		for (i = 0; f->corpus && i < f->ncorpus; i++)
			free(cmin_entries[i].feat);
		free(cmin_entries);
		cmin_entries = NULL;
	}
	free(owner);
	free(keep);
	fuzz_release(f);
	return code;
}
