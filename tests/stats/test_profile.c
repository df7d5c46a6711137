/*
 * pprof profiles (stats/profile.c): decoding profiles built with
 * protobuf-c and gzipped with zlib (tests/stats/profile_fixture.h), flat
 * and cumulative shares, inlined frames, unsymbolized locations, merging,
 * label filters, diffs, the call tree and malformed input.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "stats/profile.h"
#include "stats/profile_fixture.h"

#define MS 1000000 /* nanoseconds */

#define assert_near(got, want, eps) \
	do { \
		double g_ = (got), w_ = (want); \
		if (!(fabs(g_ - w_) <= (eps))) \
			fail_msg("%s: got %.17g, want %.17g", #got, g_, w_); \
	} while (0)

static void parse_ok(pg_profile *p, pb *b, int gzip, const char *name)
{
	pg_buf d = PG_BUF_INIT;

	pb_encode(b, gzip, &d);
	if (pg_profile_parse(p, name, d.ptr, d.len) < 0)
		fail_msg("parse '%s': %s", name, pg_error_last());
	pg_buf_release(&d);
}

/* Parse `len` bytes expecting `code` and the message `msg`. */
static void parse_fails(const void *data, size_t len, int code, const char *msg)
{
	pg_profile p;

	pg_profile_init(&p);
	pg_error_clear();
	assert_int_equal(pg_profile_parse(&p, "x.pb.gz", data, len), code);
	assert_string_equal(pg_error_last(), msg);
	assert_int_equal(p.nsamples, 0);
	pg_profile_release(&p);
}

static void pb_fails(pb *b, int gzip, const char *msg)
{
	pg_buf d = PG_BUF_INIT;

	pb_encode(b, gzip, &d);
	parse_fails(d.ptr, d.len, PG_EINPUT, msg);
	pg_buf_release(&d);
	pb_free(b);
}

static const pg_profile_func *top_find(const pg_profile_top *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->funcs[i].name, name))
			return &t->funcs[i];
	fail_msg("no function '%s' in the top list", name);
	return NULL;
}

static const pg_profile_diff_func *diff_find(const pg_profile_diff *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->funcs[i].name, name))
			return &d->funcs[i];
	fail_msg("no function '%s' in the diff", name);
	return NULL;
}

/* The stack of sample i as "leaf;caller;...". */
static void stack_of(pg_buf *out, const pg_profile *p, size_t i)
{
	const pg_profile_sample *s = &p->samples[i];
	size_t j;

	pg_buf_reset(out);
	for (j = 0; j < s->nframes; j++)
		pg_buf_addf(out, "%s%s", j ? ";" : "", p->strings[p->frames[s->frame_off + j]]);
}

/* c;b;a 30ms, b;a 10ms, d;a 60ms: a 100% cumulative, d the top flat. */
static pb *abcd(void)
{
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");

	pb_sample(b, "c;b;a", 3, 30 * MS);
	pb_sample(b, "b;a", 1, 10 * MS);
	pb_sample(b, "d;a", 6, 60 * MS);
	return b;
}

