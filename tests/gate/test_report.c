/*
 * The gate's JSON report and the shared wording (gate/report.c): every
 * key of the contract with its type, nulls (never NaN) for figures that do
 * not exist, the verdict names, the key order, the verdict sentence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "gate/report.h"
#include "gate/report_internal.h"
#include "report_fixture.h"

static json_t *report_json(const pg_report *r)
{
	json_t *j = pg_report_json(r);

	assert_non_null(j);
	return j;
}

static json_t *get(json_t *o, const char *key)
{
	json_t *v;

	assert_true(json_is_object(o));
	v = json_object_get(o, key);
	if (!v)
		fail_msg("missing key '%s'", key);
	return v;
}

static int is_string_or_null(const json_t *v)
{
	return json_is_string(v) || json_is_null(v);
}

static int is_number_or_null(const json_t *v)
{
	return json_is_number(v) || json_is_null(v);
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(pg_verdict_name(PG_VERDICT_PASS), "pass");
	assert_string_equal(pg_verdict_name(PG_VERDICT_REGRESSION), "regression");
	assert_string_equal(pg_verdict_name(PG_VERDICT_NO_BASELINE), "no-baseline");
	assert_string_equal(pg_verdict_name(PG_VERDICT_ERROR), "error");
	assert_string_equal(pg_verdict_title(PG_VERDICT_NO_BASELINE), "NO BASELINE");
}

static void test_top_level_keys(void **state)
{
	fx f;
	json_t *j, *o;

	(void)state;
	fx_sample(&f);
	j = report_json(&f.report);

	assert_int_equal(json_integer_value(get(j, "version")), 1);
	assert_string_equal(json_string_value(get(j, "perfgate_version")), "0.1.0");
	assert_string_equal(json_string_value(get(j, "verdict")), "regression");
	assert_int_equal(json_integer_value(get(j, "exit_code")), 1);
	assert_true(json_is_null(get(j, "error")));
	assert_string_equal(json_string_value(get(j, "project")), "demo");

	o = get(j, "baseline");
	assert_string_equal(json_string_value(get(o, "commit")), f.report.baseline_commit);
	assert_string_equal(json_string_value(get(o, "source")), f.report.baseline_source);
	assert_string_equal(json_string_value(get(o, "branch")), "main");

	o = get(j, "candidate");
	assert_string_equal(json_string_value(get(o, "commit")), f.report.candidate_commit);
	assert_true(json_is_false(get(o, "dirty")));
	assert_string_equal(json_string_value(get(o, "branch")), "feature/x");

	o = get(j, "hosts");
	assert_string_equal(json_string_value(get(get(o, "baseline"), "cpu")), "AMD EPYC 7B13");
	assert_string_equal(json_string_value(get(get(o, "candidate"), "cpu")),
			    "Intel Xeon 8375C");
	assert_true(json_is_array(get(o, "differences")));
	assert_int_equal(json_array_size(get(o, "differences")), 1);
	assert_string_equal(json_string_value(json_array_get(get(o, "differences"), 0)),
			    f.diffs[0]);

	o = get(j, "drift");
	assert_true(json_is_true(get(o, "suspected")));
	assert_true(json_real_value(get(o, "percent")) == 9.5);
	assert_string_equal(json_string_value(get(o, "direction")), "slower");
	assert_true(json_real_value(get(o, "band_percent")) == 12.5);
	assert_int_equal(json_integer_value(get(o, "cluster")), 4);

	o = get(j, "settings");
	assert_true(json_real_value(get(o, "alpha")) == 0.05);
	assert_string_equal(json_string_value(get(o, "correction")), "holm");
	assert_string_equal(json_string_value(get(o, "threshold_on")), "estimate");
	assert_string_equal(json_string_value(get(o, "test")), "welch");
	assert_true(json_is_null(get(o, "measure"))); /* not given */
	json_decref(j);
	f.report.measure = "callgrind";
	j = report_json(&f.report);
	o = get(j, "settings");
	assert_string_equal(json_string_value(get(o, "measure")), "callgrind");

	o = get(j, "summary");
	assert_int_equal(json_integer_value(get(o, "rows")), 9);
	assert_int_equal(json_integer_value(get(o, "compared")), 7);
	assert_int_equal(json_integer_value(get(o, "regressions")), 2);
	assert_int_equal(json_integer_value(get(o, "improvements")), 1);
	assert_int_equal(json_integer_value(get(o, "unchanged")), 2);
	assert_int_equal(json_integer_value(get(o, "noise")), 1);
	assert_int_equal(json_integer_value(get(o, "drift")), 1);
	assert_int_equal(json_integer_value(get(o, "new")), 1);
	assert_int_equal(json_integer_value(get(o, "removed")), 1);
	assert_int_equal(json_integer_value(get(o, "cannot_guard")), 1);

	assert_true(json_is_array(get(j, "warnings")));
	assert_string_equal(json_string_value(json_array_get(get(j, "warnings"), 0)),
			    f.warnings[0]);
	assert_string_equal(json_string_value(get(j, "artifacts")), f.report.artifacts_url);
	assert_true(json_is_array(get(j, "rows")));
	assert_int_equal(json_array_size(get(j, "rows")), 9);
	json_decref(j);
	fx_release(&f);
}

