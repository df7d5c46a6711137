/* Tests of stats/benchfmt.c: the Go benchmark data format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats/stats_test.h"

#include "common/buf.h"
#include "common/error.h"
#include "stats/results.h"

static int parse(pg_results *r, const char *name, const char *text)
{
	return pg_results_parse_benchfmt(r, name, text, strlen(text));
}

/* Parse `text` as "x.txt" into results that hold one earlier input; the
 * parse must fail with `msg` and leave the results as they were. */
static void expect_error(const char *text, const char *msg)
{
	pg_results r;

	pg_results_init(&r);
	assert_int_equal(parse(&r, "before.txt",
			       "goos: linux\nBenchmarkA-2 1 5 ns/op\n"), 0);
	if (parse(&r, "x.txt", text) != PG_EINPUT)
		fail_msg("no error for input:\n%s", text);
	assert_string_equal(pg_error_last(), msg);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.nresults, 1);
	assert_int_equal(r.nconfig, 1);
	assert_string_equal(pg_results_config(&r, "goos"), "linux");
	assert_values(find(&r, "A-2", "ns/op"), 1, 5.0);
	pg_results_release(&r);
}

static void test_config_lines(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt",
			       "goos: linux\n"
			       "goarch: amd64\n"
			       "pkg: example.com/x\n"
			       "cpu: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
			       "commit-time:\t \t2016-02-11T13:25:45-0500\n"
			       "empty:\n"
			       "url:http://x\n"          /* no blank after ':' */
			       "Goos: upper\n"           /* uppercase key */
			       "my key: spaced\n"        /* blank in key */
			       "keyOS: camel\n"          /* uppercase inside */
			       ": nokey\n"
			       "note: a: b:  c \n"       /* value kept as is */
			       "goos: darwin\n"          /* the last value wins */
			       "BenchmarkX 1 2 ns/op\n"),
			 0);
	assert_int_equal(r.nconfig, 7);
	assert_string_equal(r.config[0].key, "goos");
	assert_string_equal(r.config[0].value, "darwin");
	assert_string_equal(r.config[1].key, "goarch");
	assert_string_equal(r.config[2].key, "pkg");
	assert_string_equal(pg_results_config(&r, "pkg"), "example.com/x");
	assert_string_equal(pg_results_config(&r, "cpu"),
			    "Intel(R) Xeon(R) CPU @ 2.20GHz");
	assert_string_equal(pg_results_config(&r, "commit-time"),
			    "2016-02-11T13:25:45-0500");
	assert_string_equal(pg_results_config(&r, "empty"), "");
	assert_string_equal(pg_results_config(&r, "note"), "a: b:  c ");
	assert_null(pg_results_config(&r, "url"));
	assert_null(pg_results_config(&r, "Goos"));
	assert_null(pg_results_config(&r, "my key"));
	assert_null(pg_results_config(&r, "keyOS"));
	assert_null(pg_results_config(&r, "absent"));
	pg_results_release(&r);
}

