#ifndef PG_GIT_H
#define PG_GIT_H

#include "common/buf.h"

/*
 * The git side of perfgate, with libgit2 (1.5, as Debian 12 ships it).
 * Every function initialises libgit2 on first use.
 */

/* The commit HEAD points to in the repository containing `path`
 * (discovered upwards, like git), as 40 hex digits appended to `sha`, and
 * whether the working tree or index differ from it (untracked files do
 * not count). PG_ENOTFOUND when `path` is not in a repository (no message
 * set) or HEAD has no commit yet; PG_EINFRA on libgit2 errors. */
int pg_git_head(pg_buf *sha, int *dirty, const char *path);

/* The top-level directory of the repository containing `path`, appended
 * to `out` without a trailing slash. PG_ENOTFOUND outside a repository. */
int pg_git_toplevel(pg_buf *out, const char *path);

/* perfgate's own directory in the repository containing `path`,
 * "<top-level>/.perfgate", appended to `out`: created when missing (mode
 * 0755), with a ".gitignore" of "*" in it so that `git add .` never picks
 * up the default store or the A/B build cache (as .pytest_cache does).
 * PG_ENOTFOUND outside a repository (no message set); PG_EINFRA when it
 * cannot be created. */
int pg_git_private_dir(pg_buf *out, const char *path);

/* 1 when git accepts `name` as a branch name ("main", "release/1.2"; a
 * leading "refs/heads/" is allowed), 0 when it does not ("", "a..b",
 * "-x"), PG_EINFRA when libgit2 cannot be initialised. */
int pg_git_branch_name_valid(const char *name);

/* For gate/resolve.c, which works on an open repository. */
struct git_repository;

/* Open the repository containing `path` (discovered upwards). The caller
 * frees it with git_repository_free(). PG_ENOTFOUND when `path` is not in
 * a repository (no message set), PG_EINFRA otherwise (a repository owned
 * by another user gets the safe.directory advice). */
int pg_git_open(struct git_repository **out, const char *path);

/* Whether the index or the working tree differ from HEAD (untracked files
 * do not count); 0 for a bare repository. 0 or PG_EINFRA. */
int pg_git_dirty(int *out, struct git_repository *repo);

/* Set `code` with the message "<fmt...>: <libgit2's last error>" and
 * return it. */
int pg_git_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