static void test_row_keys_and_types(void **state)
{
	static const char *const decisions[] = {
		"regression", "unchanged", "noise", "improvement", "drift", "new",
		"removed", "unchanged", "regression"
	};
	fx f;
	json_t *j, *rows, *row;
	size_t i;

	(void)state;
	fx_sample(&f);
	j = report_json(&f.report);
	rows = get(j, "rows");
	json_array_foreach(rows, i, row) {
		json_t *side;

		assert_true(json_is_string(get(row, "benchmark")));
		assert_string_equal(json_string_value(get(row, "benchmark")), f.rows[i].benchmark);
		assert_string_equal(json_string_value(get(row, "unit")), f.rows[i].unit);
		assert_string_equal(json_string_value(get(row, "direction")),
				    f.rows[i].direction == PG_HIGHER_IS_BETTER ?
				    "higher-is-better" : "lower-is-better");
		assert_string_equal(json_string_value(get(row, "decision")), decisions[i]);
		side = get(row, "old");
		if (f.rows[i].decision == PG_DECISION_NEW) {
			assert_true(json_is_null(side));
		} else {
			assert_true(json_is_number(get(side, "center")));
			assert_true(json_is_integer(get(side, "n")));
			assert_int_equal(json_integer_value(get(side, "n")), 10);
		}
		side = get(row, "new");
		if (f.rows[i].decision == PG_DECISION_REMOVED)
			assert_true(json_is_null(side));
		else
			assert_true(json_is_number(get(side, "center")));
		assert_true(is_number_or_null(get(row, "delta_percent")));
		assert_true(is_number_or_null(get(row, "ci_low_percent")));
		assert_true(is_number_or_null(get(row, "ci_high_percent")));
		assert_true(is_number_or_null(get(row, "p_value")));
		assert_true(is_number_or_null(get(row, "p_adjusted")));
		assert_true(json_is_number(get(row, "threshold_percent")));
		assert_true(is_number_or_null(get(row, "mde_percent")));
		assert_true(json_is_boolean(get(row, "cannot_guard")));
		assert_true(json_is_integer(get(row, "runs_needed")) ||
			    json_is_null(get(row, "runs_needed")));
		assert_true(json_is_boolean(get(row, "deterministic")));
		assert_true(is_string_or_null(get(row, "reason")));
		/* not an A/B: no paired views */
		assert_true(json_is_null(get(row, "pairs")));
		assert_true(json_is_null(get(row, "unpaired")));
	}
	/* the first row's figures */
	row = json_array_get(rows, 0);
	assert_true(json_real_value(get(row, "delta_percent")) == 16.2135);
	assert_true(json_real_value(get(row, "ci_low_percent")) == 14.0);
	assert_true(json_real_value(get(row, "p_value")) == 1e-6);
	assert_true(json_real_value(get(row, "p_adjusted")) == 2e-5);
	assert_true(json_real_value(get(row, "threshold_percent")) == 5.0);
	assert_true(json_real_value(get(get(row, "old"), "center")) == 41200);
	assert_string_equal(json_string_value(get(row, "reason")), f.rows[0].reason);
	/* the noisy row: cannot guard, runs needed rounded up */
	row = json_array_get(rows, 2);
	assert_true(json_is_true(get(row, "cannot_guard")));
	assert_int_equal(json_integer_value(get(row, "runs_needed")), 40);
	assert_true(json_real_value(get(row, "mde_percent")) == 14.2);
	/* the deterministic row: no test, so no p-values, no interval */
	row = json_array_get(rows, 7);
	assert_true(json_is_true(get(row, "deterministic")));
	assert_true(json_is_null(get(row, "p_value")));
	assert_true(json_is_null(get(row, "p_adjusted")));
	assert_true(json_is_null(get(row, "ci_low_percent")));
	assert_true(json_real_value(get(row, "delta_percent")) == 0.0);
	/* a row without a reason */
	assert_true(json_is_null(get(json_array_get(rows, 1), "reason")));
	json_decref(j);
	fx_release(&f);
}

