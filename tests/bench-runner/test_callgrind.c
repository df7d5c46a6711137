/*
 * --measure callgrind on the runner's side (bench-runner/callgrind.c):
 * the dump parser on real callgrind output (tests/bench-runner/data/
 * callgrind/, see its README) and on malformed input, the attribution of
 * dumps to result lines, the pinned environment and command line, and a
 * whole run through pg_suite_run() with a fake valgrind (which writes a
 * canned dump and runs the suite) and a fake suite that records the
 * environment, working directory and arguments it was given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench-runner/callgrind.h"
#include "bench-runner/suite.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"

#define DATA "tests/bench-runner/data/callgrind/"

static void read_data(pg_buf *out, const char *file)
{
	pg_buf path = PG_BUF_INIT;

	pg_buf_addf(&path, "%s%s", DATA, file);
	assert_int_equal(pg_file_read(out, path.ptr), 0);
	pg_buf_release(&path);
}

static void parse_data(pg_callgrind_dumps *d, const char *file)
{
	pg_buf text = PG_BUF_INIT;

	read_data(&text, file);
	assert_int_equal(pg_callgrind_parse(d, file, text.ptr, text.len), 0);
	pg_buf_release(&text);
}

static unsigned long long cost(const pg_callgrind_dump *d, const char *event)
{
	unsigned long long v = 0;

	assert_int_equal(pg_callgrind_cost(&v, d, event), 0);
	return v;
}

/* ------------------------------------------------------------ the parser */

static void test_parse_real_dump(void **state)
{
	pg_callgrind_dumps d;
	const char *name;
	size_t len;
	unsigned long long n, v;

	(void)state;
	pg_callgrind_dumps_init(&d);
	parse_data(&d, "sort.1");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].trigger, "Client Request: BenchmarkSort/n=100 N=10");
	assert_int_equal(d.v[0].nevents, 1);
	assert_string_equal(d.v[0].events[0], "Ir");
	/* the summary (214064), not the totals (214241) */
	assert_int_equal(cost(&d.v[0], "Ir"), 214064);
	assert_int_equal(pg_callgrind_cost(&v, &d.v[0], "Dr"), PG_ENOTFOUND);
	assert_int_equal(pg_callgrind_dump_bench(&name, &len, &n, &d.v[0]), 1);
	assert_int_equal(len, strlen("Sort/n=100"));
	assert_memory_equal(name, "Sort/n=100", len);
	assert_int_equal(n, 10);

	/* appended to what is there */
	parse_data(&d, "hash.2");
	parse_data(&d, "final");
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[1].trigger, "Client Request: BenchmarkHash/fnv1a-64K N=10");
	assert_int_equal(cost(&d.v[1], "Ir"), 3932290);
	assert_string_equal(d.v[2].trigger, "Program termination");
	assert_int_equal(cost(&d.v[2], "Ir"), 0);
	assert_int_equal(pg_callgrind_dump_bench(&name, &len, &n, &d.v[2]), 0);
	pg_callgrind_dumps_release(&d);
	pg_callgrind_dumps_release(&d); /* safe twice */
	pg_callgrind_dumps_release(NULL);
}

static void test_parse_cache_sim(void **state)
{
	static const char *const events[] = { "Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw",
					      "ILmr", "DLmr", "DLmw" };
	static const unsigned long long want[] = { 163951, 81949, 12, 0, 40984, 3, 0, 0, 0 };
	pg_callgrind_dumps d;
	size_t i;

	(void)state;
	pg_callgrind_dumps_init(&d);
	parse_data(&d, "cachesim.1");
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].nevents, 9);
	/* "summary: 163951 81949 12 0 40984 3": the missing costs are 0 */
	for (i = 0; i < 9; i++) {
		assert_string_equal(d.v[0].events[i], events[i]);
		assert_int_equal(cost(&d.v[0], events[i]), want[i]);
	}
	pg_callgrind_dumps_release(&d);
}

static void test_parse_several_parts(void **state)
{
	pg_callgrind_dumps d;

	(void)state;
	pg_callgrind_dumps_init(&d);
	parse_data(&d, "combined");
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].trigger, "Client Request: BenchmarkHash/fnv1a-64K N=10");
	assert_int_equal(cost(&d.v[0], "Ir"), 3932290);
	assert_string_equal(d.v[1].trigger, "Client Request: BenchmarkMemcpy/64B N=10");
	assert_int_equal(cost(&d.v[1], "Ir"), 229); /* summary; totals say 230 */
	assert_string_equal(d.v[2].trigger, "Program termination");
	pg_callgrind_dumps_release(&d);
}

