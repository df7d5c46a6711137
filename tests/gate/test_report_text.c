/*
 * The gate's terminal report (gate/report_text.c): the layout, colour only
 * when asked (red regressions, green improvements, yellow drift and
 * noise), the notes, and the verdict as the last line.
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

#define RED "\033[1;31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RESET "\033[0m"

static void small(fx *f)
{
	fx_init(f);
	fx_row(f, "Hash/fnv1a-64K", "ns/op", PG_DECISION_REGRESSION, 41200, 47880,
	       16.2135, 14.0, 18.5, 1e-6, 2e-5, "+16.2% > 5% threshold (p_adj=2e-05)");
	fx_row(f, "Sort/n=100", "ns/op", PG_DECISION_UNCHANGED, 3702, 3711,
	       0.24, -1.2, 1.7, 0.71, 1, NULL);
	fx_row(f, "Added", "ns/op", PG_DECISION_NEW, NAN, 800, 0, 0, 0, 0, 0, NULL);
	fx_row(f, "Checksum", "MB/s", PG_DECISION_IMPROVEMENT, 1051.7, 1250.5,
	       18.9, 15.0, 22.8, 1e-7, 1e-6, NULL);
	fx_finish(f);
}

static char *render(const pg_report *r, int color)
{
	pg_buf b = PG_BUF_INIT;

	assert_int_equal(pg_report_terminal(&b, r, color), 0);
	assert_false(pg_buf_failed(&b));
	return pg_buf_detach(&b, NULL);
}

/* The line of `s` that contains `needle`, copied into `out`. */
static const char *line_with(char *out, size_t size, const char *s, const char *needle)
{
	const char *at = strstr(s, needle), *start, *end;

	if (!at)
		fail_msg("no line with '%s' in:\n%s", needle, s);
	for (start = at; start > s && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n');
	snprintf(out, size, "%.*s", (int)((end ? end : at + strlen(at)) - start), start);
	return out;
}

static void test_layout(void **state)
{
	fx f;
	char *s;

	(void)state;
	small(&f);
	s = render(&f.report, 0);
	assert_string_equal(s,
		"baseline:  1a2b3c4 (store: merge base of HEAD and origin/main), branch main\n"
		"candidate: 5d6e7f8 on feature/x\n"
		"decision:  Welch's t-test on log values, alpha=0.05, holm correction, "
		"thresholds on the estimate\n"
		"\n"
		"ns/op               old      new    delta  95% CI            decision\n"
		"Hash/fnv1a-64K  41.20µs  47.88µs  +16.21%  [+14.0%, +18.5%]  REGRESSION  +16.2% > 5% threshold (p_adj=2e-05)\n"
		"Sort/n=100      3.702µs  3.711µs   +0.24%  [-1.2%, +1.7%]    unchanged   p=0.710 n=10+10\n"
		"Added                      800ns                             new         only in the candidate\n"
		"\n"
		"MB/s       old   new    delta  95% CI            decision\n"
		"Checksum  1052  1250  +18.90%  [+15.0%, +22.8%]  improvement  p=0.000 n=10+10\n"
		"\n"
		"perfgate: REGRESSION: 1 of 3 benchmark metrics slower than allowed "
		"(Hash/fnv1a-64K ns/op +16.2% > 5%) vs baseline 1a2b3c4 (store: merge base of "
		"HEAD and origin/main); 1 improvement\n");
	free(s);
	fx_release(&f);
}

static void test_no_escape_codes_without_colour(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_sample(&f);
	s = render(&f.report, 0);
	assert_null(strchr(s, '\033'));
	free(s);
	fx_release(&f);
}

static void test_colour(void **state)
{
	char line[1024];
	fx f;
	char *s;

	(void)state;
	fx_sample(&f);
	s = render(&f.report, 1);
	/* the regression's whole line is bold red */
	line_with(line, sizeof(line), s, "Hash/fnv1a-64K  ");
	assert_memory_equal(line, RED "Hash/fnv1a-64K", strlen(RED "Hash/fnv1a-64K"));
	assert_non_null(strstr(line, "REGRESSION"));
	assert_string_equal(line + strlen(line) - strlen(RESET), RESET);
	line_with(line, sizeof(line), s, "Checksum  ");
	assert_memory_equal(line, RED, strlen(RED));
	/* improvement green, drift and noise yellow, the others plain */
	line_with(line, sizeof(line), s, "Memcpy/1M");
	assert_memory_equal(line, GREEN "Memcpy/1M", strlen(GREEN "Memcpy/1M"));
	line_with(line, sizeof(line), s, "JSON/parse  ");
	assert_memory_equal(line, YELLOW, strlen(YELLOW));
	line_with(line, sizeof(line), s, "Sort/n=10000");
	assert_memory_equal(line, YELLOW, strlen(YELLOW));
	line_with(line, sizeof(line), s, "Sort/n=100 ");
	assert_memory_equal(line, "Sort/n=100 ", strlen("Sort/n=100 "));
	/* the colour does not shift the columns: the same text without it */
	{
		char *plain = render(&f.report, 0);
		pg_buf stripped = PG_BUF_INIT;
		const char *p;

		for (p = s; *p; p++) {
			if (*p == '\033') {
				p = strchr(p, 'm');
				assert_non_null(p);
				continue;
			}
			pg_buf_addch(&stripped, *p);
		}
		assert_string_equal(stripped.ptr, plain);
		pg_buf_release(&stripped);
		free(plain);
	}
	free(s);
	fx_release(&f);
}

static void test_notes(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_sample(&f);
	s = render(&f.report, 0);
	assert_non_null(strstr(s, "\nwarning: fell back to refs/main: no baseline among 50 "
			       "ancestors\n"));
	assert_non_null(strstr(s, "\nbaseline and candidate ran on different hosts (cpu: "
			       "'AMD EPYC 7B13' vs 'Intel Xeon 8375C')"));
	assert_non_null(strstr(s, "\nsuspected host drift: 4 of 7 benchmark metrics moved "
			       "together, by about +9.5% (the host seems to have been slower"));
	assert_non_null(strstr(s, "\n1 of 7 benchmark metrics cannot guard its threshold"));
	assert_non_null(strstr(s, "Sort/n=10000 ns/op detects 14.2% > 5% (about 40 runs per "
			       "side needed); to fix: more runs (-n)"));
	assert_non_null(strstr(s, "\nartifacts: file:///tmp/store/v1/demo/runs/5d6e7f8/42/\n"));
	/* the notes come after the tables, the verdict after the notes */
	assert_true(strstr(s, "warning: ") > strstr(s, "Checksum"));
	assert_true(strstr(s, "perfgate: REGRESSION") > strstr(s, "artifacts: "));
	free(s);
	fx_release(&f);
}

static void test_verdict_is_last_line(void **state)
{
	char last[1024];
	fx f;
	char *s;

	(void)state;
	fx_sample(&f);
	s = render(&f.report, 0);
	fx_last_line(last, sizeof(last), s);
	assert_string_equal(last,
		"perfgate: REGRESSION: 2 of 7 benchmark metrics slower than allowed "
		"(Hash/fnv1a-64K ns/op +16.2% > 5%, Checksum MB/s -12.0% < -5%) vs baseline "
		"1a2b3c4 (store: merge base of HEAD and origin/main); 1 improvement, "
		"1 attributed to host drift, 1 cannot guard its threshold");
	free(s);

	/* in colour, the verdict line is coloured as a whole */
	s = render(&f.report, 1);
	fx_last_line(last, sizeof(last), s);
	assert_memory_equal(last, RED "perfgate: REGRESSION: ", strlen(RED) + 22);
	free(s);

	/* a pass */
	f.rows[0].decision = PG_DECISION_UNCHANGED;
	f.rows[8].decision = PG_DECISION_UNCHANGED;
	f.report.verdict = PG_VERDICT_PASS;
	f.report.exit_code = 0;
	s = render(&f.report, 0);
	fx_last_line(last, sizeof(last), s);
	assert_string_equal(last,
		"perfgate: PASS: no regression beyond thresholds in 7 benchmark metrics vs "
		"baseline 1a2b3c4 (store: merge base of HEAD and origin/main); 1 improvement, "
		"1 attributed to host drift, 1 cannot guard its threshold");
	free(s);
	s = render(&f.report, 1);
	fx_last_line(last, sizeof(last), s);
	assert_memory_equal(last, "\033[1;32mperfgate: PASS: ", 7 + 16);
	free(s);

	/* no baseline: no table, the policy in the verdict */
	f.report.verdict = PG_VERDICT_NO_BASELINE;
	f.report.decision = NULL;
	f.report.baseline_commit = NULL;
	f.report.baseline_source = NULL;
	s = render(&f.report, 0);
	assert_null(strstr(s, "ns/op"));
	fx_last_line(last, sizeof(last), s);
	assert_string_equal(last, "perfgate: NO BASELINE: no baseline found for branch "
			    "'main' (passing: --missing-baseline pass)");
	free(s);
	f.report.exit_code = 1;
	s = render(&f.report, 0);
	fx_last_line(last, sizeof(last), s);
	assert_string_equal(last, "perfgate: NO BASELINE: no baseline found for branch "
			    "'main' (failing: --missing-baseline fail)");
	free(s);

	/* an error */
	f.report.verdict = PG_VERDICT_ERROR;
	f.report.exit_code = 3;
	f.report.error = "cannot reach store 'https://perf.example': Couldn't connect to server";
	s = render(&f.report, 0);
	fx_last_line(last, sizeof(last), s);
	assert_string_equal(last, "perfgate: ERROR: cannot reach store "
			    "'https://perf.example': Couldn't connect to server");
	free(s);
	fx_release(&f);
}

/* Control characters in a name cannot break the table or reach the
 * terminal (an escape sequence in a Google Benchmark name, a newline). */
static void test_control_characters(void **state)
{
	fx f;
	char *s;

	(void)state;
	fx_init(&f);
	fx_row(&f, "Evil\033[2J\nName", "ns/op", PG_DECISION_UNCHANGED, 100, 100,
	       0, -1, 1, 1, 1, "reason\rwith CR");
	fx_finish(&f);
	s = render(&f.report, 0);
	assert_null(strchr(s, '\033'));
	assert_null(strchr(s, '\r'));
	assert_non_null(strstr(s, "\nEvil?[2J?Name  "));
	assert_non_null(strstr(s, "reason?with CR\n"));
	free(s);
	fx_release(&f);
}

/* fx_confirmation()'s report, rendered; without `first_pass` an A/B's
 * own (its paired set decides every row) */
static char *render_confirmation(fx *f, fx_confirm *c, pg_decision hash, int first_pass)
{
	fx_confirmation(f, c, hash);
	if (!first_pass) {
		f->report.first_pass = NULL;
		f->report.confirmed = NULL;
	}
	f->report.verdict = f->set.regressions ? PG_VERDICT_REGRESSION : PG_VERDICT_PASS;
	return render(&f->report, 0);
}

/* An A/B decides: the header names the paired test and the unpaired one
 * beside it, and each row's reason carries the unpaired p-value. */
static void test_paired_header_and_unpaired_p(void **state)
{
	fx f;
	fx_confirm c;
	char line[512], *out;

	(void)state;
	out = render_confirmation(&f, &c, PG_DECISION_REGRESSION, 0);
	assert_string_equal(line_with(line, sizeof(line), out, "decision:"),
			    "decision:  paired t-test on log ratios (unpaired: Welch's t-test on log "
			    "values beside it), alpha=0.05, holm correction, thresholds on the "
			    "estimate");
	assert_non_null(strstr(line_with(line, sizeof(line), out, "Hash/fnv1a-64K"),
			       "paired: +15.0% > 5% threshold; unpaired p=0.2, noise"));
	assert_non_null(strstr(line_with(line, sizeof(line), out, "Sort/n=100 "),
			       "; unpaired p=0.04, noise"));
	/* not paired: no unpaired view */
	assert_null(strstr(line_with(line, sizeof(line), out, "Sort/n=10000"), "unpaired"));
	free(out);
	f.set.opts.test = PG_TEST_UTEST;
	out = render(&f.report, 0);
	assert_string_equal(line_with(line, sizeof(line), out, "decision:"),
			    "decision:  Wilcoxon's signed-rank test on log ratios (unpaired: "
			    "Mann-Whitney U test beside it), alpha=0.05, holm correction, "
			    "thresholds on the estimate");
	free(out);
	fx_release(&f);
}

/* A confirmed gate: the first pass's suspects, then the final table of
 * the whole suite (the suspect's row the confirmation's, with its
 * unpaired p; the others the first pass's, without), and a note pairing
 * each suspect's two verdicts. */
static void test_confirmation(void **state)
{
	fx f;
	fx_confirm c;
	char line[512], *out;
	const char *fp, *decided;

	(void)state;
	out = render_confirmation(&f, &c, PG_DECISION_UNCHANGED, 1);
	assert_string_equal(line_with(line, sizeof(line), out, "decision:"),
			    "decision:  Welch's t-test on log values (first pass), paired t-test on "
			    "log ratios (unpaired: Welch's t-test on log values beside it) for the "
			    "suspects measured again, alpha=0.05, holm correction, thresholds on "
			    "the estimate");
	fp = strstr(out, "\nfirst pass: the stored baseline against the candidate's runs; its "
		    "suspects:\n");
	decided = strstr(out, "\ndecided by: same-runner A/B against 1a2b3c4d5e6f built here: 1 "
			 "benchmark x 10 pairs; the other rows are the first pass's\n");
	assert_non_null(fp);
	assert_non_null(decided);
	assert_true(fp < decided);
	/* the first pass's table: its suspect only */
	assert_true(strstr(fp, "Hash/fnv1a-64K") < decided);
	assert_true(strstr(fp, "REGRESSION") < decided);
	assert_true(strstr(fp, "Sort/n=100") > decided);
	/* the final table */
	assert_non_null(strstr(line_with(line, sizeof(line), decided, "Hash/fnv1a-64K"),
			       "unchanged  paired: +0.4%: within 5%; unpaired p=0.2, noise"));
	assert_null(strstr(line_with(line, sizeof(line), decided, "Sort/n=100 "), "unpaired"));
	assert_non_null(strstr(decided, "Sort/n=10000"));
	assert_string_equal(line_with(line, sizeof(line), out, "the confirmation measured"),
			    "the confirmation measured the first pass's 1 suspect again and "
			    "cleared 1: Hash/fnv1a-64K ns/op regression +16.2% -> unchanged +0.4% "
			    "(cleared)");
	assert_non_null(strstr(fx_last_line(line, sizeof(line), out),
			       "no regression beyond thresholds in 3 benchmark metrics"));
	free(out);
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_no_escape_codes_without_colour),
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_verdict_is_last_line),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_paired_header_and_unpaired_p),
		cmocka_unit_test(test_confirmation),
	};

	return cmocka_run_group_tests_name("report_text", tests, NULL, NULL);
}