/* Figures that do not exist, or that are NaN or infinite although a flag
 * says they exist, come out as null: never NaN (which is not JSON). */
/* An A/B decision: each row carries its pairs and the unpaired view of
 * the same samples, matched by index and checked by name. */
static void test_paired_views(void **state)
{
	fx f;
	pg_paired_set ps;
	pg_paired *pairs;
	pg_decide_row *unp;
	int *tested;
	json_t *j, *row, *o;
	size_t i;

	(void)state;
	fx_sample(&f);
	pairs = calloc(f.set.nrows, sizeof(*pairs));
	tested = calloc(f.set.nrows, sizeof(*tested));
	unp = calloc(f.set.nrows, sizeof(*unp));
	assert_non_null(pairs);
	assert_non_null(tested);
	assert_non_null(unp);
	for (i = 0; i < f.set.nrows; i++) {
		unp[i] = f.set.rows[i];
		unp[i].decision = PG_DECISION_NOISE;
		unp[i].p_value = 0.25;
		pairs[i].n = 6;
		pairs[i].correlation = 0.5;
		pairs[i].w_p = 0.03125;
		tested[i] = i != 1;
	}
	unp[2].benchmark = "NotTheSame"; /* a mismatch: no unpaired view */
	memset(&ps, 0, sizeof(ps));
	ps.decision = f.set;
	ps.rows = pairs;
	ps.tested = tested;
	ps.unpaired = f.set;
	ps.unpaired.rows = unp;
	f.report.paired = &ps;
	j = report_json(&f.report);
	row = json_array_get(get(j, "rows"), 0);
	o = get(row, "pairs");
	assert_int_equal(json_integer_value(get(o, "n")), 6);
	assert_true(json_real_value(get(o, "correlation")) == 0.5);
	assert_true(json_real_value(get(o, "signed_rank_p")) == 0.03125);
	o = get(row, "unpaired");
	assert_string_equal(json_string_value(get(o, "decision")), "noise");
	assert_true(json_real_value(get(o, "p_value")) == 0.25);
	assert_true(json_real_value(get(o, "delta_percent")) == 16.2135);
	/* an untested row: no pairs, the unpaired view still */
	row = json_array_get(get(j, "rows"), 1);
	assert_true(json_is_null(get(row, "pairs")));
	assert_true(json_is_object(get(row, "unpaired")));
	/* the mismatched row: neither */
	row = json_array_get(get(j, "rows"), 2);
	assert_true(json_is_null(get(row, "pairs")));
	assert_true(json_is_null(get(row, "unpaired")));
	json_decref(j);
	free(pairs);
	free(tested);
	free(unp);
	fx_release(&f);
}

