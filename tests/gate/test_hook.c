/*
 * gate/hook.c: the pre-push hook's text (the one embedded in perfgate is
 * ci-templates/hooks/pre-push, the binary's path quoted so that a shell
 * reads it back unchanged), install/uninstall in a temporary directory
 * (fresh, again, updated, chained with an existing hook, refused), and
 * the hooks directory of real repositories made with the git CLI
 * (core.hooksPath absolute, relative, with ~, a bare repository, a linked
 * worktree). HOME and the git configuration are private to the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/hook.h"

static char root[256];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command, its output discarded; the exit status. */
static int sh(const char *fmt, ...)
{
	pg_buf cmd = PG_BUF_INIT;
	va_list ap;
	int rc;

	pg_buf_adds(&cmd, "{ ");
	va_start(ap, fmt);
	pg_buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	pg_buf_adds(&cmd, "; } </dev/null >/dev/null 2>&1");
	rc = system(cmd.ptr);
	pg_buf_release(&cmd);
	return rc;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", root, name);
}

static void write_file(const char *path, const char *text, int mode)
{
	assert_int_equal(pg_file_write_atomic(path, text, strlen(text)), 0);
	assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* The content of `path` (the caller releases it). */
static void read_file(pg_buf *out, const char *path)
{
	pg_buf_reset(out);
	assert_int_equal(pg_file_read(out, path), 0);
}

static int is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && (st.st_mode & 0111) == 0111;
}

static int group_setup(void **state)
{
	char tmpl[] = "/tmp/pg-hook-test-XXXXXX", real[PATH_MAX];

	(void)state;
	if (!mkdtemp(tmpl) || !realpath(tmpl, real) || strlen(real) >= sizeof(root))
		return -1;
	memcpy(root, real, strlen(real) + 1);
	/* libgit2 reads the global configuration from HOME: keep it empty */
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return sh("rm -rf '%s'", root);
}

/* ------------------------------------------------------------ text */

static void test_embedded_text_is_the_template(void **state)
{
	pg_buf file = PG_BUF_INIT, text = PG_BUF_INIT;

	(void)state;
	/* the unit tests run from the top of the repository */
	assert_int_equal(pg_file_read(&file, "ci-templates/hooks/pre-push"), 0);
	assert_int_equal(pg_hook_render(&text, NULL), 0);
	if (file.len != text.len || memcmp(file.ptr, text.ptr, file.len))
		fail_msg("the embedded hook is not ci-templates/hooks/pre-push "
			 "(build/gen/hook_script.h is stale?)");
	assert_true(pg_hook_is_ours(text.ptr, text.len));
	assert_non_null(strstr(text.ptr, "\nperfgate_bin=\n"));
	pg_buf_release(&file);
	pg_buf_release(&text);
}

static void test_render_writes_the_quoted_path(void **state)
{
	static const char *const paths[] = {
		"/usr/local/bin/perfgate",
		"/opt/my tools/it's $HOME/`x`/\"perfgate\"",
	};
	pg_buf text = PG_BUF_INIT, tmpl = PG_BUF_INIT, want = PG_BUF_INIT, got = PG_BUF_INIT;
	char hook[320], out[320];
	size_t i;

	(void)state;
	assert_int_equal(pg_hook_render(&tmpl, NULL), 0);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		pg_buf_reset(&text);
		pg_buf_reset(&want);
		assert_int_equal(pg_hook_render(&text, paths[i]), 0);
		/* only the perfgate_bin= line differs from the template */
		pg_buf_adds(&want, "\nperfgate_bin=");
		pg_shell_quote(&want, paths[i]);
		pg_buf_addch(&want, '\n');
		assert_non_null(strstr(text.ptr, want.ptr));
		assert_int_equal(text.len, tmpl.len + want.len - strlen("\nperfgate_bin=\n"));
		assert_null(strstr(text.ptr, "\nperfgate_bin=\n"));
		assert_true(pg_hook_is_ours(text.ptr, text.len));
		/* a shell reads the path back unchanged */
		path_of(hook, sizeof(hook), "render.sh");
		path_of(out, sizeof(out), "render.out");
		write_file(hook, want.ptr + 1, 0644);
		assert_int_equal(sh("cd '%s' && sh -c '. ./render.sh; printf %%s \"$perfgate_bin\"' "
				    ">render.out", root), 0);
		read_file(&got, out);
		assert_string_equal(got.ptr, paths[i]);
	}
	/* empty means the template's PATH lookup */
	pg_buf_reset(&text);
	assert_int_equal(pg_hook_render(&text, ""), 0);
	assert_string_equal(text.ptr, tmpl.ptr);
	pg_buf_release(&text);
	pg_buf_release(&tmpl);
	pg_buf_release(&want);
	pg_buf_release(&got);
}

static void test_shell_quote(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_shell_quote(&b, ""), 0);
	assert_string_equal(b.ptr, "''");
	pg_buf_reset(&b);
	pg_shell_quote(&b, "a'b");
	assert_string_equal(b.ptr, "'a'\\''b'");
	pg_buf_reset(&b);
	pg_shell_quote(&b, "'");
	assert_string_equal(b.ptr, "''\\'''");
	pg_buf_release(&b);
}

