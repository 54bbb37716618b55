// SPDX-License-Identifier: MIT
/*
 * Run folders and JSON documents shared by the run-like modes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/util.h"

int run_dir_create(struct run_dir *rd, const char *base)
{
	char cwd[4096];

	memset(rd, 0, sizeof(*rd));
	uuid_v4(rd->id);
	rd->path = xasprintf("%s/runs/%s", base, rd->id);
	if (mkdir_p(rd->path, 0755)) {
		error("cannot create run folder '%s': %s", rd->path, strerror(errno));
		free(rd->path);
		rd->path = NULL;
		return -1;
	}
	if (rd->path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		rd->abs_path = xstrdup(rd->path);
	else
		rd->abs_path = xasprintf("%s/%s", cwd, rd->path);
	rd->started_real_ns = now_real_ns();
	rd->started_mono_ns = now_mono_ns();
	return 0;
}

void run_dir_release(struct run_dir *rd)
{
	free(rd->path);
	free(rd->abs_path);
	rd->path = rd->abs_path = NULL;
}

cJSON *json_u64(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return cJSON_CreateRaw(s);
}

void json_add_u64_string(cJSON *o, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	cJSON_AddStringToObject(o, key, s);
}

int json_get_u64(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		return parse_u64(v->valuestring, out);
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0 &&
	    v->valuedouble == (double)(uint64_t)v->valuedouble) {
		*out = (uint64_t)v->valuedouble;
		return 0;
	}
	return -1;
}

int json_write_file(const char *path, const cJSON *j)
{
	char *s = cJSON_Print(j);
	struct buf b = { 0 };
	int ret;

	if (!s)
		return error("cannot serialize JSON for '%s'", path);
	buf_add(&b, s, strlen(s));
	buf_addc(&b, '\n');
	ret = write_file_atomic(path, b.data, b.len);
	buf_release(&b);
	free(s);
	return ret;
}

bool json_printed;

void json_print(const cJSON *j)
{
	char *s = cJSON_Print(j);

	json_printed = true;

	if (!s)
		BUG("cannot serialize JSON");
	printf("%s\n", s);
	free(s);
}

void json_print_error(const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "status", "error");
	cJSON_AddStringToObject(o, "code", "error");
	cJSON_AddStringToObject(o, "message", msg);
	json_print(o);
	cJSON_Delete(o);
}

int status_exit_code(const char *status)
{
	if (!strcmp(status, "pass"))
		return EXIT_PASS;
	if (!strcmp(status, "fail"))
		return EXIT_FAIL;
	if (!strcmp(status, "timeout"))
		return EXIT_TIMEOUT;
	if (!strcmp(status, "crash"))
		return EXIT_CRASH;
	return EXIT_ERROR;
}
