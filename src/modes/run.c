// SPDX-License-Identifier: MIT
/*
 * `fozzy run -- CMD` and `fozzy replay TRACE`: one program run under the
 * supervisor, seeded (run) or fed from a trace (replay), then reported:
 * run folder, report.json, trace.fozzy, human or JSON summary, exit code.
 */
#include <ctype.h>
#include <elf.h>
#include <sys/wait.h>
#include <sched.h>
#include <poll.h>
#include <seccomp.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xxhash.h>

#include "fozzy/core.h"
#include "fozzy/exit.h"
#include "fozzy/fuzz.h"
#include "fozzy/modes.h"
#include "fozzy/report.h"
#include "fozzy/rt.h"
#include "fozzy/trace.h"
#include "fozzy/version.h"
#include "internal.h"

extern char **environ;

#define PREEMPT_WARNING "preempted: a thread spinning in user space was interrupted %" PRIu64 " time(s) at points that cannot be reproduced (no branch counter on this machine)"
#define TSC_WARNING "rdtsc: this machine cannot trap rdtsc/rdtscp (the hypervisor ignores PR_SET_TSC), so a program that reads the TSC directly sees host values"


void run_opts_init(struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->wall_timeout_ns = RUN_DEFAULT_WALL_TIMEOUT_NS;
	o->cpus = RUN_DEFAULT_CPUS;
	o->epoch_ns = VCLOCK_DEFAULT_EPOCH_NS;
	o->strategy = STRAT_RANDOM;
	o->pct_depth = PCT_DEFAULT_DEPTH;
	o->base_dir = ".fozzy";
	o->strict = true;
}

void replay_opts_init(struct replay_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->base_dir = ".fozzy";
	o->wall_timeout_ns = RUN_DEFAULT_WALL_TIMEOUT_NS;
}

char *resolve_program(const char *name)
{
	char full[PATH_MAX], *path, *dir, *save = NULL, *cand = NULL;
	struct stat st;

	if (!*name)
		return NULL;
	if (strchr(name, '/')) {
		cand = xstrdup(name);
	} else {
		path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/local/bin:/usr/bin:/bin");
		for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
			char *p = xasprintf("%s/%s", *dir ? dir : ".", name);

			if (!stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK)) {
				cand = p;
				break;
			}
			free(p);
		}
		free(path);
	}
	if (!cand || !realpath(cand, full)) {
		free(cand);
		return NULL;
	}
	free(cand);
	if (stat(full, &st) || !S_ISREG(st.st_mode) || access(full, X_OK))
		return NULL;
	return xstrdup(full);
}

/* Is the ELF executable at path dynamically linked (has PT_INTERP)? */
/*
 * Why fozzy cannot run the program at path, or NULL: only x86_64 ELF files
 * (and scripts, whose interpreter is checked by the kernel) can run.
 */
static const char *unsupported_binary(const char *path)
{
	Elf64_Ehdr eh;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL; /* the exec reports it */
	n = pread(fd, &eh, sizeof(eh), 0);
	close(fd);
	if (n < SELFMAG || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return NULL;
	if (n < (ssize_t)sizeof(eh) || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return "a truncated or big-endian ELF file";
	if (eh.e_ident[EI_CLASS] == ELFCLASS32)
		return eh.e_machine == EM_386 ? "a 32-bit i386 binary" : eh.e_machine == EM_X86_64
			       ? "an x32 binary" : eh.e_machine == EM_ARM ? "a 32-bit ARM binary"
			       : "a 32-bit binary for another architecture";
	if (eh.e_machine != EM_X86_64)
		return eh.e_machine == EM_AARCH64 ? "an arm64 (aarch64) binary" : eh.e_machine == EM_RISCV
			       ? "a RISC-V binary" : "a binary for another architecture";
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return "an ELF file that is not an executable (an object file or core dump)";
	return NULL;
}

/* Find the program and check it can run here; NULL after a one-line error. */
char *program_or_error(const char *name)
{
	char *exe = resolve_program(name);
	const char *why;
	struct stat st;

	if (!exe) {
		if (strchr(name, '/') && !stat(name, &st) && S_ISDIR(st.st_mode))
			error("'%s' is a directory, not a program", name);
		else if (strchr(name, '/') && !stat(name, &st))
			error("'%s' is not executable (no execute permission)", name);
		else
			error("cannot find an executable named '%s'", name);
		return NULL;
	}
	why = unsupported_binary(exe);
	if (why) {
		error("'%s' is %s; fozzy runs x86_64 programs only", name, why);
		free(exe);
		return NULL;
	}
	return exe;
}

bool is_dynamic(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool dyn = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(ph)) {
		for (i = 0; i < eh.e_phnum && !dyn; i++)
			dyn = pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) == sizeof(ph) &&
			      ph.p_type == PT_INTERP;
	}
	close(fd);
	return dyn;
}

/* A file shipped with fozzy: beside the fozzy binary (a build tree), or PREFIX/lib/fozzy (installed). */
char *find_lib(const char *name)
{
	char self[PATH_MAX], *dir, *p;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	dir = dirname(self);
	p = xasprintf("%s/%s", dir, name);
	if (!access(p, R_OK))
		return p;
	free(p);
	p = xasprintf("%s/../lib/fozzy/%s", dir, name);
	if (!access(p, R_OK)) {
		char *r = realpath(p, NULL);

		free(p);
		return r;
	}
	free(p);
	return NULL;
}

char *find_runtime(void)
{
	if (getenv("FOZZY_RT") && *getenv("FOZZY_RT"))
		return realpath(getenv("FOZZY_RT"), NULL);
	return find_lib("libfozzy-rt.so");
}

/* env with LD_PRELOAD=rt prepended (to an existing LD_PRELOAD too). Caller frees the array and [0]. */
char **env_with_runtime(char *const *env, const char *rt)
{
	size_t n = 0, i, j = 1;
	char **out;
	const char *old = NULL;

	while (env && env[n])
		n++;
	out = xcalloc(n + 2, sizeof(*out));
	for (i = 0; i < n; i++)
		if (!strncmp(env[i], "LD_PRELOAD=", 11))
			old = env[i] + 11;
	out[0] = old && *old ? xasprintf("LD_PRELOAD=%s:%s", rt, old) : xasprintf("LD_PRELOAD=%s", rt);
	for (i = 0; i < n; i++)
		if (strncmp(env[i], "LD_PRELOAD=", 11))
			out[j++] = env[i];
	return out;
}

void free_runtime_env(char **env)
{
	if (env) {
		free(env[0]);
		free(env);
	}
}

/* XXH3-128 of a file, as 32 hex digits. Returns 0 or -1 with errno. */
int hash_file(const char *path, char out[33])
{
	XXH3_state_t *st = XXH3_createState();
	XXH128_canonical_t c;
	uint8_t chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		XXH3_freeState(st);
		return -1;
	}
	XXH3_128bits_reset(st);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		XXH3_128bits_update(st, chunk, (size_t)n);
	close(fd);
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(st));
	XXH3_freeState(st);
	if (n < 0)
		return -1;
	hex_encode(c.digest, 16, out);
	return 0;
}

const char *outcome_status(const struct sup_result *r)
{
	switch (r->outcome) {
	case SUP_EXITED:
		return r->exit_code ? "fail" : "pass";
	case SUP_SIGNALED:
		return "crash";
	case SUP_TIMEOUT:
		return "timeout";
	case SUP_DEADLOCK:
	case SUP_PIDS:
		return "fail";
	default:
		return "error";
	}
}

static cJSON *string_array(char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (; v && *v; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v)); /* a takes it */
	return a;
}

static char **array_strings(const cJSON *a)
{
	int n = cJSON_GetArraySize(a), i = 0;
	char **v = xcalloc((size_t)n + 1, sizeof(*v));
	const cJSON *it;

	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it)) {
			while (i--)
				free(v[i]);
			free(v);
			return NULL;
		}
		v[i++] = xstrdup(it->valuestring);
	}
	return v;
}

static void free_strings(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

static cJSON *output_json(const char *file, uint64_t len, uint64_t hash)
{
	cJSON *o = cJSON_CreateObject();
	char hex[17];

	snprintf(hex, sizeof(hex), "%016" PRIx64, hash);
	if (file)
		cJSON_AddStringToObject(o, "path", file);
	cJSON_AddItemToObject(o, "bytes", json_u64(len)); /* o takes it */
	cJSON_AddStringToObject(o, "xxh3", hex);
	return o;
}

/* Findings of SPEC.md 5.1, for a native run. */
cJSON *findings(const struct sup_result *r)
{
	cJSON *a = cJSON_CreateArray(), *f = cJSON_CreateObject();
	char msg[600];
	const char *kind, *title;

	switch (r->outcome) {
	case SUP_EXITED:
		if (!r->exit_code) {
			cJSON_Delete(f);
			return a;
		}
		kind = "target_behavior";
		title = "exit_status";
		snprintf(msg, sizeof(msg), "the program exited with status %d", r->exit_code);
		break;
	case SUP_SIGNALED:
		kind = "panic";
		title = "signal";
		snprintf(msg, sizeof(msg), "the program was killed by signal %d (%s)", r->signal,
			 strsignal(r->signal));
		break;
	case SUP_TIMEOUT:
		kind = "hang";
		title = r->wall_guard ? "wall_timeout" : "timeout";
		snprintf(msg, sizeof(msg), "%s", r->message);
		break;
	case SUP_DEADLOCK:
		kind = "hang";
		title = "deadlock";
		snprintf(msg, sizeof(msg), "%s", r->message);
		break;
	case SUP_PIDS:
		kind = "resource";
		title = "pids_limit";
		snprintf(msg, sizeof(msg), "%s", r->message);
		break;
	case SUP_DIVERGED:
		kind = "checker";
		title = "replay_divergence";
		snprintf(msg, sizeof(msg), "%s", r->message);
		break;
	default:
		kind = "checker";
		title = r->outcome == SUP_ABORTED ? "unsupported" : "error";
		snprintf(msg, sizeof(msg), "%s", r->message);
		break;
	}
	cJSON_AddStringToObject(f, "kind", kind);
	cJSON_AddStringToObject(f, "title", title);
	cJSON_AddStringToObject(f, "message", msg);
	cJSON_AddItemToArray(a, f); /* a takes f */
	return a;
}


/*
 * A JSON fault file (man/fozzy.5) as a --faults string. The file is an array,
 * or {"faults": [...]}, of rules: "CLASS:WHAT[@N]" strings, or objects
 * {"class": C, "errno": E | "short": true | "kill": true, "nth": N} or
 * {"preset": NAME}. Returns the string (caller frees), or NULL with why.
 */
static char *fault_file_spec(const char *path, char *why, size_t n)
{
	struct buf b = { 0 }, out = { 0 };
	cJSON *root, *list;
	const cJSON *r;
	int i = 0;

	if (read_file(path, &b)) {
		snprintf(why, n, "cannot read '%s': %s", path, strerror(errno));
		buf_release(&b);
		return NULL;
	}
	root = cJSON_ParseWithLength((const char *)b.data, b.len);
	buf_release(&b);
	if (!root) {
		snprintf(why, n, "%s: $: not valid JSON", path);
		return NULL;
	}
	list = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "faults");
	if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list)) {
		snprintf(why, n, "%s: $: expected a non-empty array of faults, or {\"faults\": [...]}", path);
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_ArrayForEach(r, list) {
		const char *cls = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "class"));
		const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "errno"));
		const char *pre = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "preset"));
		const cJSON *nth = cJSON_GetObjectItemCaseSensitive(r, "nth");
		bool shrt = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "short"));
		bool kill = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "kill"));

		size_t start;

		if (out.len)
			buf_addc(&out, ',');
		start = out.len;
		if (cJSON_IsString(r)) {
			buf_addf(&out, "%s", r->valuestring);
		} else if (pre && (!nth || (cJSON_IsNumber(nth) && nth->valuedouble >= 1 && nth->valuedouble < 1e15))) {
			buf_addf(&out, "%s", pre);
			if (nth)
				buf_addf(&out, "@%llu", (unsigned long long)nth->valuedouble);
		} else if (cls && (!!err + shrt + kill) == 1 &&
			   (!nth || (cJSON_IsNumber(nth) && nth->valuedouble >= 1 && nth->valuedouble < 1e15 &&
				     nth->valuedouble == (double)(uint64_t)nth->valuedouble))) {
			buf_addf(&out, "%s:%s", cls, err ? err : shrt ? "short" : "kill");
			if (nth)
				buf_addf(&out, "@%llu", (unsigned long long)nth->valuedouble);
		} else {
			snprintf(why, n, "%s: $%s[%d]: expected \"CLASS:WHAT[@N]\", {\"preset\": NAME} or {\"class\": C, "
				 "one of \"errno\": E, \"short\": true, \"kill\": true, and an optional \"nth\": N >= 1}", path,
				 cJSON_IsArray(root) ? "" : ".faults", i);
			cJSON_Delete(root);
			buf_release(&out);
			return NULL;
		}
		{
			/* each entry on its own, so an error names it */
			struct fault_plan one;
			char *rule = xmalloc(out.len - start + 1), w2[300];

			memcpy(rule, out.data + start, out.len - start);
			rule[out.len - start] = 0;
			if (fault_plan_parse(rule, &one, w2, sizeof(w2))) {
				snprintf(why, n, "%s: $%s[%d]: %s", path, cJSON_IsArray(root) ? "" : ".faults", i, w2);
				free(rule);
				cJSON_Delete(root);
				buf_release(&out);
				return NULL;
			}
			free(rule);
		}
		i++;
	}
	cJSON_Delete(root);
	buf_addc(&out, 0);
	return (char *)out.data;
}

/* Parse --faults into x->plan and point the configuration at it. */
static int ctx_faults(struct run_ctx *x, const char *spec, bool need_nth, const char *cmd)
{
	char why[600], *from_file = NULL;
	unsigned i;
	struct stat st;

	if (!spec || !*spec)
		return 0;
	if (strstr(spec, ".json") || (strchr(spec, '/') && !stat(spec, &st))) {
		/* a fault file: its rules, then as a --faults string */
		from_file = fault_file_spec(spec, why, sizeof(why));
		if (!from_file) {
			error("%s: invalid --faults file: %s", cmd, why);
			return -1;
		}
		spec = from_file;
	}
	if (fault_plan_parse(spec, &x->plan, why, sizeof(why))) {
		error("%s: invalid --faults '%s': %s", cmd, spec, why);
		free(from_file);
		return -1;
	}
	for (i = 0; need_nth && i < x->plan.n; i++)
		if (!x->plan.r[i].nth) {
			error("%s: --faults '%s': say which call fails with @N (e.g. write:EIO@2); fozzy explore chooses N itself",
			      cmd, spec);
			free(from_file);
			return -1;
		}
	free(from_file);
	x->cfg.faults = &x->plan;
	return 0;
}

static void faults_json(cJSON *parent, const struct sup_result *r)
{
	cJSON *a = cJSON_AddArrayToObject(parent, "faults");
	unsigned i;

	for (i = 0; i < r->nfaults; i++) {
		cJSON *o = cJSON_CreateObject();
		char f[64];

		fault_rule_format(&r->faults[i].rule, f, sizeof(f));
		cJSON_AddStringToObject(o, "fault", f);
		cJSON_AddNumberToObject(o, "thread", r->faults[i].tid);
		cJSON_AddItemToObject(o, "event", json_u64(r->faults[i].event));
		cJSON_AddItemToArray(a, o); /* a takes o */
	}
}

