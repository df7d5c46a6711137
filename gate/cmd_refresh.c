/*
 * perfgate baseline refresh: run the suite at HEAD and push the results as
 * the baseline of HEAD's commit, moving refs/<branch> to it. The nightly
 * (and push-to-main) job.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/baseline.h"
#include "gate/cmd.h"
#include "gate/config.h"
#include "gate/format_util.h"
#include "gate/gate_artifacts.h"
#include "gate/gate_job.h"
#include "gate/resolve.h"
#include "gate/store_cli.h"
#include "common/banned.h"

static const char refresh_usage[] =
	"usage: perfgate baseline refresh [options] [-- SUITE [ARGS...]]\n"
	"\n"
	"Run the suite at HEAD and push the results as the baseline of HEAD's\n"
	"commit; refs/<branch> then points to it. The nightly job on main.\n"
	"\n"
	"    --config FILE          perfgate.json (default: at the repository root)\n"
	"    --store URL            the artifact store (default: .perfgate/store)\n"
	"    --project NAME         the project in the store\n"
	"    --branch NAME          the branch (default: HEAD's, or the CI's)\n"
	"    -n, --count N          measured runs (default 10)\n"
	"    --warmup N             discarded runs (default 1)\n"
	"    --cpus LIST            pin the suite to these CPUs ('none': no pinning)\n"
	"    --timeout SEC          kill a run of the suite after SEC seconds\n"
	"    --quick                the quick settings (see perfgate gate --quick)\n"
	"    --require-quiet        the quiet-host checks must pass (else exit 3)\n"
	"    --measure time|callgrind|auto  what to measure (default: \"measure\" in\n"
	"                           perfgate.json, else time); auto: time where a\n"
	"                           hardware instruction counter can be opened,\n"
	"                           else callgrind\n"
	"    --allow-dirty          push even when the working tree has changes\n"
	"    -o, --output FILE      also write the measured results to FILE\n"
	"    --artifacts-dir DIR    also write what is pushed as the baseline\n"
	"                           (results.txt, profiles/) into DIR, pushed or not\n"
	"                           (default: upload.artifacts_dir in perfgate.json)\n"
	"    --cacert FILE          trust this CA too (store over https)\n"
	"    --allow-insecure-http  allow credentials over plain http://\n"
	"    -v, --verbose          log store requests\n"
	"    -q, --quiet            no progress on stderr\n"
	"\n"
	"exit status: 0 pushed, 2 usage or configuration error, 3 the suite, the\n"
	"store or the --artifacts-dir copy failed\n";

enum { R_CONFIG = 400, R_STORE, R_PROJECT, R_BRANCH, R_WARMUP, R_CPUS, R_TIMEOUT,
       R_QUICK, R_REQ_QUIET, R_DIRTY, R_CACERT, R_INSECURE, R_MEASURE, R_ARTIFACTS_DIR };

/* The set's files: the results, then every profile as profiles/<path>
 * (NULL-terminated arrays of malloc'd strings). */
static int set_files(char ***paths, char ***names, const char *results,
		     const char *dir, char *const *rel, size_t n)
{
	pg_buf b = PG_BUF_INIT;
	size_t i;

	*paths = calloc(n + 2, sizeof(char *));
	*names = calloc(n + 2, sizeof(char *));
	if (!*paths || !*names)
		return pg_error_set(PG_ENOMEM, "out of memory");
	(*paths)[0] = strdup(results);
	(*names)[0] = strdup("results.txt");
	for (i = 0; i < n; i++) {
		pg_buf_reset(&b);
		pg_buf_addf(&b, "%s/%s", dir, rel[i]);
		(*paths)[i + 1] = strdup(b.ptr);
		pg_buf_reset(&b);
		pg_buf_addf(&b, "profiles/%s", rel[i]);
		(*names)[i + 1] = strdup(b.ptr);
		if (!(*paths)[i + 1] || !(*names)[i + 1])
			break;
	}
	pg_buf_release(&b);
	for (i = 0; i < n + 1; i++)
		if (!(*paths)[i] || !(*names)[i])
			return pg_error_set(PG_ENOMEM, "out of memory");
	return 0;
}

