/*
 * pg_bench_main() (bench-runner/harness/main.c): what a suite prints and
 * its exit status, end to end through the harness, with a fake clock and
 * fake instruction counters so that every figure is exact. The output is
 * also read back with perfgate's own parser (stats/results.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "stats/results.h"
#include "bench-runner/harness/internal.h"

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* an instruction counter that cannot be opened */
static int no_counter_open(char *why, size_t cap)
{
	snprintf(why, cap, "perf_event_open: No such file or directory");
	return -1;
}

static void no_counter_nop(void)
{
}

static int no_counter_read(uint64_t *out)
{
	(void)out;
	return -1;
}

static const pg_bench_counter_ops no_counter = {
	no_counter_open, no_counter_nop, no_counter_nop, no_counter_read, no_counter_nop,
};

/* one that counts 7 instructions per nanosecond of fake time while enabled */
static int counting;
static uint64_t instructions;

static int yes_open(char *why, size_t cap)
{
	(void)why;
	(void)cap;
	return 0;
}

static void yes_enable(void)
{
	counting = 1;
}

static void yes_disable(void)
{
	counting = 0;
}

static int yes_read(uint64_t *out)
{
	*out = instructions;
	return 0;
}

static const pg_bench_counter_ops yes_counter = {
	yes_open, yes_enable, yes_disable, yes_read, no_counter_nop,
};

/* one that opens but is never scheduled (a PMU taken by others): its
 * reads say so as perf_event_open's do, time running 0 */
static int unscheduled_read(uint64_t *out)
{
	const uint64_t v[3] = { 0, fake_now, 0 };

	return pg_bench_counter_value(out, v);
}

static const pg_bench_counter_ops unscheduled_counter = {
	yes_open, yes_enable, yes_disable, unscheduled_read, no_counter_nop,
};

static void work(uint64_t ns)
{
	fake_now += ns;
	if (counting)
		instructions += 7 * ns;
}

/* ------------------------------------------------------------ benchmarks */

PG_BENCH(Plain)
{
	work(123 * pg_bench_n(b));
}

PG_BENCH(Bytes)
{
	pg_bench_set_bytes(b, 4096);
	work(1000 * pg_bench_n(b));
}

PG_BENCH(Custom)
{
	work(50 * pg_bench_n(b));
	pg_bench_report_metric(b, 2.5, "widgets/op");
}

PG_BENCH(Allocs)
{
	void *setup = NULL, *p[3];
	uint64_t i;
	int k;

	pg_bench_stop_timer(b);
	setup = malloc(5000); /* set-up, not counted */
	pg_bench_do_not_optimize(setup);
	pg_bench_start_timer(b);
	for (i = 0; i < pg_bench_n(b); i++) {
		for (k = 0; k < 3; k++) {
			p[k] = malloc(100);
			pg_bench_do_not_optimize(p[k]);
		}
		for (k = 0; k < 3; k++)
			free(p[k]);
	}
	work(10 * pg_bench_n(b));
	pg_bench_stop_timer(b);
	free(setup);
}

static void sized(pg_bench *b)
{
	work(*(const int *)pg_bench_arg(b) * pg_bench_n(b));
}

PG_BENCH(Sized)
{
	static const int sizes[] = { 10, 1000 };

	pg_bench_run(b, sized, (void *)&sizes[0], "n=%d", sizes[0]);
	pg_bench_run(b, sized, (void *)&sizes[1], "n=%d", sizes[1]);
}

/* two names that make the same profile file name, "Clash-x-y" */
PG_BENCH(Clash)
{
	static const int cost = 10;

	pg_bench_run(b, sized, (void *)&cost, "x/y");
	pg_bench_run(b, sized, (void *)&cost, "x-y");
}

PG_BENCH(Broken)
{
	work(pg_bench_n(b));
	pg_bench_fail(b, "checksum mismatch: %s", "0x1234");
}

/* ------------------------------------------------------------ running main */

static char *out_text, *err_text;
static size_t out_len, err_len;

/* Run pg_bench_main_io with the arguments (NULL-terminated) and capture
 * its output; returns the exit status. */
