/*
 * A small user suite for the end-to-end tests (tests/e2e/test_harness.sh):
 * compiled as C99 (-pedantic), C11 and C++17, with GCC and Clang, against
 * the public header only, and linked with libperfgate_bench.a, whose
 * main() it uses. It touches every part of the public API.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <perfgate/bench.h>

PG_BENCH(Empty)
{
	uint64_t i;

	for (i = 0; i < pg_bench_n(b); i++)
		pg_bench_do_not_optimize(i);
}

PG_BENCH(Alloc3)
{
	void *keep, *p[3];
	uint64_t i;
	int k;

	pg_bench_stop_timer(b);
	keep = malloc(4096); /* set-up: not counted */
	pg_bench_do_not_optimize(keep);
	pg_bench_start_timer(b);
	pg_bench_report_allocs(b);
	for (i = 0; i < pg_bench_n(b); i++) {
		for (k = 0; k < 3; k++) {
			p[k] = malloc(100);
			pg_bench_do_not_optimize(p[k]);
		}
		for (k = 0; k < 3; k++)
			free(p[k]);
	}
	pg_bench_stop_timer(b);
	free(keep);
}

static void copy(pg_bench *b)
{
	size_t size = *(const size_t *)pg_bench_arg(b);
	char *src = (char *)malloc(size), *dst = (char *)malloc(size);
	uint64_t i;

	if (!src || !dst) {
		pg_bench_fail(b, "out of memory in %s", pg_bench_name(b));
	} else {
		memset(src, 1, size);
		pg_bench_set_bytes(b, size);
		pg_bench_reset_timer(b);
		for (i = 0; i < pg_bench_n(b); i++) {
			memcpy(dst, src, size);
			pg_bench_do_not_optimize(dst);
			pg_bench_clobber_memory();
		}
		pg_bench_report_metric(b, (double)pg_bench_elapsed_ns(b) / (double)size,
				       "ns/byte");
	}
	free(src);
	free(dst);
}

PG_BENCH(Copy)
{
	static const size_t sizes[] = { 64, 4096 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		pg_bench_run(b, copy, (void *)&sizes[i], "size=%zu", sizes[i]);
}
