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

int cmd_version(int argc, char **argv)
{
	int rc = parse_plain_args("version ", argc, argv, "usage: fozzy version [--json]\n", NULL);
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
	int rc = parse_plain_args("policy ", argc, argv, policy_usage, NULL);
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
