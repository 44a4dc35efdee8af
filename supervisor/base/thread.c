/* Owns the attributes of the supervisor's threads and the CPUs sbx may use (thread.h). */
#include "thread.h"

static cpu_set_t sbx_all_cpus;

void sbx_thread_init(void)
{
	if (sched_getaffinity(0, sizeof(sbx_all_cpus), &sbx_all_cpus) == -1)
		CPU_ZERO(&sbx_all_cpus); /* no binding at all */
}

const cpu_set_t *sbx_thread_cpus(void)
{
	return &sbx_all_cpus;
}

void sbx_thread_attr(pthread_attr_t *attr, size_t stack)
{
	pthread_attr_init(attr);
	pthread_attr_setdetachstate(attr, PTHREAD_CREATE_DETACHED);
	if (stack)
		pthread_attr_setstacksize(attr, stack);
	if (CPU_COUNT(&sbx_all_cpus))
		pthread_attr_setaffinity_np(attr, sizeof(sbx_all_cpus), &sbx_all_cpus);
}

int sbx_thread_start(void *(*fn)(void *), void *arg, size_t stack)
{
	pthread_attr_t attr;
	pthread_t th;
	int r;

	sbx_thread_attr(&attr, stack);
	r = pthread_create(&th, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return r;
}
