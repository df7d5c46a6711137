/*
 * perfgate gate: measure the candidate (or take its results), find the
 * baseline (libgit2 + the store), decide, report, upload the artifacts,
 * and exit 0 (pass), 1 (regression), 2 (usage or configuration error) or
 * 3 (infrastructure error).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-runner/ab.h"
#include "bench-runner/host.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "common/version.h"
#include "gate/baseline.h"
#include "gate/cmd.h"
#include "gate/config.h"
#include "gate/gate_ab.h"
#include "gate/gate_artifacts.h"
#include "gate/gate_auto.h"
#include "gate/gate_confirm.h"
#include "gate/gate_job.h"
#include "gate/git.h"
#include "gate/profile_files.h"
#include "gate/report.h"
#include "gate/resolve.h"
#include "gate/run_support.h"
#include "gate/shard.h"
#include "gate/store.h"
#include "gate/store_cli.h"
#include "stats/decide.h"
#include "stats/profile.h"
#include "stats/sequential.h"
#include "stats/results.h"
#include "common/banned.h"

static const char gate_usage[] =
	"usage: perfgate gate [options] [-- SUITE [ARGS...]]\n"
	"\n"
	"Measure the candidate (the suite at HEAD, or --results), compare it with\n"
	"the baseline of the merge base with the baseline branch, and fail when\n"
	"something got slower than allowed.\n"
	"\n"
	"    --config FILE          perfgate.json (default: at the repository root)\n"
	"    --store URL            the artifact store (default: .perfgate/store)\n"
	"    --project NAME         the project in the store\n"
	"    --baseline-branch NAME the branch baselines come from (default: main)\n"
	"    --max-walk N           commits searched for a baseline: the merge base and\n"
	"                           its first-parent ancestors (default 50; 1: the\n"
	"                           merge base only)\n"
	"    -n, --count N|auto     measured runs (default 10); auto: batches of 5 until\n"
	"                           every benchmark is clearly inside or beyond its\n"
	"                           threshold, at most as many as the baseline has\n"
	"    --warmup N             discarded runs (default 1)\n"
	"    --cpus LIST            pin the suite to these CPUs ('none': no pinning)\n"
	"    --timeout SEC          kill a run of the suite after SEC seconds\n"
	"    --threshold PCT        default threshold in percent (default 5)\n"
	"    --threshold-on estimate|ci  what must exceed the threshold\n"
	"    --alpha A              significance level (default 0.05)\n"
	"    --test welch|utest     the test: Welch's t-test on the logs (default) or\n"
	"                           the Mann-Whitney U test\n"
	"    --correction holm|bh|none   multiple-comparison correction (default holm)\n"
	"    --missing-baseline pass|fail  without a baseline (default pass)\n"
	"    --results FILE         the candidate's results (do not run the suite)\n"
	"    --baseline-file FILE   compare with this file (no store, no git)\n"
	"    --json FILE            write the JSON report\n"
	"    --markdown FILE        write the Markdown report\n"
	"    --junit FILE           write the JUnit XML report\n"
	"    --quick                a pre-push check: fewer runs (quick.count, default\n"
	"                           3), a shorter benchtime for perfgate's harness\n"
	"                           (quick.benchtime, default 100ms), no profiled run\n"
	"                           (quick.profile), the quick suite arguments, the\n"
	"                           local store\n"
	"    --require-same-host    baseline and candidate hosts must match (else exit 3)\n"
	"    --require-quiet        the quiet-host checks must pass (else exit 3)\n"
	"    --require-upload       a failed upload of the artifacts is exit 3\n"
	"    --no-upload            do not upload the run's artifacts\n"
	"    --artifacts-dir DIR    also write the run's artifacts (results, reports,\n"
	"                           profiles, flame graphs; a shard: its results)\n"
	"                           into DIR, uploaded or not (default:\n"
	"                           upload.artifacts_dir in perfgate.json)\n"
	"    --run-id ID            the run's id in the store (default: from CI)\n"
	"    --measure time|callgrind|auto  what to measure (default: \"measure\" in\n"
	"                           perfgate.json, else time); callgrind: exact\n"
	"                           instructions/op (perfgate run --measure callgrind);\n"
	"                           auto: time where a hardware instruction counter\n"
	"                           can be opened, else callgrind\n"
	"    --ab                   build the baseline commit on this runner and measure\n"
	"                           both builds interleaved (ABBA); a paired analysis\n"
	"                           decides\n"
	"    --confirm, --no-confirm  re-measure the suspects of the first pass in an\n"
	"                           A/B with more pairs and fail only if that agrees\n"
	"                           (default: on when CI is set, perfgate.json has\n"
	"                           a \"build\" command and time is measured)\n"
	"    --confirm-rounds N     pairs per suspect in the confirmation (default\n"
	"                           2 x the count, at least 10)\n"
	"    --shard K/N            run only shard K of N and upload its results\n"
	"    --collect N            gather the N shards' results from the store\n"
	"                           and decide for the whole suite\n"
	"    --cacert FILE          trust this CA too (store over https)\n"
	"    --allow-insecure-http  allow credentials over plain http://\n"
	"    -v, --verbose          log store requests\n"
	"    -q, --quiet            no progress on stderr\n"
	"\n"
	"exit status: 0 pass, 1 regression, 2 usage or configuration error,\n"
	"3 infrastructure error (store, git, a suite that crashed)\n";

enum {
	OPT_CONFIG = 300, OPT_STORE, OPT_PROJECT, OPT_BASELINE_BRANCH, OPT_WARMUP,
	OPT_CPUS, OPT_TIMEOUT, OPT_THRESHOLD, OPT_THRESHOLD_ON, OPT_ALPHA,
	OPT_CORRECTION, OPT_MISSING, OPT_RESULTS, OPT_BASELINE_FILE, OPT_JSON,
	OPT_MARKDOWN, OPT_JUNIT, OPT_QUICK, OPT_SAME_HOST, OPT_REQ_QUIET,
	OPT_REQ_UPLOAD, OPT_NO_UPLOAD, OPT_RUN_ID, OPT_SHARD, OPT_COLLECT,
	OPT_CACERT, OPT_INSECURE, OPT_AB, OPT_CONFIRM, OPT_NO_CONFIRM, OPT_CONFIRM_ROUNDS,
	OPT_MEASURE, OPT_ARTIFACTS_DIR, OPT_TEST, OPT_MAX_WALK
};

struct gate_args {
	pg_job_opts job;
	const char *threshold, *threshold_on, *alpha, *correction, *missing, *test;
	long max_walk;          /* --max-walk; < 0: not given */
	const char *results, *baseline_file, *json, *markdown, *junit, *run_id;
	const char *shard;
	const char *artifacts_dir;  /* --artifacts-dir */
	long collect;
	int same_host, require_upload, no_upload;
	int ab;
	int count_auto;         /* --count auto */
	int confirm;            /* 1 on, 0 off, -1 the default */
	size_t confirm_rounds;  /* 0: 2 x count */
};

/* Everything one gate run collects, released in one place. */
struct gate_state {
	pg_gate_config cfg;
	pg_store *store;
	pg_buf project;
	pg_buf tmpdir;
	pg_buf run_id;
	pg_buf upload_id;
	pg_buf artifacts;
	pg_results candidate;
	/* the candidate's results file, uploaded as its run's results.txt and
	 * copied into the artifacts folder: the text of the runs measured here
	 * (what `perfgate run -o` writes, configuration that changed between
	 * runs kept per run; batches and shards one after the other), else,
	 * once needed, `candidate` formatted (candidate_text()) */
	pg_buf candidate_text;
	pg_results baseline;
	pg_resolve_result repo;
	int have_repo;
	pg_manifest manifest;
	pg_decision_set decision;
	int have_decision;
	pg_ab_outcome ab;       /* --ab: the A/B pass */
	pg_ab_outcome confirm;  /* the confirmation of suspects */
	pg_confirm_merge merged; /* the first pass with the suspects confirmed */
	const pg_decision_set *deciding;  /* what the verdict comes from */
	const pg_decision_set *first_pass;
	const char *deciding_title;
	const char *first_pass_title;
	json_t *baseline_host;
	json_t *candidate_host;
	pg_buf baseline_commit;
	pg_buf baseline_source;
	char **warnings;
	size_t nwarnings;
	char **host_diffs;
	size_t nhost_diffs;
	/* what the profiles say about the regressions */
	pg_report_profile *profiles;
	size_t nprofiles;
	char **strings;          /* the names and notes they point to */
	size_t nstrings;
	pg_report_function **functions;
	char **svg_files;        /* local diff SVGs to upload */
	char **svg_names;        /* their names in the run's set (nsvg of each) */
	size_t *svg_profile;     /* the profile (index) each one belongs to */
	size_t nsvg;
};

