/*
 * perfgate baseline: push, pull, list and prune baselines in the artifact
 * store (gate/baseline.h has the layout). Names from outside (a branch,
 * whatever a manifest in the store says) are printed through
 * pg_utf8_printable(): no control character reaches the terminal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/baseline.h"
#include "gate/cmd.h"
#include "gate/format_util.h"
#include "gate/git.h"
#include "gate/store.h"
#include "gate/store_cli.h"
#include "common/banned.h"

static const char baseline_usage[] =
	"usage: perfgate baseline push [options] [--commit SHA] [--branch NAME] RESULTS [PROFILES...]\n"
	"   or: perfgate baseline pull [options] [--commit SHA] -o DIR\n"
	"   or: perfgate baseline ls [options]\n"
	"   or: perfgate baseline prune [options] --older-than AGE [--keep-last N] [--dry-run]\n"
	"   or: perfgate baseline refresh [options] [-- SUITE [ARGS...]]\n"
	"\n"
	"Manage baselines (results measured on a commit, with their profiles) in\n"
	"the artifact store.\n"
	"\n"
	"    --project NAME        the project in the store (default: the name of\n"
	"                          the repository's directory)\n"
	"    --commit SHA          the commit (default: HEAD of the repository)\n"
	"    --branch NAME         push: the branch; refs/<branch> then points to\n"
	"                          this baseline\n"
	"    --run-id ID           push: store the files as the artifacts of run ID\n"
	"                          of the commit (runs/<commit>/<ID>/), not as its\n"
	"                          baseline\n"
	"    -o, --output DIR      pull: where to put the files\n"
	"    --older-than AGE      prune: delete runs and baselines older than AGE\n"
	"                          (e.g. 30d, 12h)\n"
	"    --keep-last N         prune: keep the N newest baselines whatever their age\n"
	"    --dry-run             prune: only say what would be deleted\n"
	PG_STORE_CLI_USAGE
	"\n"
	"exit status: 0 done, 2 usage error or no such baseline, 3 store error\n"
	"(unreachable, refused, a checksum mismatch)\n";

enum { OPT_PROJECT = 256, OPT_COMMIT, OPT_BRANCH, OPT_RUN_ID, OPT_OLDER, OPT_KEEP,
       OPT_DRY };

struct bl_args {
	pg_store_cli cli;
	const char *project;
	const char *commit;
	const char *branch;
	const char *run_id;
	const char *output;
	double older_than;
	int have_older;
	size_t keep_last;
	int dry_run;
	char **rest;
	int nrest;
};

static int parse_args(struct bl_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		PG_STORE_CLI_LONGOPTS,
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "commit", required_argument, NULL, OPT_COMMIT },
		{ "branch", required_argument, NULL, OPT_BRANCH },
		{ "run-id", required_argument, NULL, OPT_RUN_ID },
		{ "output", required_argument, NULL, 'o' },
		{ "older-than", required_argument, NULL, OPT_OLDER },
		{ "keep-last", required_argument, NULL, OPT_KEEP },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, err;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case OPT_PROJECT:
			a->project = optarg;
			break;
		case OPT_COMMIT:
			a->commit = optarg;
			break;
		case OPT_BRANCH:
			a->branch = optarg;
			break;
		case OPT_RUN_ID:
			a->run_id = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case OPT_OLDER:
			err = pg_parse_seconds(&a->older_than, "--older-than", optarg);
			a->have_older = 1;
			break;
		case OPT_KEEP:
			err = pg_parse_count(&a->keep_last, "--keep-last", optarg, 0);
			break;
		case OPT_DRY:
			a->dry_run = 1;
			break;
		case 'h':
			fputs(baseline_usage, stdout);
			return pg_finish_stdout(PG_EXIT_OK) == PG_EXIT_OK ? 1 : -PG_EXIT_INFRA;
		default:
			err = pg_store_cli_option(&a->cli, c, optarg);
			if (err == 0)
				return -pg_usage_error(baseline_usage, "baseline: unknown option '%s'",
						       argv[optind - 1]);
			if (err > 0)
				err = 0;
		}
		if (err < 0)
			return -pg_usage_error(baseline_usage, "baseline: %s", pg_error_last());
	}
	a->rest = argv + optind;
	a->nrest = argc - optind;
	return 0;
}

/* --project or the default; --commit or HEAD */
static int resolve(pg_buf *project, pg_buf *commit, const struct bl_args *a,
		   int need_commit)
{
	int err;

	if (a->project) {
		if ((err = pg_store_sanitize_component(project, a->project)) < 0)
			return err;
	} else if ((err = pg_default_project(project)) < 0) {
		return err;
	}
	if (!need_commit)
		return 0;
	if (a->commit)
		return pg_buf_adds(commit, a->commit);
	err = pg_git_head(commit, NULL, ".");
	if (err == PG_ENOTFOUND)
		return pg_error_set(PG_EINPUT, "no --commit given and no git commit here");
	return err;
}