cJSON *trace_header(const struct run_ctx *x, const struct sup_result *r)
{
	cJSON *h = cJSON_CreateObject(), *prog = cJSON_CreateObject(), *pol = cJSON_CreateObject();
	char hex[17];

	cJSON_AddStringToObject(h, "format", TRACE_FORMAT);
	cJSON_AddNumberToObject(h, "version", TRACE_VERSION);
	cJSON_AddStringToObject(h, "fozzy", FOZZY_VERSION);
	cJSON_AddStringToObject(h, "kind", "native");
	cJSON_AddStringToObject(h, "mode", x->mode);
	json_add_u64_string(h, "seed", x->cfg.seed);
	if (x->cfg.has_sched_seed)
		json_add_u64_string(h, "scheduleSeed", x->cfg.sched_seed);
	cJSON_AddBoolToObject(h, "det", x->cfg.det);
	json_add_u64_string(h, "epochNs", x->cfg.epoch_ns);
	cJSON_AddNumberToObject(h, "cpus", x->cfg.cpus);
	cJSON_AddStringToObject(h, "schedule", sched_name(x->cfg.strategy));
	cJSON_AddNumberToObject(h, "pctDepth", x->cfg.pct_depth);
	if (x->cfg.pct_steps)
		json_add_u64_string(h, "pctSteps", x->cfg.pct_steps);
	json_add_u64_string(h, "timeoutNs", x->cfg.timeout_ns);
	cJSON_AddNumberToObject(h, "pidsMax", x->cfg.pids_max);
	cJSON_AddStringToObject(h, "net", x->cfg.host_net ? "host" : "none");
	if (x->cfg.faults) {
		char spec[512];

		fault_plan_format(x->cfg.faults, spec, sizeof(spec));
		cJSON_AddStringToObject(h, "faults", spec);
	}
	cJSON_AddStringToObject(prog, "path", x->cfg.exe);
	cJSON_AddStringToObject(prog, "xxh3", x->exe_hash);
	cJSON_AddItemToObject(prog, "argv", string_array(x->cfg.argv));
	cJSON_AddItemToObject(prog, "env", string_array(x->user_env));
	cJSON_AddStringToObject(prog, "cwd", x->cfg.cwd);
	cJSON_AddItemToObject(h, "program", prog); /* h takes prog */
	if (x->runtime)
		cJSON_AddStringToObject(h, "runtime", x->runtime);
	else
		cJSON_AddNullToObject(h, "runtime");
	if (x->has_expect_exit || x->expect_stdout) {
		/* explore's oracles: replay and shrink judge the run by them too */
		cJSON *orc = cJSON_AddObjectToObject(h, "oracles");

		if (x->has_expect_exit)
			cJSON_AddNumberToObject(orc, "expectExit", x->expect_exit);
		if (x->expect_stdout) {
			cJSON *so = cJSON_AddObjectToObject(orc, "expectStdout");

			snprintf(hex, sizeof(hex), "%016" PRIx64, x->want_hash);
			cJSON_AddStringToObject(so, "file", x->expect_stdout);
			cJSON_AddStringToObject(so, "xxh3", hex);
			json_add_u64_string(so, "bytes", x->want_len);
		}
	}
	/* explore: forked from the program stopped at libfozzy-rt's point (its pids differ): replay does the same */
	if (x->cfg.fs_rt && sup_fs_child())
		cJSON_AddStringToObject(h, "forkServer", "rt");
	if (x->cfg.capture_files)
		cJSON_AddStringToObject(h, "output", "files");
	if (x->cfg.input) {
		cJSON *fz = cJSON_CreateObject();
		char *in = xmalloc(x->cfg.input->len * 2 + 1);

		hex_encode(x->cfg.input->data, x->cfg.input->len, in);
		cJSON_AddStringToObject(fz, "inputHex", in);
		free(in);
		cJSON_AddBoolToObject(fz, "stdin", x->cfg.input_stdin);
		cJSON_AddBoolToObject(fz, "coverage", x->cfg.coverage);
		/* forked from a template stopped before main: replay does the same */
		cJSON_AddBoolToObject(fz, "forkServer", x->cfg.fs_next != NULL);
		cJSON_AddItemToObject(h, "fuzz", fz); /* h takes fz */
	}
	snprintf(hex, sizeof(hex), "%016" PRIx64, r->policy_hash);
	cJSON_AddStringToObject(pol, "xxh3", hex);
	cJSON_AddItemToObject(h, "policy", pol);
	return h;
}

cJSON *trace_footer(const struct sup_result *r)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "status", outcome_status(r));
	if (r->outcome == SUP_EXITED)
		cJSON_AddNumberToObject(f, "exitCode", r->exit_code);
	else
		cJSON_AddNullToObject(f, "exitCode");
	if (r->outcome == SUP_SIGNALED)
		cJSON_AddNumberToObject(f, "signal", r->signal);
	else
		cJSON_AddNullToObject(f, "signal");
	if (r->message[0])
		cJSON_AddStringToObject(f, "message", r->message);
	json_add_u64_string(f, "events", r->events);
	json_add_u64_string(f, "virtualTimeNs", r->vtime_ns);
	cJSON_AddItemToObject(f, "stdout", output_json(NULL, r->stdout_len, r->stdout_hash));
	cJSON_AddItemToObject(f, "stderr", output_json(NULL, r->stderr_len, r->stderr_hash));
	return f;
}

cJSON *summary_json(const struct run_ctx *x, const struct sup_result *r, const char *status,
			   const char *trace_path, cJSON *extra)
{
	cJSON *s = cJSON_CreateObject(), *id = cJSON_CreateObject(), *nat = cJSON_CreateObject();
	uint64_t dur = now_mono_ns() - x->rd.started_mono_ns;
	char t0[40], t1[40], *p;

	format_rfc3339(x->rd.started_real_ns, t0);
	format_rfc3339(x->rd.started_real_ns + dur, t1);
	cJSON_AddStringToObject(s, "status", status);
	cJSON_AddStringToObject(s, "mode", x->mode);
	cJSON_AddStringToObject(id, "runId", x->rd.id);
	cJSON_AddItemToObject(id, "seed", json_u64(x->cfg.seed));
	if (trace_path)
		cJSON_AddStringToObject(id, "tracePath", trace_path);
	p = xasprintf("%s/report.json", x->rd.path);
	cJSON_AddStringToObject(id, "reportPath", p);
	free(p);
	cJSON_AddStringToObject(id, "artifactsDir", x->rd.path);
	cJSON_AddItemToObject(s, "identity", id);
	cJSON_AddStringToObject(s, "startedAt", t0);
	cJSON_AddStringToObject(s, "finishedAt", t1);
	cJSON_AddItemToObject(s, "durationMs", json_u64(dur / 1000000));
	cJSON_AddItemToObject(s, "durationNs", json_u64(dur));
	{
		cJSON *f = findings(r);

		if (!cJSON_GetArraySize(f) && !strcmp(status, "error")) {
			/* a strict-mode rejection of a run that itself ended well */
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "kind", "checker");
			cJSON_AddStringToObject(o, "title", "strict");
			cJSON_AddStringToObject(o, "message", r->message);
			cJSON_AddItemToArray(f, o); /* f takes o */
		}
		if (!cJSON_GetArraySize(f) && !strcmp(status, "fail")) {
			/* explore's --expect-exit / --expect-stdout failed a run that exited 0 */
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "kind", "checker");
			cJSON_AddStringToObject(o, "title", "oracle");
			cJSON_AddStringToObject(o, "message", r->message);
			cJSON_AddItemToArray(f, o); /* f takes o */
		}
		if (cJSON_GetArraySize(f))
			cJSON_AddItemToObject(s, "findings", f);
		else
			cJSON_Delete(f);
	}
	cJSON_AddItemToObject(nat, "command", string_array(x->cfg.argv));
	cJSON_AddStringToObject(nat, "exe", x->cfg.exe);
	cJSON_AddStringToObject(nat, "exeXxh3", x->exe_hash);
	cJSON_AddBoolToObject(nat, "det", x->cfg.det);
	if (r->exited)
		cJSON_AddNumberToObject(nat, "exitCode", r->exit_code);
	else
		cJSON_AddNullToObject(nat, "exitCode");
	if (r->signaled) {
		cJSON_AddNumberToObject(nat, "signal", r->signal);
		cJSON_AddStringToObject(nat, "signalName", sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?");
	} else {
		cJSON_AddNullToObject(nat, "signal");
	}
	cJSON_AddItemToObject(nat, "events", json_u64(r->events));
	cJSON_AddItemToObject(nat, "threads", json_u64(r->threads));
	cJSON_AddItemToObject(nat, "processes", json_u64(r->processes));
	cJSON_AddItemToObject(nat, "switches", json_u64(r->switches));
	cJSON_AddItemToObject(nat, "preemptions", json_u64(r->preemptions));
	cJSON_AddStringToObject(nat, "schedule", sched_name(x->cfg.strategy));
	cJSON_AddStringToObject(nat, "schedulingPoints",
				x->runtime ? "syscalls and pthread calls (libfozzy-rt)" : x->runtime_note);
	cJSON_AddItemToObject(nat, "virtualTimeNs", json_u64(r->vtime_ns));
	p = xasprintf("%s/stdout", x->rd.path);
	cJSON_AddItemToObject(nat, "stdout", output_json(p, r->stdout_len, r->stdout_hash));
	free(p);
	p = xasprintf("%s/stderr", x->rd.path);
	cJSON_AddItemToObject(nat, "stderr", output_json(p, r->stderr_len, r->stderr_hash));
	free(p);
	if (r->message[0])
		cJSON_AddStringToObject(nat, "message", r->message);
	{
		cJSON *deg = cJSON_AddArrayToObject(nat, "degraded");

		if (r->tsc_untrapped && x->cfg.det)
			cJSON_AddItemToArray(deg, cJSON_CreateString(TSC_WARNING)); /* deg takes it */
		if (r->preemptions) {
			char *m = xasprintf(PREEMPT_WARNING, r->preemptions);

			cJSON_AddItemToArray(deg, cJSON_CreateString(m)); /* deg takes it */
			free(m);
		}
	}
	if (r->isolated) {
		cJSON *sb = cJSON_AddObjectToObject(nat, "sandbox"), *ch;

		cJSON_AddStringToObject(sb, "filesystem", "overlay");
		ch = cJSON_AddObjectToObject(sb, "changes");
		cJSON_AddNumberToObject(ch, "created", r->created);
		cJSON_AddNumberToObject(ch, "modified", r->modified);
		cJSON_AddNumberToObject(ch, "deleted", r->deleted);
		p = xasprintf("%s/changes.json", x->rd.path);
		cJSON_AddStringToObject(ch, "list", p);
		free(p);
		p = xasprintf("%s/overlay", x->rd.path);
		cJSON_AddStringToObject(sb, "overlay", p);
		free(p);
		cJSON_AddItemToObject(sb, "pidsRefused", json_u64(r->pids_refused));
	}
	{
		cJSON *ref = cJSON_AddArrayToObject(nat, "refused");
		unsigned i;

		for (i = 0; i < r->nrefusals; i++) {
			cJSON *o = cJSON_CreateObject();
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)r->refusals[i].nr);

			cJSON_AddStringToObject(o, "syscall", name ? name : "?");
			cJSON_AddStringToObject(o, "errno", strerrorname_np(r->refusals[i].err) ? strerrorname_np(r->refusals[i].err) : "?");
			cJSON_AddItemToObject(o, "count", json_u64(r->refusals[i].count));
			cJSON_AddNumberToObject(o, "firstThread", r->refusals[i].first_tid);
			cJSON_AddItemToArray(ref, o); /* ref takes o */
			free(name);
		}
	}
	if (x->cfg.faults)
		faults_json(nat, r);
	cJSON_AddItemToObject(s, "native", nat);
	if (extra) /* what the mode adds: replay's comparison, fuzz's finding */
		cJSON_AddItemToObject(s, !strcmp(x->mode, "fuzz") ? "fuzz" : "replay", extra); /* s takes extra */
	return s;
}

void print_human(const struct run_ctx *x, const struct sup_result *r, const char *status,
			const char *trace_path, const char *note)
{
	char upper[16];
	size_t i;

	for (i = 0; status[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)(status[i] >= 'a' && status[i] <= 'z' ? status[i] - 32 : status[i]);
	upper[i] = 0;
	fflush(stdout);
	fprintf(stderr, "fozzy %s %s\n", x->mode, upper);
	if (note)
		fprintf(stderr, "  %s\n", note);
	if (r->outcome == SUP_EXITED)
		fprintf(stderr, "  exit status %d\n", r->exit_code);
	else if (r->outcome == SUP_SIGNALED)
		fprintf(stderr, "  killed by signal %d (SIG%s)%s\n", r->signal,
			sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?",
			r->signal == SIGSYS ? ": the seccomp filter refused a foreign-ABI (i386 or x32) syscall" : "");
	if (r->message[0])
		fprintf(stderr, "  %s\n", r->message);
	if (r->detail.len)
		fprintf(stderr, "%.*s", (int)r->detail.len, (const char *)r->detail.data);
	fprintf(stderr, "  run %s\n  seed %" PRIu64 "%s\n  events %" PRIu64 ", virtual time %" PRIu64 " ms\n",
		x->rd.id, x->cfg.seed, x->cfg.det ? " (--det)" : "", r->events, r->vtime_ns / 1000000);
	if (r->tsc_untrapped && x->cfg.det)
		fprintf(stderr, "  warning: %s\n", TSC_WARNING);
	if (r->preemptions) {
		fprintf(stderr, "  warning: ");
		fprintf(stderr, PREEMPT_WARNING, r->preemptions);
		fputc('\n', stderr);
	}
	if (r->threads > 1 || r->processes > 1)
		fprintf(stderr, "  threads %" PRIu64 ", processes %" PRIu64 ", switches %" PRIu64 " (--schedule %s)\n",
			r->threads, r->processes, r->switches, sched_name(x->cfg.strategy));
	if (r->nfaults) {
		unsigned k;

		fprintf(stderr, "  faults injected:");
		for (k = 0; k < r->nfaults; k++) {
			char f[64];

			fault_rule_format(&r->faults[k].rule, f, sizeof(f));
			fprintf(stderr, "%s %s (thread %u, event #%" PRIu64 ")", k ? "," : "", f, r->faults[k].tid,
				r->faults[k].event);
		}
		fputc('\n', stderr);
	}
	if (r->nrefusals) {
		unsigned k;

		fprintf(stderr, "  refused:");
		for (k = 0; k < r->nrefusals; k++) {
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)r->refusals[k].nr);

			fprintf(stderr, "%s %s (%s, %" PRIu64 "x)", k ? "," : "", name ? name : "?",
				strerrorname_np(r->refusals[k].err) ? strerrorname_np(r->refusals[k].err) : "?",
				r->refusals[k].count);
			free(name);
		}
		fputc('\n', stderr);
	}
	if (r->isolated && (r->created || r->modified || r->deleted))
		fprintf(stderr, "  files %u created, %u changed, %u deleted (in the overlay; see changes.json)\n",
			r->created, r->modified, r->deleted);
	if (trace_path)
		fprintf(stderr, "  trace %s\n", trace_path);
	fprintf(stderr, "  artifacts %s\n", x->rd.path);
	if (trace_path && strcmp(status, "pass") && strcmp(status, "error") && strcmp(x->mode, "replay"))
		fprintf(stderr, "  replay with: fozzy replay %s\n", trace_path);
}