static int run_main(const char *const *args)
{
	FILE *out, *err;
	char *argv[32];
	int argc = 0, rc;

	free(out_text);
	free(err_text);
	out_text = err_text = NULL;
	argv[argc++] = (char *)"/path/to/my-suite";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	out = open_memstream(&out_text, &out_len);
	err = open_memstream(&err_text, &err_len);
	assert_non_null(out);
	assert_non_null(err);
	rc = pg_bench_main_io(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return rc;
}

static int count_lines_starting(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	while (p && *p) {
		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, line, len) && (p[len] == '\n' || p[len] == '\0'))
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fake_now = 1;
	counting = 0;
	instructions = 0;
	pg_bench_set_clock(fake_clock);
	pg_bench_set_counter(&no_counter);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv(PG_BENCH_BENCHTIME_ENV);
	pg_bench_set_clock(NULL);
	pg_bench_set_counter(NULL);
	pg_bench_config_reset();
	free(out_text);
	free(err_text);
	out_text = err_text = NULL;
	return 0;
}

/* ------------------------------------------------------------ tests */

static void test_output_layout(void **state)
{
	static const char *const args[] = { "-bench", "^(Plain|Bytes|Custom)$",
					    "-benchtime", "100x", NULL };
	char want[2048];

	(void)state;
	/* the CPU model is the machine's: replace it */
	assert_int_equal(pg_bench_add_config("cpu", "Test CPU"), 0);
	assert_int_equal(run_main(args), 0);
	assert_string_equal(err_text, "");
	/* the compiler is the one of this file, where PG_BENCH was used */
	snprintf(want, sizeof(want),
		 "goos: linux\n"
		 "goarch: %s\n"
		 "pkg: my-suite\n"
		 "cpu: Test CPU\n"
		 "compiler: %s\n"
		 "harness: perfgate %s\n"
		 "instructions: unavailable (perf_event_open: No such file or directory)\n"
		 /* Go pads to the longest name + 1 */
		 "BenchmarkPlain  \t     100\t       123.0 ns/op\n"
		 "BenchmarkBytes  \t     100\t      1000 ns/op\t4096.00 MB/s\n"
		 "BenchmarkCustom \t     100\t        50.00 ns/op\t         2.500 widgets/op\n"
		 "PASS\n",
		 pg_bench_goarch(), PG_BENCH_COMPILER, PG_BENCH_HARNESS_VERSION);
	assert_string_equal(out_text, want);
#if defined(__x86_64__) && !defined(__ILP32__)
	assert_string_equal(pg_bench_goarch(), "amd64");
#endif
#if defined(__GNUC__) && !defined(__clang__) && !defined(__cplusplus)
	assert_int_equal(strncmp(PG_BENCH_COMPILER, "gcc ", 4), 0);
	assert_string_equal(&PG_BENCH_COMPILER[4], __VERSION__);
#endif
#if defined(__clang__) && !defined(__cplusplus)
	assert_int_equal(strncmp(PG_BENCH_COMPILER, "clang ", 6), 0);
	assert_non_null(strstr(__VERSION__, &PG_BENCH_COMPILER[6]));
#endif
}

static void test_config_lines_are_machine_independent_keys(void **state)
{
	static const char *const args[] = { "-bench", "^Plain$", "-benchtime", "1x", NULL };

	(void)state;
	assert_int_equal(run_main(args), 0);
	assert_non_null(strstr(out_text, "goos: linux\n"));
	assert_true(has_line(out_text, "pkg: my-suite"));
	assert_int_equal(count_lines_starting(out_text, "goarch: "), 1);
	assert_int_equal(count_lines_starting(out_text, "compiler: "), 1);
	assert_true(has_line(out_text, "PASS"));
}

static void test_count_prints_one_line_per_run(void **state)
{
	static const char *const args[] = { "-bench", "Plain|Sized", "-benchtime", "10x",
					    "-count", "4", NULL };

	(void)state;
	assert_int_equal(run_main(args), 0);
	assert_int_equal(count_lines_starting(out_text, "BenchmarkPlain "), 4);
	assert_int_equal(count_lines_starting(out_text, "BenchmarkSized/n=10\t"), 4);
	assert_int_equal(count_lines_starting(out_text, "BenchmarkSized/n=1000\t"), 4);
	assert_int_equal(count_lines_starting(out_text, "Benchmark"), 12);
	/* a parent prints no line of its own */
	assert_int_equal(count_lines_starting(out_text, "BenchmarkSized "), 0);
	assert_int_equal(count_lines_starting(out_text, "BenchmarkSized\t"), 0);
}

