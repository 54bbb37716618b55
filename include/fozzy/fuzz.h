/* SPDX-License-Identifier: MIT */
/*
 * The parts of `fozzy fuzz` that do not run programs: mutations, AFL-format
 * dictionaries, the coverage map's hit-count buckets, and sanitizer reports.
 */
#ifndef FOZZY_FUZZ_H
#define FOZZY_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fozzy/det.h"
#include "fozzy/util.h"

/* ---- mutations ---- */

enum mut_family {
	MUT_HAVOC,       /* default: a stack of 1-16 operations from every family below */
	MUT_BITFLIP,     /* flip 1, 2 or 4 adjacent bits */
	MUT_BYTEFLIP,    /* invert 1, 2 or 4 adjacent bytes */
	MUT_ARITH,       /* add or subtract 1..35 to a byte, 16- or 32-bit word (either endianness) */
	MUT_INTERESTING, /* overwrite with a boundary value (0, -1, 127, 255, 32767, INT_MAX, ...) */
	MUT_BLOCK,       /* insert, delete, duplicate or overwrite a block of bytes */
	MUT_DICT,        /* insert or overwrite with a dictionary token */
	MUT_SPLICE,      /* cross-over: a head of this input, a tail of another corpus entry */
	MUT_N,
};

const char *mut_name(enum mut_family f);
/* 0, or -1 when name is not a family. */
int mut_parse(const char *name, enum mut_family *f);

struct fuzz_dict {
	size_t n;
	struct fuzz_token {
		uint8_t *p;
		size_t len;
	} *t;
};

/*
 * Load an AFL++/libFuzzer dictionary: one token per line, `name="value"` or
 * `"value"`, optional `@level` after the name, `#` comments, escapes \\ \"
 * and \xNN. Returns 0, or -1 with why set (the line number and the problem).
 */
int dict_load(const char *path, struct fuzz_dict *d, char *why, size_t whylen);
/* Parse dictionary text (dict_load without the file). */
int dict_parse(const char *text, size_t len, struct fuzz_dict *d, char *why, size_t whylen);
void dict_release(struct fuzz_dict *d);

/*
 * Mutate b in place with family f, keeping it at most max bytes. other is a
 * second corpus entry for splicing (may be NULL); d may be empty. Families
 * that cannot apply (a dictionary family without tokens, splice without a
 * partner) fall back to havoc. Deterministic in the PRNG state.
 */
void fuzz_mutate(struct buf *b, enum mut_family f, struct prng *r, const struct fuzz_dict *d,
		 const uint8_t *other, size_t other_len, size_t max);

/* ---- coverage ---- */

/* The AFL hit-count bucket of a counter: 0, 1, 2, 4, 8, 16, 32, 64 or 128. */
uint8_t cov_bucket(uint8_t count);

/*
 * Merge a run's counters (n bytes) into the map of buckets seen so far.
 * Returns how many edges were never hit before; *new_buckets counts edges
 * hit in a bucket not seen before (including the new edges).
 */
size_t cov_merge(uint8_t *seen, const uint8_t *counters, size_t n, size_t *new_buckets);

/* Would merging find anything new? (cov_merge without the update) */
bool cov_has_new(const uint8_t *seen, const uint8_t *counters, size_t n);

/* ---- sanitizer reports ---- */

struct san_report {
	char tool[32];        /* "AddressSanitizer", "UndefinedBehaviorSanitizer", ... */
	char kind[64];        /* "heap-buffer-overflow", "SEGV", "signed-integer-overflow", ... */
	char access[32];      /* "READ of size 1", or empty */
	char frames[3][160];  /* top frames: "function file:line" or "module+0xoffset" */
	unsigned nframes;
	char summary[256];    /* the SUMMARY line, or the first line of the report */
};

/*
 * Find the first AddressSanitizer, LeakSanitizer, MemorySanitizer,
 * ThreadSanitizer or UndefinedBehaviorSanitizer report in text. Frames
 * inside the sanitizer runtime and libc are skipped. 1 if found, else 0.
 */
int san_parse(const char *text, size_t len, struct san_report *out);

/*
 * Corpus archives (src/fuzz/corpus_zip.c, libzip). export: every regular
 * file under dir (sorted, relative names, 1980 timestamps) into a zip written
 * atomically; symbolic links are refused. import: every name checked
 * (relative, no . or .., portable, no case-insensitive duplicates, no links,
 * sizes bounded) and no existing file overwritten, before anything is
 * written. 0 and the number of files, or -1 with why.
 */
int corpus_export(const char *dir, const char *zip_path, unsigned *count, char *why, size_t n);
int corpus_import(const char *zip_path, const char *dir, unsigned *count, char *why, size_t n);

/* ---- fn: targets: fozzy's own parsers (src/fuzz/fn.c) ---- */

struct fn_target {
	const char *name;          /* fn:NAME */
	const char *what;
	/* Parse (and where it makes sense, run) the input; 0 accepted, 1 rejected; why says what happened. */
	int (*run)(const uint8_t *p, size_t n, char *why, size_t wn);
};

struct fn_result {
	int exit_code;             /* the child's, when it exited */
	int signal;                /* the signal that ended it, or 0 */
	bool timed_out;            /* the real-time alarm ended it */
	char why[512];             /* "accepted: ..." or "rejected: <message>" */
	struct buf err;            /* its stderr (sanitizer reports) */
};

const struct fn_target *fn_find(const char *name);
/* "fn:scenario, fn:trace, ..." */
void fn_names(char *out, size_t n);
/* One execution in a forked child, ended after wall_ns of real time. 0, or -1 (errno) if it could not run. */
int fn_exec(const struct fn_target *t, const uint8_t *p, size_t n, uint64_t wall_ns, struct fn_result *r);
void fn_result_release(struct fn_result *r);
/* Its status (pass, fail, crash, timeout) and finding (kind, signature, title; empty: none). */
void fn_classify(const struct fn_result *r, char *status, size_t sn, char *kind, size_t kn, char *sig, size_t gn,
		 char *title, size_t tn);

#endif
