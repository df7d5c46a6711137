/* Tests of stats/results.c: the results set, merging inputs, formatting
 * back to the Go benchmark format. */
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
	return pg_results_parse(r, name, text, strlen(text));
}

static int add(pg_results *r, const char *name, const char *unit, double v)
{
	return pg_results_add(r, name, strlen(name), unit, strlen(unit), v);
}

static void test_init_release(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(r.nseries, 0);
	assert_int_equal(r.nconfig, 0);
	assert_int_equal(r.nresults, 0);
	assert_null(pg_results_find(&r, "a", "b"));
	assert_null(pg_results_config(&r, "a"));
	pg_results_release(&r);
	pg_results_release(&r);
	pg_results_release(NULL);
	/* usable again after a release */
	assert_int_equal(add(&r, "a", "ns/op", 1), 0);
	assert_int_equal(find(&r, "a", "ns/op")->n, 1);
	pg_results_release(&r);
	assert_null(pg_results_find(&r, "a", "ns/op"));
}

static void test_add_find(void **state)
{
	pg_results r;
	const pg_series *s;
	char longname[2000];

	(void)state;
	pg_results_init(&r);
	assert_int_equal(add(&r, "Sort/n=10-2", "ns/op", 3), 0);
	assert_int_equal(add(&r, "Sort/n=10-2", "B/op", 64), 0);
	assert_int_equal(add(&r, "Sort/n=10-2", "ns/op", 4), 0);
	assert_int_equal(add(&r, "Map-2", "ns/op", 5), 0);
	/* the key is name and unit apart: no mixing of "a" "bc" and "ab" "c" */
	assert_int_equal(add(&r, "ab", "c", 6), 0);
	assert_int_equal(add(&r, "a", "bc", 7), 0);
	assert_int_equal(pg_results_add(&r, "xyz", 2, "u/opq", 3, 8), 0);
	assert_int_equal(r.nseries, 6);
	assert_string_equal(r.series[0].name, "Sort/n=10-2");
	assert_string_equal(r.series[0].unit, "ns/op");
	assert_string_equal(r.series[1].unit, "B/op");
	assert_string_equal(r.series[2].name, "Map-2");
	s = find(&r, "Sort/n=10-2", "ns/op");
	assert_ptr_equal(s, &r.series[0]);
	assert_int_equal(s->n, 2);
	assert_true(s->values[0] == 3 && s->values[1] == 4);
	assert_true(find(&r, "ab", "c")->values[0] == 6);
	assert_true(find(&r, "a", "bc")->values[0] == 7);
	assert_true(find(&r, "xy", "u/o")->values[0] == 8);
	assert_null(pg_results_find(&r, "Sort/n=10-2", "allocs/op"));
	assert_null(pg_results_find(&r, "Sort", "ns/op"));
	assert_null(pg_results_find(&r, "", ""));

	/* keys longer than the lookup's stack buffer */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(add(&r, longname, "ns/op", 9), 0);
	assert_true(find(&r, longname, "ns/op")->values[0] == 9);
	longname[1000] = '\0';
	assert_null(pg_results_find(&r, longname, "ns/op"));

	/* refused samples leave everything as it was */
	assert_int_equal(add(&r, "Sort/n=10-2", "ns/op", NAN), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "value of 'Sort/n=10-2' in 'ns/op' is not a finite number");
	assert_int_equal(add(&r, "New", "ns/op", INFINITY), PG_EINPUT);
	assert_int_equal(add(&r, "New", "ns/op", -INFINITY), PG_EINPUT);
	assert_int_equal(pg_results_add(&r, "N\0ew", 4, "u", 1, 1), PG_EINPUT);
	assert_string_equal(pg_error_last(), "benchmark name holds a NUL byte");
	assert_int_equal(pg_results_add(&r, "New", 3, "u\0", 2, 1), PG_EINPUT);
	assert_int_equal(r.nseries, 7);
	assert_int_equal(find(&r, "Sort/n=10-2", "ns/op")->n, 2);
	assert_null(pg_results_find(&r, "New", "ns/op"));
	assert_null(pg_results_find(&r, "New", "u"));
	pg_results_release(&r);
}