/* The suite's default -benchtime from PERFGATE_BENCHTIME, end to end: the
 * iterations of a run show it; -benchtime on the command line wins; an
 * invalid value stops the suite before it runs (exit 2, the variable
 * named). */
static void test_benchtime_from_the_environment(void **state)
{
	static const char *const plain[] = { "-bench", "^Plain$", NULL };
	static const char *const flag[] = { "-bench", "^Plain$", "-benchtime", "5x", NULL };

	(void)state;
	assert_int_equal(setenv(PG_BENCH_BENCHTIME_ENV, "3x", 1), 0);
	assert_int_equal(run_main(plain), 0);
	assert_true(has_line(out_text, "BenchmarkPlain \t       3\t       123.0 ns/op"));
	assert_int_equal(run_main(flag), 0);
	assert_true(has_line(out_text, "BenchmarkPlain \t       5\t       123.0 ns/op"));
	assert_int_equal(setenv(PG_BENCH_BENCHTIME_ENV, "1sec", 1), 0);
	assert_int_equal(run_main(flag), 2);
	assert_string_equal(err_text, "perfgate-bench: invalid PERFGATE_BENCHTIME '1sec': "
			    "unknown unit (ns, us, ms, s, m, h)\n");
	assert_string_equal(out_text, "");
	assert_int_equal(unsetenv(PG_BENCH_BENCHTIME_ENV), 0);
}

static void test_bench_filter(void **state)
{
	static const char *const args[] = { "-test.bench=^Sized/n=1000$",
					    "-test.benchtime=10x", NULL };
	static const char *const none[] = { "-bench", "NoSuchThing", NULL };

	(void)state;
	assert_int_equal(run_main(args), 0);
	assert_int_equal(count_lines_starting(out_text, "Benchmark"), 1);
	assert_true(has_line(out_text, "BenchmarkSized/n=1000\t      10\t      1000 ns/op"));

	assert_int_equal(run_main(none), 0);
	assert_int_equal(count_lines_starting(out_text, "Benchmark"), 0);
	assert_string_equal(err_text,
			    "perfgate-bench: warning: no benchmarks match -bench 'NoSuchThing'\n");
}

static void test_list(void **state)
{
	static const char *const args[] = { "-list", "^S|^BenchmarkB", NULL };
	static const char *const bad[] = { "-list", "(", NULL };

	(void)state;
	assert_int_equal(run_main(args), 0);
	/* top-level names only, in registration order, nothing run */
	assert_string_equal(out_text, "BenchmarkBytes\nBenchmarkSized\nBenchmarkBroken\n");
	assert_int_equal(fake_now, 1);

	assert_int_equal(run_main(bad), 2);
	assert_non_null(strstr(err_text, "perfgate-bench: -list: invalid regular expression '('"));
}

static void test_benchmem_counts_exactly(void **state)
{
	static const char *const args[] = { "-bench", "^Allocs$", "-benchtime", "100x",
					    "-benchmem", NULL };
	char why[256];

	(void)state;
	assert_int_equal(run_main(args), 0);
	if (pg_bench_alloc_probe(why, sizeof(why))) {
		/* 3 x malloc(100) per op; the set-up malloc(5000) is not counted */
		assert_true(has_line(out_text, "BenchmarkAllocs \t     100\t        10.00 ns/op\t"
					       "     300 B/op\t       3 allocs/op"));
		assert_int_equal(count_lines_starting(out_text, "benchmem:"), 0);
	} else {
		/* AddressSanitizer: a note, and no figures */
		assert_true(has_line(out_text, "benchmem: unavailable under AddressSanitizer"));
		assert_true(has_line(out_text, "BenchmarkAllocs \t     100\t        10.00 ns/op"));
		assert_null(strstr(out_text, "B/op"));
	}
}

static void test_instructions_note_exactly_once(void **state)
{
	static const char *const args[] = { "-bench", ".", "-benchtime", "3x", "-count", "2",
					    NULL };
	static const char *const off[] = { "-bench", "Plain", "-benchtime", "3x",
					   "-instructions=false", NULL };

	(void)state;
	assert_int_equal(run_main(args), 1); /* Broken fails */
	assert_int_equal(count_lines_starting(out_text, "instructions:"), 1);
	assert_true(has_line(out_text, "instructions: unavailable "
				       "(perf_event_open: No such file or directory)"));
	assert_null(strstr(out_text, "instructions/op"));

	assert_int_equal(run_main(off), 0);
	assert_int_equal(count_lines_starting(out_text, "instructions:"), 0);
}

