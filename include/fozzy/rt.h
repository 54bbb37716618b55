/* SPDX-License-Identifier: MIT */
/*
 * The contract between libfozzy-rt.so (preloaded into dynamically linked
 * programs) and the supervisor: before each pthread synchronization call the
 * runtime makes one marker syscall, FOZZY_MARKER_NR(op, object address). x86_64
 * leaves numbers 335..423 unassigned, so outside fozzy the kernel answers
 * ENOSYS and nothing happens; under fozzy the filter traps it and the call
 * becomes a scheduling point, so a switch between an uncontended unlock(a)
 * and lock(b) is possible.
 */
#ifndef FOZZY_RT_H
#define FOZZY_RT_H

#define FOZZY_MARKER_NR 400
#define FOZZY_MARKER_NAME "fozzy_marker"

enum rt_op {
	RT_MUTEX_LOCK = 1, RT_MUTEX_TRYLOCK, RT_MUTEX_TIMEDLOCK, RT_MUTEX_UNLOCK,
	RT_RWLOCK_RDLOCK, RT_RWLOCK_WRLOCK, RT_RWLOCK_TRYRDLOCK, RT_RWLOCK_TRYWRLOCK,
	RT_RWLOCK_TIMEDRDLOCK, RT_RWLOCK_TIMEDWRLOCK, RT_RWLOCK_UNLOCK,
	RT_COND_WAIT, RT_COND_TIMEDWAIT, RT_COND_SIGNAL, RT_COND_BROADCAST,
	RT_SEM_WAIT, RT_SEM_TRYWAIT, RT_SEM_TIMEDWAIT, RT_SEM_POST,
	RT_SPIN_LOCK, RT_SPIN_TRYLOCK, RT_SPIN_UNLOCK,
	RT_BARRIER_WAIT, RT_CREATE, RT_JOIN, RT_EXIT, RT_ONCE,
	RT_SPIN_WAIT, /* a spin lock is busy: yield, let its holder run */
	RT_FORKSERVER, /* where a fork server forks: libfozzy-cov before main (object 0, fuzz),
			libfozzy-rt.so's constructor (object 1, explore) */
	RT_PERSIST_NEXT,  /* libfozzy-cov's driver: (buffer, capacity, last return value) -> the next input's length */
	RT_PERSIST_AGAIN, /* the same input again, into a larger buffer */
	RT_OP_MAX,
};

/* "pthread_mutex_lock" for RT_MUTEX_LOCK, ...; "?" if unknown. (fozzy side only) */
const char *rt_op_name(int op);

#endif