static void test_many_series(void **state)
{
	enum { N = 50000 };
	pg_results r;
	char name[64];
	size_t i;

	(void)state;
	pg_results_init(&r);
	for (i = 0; i < 2 * N; i++) {
		snprintf(name, sizeof(name), "Bench/%zu-2", i % N);
		assert_int_equal(add(&r, name, i % 3 ? "ns/op" : "B/op", (double)i), 0);
	}
	assert_true(r.nseries > N && r.nseries <= 2 * N);
	for (i = 0; i < r.nseries; i++)
		assert_ptr_equal(find(&r, r.series[i].name, r.series[i].unit), &r.series[i]);
	for (i = 0; i < N; i += 97) {
		snprintf(name, sizeof(name), "Bench/%zu-2", i);
		assert_null(pg_results_find(&r, name, "allocs/op"));
	}
	pg_results_release(&r);
}

static void test_config(void **state)
{
	pg_results r;
	char key[32], value[32];
	int i;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(pg_results_set_config(&r, "goos", 4, "linux", 5), 0);
	assert_int_equal(pg_results_set_config(&r, "cpu", 3, "x86ignored", 3), 0);
	assert_int_equal(pg_results_set_config(&r, "goos", 4, "darwin", 6), 0);
	assert_int_equal(pg_results_set_config(&r, "empty", 5, "", 0), 0);
	assert_int_equal(r.nconfig, 3);
	assert_string_equal(r.config[0].key, "goos");
	assert_string_equal(r.config[0].value, "darwin");
	assert_string_equal(r.config[1].value, "x86");
	assert_string_equal(pg_results_config(&r, "empty"), "");
	assert_null(pg_results_config(&r, "go"));
	assert_int_equal(pg_results_set_config(&r, "a\0b", 3, "v", 1), PG_EINPUT);
	assert_int_equal(r.nconfig, 3);
	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "key-%d", i % 5000);
		snprintf(value, sizeof(value), "%d", i);
		assert_int_equal(pg_results_set_config(&r, key, strlen(key), value,
						       strlen(value)), 0);
	}
	assert_int_equal(r.nconfig, 3 + 5000);
	assert_string_equal(pg_results_config(&r, "key-0"), "15000");
	assert_string_equal(pg_results_config(&r, "key-4999"), "19999");
	assert_string_equal(r.config[3].key, "key-0");
	pg_results_release(&r);
}

/* Many inputs merged one by one, each bringing new series and
 * configuration keys and adding to old ones: the index must stay right
 * (the merge grows it in place or rebuilds it). */
static void test_merge_many(void **state)
{
	enum { INPUTS = 1500 };
	pg_buf text = PG_BUF_INIT;
	pg_results r;
	size_t i, total = 0;
	int k;

	(void)state;
	pg_results_init(&r);
	for (k = 0; k < INPUTS; k++) {
		pg_buf_reset(&text);
		pg_buf_addf(&text, "key-%d: %d\nshared: %d\n", k, k, k);
		pg_buf_addf(&text, "BenchmarkNew%d 1 %d ns/op %d B/op\n", k, k, k + 1);
		if (k % 3 == 0)
			pg_buf_addf(&text, "BenchmarkExtra%d 1 1 ns/op\n", k);
		pg_buf_addf(&text, "BenchmarkShared 1 %d ns/op\n", k);
		pg_buf_addf(&text, "BenchmarkNew%d 1 %d ns/op\n", k / 2, k);
		assert_int_equal(parse(&r, "in.txt", text.ptr), 0);
	}
	assert_int_equal(r.nresults, INPUTS * 3 + (INPUTS + 2) / 3);
	assert_int_equal(r.nconfig, INPUTS + 1);
	assert_string_equal(r.config[1].key, "shared");
	assert_string_equal(r.config[1].value, "1499");
	for (i = 0; i < r.nconfig; i++)
		assert_string_equal(pg_results_config(&r, r.config[i].key),
				    r.config[i].value);
	for (i = 0; i < r.nseries; i++) {
		assert_ptr_equal(find(&r, r.series[i].name, r.series[i].unit),
				 &r.series[i]);
		total += r.series[i].n;
	}
	assert_int_equal(total, INPUTS * 4 + (INPUTS + 2) / 3);
	assert_int_equal(find(&r, "Shared", "ns/op")->n, INPUTS);
	for (k = 0; k < INPUTS; k++)
		assert_true(find(&r, "Shared", "ns/op")->values[k] == k);
	/* New5: its own line in input 5, then from inputs 10 and 11 */
	assert_int_equal(find(&r, "New5", "ns/op")->n, 3);
	assert_true(find(&r, "New5", "ns/op")->values[0] == 5);
	assert_true(find(&r, "New5", "ns/op")->values[1] == 10);
	assert_true(find(&r, "New5", "ns/op")->values[2] == 11);
	assert_int_equal(find(&r, "New5", "B/op")->n, 1);
	/* series in order of first appearance */
	assert_string_equal(r.series[0].name, "New0");
	assert_string_equal(r.series[2].name, "Extra0");
	assert_string_equal(r.series[3].name, "Shared");
	assert_string_equal(r.series[4].name, "New1");
	pg_results_release(&r);
	pg_buf_release(&text);
}

