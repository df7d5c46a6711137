#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/file.h"
#include "gate/baseline.h"

#define SHA_X "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

#define RESULTS "cpu: Z\nkernel: K\nBenchmarkA 1 5 ns/op\n"

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/pg-baseline-test-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static int parse(pg_manifest *m, const char *files_json)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "{\"version\": 1, \"kind\": \"baseline\", \"commit\": \"abcd\", "
		 "\"created\": \"2026-01-02T03:04:05Z\", \"upload_id\": \"u1\", "
		 "\"host\": {\"cpu\": \"X\"}, \"files\": [%s]}", files_json);
	return pg_manifest_parse(m, text, strlen(text), "v1/p/baselines/abcd/", "m.json");
}

static void test_manifest_validation(void **state)
{
	static const char *const bad[] = {
		/* a name escaping the pull directory */
		"{\"name\": \"../x\", \"key\": \"v1/p/baselines/abcd/u1/x\", \"size\": 1, \"sha256\": \"" SHA_X "\"}",
		/* a key outside the set */
		"{\"name\": \"x\", \"key\": \"v1/p/baselines/ffff/u1/x\", \"size\": 1, \"sha256\": \"" SHA_X "\"}",
		"{\"name\": \"x\", \"key\": \"/etc/passwd\", \"size\": 1, \"sha256\": \"" SHA_X "\"}",
		/* a malformed digest or size */
		"{\"name\": \"x\", \"key\": \"v1/p/baselines/abcd/u1/x\", \"size\": 1, \"sha256\": \"abc\"}",
		"{\"name\": \"x\", \"key\": \"v1/p/baselines/abcd/u1/x\", \"size\": -1, \"sha256\": \"" SHA_X "\"}",
		"{\"name\": \"x\", \"key\": \"v1/p/baselines/abcd/u1/x\", \"sha256\": \"" SHA_X "\"}",
		"",
	};
	pg_manifest m;
	size_t i;

	(void)state;
	assert_int_equal(parse(&m, "{\"name\": \"results.txt\", \"key\": "
			       "\"v1/p/baselines/abcd/u1/results.txt\", \"size\": 1, "
			       "\"sha256\": \"" SHA_X "\"}"), 0);
	assert_int_equal(m.nfiles, 1);
	assert_string_equal(m.files[0].name, "results.txt");
	assert_int_equal(m.files[0].size, 1);
	assert_string_equal(json_string_value(json_object_get(m.host, "cpu")), "X");
	assert_null(m.branch);
	assert_int_equal(pg_manifest_size(&m), 1);
	pg_manifest_release(&m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&m, bad[i]), PG_EINTEGRITY);
		assert_null(m.files);
	}
	assert_int_equal(pg_manifest_parse(&m, "{", 1, "v1/", "m.json"), PG_EINTEGRITY);
	assert_non_null(strstr(pg_error_last(), "manifest 'm.json' is not valid JSON"));
	assert_int_equal(pg_manifest_parse(&m, "{\"version\": 2}", 14, "v1/", "m.json"),
			 PG_EINTEGRITY);
	pg_manifest_release(NULL);
}

static void test_times_and_commits(void **state)
{
	pg_buf b = PG_BUF_INIT;
	double t;

	(void)state;
	assert_int_equal(pg_parse_time(&t, "2026-01-02T03:04:05Z"), 0);
	assert_true(t == 1767323045.0);
	assert_int_equal(pg_format_time(&b, t), 0);
	assert_string_equal(b.ptr, "2026-01-02T03:04:05Z");
	assert_int_equal(pg_parse_time(&t, "2026-01-02 03:04:05"), PG_EINPUT);
	assert_int_equal(pg_parse_time(&t, "2026-01-02T03:04:05Zjunk"), PG_EINPUT);
	assert_int_equal(pg_commit_ok("abcd"), 0);
	assert_int_equal(pg_commit_ok("0123456789abcdef0123456789abcdef01234567"), 0);
	assert_int_equal(pg_commit_ok("abc"), PG_EINPUT);
	assert_int_equal(pg_commit_ok("ABCD"), PG_EINPUT);
	assert_int_equal(pg_commit_ok("abcd/.."), PG_EINPUT);
	pg_buf_reset(&b);
	assert_int_equal(pg_baseline_prefix(&b, "p", "abcd"), 0);
	assert_string_equal(b.ptr, "v1/p/baselines/abcd/");
	pg_buf_reset(&b);
	assert_int_equal(pg_run_prefix(&b, "my proj", "abcd", "run/7"), 0);
	assert_string_equal(b.ptr, "v1/my-proj/runs/abcd/run-7/");
	pg_buf_release(&b);
}

