#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"

static void test_file_read_missing_names_file(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_file_read(&b, "/nonexistent/x.txt"), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "cannot open '/nonexistent/x.txt': No such file or directory");
	assert_int_equal(pg_file_read(&b, "/"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "cannot read '/': Is a directory");
	pg_buf_release(&b);
}

/* A scratch directory, removed by rm_dir. */
static void make_dir(char *dir)
{
	assert_non_null(mkdtemp(dir));
}

static void rm_dir(const char *dir)
{
	assert_int_equal(pg_remove_tree(dir), 0);
}

static void test_file_write_atomic_roundtrip(void **state)
{
	char dir[] = "/tmp/pg-test-XXXXXX";
	pg_buf path = PG_BUF_INIT, got = PG_BUF_INIT;

	(void)state;
	make_dir(dir);
	pg_buf_addf(&path, "%s/a/b/c", dir);
	assert_int_equal(pg_mkdir_p(path.ptr, 0755), 0);
	pg_buf_adds(&path, "/f.txt");
	assert_int_equal(pg_file_write_atomic(path.ptr, "one\ntwo\n", 8), 0);
	assert_int_equal(pg_file_read(&got, path.ptr), 0);
	assert_string_equal(got.ptr, "one\ntwo\n");
	/* writing into a missing directory fails and names the file */
	pg_buf_reset(&path);
	pg_buf_addf(&path, "%s/missing/f.txt", dir);
	assert_int_equal(pg_file_write_atomic(path.ptr, "x", 1), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "missing/f.txt"));
	rm_dir(dir);
	pg_buf_release(&path);
	pg_buf_release(&got);
}

/* Writing through a symbolic link replaces the file it names and keeps
 * the link (perfgate run -o link, a results path symlinked into a cache) */
