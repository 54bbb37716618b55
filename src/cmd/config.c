// SPDX-License-Identifier: MIT
/*
 * fozzy.toml: the defaults of the scenario commands. Debian 12 packages no C
 * TOML library, so this reads the subset the file needs: `key = value` lines
 * with a string ("..." with \" \\ \n \t escapes), an unsigned integer or a
 * boolean, comments (#) and blank lines. Tables, arrays, floats and dates are
 * errors, named with their line. Unknown keys are ignored (for forward
 * compatibility), as the contract says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fozzy/cmd.h"
#include "fozzy/util.h"

struct fozzy_config config;

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* Parse one value into out (a string, "true"/"false", or digits); 0 or -1. */
static int parse_value(char *v, char **out, bool *is_str)
{
	struct buf b = { 0 };
	char *p;

	*is_str = false;
	if (*v == '"') {
		for (p = v + 1; *p && *p != '"'; p++) {
			if (*p == '\\') {
				p++;
				if (*p == 'n')
					buf_addc(&b, '\n');
				else if (*p == 't')
					buf_addc(&b, '\t');
				else if (*p == '"' || *p == '\\')
					buf_addc(&b, (uint8_t)*p);
				else {
					buf_release(&b);
					return -1;
				}
				continue;
			}
			buf_addc(&b, (uint8_t)*p);
		}
		if (*p != '"' || (*trim(p + 1) && *trim(p + 1) != '#')) {
			buf_release(&b);
			return -1;
		}
		buf_addc(&b, 0);
		*out = (char *)b.data;
		*is_str = true;
		return 0;
	}
	p = strchr(v, '#');
	if (p)
		*p = 0;
	v = trim(v);
	if (!strcmp(v, "true") || !strcmp(v, "false") || (*v && strspn(v, "0123456789_") == strlen(v))) {
		*out = xstrdup(v);
		return 0;
	}
	return -1;
}

static int set(const char *key, char *val, bool is_str, int line, char *why, size_t n)
{
	static const char *const strs[] = { "base_dir", "reporter", "proc_backend", "fs_backend", "http_backend",
					     "mem_pressure_wave" };
	static const char *const bools[] = { "mem_track", "fail_on_leak", "mem_artifacts" };
	static const char *const nums[] = { "mem_limit_mb", "mem_fail_after", "leak_budget", "mem_fragmentation_seed",
					    "profile_heap_alloc_budget", "profile_heap_in_use_budget" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		if (strcmp(key, strs[i]))
			continue;
		if (!is_str) {
			snprintf(why, n, "line %d: %s must be a string", line, key);
			return -1;
		}
		if ((!strcmp(key, "proc_backend") || !strcmp(key, "http_backend")) && strcmp(val, "scripted") && strcmp(val, "host")) {
			snprintf(why, n, "line %d: %s must be \"scripted\" or \"host\"", line, key);
			return -1;
		}
		if (!strcmp(key, "fs_backend") && strcmp(val, "virtual") && strcmp(val, "host")) {
			snprintf(why, n, "line %d: fs_backend must be \"virtual\" or \"host\"", line);
			return -1;
		}
		if (!strcmp(key, "reporter") && strcmp(val, "pretty") && strcmp(val, "json") && strcmp(val, "junit") &&
		    strcmp(val, "html")) {
			snprintf(why, n, "line %d: reporter must be pretty, json, junit or html", line);
			return -1;
		}
		if (!strcmp(key, "base_dir"))
			config.base_dir = xstrdup(val);
		else if (!strcmp(key, "reporter"))
			config.reporter = xstrdup(val);
		else if (!strcmp(key, "proc_backend"))
			config.host_proc = !strcmp(val, "host");
		else if (!strcmp(key, "http_backend"))
			config.host_http = !strcmp(val, "host");
		else if (!strcmp(key, "fs_backend"))
			config.host_fs = !strcmp(val, "host");
		else
			config.pressure_wave = xstrdup(val);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(bools); i++) {
		if (strcmp(key, bools[i]))
			continue;
		if (is_str || (strcmp(val, "true") && strcmp(val, "false"))) {
			snprintf(why, n, "line %d: %s must be true or false", line, key);
			return -1;
		}
		*(!strcmp(key, "mem_track") ? &config.mem_track : !strcmp(key, "fail_on_leak") ? &config.fail_on_leak
											      : &config.mem_artifacts) =
			!strcmp(val, "true");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		char digits[32];
		size_t k, m = 0;
		uint64_t v;

		if (strcmp(key, nums[i]))
			continue;
		for (k = 0; val[k] && m < sizeof(digits) - 1; k++)
			if (val[k] != '_')
				digits[m++] = val[k];
		digits[m] = 0;
		if (is_str || !m || parse_u64(digits, &v) || v > (1ULL << 53)) {
			snprintf(why, n, "line %d: %s must be an unsigned integer", line, key);
			return -1;
		}
		if (!strcmp(key, "mem_limit_mb"))
			config.has_limit = true, config.mem_limit_mb = v;
		else if (!strcmp(key, "mem_fail_after"))
			config.has_fail_after = true, config.mem_fail_after = v;
		else if (!strcmp(key, "leak_budget"))
			config.has_budget = true, config.leak_budget = v;
		else if (!strcmp(key, "mem_fragmentation_seed"))
			config.has_frag = true, config.frag_seed = v;
		else if (!strcmp(key, "profile_heap_alloc_budget"))
			config.has_heap_alloc_budget = true, config.heap_alloc_budget = v;
		else if (!strcmp(key, "profile_heap_in_use_budget"))
			config.has_heap_in_use_budget = true, config.heap_in_use_budget = v;
		return 0;
	}
	return 0; /* unknown keys are ignored */
}

