/*
 * Profiles read from files (gate/profile_files.c): merging several runs,
 * the benchmark label, the diff and its SVG as the gate gets them, errors
 * naming the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/profile_files.h"
#include "stats/profile.h"
#include "stats/profile_fixture.h"

typedef struct dir {
	char path[64];
	char *files[8];
	size_t n;
} dir;

static int setup(void **state)
{
	dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/pg-test-profile.XXXXXX");
	if (!mkdtemp(d->path)) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	dir *d = *state;
	size_t i;

	for (i = 0; i < d->n; i++) {
		unlink(d->files[i]);
		free(d->files[i]);
	}
	rmdir(d->path);
	free(d);
	return 0;
}

/* A new file name in the directory. */
static const char *dir_file(dir *d, const char *name)
{
	pg_buf path = PG_BUF_INIT;

	assert_true(d->n < 8);
	assert_int_equal(pg_buf_addf(&path, "%s/%s", d->path, name), 0);
	d->files[d->n] = pg_buf_detach(&path, NULL);
	assert_non_null(d->files[d->n]);
	return d->files[d->n++];
}

/* Write the profile to <dir>/<name>; returns its path. */
static const char *write_profile(dir *d, pb *b, const char *name)
{
	pg_buf data = PG_BUF_INIT;
	const char *path = dir_file(d, name);

	pb_encode(b, 1, &data);
	assert_int_equal(pg_file_write_atomic(path, data.ptr, data.len), 0);
	pg_buf_release(&data);
	pb_free(b);
	return path;
}

/* A run of the suite: Hash (fnv + slow extra work) and Sort, labelled. */
static pb *run(int64_t fnv, int64_t slow, int64_t sort)
{
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");

	pb_sample(b, "fnv1a;BenchmarkHash", 1, fnv);
	pb_label(b, "benchmark", "Hash/fnv1a-64K");
	if (slow) {
		pb_sample(b, "pg_example_injected_slowdown;BenchmarkHash", 1, slow);
		pb_label(b, "benchmark", "Hash/fnv1a-64K");
	}
	pb_sample(b, "qsort;BenchmarkSort", 1, sort);
	pb_label(b, "benchmark", "Sort");
	return b;
}

static void test_read_files(void **state)
{
	dir *d = *state;
	const char *files[3];
	pg_profile p;

	files[0] = write_profile(d, run(100, 0, 100), "a.pb.gz");
	files[1] = write_profile(d, run(300, 0, 500), "b.pb.gz");
	pg_profile_init(&p);
	assert_int_equal(pg_profile_read_files(&p, files, 2, NULL, NULL), 0);
	assert_int_equal(p.nsamples, 4);
	assert_int_equal(p.ninputs, 2);
	assert_int_equal(pg_profile_total(&p, 1), 1000);
	pg_profile_release(&p);

	pg_profile_init(&p);
	assert_int_equal(pg_profile_read_files(&p, files, 2, "benchmark", "Sort"), 0);
	assert_int_equal(p.nsamples, 2);
	assert_int_equal(pg_profile_total(&p, 1), 600);
	pg_profile_release(&p);

	pg_profile_init(&p);
	assert_int_equal(pg_profile_read_files(&p, files, 2, "benchmark", "Nope"), PG_ENOTFOUND);
	assert_true(strstr(pg_error_last(), "no samples with label benchmark=Nope in '") ==
		    pg_error_last());
	pg_profile_release(&p);

	/* a missing file and a file that is not a profile: named */
	files[2] = "/nonexistent/c.pb.gz";
	pg_profile_init(&p);
	assert_int_equal(pg_profile_read_files(&p, files, 3, NULL, NULL), PG_EINPUT);
	assert_non_null(strstr(pg_error_last(), "'/nonexistent/c.pb.gz'"));
	pg_profile_release(&p);
	files[2] = dir_file(d, "results.txt");
	assert_int_equal(pg_file_write_atomic(files[2], "BenchmarkX 1 2 ns/op\n", 21), 0);
	pg_profile_init(&p);
	assert_int_equal(pg_profile_read_files(&p, files, 3, NULL, NULL), PG_EINPUT);
	assert_non_null(strstr(pg_error_last(), "results.txt': not a pprof profile"));
	pg_profile_release(&p);
}

/* What the gate does for a regressed benchmark: several runs a side
 * merged, top growing functions and the SVG. */
