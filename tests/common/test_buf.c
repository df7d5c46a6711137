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
#include "common/file.h"
#include "common/map.h"

static void test_buf_empty_is_string(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.len, 0);
	pg_buf_release(&b);
	assert_non_null(b.ptr);
	pg_buf_reset(&b);
	assert_string_equal(b.ptr, "");
}

static void test_buf_add_and_format(void **state)
{
	pg_buf b = PG_BUF_INIT;
	int i;

	(void)state;
	assert_int_equal(pg_buf_adds(&b, "abc"), 0);
	assert_int_equal(pg_buf_addch(&b, '-'), 0);
	assert_int_equal(pg_buf_addf(&b, "%d/%s", 42, "x"), 0);
	assert_string_equal(b.ptr, "abc-42/x");
	assert_int_equal(b.len, 8);
	for (i = 0; i < 10000; i++)
		assert_int_equal(pg_buf_addf(&b, "%04d", i % 10000), 0);
	assert_int_equal(b.len, 8 + 40000);
	assert_int_equal(b.ptr[b.len], '\0');
	assert_memory_equal(b.ptr + 8 + 4 * 9999, "9999", 4);
	pg_buf_truncate(&b, 3);
	assert_string_equal(b.ptr, "abc");
	pg_buf_adds(&b, " \t\n");
	pg_buf_rtrim(&b);
	assert_string_equal(b.ptr, "abc");
	pg_buf_release(&b);
}

static void test_buf_cap_is_enforced(void **state)
{
	pg_buf b;

	(void)state;
	pg_buf_init(&b, 8);
	assert_int_equal(pg_buf_adds(&b, "12345678"), 0);
	assert_int_equal(pg_buf_adds(&b, "9"), PG_ENOMEM);
	assert_true(pg_buf_failed(&b));
	/* content unchanged, later adds refused */
	assert_string_equal(b.ptr, "12345678");
	assert_int_equal(pg_buf_addch(&b, 'x'), PG_ENOMEM);
	assert_string_equal(pg_error_last(), "buffer size limit exceeded");
	pg_buf_reset(&b);
	assert_false(pg_buf_failed(&b));
	assert_int_equal(pg_buf_adds(&b, "ok"), 0);
	pg_buf_release(&b);
}

static void test_buf_detach(void **state)
{
	pg_buf b = PG_BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	s = pg_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	pg_buf_adds(&b, "hello");
	s = pg_buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	free(s);
}

static void test_map(void **state)
{
	pg_map m = PG_MAP_INIT;
	char key[32];
	size_t v;
	int added, i;

	(void)state;
	assert_int_equal(pg_map_get(&v, &m, "x", 1), PG_ENOTFOUND);
	for (i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof(key), "k%d", i);

		assert_int_equal(pg_map_upsert(&v, &added, &m, key, (size_t)n, (size_t)i), 0);
		assert_true(added);
	}
	assert_int_equal(m.count, 5000);
	assert_int_equal(pg_map_upsert(&v, &added, &m, "k17", 3, 999), 0);
	assert_false(added);
	assert_int_equal(v, 17);
	for (i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof(key), "k%d", i);

		assert_int_equal(pg_map_get(&v, &m, key, (size_t)n), 0);
		assert_int_equal(v, (size_t)i);
	}
	/* keys with embedded NUL bytes are distinct */
	assert_int_equal(pg_map_put(&m, "a\0b", 3, 1), 0);
	assert_int_equal(pg_map_put(&m, "a\0c", 3, 2), 0);
	assert_int_equal(pg_map_get(&v, &m, "a\0c", 3), 0);
	assert_int_equal(v, 2);
	assert_int_equal(pg_map_put(&m, "a\0c", 3, 7), 0);
	assert_int_equal(pg_map_get(&v, &m, "a\0c", 3), 0);
	assert_int_equal(v, 7);
	pg_map_release(&m);
	pg_map_release(NULL);
}

/* pg_strv_pushf: formatted, appended in order, NULL-terminated after
 * every push, freed by pg_free_strv (which is safe on NULL) */
static void test_strv_pushf(void **state)
{
	char **v = NULL;
	size_t n = 0, i;

	(void)state;
	pg_free_strv(NULL);
	assert_int_equal(pg_strv_pushf(&v, &n, "run %d of %d", 1, 3), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "run 1 of 3");
	assert_null(v[1]);
	for (i = 0; i < 40; i++)
		assert_int_equal(pg_strv_pushf(&v, &n, "%s-%zu", "x", i), 0);
	assert_int_equal(n, 41);
	assert_string_equal(v[40], "x-39");
	assert_null(v[41]);
	assert_int_equal(pg_strv_pushf(&v, &n, "%s", ""), 0);
	assert_string_equal(v[41], "");
	assert_null(v[42]);
	pg_free_strv(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_empty_is_string),
		cmocka_unit_test(test_buf_add_and_format),
		cmocka_unit_test(test_buf_cap_is_enforced),
		cmocka_unit_test(test_buf_detach),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_strv_pushf),
	};

	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
