// SPDX-License-Identifier: MIT
/*
 * fn: fuzz targets: fozzy's own parsers, called in process on the input.
 * Each execution runs in a forked child (a crash, an abort or a sanitizer
 * report ends the child, not the campaign), with a real-time alarm for
 * hangs. What the parser said (accepted, or the error message with numbers
 * and quoted text taken out) is the behaviour that guides the campaign.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fozzy/det.h"
#include "fozzy/fuzz.h"
#include "fozzy/scenario.h"
#include "fozzy/sys.h"
#include "fozzy/trace.h"
#include "fozzy/util.h"

/* The input as a C string (cut at a NUL byte, as the parsers read strings). */
static char *as_text(const uint8_t *p, size_t n)
{
	char *s = xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static int fn_scenario(const uint8_t *p, size_t n, char *why, size_t wn)
{
	struct scenario s = { 0 };
	struct scn_opts e;
	struct scn_result r;

	if (scenario_parse((const char *)p, n, false, &s, why, wn))
		return 1;
	if (s.variant == SCN_STEPS) {
		/* the engine too: scripted backends, the virtual clock, nothing reaches the host */
		scn_opts_init(&e);
		e.det = true;
		e.seed = 1;
		e.has_timeout = true;
		e.timeout_ms = 3600000;
		scenario_execute(&s, &e, &r);
		snprintf(why, wn, "ran: %s", r.status);
		scn_result_release(&r);
	} else {
		snprintf(why, wn, "parsed: variant %d", (int)s.variant);
	}
	scenario_release(&s);
	return 0;
}

static int fn_trace(const uint8_t *p, size_t n, char *why, size_t wn)
{
	struct trace t;
	size_t pos = 0, count = 0;
	struct ev e;

	if (trace_parse(p, n, &t, why, wn))
		return 1;
	/* every record of the stream, as replay and trace dump decode them */
	while (pos < t.stream.len && !ev_decode(t.stream.data, t.stream.len, &pos, &e))
		count++;
	snprintf(why, wn, "parsed: %s records", pos < t.stream.len ? "bad" : count ? "some" : "no");
	trace_release(&t);
	return 0;
}

static int fn_duration(const uint8_t *p, size_t n, char *why, size_t wn)
{
	char *s = as_text(p, n);
	uint64_t ns;
	int rc = parse_duration(s, &ns);

	snprintf(why, wn, rc ? "rejected" : ns ? "parsed" : "parsed: zero");
	free(s);
	return rc ? 1 : 0;
}

static int fn_faults(const uint8_t *p, size_t n, char *why, size_t wn)
{
	char *s = as_text(p, n);
	struct fault_plan plan;
	int rc = fault_plan_parse(s, &plan, why, wn);

	if (!rc)
		snprintf(why, wn, "parsed: %u rules", plan.n);
	free(s);
	return rc ? 1 : 0;
}

static int fn_policy(const uint8_t *p, size_t n, char *why, size_t wn)
{
	char *s = as_text(p, n);
	struct policy pol;
	int rc;

	quiet_errors = true; /* the message is the behaviour: kept by error(), not printed */
	rc = policy_parse(s, &pol);
	if (rc)
		snprintf(why, wn, "%s", last_error());
	else {
		snprintf(why, wn, "parsed");
		policy_release(&pol);
	}
	free(s);
	return rc ? 1 : 0;
}

static const struct fn_target targets[] = {
	{ "scenario", "scenario files: the JSON parser, validation and (steps files) the engine", fn_scenario },
	{ "trace", "the .fozzy trace container: header, checksum, footer and the record stream", fn_trace },
	{ "duration", "durations (250ms, 30s, 5m, 2h)", fn_duration },
	{ "faults", "--faults specs: CLASS:WHAT@N rules and presets", fn_faults },
	{ "policy", "the seccomp policy text format (seccomp/*.policy)", fn_policy },
};

const struct fn_target *fn_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(targets[i].name, name))
			return &targets[i];
	return NULL;
}

void fn_names(char *out, size_t n)
{
	size_t i, used = 0;

	out[0] = 0;
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]) && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%sfn:%s", i ? ", " : "", targets[i].name);
}