static void test_diff_benchmark_runs(void **state)
{
	dir *d = *state;
	const char *base[2], *next[2];
	pg_profile_diff diff;
	pg_buf svg = PG_BUF_INIT;

	base[0] = write_profile(d, run(100, 0, 100), "base1.pb.gz");
	base[1] = write_profile(d, run(100, 0, 300), "base2.pb.gz");
	next[0] = write_profile(d, run(100, 30, 100), "new1.pb.gz");
	next[1] = write_profile(d, run(100, 30, 100), "new2.pb.gz");
	assert_int_equal(pg_profile_diff_benchmark(&diff, NULL, base, 2, next, 2,
						   "Hash/fnv1a-64K", NULL), 0);
	assert_int_equal(diff.base_total, 200);
	assert_int_equal(diff.new_total, 260);
	assert_string_equal(diff.funcs[0].name, "pg_example_injected_slowdown");
	assert_true(diff.funcs[0].growth_points > 23 && diff.funcs[0].growth_points < 23.1);
	assert_string_equal(diff.funcs[diff.n - 1].name, "fnv1a");
	pg_profile_diff_release(&diff);

	/* with the SVG */
	assert_int_equal(pg_profile_diff_benchmark(&diff, &svg, base, 2, next, 2,
						   "Hash/fnv1a-64K", "Hash regressed"), 0);
	assert_int_equal(diff.base_total, 200);
	assert_non_null(strstr(svg.ptr, "<svg "));
	assert_non_null(strstr(svg.ptr, ">Hash regressed<"));
	assert_non_null(strstr(svg.ptr, "<title>pg_example_injected_slowdown: "));
	pg_profile_diff_release(&diff);
	pg_buf_reset(&svg);

	/* the SVG alone */
	assert_int_equal(pg_profile_diff_benchmark(NULL, &svg, base, 1, next, 1, "Sort", NULL), 0);
	assert_non_null(strstr(svg.ptr, ">Differential flame graph<"));
	assert_null(strstr(svg.ptr, "injected"));
	pg_buf_release(&svg);

	/* errors leave `out` empty */
	assert_int_equal(pg_profile_diff_benchmark(&diff, NULL, base, 0, next, 2, "Sort", NULL),
			 PG_EINPUT);
	assert_string_equal(pg_error_last(), "no base profile to compare");
	assert_int_equal(diff.n, 0);
	assert_null(diff.funcs);
	assert_int_equal(pg_profile_diff_benchmark(&diff, NULL, base, 2, next, 2, "Nope", NULL),
			 PG_ENOTFOUND);
	assert_string_equal(pg_error_last(), "no baseline profile of this benchmark");
	assert_int_equal(diff.n, 0);
	assert_null(diff.funcs);
	pg_profile_diff_release(&diff);
}

/* Only one benchmark's samples (a run with -bench Sort). */
static pb *sort_only(int64_t sort)
{
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");

	pb_sample(b, "qsort;BenchmarkSort", 1, sort);
	pb_label(b, "benchmark", "Sort");
	return b;
}

/* A profile of the whole run without labels (perf record). */
static pb *unlabelled(int64_t fnv, int64_t slow)
{
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");

	pb_sample(b, "fnv1a;main", 1, fnv);
	if (slow)
		pb_sample(b, "pg_example_injected_slowdown;main", 1, slow);
	return b;
}

/* The gate's choice for a regressed benchmark: its own samples, the whole
 * run only when nothing is labelled, else a note: never the samples of the
 * other benchmarks in its place. */
static void test_diff_benchmark(void **state)
{
	dir *d = *state;
	const char *base[1], *next[1], *sorted[1], *perf_base[1], *perf_new[1];
	pg_profile_diff diff;
	pg_buf svg = PG_BUF_INIT;

	base[0] = write_profile(d, run(100, 0, 100), "base.pb.gz");
	next[0] = write_profile(d, run(100, 30, 100), "new.pb.gz");
	sorted[0] = write_profile(d, sort_only(100), "sort.pb.gz");
	perf_base[0] = write_profile(d, unlabelled(100, 0), "perf-base.pb.gz");
	perf_new[0] = write_profile(d, unlabelled(100, 100), "perf-new.pb.gz");

	/* labelled on both sides: the benchmark's samples only */
	assert_int_equal(pg_profile_diff_benchmark(&diff, &svg, base, 1, next, 1,
						   "Hash/fnv1a-64K", "Hash"), 0);
	assert_int_equal(diff.base_total, 100);
	assert_int_equal(diff.new_total, 130);
	assert_string_equal(diff.funcs[0].name, "pg_example_injected_slowdown");
	assert_non_null(strstr(svg.ptr, ">Hash<"));
	assert_null(strstr(svg.ptr, "qsort"));
	pg_profile_diff_release(&diff);
	pg_buf_reset(&svg);

	/* the baseline profiled only Sort: a note, not Sort's samples
	 * compared with Hash's */
	assert_int_equal(pg_profile_diff_benchmark(&diff, &svg, sorted, 1, next, 1,
						   "Hash/fnv1a-64K", NULL), PG_ENOTFOUND);
	assert_string_equal(pg_error_last(), "no baseline profile of this benchmark");
	assert_int_equal(diff.n, 0);
	assert_int_equal(svg.len, 0);
	assert_int_equal(pg_profile_diff_benchmark(&diff, NULL, next, 1, sorted, 1,
						   "Hash/fnv1a-64K", NULL), PG_ENOTFOUND);
	assert_string_equal(pg_error_last(), "no candidate profile of this benchmark");
	/* labelled on one side, unlabelled on the other: still a note */
	assert_int_equal(pg_profile_diff_benchmark(&diff, NULL, perf_base, 1, next, 1,
						   "Hash/fnv1a-64K", NULL), PG_ENOTFOUND);
	assert_string_equal(pg_error_last(), "no baseline profile of this benchmark");

	/* no label anywhere (perf record): the whole run */
	assert_int_equal(pg_profile_diff_benchmark(&diff, &svg, perf_base, 1, perf_new, 1,
						   "Hash/fnv1a-64K", NULL), 0);
	assert_int_equal(diff.base_total, 100);
	assert_int_equal(diff.new_total, 200);
	assert_string_equal(diff.funcs[0].name, "pg_example_injected_slowdown");
	assert_non_null(strstr(svg.ptr, "<svg "));
	pg_profile_diff_release(&diff);
	pg_buf_release(&svg);

	/* no files on one side */
	assert_int_equal(pg_profile_diff_benchmark(&diff, NULL, base, 0, next, 1, "Sort", NULL),
			 PG_EINPUT);
	assert_string_equal(pg_error_last(), "no base profile to compare");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_benchmark_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_benchmark, setup, teardown),
	};

	return cmocka_run_group_tests_name("profile_files", tests, NULL, NULL);
}