static void test_parse_without_summary(void **state)
{
	/* older or other writers: totals only; parts sharing one events line;
	 * CRLF line ends; no trigger */
	static const char text[] =
		"version: 1\r\n"
		"events: Ir Dr\r\n"
		"part: 1\r\n"
		"desc: Trigger: Client Request: BenchmarkA N=5\r\n"
		"fn=main\r\n"
		"3 100 7\r\n"
		"totals: 100 7\r\n"
		"part: 2\r\n"
		"fn=main\r\n"
		"totals: 40\r\n";
	pg_callgrind_dumps d;

	(void)state;
	pg_callgrind_dumps_init(&d);
	assert_int_equal(pg_callgrind_parse(&d, "x", text, strlen(text)), 0);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].trigger, "Client Request: BenchmarkA N=5");
	assert_int_equal(cost(&d.v[0], "Ir"), 100);
	assert_int_equal(cost(&d.v[0], "Dr"), 7);
	assert_string_equal(d.v[1].trigger, "");
	assert_int_equal(d.v[1].nevents, 2);
	assert_int_equal(cost(&d.v[1], "Ir"), 40);
	assert_int_equal(cost(&d.v[1], "Dr"), 0);
	pg_callgrind_dumps_release(&d);
}

static void test_parse_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "", "bad: not a callgrind output file (no '# callgrind format' or "
		      "'version:' line)" },
		{ "BenchmarkX 10 5 ns/op\n", "bad: not a callgrind output file (no '# callgrind "
					     "format' or 'version:' line)" },
		{ "# callgrind format\nversion: 1\n", "bad: no 'events:' line" },
		{ "# callgrind format\nevents: Ir\nfn=x\n1 5\n", "bad: no 'summary:' or 'totals:' "
								  "line" },
		{ "# callgrind format\nsummary: 5\nevents: Ir\n", "bad:2: 'summary:' before the "
								  "'events:' line" },
		{ "# callgrind format\nevents: Ir\nsummary: 12x\n", "bad:3: invalid cost '12x' in "
								   "'summary:'" },
		{ "# callgrind format\nevents: Ir\ntotals: -1\n", "bad:3: invalid cost '-1' in "
								  "'totals:'" },
		{ "# callgrind format\nevents: Ir\nsummary: 99999999999999999999\n",
		  "bad:3: invalid cost '99999999999999999999' in 'summary:'" },
		{ "# callgrind format\nevents: Ir Dr\nsummary: 1 2 3 4\n",
		  "bad:3: 'summary:' has 4 costs for 2 events" },
	};
	pg_callgrind_dumps d;
	size_t i;

	(void)state;
	pg_callgrind_dumps_init(&d);
	parse_data(&d, "hash.2");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pg_error_clear();
		assert_int_equal(pg_callgrind_parse(&d, "bad", cases[i].text,
						    strlen(cases[i].text)), PG_EINPUT);
		assert_string_equal(pg_error_last(), cases[i].message);
		assert_int_equal(d.n, 1); /* unchanged */
	}
	pg_callgrind_dumps_release(&d);
}

static void test_dump_bench_triggers(void **state)
{
	static const struct {
		const char *trigger;
		int ok;
		const char *name;
		unsigned long long n;
	} cases[] = {
		{ "Client Request: BenchmarkX N=1", 1, "X", 1 },
		{ "Client Request: BenchmarkA b/c=d N=e N=100", 1, "A b/c=d N=e", 100 },
		{ "Client Request: BenchmarkX N=0", 0, NULL, 0 },
		{ "Client Request: BenchmarkX N=", 0, NULL, 0 },
		{ "Client Request: BenchmarkX N=12a", 0, NULL, 0 },
		{ "Client Request: Benchmark N=5", 0, NULL, 0 },
		{ "Client Request: BenchmarkX", 0, NULL, 0 },
		{ "Client Request: my-own-dump", 0, NULL, 0 },
		{ "Program termination", 0, NULL, 0 },
		{ "", 0, NULL, 0 },
	};
	pg_callgrind_dump d;
	const char *name;
	size_t i, len;
	unsigned long long n;

	(void)state;
	memset(&d, 0, sizeof(d));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d.trigger = (char *)cases[i].trigger;
		assert_int_equal(pg_callgrind_dump_bench(&name, &len, &n, &d), cases[i].ok);
		if (!cases[i].ok)
			continue;
		assert_int_equal(len, strlen(cases[i].name));
		assert_memory_equal(name, cases[i].name, len);
		assert_int_equal(n, cases[i].n);
	}
}

