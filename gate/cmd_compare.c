/*
 * perfgate compare: a benchstat-style comparison of two sets of benchmark
 * results (Go benchmark format or Google Benchmark JSON).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/cmd.h"
#include "gate/compare_format.h"
#include "gate/run_support.h"
#include "stats/compare.h"
#include "stats/results.h"
#include "common/banned.h"

static const char compare_usage[] =
	"usage: perfgate compare [options] OLD NEW\n"
	"   or: perfgate compare [options] --old FILE... --new FILE...\n"
	"\n"
	"Compare two sets of benchmark results (Go benchmark format, as printed by\n"
	"'go test -bench' and perfgate's harness, or Google Benchmark JSON).\n"
	"\n"
	"    --test welch|utest    Welch's t-test (default) or Mann-Whitney U test\n"
	"    --alpha A             significance level (default 0.05)\n"
	"    --confidence C        level of the confidence intervals (default 0.95)\n"
	"    --outliers keep|drop  drop values outside the Tukey fences (default keep)\n"
	"    --format F            text (default), json, csv or markdown\n"
	"    --old FILE            add FILE to the old side (repeatable)\n"
	"    --new FILE            add FILE to the new side (repeatable)\n"
	"\n"
	"exit status: 0 done, 2 usage or input error, 3 cannot write the output\n";

/* Read the files of one side into `out`; a file that perfgate run cut
 * short (a failed run) is read too, with a warning. */
static int parse_side(pg_results *out, const char *const *files, size_t n)
{
	pg_buf data = PG_BUF_INIT;
	pg_results one;
	size_t i;
	int err = 0;

	pg_results_init(&one);
	for (i = 0; i < n; i++) {
		const char *incomplete;

		pg_buf_reset(&data);
		if ((err = pg_file_read(&data, files[i])) < 0)
			goto cleanup;
		if ((err = pg_results_parse(&one, files[i], data.ptr, data.len)) < 0)
			goto cleanup;
		if ((incomplete = pg_run_incomplete(&one)))
			pg_warn("'%s' is incomplete (%s): it holds only the runs that "
				"completed", files[i], incomplete);
		if ((err = pg_results_merge(out, &one)) < 0)
			goto cleanup;
	}

cleanup:
	pg_results_release(&one);
	pg_buf_release(&data);
	return err;
}

enum { OPT_TEST = 256, OPT_ALPHA, OPT_CONFIDENCE, OPT_OUTLIERS, OPT_FORMAT,
       OPT_OLD, OPT_NEW };

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "test", required_argument, NULL, OPT_TEST },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
		{ "outliers", required_argument, NULL, OPT_OUTLIERS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "old", required_argument, NULL, OPT_OLD },
		{ "new", required_argument, NULL, OPT_NEW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	pg_compare_opts opts = PG_COMPARE_OPTS_INIT;
	pg_results old_res, new_res;
	pg_comparison cmp = { 0 };
	pg_compare_inputs in = { 0 };
	pg_format format = PG_FORMAT_TEXT;
	const char **olds = NULL, **news = NULL;
	size_t nold = 0, nnew = 0;
	pg_buf out = PG_BUF_INIT;
	int status = PG_EXIT_OK, err, c;

	pg_results_init(&old_res);
	pg_results_init(&new_res);
	olds = calloc((size_t)argc + 1, sizeof(*olds));
	news = calloc((size_t)argc + 1, sizeof(*news));
	if (!olds || !news) {
		status = pg_die_code(pg_error_set(PG_ENOMEM, "out of memory"));
		goto cleanup;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case OPT_TEST:
			if (!strcmp(optarg, "welch"))
				opts.test = PG_TEST_WELCH;
			else if (!strcmp(optarg, "utest"))
				opts.test = PG_TEST_UTEST;
			else
				err = pg_error_set(PG_EINPUT, "unknown test '%s' (expected welch or utest)",
						   optarg);
			break;
		case OPT_ALPHA:
			err = pg_parse_fraction(&opts.alpha, "--alpha", optarg);
			break;
		case OPT_CONFIDENCE:
			err = pg_parse_fraction(&opts.confidence, "--confidence", optarg);
			break;
		case OPT_OUTLIERS:
			if (!strcmp(optarg, "keep"))
				opts.drop_outliers = 0;
			else if (!strcmp(optarg, "drop"))
				opts.drop_outliers = 1;
			else
				err = pg_error_set(PG_EINPUT,
						   "unknown outlier policy '%s' (expected keep or drop)",
						   optarg);
			break;
		case OPT_FORMAT:
			err = pg_format_parse(&format, optarg);
			break;
		case OPT_OLD:
			olds[nold++] = optarg;
			break;
		case OPT_NEW:
			news[nnew++] = optarg;
			break;
		case 'h':
			fputs(compare_usage, stdout);
			status = pg_finish_stdout(PG_EXIT_OK);
			goto cleanup;
		default:
			status = pg_usage_error(compare_usage, "compare: unknown option '%s'",
						argv[optind - 1]);
			goto cleanup;
		}
		if (err < 0) {
			status = pg_usage_error(compare_usage, "compare: %s", pg_error_last());
			goto cleanup;
		}
	}
	if (nold == 0 && nnew == 0 && argc - optind == 2) {
		olds[nold++] = argv[optind];
		news[nnew++] = argv[optind + 1];
	} else if (argc - optind != 0 || nold == 0 || nnew == 0) {
		status = pg_usage_error(compare_usage,
					"compare: expected two files, OLD and NEW");
		goto cleanup;
	}

	if ((err = parse_side(&old_res, olds, nold)) < 0 ||
	    (err = parse_side(&new_res, news, nnew)) < 0 ||
	    (err = pg_compare(&cmp, &old_res, &new_res, &opts)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	in.old_files = olds;
	in.nold = nold;
	in.new_files = news;
	in.nnew = nnew;
	if ((err = pg_compare_render(&out, &cmp, &in, format)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = pg_finish_stdout(PG_EXIT_OK);

cleanup:
	pg_buf_release(&out);
	pg_comparison_release(&cmp);
	pg_results_release(&old_res);
	pg_results_release(&new_res);
	free(olds);
	free(news);
	return status;
}