/* Write report.json and the trace; returns the trace path (owned) or NULL. */
char *write_artifacts(const struct run_ctx *x, const struct sup_result *r, const char *record,
			     const char *status, cJSON *extra, cJSON **summary_out)
{
	struct trace t = { 0 };
	char *trace_path = xasprintf("%s/trace.fozzy", x->rd.abs_path), *report;
	bool ok = true;

	t.header = trace_header(x, r);
	t.footer = trace_footer(r);
	t.stream = r->stream;
	if (trace_write(trace_path, &t))
		ok = false;
	if (ok && record && trace_write(record, &t))
		ok = false;
	t.stream = (struct buf){ 0 };
	trace_release(&t);
	*summary_out = summary_json(x, r, status, record ? record : trace_path, extra);
	report = xasprintf("%s/report.json", x->rd.path);
	if (json_write_file(report, *summary_out))
		ok = false;
	free(report);
	if (!ok) {
		free(trace_path);
		return NULL;
	}
	if (record) {
		char full[PATH_MAX];

		free(trace_path);
		trace_path = xstrdup(realpath(record, full) ? full : record);
	}
	return trace_path;
}

static int run_and_report(struct run_ctx *x, const char *record, cJSON *(*check)(struct run_ctx *,
									 struct sup_result *, const char **))
{
	struct sup_result r;
	cJSON *summary = NULL, *extra = NULL;
	const char *status, *note = NULL;
	char *trace_path;
	int code;

	x->cfg.run_dir = x->rd.path;
	x->cfg.out_fd = x->json ? STDERR_FILENO : STDOUT_FILENO;
	x->cfg.err_fd = STDERR_FILENO;
	if (sup_run(&x->cfg, &r)) {
		sup_result_release(&r);
		return EXIT_ERROR;
	}
	if (r.fs_served) {
		/* a fork server's template: its child's fozzy reported the run and exited with its code */
		code = r.outcome == SUP_ERROR ? EXIT_ERROR
		       : WIFEXITED(x->fs_status) ? WEXITSTATUS(x->fs_status) : EXIT_ERROR;
		if (r.outcome == SUP_ERROR)
			error("%s", r.message);
		sup_result_release(&r);
		return code;
	}
	status = outcome_status(&r);
	if (check)
		extra = check(x, &r, &note);
	if (r.outcome == SUP_DIVERGED)
		status = "error";
	else if (!x->until)
		status = run_verdict(x, &r); /* a trace's recorded oracles judge its replay as they judged the run */
	if (r.preemptions && x->strict && strcmp(status, "error")) {
		/* Strict mode: a run that cannot be reproduced does not pass or fail; it is an error. */
		status = "error";
		snprintf(r.message, sizeof(r.message),
			 "strict mode: the run was preempted in user space, so it cannot be replayed; --unsafe accepts it");
	}
	trace_path = write_artifacts(x, &r, record, status, extra, &summary);
	if (x->json)
		json_print(summary);
	else
		print_human(x, &r, status, trace_path, note);
	code = status_exit_code(status);
	if (!trace_path)
		code = EXIT_ERROR;
	if (r.outcome == SUP_ERROR && !x->json)
		error("%s", r.message);
	free(trace_path);
	cJSON_Delete(summary);
	sup_result_release(&r);
	return code;
}

int mode_run(const struct run_opts *o)
{
	struct run_ctx x = { .mode = "run", .json = o->json, .strict = o->strict };
	char cwd[PATH_MAX], why[600];
	int code;

	if (o->record && record_lock(o->record, why, sizeof(why))) {
		error("%s", why);
		return EXIT_ERROR;
	}
	x.exe = program_or_error(o->cmd[0]);
	if (!x.exe)
		return EXIT_ERROR;
	if (hash_file(x.exe, x.exe_hash)) {
		error("cannot read '%s': %s", x.exe, strerror(errno));
		free(x.exe);
		return EXIT_ERROR;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		error("cannot get the working directory: %s", strerror(errno));
		free(x.exe);
		return EXIT_ERROR;
	}
	if (run_dir_create(&x.rd, o->base_dir)) {
		free(x.exe);
		return EXIT_ERROR;
	}
	x.user_env = environ;
	if (o->no_rt)
		x.runtime_note = "syscalls only (--no-rt)";
	else if (!is_dynamic(x.exe))
		x.runtime_note = "syscalls only: a static binary cannot preload libfozzy-rt";
	else if (!(x.runtime = find_runtime()))
		x.runtime_note = "syscalls only: libfozzy-rt.so was not found (set FOZZY_RT)";
	x.cfg = (struct sup_config){
		.exe = x.exe, .argv = o->cmd, .envp = environ, .cwd = cwd,
		.seed = o->seed, .det = o->det, .epoch_ns = o->epoch_ns, .cpus = o->cpus,
		.timeout_ns = o->timeout_ns, .wall_guard_ns = o->wall_timeout_ns,
		.strategy = o->strategy, .pct_depth = o->pct_depth, .hide_dir = o->base_dir,
		.pids_max = o->pids_max ? o->pids_max : 1024, .host_net = o->host_net,
	};
	if (ctx_faults(&x, o->faults, true, "run")) {
		remove_tree(x.rd.path);
		run_dir_release(&x.rd);
		free(x.runtime);
		free(x.exe);
		return EXIT_ERROR;
	}
	if (x.runtime)
		x.cfg.envp = env_with_runtime(environ, x.runtime);
	code = run_and_report(&x, o->record, NULL);
	if (x.runtime)
		free_runtime_env((char **)x.cfg.envp);
	free(x.runtime);
	run_dir_release(&x.rd);
	free(x.exe);
	return code;
}

/* Name of an environment entry "NAME=value" found in v (by name), or NULL. */
static const char *env_find(char *const *v, const char *entry)
{
	size_t n = strcspn(entry, "=");

	for (; v && *v; v++)
		if (!strncmp(*v, entry, n) && ((*v)[n] == '=' || !(*v)[n]))
			return *v;
	return NULL;
}

/* --host-env: say which variables differ from the recorded environment. */
static void env_diff(char *const *recorded, char *const *now)
{
	struct buf b = { 0 };
	char *const *v;

	for (v = now; v && *v; v++) {
		const char *old = env_find(recorded, *v);

		if (!old || strcmp(old, *v))
			buf_addf(&b, " %.*s (%s)", (int)strcspn(*v, "="), *v, old ? "changed" : "added");
	}
	for (v = recorded; v && *v; v++)
		if (!env_find(now, *v))
			buf_addf(&b, " %.*s (removed)", (int)strcspn(*v, "="), *v);
	if (b.len)
		warning("the environment differs from the recorded one:%.*s", (int)b.len, (char *)b.data);
	buf_release(&b);
}

/* After a replay: the outcome and the output must match the footer too. */
static cJSON *replay_compare(struct run_ctx *x, struct sup_result *r, const char **note)
{
	cJSON *extra = cJSON_CreateObject();
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(x->footer, "status");
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(x->footer, "stdout");
	const cJSON *hx = cJSON_GetObjectItemCaseSensitive(out, "xxh3");
	char hex[17];

	snprintf(hex, sizeof(hex), "%016" PRIx64, r->stdout_hash);
	if (x->until && r->outcome == SUP_TIMEOUT && !r->wall_guard) {
		/* stopped where asked: everything up to there matched */
		snprintf(r->message, sizeof(r->message), "the replay stopped at --until %" PRIu64 "ms of virtual time; it "
			 "matched up to there", x->cfg.timeout_ns / 1000000);
		cJSON_AddBoolToObject(extra, "match", true);
		cJSON_AddBoolToObject(extra, "stoppedAtUntil", true);
		cJSON_AddItemToObject(extra, "events", json_u64(r->events));
		*note = "replay: match (up to --until)";
		return extra;
	}
	if (r->outcome != SUP_DIVERGED && r->outcome != SUP_ERROR) {
		const char *got = outcome_status(r);

		if (!cJSON_IsString(st) || strcmp(st->valuestring, got)) {
			r->outcome = SUP_DIVERGED;
			r->divergence_index = r->events;
			snprintf(r->message, sizeof(r->message),
				 "replay diverged: the run ended '%s', the trace recorded '%s'",
				 got, cJSON_IsString(st) ? st->valuestring : "?");
		} else if (!cJSON_IsString(hx) || strcmp(hx->valuestring, hex)) {
			r->outcome = SUP_DIVERGED;
			r->divergence_index = r->events;
			snprintf(r->message, sizeof(r->message),
				 "replay diverged: the program's stdout differs from the recorded run");
		}
	}
	cJSON_AddBoolToObject(extra, "match", r->outcome != SUP_DIVERGED && r->outcome != SUP_ERROR);
	cJSON_AddItemToObject(extra, "events", json_u64(r->events));
	if (r->outcome == SUP_DIVERGED)
		cJSON_AddItemToObject(extra, "divergenceIndex", json_u64(r->divergence_index));
	*note = r->outcome == SUP_DIVERGED ? NULL : "replay: match";
	return extra;
}

/*
 * Set x up to run the program a trace recorded: its argv, environment,
 * working directory, runtime and configuration, after checking the program
 * is the same. `verb` names the command in errors ("replay", "shrink").
 */
int ctx_from_trace(struct run_ctx *x, const struct trace *t, const char *path, const char *verb,
			  char **cmd, int ncmd, bool host_env, uint64_t wall_ns, const char *base_dir)
{
	const cJSON *h = t->header, *prog, *kind, *rt, *sched, *pm, *net, *fz;
	uint64_t cpus = 1, depth = PCT_DEFAULT_DEPTH, seed, epoch, timeout, steps = 0, sched_seed = 0;
	enum sched_strategy strategy = STRAT_RANDOM;
	char hash_now[33];
	int i;

	kind = cJSON_GetObjectItemCaseSensitive(h, "kind");
	prog = cJSON_GetObjectItemCaseSensitive(h, "program");
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "native")) {
		error("cannot %s '%s': %s", verb, path,
		      !strcmp(verb, "replay") ? "only native program traces can be replayed here" : "only native program traces can be shrunk here");
		return -1;
	}
	x->argv = array_strings(cJSON_GetObjectItemCaseSensitive(prog, "argv"));
	x->envp = array_strings(cJSON_GetObjectItemCaseSensitive(prog, "env"));
	if (!x->argv || !x->argv[0] || !x->envp ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(prog, "path")) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(prog, "xxh3")) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(prog, "cwd")) ||
	    json_get_u64(h, "seed", &seed) || json_get_u64(h, "epochNs", &epoch) ||
	    json_get_u64(h, "timeoutNs", &timeout) || json_get_u64(h, "cpus", &cpus) ||
	    !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(h, "det"))) {
		error("cannot %s '%s': the trace header is incomplete", verb, path);
		return -1;
	}
	sched = cJSON_GetObjectItemCaseSensitive(h, "schedule");
	if ((sched && (!cJSON_IsString(sched) || sched_parse(sched->valuestring, &strategy))) ||
	    (cJSON_GetObjectItemCaseSensitive(h, "pctDepth") && json_get_u64(h, "pctDepth", &depth))) {
		error("cannot %s '%s': unknown schedule in the trace header", verb, path);
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(h, "pctSteps"))
		json_get_u64(h, "pctSteps", &steps);
	if (cJSON_GetObjectItemCaseSensitive(h, "scheduleSeed") && json_get_u64(h, "scheduleSeed", &sched_seed)) {
		error("cannot %s '%s': the trace header's scheduleSeed is not a number", verb, path);
		return -1;
	}
	x->exe = xstrdup(cJSON_GetObjectItemCaseSensitive(prog, "path")->valuestring);
	x->cwd = xstrdup(cJSON_GetObjectItemCaseSensitive(prog, "cwd")->valuestring);
	snprintf(x->exe_hash, sizeof(x->exe_hash), "%s",
		 cJSON_GetObjectItemCaseSensitive(prog, "xxh3")->valuestring);
	if (ncmd) {
		for (i = 0; i < ncmd && x->argv[i] && !strcmp(cmd[i], x->argv[i]); i++)
			;
		if (i != ncmd || x->argv[i]) {
			error("cannot %s '%s': the command differs from the recorded one (argument %d: recorded '%s', given '%s')",
			      verb, path, i, x->argv[i] ? x->argv[i] : "(none)", i < ncmd ? cmd[i] : "(none)");
			return -1;
		}
	}
	if (hash_file(x->exe, hash_now)) {
		error("cannot %s '%s': the program '%s' is gone: %s", verb, path, x->exe, strerror(errno));
		return -1;
	}
	if (strcmp(hash_now, x->exe_hash)) {
		error("cannot %s '%s': the program '%s' changed since it was recorded (xxh3 %s, recorded %s)",
		      verb, path, x->exe, hash_now, x->exe_hash);
		return -1;
	}
	rt = cJSON_GetObjectItemCaseSensitive(h, "runtime");
	if (cJSON_IsString(rt)) {
		if (access(rt->valuestring, R_OK)) {
			error("cannot %s '%s': the runtime '%s' it was recorded with is gone", verb, path,
			      rt->valuestring);
			return -1;
		}
		x->runtime = xstrdup(rt->valuestring);
	} else {
		x->runtime_note = "syscalls only";
	}
	if (host_env)
		env_diff(x->envp, environ);
	x->user_env = host_env ? environ : x->envp;
	x->cfg = (struct sup_config){
		.exe = x->exe, .argv = x->argv, .envp = x->user_env, .cwd = x->cwd,
		.seed = seed, .det = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "det")),
		.epoch_ns = epoch, .cpus = (unsigned)cpus, .timeout_ns = timeout,
		.wall_guard_ns = wall_ns, .strategy = strategy, .pct_depth = (unsigned)depth,
		.pct_steps = steps, .hide_dir = base_dir, .pids_max = 1024, .out_fd = -1, .err_fd = -1,
		.has_sched_seed = cJSON_GetObjectItemCaseSensitive(h, "scheduleSeed") != NULL,
		.sched_seed = sched_seed,
	};
	pm = cJSON_GetObjectItemCaseSensitive(h, "pidsMax");
	if (cJSON_IsNumber(pm) && pm->valuedouble >= 1 && pm->valuedouble <= 1000000)
		x->cfg.pids_max = (unsigned)pm->valuedouble;
	net = cJSON_GetObjectItemCaseSensitive(h, "net");
	x->cfg.host_net = cJSON_IsString(net) && !strcmp(net->valuestring, "host");
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(h, "faults")) &&
	    ctx_faults(x, cJSON_GetObjectItemCaseSensitive(h, "faults")->valuestring, false, verb))
		return -1;
	fz = cJSON_GetObjectItemCaseSensitive(h, "fuzz");
	if (fz) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(fz, "inputHex");

		if (hex_decode(cJSON_GetStringValue(in), &x->input)) {
			error("cannot %s '%s': the fuzz input in the trace header is not hex", verb, path);
			return -1;
		}
		x->cfg.input = &x->input;
		x->cfg.input_stdin = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fz, "stdin"));
		x->cfg.coverage = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fz, "coverage"));
		x->fork_server = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fz, "forkServer"));
	}
	if (cJSON_GetObjectItemCaseSensitive(h, "output")) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "output")) ?: "", "files")) {
			error("cannot %s '%s': unknown output in the trace header", verb, path);
			return -1;
		}
		x->cfg.capture_files = true;
	}
	if (cJSON_GetObjectItemCaseSensitive(h, "forkServer")) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "forkServer")) ?: "", "rt")) {
			error("cannot %s '%s': unknown forkServer in the trace header", verb, path);
			return -1;
		}
		x->fork_server = true;
		x->cfg.fs_rt = true;
	}
	x->footer = t->footer;
	{
		/* explore's oracles, as recorded */
		const cJSON *orc = cJSON_GetObjectItemCaseSensitive(h, "oracles"), *ee, *so;
		uint64_t v;

		ee = cJSON_GetObjectItemCaseSensitive(orc, "expectExit");
		so = cJSON_GetObjectItemCaseSensitive(orc, "expectStdout");
		if (cJSON_IsNumber(ee)) {
			x->has_expect_exit = true;
			x->expect_exit = ee->valueint;
		}
		if (so) {
			const char *hx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(so, "xxh3"));

			if (!hx || strlen(hx) != 16 || strspn(hx, "0123456789abcdef") != 16 || json_get_u64(so, "bytes", &v)) {
				error("cannot %s '%s': the trace's expectStdout oracle is malformed", verb, path);
				return -1;
			}
			x->want_hash = strtoull(hx, NULL, 16);
			x->want_len = v;
			x->oracle_file = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(so, "file")) ?: "?");
			x->expect_stdout = x->oracle_file;
		}
	}
	if (x->runtime)
		x->cfg.envp = env_with_runtime(x->user_env, x->runtime);
	return 0;
}