static void test_read_dir_orders_dumps(void **state)
{
	char dir[] = "/tmp/pg-callgrind-test-XXXXXX";
	static const char *const files[][2] = {
		{ "cg.123.10", "combined" }, { "cg.123.2", "hash.2" }, { "cg.123", "final" },
		{ "cg.123.1", "sort.1" }, { "cg.99.7", "hash.2" }, { "notes.txt", "final" },
		{ "cg.x.1", "final" }, { "cg.123.1.bak", "final" },
	};
	pg_callgrind_dumps d;
	pg_buf text = PG_BUF_INIT, path = PG_BUF_INIT;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		pg_buf_reset(&text);
		pg_buf_reset(&path);
		read_data(&text, files[i][1]);
		pg_buf_addf(&path, "%s/%s", dir, files[i][0]);
		assert_int_equal(pg_file_write_atomic(path.ptr, text.ptr, text.len), 0);
	}
	pg_callgrind_dumps_init(&d);
	assert_int_equal(pg_callgrind_read_dir(&d, dir), 0);
	/* pid 99 first; then parts 1, 2, 10 (3 dumps), the final dump last;
	 * names that are not callgrind's ignored */
	assert_int_equal(d.n, 7);
	assert_string_equal(d.v[0].trigger, "Client Request: BenchmarkHash/fnv1a-64K N=10");
	assert_string_equal(d.v[1].trigger, "Client Request: BenchmarkSort/n=100 N=10");
	assert_string_equal(d.v[2].trigger, "Client Request: BenchmarkHash/fnv1a-64K N=10");
	assert_string_equal(d.v[3].trigger, "Client Request: BenchmarkHash/fnv1a-64K N=10");
	assert_string_equal(d.v[4].trigger, "Client Request: BenchmarkMemcpy/64B N=10");
	assert_string_equal(d.v[5].trigger, "Program termination");
	assert_string_equal(d.v[6].trigger, "Program termination");
	pg_callgrind_dumps_release(&d);

	/* a malformed dump names its file */
	pg_buf_reset(&path);
	pg_buf_addf(&path, "%s/cg.123.3", dir);
	assert_int_equal(pg_file_write_atomic(path.ptr, "# callgrind format\n", 19), 0);
	assert_int_equal(pg_callgrind_read_dir(&d, dir), PG_EINPUT);
	assert_non_null(strstr(pg_error_last(), "/cg.123.3: no 'events:' line"));
	assert_int_equal(d.n, 3); /* the files before it */
	pg_callgrind_dumps_release(&d);

	pg_buf_reset(&path);
	pg_buf_addf(&path, "%s/missing", dir);
	assert_int_equal(pg_callgrind_read_dir(&d, path.ptr), PG_EINFRA);
	assert_int_equal(pg_remove_tree(dir), 0);
	pg_buf_release(&text);
	pg_buf_release(&path);
}

/* ------------------------------------------------------------ results */

static void test_time_units(void **state)
{
	static const char *const time_units[] = {
		"ns/op", "MB/s", "B/s", "items/s", "ns/node", "wall-ns/op", "cpu-ns/op",
		"sec/op", "s/op", "us/op", "ms/op", "\xc2\xb5s/op", "ns", "s", "min/run", NULL
	};
	static const char *const kept[] = {
		"B/op", "allocs/op", "instructions/op", "est-cycles/op", "hits/op", "nodes/op",
		"ops", "bytes", "score", "misses/op", "nsamples/op", NULL
	};
	size_t i;

	(void)state;
	for (i = 0; time_units[i]; i++)
		if (!pg_callgrind_time_unit(time_units[i]))
			fail_msg("'%s' should be a time unit", time_units[i]);
	for (i = 0; kept[i]; i++)
		if (pg_callgrind_time_unit(kept[i]))
			fail_msg("'%s' is not a time unit", kept[i]);
}

