/* SPDX-License-Identifier: MIT */
/*
 * Run folders and reports: .fozzy/runs/<runId>/ with report.json, trace.fozzy
 * and the program's stdout/stderr; the RunSummary JSON of SPEC.md 5.1; the
 * human summary; JSON error documents.
 */
#ifndef FOZZY_REPORT_H
#define FOZZY_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

struct run_dir {
	char id[37];
	char *path;      /* <base>/runs/<id> */
	char *abs_path;  /* absolute */
	uint64_t started_real_ns, started_mono_ns;
};

/* Create a fresh run folder under base. Returns 0 or -1 after error(). */
int run_dir_create(struct run_dir *rd, const char *base);
void run_dir_release(struct run_dir *rd);

/* A u64 as an exact JSON number (cJSON's doubles would round it). Caller owns it. */
cJSON *json_u64(uint64_t v);
/* A u64 field stored as a decimal string (trace headers read it back exactly). */
void json_add_u64_string(cJSON *o, const char *key, uint64_t v);
/* Read such a field back; 0 on success. Accepts a string or a number. */
int json_get_u64(const cJSON *o, const char *key, uint64_t *out);

/* Write JSON (pretty, trailing newline) atomically. Returns 0 or -1. */
int json_write_file(const char *path, const cJSON *j);
/* Print JSON (pretty) on stdout; sets json_printed. */
extern bool json_printed;
void json_print(const cJSON *j);
/* {"status":"error","code":"error","message":msg} on stdout. */
void json_print_error(const char *msg);

/* Exit code for a summary status ("pass", "fail", ...). */
int status_exit_code(const char *status);

#endif
