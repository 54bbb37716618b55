// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/det: the PRNG against published test vectors and an
 * independent reference xoshiro256** written here from Blackman and Vigna's
 * description, determinism of seeded streams, the byte order of prng_fill,
 * the virtual clock's clock ids (clock_gettime(2)), and the decider in both
 * record and replay mode, including the divergences a replay must report.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "fozzy/det.h"
#include "fozzy/trace.h"
#include "suites.h"

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

/*
 * The reference generator, kept apart from src/det/prng.c on purpose: the
 * output is s[1] * 5 rotated left by 7, times 9; then the state is mixed
 * with a shift of s[1] by 17 and s[3] is rotated left by 45.
 */
struct ref_xoshiro {
	uint64_t s[4];
};

static uint64_t ref_rotl(uint64_t x, unsigned k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t ref_next(struct ref_xoshiro *x)
{
	uint64_t out = ref_rotl(x->s[1] * 5, 7) * 9;
	uint64_t shifted = x->s[1] << 17;

	x->s[2] ^= x->s[0];
	x->s[3] ^= x->s[1];
	x->s[1] ^= x->s[2];
	x->s[0] ^= x->s[3];
	x->s[2] ^= shifted;
	x->s[3] = ref_rotl(x->s[3], 45);
	return out;
}

/* PRNG */

START_TEST(test_splitmix64_vector)
{
	static const uint64_t want[] = {
		6457827717110365317ULL, 3203168211198807973ULL, 9817491932198370423ULL,
		4593380528125082431ULL, 16408922859458223821ULL,
	};
	uint64_t state = 1234567;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(want); i++)
		ck_assert_uint_eq(splitmix64_next(&state), want[i]);
	/* the state advances by the golden-ratio increment each call */
	ck_assert_uint_eq(state, 1234567 + 5 * 0x9e3779b97f4a7c15ULL);
}
END_TEST

START_TEST(test_xoshiro_reference_constants)
{
	static const uint64_t want[] = { 11520, 0, 1509978240, 1215971899390074240ULL };
	struct ref_xoshiro ref = { { 1, 2, 3, 4 } };
	static const uint64_t s[4] = { 1, 2, 3, 4 };
	struct prng r;
	size_t i;

	/* first check the vector against the reference itself... */
	for (i = 0; i < ARRAY_SIZE(want); i++)
		ck_assert_uint_eq(ref_next(&ref), want[i]);
	/* ...then fozzy's generator against the vector */
	prng_init_state(&r, s);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		ck_assert_uint_eq(prng_next(&r), want[i]);
}
END_TEST

static void compare_with_reference(const uint64_t s[4], int n)
{
	struct ref_xoshiro ref;
	struct prng r;
	int i;

	memcpy(ref.s, s, sizeof(ref.s));
	prng_init_state(&r, s);
	for (i = 0; i < n; i++) {
		uint64_t a = prng_next(&r), b = ref_next(&ref);

		ck_assert_msg(a == b, "output %d: prng_next %llu, reference %llu", i,
			      (unsigned long long)a, (unsigned long long)b);
	}
	ck_assert_mem_eq(r.s, ref.s, sizeof(ref.s));
}

START_TEST(test_xoshiro_matches_reference)
{
	static const uint64_t simple[4] = { 1, 2, 3, 4 };
	static const uint64_t dense[4] = {
		0x0123456789abcdefULL, 0xfedcba9876543210ULL, UINT64_MAX, 0x8000000000000000ULL,
	};
	uint64_t seeded[4], sm = 42;
	int i;

	compare_with_reference(simple, 1000);
	compare_with_reference(dense, 1000);
	for (i = 0; i < 4; i++)
		seeded[i] = splitmix64_next(&sm);
	compare_with_reference(seeded, 1000);
}
END_TEST

START_TEST(test_prng_init_deterministic)
{
	struct prng a, b;
	int i;

	prng_init(&a, 7, STREAM_GETRANDOM);
	prng_init(&b, 7, STREAM_GETRANDOM);
	ck_assert_mem_eq(a.s, b.s, sizeof(a.s));
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(prng_next(&a), prng_next(&b));

	/* seed 0, stream 0 is still a usable (non-zero) state */
	prng_init(&a, 0, 0);
	ck_assert(a.s[0] | a.s[1] | a.s[2] | a.s[3]);
	ck_assert_uint_ne(prng_next(&a), prng_next(&a));
}
END_TEST

/* The first 4 outputs of (seed, stream), to compare sequences. */
static void first_outputs(uint64_t seed, uint64_t stream, uint64_t out[4])
{
	struct prng r;
	int i;

	prng_init(&r, seed, stream);
	for (i = 0; i < 4; i++)
		out[i] = prng_next(&r);
}

