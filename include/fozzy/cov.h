/* SPDX-License-Identifier: MIT */
/*
 * The coverage map shared between `fozzy fuzz` and a program built with
 * -fsanitize-coverage=trace-pc-guard and linked with libfozzy-cov.a (fozzy cc
 * does both). fozzy creates a memfd of FOZZY_COV_SIZE bytes and hands it to
 * the program as descriptor SANDBOX_COV_FD (198). The runtime numbers the
 * program's edge guards 1, 2, ... and counts each edge's hits, saturating at
 * 255, in the first FOZZY_COV_MAP bytes; the header after them says how many
 * guards the program has. Without the descriptor the runtime counts into a
 * private buffer, so the program runs normally outside fozzy.
 */
#ifndef FOZZY_COV_H
#define FOZZY_COV_H

#include <stdint.h>

#define FOZZY_COV_MAP 65536u                 /* counters; edge i counts at i % (MAP - 1) + 1 */
#define FOZZY_COV_SIZE (FOZZY_COV_MAP + 4096u) /* counters + header page */
#define FOZZY_COV_MAGIC 0x766f637a7a6f66ull  /* "fozzcov" */

struct fozzy_cov_header {
	uint64_t magic;   /* written by fozzy; the runtime attaches only when it matches */
	uint32_t guards;  /* edges the program was built with (all modules) */
	uint32_t attached; /* processes that mapped the counters */
};

#endif