static void test_flat_cum(void **state)
{
	pg_profile p;
	pg_profile_top t;
	pg_buf st = PG_BUF_INIT;
	pb *b = abcd();

	(void)state;
	pg_profile_init(&p);
	parse_ok(&p, b, 1, "a.pb.gz");
	assert_int_equal(p.nsamples, 3);
	assert_int_equal(p.ntypes, 2);
	assert_string_equal(p.types[1].type, "cpu");
	assert_string_equal(p.name, "a.pb.gz");
	stack_of(&st, &p, 0);
	assert_string_equal(st.ptr, "c;b;a");
	assert_int_equal(pg_profile_total(&p, 1), 100 * MS);

	/* default: cpu/nanoseconds, by flat */
	assert_int_equal(pg_profile_top_compute(&t, &p, NULL, 0), 0);
	assert_string_equal(t.type, "cpu");
	assert_string_equal(t.unit, "nanoseconds");
	assert_int_equal(t.total, 100 * MS);
	assert_int_equal(t.nsamples, 10); /* samples/count, not 3 records */
	assert_int_equal(t.n, 4);
	assert_string_equal(t.funcs[0].name, "d");
	assert_string_equal(t.funcs[1].name, "c");
	assert_string_equal(t.funcs[2].name, "b");
	assert_string_equal(t.funcs[3].name, "a");
	assert_int_equal(t.funcs[0].flat, 60 * MS);
	assert_near(t.funcs[0].flat_percent, 60.0, 1e-9);
	assert_near(top_find(&t, "b")->cum_percent, 40.0, 1e-9);
	assert_near(top_find(&t, "b")->flat_percent, 10.0, 1e-9);
	assert_near(top_find(&t, "a")->cum_percent, 100.0, 1e-9);
	assert_near(top_find(&t, "a")->flat_percent, 0.0, 1e-9);
	pg_profile_top_release(&t);

	/* by cumulative share: a (100), d (60), b (40), c (30) */
	assert_int_equal(pg_profile_top_compute(&t, &p, "cpu", 1), 0);
	assert_string_equal(t.funcs[0].name, "a");
	assert_string_equal(t.funcs[1].name, "d");
	assert_string_equal(t.funcs[2].name, "b");
	assert_string_equal(t.funcs[3].name, "c");
	pg_profile_top_release(&t);

	/* another sample type: counts */
	assert_int_equal(pg_profile_top_compute(&t, &p, "samples/count", 0), 0);
	assert_string_equal(t.type, "samples");
	assert_int_equal(t.total, 10);
	assert_int_equal(top_find(&t, "c")->flat, 3);
	pg_profile_top_release(&t);
	pg_profile_top_release(&t); /* safe twice */

	pg_buf_release(&st);
	pg_profile_release(&p);
	pg_profile_release(&p);
	pb_free(b);
}

/* A function on the stack twice counts once in its cumulative value. */
static void test_recursion(void **state)
{
	pg_profile p;
	pg_profile_top t;
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");

	(void)state;
	pb_sample(b, "f;f;f;g", 1, 10);
	pb_sample(b, "h;f;g", 1, 30);
	pg_profile_init(&p);
	parse_ok(&p, b, 0, "r.pb");
	assert_int_equal(pg_profile_top_compute(&t, &p, NULL, 1), 0);
	assert_int_equal(top_find(&t, "f")->cum, 40);
	assert_int_equal(top_find(&t, "f")->flat, 10);
	assert_int_equal(top_find(&t, "g")->cum, 40);
	assert_near(top_find(&t, "h")->cum_percent, 75.0, 1e-9);
	pg_profile_top_release(&t);
	pg_profile_release(&p);
	pb_free(b);
}

/* A location with two lines is two frames, the inlined function first. */
static void test_inlined(void **state)
{
	static const char *const inl[] = { "inner", "outer" };
	pg_profile p;
	pg_profile_top t;
	pg_buf st = PG_BUF_INIT;
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");
	uint64_t locs[2];
	int64_t v[2] = { 1, 25 };

	(void)state;
	locs[0] = pb_loc_inlined(b, 2, inl);
	locs[1] = pb_loc(b, "main");
	pb_sample_locs(b, 2, locs, v);
	pb_sample(b, "outer;main", 3, 75);
	pg_profile_init(&p);
	parse_ok(&p, b, 1, "i.pb.gz");
	stack_of(&st, &p, 0);
	assert_string_equal(st.ptr, "inner;outer;main");
	assert_int_equal(pg_profile_top_compute(&t, &p, NULL, 0), 0);
	assert_int_equal(top_find(&t, "inner")->flat, 25);
	assert_int_equal(top_find(&t, "outer")->flat, 75);
	assert_int_equal(top_find(&t, "outer")->cum, 100);
	assert_int_equal(top_find(&t, "main")->cum, 100);
	pg_profile_top_release(&t);
	pg_buf_release(&st);
	pg_profile_release(&p);
	pb_free(b);
}