static void test_push_pull_and_refs(void **state)
{
	pg_store *s = NULL;
	pg_push p;
	pg_manifest m;
	pg_buf where = PG_BUF_INIT, path = PG_BUF_INIT, dir = PG_BUF_INIT, got = PG_BUF_INIT;
	const char *paths[2];
	const char *names[2] = { NULL, "profiles/Hash.pb.gz" };

	(void)state;
	pg_buf_addf(&dir, "%s/store", root);
	assert_int_equal(pg_store_open(&s, dir.ptr, NULL), 0);
	pg_buf_addf(&path, "%s/r.txt", root);
	assert_int_equal(pg_file_write_atomic(path.ptr, RESULTS, strlen(RESULTS)), 0);
	paths[0] = path.ptr;
	paths[1] = path.ptr;
	memset(&p, 0, sizeof(p));
	p.project = "p";
	p.commit = "abcd";
	p.branch = "main";
	p.paths = paths;
	p.names = names;
	p.npaths = 2;
	p.now = 1767323045.0;
	assert_int_equal(pg_push_set(&where, s, &p), 0);
	assert_string_equal(where.ptr, "v1/p/baselines/abcd/");

	assert_int_equal(pg_manifest_fetch(&m, s, where.ptr), 0);
	assert_string_equal(m.kind, "baseline");
	assert_string_equal(m.created, "2026-01-02T03:04:05Z");
	assert_string_equal(m.branch, "main");
	assert_int_equal(m.nfiles, 2);
	assert_string_equal(m.files[0].name, "results.txt");
	assert_string_equal(m.files[1].name, "profiles/Hash.pb.gz");
	assert_int_equal(strncmp(m.upload_id, "u20260102T030405Z-", 18), 0);
	/* the fingerprint comes from the results' configuration lines */
	assert_string_equal(json_string_value(json_object_get(m.host, "cpu")), "Z");
	assert_string_equal(json_string_value(json_object_get(m.host, "kernel")), "K");
	pg_manifest_release(&m);

	assert_int_equal(pg_ref_read(&got, s, "p", "main"), 0);
	assert_string_equal(got.ptr, "abcd");
	pg_buf_reset(&got);
	assert_int_equal(pg_ref_read(&got, s, "p", "other"), PG_ENOTFOUND);

	/* two names may not collide */
	names[1] = "results.txt";
	assert_int_equal(pg_push_set(&where, s, &p), PG_EINPUT);
	names[1] = "profiles/Hash.pb.gz";

	pg_buf_reset(&dir);
	pg_buf_addf(&dir, "%s/out", root);
	assert_int_equal(pg_pull_set(&m, s, "v1/p/baselines/abcd/", dir.ptr), 0);
	pg_manifest_release(&m);
	pg_buf_reset(&path);
	pg_buf_addf(&path, "%s/out/profiles/Hash.pb.gz", root);
	pg_buf_reset(&got);
	assert_int_equal(pg_file_read(&got, path.ptr), 0);
	assert_string_equal(got.ptr, RESULTS);
	assert_int_equal(pg_pull_set(&m, s, "v1/p/baselines/ffff/", dir.ptr), PG_ENOTFOUND);

	pg_store_free(s);
	pg_buf_release(&where);
	pg_buf_release(&path);
	pg_buf_release(&dir);
	pg_buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_validation),
		cmocka_unit_test(test_times_and_commits),
		cmocka_unit_test(test_push_pull_and_refs),
	};

	return cmocka_run_group_tests_name("baseline", tests, setup, teardown);
}
