/* sort_bench.c: a complete perfgate benchmark suite (the README's example) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <perfgate/bench.h>

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* BenchmarkSortInts/n=100 and /n=10000: the size comes in as the argument */
static void sort_ints(pg_bench *b)
{
	size_t n = *(const size_t *)pg_bench_arg(b), k;
	int *src = malloc(n * sizeof(int)), *v = malloc(n * sizeof(int));
	uint64_t i;

	if (!src || !v) {
		pg_bench_fail(b, "out of memory");
		goto done;
	}
	srand(42);
	for (k = 0; k < n; k++)
		src[k] = rand();
	for (i = 0; i < pg_bench_n(b); i++) {
		pg_bench_stop_timer(b);         /* restoring the input is set-up */
		memcpy(v, src, n * sizeof(int));
		pg_bench_start_timer(b);
		qsort(v, n, sizeof(int), cmp_int);
	}
	pg_bench_do_not_optimize(v[0]);
done:
	free(src);
	free(v);
}

PG_BENCH(SortInts)
{
	static const size_t sizes[] = { 100, 10000 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		pg_bench_run(b, sort_ints, (void *)&sizes[i], "n=%zu", sizes[i]);
}

/* BenchmarkChecksum: MB/s from the bytes processed per op */
PG_BENCH(Checksum)
{
	static unsigned char buf[64 * 1024];
	uint64_t i, sum = 0;
	size_t k;

	memset(buf, 7, sizeof(buf));
	pg_bench_set_bytes(b, sizeof(buf));
	pg_bench_reset_timer(b);                /* the memset above is not measured */
	for (i = 0; i < pg_bench_n(b); i++) {
		for (k = 0; k < sizeof(buf); k++)
			sum = sum * 31 + buf[k];
		pg_bench_do_not_optimize(sum);  /* the compiler may not drop the loop */
	}
}
