#ifndef PG_RESOLVE_H
#define PG_RESOLVE_H

#include <stddef.h>

#include "common/buf.h"
#include "gate/store.h"

/*
 * Baseline resolution: which commit's baseline a gate run compares
 * against (libgit2 1.5, as Debian 12 ships it). Library code: nothing is
 * printed; what the user should hear is returned in the result
 * (`warnings`) for the command to print.
 *
 * 1. The repository containing `path` is opened (discovered upwards, like
 *    git); HEAD, whether it is detached, the current branch, the dirty
 *    flag (tracked files only) and whether the clone is shallow are read.
 *
 *    The current branch is HEAD's branch when HEAD is attached. When it is
 *    detached (the usual state in CI) it comes from the first non-empty CI
 *    variable of GITHUB_HEAD_REF (GitHub pull requests: the source
 *    branch), GITHUB_REF_NAME (other GitHub events; "123/merge" for a pull
 *    request, hence second), CI_COMMIT_REF_NAME (GitLab); NULL when none
 *    is set.
 *
 * 2. The baseline branch name is, first match wins:
 *      CI_MERGE_REQUEST_TARGET_BRANCH_NAME (GitLab merge-request pipelines)
 *      GITHUB_BASE_REF (GitHub pull requests)
 *      opts->baseline_branch (the configuration)
 *      "main"
 *    except that with opts->branch_is_explicit (a --baseline-branch given
 *    on the command line) opts->baseline_branch wins over the variables.
 *    In a merge-request pipeline the target branch is what the change
 *    will be merged into, so it overrides the configured default. The
 *    name resolves to refs/remotes/origin/<name> when present, else to
 *    the local branch refs/heads/<name>.
 *
 * 3. The merge base of HEAD with that branch is computed (with
 *    git_merge_base, or, in a shallow clone, by a walk of the commits the
 *    clone holds that treats a missing parent as the end of history, as
 *    libgit2 1.5 fails outright on such parents). HEAD without a branch of
 *    its own (HEAD == main) gives HEAD itself.
 *
 * 4. The merge base and then its first-parent ancestors are offered to
 *    opts->has_baseline, nearest first, at most opts->max_walk commits in
 *    all (the merge base counts as the first); the first commit for which
 *    it answers 1 is the baseline. Merged side branches are never
 *    entered. A walk cut short by a shallow boundary still checks the
 *    commits it has.
 *
 * 5. When nothing is found (the walk ends, there is no baseline branch or
 *    no merge base), the resolver falls back itself to the store's
 *    refs/<baseline branch> pointer through opts->branch_ref (when set),
 *    checks that its commit has a baseline, and adds a warning naming the
 *    commit used. Without branch_ref, or when the fallback finds nothing,
 *    the result's `source` is PG_BASELINE_NONE and the return value is
 *    still 0: the caller applies its missing-baseline policy.
 *
 * Shallow clones: every place where the missing history matters adds a
 * warning saying precisely which git command brings it in (see the
 * messages in resolve.c and the report); nothing fails because a clone
 * is shallow.
 */

#define PG_RESOLVE_MAX_WALK 50
#define PG_RESOLVE_HEX_MAX 64          /* SHA-256 repositories, one day */

typedef enum pg_baseline_source {
	PG_BASELINE_NONE = 0,          /* nothing found: missing-baseline policy */
	PG_BASELINE_MERGE_BASE,        /* the merge base itself */
	PG_BASELINE_ANCESTOR,          /* a first-parent ancestor of the merge base */
	PG_BASELINE_REF                /* the store's refs/<branch> (a fallback) */
} pg_baseline_source;

typedef struct pg_resolve_options {
	/* configured baseline branch name (a branch name, not a ref);
	 * NULL for "main" */
	const char *baseline_branch;
	/* nonzero: baseline_branch wins over the CI target-branch variables */
	int branch_is_explicit;
	/* first-parent commits to check, the merge base included; 0 for
	 * PG_RESOLVE_MAX_WALK */
	unsigned max_walk;

	/* the environment: returns the variable's value or NULL; NULL for
	 * getenv(3). Injected so that tests are deterministic. Empty values
	 * count as unset. */
	const char *(*env)(void *ctx, const char *name);
	void *env_ctx;

	/* Whether the store has a baseline for `commit_hex` (40 hex digits):
	 * 1 yes, 0 no, a negative PG_E* code (message set) on failure, which
	 * ends the resolution with that code. Required by
	 * pg_resolve_baseline(). */
	int (*has_baseline)(void *ctx, const char *commit_hex);
	/* The fallback: append to `out` the commit the store's refs/<branch>
	 * points to; 0, PG_ENOTFOUND (no such ref, no message), or a negative
	 * code (message set) that ends the resolution. NULL: no fallback. */
	int (*branch_ref)(void *ctx, pg_buf *out, const char *branch);
	void *store_ctx;               /* passed to both */
} pg_resolve_options;

