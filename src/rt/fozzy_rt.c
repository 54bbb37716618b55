// SPDX-License-Identifier: MIT
/*
 * libfozzy-rt.so: preloaded into dynamically linked programs run by fozzy.
 * Each wrapped pthread call first makes the marker syscall (rt.h), then calls
 * the real function found with dlsym(RTLD_NEXT). The marker goes through
 * inline assembly so errno is untouched, and costs one ENOSYS syscall when
 * the library is loaded outside fozzy.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>

#include "fozzy/rt.h"

static inline void marker(long op, const volatile void *obj)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)FOZZY_MARKER_NR), "D"(op), "S"(obj)
			 : "rcx", "r11", "memory");
	(void)ret;
}

/* Resolve the next definition once; abort if libc lacks it (cannot happen with glibc). */
#define REAL(name, type)                                                  \
	static __typeof__(type) real;                                     \
	if (!real) {                                                      \
		real = (type)dlsym(RTLD_NEXT, name);                      \
		if (!real)                                                \
			abort();                                          \
	}

#define WRAP1(fn, op, T1)                                                 \
	int fn(T1 a)                                                      \
	{                                                                 \
		REAL(#fn, int (*)(T1));                                   \
		marker(op, (const void *)a);                              \
		return real(a);                                           \
	}
#define WRAP2(fn, op, T1, T2)                                             \
	int fn(T1 a, T2 b)                                                \
	{                                                                 \
		REAL(#fn, int (*)(T1, T2));                               \
		marker(op, (const void *)a);                              \
		return real(a, b);                                        \
	}
#define WRAP3(fn, op, T1, T2, T3)                                         \
	int fn(T1 a, T2 b, T3 c)                                          \
	{                                                                 \
		REAL(#fn, int (*)(T1, T2, T3));                           \
		marker(op, (const void *)a);                              \
		return real(a, b, c);                                     \
	}

WRAP1(pthread_mutex_lock, RT_MUTEX_LOCK, pthread_mutex_t *)
WRAP1(pthread_mutex_trylock, RT_MUTEX_TRYLOCK, pthread_mutex_t *)
WRAP2(pthread_mutex_timedlock, RT_MUTEX_TIMEDLOCK, pthread_mutex_t *, const struct timespec *)
WRAP1(pthread_mutex_unlock, RT_MUTEX_UNLOCK, pthread_mutex_t *)
WRAP1(pthread_rwlock_rdlock, RT_RWLOCK_RDLOCK, pthread_rwlock_t *)
WRAP1(pthread_rwlock_wrlock, RT_RWLOCK_WRLOCK, pthread_rwlock_t *)
WRAP1(pthread_rwlock_tryrdlock, RT_RWLOCK_TRYRDLOCK, pthread_rwlock_t *)
WRAP1(pthread_rwlock_trywrlock, RT_RWLOCK_TRYWRLOCK, pthread_rwlock_t *)
WRAP2(pthread_rwlock_timedrdlock, RT_RWLOCK_TIMEDRDLOCK, pthread_rwlock_t *, const struct timespec *)
WRAP2(pthread_rwlock_timedwrlock, RT_RWLOCK_TIMEDWRLOCK, pthread_rwlock_t *, const struct timespec *)
WRAP1(pthread_rwlock_unlock, RT_RWLOCK_UNLOCK, pthread_rwlock_t *)
WRAP2(pthread_cond_wait, RT_COND_WAIT, pthread_cond_t *, pthread_mutex_t *)
WRAP3(pthread_cond_timedwait, RT_COND_TIMEDWAIT, pthread_cond_t *, pthread_mutex_t *, const struct timespec *)
WRAP1(pthread_cond_signal, RT_COND_SIGNAL, pthread_cond_t *)
WRAP1(pthread_cond_broadcast, RT_COND_BROADCAST, pthread_cond_t *)
WRAP1(sem_wait, RT_SEM_WAIT, sem_t *)
WRAP1(sem_trywait, RT_SEM_TRYWAIT, sem_t *)
WRAP2(sem_timedwait, RT_SEM_TIMEDWAIT, sem_t *, const struct timespec *)
WRAP1(sem_post, RT_SEM_POST, sem_t *)
/*
 * Spinning cannot go on under a scheduler that runs one thread at a time: the
 * holder may be waiting for the baton. Each failed attempt yields instead.
 */
int pthread_spin_lock(pthread_spinlock_t *l)
{
	int rc;

	REAL("pthread_spin_trylock", int (*)(pthread_spinlock_t *));
	marker(RT_SPIN_LOCK, l);
	while ((rc = real(l)) == EBUSY)
		marker(RT_SPIN_WAIT, l);
	return rc;
}

WRAP1(pthread_spin_trylock, RT_SPIN_TRYLOCK, pthread_spinlock_t *)
WRAP1(pthread_spin_unlock, RT_SPIN_UNLOCK, pthread_spinlock_t *)
WRAP1(pthread_barrier_wait, RT_BARRIER_WAIT, pthread_barrier_t *)

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	REAL("pthread_create", int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *));
	marker(RT_CREATE, t);
	return real(t, attr, fn, arg);
}

int pthread_join(pthread_t t, void **ret)
{
	REAL("pthread_join", int (*)(pthread_t, void **));
	marker(RT_JOIN, (const void *)t);
	return real(t, ret);
}

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	REAL("pthread_once", int (*)(pthread_once_t *, void (*)(void)));
	marker(RT_ONCE, once);
	return real(once, fn);
}

void pthread_exit(void *ret)
{
	REAL("pthread_exit", void (*)(void *));
	marker(RT_EXIT, ret);
	real(ret);
	__builtin_unreachable();
}

/*
 * The fork-server point of explore: libc is initialized and the program is
 * still one thread. Under fozzy explore the supervisor keeps the program
 * here and forks it once per schedule, so start-up is paid once; every run
 * seeds its schedule here, whether forked or not. Elsewhere one ignored
 * marker. Object 1 tells it from libfozzy-cov's point (object 0).
 */
__attribute__((constructor)) static void rt_fork_point(void)
{
	marker(RT_FORKSERVER, (const void *)1);
}