int cmd_baseline_refresh(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, R_CONFIG },
		{ "store", required_argument, NULL, R_STORE },
		{ "project", required_argument, NULL, R_PROJECT },
		{ "branch", required_argument, NULL, R_BRANCH },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, R_WARMUP },
		{ "cpus", required_argument, NULL, R_CPUS },
		{ "timeout", required_argument, NULL, R_TIMEOUT },
		{ "quick", no_argument, NULL, R_QUICK },
		{ "require-quiet", no_argument, NULL, R_REQ_QUIET },
		{ "allow-dirty", no_argument, NULL, R_DIRTY },
		{ "output", required_argument, NULL, 'o' },
		{ "artifacts-dir", required_argument, NULL, R_ARTIFACTS_DIR },
		{ "measure", required_argument, NULL, R_MEASURE },
		{ "cacert", required_argument, NULL, R_CACERT },
		{ "allow-insecure-http", no_argument, NULL, R_INSECURE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	pg_job_opts jo;
	pg_gate_config cfg;
	pg_resolve_options ro;
	pg_resolve_result repo;
	pg_results results;
	pg_store *store = NULL;
	pg_buf project = PG_BUF_INIT, tmp = PG_BUF_INIT, path = PG_BUF_INIT, where = PG_BUF_INIT;
	const char *branch = NULL, *output = NULL, *artifacts_dir = NULL;
	char **paths = NULL, **names = NULL, **prof_files = NULL;
	size_t nprof = 0;
	pg_buf profiles = PG_BUF_INIT, shown = PG_BUF_INIT, text = PG_BUF_INIT;
	int c, err = 0, status = PG_EXIT_OK, allow_dirty = 0;
	size_t count;
	pg_push p;

	pg_job_opts_init(&jo);
	pg_config_init(&cfg);
	pg_resolve_options_init(&ro);
	pg_resolve_result_init(&repo);
	pg_results_init(&results);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:o:vqh", longopts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case R_CONFIG:
			err = pg_parse_nonempty(&jo.config_path, "--config", optarg, "a file name");
			break;
		case R_STORE:
			err = pg_parse_nonempty(&jo.store, "--store", optarg, "a folder or URL");
			break;
		case R_PROJECT:
			err = pg_parse_nonempty(&jo.project, "--project", optarg, "a name");
			break;
		case R_BRANCH: branch = optarg; break;
		case 'o':
			err = pg_parse_nonempty(&output, "--output", optarg, "a file name");
			break;
		case R_ARTIFACTS_DIR:
			err = pg_parse_nonempty(&artifacts_dir, "--artifacts-dir", optarg, "a folder");
			break;
		case 'n':
			err = pg_parse_count(&count, "--count", optarg, 1);
			jo.count = (long)count;
			break;
		case R_WARMUP:
			err = pg_parse_count(&count, "--warmup", optarg, 0);
			jo.warmup = (long)count;
			break;
		case R_CPUS: jo.cpus = optarg; break;
		case R_TIMEOUT: err = pg_parse_seconds(&jo.timeout, "--timeout", optarg); break;
		case R_QUICK: jo.quick = 1; break;
		case R_REQ_QUIET: jo.require_quiet = 1; break;
		case R_DIRTY: allow_dirty = 1; break;
		case R_MEASURE: jo.measure = optarg; break;
		case R_CACERT:
			err = pg_parse_nonempty(&jo.store_opts.cacert, "--cacert", optarg,
						"a file name");
			break;
		case R_INSECURE: jo.store_opts.allow_insecure_http = 1; break;
		case 'v': pg_store_cli_verbose(&jo.store_opts); break;
		case 'q': jo.quiet = 1; break;
		case 'h':
			fputs(refresh_usage, stdout);
			status = pg_finish_stdout(PG_EXIT_OK);
			goto cleanup;
		default:
			status = pg_usage_error(refresh_usage, "baseline refresh: unknown option '%s'",
						argv[optind - 1]);
			goto cleanup;
		}
		if (err < 0) {
			status = pg_usage_error(refresh_usage, "baseline refresh: %s", pg_error_last());
			goto cleanup;
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--")) {
			status = pg_usage_error(refresh_usage, "baseline refresh: unexpected argument "
						"'%s' (the suite goes after '--')", argv[optind]);
			goto cleanup;
		}
		jo.suite = argv + optind;
		jo.nsuite = (size_t)(argc - optind);
	}
	if (branch && (err = pg_config_check_branch("--branch", branch)) < 0) {
		status = err == PG_EINPUT ?
			pg_usage_error(refresh_usage, "baseline refresh: %s", pg_error_last()) :
			pg_die_code(err);
		goto cleanup;
	}
	if ((err = pg_job_config(&cfg, &jo)) < 0 ||
	    (artifacts_dir &&
	     (err = pg_config_set_string(&cfg.upload.artifacts_dir, artifacts_dir)) < 0) ||
	    (err = pg_job_check_suite(&cfg)) < 0 ||
	    (err = pg_job_resolve_measure(&cfg, jo.quiet, "baseline refresh")) < 0 ||
	    (err = pg_resolve_repo(&repo, ".", &ro)) < 0 ||
	    (err = pg_job_project(&project, &cfg)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if (repo.dirty && !allow_dirty) {
		pg_err("the working tree has uncommitted changes: a baseline must describe "
		       "commit %.12s (commit or stash them, or give --allow-dirty)", repo.head);
		status = PG_EXIT_USAGE;
		goto cleanup;
	}
	if (!branch)
		branch = repo.branch;
	if (!branch)
		pg_warn("HEAD is detached and no CI variable names the branch: the baseline "
			"is pushed, but no refs/<branch> is moved (give --branch)");
	if ((err = pg_job_open_store(&store, &cfg, &jo)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if ((err = pg_mkdtemp(&tmp, "perfgate-refresh")) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	pg_buf_addf(&profiles, "%s/profiles", tmp.ptr);
	/* the text `perfgate run -o` writes, not `results` formatted again:
	 * configuration that changed between runs stays per run */
	status = pg_job_run_suite(&results, &text, &cfg, &jo, NULL, output, profiles.ptr);
	if (status != PG_EXIT_OK)
		goto cleanup;
	pg_buf_addf(&path, "%s/results.txt", tmp.ptr);
	err = pg_buf_failed(&path) ? PG_ENOMEM :
				     pg_file_write_atomic(path.ptr, text.ptr, text.len);
	if (err < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if ((err = pg_list_files(&prof_files, &nprof, profiles.ptr)) < 0 ||
	    (err = set_files(&paths, &names, path.ptr, profiles.ptr, prof_files, nprof)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	memset(&p, 0, sizeof(p));
	p.project = project.ptr;
	p.commit = repo.head;
	p.branch = branch;
	p.paths = (const char *const *)paths;
	p.names = (const char *const *)names;
	p.npaths = 1 + nprof;
	p.now = pg_now();
	if ((err = pg_push_set(&where, store, &p)) < 0) {
		status = pg_die_code(err);
	} else {
		printf("perfgate: baseline of %s pushed to %s/%s (results and %zu profile%s)\n",
		       repo.head, pg_store_display_url(store), where.ptr, nprof,
		       nprof == 1 ? "" : "s");
		if (branch)
			printf("perfgate: refs/%s now points to %s\n",
			       pg_utf8_printable(&shown, branch), repo.head);
	}
	/* the CI job's copy of the set (--artifacts-dir), pushed or not */
	if (pg_gate_artifacts_write_set(cfg.upload.artifacts_dir, &text, tmp.ptr) < 0) {
		pg_err("%s", pg_error_last());
		if (status == PG_EXIT_OK)
			status = PG_EXIT_INFRA;
	}
	status = pg_finish_stdout(status);

cleanup:
	if (tmp.len)
		pg_remove_tree(tmp.ptr);
	pg_free_strv(prof_files);
	pg_free_strv(paths);
	pg_free_strv(names);
	pg_buf_release(&profiles);
	pg_store_free(store);
	pg_config_release(&cfg);
	pg_resolve_result_release(&repo);
	pg_results_release(&results);
	pg_buf_release(&project);
	pg_buf_release(&tmp);
	pg_buf_release(&path);
	pg_buf_release(&text);
	pg_buf_release(&where);
	pg_buf_release(&shown);
	return status;
}