int ctx_run(struct run_ctx *x, const char *base, struct sup_result *r)
{
	memset(r, 0, sizeof(*r));
	if (run_dir_create(&x->rd, base))
		return -1;
	x->cfg.run_dir = x->rd.path;
	if (sup_run(&x->cfg, r)) {
		remove_tree(x->rd.path);
		run_dir_release(&x->rd);
		sup_result_release(r);
		return -1;
	}
	return 0;
}

void ctx_release(struct run_ctx *x)
{
	if (x->runtime && x->cfg.envp && x->cfg.envp != x->user_env)
		free_runtime_env((char **)x->cfg.envp);
	free_strings(x->argv);
	free_strings(x->envp);
	buf_release(&x->input);
	free(x->exe);
	free(x->cwd);
	free(x->runtime);
	free(x->oracle_file);
}

/* Replay of a fork-server trace: the recorded input once, then the child fozzy's status. */
static int replay_fs_next(void *arg, const void *report, size_t len, int status, const struct buf **input)
{
	struct run_ctx *x = arg;

	(void)report;
	(void)len;
	if (x->fs_given || !input) {
		x->fs_status = status;
		return 0;
	}
	x->fs_given = true;
	*input = &x->input;
	return 1;
}

/*
 * Replay of an fn: fuzz target's trace: the function runs again on the
 * recorded input, in a forked child, with the recorded real-time guard. It
 * matches when it ends the same way (status and finding signature).
 */
static int fn_replay(const struct replay_opts *o, const struct trace *t)
{
	const char *target = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->header, "target")) ?: "";
	const cJSON *fz = cJSON_GetObjectItemCaseSensitive(t->header, "fuzz"), *fd;
	const char *hx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fz, "inputHex"));
	const struct fn_target *fn = strncmp(target, "fn:", 3) ? NULL : fn_find(target + 3);
	struct fn_result r;
	struct buf in = { 0 };
	uint64_t wall = 5000000000ULL;
	char status[16], kind[64], sig[400], title[400];
	const char *want_status, *want_sig;
	bool match;
	cJSON *doc;
	int code;

	if (!fn) {
		error("cannot replay '%s': unknown fn: target '%s'", o->trace, target);
		return EXIT_ERROR;
	}
	if (hex_decode(hx, &in)) {
		buf_release(&in);
		error("cannot replay '%s': the fuzz input in the trace header is not hex", o->trace);
		return EXIT_ERROR;
	}
	json_get_u64(t->header, "wallTimeoutNs", &wall);
	if (fn_exec(fn, in.data ? in.data : (const uint8_t *)"", in.len, wall ? wall : 5000000000ULL, &r)) {
		buf_release(&in);
		error("cannot replay '%s': cannot run %s: %s", o->trace, target, strerror(errno));
		return EXIT_ERROR;
	}
	fn_classify(&r, status, sizeof(status), kind, sizeof(kind), sig, sizeof(sig), title, sizeof(title));
	fd = cJSON_GetObjectItemCaseSensitive(t->footer, "finding");
	want_status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->footer, "status")) ?: "";
	want_sig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fd, "signature")) ?: "";
	match = !strcmp(status, want_status) && !strcmp(sig, want_sig);
	code = match ? status_exit_code(status) : EXIT_ERROR;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "status", match ? status : "error");
	cJSON_AddStringToObject(doc, "mode", "replay");
	cJSON_AddStringToObject(doc, "target", target);
	cJSON_AddStringToObject(doc, "trace", o->trace);
	cJSON_AddNumberToObject(doc, "inputBytes", (double)in.len);
	cJSON_AddBoolToObject(doc, "match", match);
	if (title[0]) {
		cJSON *f = cJSON_AddObjectToObject(doc, "finding");

		cJSON_AddStringToObject(f, "kind", kind);
		cJSON_AddStringToObject(f, "title", title);
		cJSON_AddStringToObject(f, "signature", sig);
	}
	cJSON_AddStringToObject(doc, "said", r.why);
	if (o->json) {
		json_print(doc);
	} else {
		fprintf(stderr, "fozzy replay %s\n  %s\n  target %s, %zu input bytes\n", match ? (!strcmp(status, "pass") ? "PASS" :
			!strcmp(status, "crash") ? "CRASH" : !strcmp(status, "timeout") ? "TIMEOUT" : "FAIL") : "DIVERGED",
			match ? "replay: match" : "replay: the function ended another way", target, in.len);
		if (title[0])
			fprintf(stderr, "  finding: %s\n", title);
		if (!match)
			fprintf(stderr, "  recorded: %s %s\n  now: %s %s\n", want_status, want_sig, status, sig);
		if (r.err.len)
			fprintf(stderr, "%.*s", (int)(r.err.len > 65536 ? 65536 : r.err.len), (const char *)r.err.data);
	}
	cJSON_Delete(doc);
	fn_result_release(&r);
	buf_release(&in);
	return code;
}

/* --until: the virtual time where the replay stops (a --det trace only). */
static int replay_until(struct run_ctx *x, const struct replay_opts *o)
{
	if (!o->has_until)
		return 0;
	if (!x->cfg.det) {
		error("cannot replay '%s' --until: it was recorded without --det, so it has no virtual clock", o->trace);
		return -1;
	}
	if (x->cfg.timeout_ns && x->cfg.timeout_ns <= o->until_ns)
		return 0; /* the recorded --timeout comes first */
	x->cfg.timeout_ns = o->until_ns ? o->until_ns : 1;
	x->until = true;
	return 0;
}

int mode_replay(const struct replay_opts *o)
{
	struct run_ctx x = { .mode = "replay", .json = o->json, .strict = true };
	struct trace t;
	char why[256];
	int code = EXIT_ERROR;

	if (trace_load(o->trace, &t, why, sizeof(why))) {
		if (o->json)
			json_print_error(why);
		error("cannot replay '%s': %s", o->trace, why);
		return EXIT_ERROR;
	}
	if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t.header, "kind")) ?: "", "fn")) {
		code = o->ncmd || o->has_until || o->dump_events || o->profile_full || o->export_format
			       ? (error("cannot replay '%s' with a command or --until/--dump-events/--profile-*: it is the "
					"trace of an fn: fuzz target", o->trace), EXIT_ERROR)
			       : fn_replay(o, &t);
		trace_release(&t);
		return code;
	}
	if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t.header, "kind")) ?: "", "scenario")) {
		trace_release(&t);
		if (o->ncmd) {
			error("a scenario trace takes no command after --");
			return EXIT_ERROR;
		}
		return mode_scenario_replay(o);
	}
	if (o->dump_events || o->profile_full || o->export_format) {
		error("cannot replay '%s' with %s: it applies to scenario traces (a native trace holds its events: fozzy "
		      "trace dump)", o->trace, o->export_format ? "--profile-export-format" : o->dump_events ? "--dump-events"
		      : "--profile-capture full");
		trace_release(&t);
		return EXIT_ERROR;
	}
	if (!ctx_from_trace(&x, &t, o->trace, "replay", o->cmd, o->ncmd, o->host_env, o->wall_timeout_ns,
			    o->base_dir) &&
	    !replay_until(&x, o) && !run_dir_create(&x.rd, o->base_dir)) {
		x.cfg.replay = &t.stream;
		if (x.fork_server) {
			x.cfg.fs_next = replay_fs_next;
			x.cfg.fs_arg = &x;
		}
		code = run_and_report(&x, NULL, replay_compare);
		run_dir_release(&x.rd);
	}
	ctx_release(&x);
	trace_release(&t);
	return code;
}

/* ---- explore: many runs, each a different schedule, until one fails ---- */

void explore_opts_init(struct explore_opts *o)
{
	memset(o, 0, sizeof(*o));
	run_opts_init(&o->run);
	o->run.det = true;
	o->runs = 500;
	o->expect_exit = -1;
	o->preemption_bound = 2;
}

/* A run's verdict, with the --expect-* oracles applied; message in r->message. */
const char *run_verdict(const struct run_ctx *x, struct sup_result *r)
{
	const char *status = outcome_status(r);

	if (!x->expect_stdout && !x->has_expect_exit)
		return status;
	if (strcmp(status, "pass") && strcmp(status, "fail"))
		return status;
	if (x->has_expect_exit) {
		if (r->outcome != SUP_EXITED || r->exit_code != x->expect_exit) {
			if (r->outcome == SUP_EXITED)
				snprintf(r->message, sizeof(r->message), "--expect-exit %d: the program exited with %d",
					 x->expect_exit, r->exit_code);
			return "fail";
		}
		status = "pass"; /* the expected exit: now the output, if asked */
	}
	if (!strcmp(status, "pass") && x->expect_stdout &&
	    (r->stdout_hash != x->want_hash || r->stdout_len != x->want_len)) {
		snprintf(r->message, sizeof(r->message),
			 "--expect-stdout: the output differs from '%s' (%" PRIu64 " bytes, expected %" PRIu64 ")",
			 x->expect_stdout, r->stdout_len, x->want_len);
		return "fail";
	}
	return status;
}

/* The interleaving of a run: the thread of each event, in order (decision values aside). */
static uint64_t interleaving_hash(const struct buf *stream)
{
	XXH3_state_t *h = XXH3_createState();
	size_t pos = 0;
	struct ev e;
	uint64_t out;

	XXH3_64bits_reset(h);
	while (pos < stream->len && !ev_decode(stream->data, stream->len, &pos, &e))
		if (!ev_is_decision(e.tag))
			XXH3_64bits_update(h, &e.tid, sizeof(e.tid));
	out = XXH3_64bits_digest(h);
	XXH3_freeState(h);
	return out;
}

static void explore_progress(uint64_t runs, uint64_t distinct, uint64_t t0, bool done)
{
	double secs = (double)(now_mono_ns() - t0) / 1e9;

	fprintf(stderr, "\r  explore: %" PRIu64 " runs, %.0f runs/s, %" PRIu64 " distinct schedules, %.1f s%s",
		runs, secs > 0 ? (double)runs / secs : 0.0, distinct, secs, done ? "\n" : "");
}

/* What one run of explore tells the coordinator; fixed size, as it crosses a pipe from a worker. */
struct explore_run {
	uint64_t index, interleaving, steps, seed;
	uint64_t fault_seen[FC_N];
	char faults[256];   /* the faults injected, "write:EIO@2 (thread 1, event #40)", ... */
	int failed; /* 0 pass, 1 failed, -1 fozzy could not run it */
	int interrupted; /* Ctrl-C or SIGTERM cut it short: not counted */
	int outcome, exit_code, signal;
	char status[16];
	char message[512];
	char detail[2048];
	char trace[1024];
	char dir[1024];
};

/* Ctrl-C or SIGTERM: the search ends after the runs in flight, and reports what it has. */
static volatile sig_atomic_t explore_stop;

static void on_explore_signal(int sig)
{
	(void)sig;
	explore_stop = 1;
}

/*
 * With --shard i/n, this shard's run k (k >= 1) is run (k-1)*n + i + 1 of the
 * whole search: the shards split runs 1, 2, ... between them, and each makes
 * run 0 itself (it calibrates pct and the placement of faults).
 */
static uint64_t explore_global(const struct explore_opts *o, uint64_t k)
{
	if (!k || o->shards < 2)
		return k;
	return (k - 1) * o->shards + o->shard + 1;
}

struct explore_ctx {
	const struct explore_opts *o;
	struct run_ctx x;
	struct explore_slot {    /* per run index: enough to count and to find the first failure */
		uint64_t interleaving;
		int8_t failed;
		bool ran;
	} *slots;
	uint64_t done;           /* slots below this may have run */
	uint64_t fault_seen[FC_N]; /* calls of each fault class in run 0 */
	struct explore_run fail; /* the failure of the lowest index so far (fail.failed != 0) */
	struct buf *picks_out;   /* dfs: the scheduling decisions of the last run */
	struct buf *stream_out;  /* coverage_guided: the event stream of the last run */
	uint64_t cov_pairs, cov_corpus; /* coverage_guided: pairs seen, schedules kept */
	char dfs_note[160];      /* dfs: how far the bounded space was searched */
	/* the fork server: the client's end (this process's server) */
	bool use_srv;
	struct { pid_t pid; int req, resp, state; } srv; /* state 0 not started, 1 serving, -1 none */
	/* ... and the server's own state */
	int srv_req, srv_resp;
	bool srv_announced, srv_busy, srv_eof;
	uint64_t srv_index;
	uint32_t srv_want;
	struct sup_guide *srv_guide;
	struct sigaction old_int, old_term;
};

static const char *const explore_kept[] = { "stdout", "stderr", "changes.json", "cpus" };

/* Take the result of one run: keep the lowest failure, drop the folders of the others. */
static void explore_take(struct explore_ctx *e, const struct explore_run *out)
{
	struct explore_slot *sl = &e->slots[out->index];

	if (out->interrupted) {
		if (out->dir[0])
			remove_tree(out->dir);
		return;
	}
	sl->ran = true;
	sl->failed = (int8_t)out->failed;
	sl->interleaving = out->interleaving;
	if (out->index + 1 > e->done)
		e->done = out->index + 1;
	if (!out->failed)
		return;
	if (e->fail.failed && e->fail.index < out->index) {
		if (out->dir[0])
			remove_tree(out->dir);
		return;
	}
	if (e->fail.failed && e->fail.dir[0])
		remove_tree(e->fail.dir);
	e->fail = *out;
}

/*
 * Run number `index`: the world of --seed (clock, randomness, pids), the
 * schedule of seed base+index. A failing run keeps its folder and trace.
 * In a fork server (explore_srv_run) when the program has one, else whole.
 */
static void explore_one_plan(struct explore_ctx *e, uint64_t index, struct explore_run *out,
			     struct fault_plan *plan);
static int explore_srv_run(struct explore_ctx *e, uint64_t index, struct explore_run *out);

static void explore_one(struct explore_ctx *e, uint64_t index, struct explore_run *out)
{
	const struct fault_plan *saved = e->x.cfg.faults;
	struct fault_plan plan;

	if (explore_srv_run(e, index, out) == 0 && !out->interrupted)
		return;
	if (explore_stop) {
		memset(out, 0, sizeof(*out));
		out->index = index;
		out->interrupted = 1;
		return;
	}
	explore_one_plan(e, index, out, &plan);
	e->x.cfg.faults = saved;
}

