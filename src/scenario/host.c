// SPDX-License-Identifier: MIT
/*
 * The host backends of scenario steps: real files under the working
 * directory, real processes under fozzy's own supervisor, real HTTP through
 * libcurl. Each returns what the host answered; the engine records it as a
 * decision, so a replay never touches the host.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fozzy/scenario.h"
#include "fozzy/util.h"
#include "fozzy/report.h"
#include "host.h"
#include "fozzy/lazylib.h"

/* ---- files: confined to a root folder ---- */

bool hostfs_path_ok(const char *path)
{
	const char *p = path;

	if (!*path || *path == '/')
		return false;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if ((n == 2 && !strncmp(p, "..", 2)) || (n == 1 && *p == '.') || n == 0)
			return false;
		if (!e)
			break;
		p = e + 1;
	}
	return strlen(path) < 4096;
}

/* openat2 beneath root, refusing symbolic links and magic links anywhere on the way. */
static int open_beneath(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .mode = mode,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

static int mkdirs_beneath(int rootfd, const char *path)
{
	char *dir = xstrdup(path), *p;

	for (p = strchr(dir, '/'); p; p = strchr(p + 1, '/')) {
		int fd;

		*p = 0;
		fd = open_beneath(rootfd, dir, O_PATH | O_DIRECTORY, 0);
		if (fd < 0) {
			/* create it, inside the parent opened beneath the root */
			char *slash = strrchr(dir, '/');
			int pfd = slash ? (*slash = 0, open_beneath(rootfd, dir, O_PATH | O_DIRECTORY, 0)) : dup(rootfd);
			const char *leaf = slash ? slash + 1 : dir;

			if (pfd < 0 || (mkdirat(pfd, leaf, 0755) && errno != EEXIST)) {
				int e = errno;

				if (pfd >= 0)
					close(pfd);
				free(dir);
				errno = e;
				return -1;
			}
			close(pfd);
			if (slash)
				*slash = '/';
		} else {
			close(fd);
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

/*
 * Only regular files with one link: opened without blocking (a FIFO would
 * hang the run), and never a hard link, which could name a file outside.
 */
static int check_plain(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	if (st.st_nlink > 1) {
		errno = EMLINK;
		return -1;
	}
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
}

int hostfs_write(int rootfd, const char *path, const void *data, size_t len)
{
	int fd, rc;

	if (mkdirs_beneath(rootfd, path))
		return -1;
	fd = open_beneath(rootfd, path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0)
		return -1;
	if (check_plain(fd) || ftruncate(fd, 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	rc = fd_write_all(fd, data, len);
	if (close(fd))
		rc = -1;
	return rc;
}

int hostfs_read(int rootfd, const char *path, struct buf *out, bool *missing)
{
	int fd = open_beneath(rootfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	bool over;

	*missing = false;
	if (fd < 0) {
		if (errno == ENOENT) {
			*missing = true;
			return 0;
		}
		return -1;
	}
	if (check_plain(fd)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (fd_read_max(fd, out, HOST_MAX_BYTES, &over) || over) {
		int e = over ? EFBIG : errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

int hostfs_remove(int rootfd, const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int pfd, rc;

	if (slash) {
		*slash = 0;
		pfd = open_beneath(rootfd, dir, O_PATH | O_DIRECTORY, 0);
	} else {
		pfd = dup(rootfd);
	}
	if (pfd < 0) {
		free(dir);
		return errno == ENOENT ? 0 : -1;
	}
	rc = unlinkat(pfd, slash ? slash + 1 : dir, 0);
	if (rc && errno == ENOENT)
		rc = 0;
	close(pfd);
	free(dir);
	return rc;
}

/* ---- processes: under fozzy's own supervisor ---- */

/* At most HOST_MAX_BYTES of a file; *over when there was more (nothing past the cap is read). */
static int read_capped(const char *path, struct buf *out, bool *over)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc;

	*over = false;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	rc = fd_read_max(fd, out, HOST_MAX_BYTES, over);
	close(fd);
	return rc;
}

int hostproc_run(const struct host_proc_req *q, struct host_proc_res *res)
{
	char tmpl[] = "/tmp/fozzy-proc-XXXXXX", seed[24], wall[32], *summary_path, **argv;
	int outfd, status, i = 0, n = 0;
	pid_t pid;
	struct buf js = { 0 };
	cJSON *sum = NULL;
	const cJSON *nat;

	memset(res, 0, sizeof(*res));
	if (!mkdtemp(tmpl)) {
		snprintf(res->why, sizeof(res->why), "cannot create a temporary folder: %s", strerror(errno));
		return -1;
	}
	summary_path = xasprintf("%s/summary.json", tmpl);
	while (q->args && q->args[n])
		n++;
	argv = xcalloc((size_t)n + 16, sizeof(char *));
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)q->seed);
	snprintf(wall, sizeof(wall), "%llums", (unsigned long long)(q->timeout_ms ? q->timeout_ms : 600000));
	argv[i++] = (char *)q->self;
	argv[i++] = "run";
	if (q->det)
		argv[i++] = "--det";
	argv[i++] = "--seed";
	argv[i++] = seed;
	argv[i++] = "--wall-timeout";
	argv[i++] = wall;
	argv[i++] = "--base-dir";
	argv[i++] = tmpl;
	argv[i++] = "--json";
	argv[i++] = "--";
	argv[i++] = (char *)q->cmd;
	for (int k = 0; k < n; k++)
		argv[i++] = (char *)q->args[k];
	argv[i] = NULL;
	outfd = open(summary_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (outfd < 0) {
		snprintf(res->why, sizeof(res->why), "cannot create '%s': %s", summary_path, strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(res->why, sizeof(res->why), "fork: %s", strerror(errno));
		close(outfd);
		goto out;
	}
	if (!pid) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(outfd, STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO); /* the program's output is in the run folder */
		}
		execv(q->self, argv);
		_exit(127);
	}
	close(outfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (read_file(summary_path, &js) || !(sum = cJSON_ParseWithLength((const char *)js.data, js.len))) {
		snprintf(res->why, sizeof(res->why), "the supervisor gave no summary (status %#x)", status);
		goto out;
	}
	if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sum, "status")) ?: "", "error") &&
	    !cJSON_GetObjectItemCaseSensitive(sum, "native")) {
		snprintf(res->why, sizeof(res->why), "%s",
			 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sum, "message")) ?: "the supervisor failed");
		goto out;
	}
	nat = cJSON_GetObjectItemCaseSensitive(sum, "native");
	res->timed_out = !strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sum, "status")) ?: "", "timeout");
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(nat, "exitCode")))
		res->exit_code = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(nat, "exitCode"));
	else
		res->exit_code = -1; /* killed by a signal */
	{
		const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(nat, "stdout"), "path"));
		const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(nat, "stderr"), "path"));
		bool over1 = false, over2 = false;

		if ((o && read_capped(o, &res->out, &over1)) || (e && read_capped(e, &res->err, &over2))) {
			snprintf(res->why, sizeof(res->why), "cannot read the program's output: %s", strerror(errno));
			goto out;
		}
		res->over_limit = over1 || over2;
	}
	json_get_u64(nat, "virtualTimeNs", &res->vtime_ns);
	res->ok = true;