static void test_nulls_not_nan(void **state)
{
	fx f;
	pg_decide_row *row;
	pg_buf b = PG_BUF_INIT;
	json_t *j, *back, *r;
	json_error_t jerr;

	(void)state;
	fx_init(&f);
	row = fx_row(&f, "Weird", "ns/op", PG_DECISION_UNCHANGED, NAN, INFINITY,
		     NAN, NAN, INFINITY, NAN, NAN, NULL);
	row->mde_percent = NAN;
	row->runs_needed = INFINITY;
	fx_row(&f, "Added", "ns/op", PG_DECISION_NEW, NAN, 800, 0, 0, 0, 0, 0, NULL);
	fx_finish(&f);
	f.set.drift_suspected = 1;
	f.set.drift_percent = NAN;

	assert_int_equal(pg_report_json_render(&b, &f.report), 0);
	assert_null(strstr(b.ptr, "nan"));
	assert_null(strstr(b.ptr, "NaN"));
	assert_null(strstr(b.ptr, "inf"));
	back = json_loads(b.ptr, 0, &jerr);
	if (!back)
		fail_msg("invalid JSON: %s", jerr.text);
	r = json_array_get(get(back, "rows"), 0);
	assert_true(json_is_null(get(get(r, "old"), "center")));
	assert_true(json_is_null(get(get(r, "new"), "center")));
	assert_true(json_is_null(get(r, "delta_percent")));
	assert_true(json_is_null(get(r, "ci_low_percent")));
	assert_true(json_is_null(get(r, "ci_high_percent")));
	assert_true(json_is_null(get(r, "p_value")));
	assert_true(json_is_null(get(r, "p_adjusted")));
	assert_true(json_is_null(get(r, "mde_percent")));
	assert_true(json_is_null(get(r, "runs_needed")));
	r = json_array_get(get(back, "rows"), 1);
	assert_true(json_is_null(get(r, "old")));
	assert_true(json_is_null(get(r, "delta_percent")));
	assert_true(json_is_null(get(r, "p_value")));
	assert_true(json_is_null(get(get(back, "drift"), "percent")));
	json_decref(back);

	/* and the tree itself holds no NaN either */
	j = report_json(&f.report);
	assert_true(json_is_null(get(json_array_get(get(j, "rows"), 0), "p_value")));
	json_decref(j);
	pg_buf_release(&b);
	fx_release(&f);
}

/* Without a baseline there are no rows: the keys are all still there. */
static void test_no_baseline(void **state)
{
	pg_decide_opts opts = PG_DECIDE_OPTS_INIT;
	fx f;
	json_t *j, *o;

	(void)state;
	fx_init(&f);
	f.report.verdict = PG_VERDICT_NO_BASELINE;
	f.report.decision = NULL;
	f.report.baseline_commit = NULL;
	f.report.baseline_source = NULL;
	f.report.candidate_dirty = 1;
	j = report_json(&f.report);
	assert_string_equal(json_string_value(get(j, "verdict")), "no-baseline");
	assert_int_equal(json_integer_value(get(j, "exit_code")), 0);
	assert_true(json_is_null(get(get(j, "baseline"), "commit")));
	assert_true(json_is_null(get(get(j, "baseline"), "source")));
	assert_string_equal(json_string_value(get(get(j, "baseline"), "branch")), "main");
	assert_true(json_is_true(get(get(j, "candidate"), "dirty")));
	assert_true(json_is_null(get(get(j, "hosts"), "baseline")));
	assert_int_equal(json_array_size(get(get(j, "hosts"), "differences")), 0);
	assert_true(json_is_false(get(get(j, "drift"), "suspected")));
	assert_true(json_is_null(get(get(j, "drift"), "percent")));
	assert_true(json_is_null(get(get(j, "drift"), "direction")));
	assert_true(json_is_null(get(get(j, "drift"), "band_percent")));
	assert_int_equal(json_integer_value(get(get(j, "drift"), "cluster")), 0);
	o = get(j, "settings");
	assert_true(json_is_null(get(o, "alpha")));
	assert_true(json_is_null(get(o, "correction")));
	assert_true(json_is_null(get(o, "threshold_on")));
	assert_true(json_is_null(get(o, "test")));
	assert_int_equal(json_integer_value(get(get(j, "summary"), "rows")), 0);
	assert_int_equal(json_integer_value(get(get(j, "summary"), "regressions")), 0);
	assert_int_equal(json_array_size(get(j, "rows")), 0);
	assert_int_equal(json_array_size(get(j, "warnings")), 0);
	assert_true(json_is_null(get(j, "artifacts")));
	json_decref(j);

	/* the settings given for a run without a decision */
	opts.alpha = 0.01;
	opts.correction = PG_CORRECTION_BH;
	opts.threshold_on = PG_THRESHOLD_ON_CI;
	f.report.settings = &opts;
	j = report_json(&f.report);
	o = get(j, "settings");
	assert_true(json_real_value(get(o, "alpha")) == 0.01);
	assert_string_equal(json_string_value(get(o, "correction")), "bh");
	assert_string_equal(json_string_value(get(o, "threshold_on")), "ci");
	assert_string_equal(json_string_value(get(o, "test")), "welch");
	json_decref(j);
	fx_release(&f);
}

