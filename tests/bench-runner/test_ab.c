/*
 * bench-runner/ab.c: the ABBA schedule, the per-benchmark -bench regex, the
 * working directory of each side and failures. The "suite" is a shell
 * script that logs every process it runs and prints one result whose value
 * says which side and which process it was.
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

#include "bench-runner/ab.h"
#include "common/error.h"
#include "common/file.h"

/* $1: the side; the rest: -bench REGEX -count 1 as ab.c appends them.
 * Logs "<side> <regex> <cwd's basename>"; prints "<name> 10 <v> ns/op"
 * where v = 100 (A) or 200 (B) plus the number of processes before it.
 * FAIL_AT=k makes the k-th process (1-based) of side B fail. */
static const char script[] =
	"side=$1; shift\n"
	"while [ $# -gt 0 ]; do case $1 in -bench) re=$2; shift;; -count) c=$2; shift;; esac; shift; done\n"
	"n=$(wc -l <\"$AB_LOG\" 2>/dev/null || echo 0)\n"
	"echo \"$side $re $c ${PWD##*/}\" >>\"$AB_LOG\"\n"
	"if [ \"$side\" = B ] && [ \"$n\" -eq \"${FAIL_AT:-0}\" ]; then echo 'B broke' >&2; exit 4; fi\n"
	"name=$(printf '%s' \"$re\" | sed 's/^\\^//; s/\\$$//; s/\\\\//g')\n"
	"base=100; [ \"$side\" = B ] && base=200\n"
	"echo \"$name 10 $((base + n)) ns/op\"\n";

typedef struct fixture {
	char dir[64];
	char log[128];
	char script[128];
	char adir[128];
	char bdir[128];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	FILE *fp;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pg-test-ab.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/log", f->dir);
	snprintf(f->script, sizeof(f->script), "%s/suite.sh", f->dir);
	snprintf(f->adir, sizeof(f->adir), "%s/tree-a", f->dir);
	snprintf(f->bdir, sizeof(f->bdir), "%s/tree-b", f->dir);
	if (!(fp = fopen(f->script, "w")))
		return -1;
	fputs(script, fp);
	fclose(fp);
	if (pg_mkdir_p(f->adir, 0700) || pg_mkdir_p(f->bdir, 0700))
		return -1;
	setenv("AB_LOG", f->log, 1);
	unsetenv("FAIL_AT");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	pg_remove_tree(f->dir);
	free(f);
	return 0;
}

static char *read_log(const fixture *f)
{
	pg_buf b = PG_BUF_INIT;

	if (pg_file_read(&b, f->log) < 0) {
		pg_buf_release(&b);
		return NULL;
	}
	return pg_buf_detach(&b, NULL);
}

static void test_candidate_first(void **state)
{
	(void)state;
	assert_int_equal(pg_ab_candidate_first(0), 0);
	assert_int_equal(pg_ab_candidate_first(1), 1);
	assert_int_equal(pg_ab_candidate_first(2), 0);
	assert_int_equal(pg_ab_candidate_first(3), 1);
}

static void expect_regex(const char *name, const char *filter, const char *want)
{
	pg_buf b = PG_BUF_INIT;
	int rc = pg_ab_bench_regex(&b, name, filter);

	if (!want) {
		assert_int_equal(rc, PG_ENOTFOUND);
		assert_string_equal(b.ptr, "");
	} else {
		assert_int_equal(rc, 0);
		assert_string_equal(b.ptr, want);
	}
	pg_buf_release(&b);
}

static void test_bench_regex(void **state)
{
	(void)state;
	/* no selection of the suite's own: the benchmark, anchored, escaped */
	expect_regex("BenchmarkHash", NULL, "^BenchmarkHash$");
	expect_regex("BenchmarkHash", "", "^BenchmarkHash$");
	expect_regex("BenchmarkA.b+c(d)|[e]*?{f}^$\\", NULL,
		     "^BenchmarkA\\.b\\+c\\(d\\)\\|\\[e\\]\\*\\?\\{f\\}\\^\\$\\\\$");
	/* the suite's selection, restricted to one benchmark, sub-levels kept */
	expect_regex("BenchmarkSort", "Hash|Sort/n=100$|Memcpy/4KB|MatMul64",
		     "^BenchmarkSort$/n=100$");
	expect_regex("BenchmarkHash", "Hash|Sort/n=100$|Memcpy/4KB|MatMul64", "^BenchmarkHash$");
	expect_regex("BenchmarkMemcpy", "Hash|Sort/n=100$|Memcpy/4KB|MatMul64",
		     "^BenchmarkMemcpy$/4KB");
	expect_regex("BenchmarkJSON", "Hash|Sort/n=100$|Memcpy/4KB|MatMul64", NULL);
	/* "Benchmark" is optional in the first level; several alternatives */
	expect_regex("BenchmarkSort", "^Sort$/n=1$|BenchmarkSort/n=2|Hash",
		     "^BenchmarkSort$/n=1$|^BenchmarkSort$/n=2");
	/* '|' and '/' inside parentheses or brackets do not split */
	expect_regex("BenchmarkSort", "(Sort|Hash)/(a|b/c)", "^BenchmarkSort$/(a|b/c)");
	expect_regex("BenchmarkHash", "[|/]|Hash", "^BenchmarkHash$");
	/* an empty first level matches every benchmark */
	expect_regex("BenchmarkSort", "/n=100", "^BenchmarkSort$/n=100");
	expect_regex("BenchmarkSort", ".", "^BenchmarkSort$");
}

