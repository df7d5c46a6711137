/*
 * gate/resolve.c on real git repositories built with the git CLI in a
 * temporary directory (HOME, the identities and every commit date fixed,
 * so the commit ids are the same on every run and user configuration
 * plays no part). Every git command runs under `timeout 60`, the whole
 * suite under alarm(600).
 *
 * The upstream repository "up" (HEAD on topic):
 *
 *     m1 - m2 - m3 - M - m4 - m5 - m6 - m7      main
 *            \      /      |     \
 *             s1 - s2      |      t1 - t2 - t3  topic
 *          (side, merged   release
 *           and deleted)
 *
 * "work" is a full clone of it (origin/main = m7, origin/release = m4;
 * topic checked out). The merge base of topic and main is m5; its
 * first-parent history is m5 m4 M m3 m2 m1, never s2 s1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/baseline.h"
#include "gate/resolve.h"
#include "gate/store.h"

#define G "timeout 60 git"

static char root[64];

/* ------------------------------------------------------------ shell helpers */

/* Run a shell command (stdout discarded, stderr to ROOT/git.log). */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	pg_buf cmd = PG_BUF_INIT;
	va_list ap;
	int rc;

	pg_buf_adds(&cmd, "{ ");
	va_start(ap, fmt);
	pg_buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	pg_buf_addf(&cmd, "; } </dev/null >/dev/null 2>>'%s/git.log'", root);
	rc = system(cmd.ptr);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd.ptr);
	pg_buf_release(&cmd);
	return rc;
}

#define SH(...) assert_int_equal(sh(__VA_ARGS__), 0)

/* The first line a command prints, without its newline. */
static void capture(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void capture(char *out, size_t n, const char *fmt, ...)
{
	pg_buf cmd = PG_BUF_INIT;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	pg_buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	pg_buf_addf(&cmd, " </dev/null 2>>'%s/git.log'", root);
	out[0] = '\0';
	p = popen(cmd.ptr, "r");
	assert_non_null(p);
	if (!fgets(out, (int)n, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(pclose(p), 0);
	pg_buf_release(&cmd);
}

/* ------------------------------------------------------------ the commits */

static struct {
	char name[8];
	char hex[41];
} commits[32];
static size_t ncommits;

static const char *sha(const char *name)
{
	size_t i;

	for (i = 0; i < ncommits; i++)
		if (!strcmp(commits[i].name, name))
			return commits[i].hex;
	fail_msg("no commit named '%s'", name);
	return NULL;
}

static const char *path_of(const char *name)
{
	static char paths[4][256];
	static unsigned next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/%s", root, name);
	return p;
}

static const char build_script[] =
	"set -e\n"
	"git -c init.defaultBranch=main init -q up\n"
	"cd up\n"
	"n=0\n"
	"d() { n=$((n+1)); export GIT_AUTHOR_DATE=\"@$((1700000000+n)) +0000\" "
	"GIT_COMMITTER_DATE=\"@$((1700000000+n)) +0000\"; }\n"
	"c() { d; echo \"$1\" >\"$1\"; git add \"$1\"; git commit -qm \"$1\"; }\n"
	"c m1; c m2\n"
	"git checkout -qb side; c s1; c s2\n"
	"git checkout -q main; c m3\n"
	"d; git merge -q --no-ff -m M side\n"
	"git branch -D -q side\n"
	"c m4; git branch release\n"
	"c m5\n"
	"git checkout -qb topic; c t1; c t2; c t3\n"
	"git checkout -q main; c m6; c m7\n"
	"git checkout -q topic\n";

static int setup(void **state)
{
	char script[128], line[128];
	FILE *p;

	(void)state;
	alarm(600);
	snprintf(root, sizeof(root), "/tmp/pg-resolve-test-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "perfgate test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@perfgate.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "perfgate test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@perfgate.invalid", 1);
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_OBJECT_DIRECTORY");
	unsetenv("GIT_AUTHOR_DATE");
	unsetenv("GIT_COMMITTER_DATE");

	snprintf(script, sizeof(script), "%s/build.sh", root);
	if (pg_file_write_atomic(script, build_script, strlen(build_script)) < 0)
		return -1;
	if (sh("cd '%s' && timeout 120 sh build.sh", root) != 0)
		return -1;
	if (sh("cd '%s' && " G " clone -q file://%s/up work", root, root) != 0)
		return -1;
	snprintf(line, sizeof(line), G " -C '%s/up' log --all --format='%%s %%H'", root);
	p = popen(line, "r");
	if (!p)
		return -1;
	while (ncommits < 32 && fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%7s %40s", commits[ncommits].name,
			   commits[ncommits].hex) == 2)
			ncommits++;
	}
	if (pclose(p) != 0 || ncommits != 13)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

/* ------------------------------------------------------------ fakes */

typedef struct fake {
	const char *have[8];       /* commits with a baseline */
	const char *ref;           /* what refs/<branch> holds; NULL: no ref */
	const char *fail;          /* has_baseline fails on this commit */
	char asked[64][PG_RESOLVE_HEX_MAX + 1];
	size_t nasked;
	char ref_branch[64];
} fake;

static int fake_has(void *ctx, const char *hex)
{
	fake *f = ctx;
	size_t i;

	assert_true(f->nasked < 64);
	snprintf(f->asked[f->nasked++], sizeof(f->asked[0]), "%s", hex);
	if (f->fail && !strcmp(f->fail, hex))
		return pg_error_set(PG_EINFRA, "the store is down");
	for (i = 0; i < 8 && f->have[i]; i++)
		if (!strcmp(f->have[i], hex))
			return 1;
	return 0;
}

static int fake_ref(void *ctx, pg_buf *out, const char *branch)
{
	fake *f = ctx;

	snprintf(f->ref_branch, sizeof(f->ref_branch), "%s", branch);
	if (!f->ref)
		return PG_ENOTFOUND;
	return pg_buf_adds(out, f->ref);
}

static const char *fake_env(void *ctx, const char *name)
{
	const char **kv = ctx;

	for (; kv && kv[0]; kv += 2)
		if (!strcmp(kv[0], name))
			return kv[1];
	return NULL;
}

static const char *no_env[] = { NULL };

static void opts_fake(pg_resolve_options *o, fake *f, const char **env)
{
	pg_resolve_options_init(o);
	o->env = fake_env;
	o->env_ctx = env ? env : no_env;
	o->has_baseline = fake_has;
	o->branch_ref = fake_ref;
	o->store_ctx = f;
}

/* The commits asked, by name, NULL-terminated. */
static void assert_asked(const fake *f, const char *const *names)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		assert_true(i < f->nasked);
		assert_string_equal(f->asked[i], sha(names[i]));
	}
	assert_int_equal(f->nasked, i);
}