/* pg_results_merge: inputs parsed on their own and merged give what
 * parsing them one after the other gives; the source is left empty. */
static void test_merge_parsed(void **state)
{
	static const char *const inputs[] = {
		"cpu: a\nseed: 1\nBenchmarkA 10 1 ns/op\nBenchmarkB 10 2 ns/op\n",
		"seed: 2\nBenchmarkB 20 3 ns/op 4 B/op\nBenchmarkC 1 5 ns/op\n",
		"BenchmarkA 10 6 ns/op\n",
	};
	pg_buf direct = PG_BUF_INIT, merged = PG_BUF_INIT;
	pg_results a, b, one;
	size_t i;

	(void)state;
	pg_results_init(&a);
	pg_results_init(&b);
	pg_results_init(&one);
	for (i = 0; i < 3; i++) {
		assert_int_equal(parse(&a, "in.txt", inputs[i]), 0);
		assert_int_equal(parse(&one, "in.txt", inputs[i]), 0);
		assert_int_equal(pg_results_merge(&b, &one), 0);
		assert_int_equal(one.nseries, 0);
		assert_int_equal(one.nconfig, 0);
		assert_int_equal(one.nresults, 0);
	}
	assert_int_equal(b.nresults, a.nresults);
	assert_string_equal(pg_results_config(&b, "seed"), "2");
	assert_int_equal(find(&b, "A", "ns/op")->n, 2);
	assert_int_equal(pg_results_format_benchfmt(&direct, &a), 0);
	assert_int_equal(pg_results_format_benchfmt(&merged, &b), 0);
	assert_string_equal(direct.ptr, merged.ptr);
	pg_results_release(&a);
	pg_results_release(&b);
	pg_results_release(&one);
	pg_buf_release(&direct);
	pg_buf_release(&merged);
}