START_TEST(test_prng_streams_and_seeds_differ)
{
	static const uint64_t seeds[] = { 0, 1, 2, 7, 42, 0xC0DEC0DE, UINT64_MAX };
	uint64_t seq[ARRAY_SIZE(seeds)][5][4];
	size_t i, j, k, l;

	for (i = 0; i < ARRAY_SIZE(seeds); i++)
		for (j = 0; j < 5; j++)
			first_outputs(seeds[i], j, seq[i][j]);
	/* compare every (seed, stream) pair with every other, as flat indexes */
	for (i = 0; i < 5 * ARRAY_SIZE(seeds); i++)
		for (k = i + 1; k < 5 * ARRAY_SIZE(seeds); k++) {
			j = i % 5;
			l = k % 5;
			ck_assert_msg(memcmp(seq[i / 5][j], seq[k / 5][l], sizeof(seq[0][0])),
				      "seed %llu stream %zu = seed %llu stream %zu",
				      (unsigned long long)seeds[i / 5], j,
				      (unsigned long long)seeds[k / 5], l);
		}
}
END_TEST

START_TEST(test_prng_fill_little_endian)
{
	static const uint64_t s[4] = { 1, 2, 3, 4 };
	/* 11520 = 0x2d00, then 0, then 1509978240 = 0x5a007080 (4 of its 8 bytes) */
	static const uint8_t want[20] = {
		0x00, 0x2d, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x80, 0x70, 0x00, 0x5a,
	};
	uint8_t out[24];
	struct prng r;

	memset(out, 0xee, sizeof(out));
	prng_init_state(&r, s);
	prng_fill(&r, out, 20);
	ck_assert_mem_eq(out, want, 20);
	/* nothing written past n */
	ck_assert_uint_eq(out[20], 0xee);
	/* a partial word uses up the whole output: the next one is output 4 */
	ck_assert_uint_eq(prng_next(&r), 1215971899390074240ULL);
}
END_TEST

START_TEST(test_prng_fill_lengths)
{
	static const uint64_t s[4] = { 0x9e3779b97f4a7c15ULL, 3, 5, 7 };
	size_t n, i;

	for (n = 0; n <= 41; n++) {
		struct ref_xoshiro ref;
		uint8_t out[48], want[48];
		struct prng r;

		memcpy(ref.s, s, sizeof(ref.s));
		for (i = 0; i < n; i += 8) {
			uint64_t w = ref_next(&ref);
			size_t k;

			for (k = 0; k < 8; k++)
				want[i + k] = (uint8_t)(w >> (8 * k));
		}
		memset(out, 0x5a, sizeof(out));
		prng_init_state(&r, s);
		prng_fill(&r, out, n);
		if (n)
			ck_assert_mem_eq(out, want, n);
		for (i = n; i < sizeof(out); i++)
			ck_assert_msg(out[i] == 0x5a, "prng_fill(%zu) wrote byte %zu", n, i);
		/* both generators consumed ceil(n / 8) outputs */
		ck_assert_uint_eq(prng_next(&r), ref_next(&ref));
	}
}
END_TEST

/* Virtual clock (clock ids of clock_gettime(2), linux/time.h) */

#define SEC 1000000000ULL

START_TEST(test_vclock_init)
{
	struct vclock c;

	memset(&c, 0xff, sizeof(c));
	vclock_init(&c, VCLOCK_DEFAULT_EPOCH_NS);
	ck_assert_uint_eq(c.now, 0);
	ck_assert_uint_eq(c.epoch_ns, VCLOCK_DEFAULT_EPOCH_NS);
	ck_assert_uint_eq(c.boot_ns, VCLOCK_DEFAULT_BOOT_NS);
	ck_assert_uint_eq(c.syscall_cost, VCLOCK_DEFAULT_SYSCALL_COST);
}
END_TEST

