/*
 * Fake sysfs/procfs trees for the tests of bench-runner/cpus.c and
 * bench-runner/doctor.c: a mkdtemp() directory that PERFGATE_SYSROOT
 * points at, filled file by file, removed afterwards.
 *
 *   char *root = fake_root_new();            // sets PERFGATE_SYSROOT
 *   fake_write(root, "proc/loadavg", "0.10 0.20 0.30 1/100 42\n");
 *   ...
 *   fake_root_free(root);                    // removes the tree, unsets it
 *
 * or cmocka_unit_test_setup_teardown(test, fake_setup, fake_teardown),
 * with the root in *state.
 */
#ifndef PG_TEST_FAKE_SYSROOT_H
#define PG_TEST_FAKE_SYSROOT_H

#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-runner/cpus.h"

/* `path` with its last component removed, created like mkdir -p. */
static inline void fake_mkdir_parents(const char *path)
{
	char buf[4096];
	size_t i, len = strlen(path);

	assert_true(len < sizeof(buf));
	memcpy(buf, path, len + 1);
	for (i = 1; i < len; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && access(buf, F_OK) < 0)
			fail_msg("cannot create '%s'", buf);
		buf[i] = '/';
	}
}

static inline char *fake_root_new(void)
{
	char tmpl[] = "/tmp/perfgate-sysroot.XXXXXX";
	char *root;

	assert_non_null(mkdtemp(tmpl));
	root = strdup(tmpl);
	assert_non_null(root);
	assert_int_equal(setenv("PERFGATE_SYSROOT", root, 1), 0);
	return root;
}

/* Write `content` to <root>/<rel>, creating the directories on the way. */
static inline void fake_write(const char *root, const char *rel, const char *content)
{
	char path[4096];
	FILE *f;

	assert_true(snprintf(path, sizeof(path), "%s/%s", root, rel) < (int)sizeof(path));
	fake_mkdir_parents(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(content, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Make <root>/<rel> a directory: a path that exists but cannot be read as
 * a file (root can read any file, whatever its mode). */
static inline void fake_mkdir(const char *root, const char *rel)
{
	char path[4096];

	assert_true(snprintf(path, sizeof(path), "%s/%s/", root, rel) < (int)sizeof(path));
	fake_mkdir_parents(path);
}

static inline void fake_remove(const char *root, const char *rel)
{
	char path[4096];

	assert_true(snprintf(path, sizeof(path), "%s/%s", root, rel) < (int)sizeof(path));
	assert_int_equal(unlink(path), 0);
}

static inline int fake_rm_one(const char *path, const struct stat *st, int flag,
			      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Empty the tree (PERFGATE_SYSROOT still points at it). */
static inline void fake_clear(const char *root)
{
	assert_int_equal(nftw(root, fake_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	assert_int_equal(mkdir(root, 0700), 0);
}

static inline void fake_root_free(char *root)
{
	unsetenv("PERFGATE_SYSROOT");
	if (!root)
		return;
	assert_int_equal(nftw(root, fake_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(root);
}

/* cmocka setup/teardown: *state is the root, removed even when a test
 * fails. */
static inline int fake_setup(void **state)
{
	*state = fake_root_new();
	return 0;
}

static inline int fake_teardown(void **state)
{
	fake_root_free(*state);
	*state = NULL;
	return 0;
}

/* The CPUs of this process's real affinity mask (pg_cpus_allowed()
 * intersects it with the fake online list). */
static inline void real_affinity(pg_cpuset *out)
{
	cpu_set_t mask;
	size_t i;

	memset(out, 0, sizeof(*out));
	assert_int_equal(sched_getaffinity(0, sizeof(mask), &mask), 0);
	for (i = 0; i < PG_MAX_CPUS && i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &mask))
			pg_cpuset_add(out, i);
}

static inline size_t cpuset_highest(const pg_cpuset *s)
{
	size_t i;

	for (i = PG_MAX_CPUS; i-- > 0;)
		if (s->on[i])
			return i;
	return (size_t)-1;
}

#endif