static void assert_warning(const pg_resolve_result *r, size_t i, const char *text)
{
	assert_true(i < r->nwarnings);
	assert_string_equal(r->warnings[i], text);
}

static char *short7(const char *name)
{
	static char s[4][8];
	static unsigned next;
	char *p = s[next++ % 4];

	snprintf(p, 8, "%.7s", sha(name));
	return p;
}

/* A copy of "work" to change. */
static const char *fresh_clone(const char *name, const char *extra)
{
	const char *dir = path_of(name);

	SH("rm -rf '%s' && " G " clone -q %s file://%s/up '%s'", dir, extra, root, dir);
	return dir;
}

/* ------------------------------------------------------------ errors */

static void test_not_a_repository(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = path_of("plain");

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	opts_fake(&o, &f, NULL);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), PG_EINPUT);
	assert_non_null(strstr(pg_error_last(), dir));
	assert_non_null(strstr(pg_error_last(), "is not in a git repository"));
	pg_resolve_result_release(&r);
	assert_int_equal(pg_resolve_repo(&r, dir, &o), PG_EINPUT);
	pg_resolve_result_release(&r);
	assert_int_equal(f.nasked, 0);
}

static void test_no_commit_yet(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = path_of("empty");
	char want[256];

	(void)state;
	SH(G " -c init.defaultBranch=main init -q '%s'", dir);
	opts_fake(&o, &f, NULL);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), PG_EINPUT);
	snprintf(want, sizeof(want), "the git repository '%s' has no commit yet", dir);
	assert_string_equal(pg_error_last(), want);
	pg_resolve_result_release(&r);

	/* no has_baseline callback: a bug in the caller, refused */
	o.has_baseline = NULL;
	assert_true(pg_resolve_baseline(&r, path_of("work"), &o) < 0);
	pg_resolve_result_release(&r);
	pg_resolve_result_release(NULL);
}

/* ------------------------------------------------------------ fresh repository */

static void test_fresh_repository(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = path_of("fresh");
	char head[64], sub[256];
	static const char *ci_env[] = { "GITHUB_REF_NAME", "ignored", NULL };

	(void)state;
	SH(G " -c init.defaultBranch=main init -q '%s' && cd '%s' && echo a >a && "
	   G " add a && " G " commit -qm first && mkdir -p sub/dir", dir, dir);
	capture(head, sizeof(head), G " -C '%s' rev-parse HEAD", dir);

	/* HEAD == main: the merge base is HEAD itself; found from a subdirectory */
	opts_fake(&o, &f, ci_env);
	f.have[0] = head;
	snprintf(sub, sizeof(sub), "%s/sub/dir", dir);
	assert_int_equal(pg_resolve_baseline(&r, sub, &o), 0);
	assert_string_equal(r.repo_path, dir);
	assert_string_equal(r.head, head);
	assert_false(r.detached);
	assert_string_equal(r.branch, "main");   /* attached: CI variables unused */
	assert_string_equal(r.branch_source, "HEAD");
	assert_false(r.dirty);
	assert_false(r.shallow);
	assert_string_equal(r.target_branch, "main");
	assert_string_equal(r.target_source, "default");
	assert_string_equal(r.target_ref, "main");
	assert_string_equal(r.merge_base, head);
	assert_int_equal(r.source, PG_BASELINE_MERGE_BASE);
	assert_string_equal(r.commit, head);
	assert_int_equal(r.distance, 0);
	assert_int_equal(r.checked, 1);
	assert_string_equal(r.description, "merge base of HEAD and main");
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);

	/* no baseline anywhere: the walk ends at the root commit */
	f.have[0] = NULL;
	f.nasked = 0;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_NONE);
	assert_string_equal(r.commit, "");
	assert_null(r.description);
	assert_int_equal(r.nwarnings, 1);
	assert_warning(&r, 0, "no baseline on the 1 first-parent commit from the merge base "
		       "of HEAD and main to the root commit; the store has no refs/main either");
	assert_string_equal(f.ref_branch, "main");
	pg_resolve_result_release(&r);
}