static void test_result_lines(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt",
			       "BenchmarkDecodeDigitsSpeed1e4-8   \t     100\t    154125 ns/op\t  64.88 MB/s\t   40418 B/op\t       7 allocs/op\n"
			       "BenchmarkDecode/text:digits/level:speed/size:1e4/gomaxprocs:8 \t 100 \t 154125 ns/op\n"
			       "BenchmarkSort/n=1000-2 5 1.5e3 ns/op 2 B/op\n"
			       "BenchmarkSort/n=1000-2 5 1600 ns/op 3 B/op\n"
			       "BenchmarkSort/n=1000 7 1700 ns/op\n"
			       "BenchmarkSort/n=1000-2 5 1800 ns/op 4 B/op 9 custom-unit/op\n"
			       "Benchmark-4 1 3 ns/op\n"
			       "BenchmarkTwice 1 1 x 2 x\n"),
			 0);
	assert_int_equal(r.nresults, 8);
	assert_values(find(&r, "DecodeDigitsSpeed1e4-8", "ns/op"), 1, 154125.0);
	assert_values(find(&r, "DecodeDigitsSpeed1e4-8", "MB/s"), 1, 64.88);
	assert_values(find(&r, "DecodeDigitsSpeed1e4-8", "B/op"), 1, 40418.0);
	assert_values(find(&r, "DecodeDigitsSpeed1e4-8", "allocs/op"), 1, 7.0);
	assert_values(find(&r, "Decode/text:digits/level:speed/size:1e4/gomaxprocs:8",
			   "ns/op"), 1, 154125.0);
	assert_values(find(&r, "Sort/n=1000-2", "ns/op"), 3, 1500.0, 1600.0, 1800.0);
	assert_values(find(&r, "Sort/n=1000-2", "B/op"), 3, 2.0, 3.0, 4.0);
	assert_values(find(&r, "Sort/n=1000-2", "custom-unit/op"), 1, 9.0);
	assert_values(find(&r, "Sort/n=1000", "ns/op"), 1, 1700.0);
	assert_values(find(&r, "-4", "ns/op"), 1, 3.0);
	assert_values(find(&r, "Twice", "x"), 2, 1.0, 2.0);
	assert_null(pg_results_find(&r, "BenchmarkSort/n=1000-2", "ns/op"));
	assert_null(pg_results_find(&r, "Sort/n=1000-2", "allocs/op"));
	/* series in order of first appearance */
	assert_int_equal(r.nseries, 11);
	assert_string_equal(r.series[0].name, "DecodeDigitsSpeed1e4-8");
	assert_string_equal(r.series[0].unit, "ns/op");
	assert_string_equal(r.series[1].unit, "MB/s");
	assert_string_equal(r.series[5].name, "Sort/n=1000-2");
	assert_string_equal(r.series[5].unit, "ns/op");
	assert_string_equal(r.series[6].unit, "B/op");
	assert_string_equal(r.series[7].name, "Sort/n=1000");
	assert_string_equal(r.series[8].unit, "custom-unit/op");
	pg_results_release(&r);
}

/* Units in a different order from one line to the next, and two
 * benchmarks interleaved: the per-line cache must not mix them up. */
static void test_iteration_counts_kept(void **state)
{
	static const char text[] =
		"BenchmarkA-2 123 5 ns/op 7 B/op\n"
		"BenchmarkA-2 456 6 ns/op 7 B/op\n";
	pg_results r, back;
	pg_buf out = PG_BUF_INIT;
	const pg_series *s;

	(void)state;
	pg_results_init(&r);
	pg_results_init(&back);
	assert_int_equal(parse(&r, "i.txt", text), 0);
	s = find(&r, "A-2", "ns/op");
	assert_int_equal(s->iters[0], 123);
	assert_int_equal(s->iters[1], 456);
	assert_int_equal(find(&r, "A-2", "B/op")->iters[1], 456);
	/* written back with the counts they came with */
	assert_int_equal(pg_results_format_benchfmt(&out, &r), 0);
	assert_string_equal(out.ptr, text);
	assert_int_equal(parse(&back, "back.txt", out.ptr), 0);
	assert_int_equal(find(&back, "A-2", "ns/op")->iters[1], 456);
	/* samples added by producers count one iteration */
	assert_int_equal(pg_results_add(&back, "X", 1, "ns/op", 5, 3.0), 0);
	assert_int_equal(find(&back, "X", "ns/op")->iters[0], 1);
	pg_buf_release(&out);
	pg_results_release(&r);
	pg_results_release(&back);
}

static void test_interleaved_and_reordered(void **state)
{
	pg_results r;
	pg_buf text = PG_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		pg_buf_addf(&text, "BenchmarkA 1 %d ns/op %d B/op\n", i, 100 + i);
		pg_buf_addf(&text, "BenchmarkB 1 %d B/op %d ns/op\n", 200 + i, 300 + i);
		pg_buf_addf(&text, "BenchmarkB 1 %d ns/op\n", 400 + i);
		pg_buf_addf(&text, "BenchmarkA 1 %d B/op %d ns/op\n", 500 + i, 600 + i);
	}
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt", text.ptr), 0);
	assert_int_equal(r.nseries, 4);
	assert_int_equal(r.nresults, 160);
	for (i = 0; i < 40; i++) {
		assert_true(find(&r, "A", "ns/op")->values[2 * i] == i);
		assert_true(find(&r, "A", "ns/op")->values[2 * i + 1] == 600 + i);
		assert_true(find(&r, "A", "B/op")->values[2 * i] == 100 + i);
		assert_true(find(&r, "A", "B/op")->values[2 * i + 1] == 500 + i);
		assert_true(find(&r, "B", "B/op")->values[i] == 200 + i);
		assert_true(find(&r, "B", "ns/op")->values[2 * i] == 300 + i);
		assert_true(find(&r, "B", "ns/op")->values[2 * i + 1] == 400 + i);
	}
	pg_results_release(&r);
	pg_buf_release(&text);
}

