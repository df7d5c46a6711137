#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/file.h"
#include "gate/git.h"
#include "common/banned.h"

static int git_ready(void)
{
	static int initialised;

	if (!initialised) {
		if (git_libgit2_init() < 0)
			return pg_error_set(PG_EINFRA, "cannot initialise libgit2");
		initialised = 1;
	}
	return 0;
}

int pg_git_branch_name_valid(const char *name)
{
	int valid = 0, err;

	if ((err = git_ready()) < 0)
		return err;
	if (!strncmp(name, "refs/heads/", 11))
		name += 11;
	if (git_branch_name_is_valid(&valid, name) < 0) {
		git_error_clear();
		return 0;
	}
	return valid != 0;
}

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();

	return pg_error_set(PG_EINFRA, "%s: %s", what, e && e->message ? e->message :
			    "unknown libgit2 error");
}

int pg_git_error(int code, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[PG_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return pg_error_set(code, "%s: %s", what, e && e->message ? e->message :
			    "unknown libgit2 error");
}

static int open_repo(git_repository **out, const char *path)
{
	int rc, err;

	*out = NULL;
	if ((err = git_ready()) < 0)
		return err;
	rc = git_repository_open_ext(out, path, 0, NULL);
	if (rc == GIT_ENOTFOUND)
		return PG_ENOTFOUND;
	if (rc == GIT_EOWNER) {
		const git_error *e = git_error_last();

		return pg_error_set(PG_EINFRA, "cannot open the git repository containing "
				    "'%s': %s; if it is yours, run 'git config --global "
				    "--add safe.directory <its top-level directory>'", path,
				    e && e->message ? e->message : "not owned by the current user");
	}
	if (rc < 0)
		return git_fail("cannot open the git repository");
	return 0;
}

int pg_git_open(git_repository **out, const char *path)
{
	return open_repo(out, path);
}

int pg_git_dirty(int *out, git_repository *repo)
{
	git_status_list *status = NULL;
	git_status_options opts;

	*out = 0;
	if (git_repository_is_bare(repo))
		return 0;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&status, repo, &opts) < 0)
		return git_fail("cannot read the status of the working tree");
	*out = git_status_list_entrycount(status) > 0;
	git_status_list_free(status);
	return 0;
}

int pg_git_toplevel(pg_buf *out, const char *path)
{
	git_repository *repo = NULL;
	const char *wd;
	size_t len;
	int err;

	if ((err = open_repo(&repo, path)) < 0)
		return err;
	wd = git_repository_workdir(repo);
	if (!wd) {
		err = pg_error_set(PG_EINFRA, "the git repository has no working tree");
		goto cleanup;
	}
	len = strlen(wd);
	if (len > 1 && wd[len - 1] == '/')
		len--;
	err = pg_buf_add(out, wd, len);

cleanup:
	git_repository_free(repo);
	return err;
}

int pg_git_private_dir(pg_buf *out, const char *path)
{
	pg_buf ignore = PG_BUF_INIT;
	size_t start = out->len;
	int err;

	if ((err = pg_git_toplevel(out, path)) < 0)
		goto cleanup;
	pg_buf_adds(out, "/.perfgate");
	pg_buf_addf(&ignore, "%s/.gitignore", out->ptr + start);
	if (pg_buf_failed(out) || pg_buf_failed(&ignore)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_mkdir_p(out->ptr + start, 0755)) < 0)
		goto cleanup;
	if (access(ignore.ptr, F_OK) != 0)
		err = pg_file_write_atomic(ignore.ptr, "*\n", 2);

cleanup:
	if (err < 0)
		pg_buf_truncate(out, start);
	pg_buf_release(&ignore);
	return err;
}

int pg_git_head(pg_buf *sha, int *dirty, const char *path)
{
	git_repository *repo = NULL;
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];
	int rc, err = 0;

	if ((err = open_repo(&repo, path)) < 0)
		return err;
	rc = git_reference_name_to_id(&oid, repo, "HEAD");
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
		err = PG_ENOTFOUND;
		goto cleanup;
	}
	if (rc < 0) {
		err = git_fail("cannot resolve HEAD");
		goto cleanup;
	}
	git_oid_tostr(hex, sizeof(hex), &oid);
	if ((err = pg_buf_adds(sha, hex)) < 0)
		goto cleanup;
	if (dirty)
		err = pg_git_dirty(dirty, repo);

cleanup:
	git_repository_free(repo);
	return err;
}
