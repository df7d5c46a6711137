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

#endif