static void test_file_write_atomic_follows_symlink(void **state)
{
	char dir[] = "/tmp/pg-test-XXXXXX";
	pg_buf target = PG_BUF_INIT, link = PG_BUF_INIT, got = PG_BUF_INIT;
	struct stat st;

	(void)state;
	make_dir(dir);
	pg_buf_addf(&target, "%s/target.txt", dir);
	pg_buf_addf(&link, "%s/link.txt", dir);
	assert_int_equal(pg_file_write_atomic(target.ptr, "old\n", 4), 0);
	assert_int_equal(symlink("target.txt", link.ptr), 0);
	assert_int_equal(pg_file_write_atomic(link.ptr, "new\n", 4), 0);
	assert_int_equal(lstat(link.ptr, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(pg_file_read(&got, target.ptr), 0);
	assert_string_equal(got.ptr, "new\n");
	/* a dangling link: the file is created where it points */
	pg_buf_reset(&target);
	pg_buf_addf(&target, "%s/later.txt", dir);
	assert_int_equal(unlink(link.ptr), 0);
	assert_int_equal(symlink("later.txt", link.ptr), 0);
	assert_int_equal(pg_file_write_atomic(link.ptr, "made\n", 5), 0);
	assert_int_equal(lstat(link.ptr, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	pg_buf_reset(&got);
	assert_int_equal(pg_file_read(&got, target.ptr), 0);
	assert_string_equal(got.ptr, "made\n");
	rm_dir(dir);
	pg_buf_release(&target);
	pg_buf_release(&link);
	pg_buf_release(&got);
}

/* What is not a regular file is written in place, never renamed over:
 * a FIFO stays a FIFO and its reader gets the bytes (the same path as
 * -o /dev/stdout or /dev/null, which a rename would destroy when run as
 * root) */
static void test_file_write_atomic_keeps_special_files(void **state)
{
	char dir[] = "/tmp/pg-test-XXXXXX";
	pg_buf fifo = PG_BUF_INIT, sub = PG_BUF_INIT;
	char got[16] = { 0 };
	struct stat st;
	int rd;

	(void)state;
	make_dir(dir);
	pg_buf_addf(&fifo, "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo.ptr, 0600), 0);
	/* a reader first, so that opening for writing does not block */
	rd = open(fifo.ptr, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(pg_file_write_atomic(fifo.ptr, "through\n", 8), 0);
	assert_int_equal(read(rd, got, sizeof(got) - 1), 8);
	assert_string_equal(got, "through\n");
	close(rd);
	assert_int_equal(stat(fifo.ptr, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	/* nothing else was left in the directory */
	pg_buf_addf(&sub, "%s/fifo.tmp", dir);
	assert_int_equal(access(sub.ptr, F_OK), -1);
	/* a directory is refused, naming it */
	pg_buf_reset(&sub);
	pg_buf_addf(&sub, "%s/d", dir);
	assert_int_equal(pg_mkdir_p(sub.ptr, 0755), 0);
	assert_int_equal(pg_file_write_atomic(sub.ptr, "x", 1), PG_EINFRA);
	pg_buf_reset(&fifo);
	pg_buf_addf(&fifo, "cannot write '%s': Is a directory", sub.ptr);
	assert_string_equal(pg_error_last(), fifo.ptr);
	rm_dir(dir);
	pg_buf_release(&fifo);
	pg_buf_release(&sub);
}

/* A full device fails with its errno and stays what it was. Were it
 * replaced (a regression, run as root), it is put back before failing. */
static void test_file_write_atomic_full_device(void **state)
{
	struct stat before, after;
	int rc, kept;

	(void)state;
	if (stat("/dev/full", &before) < 0 || !S_ISCHR(before.st_mode))
		skip();
	rc = pg_file_write_atomic("/dev/full", "x\n", 2);
	kept = stat("/dev/full", &after) == 0 && S_ISCHR(after.st_mode);
	if (!kept) {
		unlink("/dev/full");
		mknod("/dev/full", S_IFCHR | 0666, before.st_rdev);
		chmod("/dev/full", 0666);
	}
	assert_true(kept);
	assert_int_equal(rc, PG_EINFRA);
	assert_string_equal(pg_error_last(),
			    "cannot write '/dev/full': No space left on device");
}

/* pg_file_copy: the bytes of `src` (NULs and all) replace `dst`; a missing
 * source is PG_EINPUT naming it, an unwritable destination PG_EINFRA naming
 * it, and neither leaves a file behind */
static void test_file_copy(void **state)
{
	char dir[] = "/tmp/pg-test-XXXXXX";
	static const char data[] = "line one\n\0binary\xff\n";
	pg_buf src = PG_BUF_INIT, dst = PG_BUF_INIT, got = PG_BUF_INIT, want = PG_BUF_INIT;
	struct stat st;

	(void)state;
	make_dir(dir);
	pg_buf_addf(&src, "%s/src.bin", dir);
	pg_buf_addf(&dst, "%s/dst.bin", dir);
	assert_int_equal(pg_file_write_atomic(src.ptr, data, sizeof(data) - 1), 0);
	assert_int_equal(pg_file_write_atomic(dst.ptr, "older and longer content\n", 25), 0);
	assert_int_equal(pg_file_copy(dst.ptr, src.ptr), 0);
	assert_int_equal(pg_file_read(&got, dst.ptr), 0);
	assert_int_equal(got.len, sizeof(data) - 1);
	assert_memory_equal(got.ptr, data, sizeof(data) - 1);
	/* the source is left as it was */
	pg_buf_reset(&got);
	assert_int_equal(pg_file_read(&got, src.ptr), 0);
	assert_memory_equal(got.ptr, data, sizeof(data) - 1);

	/* a missing source: its name, and no destination */
	pg_buf_reset(&src);
	pg_buf_reset(&dst);
	pg_buf_addf(&src, "%s/missing.bin", dir);
	pg_buf_addf(&dst, "%s/new.bin", dir);
	assert_int_equal(pg_file_copy(dst.ptr, src.ptr), PG_EINPUT);
	pg_buf_addf(&want, "cannot open '%s': No such file or directory", src.ptr);
	assert_string_equal(pg_error_last(), want.ptr);
	assert_int_equal(stat(dst.ptr, &st), -1);

	/* a destination in a missing folder: its name */
	pg_buf_reset(&src);
	pg_buf_reset(&dst);
	pg_buf_addf(&src, "%s/src.bin", dir);
	pg_buf_addf(&dst, "%s/no/such/dir/dst.bin", dir);
	assert_int_equal(pg_file_copy(dst.ptr, src.ptr), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "/no/such/dir/dst.bin"));
	assert_non_null(strstr(pg_error_last(), ": No such file or directory"));

	rm_dir(dir);
	pg_buf_release(&src);
	pg_buf_release(&dst);
	pg_buf_release(&got);
	pg_buf_release(&want);
}

/* pg_mkdtemp: a new directory under $TMPDIR (/tmp when it is empty);
 * on failure the message names the path and `out` stays empty */
static void test_mkdtemp_under_tmpdir(void **state)
{
	char base[] = "/tmp/pg-test-XXXXXX";
	const char *saved = getenv("TMPDIR");
	char *old = saved ? strdup(saved) : NULL;
	pg_buf dir = PG_BUF_INIT, want = PG_BUF_INIT;
	struct stat st;

	(void)state;
	make_dir(base);
	setenv("TMPDIR", base, 1);
	assert_int_equal(pg_mkdtemp(&dir, "pg-x"), 0);
	pg_buf_addf(&want, "%s/pg-x.", base);
	assert_int_equal(dir.len, want.len + 6);
	assert_memory_equal(dir.ptr, want.ptr, want.len);
	assert_int_equal(stat(dir.ptr, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	pg_buf_reset(&dir);
	setenv("TMPDIR", "", 1);
	assert_int_equal(pg_mkdtemp(&dir, "pg-x"), 0);
	assert_memory_equal(dir.ptr, "/tmp/pg-x.", 10);
	assert_int_equal(rmdir(dir.ptr), 0);
	pg_buf_reset(&dir);
	pg_buf_reset(&want);
	pg_buf_addf(&want, "%s/missing", base);
	setenv("TMPDIR", want.ptr, 1);
	assert_int_equal(pg_mkdtemp(&dir, "pg-x"), PG_EINFRA);
	assert_int_equal(dir.len, 0);
	pg_buf_reset(&want);
	pg_buf_addf(&want, "cannot create a temporary directory '%s/missing/pg-x.", base);
	assert_memory_equal(pg_error_last(), want.ptr, want.len);
	assert_non_null(strstr(pg_error_last(), "': No such file or directory"));
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	rm_dir(base);
	pg_buf_release(&dir);
	pg_buf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_read_missing_names_file),
		cmocka_unit_test(test_file_write_atomic_roundtrip),
		cmocka_unit_test(test_file_write_atomic_follows_symlink),
		cmocka_unit_test(test_file_write_atomic_keeps_special_files),
		cmocka_unit_test(test_file_write_atomic_full_device),
		cmocka_unit_test(test_file_copy),
		cmocka_unit_test(test_mkdtemp_under_tmpdir),
	};

	return cmocka_run_group_tests_name("common_file", tests, NULL, NULL);
}