START_TEST(test_vclock_read)
{
	static const uint64_t epoch = 1704067200ULL * SEC;
	const uint64_t now = 5 * SEC + 7;
	const uint64_t boot = VCLOCK_DEFAULT_BOOT_NS;
	const struct {
		int id;
		uint64_t want;
	} cases[] = {
		{ CLOCK_REALTIME, epoch + now },
		{ CLOCK_REALTIME_COARSE, epoch + now },
		{ CLOCK_MONOTONIC, boot + now },
		{ CLOCK_MONOTONIC_RAW, boot + now },
		{ CLOCK_MONOTONIC_COARSE, boot + now },
		{ CLOCK_BOOTTIME, boot + now },
		{ CLOCK_PROCESS_CPUTIME_ID, now },
		{ CLOCK_THREAD_CPUTIME_ID, now },
		{ CLOCK_TAI, epoch + now + 37 * SEC },
	};
	struct vclock c;
	uint64_t ns;
	size_t i;

	vclock_init(&c, epoch);
	c.now = now;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ns = 0;
		ck_assert_msg(vclock_read(&c, cases[i].id, &ns) == 0, "clock %d rejected",
			      cases[i].id);
		ck_assert_msg(ns == cases[i].want, "clock %d reads %llu, want %llu", cases[i].id,
			      (unsigned long long)ns, (unsigned long long)cases[i].want);
	}
	/* time starts at the epoch and the boot offset */
	c.now = 0;
	ck_assert_int_eq(vclock_read(&c, CLOCK_REALTIME, &ns), 0);
	ck_assert_uint_eq(ns, epoch);
	ck_assert_int_eq(vclock_read(&c, CLOCK_MONOTONIC, &ns), 0);
	ck_assert_uint_eq(ns, boot);
	ck_assert_int_eq(vclock_read(&c, CLOCK_PROCESS_CPUTIME_ID, &ns), 0);
	ck_assert_uint_eq(ns, 0);
}
END_TEST

/* A dynamic clock id: ~id << 3 | low (linux/posix-timers.h, CPUCLOCK_* and CLOCKFD). */
static int dyn_clock(unsigned id, unsigned low)
{
	return (int)((~id << 3) | low);
}

START_TEST(test_vclock_invalid)
{
	static const int bad[] = { 10, 12, 13, 15, 16, 100, INT_MAX };
	static const unsigned fds[] = { 0, 3, 100, 65535 };
	struct vclock c;
	size_t i;

	vclock_init(&c, VCLOCK_DEFAULT_EPOCH_NS);
	c.now = 123;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t ns = 99, res = 99;

		ck_assert_msg(vclock_read(&c, bad[i], &ns) == -EINVAL, "clock %d accepted", bad[i]);
		ck_assert_int_eq(vclock_res(bad[i], &res), -EINVAL);
	}
	/* fd clocks name PTP devices; a run has none */
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		uint64_t ns = 99, res = 99;
		int id = dyn_clock(fds[i], 3);

		ck_assert_msg(vclock_read(&c, id, &ns) == -EINVAL, "fd clock %d accepted", id);
		ck_assert_int_eq(vclock_res(id, &res), -EINVAL);
	}
}
END_TEST

START_TEST(test_vclock_cpu_clocks)
{
	/* process clocks (low bits 0..2) and thread clocks (4 | 0..2) of pid 0 and 1234 */
	static const unsigned low[] = { 0, 1, 2, 4, 5, 6 };
	struct vclock c;
	size_t i;

	vclock_init(&c, VCLOCK_DEFAULT_EPOCH_NS);
	c.now = 42 * SEC;
	for (i = 0; i < ARRAY_SIZE(low); i++) {
		uint64_t ns = 0;

		ck_assert_int_eq(vclock_read(&c, dyn_clock(0, low[i]), &ns), 0);
		ck_assert_uint_eq(ns, 42 * SEC);
		ck_assert_int_eq(vclock_read(&c, dyn_clock(1234, low[i]), &ns), 0);
		ck_assert_uint_eq(ns, 42 * SEC);
	}
}
END_TEST

/*
 * A CPU clock whose type is 3 with the per-thread bit (low bits 7, e.g. -1)
 * is not an fd clock, and CPUCLOCK_WHICH 3 >= CPUCLOCK_MAX makes Linux return
 * EINVAL (kernel/time/posix-cpu-timers.c, pid_for_clock; checked on 6.x).
 */
START_TEST(test_vclock_cpu_clock_bad_type)
{
	struct vclock c;
	uint64_t ns = 0;

	vclock_init(&c, VCLOCK_DEFAULT_EPOCH_NS);
	ck_assert_msg(vclock_read(&c, -1, &ns) == -EINVAL, "clock id -1 accepted");
	ck_assert_msg(vclock_read(&c, dyn_clock(1234, 7), &ns) == -EINVAL,
		      "clock id %d accepted", dyn_clock(1234, 7));
}
END_TEST

