#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-runner/ab.h"
#include "bench-runner/harness/bench_regex.h"
#include "bench-runner/suite.h"
#include "common/error.h"
#include "common/banned.h"

int pg_ab_candidate_first(size_t round)
{
	return (int)(round & 1);
}

static void add_escaped(pg_buf *out, const char *name)
{
	const char *p;

	pg_buf_addch(out, '^');
	for (p = name; *p; p++) {
		if (strchr("\\^$.|?*+()[]{}/", *p))
			pg_buf_addch(out, '\\');
		pg_buf_addch(out, *p);
	}
	pg_buf_addch(out, '$');
}

/* Whether level `level` (`len` bytes) of a -bench expression matches
 * top-level benchmark `name` as the harness and go test match it: the
 * whole name ("BenchmarkHash") or the name without "Benchmark"; an empty
 * level matches anything. 1, 0, or PG_EINPUT/PG_ENOMEM. */
static int level_matches(const char *level, size_t len, const char *name,
			 const char *filter)
{
	regex_t re;
	char *text = NULL;
	int rc, err;

	if (!len)
		return 1;
	if (!(text = strndup(level, len)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((rc = regcomp(&re, text, REG_EXTENDED | REG_NOSUB)) != 0) {
		char msg[256];

		regerror(rc, &re, msg, sizeof(msg));
		err = pg_error_set(PG_EINPUT, "invalid -bench expression '%s' (in '%s'): %s",
				   text, filter, msg);
		free(text);
		return err;
	}
	rc = regexec(&re, name, 0, NULL, 0) == 0 ||
	     (!strncmp(name, "Benchmark", 9) && regexec(&re, name + 9, 0, NULL, 0) == 0);
	regfree(&re);
	free(text);
	return rc;
}

int pg_ab_bench_regex(pg_buf *out, const char *name, const char *filter)
{
	pg_bench_regex_part *parts = NULL;
	size_t nparts = 0, i, start = out->len;
	int err = 0, selected = 0, keep = 0;

	if (!filter || !*filter) {
		add_escaped(out, name);
		return pg_buf_failed(out) ? PG_ENOMEM : 0;
	}
	if (pg_bench_regex_split(&parts, &nparts, filter) < 0)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < nparts; i++) {
		const pg_bench_regex_part *part = &parts[i];

		if (part->first) {
			if ((err = level_matches(filter + part->start, part->len, name,
						 filter)) < 0)
				goto cleanup;
			keep = err;
			err = 0;
			if (keep) {
				if (selected++)
					pg_buf_addch(out, '|');
				add_escaped(out, name);
			}
		} else if (keep) {
			pg_buf_addch(out, '/');
			pg_buf_add(out, filter + part->start, part->len);
		}
	}
	if (!selected)
		err = PG_ENOTFOUND;
	else if (pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	if (err < 0)
		pg_buf_truncate(out, start);
	free(parts);
	return err;
}

const char *pg_ab_suite_filter(char *const *argv)
{
	static const char *const flags[] = { "-bench", "--bench", "-test.bench", "--test.bench" };
	const char *found = NULL;
	size_t i, k;

	for (i = 1; argv[i]; i++) {
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			size_t len = strlen(flags[k]);

			if (strncmp(argv[i], flags[k], len))
				continue;
			if (argv[i][len] == '=')
				found = argv[i] + len + 1;
			else if (!argv[i][len] && argv[i + 1])
				found = argv[++i];
			else
				continue;
			break;
		}
	}
	return found;
}

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One process of one side, through the suite runner (so that
 * --measure callgrind applies alike); its results are appended to
 * `into`. */
static int run_one(pg_results *into, const pg_ab_opts *o, const pg_ab_side *side,
		   const char *which, const char *bench, const char *regex, size_t round,
		   pg_buf *failure_stderr)
{
	pg_suite_opts so;
	pg_suite_result sr;
	pg_buf label = PG_BUF_INIT, text = PG_BUF_INIT;
	char **argv = NULL;
	size_t n = 0;
	int err = 0;

	pg_suite_result_init(&sr);
	while (side->argv[n])
		n++;
	argv = calloc(n + 5, sizeof(*argv));
	if (!argv) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	memcpy(argv, side->argv, n * sizeof(*argv));
	argv[n] = "-bench";
	argv[n + 1] = (char *)regex;
	argv[n + 2] = "-count";
	argv[n + 3] = "1";
	memset(&so, 0, sizeof(so));
	so.run.argv = argv;
	so.run.cpus = o->cpus;
	so.run.nice = o->nice;
	so.run.timeout = o->timeout;
	so.run.cwd = side->cwd;
	so.count = 1;
	so.callgrind = o->callgrind;
	pg_buf_addf(&label, "A/B round %zu of %zu, %s, %s", round + 1, o->rounds, bench, which);
	if (pg_buf_failed(&label)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_suite_run(&sr, &so)) < 0) {
		if (failure_stderr)
			pg_buf_add(failure_stderr, sr.failure_stderr.ptr, sr.failure_stderr.len);
		err = pg_error_prefix(err, "%s", label.ptr);
		goto cleanup;
	}
	/* through the text form: pg_results has no merge */
	if ((err = pg_results_format_benchfmt(&text, &sr.merged)) < 0 ||
	    (err = pg_results_parse(into, label.ptr, text.ptr, text.len)) < 0)
		goto cleanup;

cleanup:
	free(argv);
	pg_suite_result_release(&sr);
	pg_buf_release(&label);
	pg_buf_release(&text);
	return err;
}

int pg_ab_run(pg_results *base_out, pg_results *cand_out, const pg_ab_opts *opts,
	      pg_buf *failure_stderr)
{
	pg_buf regex = PG_BUF_INIT;
	pg_ab_progress p;
	size_t nbench = 0, b, r;
	double t0 = monotonic();
	int err = 0;

	while (opts->benchmarks && opts->benchmarks[nbench])
		nbench++;
	if (!nbench || !opts->rounds)
		return pg_error_set(PG_EINPUT, "nothing to measure in the A/B run");
	memset(&p, 0, sizeof(p));
	p.total = 2 * nbench * opts->rounds;
	for (b = 0; b < nbench; b++) {
		const char *bench = opts->benchmarks[b];

		pg_buf_reset(&regex);
		if ((err = pg_ab_bench_regex(&regex, bench, opts->filter)) < 0) {
			if (err == PG_ENOTFOUND)
				err = pg_error_set(PG_EINPUT, "the suite's -bench '%s' selects "
						   "nothing of %s", opts->filter, bench);
			goto cleanup;
		}
		for (r = 0; r < opts->rounds; r++) {
			int cand_first = pg_ab_candidate_first(r), k;

			for (k = 0; k < 2; k++) {
				int cand = k == 0 ? cand_first : !cand_first;

				err = run_one(cand ? cand_out : base_out, opts,
					      cand ? &opts->cand : &opts->base,
					      cand ? "candidate" : "baseline", bench, regex.ptr, r,
					      failure_stderr);
				if (err < 0)
					goto cleanup;
				p.done++;
				p.benchmark = bench;
				p.elapsed = monotonic() - t0;
				if (opts->progress)
					opts->progress(opts->progress_ctx, &p);
			}
		}
	}

cleanup:
	pg_buf_release(&regex);
	return err;
}