static void test_ignored_lines(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt",
			       "PASS\n"
			       "ok  \texample.com/x\t1.234s\n"
			       "--- FAIL: BenchmarkBroken\n"
			       "    x_test.go:12: some log output\n"
			       "BenchmarkVerbose\n"             /* go test -v */
			       "BenchmarkVerbose   \t \n"
			       "# a comment: with a colon\n"
			       "\n"
			       "   \t\n"
			       "Unit ns/op assume=exact\n"
			       "FAIL\texample.com/y\t0.1s\n"
			       "testing: warning: no tests to run\n"
			       " goos: indented\n"
			       "BenchmarkVerbose-8 10 5 ns/op\n"
			       "exit status 1\n"),
			 0);
	assert_int_equal(r.nresults, 1);
	assert_int_equal(r.nseries, 1);
	assert_values(find(&r, "Verbose-8", "ns/op"), 1, 5.0);
	/* "testing: warning: ..." is a configuration line by the spec */
	assert_int_equal(r.nconfig, 1);
	assert_string_equal(pg_results_config(&r, "testing"),
			    "warning: no tests to run");
	assert_null(pg_results_config(&r, "goos"));
	pg_results_release(&r);
}

static void test_merge_inputs(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "a.txt",
			       "goos: linux\ncpu: A\n"
			       "BenchmarkX 1 1 ns/op 10 B/op\n"
			       "BenchmarkY 1 2 ns/op\n"),
			 0);
	assert_int_equal(parse(&r, "b.txt",
			       "cpu: B\nnew-key: v\n"
			       "BenchmarkZ 1 7 ns/op\n"
			       "BenchmarkX 1 3 ns/op\n"
			       "BenchmarkX 1 4 ns/op 11 B/op\n"),
			 0);
	assert_int_equal(parse(&r, "c.txt", "BenchmarkY 1 5 ns/op\n"), 0);
	assert_int_equal(r.nresults, 6);
	assert_int_equal(r.nseries, 4);
	assert_string_equal(r.series[0].name, "X");
	assert_string_equal(r.series[1].unit, "B/op");
	assert_string_equal(r.series[2].name, "Y");
	assert_string_equal(r.series[3].name, "Z");
	assert_values(find(&r, "X", "ns/op"), 3, 1.0, 3.0, 4.0);
	assert_values(find(&r, "X", "B/op"), 2, 10.0, 11.0);
	assert_values(find(&r, "Y", "ns/op"), 2, 2.0, 5.0);
	assert_values(find(&r, "Z", "ns/op"), 1, 7.0);
	assert_int_equal(r.nconfig, 3);
	assert_string_equal(r.config[0].key, "goos");
	assert_string_equal(r.config[1].key, "cpu");
	assert_string_equal(r.config[1].value, "B");
	assert_string_equal(r.config[2].key, "new-key");
	pg_results_release(&r);
}

static void test_crlf(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt",
			       "goos: windows\r\n"
			       "empty:\r\n"
			       "BenchmarkA-4 \t 10\t 12.5 ns/op\t 3 B/op\r\n"
			       "BenchmarkA-4 10 13 ns/op 4 B/op\r\n"
			       "PASS\r\n"),
			 0);
	assert_string_equal(pg_results_config(&r, "goos"), "windows");
	assert_string_equal(pg_results_config(&r, "empty"), "");
	assert_values(find(&r, "A-4", "ns/op"), 2, 12.5, 13.0);
	assert_values(find(&r, "A-4", "B/op"), 2, 3.0, 4.0);
	pg_results_release(&r);
	/* an error line number counts CRLF lines */
	expect_error("a: b\r\nBenchmarkA 1 x ns/op\r\n",
		     "x.txt:2: invalid value 'x'");
}