/* A dump file for benchmark `name` with N `n` and `ir` instructions. */
static void add_dump(pg_callgrind_dumps *d, const char *name, unsigned long long n,
		     unsigned long long ir)
{
	pg_buf t = PG_BUF_INIT;

	pg_buf_addf(&t, "# callgrind format\nversion: 1\npart: 1\n"
		    "desc: Trigger: Client Request: Benchmark%s N=%llu\n"
		    "events: Ir\nsummary: %llu\n\nfn=x\n0 %llu\n\ntotals: %llu\n",
		    name, n, ir, ir, ir + 7);
	assert_int_equal(pg_callgrind_parse(d, "t", t.ptr, t.len), 0);
	pg_buf_release(&t);
}

/* What the harness prints for -count 2 (a benchmark's lines in a row). */
static const char suite_output[] =
	"goos: linux\n"
	"pkg: suite\n"
	"harness: perfgate 0.1.0\n"
	"callgrind: collecting in the timed regions, one dump per reported run\n"
	"BenchmarkHash/fnv1a-64K \t     100\t   1234567 ns/op\t  53.08 MB/s\t"
	"       0 B/op\t       0 allocs/op\n"
	"BenchmarkHash/fnv1a-64K \t     100\t   1234000 ns/op\t  53.11 MB/s\t"
	"       0 B/op\t       0 allocs/op\n"
	"BenchmarkListWalk       \t     100\t    178365 ns/op\t        43.55 ns/node\t"
	"       9 hits/op\t      55 instructions/op\n"
	"BenchmarkListWalk       \t     100\t    178000 ns/op\t        43.50 ns/node\t"
	"       9 hits/op\t      55 instructions/op\n"
	"PASS\n";

static void test_rewrite(void **state)
{
	static const char want[] =
		"goos: linux\n"
		"pkg: suite\n"
		"harness: perfgate 0.1.0\n"
		"callgrind: collecting in the timed regions, one dump per reported run\n"
		"BenchmarkHash/fnv1a-64K 100 0 B/op 0 allocs/op 393227 instructions/op\n"
		"BenchmarkHash/fnv1a-64K 100 0 B/op 0 allocs/op 412912.5 instructions/op\n"
		"BenchmarkListWalk 100 9 hits/op 16393 instructions/op\n"
		"BenchmarkListWalk 100 9 hits/op 16393.01 instructions/op\n";
	pg_results run, back;
	pg_callgrind_dumps d;
	pg_buf out = PG_BUF_INIT;
	const pg_series *s;

	(void)state;
	pg_results_init(&run);
	pg_results_init(&back);
	pg_callgrind_dumps_init(&d);
	assert_int_equal(pg_results_parse(&run, "run", suite_output, strlen(suite_output)), 0);
	/* the dumps in the harness's order, with others mixed in: the k-th
	 * line of a benchmark gets its k-th dump */
	add_dump(&d, "Hash/fnv1a-64K", 100, 39322700);
	add_dump(&d, "ListWalk", 100, 1639300);
	parse_data(&d, "final");
	add_dump(&d, "Hash/fnv1a-64K", 100, 41291250);
	add_dump(&d, "ListWalk", 100, 1639301);
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 0, "run 1 of 1"), 0);
	assert_string_equal(out.ptr, want);
	assert_int_equal(pg_results_parse(&back, "rewritten", out.ptr, out.len), 0);
	assert_null(pg_results_find(&back, "Hash/fnv1a-64K", "ns/op"));
	assert_null(pg_results_find(&back, "Hash/fnv1a-64K", "MB/s"));
	assert_null(pg_results_find(&back, "ListWalk", "ns/node"));
	s = pg_results_find(&back, "ListWalk", "instructions/op");
	assert_non_null(s);
	assert_int_equal(s->n, 2);
	assert_true(s->values[0] == 16393 && s->values[1] == 16393.01);
	assert_int_equal(s->iters[1], 100);
	assert_string_equal(pg_results_config(&back, "pkg"), "suite");
	pg_results_release(&run);
	pg_results_release(&back);
	pg_callgrind_dumps_release(&d);
	pg_buf_release(&out);
}