typedef struct pg_resolve_result {
	/* the repository */
	char *repo_path;               /* top-level directory (the git dir for a
					* bare repository), no trailing '/' */
	char head[PG_RESOLVE_HEX_MAX + 1];     /* HEAD's commit, hex */
	int detached;
	char *branch;                  /* current branch, or NULL when unknown */
	const char *branch_source;     /* "HEAD", "GITHUB_HEAD_REF",
					* "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME",
					* or NULL (static strings) */
	int dirty;                     /* tracked files differ from HEAD (0 for
					* a bare repository) */
	int shallow;

	/* the baseline branch (pg_resolve_baseline() only) */
	char *target_branch;           /* the name used, e.g. "main" */
	const char *target_source;     /* "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
					* "GITHUB_BASE_REF", "configuration",
					* "default" (static strings) */
	char *target_ref;              /* "origin/main" or "main"; NULL when
					* neither exists */
	char merge_base[PG_RESOLVE_HEX_MAX + 1]; /* "" when none */

	/* the answer */
	pg_baseline_source source;
	char commit[PG_RESOLVE_HEX_MAX + 1];   /* "" with PG_BASELINE_NONE */
	unsigned distance;             /* first-parent commits before the merge
					* base (PG_BASELINE_ANCESTOR) */
	unsigned checked;              /* commits offered to has_baseline */
	char *description;             /* how it was found, e.g. "4 first-parent
					* commits before the merge base of HEAD
					* and origin/main"; NULL with NONE */

	/* for the user, in order; each a complete sentence in the usual
	 * style (lowercase, no full stop) */
	char **warnings;
	size_t nwarnings;
} pg_resolve_result;

/* "none", "merge-base", "ancestor", "ref": for machine-readable reports. */
const char *pg_baseline_source_name(pg_baseline_source s);

void pg_resolve_options_init(pg_resolve_options *opts);

void pg_resolve_result_init(pg_resolve_result *r);
/* Free everything the result holds; it is empty (initialised) after.
 * Safe on NULL. */
void pg_resolve_result_release(pg_resolve_result *r);

/* Step 1 only: open the repository containing `path` and fill repo_path,
 * head, detached, branch, branch_source, dirty and shallow. `opts` may be
 * NULL (getenv(3)). `out` is initialised here; release it in every case.
 * Returns 0, PG_EINPUT ("'<path>' is not in a git repository", "the git
 * repository '<dir>' has no commit yet"), PG_EINFRA (a libgit2 failure,
 * naming the repository), PG_ENOMEM. */
int pg_resolve_repo(pg_resolve_result *out, const char *path,
		    const pg_resolve_options *opts);

/* Steps 1 to 5. Returns 0 whether or not a baseline was found (see
 * out->source), PG_EINPUT as above or for an invalid baseline branch name,
 * PG_EINFRA, PG_ENOMEM, or a code returned by a callback. `out` is
 * initialised here; release it in every case (on failure it holds what
 * was found before). */
int pg_resolve_baseline(pg_resolve_result *out, const char *path,
			const pg_resolve_options *opts);

/* Ready-made callbacks asking a store (store_ctx points to a
 * pg_resolve_store): has_baseline fetches and validates the commit's
 * manifest.json (pg_manifest_fetch: "no manifest, no baseline"; a
 * malformed manifest is an error, PG_EINTEGRITY), branch_ref reads
 * refs/<branch> (pg_ref_read). `project` is a sanitized component. */
typedef struct pg_resolve_store {
	pg_store *store;
	const char *project;
} pg_resolve_store;

int pg_resolve_store_has_baseline(void *ctx, const char *commit_hex);
int pg_resolve_store_branch_ref(void *ctx, pg_buf *out, const char *branch);

#endif