START_TEST(test_vclock_res)
{
	static const struct {
		int id;
		uint64_t want;
	} cases[] = {
		{ CLOCK_REALTIME, 1 },
		{ CLOCK_MONOTONIC, 1 },
		{ CLOCK_MONOTONIC_RAW, 1 },
		{ CLOCK_BOOTTIME, 1 },
		{ CLOCK_PROCESS_CPUTIME_ID, 1 },
		{ CLOCK_THREAD_CPUTIME_ID, 1 },
		{ CLOCK_TAI, 1 },
		{ CLOCK_REALTIME_COARSE, 4000000 },
		{ CLOCK_MONOTONIC_COARSE, 4000000 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t ns = 0;

		ck_assert_int_eq(vclock_res(cases[i].id, &ns), 0);
		ck_assert_msg(ns == cases[i].want, "resolution of clock %d is %llu", cases[i].id,
			      (unsigned long long)ns);
	}
}
END_TEST

/* Decider */

/* Decode the record at *pos of d->pending. */
static void next_pending(const struct decider *d, size_t *pos, struct ev *e)
{
	ck_assert_int_eq(ev_decode(d->pending.data, d->pending.len, pos, e), 0);
}

START_TEST(test_decider_record_value)
{
	struct decider d;
	size_t pos = 0;
	struct ev e;

	decider_init(&d, 42, NULL, 0);
	ck_assert(!d.replay);
	ck_assert_uint_eq(d.pending.len, 0);
	ck_assert_uint_eq(decide_value(&d, 12345), 12345);
	ck_assert_uint_eq(decide_value(&d, UINT64_MAX), UINT64_MAX);
	ck_assert_uint_eq(decide_value(&d, 0), 0);
	next_pending(&d, &pos, &e);
	ck_assert_int_eq(e.tag, DEC_VALUE);
	ck_assert_uint_eq(e.value, 12345);
	next_pending(&d, &pos, &e);
	ck_assert_int_eq(e.tag, DEC_VALUE);
	ck_assert_uint_eq(e.value, UINT64_MAX);
	next_pending(&d, &pos, &e);
	ck_assert_int_eq(e.tag, DEC_VALUE);
	ck_assert_uint_eq(e.value, 0);
	ck_assert_uint_eq(pos, d.pending.len);
	ck_assert(!d.diverged);
	decider_release(&d);
	ck_assert_ptr_null(d.pending.data);
}
END_TEST

START_TEST(test_decider_record_bytes)
{
	uint8_t out[37], tail[3], none[1] = { 0x77 };
	struct decider d;
	size_t pos = 0;
	struct ev e;

	decider_init(&d, 42, NULL, 0);
	decide_bytes(&d, STREAM_GETRANDOM, out, sizeof(out));
	decide_value(&d, 5);
	decide_bytes(&d, STREAM_AT_RANDOM, tail, sizeof(tail));
	decide_bytes(&d, STREAM_GETRANDOM, none, 0);
	ck_assert_uint_eq(none[0], 0x77);

	next_pending(&d, &pos, &e);
	ck_assert_int_eq(e.tag, DEC_BYTES);
	ck_assert_uint_eq(e.len, sizeof(out));
	ck_assert_mem_eq(e.bytes, out, sizeof(out));
	next_pending(&d, &pos, &e);
	ck_assert_int_eq(e.tag, DEC_VALUE);
	ck_assert_uint_eq(e.value, 5);
	next_pending(&d, &pos, &e);
	ck_assert_int_eq(e.tag, DEC_BYTES);
	ck_assert_uint_eq(e.len, sizeof(tail));
	ck_assert_mem_eq(e.bytes, tail, sizeof(tail));
	next_pending(&d, &pos, &e);
	ck_assert_int_eq(e.tag, DEC_BYTES);
	ck_assert_uint_eq(e.len, 0);
	ck_assert_uint_eq(pos, d.pending.len);
	decider_release(&d);
}
END_TEST

/* Seeded bytes come from stream s of the seed, as prng_init(seed, s) gives it. */
START_TEST(test_decider_record_streams)
{
	uint8_t got[64], want[64], sched[16], again[64];
	struct decider d, d2;
	struct prng r;

	decider_init(&d, 0xC0DEC0DE, NULL, 0);
	decide_bytes(&d, STREAM_GETRANDOM, got, sizeof(got));
	prng_init(&r, 0xC0DEC0DE, STREAM_GETRANDOM);
	prng_fill(&r, want, sizeof(want));
	ck_assert_mem_eq(got, want, sizeof(got));

	/* drawing from another stream first does not perturb this one */
	decider_init(&d2, 0xC0DEC0DE, NULL, 0);
	decide_bytes(&d2, STREAM_SCHED, sched, sizeof(sched));
	decide_bytes(&d2, STREAM_GETRANDOM, again, sizeof(again));
	ck_assert_mem_eq(again, got, sizeof(got));
	ck_assert(memcmp(sched, got, sizeof(sched)));
	decider_release(&d2);
	decider_release(&d);

	/* another seed, other bytes */
	decider_init(&d, 0xC0DEC0DF, NULL, 0);
	decide_bytes(&d, STREAM_GETRANDOM, again, sizeof(again));
	ck_assert(memcmp(again, got, sizeof(got)));
	decider_release(&d);
}
END_TEST

/* Encode DEC_VALUE 42 then DEC_BYTES "abcd" into s. */
static void build_replay_stream(struct buf *s)
{
	struct ev v = { .tag = DEC_VALUE, .value = 42 };
	struct ev b = { .tag = DEC_BYTES, .bytes = (const uint8_t *)"abcd", .len = 4 };

	ev_encode(s, &v);
	ev_encode(s, &b);
}

START_TEST(test_decider_replay)
{
	static const uint64_t proposals[] = { 0, 41, 42, 43, UINT64_MAX };
	struct buf s = { 0 };
	size_t i;

	build_replay_stream(&s);
	for (i = 0; i < ARRAY_SIZE(proposals); i++) {
		struct decider d;
		uint8_t out[4] = { 0 };

		decider_init(&d, 99, s.data, s.len);
		ck_assert(d.replay);
		d.pos = 0;
		ck_assert_uint_eq(decide_value(&d, proposals[i]), 42);
		decide_bytes(&d, STREAM_GETRANDOM, out, sizeof(out));
		ck_assert_mem_eq(out, "abcd", 4);
		ck_assert(!d.diverged);
		ck_assert_uint_eq(d.pos, s.len);
		/* a replay reads decisions, it does not log new ones */
		ck_assert_uint_eq(d.pending.len, 0);
		decider_release(&d);
	}
	buf_release(&s);
}
END_TEST

/* The replay answers do not depend on the seed the decider was given. */
START_TEST(test_decider_replay_ignores_seed)
{
	struct buf s = { 0 };
	uint8_t a[4], b[4];
	struct decider d1, d2;

	build_replay_stream(&s);
	decider_init(&d1, 1, s.data, s.len);
	decider_init(&d2, 2, s.data, s.len);
	ck_assert_uint_eq(decide_value(&d1, 7), decide_value(&d2, 8));
	decide_bytes(&d1, STREAM_GETRANDOM, a, 4);
	decide_bytes(&d2, STREAM_AT_RANDOM, b, 4);
	ck_assert_mem_eq(a, b, 4);
	decider_release(&d1);
	decider_release(&d2);
	buf_release(&s);
}
END_TEST

START_TEST(test_decider_diverge_bytes_for_value)
{
	struct buf s = { 0 };
	struct decider d;
	uint8_t out[4];
	char first[sizeof(d.why)];

	build_replay_stream(&s);
	decider_init(&d, 1, s.data, s.len);
	d.pos = 0;
	decide_bytes(&d, STREAM_GETRANDOM, out, sizeof(out));
	ck_assert(d.diverged);
	ck_assert_uint_gt(strlen(d.why), 0);
	/* the first reason is kept; later questions stay diverged */
	memcpy(first, d.why, sizeof(first));
	decide_value(&d, 1);
	ck_assert(d.diverged);
	ck_assert_str_eq(d.why, first);
	decider_release(&d);
	buf_release(&s);
}
END_TEST

START_TEST(test_decider_diverge_value_for_bytes)
{
	struct buf s = { 0 };
	struct ev b = { .tag = DEC_BYTES, .bytes = (const uint8_t *)"abcd", .len = 4 };
	struct decider d;

	ev_encode(&s, &b);
	decider_init(&d, 1, s.data, s.len);
	ck_assert_uint_eq(decide_value(&d, 77), 77);
	ck_assert(d.diverged);
	ck_assert_uint_gt(strlen(d.why), 0);
	decider_release(&d);
	buf_release(&s);
}
END_TEST

START_TEST(test_decider_diverge_length)
{
	struct buf s = { 0 };
	struct ev b = { .tag = DEC_BYTES, .bytes = (const uint8_t *)"abcd", .len = 4 };
	struct decider d;
	uint8_t out[5];

	ev_encode(&s, &b);
	decider_init(&d, 1, s.data, s.len);
	d.pos = 0;
	decide_bytes(&d, STREAM_GETRANDOM, out, 5);
	ck_assert(d.diverged);
	ck_assert_uint_gt(strlen(d.why), 0);
	ck_assert_msg(strchr(d.why, '5') && strchr(d.why, '4'),
		      "reason '%s' does not give both lengths", d.why);
	decider_release(&d);

	/* fewer bytes than recorded diverges too */
	decider_init(&d, 1, s.data, s.len);
	decide_bytes(&d, STREAM_GETRANDOM, out, 3);
	ck_assert(d.diverged);
	ck_assert_uint_gt(strlen(d.why), 0);
	decider_release(&d);
	buf_release(&s);
}
END_TEST

START_TEST(test_decider_diverge_at_end)
{
	struct buf s = { 0 };
	struct decider d;
	uint8_t out[4], empty = 0;

	build_replay_stream(&s);
	decider_init(&d, 1, s.data, s.len);
	decide_value(&d, 0);
	decide_bytes(&d, STREAM_GETRANDOM, out, 4);
	ck_assert(!d.diverged);
	ck_assert_uint_eq(decide_value(&d, 5), 5);
	ck_assert(d.diverged);
	ck_assert_uint_gt(strlen(d.why), 0);
	decider_release(&d);

	/* an empty recorded stream is still a replay */
	decider_init(&d, 1, &empty, 0);
	ck_assert(d.replay);
	decide_bytes(&d, STREAM_GETRANDOM, out, 4);
	ck_assert(d.diverged);
	ck_assert_uint_gt(strlen(d.why), 0);
	decider_release(&d);
	buf_release(&s);
}
END_TEST

/* A decision asked where the stream holds an event record is a divergence. */
START_TEST(test_decider_diverge_on_event)
{
	struct ev sc = { .tag = EV_SYSCALL, .tid = 1, .nr = 228, .nargs = 2, .args = { 1, 2 } };
	struct buf s = { 0 };
	struct decider d;


	ev_encode(&s, &sc);
	decider_init(&d, 1, s.data, s.len);
	decide_value(&d, 5);
	ck_assert(d.diverged);
	ck_assert_uint_gt(strlen(d.why), 0);
	decider_release(&d);
	buf_release(&s);
}
END_TEST

/* ---- scheduling strategies ---- */

START_TEST(test_sched_names)
{
	enum sched_strategy st;

	ck_assert_int_eq(sched_parse("random", &st), 0);
	ck_assert_int_eq(st, STRAT_RANDOM);
	ck_assert_int_eq(sched_parse("pct", &st), 0);
	ck_assert_str_eq(sched_name(st), "pct");
	ck_assert_int_eq(sched_parse("fifo", &st), 0);
	ck_assert_str_eq(sched_name(st), "fifo");
	ck_assert_int_eq(sched_parse("dfs", &st), 0);
	ck_assert_str_eq(sched_name(st), "dfs");
	ck_assert_int_ne(sched_parse("bfs", &st), 0);
}
END_TEST

/* fifo: the running thread goes on; after a yield the next one; with none running, the first. */
START_TEST(test_sched_fifo)
{
	static const uint32_t v[3] = { 1, 2, 3 };
	struct sched s;

	sched_init(&s, STRAT_FIFO, 1, 3);
	ck_assert_uint_eq(sched_pick(&s, v, 3, 1, false), 1);
	ck_assert_uint_eq(sched_pick(&s, v, 3, 1, true), 2);
	ck_assert_uint_eq(sched_pick(&s, v, 3, 2, true), 0);
	ck_assert_uint_eq(sched_pick(&s, v, 3, -1, false), 0);
	sched_release(&s);
}
END_TEST

/* random: in range, the same for a seed, different across seeds, every thread picked. */
START_TEST(test_sched_random)
{
	static const uint32_t v[4] = { 1, 2, 3, 4 };
	unsigned a[200], b[200], c[200], seen[4] = { 0 }, i, same = 0;
	struct sched x, y, z;

	sched_init(&x, STRAT_RANDOM, 42, 3);
	sched_init(&y, STRAT_RANDOM, 42, 3);
	sched_init(&z, STRAT_RANDOM, 43, 3);
	for (i = 0; i < 200; i++) {
		a[i] = sched_pick(&x, v, 4, (int)(i % 4), false);
		b[i] = sched_pick(&y, v, 4, (int)(i % 4), false);
		c[i] = sched_pick(&z, v, 4, (int)(i % 4), false);
		ck_assert_uint_lt(a[i], 4);
		ck_assert_uint_eq(a[i], b[i]);
		same += a[i] == c[i];
		seen[a[i]]++;
	}
	ck_assert_uint_lt(same, 150);
	for (i = 0; i < 4; i++)
		ck_assert_uint_gt(seen[i], 20);
	ck_assert_uint_eq(sched_pick(&x, v, 1, 0, false), 0);
	sched_release(&x);
	sched_release(&y);
	sched_release(&z);
}
END_TEST

/* pct: the highest priority runs until a change point, which falls in [1, k] and demotes it. */
START_TEST(test_sched_pct)
{
	static const uint32_t v[2] = { 1, 2 };
	unsigned seed, first, i, switches;

	for (seed = 1; seed <= 50; seed++) {
		struct sched s;

		sched_init_steps(&s, STRAT_PCT, seed, 2, 10);
		ck_assert_uint_ge(s.change[0], 1);
		ck_assert_uint_le(s.change[0], 10);
		first = sched_pick(&s, v, 2, -1, false);
		for (switches = 0, i = 1; i < 20; i++) {
			unsigned p = sched_pick(&s, v, 2, (int)first, false);

			if (p != first) {
				/* the change point: the running thread dropped below the other */
				ck_assert_uint_eq(s.steps, s.change[0]);
				switches++;
				first = p;
			}
		}
		/* depth 2: exactly one change, unless it fell on the first pick, when nobody ran */
		ck_assert_uint_eq(switches, s.change[0] > 1 ? 1 : 0);
		sched_release(&s);
	}
}
END_TEST

/* pct: a thread that yields goes below the others, so a spinner cannot starve them. */
START_TEST(test_sched_pct_yield)
{
	static const uint32_t v[2] = { 1, 2 };
	struct sched s;
	unsigned top, other;

	sched_init_steps(&s, STRAT_PCT, 7, 1, 1000);
	top = sched_pick(&s, v, 2, -1, false);
	other = 1 - top;
	ck_assert_uint_eq(sched_pick(&s, v, 2, (int)top, false), top);
	ck_assert_uint_eq(sched_pick(&s, v, 2, (int)top, true), other);
	sched_release(&s);
}
END_TEST

/*
 * Reseeding (explore's fork-server point): what follows depends only on the
 * new seed and the count of points so far, not on the draws before it; pct
 * change points fall among the k points after it.
 */
START_TEST(test_sched_reseed)
{
	static const uint32_t v[3] = { 1, 2, 3 };
	unsigned i, seed;

	for (seed = 1; seed <= 30; seed++) {
		struct sched a, b;

		sched_init_steps(&a, STRAT_PCT, 1000 + seed, 3, 50);
		sched_init_steps(&b, STRAT_PCT, 2000 + seed, 3, 50);
		for (i = 0; i < 5; i++) {
			sched_pick(&a, v, 1, 0, false);
			sched_pick(&b, v, 1, 0, false);
		}
		sched_reseed(&a, seed, 40);
		sched_reseed(&b, seed, 40);
		for (i = 0; i < 2; i++) {
			ck_assert_uint_eq(a.change[i], b.change[i]);
			ck_assert_uint_gt(a.change[i], 5);
			ck_assert_uint_le(a.change[i], 40);
		}
		for (i = 0; i < 60; i++)
			ck_assert_uint_eq(sched_pick(&a, v, 3, (int)(i % 3), false),
					  sched_pick(&b, v, 3, (int)(i % 3), false));
		sched_release(&a);
		sched_release(&b);
		sched_init(&a, STRAT_RANDOM, 1, 3);
		sched_init(&b, STRAT_RANDOM, 99, 3);
		sched_pick(&a, v, 3, 0, false);
		sched_pick(&b, v, 3, 0, false);
		sched_reseed(&a, seed, 0);
		sched_reseed(&b, seed, 0);
		for (i = 0; i < 60; i++)
			ck_assert_uint_eq(sched_pick(&a, v, 3, 0, false), sched_pick(&b, v, 3, 0, false));
		sched_release(&a);
		sched_release(&b);
	}
}
END_TEST

/* ---- fault plans ---- */

START_TEST(test_fault_plan_parse)
{
	struct fault_plan p;
	char why[160], out[256];

	ck_assert_int_eq(fault_plan_parse("write:EIO@2,fsync:EIO,read:short@1,open:kill@3", &p, why, sizeof(why)), 0);
	ck_assert_uint_eq(p.n, 4);
	ck_assert_uint_eq(p.r[0].cls, FC_WRITE);
	ck_assert_uint_eq(p.r[0].kind, FK_ERRNO);
	ck_assert_int_eq(p.r[0].err, EIO);
	ck_assert_uint_eq(p.r[0].nth, 2);
	ck_assert_uint_eq(p.r[1].nth, 0);
	ck_assert_uint_eq(p.r[2].kind, FK_SHORT);
	ck_assert_uint_eq(p.r[3].kind, FK_KILL);
	fault_plan_format(&p, out, sizeof(out));
	ck_assert_str_eq(out, "write:EIO@2,fsync:EIO,read:short@1,open:kill@3");
	ck_assert_int_ne(fault_plan_parse("disk:EIO@1", &p, why, sizeof(why)), 0);
	ck_assert_int_ne(fault_plan_parse("write:EWHAT", &p, why, sizeof(why)), 0);
	ck_assert_int_ne(fault_plan_parse("write:EIO@0", &p, why, sizeof(why)), 0);
	ck_assert_int_ne(fault_plan_parse("open:short", &p, why, sizeof(why)), 0);
	ck_assert_int_ne(fault_plan_parse("writeEIO", &p, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_fault_match_and_choose)
{
	uint64_t seen[FC_N] = { 0 }, seed;
	struct fault_plan p, q;
	char why[160];

	ck_assert_int_eq(fault_plan_parse("write:EIO@2,fsync:EINTR", &p, why, sizeof(why)), 0);
	ck_assert_ptr_null(fault_match(&p, FC_WRITE, 1));
	ck_assert_ptr_nonnull(fault_match(&p, FC_WRITE, 2));
	ck_assert_ptr_null(fault_match(&p, FC_READ, 2));
	ck_assert_ptr_null(fault_match(&p, FC_FSYNC, 1)); /* no @N: not placed yet */
	ck_assert_int_eq(fault_class_of(SYS_pwrite64), FC_WRITE);
	ck_assert_int_eq(fault_class_of(SYS_fdatasync), FC_FSYNC);
	ck_assert_int_eq(fault_class_of(SYS_getpid), -1);
	seen[FC_FSYNC] = 5;
	for (seed = 1; seed < 100; seed++) {
		q = p;
		fault_plan_choose(&q, seen, seed);
		ck_assert_uint_eq(q.r[0].nth, 2); /* given: kept */
		ck_assert_uint_ge(q.r[1].nth, 1);
		ck_assert_uint_le(q.r[1].nth, 5);
		p.r[1].nth = 0;
		{
			struct fault_plan again = p;

			fault_plan_choose(&again, seen, seed);
			ck_assert_uint_eq(again.r[1].nth, q.r[1].nth);
		}
	}
	seen[FC_FSYNC] = 0;
	q = p;
	fault_plan_choose(&q, seen, 3);
	ck_assert_uint_eq(q.r[1].nth, 0); /* no such call: never fires */
}
END_TEST

Suite *suite_det(void)
{
	Suite *s = suite_create("det");
	TCase *tc;

	tc = unit_tcase(s, "prng");
	tcase_add_test(tc, test_splitmix64_vector);
	tcase_add_test(tc, test_xoshiro_reference_constants);
	tcase_add_test(tc, test_xoshiro_matches_reference);
	tcase_add_test(tc, test_prng_init_deterministic);
	tcase_add_test(tc, test_prng_streams_and_seeds_differ);
	tcase_add_test(tc, test_prng_fill_little_endian);
	tcase_add_test(tc, test_prng_fill_lengths);

	tc = unit_tcase(s, "vclock");
	tcase_add_test(tc, test_vclock_init);
	tcase_add_test(tc, test_vclock_read);
	tcase_add_test(tc, test_vclock_invalid);
	tcase_add_test(tc, test_vclock_cpu_clocks);
	tcase_add_test(tc, test_vclock_cpu_clock_bad_type);
	tcase_add_test(tc, test_vclock_res);

	tc = unit_tcase(s, "decider");
	tcase_add_test(tc, test_decider_record_value);
	tcase_add_test(tc, test_decider_record_bytes);
	tcase_add_test(tc, test_decider_record_streams);
	tcase_add_test(tc, test_decider_replay);
	tcase_add_test(tc, test_decider_replay_ignores_seed);
	tcase_add_test(tc, test_decider_diverge_bytes_for_value);
	tcase_add_test(tc, test_decider_diverge_value_for_bytes);
	tcase_add_test(tc, test_decider_diverge_length);
	tcase_add_test(tc, test_decider_diverge_at_end);
	tcase_add_test(tc, test_decider_diverge_on_event);

	tc = unit_tcase(s, "sched");
	tcase_add_test(tc, test_sched_names);
	tcase_add_test(tc, test_sched_fifo);
	tcase_add_test(tc, test_sched_random);
	tcase_add_test(tc, test_sched_pct);
	tcase_add_test(tc, test_sched_pct_yield);
	tcase_add_test(tc, test_sched_reseed);

	tc = unit_tcase(s, "faults");
	tcase_add_test(tc, test_fault_plan_parse);
	tcase_add_test(tc, test_fault_match_and_choose);
	return s;
}