static void test_error_verdict(void **state)
{
	fx f;
	json_t *j;

	(void)state;
	fx_init(&f);
	f.report.verdict = PG_VERDICT_ERROR;
	f.report.exit_code = 3;
	f.report.decision = NULL;
	f.report.error = "cannot reach store 'https://x': Couldn't connect to server";
	j = report_json(&f.report);
	assert_string_equal(json_string_value(get(j, "verdict")), "error");
	assert_int_equal(json_integer_value(get(j, "exit_code")), 3);
	assert_string_equal(json_string_value(get(j, "error")), f.report.error);
	json_decref(j);
	fx_release(&f);
}

/* The text: keys in the documented order, 15 significant digits, valid
 * JSON even for names that are not valid UTF-8. */
static void test_render_text(void **state)
{
	static const char *const order[] = {
		"\"version\"", "\"perfgate_version\"", "\"verdict\"", "\"exit_code\"",
		"\"error\"", "\"project\"", "\"baseline\"", "\"candidate\"", "\"hosts\"",
		"\"drift\"", "\"settings\"", "\"summary\"", "\"warnings\"", "\"artifacts\"",
		"\"rows\"", "\"profiles\"", "\"measured_by\"", "\"first_pass\""
	};
	fx f;
	pg_buf b = PG_BUF_INIT;
	const char *prev;
	json_t *back;
	json_error_t jerr;
	size_t i;

	(void)state;
	fx_init(&f);
	fx_row(&f, "Bad\xff\xfeName", "ns/op", PG_DECISION_UNCHANGED, 1, 1,
	       1.23456789012345678, -1, 3, 0.5, 1, NULL);
	fx_finish(&f);
	assert_int_equal(pg_report_json_render(&b, &f.report), 0);
	assert_true(b.len > 0 && b.ptr[b.len - 1] == '\n');
	/* the top-level keys (indented by two), exactly in this order */
	prev = b.ptr;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *at = strstr(prev, "\n  \"");

		assert_non_null(at);
		assert_memory_equal(at + 3, order[i], strlen(order[i]));
		prev = at + 3;
	}
	assert_null(strstr(prev, "\n  \""));
	assert_non_null(strstr(b.ptr, "\"delta_percent\": 1.23456789012346,"));
	back = json_loads(b.ptr, 0, &jerr);
	if (!back)
		fail_msg("invalid JSON: %s", jerr.text);
	assert_string_equal(json_string_value(get(json_array_get(get(back, "rows"), 0),
						  "benchmark")),
			    "Bad\xEF\xBF\xBD\xEF\xBF\xBDName");
	json_decref(back);
	pg_buf_release(&b);
	fx_release(&f);
}