/* A failed input leaves the results exactly as they were. */
static void test_merge_all_or_nothing(void **state)
{
	pg_buf text = PG_BUF_INIT, before = PG_BUF_INIT, after = PG_BUF_INIT;
	pg_results r;
	int k;

	(void)state;
	pg_results_init(&r);
	for (k = 0; k < 200; k++)
		pg_buf_addf(&text, "BenchmarkB%d 1 %d ns/op\n", k % 50, k);
	assert_int_equal(parse(&r, "a.txt", "cpu: a\nBenchmarkA 1 1 ns/op\n"), 0);
	assert_int_equal(parse(&r, "b.txt", text.ptr), 0);
	assert_int_equal(pg_results_format_benchfmt(&before, &r), 0);
	pg_buf_reset(&text);
	pg_buf_adds(&text, "cpu: changed\nother: x\n");
	for (k = 0; k < 300; k++)
		pg_buf_addf(&text, "BenchmarkB%d 1 %d ns/op 1 new/op\nBenchmarkC%d 1 1 x\n",
			    k % 70, k, k);
	pg_buf_adds(&text, "BenchmarkB1 1 1\n");
	assert_int_equal(parse(&r, "c.txt", text.ptr), PG_EINPUT);
	assert_string_equal(pg_error_last(), "c.txt:603: missing unit after value '1'");
	assert_int_equal(pg_results_format_benchfmt(&after, &r), 0);
	assert_string_equal(before.ptr, after.ptr);
	assert_int_equal(r.nseries, 51);
	assert_int_equal(r.nresults, 201);
	assert_int_equal(r.nconfig, 1);
	assert_string_equal(pg_results_config(&r, "cpu"), "a");
	assert_null(pg_results_find(&r, "C0", "x"));
	assert_null(pg_results_find(&r, "B1", "new/op"));
	/* and the next good input merges as usual */
	assert_int_equal(parse(&r, "d.txt", "BenchmarkB1 1 9 ns/op\n"), 0);
	assert_int_equal(find(&r, "B1", "ns/op")->n, 5);
	assert_true(find(&r, "B1", "ns/op")->values[4] == 9);
	pg_results_release(&r);
	pg_buf_release(&text);
	pg_buf_release(&before);
	pg_buf_release(&after);
}

static void test_format(void **state)
{
	pg_buf out = PG_BUF_INIT;
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(pg_results_set_config(&r, "goos", 4, "linux", 5), 0);
	assert_int_equal(pg_results_set_config(&r, "Upper", 5, "dropped", 7), 0);
	assert_int_equal(pg_results_set_config(&r, "has space", 9, "dropped", 7), 0);
	assert_int_equal(pg_results_set_config(&r, "has:colon", 9, "dropped", 7), 0);
	assert_int_equal(pg_results_set_config(&r, "empty", 5, "", 0), 0);
	assert_int_equal(pg_results_set_config(&r, "multi", 5, "a\nb\tc", 5), 0);
	assert_int_equal(add(&r, "Sort-2", "ns/op", 100), 0);
	assert_int_equal(add(&r, "Sort-2", "B/op", 8), 0);
	assert_int_equal(add(&r, "Other", "ns/op", 0.1), 0);
	assert_int_equal(add(&r, "Sort-2", "ns/op", 101.5), 0);
	assert_int_equal(add(&r, "Sort-2", "ns/op", 1e300), 0);
	assert_int_equal(add(&r, "BM name/8", "my counter", -0.0), 0);
	assert_int_equal(add(&r, "Other", "", 1.0 / 3), 0);
	assert_int_equal(pg_results_format_benchfmt(&out, &r), 0);
	assert_string_equal(out.ptr,
			    "goos: linux\n"
			    "empty:\n"
			    "multi: a b c\n"
			    "BenchmarkSort-2 1 100 ns/op 8 B/op\n"
			    "BenchmarkSort-2 1 101.5 ns/op\n"
			    "BenchmarkSort-2 1 1e+300 ns/op\n"
			    "BenchmarkOther 1 0.1 ns/op 0.3333333333333333 ?\n"
			    "BenchmarkBM_name/8 1 -0 my_counter\n");
	pg_buf_release(&out);
	/* appends, and reports a full buffer */
	pg_buf_init(&out, 40);
	pg_buf_adds(&out, "x\n");
	assert_int_equal(pg_results_format_benchfmt(&out, &r), PG_ENOMEM);
	assert_true(pg_buf_failed(&out));
	pg_buf_release(&out);
	pg_results_release(&r);
	/* nothing to write */
	pg_results_init(&r);
	pg_buf_init(&out, 0);
	assert_int_equal(pg_results_format_benchfmt(&out, &r), 0);
	assert_int_equal(out.len, 0);
	pg_buf_release(&out);
}

static uint64_t rnd_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