static void test_rewrite_cache_sim(void **state)
{
	static const char line[] = "BenchmarkListWalk 10 17002 ns/op\n";
	pg_results run;
	pg_callgrind_dumps d;
	pg_buf out = PG_BUF_INIT;

	(void)state;
	pg_results_init(&run);
	pg_callgrind_dumps_init(&d);
	assert_int_equal(pg_results_parse(&run, "run", line, strlen(line)), 0);
	parse_data(&d, "cachesim.1");
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 1, "run 1 of 1"), 0);
	/* CEst = 163951 + 10 (0 + 40984 + 3) + 100 (0 + 0 + 0) = 573821, per op */
	assert_string_equal(out.ptr, "BenchmarkListWalk 10 16395.1 instructions/op "
				     "57382.1 est-cycles/op\n");

	/* asked for cache events that the dump does not have */
	pg_callgrind_dumps_release(&d);
	pg_buf_reset(&out);
	add_dump(&d, "ListWalk", 10, 5);
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 1, "run 2 of 3"), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 2 of 3: the callgrind dump 'Client Request: "
			    "BenchmarkListWalk N=10' has no cache events (was the cache "
			    "simulation on?)");
	pg_results_release(&run);
	pg_callgrind_dumps_release(&d);
	pg_buf_release(&out);
}

static void test_rewrite_errors(void **state)
{
	static const char two[] = "BenchmarkA 10 5 ns/op\nBenchmarkA 10 6 ns/op\n";
	static const char unavailable[] =
		"callgrind: unavailable (perfgate's harness was built without valgrind's headers)\n"
		"BenchmarkA 10 5 ns/op\n";
	pg_results run;
	pg_callgrind_dumps d;
	pg_buf out = PG_BUF_INIT;

	(void)state;
	pg_results_init(&run);
	pg_callgrind_dumps_init(&d);
	assert_int_equal(pg_results_parse(&run, "run", two, strlen(two)), 0);

	/* no harness dump at all (a suite without perfgate's harness) */
	parse_data(&d, "final");
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 0, "run 1 of 5"), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 1 of 5: --measure callgrind needs a suite "
			    "built with perfgate's harness: no callgrind dumps named after "
			    "benchmarks");

	/* a line without its dump */
	add_dump(&d, "A", 10, 100);
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 0, "run 1 of 5"), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 1 of 5: no callgrind dump for a result line "
			    "of 'A' (the harness dumps one per reported run)");

	/* a dump without its line */
	add_dump(&d, "A", 10, 100);
	add_dump(&d, "B", 10, 100);
	pg_buf_reset(&out);
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 0, "run 1 of 5"), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 1 of 5: the callgrind dump 'BenchmarkB N=10' "
			    "has no result line");

	/* iterations that disagree */
	pg_callgrind_dumps_release(&d);
	add_dump(&d, "A", 10, 100);
	add_dump(&d, "A", 11, 100);
	pg_buf_reset(&out);
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 0, "run 1 of 5"), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 1 of 5: the callgrind dump of 'A' counts 11 "
			    "iterations, its result line 10");

	/* a harness that cannot talk to callgrind says so */
	pg_results_release(&run);
	pg_callgrind_dumps_release(&d);
	assert_int_equal(pg_results_parse(&run, "run", unavailable, strlen(unavailable)), 0);
	pg_buf_reset(&out);
	assert_int_equal(pg_callgrind_rewrite(&out, &run, &d, 0, "run 1 of 5"), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 1 of 5: --measure callgrind needs a suite "
			    "built with perfgate's harness, able to talk to callgrind; its "
			    "harness says: callgrind: unavailable (perfgate's harness was built "
			    "without valgrind's headers)");
	pg_results_release(&run);
	pg_callgrind_dumps_release(&d);
	pg_buf_release(&out);
}

/* ------------------------------------------------------------ pinning */

