/*
 * GitHub Actions workflow commands (gate/report_annotations.c): one
 * command per line, the runner's escaping (message: % CR LF; properties:
 * also : and ,), errors for regressions and failures, warnings for the
 * notes, at most 10 regression annotations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/buf.h"
#include "gate/report.h"
#include "report_fixture.h"

static char *render(const pg_report *r)
{
	pg_buf b = PG_BUF_INIT;

	assert_int_equal(pg_report_annotations(&b, r), 0);
	assert_false(pg_buf_failed(&b));
	return pg_buf_detach(&b, NULL);
}

/* Every line is a workflow command: "::error title=...::...",
 * "::warning title=...::..." or "::notice title=...::..."; returns the
 * number of lines. */
static size_t check_lines(const char *s)
{
	size_t n = 0;

	while (*s) {
		const char *end = strchr(s, '\n');

		assert_non_null(end);
		if (strncmp(s, "::error title=", 14) && strncmp(s, "::warning title=", 16) &&
		    strncmp(s, "::notice title=", 15))
			fail_msg("not a workflow command: %.*s", (int)(end - s), s);
		/* the title ends at the first "::": no raw ':' inside it */
		assert_true(memchr(s + 2, ':', (size_t)(end - s - 2)) ==
			    strstr(s + 2, "::"));
		assert_null(memchr(s, '\r', (size_t)(end - s)));
		n++;
		s = end + 1;
	}
	return n;
}

static void test_escaping(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_init(&f);
	fx_row(&f, "Parse:a,b%25\nnext\rline", "ns/op", PG_DECISION_REGRESSION, 100, 120,
	       20, 18, 22, 1e-6, 1e-5, "why: 100%\ntwo lines");
	fx_finish(&f);
	f.report.baseline_commit = NULL;
	f.report.baseline_source = NULL;
	s = render(&f.report);
	assert_int_equal(check_lines(s), 1);
	assert_string_equal(s,
		"::error title=perfgate%3A regression in Parse%3Aa%2Cb%2525%0Anext%0Dline "
		"(ns/op)::Parse:a,b%2525%0Anext%0Dline ns/op +20.0%25 > 5%25: old 100ns, "
		"new 120ns, delta +20.00%25, 95%25 CI [+18.0%25, +22.0%25], p=1e-06 "
		"(adjusted 1e-05), n=10+10, minimum detectable change 2.0%25; why: "
		"100%25%0Atwo lines\n");
	free(s);
	fx_release(&f);
}

static void test_sample(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_sample(&f);
	s = render(&f.report);
	/* 2 regressions; the warning, hosts, drift, cannot guard */
	assert_int_equal(check_lines(s), 6);
	assert_int_equal(fx_count(s, "::error "), 2);
	assert_int_equal(fx_count(s, "::warning "), 4);
	assert_non_null(strstr(s, "::error title=perfgate%3A regression in Hash/fnv1a-64K "
			       "(ns/op)::Hash/fnv1a-64K ns/op +16.2%25 > 5%25 vs baseline "
			       "1a2b3c4 (store: merge base of HEAD and origin/main): old "));
	assert_non_null(strstr(s, "::error title=perfgate%3A regression in Checksum "
			       "(MB/s)::Checksum MB/s -12.0%25 < -5%25 vs baseline"));
	assert_non_null(strstr(s, "\n::warning title=perfgate::fell back to refs/main"));
	assert_non_null(strstr(s, "\n::warning title=perfgate%3A different hosts::baseline "
			       "and candidate ran on different hosts (cpu: 'AMD EPYC 7B13'"));
	assert_non_null(strstr(s, "\n::warning title=perfgate%3A suspected host drift::"
			       "suspected host drift: 4 of 7 benchmark metrics moved together, "
			       "by about +9.5%25"));
	assert_non_null(strstr(s, "\n::warning title=perfgate%3A thresholds that cannot be "
			       "guarded::1 of 7 benchmark metrics cannot guard its threshold"));
	free(s);
	fx_release(&f);
}