static void test_bench_regex_invalid(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_ab_bench_regex(&b, "BenchmarkSort", "Hash|So(rt"), PG_EINPUT);
	assert_string_equal(b.ptr, "");
	assert_non_null(strstr(pg_error_last(), "invalid -bench expression 'So(rt' (in 'Hash|So(rt')"));
	pg_buf_release(&b);
}

static void test_suite_filter(void **state)
{
	char *none[] = { "suite", "-benchtime", "1s", NULL };
	char *spaced[] = { "suite", "-bench", "Hash", "-benchmem", NULL };
	char *equals[] = { "suite", "-bench=Sort/x", NULL };
	char *last[] = { "suite", "-bench", "A", "-test.bench=B", "--bench", "C", NULL };
	char *gotest[] = { "pkg.test", "-test.bench", "X|Y", NULL };
	char *dangling[] = { "suite", "-bench", NULL };
	char *lookalike[] = { "suite", "-benchtime", "1s", "-benchmem", NULL };

	(void)state;
	assert_null(pg_ab_suite_filter(none));
	assert_string_equal(pg_ab_suite_filter(spaced), "Hash");
	assert_string_equal(pg_ab_suite_filter(equals), "Sort/x");
	assert_string_equal(pg_ab_suite_filter(last), "C");
	assert_string_equal(pg_ab_suite_filter(gotest), "X|Y");
	assert_null(pg_ab_suite_filter(dangling));
	assert_null(pg_ab_suite_filter(lookalike));
	/* the program's own name is not an option */
	{
		char *prog[] = { "-bench", NULL };

		assert_null(pg_ab_suite_filter(prog));
	}
}

static void test_abba_order_values_and_cwd(void **state)
{
	fixture *f = *state;
	char *aargv[] = { "/bin/sh", f->script, "A", NULL };
	char *bargv[] = { "/bin/sh", f->script, "B", NULL };
	char *benches[] = { "BenchmarkX", "BenchmarkY.z", NULL };
	pg_results a, b;
	pg_ab_opts o;
	const pg_series *s;
	char *log = NULL;

	pg_results_init(&a);
	pg_results_init(&b);
	memset(&o, 0, sizeof(o));
	o.base.argv = aargv;
	o.base.cwd = f->adir;
	o.cand.argv = bargv;
	o.cand.cwd = f->bdir;
	o.benchmarks = benches;
	o.rounds = 4;
	o.timeout = 30;
	assert_int_equal(pg_ab_run(&a, &b, &o, NULL), 0);

	log = read_log(f);
	assert_non_null(log);
	assert_string_equal(log,
		"A ^BenchmarkX$ 1 tree-a\n" "B ^BenchmarkX$ 1 tree-b\n"
		"B ^BenchmarkX$ 1 tree-b\n" "A ^BenchmarkX$ 1 tree-a\n"
		"A ^BenchmarkX$ 1 tree-a\n" "B ^BenchmarkX$ 1 tree-b\n"
		"B ^BenchmarkX$ 1 tree-b\n" "A ^BenchmarkX$ 1 tree-a\n"
		"A ^BenchmarkY\\.z$ 1 tree-a\n" "B ^BenchmarkY\\.z$ 1 tree-b\n"
		"B ^BenchmarkY\\.z$ 1 tree-b\n" "A ^BenchmarkY\\.z$ 1 tree-a\n"
		"A ^BenchmarkY\\.z$ 1 tree-a\n" "B ^BenchmarkY\\.z$ 1 tree-b\n"
		"B ^BenchmarkY\\.z$ 1 tree-b\n" "A ^BenchmarkY\\.z$ 1 tree-a\n");

	/* sample r of each side is round r's process: A ran 0 3 4 7, B 1 2 5 6 */
	assert_non_null(s = pg_results_find(&a, "X", "ns/op"));
	assert_int_equal(s->n, 4);
	assert_true(s->values[0] == 100 && s->values[1] == 103 &&
		    s->values[2] == 104 && s->values[3] == 107);
	assert_non_null(s = pg_results_find(&b, "X", "ns/op"));
	assert_int_equal(s->n, 4);
	assert_true(s->values[0] == 201 && s->values[1] == 202 &&
		    s->values[2] == 205 && s->values[3] == 206);
	assert_non_null(s = pg_results_find(&b, "Y.z", "ns/op"));
	assert_int_equal(s->n, 4);
	assert_true(s->values[0] == 209 && s->values[3] == 214);
	assert_int_equal(a.nseries, 2);

	free(log);
	pg_results_release(&a);
	pg_results_release(&b);
}

