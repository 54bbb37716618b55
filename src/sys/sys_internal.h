/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the syscall handler files in src/sys and the table
 * that names them. Handlers are sys_<name>(), exit handlers sys_<name>_exit().
 */
#ifndef FOZZY_SYS_INTERNAL_H
#define FOZZY_SYS_INTERNAL_H

#include <sys/stat.h>
#include <sys/syscall.h>

#include "fozzy/sys.h"

/* Newer than the C library headers of Debian 12. */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#define DECL_ENTRY(n) enum sys_action sys_##n(struct tracee *t, struct sys_call *c)
#define DECL_EXIT(n) void sys_##n##_exit(struct tracee *t, struct sys_call *c)

/* time.c */
DECL_ENTRY(clock_gettime); DECL_EXIT(clock_gettime);
DECL_ENTRY(gettimeofday); DECL_EXIT(gettimeofday);
DECL_ENTRY(time); DECL_EXIT(time);
DECL_ENTRY(clock_getres);
DECL_ENTRY(times);
DECL_ENTRY(getrusage);
DECL_ENTRY(sysinfo);
DECL_ENTRY(nanosleep);
DECL_ENTRY(clock_nanosleep);

/* timer.c */
DECL_ENTRY(alarm);
DECL_ENTRY(itimer);
DECL_ENTRY(posix_timer);
DECL_ENTRY(timerfd); DECL_EXIT(timerfd);
DECL_ENTRY(poll);
DECL_ENTRY(signal_wait);
DECL_ENTRY(signal_send); DECL_EXIT(signal_send);

/* random.c */
DECL_ENTRY(getrandom);
DECL_ENTRY(read);
DECL_ENTRY(readv);
DECL_ENTRY(transfer);
DECL_ENTRY(sockio);
DECL_ENTRY(connect);
DECL_ENTRY(send);

/* fd readiness (random.c): park t until fd is ready for events, or let it run now. */
enum sys_action wait_fd(struct tracee *t, int fd, short events);

/* fs.c */
DECL_ENTRY(write_fd); DECL_EXIT(write_fd);
DECL_ENTRY(truncate);
DECL_ENTRY(open); DECL_EXIT(open);
DECL_ENTRY(path_change); DECL_EXIT(path_change);
DECL_ENTRY(stat); DECL_EXIT(stat);
DECL_ENTRY(getdents);
DECL_ENTRY(fsync);

/* proc.c */
DECL_ENTRY(getcpu);
DECL_ENTRY(sched_getaffinity);
DECL_ENTRY(spawn);

/* thread.c */
DECL_ENTRY(set_tid_address);
DECL_ENTRY(set_robust_list);
DECL_ENTRY(marker);
DECL_ENTRY(exit);
DECL_ENTRY(sched_yield);
DECL_ENTRY(futex);
DECL_ENTRY(wait); DECL_EXIT(wait);
DECL_ENTRY(prctl);
DECL_ENTRY(personality);
DECL_ENTRY(execve);

/* Helpers (fs.c): is fd of the tracee a random device? Fills st when given. */
int tracee_fd_stat(struct tracee *t, int fd, struct stat *st);
bool is_random_device(const struct stat *st);
/* The value a syscall returns for -errno. */
#define ERR(e) ((int64_t)-(e))

#endif
