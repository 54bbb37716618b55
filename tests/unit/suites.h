/* SPDX-License-Identifier: MIT */
/*
 * The unit-test suites, one per tests/unit/check_<module>.c, collected by
 * runner.c into a single Check runner. unit_tcase() is how every file makes
 * a test case, so none of them runs without an explicit timeout; runner.c
 * also provides the scratch folders of unit_tmpdir().
 */
#ifndef FOZZY_UNIT_SUITES_H
#define FOZZY_UNIT_SUITES_H

#include <check.h>

/* Seconds a single test may take; the slowest (bit-flip torture) needs < 1 s. */
#define UNIT_TIMEOUT 20

/* A new test case named `name` in suite s, with the unit timeout. */
static inline TCase *unit_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, UNIT_TIMEOUT);
	suite_add_tcase(s, tc);
	return tc;
}

/*
 * A fresh folder for one test, inside the runner's scratch folder (removed,
 * with everything in it, when the run ends). The caller frees the name.
 */
char *unit_tmpdir(void);

Suite *suite_util(void);
Suite *suite_det(void);
Suite *suite_trace(void);
Suite *suite_policy(void);
Suite *suite_report(void);
Suite *suite_fuzz(void);
Suite *suite_scenario(void);

#endif