static void test_env(void **state)
{
	char *environ_[] = {
		"PATH=/home/u/bin:/usr/bin", "HOME=/home/u", "LANG=de_DE.UTF-8",
		"PG_EXAMPLE_SLOWDOWN=5", "PGHOST=db", "KEEPME=a=b", "PG_BENCH_CALLGRIND=0",
		"P=", "=junk", "noequals", "PG_=x", NULL
	};
	char *keep[] = { "KEEPME", "NOTSET" };
	char *keep_path[] = { "PATH" };
	char *bad[] = { "A=B" };
	static const char *const want[] = {
		"HOME=/nonexistent", "KEEPME=a=b", "LC_ALL=C", "PATH=/usr/bin:/bin",
		"PG_BENCH_CALLGRIND=1", "PG_EXAMPLE_SLOWDOWN=5", NULL
	};
	char **env = NULL;
	size_t i;

	(void)state;
	assert_int_equal(pg_callgrind_env(&env, environ_, keep, 2), 0);
	for (i = 0; want[i]; i++) {
		assert_non_null(env[i]);
		assert_string_equal(env[i], want[i]);
	}
	assert_null(env[i]);
	pg_free_strv(env);

	/* a kept variable replaces a default */
	assert_int_equal(pg_callgrind_env(&env, environ_, keep_path, 1), 0);
	assert_string_equal(env[2], "PATH=/home/u/bin:/usr/bin");
	pg_free_strv(env);

	/* nothing from the caller but PG_* */
	assert_int_equal(pg_callgrind_env(&env, NULL, NULL, 0), 0);
	assert_string_equal(env[0], "HOME=/nonexistent");
	assert_string_equal(env[3], "PG_BENCH_CALLGRIND=1");
	assert_null(env[4]);
	pg_free_strv(env);

	assert_int_equal(pg_callgrind_env(&env, environ_, bad, 1), PG_EINPUT);
	assert_null(env);
}

static void test_argv(void **state)
{
	static const char *const want[] = {
		"/usr/bin/valgrind", "--tool=callgrind", "-q", "--collect-atstart=no",
		"--callgrind-out-file=/tmp/d/cg.%p", "--", "/abs/suite", "-bench", "Hash",
		"-benchtime", "100x", NULL
	};
	static const char *const want_cs[] = {
		"/usr/bin/valgrind", "--tool=callgrind", "-q", "--collect-atstart=no",
		"--callgrind-out-file=/tmp/d/cg.%p", "--cache-sim=yes", "--I1=32768,8,64",
		"--D1=32768,8,64", "--LL=8388608,16,64", "--", "/abs/suite", "-benchtime", "7x",
		NULL
	};
	char *suite[] = { "./suite", "-bench", "Hash", NULL };
	char *bare[] = { "suite", NULL };
	pg_callgrind_opts o;
	pg_buf d = PG_BUF_INIT;
	char **v = NULL;
	size_t i;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(pg_callgrind_argv(&v, "/usr/bin/valgrind", "/tmp/d/cg.%p",
					   "/abs/suite", suite, &o), 0);
	for (i = 0; want[i]; i++)
		assert_string_equal(v[i], want[i]);
	assert_null(v[i]);
	pg_free_strv(v);
	o.iterations = 7;
	o.cache_sim = 1;
	assert_int_equal(pg_callgrind_argv(&v, "/usr/bin/valgrind", "/tmp/d/cg.%p",
					   "/abs/suite", bare, &o), 0);
	for (i = 0; want_cs[i]; i++)
		assert_string_equal(v[i], want_cs[i]);
	assert_null(v[i]);
	pg_free_strv(v);

	assert_int_equal(pg_callgrind_describe(&d, "3.19.0", &o), 0);
	assert_string_equal(d.ptr, "callgrind (valgrind 3.19.0), N=7 iterations, cache-sim, "
			    "env pinned, cwd /, time metrics dropped");
	pg_buf_release(&d);
}

/* A fake valgrind: "--version" prints a version; otherwise it writes the
 * dump callgrind would write for the suite's one benchmark (unless
 * PG_FAKE_NODUMP is set) and becomes the suite, keeping the environment as
 * it got it. */
static const char fake_valgrind[] =
	"#!/usr/bin/python3\n"
	"import os, sys\n"
	"a = sys.argv[1:]\n"
	"if a == ['--version']:\n"
	"    print('valgrind-3.99.0')\n"
	"    sys.exit(0)\n"
	"out = [x.split('=', 1)[1] for x in a if x.startswith('--callgrind-out-file=')][0]\n"
	"cmd = a[a.index('--') + 1:]\n"
	"n = cmd[cmd.index('-benchtime') + 1].rstrip('x')\n"
	"if 'PG_FAKE_NODUMP' not in os.environ:\n"
	"    with open(out.replace('%p', str(os.getpid())) + '.1', 'w') as f:\n"
	"        f.write('# callgrind format\\nversion: 1\\npart: 1\\n'\n"
	"                'desc: Trigger: Client Request: BenchmarkFake N=%s\\n'\n"
	"                'events: Ir\\nsummary: 123456\\ntotals: 123456\\n' % n)\n"
	"os.execv(cmd[0], cmd)\n";