static void state_init(struct gate_state *st)
{
	memset(st, 0, sizeof(*st));
	pg_config_init(&st->cfg);
	pg_buf_init(&st->project, 0);
	pg_buf_init(&st->tmpdir, 0);
	pg_buf_init(&st->run_id, 0);
	pg_buf_init(&st->upload_id, 0);
	pg_buf_init(&st->artifacts, 0);
	pg_buf_init(&st->baseline_commit, 0);
	pg_buf_init(&st->baseline_source, 0);
	pg_results_init(&st->candidate);
	pg_buf_init(&st->candidate_text, 0);
	pg_results_init(&st->baseline);
	pg_resolve_result_init(&st->repo);
	pg_manifest_init(&st->manifest);
	pg_ab_outcome_init(&st->ab);
	pg_ab_outcome_init(&st->confirm);
	pg_confirm_merge_init(&st->merged);
}

static void state_release(struct gate_state *st)
{
	/* our own mkdtemp directory: remove it and what we put there */
	if (st->tmpdir.len && pg_remove_tree(st->tmpdir.ptr) < 0)
		pg_warn("%s", pg_error_last());
	pg_config_release(&st->cfg);
	pg_store_free(st->store);
	pg_buf_release(&st->project);
	pg_buf_release(&st->tmpdir);
	pg_buf_release(&st->run_id);
	pg_buf_release(&st->upload_id);
	pg_buf_release(&st->artifacts);
	pg_buf_release(&st->baseline_commit);
	pg_buf_release(&st->baseline_source);
	pg_results_release(&st->candidate);
	pg_buf_release(&st->candidate_text);
	pg_results_release(&st->baseline);
	pg_resolve_result_release(&st->repo);
	pg_manifest_release(&st->manifest);
	if (st->have_decision)
		pg_decision_set_release(&st->decision);
	pg_ab_outcome_release(&st->ab);
	pg_ab_outcome_release(&st->confirm);
	pg_confirm_merge_release(&st->merged);
	json_decref(st->baseline_host);
	json_decref(st->candidate_host);
	pg_free_strv(st->warnings);
	pg_free_strv(st->host_diffs);
	pg_free_strv(st->strings);
	pg_free_strv(st->svg_files);
	pg_free_strv(st->svg_names);
	free(st->svg_profile);
	for (size_t i = 0; st->functions && i < st->nprofiles; i++)
		free(st->functions[i]);
	free(st->functions);
	free(st->profiles);
}

static int make_tmpdir(struct gate_state *st)
{
	return st->tmpdir.len ? 0 : pg_mkdtemp(&st->tmpdir, "perfgate");
}

static int read_results(pg_results *out, const char *path)
{
	pg_buf data = PG_BUF_INIT;
	int err;

	if ((err = pg_file_read(&data, path)) == 0)
		err = pg_results_parse(out, path, data.ptr, data.len);
	pg_buf_release(&data);
	return err;
}

/* Add the results text `data` (`len` bytes, the Go benchmark format as
 * perfgate writes it) to the candidate: parsed into st->candidate, and the
 * text itself appended to st->candidate_text (parsing the whole text again
 * gives st->candidate: a configuration line applies to the results after
 * it). `name` prefixes parse errors. */
static int add_candidate_text(struct gate_state *st, const char *name, const char *data,
			      size_t len)
{
	int err;

	if ((err = pg_results_parse(&st->candidate, name, data, len)) < 0 ||
	    (err = pg_buf_add(&st->candidate_text, data, len)) < 0)
		return err;
	if (len && data[len - 1] != '\n')
		err = pg_buf_addch(&st->candidate_text, '\n');
	return err;
}

/* st->candidate_text, formatted from st->candidate when the candidate was
 * not measured here (--results, an A/B) and its text is still empty. */
static int candidate_text(struct gate_state *st)
{
	if (st->candidate_text.len || !st->candidate.nseries)
		return 0;
	return pg_results_format_benchfmt(&st->candidate_text, &st->candidate);
}

/* A warning when results that perfgate run cut short (a failed run) are
 * compared: "the candidate 'new.txt' is incomplete (run 2 of 4 failed)...";
 * `side` "candidate" or "baseline", `name` its file or commit. */
static int note_incomplete(struct gate_state *st, const pg_results *r, const char *side,
			   const char *name)
{
	const char *why = pg_run_incomplete(r);

	if (!why)
		return 0;
	return pg_strv_pushf(&st->warnings, &st->nwarnings, "the %s '%s' is incomplete (%s): "
			     "only the runs that completed are compared", side, name, why);
}

/* The host fingerprint in a results set's configuration lines. */
static json_t *host_of(const pg_results *r)
{
	json_t *host = json_object();
	size_t i;

	for (i = 0; host && pg_host_keys[i]; i++) {
		const char *v = pg_results_config(r, pg_host_keys[i]);

		if (v)
			json_object_set_new(host, pg_host_keys[i], json_string(v));
	}
	return host;
}

/* Differences between the fingerprints that make timings incomparable. */
static int compare_hosts(struct gate_state *st)
{
	static const char *const keys[] = { "cpu", "kernel", "governor", "pinned-cpus", NULL };
	size_t i;
	int err;

	if (!st->baseline_host || !st->candidate_host)
		return 0;
	for (i = 0; keys[i]; i++) {
		const char *a = json_string_value(json_object_get(st->baseline_host, keys[i]));
		const char *b = json_string_value(json_object_get(st->candidate_host, keys[i]));

		if (a && b && strcmp(a, b) &&
		    (err = pg_strv_pushf(&st->host_diffs, &st->nhost_diffs,
				    "%s: '%s' (baseline) vs '%s' (candidate)", keys[i], a, b)) < 0)
			return err;
	}
	return 0;
}

/* The threshold and direction entries of perfgate.json that apply to no
 * row (a typo such as "Hsah", "sec/op" for a suite reporting ns/op): a
 * warning each, on stderr and in the reports. The rows are the deciding
 * decision's, else the candidate's series (no baseline). */
static void warn_unmatched(struct gate_state *st)
{
	const pg_decision_set *d = st->deciding;
	size_t n = d ? d->nrows : st->candidate.nseries, before = st->nwarnings, i;
	const char **names = calloc(n + 1, sizeof(*names)), **units = calloc(n + 1, sizeof(*units));

	for (i = 0; names && units && i < n; i++) {
		names[i] = d ? d->rows[i].benchmark : st->candidate.series[i].name;
		units[i] = d ? d->rows[i].unit : st->candidate.series[i].unit;
	}
	if (!names || !units || pg_config_unmatched(&st->warnings, &st->nwarnings, &st->cfg,
						    names, units, n) < 0)
		pg_warn("the thresholds were not checked against the results: out of memory");
	for (i = before; i < st->nwarnings; i++)
		pg_warn("%s", st->warnings[i]);
	free(names);
	free(units);
}

/* ------------------------------------------------------------ baseline */

static int baseline_from_store(struct gate_state *st, const struct gate_args *a,
			       int *found)
{
	pg_resolve_options ro;
	pg_resolve_store rs;
	pg_buf set = PG_BUF_INIT, dir = PG_BUF_INIT, path = PG_BUF_INIT;
	size_t i;
	int err;

	*found = 0;
	pg_resolve_options_init(&ro);
	rs.store = st->store;
	rs.project = st->project.ptr;
	ro.baseline_branch = st->cfg.baseline_branch;
	ro.branch_is_explicit = a->job.baseline_branch != NULL;
	ro.max_walk = (unsigned)st->cfg.max_walk;
	ro.has_baseline = pg_resolve_store_has_baseline;
	ro.branch_ref = pg_resolve_store_branch_ref;
	ro.store_ctx = &rs;
	pg_resolve_result_release(&st->repo);
	pg_resolve_result_init(&st->repo);
	if ((err = pg_resolve_baseline(&st->repo, ".", &ro)) < 0)
		goto cleanup;
	st->have_repo = 1;
	for (i = 0; i < st->repo.nwarnings; i++)
		if ((err = pg_strv_pushf(&st->warnings, &st->nwarnings, "%s", st->repo.warnings[i])) < 0)
			goto cleanup;
	if (st->repo.source == PG_BASELINE_NONE)
		goto cleanup;
	if ((err = pg_baseline_prefix(&set, st->project.ptr, st->repo.commit)) < 0 ||
	    (err = make_tmpdir(st)) < 0)
		goto cleanup;
	pg_buf_addf(&dir, "%s/baseline", st->tmpdir.ptr);
	pg_buf_addf(&path, "%s/baseline/results.txt", st->tmpdir.ptr);
	if (pg_buf_failed(&dir) || pg_buf_failed(&path)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_pull_set(&st->manifest, st->store, set.ptr, dir.ptr)) < 0)
		goto cleanup;
	if ((err = read_results(&st->baseline, path.ptr)) < 0) {
		err = pg_error_prefix(PG_EINFRA, "the baseline of %s in '%s' is unusable",
				      st->repo.commit, pg_store_display_url(st->store));
		goto cleanup;
	}
	if ((err = note_incomplete(st, &st->baseline, "baseline", st->repo.commit)) < 0)
		goto cleanup;
	st->baseline_host = json_incref(st->manifest.host);
	pg_buf_adds(&st->baseline_commit, st->repo.commit);
	pg_buf_adds(&st->baseline_source, st->repo.description);
	*found = 1;

