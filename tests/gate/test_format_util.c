/*
 * The text helpers shared by compare's and the gate's renderers
 * (gate/format_util.c): aligned tables, Markdown escaping, UTF-8 clean-up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "gate/format_util.h"

static void test_display_width(void **state)
{
	(void)state;
	assert_int_equal(pg_display_width(""), 0);
	assert_int_equal(pg_display_width("abc"), 3);
	assert_int_equal(pg_display_width("12.35\xC2\xB5s"), 7); /* µ is one column */
	assert_int_equal(pg_display_width("\xE2\x9C\x85!"), 2);
}

static void test_table(void **state)
{
	static const int right[3] = { 0, 1, 0 };
	pg_table t;
	pg_buf out = PG_BUF_INIT, *c;

	(void)state;
	pg_table_init(&t, 3, right);
	c = pg_table_add_row(&t, NULL);
	pg_buf_adds(&c[0], "name");
	pg_buf_adds(&c[1], "value");
	c = pg_table_add_row(&t, NULL);
	pg_buf_adds(&c[0], "a");
	pg_buf_adds(&c[1], "1.5\xC2\xB5s");
	pg_buf_adds(&c[2], "x");
	c = pg_table_add_row(&t, NULL); /* all empty: not written */
	(void)c;
	c = pg_table_add_row(&t, "\033[31m");
	pg_buf_adds(&c[0], "longer name");
	pg_buf_adds(&c[1], "22");
	assert_int_equal(pg_table_render(&out, &t), 0);
	assert_string_equal(out.ptr,
		"name         value\n"
		"a            1.5\xC2\xB5s  x\n"
		"\033[31mlonger name     22\033[0m\n");
	pg_table_release(&t);
	pg_table_release(&t); /* safe twice */
	pg_buf_release(&out);
}

/* Many rows (the cells move as the table grows). */
static void test_table_grows(void **state)
{
	static const int right[2] = { 1, 0 };
	pg_table t;
	pg_buf out = PG_BUF_INIT, *c;
	size_t i;

	(void)state;
	pg_table_init(&t, 2, right);
	for (i = 0; i < 1000; i++) {
		c = pg_table_add_row(&t, NULL);
		assert_non_null(c);
		pg_buf_addf(&c[0], "%zu", i);
		pg_buf_addf(&c[1], "row %zu", i);
	}
	assert_int_equal(pg_table_render(&out, &t), 0);
	assert_memory_equal(out.ptr, "  0  row 0\n  1  row 1\n", 22);
	assert_non_null(strstr(out.ptr, "\n999  row 999\n"));
	pg_table_release(&t);
	pg_buf_release(&out);
}

/* A cell that failed (over its cap) fails the rendering. */
static void test_table_failed_cell(void **state)
{
	static const int right[1] = { 0 };
	pg_table t;
	pg_buf out = PG_BUF_INIT, *c;

	(void)state;
	pg_table_init(&t, 1, right);
	c = pg_table_add_row(&t, NULL);
	c[0].cap = 4;
	assert_int_equal(pg_buf_adds(&c[0], "too long"), -4 /* PG_ENOMEM */);
	assert_true(pg_table_render(&out, &t) < 0);
	pg_table_release(&t);
	pg_buf_release(&out);
}

static void test_md_escape(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	pg_md_escape(&b, "a|b\\c*d_e`f<g>h[i]j~k&l$m\tn\no/p-q.r");
	assert_string_equal(b.ptr,
			    "a\\|b\\\\c\\*d\\_e\\`f\\<g>h\\[i\\]j\\~k\\&l\\$m n o/p-q.r");
	pg_buf_release(&b);
}

static void test_utf8_sanitize(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	/* valid text, including 2-, 3- and 4-byte sequences, is kept */
	pg_utf8_sanitize(&b, "a\xC2\xB5\xE2\x9C\x85\xF0\x9F\x98\x80z", 0);
	assert_string_equal(b.ptr, "a\xC2\xB5\xE2\x9C\x85\xF0\x9F\x98\x80z");
	/* stray continuation, invalid lead, overlong, surrogate, > U+10FFFF,
	 * truncated at the end */
	pg_buf_reset(&b);
	pg_utf8_sanitize(&b, "\x80|\xFF|\xC0\xAF|\xED\xA0\x80|\xF4\x90\x80\x80|\xE2\x9C", 0);
	assert_string_equal(b.ptr,
		"\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|"
		"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
		"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD");
	/* control characters: kept, or '?' when printable */
	pg_buf_reset(&b);
	pg_utf8_sanitize(&b, "a\tb\033c\x7f", 0);
	assert_string_equal(b.ptr, "a\tb\033c\x7f");
	pg_buf_reset(&b);
	pg_utf8_sanitize(&b, "a\tb\033c\x7f", 1);
	assert_string_equal(b.ptr, "a?b?c?");
	/* C1 controls (U+009B is CSI) too, not the letters after them */
	pg_buf_reset(&b);
	pg_utf8_sanitize(&b, "\xC2\x9B" "2J\xC2\x80\xC2\x9F\xC2\xA0\xC2\xB5", 1);
	assert_string_equal(b.ptr, "?2J??\xC2\xA0\xC2\xB5");
	pg_buf_reset(&b);
	pg_utf8_sanitize(&b, "\xC2\x9B", 0);
	assert_string_equal(b.ptr, "\xC2\x9B");
	/* the same into a scratch buffer, for printing */
	assert_string_equal(pg_utf8_printable(&b, "feat\033[2Jure"), "feat?[2Jure");
	assert_string_equal(pg_utf8_printable(&b, NULL), "");
	pg_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_width),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_grows),
		cmocka_unit_test(test_table_failed_cell),
		cmocka_unit_test(test_md_escape),
		cmocka_unit_test(test_utf8_sanitize),
	};

	return cmocka_run_group_tests_name("format_util", tests, NULL, NULL);
}
