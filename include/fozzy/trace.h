/* SPDX-License-Identifier: MIT */
/*
 * The .fozzy trace container (man/fozzy.5):
 *
 *   "FOZZYTRC"  8-byte magic
 *   u32 LE      container version (1)
 *   u32 LE      header length, then the header: a JSON object
 *   u64 LE      stream length, then the event stream (records below)
 *   u32 LE      footer length, then the footer: a JSON object
 *   16 bytes    XXH3-128 of everything before it, canonical (big-endian)
 *
 * The event stream is a sequence of records, each starting with a tag byte.
 * An event (a traced syscall, an exec, a trapped instruction, a signal, an
 * exit) is followed by the decisions taken for it (clock values, random
 * bytes). Integers are LEB128 varints; signed ones are zigzag-coded.
 */
#ifndef FOZZY_TRACE_H
#define FOZZY_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "fozzy/util.h"

#define TRACE_MAGIC "FOZZYTRC"
#define TRACE_VERSION 1
#define TRACE_FORMAT "fozzy-trace"

enum ev_tag {
	EV_SYSCALL = 1, /* tid, nr, nargs|flags byte, args..., [result] */
	EV_EXEC = 2,    /* tid, path length, path bytes */
	EV_INSN = 3,    /* tid, kind (enum insn_kind) */
	EV_SIGNAL = 4,  /* tid, signal number */
	EV_EXIT = 5,    /* tid, wait status */
	EV_PREEMPT = 6, /* tid, 0: interrupted in user space (a degraded run) */
	EV_JSON = 7,    /* scenario runs: an event as compact JSON (length, bytes) */
	DEC_VALUE = 16, /* a decided integer: clock nanoseconds, a count */
	DEC_BYTES = 17, /* decided bytes: length, bytes (randomness) */
	DEC_JSON = 18,  /* scenario runs: a decision as compact JSON (length, bytes) */
};

enum insn_kind {
	INSN_RDTSC = 0,
	INSN_RDTSCP = 1,
};

#define EV_HAS_RESULT 0x08 /* in the nargs|flags byte of EV_SYSCALL */

/* One decoded record. `bytes` points into the stream it was decoded from. */
struct ev {
	enum ev_tag tag;
	uint32_t tid;
	uint32_t nr;        /* syscall number, insn kind, signal, or exit status */
	uint8_t nargs;
	uint8_t has_result;
	uint64_t args[6];
	int64_t result;
	uint64_t value;     /* DEC_VALUE */
	const uint8_t *bytes; /* DEC_BYTES data, EV_EXEC path */
	size_t len;
};

/* Append one record to b. */
void ev_encode(struct buf *b, const struct ev *e);
/* Decode the record at *pos. Returns 0, or -1 if malformed or truncated. */
int ev_decode(const uint8_t *p, size_t len, size_t *pos, struct ev *e);
/* True for decision records (the ones that follow an event). */
int ev_is_decision(enum ev_tag tag);

/* A trace in memory. */
struct trace {
	cJSON *header; /* owned */
	cJSON *footer; /* owned */
	struct buf stream;
};

/*
 * Serialize and write atomically (temp file, fsync, rename). The trace's
 * header and footer are not modified. Returns 0, or -1 after error().
 */
int trace_write(const char *path, const struct trace *t);
/* Serialize into out (appended). */
void trace_serialize(const struct trace *t, struct buf *out);
/*
 * Parse and verify a serialized trace. On failure returns -1 and writes a
 * one-line reason into why. On success fills t (release with trace_release).
 */
int trace_parse(const uint8_t *p, size_t len, struct trace *t, char *why, size_t whylen);
/* Read a file and trace_parse() it; `why` gets I/O errors too. */
int trace_load(const char *path, struct trace *t, char *why, size_t whylen);
void trace_release(struct trace *t);

/* Count events (non-decision records) in a stream; -1 when malformed. */
long trace_count_events(const struct buf *stream);

/* Render one record as text ("clock_gettime(1, 0x7ffe) = 0"). */
void ev_format(const struct ev *e, struct buf *out);
/* Render one record as a JSON object (caller owns it). */
cJSON *ev_to_json(const struct ev *e);

#endif