/* ------------------------------------------------------------ the walk */

static void test_first_parent_walk(void **state)
{
	static const char *const path_m2[] = { "m5", "m4", "M", "m3", "m2", NULL };
	static const char *const path_m5[] = { "m5", NULL };
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };

	(void)state;
	/* a baseline on the merged side branch (s2, s1) must not be found:
	 * only first parents are followed */
	opts_fake(&o, &f, NULL);
	f.have[0] = sha("s2");
	f.have[1] = sha("s1");
	f.have[2] = sha("m2");
	f.have[3] = sha("t2");
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), 0);
	assert_string_equal(r.head, sha("t3"));
	assert_string_equal(r.branch, "topic");
	assert_string_equal(r.target_ref, "origin/main");
	assert_string_equal(r.merge_base, sha("m5"));
	assert_int_equal(r.source, PG_BASELINE_ANCESTOR);
	assert_string_equal(pg_baseline_source_name(r.source), "ancestor");
	assert_string_equal(r.commit, sha("m2"));
	assert_int_equal(r.distance, 4);
	assert_int_equal(r.checked, 5);
	assert_string_equal(r.description, "4 first-parent commits before the merge base "
			    "of HEAD and origin/main");
	assert_int_equal(r.nwarnings, 0);
	assert_asked(&f, path_m2);
	pg_resolve_result_release(&r);

	/* the merge base itself */
	f.nasked = 0;
	f.have[4] = sha("m5");
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), 0);
	assert_int_equal(r.source, PG_BASELINE_MERGE_BASE);
	assert_string_equal(pg_baseline_source_name(r.source), "merge-base");
	assert_string_equal(pg_baseline_source_name(PG_BASELINE_NONE), "none");
	assert_string_equal(r.commit, sha("m5"));
	assert_string_equal(r.description, "merge base of HEAD and origin/main");
	assert_asked(&f, path_m5);
	pg_resolve_result_release(&r);

	/* one commit before */
	memset(&f, 0, sizeof(f));
	f.have[0] = sha("m4");
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), 0);
	assert_string_equal(r.commit, sha("m4"));
	assert_string_equal(r.description, "1 first-parent commit before the merge base "
			    "of HEAD and origin/main");
	pg_resolve_result_release(&r);
}

static void test_origin_preferred_over_local_branch(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = fresh_clone("pref", "");

	(void)state;
	/* a stale local main (m3) must not be used when origin/main exists */
	SH(G " -C '%s' branch -q -f main %s", dir, sha("m3"));
	opts_fake(&o, &f, NULL);
	f.have[0] = sha("m3");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_ref, "origin/main");
	assert_string_equal(r.merge_base, sha("m5"));
	assert_int_equal(r.distance, 3);
	pg_resolve_result_release(&r);

	/* without origin/main, the local branch */
	SH(G " -C '%s' update-ref -d refs/remotes/origin/main", dir);
	memset(&f, 0, sizeof(f));
	f.have[0] = sha("m3");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_ref, "main");
	assert_string_equal(r.merge_base, sha("m3"));
	assert_int_equal(r.source, PG_BASELINE_MERGE_BASE);
	pg_resolve_result_release(&r);
}

static void test_max_walk(void **state)
{
	static const char *const four[] = { "m5", "m4", "M", "m3", NULL };
	static const char *const all[] = { "m5", "m4", "M", "m3", "m2", "m1", NULL };
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };

	(void)state;
	opts_fake(&o, &f, NULL);
	o.branch_ref = NULL;           /* no fallback */
	o.max_walk = 4;
	f.have[0] = sha("m2");
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), 0);
	assert_int_equal(r.source, PG_BASELINE_NONE);
	assert_int_equal(r.checked, 4);
	assert_asked(&f, four);
	assert_int_equal(r.nwarnings, 1);
	assert_warning(&r, 0, "no baseline within 4 first-parent commits of the merge base "
		       "of HEAD and origin/main");
	pg_resolve_result_release(&r);

	/* the limit is inclusive */
	f.nasked = 0;
	o.max_walk = 5;
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), 0);
	assert_int_equal(r.source, PG_BASELINE_ANCESTOR);
	assert_string_equal(r.commit, sha("m2"));
	pg_resolve_result_release(&r);

	/* 0 means the default, 50: the walk ends at the root commit */
	f.nasked = 0;
	f.have[0] = NULL;
	o.max_walk = 0;
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), 0);
	assert_int_equal(r.source, PG_BASELINE_NONE);
	assert_asked(&f, all);
	assert_warning(&r, 0, "no baseline on the 6 first-parent commits from the merge base "
		       "of HEAD and origin/main to the root commit");
	pg_resolve_result_release(&r);
}

