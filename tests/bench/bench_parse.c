/*
 * Parse throughput of pg_results_parse(): read a results file once, parse
 * it N times (each into fresh results), print the best and median MB/s.
 *
 *   bench_parse FILE [N]
 *
 * Not built by the Makefile; build it by hand with the repo's flags, e.g.
 *   make BUILD=build/h1 build/h1/libpgstats.a build/h1/libpgcommon.a
 *   cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I. \
 *      tests/bench/bench_parse.c build/h1/libpgstats.a build/h1/libpgcommon.a \
 *      $(pkg-config --libs jansson) -lm -o build/h1/bench_parse
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "stats/results.h"
#include "common/banned.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	pg_buf data = PG_BUF_INIT;
	double *t = NULL, mb;
	size_t nseries = 0, nvalues = 0, i;
	int n = 10, k, rc = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench_parse FILE [N]\n");
		return 2;
	}
	if (argc == 3)
		n = atoi(argv[2]);
	if (n < 1)
		n = 1;
	if (pg_file_read(&data, argv[1]) < 0) {
		fprintf(stderr, "bench_parse: %s\n", pg_error_last());
		goto cleanup;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		goto cleanup;
	for (k = 0; k < n; k++) {
		pg_results r;
		double t0;

		pg_results_init(&r);
		t0 = now();
		if (pg_results_parse(&r, argv[1], data.ptr, data.len) < 0) {
			fprintf(stderr, "bench_parse: %s\n", pg_error_last());
			pg_results_release(&r);
			goto cleanup;
		}
		t[k] = now() - t0;
		nseries = r.nseries;
		nvalues = 0;
		for (i = 0; i < r.nseries; i++)
			nvalues += r.series[i].n;
		pg_results_release(&r);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	mb = (double)data.len / 1e6;
	printf("file: %s (%.1f MB), %zu series, %zu values\n", argv[1], mb,
	       nseries, nvalues);
	printf("parse: best %.1f ms (%.0f MB/s), median %.1f ms (%.0f MB/s) over %d runs\n",
	       t[0] * 1e3, mb / t[0], t[n / 2] * 1e3, mb / t[n / 2], n);
	rc = 0;

cleanup:
	free(t);
	pg_buf_release(&data);
	return rc;
}