static void test_instructions_reported_when_available(void **state)
{
	static const char *const args[] = { "-bench", "^Plain$", "-benchtime", "100x", NULL };

	(void)state;
	pg_bench_set_counter(&yes_counter);
	assert_int_equal(run_main(args), 0);
	assert_int_equal(count_lines_starting(out_text, "instructions:"), 0);
	/* 123 ns per op at 7 instructions per ns */
	assert_true(has_line(out_text, "BenchmarkPlain \t     100\t       123.0 ns/op\t"
				       "       861.0 instructions/op"));
}

/* A counter that opened but cannot be read: no figure (never 0
 * instructions/op), one note before the first result without it. */
static void test_instructions_unreadable_counter(void **state)
{
	static const char *const args[] = { "-bench", "^(Plain|Bytes)$", "-benchtime", "10x",
					    "-count", "2", NULL };
	const char *note;
	pg_results r;

	(void)state;
	pg_bench_set_counter(&unscheduled_counter);
	assert_int_equal(run_main(args), 0);
	assert_null(strstr(out_text, "instructions/op"));
	assert_int_equal(count_lines_starting(out_text, "instructions:"), 1);
	note = strstr(out_text, "\ninstructions: unavailable (the counter could not be read "
			       "in BenchmarkPlain)\n");
	assert_non_null(note);
	assert_true(note < strstr(out_text, "\nBenchmarkPlain"));
	assert_int_equal(count_lines_starting(out_text, "BenchmarkPlain"), 2);
	assert_int_equal(count_lines_starting(out_text, "BenchmarkBytes"), 2);
	pg_results_init(&r);
	assert_int_equal(pg_results_parse(&r, "suite.txt", out_text, out_len), 0);
	assert_null(pg_results_find(&r, "Plain", "instructions/op"));
	assert_non_null(pg_results_find(&r, "Plain", "ns/op"));
	pg_results_release(&r);
}

static void test_failure(void **state)
{
	static const char *const args[] = { "-bench", "Broken|Plain", "-benchtime", "5x", NULL };

	(void)state;
	assert_int_equal(run_main(args), 1);
	assert_non_null(strstr(out_text, "--- FAIL: BenchmarkBroken\n"
					 "    checksum mismatch: 0x1234\n"
					 "FAIL\n"));
	assert_int_equal(count_lines_starting(out_text, "BenchmarkPlain"), 1);
	assert_int_equal(count_lines_starting(out_text, "BenchmarkBroken"), 0);
}

static void test_usage_errors(void **state)
{
	static const char *const rate[] = { "-cpuprofile", "prof", "-cpuprofilerate", "0", NULL };
	static const char *const unknown[] = { "-benchmarks", NULL };
	static const char *const bad_regex[] = { "-bench", "a[", NULL };
	static const char *const help[] = { "-help", NULL };

	(void)state;
	assert_int_equal(run_main(rate), 2);
	assert_true(starts_with(err_text, "perfgate-bench: invalid -cpuprofilerate '0': not "
					  "an integer from 1 to 10000 (Hz)\nusage: "));
	assert_string_equal(out_text, "");

	assert_int_equal(run_main(unknown), 2);
	assert_string_equal(out_text, "");
	assert_true(starts_with(err_text, "perfgate-bench: unknown flag '-benchmarks'\n"
					  "usage: my-suite "));

	assert_int_equal(run_main(bad_regex), 2);
	assert_true(starts_with(err_text, "perfgate-bench: -bench: invalid regular "
					  "expression 'a[': "));
	assert_string_equal(out_text, "");

	assert_int_equal(run_main(help), 0);
	assert_true(starts_with(out_text, "usage: my-suite [-bench regexp]"));
	assert_string_equal(err_text, "");
}

/* -cpuprofile DIR: one file per benchmark that printed lines (the -count
 * runs together), none for a parent of sub-benchmarks or a failed
 * benchmark; the output is the same as without profiling. The profiles'
 * content is tested in test_profile_write.c. */