cleanup:
	pg_buf_release(&set);
	pg_buf_release(&dir);
	pg_buf_release(&path);
	return err;
}

/* ------------------------------------------------------------ shards */

static int shard_set(pg_buf *out, struct gate_state *st, unsigned k, unsigned n)
{
	pg_buf id = PG_BUF_INIT;
	int err;

	pg_buf_addf(&id, "%s-shard-%u-of-%u", st->run_id.ptr, k, n);
	err = pg_buf_failed(&id) ? PG_ENOMEM :
		pg_run_prefix(out, st->project.ptr, st->repo.head, id.ptr);
	pg_buf_release(&id);
	return err;
}

/* --shard K/N: run this shard's benchmarks and upload its results (and
 * write them into --artifacts-dir). */
static int run_shard(struct gate_state *st, const struct gate_args *a)
{
	pg_store_list names;
	pg_buf regex = PG_BUF_INIT, path = PG_BUF_INIT, where = PG_BUF_INIT,
	       info = PG_BUF_INIT, id = PG_BUF_INIT;
	unsigned k, n;
	size_t count = 0, i;
	char *extra[3] = { "-bench", NULL, NULL };
	const char *paths[2], *names_in_set[2] = { "shard.json", "results.txt" };
	json_t *doc = NULL, *list = NULL, *host = NULL;
	char *text = NULL;
	pg_push p;
	int err = 0, status = PG_EXIT_OK;

	pg_store_list_init(&names);
	if ((err = pg_shard_parse(&k, &n, a->shard)) < 0) {
		status = pg_usage_error(gate_usage, "gate: %s", pg_error_last());
		goto cleanup;
	}
	if ((err = pg_suite_list(&names, st->cfg.suite, st->cfg.timeout)) < 0 ||
	    (err = pg_shard_regex(&regex, &count, &names, k, n)) < 0 ||
	    (err = make_tmpdir(st)) < 0)
		goto fail;
	list = json_array();
	for (i = 0; list && i < names.n; i++)
		if (pg_shard_of(names.items[i].key, n) == k)
			json_array_append_new(list, json_string(names.items[i].key));
	doc = json_pack("{s:i, s:i, s:o, s:s}", "shard", (int)k, "of", (int)n,
			"benchmarks", list, "run_id", st->run_id.ptr);
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	pg_buf_addf(&info, "%s/shard.json", st->tmpdir.ptr);
	pg_buf_addf(&path, "%s/results.txt", st->tmpdir.ptr);
	if (!text || pg_buf_failed(&info) || pg_buf_failed(&path)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto fail;
	}
	if ((err = pg_file_write_atomic(info.ptr, text, strlen(text))) < 0)
		goto fail;
	if (!a->job.quiet)
		fprintf(stderr, "perfgate gate: shard %u of %u: %zu of %zu benchmarks\n", k, n,
			count, names.n);
	if (count) {
		extra[1] = regex.ptr;
		status = pg_job_run_suite(&st->candidate, &st->candidate_text, &st->cfg, &a->job,
					  extra, path.ptr, NULL);
		if (status != PG_EXIT_OK)
			goto cleanup;
		st->candidate_host = host_of(&st->candidate);
	}
	memset(&p, 0, sizeof(p));
	p.project = st->project.ptr;
	p.commit = st->repo.head;
	paths[0] = info.ptr;
	paths[1] = path.ptr;
	p.paths = paths;
	p.names = names_in_set;
	p.npaths = count ? 2 : 1;
	host = st->candidate_host ? json_incref(st->candidate_host) : json_object();
	p.host = host;
	p.now = pg_now();
	pg_buf_addf(&id, "%s-shard-%u-of-%u", st->run_id.ptr, k, n);
	p.run_id = id.ptr;
	err = pg_push_set(&where, st->store, &p);
	if (err < 0)
		status = pg_die_code(err);
	else
		printf("perfgate: shard %u of %u (%zu benchmark%s) uploaded to %s/%s\n", k, n,
		       count, count == 1 ? "" : "s", pg_store_display_url(st->store), where.ptr);
	/* the CI job's copy (--artifacts-dir), whatever happened to the upload */
	if (pg_gate_artifacts_write_set(st->cfg.upload.artifacts_dir, &st->candidate_text,
					st->tmpdir.ptr) < 0) {
		pg_err("%s", pg_error_last());
		if (status == PG_EXIT_OK)
			status = PG_EXIT_INFRA;
	}
	status = pg_finish_stdout(status);
	goto cleanup;

fail:
	status = pg_die_code(err);
cleanup:
	free(text);
	json_decref(doc);
	json_decref(host);
	pg_store_list_release(&names);
	pg_buf_release(&regex);
	pg_buf_release(&path);
	pg_buf_release(&where);
	pg_buf_release(&info);
	pg_buf_release(&id);
	return status;
}

/* --collect N: the candidate is the union of the N shards' results. */
static int collect_shards(struct gate_state *st, long n)
{
	pg_buf set = PG_BUF_INIT, dir = PG_BUF_INIT, path = PG_BUF_INIT, missing = PG_BUF_INIT;
	pg_buf data = PG_BUF_INIT;
	pg_manifest m;
	long k;
	size_t f;
	int err = 0, nmissing = 0;

	pg_manifest_init(&m);
	if ((err = make_tmpdir(st)) < 0)
		goto cleanup;
	for (k = 1; k <= n; k++) {
		int has_results = 0;

		pg_buf_reset(&set);
		pg_buf_reset(&dir);
		if ((err = shard_set(&set, st, (unsigned)k, (unsigned)n)) < 0)
			goto cleanup;
		pg_buf_addf(&dir, "%s/shard-%ld", st->tmpdir.ptr, k);
		err = pg_pull_set(&m, st->store, set.ptr, dir.ptr);
		if (err == PG_ENOTFOUND) {
			pg_buf_addf(&missing, "%s%ld", nmissing++ ? ", " : "", k);
			err = 0;
			continue;
		}
		if (err < 0)
			goto cleanup;
		for (f = 0; f < m.nfiles; f++)
			has_results |= !strcmp(m.files[f].name, "results.txt");
		if (has_results) {
			pg_buf_reset(&path);
			pg_buf_reset(&data);
			pg_buf_addf(&path, "%s/results.txt", dir.ptr);
			if ((err = pg_file_read(&data, path.ptr)) < 0 ||
			    (err = add_candidate_text(st, path.ptr, data.ptr, data.len)) < 0)
				goto cleanup;
			if (!st->candidate_host)
				st->candidate_host = json_incref(m.host);
		}
		pg_manifest_release(&m);
	}
	if (nmissing)
		err = pg_error_set(PG_EINFRA, "missing shard%s %s of %ld for run %s of commit %s "
				   "in '%s'", nmissing > 1 ? "s" : "", missing.ptr, n,
				   st->run_id.ptr, st->repo.head, pg_store_display_url(st->store));
	else if (!st->candidate.nseries)
		err = pg_error_set(PG_EINFRA, "the %ld shards hold no benchmark results", n);

cleanup:
	pg_manifest_release(&m);
	pg_buf_release(&set);
	pg_buf_release(&dir);
	pg_buf_release(&path);
	pg_buf_release(&missing);
	pg_buf_release(&data);
	return err;
}

/* ------------------------------------------------------------ profiles */

#define TOP_FUNCTIONS 5
#define MIN_GROWTH_POINTS 2.0

/* A copy of `s` owned by the state (for the report's pointers). */
static const char *keep(struct gate_state *st, const char *s)
{
	if (pg_strv_pushf(&st->strings, &st->nstrings, "%s", s) < 0)
		return NULL;
	return st->strings[st->nstrings - 1];
}

static char **prefixed(char **rel, size_t n, const char *dir)
{
	char **v = calloc(n + 1, sizeof(*v));
	size_t i;

	for (i = 0; v && i < n; i++) {
		pg_buf b = PG_BUF_INIT;

		pg_buf_addf(&b, "%s/%s", dir, rel[i]);
		v[i] = pg_buf_detach(&b, NULL);
	}
	return v;
}

/* For every regressed benchmark: the functions whose share of the CPU
 * profile grew the most from the baseline's profiles to the candidate's,
 * and a differential flame graph (placed by place_svgs()). Profiles
 * explain; they never change the verdict, so problems become notes. */