static void test_many_regressions(void **state)
{
	static char names[15][16];
	fx f;
	char *s;
	size_t i;

	(void)state;
	fx_init(&f);
	for (i = 0; i < 15; i++) {
		snprintf(names[i], sizeof(names[i]), "B%zu", i);
		fx_row(&f, names[i], "ns/op", PG_DECISION_REGRESSION, 100, 120, 20, 18, 22,
		       1e-6, 1e-5, NULL);
	}
	fx_finish(&f);
	s = render(&f.report);
	/* 9 single ones and one for the 6 others: GitHub shows 10 per step */
	assert_int_equal(check_lines(s), 10);
	assert_int_equal(fx_count(s, "::error title=perfgate%3A regression in "), 9);
	assert_non_null(strstr(s, "\n::error title=perfgate%3A more regressions::6 more "
			       "regressions: B9 ns/op +20.0%25 > 5%25, B10 ns/op"));
	assert_non_null(strstr(s, ", B14 ns/op +20.0%25 > 5%25\n"));
	free(s);

	/* exactly 10: each its own */
	f.set.nrows = 10;
	fx_finish(&f);
	s = render(&f.report);
	assert_int_equal(fx_count(s, "::error title=perfgate%3A regression in "), 10);
	assert_null(strstr(s, "more regressions"));
	free(s);
	fx_release(&f);
}

static void test_verdicts_without_rows(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_init(&f);
	f.report.decision = NULL;
	f.report.verdict = PG_VERDICT_NO_BASELINE;
	s = render(&f.report);
	assert_string_equal(s, "::warning title=perfgate%3A no baseline::no baseline found "
			    "for branch 'main' (passing: --missing-baseline pass)\n");
	free(s);
	f.report.exit_code = 1;
	s = render(&f.report);
	assert_string_equal(s, "::error title=perfgate%3A no baseline::no baseline found "
			    "for branch 'main' (failing: --missing-baseline fail)\n");
	free(s);
	f.report.verdict = PG_VERDICT_ERROR;
	f.report.exit_code = 3;
	f.report.error = "cannot reach store 'https://perf:8443/': 100% gone\nreally";
	s = render(&f.report);
	assert_string_equal(s, "::error title=perfgate%3A error::cannot reach store "
			    "'https://perf:8443/': 100%25 gone%0Areally\n");
	free(s);

	/* a clean pass says nothing */
	fx_init(&f);
	fx_row(&f, "Sort", "ns/op", PG_DECISION_UNCHANGED, 100, 100, 0, -1, 1, 1, 1, NULL);
	fx_finish(&f);
	s = render(&f.report);
	assert_string_equal(s, "");
	free(s);
	fx_release(&f);
}

/* A confirmed gate: the regression's annotation has the first pass and
 * the unpaired p; a notice pairs the suspect's two verdicts. */
static void test_confirmation(void **state)
{
	fx f;
	fx_confirm c;
	char *s;

	(void)state;
	fx_confirmation(&f, &c, PG_DECISION_REGRESSION);
	s = render(&f.report);
	assert_int_equal(fx_count(s, "::error "), 1);
	assert_non_null(strstr(s, "::error title=perfgate%3A regression in Hash/fnv1a-64K "
			       "(ns/op)::Hash/fnv1a-64K ns/op +15.0%25 > 5%25 vs baseline "));
	assert_non_null(strstr(s, "; paired: +15.0%25 > 5%25 threshold; unpaired p=0.2, noise; "
			       "first pass: regression, old 41.20"));
	assert_non_null(strstr(s, "\n::notice title=perfgate%3A suspects measured again::the "
			       "confirmation measured the first pass's 1 suspect again and "
			       "cleared 0: Hash/fnv1a-64K ns/op regression +16.2%25 -> "
			       "regression +15.0%25 (confirmed)\n"));
	check_lines(s);
	free(s);
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_many_regressions),
		cmocka_unit_test(test_verdicts_without_rows),
		cmocka_unit_test(test_confirmation),
	};

	return cmocka_run_group_tests_name("report_annotations", tests, NULL, NULL);
}