/* Locations without function information: module+offset, else the
 * address; a function without a name: its system name. */
static void test_unsymbolized(void **state)
{
	pg_profile p;
	pg_buf st = PG_BUF_INIT;
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");
	uint64_t map, locs[3];
	int64_t v[2] = { 1, 10 };

	(void)state;
	map = pb_mapping(b, 0x400000, 0x500000, 0x1000, "/usr/lib/libfoo.so.1");
	locs[0] = pb_loc_addr(b, map, 0x401234);
	locs[1] = pb_loc_addr(b, 0, 0xdeadbeef);
	locs[2] = pb_loc(b, "placeholder");
	b->funcs[0].name = 0;
	b->funcs[0].system_name = pb_str(b, "_ZN3foo3barEv");
	pb_sample_locs(b, 3, locs, v);
	pg_profile_init(&p);
	parse_ok(&p, b, 0, "u.pb");
	stack_of(&st, &p, 0);
	assert_string_equal(st.ptr, "libfoo.so.1+0x2234;0xdeadbeef;_ZN3foo3barEv");
	pg_buf_release(&st);
	pg_profile_release(&p);
	pb_free(b);
}

/* Gzipped or not, the same profile; several gzip members are read too. */
static void test_gzip(void **state)
{
	pg_profile a, c;
	pg_buf raw = PG_BUF_INIT, gz = PG_BUF_INIT, two = PG_BUF_INIT;
	pb *b = abcd();

	(void)state;
	pb_encode(b, 0, &raw);
	pb_encode(b, 1, &gz);
	assert_true(gz.len > 2 && (unsigned char)gz.ptr[0] == 0x1f);
	pg_profile_init(&a);
	pg_profile_init(&c);
	assert_int_equal(pg_profile_parse(&a, "raw", raw.ptr, raw.len), 0);
	assert_int_equal(pg_profile_parse(&c, "gz", gz.ptr, gz.len), 0);
	assert_int_equal(a.nsamples, c.nsamples);
	assert_int_equal(pg_profile_total(&a, 1), pg_profile_total(&c, 1));
	pg_profile_release(&c);
	/* a protobuf split over two gzip members */
	pb_gzip(&two, raw.ptr, 5);
	pb_gzip(&two, raw.ptr + 5, raw.len - 5);
	pg_profile_init(&c);
	assert_int_equal(pg_profile_parse(&c, "two", two.ptr, two.len), 0);
	assert_int_equal(c.nsamples, 3);
	pg_profile_release(&c);
	pg_profile_release(&a);
	pg_buf_release(&raw);
	pg_buf_release(&gz);
	pg_buf_release(&two);
	pb_free(b);
}