static int explain_regressions(struct gate_state *st)
{
	pg_buf base_dir = PG_BUF_INIT, new_dir = PG_BUF_INIT, label = PG_BUF_INIT,
	       svg = PG_BUF_INIT, path = PG_BUF_INIT, name = PG_BUF_INIT, title = PG_BUF_INIT;
	char **base_rel = NULL, **new_rel = NULL, **base = NULL, **new = NULL;
	size_t nb = 0, nn = 0, i, k, j;
	int err = 0;

	const pg_decision_set *d = st->deciding;

	if (!d || !d->regressions || !st->tmpdir.len)
		return 0;
	pg_buf_addf(&base_dir, "%s/baseline/profiles", st->tmpdir.ptr);
	pg_buf_addf(&new_dir, "%s/profiles", st->tmpdir.ptr);
	if ((err = pg_list_files(&new_rel, &nn, new_dir.ptr)) < 0 ||
	    (err = pg_list_files(&base_rel, &nb, base_dir.ptr)) < 0)
		goto cleanup;
	if (!nn)
		goto cleanup; /* no profiles of the candidate: nothing to say */
	base = prefixed(base_rel, nb, base_dir.ptr);
	new = prefixed(new_rel, nn, new_dir.ptr);
	st->profiles = calloc(d->regressions + 1, sizeof(*st->profiles));
	st->functions = calloc(d->regressions + 1, sizeof(*st->functions));
	st->svg_profile = calloc(d->regressions + 1, sizeof(*st->svg_profile));
	if (!base || !new || !st->profiles || !st->functions || !st->svg_profile) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];
		pg_report_profile *rp;
		pg_profile_diff diff;
		int dup = 0;

		if (row->decision != PG_DECISION_REGRESSION)
			continue;
		for (j = 0; j < st->nprofiles; j++)
			dup |= !strcmp(st->profiles[j].benchmark, row->benchmark);
		if (dup)
			continue;
		rp = &st->profiles[st->nprofiles];
		st->functions[st->nprofiles] = NULL;
		st->nprofiles++;
		rp->benchmark = row->benchmark;
		if (!nb) {
			rp->note = "no baseline profile (the baseline was pushed without profiles)";
			continue;
		}
		memset(&diff, 0, sizeof(diff));
		pg_buf_reset(&svg);
		pg_buf_reset(&label);
		pg_buf_reset(&title);
		/* the harness labels samples with the full name */
		pg_buf_addf(&label, "Benchmark%s", row->benchmark);
		pg_buf_addf(&title, "%s: candidate vs baseline", row->benchmark);
		/* this benchmark's samples; the whole run only when no sample
		 * carries a benchmark label (perf) */
		err = pg_profile_diff_benchmark(&diff, &svg, (const char *const *)base, nb,
						(const char *const *)new, nn, label.ptr, title.ptr);
		if (err < 0) {
			rp->note = keep(st, pg_error_last());
			pg_profile_diff_release(&diff);
			err = 0;
			continue;
		}
		st->functions[st->nprofiles - 1] = calloc(TOP_FUNCTIONS, sizeof(pg_report_function));
		for (k = 0; st->functions[st->nprofiles - 1] && k < diff.n &&
			    rp->nfunctions < TOP_FUNCTIONS; k++) {
			pg_report_function *f = &st->functions[st->nprofiles - 1][rp->nfunctions];

			if (diff.funcs[k].growth_points <= MIN_GROWTH_POINTS)
				break;
			f->name = keep(st, diff.funcs[k].name);
			f->base_flat_percent = diff.funcs[k].base_flat_percent;
			f->new_flat_percent = diff.funcs[k].new_flat_percent;
			f->growth_points = diff.funcs[k].growth_points;
			rp->nfunctions++;
		}
		rp->functions = st->functions[st->nprofiles - 1];
		pg_profile_diff_release(&diff);
		/* the flame graph: uploaded, or copied here (place_svgs()) */
		pg_buf_reset(&name);
		pg_buf_reset(&path);
		pg_buf_adds(&name, "profiles/diff-");
		pg_store_sanitize_component(&name, row->benchmark);
		pg_buf_adds(&name, ".svg");
		pg_buf_addf(&path, "%s/diff-%zu.svg", st->tmpdir.ptr, st->nprofiles);
		if (pg_buf_failed(&name) || pg_buf_failed(&path) ||
		    pg_file_write_atomic(path.ptr, svg.ptr, svg.len) < 0 ||
		    pg_strv_pushf(&st->svg_files, &st->nsvg, "%s", path.ptr) < 0) {
			rp->note = keep(st, pg_error_last());
			continue;
		}
		j = st->nsvg - 1;
		if (pg_strv_pushf(&st->svg_names, &j, "%s", name.ptr) < 0) {
			/* svg_files and svg_names stay the same length */
			free(st->svg_files[--st->nsvg]);
			st->svg_files[st->nsvg] = NULL;
			err = PG_ENOMEM;
			goto cleanup;
		}
		st->svg_profile[j] = st->nprofiles - 1;
	}

cleanup:
	pg_free_strv(base_rel);
	pg_free_strv(new_rel);
	pg_free_strv(base);
	pg_free_strv(new);
	pg_buf_release(&base_dir);
	pg_buf_release(&new_dir);
	pg_buf_release(&label);
	pg_buf_release(&svg);
	pg_buf_release(&path);
	pg_buf_release(&name);
	pg_buf_release(&title);
	return err;
}

/* Where the reports say each flame graph is: beside the artifacts when
 * they are `uploaded`; else a copy next to the --json (else --markdown)
 * report, or in .perfgate/, whose path the reports print. A copy that
 * cannot be written is a warning and no location. */
static void place_svgs(struct gate_state *st, const struct gate_args *a, int uploaded)
{
	const char *report = a->json ? a->json : a->markdown;
	pg_buf dir = PG_BUF_INIT, path = PG_BUF_INIT;
	size_t i;

	if (!uploaded && st->nsvg) {
		const char *slash = report ? strrchr(report, '/') : NULL;

		if (report)
			pg_buf_add(&dir, report, slash ? (size_t)(slash - report) + 1 : 0);
		else if (pg_git_private_dir(&dir, ".") == 0)
			pg_buf_addch(&dir, '/');
		else if (pg_mkdir_p(".perfgate", 0755) == 0)
			pg_buf_adds(&dir, ".perfgate/");
	}
	for (i = 0; i < st->nsvg; i++) {
		pg_report_profile *rp = &st->profiles[st->svg_profile[i]];
		const char *name = st->svg_names[i] + strlen("profiles/");

		pg_buf_reset(&path);
		if (uploaded) {
			pg_buf_addf(&path, "%s%s", st->artifacts.ptr, st->svg_names[i]);
		} else {
			pg_buf_addf(&path, "%sprofile-%s", dir.ptr, name);
			if (pg_file_copy(path.ptr, st->svg_files[i]) < 0) {
				pg_warn("the flame graph of %s was not written: %s", rp->benchmark,
					pg_error_last());
				rp->svg_url = NULL;
				continue;
			}
		}
		rp->svg_url = pg_buf_failed(&path) ? NULL : keep(st, path.ptr);
	}
	pg_buf_release(&dir);
	pg_buf_release(&path);
}

/* --ab measures no candidate runs of its own with a profile: when the A/B
 * finds regressions and the stored baseline has profiles, one separate
 * profiled run of the regressed benchmarks (natively, never counted)
 * gives explain_regressions() the candidate's side. Profiles explain and
 * never change the verdict: a failure is a warning. */
static void profile_candidate(struct gate_state *st, const struct gate_args *a)
{
	pg_gate_config one = st->cfg; /* shallow: only counts change */
	pg_buf dir = PG_BUF_INIT, base_dir = PG_BUF_INIT, regex = PG_BUF_INIT;
	char **names = NULL, **base_files = NULL;
	char *extra[3] = { NULL, NULL, NULL };
	const char *filter;
	size_t n = 0, nb = 0, i;
	pg_results discard;
	int status, err;

	pg_results_init(&discard);
	if (!st->deciding || !st->deciding->regressions || st->cfg.profile.mode == PG_PROFILE_OFF ||
	    !st->cfg.profile.runs || !st->tmpdir.len)
		goto cleanup;
	pg_buf_addf(&base_dir, "%s/baseline/profiles", st->tmpdir.ptr);
	if (pg_buf_failed(&base_dir) || pg_list_files(&base_files, &nb, base_dir.ptr) < 0 || !nb)
		goto cleanup; /* nothing to compare with */
	if (pg_ab_suspects(&names, &n, st->deciding) < 0 || !n)
		goto cleanup;
	filter = pg_ab_suite_filter(st->cfg.suite);
	for (i = 0; i < n; i++) {
		pg_buf one_regex = PG_BUF_INIT;

		err = pg_ab_bench_regex(&one_regex, names[i], filter);
		if (err == 0) {
			if (regex.len)
				pg_buf_addch(&regex, '|');
			pg_buf_adds(&regex, one_regex.ptr);
		}
		pg_buf_release(&one_regex);
		if (err < 0 && err != PG_ENOTFOUND)
			goto cleanup;
	}
	if (pg_buf_failed(&regex) || !regex.len)
		goto cleanup;
	extra[0] = "-bench";
	extra[1] = regex.ptr;
	pg_buf_addf(&dir, "%s/profiles", st->tmpdir.ptr);
	if (pg_buf_failed(&dir))
		goto cleanup;
	one.count = 1;
	one.warmup = 0;
	one.measure.mode = PG_MEASURE_TIME;
	one.measure.auto_reason = NULL; /* a profiled run: no "measure" line */
	if (!a->job.quiet)
		fprintf(stderr, "perfgate gate: profiling the candidate's regressed benchmarks "
			"(-bench '%s'), for the profile diff\n", regex.ptr);
	status = pg_job_run_suite(&discard, NULL, &one, &a->job, extra, NULL, dir.ptr);
	if (status != PG_EXIT_OK)
		pg_strv_pushf(&st->warnings, &st->nwarnings, "no profile of the candidate: its "
			 "profiled run failed (the verdict stands)");

cleanup:
	pg_results_release(&discard);
	pg_free_strv(names);
	pg_free_strv(base_files);
	pg_buf_release(&dir);
	pg_buf_release(&base_dir);
	pg_buf_release(&regex);
}

