#include <git2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "common/map.h"
#include "gate/baseline.h"
#include "gate/git.h"
#include "gate/resolve.h"
#include "common/banned.h"

/*
 * Baseline resolution (see resolve.h). libgit2 1.5 knows nothing of
 * shallow boundaries beyond git_repository_is_shallow(): a grafted commit
 * still lists its parents, whose objects are missing, and git_merge_base()
 * and git_revwalk_next() fail on them ("object not found") even when the
 * merge base itself is in the clone. So in a shallow clone the merge base
 * is computed here over the commits the clone holds, a missing parent
 * being the end of history, and the first-parent walk is done by hand
 * (following parent 0) for the same reason.
 */

/* ------------------------------------------------------------ helpers */

static const char *env_get(const pg_resolve_options *o, const char *name)
{
	const char *v = o && o->env ? o->env(o->env_ctx, name) : getenv(name);

	return v && *v ? v : NULL;
}

static int dup_str(char **out, const char *s)
{
	free(*out);
	*out = strdup(s);
	if (!*out)
		return pg_error_set(PG_ENOMEM, "out of memory");
	return 0;
}

static int add_warning(pg_resolve_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_warning(pg_resolve_result *r, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = pg_strv_vpushf(&r->warnings, &r->nwarnings, fmt, ap);
	va_end(ap);
	return err;
}

static void oid_hex(char out[PG_RESOLVE_HEX_MAX + 1], const git_oid *id)
{
	git_oid_tostr(out, PG_RESOLVE_HEX_MAX + 1, id);
}

typedef struct oid_vec {
	git_oid *v;
	size_t n, alloc;
} oid_vec;

static int oid_push(oid_vec *s, const git_oid *id)
{
	if (s->n == s->alloc) {
		size_t alloc = s->alloc ? 2 * s->alloc : 64;
		git_oid *grown = realloc(s->v, alloc * sizeof(*grown));

		if (!grown)
			return pg_error_set(PG_ENOMEM, "out of memory");
		s->v = grown;
		s->alloc = alloc;
	}
	s->v[s->n++] = *id;
	return 0;
}

static void oid_vec_release(oid_vec *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

/* Look a commit up; *out is NULL when its object is not in the
 * repository (beyond a shallow boundary). */
static int load_commit(git_commit **out, git_repository *repo, const git_oid *id,
		       const char *repo_path)
{
	char hex[PG_RESOLVE_HEX_MAX + 1];
	int rc;

	*out = NULL;
	rc = git_commit_lookup(out, repo, id);
	if (rc == GIT_ENOTFOUND) {
		*out = NULL;
		git_error_clear();
		return 0;
	}
	if (rc < 0) {
		oid_hex(hex, id);
		return pg_git_error(PG_EINFRA, "cannot read commit %s in the git repository '%s'",
				    hex, repo_path);
	}
	return 0;
}

/* values in the commit sets below */
#define SEEN_PRESENT 1
#define SEEN_MISSING 2

static int seen_get(const pg_map *m, const git_oid *id)
{
	size_t v;

	return pg_map_get(&v, m, id->id, GIT_OID_RAWSZ) == 0 ? (int)v : 0;
}

/*
 * Walk everything reachable from `starts` that the repository holds,
 * recording each commit in `seen` (SEEN_PRESENT, or SEEN_MISSING for an
 * id whose object is absent). A commit present in `stop` (when not NULL)
 * is appended to `hits` and not walked through.
 */
static int reach(pg_map *seen, git_repository *repo, const git_oid *starts,
		 size_t nstarts, const pg_map *stop, oid_vec *hits, const char *repo_path)
{
	oid_vec stack = { NULL, 0, 0 };
	git_commit *c = NULL;
	git_oid id;
	unsigned i, n;
	size_t k;
	int err = 0;

	for (k = 0; k < nstarts; k++)
		if ((err = oid_push(&stack, &starts[k])) < 0)
			goto cleanup;
	while (stack.n) {
		id = stack.v[--stack.n];
		if (seen_get(seen, &id))
			continue;
		if ((err = load_commit(&c, repo, &id, repo_path)) < 0)
			goto cleanup;
		if ((err = pg_map_put(seen, id.id, GIT_OID_RAWSZ,
				      c ? SEEN_PRESENT : SEEN_MISSING)) < 0)
			goto cleanup;
		if (!c)
			continue;
		if (stop && seen_get(stop, &id) == SEEN_PRESENT) {
			if ((err = oid_push(hits, &id)) < 0)
				goto cleanup;
		} else {
			n = git_commit_parentcount(c);
			for (i = 0; i < n; i++) {
				const git_oid *p = git_commit_parent_id(c, i);

				if (!seen_get(seen, p) && (err = oid_push(&stack, p)) < 0)
					goto cleanup;
			}
		}
		git_commit_free(c);
		c = NULL;
	}

cleanup:
	git_commit_free(c);
	oid_vec_release(&stack);
	return err;
}

/*
 * The merge base of `a` and `b` over the commits the repository holds (a
 * missing parent ends the history, as a graft does for git): the common
 * ancestors that no other common ancestor descends from; of several, the
 * latest by committer time (then the smallest id, to be deterministic).
 * *found is 0 when they have no common ancestor in the clone.
 */
static int merge_base_in_clone(git_oid *out, int *found, git_repository *repo,
			       const git_oid *a, const git_oid *b, const char *repo_path)
{
	pg_map from_b = PG_MAP_INIT, from_a = PG_MAP_INIT, stale = PG_MAP_INIT;
	oid_vec hits = { NULL, 0, 0 }, parents = { NULL, 0, 0 };
	git_commit *c = NULL;
	git_time_t best_time = 0;
	size_t k;
	unsigned i;
	int err, have = 0;

	*found = 0;
	if ((err = reach(&from_b, repo, b, 1, NULL, NULL, repo_path)) < 0 ||
	    (err = reach(&from_a, repo, a, 1, &from_b, &hits, repo_path)) < 0)
		goto cleanup;
	/* a common ancestor below another one is not a best one */
	for (k = 0; k < hits.n && hits.n > 1; k++) {
		if ((err = load_commit(&c, repo, &hits.v[k], repo_path)) < 0)
			goto cleanup;
		for (i = 0; c && i < git_commit_parentcount(c); i++)
			if ((err = oid_push(&parents, git_commit_parent_id(c, i))) < 0)
				goto cleanup;
		git_commit_free(c);
		c = NULL;
	}
	if (parents.n && (err = reach(&stale, repo, parents.v, parents.n, NULL, NULL,
				      repo_path)) < 0)
		goto cleanup;
	for (k = 0; k < hits.n; k++) {
		git_time_t t;

		if (seen_get(&stale, &hits.v[k]) == SEEN_PRESENT)
			continue;
		if ((err = load_commit(&c, repo, &hits.v[k], repo_path)) < 0)
			goto cleanup;
		t = c ? git_commit_time(c) : 0;
		git_commit_free(c);
		c = NULL;
		if (!have || t > best_time ||
		    (t == best_time && git_oid_cmp(&hits.v[k], out) < 0)) {
			*out = hits.v[k];
			best_time = t;
			have = 1;
		}
	}
	*found = have;

cleanup:
	git_commit_free(c);
	pg_map_release(&from_b);
	pg_map_release(&from_a);
	pg_map_release(&stale);
	oid_vec_release(&hits);
	oid_vec_release(&parents);
	return err;
}

/* ------------------------------------------------------------ the repository */

const char *pg_baseline_source_name(pg_baseline_source s)
{
	switch (s) {
	case PG_BASELINE_MERGE_BASE:
		return "merge-base";
	case PG_BASELINE_ANCESTOR:
		return "ancestor";
	case PG_BASELINE_REF:
		return "ref";
	default:
		return "none";
	}
}

void pg_resolve_options_init(pg_resolve_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_walk = PG_RESOLVE_MAX_WALK;
}

void pg_resolve_result_init(pg_resolve_result *r)
{
	memset(r, 0, sizeof(*r));
}

void pg_resolve_result_release(pg_resolve_result *r)
{
	size_t i;

	if (!r)
		return;
	free(r->repo_path);
	free(r->branch);
	free(r->target_branch);
	free(r->target_ref);
	free(r->description);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	pg_resolve_result_init(r);
}

static int read_repo(pg_resolve_result *r, git_repository **out, git_oid *head,
		     const char *path, const pg_resolve_options *opts)
{
	static const char *const ci_vars[] = {
		"GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"
	};
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	const char *dir;
	size_t i, len;
	int rc, err;

	*out = NULL;
	err = pg_git_open(&repo, path);
	if (err == PG_ENOTFOUND)
		return pg_error_set(PG_EINPUT, "'%s' is not in a git repository", path);
	if (err < 0)
		return err;
	dir = git_repository_workdir(repo);
	if (!dir)
		dir = git_repository_path(repo);
	len = strlen(dir);
	if (len > 1 && dir[len - 1] == '/')
		len--;
	r->repo_path = strndup(dir, len);
	if (!r->repo_path) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}

	rc = git_repository_is_shallow(repo);
	if (rc < 0) {
		err = pg_git_error(PG_EINFRA, "cannot tell whether the git repository '%s' "
				   "is shallow", r->repo_path);
		goto cleanup;
	}
	r->shallow = rc;

	rc = git_reference_name_to_id(head, repo, "HEAD");
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
		err = pg_error_set(PG_EINPUT, "the git repository '%s' has no commit yet",
				   r->repo_path);
		goto cleanup;
	}
	if (rc < 0) {
		err = pg_git_error(PG_EINFRA, "cannot read HEAD of the git repository '%s'",
				   r->repo_path);
		goto cleanup;
	}
	oid_hex(r->head, head);

	rc = git_repository_head_detached(repo);
	if (rc < 0) {
		err = pg_git_error(PG_EINFRA, "cannot read HEAD of the git repository '%s'",
				   r->repo_path);
		goto cleanup;
	}
	r->detached = rc;
	if (!r->detached) {
		if (git_repository_head(&ref, repo) < 0) {
			err = pg_git_error(PG_EINFRA, "cannot read HEAD of the git repository '%s'",
					   r->repo_path);
			goto cleanup;
		}
		if ((err = dup_str(&r->branch, git_reference_shorthand(ref))) < 0)
			goto cleanup;
		r->branch_source = "HEAD";
	} else {
		for (i = 0; i < sizeof(ci_vars) / sizeof(ci_vars[0]); i++) {
			const char *v = env_get(opts, ci_vars[i]);

			if (v) {
				if ((err = dup_str(&r->branch, v)) < 0)
					goto cleanup;
				r->branch_source = ci_vars[i];
				break;
			}
		}
	}

	if ((err = pg_git_dirty(&r->dirty, repo)) < 0) {
		err = pg_error_prefix(err, "git repository '%s'", r->repo_path);
		goto cleanup;
	}
	*out = repo;
	repo = NULL;

cleanup:
	git_reference_free(ref);
	git_repository_free(repo);
	return err;
}