/* Several runs merge by adding; sample types may come in another order. */
static void test_merge(void **state)
{
	pg_profile p, q;
	pg_profile_top t;
	pb *b1 = abcd();
	pb *b2 = pb_new2("cpu", "nanoseconds", "samples", "count");
	pb *b3 = pb_new2("cpu", "nanoseconds", "alloc", "bytes");

	(void)state;
	pb_sample(b2, "e;a", 100 * MS, 10);
	pb_sample(b3, "e;a", 100 * MS, 10);
	pg_profile_init(&p);
	parse_ok(&p, b1, 1, "run1.pb.gz");
	parse_ok(&p, b2, 1, "run2.pb.gz");
	assert_int_equal(p.nsamples, 4);
	assert_int_equal(p.ninputs, 2);
	assert_string_equal(p.name, "run1.pb.gz,run2.pb.gz");
	assert_string_equal(p.types[0].type, "samples"); /* the first input's order */
	assert_int_equal(pg_profile_total(&p, 0), 20);
	assert_int_equal(pg_profile_total(&p, 1), 200 * MS);
	assert_int_equal(pg_profile_top_compute(&t, &p, NULL, 0), 0);
	assert_string_equal(t.funcs[0].name, "e");
	assert_near(t.funcs[0].flat_percent, 50.0, 1e-9);
	assert_near(top_find(&t, "d")->flat_percent, 30.0, 1e-9);
	assert_near(top_find(&t, "a")->cum_percent, 100.0, 1e-9);
	pg_profile_top_release(&t);

	/* other sample types: refused, naming both, nothing added */
	{
		pg_buf d = PG_BUF_INIT;

		pb_encode(b3, 1, &d);
		assert_int_equal(pg_profile_parse(&p, "heap.pb.gz", d.ptr, d.len), PG_EINPUT);
		assert_string_equal(pg_error_last(),
				    "'heap.pb.gz': sample types (cpu/nanoseconds, alloc/bytes) "
				    "differ from those of 'run1.pb.gz,run2.pb.gz' "
				    "(samples/count, cpu/nanoseconds)");
		assert_int_equal(p.nsamples, 4);
		assert_int_equal(p.ninputs, 2);
		pg_buf_release(&d);
	}

	/* pg_profile_merge of in-memory profiles */
	pg_profile_init(&q);
	assert_int_equal(pg_profile_merge(&q, &p), 0);
	assert_int_equal(pg_profile_merge(&q, &p), 0);
	assert_int_equal(q.nsamples, 8);
	assert_int_equal(pg_profile_total(&q, 1), 400 * MS);
	assert_int_equal(pg_profile_top_compute(&t, &q, NULL, 0), 0);
	assert_near(top_find(&t, "e")->flat_percent, 50.0, 1e-9);
	pg_profile_top_release(&t);
	pg_profile_release(&q);

	pg_profile_release(&p);
	pb_free(b1);
	pb_free(b2);
	pb_free(b3);
}