/* ------------------------------------------------------------ reports */

struct rendered {
	pg_buf term, md, junit, ann, json;
};

static void rendered_release(struct rendered *x)
{
	pg_buf_release(&x->term);
	pg_buf_release(&x->md);
	pg_buf_release(&x->junit);
	pg_buf_release(&x->ann);
	pg_buf_release(&x->json);
}

/* Render every report of `r`. */
static int render_all(struct rendered *x, const pg_report *r)
{
	const char *no_color = getenv("NO_COLOR"), *gha = getenv("GITHUB_ACTIONS");
	int color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
	int err;

	pg_buf_init(&x->term, 0);
	pg_buf_init(&x->md, 0);
	pg_buf_init(&x->junit, 0);
	pg_buf_init(&x->ann, 0);
	pg_buf_init(&x->json, 0);
	if ((err = pg_report_json_render(&x->json, r)) < 0)
		goto cleanup;
	if ((err = pg_report_terminal(&x->term, r, color)) < 0 ||
	    (err = pg_report_markdown(&x->md, r)) < 0 ||
	    (err = pg_report_junit(&x->junit, r)) < 0)
		goto cleanup;
	if (gha && !strcmp(gha, "true"))
		err = pg_report_annotations(&x->ann, r);

cleanup:
	return err;
}

/* The JSON, Markdown and JUnit reports of `x`. */
static pg_gate_reports reports_of(const struct rendered *x)
{
	pg_gate_reports g = { &x->json, &x->md, &x->junit };

	return g;
}

/* Copies of the reports in the temp dir, for the upload. */
static int write_upload_copies(struct gate_state *st, const struct rendered *x)
{
	pg_gate_reports g = reports_of(x);
	int err;

	if ((err = make_tmpdir(st)) < 0)
		return err;
	return pg_gate_artifacts_put_reports(st->tmpdir.ptr, &g);
}

/* The reports the user asked for, the step summary, the annotations and
 * the terminal report (its last line the verdict). Nonzero when a file
 * could not be written. */
static int emit_reports(const struct gate_args *a, const struct rendered *x)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	int failed = 0;

	if (a->json && pg_file_write_atomic(a->json, x->json.ptr, x->json.len) < 0)
		failed = 1, pg_err("%s", pg_error_last());
	if (a->markdown && pg_file_write_atomic(a->markdown, x->md.ptr, x->md.len) < 0)
		failed = 1, pg_err("%s", pg_error_last());
	if (a->junit && pg_file_write_atomic(a->junit, x->junit.ptr, x->junit.len) < 0)
		failed = 1, pg_err("%s", pg_error_last());
	if (summary && *summary) {
		FILE *f = fopen(summary, "a");

		if (!f || fwrite(x->md.ptr, 1, x->md.len, f) != x->md.len || fclose(f) != 0) {
			pg_err("cannot append to $GITHUB_STEP_SUMMARY '%s'", summary);
			failed = 1;
		}
	}
	fwrite(x->ann.ptr, 1, x->ann.len, stdout);
	fwrite(x->term.ptr, 1, x->term.len, stdout);
	return failed;
}

/* Upload the candidate's results, the reports, its profiles and the
 * profile diffs to runs/<commit>/<run-id>/. */
static int upload_artifacts(struct gate_state *st, pg_buf *where)
{
	static const char *const reports[] = { "report.json", "report.md", "report.xml" };
	const pg_config_upload *u = &st->cfg.upload;
	pg_buf dir = PG_BUF_INIT;
	char **paths = NULL, **names = NULL, **prof = NULL;
	size_t n = 0, nprof = 0, i, cap;
	json_t *host = NULL;
	pg_push p;
	int err = 0;

	pg_buf_addf(&dir, "%s/profiles", st->tmpdir.ptr);
	if (u->profiles && (err = pg_list_files(&prof, &nprof, dir.ptr)) < 0)
		goto cleanup;
	cap = 4 + nprof + st->nsvg;
	paths = calloc(cap + 1, sizeof(*paths));
	names = calloc(cap + 1, sizeof(*names));
	if (!paths || !names) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
#define ADD(path_fmt, path_arg, name_fmt, name_arg) do { \
		pg_buf pb = PG_BUF_INIT, nb = PG_BUF_INIT; \
		pg_buf_addf(&pb, path_fmt, path_arg); \
		pg_buf_addf(&nb, name_fmt, name_arg); \
		paths[n] = pg_buf_detach(&pb, NULL); \
		names[n++] = pg_buf_detach(&nb, NULL); \
	} while (0)
	if (u->results && st->candidate.nseries) {
		pg_buf path = PG_BUF_INIT;

		pg_buf_addf(&path, "%s/candidate.txt", st->tmpdir.ptr);
		err = candidate_text(st);
		if (!err)
			err = pg_file_write_atomic(path.ptr, st->candidate_text.ptr,
						   st->candidate_text.len);
		pg_buf_release(&path);
		if (err < 0)
			goto cleanup;
		ADD("%s/candidate.txt", st->tmpdir.ptr, "%s", "results.txt");
	}
	for (i = 0; u->reports && i < 3; i++) {
		pg_buf path = PG_BUF_INIT;

		pg_buf_addf(&path, "%s/%s", st->tmpdir.ptr, reports[i]);
		if (access(path.ptr, R_OK) == 0)
			ADD("%s", path.ptr, "%s", reports[i]);
		pg_buf_release(&path);
	}
	for (i = 0; u->profiles && i < nprof; i++)
		ADD("%s", prof[i], "profiles/%s", prof[i]);
	for (i = 0; u->profiles && i < st->nsvg; i++)
		ADD("%s", st->svg_files[i], "%s", st->svg_names[i]);
#undef ADD
	/* profile paths are relative to the profiles directory */
	for (i = 0; i < n; i++) {
		if (!paths[i] || !names[i]) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		if (strncmp(names[i], "profiles/", 9) == 0 && paths[i][0] != '/') {
			pg_buf full = PG_BUF_INIT;

			pg_buf_addf(&full, "%s/%s", dir.ptr, paths[i]);
			free(paths[i]);
			paths[i] = pg_buf_detach(&full, NULL);
		}
	}
	if (!n)
		goto cleanup;
	memset(&p, 0, sizeof(p));
	p.project = st->project.ptr;
	p.commit = st->repo.head;
	p.branch = st->repo.branch;
	p.run_id = st->run_id.ptr;
	p.paths = (const char *const *)paths;
	p.names = (const char *const *)names;
	p.npaths = n;
	/* an errored run has no results to read a host from, and its
	 * reports must go up all the same */
	host = st->candidate_host ? json_incref(st->candidate_host) : json_object();
	p.host = host;
	p.now = pg_now();
	p.upload_id = st->upload_id.len ? st->upload_id.ptr : NULL;
	err = host ? pg_push_set(where, st->store, &p) : pg_error_set(PG_ENOMEM, "out of memory");

cleanup:
	json_decref(host);
	pg_free_strv(paths);
	pg_free_strv(names);
	pg_free_strv(prof);
	pg_buf_release(&dir);
	return err;
}

/* ------------------------------------------------------------ options */

