// SPDX-License-Identifier: MIT
/*
 * fozzy version and fozzy policy.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fozzy/cmd.h"
#include "fozzy/exit.h"
#include "fozzy/report.h"
#include "fozzy/sys.h"
#include "fozzy/version.h"

static int simple_opts(const char *cmd, int argc, char **argv, const char *usage)
{
	static const struct option longopts[] = { GLOBAL_LONG_OPTS, { NULL, 0, NULL, 0 } };
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (parse_global_opt(opt, optarg))
			continue;
		if (opt == OPT_HELP) {
			fputs(usage, stdout);
			return -1;
		}
		return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	int rc = simple_opts("version ", argc, argv, "usage: fozzy version [--json]\n");
	cJSON *o;

	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	if (!global.json) {
		printf("fozzy %s\n", FOZZY_VERSION);
		return EXIT_PASS;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "version", FOZZY_VERSION);
	json_print(o);
	cJSON_Delete(o);
	return EXIT_PASS;
}

const char policy_usage[] =
	"usage: fozzy policy [--json]\n"
	"\n"
	"Print the syscall policy: every x86_64 syscall number with its disposition\n"
	"(allow, trace, errno, kill), its group in seccomp/policy.txt, and for traced\n"
	"syscalls the number of arguments logged. Numbers not listed fail with ENOSYS.\n";

int cmd_policy(int argc, char **argv)
{
	static const char *const acts[] = { "enosys", "allow", "trace", "errno", "kill" };
	int rc = simple_opts("policy ", argc, argv, policy_usage);
	struct policy p;
	cJSON *arr = NULL;
	char name[32];
	int nr;

	if (rc)
		return rc < 0 ? EXIT_PASS : rc;
	if (policy_parse(policy_text, &p))
		return EXIT_ERROR;
	if (global.json)
		arr = cJSON_CreateArray();
	for (nr = 0; nr < SYS_NR_MAX; nr++) {
		char act[32];

		if (!p.action[nr])
			continue;
		sys_name((uint32_t)nr, name, sizeof(name));
		if (p.action[nr] == POLICY_ERRNO)
			snprintf(act, sizeof(act), "errno %s", strerrorname_np(p.err[nr]));
		else
			snprintf(act, sizeof(act), "%s", acts[p.action[nr]]);
		if (global.json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddNumberToObject(o, "nr", nr);
			cJSON_AddStringToObject(o, "name", name);
			cJSON_AddStringToObject(o, "action", act);
			cJSON_AddStringToObject(o, "group", p.group[nr]);
			if (p.action[nr] == POLICY_TRACE)
				cJSON_AddNumberToObject(o, "args", sys_table[nr].nargs);
			cJSON_AddItemToArray(arr, o); /* arr takes o */
		} else {
			printf("%d\t%s\t%s\t%s\n", nr, name, act, p.group[nr]);
		}
	}
	if (arr) {
		json_print(arr);
		cJSON_Delete(arr);
	}
	policy_release(&p);
	return EXIT_PASS;
}