/* The result of a run whose folder is x->rd: counted, and for a failure its artifacts written. */
static void explore_result(struct explore_ctx *e, struct sup_result *r, struct explore_run *out)
{
	struct run_ctx *x = &e->x;
	cJSON *summary = NULL;
	const char *status;
	char *trace;

	out->interleaving = interleaving_hash(&r->stream);
	out->steps = r->sched_steps;
	if (e->picks_out) {
		e->picks_out->len = 0;
		buf_add(e->picks_out, r->picks.data, r->picks.len);
	}
	if (e->stream_out) {
		e->stream_out->len = 0;
		buf_add(e->stream_out, r->stream.data, r->stream.len);
	}
	memcpy(out->fault_seen, r->fault_seen, sizeof(out->fault_seen));
	{
		size_t used = 0;
		unsigned k;

		for (k = 0; k < r->nfaults && used + 1 < sizeof(out->faults); k++) {
			char f[64];

			fault_rule_format(&r->faults[k].rule, f, sizeof(f));
			used += (size_t)snprintf(out->faults + used, sizeof(out->faults) - used,
						 "%s%s (thread %u, event #%" PRIu64 ")", k ? ", " : "", f,
						 r->faults[k].tid, r->faults[k].event);
		}
	}
	status = run_verdict(x, r);
	if (!strcmp(status, "pass") && r->preemptions && x->strict) {
		status = "error";
		snprintf(r->message, sizeof(r->message),
			 "strict mode: the run was preempted in user space, so it cannot be replayed; --unsafe accepts it");
	}
	snprintf(out->status, sizeof(out->status), "%s", status);
	out->outcome = (int)r->outcome;
	out->exit_code = r->exit_code;
	out->signal = r->signal;
	snprintf(out->message, sizeof(out->message), "%s", r->message);
	snprintf(out->detail, sizeof(out->detail), "%.*s", (int)(r->detail.len < sizeof(out->detail) ? r->detail.len : sizeof(out->detail) - 1),
		 r->detail.data ? (const char *)r->detail.data : "");
	out->failed = 0;
	if (strcmp(status, "pass")) {
		out->failed = 1;
		fsync_files(x->rd.path, explore_kept, ARRAY_SIZE(explore_kept)); /* written as scratch: now kept */
		trace = write_artifacts(x, r, NULL, status, NULL, &summary);
		snprintf(out->trace, sizeof(out->trace), "%s", trace ? trace : "");
		snprintf(out->dir, sizeof(out->dir), "%s", x->rd.path);
		free(trace);
		cJSON_Delete(summary);
	}
}

static void explore_one_plan(struct explore_ctx *e, uint64_t index, struct explore_run *out,
			     struct fault_plan *planp)
{
	struct run_ctx *x = &e->x;
	struct sup_result r = { 0 };

	memset(out, 0, sizeof(*out));
	out->index = index;
	out->failed = -1;
	x->cfg.sched_seed = e->o->run.seed + explore_global(e->o, index);
	out->seed = x->cfg.sched_seed;
	if (x->cfg.faults) {
		/* this run's plan: the open faults placed from its seed (none in run 0) */
		*planp = x->plan;
		if (index)
			fault_plan_choose(planp, e->fault_seen, x->cfg.sched_seed);
		x->cfg.faults = planp;
	}
	if (ctx_run(x, e->o->run.base_dir, &r))
		return;
	explore_result(e, &r, out);
	if (r.interrupted) {
		explore_stop = 1;
		out->interrupted = 1;
	}
	if (!out->failed || out->interrupted)
		remove_tree(x->rd.path);
	run_dir_release(&x->rd);
	sup_result_release(&r);
}

/*
 * ---- explore's fork server ----
 *
 * A fork of this process (the server) starts the program once and keeps it
 * at libfozzy-rt's fork-server point; each run is then a fork of it, taken
 * over by a fork of the server that reports the run's explore_run (and the
 * picks or events the strategy asked for). The world is the same in every
 * run (--seed); only the schedule differs, seeded at that point, so a run
 * is the same forked or whole. A run that changed the overlay ends its
 * server (the next run would see its files) and a new one starts. Faults
 * count calls from exec, so with --faults every run is whole.
 */
struct srv_req {
	uint64_t index, pct_steps;
	uint32_t nguide, want; /* want: 1 the picks, 2 the event stream */
};

static void srv_send(int fd, const struct explore_run *out, const struct buf *picks, const struct buf *stream)
{
	uint32_t n[2] = { picks ? (uint32_t)picks->len : 0, stream ? (uint32_t)stream->len : 0 };
	struct buf b = { 0 };

	buf_add(&b, out, sizeof(*out));
	buf_add(&b, n, sizeof(n));
	if (n[0])
		buf_add(&b, picks->data, n[0]);
	if (n[1])
		buf_add(&b, stream->data, n[1]);
	if (fd_write_all(fd, b.data, b.len))
		_exit(1);
	buf_release(&b);
}

/* In the fork of the server that ran one child: its result, then the end of this process. */
static void NORETURN_srv_child(struct explore_ctx *e, struct sup_result *r) __attribute__((noreturn));
static void NORETURN_srv_child(struct explore_ctx *e, struct sup_result *r)
{
	static const char *const files[] = { "stdout", "stderr", "changes.json", "cpus" };
	struct run_ctx *x = &e->x;
	struct explore_run out;
	struct buf picks = { 0 }, stream = { 0 };
	char *tpl = xstrdup(x->rd.path);
	size_t i;

	memset(&out, 0, sizeof(out));
	out.index = e->srv_index;
	out.seed = x->cfg.sched_seed;
	out.failed = -1;
	e->picks_out = (e->srv_want & 1) ? &picks : NULL;
	e->stream_out = (e->srv_want & 2) ? &stream : NULL;
	if (strcmp(run_verdict(x, r), "pass") || (r->preemptions && x->strict)) {
		/* a failure: a folder of its own, with the template's copies of this run's files */
		if (run_dir_create(&x->rd, e->o->run.base_dir)) {
			snprintf(out.message, sizeof(out.message), "cannot create a run folder in '%s'", e->o->run.base_dir);
			sup_fs_report(&out, sizeof(out));
			_exit(1);
		}
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			char *from = xasprintf("%s/%s", tpl, files[i]), *to = xasprintf("%s/%s", x->rd.path, files[i]);
			struct buf b = { 0 };

			if (!read_file(from, &b))
				write_file_atomic(to, b.data ? b.data : (const uint8_t *)"", b.len);
			buf_release(&b);
			free(from);
			free(to);
		}
	}
	explore_result(e, r, &out);
	out.interrupted = r->interrupted;
	{
		struct buf b = { 0 };
		uint32_t n[2] = { (uint32_t)picks.len, (uint32_t)stream.len };

		buf_add(&b, &out, sizeof(out));
		buf_add(&b, n, sizeof(n));
		buf_add(&b, picks.data, picks.len);
		buf_add(&b, stream.data, stream.len);
		_exit(sup_fs_report(b.data, b.len) ? 1 : 0);
	}
}