static void test_bom(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt", "\xef\xbb\xbfgoos: linux\nBenchmarkA 1 1 s\n"), 0);
	assert_string_equal(pg_results_config(&r, "goos"), "linux");
	pg_results_release(&r);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("", "'x.txt': empty file");
	expect_error(" \n\t\r\n\n", "'x.txt': empty file");
	expect_error("PASS\nok  \tx\t1s\ngoos: linux\n",
		     "'x.txt': no benchmark results");
	expect_error("BenchmarkOnlyName\n", "'x.txt': no benchmark results");
	expect_error("goos: linux\nBenchmarkA abc 1 ns/op\n",
		     "x.txt:2: invalid iteration count 'abc'");
	expect_error("BenchmarkA 12x 1 ns/op\n",
		     "x.txt:1: invalid iteration count '12x'");
	expect_error("BenchmarkA 1.5 1 ns/op\n",
		     "x.txt:1: invalid iteration count '1.5'");
	expect_error("BenchmarkA + 1 ns/op\n",
		     "x.txt:1: invalid iteration count '+'");
	/* Google Benchmark's console table where its JSON was expected */
	expect_error("-----------------------------------------------------\n"
		     "Benchmark           Time             CPU   Iterations\n"
		     "-----------------------------------------------------\n"
		     "BM_Copy/64       3.12 ns         3.12 ns    224000000\n",
		     "x.txt:2: Google Benchmark console output, not JSON: run the suite "
		     "with --benchmark_format=json");
	expect_error("Benchmark\tTime\tCPU\tIterations UserCounters...\n",
		     "x.txt:1: Google Benchmark console output, not JSON: run the suite "
		     "with --benchmark_format=json");
	expect_error("Benchmark Time 1 ns/op\n", "x.txt:1: invalid iteration count 'Time'");
	expect_error("BenchmarkA Time CPU Iterations\n",
		     "x.txt:1: invalid iteration count 'Time'");
	expect_error("BenchmarkA 0 1 ns/op\n",
		     "x.txt:1: iteration count '0' is not positive");
	expect_error("BenchmarkA -3 1 ns/op\n",
		     "x.txt:1: iteration count '-3' is not positive");
	expect_error("BenchmarkA 9223372036854775808 1 ns/op\n",
		     "x.txt:1: iteration count '9223372036854775808' is out of range");
	expect_error("BenchmarkA 99999999999999999999999 1 ns/op\n",
		     "x.txt:1: iteration count '99999999999999999999999' is out of range");
	expect_error("BenchmarkA 5\n", "x.txt:1: missing measurements");
	expect_error("BenchmarkA 5 \t \n", "x.txt:1: missing measurements");
	expect_error("BenchmarkA 5 abc ns/op\n", "x.txt:1: invalid value 'abc'");
	expect_error("BenchmarkA 5 1,5 ns/op\n", "x.txt:1: invalid value '1,5'");
	expect_error("BenchmarkA 5 1e ns/op\n", "x.txt:1: invalid value '1e'");
	expect_error("BenchmarkA 5 1e+ ns/op\n", "x.txt:1: invalid value '1e+'");
	expect_error("BenchmarkA 5 . ns/op\n", "x.txt:1: invalid value '.'");
	expect_error("BenchmarkA 5 - ns/op\n", "x.txt:1: invalid value '-'");
	expect_error("BenchmarkA 5 1.2.3 ns/op\n", "x.txt:1: invalid value '1.2.3'");
	expect_error("BenchmarkA 5 0x10 ns/op\n", "x.txt:1: invalid value '0x10'");
	expect_error("BenchmarkA 5 1_000 ns/op\n", "x.txt:1: invalid value '1_000'");
	expect_error("BenchmarkA 5 nanx ns/op\n", "x.txt:1: invalid value 'nanx'");
	expect_error("BenchmarkA 5 NaN ns/op\n",
		     "x.txt:1: value 'NaN' is not a finite number");
	expect_error("BenchmarkA 5 nan ns/op\n",
		     "x.txt:1: value 'nan' is not a finite number");
	expect_error("BenchmarkA 5 +Inf ns/op\n",
		     "x.txt:1: value '+Inf' is not a finite number");
	expect_error("BenchmarkA 5 -inf ns/op\n",
		     "x.txt:1: value '-inf' is not a finite number");
	expect_error("BenchmarkA 5 Infinity ns/op\n",
		     "x.txt:1: value 'Infinity' is not a finite number");
	expect_error("BenchmarkA 5 1 ns/op iNF x\n",
		     "x.txt:1: value 'iNF' is not a finite number");
	expect_error("BenchmarkA 5 1e999 ns/op\n",
		     "x.txt:1: value '1e999' is out of range");
	expect_error("BenchmarkA 5 -1.8e308 ns/op\n",
		     "x.txt:1: value '-1.8e308' is out of range");
	expect_error("BenchmarkA 5 12\n", "x.txt:1: missing unit after value '12'");
	expect_error("BenchmarkA 5 12 ns/op 13\n",
		     "x.txt:1: missing unit after value '13'");
	expect_error("BenchmarkA 5 12 ns/op 13 \t\r\n",
		     "x.txt:1: missing unit after value '13'");
	/* the first bad line is reported, after good ones */
	expect_error("BenchmarkA 1 1 ns/op\nBenchmarkA 1 2 ns/op\n\nBenchmarkA 1 x ns/op\n"
		     "BenchmarkA 0 1 ns/op\n",
		     "x.txt:4: invalid value 'x'");
	/* long fields are cut in messages */
	expect_error("BenchmarkA 5 "
		     "1234567890123456789012345678901234567890123456789012345678901234567890x"
		     " ns/op\n",
		     "x.txt:1: invalid value "
		     "'1234567890123456789012345678901234567890123456789012345678901234...'");
}