static void test_is_ours(void **state)
{
	static const char ours1[] = "#!/bin/sh\n# perfgate-hook: pre-push\nexit 0\n";
	static const char ours2[] = "#!/bin/sh\n# perfgate-hook: pre-push";
	static const char *const not_ours[] = {
		"#!/bin/sh\nexit 0\n",
		"#!/bin/sh\n## perfgate-hook: pre-push\n",
		"#!/bin/sh\n# perfgate-hook: pre-push-x\n",
		"#!/bin/sh\necho '# perfgate-hook: pre-push'\n",
		"",
	};
	size_t i;

	(void)state;
	assert_true(pg_hook_is_ours(ours1, strlen(ours1)));
	assert_true(pg_hook_is_ours(ours2, strlen(ours2)));
	/* the marker cut off by the length is not there */
	assert_false(pg_hook_is_ours(ours2, strlen(ours2) - 1));
	for (i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++)
		assert_false(pg_hook_is_ours(not_ours[i], strlen(not_ours[i])));
}

/* ------------------------------------------------------------ install */

#define OURS "#!/bin/sh\n# perfgate-hook: pre-push\necho ours\n"
#define OURS2 "#!/bin/sh\n# perfgate-hook: pre-push\necho ours, newer\n"
#define THEIRS "#!/bin/sh\necho theirs\n"

static void test_install_and_uninstall(void **state)
{
	char dir[320], hook[400], local[400];
	enum pg_hook_installed what;
	enum pg_hook_removed gone;
	pg_buf b = PG_BUF_INIT;

	(void)state;
	path_of(dir, sizeof(dir), "plain/hooks");  /* missing: created */
	snprintf(hook, sizeof(hook), "%s/pre-push", dir);
	snprintf(local, sizeof(local), "%s/pre-push.local", dir);

	assert_int_equal(pg_hook_install(&what, dir, OURS, strlen(OURS)), 0);
	assert_int_equal(what, PG_HOOK_INSTALLED);
	read_file(&b, hook);
	assert_string_equal(b.ptr, OURS);
	assert_true(is_executable(hook));
	assert_int_equal(access(local, F_OK), -1);

	/* again: nothing to do; a newer text: updated, no chaining with itself */
	assert_int_equal(pg_hook_install(&what, dir, OURS, strlen(OURS)), 0);
	assert_int_equal(what, PG_HOOK_UNCHANGED);
	assert_int_equal(pg_hook_install(&what, dir, OURS2, strlen(OURS2)), 0);
	assert_int_equal(what, PG_HOOK_UPDATED);
	read_file(&b, hook);
	assert_string_equal(b.ptr, OURS2);
	assert_int_equal(access(local, F_OK), -1);

	assert_int_equal(pg_hook_uninstall(&gone, dir), 0);
	assert_int_equal(gone, PG_HOOK_REMOVED);
	assert_int_equal(access(hook, F_OK), -1);
	assert_int_equal(pg_hook_uninstall(&gone, dir), 0);
	assert_int_equal(gone, PG_HOOK_ABSENT);
	pg_buf_release(&b);
}

static void test_install_chains_an_existing_hook(void **state)
{
	char dir[320], hook[400], local[400];
	enum pg_hook_installed what;
	enum pg_hook_removed gone;
	pg_buf b = PG_BUF_INIT;

	(void)state;
	path_of(dir, sizeof(dir), "chain");
	assert_int_equal(pg_mkdir_p(dir, 0777), 0);
	snprintf(hook, sizeof(hook), "%s/pre-push", dir);
	snprintf(local, sizeof(local), "%s/pre-push.local", dir);
	write_file(hook, THEIRS, 0755);

	/* uninstall leaves someone else's hook alone */
	assert_int_equal(pg_hook_uninstall(&gone, dir), PG_EINPUT);
	assert_non_null(strstr(pg_error_last(), "is not perfgate's hook"));
	read_file(&b, hook);
	assert_string_equal(b.ptr, THEIRS);

	assert_int_equal(pg_hook_install(&what, dir, OURS, strlen(OURS)), 0);
	assert_int_equal(what, PG_HOOK_CHAINED);
	read_file(&b, hook);
	assert_string_equal(b.ptr, OURS);
	read_file(&b, local);
	assert_string_equal(b.ptr, THEIRS);
	assert_true(is_executable(local));
	/* a second install keeps the chain as it is */
	assert_int_equal(pg_hook_install(&what, dir, OURS, strlen(OURS)), 0);
	assert_int_equal(what, PG_HOOK_UNCHANGED);
	read_file(&b, local);
	assert_string_equal(b.ptr, THEIRS);

	assert_int_equal(pg_hook_uninstall(&gone, dir), 0);
	assert_int_equal(gone, PG_HOOK_RESTORED);
	read_file(&b, hook);
	assert_string_equal(b.ptr, THEIRS);
	assert_int_equal(access(local, F_OK), -1);

	/* ours deleted by hand: uninstall still puts pre-push.local back */
	assert_int_equal(pg_hook_install(&what, dir, OURS, strlen(OURS)), 0);
	assert_int_equal(unlink(hook), 0);
	assert_int_equal(pg_hook_uninstall(&gone, dir), 0);
	assert_int_equal(gone, PG_HOOK_RESTORED);
	read_file(&b, hook);
	assert_string_equal(b.ptr, THEIRS);
	pg_buf_release(&b);
}