static void test_cpuprofile_files(void **state)
{
	char dir[] = "/tmp/pg-test-main-XXXXXX";
	char *args_dir = NULL, *plain_out = NULL;
	const char *files[] = { "Plain.pb.gz", "Sized-n=10.pb.gz", "Sized-n=1000.pb.gz" };
	const char *absent[] = { "Sized.pb.gz", "Broken.pb.gz", "Bytes.pb.gz" };
	const char *args[] = { "-bench", "Plain|Sized|Broken", "-benchtime", "3x", "-count", "2",
			       "-cpuprofile", NULL, NULL };
	const char *plain_args[] = { "-bench", "Plain|Sized|Broken", "-benchtime", "3x",
				     "-count", "2", NULL };
	struct stat st;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&args_dir, "%s/sub/dir", dir) > 0);
	args[7] = args_dir;
	assert_int_equal(run_main(plain_args), 1); /* Broken fails */
	plain_out = out_text;
	out_text = NULL;
	assert_int_equal(run_main(args), 1);
	assert_string_equal(out_text, plain_out);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = NULL;

		assert_true(asprintf(&path, "%s/%s", args_dir, files[i]) > 0);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 20);
		assert_int_equal(unlink(path), 0);
		free(path);
	}
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		char *path = NULL;

		assert_true(asprintf(&path, "%s/%s", args_dir, absent[i]) > 0);
		assert_int_not_equal(stat(path, &st), 0);
		free(path);
	}
	assert_int_equal(rmdir(args_dir), 0); /* nothing else was left */
	free(args_dir);
	assert_true(asprintf(&args_dir, "%s/sub", dir) > 0);
	assert_int_equal(rmdir(args_dir), 0);
	assert_int_equal(rmdir(dir), 0);
	free(args_dir);
	free(plain_out);
}