/* The server's fs_next: forward the last child's result, then read the next request. */
static int srv_next(void *arg, const void *report, size_t len, int status, const struct buf **input)
{
	static const struct buf none = { 0 };
	struct explore_ctx *e = arg;
	struct run_ctx *x = &e->x;
	struct srv_req q;
	char c = 'y';

	if (!e->srv_announced) {
		e->srv_announced = true;
		if (fd_write_all(e->srv_resp, &c, 1))
			return 0;
	}
	if (e->srv_busy) {
		e->srv_busy = false;
		if (report && len >= sizeof(struct explore_run) + 2 * sizeof(uint32_t)) {
			if (fd_write_all(e->srv_resp, report, len))
				return 0;
		} else {
			struct explore_run out;

			memset(&out, 0, sizeof(out));
			out.index = e->srv_index;
			out.failed = -1;
			snprintf(out.message, sizeof(out.message), "a fork-server run ended without a result (%s %d)",
				 WIFSIGNALED(status) ? "signal" : "exit status",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			srv_send(e->srv_resp, &out, NULL, NULL);
		}
	}
	if (!input)
		return 0; /* this server ends: its run changed the overlay */
	if (fd_read_all(e->srv_req, &q, sizeof(q)) || q.nguide > 1u << 20) {
		e->srv_eof = true;
		return 0;
	}
	free(e->srv_guide);
	e->srv_guide = q.nguide ? xcalloc(q.nguide, sizeof(*e->srv_guide)) : NULL;
	if (q.nguide && fd_read_all(e->srv_req, e->srv_guide, q.nguide * sizeof(*e->srv_guide))) {
		e->srv_eof = true;
		return 0;
	}
	x->cfg.guide = e->srv_guide;
	x->cfg.guide_len = q.nguide;
	x->cfg.pct_steps = q.pct_steps;
	x->cfg.sched_seed = e->o->run.seed + explore_global(e->o, q.index);
	e->srv_index = q.index;
	e->srv_want = q.want;
	e->srv_busy = true;
	*input = &none;
	return 1;
}

/* The server process: templates, one after another while runs change the overlay. */
static void NORETURN_srv_main(struct explore_ctx *e, int req, int resp) __attribute__((noreturn));
static void NORETURN_srv_main(struct explore_ctx *e, int req, int resp)
{
	struct run_ctx *x = &e->x;
	char c = 'n';

	e->srv_req = req;
	e->srv_resp = resp;
	x->cfg.fs_next = srv_next;
	x->cfg.fs_arg = e;
	x->cfg.fs_rt = true;
	x->cfg.guide = NULL;
	x->cfg.guide_len = 0;
	for (;;) {
		struct sup_result r = { 0 };
		bool again;

		if (ctx_run(x, e->o->run.base_dir, &r))
			break;
		if (r.fs_child)
			NORETURN_srv_child(e, &r);
		again = r.fs_served && r.fs_dirty && !e->srv_eof;
		remove_tree(x->rd.path);
		run_dir_release(&x->rd);
		sup_result_release(&r);
		if (!again)
			break;
	}
	if (!e->srv_announced)
		(void)!write(resp, &c, 1); /* no fork-server point: the program runs whole */
	_exit(0);
}

/* Start this process's server; 0 when it serves, -1 when runs must be whole. */
static int explore_srv_start(struct explore_ctx *e)
{
	int a[2], b[2];
	char c = 0;
	pid_t pid;

	if (pipe2(a, O_CLOEXEC))
		return -1;
	if (pipe2(b, O_CLOEXEC)) {
		close(a[0]);
		close(a[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		NORETURN_srv_main(e, a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	e->srv.pid = pid;
	e->srv.req = a[1];
	e->srv.resp = b[0];
	if (pid < 0 || fd_read_all(e->srv.resp, &c, 1) || c != 'y')
		return -1;
	return 0;
}

static void explore_srv_stop(struct explore_ctx *e)
{
	if (e->srv.req >= 0)
		close(e->srv.req);
	if (e->srv.resp >= 0)
		close(e->srv.resp);
	e->srv.req = e->srv.resp = -1;
	if (e->srv.pid > 0)
		while (waitpid(e->srv.pid, NULL, 0) < 0 && errno == EINTR)
			;
	e->srv.pid = 0;
}

/* n bytes of a server's answer into *into (replaced), or read and dropped when into is NULL. 0 or -1. */
static int srv_read_part(int fd, struct buf *into, uint32_t n)
{
	struct buf tmp = { 0 }, *p = into ? into : &tmp;
	int rc = 0;

	p->len = 0;
	if (n) {
		buf_grow(p, n);
		rc = fd_read_all(fd, p->data, n);
		p->len = rc ? 0 : n;
	}
	buf_release(&tmp);
	return rc;
}

/* Run `index` in this process's server: 0 with *out, or -1 (the run is to be made whole). */
static int explore_srv_run(struct explore_ctx *e, uint64_t index, struct explore_run *out)
{
	struct srv_req q = { .index = index, .pct_steps = e->x.cfg.pct_steps,
			     .nguide = (uint32_t)e->x.cfg.guide_len,
			     .want = (e->picks_out ? 1u : 0u) | (e->stream_out ? 2u : 0u) };
	uint32_t n[2];

	if (e->srv.state < 0 || !e->use_srv)
		return -1;
	if (!e->srv.state) {
		e->srv.state = explore_srv_start(e) ? -1 : 1;
		if (e->srv.state < 0) {
			explore_srv_stop(e);
			return -1;
		}
	}
	if (fd_write_all(e->srv.req, &q, sizeof(q)) ||
	    (q.nguide && fd_write_all(e->srv.req, e->x.cfg.guide, q.nguide * sizeof(*e->x.cfg.guide))) ||
	    fd_read_all(e->srv.resp, out, sizeof(*out)) || fd_read_all(e->srv.resp, n, sizeof(n)))
		goto gone;
	if (srv_read_part(e->srv.resp, e->picks_out, n[0]) || srv_read_part(e->srv.resp, e->stream_out, n[1]))
		goto gone;
	if (out->interrupted)
		explore_stop = 1;
	return 0;
gone:
	if (explore_stop) {
		/* interrupted: the server was told too */
		memset(out, 0, sizeof(*out));
		out->index = index;
		out->interrupted = 1;
		e->srv.state = -1;
		explore_srv_stop(e);
		return 0;
	}
	/* the server died: this run and the next ones are made whole */
	warning("explore: the fork server stopped; the remaining runs start the program each time");
	e->srv.state = -1;
	explore_srv_stop(e);
	return -1;
}

struct worker {
	pid_t pid;
	int req, resp;   /* parent's ends */
	bool busy;
};

/* A worker: runs the indices it is sent until its request pipe closes. */
static void NORETURN_worker(struct explore_ctx *e, int req, int resp, unsigned cpu) __attribute__((noreturn));
static void NORETURN_worker(struct explore_ctx *e, int req, int resp, unsigned cpu)
{
	struct explore_run out;
	uint64_t index;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	/* the parent's fork server is the parent's: this worker starts its own */
	if (e->srv.req >= 0)
		close(e->srv.req);
	if (e->srv.resp >= 0)
		close(e->srv.resp);
	e->srv.req = e->srv.resp = -1;
	e->srv.pid = 0;
	if (e->srv.state > 0)
		e->srv.state = 0;
	while (!fd_read_all(req, &index, sizeof(index))) {
		explore_one(e, index, &out);
		if (fd_write_all(resp, &out, sizeof(out)))
			break;
	}
	explore_srv_stop(e);
	_exit(0);
}

/*
 * Runs 1..o->runs-1 on `jobs` worker processes, handed out in index order.
 * The result is the same for any number of workers: the failure reported is
 * the one of the lowest index, and no index above it counts.
 */
static void explore_parallel(struct explore_ctx *e, unsigned jobs, uint64_t t0)
{
	const struct explore_opts *o = e->o;
	struct worker *w = xcalloc(jobs, sizeof(*w));
	struct pollfd *pf = xcalloc(jobs, sizeof(*pf));
	uint64_t next = 1, min_fail = UINT64_MAX, busy = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned k;

	fflush(NULL);
	for (k = 0; k < jobs; k++) {
		int a[2], b[2];

		if (pipe2(a, O_CLOEXEC) || pipe2(b, O_CLOEXEC))
			break;
		w[k].pid = fork();
		if (w[k].pid == 0) {
			unsigned j;

			/* The other workers' pipe ends: held here, their workers would never see EOF. */
			for (j = 0; j < k; j++) {
				close(w[j].req);
				close(w[j].resp);
			}
			close(a[1]);
			close(b[0]);
			NORETURN_worker(e, a[0], b[1], (unsigned)(k % (unsigned)(ncpu > 0 ? ncpu : 1)));
		}
		close(a[0]);
		close(b[1]);
		w[k].req = a[1];
		w[k].resp = b[0];
		if (w[k].pid < 0) {
			close(w[k].req);
			close(w[k].resp);
			w[k].req = w[k].resp = -1;
		}
	}
	for (;;) {
		bool time_up = (o->time_ns && now_mono_ns() - t0 >= o->time_ns) || explore_stop;

		for (k = 0; k < jobs; k++) {
			if (w[k].req < 0 || w[k].busy || next >= o->runs || next > min_fail || time_up)
				continue;
			if (fd_write_all(w[k].req, &next, sizeof(next))) {
				close(w[k].req);
				w[k].req = -1;
				continue;
			}
			w[k].busy = true;
			busy++;
			next++;
		}
		if (!busy)
			break;
		for (k = 0; k < jobs; k++) {
			pf[k].fd = w[k].busy ? w[k].resp : -1;
			pf[k].events = POLLIN;
			pf[k].revents = 0;
		}
		if (poll(pf, jobs, -1) < 0 && errno != EINTR)
			break;
		for (k = 0; k < jobs; k++) {
			struct explore_run out;

			if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			w[k].busy = false;
			busy--;
			if (fd_read_all(w[k].resp, &out, sizeof(out))) {
				close(w[k].req);
				w[k].req = -1;
				continue;
			}
			if (out.index >= o->runs)
				continue;
			explore_take(e, &out);
			if (out.failed && out.index < min_fail)
				min_fail = out.index;
		}
	}
	for (k = 0; k < jobs; k++) {
		if (w[k].req >= 0)
			close(w[k].req);
		if (w[k].resp >= 0)
			close(w[k].resp);
		if (w[k].pid > 0)
			while (waitpid(w[k].pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
	free(pf);
	free(w);
}

/* A dfs node: the preemptions a schedule makes, in the order they happen. */
struct dfs_node {
	struct sup_guide g[PCT_MAX_DEPTH + 1];
	unsigned n;
};

/*
 * dfs: every schedule with at most B preemptions, by increasing bound. A
 * node's children add one preemption at a decision after its last one, to
 * each other runnable thread. Runs 1.. of explore; run 0 (no preemption) is
 * done. Returns true when the whole bounded space was searched.
 */
static bool explore_dfs(struct explore_ctx *e, uint64_t t0, const struct buf *picks0)
{
	const struct explore_opts *o = e->o;
	struct dfs_node *level = xcalloc(1, sizeof(*level)), *next = NULL;
	size_t nlevel = 1, nnext = 0, cap = 0, i, k;
	struct buf picks = { 0 };
	uint64_t index = 1, tried = 0;
	unsigned bound;
	bool done = true;

	buf_add(&picks, picks0->data, picks0->len);
	e->picks_out = &picks;
	for (bound = 0; bound <= o->preemption_bound && nlevel; bound++) {
		for (i = 0; i < nlevel; i++) {
			struct explore_run one;
			const struct sup_pick *p;
			size_t np, start = 0;

			/*
			 * Shards split the subtrees of the first preemption: every shard
			 * makes the same list of them from run 0, takes every n-th, and
			 * searches below its own only.
			 */
			if (bound == 1 && o->shards > 1 && i % o->shards != o->shard)
				continue;
			if (bound > 0) {
				if (index >= o->runs || (o->time_ns && now_mono_ns() - t0 >= o->time_ns) || explore_stop) {
					done = false;
					goto out;
				}
				e->x.cfg.guide = level[i].g;
				e->x.cfg.guide_len = level[i].n;
				explore_one(e, index, &one);
				e->x.cfg.guide = NULL;
				e->x.cfg.guide_len = 0;
				explore_take(e, &one);
				index++;
				tried++;
				if (one.failed) {
					done = false;
					goto out;
				}
			}
			if (bound == o->preemption_bound)
				continue;
			/* children: one more preemption, after the node's last one */
			p = (const struct sup_pick *)picks.data;
			np = picks.len / sizeof(*p);
			if (level[i].n) {
				const struct sup_guide *last = &level[i].g[level[i].n - 1];

				for (k = 0; k < np; k++)
					if (p[k].from == last->from && p[k].step == last->step)
						start = k + 1;
			}
			for (k = start; k < np; k++) {
				unsigned a;

				for (a = 0; a < p[k].n && a < ARRAY_SIZE(p[k].ready); a++) {
					if (a == p[k].dflt)
						continue;
					if (nnext == cap) {
						cap = cap ? cap * 2 : 64;
						next = xrealloc(next, cap * sizeof(*next));
					}
					next[nnext] = level[i];
					next[nnext].g[next[nnext].n++] = (struct sup_guide){ .from = p[k].from,
											     .step = p[k].step,
											     .to = p[k].ready[a] };
					nnext++;
				}
			}
		}
		snprintf(e->dfs_note, sizeof(e->dfs_note), "bound %u searched: %" PRIu64 " schedules with up to %u preemptions",
			 bound, tried + 1, bound);
		free(level);
		level = next;
		nlevel = nnext;
		next = NULL;
		nnext = cap = 0;
	}
out:
	if (!done && !e->fail.failed)
		snprintf(e->dfs_note + strlen(e->dfs_note), sizeof(e->dfs_note) - strlen(e->dfs_note),
			 "; bound %u cut short by --runs or --time", bound);
	e->picks_out = NULL;
	buf_release(&picks);
	free(level);
	free(next);
	return done;
}


/*
 * coverage_guided: what a run covered, as keys (thread, operation, object,
 * the thread that touched the object before): the libfozzy-rt markers
 * (pthread calls on their objects) and futex calls (by address). A key no
 * earlier run had is new coverage. Returns the number of new keys.
 */
#define COV_OBJS 4096
static uint64_t run_coverage(const struct buf *stream, struct seen_map *cov)
{
	struct { uint64_t obj; uint32_t tid; bool used; } *last = xcalloc(COV_OBJS, sizeof(*last));
	size_t pos = 0, before = cov->count;
	struct ev e;

	while (pos < stream->len && !ev_decode(stream->data, stream->len, &pos, &e)) {
		uint64_t obj, op, k[4];
		size_t h, probe;

		if (e.tag != EV_SYSCALL)
			continue;
		if (e.nr == FOZZY_MARKER_NR)
			op = e.args[0], obj = e.args[1];
		else if (e.nr == SYS_futex)
			op = 1000 + (e.args[1] & 0x7f), obj = e.args[0];
		else
			continue;
		h = (size_t)(XXH3_64bits(&obj, sizeof(obj)) % COV_OBJS);
		for (probe = 0; probe < COV_OBJS && last[h].used && last[h].obj != obj; probe++)
			h = (h + 1) % COV_OBJS;
		k[0] = e.tid;
		k[1] = op;
		k[2] = obj;
		k[3] = probe < COV_OBJS && last[h].used ? last[h].tid : 0;
		seen_number(cov, XXH3_64bits(k, sizeof(k)), 0);
		if (probe < COV_OBJS) {
			last[h].used = true;
			last[h].obj = obj;
			last[h].tid = e.tid;
		}
	}
	free(last);
	return cov->count - before;
}

/* A schedule kept by coverage_guided: its preemptions, and the decisions of its run (to place new ones). */
struct cov_entry {
	struct sup_guide g[PCT_MAX_DEPTH];
	unsigned n;
	struct buf picks;
};

/*
 * coverage_guided: runs 1.. of explore. Each run takes a kept schedule, at
 * random from the run's seed, and changes it: one more preemption at a
 * decision where another thread could run (to that thread), and sometimes one
 * of its preemptions dropped. Every other decision takes the default, so the
 * run is that schedule and nothing else. A run that reaches new coverage is
 * kept in turn. Deterministic in the seed; one run at a time.
 */
static void explore_coverage(struct explore_ctx *e, uint64_t t0, const struct buf *picks0, const struct buf *stream0)
{
	const struct explore_opts *o = e->o;
	struct cov_entry *corpus = xcalloc(1, sizeof(*corpus));
	size_t ncorpus = 1, i;
	struct seen_map cov = { 0 };
	struct buf picks = { 0 }, stream = { 0 };
	uint64_t index;

	buf_add(&corpus[0].picks, picks0->data, picks0->len);
	run_coverage(stream0, &cov);
	e->picks_out = &picks;
	e->stream_out = &stream;
	for (index = 1; index < o->runs; index++) {
		struct prng rng;
		struct cov_entry cand;
		const struct cov_entry *parent;
		const struct sup_pick *p;
		size_t np, tries;
		struct explore_run one;

		if ((o->time_ns && now_mono_ns() - t0 >= o->time_ns) || explore_stop)
			break;
		prng_init(&rng, o->run.seed + explore_global(o, index), 6); /* its own stream: the mutations */
		parent = &corpus[prng_next(&rng) % ncorpus];
		memset(&cand, 0, sizeof(cand));
		memcpy(cand.g, parent->g, sizeof(cand.g));
		cand.n = parent->n;
		if (cand.n && prng_next(&rng) % 4 == 0) {
			unsigned drop = (unsigned)(prng_next(&rng) % cand.n);

			memmove(&cand.g[drop], &cand.g[drop + 1], (cand.n - drop - 1) * sizeof(cand.g[0]));
			cand.n--;
		}
		p = (const struct sup_pick *)parent->picks.data;
		np = parent->picks.len / sizeof(*p);
		for (tries = 0; np && cand.n < PCT_MAX_DEPTH && tries < 64; tries++) {
			const struct sup_pick *at = &p[prng_next(&rng) % np];
			unsigned a, k;

			if (at->n < 2)
				continue;
			a = (unsigned)(prng_next(&rng) % (at->n < ARRAY_SIZE(at->ready) ? at->n : ARRAY_SIZE(at->ready)));
			if (a == at->dflt)
				continue;
			for (k = 0; k < cand.n && !(cand.g[k].from == at->from && cand.g[k].step == at->step); k++)
				;
			if (k < cand.n)
				continue; /* that decision already switches */
			cand.g[cand.n++] = (struct sup_guide){ .from = at->from, .step = at->step, .to = at->ready[a] };
			break;
		}
		e->x.cfg.guide = cand.g;
		e->x.cfg.guide_len = cand.n;
		explore_one(e, index, &one);
		e->x.cfg.guide = NULL;
		e->x.cfg.guide_len = 0;
		explore_take(e, &one);
		if (one.failed)
			break;
		if (run_coverage(&stream, &cov)) {
			corpus = xrealloc(corpus, (ncorpus + 1) * sizeof(*corpus));
			cand.picks = (struct buf){ 0 };
			buf_add(&cand.picks, picks.data, picks.len);
			corpus[ncorpus++] = cand;
		}
	}
	e->cov_pairs = cov.count;
	e->cov_corpus = ncorpus;
	e->picks_out = NULL;
	e->stream_out = NULL;
	for (i = 0; i < ncorpus; i++)
		buf_release(&corpus[i].picks);
	free(corpus);
	seen_release(&cov);
	buf_release(&picks);
	buf_release(&stream);
}

/* The text of a json_u64 item (raw), or "?". */
static const char *raw_text(const cJSON *item)
{
	return item && cJSON_IsRaw(item) && item->valuestring ? item->valuestring : "?";
}

int mode_explore(const struct explore_opts *o)
{
	const struct run_opts *ro = &o->run;
	struct explore_ctx e = { .o = o };
	struct run_ctx *x = &e.x;
	struct seen_map seen = { 0 };
	uint64_t t0 = now_mono_ns(), last_tick = 0, i, runs = 0;
	bool tty = !ro->json && isatty(STDERR_FILENO);
	struct explore_run *fail = NULL, one;
	bool dfs_exhausted = false;
	cJSON *doc;
	char cwd[PATH_MAX];
	int code = EXIT_PASS;

	x->mode = "explore";
	x->json = ro->json;
	x->strict = ro->strict;
	x->has_expect_exit = o->expect_exit >= 0;
	x->expect_exit = o->expect_exit;
	{
		char why[600];

		if (ro->record && record_lock(ro->record, why, sizeof(why))) {
			error("%s", why);
			return EXIT_ERROR;
		}
	}
	if (o->expect_stdout) {
		struct buf b = { 0 };

		if (read_file(o->expect_stdout, &b)) {
			error("cannot read --expect-stdout file '%s': %s", o->expect_stdout, strerror(errno));
			return EXIT_ERROR;
		}
		x->want_hash = XXH3_64bits(b.data, b.len);
		x->want_len = b.len;
		x->expect_stdout = o->expect_stdout;
		buf_release(&b);
	}
	x->exe = program_or_error(ro->cmd[0]);
	if (!x->exe)
		return EXIT_ERROR;
	if (hash_file(x->exe, x->exe_hash) || !getcwd(cwd, sizeof(cwd))) {
		error("cannot read '%s' or the working directory: %s", x->exe, strerror(errno));
		free(x->exe);
		return EXIT_ERROR;
	}
	x->user_env = environ;
	if (ro->no_rt)
		x->runtime_note = "syscalls only (--no-rt)";
	else if (!is_dynamic(x->exe))
		x->runtime_note = "syscalls only: a static binary cannot preload libfozzy-rt";
	else if (!(x->runtime = find_runtime()))
		x->runtime_note = "syscalls only: libfozzy-rt.so was not found (set FOZZY_RT)";
	x->cfg = (struct sup_config){
		.exe = x->exe, .argv = ro->cmd, .envp = environ, .cwd = cwd,
		.det = true, .epoch_ns = ro->epoch_ns, .cpus = ro->cpus, .scratch = true,
		.timeout_ns = ro->timeout_ns, .wall_guard_ns = ro->wall_timeout_ns,
		.strategy = ro->strategy, .pct_depth = ro->pct_depth, .hide_dir = ro->base_dir,
		.pids_max = ro->pids_max ? ro->pids_max : 1024, .out_fd = -1, .err_fd = -1,
		.seed = ro->seed, .has_sched_seed = true, .sched_seed = ro->seed, .capture_files = true,
	};
	e.srv.req = e.srv.resp = -1;
	if (ctx_faults(x, ro->faults, false, "explore")) {
		free(x->runtime);
		free(x->exe);
		return EXIT_ERROR;
	}
	if (x->runtime)
		x->cfg.envp = env_with_runtime(environ, x->runtime);
	/* runs fork from the program stopped at libfozzy-rt's point; faults count calls from exec */
	e.use_srv = x->runtime && !x->cfg.faults && !o->no_fork_server;
	e.slots = xcalloc(o->runs, sizeof(*e.slots));
	{
		/* Ctrl-C, SIGTERM: stop after the runs in flight (each run's supervisor has its own handlers meanwhile) */
		struct sigaction sa = { .sa_handler = on_explore_signal };

		sigemptyset(&sa.sa_mask);
		explore_stop = 0;
		sigaction(SIGINT, &sa, &e.old_int);
		sigaction(SIGTERM, &sa, &e.old_term);
	}
	/* Run 0 alone: pct draws the change points of every later run over its length (k). */
	{
		struct buf picks0 = { 0 }, stream0 = { 0 };

		if (ro->strategy == STRAT_DFS || ro->strategy == STRAT_COVERAGE)
			e.picks_out = &picks0;
		if (ro->strategy == STRAT_COVERAGE)
			e.stream_out = &stream0;
		explore_one(&e, 0, &one);
		e.picks_out = NULL;
		e.stream_out = NULL;
		explore_take(&e, &one);
		if (ro->strategy == STRAT_DFS && !one.failed && o->runs > 1)
			dfs_exhausted = explore_dfs(&e, t0, &picks0);
		if (ro->strategy == STRAT_COVERAGE && !one.failed && o->runs > 1)
			explore_coverage(&e, t0, &picks0, &stream0);
		buf_release(&picks0);
		buf_release(&stream0);
	}
	if (one.steps)
		x->cfg.pct_steps = one.steps;
	/* faults without @N fall on a call among those run 0 made, chosen per run from its seed */
	memcpy(e.fault_seen, one.fault_seen, sizeof(e.fault_seen));
	if (!one.failed && o->runs > 1 && ro->strategy != STRAT_DFS && ro->strategy != STRAT_COVERAGE) {
		if (o->jobs > 1) {
			explore_parallel(&e, o->jobs, t0);
		} else {
			for (i = 1; i < o->runs; i++) {
				if ((o->time_ns && now_mono_ns() - t0 >= o->time_ns) || explore_stop)
					break;
				explore_one(&e, i, &one);
				explore_take(&e, &one);
				if (one.failed)
					break;
				seen_number(&seen, one.interleaving, 0);
				if (tty && now_mono_ns() - last_tick > 100000000ULL) {
					last_tick = now_mono_ns();
					explore_progress(i + 1, seen.count, t0, false);
				}
			}
		}
	}
	explore_srv_stop(&e);
	free(e.srv_guide);
	sigaction(SIGINT, &e.old_int, NULL);
	sigaction(SIGTERM, &e.old_term, NULL);
	/* The verdict: the first failing index, and nothing after it, whatever the number of jobs. */
	seen_release(&seen);
	for (i = 0; i < e.done; i++) {
		if (!e.slots[i].ran)
			break; /* not run: the time was up */
		seen_number(&seen, e.slots[i].interleaving, 0);
		runs = i + 1;
		if (e.slots[i].failed) {
			fail = &e.fail;
			break;
		}
	}
	if (tty)
		explore_progress(runs, seen.count, t0, true);
	doc = cJSON_CreateObject();
	if (fail && fail->failed < 0) {
		code = EXIT_ERROR;
		cJSON_AddStringToObject(doc, "status", "error");
	} else {
		cJSON_AddStringToObject(doc, "status", fail ? fail->status : "pass");
	}
	cJSON_AddStringToObject(doc, "mode", "explore");
	if (explore_stop)
		cJSON_AddBoolToObject(doc, "interrupted", true);
	cJSON_AddStringToObject(doc, "schedule", sched_name(ro->strategy));
	if (ro->strategy == STRAT_PCT)
		cJSON_AddNumberToObject(doc, "pctDepth", ro->pct_depth);
	cJSON_AddItemToObject(doc, "seed", json_u64(ro->seed));
	cJSON_AddNumberToObject(doc, "jobs", o->jobs > 1 ? o->jobs : 1);
	if (o->shards > 1) {
		char sh[32];

		snprintf(sh, sizeof(sh), "%u/%u", o->shard, o->shards);
		cJSON_AddStringToObject(doc, "shard", sh);
	}
	cJSON_AddItemToObject(doc, "runs", json_u64(runs));
	cJSON_AddItemToObject(doc, "distinctSchedules", json_u64(seen.count));
	cJSON_AddItemToObject(doc, "durationMs", json_u64((now_mono_ns() - t0) / 1000000));
	if (ro->strategy == STRAT_COVERAGE) {
		cJSON *c = cJSON_AddObjectToObject(doc, "coverage");

		cJSON_AddItemToObject(c, "pairs", json_u64(e.cov_pairs));
		cJSON_AddItemToObject(c, "keptSchedules", json_u64(e.cov_corpus));
	}
	if (ro->strategy == STRAT_DFS) {
		cJSON_AddNumberToObject(doc, "preemptionBound", o->preemption_bound);
		cJSON_AddBoolToObject(doc, "exhausted", dfs_exhausted);
		cJSON_AddStringToObject(doc, "search", e.dfs_note);
	}
	if (fail && fail->failed > 0) {
		cJSON *f = cJSON_AddObjectToObject(doc, "failure"), *rep;
		char *path = xasprintf("%s/report.json", fail->dir);
		struct buf b = { 0 };

		cJSON_AddItemToObject(f, "run", json_u64(fail->index + 1));
		cJSON_AddItemToObject(f, "seed", json_u64(fail->seed));
		cJSON_AddItemToObject(f, "globalRun", json_u64(explore_global(o, fail->index) + 1));
		cJSON_AddStringToObject(f, "status", fail->status);
		cJSON_AddStringToObject(f, "message", fail->message);
		if (fail->faults[0])
			cJSON_AddStringToObject(f, "faults", fail->faults);
		if (fail->trace[0]) {
			char *replay = xasprintf("fozzy replay %s", fail->trace);

			cJSON_AddStringToObject(f, "tracePath", fail->trace);
			cJSON_AddStringToObject(f, "replay", replay);
			free(replay);
		}
		cJSON_AddStringToObject(f, "artifactsDir", fail->dir);
		if (!read_file(path, &b) && (rep = cJSON_ParseWithLength((const char *)b.data, b.len)))
			cJSON_AddItemToObject(f, "report", rep);
		buf_release(&b);
		free(path);
		code = fail->trace[0] ? status_exit_code(fail->status) : EXIT_ERROR;
		if (ro->record && fail->trace[0]) {
			struct buf t = { 0 };

			if (read_file(fail->trace, &t) || write_file_atomic(ro->record, t.data, t.len)) {
				error("cannot write --record '%s': %s", ro->record, strerror(errno));
				code = EXIT_ERROR;
			}
			buf_release(&t);
		}
	}
	if (o->shrink && fail && fail->failed > 0 && fail->trace[0]) {
		struct shrink_opts so;
		cJSON *shrunk = NULL;

		shrink_opts_init(&so);
		so.trace = fail->trace;
		so.base_dir = ro->base_dir;
		so.wall_timeout_ns = ro->wall_timeout_ns;
		if (o->shrink_budget_ns)
			so.budget_ns = o->shrink_budget_ns;
		so.result = &shrunk;
		if (mode_shrink(&so) == EXIT_PASS && shrunk)
			cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(doc, "failure"), "shrunk", shrunk);
		else
			cJSON_Delete(shrunk);
	}
	if (ro->json) {
		json_print(doc);
	} else if (fail && fail->failed > 0) {
		char upper[16];
		size_t k;

		for (k = 0; fail->status[k] && k < sizeof(upper) - 1; k++)
			upper[k] = (char)(fail->status[k] >= 'a' && fail->status[k] <= 'z' ? fail->status[k] - 32 : fail->status[k]);
		upper[k] = 0;
		fprintf(stderr, "fozzy explore %s\n  run %" PRIu64 " of at most %" PRIu64 " (seed %" PRIu64 ", --schedule %s) failed",
			upper, fail->index + 1, o->runs, fail->seed, sched_name(ro->strategy));
		if (fail->outcome == SUP_EXITED)
			fprintf(stderr, ": exit status %d", fail->exit_code);
		else if (fail->outcome == SUP_SIGNALED)
			fprintf(stderr, ": killed by signal %d (SIG%s)", fail->signal,
				sigabbrev_np(fail->signal) ? sigabbrev_np(fail->signal) : "?");
		fputc('\n', stderr);
		if (fail->message[0])
			fprintf(stderr, "  %s\n", fail->message);
		if (fail->faults[0])
			fprintf(stderr, "  faults injected: %s\n", fail->faults);
		if (fail->detail[0])
			fprintf(stderr, "%s", fail->detail);
		fprintf(stderr, "  %" PRIu64 " distinct schedules explored in %.1f s\n", seen.count,
			(double)(now_mono_ns() - t0) / 1e9);
		if (fail->trace[0])
			fprintf(stderr, "  trace %s\n  replay with: fozzy replay %s\n", fail->trace, fail->trace);
		fprintf(stderr, "  artifacts %s\n", fail->dir);
		{
			const cJSON *sk = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "failure"), "shrunk"), *p;

			if (sk) {
				fprintf(stderr, "  shrunk: %d preemptions -> %d (%s runs)\n",
					cJSON_GetObjectItemCaseSensitive(sk, "preemptionsBefore")->valueint,
					cJSON_GetObjectItemCaseSensitive(sk, "preemptionsAfter")->valueint,
					raw_text(cJSON_GetObjectItemCaseSensitive(sk, "runs")));
				if (cJSON_GetObjectItemCaseSensitive(sk, "faultsBefore")->valueint) {
					const cJSON *q;

					fprintf(stderr, "    faults %d ->", cJSON_GetObjectItemCaseSensitive(sk, "faultsBefore")->valueint);
					cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(sk, "faults"))
						fprintf(stderr, " %s", q->valuestring);
					if (!cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sk, "faults")))
						fprintf(stderr, " none needed");
					fputc('\n', stderr);
				}
				cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(sk, "preemptions"))
					fprintf(stderr, "    at event #%s: thread %d -> thread %d, thread %d was at %s\n",
						raw_text(cJSON_GetObjectItemCaseSensitive(p, "event")),
						cJSON_GetObjectItemCaseSensitive(p, "fromThread")->valueint,
						cJSON_GetObjectItemCaseSensitive(p, "toThread")->valueint,
						cJSON_GetObjectItemCaseSensitive(p, "fromThread")->valueint,
						cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "fromAt")));
				fprintf(stderr, "  shrunk trace %s\n  replay with: fozzy replay %s\n",
					cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sk, "output")),
					cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sk, "output")));
			}
		}
	} else if (code == EXIT_PASS && ro->strategy == STRAT_DFS) {
		fprintf(stderr, "fozzy explore PASS\n  %" PRIu64 " runs, %" PRIu64 " distinct schedules, no failure (--schedule dfs, seed %" PRIu64 ", %.1f s)\n  %s%s\n",
			runs, seen.count, ro->seed, (double)(now_mono_ns() - t0) / 1e9, e.dfs_note,
			dfs_exhausted ? ": the bounded space is exhausted" : "");
	} else if (code == EXIT_PASS) {
		if (o->shards > 1)
			fprintf(stderr, "fozzy explore PASS\n  shard %u/%u: %" PRIu64 " runs, %" PRIu64 " distinct schedules, no failure (--schedule %s, %.1f s)\n",
				o->shard, o->shards, runs, seen.count, sched_name(ro->strategy),
				(double)(now_mono_ns() - t0) / 1e9);
		else
			fprintf(stderr, "fozzy explore PASS\n  %" PRIu64 " runs, %" PRIu64 " distinct schedules, no failure (--schedule %s, seeds %" PRIu64 "..%" PRIu64 ", %.1f s)\n",
				runs, seen.count, sched_name(ro->strategy), ro->seed, ro->seed + (runs ? runs - 1 : 0),
				(double)(now_mono_ns() - t0) / 1e9);
	} else {
		error("explore: fozzy could not run the program (run %" PRIu64 ")", fail ? fail->index + 1 : 0);
	}
	if (explore_stop && !ro->json)
		fprintf(stderr, "  interrupted: the search stopped early (Ctrl-C or SIGTERM); the runs above are all it made\n");
	cJSON_Delete(doc);
	free(e.slots);
	seen_release(&seen);
	if (x->runtime)
		free_runtime_env((char **)x->cfg.envp);
	free(x->runtime);
	free(x->exe);
	return code;
}