static void test_callback_errors(void **state)
{
	static const char *const two[] = { "m5", "m4", NULL };
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };

	(void)state;
	opts_fake(&o, &f, NULL);
	f.fail = sha("m4");
	f.have[0] = sha("m2");
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), PG_EINFRA);
	assert_string_equal(pg_error_last(), "the store is down");
	assert_asked(&f, two);
	/* what was found before the failure is there */
	assert_string_equal(r.head, sha("t3"));
	assert_string_equal(r.merge_base, sha("m5"));
	assert_int_equal(r.source, PG_BASELINE_NONE);
	pg_resolve_result_release(&r);

	/* a malformed ref in the store */
	memset(&f, 0, sizeof(f));
	f.ref = "not/a/commit";
	o.max_walk = 1;
	assert_int_equal(pg_resolve_baseline(&r, path_of("work"), &o), PG_EINTEGRITY);
	assert_string_equal(pg_error_last(), "refs/main in the store names 'not/a/commit', "
			    "which is not a commit id");
	pg_resolve_result_release(&r);
}

/* ------------------------------------------------------------ branches and CI */

static void test_detached_head_and_ci_variables(void **state)
{
	static const char *pr[] = { "GITHUB_HEAD_REF", "topic", "GITHUB_REF_NAME", "42/merge",
				    "CI_COMMIT_REF_NAME", "gl", NULL };
	static const char *push[] = { "GITHUB_HEAD_REF", "", "GITHUB_REF_NAME", "topic",
				      "CI_COMMIT_REF_NAME", "gl", NULL };
	static const char *gitlab[] = { "CI_COMMIT_REF_NAME", "feature/x", NULL };
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = fresh_clone("detached", "");

	(void)state;
	SH(G " -C '%s' checkout -q --detach origin/topic", dir);
	opts_fake(&o, &f, NULL);
	assert_int_equal(pg_resolve_repo(&r, dir, &o), 0);
	assert_true(r.detached);
	assert_null(r.branch);
	assert_null(r.branch_source);
	assert_string_equal(r.head, sha("t3"));
	pg_resolve_result_release(&r);

	o.env_ctx = pr;
	assert_int_equal(pg_resolve_repo(&r, dir, &o), 0);
	assert_string_equal(r.branch, "topic");
	assert_string_equal(r.branch_source, "GITHUB_HEAD_REF");
	pg_resolve_result_release(&r);

	o.env_ctx = push;              /* empty counts as unset */
	assert_int_equal(pg_resolve_repo(&r, dir, &o), 0);
	assert_string_equal(r.branch, "topic");
	assert_string_equal(r.branch_source, "GITHUB_REF_NAME");
	pg_resolve_result_release(&r);

	o.env_ctx = gitlab;
	f.have[0] = sha("m5");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.branch, "feature/x");
	assert_string_equal(r.branch_source, "CI_COMMIT_REF_NAME");
	assert_string_equal(r.commit, sha("m5"));
	assert_string_equal(r.description, "merge base of HEAD and origin/main");
	pg_resolve_result_release(&r);
}

static void test_target_branch_precedence(void **state)
{
	static const char *both[] = { "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "release",
				      "GITHUB_BASE_REF", "main", NULL };
	static const char *github[] = { "GITHUB_BASE_REF", "release", NULL };
	static const char *github_main[] = { "GITHUB_BASE_REF", "main", NULL };
	static const char *bad[] = { "GITHUB_BASE_REF", "a..b", NULL };
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = path_of("work");

	(void)state;
	opts_fake(&o, &f, both);
	f.have[0] = sha("m4");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_branch, "release");
	assert_string_equal(r.target_source, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
	assert_string_equal(r.target_ref, "origin/release");
	assert_string_equal(r.merge_base, sha("m4"));   /* release is at m4 */
	assert_string_equal(r.description, "merge base of HEAD and origin/release");
	pg_resolve_result_release(&r);

	o.env_ctx = github;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_source, "GITHUB_BASE_REF");
	assert_string_equal(r.merge_base, sha("m4"));
	pg_resolve_result_release(&r);

	/* the CI variable overrides the configured name... */
	o.env_ctx = github_main;
	o.baseline_branch = "release";
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_ref, "origin/main");
	assert_string_equal(r.merge_base, sha("m5"));
	pg_resolve_result_release(&r);

	/* ...unless the name was given explicitly */
	o.branch_is_explicit = 1;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_ref, "origin/release");
	assert_string_equal(r.target_source, "configuration");
	pg_resolve_result_release(&r);

	/* configured, no CI variable; "refs/heads/" is accepted */
	o.env_ctx = no_env;
	o.branch_is_explicit = 0;
	o.baseline_branch = "refs/heads/release";
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_branch, "release");
	assert_string_equal(r.target_source, "configuration");
	pg_resolve_result_release(&r);

	o.env_ctx = bad;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), PG_EINPUT);
	assert_string_equal(pg_error_last(), "invalid baseline branch name 'a..b' "
			    "(from GITHUB_BASE_REF)");
	pg_resolve_result_release(&r);
}

