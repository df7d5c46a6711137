#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "bench-runner/run.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/ab_build.h"
#include "gate/git.h"
#include "common/banned.h"

#define MARKER ".perfgate-ab-built"

static int checkout(const char *repo_path, const char *commit, const char *dir)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_checkout_options opts;
	git_oid oid;
	int err = 0;

	if ((err = pg_git_open(&repo, repo_path)) < 0)
		return err;
	if (git_oid_fromstr(&oid, commit) < 0 || git_commit_lookup(&c, repo, &oid) < 0 ||
	    git_commit_tree(&tree, c) < 0) {
		err = pg_git_error(PG_EINFRA, "cannot read commit %.12s", commit);
		goto cleanup;
	}
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
	opts.target_directory = dir;
	if (git_checkout_tree(repo, (const git_object *)tree, &opts) < 0)
		err = pg_git_error(PG_EINFRA, "cannot check commit %.12s out into '%s'",
				   commit, dir);

cleanup:
	git_tree_free(tree);
	git_commit_free(c);
	git_repository_free(repo);
	return err;
}

static int run_build(const char *dir, const char *build, double timeout, pg_buf *log,
		     const char *commit)
{
	char *argv[] = { "/bin/sh", "-c", (char *)build, NULL };
	pg_run_opts ro;
	pg_run_result rr;
	pg_buf why = PG_BUF_INIT;
	int err = 0;

	memset(&ro, 0, sizeof(ro));
	ro.argv = argv;
	ro.cwd = dir;
	ro.timeout = timeout;
	pg_run_result_init(&rr);
	if ((err = pg_run_process(&rr, &ro)) < 0)
		goto cleanup;
	if (!pg_run_succeeded(&rr)) {
		pg_run_describe(&why, &rr, timeout);
		err = pg_error_set(PG_EINFRA, "building the baseline %.12s in '%s' failed: '%s' %s",
				   commit, dir, build, why.ptr);
		if (log) {
			pg_buf_add(log, rr.out.len > 4096 ? rr.out.ptr + rr.out.len - 4096 :
				   rr.out.ptr, rr.out.len > 4096 ? 4096 : rr.out.len);
			pg_buf_add(log, rr.err.ptr, rr.err.len);
		}
	}

cleanup:
	pg_run_result_release(&rr);
	pg_buf_release(&why);
	return err;
}

int pg_ab_prepare(pg_buf *dir, int *cached, const char *repo_path, const char *commit,
		  const char *build, double timeout, pg_buf *log)
{
	pg_buf top = PG_BUF_INIT, lock = PG_BUF_INIT, marker = PG_BUF_INIT, have = PG_BUF_INIT;
	const char *cmd = build ? build : "";
	int fd = -1, err;

	*cached = 0;
	if ((err = pg_git_private_dir(&top, repo_path)) < 0) {
		if (err == PG_ENOTFOUND)
			err = pg_error_set(PG_EINPUT, "'%s' is not in a git repository", repo_path);
		goto cleanup;
	}
	pg_buf_addf(&lock, "%s/ab-cache", top.ptr);
	if (pg_buf_failed(&lock) || (err = pg_mkdir_p(lock.ptr, 0755)) < 0)
		goto cleanup;
	pg_buf_addf(dir, "%s/%s", lock.ptr, commit);
	pg_buf_addf(&lock, "/%s.lock", commit);
	pg_buf_addf(&marker, "%s/" MARKER, dir->ptr);
	if (pg_buf_failed(dir) || pg_buf_failed(&lock) || pg_buf_failed(&marker)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	fd = open(lock.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot lock '%s'", lock.ptr);
		goto cleanup;
	}
	if (pg_file_read(&have, marker.ptr) == 0 && !strcmp(have.ptr, cmd)) {
		*cached = 1;
		goto cleanup;
	}
	pg_error_clear();
	if ((err = pg_remove_tree(dir->ptr)) < 0 || (err = pg_mkdir_p(dir->ptr, 0755)) < 0 ||
	    (err = checkout(repo_path, commit, dir->ptr)) < 0)
		goto cleanup;
	if (build && *build && (err = run_build(dir->ptr, build, timeout, log, commit)) < 0)
		goto cleanup;
	err = pg_file_write_atomic(marker.ptr, cmd, strlen(cmd));

cleanup:
	if (fd >= 0)
		close(fd); /* releases the lock */
	pg_buf_release(&top);
	pg_buf_release(&lock);
	pg_buf_release(&marker);
	pg_buf_release(&have);
	return err;
}
