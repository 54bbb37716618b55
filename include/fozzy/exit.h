/* SPDX-License-Identifier: MIT */
/*
 * Exit codes of every fozzy command. One enum, documented in man/fozzy.1 and
 * CLI.md; tests/e2e checks that the three agree.
 */
#ifndef FOZZY_EXIT_H
#define FOZZY_EXIT_H

enum fozzy_exit {
	EXIT_PASS = 0,    /* run-like command passed; other commands succeeded */
	EXIT_FAIL = 1,    /* the program under test failed (non-zero exit status) */
	EXIT_ERROR = 2,   /* usage, I/O, corrupt input, replay divergence, strict rejection */
	EXIT_TIMEOUT = 3, /* virtual or real-time budget exhausted */
	EXIT_CRASH = 4,   /* the program under test was killed by a signal */
};

#endif