static void human_size(char *buf, size_t size, unsigned long long n)
{
	if (n < 1024)
		snprintf(buf, size, "%llu B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, size, "%.1f MiB", (double)n / 1024 / 1024);
}

static int do_push(struct bl_args *a, pg_store *s, const char *project,
		   const char *commit)
{
	pg_push p;
	pg_buf where = PG_BUF_INIT, shown = PG_BUF_INIT;
	char size[32];
	unsigned long long total = 0;
	int i, err, status = PG_EXIT_OK;

	if (a->nrest < 1)
		return pg_usage_error(baseline_usage, "baseline push: no results file given");
	memset(&p, 0, sizeof(p));
	p.project = project;
	p.commit = commit;
	p.branch = a->branch;
	p.run_id = a->run_id;
	p.paths = (const char *const *)a->rest;
	p.npaths = (size_t)a->nrest;
	p.now = pg_now();
	if ((err = pg_push_set(&where, s, &p)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	for (i = 0; i < a->nrest; i++) {
		FILE *f = fopen(a->rest[i], "rb");

		if (f && fseek(f, 0, SEEK_END) == 0)
			total += (unsigned long long)ftell(f);
		if (f)
			fclose(f);
	}
	human_size(size, sizeof(size), total);
	printf("pushed %s %s of '%s' (%d file%s, %s) to %s/%s\n",
	       a->run_id ? "run artifacts of" : "baseline", commit, project,
	       a->nrest, a->nrest == 1 ? "" : "s", size, pg_store_display_url(s), where.ptr);
	if (a->branch && !a->run_id)
		printf("refs/%s now points to %s\n", pg_utf8_printable(&shown, a->branch), commit);
	status = pg_finish_stdout(PG_EXIT_OK);

cleanup:
	pg_buf_release(&where);
	pg_buf_release(&shown);
	return status;
}

static int do_pull(struct bl_args *a, pg_store *s, const char *project,
		   const char *commit)
{
	pg_manifest m;
	pg_buf set = PG_BUF_INIT, shown = PG_BUF_INIT;
	char size[32];
	int err, status = PG_EXIT_OK;

	pg_manifest_init(&m);
	if (!a->output || a->nrest) {
		status = pg_usage_error(baseline_usage, "baseline pull: give -o DIR (and no other argument)");
		goto cleanup;
	}
	if ((err = pg_baseline_prefix(&set, project, commit)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	err = pg_pull_set(&m, s, set.ptr, a->output);
	if (err == PG_ENOTFOUND) {
		pg_err("no baseline for commit %s of '%s' in '%s'", commit, project,
		       pg_store_display_url(s));
		status = PG_EXIT_USAGE;
		goto cleanup;
	}
	if (err < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	human_size(size, sizeof(size), pg_manifest_size(&m));
	printf("pulled baseline %s of '%s' (%zu file%s, %s, created %s) into %s\n", commit,
	       project, m.nfiles, m.nfiles == 1 ? "" : "s", size,
	       pg_utf8_printable(&shown, m.created), a->output);
	status = pg_finish_stdout(PG_EXIT_OK);

cleanup:
	pg_manifest_release(&m);
	pg_buf_release(&set);
	pg_buf_release(&shown);
	return status;
}

static int do_ls(struct bl_args *a, pg_store *s, const char *project)
{
	pg_baseline_list list;
	size_t i, skipped = 0;
	int err;

	if (a->nrest)
		return pg_usage_error(baseline_usage, "baseline ls: unexpected argument '%s'",
				      a->rest[0]);
	if ((err = pg_baselines_list(&list, s, project, &skipped)) < 0)
		return pg_die_code(err);
	if (list.n)
		printf("%-12s  %-20s  %-20s  %-32s  %s\n", "commit", "branch", "created", "host",
		       "size");
	for (i = 0; i < list.n; i++) {
		const pg_manifest *m = &list.items[i];
		pg_buf ref = PG_BUF_INIT, host = PG_BUF_INIT, branch = PG_BUF_INIT,
		       commit = PG_BUF_INIT, created = PG_BUF_INIT;
		const char *cpu = json_string_value(json_object_get(m->host, "cpu"));
		const char *kernel = json_string_value(json_object_get(m->host, "kernel"));
		char size[32];

		/* all of it from the store: made printable */
		if (m->branch) {
			pg_utf8_sanitize(&branch, m->branch, 1);
			if (pg_ref_read(&ref, s, project, m->branch) == 0 &&
			    !strcmp(ref.ptr, m->commit))
				pg_buf_adds(&branch, " (latest)");
		} else {
			pg_buf_adds(&branch, "-");
		}
		pg_utf8_sanitize(&host, cpu ? cpu : "?", 1);
		if (kernel) {
			pg_buf_adds(&host, ", ");
			pg_utf8_sanitize(&host, kernel, 1);
		}
		human_size(size, sizeof(size), pg_manifest_size(m));
		printf("%-12.12s  %-20s  %-20s  %-32.32s  %s\n",
		       pg_utf8_printable(&commit, m->commit), branch.ptr,
		       pg_utf8_printable(&created, m->created), host.ptr, size);
		pg_buf_release(&ref);
		pg_buf_release(&host);
		pg_buf_release(&branch);
		pg_buf_release(&commit);
		pg_buf_release(&created);
	}
	if (!list.n)
		fprintf(stderr, "perfgate: no baselines of '%s' in '%s'\n", project,
			pg_store_display_url(s));
	if (skipped)
		pg_warn("%zu baseline%s with an unreadable manifest left out", skipped,
			skipped == 1 ? "" : "s");
	pg_baseline_list_release(&list);
	return pg_finish_stdout(PG_EXIT_OK);
}

/* the lines name branches and times from the store's manifests */
static void prune_log(void *ctx, const char *line)
{
	pg_buf shown = PG_BUF_INIT;

	(void)ctx;
	printf("%s\n", pg_utf8_printable(&shown, line));
	pg_buf_release(&shown);
}

static int do_prune(struct bl_args *a, pg_store *s, const char *project)
{
	pg_prune_result res;
	char size[32];
	int err;

	if (!a->have_older)
		return pg_usage_error(baseline_usage, "baseline prune: --older-than is required");
	if (a->nrest)
		return pg_usage_error(baseline_usage, "baseline prune: unexpected argument '%s'",
				      a->rest[0]);
	err = pg_prune(&res, s, project, pg_now() - a->older_than, a->keep_last, a->dry_run,
		       prune_log, NULL);
	if (err < 0)
		return pg_die_code(err);
	human_size(size, sizeof(size), res.bytes);
	printf("%s %zu run%s, %zu baseline%s and %zu orphaned upload%s (%zu objects, %s); "
	       "%zu baseline%s kept\n", a->dry_run ? "would delete" : "deleted",
	       res.runs, res.runs == 1 ? "" : "s", res.baselines, res.baselines == 1 ? "" : "s",
	       res.orphans, res.orphans == 1 ? "" : "s", res.objects, size, res.kept,
	       res.kept == 1 ? "" : "s");
	return pg_finish_stdout(PG_EXIT_OK);
}

int cmd_baseline(int argc, char **argv)
{
	struct bl_args a;
	pg_buf project = PG_BUF_INIT, commit = PG_BUF_INIT;
	pg_store *s = NULL;
	const char *sub;
	int status, err;

	memset(&a, 0, sizeof(a));
	pg_store_cli_init(&a.cli);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		if (argc < 2)
			return pg_usage_error(baseline_usage, "baseline: no subcommand given");
		fputs(baseline_usage, stdout);
		return pg_finish_stdout(PG_EXIT_OK);
	}
	sub = argv[1];
	if (!strcmp(sub, "refresh"))
		return cmd_baseline_refresh(argc - 1, argv + 1);
	if (strcmp(sub, "push") && strcmp(sub, "pull") && strcmp(sub, "ls") &&
	    strcmp(sub, "prune"))
		return pg_usage_error(baseline_usage, "baseline: unknown subcommand '%s'", sub);
	err = parse_args(&a, argc - 1, argv + 1);
	if (err)
		return err > 0 ? PG_EXIT_OK : -err;
	if ((err = resolve(&project, &commit, &a,
			   !strcmp(sub, "push") || !strcmp(sub, "pull"))) < 0 ||
	    (commit.len && (err = pg_commit_ok(commit.ptr)) < 0)) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if ((err = pg_store_cli_open(&s, &a.cli)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if (!strcmp(sub, "push"))
		status = do_push(&a, s, project.ptr, commit.ptr);
	else if (!strcmp(sub, "pull"))
		status = do_pull(&a, s, project.ptr, commit.ptr);
	else if (!strcmp(sub, "ls"))
		status = do_ls(&a, s, project.ptr);
	else
		status = do_prune(&a, s, project.ptr);

cleanup:
	pg_store_free(s);
	pg_buf_release(&project);
	pg_buf_release(&commit);
	return status;
}