static int parse_gate_args(struct gate_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "store", required_argument, NULL, OPT_STORE },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "baseline-branch", required_argument, NULL, OPT_BASELINE_BRANCH },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "threshold-on", required_argument, NULL, OPT_THRESHOLD_ON },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "test", required_argument, NULL, OPT_TEST },
		{ "max-walk", required_argument, NULL, OPT_MAX_WALK },
		{ "correction", required_argument, NULL, OPT_CORRECTION },
		{ "missing-baseline", required_argument, NULL, OPT_MISSING },
		{ "results", required_argument, NULL, OPT_RESULTS },
		{ "baseline-file", required_argument, NULL, OPT_BASELINE_FILE },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "markdown", required_argument, NULL, OPT_MARKDOWN },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "require-same-host", no_argument, NULL, OPT_SAME_HOST },
		{ "require-quiet", no_argument, NULL, OPT_REQ_QUIET },
		{ "require-upload", no_argument, NULL, OPT_REQ_UPLOAD },
		{ "no-upload", no_argument, NULL, OPT_NO_UPLOAD },
		{ "artifacts-dir", required_argument, NULL, OPT_ARTIFACTS_DIR },
		{ "run-id", required_argument, NULL, OPT_RUN_ID },
		{ "measure", required_argument, NULL, OPT_MEASURE },
		{ "ab", no_argument, NULL, OPT_AB },
		{ "confirm", no_argument, NULL, OPT_CONFIRM },
		{ "no-confirm", no_argument, NULL, OPT_NO_CONFIRM },
		{ "confirm-rounds", required_argument, NULL, OPT_CONFIRM_ROUNDS },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "collect", required_argument, NULL, OPT_COLLECT },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "allow-insecure-http", no_argument, NULL, OPT_INSECURE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	size_t count;
	int c, err;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:vqh", longopts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case OPT_CONFIG:
			err = pg_parse_nonempty(&a->job.config_path, "--config", optarg, "a file name");
			break;
		case OPT_STORE:
			err = pg_parse_nonempty(&a->job.store, "--store", optarg, "a folder or URL");
			break;
		case OPT_PROJECT:
			err = pg_parse_nonempty(&a->job.project, "--project", optarg, "a name");
			break;
		case OPT_BASELINE_BRANCH: a->job.baseline_branch = optarg; break;
		case 'n':
			if (!strcmp(optarg, "auto")) {
				a->count_auto = 1;
				break;
			}
			err = pg_parse_count(&count, "--count", optarg, 1);
			a->job.count = (long)count;
			a->count_auto = 0;
			break;
		case OPT_WARMUP:
			err = pg_parse_count(&count, "--warmup", optarg, 0);
			a->job.warmup = (long)count;
			break;
		case OPT_CPUS: a->job.cpus = optarg; break;
		case OPT_TIMEOUT:
			err = pg_parse_seconds(&a->job.timeout, "--timeout", optarg);
			break;
		case OPT_THRESHOLD: a->threshold = optarg; break;
		case OPT_THRESHOLD_ON: a->threshold_on = optarg; break;
		case OPT_ALPHA: a->alpha = optarg; break;
		case OPT_TEST: a->test = optarg; break;
		case OPT_MAX_WALK:
			err = pg_parse_count(&count, "--max-walk", optarg, 1);
			a->max_walk = (long)count;
			break;
		case OPT_CORRECTION: a->correction = optarg; break;
		case OPT_MISSING: a->missing = optarg; break;
		case OPT_RESULTS:
			err = pg_parse_nonempty(&a->results, "--results", optarg, "a file name");
			break;
		case OPT_BASELINE_FILE:
			err = pg_parse_nonempty(&a->baseline_file, "--baseline-file", optarg,
						"a file name");
			break;
		case OPT_JSON:
			err = pg_parse_nonempty(&a->json, "--json", optarg, "a file name");
			break;
		case OPT_MARKDOWN:
			err = pg_parse_nonempty(&a->markdown, "--markdown", optarg, "a file name");
			break;
		case OPT_JUNIT:
			err = pg_parse_nonempty(&a->junit, "--junit", optarg, "a file name");
			break;
		case OPT_QUICK: a->job.quick = 1; break;
		case OPT_SAME_HOST: a->same_host = 1; break;
		case OPT_REQ_QUIET: a->job.require_quiet = 1; break;
		case OPT_REQ_UPLOAD: a->require_upload = 1; break;
		case OPT_NO_UPLOAD: a->no_upload = 1; break;
		case OPT_ARTIFACTS_DIR:
			err = pg_parse_nonempty(&a->artifacts_dir, "--artifacts-dir", optarg,
						"a folder");
			break;
		case OPT_RUN_ID:
			err = pg_parse_nonempty(&a->run_id, "--run-id", optarg, "an id");
			break;
		case OPT_MEASURE: a->job.measure = optarg; break;
		case OPT_AB: a->ab = 1; break;
		case OPT_CONFIRM: a->confirm = 1; break;
		case OPT_NO_CONFIRM: a->confirm = 0; break;
		case OPT_CONFIRM_ROUNDS:
			err = pg_parse_count(&a->confirm_rounds, "--confirm-rounds", optarg, 2);
			break;
		case OPT_SHARD: a->shard = optarg; break;
		case OPT_COLLECT:
			err = pg_parse_count(&count, "--collect", optarg, 1);
			a->collect = (long)count;
			break;
		case OPT_CACERT:
			err = pg_parse_nonempty(&a->job.store_opts.cacert, "--cacert", optarg,
						"a file name");
			break;
		case OPT_INSECURE: a->job.store_opts.allow_insecure_http = 1; break;
		case 'v':
			pg_store_cli_verbose(&a->job.store_opts);
			break;
		case 'q': a->job.quiet = 1; break;
		case 'h':
			fputs(gate_usage, stdout);
			return pg_finish_stdout(PG_EXIT_OK) == PG_EXIT_OK ? 1 : -PG_EXIT_INFRA;
		default:
			return -pg_usage_error(gate_usage, "gate: unknown option '%s'",
					       argv[optind - 1]);
		}
		if (err < 0)
			return -pg_usage_error(gate_usage, "gate: %s", pg_error_last());
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0)
			return -pg_usage_error(gate_usage, "gate: unexpected argument '%s' "
					       "(the suite goes after '--')", argv[optind]);
		a->job.suite = argv + optind;
		a->job.nsuite = (size_t)(argc - optind);
	}
	if (a->count_auto && (a->ab || a->results || a->shard || a->collect))
		return -pg_usage_error(gate_usage, "gate: --count auto measures the candidate "
				       "against a stored baseline or --baseline-file: it excludes "
				       "--ab, --results, --shard and --collect");
	if ((a->ab || a->confirm == 1) && (a->baseline_file || a->results || a->shard || a->collect))
		return -pg_usage_error(gate_usage, "gate: --ab and --confirm measure both builds "
				       "here: they exclude --baseline-file, --results, --shard and "
				       "--collect");
	if (a->shard && a->collect)
		return -pg_usage_error(gate_usage, "gate: --shard and --collect exclude each other");
	if (a->results && (a->shard || a->collect))
		return -pg_usage_error(gate_usage, "gate: --results excludes --shard and --collect");
	if (a->baseline_file && (a->shard || a->collect))
		return -pg_usage_error(gate_usage, "gate: --baseline-file excludes --shard and --collect");
	return 0;
}

/* Gate-only overrides of the configuration. */
static int apply_decision_args(pg_gate_config *cfg, const struct gate_args *a)
{
	int err = 0;

	if (a->threshold)
		err = pg_config_parse_threshold(&cfg->threshold_default, "--threshold", a->threshold);
	if (!err && a->threshold_on)
		err = pg_config_parse_threshold_on(&cfg->threshold_on, "--threshold-on",
						   a->threshold_on);
	if (!err && a->alpha)
		err = pg_parse_fraction(&cfg->alpha, "--alpha", a->alpha);
	if (!err && a->correction)
		err = pg_config_parse_correction(&cfg->correction, "--correction", a->correction);
	if (!err && a->test)
		err = pg_config_parse_test(&cfg->test, "--test", a->test);
	if (a->max_walk >= 0)
		cfg->max_walk = (size_t)a->max_walk;
	if (!err && a->missing)
		err = pg_config_parse_missing_baseline(&cfg->missing_baseline, "--missing-baseline",
						       a->missing);
	if (a->same_host)
		cfg->require_same_host = 1;
	if (a->require_upload)
		cfg->require_upload = 1;
	if (a->no_upload)
		cfg->upload.enabled = 0;
	if (!err && a->artifacts_dir)
		err = pg_config_set_string(&cfg->upload.artifacts_dir, a->artifacts_dir);
	return err;
}

/* ------------------------------------------------------------ the job */

static void decide_opts(pg_decide_opts *o, const struct gate_state *st)
{
	pg_decide_opts def = PG_DECIDE_OPTS_INIT;

	*o = def;
	o->alpha = st->cfg.alpha;
	o->correction = st->cfg.correction;
	o->threshold_on = st->cfg.threshold_on;
	o->test = st->cfg.test;
	o->rule = pg_config_rule;
	o->rule_ctx = (void *)&st->cfg;
}

static int decide(struct gate_state *st)
{
	pg_decide_opts o;

	decide_opts(&o, st);
	st->have_decision = 1;
	return pg_decide(&st->decision, &st->baseline, &st->candidate, &o);
}

/* --count auto: run the candidate in batches, looking after each with the
 * sequential rule (stats/sequential.h), until every row is decided or the
 * maximum is reached; the maximum is the baseline's own count (unequal
 * counts make Welch's test on skewed timings raise false alarms). */