/* Keep the samples of one benchmark. */
static void test_label_filter(void **state)
{
	pg_profile all, hash, num, none;
	pg_profile_top t;
	const char *key, *value;
	size_t key_len;
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");

	(void)state;
	pb_sample(b, "fnv;BenchmarkHash", 1, 10);
	pb_label(b, "benchmark", "Hash");
	pb_label(b, "gomaxprocs", "2");
	pb_sample(b, "qsort;BenchmarkSort", 1, 30);
	pb_label(b, "benchmark", "Sort");
	pb_num_label(b, "n", 1000);
	pb_sample(b, "fnv;other", 1, 50); /* no label */
	pb_sample(b, "slow;BenchmarkHash", 1, 30);
	pb_label(b, "benchmark", "Hash");
	pg_profile_init(&all);
	pg_profile_init(&hash);
	pg_profile_init(&num);
	pg_profile_init(&none);
	parse_ok(&all, b, 1, "all.pb.gz");
	assert_int_equal(all.nlabels, 5);

	assert_int_equal(pg_profile_filter_label(&hash, &all, "benchmark", "Hash"), 0);
	assert_int_equal(hash.nsamples, 2);
	assert_int_equal(pg_profile_top_compute(&t, &hash, NULL, 0), 0);
	assert_int_equal(t.total, 40);
	assert_near(top_find(&t, "slow")->flat_percent, 75.0, 1e-9);
	assert_near(top_find(&t, "BenchmarkHash")->cum_percent, 100.0, 1e-9);
	pg_profile_top_release(&t);

	/* a numeric label matches its decimal value */
	assert_int_equal(pg_profile_filter_label(&num, &all, "n", "1000"), 0);
	assert_int_equal(num.nsamples, 1);
	assert_int_equal(pg_profile_total(&num, 1), 30);

	/* no match: no samples, and the analyses say the profile is empty */
	assert_int_equal(pg_profile_filter_label(&none, &all, "benchmark", "Nope"), 0);
	assert_int_equal(pg_profile_filter_label(&none, &all, "nokey", "x"), 0);
	assert_int_equal(none.nsamples, 0);
	assert_int_equal(pg_profile_top_compute(&t, &none, NULL, 0), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "'all.pb.gz,all.pb.gz': empty profile (no cpu/nanoseconds samples)");

	assert_int_equal(pg_profile_label_spec(&key, &key_len, &value, "benchmark=Hash/x=1"), 0);
	assert_int_equal(key_len, 9);
	assert_memory_equal(key, "benchmark", 9);
	assert_string_equal(value, "Hash/x=1");
	assert_int_equal(pg_profile_label_spec(&key, &key_len, &value, "k="), 0);
	assert_string_equal(value, "");
	assert_int_equal(pg_profile_label_spec(&key, &key_len, &value, "nokey"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "label 'nokey' is not key=value");
	assert_int_equal(pg_profile_label_spec(&key, &key_len, &value, "=v"), PG_EINPUT);

	pg_profile_release(&all);
	pg_profile_release(&hash);
	pg_profile_release(&num);
	pg_profile_release(&none);
	pb_free(b);
}

static void test_find_type(void **state)
{
	pg_profile p;
	size_t t = 99;
	pb *b = abcd();
	pb *c = pb_new2("alloc_objects", "count", "alloc_space", "bytes");

	(void)state;
	pg_profile_init(&p);
	parse_ok(&p, b, 0, "a.pb");
	assert_int_equal(pg_profile_find_type(&t, &p, NULL), 0);
	assert_int_equal(t, 1);
	assert_int_equal(pg_profile_find_type(&t, &p, ""), 0);
	assert_int_equal(t, 1);
	assert_int_equal(pg_profile_find_type(&t, &p, "samples"), 0);
	assert_int_equal(t, 0);
	assert_int_equal(pg_profile_find_type(&t, &p, "cpu/nanoseconds"), 0);
	assert_int_equal(t, 1);
	assert_int_equal(pg_profile_find_type(&t, &p, "cpu/seconds"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "'a.pb': no sample type 'cpu/seconds' "
			    "(it has samples/count, cpu/nanoseconds)");
	assert_int_equal(pg_profile_find_type(&t, &p, "cp"), PG_EINPUT);
	pg_profile_release(&p);

	/* without cpu/nanoseconds: the first */
	pb_sample(c, "f", 1, 64);
	pg_profile_init(&p);
	parse_ok(&p, c, 0, "heap.pb");
	assert_int_equal(pg_profile_find_type(&t, &p, NULL), 0);
	assert_int_equal(t, 0);
	assert_int_equal(pg_profile_sample_count(&p), 1); /* no samples/count: records */
	pg_profile_release(&p);
	pb_free(b);
	pb_free(c);
}

/* base: parse 10%, lex 40%, eval 50%; new: parse 30%, lex 40%, eval 20%,
 * gc 10% (only new); base has old_fn 0% flat... */
static void test_diff(void **state)
{
	pg_profile base, next;
	pg_profile_diff d;
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");
	pb *n = pb_new2("samples", "count", "cpu", "nanoseconds");

	(void)state;
	pb_sample(b, "parse;main", 1, 10 * MS);
	pb_sample(b, "lex;main", 4, 40 * MS);
	pb_sample(b, "eval;main", 5, 50 * MS);
	pb_sample(b, "zero;main", 0, 0);                 /* ignored: value 0 */
	/* new: twice as long in total, shares of its own total */
	pb_sample(n, "parse;main", 6, 60 * MS);
	pb_sample(n, "lex;main", 8, 80 * MS);
	pb_sample(n, "eval;main", 4, 40 * MS);
	pb_sample(n, "gc;runtime", 2, 20 * MS);
	pg_profile_init(&base);
	pg_profile_init(&next);
	parse_ok(&base, b, 1, "base.pb.gz");
	parse_ok(&next, n, 1, "new.pb.gz");
	assert_int_equal(pg_profile_diff_compute(&d, &base, &next, NULL), 0);
	assert_string_equal(d.type, "cpu");
	assert_int_equal(d.base_total, 100 * MS);
	assert_int_equal(d.new_total, 200 * MS);
	assert_int_equal(d.base_samples, 10);
	assert_int_equal(d.new_samples, 20);
	assert_int_equal(d.n, 6); /* parse lex eval main gc runtime */
	/* sorted by growth: parse +20, gc +10, runtime +0 (cum only), lex 0,
	 * main 0, eval -30 */
	assert_string_equal(d.funcs[0].name, "parse");
	assert_near(d.funcs[0].base_flat_percent, 10.0, 1e-9);
	assert_near(d.funcs[0].new_flat_percent, 30.0, 1e-9);
	assert_near(d.funcs[0].growth_points, 20.0, 1e-9);
	assert_string_equal(d.funcs[1].name, "gc");
	assert_near(d.funcs[1].base_flat_percent, 0.0, 1e-9);
	assert_near(d.funcs[1].growth_points, 10.0, 1e-9);
	assert_string_equal(d.funcs[2].name, "lex"); /* ties by name */
	assert_string_equal(d.funcs[3].name, "main");
	assert_string_equal(d.funcs[4].name, "runtime");
	assert_near(d.funcs[4].new_cum_percent, 10.0, 1e-9);
	assert_near(d.funcs[3].base_cum_percent, 100.0, 1e-9);
	assert_near(d.funcs[3].new_cum_percent, 90.0, 1e-9);
	assert_string_equal(d.funcs[5].name, "eval");
	assert_near(d.funcs[5].growth_points, -30.0, 1e-9);
	assert_int_equal(diff_find(&d, "eval")->base_flat, 50 * MS);
	assert_int_equal(diff_find(&d, "eval")->new_flat, 40 * MS);
	pg_profile_diff_release(&d);

	/* by sample counts: parse 10% -> 30% as well */
	assert_int_equal(pg_profile_diff_compute(&d, &base, &next, "samples"), 0);
	assert_near(diff_find(&d, "parse")->growth_points, 20.0, 1e-9);
	pg_profile_diff_release(&d);
	pg_profile_diff_release(&d);

	/* a sample type the new profile lacks */
	assert_int_equal(pg_profile_diff_compute(&d, &base, &next, "wall"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "'base.pb.gz': no sample type 'wall' "
			    "(it has samples/count, cpu/nanoseconds)");
	assert_null(d.funcs);
	pg_profile_release(&base);
	pg_profile_release(&next);
	pb_free(b);
	pb_free(n);
}

/* Diffing with an empty profile names it. */
static void test_diff_empty(void **state)
{
	pg_profile base, next;
	pg_profile_diff d;
	pb *b = abcd();
	pb *n = pb_new2("samples", "count", "cpu", "nanoseconds");
	pb *h = pb_new2("samples", "count", "wall", "nanoseconds");

	(void)state;
	pb_sample(h, "x", 1, 1);
	pg_profile_init(&base);
	pg_profile_init(&next);
	parse_ok(&base, b, 1, "base.pb.gz");
	parse_ok(&next, n, 1, "empty.pb.gz");
	assert_int_equal(pg_profile_diff_compute(&d, &base, &next, NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "'empty.pb.gz': empty profile (no cpu/nanoseconds samples)");
	assert_int_equal(pg_profile_diff_compute(&d, &next, &base, NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "'empty.pb.gz': empty profile (no cpu/nanoseconds samples)");
	pg_profile_release(&next);
	pg_profile_init(&next);
	parse_ok(&next, h, 0, "wall.pb");
	assert_int_equal(pg_profile_diff_compute(&d, &base, &next, NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(), "'wall.pb': no sample type 'cpu/nanoseconds' "
			    "(it has samples/count, wall/nanoseconds)");
	pg_profile_release(&base);
	pg_profile_release(&next);
	pb_free(b);
	pb_free(n);
	pb_free(h);
}

static size_t child(const pg_profile_tree *t, size_t node, const char *name)
{
	size_t c;

	for (c = t->nodes[node].first_child; c != SIZE_MAX; c = t->nodes[c].next_sibling)
		if (!strcmp(t->nodes[c].name, name))
			return c;
	fail_msg("node %zu has no child '%s'", node, name);
	return SIZE_MAX;
}

static void test_tree(void **state)
{
	pg_profile base, next;
	pg_profile_tree t;
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");
	pb *n = pb_new2("samples", "count", "cpu", "nanoseconds");
	size_t main_n, parse_n, lex_n, c, i;

	(void)state;
	pb_sample(b, "parse;main", 1, 20);
	pb_sample(b, "lex;main", 1, 60);
	pb_sample(b, "main", 1, 20);
	pb_sample(b, "parse;other", 1, 100);  /* a path the new profile lacks */
	pb_sample(n, "lex;main", 1, 30);
	pb_sample(n, "parse;main", 1, 50);
	pb_sample(n, "tok;parse;main", 1, 20);
	pg_profile_init(&base);
	pg_profile_init(&next);
	parse_ok(&base, b, 1, "b.pb.gz");
	parse_ok(&next, n, 1, "n.pb.gz");
	assert_int_equal(pg_profile_tree_build(&t, &base, &next, NULL), 0);
	assert_true(t.has_base);
	assert_int_equal(t.new_total, 100);
	assert_int_equal(t.base_total, 200);
	assert_int_equal(t.n, 5); /* all main lex parse tok */
	assert_int_equal(t.max_depth, 3);
	assert_string_equal(t.nodes[0].name, "all");
	assert_int_equal(t.nodes[0].new_cum, 100);
	main_n = child(&t, 0, "main");
	assert_int_equal(t.nodes[main_n].new_cum, 100);
	assert_int_equal(t.nodes[main_n].base_cum, 100);
	assert_int_equal(t.nodes[main_n].base_self, 20);
	assert_int_equal(t.nodes[main_n].depth, 1);
	/* children in name order: lex, parse */
	lex_n = t.nodes[main_n].first_child;
	assert_string_equal(t.nodes[lex_n].name, "lex");
	parse_n = t.nodes[lex_n].next_sibling;
	assert_string_equal(t.nodes[parse_n].name, "parse");
	assert_int_equal(t.nodes[parse_n].next_sibling, SIZE_MAX);
	assert_int_equal(t.nodes[parse_n].new_cum, 70);
	assert_int_equal(t.nodes[parse_n].new_self, 50);
	assert_int_equal(t.nodes[parse_n].base_cum, 20); /* main;parse only */
	c = child(&t, parse_n, "tok");
	assert_int_equal(t.nodes[c].base_cum, 0);
	assert_int_equal(t.nodes[c].parent, parse_n);
	/* per function: parse everywhere (base 120 of 200, new 70 of 100) */
	assert_string_equal(t.funcs[t.nodes[parse_n].func].name, "parse");
	assert_int_equal(t.funcs[t.nodes[parse_n].func].base_cum, 120);
	assert_int_equal(t.funcs[t.nodes[parse_n].func].new_cum, 70);
	assert_int_equal(t.funcs[t.nodes[parse_n].func].new_flat, 50);
	assert_int_equal(t.funcs[t.nodes[0].func].new_cum, 100);
	assert_int_equal(t.funcs[t.nodes[0].func].base_cum, 200);
	for (i = 1; i < t.n; i++)
		assert_true(t.nodes[i].parent < i);
	pg_profile_tree_release(&t);
	pg_profile_tree_release(&t);

	/* without a base */
	assert_int_equal(pg_profile_tree_build(&t, NULL, &next, "samples"), 0);
	assert_false(t.has_base);
	assert_int_equal(t.new_total, 3);
	assert_int_equal(t.base_total, 0);
	pg_profile_tree_release(&t);
	pg_profile_release(&base);
	pg_profile_release(&next);
	pb_free(b);
	pb_free(n);
}

static void test_malformed(void **state)
{
	static const char text[] = "BenchmarkHash 100 12.5 ns/op\n";
	pg_buf gz = PG_BUF_INIT;
	pb *b;

	(void)state;
	parse_fails("", 0, PG_EINPUT, "'x.pb.gz': empty file");
	parse_fails("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff", 14, PG_EINPUT,
		    "'x.pb.gz': corrupt gzip data: invalid block type");
	parse_fails("\x1f\x8bxyz", 5, PG_EINPUT,
		    "'x.pb.gz': corrupt gzip data: unknown compression method");
	parse_fails(text, sizeof(text) - 1, PG_EINPUT,
		    "'x.pb.gz': not a pprof profile: cannot decode the protocol buffer");
	/* an empty message decodes, but is no profile */
	pb_gzip(&gz, "", 0);
	parse_fails(gz.ptr, gz.len, PG_EINPUT,
		    "'x.pb.gz': empty profile (no data in the gzip stream)");
	pg_buf_reset(&gz);

	/* truncated gzip */
	b = abcd();
	pb_encode(b, 1, &gz);
	parse_fails(gz.ptr, gz.len - 10, PG_EINPUT, "'x.pb.gz': truncated gzip data");
	/* truncated protobuf: cut in the middle of a field, or after the
	 * last string (the last function's name is then missing) */
	pg_buf_reset(&gz);
	pb_encode(b, 0, &gz);
	parse_fails(gz.ptr, gz.len - 1, PG_EINPUT,
		    "'x.pb.gz': not a pprof profile: cannot decode the protocol buffer");
	parse_fails(gz.ptr, gz.len - 3, PG_EINPUT,
		    "'x.pb.gz': not a pprof profile: function name: string index 8 "
		    "out of range (8 strings)");
	pg_buf_release(&gz);
	pb_free(b);

	b = pb_new(0, NULL);
	pb_fails(b, 1, "'x.pb.gz': not a pprof profile: no sample type");

	b = abcd();
	b->types[1].type = 77;
	pb_fails(b, 1, "'x.pb.gz': not a pprof profile: sample type: string index 77 "
		 "out of range (9 strings)");

	b = abcd();
	b->funcs[1].name = -1;
	pb_fails(b, 0, "'x.pb.gz': not a pprof profile: function name: string index -1 "
		 "out of range (9 strings)");

	b = abcd();
	b->samples[1].n_value = 1;
	pb_fails(b, 0, "'x.pb.gz': not a pprof profile: sample 2 has 1 values for 2 "
		 "sample types");

	b = abcd();
	b->sample_locs[2][1] = 4242;
	pb_fails(b, 0, "'x.pb.gz': not a pprof profile: sample 3 refers to unknown "
		 "location ID 4242");

	b = abcd();
	b->lines[0].function_id = 99;
	pb_fails(b, 0, "'x.pb.gz': not a pprof profile: location ID 100 refers to "
		 "unknown function ID 99");

	b = abcd();
	b->locs[1].id = b->locs[0].id;
	pb_fails(b, 0, "'x.pb.gz': not a pprof profile: location ID 100 appears twice");

	b = abcd();
	free(b->strings[0]);
	b->strings[0] = strdup("x");
	pb_fails(b, 0, "'x.pb.gz': not a pprof profile: the string table does not "
		 "start with \"\"");
}

/* A failed parse leaves a profile with samples as it was. */
static void test_failed_parse_keeps_profile(void **state)
{
	pg_profile p;
	pg_buf d = PG_BUF_INIT;
	pb *b = abcd(), *bad = abcd();

	(void)state;
	pg_profile_init(&p);
	parse_ok(&p, b, 1, "good.pb.gz");
	bad->sample_locs[2][0] = 7;
	pb_encode(bad, 0, &d);
	assert_int_equal(pg_profile_parse(&p, "bad.pb", d.ptr, d.len), PG_EINPUT);
	assert_int_equal(p.nsamples, 3);
	assert_int_equal(p.ninputs, 1);
	assert_string_equal(p.name, "good.pb.gz");
	assert_int_equal(pg_profile_total(&p, 1), 100 * MS);
	pg_buf_release(&d);
	pg_profile_release(&p);
	pb_free(b);
	pb_free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_cum),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_inlined),
		cmocka_unit_test(test_unsymbolized),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_label_filter),
		cmocka_unit_test(test_find_type),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_empty),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_failed_parse_keeps_profile),
	};

	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