static void test_binary(void **state)
{
	static const char nul[] = "goos: linux\nBenchmarkA 1 1 ns/op\0\nBenchmarkA 1 2 ns/op\n";
	pg_results r;
	char line[64];
	int c, pos;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(pg_results_parse_benchfmt(&r, "x.bin", nul, sizeof(nul) - 1),
			 PG_EINPUT);
	assert_string_equal(pg_error_last(), "x.bin:2: binary data");
	assert_int_equal(r.nseries, 0);
	expect_error("BenchmarkA 1 1 ns/op\n\x7f" "ELF\x02\x01\x01\n",
		     "x.txt:2: binary data");
	expect_error("ok\x1b[0m\nBenchmarkA 1 1 ns/op\n", "x.txt:1: binary data");
	expect_error("BenchmarkA 1 1 ns/op\ngoos: lin\x01ux\n", "x.txt:2: binary data");
	/* a control byte wins over the error it causes on a result line */
	expect_error("BenchmarkA 1 1\x02 ns/op\n", "x.txt:1: binary data");
	expect_error("BenchmarkA\x03 1 1 ns/op\n", "x.txt:1: binary data");
	expect_error("BenchmarkA 1 1 ns/op\x04\n", "x.txt:1: binary data");
	expect_error("BenchmarkA 1 1 ns/\x05op 2 B/op\n", "x.txt:1: binary data");
	expect_error("BenchmarkA\x06\n", "x.txt:1: binary data");
	expect_error("BenchmarkA 1 abc ns/op\x07\n", "x.txt:1: binary data");

	/* every byte value, at every place of a word: a control byte
	 * (other than \t \n \v \f \r) or DEL is binary data, nothing else */
	for (c = 0; c < 256; c++) {
		for (pos = 0; pos < 24; pos++) {
			int ctl = (c < 0x20 && !(c >= 0x09 && c <= 0x0d)) || c == 0x7f;
			size_t n;
			int rc;

			/* in an ignored line */
			memset(line, '=', sizeof(line));
			memcpy(line, "BenchmarkA 1 1 ns/op\n", 21);
			line[21 + pos] = (char)c;
			line[21 + 30] = '\n';
			n = 21 + 31;
			pg_results_release(&r);
			rc = pg_results_parse_benchfmt(&r, "x", line, n);
			if (ctl) {
				assert_int_equal(rc, PG_EINPUT);
				assert_string_equal(pg_error_last(), "x:2: binary data");
			} else {
				assert_int_equal(rc, 0);
			}
			/* on a result line, the name and the values */
			memcpy(line, "BenchmarkLongerName 1 1 ns/op 2 B/op\n", 37);
			line[9 + pos] = (char)c;
			pg_results_release(&r);
			rc = pg_results_parse_benchfmt(&r, "x", line, 37);
			if (ctl) {
				assert_int_equal(rc, PG_EINPUT);
				assert_string_equal(pg_error_last(), "x:1: binary data");
			} else {
				assert_true(rc == 0 || strstr(pg_error_last(), "binary") == NULL);
			}
		}
	}
	pg_results_release(&r);
}

