#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-runner/ab.h"
#include "bench-runner/cpus.h"
#include "bench-runner/host.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/ab_build.h"
#include "gate/cmd.h"
#include "gate/gate_ab.h"
#include "gate/gate_confirm.h"
#include "gate/run_support.h"
#include "gate/shard.h"
#include "common/banned.h"

void pg_ab_outcome_init(pg_ab_outcome *o)
{
	memset(o, 0, sizeof(*o));
	pg_results_init(&o->base);
	pg_results_init(&o->cand);
	pg_buf_init(&o->title, 0);
	pg_buf_init(&o->failure_stderr, 0);
}

void pg_ab_outcome_release(pg_ab_outcome *o)
{
	if (!o)
		return;
	pg_results_release(&o->base);
	pg_results_release(&o->cand);
	if (o->have_paired)
		pg_paired_set_release(&o->paired);
	pg_buf_release(&o->title);
	pg_buf_release(&o->failure_stderr);
	pg_ab_outcome_init(o);
}

/* "BenchmarkHash" for "Hash/fnv1a-64K" or "Hash-2" */
static int top_level(pg_buf *out, const char *row_name)
{
	size_t len = strcspn(row_name, "/"), i;

	/* a procs suffix ends the whole name, so only without sub-levels */
	if (row_name[len] == '\0') {
		for (i = len; i > 0 && row_name[i - 1] >= '0' && row_name[i - 1] <= '9'; i--)
			;
		if (i > 1 && i < len && row_name[i - 1] == '-')
			len = i - 1;
	}
	pg_buf_adds(out, "Benchmark");
	pg_buf_add(out, row_name, len);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_ab_suspects(char ***out, size_t *n, const pg_decision_set *d)
{
	pg_buf name = PG_BUF_INIT;
	size_t i, j;
	int err = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; d && i < d->nrows; i++) {
		const pg_decide_row *r = &d->rows[i];
		int dup = 0;
		char **grown;

		if (!pg_confirm_is_suspect(r))
			continue;
		pg_buf_reset(&name);
		if ((err = top_level(&name, r->benchmark)) < 0)
			break;
		for (j = 0; j < *n; j++)
			dup |= !strcmp((*out)[j], name.ptr);
		if (dup)
			continue;
		grown = realloc(*out, (*n + 2) * sizeof(**out));
		if (!grown) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		*out = grown;
		(*out)[(*n)++] = pg_buf_detach(&name, NULL);
		(*out)[*n] = NULL;
	}
	pg_buf_release(&name);
	if (err < 0) {
		pg_free_strv(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

struct ab_progress {
	int tty;
};

static void progress(void *ctx, const pg_ab_progress *p)
{
	struct ab_progress *st = ctx;

	if (st->tty)
		fprintf(stderr, "\r\033[Kperfgate gate: A/B %zu/%zu processes (%s), %.0f s",
			p->done, p->total, p->benchmark, p->elapsed);
	else if (p->done % 20 == 0 || p->done == p->total)
		fprintf(stderr, "perfgate gate: A/B %zu of %zu processes done (%.0f s)\n",
			p->done, p->total, p->elapsed);
	if (st->tty && p->done == p->total)
		fputc('\n', stderr);
}

/* The suite command for a tree: a relative program path ("build/x")
 * points into that tree; anything else (an absolute path, a command
 * looked up in PATH) is used as it is, run from the tree's top. */
static char **side_argv(const pg_gate_config *cfg, const char *top)
{
	char **argv = calloc(cfg->nsuite + 1, sizeof(*argv));
	size_t i;

	if (!argv)
		return NULL;
	for (i = 0; i < cfg->nsuite; i++) {
		pg_buf b = PG_BUF_INIT;

		if (i == 0 && cfg->suite[0][0] != '/' && strchr(cfg->suite[0], '/'))
			pg_buf_addf(&b, "%s/%s", top, cfg->suite[0]);
		else
			pg_buf_adds(&b, cfg->suite[i]);
		argv[i] = pg_buf_detach(&b, NULL);
		if (!argv[i]) {
			pg_free_strv(argv);
			return NULL;
		}
	}
	return argv;
}

int pg_gate_ab(pg_ab_outcome *out, const pg_ab_job *job)
{
	const pg_gate_config *cfg = job->cfg;
	pg_buf dir = PG_BUF_INIT, log = PG_BUF_INIT, regex = PG_BUF_INIT;
	const char *filter = NULL;
	pg_store_list listed;
	char **base_argv = NULL, **cand_argv = NULL, **names = NULL;
	struct ab_progress prog = { 0 };
	pg_ab_opts ao;
	pg_callgrind_opts cg;
	pg_cpuset cpus;
	const char *why = "";
	size_t nbench = 0, i;
	int pin = 0, err;

	pg_store_list_init(&listed);
	if (!cfg->nsuite) {
		err = pg_error_set(PG_EINPUT, "no suite to run: give it after '--' or as "
				   "\"suite\" in perfgate.json");
		goto cleanup;
	}
	if (!job->o->quiet)
		fprintf(stderr, "perfgate gate: preparing the baseline %.12s for an A/B run\n",
			job->baseline_commit);
	err = pg_ab_prepare(&dir, &out->cached, job->repo_top, job->baseline_commit,
			    cfg->build, cfg->timeout > 0 ? cfg->timeout * 10 : 0, &log);
	if (err < 0) {
		pg_buf_add(&out->failure_stderr, log.ptr, log.len);
		goto cleanup;
	}
	base_argv = side_argv(cfg, dir.ptr);
	cand_argv = side_argv(cfg, job->repo_top);
	if (!base_argv || !cand_argv) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (!job->benchmarks) {
		/* what the candidate lists (a benchmark only the baseline has
		 * would fail there; new ones are new either way) */
		if ((err = pg_suite_list(&listed, cand_argv, cfg->timeout)) < 0)
			goto cleanup;
	}
	{
		size_t n = 0;

		if (job->benchmarks)
			while (job->benchmarks[n])
				n++;
		else
			n = listed.n;
		names = calloc(n + 1, sizeof(*names));
		if (!names) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		for (i = 0; i < n; i++)
			names[i] = job->benchmarks ? job->benchmarks[i] : listed.items[i].key;
	}
	/* only what the suite's own -bench selects */
	filter = pg_ab_suite_filter(cand_argv);
	for (i = 0; names[i]; i++) {
		pg_buf_reset(&regex);
		err = pg_ab_bench_regex(&regex, names[i], filter);
		if (err == PG_ENOTFOUND)
			continue;
		if (err < 0)
			goto cleanup;
		names[nbench++] = names[i];
	}
	names[nbench] = NULL;
	err = 0;
	if (!nbench) {
		err = pg_error_set(PG_EINPUT, "nothing to measure in the A/B run: the suite's "
				   "-bench '%s' selects none of the benchmarks it lists", filter);
		goto cleanup;
	}
	if ((err = pg_run_choose_cpus(&cpus, &pin, cfg->cpus, &why)) < 0)
		goto cleanup;
	memset(&ao, 0, sizeof(ao));
	ao.base.argv = base_argv;
	ao.base.cwd = dir.ptr;
	ao.cand.argv = cand_argv;
	ao.cand.cwd = job->repo_top;
	ao.cpus = pin ? &cpus : NULL;
	ao.nice = 5;
	ao.timeout = cfg->timeout;
	ao.benchmarks = names;
	ao.filter = filter;
	ao.rounds = job->rounds;
	if (cfg->measure.mode == PG_MEASURE_CALLGRIND) {
		memset(&cg, 0, sizeof(cg));
		cg.iterations = cfg->measure.iterations;
		cg.cache_sim = cfg->measure.cache_sim;
		cg.keep_env = cfg->measure.keep_env;
		cg.nkeep_env = cfg->measure.nkeep_env;
		ao.callgrind = &cg;
	}
	if (!job->o->quiet) {
		prog.tty = isatty(STDERR_FILENO);
		ao.progress = progress;
		ao.progress_ctx = &prog;
		fprintf(stderr, "perfgate gate: A/B: %zu benchmark%s x %zu pairs in ABBA order "
			"(baseline build %s)\n", nbench, nbench == 1 ? "" : "s", job->rounds,
			out->cached ? "reused" : "fresh");
	}
	if ((err = pg_ab_run(&out->base, &out->cand, &ao, &out->failure_stderr)) < 0)
		goto cleanup;
	/* both sides ran here, on these CPUs: the host, for the reports */
	if ((err = pg_host_fingerprint(&out->cand, ao.cpus)) < 0)
		goto cleanup;
	if ((err = pg_paired_decide(&out->paired, &out->base, &out->cand, job->decide)) < 0)
		goto cleanup;
	out->have_paired = 1;
	pg_buf_addf(&out->title, "same-runner A/B against %.12s built here: %zu benchmark%s x "
		    "%zu pairs, processes alternating in ABBA order, %s",
		    job->baseline_commit, nbench, nbench == 1 ? "" : "s", job->rounds,
		    ao.callgrind ? "instruction counts under callgrind compared exactly" :
		    job->decide->test == PG_TEST_UTEST ?
				   "Wilcoxon's signed-rank test on log ratios (the unpaired "
				   "Mann-Whitney U test on the same samples beside it)" :
				   "paired t-test on log ratios (the unpaired Welch's t-test on "
				   "the same samples beside it)");
	err = pg_buf_failed(&out->title) ? PG_ENOMEM : 0;

cleanup:
	free(names);
	pg_store_list_release(&listed);
	pg_free_strv(base_argv);
	pg_free_strv(cand_argv);
	pg_buf_release(&dir);
	pg_buf_release(&log);
	pg_buf_release(&regex);
	return err;
}