/* ---- shrink: fewer preemptions, the same failure ---- */

void shrink_opts_init(struct shrink_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->base_dir = ".fozzy";
	o->budget_ns = 60ULL * 1000000000ULL;
	o->wall_timeout_ns = RUN_DEFAULT_WALL_TIMEOUT_NS;
}

struct failure_sig {
	char status[16];
	int outcome, exit_code, signal;
	char san[320]; /* a sanitizer report: tool:kind:top frame, the failure's kind and location */
};

/* The size of a run, in what shrink reduces: input bytes, then faults, then preemptions. */
struct shrink_key {
	size_t input, faults, preemptions;
};

static bool key_less(const struct shrink_key *a, const struct shrink_key *b)
{
	if (a->input != b->input)
		return a->input < b->input;
	if (a->faults != b->faults)
		return a->faults < b->faults;
	return a->preemptions < b->preemptions;
}

struct shrinker {
	struct run_ctx x;
	const struct shrink_opts *o;
	struct failure_sig want;
	const struct sup_pick *orig;
	size_t norig;
	uint64_t runs, t0;
	/* the best so far: its run folder, trace, picks, size */
	char *best_dir, *best_trace;
	struct buf best_picks, best_stream, best_input;
	size_t best_count;
	struct shrink_key best_key;
};