/* The verdict sentence shared by every report. */
static void test_sentence(void **state)
{
	fx f;
	pg_buf b = PG_BUF_INIT;
	size_t i;

	(void)state;
	fx_sample(&f);
	pg_report_add_sentence(&b, &f.report, pg_report_plain);
	assert_string_equal(b.ptr,
		"2 of 7 benchmark metrics slower than allowed (Hash/fnv1a-64K ns/op "
		"+16.2% > 5%, Checksum MB/s -12.0% < -5%) vs baseline 1a2b3c4 "
		"(store: merge base of HEAD and origin/main); 1 improvement, "
		"1 attributed to host drift, 1 cannot guard its threshold");
	fx_release(&f);

	/* more than three regressions: the rest are counted; B/op is "worse" */
	fx_init(&f);
	for (i = 0; i < 5; i++)
		fx_row(&f, "Alloc", "B/op", PG_DECISION_REGRESSION, 100, 120, 20, 18, 22,
		       1e-9, 1e-8, NULL);
	fx_row(&f, "Same", "B/op", PG_DECISION_UNCHANGED, 100, 100, 0, -1, 1, 1, 1, NULL);
	fx_finish(&f);
	f.report.baseline_commit = NULL;
	f.report.baseline_source = "file: old.txt";
	pg_buf_reset(&b);
	pg_report_add_sentence(&b, &f.report, pg_report_plain);
	assert_string_equal(b.ptr,
		"5 of 6 benchmark metrics worse than allowed (Alloc B/op +20.0% > 5%, "
		"Alloc B/op +20.0% > 5%, Alloc B/op +20.0% > 5%, and 2 more) vs baseline "
		"(file: old.txt)");

	/* a pass on one metric */
	fx_init(&f);
	fx_row(&f, "One", "ns/op", PG_DECISION_UNCHANGED, 1, 1, 0, -1, 1, 1, 1, NULL);
	fx_finish(&f);
	pg_buf_reset(&b);
	pg_report_add_sentence(&b, &f.report, pg_report_plain);
	assert_string_equal(b.ptr, "no regression beyond thresholds in 1 benchmark metric "
			    "vs baseline 1a2b3c4 (store: merge base of HEAD and origin/main)");

	/* no baseline, with and without a reason */
	f.report.verdict = PG_VERDICT_NO_BASELINE;
	f.report.decision = NULL;
	pg_buf_reset(&b);
	pg_report_add_sentence(&b, &f.report, pg_report_plain);
	assert_string_equal(b.ptr, "no baseline found for branch 'main' "
			    "(passing: --missing-baseline pass)");
	f.report.exit_code = 1;
	f.report.error = "no baseline in 'store' for 'demo'";
	pg_buf_reset(&b);
	pg_report_add_sentence(&b, &f.report, pg_report_plain);
	assert_string_equal(b.ptr, "no baseline in 'store' for 'demo' "
			    "(failing: --missing-baseline fail)");
	pg_buf_release(&b);
	fx_release(&f);
}

/* A confirmed gate: the whole suite's rows, "confirmed" on the suspect's
 * (the confirmation's, with its pairs and unpaired view: not on a
 * sibling the confirmation measured too), the first pass kept. */
static void test_confirmation_rows(void **state)
{
	fx f;
	fx_confirm c;
	json_t *j, *rows, *fp;

	(void)state;
	fx_confirmation(&f, &c, PG_DECISION_REGRESSION);
	j = report_json(&f.report);
	rows = get(j, "rows");
	assert_int_equal(json_array_size(rows), 3);
	assert_true(json_is_true(get(json_array_get(rows, 0), "confirmed")));
	assert_true(json_is_false(get(json_array_get(rows, 1), "confirmed")));
	assert_true(json_is_false(get(json_array_get(rows, 2), "confirmed")));
	assert_string_equal(json_string_value(get(json_array_get(rows, 0), "reason")),
			    "paired: +15.0% > 5% threshold");
	assert_int_equal(json_integer_value(get(get(json_array_get(rows, 0), "pairs"), "n")), 10);
	assert_true(json_real_value(get(get(json_array_get(rows, 0), "unpaired"), "p_value")) == 0.2);
	assert_true(json_is_null(get(json_array_get(rows, 1), "unpaired")));
	assert_true(json_is_null(get(json_array_get(rows, 1), "pairs")));
	assert_int_equal(json_integer_value(get(get(j, "summary"), "compared")), 3);
	assert_int_equal(json_integer_value(get(get(j, "summary"), "regressions")), 1);
	fp = get(j, "first_pass");
	assert_string_equal(json_string_value(get(fp, "measured_by")),
			    "the stored baseline against the candidate's runs");
	assert_int_equal(json_array_size(get(fp, "rows")), 3);
	assert_true(json_is_false(get(json_array_get(get(fp, "rows"), 0), "confirmed")));
	assert_true(json_real_value(get(json_array_get(get(fp, "rows"), 0), "delta_percent")) ==
		    16.2135);
	/* a first pass against the stored baseline has no paired figures */
	assert_true(json_is_null(get(json_array_get(get(fp, "rows"), 0), "pairs")));
	assert_true(json_is_null(get(json_array_get(get(fp, "rows"), 0), "unpaired")));
	json_decref(j);
	fx_release(&f);
}