int config_load(const char *path, bool given, char *why, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int ln = 0;

	if (!f) {
		if (errno == ENOENT) {
			/* no config file: the defaults (said aloud when --config named it) */
			if (given && !quiet_errors)
				note("no config file '%s': using the defaults", path);
			return 0;
		}
		snprintf(why, n, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	struct buf seen = { 0 }; /* "\nkey\n" of every key so far */

	buf_addc(&seen, '\n');
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq, *key, *val, *mark;
		bool is_str;
		int rc;

		ln++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(why, n, "%s: line %d: longer than %zu characters", path, ln, sizeof(line) - 2);
			buf_release(&seen);
			fclose(f);
			return -1;
		}
		s[strcspn(s, "\n")] = 0;
		s = trim(s);
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			snprintf(why, n, "%s: line %d: tables are not supported (fozzy.toml is flat key = value)", path, ln);
			buf_release(&seen);
			fclose(f);
			return -1;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(why, n, "%s: line %d: expected key = value", path, ln);
			buf_release(&seen);
			fclose(f);
			return -1;
		}
		*eq = 0;
		key = trim(s);
		if (!*key || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(key)) {
			snprintf(why, n, "%s: line %d: invalid key '%s'", path, ln, key);
			buf_release(&seen);
			fclose(f);
			return -1;
		}
		mark = xasprintf("\n%s\n", key);
		buf_addc(&seen, 0);
		if (strstr((const char *)seen.data, mark)) {
			snprintf(why, n, "%s: line %d: %s is set twice", path, ln, key);
			free(mark);
			buf_release(&seen);
			fclose(f);
			return -1;
		}
		seen.len--;
		buf_addf(&seen, "%s\n", key);
		free(mark);
		if (parse_value(trim(eq + 1), &val, &is_str)) {
			snprintf(why, n, "%s: line %d: invalid value for %s (a \"string\", an integer, true or false)", path, ln,
				 key);
			buf_release(&seen);
			fclose(f);
			return -1;
		}
		{
			char inner[512];

			rc = set(key, val, is_str, ln, inner, sizeof(inner));
			if (rc)
				snprintf(why, n, "%s: %s", path, inner);
		}
		free(val);
		if (rc) {
			buf_release(&seen);
			fclose(f);
			return -1;
		}
	}
	buf_release(&seen);
	fclose(f);
	return 0;
}