static void progress(void *ctx, const pg_ab_progress *p)
{
	size_t *calls = ctx;

	(*calls)++;
	assert_int_equal(p->done, *calls);
	assert_int_equal(p->total, 6);
	assert_string_equal(p->benchmark, "BenchmarkX");
	assert_true(p->elapsed >= 0);
}

static void test_progress(void **state)
{
	fixture *f = *state;
	char *aargv[] = { "/bin/sh", f->script, "A", NULL };
	char *bargv[] = { "/bin/sh", f->script, "B", NULL };
	char *benches[] = { "BenchmarkX", NULL };
	pg_results a, b;
	pg_ab_opts o;
	size_t calls = 0;

	pg_results_init(&a);
	pg_results_init(&b);
	memset(&o, 0, sizeof(o));
	o.base.argv = aargv;
	o.cand.argv = bargv;
	o.benchmarks = benches;
	o.rounds = 3;
	o.progress = progress;
	o.progress_ctx = &calls;
	assert_int_equal(pg_ab_run(&a, &b, &o, NULL), 0);
	assert_int_equal(calls, 6);
	pg_results_release(&a);
	pg_results_release(&b);
}

static void test_filter_restricts_each_process(void **state)
{
	fixture *f = *state;
	char *aargv[] = { "/bin/sh", f->script, "A", NULL };
	char *bargv[] = { "/bin/sh", f->script, "B", NULL };
	char *benches[] = { "BenchmarkX", NULL };
	pg_results a, b;
	pg_ab_opts o;
	char *log;

	pg_results_init(&a);
	pg_results_init(&b);
	memset(&o, 0, sizeof(o));
	o.base.argv = aargv;
	o.cand.argv = bargv;
	o.benchmarks = benches;
	o.filter = "Y|X/sub$";
	o.rounds = 1;
	assert_int_equal(pg_ab_run(&a, &b, &o, NULL), 0);
	log = read_log(f);
	assert_non_null(log);
	assert_non_null(strstr(log, "A ^BenchmarkX$/sub$ 1 "));
	assert_non_null(strstr(log, "B ^BenchmarkX$/sub$ 1 "));
	free(log);
	pg_results_release(&a);
	pg_results_release(&b);
	pg_results_init(&a);
	pg_results_init(&b);
	/* a benchmark the filter does not select is an input error */
	o.filter = "Y";
	assert_int_equal(pg_ab_run(&a, &b, &o, NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(), "the suite's -bench 'Y' selects nothing of BenchmarkX");
	pg_results_release(&a);
	pg_results_release(&b);
}

static void test_failure_names_side_benchmark_and_round(void **state)
{
	fixture *f = *state;
	char *aargv[] = { "/bin/sh", f->script, "A", NULL };
	char *bargv[] = { "/bin/sh", f->script, "B", NULL };
	char *benches[] = { "BenchmarkX", NULL };
	pg_results a, b;
	pg_ab_opts o;
	pg_buf err = PG_BUF_INIT;

	pg_results_init(&a);
	pg_results_init(&b);
	memset(&o, 0, sizeof(o));
	o.base.argv = aargv;
	o.cand.argv = bargv;
	o.benchmarks = benches;
	o.rounds = 4;
	/* processes: 0 A, 1 B, 2 B (round 2, index 1), ... */
	setenv("FAIL_AT", "2", 1);
	assert_int_equal(pg_ab_run(&a, &b, &o, &err), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "A/B round 2 of 4, BenchmarkX, candidate"));
	assert_non_null(strstr(pg_error_last(), "exited with status 4"));
	assert_string_equal(err.ptr, "B broke\n");
	pg_buf_release(&err);
	pg_results_release(&a);
	pg_results_release(&b);
}

static void test_nothing_to_measure(void **state)
{
	fixture *f = *state;
	char *argv[] = { "/bin/sh", f->script, "A", NULL };
	char *none[] = { NULL };
	pg_results a, b;
	pg_ab_opts o;

	pg_results_init(&a);
	pg_results_init(&b);
	memset(&o, 0, sizeof(o));
	o.base.argv = argv;
	o.cand.argv = argv;
	o.benchmarks = none;
	o.rounds = 4;
	assert_int_equal(pg_ab_run(&a, &b, &o, NULL), PG_EINPUT);
	o.benchmarks = NULL;
	assert_int_equal(pg_ab_run(&a, &b, &o, NULL), PG_EINPUT);
	assert_int_equal(access(f->log, F_OK), -1);
	pg_results_release(&a);
	pg_results_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_candidate_first),
		cmocka_unit_test(test_bench_regex),
		cmocka_unit_test(test_bench_regex_invalid),
		cmocka_unit_test(test_suite_filter),
		cmocka_unit_test_setup_teardown(test_abba_order_values_and_cwd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_restricts_each_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_names_side_benchmark_and_round,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_measure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