/* A fake suite: records its environment, working directory and argv in
 * $PG_TEST_OUT, prints one result line with the N it was given. */
static const char fake_suite[] =
	"#!/usr/bin/python3\n"
	"import os, sys\n"
	"with open(os.environ['PG_TEST_OUT'], 'w') as f:\n"
	"    f.write('cwd %s\\n' % os.getcwd())\n"
	"    f.write('argv %s\\n' % ' '.join(sys.argv))\n"
	"    for k in sorted(os.environ):\n"
	"        f.write('env %s=%s\\n' % (k, os.environ[k]))\n"
	"n = sys.argv[sys.argv.index('-benchtime') + 1].rstrip('x')\n"
	"print('pkg: fake')\n"
	"print('BenchmarkFake %s 5000 ns/op 12 B/op 3 allocs/op' % n)\n";

static void write_script(const char *dir, const char *name, const char *text)
{
	pg_buf path = PG_BUF_INIT;

	pg_buf_addf(&path, "%s/%s", dir, name);
	assert_int_equal(pg_file_write_atomic(path.ptr, text, strlen(text)), 0);
	assert_int_equal(chmod(path.ptr, 0755), 0);
	pg_buf_release(&path);
}

extern char **environ;

/* Compare "NAME=value" strings by their names. */
static int name_cmp(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");
	int c = memcmp(a, b, la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

static void test_pinned_run(void **state)
{
	char dir[] = "/tmp/pg-callgrind-pin-XXXXXX";
	pg_buf valgrind = PG_BUF_INIT, suite = PG_BUF_INIT, out = PG_BUF_INIT,
	       want = PG_BUF_INIT, record = PG_BUF_INIT, big = PG_BUF_INIT;
	char *keep[] = { "KEEPME" };
	char *argv[] = { NULL, "-bench", "Fake", NULL };
	pg_suite_opts opts;
	pg_callgrind_opts cg;
	pg_suite_result res;
	const pg_series *s;
	char **pg_vars = NULL;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_script(dir, "fake-valgrind", fake_valgrind);
	write_script(dir, "fake-suite", fake_suite);
	pg_buf_addf(&valgrind, "%s/fake-valgrind", dir);
	pg_buf_addf(&suite, "%s/./fake-suite", dir); /* made absolute and clean */
	pg_buf_addf(&out, "%s/record", dir);
	for (i = 0; i < 3000; i++)
		pg_buf_addch(&big, 'x');
	setenv("PG_TEST_OUT", out.ptr, 1);
	setenv("KEEPME", "kept", 1);
	setenv("CALLER_SECRET", "not for the suite", 1);
	setenv("BIG", big.ptr, 1);
	setenv("PG_BENCH_CALLGRIND", "0", 1);

	memset(&opts, 0, sizeof(opts));
	memset(&cg, 0, sizeof(cg));
	argv[0] = suite.ptr;
	opts.run.argv = argv;
	opts.count = 2;
	cg.iterations = 7;
	cg.keep_env = keep;
	cg.nkeep_env = 1;
	cg.valgrind = valgrind.ptr;
	opts.callgrind = &cg;
	pg_suite_result_init(&res);
	assert_int_equal(pg_suite_run(&res, &opts), 0);
	assert_int_equal(res.ncompleted, 2);

	/* what the suite saw: "/", its absolute path, the pinned environment
	 * (and every PG_* variable of ours, PG_BENCH_CALLGRIND forced to 1) */
	assert_int_equal(pg_file_read(&record, out.ptr), 0);
	pg_buf_addf(&want, "cwd /\nargv %s/fake-suite -bench Fake -benchtime 7x\n", dir);
	{
		/* the expected environment, sorted as Python sorts (bytewise) */
		const char *fixed[] = { "HOME=/nonexistent", "KEEPME=kept", "LC_ALL=C",
					"PATH=/usr/bin:/bin", "PG_BENCH_CALLGRIND=1", NULL };
		size_t n = 0, k, j;

		for (k = 0; environ[k]; k++)
			if (!strncmp(environ[k], "PG_", 3) &&
			    strncmp(environ[k], "PG_BENCH_CALLGRIND=", 19))
				n++;
		pg_vars = calloc(n + 6, sizeof(char *));
		assert_non_null(pg_vars);
		n = 0;
		for (k = 0; fixed[k]; k++)
			pg_vars[n++] = (char *)fixed[k];
		for (k = 0; environ[k]; k++)
			if (!strncmp(environ[k], "PG_", 3) &&
			    strncmp(environ[k], "PG_BENCH_CALLGRIND=", 19))
				pg_vars[n++] = environ[k];
		for (k = 1; k < n; k++)
			for (j = k; j > 0 && name_cmp(pg_vars[j - 1], pg_vars[j]) > 0; j--) {
				char *t = pg_vars[j];

				pg_vars[j] = pg_vars[j - 1];
				pg_vars[j - 1] = t;
			}
		for (k = 0; k < n; k++)
			pg_buf_addf(&want, "env %s\n", pg_vars[k]);
		free(pg_vars);
	}
	assert_string_equal(record.ptr, want.ptr);

	/* the results: time dropped, instructions/op from the dump */
	assert_non_null(pg_results_config(&res.merged, "measure"));
	assert_string_equal(pg_results_config(&res.merged, "measure"),
			    "callgrind (valgrind 3.99.0), N=7 iterations, env pinned, cwd /, "
			    "time metrics dropped");
	assert_null(pg_results_find(&res.merged, "Fake", "ns/op"));
	s = pg_results_find(&res.merged, "Fake", "instructions/op");
	assert_non_null(s);
	assert_int_equal(s->n, 2);
	assert_true(s->values[0] == 123456.0 / 7 && s->values[1] == s->values[0]);
	assert_int_equal(s->iters[0], 7);
	s = pg_results_find(&res.merged, "Fake", "B/op");
	assert_non_null(s);
	assert_true(s->values[1] == 12);
	assert_non_null(pg_results_find(&res.runs[1], "Fake", "instructions/op"));
	assert_null(pg_results_find(&res.runs[1], "Fake", "ns/op"));
	pg_suite_result_release(&res);

	/* a suite that writes no dumps */
	setenv("PG_FAKE_NODUMP", "1", 1);
	pg_suite_result_init(&res);
	assert_int_equal(pg_suite_run(&res, &opts), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 1 of 2: --measure callgrind needs a suite "
			    "built with perfgate's harness: no callgrind dumps named after "
			    "benchmarks");
	assert_int_equal(res.ncompleted, 0);
	pg_suite_result_release(&res);
	unsetenv("PG_FAKE_NODUMP");

	/* no valgrind in PATH */
	{
		const char *path = getenv("PATH");
		char *saved = path ? strdup(path) : NULL;

		setenv("PATH", dir, 1); /* fake-valgrind is not called valgrind */
		cg.valgrind = NULL;
		pg_suite_result_init(&res);
		assert_int_equal(pg_suite_run(&res, &opts), PG_EINFRA);
		assert_string_equal(pg_error_last(), "valgrind is not installed (--measure "
				    "callgrind runs the suite under valgrind's callgrind): on "
				    "Debian, sudo apt-get install valgrind");
		pg_suite_result_release(&res);
		if (saved)
			setenv("PATH", saved, 1);
		free(saved);
	}

	/* a suite that does not exist */
	cg.valgrind = valgrind.ptr;
	argv[0] = "/nonexistent/suite";
	pg_suite_result_init(&res);
	assert_int_equal(pg_suite_run(&res, &opts), PG_EINFRA);
	assert_string_equal(pg_error_last(), "cannot run '/nonexistent/suite': No such file "
			    "or directory");
	pg_suite_result_release(&res);

	unsetenv("PG_TEST_OUT");
	unsetenv("KEEPME");
	unsetenv("CALLER_SECRET");
	unsetenv("BIG");
	unsetenv("PG_BENCH_CALLGRIND");
	assert_int_equal(pg_remove_tree(dir), 0);
	pg_buf_release(&valgrind);
	pg_buf_release(&suite);
	pg_buf_release(&out);
	pg_buf_release(&want);
	pg_buf_release(&record);
	pg_buf_release(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real_dump),
		cmocka_unit_test(test_parse_cache_sim),
		cmocka_unit_test(test_parse_several_parts),
		cmocka_unit_test(test_parse_without_summary),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_dump_bench_triggers),
		cmocka_unit_test(test_read_dir_orders_dumps),
		cmocka_unit_test(test_time_units),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_rewrite_cache_sim),
		cmocka_unit_test(test_rewrite_errors),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_pinned_run),
	};

	return cmocka_run_group_tests_name("callgrind", tests, NULL, NULL);
}