static void test_no_baseline_branch(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = fresh_clone("single", "--single-branch --branch topic");

	(void)state;
	opts_fake(&o, &f, NULL);
	f.have[0] = sha("m5");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_null(r.target_ref);
	assert_string_equal(r.merge_base, "");
	assert_int_equal(r.source, PG_BASELINE_NONE);
	assert_int_equal(r.nwarnings, 2);
	assert_warning(&r, 0, "the baseline branch 'main' is not in the repository (neither "
		       "refs/remotes/origin/main nor refs/heads/main exists); run 'git fetch "
		       "origin main:refs/remotes/origin/main'");
	assert_warning(&r, 1, "no baseline branch; the store has no refs/main either");
	assert_int_equal(f.nasked, 0);
	pg_resolve_result_release(&r);

	/* the advice works */
	SH("cd '%s' && " G " fetch -q origin main:refs/remotes/origin/main", dir);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_ref, "origin/main");
	assert_string_equal(r.commit, sha("m5"));
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);
}

static void test_unrelated_history(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	const char *dir = fresh_clone("orphan", "");
	char want[512];

	(void)state;
	SH("cd '%s' && " G " checkout -q --orphan lone && echo x >x && " G " add x && "
	   G " commit -qm lone", dir);
	opts_fake(&o, &f, NULL);
	f.have[0] = sha("m7");
	f.ref = sha("m7");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.merge_base, "");
	assert_int_equal(r.source, PG_BASELINE_REF);
	assert_string_equal(pg_baseline_source_name(r.source), "ref");
	assert_string_equal(r.commit, sha("m7"));
	assert_string_equal(r.description, "refs/main in the store (the latest baseline of main)");
	snprintf(want, sizeof(want), "HEAD and origin/main have no common ancestor; using "
		 "refs/main -> %s (the latest baseline of main), which is not an ancestor "
		 "of HEAD", short7("m7"));
	assert_int_equal(r.nwarnings, 1);
	assert_warning(&r, 0, want);
	pg_resolve_result_release(&r);

	/* refs/main names a commit without a baseline (pruned): nothing */
	f.have[0] = NULL;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_NONE);
	snprintf(want, sizeof(want), "HEAD and origin/main have no common ancestor; refs/main "
		 "in the store points to %s, which has no baseline", short7("m7"));
	assert_warning(&r, 0, want);
	pg_resolve_result_release(&r);
}

/* ------------------------------------------------------------ dirty */

static void test_dirty_flag(void **state)
{
	pg_resolve_result r;
	const char *dir = fresh_clone("dirty", "");

	(void)state;
	assert_int_equal(pg_resolve_repo(&r, dir, NULL), 0);
	assert_false(r.dirty);
	pg_resolve_result_release(&r);

	SH("cd '%s' && echo untracked >new-file", dir);       /* untracked: clean */
	assert_int_equal(pg_resolve_repo(&r, dir, NULL), 0);
	assert_false(r.dirty);
	pg_resolve_result_release(&r);

	SH("cd '%s' && echo changed >>t1", dir);              /* a tracked change */
	assert_int_equal(pg_resolve_repo(&r, dir, NULL), 0);
	assert_true(r.dirty);
	pg_resolve_result_release(&r);

	SH("cd '%s' && " G " checkout -q -- t1 && " G " add new-file", dir);  /* staged */
	assert_int_equal(pg_resolve_repo(&r, dir, NULL), 0);
	assert_true(r.dirty);
	pg_resolve_result_release(&r);

	SH("cd '%s' && " G " reset -q && rm new-file", dir);
	assert_int_equal(pg_resolve_repo(&r, dir, NULL), 0);
	assert_false(r.dirty);
	pg_resolve_result_release(&r);
}

/* ------------------------------------------------------------ a real store */

#define RESULTS "cpu: Z\nkernel: K\nBenchmarkA 1 5 ns/op\n"

static void push_baseline(pg_store *s, const char *commit, const char *branch, double now)
{
	pg_buf where = PG_BUF_INIT;
	const char *paths[1];
	char results[256];
	pg_push p;

	snprintf(results, sizeof(results), "%s/results.txt", root);
	assert_int_equal(pg_file_write_atomic(results, RESULTS, strlen(RESULTS)), 0);
	paths[0] = results;
	memset(&p, 0, sizeof(p));
	p.project = "p";
	p.commit = commit;
	p.branch = branch;
	p.paths = paths;
	p.npaths = 1;
	p.now = now;
	assert_int_equal(pg_push_set(&where, s, &p), 0);
	pg_buf_release(&where);
}

static void store_opts(pg_resolve_options *o, pg_resolve_store *rs)
{
	pg_resolve_options_init(o);
	o->env = fake_env;
	o->env_ctx = no_env;
	o->has_baseline = pg_resolve_store_has_baseline;
	o->branch_ref = pg_resolve_store_branch_ref;
	o->store_ctx = rs;
}

