/* SPDX-License-Identifier: MIT */
/* Private to src/scenario: the host backends (host.c). */
#ifndef FOZZY_SCENARIO_HOST_H
#define FOZZY_SCENARIO_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "fozzy/util.h"

#define HOST_MAX_BYTES (8u << 20) /* file, process output and HTTP body cap */

/* A relative path without "." or ".." components (the confinement is done by openat2 too). */
bool hostfs_path_ok(const char *path);
/* 0, or -1 with errno. Symbolic links on the way are refused (ELOOP). */
int hostfs_write(int rootfd, const char *path, const void *data, size_t len);
int hostfs_read(int rootfd, const char *path, struct buf *out, bool *missing);
int hostfs_remove(int rootfd, const char *path);

struct host_proc_req {
	const char *self;          /* the fozzy binary */
	const char *cmd;
	const char *const *args;   /* NULL-terminated, or NULL */
	bool det;
	uint64_t seed, timeout_ms; /* timeout: wall ms (0: 10 min) */
};

struct host_proc_res {
	bool ok, timed_out, over_limit;
	int exit_code;             /* -1: killed by a signal */
	struct buf out, err;
	uint64_t vtime_ns;
	char why[512];
};

/* Run cmd under `fozzy run` (the supervisor and its sandbox). 0, or -1 with res->why. */
int hostproc_run(const struct host_proc_req *q, struct host_proc_res *res);
void host_proc_res_release(struct host_proc_res *r);

struct host_http_req {
	const char *method, *url, *body;
	const cJSON *headers;      /* object of strings, or NULL */
	uint64_t timeout_ms;       /* 0: none */
};

struct host_http_res {
	bool ok, timed_out, over_limit;
	int status;
	cJSON *headers;            /* lower-cased names */
	struct buf body;
	char why[512];
};

int hosthttp_request(const struct host_http_req *q, struct host_http_res *r);
void host_http_res_release(struct host_http_res *r);

#endif
