#ifndef PG_AB_BUILD_H
#define PG_AB_BUILD_H

#include "common/buf.h"

/*
 * The baseline commit, checked out and built on this runner for a
 * same-runner A/B measurement, and cached by commit:
 *
 *   <repository>/.perfgate/ab-cache/<commit>/     the commit's tree, built
 *   <repository>/.perfgate/ab-cache/<commit>.lock  serialises builds
 *
 * The tree is written by libgit2 (git_checkout_tree into the directory:
 * the repository's HEAD, index and working tree are not touched); then the
 * configured build command runs there through /bin/sh. A marker file
 * holding the build command records a finished build: a second gate run
 * with the same command reuses it (a failed or interrupted build is
 * started over).
 */

/* Prepare the tree of `commit` (full hex id) of the repository containing
 * `repo_path`; `dir` receives its path. `build` (a shell command, or NULL
 * for none) runs in it with `timeout` seconds (0: none); `*cached` tells
 * whether a previous build was reused. `log` (or NULL) receives the
 * build's output tail on failure. 0, PG_EINFRA ("building the baseline
 * 1a2b3c4 failed: ..."), PG_ENOMEM. */
int pg_ab_prepare(pg_buf *dir, int *cached, const char *repo_path, const char *commit,
		  const char *build, double timeout, pg_buf *log);

#endif