int pg_resolve_repo(pg_resolve_result *out, const char *path,
		    const pg_resolve_options *opts)
{
	git_repository *repo = NULL;
	git_oid head;
	int err;

	pg_resolve_result_init(out);
	err = read_repo(out, &repo, &head, path, opts);
	git_repository_free(repo);
	return err;
}

/* ------------------------------------------------------------ the baseline */

/* Why the walk found nothing. */
enum walk_end {
	END_FOUND,
	END_LIMIT,          /* max_walk commits checked */
	END_ROOT,           /* the root commit checked */
	END_SHALLOW         /* a parent missing from the shallow clone */
};

/* The baseline branch: its name, where the name came from, its tip. */
static int pick_target(pg_resolve_result *r, git_oid *tip, int *have_tip,
		       git_repository *repo, const pg_resolve_options *opts)
{
	const char *name = NULL, *source = NULL;
	pg_buf ref = PG_BUF_INIT;
	int rc, valid = 0, err = 0;

	*have_tip = 0;
	if (opts->branch_is_explicit && opts->baseline_branch && *opts->baseline_branch) {
		name = opts->baseline_branch;
		source = "configuration";
	} else if ((name = env_get(opts, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"))) {
		source = "CI_MERGE_REQUEST_TARGET_BRANCH_NAME";
	} else if ((name = env_get(opts, "GITHUB_BASE_REF"))) {
		source = "GITHUB_BASE_REF";
	} else if (opts->baseline_branch && *opts->baseline_branch) {
		name = opts->baseline_branch;
		source = "configuration";
	} else {
		name = "main";
		source = "default";
	}
	r->target_source = source;
	/* checked before the "refs/heads/" is dropped here: the check drops
	 * it itself, once */
	if ((valid = pg_git_branch_name_valid(name)) < 0)
		return valid;
	if (!strncmp(name, "refs/heads/", 11))
		name += 11;
	if (!valid)
		return pg_error_set(PG_EINPUT, "invalid baseline branch name '%s' (from %s)",
				    name, source);
	if ((err = dup_str(&r->target_branch, name)) < 0)
		return err;

	pg_buf_addf(&ref, "refs/remotes/origin/%s", name);
	if (pg_buf_failed(&ref))
		return PG_ENOMEM;
	rc = git_reference_name_to_id(tip, repo, ref.ptr);
	if (rc == GIT_ENOTFOUND) {
		pg_buf_reset(&ref);
		pg_buf_addf(&ref, "refs/heads/%s", name);
		if (pg_buf_failed(&ref)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		rc = git_reference_name_to_id(tip, repo, ref.ptr);
	}
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		goto cleanup;
	}
	if (rc < 0) {
		err = pg_git_error(PG_EINFRA, "cannot read '%s' in the git repository '%s'",
				   ref.ptr, r->repo_path);
		goto cleanup;
	}
	/* "origin/main" or "main" */
	err = dup_str(&r->target_ref, ref.ptr + (ref.ptr[5] == 'r' ? 13 : 11));
	*have_tip = 1;

cleanup:
	pg_buf_release(&ref);
	return err;
}

/* " (or set fetch-depth: 0 in actions/checkout)" or GitLab's equivalent */
static const char *ci_depth_advice(const pg_resolve_options *opts)
{
	if (env_get(opts, "GITLAB_CI"))
		return " (or set GIT_DEPTH: 0 in .gitlab-ci.yml)";
	return " (or set fetch-depth: 0 in actions/checkout)";
}

/* Whether `id` is an ancestor of `head`: 1, 0, or -1 when the shallow
 * clone cannot tell. */
static int ancestry(git_repository *repo, const git_oid *head, const git_oid *id,
		    int shallow, const char *repo_path, int *err)
{
	pg_map seen = PG_MAP_INIT;
	git_commit *c = NULL;
	int rc;

	*err = 0;
	if (!shallow) {
		if ((*err = load_commit(&c, repo, id, repo_path)) < 0)
			return -1;
		if (!c)
			return 0;       /* every ancestor of HEAD is in a full clone */
		git_commit_free(c);
		rc = git_graph_descendant_of(repo, head, id);
		if (rc < 0) {
			git_error_clear();
			return -1;
		}
		return rc;
	}
	if ((*err = reach(&seen, repo, head, 1, NULL, NULL, repo_path)) < 0)
		rc = -1;
	else
		rc = seen_get(&seen, id) == SEEN_PRESENT ? 1 : -1;
	pg_map_release(&seen);
	return rc;
}

/* Nothing found near the merge base: the store's refs/<branch>. */
static int fall_back(pg_resolve_result *r, git_repository *repo, const git_oid *head,
		     const pg_resolve_options *opts, const char *reason)
{
	const char *branch = r->target_branch;
	pg_buf commit = PG_BUF_INIT, desc = PG_BUF_INIT;
	const char *note = ", which may not be an ancestor of HEAD";
	git_oid id;
	int rc, anc, err = 0;

	if (!opts->branch_ref)
		return add_warning(r, "%s", reason);
	rc = opts->branch_ref(opts->store_ctx, &commit, branch);
	if (rc == PG_ENOTFOUND) {
		err = add_warning(r, "%s; the store has no refs/%s either", reason, branch);
		goto cleanup;
	}
	if (rc < 0) {
		err = rc;
		goto cleanup;
	}
	if (pg_commit_ok(commit.ptr) < 0 || commit.len > PG_RESOLVE_HEX_MAX) {
		err = pg_error_set(PG_EINTEGRITY, "refs/%s in the store names '%s', which "
				   "is not a commit id", branch, commit.ptr);
		goto cleanup;
	}
	rc = opts->has_baseline(opts->store_ctx, commit.ptr);
	if (rc < 0) {
		err = rc;
		goto cleanup;
	}
	if (rc == 0) {
		err = add_warning(r, "%s; refs/%s in the store points to %.7s, which has no "
				  "baseline", reason, branch, commit.ptr);
		goto cleanup;
	}
	if (!strcmp(commit.ptr, r->head)) {
		note = ", HEAD itself";
	} else if (commit.len == GIT_OID_HEXSZ && git_oid_fromstr(&id, commit.ptr) == 0) {
		anc = ancestry(repo, head, &id, r->shallow, r->repo_path, &err);
		if (err < 0)
			goto cleanup;
		if (anc == 1)
			note = ", an ancestor of HEAD";
		else if (anc == 0)
			note = ", which is not an ancestor of HEAD";
	}
	if ((err = add_warning(r, "%s; using refs/%s -> %.7s (the latest baseline of %s)%s",
			       reason, branch, commit.ptr, branch, note)) < 0)
		goto cleanup;
	pg_buf_addf(&desc, "refs/%s in the store (the latest baseline of %s)", branch, branch);
	if (pg_buf_failed(&desc)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	memcpy(r->commit, commit.ptr, commit.len + 1);
	r->source = PG_BASELINE_REF;
	r->description = pg_buf_detach(&desc, NULL);
	if (!r->description)
		err = pg_error_set(PG_ENOMEM, "out of memory");

cleanup:
	pg_buf_release(&commit);
	pg_buf_release(&desc);
	return err;
}

/* The first-parent walk from the merge base. */
static int walk(pg_resolve_result *r, enum walk_end *end, git_oid *last,
		git_repository *repo, const git_oid *merge_base,
		const pg_resolve_options *opts, unsigned max_walk)
{
	git_commit *c = NULL, *parent = NULL;
	git_oid cur = *merge_base;
	char hex[PG_RESOLVE_HEX_MAX + 1];
	int rc, err = 0;

	*end = END_LIMIT;
	while (r->checked < max_walk) {
		oid_hex(hex, &cur);
		*last = cur;
		rc = opts->has_baseline(opts->store_ctx, hex);
		r->checked++;
		if (rc < 0) {
			err = rc;
			goto cleanup;
		}
		if (rc > 0) {
			memcpy(r->commit, hex, sizeof(hex));
			*end = END_FOUND;
			goto cleanup;
		}
		if (r->checked >= max_walk)
			break;
		if ((err = load_commit(&c, repo, &cur, r->repo_path)) < 0)
			goto cleanup;
		if (!c) {
			err = pg_error_set(PG_EINFRA, "commit %s is missing from the git "
					   "repository '%s'", hex, r->repo_path);
			goto cleanup;
		}
		if (git_commit_parentcount(c) == 0) {
			*end = END_ROOT;
			goto cleanup;
		}
		cur = *git_commit_parent_id(c, 0);
		git_commit_free(c);
		c = NULL;
		if ((err = load_commit(&parent, repo, &cur, r->repo_path)) < 0)
			goto cleanup;
		if (!parent) {
			if (r->shallow) {
				*end = END_SHALLOW;
				goto cleanup;
			}
			oid_hex(hex, &cur);
			err = pg_error_set(PG_EINFRA, "commit %s is missing from the git "
					   "repository '%s' (it is not shallow)", hex,
					   r->repo_path);
			goto cleanup;
		}
		git_commit_free(parent);
		parent = NULL;
	}

cleanup:
	git_commit_free(c);
	git_commit_free(parent);
	return err;
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

int pg_resolve_baseline(pg_resolve_result *out, const char *path,
			const pg_resolve_options *opts)
{
	git_repository *repo = NULL;
	git_oid head, tip, base, last;
	pg_buf reason = PG_BUF_INIT, desc = PG_BUF_INIT;
	unsigned max_walk;
	enum walk_end end;
	int rc, err, have_tip = 0, have_base = 0;
	const char *t;

	pg_resolve_result_init(out);
	if (!opts || !opts->has_baseline)
		return pg_error_set(PG_ERROR, "pg_resolve_baseline() needs a has_baseline "
				    "callback");
	max_walk = opts->max_walk ? opts->max_walk : PG_RESOLVE_MAX_WALK;
	if ((err = read_repo(out, &repo, &head, path, opts)) < 0)
		goto cleanup;
	if ((err = pick_target(out, &tip, &have_tip, repo, opts)) < 0)
		goto cleanup;

	if (!have_tip) {
		const char *name = out->target_branch;

		if (out->shallow)
			err = add_warning(out, "the clone is shallow and the baseline branch "
					  "'%s' is not in it (neither refs/remotes/origin/%s "
					  "nor refs/heads/%s exists); run 'git fetch "
					  "--deepen=%u origin %s:refs/remotes/origin/%s'%s",
					  name, name, name, max_walk, name, name,
					  ci_depth_advice(opts));
		else
			err = add_warning(out, "the baseline branch '%s' is not in the "
					  "repository (neither refs/remotes/origin/%s nor "
					  "refs/heads/%s exists); run 'git fetch origin "
					  "%s:refs/remotes/origin/%s'", name, name, name,
					  name, name);
		if (err < 0)
			goto cleanup;
		err = fall_back(out, repo, &head, opts, "no baseline branch");
		goto cleanup;
	}
	t = out->target_ref;

	/* the merge base */
	if (out->shallow) {
		err = merge_base_in_clone(&base, &have_base, repo, &head, &tip, out->repo_path);
		if (err < 0)
			goto cleanup;
	} else {
		rc = git_merge_base(&base, repo, &head, &tip);
		if (rc == GIT_ENOTFOUND) {
			git_error_clear();
		} else if (rc < 0) {
			err = pg_git_error(PG_EINFRA, "cannot compute the merge base of HEAD and "
					   "%s in the git repository '%s'", t, out->repo_path);
			goto cleanup;
		} else {
			have_base = 1;
		}
	}
	if (!have_base) {
		if (out->shallow) {
			if ((err = add_warning(out, "the clone is shallow: the merge base of "
					       "HEAD and %s is not in it; run 'git fetch "
					       "--unshallow' or 'git fetch --deepen=%u origin "
					       "%s'%s", t, max_walk, out->target_branch,
					       ci_depth_advice(opts))) < 0)
				goto cleanup;
			pg_buf_addf(&reason, "no merge base of HEAD and %s in the clone", t);
		} else {
			pg_buf_addf(&reason, "HEAD and %s have no common ancestor", t);
		}
		if (pg_buf_failed(&reason)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		err = fall_back(out, repo, &head, opts, reason.ptr);
		goto cleanup;
	}
	oid_hex(out->merge_base, &base);

	/* the nearest first-parent ancestor with a baseline */
	if ((err = walk(out, &end, &last, repo, &base, opts, max_walk)) < 0)
		goto cleanup;
	if (end == END_FOUND) {
		out->distance = out->checked - 1;
		out->source = out->distance ? PG_BASELINE_ANCESTOR : PG_BASELINE_MERGE_BASE;
		if (out->distance)
			pg_buf_addf(&desc, "%u first-parent commit%s before the merge base of "
				    "HEAD and %s", out->distance, plural(out->distance), t);
		else
			pg_buf_addf(&desc, "merge base of HEAD and %s", t);
		if (pg_buf_failed(&desc)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		out->description = pg_buf_detach(&desc, NULL);
		if (!out->description)
			err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	switch (end) {
	case END_ROOT:
		pg_buf_addf(&reason, "no baseline on the %u first-parent commit%s from the "
			    "merge base of HEAD and %s to the root commit", out->checked,
			    plural(out->checked), t);
		break;
	case END_SHALLOW: {
		char hex[PG_RESOLVE_HEX_MAX + 1];

		oid_hex(hex, &last);
		if ((err = add_warning(out, "the clone is shallow: the first-parent walk from "
				       "the merge base of HEAD and %s stopped after %u "
				       "commit%s at %.7s, whose parent is not in it; run 'git "
				       "fetch --unshallow' or 'git fetch --deepen=%u origin "
				       "%s'%s", t, out->checked, plural(out->checked), hex,
				       max_walk - out->checked, out->target_branch,
				       ci_depth_advice(opts))) < 0)
			goto cleanup;
		pg_buf_addf(&reason, "no baseline on the %u first-parent commit%s from the "
			    "merge base of HEAD and %s in the shallow clone", out->checked,
			    plural(out->checked), t);
		break;
	}
	default:
		pg_buf_addf(&reason, "no baseline within %u first-parent commit%s of the "
			    "merge base of HEAD and %s", max_walk, plural(max_walk), t);
		break;
	}
	if (pg_buf_failed(&reason)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	err = fall_back(out, repo, &head, opts, reason.ptr);

cleanup:
	pg_buf_release(&reason);
	pg_buf_release(&desc);
	git_repository_free(repo);
	return err;
}

/* ------------------------------------------------------------ store callbacks */

int pg_resolve_store_has_baseline(void *ctx, const char *commit_hex)
{
	const pg_resolve_store *rs = ctx;
	pg_buf prefix = PG_BUF_INIT;
	pg_manifest m;
	int err;

	pg_manifest_init(&m);
	if ((err = pg_baseline_prefix(&prefix, rs->project, commit_hex)) < 0)
		goto cleanup;
	err = pg_manifest_fetch(&m, rs->store, prefix.ptr);
	if (err == 0)
		err = 1;
	else if (err == PG_ENOTFOUND)
		err = 0;

cleanup:
	pg_manifest_release(&m);
	pg_buf_release(&prefix);
	return err;
}

int pg_resolve_store_branch_ref(void *ctx, pg_buf *out, const char *branch)
{
	const pg_resolve_store *rs = ctx;

	return pg_ref_read(out, rs->store, rs->project, branch);
}