/* How a run failed; `dir` is its run folder, whose stderr may hold a sanitizer report. */
static void failure_sig(const struct run_ctx *x, struct sup_result *r, const char *dir, struct failure_sig *f)
{
	struct san_report san;
	struct buf err = { 0 };
	char *path = xasprintf("%s/stderr", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(f, 0, sizeof(*f));
	snprintf(f->status, sizeof(f->status), "%s", run_verdict(x, r)); /* the oracles recorded, if any */
	f->outcome = (int)r->outcome;
	f->exit_code = r->outcome == SUP_EXITED ? r->exit_code : 0;
	f->signal = r->outcome == SUP_SIGNALED ? r->signal : 0;
	if (fd >= 0) {
		bool over;

		fd_read_max(fd, &err, 4u << 20, &over);
		close(fd);
	}
	if (err.len && san_parse((const char *)err.data, err.len, &san))
		snprintf(f->san, sizeof(f->san), "%s:%s:%s", san.tool, san.kind, san.nframes ? san.frames[0] : "?");
	buf_release(&err);
	free(path);
}

static size_t count_preemptions(const struct sup_pick *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += p[i].pick != p[i].dflt;
	return k;
}

/* Run with the preemptions of `keep` (indices into orig) only; true if it fails the same way. */
static bool shrink_try(struct shrinker *sh, const size_t *keep, size_t nkeep)
{
	struct sup_guide *guide = xcalloc(nkeep + 1, sizeof(*guide));
	struct run_ctx *x = &sh->x;
	struct sup_result r = { 0 };
	struct failure_sig got;
	struct shrink_key key;
	cJSON *summary = NULL;
	bool same = false;
	size_t i;
	char *trace;

	for (i = 0; i < nkeep; i++)
		guide[i] = (struct sup_guide){ .from = sh->orig[keep[i]].from, .to = sh->orig[keep[i]].to,
					       .step = sh->orig[keep[i]].step };
	x->cfg.guide = guide;
	x->cfg.guide_len = nkeep;
	x->cfg.replay = NULL;
	sh->runs++;
	if (run_dir_create(&x->rd, sh->o->base_dir)) {
		free(guide);
		return false;
	}
	x->cfg.run_dir = x->rd.path;
	if (!sup_run(&x->cfg, &r)) {
		failure_sig(x, &r, x->rd.path, &got);
		same = !memcmp(&got, &sh->want, sizeof(got));
	}
	key = (struct shrink_key){ x->cfg.input ? x->input.len : 0, x->cfg.faults ? x->plan.n : 0,
				   count_preemptions((const struct sup_pick *)r.picks.data,
						     r.picks.len / sizeof(struct sup_pick)) };
	if (same && key_less(&key, &sh->best_key)) {
		trace = write_artifacts(x, &r, NULL, got.status, NULL, &summary);
		cJSON_Delete(summary);
		if (trace) {
			if (sh->best_dir)
				remove_tree(sh->best_dir);
			free(sh->best_dir);
			free(sh->best_trace);
			sh->best_dir = xstrdup(x->rd.path);
			sh->best_trace = trace;
			buf_release(&sh->best_picks);
			buf_release(&sh->best_stream);
			sh->best_picks = r.picks;
			sh->best_stream = r.stream;
			r.picks = (struct buf){ 0 };
			r.stream = (struct buf){ 0 };
			sh->best_key = key;
			sh->best_count = key.preemptions;
			buf_release(&sh->best_input);
			buf_add(&sh->best_input, x->input.data, x->input.len);
		} else {
			remove_tree(x->rd.path);
		}
	} else {
		remove_tree(x->rd.path);
	}
	run_dir_release(&x->rd);
	sup_result_release(&r);
	free(guide);
	x->cfg.guide = NULL;
	return same;
}

static bool shrink_time_up(const struct shrinker *sh)
{
	return now_mono_ns() - sh->t0 >= sh->o->budget_ns;
}

/* Delta debugging over the preemptions: the smallest subset that still fails the same way. */
static void shrink_ddmin(struct shrinker *sh, size_t *set, size_t *n)
{
	size_t chunks = 2, *cand = xcalloc(*n + 1, sizeof(*cand));

	if (shrink_try(sh, NULL, 0)) {
		*n = 0;
		free(cand);
		return;
	}
	while (*n >= 2 && !shrink_time_up(sh)) {
		size_t c, len = (*n + chunks - 1) / chunks;
		bool reduced = false;

		for (c = 0; c < chunks && !reduced && !shrink_time_up(sh); c++) {
			size_t lo = c * len, hi = lo + len < *n ? lo + len : *n, k = 0, i;

			if (lo >= *n)
				break;
			for (i = 0; i < *n; i++)
				if (i < lo || i >= hi)
					cand[k++] = set[i];
			if (shrink_try(sh, cand, k)) {
				memcpy(set, cand, k * sizeof(*set));
				*n = k;
				chunks = chunks > 2 ? chunks - 1 : 2;
				reduced = true;
			}
		}
		if (!reduced) {
			if (chunks >= *n)
				break;
			chunks = chunks * 2 < *n ? chunks * 2 : *n;
		}
	}
	/* one at a time, for what the chunks missed */
	if (*n == 1 && !shrink_time_up(sh) && shrink_try(sh, NULL, 0))
		*n = 0;
	free(cand);
}

/*
 * Delta debugging over a fuzz trace's input bytes: cut ever smaller chunks
 * while the run still fails the same way. x->input ends as the smallest found.
 */
static void shrink_input(struct shrinker *sh, const size_t *set, size_t n)
{
	struct run_ctx *x = &sh->x;
	struct buf cur = { 0 };
	size_t chunk;

	buf_add(&cur, x->input.data, x->input.len);
	for (chunk = cur.len / 2 ? cur.len / 2 : 1; chunk && cur.len && !shrink_time_up(sh);) {
		bool cut = false;
		size_t off = 0;

		while (off < cur.len && !shrink_time_up(sh)) {
			size_t len = off + chunk <= cur.len ? chunk : cur.len - off;

			x->input.len = 0;
			buf_add(&x->input, cur.data, off);
			buf_add(&x->input, cur.data + off + len, cur.len - off - len);
			if (shrink_try(sh, set, n)) {
				cur.len = 0;
				buf_add(&cur, x->input.data, x->input.len);
				cut = true;
			} else {
				off += len;
			}
		}
		if (!cut)
			chunk /= 2;
		else if (chunk > cur.len)
			chunk = cur.len;
	}
	x->input.len = 0;
	buf_add(&x->input, cur.data, cur.len);
	buf_release(&cur);
}

/* What thread `tid` last did up to event `upto` of a stream, for the summary. */
static void last_action(const struct buf *stream, uint32_t tid, uint64_t upto, struct buf *out)
{
	size_t pos = 0;
	uint64_t idx = 0;
	struct ev e, last = { 0 };
	bool have = false;

	while (pos < stream->len && !ev_decode(stream->data, stream->len, &pos, &e)) {
		if (ev_is_decision(e.tag))
			continue;
		if (idx++ > upto)
			break;
		if (e.tid == tid) {
			last = e;
			have = true;
		}
	}
	if (!have) {
		buf_addf(out, "(start)");
	} else if (last.tag == EV_SYSCALL && last.nr == FOZZY_MARKER_NR) {
		buf_addf(out, "%s(%#" PRIx64 ")", rt_op_name((int)last.args[0]), last.args[1]);
	} else {
		ev_format(&last, out);
	}
}

int mode_shrink(const struct shrink_opts *o)
{
	struct shrinker sh = { .o = o, .best_count = SIZE_MAX, .best_key = { SIZE_MAX, SIZE_MAX, SIZE_MAX } };
	struct run_ctx *x = &sh.x;
	struct sup_result r = { 0 };
	struct trace t;
	char why[256], *out_path = NULL;
	size_t *set = NULL, n = 0, i, before, input_before = 0;
	unsigned nfaults_before = 0, want = o->minimize ? o->minimize : SHRINK_MIN_ALL;
	int code = EXIT_ERROR;
	cJSON *doc = NULL;

	x->mode = "shrink";
	x->json = o->json;
	x->strict = true;
	sh.t0 = now_mono_ns();
	if (trace_load(o->trace, &t, why, sizeof(why))) {
		if (o->json)
			json_print_error(why);
		error("cannot shrink '%s': %s", o->trace, why);
		return EXIT_ERROR;
	}
	if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t.header, "kind")) ?: "", "fn")) {
		error("cannot shrink '%s': it is the trace of an fn: fuzz target; fozzy fuzz --minimize cuts its input down",
		      o->trace);
		trace_release(&t);
		return EXIT_ERROR;
	}
	if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t.header, "kind")) ?: "", "scenario")) {
		code = mode_scenario_shrink(o, &t);
		trace_release(&t);
		return code;
	}
	if (ctx_from_trace(x, &t, o->trace, "shrink", NULL, 0, false, o->wall_timeout_ns, o->base_dir))
		goto out;
	if (!x->cfg.det) {
		error("cannot shrink '%s': it was recorded without --det", o->trace);
		goto out;
	}
	if (want != SHRINK_MIN_ALL) {
		const char *why_not = want & SHRINK_MIN_STEPS ? "steps: a native run has none (a scenario trace has)"
				      : want & SHRINK_MIN_INPUT && !x->cfg.input ? "input: only a fuzz finding's trace has one"
				      : want & SHRINK_MIN_FAULTS && !x->cfg.faults ? "faults: the run had no --faults"
				      : NULL;

		if (why_not) {
			error("cannot shrink '%s' with --minimize %s", o->trace, why_not);
			goto out;
		}
	}
	/*
	 * The recorded run, replayed: its scheduling decisions and its failure. A
	 * fuzz finding recorded in a fork server is run whole instead, with the
	 * same seed and input: the shrunk trace is then an ordinary one.
	 */
	if (run_dir_create(&x->rd, o->base_dir))
		goto out;
	x->cfg.run_dir = x->rd.path;
	x->cfg.replay = x->fork_server ? NULL : &t.stream;
	x->fork_server = false;
	if (sup_run(&x->cfg, &r)) {
		remove_tree(x->rd.path);
		run_dir_release(&x->rd);
		goto out;
	}
	failure_sig(x, &r, x->rd.path, &sh.want);
	remove_tree(x->rd.path);
	run_dir_release(&x->rd);
	sh.runs = 1;
	if (r.outcome == SUP_DIVERGED) {
		error("cannot shrink '%s': its replay diverged (%s)", o->trace, r.message);
		goto out;
	}
	if (!strcmp(sh.want.status, "pass")) {
		error("cannot shrink '%s': the recorded run passes; there is no failure to keep", o->trace);
		goto out;
	}
	if (!strcmp(sh.want.status, "error")) {
		error("cannot shrink '%s': the recorded run ended in an error: %s", o->trace, r.message);
		goto out;
	}
	sh.orig = (const struct sup_pick *)r.picks.data;
	sh.norig = r.picks.len / sizeof(struct sup_pick);
	set = xcalloc(sh.norig + 1, sizeof(*set));
	for (i = 0; i < sh.norig; i++)
		if (sh.orig[i].pick != sh.orig[i].dflt)
			set[n++] = i;
	before = n;
	input_before = x->input.len;
	/* The input first (everything after it depends on it), then faults, all preemptions kept. */
	if (want & SHRINK_MIN_INPUT && x->cfg.input)
		shrink_input(&sh, set, n);
	nfaults_before = x->plan.n;
	for (i = 0; want & SHRINK_MIN_FAULTS && x->cfg.faults && i < x->plan.n && !shrink_time_up(&sh);) {
		struct fault_plan keep = x->plan;

		memmove(&x->plan.r[i], &x->plan.r[i + 1], (x->plan.n - i - 1) * sizeof(x->plan.r[0]));
		x->plan.n--;
		if (!shrink_try(&sh, set, n))
			x->plan = keep, i++;
	}
	if (!(want & SHRINK_MIN_SCHEDULE))
		goto reduced;
	shrink_ddmin(&sh, set, &n);
	/*
	 * Dropping a preemption shifts the decisions after it, so the best run's
	 * own decisions are a new, more exact starting point: repeat until no gain.
	 */
	while (sh.best_trace && sh.best_count > 0 && !shrink_time_up(&sh)) {
		size_t had = sh.best_count;
		struct buf base = { 0 };

		buf_add(&base, sh.best_picks.data, sh.best_picks.len);
		sh.orig = (const struct sup_pick *)base.data;
		sh.norig = base.len / sizeof(struct sup_pick);
		free(set);
		set = xcalloc(sh.norig + 1, sizeof(*set));
		for (n = 0, i = 0; i < sh.norig; i++)
			if (sh.orig[i].pick != sh.orig[i].dflt)
				set[n++] = i;
		shrink_ddmin(&sh, set, &n);
		buf_release(&base);
		sh.orig = NULL;
		if (sh.best_count >= had)
			break;
	}
reduced:
	if (!sh.best_trace) {
		/* nothing smaller failed the same way: the original is already minimal */
		sh.orig = (const struct sup_pick *)r.picks.data;
		sh.norig = r.picks.len / sizeof(struct sup_pick);
		for (n = 0, i = 0; i < sh.norig; i++)
			if (sh.orig[i].pick != sh.orig[i].dflt)
				set[n++] = i;
		if (!shrink_try(&sh, set, n) || !sh.best_trace) {
			error("cannot shrink '%s': the failure did not come back under the shrinker's control", o->trace);
			goto out;
		}
	}
	out_path = o->out ? xstrdup(o->out) : NULL;
	if (!out_path) {
		char *dir = xstrdup(o->trace), *slash = strrchr(dir, '/');

		if (slash)
			*slash = 0;
		out_path = slash ? xasprintf("%s/shrunk.fozzy", dir) : xstrdup("shrunk.fozzy");
		free(dir);
	}
	{
		struct buf b = { 0 };

		if (read_file(sh.best_trace, &b) || write_file_atomic(out_path, b.data, b.len)) {
			error("cannot write '%s': %s", out_path, strerror(errno));
			buf_release(&b);
			goto out;
		}
		buf_release(&b);
	}
	{
		const struct sup_pick *bp = (const struct sup_pick *)sh.best_picks.data;
		size_t nb = sh.best_picks.len / sizeof(*bp), k = 0;
		cJSON *arr;

		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "status", sh.want.status);
		cJSON_AddStringToObject(doc, "mode", "shrink");
		cJSON_AddStringToObject(doc, "input", o->trace);
		cJSON_AddStringToObject(doc, "output", out_path);
		cJSON_AddNumberToObject(doc, "preemptionsBefore", (double)before);
		cJSON_AddNumberToObject(doc, "preemptionsAfter", (double)sh.best_count);
		cJSON_AddItemToObject(doc, "runs", json_u64(sh.runs));
		cJSON_AddItemToObject(doc, "durationMs", json_u64((now_mono_ns() - sh.t0) / 1000000));
		cJSON_AddBoolToObject(doc, "budgetExhausted", shrink_time_up(&sh));
		cJSON_AddNumberToObject(doc, "faultsBefore", nfaults_before);
		if (x->cfg.input) {
			cJSON_AddNumberToObject(doc, "inputBytesBefore", (double)input_before);
			cJSON_AddNumberToObject(doc, "inputBytesAfter", (double)sh.best_input.len);
		}
		{
			cJSON *fa = cJSON_AddArrayToObject(doc, "faults");
			unsigned q;

			for (q = 0; x->cfg.faults && q < x->plan.n; q++) {
				char f[64];

				fault_rule_format(&x->plan.r[q], f, sizeof(f));
				cJSON_AddItemToArray(fa, cJSON_CreateString(f)); /* fa takes it */
			}
		}
		arr = cJSON_AddArrayToObject(doc, "preemptions");
		if (!o->json && !o->result)
			fprintf(stderr, "fozzy shrink %s\n  preemptions %zu -> %zu, the same failure (%s%s), %" PRIu64 " runs in %.1f s\n",
				sh.want.status[0] == 'c' ? "CRASH" : sh.want.status[0] == 't' ? "TIMEOUT" : "FAIL",
				before, sh.best_count, sh.want.status,
				sh.want.outcome == SUP_EXITED ? ", same exit status" : sh.want.outcome == SUP_SIGNALED ? ", same signal" : "",
				sh.runs, (double)(now_mono_ns() - sh.t0) / 1e9);
		if (!o->json && !o->result && x->cfg.faults) {
			char spec[512];

			fault_plan_format(&x->plan, spec, sizeof(spec));
			fprintf(stderr, "  faults %u -> %u: %s\n", nfaults_before, x->plan.n, x->plan.n ? spec : "none needed");
		}
		if (!o->json && !o->result && x->cfg.input)
			fprintf(stderr, "  input %zu -> %zu bytes\n", input_before, sh.best_input.len);
		for (i = 0; i < nb; i++) {
			struct buf from = { 0 }, to = { 0 };
			cJSON *p;

			if (bp[i].pick == bp[i].dflt)
				continue;
			k++;
			last_action(&sh.best_stream, bp[i].from, bp[i].event, &from);
			last_action(&sh.best_stream, bp[i].to, bp[i].event, &to);
			buf_addc(&from, 0);
			buf_addc(&to, 0);
			p = cJSON_CreateObject();
			cJSON_AddItemToObject(p, "event", json_u64(bp[i].event));
			cJSON_AddNumberToObject(p, "fromThread", bp[i].from);
			cJSON_AddNumberToObject(p, "toThread", bp[i].to);
			cJSON_AddStringToObject(p, "fromAt", (const char *)from.data);
			cJSON_AddStringToObject(p, "toLast", (const char *)to.data);
			cJSON_AddItemToArray(arr, p);
			if (!o->json && !o->result)
				fprintf(stderr, "  preemption %zu at event #%" PRIu64 ": thread %u -> thread %u\n"
					"    thread %u was at %s\n    thread %u last did %s\n",
					k, bp[i].event, bp[i].from, bp[i].to, bp[i].from, (const char *)from.data,
					bp[i].to, (const char *)to.data);
			buf_release(&from);
			buf_release(&to);
		}
	}
	if (o->result) {
		*o->result = doc;
		doc = NULL;
	} else if (o->json) {
		json_print(doc);
	} else {
		if (shrink_time_up(&sh))
			fprintf(stderr, "  the --budget ran out: the result may shrink further\n");
		fprintf(stderr, "  shrunk trace %s\n  replay with: fozzy replay %s\n", out_path, out_path);
	}
	code = EXIT_PASS;
out:
	cJSON_Delete(doc);
	if (sh.best_dir)
		remove_tree(sh.best_dir);
	free(sh.best_dir);
	free(sh.best_trace);
	buf_release(&sh.best_picks);
	buf_release(&sh.best_stream);
	buf_release(&sh.best_input);
	free(set);
	free(out_path);
	sup_result_release(&r);
	ctx_release(x);
	trace_release(&t);
	return code;
}
