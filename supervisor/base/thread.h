/*
 * thread: how the supervisor's threads are started, below every module that starts one (the
 * worker pool, the cancel monitor). Workers are bound to CPUs (notify.h); a
 * thread inherits the binding of the thread that starts it, so threads are given back every
 * CPU sbx may use.
 */
#ifndef SBX_THREAD_H
#define SBX_THREAD_H

#include <pthread.h>
#include <sched.h>
#include <stddef.h>

/* sbx_thread_init() - note the CPUs sbx may use (its affinity at start); once, at start. */
void sbx_thread_init(void);

/* sbx_thread_cpus() - the CPUs sbx may use; empty when they could not be read (no binding). */
const cpu_set_t *sbx_thread_cpus(void);

/*
 * sbx_thread_attr() - initialise @attr for a detached thread with a stack of @stack bytes (0:
 * the default) that may run on every CPU sbx may use.
 */
void sbx_thread_attr(pthread_attr_t *attr, size_t stack);

/* sbx_thread_start() - run @fn(@arg) in such a thread. Return 0 or pthread_create's error. */
int sbx_thread_start(void *(*fn)(void *), void *arg, size_t stack);

#endif