/* Names that map to the same file: the second gets "_2". */
static void test_cpuprofile_file_name_clash(void **state)
{
	char dir[] = "/tmp/pg-test-main-XXXXXX";
	char *cmd = NULL;
	const char *args[] = { "-bench", "Clash", "-benchtime", "1x", "-cpuprofile", dir, NULL };

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(run_main(args), 0);
	assert_non_null(strstr(out_text, "\nBenchmarkClash/x/y\t"));
	assert_non_null(strstr(out_text, "\nBenchmarkClash/x-y\t"));
	assert_true(asprintf(&cmd, "test \"$(ls '%s' | tr '\\n' ' ')\" = "
			     "'Clash-x-y.pb.gz Clash-x-y_2.pb.gz ' && rm -r '%s'", dir, dir) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* A -cpuprofile directory that cannot be created: exit status 3 (as for
 * unwritable output), before anything runs. */
static void test_cpuprofile_directory_error(void **state)
{
	char dir[] = "/tmp/pg-test-main-XXXXXX";
	char *file = NULL, *sub = NULL;
	const char *args[] = { "-bench", "Plain", "-cpuprofile", NULL, NULL };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&file, "%s/file", dir) > 0);
	assert_true(asprintf(&sub, "%s/file/profiles", dir) > 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	args[3] = sub;
	assert_int_equal(run_main(args), 3);
	assert_string_equal(out_text, "");
	assert_true(starts_with(err_text, "perfgate-bench: -cpuprofile: cannot create "
					  "directory '"));
	assert_non_null(strstr(err_text, "/file/profiles': Not a directory\n"));
	args[3] = file;
	assert_int_equal(run_main(args), 3);
	assert_non_null(strstr(err_text, "/file': Not a directory\n"));
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
	free(file);
	free(sub);
}

static void test_write_failure(void **state)
{
	static const char *const args[] = { "-bench", "^Plain$", "-benchtime", "1x", NULL };
	char *argv[] = { (char *)"suite", (char *)args[0], (char *)args[1], (char *)args[2],
			 (char *)args[3], NULL };
	FILE *full = fopen("/dev/full", "w");
	FILE *err;
	char *err_buf = NULL;
	size_t err_size = 0;

	(void)state;
	if (!full)
		skip();
	err = open_memstream(&err_buf, &err_size);
	assert_non_null(err);
	assert_int_equal(pg_bench_main_io(5, argv, full, err), 3);
	fclose(err);
	fclose(full);
	assert_non_null(strstr(err_buf, "perfgate-bench: write failure on standard output\n"));
	free(err_buf);
}

/* The output reads back, through perfgate's parser, as the same names,
 * units and values. */
static void test_round_trip_through_perfgate_parser(void **state)
{
	static const char *const args[] = { "-bench", "^(Plain|Bytes|Custom|Allocs|Sized)$",
					    "-benchtime", "100x", "-count", "2",
					    "-benchmem", NULL };
	const pg_series *s;
	pg_results r;
	char why[256];
	int allocs_counted = pg_bench_alloc_probe(why, sizeof(why));

	(void)state;
	pg_bench_set_counter(&yes_counter);
	assert_int_equal(pg_bench_add_config("build", "-O2 -DNDEBUG"), 0);
	assert_int_equal(run_main(args), 0);
	pg_results_init(&r);
	assert_int_equal(pg_results_parse(&r, "suite.txt", out_text, out_len), 0);

	assert_int_equal(r.nresults, 2 * 6);
	assert_string_equal(pg_results_config(&r, "goos"), "linux");
	assert_string_equal(pg_results_config(&r, "pkg"), "my-suite");
	assert_string_equal(pg_results_config(&r, "build"), "-O2 -DNDEBUG");
	assert_non_null(pg_results_config(&r, "compiler"));

	s = pg_results_find(&r, "Plain", "ns/op");
	assert_non_null(s);
	assert_int_equal(s->n, 2);
	assert_true(s->values[0] == 123 && s->values[1] == 123);
	assert_int_equal(s->iters[0], 100); /* the N column */
	assert_int_equal(s->iters[1], 100);
	s = pg_results_find(&r, "Plain", "instructions/op");
	assert_non_null(s);
	assert_true(s->values[0] == 861);
	s = pg_results_find(&r, "Bytes", "MB/s");
	assert_non_null(s);
	assert_true(s->values[1] == 4096);
	s = pg_results_find(&r, "Custom", "widgets/op");
	assert_non_null(s);
	assert_true(s->values[0] == 2.5);
	s = pg_results_find(&r, "Sized/n=1000", "ns/op");
	assert_non_null(s);
	assert_true(s->values[0] == 1000);
	assert_non_null(pg_results_find(&r, "Sized/n=10", "ns/op"));
	assert_null(pg_results_find(&r, "Sized", "ns/op"));
	s = pg_results_find(&r, "Allocs", "B/op");
	if (allocs_counted) {
		assert_non_null(s);
		assert_true(s->values[0] == 300 && s->values[1] == 300);
		s = pg_results_find(&r, "Allocs", "allocs/op");
		assert_non_null(s);
		assert_true(s->values[0] == 3);
		s = pg_results_find(&r, "Plain", "allocs/op");
		assert_non_null(s);
		assert_true(s->values[0] == 0);
	} else {
		assert_null(s);
		assert_string_equal(pg_results_config(&r, "benchmem"),
				    "unavailable under AddressSanitizer");
	}
	pg_results_release(&r);
}

static void test_add_config(void **state)
{
	static const char *const args[] = { "-bench", "^Plain$", "-benchtime", "1x", NULL };

	(void)state;
	assert_int_equal(pg_bench_add_config("Bad", "x"), -1);
	assert_int_equal(pg_bench_add_config("has space", "x"), -1);
	assert_int_equal(pg_bench_add_config("a:b", "x"), -1);
	assert_int_equal(pg_bench_add_config("", "x"), -1);
	assert_int_equal(pg_bench_add_config("flags", "first"), 0);
	assert_int_equal(pg_bench_add_config("flags", "second\nline"), 0);
	assert_int_equal(pg_bench_add_config("cpu", "Test CPU %d", 9), 0);
	assert_int_equal(run_main(args), 0);
	assert_true(has_line(out_text, "flags: second line"));
	assert_int_equal(count_lines_starting(out_text, "flags:"), 1);
	/* a built-in key is replaced in place */
	assert_true(has_line(out_text, "cpu: Test CPU 9"));
	assert_int_equal(count_lines_starting(out_text, "cpu:"), 1);
	assert_non_null(strstr(out_text, "pkg: my-suite\ncpu: Test CPU 9\ncompiler: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_lines_are_machine_independent_keys,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_prints_one_line_per_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_benchtime_from_the_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bench_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_benchmem_counts_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instructions_note_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instructions_reported_when_available, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_instructions_unreadable_counter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuprofile_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuprofile_file_name_clash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuprofile_directory_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_through_perfgate_parser, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_config, setup, teardown),
	};

	return cmocka_run_group_tests_name("main", tests, NULL, NULL);
}