/* --ab --confirm: the first pass is an A/B, and its rows keep its pairs
 * and unpaired view (matched by benchmark and unit, as a plain --ab
 * report's rows are), in first_pass and where the final table keeps a
 * first-pass row. */
static void test_confirmation_ab_first_pass(void **state)
{
	fx f;
	fx_confirm c;
	pg_paired_set ps;
	pg_decide_row unp[3];
	pg_paired pairs[3];
	int tested[3];
	json_t *j, *fprows, *row;
	size_t i;

	(void)state;
	fx_confirmation(&f, &c, PG_DECISION_REGRESSION);
	memset(&ps, 0, sizeof(ps));
	memset(pairs, 0, sizeof(pairs));
	/* the A/B's rows in reverse: found by name, not by index */
	for (i = 0; i < 3; i++) {
		unp[i] = c.first.set.rows[2 - i];
		unp[i].p_value = unp[i].p_adjusted = 0.01 * (double)(i + 1);
		pairs[i].n = 4 + i;
		pairs[i].correlation = 0.5;
		tested[i] = i != 0; /* Sort/n=10000 not tested: no pairs */
	}
	ps.decision = c.first.set;
	ps.rows = pairs;
	ps.tested = tested;
	ps.unpaired = c.first.set;
	ps.unpaired.rows = unp;
	f.report.first_pass_paired = &ps;
	f.report.first_pass_title = "same-runner A/B against 1a2b3c4d5e6f built here: 3 "
				    "benchmarks x 4 pairs";
	j = report_json(&f.report);
	fprows = get(get(j, "first_pass"), "rows");
	assert_int_equal(json_array_size(fprows), 3);
	row = json_array_get(fprows, 0); /* Hash/fnv1a-64K: unp[2] */
	assert_int_equal(json_integer_value(get(get(row, "pairs"), "n")), 6);
	assert_true(json_real_value(get(get(row, "unpaired"), "p_value")) == 0.03);
	row = json_array_get(fprows, 1); /* Sort/n=100: unp[1] */
	assert_int_equal(json_integer_value(get(get(row, "pairs"), "n")), 5);
	assert_true(json_real_value(get(get(row, "unpaired"), "p_value")) == 0.02);
	row = json_array_get(fprows, 2); /* Sort/n=10000: unp[0], untested */
	assert_true(json_is_null(get(row, "pairs")));
	assert_true(json_real_value(get(get(row, "unpaired"), "p_value")) == 0.01);
	/* the final table: each row the figures of the A/B that decided it,
	 * the confirmation's on its row, the first pass's on the others */
	row = json_array_get(get(j, "rows"), 0);
	assert_true(json_is_true(get(row, "confirmed")));
	assert_int_equal(json_integer_value(get(get(row, "pairs"), "n")), 10);
	assert_true(json_real_value(get(get(row, "unpaired"), "p_value")) == 0.2);
	row = json_array_get(get(j, "rows"), 1);
	assert_true(json_is_false(get(row, "confirmed")));
	assert_int_equal(json_integer_value(get(get(row, "pairs"), "n")), 5);
	assert_true(json_real_value(get(get(row, "unpaired"), "p_value")) == 0.02);
	row = json_array_get(get(j, "rows"), 2);
	assert_true(json_is_null(get(row, "pairs")));
	assert_true(json_real_value(get(get(row, "unpaired"), "p_value")) == 0.01);
	json_decref(j);
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_top_level_keys),
		cmocka_unit_test(test_row_keys_and_types),
		cmocka_unit_test(test_paired_views),
		cmocka_unit_test(test_nulls_not_nan),
		cmocka_unit_test(test_no_baseline),
		cmocka_unit_test(test_error_verdict),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_sentence),
		cmocka_unit_test(test_confirmation_rows),
		cmocka_unit_test(test_confirmation_ab_first_pass),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
