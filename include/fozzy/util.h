/* SPDX-License-Identifier: MIT */
/*
 * Small shared helpers: error reporting, checked allocation, growable byte
 * buffers, varints, atomic file writes, and parsing of durations and numbers.
 */
#ifndef FOZZY_UTIL_H
#define FOZZY_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NORETURN __attribute__((noreturn))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Called by die() before exiting, to kill tracees and remove temp files. */
typedef void (*die_hook_fn)(void);
void set_die_hook(die_hook_fn fn);

/* "fozzy: <msg>" on stderr, then exit(2). Only main.c and cmd/ may call it. */
NORETURN PRINTF(1, 2) void die(const char *fmt, ...);
/* "fozzy: <msg>" on stderr; returns -1 so callers can `return error(...)`. */
PRINTF(1, 2) int error(const char *fmt, ...);
/* "fozzy: warning: <msg>" on stderr. */
PRINTF(1, 2) void warning(const char *fmt, ...);
/* "fozzy: note: ..." on stderr: information, not a problem. */
PRINTF(1, 2) void note(const char *fmt, ...);
/* An impossible state: report file and line and abort. */
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
NORETURN PRINTF(3, 4) void bug_fl(const char *file, int line, const char *fmt, ...);
/* When set, error() and warning() stay quiet (used by --json paths that report in JSON). */
extern bool quiet_errors;
/* The last message passed to error(), for JSON error documents. */
const char *last_error(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
PRINTF(1, 2) char *xasprintf(const char *fmt, ...);

/* A growable byte buffer. buf_init() on a zeroed struct; buf_release() frees. */
struct buf {
	uint8_t *data;
	size_t len, cap;
};
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, uint8_t c);
PRINTF(2, 3) void buf_addf(struct buf *b, const char *fmt, ...);
void buf_release(struct buf *b);

/* LEB128 unsigned varints and zigzag-coded signed ones. */
void buf_add_uvarint(struct buf *b, uint64_t v);
void buf_add_svarint(struct buf *b, int64_t v);
/* Decode at *pos within [p, p+len); return 0, or -1 on truncation/overlong input. */
int get_uvarint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out);
int get_svarint(const uint8_t *p, size_t len, size_t *pos, int64_t *out);

/*
 * Write len bytes to path atomically: a temp file in the same directory,
 * fsync, rename, fsync of the directory. Returns 0 or -1 (error printed).
 */
int write_file_atomic(const char *path, const void *data, size_t len);
/*
 * Set (per thread) while files are written into a scratch folder that is
 * thrown away unless kept (explore's passing runs): still written through a
 * temp file and a rename, but not fsynced. fsync_files() makes kept ones durable.
 */
extern _Thread_local bool writes_scratch;
void fsync_files(const char *dir, const char *const *names, size_t n);

/*
 * Record locks: PATH.lock (O_EXCL, holding the pid) while this process is
 * about to write PATH, so two recordings never pick the same target. A lock
 * older than RECORD_LOCK_STALE_S is taken over; a fresher one is an error
 * (-1, why set). Locks are released by record_unlock or at exit.
 */
#define RECORD_LOCK_STALE_S 300
int record_lock(const char *path, char *why, size_t n);
void record_unlock(const char *path);
/* Read a whole file into b (appended). Returns 0 or -1 with errno set. */
int read_file(const char *path, struct buf *b);
/*
 * Append what fd holds to b, but never more than max bytes in b: past that,
 * stop reading and set *over. 0, or -1 with errno.
 */
int fd_read_max(int fd, struct buf *b, size_t max, bool *over);
/* Read or write exactly n bytes, through EINTR. 0, or -1 (errno set; EOF on read sets none). */
int fd_read_all(int fd, void *p, size_t n);
int fd_write_all(int fd, const void *p, size_t n);
/* mkdir -p. Returns 0 or -1 with errno set. */
int mkdir_p(const char *path, unsigned mode);
/* Remove a folder and everything in it (no symlink is followed). Returns 0 or -1. */
int remove_tree(const char *path);

/*
 * Durations: an unsigned integer immediately followed by ms, s, m or h;
 * surrounding whitespace trimmed; nothing else. Returns 0 and nanoseconds,
 * or -1 on a malformed value.
 */
int parse_duration(const char *s, uint64_t *ns);
/* Decimal u64 with nothing trailing. Returns 0 or -1. */
int parse_u64(const char *s, uint64_t *out);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const uint8_t *p, size_t n, char *out);
/* Append the bytes of an even-length string of hex digits to out: 0, or -1 (NULL, odd length, not hex). */
int hex_decode(const char *hex, struct buf *out);

/* Nanoseconds of CLOCK_MONOTONIC / CLOCK_REALTIME of fozzy itself. */
uint64_t now_mono_ns(void);
uint64_t now_real_ns(void);
/* RFC 3339 UTC with nanoseconds of a CLOCK_REALTIME value, into out[40]. */
void format_rfc3339(uint64_t real_ns, char out[40]);
/* A random UUID v4 string into out[37]. */
void uuid_v4(char out[37]);

/*
 * A map from a pair of u64 keys to the number of its first sight (1, 2, ...):
 * the order in which a run meets inodes, devices or mounts, which is as
 * deterministic as the run itself.
 */
struct seen_map {
	struct seen_ent { uint64_t a, b, n; } *tab;
	size_t cap, count;
};
uint64_t seen_number(struct seen_map *m, uint64_t a, uint64_t b);
void seen_release(struct seen_map *m);

#endif
