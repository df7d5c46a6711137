/*
 * Allocation counting (bench-runner/harness/alloc.c): every allocation
 * function counts calls and requested bytes while counting is on, and
 * nothing while it is off. Under AddressSanitizer the harness does not
 * interpose malloc; then the probe must say so and nothing is counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

static char why[256];

static int available(void)
{
	why[0] = '\0';
	return pg_bench_alloc_probe(why, sizeof(why));
}

/* the counters' growth from `before` */
static pg_bench_alloc_stats delta(const pg_bench_alloc_stats *before)
{
	pg_bench_alloc_stats now, d;

	pg_bench_alloc_read(&now);
	d.allocs = now.allocs - before->allocs;
	d.bytes = now.bytes - before->bytes;
	d.frees = now.frees - before->frees;
	return d;
}

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif

static void test_probe(void **state)
{
	(void)state;
#ifdef ASAN
	assert_false(available());
	assert_string_equal(why, "unavailable under AddressSanitizer");
#else
	assert_true(available());
#endif
}

static void test_every_function_counts(void **state)
{
	pg_bench_alloc_stats before, d;
	void *p[8];
	void *aligned = NULL;

	(void)state;
	if (!available())
		skip();
	pg_bench_alloc_read(&before);
	pg_bench_alloc_counting(1);
	p[0] = malloc(100);
	pg_bench_do_not_optimize(p[0]);
	p[1] = calloc(10, 30);                /* 300 bytes */
	pg_bench_do_not_optimize(p[1]);
	p[0] = realloc(p[0], 1000);           /* the new size counts */
	pg_bench_do_not_optimize(p[0]);
	p[2] = reallocarray(NULL, 4, 25);     /* 100 bytes */
	pg_bench_do_not_optimize(p[2]);
	assert_int_equal(posix_memalign(&aligned, 64, 200), 0);
	pg_bench_do_not_optimize(aligned);
	p[3] = aligned_alloc(32, 64);
	pg_bench_do_not_optimize(p[3]);
	p[4] = memalign(128, 50);
	pg_bench_do_not_optimize(p[4]);
	free(p[0]);
	free(p[1]);
	free(p[2]);
	free(p[3]);
	free(p[4]);
	free(aligned);
	free(NULL); /* not a free */
	pg_bench_alloc_counting(0);
	d = delta(&before);

	assert_int_equal(d.allocs, 7);
	assert_int_equal(d.bytes, 100 + 300 + 1000 + 100 + 200 + 64 + 50);
	assert_int_equal(d.frees, 6);
	assert_true(((uintptr_t)aligned & 63) == 0);
	assert_true(((uintptr_t)p[3] & 31) == 0);
}

static void test_nothing_counted_while_off(void **state)
{
	pg_bench_alloc_stats before, d;
	void *p;

	(void)state;
	pg_bench_alloc_read(&before);
	p = malloc(100);
	pg_bench_do_not_optimize(p);
	free(p);
	d = delta(&before);
	assert_int_equal(d.allocs, 0);
	assert_int_equal(d.bytes, 0);
	assert_int_equal(d.frees, 0);
}

static void test_invalid_requests(void **state)
{
	pg_bench_alloc_stats before, d;
	volatile size_t huge = SIZE_MAX / 2;
	void *p = NULL;

	(void)state;
	if (!available())
		skip();
	pg_bench_alloc_read(&before);
	pg_bench_alloc_counting(1);
	assert_int_equal(posix_memalign(&p, 3, 10), EINVAL);
	assert_int_equal(posix_memalign(&p, 2, 10), EINVAL); /* < sizeof(void *) */
	assert_null(p);
	errno = 0;
	assert_null(reallocarray(NULL, huge, 3));
	assert_int_equal(errno, ENOMEM);
	pg_bench_alloc_counting(0);
	d = delta(&before);
	assert_int_equal(d.allocs, 0);
}

static void *thread_allocs(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++) {
		void *p = malloc(8);

		pg_bench_do_not_optimize(p);
		free(p);
	}
	return NULL;
}

static void test_threads_counted_atomically(void **state)
{
	pg_bench_alloc_stats before, d;
	pthread_t t[4];
	int i;

	(void)state;
	if (!available())
		skip();
	/* create the threads first: pthread_create allocates */
	pg_bench_alloc_read(&before);
	pg_bench_alloc_counting(1);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_allocs, NULL), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pg_bench_alloc_counting(0);
	d = delta(&before);
	/* 4000 mallocs of 8 bytes, plus whatever thread creation needed */
	assert_true(d.allocs >= 4000);
	assert_true(d.bytes >= 4000 * 8);
	assert_true(d.frees >= 4000);
	/* no lost updates: every thread's 1000 pairs are there */
	assert_true(d.allocs - 4000 < 100);
}

static void test_library_allocations_are_counted(void **state)
{
	pg_bench_alloc_stats before, d;
	char *s;

	(void)state;
	if (!available())
		skip();
	pg_bench_alloc_read(&before);
	pg_bench_alloc_counting(1);
	s = strdup("libc calls malloc through the program's definition");
	pg_bench_do_not_optimize(s);
	pg_bench_alloc_counting(0);
	free(s);
	d = delta(&before);
	assert_int_equal(d.allocs, 1);
	assert_int_equal(d.bytes, strlen("libc calls malloc through the program's definition") + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_every_function_counts),
		cmocka_unit_test(test_nothing_counted_while_off),
		cmocka_unit_test(test_invalid_requests),
		cmocka_unit_test(test_threads_counted_atomically),
		cmocka_unit_test(test_library_allocations_are_counted),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