static void test_install_refuses_when_both_exist(void **state)
{
	char dir[320], hook[400], local[400];
	enum pg_hook_installed what;
	pg_buf b = PG_BUF_INIT;

	(void)state;
	path_of(dir, sizeof(dir), "both");
	assert_int_equal(pg_mkdir_p(dir, 0777), 0);
	snprintf(hook, sizeof(hook), "%s/pre-push", dir);
	snprintf(local, sizeof(local), "%s/pre-push.local", dir);
	write_file(hook, THEIRS, 0755);
	write_file(local, "#!/bin/sh\necho older\n", 0755);
	assert_int_equal(pg_hook_install(&what, dir, OURS, strlen(OURS)), PG_EEXISTS);
	assert_non_null(strstr(pg_error_last(), "exists already"));
	read_file(&b, hook);
	assert_string_equal(b.ptr, THEIRS);
	read_file(&b, local);
	assert_string_equal(b.ptr, "#!/bin/sh\necho older\n");
	pg_buf_release(&b);
}

static void test_install_moves_a_dangling_symlink(void **state)
{
	char dir[320], hook[400], local[400], target[PATH_MAX];
	enum pg_hook_installed what;
	ssize_t n;

	(void)state;
	path_of(dir, sizeof(dir), "link");
	assert_int_equal(pg_mkdir_p(dir, 0777), 0);
	snprintf(hook, sizeof(hook), "%s/pre-push", dir);
	snprintf(local, sizeof(local), "%s/pre-push.local", dir);
	assert_int_equal(symlink("../nowhere/pre-push", hook), 0);
	assert_int_equal(pg_hook_install(&what, dir, OURS, strlen(OURS)), 0);
	assert_int_equal(what, PG_HOOK_CHAINED);
	n = readlink(local, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../nowhere/pre-push");
}

/* ------------------------------------------------------------ where */

static void expect_dir(const char *repo, const char *want)
{
	pg_buf got = PG_BUF_INIT;
	char path[320];

	path_of(path, sizeof(path), repo);
	if (pg_hook_dir(&got, path) < 0)
		fail_msg("pg_hook_dir(%s): %s", path, pg_error_last());
	assert_string_equal(got.ptr, want);
	pg_buf_release(&got);
}

static void test_hook_dir(void **state)
{
	char want[400];
	pg_buf got = PG_BUF_INIT;

	(void)state;
	assert_int_equal(sh("cd '%s' && git init -q repo && git init -q --bare bare.git && "
			    "mkdir -p repo/src && cd repo && "
			    "git -c user.name=t -c user.email=t@example.com commit -q "
			    "--allow-empty -m one && git worktree add -q ../wt", root), 0);

	snprintf(want, sizeof(want), "%s/repo/.git/hooks", root);
	expect_dir("repo", want);
	expect_dir("repo/src", want);
	/* a linked worktree shares the main repository's hooks */
	expect_dir("wt", want);
	snprintf(want, sizeof(want), "%s/bare.git/hooks", root);
	expect_dir("bare.git", want);

	/* core.hooksPath: relative to the top of the working tree */
	assert_int_equal(sh("git -C '%s/repo' config core.hooksPath .githooks/", root), 0);
	snprintf(want, sizeof(want), "%s/repo/.githooks", root);
	expect_dir("repo/src", want);
	/* ... absolute, and with ~ (HOME is the test's directory) */
	assert_int_equal(sh("git -C '%s/repo' config core.hooksPath /srv/hooks", root), 0);
	expect_dir("repo", "/srv/hooks");
	assert_int_equal(sh("git -C '%s/repo' config core.hooksPath '~/my-hooks'", root), 0);
	snprintf(want, sizeof(want), "%s/my-hooks", root);
	expect_dir("repo", want);
	/* a bare repository: relative to the git directory */
	assert_int_equal(sh("git -C '%s/bare.git' config core.hooksPath h", root), 0);
	snprintf(want, sizeof(want), "%s/bare.git/h", root);
	expect_dir("bare.git", want);

	/* outside a repository */
	assert_int_equal(pg_hook_dir(&got, "/"), PG_ENOTFOUND);
	assert_string_equal(pg_error_last(), "'/' is not in a git repository");
	pg_buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_text_is_the_template),
		cmocka_unit_test(test_render_writes_the_quoted_path),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_is_ours),
		cmocka_unit_test(test_install_and_uninstall),
		cmocka_unit_test(test_install_chains_an_existing_hook),
		cmocka_unit_test(test_install_refuses_when_both_exist),
		cmocka_unit_test(test_install_moves_a_dangling_symlink),
		cmocka_unit_test(test_hook_dir),
	};

	return cmocka_run_group_tests_name("hook", tests, group_setup, group_teardown);
}