static void test_real_store_and_fallback(void **state)
{
	pg_store *s = NULL;
	pg_resolve_store rs;
	pg_resolve_result r;
	pg_resolve_options o;
	char want[512];
	const char *dir = path_of("work");

	(void)state;
	assert_int_equal(pg_store_open(&s, path_of("store"), NULL), 0);
	rs.store = s;
	rs.project = "p";
	store_opts(&o, &rs);

	/* an empty store: nothing, and no ref either */
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_NONE);
	assert_warning(&r, 0, "no baseline on the 6 first-parent commits from the merge base "
		       "of HEAD and origin/main to the root commit; the store has no "
		       "refs/main either");
	pg_resolve_result_release(&r);

	/* the nightly refreshes on main: m2 (an ancestor) and then m7 (the
	 * tip of main, not an ancestor of HEAD), which refs/main names */
	push_baseline(s, sha("m2"), "main", 1767323045.0);
	push_baseline(s, sha("s1"), NULL, 1767323046.0);
	push_baseline(s, sha("m7"), "main", 1767323047.0);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_ANCESTOR);
	assert_string_equal(r.commit, sha("m2"));
	assert_string_equal(r.description, "4 first-parent commits before the merge base "
			    "of HEAD and origin/main");
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);

	/* m2 out of reach: the fallback to refs/main, with the warning */
	o.max_walk = 3;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_REF);
	assert_string_equal(r.commit, sha("m7"));
	assert_string_equal(r.description, "refs/main in the store (the latest baseline of main)");
	assert_int_equal(r.nwarnings, 1);
	snprintf(want, sizeof(want), "no baseline within 3 first-parent commits of the merge "
		 "base of HEAD and origin/main; using refs/main -> %s (the latest baseline "
		 "of main), which is not an ancestor of HEAD", short7("m7"));
	assert_warning(&r, 0, want);
	pg_resolve_result_release(&r);

	/* refs/main on an ancestor beyond the walk */
	push_baseline(s, sha("m1"), "main", 1767323048.0);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_REF);
	assert_string_equal(r.commit, sha("m1"));
	snprintf(want, sizeof(want), "no baseline within 3 first-parent commits of the merge "
		 "base of HEAD and origin/main; using refs/main -> %s (the latest baseline "
		 "of main), an ancestor of HEAD", short7("m1"));
	assert_warning(&r, 0, want);
	pg_resolve_result_release(&r);

	/* a baseline on the merge base itself wins over everything */
	push_baseline(s, sha("m5"), NULL, 1767323049.0);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_MERGE_BASE);
	assert_string_equal(r.commit, sha("m5"));
	pg_resolve_result_release(&r);

	/* a malformed manifest is an error, not a missing baseline */
	{
		char m[512];

		snprintf(m, sizeof(m), "%s/v1/p/baselines/%s/manifest.json",
			 path_of("store"), sha("m5"));
		assert_int_equal(pg_file_write_atomic(m, "{", 1), 0);
		assert_int_equal(pg_resolve_baseline(&r, dir, &o), PG_EINTEGRITY);
		assert_non_null(strstr(pg_error_last(), "manifest.json"));
		pg_resolve_result_release(&r);
	}
	pg_store_free(s);
}

/* ------------------------------------------------------------ shallow clones */

/* The command in the warning's "or '...'" (the targeted fetch). */
static void advised_fetch(char *out, size_t n, const char *warning)
{
	const char *a = strstr(warning, "or 'git fetch");
	const char *b;

	assert_non_null(a);
	a += 4;
	b = strchr(a, '\'');
	assert_non_null(b);
	snprintf(out, n, "%.*s", (int)(b - a), a);
}

static void test_shallow_merge_base_missing(void **state)
{
	static const char *gitlab[] = { "GITLAB_CI", "true", NULL };
	pg_store *s = NULL;
	pg_resolve_store rs;
	pg_resolve_result r;
	pg_resolve_options o;
	char want[512], cmd[256];
	const char *dir = fresh_clone("shallow2", "--depth 2 --no-single-branch --no-tags");

	(void)state;
	/* topic: t3 t2 (grafted); main: m7 m6 (grafted): the merge base m5
	 * is not in the clone */
	SH("cd '%s' && " G " checkout -q --detach origin/topic", dir);
	assert_int_equal(pg_store_open(&s, path_of("store2"), NULL), 0);
	push_baseline(s, sha("m5"), NULL, 1767323045.0);
	push_baseline(s, sha("m7"), "main", 1767323046.0);
	rs.store = s;
	rs.project = "p";
	store_opts(&o, &rs);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_true(r.shallow);
	assert_true(r.detached);
	assert_string_equal(r.merge_base, "");
	assert_int_equal(r.checked, 0);
	assert_int_equal(r.source, PG_BASELINE_REF);
	assert_string_equal(r.commit, sha("m7"));
	assert_int_equal(r.nwarnings, 2);
	assert_warning(&r, 0, "the clone is shallow: the merge base of HEAD and origin/main is "
		       "not in it; run 'git fetch --unshallow' or 'git fetch --deepen=50 "
		       "origin main' (or set fetch-depth: 0 in actions/checkout)");
	snprintf(want, sizeof(want), "no merge base of HEAD and origin/main in the clone; "
		 "using refs/main -> %s (the latest baseline of main), which may not be an "
		 "ancestor of HEAD", short7("m7"));
	assert_warning(&r, 1, want);
	pg_resolve_result_release(&r);

	/* GitLab gets its own advice */
	o.env_ctx = gitlab;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_non_null(strstr(r.warnings[0], "'git fetch --deepen=50 origin main' (or set "
			       "GIT_DEPTH: 0 in .gitlab-ci.yml)"));
	o.env_ctx = no_env;

	/* the advice works: after the advised fetch the merge base is there */
	advised_fetch(cmd, sizeof(cmd), r.warnings[0]);
	pg_resolve_result_release(&r);
	assert_string_equal(cmd, "git fetch --deepen=50 origin main");
	SH("cd '%s' && timeout 60 %s -q", dir, cmd);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.merge_base, sha("m5"));
	assert_int_equal(r.source, PG_BASELINE_MERGE_BASE);
	assert_string_equal(r.commit, sha("m5"));
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);
	pg_store_free(s);
}