/* Read what the child writes on two pipes until both close (bounded). */
static void drain(int out_fd, int err_fd, char *why, size_t wn, struct buf *err)
{
	struct pollfd pf[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
	size_t got = 0;
	int open_n = 2;

	while (open_n > 0) {
		int i;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			char b[4096];
			ssize_t r;

			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(pf[i].fd, b, sizeof(b));
			if (r <= 0) {
				pf[i].fd = -1;
				open_n--;
				continue;
			}
			if (i == 0) {
				size_t k = (size_t)r < wn - 1 - got ? (size_t)r : wn - 1 - got;

				memcpy(why + got, b, k);
				got += k;
				why[got] = 0;
			} else if (err->len < (4u << 20)) {
				buf_add(err, b, (size_t)r);
			}
		}
	}
}

int fn_exec(const struct fn_target *t, const uint8_t *p, size_t n, uint64_t wall_ns, struct fn_result *r)
{
	int outp[2], errp[2], status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(outp, O_CLOEXEC))
		return -1;
	if (pipe2(errp, O_CLOEXEC)) {
		close(outp[0]);
		close(outp[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(outp[0]);
		close(outp[1]);
		close(errp[0]);
		close(errp[1]);
		return -1;
	}
	if (pid == 0) {
		char said[400] = "", why[512];
		/* at least 1 µs: an all-zero timer would be no guard at all */
		struct itimerval it = { { 0, 0 }, { (time_t)(wall_ns / 1000000000ULL),
						    (suseconds_t)(wall_ns / 1000 % 1000000 ? wall_ns / 1000 % 1000000
									  : wall_ns < 1000000000ULL ? 1 : 0) } };
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC), rc;
		size_t len;

		signal(SIGALRM, SIG_DFL);
		dup2(errp[1], STDERR_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		setitimer(ITIMER_REAL, &it, NULL);
		quiet_errors = true;
		rc = t->run(p, n, said, sizeof(said));
		snprintf(why, sizeof(why), "%s: %s", rc ? "rejected" : "accepted", said[0] ? said : "-");
		len = strlen(why);
		if (write(outp[1], why, len) < 0) { /* the parent sees no behaviour: still a result */
		}
		_exit(0); /* no atexit handlers (LeakSanitizer): the child is thrown away */
	}
	close(outp[1]);
	close(errp[1]);
	drain(outp[0], errp[0], r->why, sizeof(r->why), &r->err);
	close(outp[0]);
	close(errp[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status)) {
		r->signal = WTERMSIG(status);
		r->timed_out = r->signal == SIGALRM;
	} else {
		r->exit_code = WEXITSTATUS(status);
	}
	return 0;
}

/* The status and finding of an fn: execution, as classify() does for programs. */
void fn_classify(const struct fn_result *r, char *status, size_t sn, char *kind, size_t kn, char *sig, size_t gn,
		 char *title, size_t tn)
{
	struct san_report san;

	snprintf(status, sn, "%s", r->timed_out ? "timeout" : r->signal ? "crash" : r->exit_code ? "fail" : "pass");
	sig[0] = kind[0] = title[0] = 0;
	if (san_parse(r->err.data ? (const char *)r->err.data : "", r->err.len, &san)) {
		snprintf(kind, kn, "%s", san.kind);
		snprintf(sig, gn, "%s:%s:%.*s:%s", san.tool, san.kind, (int)strcspn(san.access, " "), san.access,
			 san.nframes ? san.frames[0] : "?");
		snprintf(title, tn, "%s: %s%s%s%s%s%s", san.tool, san.kind, san.access[0] ? " (" : "", san.access,
			 san.access[0] ? ")" : "", san.nframes ? " in " : "", san.nframes ? san.frames[0] : "");
	} else if (r->timed_out) {
		snprintf(kind, kn, "hang");
		snprintf(sig, gn, "hang:wall");
		snprintf(title, tn, "hang: the parser ran past the real-time guard");
	} else if (r->signal) {
		snprintf(kind, kn, "crash");
		snprintf(sig, gn, "signal:%s", sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?");
		snprintf(title, tn, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
	} else if (r->exit_code) {
		const char *e = r->err.data ? (const char *)r->err.data : "";
		int len = (int)strcspn(e, "\n");

		snprintf(kind, kn, "exit");
		snprintf(sig, gn, "exit:%d", r->exit_code);
		snprintf(title, tn, "the parser exited with %d: %.*s", r->exit_code, len > 300 ? 300 : len, e);
	}
}

void fn_result_release(struct fn_result *r)
{
	buf_release(&r->err);
}
