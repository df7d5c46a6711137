/*
 * The gate's Markdown report (gate/report_markdown.c): the heading with
 * the verdict, the summary, the regressions first, the full table in a
 * <details> block, the warnings as a list; names escaped so that a `|`
 * (or any other metacharacter) cannot break a table.
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

	assert_int_equal(pg_report_markdown(&b, r), 0);
	assert_false(pg_buf_failed(&b));
	return pg_buf_detach(&b, NULL);
}

/* Table cells in a line: the '|' that are not escaped, minus one. */
static size_t cells(const char *line, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (line[i] == '\\') {
			i++;
			continue;
		}
		if (line[i] == '|')
			n++;
	}
	return n ? n - 1 : 0;
}

/* Every line of `s` starting with '|' has `want` cells. Returns the
 * number of table lines. */
static size_t check_tables(const char *s, size_t want)
{
	size_t lines = 0;

	while (*s) {
		const char *end = strchr(s, '\n');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (*s == '|') {
			if (cells(s, len) != want)
				fail_msg("%zu cells instead of %zu in: %.*s", cells(s, len), want,
					 (int)len, s);
			lines++;
		}
		s += len + (end ? 1 : 0);
	}
	return lines;
}

static void test_layout(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_init(&f);
	fx_row(&f, "Hash/fnv1a-64K", "ns/op", PG_DECISION_REGRESSION, 41200, 47880,
	       16.2135, 14.0, 18.5, 1e-6, 2e-5, NULL);
	fx_row(&f, "Sort/n=100", "ns/op", PG_DECISION_UNCHANGED, 3702, 3711,
	       0.24, -1.2, 1.7, 0.71, 1, NULL);
	fx_finish(&f);
	f.warnings[0] = "fell back to refs/main";
	f.report.warnings = f.warnings;
	f.report.nwarnings = 1;
	f.report.artifacts_url = "s3://perf/v1/demo/runs/5d6e7f8/42/";
	s = render(&f.report);
	assert_string_equal(s,
		"## \u274c perfgate: REGRESSION\n"
		"\n"
		"1 of 2 benchmark metrics slower than allowed (Hash/fnv1a-64K ns/op +16.2% > 5%) "
		"vs baseline 1a2b3c4 (store: merge base of HEAD and origin/main)\n"
		"\n"
		"Baseline 1a2b3c4 (store: merge base of HEAD and origin/main), branch main "
		"\u00b7 candidate 5d6e7f8 on feature/x \u00b7 Welch's t-test on log values, "
		"alpha=0.05, holm correction, "
		"thresholds on the estimate\n"
		"\n"
		"### Regressions\n"
		"\n"
		"| benchmark | unit | old | new | delta | 95% CI | threshold | reason |\n"
		"|:--|:--|--:|--:|--:|:--|--:|:--|\n"
		"| Hash/fnv1a-64K | ns/op | 41.20µs | 47.88µs | **+16.21%** | [+14.0%, +18.5%] "
		"| +5% | p=0.000 n=10+10 |\n"
		"\n"
		"<details><summary>All 2 benchmark metrics: 1 regression, 1 unchanged</summary>\n"
		"\n"
		"| benchmark | unit | old | new | delta | 95% CI | decision | reason |\n"
		"|:--|:--|--:|--:|--:|:--|:--|:--|\n"
		"| Hash/fnv1a-64K | ns/op | 41.20µs | 47.88µs | **+16.21%** | [+14.0%, +18.5%] "
		"| **regression** | p=0.000 n=10+10 |\n"
		"| Sort/n=100 | ns/op | 3.702µs | 3.711µs | +0.24% | [-1.2%, +1.7%] "
		"| unchanged | p=0.710 n=10+10 |\n"
		"\n"
		"</details>\n"
		"\n"
		"### Warnings\n"
		"\n"
		"- fell back to refs/main\n"
		"\n"
		"Artifacts: `s3://perf/v1/demo/runs/5d6e7f8/42/`\n");
	free(s);
	fx_release(&f);
}

static void test_pipe_in_names(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_init(&f);
	fx_row(&f, "Parse/a|b", "ns/op", PG_DECISION_REGRESSION, 100, 120, 20, 18, 22,
	       1e-6, 1e-5, "because|of a pipe");
	fx_row(&f, "Split/||", "items|s", PG_DECISION_UNCHANGED, 100, 100, 0, -1, 1, 1, 1,
	       NULL);
	fx_finish(&f);
	s = render(&f.report);
	assert_non_null(strstr(s, "| Parse/a\\|b | ns/op |"));
	assert_non_null(strstr(s, "| because\\|of a pipe |"));
	assert_non_null(strstr(s, "| Split/\\|\\| | items\\|s |"));
	/* header, separator and 1 row in the regressions' table, header,
	 * separator and 2 rows in the full one: all with 8 cells */
	assert_int_equal(check_tables(s, 8), 7);
	/* also in the summary line */
	assert_non_null(strstr(s, "(Parse/a\\|b ns/op +20.0% > 5%)"));
	free(s);
	fx_release(&f);
}

static void test_other_metacharacters(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_init(&f);
	fx_row(&f, "A*b_c`d<script>[x](y)~z&amp;$1\\", "ns/op", PG_DECISION_UNCHANGED,
	       100, 100, 0, -1, 1, 1, 1, NULL);
	fx_row(&f, "Two\nlines\r", "ns/op", PG_DECISION_UNCHANGED, 100, 100, 0, -1, 1, 1, 1,
	       NULL);
	fx_finish(&f);
	s = render(&f.report);
	assert_non_null(strstr(s, "| A\\*b\\_c\\`d\\<script>\\[x\\](y)\\~z\\&amp;\\$1\\\\ |"));
	/* the one "<script" (in the full table) is escaped */
	assert_int_equal(fx_count(s, "<script"), fx_count(s, "\\<script"));
	assert_int_equal(fx_count(s, "\\<script"), 1);
	/* a line break in a name does not end the row */
	assert_non_null(strstr(s, "| Two lines  | ns/op |"));
	assert_int_equal(check_tables(s, 8), 4);
	free(s);
	fx_release(&f);
}