static void test_shallow_walk_cut_short(void **state)
{
	static const char *const one[] = { "m5", NULL };
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	char want[512], cli[64], cmd[256];
	const char *dir = fresh_clone("shallow43", "--depth 4 --single-branch --branch topic "
				      "--no-tags");

	(void)state;
	/* topic: t3 t2 t1 m5; main: m7 m6 m5; m5 is grafted (m4 missing).
	 * The merge base is m5 (libgit2 1.5's git_merge_base fails here on the
	 * missing m4), and the walk has nothing beyond it. */
	SH("cd '%s' && " G " fetch -q --depth 3 origin main:refs/remotes/origin/main && "
	   G " checkout -q --detach", dir);
	capture(cli, sizeof(cli), "cd '%s' && " G " merge-base HEAD origin/main", dir);
	assert_string_equal(cli, sha("m5"));

	opts_fake(&o, &f, NULL);
	f.have[0] = sha("m2");
	f.ref = sha("m2");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_true(r.shallow);
	assert_string_equal(r.merge_base, cli);
	assert_int_equal(r.checked, 1);
	assert_int_equal(r.source, PG_BASELINE_REF);
	assert_int_equal(r.nwarnings, 2);
	snprintf(want, sizeof(want), "the clone is shallow: the first-parent walk from the "
		 "merge base of HEAD and origin/main stopped after 1 commit at %s, whose "
		 "parent is not in it; run 'git fetch --unshallow' or 'git fetch --deepen=49 "
		 "origin main' (or set fetch-depth: 0 in actions/checkout)", short7("m5"));
	assert_warning(&r, 0, want);
	/* m2 is not in the clone: whether it is an ancestor cannot be told */
	snprintf(want, sizeof(want), "no baseline on the 1 first-parent commit from the merge "
		 "base of HEAD and origin/main in the shallow clone; using refs/main -> %s "
		 "(the latest baseline of main), which may not be an ancestor of HEAD",
		 short7("m2"));
	assert_warning(&r, 1, want);
	f.nasked--;                    /* the fallback's check of m2 */
	assert_asked(&f, one);
	advised_fetch(cmd, sizeof(cmd), r.warnings[0]);
	pg_resolve_result_release(&r);

	/* the commits the clone has are still checked */
	memset(&f, 0, sizeof(f));
	f.have[0] = sha("m5");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_MERGE_BASE);
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);

	/* deepened as advised, the walk reaches m2 through M's first parent */
	SH("cd '%s' && timeout 60 %s -q", dir, cmd);
	memset(&f, 0, sizeof(f));
	f.have[0] = sha("m2");
	f.have[1] = sha("s2");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_false(r.shallow);      /* 49 more commits reach the root */
	assert_int_equal(r.source, PG_BASELINE_ANCESTOR);
	assert_string_equal(r.commit, sha("m2"));
	assert_int_equal(r.distance, 4);
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);
}

static void test_shallow_walk_partial(void **state)
{
	static const char *const three[] = { "m5", "m4", "M", NULL };
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	char want[512];
	const char *dir = fresh_clone("shallow6", "--depth 6 --single-branch --branch topic "
				      "--no-tags");

	(void)state;
	/* topic: t3 t2 t1 m5 m4 M (M grafted: m3 and s2 missing) */
	SH("cd '%s' && " G " fetch -q --depth 3 origin main:refs/remotes/origin/main && "
	   G " checkout -q --detach", dir);
	opts_fake(&o, &f, NULL);
	o.branch_ref = NULL;
	f.have[0] = sha("m3");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.merge_base, sha("m5"));
	assert_asked(&f, three);
	assert_int_equal(r.source, PG_BASELINE_NONE);
	snprintf(want, sizeof(want), "the clone is shallow: the first-parent walk from the "
		 "merge base of HEAD and origin/main stopped after 3 commits at %s, whose "
		 "parent is not in it; run 'git fetch --unshallow' or 'git fetch --deepen=47 "
		 "origin main' (or set fetch-depth: 0 in actions/checkout)", short7("M"));
	assert_warning(&r, 0, want);
	assert_warning(&r, 1, "no baseline on the 3 first-parent commits from the merge base "
		       "of HEAD and origin/main in the shallow clone");
	pg_resolve_result_release(&r);

	/* found within what is there: no warning */
	memset(&f, 0, sizeof(f));
	f.have[0] = sha("M");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.source, PG_BASELINE_ANCESTOR);
	assert_string_equal(r.commit, sha("M"));
	assert_int_equal(r.distance, 2);
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);

	/* max_walk reached before the boundary: the limit, not the boundary */
	memset(&f, 0, sizeof(f));
	o.max_walk = 3;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_int_equal(r.nwarnings, 1);
	assert_warning(&r, 0, "no baseline within 3 first-parent commits of the merge base "
		       "of HEAD and origin/main");
	pg_resolve_result_release(&r);
}

