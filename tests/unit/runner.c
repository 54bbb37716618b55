// SPDX-License-Identifier: MIT
/*
 * The unit-test runner: every suite in one Check runner, each test in its own
 * forked child so a crash or a timeout fails that test alone. Tests that need
 * files get a folder under one scratch folder that the runner removes at the
 * end, so a failed test leaves nothing behind. Check prints its usual report;
 * the last line, "unit: N passed, N failed", is what CI and tests/run-all.sh
 * read. Exits 0 when nothing failed, 1 otherwise.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fozzy/util.h"
#include "suites.h"

static char scratch[] = "/tmp/fozzy-unit-XXXXXX";

char *unit_tmpdir(void)
{
	char *dir = xasprintf("%s/t-XXXXXX", scratch);

	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp '%s': %s", dir, strerror(errno));
	return dir;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

int main(void)
{
	SRunner *sr;
	int run, failed;

	if (!mkdtemp(scratch)) {
		fprintf(stderr, "unit: cannot create '%s': %s\n", scratch, strerror(errno));
		return 1;
	}
	sr = srunner_create(suite_util());
	srunner_add_suite(sr, suite_det());
	srunner_add_suite(sr, suite_trace());
	srunner_add_suite(sr, suite_policy());
	srunner_add_suite(sr, suite_report());
	srunner_add_suite(sr, suite_fuzz());
	srunner_add_suite(sr, suite_scenario());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	printf("unit: %d passed, %d failed\n", run - failed, failed);
	if (fflush(stdout) || ferror(stdout))
		return 1;
	return failed ? 1 : 0;
}
