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

#include "common/error.h"
#include "common/file.h"
#include "gate/store.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/pg-store-test-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_key_rules(void **state)
{
	static const char *const good[] = {
		"a", "v1/p/baselines/abc/manifest.json", "a.b/c-d/e_f+g=h@i,j:k~l",
		".hidden/x", "...", "v1/p/refs/feature-x",
	};
	static const char *const bad[] = {
		"", "/a", "a/", "a//b", "../a", "a/../b", "a/./b", ".", "..", "a b",
		"a\nb", "a\\b", "a?b", "a#b", "a%2fb", "a*b", "a'b", "a\"b", "a$b",
		"\xc3\xa9",
	};
	char longc[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (pg_store_key_ok(good[i]) != 0)
			fail_msg("'%s' should be a valid key", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pg_store_key_ok(bad[i]) != PG_EINPUT)
			fail_msg("'%s' should be refused", bad[i]);
	memset(longc, 'x', 201);
	longc[201] = '\0';
	assert_int_equal(pg_store_key_ok(longc), PG_EINPUT);
	longc[200] = '\0';
	assert_int_equal(pg_store_key_ok(longc), 0);
	assert_int_equal(pg_store_key_ok("a/../b"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "invalid store key 'a/../b'");
}

static void test_sanitize(void **state)
{
	static const char *const cases[][2] = {
		{ "main", "main" },
		{ "feature/x", "feature-x" },
		{ "../../etc", "..-..-etc" },
		{ "..", "_" },
		{ ".", "_" },
		{ "", "_" },
		{ "a b\tc\n", "a-b-c-" },
		{ "caf\xc3\xa9", "caf--" },
		{ "Sort/n=100-2", "Sort-n=100-2" },
	};
	pg_buf b = PG_BUF_INIT;
	char longname[400];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pg_buf_reset(&b);
		assert_int_equal(pg_store_sanitize_component(&b, cases[i][0]), 0);
		assert_string_equal(b.ptr, cases[i][1]);
		assert_int_equal(pg_store_key_ok(b.ptr), 0);
	}
	memset(longname, 'y', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	pg_buf_reset(&b);
	pg_store_sanitize_component(&b, longname);
	assert_int_equal(b.len, 200);
	assert_int_equal(pg_store_key_ok(b.ptr), 0);
	pg_buf_release(&b);
}

static void test_open_dispatch(void **state)
{
	pg_store *s = NULL;

	(void)state;
	assert_int_equal(pg_store_open(&s, "ftp://host/x", NULL), PG_EINPUT);
	assert_null(s);
	assert_string_equal(pg_error_last(), "unsupported store URL 'ftp' (expected a folder, "
			    "file://, http://, https:// or s3://)");
	assert_int_equal(pg_store_open(&s, "file://relative/path", NULL), PG_EINPUT);
	assert_int_equal(pg_store_open(&s, "", NULL), PG_EINPUT);
	assert_int_equal(pg_store_open(&s, "file:///tmp/x/", NULL), 0);
	assert_string_equal(pg_store_display_url(s), "/tmp/x");
	pg_store_free(s);
	pg_store_free(NULL);
}

static void test_file_store_round_trip(void **state)
{
	pg_store *s = NULL;
	pg_store_list l;
	pg_buf path = PG_BUF_INIT, got = PG_BUF_INIT, dir = PG_BUF_INIT;
	unsigned long long size = 0;

	(void)state;
	pg_store_list_init(&l);
	pg_buf_addf(&dir, "%s/store", root);
	assert_int_equal(pg_store_open(&s, dir.ptr, NULL), 0);
	assert_int_equal(pg_store_put_buf(s, "v1/p/a/x.txt", "hello", 5), 0);
	assert_int_equal(pg_store_put_buf(s, "v1/p/a/b/y.txt", "", 0), 0);
	assert_int_equal(pg_store_put_buf(s, "v1/q/z.txt", "zz", 2), 0);
	/* overwrite is whole */
	assert_int_equal(pg_store_put_buf(s, "v1/p/a/x.txt", "bye", 3), 0);
	assert_int_equal(pg_store_get_buf(s, "v1/p/a/x.txt", &got, 100), 0);
	assert_string_equal(got.ptr, "bye");
	assert_int_equal(pg_store_head(s, "v1/p/a/x.txt", &size), 0);
	assert_int_equal(size, 3);
	assert_int_equal(pg_store_head(s, "v1/p/a", &size), PG_ENOTFOUND);
	assert_int_equal(pg_store_head(s, "v1/p/none", &size), PG_ENOTFOUND);

	/* a size cap on downloads; the buffer keeps what it had */
	pg_buf_reset(&got);
	pg_buf_adds(&got, "keep");
	assert_int_equal(pg_store_get_buf(s, "v1/p/a/x.txt", &got, 2), PG_EINFRA);
	assert_string_equal(got.ptr, "keep");
	assert_int_equal(pg_store_get_buf(s, "v1/p/missing", &got, 100), PG_ENOTFOUND);

	/* file transfers */
	pg_buf_addf(&path, "%s/local.txt", root);
	assert_int_equal(pg_file_write_atomic(path.ptr, "from a file\n", 12), 0);
	assert_int_equal(pg_store_put_file(s, "v1/p/f.txt", path.ptr, NULL), 0);
	pg_buf_reset(&path);
	pg_buf_addf(&path, "%s/back.txt", root);
	assert_int_equal(pg_store_get_file(s, "v1/p/f.txt", path.ptr), 0);
	pg_buf_reset(&got);
	assert_int_equal(pg_file_read(&got, path.ptr), 0);
	assert_string_equal(got.ptr, "from a file\n");
	assert_int_equal(pg_store_get_file(s, "v1/p/nope", path.ptr), PG_ENOTFOUND);
	pg_buf_reset(&got);
	assert_int_equal(pg_file_read(&got, path.ptr), 0);
	assert_string_equal(got.ptr, "from a file\n"); /* untouched */

	/* listing: sorted, recursive, relative to the root */
	assert_int_equal(pg_store_list_prefix(s, "v1/p/", &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].key, "v1/p/a/b/y.txt");
	assert_string_equal(l.items[1].key, "v1/p/a/x.txt");
	assert_int_equal(l.items[1].size, 3);
	assert_string_equal(l.items[2].key, "v1/p/f.txt");
	pg_store_list_release(&l);
	assert_int_equal(pg_store_list_prefix(s, "", &l), 0);
	assert_int_equal(l.n, 4);
	pg_store_list_release(&l);
	assert_int_equal(pg_store_list_prefix(s, "v1/none/", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(pg_store_list_prefix(s, "v1/p", &l), PG_EINPUT);

	/* delete: absent is fine, empty directories go */
	assert_int_equal(pg_store_delete(s, "v1/p/a/b/y.txt"), 0);
	assert_int_equal(pg_store_delete(s, "v1/p/a/b/y.txt"), 0);
	pg_buf_reset(&path);
	pg_buf_addf(&path, "%s/v1/p/a/b", dir.ptr);
	assert_int_equal(access(path.ptr, F_OK), -1);
	assert_int_equal(pg_store_delete(s, "../escape"), PG_EINPUT);

	pg_store_list_release(&l);
	pg_store_free(s);
	pg_buf_release(&path);
	pg_buf_release(&got);
	pg_buf_release(&dir);
}

static void test_file_store_failures_leave_nothing(void **state)
{
	pg_store *s = NULL;
	pg_store_list l;
	pg_buf dir = PG_BUF_INIT, blocker = PG_BUF_INIT;

	(void)state;
	pg_store_list_init(&l);
	pg_buf_addf(&dir, "%s/store2", root);
	assert_int_equal(pg_store_open(&s, dir.ptr, NULL), 0);
	/* a file where a directory must go */
	assert_int_equal(pg_store_put_buf(s, "a", "x", 1), 0);
	assert_int_equal(pg_store_put_buf(s, "a/b", "y", 1), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "upload of '"));
	assert_int_equal(pg_store_put_file(s, "c", "/nonexistent/file", NULL), PG_EINPUT);
	assert_int_equal(pg_store_list_prefix(s, "", &l), 0);
	assert_int_equal(l.n, 1); /* no temporary file visible or left */
	assert_string_equal(l.items[0].key, "a");
	pg_store_list_release(&l);
	pg_store_free(s);
	pg_buf_release(&dir);
	pg_buf_release(&blocker);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_rules),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_open_dispatch),
		cmocka_unit_test(test_file_store_round_trip),
		cmocka_unit_test(test_file_store_failures_leave_nothing),
	};

	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