static int run_sequential(struct gate_state *st, const struct gate_args *a, int *status)
{
	pg_decide_opts d;
	pg_seq_opts so;
	pg_seq_state seq;
	pg_seq_verdict v;
	pg_gate_config batch_cfg;
	pg_buf text = PG_BUF_INIT, profiles = PG_BUF_INIT;
	size_t base_n = 0, i, done = 0;
	int err = 0, started = 0;

	*status = PG_EXIT_OK;
	for (i = 0; i < st->baseline.nseries; i++)
		if (st->baseline.series[i].n > base_n)
			base_n = st->baseline.series[i].n;
	decide_opts(&d, st);
	pg_sequential_gate_plan(&so, &d, base_n);
	if ((err = pg_sequential_init(&seq, &so)) < 0)
		return err;
	started = 1;
	batch_cfg = st->cfg; /* shallow: the counts change, nothing is freed */
	if ((err = make_tmpdir(st)) < 0)
		goto cleanup;
	pg_buf_addf(&profiles, "%s/profiles", st->tmpdir.ptr);
	for (;;) {
		pg_results batch;
		size_t want = done ? v.next_runs : so.min_runs;

		batch_cfg.count = want > done ? want - done : 1;
		batch_cfg.warmup = done ? 0 : st->cfg.warmup;
		pg_results_init(&batch);
		pg_buf_reset(&text);
		*status = pg_job_run_suite(&batch, &text, &batch_cfg, &a->job, NULL, NULL,
					   done ? NULL : profiles.ptr);
		pg_results_release(&batch);
		if (*status != PG_EXIT_OK)
			goto cleanup;
		if ((err = add_candidate_text(st, "candidate", text.ptr, text.len)) < 0)
			goto cleanup;
		done += batch_cfg.count;
		if ((err = pg_sequential_step(&v, &seq, &st->baseline, &st->candidate)) < 0)
			goto cleanup;
		if (v.stop)
			break;
	}
	pg_buf_reset(&text);
	if ((err = pg_gate_auto_summary(&text, &v, &seq, base_n)) < 0 ||
	    (err = pg_strv_pushf(&st->warnings, &st->nwarnings, "%s", text.ptr)) < 0)
		goto cleanup;
	{
		pg_decide_opts fin;

		pg_sequential_final_opts(&fin, &seq);
		st->have_decision = 1;
		err = pg_decide(&st->decision, &st->baseline, &st->candidate, &fin);
		st->deciding = &st->decision;
		if (!err)
			pg_gate_auto_annotate(&st->decision, &seq);
	}

cleanup:
	if (started)
		pg_sequential_release(&seq);
	pg_buf_release(&text);
	pg_buf_release(&profiles);
	return err;
}

/* Confirmation on by default in CI when the baseline can be built, and
 * time is measured (instruction counts are exact: nothing to confirm). */
static int want_confirm(const struct gate_args *a, const pg_gate_config *cfg)
{
	const char *ci = getenv("CI");

	if (a->confirm >= 0)
		return a->confirm;
	return ci && *ci && cfg->build && *cfg->build &&
	       cfg->measure.mode != PG_MEASURE_CALLGRIND;
}

/* An A/B measurement of `benchmarks` (NULL: all) against the baseline
 * commit: the A/B pass of --ab, or the confirmation of suspects. */
static int measure_ab(pg_ab_outcome *out, struct gate_state *st, const struct gate_args *a,
		      const char *commit, char *const *benchmarks, size_t rounds)
{
	pg_decide_opts o;
	pg_buf top = PG_BUF_INIT;
	pg_ab_job job;
	int err;

	decide_opts(&o, st);
	if ((err = pg_git_toplevel(&top, ".")) < 0)
		goto cleanup;
	memset(&job, 0, sizeof(job));
	job.cfg = &st->cfg;
	job.o = &a->job;
	job.decide = &o;
	job.repo_top = top.ptr;
	job.baseline_commit = commit;
	job.benchmarks = benchmarks;
	job.rounds = rounds;
	err = pg_gate_ab(out, &job);
	if (err < 0 && out->failure_stderr.len) {
		pg_buf_rtrim(&out->failure_stderr);
		fprintf(stderr, "perfgate: the end of its output:\n%s\n", out->failure_stderr.ptr);
	}

cleanup:
	pg_buf_release(&top);
	return err;
}