out:
	cJSON_Delete(sum);
	buf_release(&js);
	free(argv);
	free(summary_path);
	remove_tree(tmpl);
	return res->ok ? 0 : -1;
}

void host_proc_res_release(struct host_proc_res *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
}

/* ---- HTTP through libcurl ---- */

static size_t body_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct host_http_res *r = arg;

	if (r->body.len + sz * n > HOST_MAX_BYTES) {
		r->over_limit = true;
		return 0; /* aborts the transfer */
	}
	buf_add(&r->body, p, sz * n);
	return sz * n;
}

static size_t header_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct host_http_res *r = arg;
	size_t len = sz * n, i;
	char *line = xmalloc(len + 1), *colon, *v, *end;

	memcpy(line, p, len);
	line[len] = 0;
	if (!strncmp(line, "HTTP/", 5)) {
		/* a new response (redirects, 100 Continue): start the headers again */
		cJSON_Delete(r->headers);
		r->headers = cJSON_CreateObject();
	} else if ((colon = strchr(line, ':'))) {
		*colon = 0;
		for (i = 0; line[i]; i++)
			line[i] = (char)((line[i] >= 'A' && line[i] <= 'Z') ? line[i] + 32 : line[i]);
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		end = v + strlen(v);
		while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
			*--end = 0;
		if (has_key(r->headers, line))
			cJSON_ReplaceItemInObjectCaseSensitive(r->headers, line, cJSON_CreateString(v));
		else
			cJSON_AddStringToObject(r->headers, line, v);
	}
	free(line);
	return len;
}

static bool curl_ready;

int scenario_host_init(char *why, size_t n)
{
	if (curl_ready)
		return 0;
	if (lz_curl_load(why, n))
		return -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl_ready = true;
	return 0;
}

int hosthttp_request(const struct host_http_req *q, struct host_http_res *r)
{
	struct curl_slist *hdrs = NULL;
	const cJSON *h;
	CURL *c;
	CURLcode rc;
	long code = 0;

	memset(r, 0, sizeof(*r));
	r->headers = cJSON_CreateObject();
	if (scenario_host_init(r->why, sizeof(r->why)))
		return -1;
	c = curl_easy_init();
	if (!c) {
		snprintf(r->why, sizeof(r->why), "libcurl could not start");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	if (!strcmp(q->method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	cJSON_ArrayForEach(h, q->headers) {
		char *line = xasprintf("%s: %s", h->string, h->valuestring);

		hdrs = curl_slist_append(hdrs, line);
		free(line);
	}
	if (hdrs)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (q->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
	}
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* as for host commands: the --timeout budget, or 10 minutes */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(q->timeout_ms ? q->timeout_ms : 600000));
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	r->status = (int)code;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		r->timed_out = true;
	} else if (r->over_limit) {
		snprintf(r->why, sizeof(r->why), "the response body is over %u MiB", HOST_MAX_BYTES >> 20);
	} else if (rc != CURLE_OK) {
		snprintf(r->why, sizeof(r->why), "%s", curl_easy_strerror(rc));
	} else {
		r->ok = true;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return r->ok ? 0 : -1;
}

void host_http_res_release(struct host_http_res *r)
{
	buf_release(&r->body);
	cJSON_Delete(r->headers);
	r->headers = NULL;
}