static void test_sample(void **state)
{
	fx f;
	char *s, *regressions, *details, *details_end, *warnings;

	(void)state;
	fx_sample(&f);
	s = render(&f.report);
	assert_memory_equal(s, "## \u274c perfgate: REGRESSION\n\n2 of 7 benchmark metrics",
			    strlen("## \u274c perfgate: REGRESSION\n\n2 of 7 benchmark metrics"));
	regressions = strstr(s, "### Regressions\n");
	details = strstr(s, "<details><summary>All 9 benchmark metrics: 2 regressions, "
			 "1 improvement, 1 drift, 1 noisy, 2 unchanged, 1 new, 1 removed"
			 "</summary>\n\n");
	details_end = strstr(s, "\n</details>\n");
	warnings = strstr(s, "### Warnings\n\n- fell back to refs/main");
	assert_non_null(regressions);
	assert_non_null(details);
	assert_non_null(details_end);
	assert_non_null(warnings);
	assert_true(regressions < details && details < details_end && details_end < warnings);
	/* the regressions table holds just the regressions */
	assert_int_equal(fx_count(regressions, "| **+16.21%** |"), 2);
	assert_true(strstr(regressions, "| Checksum | MB/s |") < details);
	assert_true(strstr(regressions, "| Sort/n=100 |") > details);
	/* all rows in the details */
	assert_int_equal(check_tables(details, 8), 11);
	assert_int_equal(fx_count(s, "\n- "), 4);
	assert_non_null(strstr(s, "\n- suspected host drift: "));
	assert_non_null(strstr(s, "\n- 1 of 7 benchmark metrics cannot guard its threshold"));
	assert_non_null(strstr(s, "\n- baseline and candidate ran on different hosts"));
	free(s);
	fx_release(&f);
}

static void test_pass_and_other_verdicts(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_init(&f);
	fx_row(&f, "Sort", "ns/op", PG_DECISION_UNCHANGED, 100, 100, 0, -1, 1, 1, 1, NULL);
	fx_finish(&f);
	s = render(&f.report);
	assert_memory_equal(s, "## \u2705 perfgate: PASS\n\nno regression beyond thresholds "
			    "in 1 benchmark metric vs baseline 1a2b3c4",
			    strlen("## \u2705 perfgate: PASS\n\nno regression beyond "
				   "thresholds in 1 benchmark metric vs baseline 1a2b3c4"));
	assert_null(strstr(s, "### Regressions"));
	assert_null(strstr(s, "### Warnings"));
	assert_non_null(strstr(s, "<details>"));
	free(s);

	f.report.verdict = PG_VERDICT_NO_BASELINE;
	f.report.decision = NULL;
	f.report.baseline_commit = NULL;
	f.report.baseline_source = NULL;
	s = render(&f.report);
	assert_memory_equal(s, "## \u26a0\ufe0f perfgate: NO BASELINE\n\nno baseline found "
			    "for branch 'main' (passing: --missing-baseline pass)\n",
			    strlen("## \u26a0\ufe0f perfgate: NO BASELINE\n\nno baseline found "
				   "for branch 'main' (passing: --missing-baseline pass)\n"));
	assert_null(strstr(s, "<details>"));
	free(s);

	f.report.verdict = PG_VERDICT_ERROR;
	f.report.error = "suite 'bench_*' crashed";
	s = render(&f.report);
	assert_memory_equal(s, "## \u2757 perfgate: ERROR\n\nsuite 'bench\\_\\*' crashed\n",
			    strlen("## \u2757 perfgate: ERROR\n\nsuite 'bench\\_\\*' crashed\n"));
	free(s);
	fx_release(&f);
}

/* A confirmed gate: the final table of the whole suite (the suspect's
 * row with its unpaired p), then the first pass's suspects only. */
static void test_confirmation(void **state)
{
	fx f;
	fx_confirm c;
	char *s;
	const char *all, *fp;

	(void)state;
	fx_confirmation(&f, &c, PG_DECISION_UNCHANGED);
	f.report.verdict = PG_VERDICT_PASS;
	s = render(&f.report);
	check_tables(s, 8);
	all = strstr(s, "<details><summary>All 3 benchmark metrics: 1 noisy, 2 unchanged");
	fp = strstr(s, "<details><summary>The first pass's 1 suspect: 1 regression</summary>");
	assert_non_null(all);
	assert_non_null(fp);
	assert_true(all < fp);
	assert_non_null(strstr(s, "Decided by: same-runner A/B against"));
	assert_non_null(strstr(all, "| paired: +0.4%: within 5%; unpaired p=0.2, noise |"));
	assert_int_equal(fx_count(all, "unpaired"), 1);
	assert_true(strstr(fp, "| Hash/fnv1a-64K | ns/op |") < strstr(fp, "</details>"));
	assert_true(strstr(fp, "Sort/n=100") > strstr(fp, "</details>"));
	assert_non_null(strstr(s, "- the confirmation measured the first pass's 1 suspect "
			       "again and cleared 1: Hash/fnv1a-64K ns/op regression +16.2% -> "
			       "unchanged +0.4% (cleared)\n"));
	free(s);
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_pipe_in_names),
		cmocka_unit_test(test_other_metacharacters),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_pass_and_other_verdicts),
		cmocka_unit_test(test_confirmation),
	};

	return cmocka_run_group_tests_name("report_markdown", tests, NULL, NULL);
}