static void test_line_length(void **state)
{
	pg_buf text = PG_BUF_INIT;
	pg_results r;

	(void)state;
	pg_results_init(&r);
	/* exactly PG_MAX_LINE bytes, then a CR: accepted */
	pg_buf_adds(&text, "BenchmarkA 1 1 ns/op\n#");
	while (text.len < 21 + PG_MAX_LINE)
		pg_buf_addch(&text, 'x');
	pg_buf_adds(&text, "\r\nBenchmarkA 1 2 ns/op\n");
	assert_int_equal(parse(&r, "x.txt", text.ptr), 0);
	assert_values(find(&r, "A", "ns/op"), 2, 1.0, 2.0);
	pg_results_release(&r);
	/* one more byte: refused */
	pg_buf_reset(&text);
	pg_buf_adds(&text, "BenchmarkA 1 1 ns/op\n#");
	while (text.len < 21 + PG_MAX_LINE + 1)
		pg_buf_addch(&text, 'x');
	pg_buf_adds(&text, "\nBenchmarkA 1 2 ns/op\n");
	expect_error(text.ptr, "x.txt:2: line too long (more than 1048576 bytes)");
	/* a long result line is fine below the limit */
	pg_buf_reset(&text);
	pg_buf_adds(&text, "BenchmarkWide 1");
	while (text.len < PG_MAX_LINE - 32)
		pg_buf_adds(&text, " 1 u");
	pg_buf_addch(&text, '\n');
	assert_int_equal(parse(&r, "x.txt", text.ptr), 0);
	assert_true(find(&r, "Wide", "u")->n > 200000);
	pg_results_release(&r);
	pg_buf_release(&text);
}

/* The input need not be NUL-terminated where the data ends. */
static void parse_unterminated(pg_results *r, const char *text, int *rc)
{
	size_t n = strlen(text);
	char *buf = malloc(n + 8);

	assert_non_null(buf);
	memcpy(buf, text, n);
	memcpy(buf + n, "99 x\n\0", 6); /* what must not be read */
	*rc = pg_results_parse_benchfmt(r, "x", buf, n);
	free(buf);
}

static void test_unterminated(void **state)
{
	pg_results r;
	int rc;

	(void)state;
	pg_results_init(&r);
	parse_unterminated(&r, "BenchmarkA 1 1.25e2 u\nBenchmarkA 1 123456789012345678901", &rc);
	assert_int_equal(rc, PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "x:2: missing unit after value '123456789012345678901'");
	parse_unterminated(&r, "BenchmarkA 1 1.25e2 u\nBenchmarkA 1 1.00000000000000000001e5", &rc);
	assert_int_equal(rc, PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "x:2: missing unit after value '1.00000000000000000001e5'");
	parse_unterminated(&r, "BenchmarkA 1 1.25e2 u\nBenchmarkA 1 3 u", &rc);
	assert_int_equal(rc, 0);
	parse_unterminated(&r, "goos: lin", &rc);
	assert_int_equal(rc, PG_EINPUT);
	parse_unterminated(&r, "BenchmarkA 7", &rc);
	assert_int_equal(rc, PG_EINPUT);
	assert_string_equal(pg_error_last(), "x:1: missing measurements");
	parse_unterminated(&r, "BenchmarkA 1 1.00000000000000000001e5 u", &rc);
	assert_int_equal(rc, 0);
	assert_values(find(&r, "A", "u"), 3, 125.0, 3.0, 100000.0);
	pg_results_release(&r);
}