int cmd_gate(int argc, char **argv)
{
	struct gate_args a;
	struct gate_state st;
	pg_report r;
	pg_buf where = PG_BUF_INIT;
	const char *error_msg = NULL;
	char error_copy[PG_ERROR_MAX];
	int status = PG_EXIT_OK, err = 0, have_baseline = 0, write_failed = 0;
	int use_store;

	memset(&a, 0, sizeof(a));
	a.confirm = -1;
	a.max_walk = -1;
	pg_job_opts_init(&a.job);
	err = parse_gate_args(&a, argc, argv);
	if (err)
		return err > 0 ? PG_EXIT_OK : -err;
	state_init(&st);
	/* --measure auto becomes time or callgrind here, once: the runs, the
	 * A/B, the confirmation and the report all see the chosen mode */
	if ((err = pg_job_config(&st.cfg, &a.job)) < 0 ||
	    (err = pg_job_resolve_measure(&st.cfg, a.job.quiet, "gate")) < 0 ||
	    (err = apply_decision_args(&st.cfg, &a)) < 0) {
		status = pg_die_code(err);
		goto done;
	}
	/* a suite to measure, unless the candidate is a file or the shards'
	 * results: said before the repository and the store are touched */
	if (!a.results && !a.collect && (err = pg_job_check_suite(&st.cfg)) < 0) {
		status = pg_die_code(err);
		goto error_report;
	}
	use_store = !a.baseline_file || a.shard || a.collect;

	/* the repository (HEAD, branch, dirty): needed for the store */
	if (use_store) {
		pg_resolve_options ro;

		pg_resolve_options_init(&ro);
		err = pg_resolve_repo(&st.repo, ".", &ro);
		if (err < 0) {
			status = pg_die_code(err);
			goto done;
		}
		st.have_repo = 1;
		if ((err = pg_job_project(&st.project, &st.cfg)) < 0 ||
		    (err = pg_job_open_store(&st.store, &st.cfg, &a.job)) < 0 ||
		    (err = a.run_id ? pg_store_sanitize_component(&st.run_id, a.run_id) :
				      pg_job_run_id(&st.run_id, a.shard || a.collect, pg_now())) < 0) {
			status = pg_die_code(err);
			goto done;
		}
	}
	if (a.shard) {
		status = run_shard(&st, &a);
		goto done;
	}

	/* the candidate */
	if (a.collect) {
		err = collect_shards(&st, a.collect);
	} else if (a.results) {
		if ((err = read_results(&st.candidate, a.results)) == 0)
			err = note_incomplete(&st, &st.candidate, "candidate", a.results);
	} else if (a.ab || a.count_auto) {
		/* measured once the baseline is known: in the A/B, or in
		 * batches against it */
	} else {
		pg_buf profiles = PG_BUF_INIT;

		if ((err = make_tmpdir(&st)) < 0) {
			status = pg_die_code(err);
			goto error_report;
		}
		pg_buf_addf(&profiles, "%s/profiles", st.tmpdir.ptr);
		status = pg_job_run_suite(&st.candidate, &st.candidate_text, &st.cfg, &a.job,
					  NULL, NULL, profiles.ptr);
		pg_buf_release(&profiles);
		if (status != PG_EXIT_OK)
			goto error_report;
	}
	if (err < 0) {
		status = pg_die_code(err);
		goto error_report;
	}
	if (!st.candidate_host && !a.ab && !a.count_auto)
		st.candidate_host = host_of(&st.candidate);

	/* the baseline */
	if (a.baseline_file) {
		if ((err = read_results(&st.baseline, a.baseline_file)) < 0 ||
		    (err = note_incomplete(&st, &st.baseline, "baseline", a.baseline_file)) < 0) {
			status = pg_die_code(err);
			goto error_report;
		}
		st.baseline_host = host_of(&st.baseline);
		pg_buf_addf(&st.baseline_source, "file: %s", a.baseline_file);
		have_baseline = 1;
	} else {
		err = baseline_from_store(&st, &a, &have_baseline);
		if (err < 0) {
			status = pg_die_code(err);
			goto error_report;
		}
	}
	if (st.have_repo && st.repo.dirty)
		pg_strv_pushf(&st.warnings, &st.nwarnings, "the working tree has uncommitted changes: "
			 "the candidate is HEAD plus them");
	if (have_baseline && st.baseline.nseries && st.candidate.nseries) {
		/* --measure time vs callgrind: say so, the rows will not match */
		pg_buf w = PG_BUF_INIT;

		if (pg_job_measure_warning(&w, &st.baseline, &st.candidate) > 0)
			pg_strv_pushf(&st.warnings, &st.nwarnings, "%s", w.ptr);
		pg_buf_release(&w);
	}
	if (a.ab && !have_baseline && st.have_repo && st.repo.merge_base[0]) {
		/* no stored baseline: the A/B builds the merge base itself */
		pg_buf_reset(&st.baseline_commit);
		pg_buf_reset(&st.baseline_source);
		pg_buf_adds(&st.baseline_commit, st.repo.merge_base);
		pg_buf_addf(&st.baseline_source, "merge base of HEAD and %s, built on this runner",
			    st.repo.target_branch ? st.repo.target_branch : "the baseline branch");
		have_baseline = 1;
	}
	if (a.ab && have_baseline) {
		if ((err = measure_ab(&st.ab, &st, &a, st.baseline_commit.ptr, NULL,
				      st.cfg.count)) < 0) {
			status = pg_die_code(err);
			goto error_report;
		}
		st.deciding = &st.ab.paired.decision;
		st.deciding_title = st.ab.title.ptr;
		/* the A/B measured both builds on this host */
		st.candidate_host = host_of(&st.ab.cand);
		st.baseline_host = st.baseline_host ? st.baseline_host :
						      json_incref(st.candidate_host);
	}
	if (a.count_auto) {
		int run_status = PG_EXIT_OK;

		if (have_baseline)
			err = run_sequential(&st, &a, &run_status);
		else
			run_status = pg_job_run_suite(&st.candidate, &st.candidate_text,
						      &st.cfg, &a.job, NULL, NULL, NULL);
		if (run_status != PG_EXIT_OK) {
			status = run_status;
			goto error_report;
		}
		if (err < 0) {
			status = pg_die_code(err);
			goto error_report;
		}
		st.candidate_host = host_of(&st.candidate);
	}
	if (!have_baseline) {
		/* the branch the resolver looked for (a CI variable may name
		 * another than the configured one) */
		const char *branch = st.have_repo && st.repo.target_branch ?
			st.repo.target_branch : st.cfg.baseline_branch;

		pg_strv_pushf(&st.warnings, &st.nwarnings,
			 "no baseline to compare with%s: nothing was checked (run 'perfgate baseline "
			 "refresh' on %s, e.g. nightly)",
			 st.cfg.missing_baseline == PG_MISSING_BASELINE_PASS ?
				 "; passing as --missing-baseline pass says" :
				 "; failing as --missing-baseline fail says", branch);
		status = st.cfg.missing_baseline == PG_MISSING_BASELINE_PASS ? PG_EXIT_OK :
									     PG_EXIT_INFRA;
	} else {
		if (!a.ab && !st.have_decision) {
			if ((err = decide(&st)) < 0) {
				status = pg_die_code(err);
				goto error_report;
			}
			st.deciding = &st.decision;
		}
		if ((err = compare_hosts(&st)) < 0) {
			status = pg_die_code(err);
			goto error_report;
		}
		/* the confirmation: the suspects measured again, interleaved */
		if (want_confirm(&a, &st.cfg) && st.baseline_commit.len) {
			char **suspects = NULL;
			size_t nsus = 0;

			if ((err = pg_ab_suspects(&suspects, &nsus, st.deciding)) < 0) {
				status = pg_die_code(err);
				goto error_report;
			}
			if (nsus) {
				size_t rounds = a.confirm_rounds ? a.confirm_rounds :
					(2 * st.cfg.count > 10 ? 2 * st.cfg.count : 10);

				err = measure_ab(&st.confirm, &st, &a, st.baseline_commit.ptr,
						 suspects, rounds);
				pg_free_strv(suspects);
				if (err < 0) {
					status = pg_die_code(err);
					goto error_report;
				}
				st.first_pass = st.deciding;
				st.first_pass_title = a.ab ? st.deciding_title :
					"the stored baseline against the candidate's runs";
				if ((err = pg_confirm_merge_build(&st.merged, st.first_pass,
						&st.confirm.paired.decision)) < 0) {
					status = pg_die_code(err);
					goto error_report;
				}
				for (size_t i = 0; i < st.merged.nnotes; i++)
					pg_strv_pushf(&st.warnings, &st.nwarnings, "%s",
						      st.merged.notes[i]);
				st.deciding = &st.merged.final;
				st.deciding_title = st.confirm.title.ptr;
			}
		}
		status = st.deciding->regressions ? PG_EXIT_REGRESSION : PG_EXIT_OK;
		if (st.nhost_diffs && st.cfg.require_same_host) {
			pg_err("baseline and candidate ran on different hosts and "
			       "--require-same-host was given");
			snprintf(error_copy, sizeof(error_copy), "baseline and candidate ran on "
				 "different hosts (--require-same-host)");
			error_msg = error_copy;
			status = PG_EXIT_INFRA;
		}
	}
	warn_unmatched(&st);
	goto report;

error_report:
	snprintf(error_copy, sizeof(error_copy), "%s", pg_error_last()[0] ? pg_error_last() :
		 "the suite failed (see above)");
	error_msg = error_copy;

report:
	if (st.store && st.have_repo && st.cfg.upload.enabled && !a.collect) {
		/* where the artifacts will go (named in the reports) */
		pg_buf set = PG_BUF_INIT;

		/* the objects go under the upload id: name it now, so that the
		 * reports can say where everything is */
		if (pg_run_prefix(&set, st.project.ptr, st.repo.head, st.run_id.ptr) == 0 &&
		    pg_new_upload_id(&st.upload_id, pg_now()) == 0)
			pg_buf_addf(&st.artifacts, "%s/%s%s/", pg_store_display_url(st.store),
				    set.ptr, st.upload_id.ptr);
		pg_buf_release(&set);
	}
	if (!error_msg && a.ab && have_baseline)
		profile_candidate(&st, &a);
	if (!error_msg && explain_regressions(&st) < 0)
		pg_warn("the profiles could not be compared: %s", pg_error_last());
	place_svgs(&st, &a, st.artifacts.len && st.cfg.upload.profiles);
	memset(&r, 0, sizeof(r));
	r.exit_code = status;
	if (error_msg)
		r.verdict = PG_VERDICT_ERROR;
	else if (!have_baseline)
		r.verdict = PG_VERDICT_NO_BASELINE;
	else if (status == PG_EXIT_REGRESSION)
		r.verdict = PG_VERDICT_REGRESSION;
	else
		r.verdict = PG_VERDICT_PASS;
	r.project = st.project.len ? st.project.ptr : NULL;
	r.baseline_commit = st.baseline_commit.len ? st.baseline_commit.ptr : NULL;
	r.baseline_source = st.baseline_source.len ? st.baseline_source.ptr : NULL;
	r.baseline_branch = st.have_repo ? st.repo.target_branch : NULL;
	r.candidate_commit = st.have_repo ? st.repo.head : NULL;
	r.candidate_dirty = st.have_repo && st.repo.dirty;
	r.candidate_branch = st.have_repo ? st.repo.branch : NULL;
	r.baseline_host = st.baseline_host;
	r.candidate_host = st.candidate_host;
	r.host_differences = (const char *const *)st.host_diffs;
	r.nhost_differences = st.nhost_diffs;
	r.decision = have_baseline ? st.deciding : NULL;
	r.decision_title = st.deciding_title;
	r.first_pass = st.first_pass;
	r.first_pass_title = st.first_pass_title;
	r.first_pass_paired = st.first_pass && a.ab ? &st.ab.paired : NULL;
	r.confirmed = st.first_pass ? st.merged.confirmed : NULL;
	r.measure = st.cfg.measure.mode == PG_MEASURE_CALLGRIND ? "callgrind" : "time";
	r.paired = st.first_pass ? &st.confirm.paired :
		   st.deciding == &st.ab.paired.decision ? &st.ab.paired : NULL;
	r.warnings = (const char *const *)st.warnings;
	r.nwarnings = st.nwarnings;
	r.artifacts_url = st.artifacts.len ? st.artifacts.ptr : NULL;
	r.error = error_msg;
	r.perfgate_version = PERFGATE_VERSION;
	r.profiles = st.profiles;
	r.nprofiles = st.nprofiles;
	/* upload first (the uploaded reports name where they are), then the
	 * final reports with the final exit status */
	if (st.artifacts.len) {
		struct rendered up;

		err = render_all(&up, &r);
		if (!err)
			err = write_upload_copies(&st, &up);
		rendered_release(&up);
		if (!err)
			err = upload_artifacts(&st, &where);
		if (err < 0) {
			pg_warn("the run's artifacts were not uploaded: %s", pg_error_last());
			r.artifacts_url = NULL;
			if (st.cfg.upload.profiles)
				place_svgs(&st, &a, 0);
			if (st.cfg.require_upload && status == PG_EXIT_OK) {
				status = PG_EXIT_INFRA;
				r.exit_code = status;
				r.verdict = PG_VERDICT_ERROR;
				snprintf(error_copy, sizeof(error_copy), "the run's artifacts were not "
					 "uploaded (--require-upload)");
				r.error = error_copy;
			}
		}
	}
	{
		struct rendered fin;
		pg_gate_reports g;

		if (render_all(&fin, &r) < 0) {
			rendered_release(&fin);
			status = pg_die_code(PG_ENOMEM);
			goto done;
		}
		write_failed = emit_reports(&a, &fin);
		/* the artifacts for the CI job, whatever happened to the upload:
		 * the same final reports */
		g = reports_of(&fin);
		if ((st.cfg.upload.artifacts_dir && st.cfg.upload.results &&
		     candidate_text(&st) < 0) ||
		    pg_gate_artifacts_write(&st.cfg.upload, &g, &st.candidate_text,
					    st.tmpdir.len ? st.tmpdir.ptr : NULL,
					    (const char *const *)st.svg_files,
					    (const char *const *)st.svg_names, st.nsvg) < 0) {
			pg_err("%s", pg_error_last());
			write_failed = 1;
		}
		rendered_release(&fin);
	}
	if (write_failed && status == PG_EXIT_OK)
		status = PG_EXIT_INFRA;
	status = pg_finish_stdout(status);

done:
	pg_buf_release(&where);
	state_release(&st);
	return status;
}