/* Any finite double: random bits, and some of every kind. */
static double rnd_double(void)
{
	static const double special[] = {
		0.0, -0.0, 1.0, 0.1, 1.0 / 3, 5e-324, -5e-324, 2.2250738585072014e-308,
		2.2250738585072009e-308, 1.7976931348623157e308, -1.7976931348623157e308,
		9007199254740993.0, 123456.789, 1e22, 1e23, 4.35, 0.3,
	};
	uint64_t bits;
	double v;

	if (rnd() % 8 == 0)
		return special[rnd() % (sizeof(special) / sizeof(special[0]))];
	if (rnd() % 2)
		return (double)(rnd() % 100000) / 8.0; /* typical: short decimals */
	do {
		bits = rnd();
		memcpy(&v, &bits, sizeof(v));
	} while (!isfinite(v));
	return v;
}

/* Format, parse back: the same series, values bit for bit, the same
 * configuration. */
/* Runs parsed on their own and merged: runs[i] and `merged` from the
 * inputs; returns how many. */
static size_t parse_runs(pg_results *merged, pg_results *runs, const char *const *inputs)
{
	size_t n;

	pg_results_init(merged);
	for (n = 0; inputs[n]; n++) {
		pg_results_init(&runs[n]);
		assert_int_equal(parse(&runs[n], "run", inputs[n]), 0);
		assert_int_equal(parse(merged, "run", inputs[n]), 0);
	}
	return n;
}

static void release_runs(pg_results *merged, pg_results *runs, size_t n)
{
	while (n)
		pg_results_release(&runs[--n]);
	pg_results_release(merged);
}

/* Configuration that changes between runs is written before the results
 * of the run it belongs to; what does not change, once. */
static void test_format_runs(void **state)
{
	static const char *const same[] = {
		"pkg: p\nBenchmarkA 10 1 ns/op\nBenchmarkB 10 2 ns/op\n",
		"pkg: p\nBenchmarkA 10 3 ns/op\nBenchmarkB 10 4 ns/op\n",
		NULL,
	};
	/* a seed per run, one run without one, a key only the last run has */
	static const char *const seeded[] = {
		"pkg: p\ndate: d1\nseed: 1\nBenchmarkA 10 1 ns/op 8 B/op\nBenchmarkB 10 2 ns/op\n",
		"pkg: p\ndate: d2\nseed: 2\nBenchmarkA 20 3 ns/op 8 B/op\n",
		"pkg: p\nBenchmarkA 10 5 ns/op 8 B/op\n",
		"pkg: p\nseed: 2\nlate: x\nBenchmarkA 10 7 ns/op 8 B/op\nBenchmarkB 10 8 ns/op\n",
		"seed: 4\nBenchmarkB 10 9 ns/op\n",
		NULL,
	};
	pg_buf a = PG_BUF_INIT, b = PG_BUF_INIT;
	pg_results merged, runs[8], back;
	size_t n, i;

	(void)state;
	/* nothing changes: the usual text, benchmark by benchmark */
	n = parse_runs(&merged, runs, same);
	assert_false(pg_results_config_varies(&merged, runs, n, "pkg"));
	assert_int_equal(pg_results_format_benchfmt_runs(&a, &merged, runs, n), 0);
	assert_int_equal(pg_results_format_benchfmt(&b, &merged), 0);
	assert_string_equal(a.ptr, b.ptr);
	release_runs(&merged, runs, n);

	pg_buf_reset(&a);
	n = parse_runs(&merged, runs, seeded);
	/* set after the merge (perfgate's own lines): written once */
	assert_true(pg_results_config_varies(&merged, runs, n, "date"));
	assert_int_equal(pg_results_set_config(&merged, "date", 4, "mine", 4), 0);
	assert_false(pg_results_config_varies(&merged, runs, n, "date"));
	assert_true(pg_results_config_varies(&merged, runs, n, "seed"));
	assert_false(pg_results_config_varies(&merged, runs, n, "pkg"));
	assert_false(pg_results_config_varies(&merged, runs, n, "late"));
	assert_false(pg_results_config_varies(&merged, runs, n, "none"));
	assert_int_equal(pg_results_format_benchfmt_runs(&a, &merged, runs, n), 0);
	assert_string_equal(a.ptr,
			    "pkg: p\n"
			    "date: mine\n"
			    "seed: 1\n"
			    "late: x\n"
			    "BenchmarkA 10 1 ns/op 8 B/op\n"
			    "BenchmarkB 10 2 ns/op\n"
			    "seed: 2\n"
			    "BenchmarkA 20 3 ns/op 8 B/op\n"
			    "BenchmarkA 10 5 ns/op 8 B/op\n"
			    "BenchmarkA 10 7 ns/op 8 B/op\n"
			    "BenchmarkB 10 8 ns/op\n"
			    "seed: 4\n"
			    "BenchmarkB 10 9 ns/op\n");
	/* it reads back as the merged results, the last seed winning */
	pg_results_init(&back);
	assert_int_equal(parse(&back, "back", a.ptr), 0);
	pg_buf_reset(&b);
	assert_int_equal(pg_results_format_benchfmt(&b, &back), 0);
	pg_buf_reset(&a);
	assert_int_equal(pg_results_format_benchfmt(&a, &merged), 0);
	assert_string_equal(a.ptr, b.ptr);
	assert_int_equal(back.nresults, merged.nresults);
	for (i = 0; i < merged.nseries; i++)
		assert_int_equal(back.series[i].n, merged.series[i].n);
	pg_results_release(&back);
	/* a full buffer */
	pg_buf_release(&a);
	pg_buf_init(&a, 70);
	assert_int_equal(pg_results_format_benchfmt_runs(&a, &merged, runs, n), PG_ENOMEM);
	release_runs(&merged, runs, n);
	pg_buf_release(&a);
	pg_buf_release(&b);
}