static void test_shallow_without_baseline_branch(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	char cmd[256];
	const char *dir = fresh_clone("shallow1", "--depth 1 --branch topic --no-tags");

	(void)state;
	/* what actions/checkout leaves: one commit, detached, no origin/main */
	SH("cd '%s' && " G " checkout -q --detach", dir);
	opts_fake(&o, &f, NULL);
	f.have[0] = sha("m4");
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_true(r.shallow);
	assert_null(r.target_ref);
	assert_int_equal(r.source, PG_BASELINE_NONE);
	assert_warning(&r, 0, "the clone is shallow and the baseline branch 'main' is not in "
		       "it (neither refs/remotes/origin/main nor refs/heads/main exists); run "
		       "'git fetch --deepen=50 origin main:refs/remotes/origin/main' (or set "
		       "fetch-depth: 0 in actions/checkout)");
	assert_warning(&r, 1, "no baseline branch; the store has no refs/main either");
	{
		const char *a = strstr(r.warnings[0], "run '") + 5;

		snprintf(cmd, sizeof(cmd), "%.*s", (int)(strchr(a, '\'') - a), a);
	}
	pg_resolve_result_release(&r);

	/* the advice works */
	SH("cd '%s' && timeout 60 %s -q", dir, cmd);
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_string_equal(r.target_ref, "origin/main");
	assert_string_equal(r.merge_base, sha("m5"));
	assert_string_equal(r.commit, sha("m4"));
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);
}

static const char skew_script[] =
	"set -e\n"
	"git -c init.defaultBranch=main init -q skew\n"
	"cd skew\n"
	"d() { export GIT_AUTHOR_DATE=\"@$((1700000000+$1)) +0000\" "
	"GIT_COMMITTER_DATE=\"@$((1700000000+$1)) +0000\"; }\n"
	"c() { d $2; echo \"$1\" >\"$1\"; git add \"$1\"; git commit -qm \"$1\"; }\n"
	"c r1 1; c r2 2; c a2 10\n"
	"git checkout -qb topic; c b1 11\n"
	"git checkout -q main; c a3 5\n"           /* committed with a clock behind */
	"git checkout -q topic; d 12; git merge -q --no-edit -m b2 main\n"
	"git checkout -q main; c a4 13\n"
	"git checkout -q topic\n";

static void test_shallow_merge_base_clock_skew(void **state)
{
	pg_resolve_result r;
	pg_resolve_options o;
	fake f = { 0 };
	char script[256], cli[64], a2[64];
	const char *dir = path_of("skew-clone");

	(void)state;
	/*
	 *   r1 - r2 - a2 - a3 - a4    main (a3 dated before a2)
	 *              \     \
	 *               b1 -- b2      topic (merged main at a3)
	 *
	 * Cloned with depth 4 (r1 missing). Both a2 and a3 are common
	 * ancestors; a3 is the merge base although a2 is dated later.
	 */
	snprintf(script, sizeof(script), "%s/skew.sh", root);
	assert_int_equal(pg_file_write_atomic(script, skew_script, strlen(skew_script)), 0);
	SH("cd '%s' && timeout 60 sh skew.sh && " G " clone -q --depth 4 --no-single-branch "
	   "--no-tags file://%s/skew '%s' && cd '%s' && " G " checkout -q --detach origin/topic",
	   root, root, dir, dir);
	capture(cli, sizeof(cli), "cd '%s' && " G " merge-base HEAD origin/main", dir);
	capture(a2, sizeof(a2), "cd '%s' && " G " rev-parse origin/main~2", dir);
	opts_fake(&o, &f, NULL);
	f.have[0] = a2;
	assert_int_equal(pg_resolve_baseline(&r, dir, &o), 0);
	assert_true(r.shallow);
	assert_string_not_equal(cli, a2);
	assert_string_equal(r.merge_base, cli);          /* a3, as git says */
	assert_string_equal(r.commit, a2);
	assert_int_equal(r.distance, 1);
	assert_int_equal(r.nwarnings, 0);
	pg_resolve_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_repository),
		cmocka_unit_test(test_no_commit_yet),
		cmocka_unit_test(test_fresh_repository),
		cmocka_unit_test(test_first_parent_walk),
		cmocka_unit_test(test_origin_preferred_over_local_branch),
		cmocka_unit_test(test_max_walk),
		cmocka_unit_test(test_callback_errors),
		cmocka_unit_test(test_detached_head_and_ci_variables),
		cmocka_unit_test(test_target_branch_precedence),
		cmocka_unit_test(test_no_baseline_branch),
		cmocka_unit_test(test_unrelated_history),
		cmocka_unit_test(test_dirty_flag),
		cmocka_unit_test(test_real_store_and_fallback),
		cmocka_unit_test(test_shallow_merge_base_missing),
		cmocka_unit_test(test_shallow_walk_cut_short),
		cmocka_unit_test(test_shallow_walk_partial),
		cmocka_unit_test(test_shallow_without_baseline_branch),
		cmocka_unit_test(test_shallow_merge_base_clock_skew),
	};

	return cmocka_run_group_tests_name("resolve", tests, setup, teardown);
}