static void test_numbers(void **state)
{
	static const char *const nums[] = {
		"0", "-0", "+0", "0.0", "000", "-0.0e5", "1", "+1", "-1", "42",
		"007", "1.5", ".5", "5.", "-.5", "0.1", "0.2", "0.3", "1e0",
		"1E5", "1e+5", "1e-5", "2.5e-3", "123456789", "1234567890123456789",
		"12345678901234567890", "123456789012345678901234567890",
		"9007199254740992", "9007199254740993", "9007199254740993.0",
		"9007199254740994", "9007199254740995", "18014398509481985",
		"1e22", "1e23", "1e-22", "1e-23", "9.999999999999999e22",
		"1.7976931348623157e308", "1.7976931348623158e308",
		"2.2250738585072014e-308", "2.2250738585072011e-308",
		"4.9406564584124654e-324", "2.4703282292062328e-324",
		"2.4703282292062327e-324", "1e-400", "-1e-400", "0e999999999",
		"0.000000000000000000000000000000000000001234",
		"1234.5678e-20", "3.14159265358979323846264338327950288419716939937510",
		"0.30000000000000000000000000000000000000000000000000001",
		"100000000000000000000000000000000000000000000000000000e-50",
		"1.00000000000000011102230246251565404236316680908203125",
		"1.00000000000000011102230246251565404236316680908203124",
		"1.00000000000000011102230246251565404236316680908203126",
		"9876.5", "154125", "64.88", "40418", "1e00000000000000000000001",
	};
	pg_buf text = PG_BUF_INIT;
	pg_results r;
	const pg_series *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		pg_buf_addf(&text, "BenchmarkN 1 %s u\n", nums[i]);
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt", text.ptr), 0);
	s = find(&r, "N", "u");
	assert_int_equal(s->n, sizeof(nums) / sizeof(nums[0]));
	for (i = 0; i < s->n; i++) {
		double want = strtod(nums[i], NULL);

		if (memcmp(&want, &s->values[i], sizeof(want)) != 0)
			fail_msg("'%s': %a, strtod gives %a", nums[i], s->values[i], want);
	}
	pg_results_release(&r);
	pg_buf_release(&text);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

static void add_digits(pg_buf *b, int n)
{
	while (n-- > 0)
		pg_buf_addch(b, '0' + (int)(rnd() % 10));
}

/* Many random decimal strings of every shape: the parsed value must be
 * strtod's, bit for bit. */
static void test_numbers_random(void **state)
{
	enum { N = 60000 };
	pg_buf text = PG_BUF_INIT, num = PG_BUF_INIT;
	size_t *off = calloc(N, sizeof(*off));
	double *want = calloc(N, sizeof(*want));
	pg_results r;
	const pg_series *s;
	size_t i, n = 0, fast = 0;

	(void)state;
	assert_non_null(off);
	assert_non_null(want);
	for (i = 0; i < N; i++) {
		int shape = (int)(rnd() % 6);

		pg_buf_reset(&num);
		if (rnd() % 4 == 0)
			pg_buf_addch(&num, rnd() % 2 ? '-' : '+');
		switch (shape) {
		case 0: /* integers, up to 25 digits */
			add_digits(&num, 1 + (int)(rnd() % 25));
			break;
		case 1: /* the fast path's territory: <= 17 digits, |e| small */
			add_digits(&num, 1 + (int)(rnd() % 9));
			pg_buf_addch(&num, '.');
			add_digits(&num, (int)(rnd() % 9));
			pg_buf_addf(&num, "e%d", (int)(rnd() % 61) - 30);
			break;
		case 2: /* 15..20 significant digits around the 2^53 limit */
			pg_buf_addf(&num, "%llu", (unsigned long long)(
				(UINT64_C(1) << 53) - 5000 + rnd() % 10000));
			if (rnd() % 2)
				pg_buf_addf(&num, "e%d", (int)(rnd() % 45) - 22);
			break;
		case 3: /* long fractions */
			pg_buf_addch(&num, '0' + (int)(rnd() % 10));
			pg_buf_addch(&num, '.');
			add_digits(&num, 1 + (int)(rnd() % 40));
			break;
		case 4: /* wide exponents, subnormals, near overflow */
			add_digits(&num, 1 + (int)(rnd() % 20));
			pg_buf_addf(&num, "e%d", (int)(rnd() % 700) - 350);
			break;
		default: /* leading zeros, no integer part */
			if (rnd() % 2)
				pg_buf_adds(&num, "000");
			pg_buf_addch(&num, '.');
			add_digits(&num, 1 + (int)(rnd() % 22));
			break;
		}
		want[n] = strtod(num.ptr, NULL);
		if (isinf(want[n]))
			continue; /* an error: tested elsewhere */
		if (num.len < 16)
			fast++;
		off[n++] = text.len + 13;
		pg_buf_addf(&text, "BenchmarkN 1 %s u\n", num.ptr);
	}
	assert_true(n > N * 9 / 10);
	assert_true(fast > N / 4);
	pg_results_init(&r);
	assert_int_equal(parse(&r, "x.txt", text.ptr), 0);
	s = find(&r, "N", "u");
	assert_int_equal(s->n, n);
	for (i = 0; i < n; i++) {
		if (memcmp(&want[i], &s->values[i], sizeof(double)) != 0) {
			const char *p = text.ptr + off[i];

			fail_msg("'%.*s': %a, strtod gives %a",
				 (int)(strchr(p, ' ') - p), p, s->values[i], want[i]);
		}
	}
	pg_results_release(&r);
	pg_buf_release(&text);
	pg_buf_release(&num);
	free(off);
	free(want);
}

/* Random lines of mixed bytes (ignored lines, so the word-at-a-time scan
 * decides): binary data exactly when one of them is a control byte. */
static void test_binary_random(void **state)
{
	static const char blanks[] = "\t\v\f\r ";
	pg_results r;
	char buf[128];
	int k, i;

	(void)state;
	pg_results_init(&r);
	for (k = 0; k < 30000; k++) {
		int len = 1 + (int)(rnd() % 90), bad = 0, rc;
		size_t n = 18;

		memcpy(buf, "BenchmarkA 1 1 u\n#", 18);
		for (i = 0; i < len; i++) {
			unsigned x = (unsigned)(rnd() % 1000);
			int c;

			if (x < 700)
				c = ' ' + (int)(rnd() % 95);
			else if (x < 850)
				c = blanks[rnd() % 5];
			else if (x < 995)
				c = 0x80 + (int)(rnd() % 128);
			else {
				static const int ctl[] = { 0, 1, 8, 0x0e, 0x1b, 0x1f, 0x7f };

				c = ctl[rnd() % 7];
				bad = 1;
			}
			buf[n++] = (char)c;
		}
		buf[n++] = '\n';
		pg_results_release(&r);
		rc = pg_results_parse_benchfmt(&r, "x", buf, n);
		if (bad) {
			assert_int_equal(rc, PG_EINPUT);
			assert_string_equal(pg_error_last(), "x:2: binary data");
		} else if (rc != 0) {
			fail_msg("line %d: %s", k, pg_error_last());
		}
	}
	pg_results_release(&r);
}

/* A realistic file (as gen_results.py writes, smaller): counts and a few
 * values. */
static void test_go_test_output(void **state)
{
	pg_buf text = PG_BUF_INIT;
	pg_results r;
	int b, k;

	(void)state;
	pg_buf_adds(&text, "goos: linux\ngoarch: amd64\npkg: example.com/codec\n");
	for (b = 0; b < 300; b++)
		for (k = 0; k < 5; k++)
			pg_buf_addf(&text,
				    "BenchmarkDecode/size=%d/variant=%d-2   \t  %6d\t  %10.1f ns/op\t    %4d B/op\t      %2d allocs/op\n",
				    1 << (b % 10), b, 100000 + b, 1000.5 + b + k * 0.3,
				    2048, b % 50);
	pg_buf_adds(&text, "PASS\nok  \texample.com/codec\t12.3s\n");
	pg_results_init(&r);
	assert_int_equal(parse(&r, "go.txt", text.ptr), 0);
	assert_int_equal(r.nseries, 900);
	assert_int_equal(r.nresults, 1500);
	assert_values(find(&r, "Decode/size=8/variant=123-2", "ns/op"), 5,
		      1123.5, 1123.8, 1124.1, 1124.4, 1124.7);
	assert_values(find(&r, "Decode/size=8/variant=123-2", "allocs/op"), 5,
		      23.0, 23.0, 23.0, 23.0, 23.0);
	pg_results_release(&r);
	pg_buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_lines),
		cmocka_unit_test(test_result_lines),
		cmocka_unit_test(test_iteration_counts_kept),
		cmocka_unit_test(test_interleaved_and_reordered),
		cmocka_unit_test(test_ignored_lines),
		cmocka_unit_test(test_merge_inputs),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_numbers_random),
		cmocka_unit_test(test_binary_random),
		cmocka_unit_test(test_go_test_output),
	};

	return cmocka_run_group_tests_name("benchfmt", tests, NULL, NULL);
}