static void test_round_trip(void **state)
{
	pg_results r, back;
	pg_buf out = PG_BUF_INIT, again = PG_BUF_INIT;
	static const char *const units[] = { "ns/op", "B/op", "allocs/op", "MB/s" };
	char name[64];
	size_t i, j;
	int k;

	(void)state;
	pg_results_init(&r);
	pg_results_init(&back);
	assert_int_equal(pg_results_set_config(&r, "goos", 4, "linux", 5), 0);
	assert_int_equal(pg_results_set_config(&r, "cpu", 3, "Intel(R) Xeon(R)", 16), 0);
	for (k = 0; k < 20000; k++) {
		int b = (int)(rnd() % 300);

		snprintf(name, sizeof(name), "Decode/size=%d/variant=%d-2", 1 << (b % 12), b);
		assert_int_equal(add(&r, name, units[rnd() % 4], rnd_double()), 0);
	}
	assert_int_equal(pg_results_format_benchfmt(&out, &r), 0);
	assert_int_equal(pg_results_parse(&back, "round.txt", out.ptr, out.len), 0);
	assert_int_equal(back.nseries, r.nseries);
	for (i = 0; i < r.nseries; i++) {
		const pg_series *a = &r.series[i];
		const pg_series *b = find(&back, a->name, a->unit);

		assert_int_equal(b->n, a->n);
		for (j = 0; j < a->n; j++)
			if (memcmp(&a->values[j], &b->values[j], sizeof(double)) != 0)
				fail_msg("%s %s [%zu]: %a came back as %a", a->name,
					 a->unit, j, a->values[j], b->values[j]);
	}
	assert_int_equal(back.nconfig, 2);
	assert_string_equal(pg_results_config(&back, "cpu"), "Intel(R) Xeon(R)");
	/* and formatting the parsed copy gives the same text */
	assert_int_equal(pg_results_format_benchfmt(&again, &back), 0);
	assert_string_equal(out.ptr, again.ptr);
	pg_results_release(&r);
	pg_results_release(&back);
	pg_buf_release(&out);
	pg_buf_release(&again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_release),
		cmocka_unit_test(test_add_find),
		cmocka_unit_test(test_many_series),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_merge_many),
		cmocka_unit_test(test_merge_parsed),
		cmocka_unit_test(test_merge_all_or_nothing),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_runs),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
