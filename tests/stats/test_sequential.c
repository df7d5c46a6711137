#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>

#include "stats/stats_test.h"

#include "common/error.h"
#include "stats/decide.h"
#include "stats/paired.h"
#include "stats/results.h"
#include "stats/sequential.h"
#include "stats/summary.h"
#include "stats/welch.h"

#include "stats/paired_reference.h"
#include "stats/results_fixture.h"

/* ------------------------------------------------------------ helpers */

/* the scenario's rows with the first n samples (the baseline: its own
 * count when fixed) */
static void build_look(pg_results *old, pg_results *new, const struct ref_seq_scenario *sc,
		       size_t n)
{
	size_t i;

	init2(old, new);
	for (i = 0; i < sc->nrows; i++) {
		const struct ref_seq_input *in = &ref_seq_inputs[sc->rows[i]];

		add(old, in->benchmark, in->unit, in->old, sc->baseline_n ? sc->baseline_n : n);
		add(new, in->benchmark, in->unit, in->new, n);
	}
}

static void release2(pg_results *old, pg_results *new)
{
	pg_results_release(old);
	pg_results_release(new);
}

static void check_status(const pg_seq_row *r, pg_seq_status want)
{
	if (r->status != want)
		fail_msg("%s %s: status %s, want %s (reason: %s)", r->benchmark, r->unit,
			 pg_seq_status_name(r->status), pg_seq_status_name(want), r->reason);
}

/* n samples per side: base (1 + cv z), the candidate x factor (the
 * patterns z_a and z_b repeated, so the spread stays the same as n grows) */
static void add_row(pg_results *old, pg_results *new, const char *name, const char *unit,
		    size_t n, double base, double cv, double factor)
{
	add_scaled(old, new, name, unit, n, base, cv, factor, z_a, z_b);
}

/* ------------------------------------------------------------ reference */

static void test_matches_reference(void **state)
{
	double worst = 0;
	size_t k, nlooks = 0;

	(void)state;
	for (k = 0; k < NELEM(ref_seq_scenarios); k++) {
		const struct ref_seq_scenario *sc = &ref_seq_scenarios[k];
		pg_seq_opts o = PG_SEQ_OPTS_INIT;
		pg_seq_state s;
		pg_seq_verdict v;
		pg_results old, new;
		size_t look, i, n = 5;
		char what[96];

		o.paired = sc->paired;
		o.baseline_fixed = sc->baseline_fixed;
		o.stop_hopeless = sc->stop_hopeless;
		assert_int_equal(pg_sequential_init(&s, &o), 0);
		assert_int_equal(s.looks_planned, sc->looks_planned);
		for (look = 0; look < sc->nlooks; look++) {
			const struct ref_seq_look *L = &sc->looks[look];

			assert_int_equal(L->n, n);
			build_look(&old, &new, sc, n);
			assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
			snprintf(what, sizeof(what), "%s look %zu", sc->what, look + 1);
			assert_int_equal(v.look, look + 1);
			check_rel(&worst, v.level_eff, L->level_eff, 1e-15, "a_e", what);
			check_rel(&worst, v.level_fut, L->level_fut, 1e-15, "a_f", what);
			if (v.stop != L->stop || v.all_decided != L->all_decided)
				fail_msg("%s: stop %d all_decided %d, want %d %d", what, v.stop,
					 v.all_decided, L->stop, L->all_decided);
			for (i = 0; i < sc->nrows; i++) {
				const struct ref_seq_input *in = &ref_seq_inputs[sc->rows[i]];
				const struct ref_seq_row *w = &L->rows[i];
				const pg_seq_row *r = pg_sequential_row(&s, in->benchmark, in->unit);

				assert_non_null(r);
				check_status(r, w->status);
				assert_int_equal(r->look, w->look);
				assert_int_equal(r->n_old, w->n_old);
				assert_int_equal(r->n_new, w->n_new);
				assert_true(r->has_delta);
				check_rel(&worst, r->delta_percent, w->delta, 1e-10, "delta", in->benchmark);
				assert_true(strlen(r->reason) > 0);
				if (r->status == PG_SEQ_EXACT)
					continue;
				assert_true(r->has_ci && r->has_mde);
				/* GSL's inverse t against scipy's t.ppf */
				check_rel(&worst, r->eff_low_percent, w->eff_lo, 1e-8, "eff lo", in->benchmark);
				check_rel(&worst, r->eff_high_percent, w->eff_hi, 1e-8, "eff hi", in->benchmark);
				check_rel(&worst, r->fut_low_percent, w->fut_lo, 1e-8, "fut lo", in->benchmark);
				check_rel(&worst, r->fut_high_percent, w->fut_hi, 1e-8, "fut hi", in->benchmark);
				check_rel(&worst, r->mde_percent, w->mde, 1e-8, "mde", in->benchmark);
				check_rel(&worst, r->mde_max_percent, w->mde_max, 1e-8, "mde max",
					  in->benchmark);
				check_rel(&worst, r->halfwidth_max_percent, w->hw_max, 1e-8, "hw max",
					  in->benchmark);
			}
			release2(&old, &new);
			nlooks++;
			if (v.stop) {
				assert_int_equal(v.next_runs, 0);
				assert_int_equal(v.runs_saved, 30 - n);
				break;
			}
			assert_int_equal(v.next_runs, n + 5 > 30 ? 30 : n + 5);
			n = v.next_runs;
		}
		assert_int_equal(look + 1, sc->nlooks);
		/* after the stop: no look left */
		build_look(&old, &new, sc, n);
		assert_int_equal(pg_sequential_step(&v, &s, &old, &new), PG_EINPUT);
		assert_string_equal(pg_error_last(), "the sequential plan has no look left");
		release2(&old, &new);
		pg_sequential_release(&s);
	}
	printf("sequential: %zu scenarios, %zu looks vs the rule re-implemented with scipy; "
	       "worst rel. error %.3g\n", NELEM(ref_seq_scenarios), nlooks, worst);
}

/* ------------------------------------------------------------ stopping */

static void test_clearly_inside_and_outside_stop_early(void **state)
{
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	const pg_seq_row *r;
	char want[256];

	(void)state;
	assert_int_equal(pg_sequential_init(&s, NULL), 0);
	init2(&old, &new);
	add_row(&old, &new, "Inside", "ns/op", 5, 1000, 0.005, 1.00);
	add_row(&old, &new, "Outside", "ns/op", 5, 1000, 0.005, 1.30);
	add_row(&old, &new, "Better", "MB/s", 5, 1000, 0.005, 1.30);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_true(v.stop && v.all_decided && !v.at_max);
	assert_int_equal(v.look, 1);
	assert_int_equal(v.runs, 5);
	assert_int_equal(v.runs_saved, 25);
	assert_int_equal(v.unchanged, 1);
	assert_int_equal(v.regressed, 1);
	assert_int_equal(v.improved, 1);
	/* a_f = 0.05 / 6, a_e = a_f / 3 */
	assert_true(fabs(v.level_fut - 0.05 / 6) < 1e-15);
	assert_true(fabs(v.level_eff - 0.05 / 18) < 1e-15);

	r = pg_sequential_row(&s, "Inside", "ns/op");
	check_status(r, PG_SEQ_UNCHANGED);
	assert_true(r->final && r->fut_high_percent < 5);
	snprintf(want, sizeof(want), "clearly unchanged after 5 runs: %+.1f%%, 99.17%% CI "
		 "%+.1f%%..%+.1f%% inside the +5%% threshold", r->delta_percent,
		 r->fut_low_percent, r->fut_high_percent);
	assert_string_equal(r->reason, want);

	r = pg_sequential_row(&s, "Outside", "ns/op");
	check_status(r, PG_SEQ_REGRESSED);
	assert_true(r->eff_low_percent > 5);
	snprintf(want, sizeof(want), "clearly regressed after 5 runs: %+.1f%%, 99.72%% CI "
		 "%+.1f%%..%+.1f%% beyond the 5%% threshold", r->delta_percent,
		 r->eff_low_percent, r->eff_high_percent);
	assert_string_equal(r->reason, want);

	r = pg_sequential_row(&s, "Better", "MB/s");
	check_status(r, PG_SEQ_IMPROVED);
	snprintf(want, sizeof(want), "clearly improved after 5 runs: %+.1f%%, 99.72%% CI "
		 "%+.1f%%..%+.1f%% beyond the +5%% threshold", r->delta_percent,
		 r->eff_low_percent, r->eff_high_percent);
	assert_string_equal(r->reason, want);
	assert_false(pg_sequential_needs_runs(&s, "Inside", "ns/op"));
	release2(&old, &new);
	pg_sequential_release(&s);
}

static void test_final_verdicts_are_kept(void **state)
{
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	const pg_seq_row *r;
	pg_seq_opts o = PG_SEQ_OPTS_INIT;

	(void)state;
	o.stop_hopeless = 0;
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	/* look 1: Quiet is clearly unchanged, Open is not */
	init2(&old, &new);
	add_row(&old, &new, "Quiet", "ns/op", 5, 1000, 0.005, 1.0);
	add_row(&old, &new, "Open", "ns/op", 5, 1000, 0.10, 1.0);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_false(v.stop);
	assert_int_equal(v.next_runs, 10);
	check_status(pg_sequential_row(&s, "Quiet", "ns/op"), PG_SEQ_UNCHANGED);
	check_status(pg_sequential_row(&s, "Open", "ns/op"), PG_SEQ_UNDECIDED);
	assert_false(pg_sequential_needs_runs(&s, "Quiet", "ns/op"));
	assert_true(pg_sequential_needs_runs(&s, "Open", "ns/op"));
	assert_true(pg_sequential_needs_runs(&s, "Unknown", "ns/op"));
	release2(&old, &new);

	/* look 2: the gate measured only Open; Quiet keeps its 5 runs and
	 * its verdict even if its data changed (here: now +40%) */
	init2(&old, &new);
	add_row(&old, &new, "Quiet", "ns/op", 5, 1000, 0.005, 1.4);
	add_row(&old, &new, "Open", "ns/op", 10, 1000, 0.10, 1.0);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	r = pg_sequential_row(&s, "Quiet", "ns/op");
	check_status(r, PG_SEQ_UNCHANGED);
	assert_int_equal(r->look, 1);
	assert_int_equal(r->n_new, 5);
	assert_true(fabs(r->delta_percent) < 1);
	r = pg_sequential_row(&s, "Open", "ns/op");
	assert_int_equal(r->look, 2);
	assert_int_equal(r->n_new, 10);
	assert_int_equal(v.runs, 10);
	release2(&old, &new);
	pg_sequential_release(&s);
}

static void test_undecided_at_max(void **state)
{
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	pg_seq_opts o = PG_SEQ_OPTS_INIT;
	const pg_seq_row *r;
	size_t n;
	char want[256];

	(void)state;
	o.stop_hopeless = 0;
	o.min_runs = 4;
	o.batch = 4;
	o.max_runs = 12;  /* looks at 4, 8, 12 */
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	assert_int_equal(s.looks_planned, 3);
	for (n = 4; n <= 12; n += 4) {
		init2(&old, &new);
		add_row(&old, &new, "Noisy", "ns/op", n, 1000, 0.25, 1.0);
		add_row(&old, &new, "Edge", "ns/op", n, 1000, 0.01, 1.05);
		add_row(&old, &new, "Quiet", "ns/op", n, 1000, 0.002, 1.0);
		assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
		release2(&old, &new);
		if (n < 12)
			assert_false(v.stop);
	}
	assert_true(v.stop && !v.all_decided && v.at_max);
	assert_int_equal(v.look, 3);
	assert_int_equal(v.runs_saved, 0);
	assert_int_equal(v.undecided, 2);
	assert_int_equal(v.unchanged, 1);
	/* the noisy row says what it cannot see */
	r = pg_sequential_row(&s, "Noisy", "ns/op");
	check_status(r, PG_SEQ_UNDECIDED);
	assert_true(r->mde_percent > 5);
	snprintf(want, sizeof(want), "undecided at the maximum (12 runs): %+.1f%%, minimum "
		 "detectable change +%.1f%% > 5%% threshold", r->delta_percent, r->mde_percent);
	assert_string_equal(r->reason, want);
	/* a change at the threshold: the row could see 5%, the interval
	 * straddles the threshold */
	r = pg_sequential_row(&s, "Edge", "ns/op");
	check_status(r, PG_SEQ_UNDECIDED);
	assert_true(r->mde_percent < 5);
	assert_true(r->eff_low_percent < 5 && r->eff_high_percent > 5);
	assert_non_null(strstr(r->reason, "undecided at the maximum (12 runs): "));
	assert_non_null(strstr(r->reason, "(the change is close to it)"));
	release2(&old, &new);
	pg_sequential_release(&s);
}

static void test_hopeless_rows_do_not_hold_the_gate(void **state)
{
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	const pg_seq_row *r;
	char want[256];

	(void)state;
	assert_int_equal(pg_sequential_init(&s, NULL), 0);
	init2(&old, &new);
	add_row(&old, &new, "Noisy", "ns/op", 5, 1000, 0.25, 1.0);
	add_row(&old, &new, "Quiet", "ns/op", 5, 1000, 0.002, 1.0);
	/* noisy too, but significantly slower (not yet beyond 5%): stays
	 * undecided, worth measuring */
	add_row(&old, &new, "NoisySlow", "ns/op", 5, 1000, 0.12, 1.21);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	r = pg_sequential_row(&s, "Noisy", "ns/op");
	check_status(r, PG_SEQ_HOPELESS);
	assert_true(r->halfwidth_max_percent >= 5);
	snprintf(want, sizeof(want), "cannot be decided by 30 runs: %+.1f%%; even unchanged, "
		 "its interval there would reach +%.1f%% >= 5%% (minimum detectable change "
		 "at 30 runs +%.1f%%)", r->delta_percent, r->halfwidth_max_percent,
		 r->mde_max_percent);
	assert_string_equal(r->reason, want);
	r = pg_sequential_row(&s, "NoisySlow", "ns/op");
	check_status(r, PG_SEQ_UNDECIDED);
	assert_true(r->eff_low_percent > 0 && r->eff_low_percent < 5);
	assert_true(r->halfwidth_max_percent >= 5);
	assert_false(v.stop);
	assert_int_equal(v.hopeless, 1);
	assert_int_equal(v.undecided, 1);
	assert_true(pg_sequential_needs_runs(&s, "Noisy", "ns/op"));
	assert_true(pg_sequential_needs_runs(&s, "NoisySlow", "ns/op"));
	release2(&old, &new);
	pg_sequential_release(&s);

	/* without NoisySlow the gate stops at once, not all decided */
	assert_int_equal(pg_sequential_init(&s, NULL), 0);
	init2(&old, &new);
	add_row(&old, &new, "Noisy", "ns/op", 5, 1000, 0.25, 1.0);
	add_row(&old, &new, "Quiet", "ns/op", 5, 1000, 0.002, 1.0);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_true(v.stop && !v.all_decided);
	assert_false(v.at_max); /* stopped by the hopeless row, at look 1 of 6 */
	assert_int_equal(v.hopeless, 1);
	assert_int_equal(v.runs_saved, 25);
	assert_false(pg_sequential_needs_runs(&s, "Noisy", "ns/op")); /* stopped */
	release2(&old, &new);
	pg_sequential_release(&s);
}

static void test_final_decision_agrees(void **state)
{
	const struct ref_seq_scenario *sc = &ref_seq_scenarios[0];
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	pg_decide_opts fo;
	pg_decision_set d;
	size_t n = 5, i;

	(void)state;
	assert_string_equal(sc->what, "default");
	assert_int_equal(pg_sequential_init(&s, NULL), 0);
	for (;;) {
		build_look(&old, &new, sc, n);
		assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
		if (v.stop)
			break;
		release2(&old, &new);
		n = v.next_runs;
	}
	pg_sequential_final_opts(&fo, &s);
	assert_true(fabs(fo.alpha - 0.05 / 6) < 1e-15);
	assert_int_equal(fo.correction, PG_CORRECTION_HOLM);
	assert_int_equal(pg_decide(&d, &old, &new, &fo), 0);
	for (i = 0; i < d.nrows; i++) {
		const pg_seq_row *r = pg_sequential_row(&s, d.rows[i].benchmark, d.rows[i].unit);

		assert_non_null(r);
		if (r->status == PG_SEQ_REGRESSED)
			assert_int_equal(d.rows[i].decision, PG_DECISION_REGRESSION);
		if (r->status == PG_SEQ_UNCHANGED)
			assert_true(d.rows[i].decision != PG_DECISION_REGRESSION);
		if (r->status == PG_SEQ_EXACT)
			assert_true(d.rows[i].deterministic);
	}
	assert_non_null(strstr(d.rows[1].reason, "Holm"));
	pg_decision_set_release(&d);
	release2(&old, &new);
	pg_sequential_release(&s);
}

/* ------------------------------------------------------------ edges */

static void test_plan_and_options(void **state)
{
	static const size_t plans[][4] = {
		/* min, batch, max, K */
		{ 5, 5, 30, 6 }, { 5, 10, 30, 4 }, { 10, 5, 10, 1 }, { 2, 1, 5, 4 }, { 3, 4, 12, 4 },
	};
	pg_seq_opts o = PG_SEQ_OPTS_INIT;
	pg_seq_state s;
	pg_decide_opts fo;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(plans); i++) {
		o.min_runs = plans[i][0];
		o.batch = plans[i][1];
		o.max_runs = plans[i][2];
		assert_int_equal(pg_sequential_init(&s, &o), 0);
		assert_int_equal(s.looks_planned, plans[i][3]);
		pg_sequential_final_opts(&fo, &s);
		assert_true(fabs(fo.alpha - 0.05 / (double)plans[i][3]) < 1e-15);
		pg_sequential_release(&s);
	}
	o = (pg_seq_opts)PG_SEQ_OPTS_INIT;
	o.decide.test = PG_TEST_UTEST;
	assert_int_equal(pg_sequential_init(&s, &o), PG_EINPUT);
	assert_string_equal(pg_error_last(), "the sequential rule needs test welch");
	o = (pg_seq_opts)PG_SEQ_OPTS_INIT;
	o.min_runs = 1;
	assert_int_equal(pg_sequential_init(&s, &o), PG_EINPUT);
	o = (pg_seq_opts)PG_SEQ_OPTS_INIT;
	o.batch = 0;
	assert_int_equal(pg_sequential_init(&s, &o), PG_EINPUT);
	o = (pg_seq_opts)PG_SEQ_OPTS_INIT;
	o.max_runs = 4;
	assert_int_equal(pg_sequential_init(&s, &o), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "the maximum number of runs (4) is below the minimum (5)");
	o = (pg_seq_opts)PG_SEQ_OPTS_INIT;
	o.decide.alpha = 0;
	assert_int_equal(pg_sequential_init(&s, &o), PG_EINPUT);
	pg_sequential_release(&s);
	pg_sequential_release(NULL);
	assert_string_equal(pg_seq_status_name(PG_SEQ_HOPELESS), "hopeless");
	assert_string_equal(pg_seq_status_name(PG_SEQ_UNCHANGED), "unchanged");
	assert_string_equal(pg_seq_status_name(PG_SEQ_ABSENT), "absent");
}

static void rule_bad(void *ctx, const char *benchmark, const char *unit, pg_row_rule *out)
{
	(void)ctx;
	(void)benchmark;
	(void)unit;
	out->threshold_percent = NAN;
}

static void test_absent_too_few_and_bad_rule(void **state)
{
	static const double one[] = { 100 }, many[] = { 100, 101, 99, 100, 102 };
	static const double k[] = { 7, 7, 7 };
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	pg_seq_opts o = PG_SEQ_OPTS_INIT;

	(void)state;
	assert_int_equal(pg_sequential_init(&s, NULL), 0);
	init2(&old, &new);
	add(&old, "Gone", "ns/op", many, 5);
	add(&new, "Fresh", "ns/op", many, 5);
	add(&old, "Once", "ns/op", one, 1);
	add(&new, "Once", "ns/op", many, 5);
	add(&old, "Allocs", "allocs/op", k, 3);
	add(&new, "Allocs", "allocs/op", k, 3);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_int_equal(v.absent, 2);
	assert_int_equal(v.exact, 1);
	assert_int_equal(v.undecided, 1);
	assert_false(v.stop);
	check_status(pg_sequential_row(&s, "Gone", "ns/op"), PG_SEQ_ABSENT);
	assert_string_equal(pg_sequential_row(&s, "Gone", "ns/op")->reason, "only in the baseline");
	assert_string_equal(pg_sequential_row(&s, "Fresh", "ns/op")->reason, "only in the candidate");
	check_status(pg_sequential_row(&s, "Once", "ns/op"), PG_SEQ_UNDECIDED);
	assert_string_equal(pg_sequential_row(&s, "Once", "ns/op")->reason,
			    "undecided: too few samples (1+5) for a test");
	check_status(pg_sequential_row(&s, "Allocs", "allocs/op"), PG_SEQ_EXACT);
	assert_string_equal(pg_sequential_row(&s, "Allocs", "allocs/op")->reason,
			    "deterministic: 7 -> 7 allocs/op (no change)");
	assert_null(pg_sequential_row(&s, "Nothing", "ns/op"));
	release2(&old, &new);
	pg_sequential_release(&s);

	/* a bad rule is an input error at the look */
	o.decide.rule = rule_bad;
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	init2(&old, &new);
	add(&old, "A", "ns/op", many, 5);
	add(&new, "A", "ns/op", many, 5);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), PG_EINPUT);
	assert_non_null(strstr(pg_error_last(), "invalid threshold"));
	release2(&old, &new);
	pg_sequential_release(&s);
}

static void test_paired_mode_counts_pairs(void **state)
{
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	pg_seq_opts o = PG_SEQ_OPTS_INIT;
	const pg_seq_row *r;
	double a[6], b[5];
	size_t i;

	(void)state;
	o.paired = 1;
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	init2(&old, &new);
	/* a slot factor shared by both runs of each pair, +20% */
	for (i = 0; i < 6; i++)
		a[i] = 1000 * (1 + 0.2 * z_a[i]);
	for (i = 0; i < 5; i++)
		b[i] = 1.2 * a[i] * (1 + 0.001 * z_b[i]);
	add(&old, "P", "ns/op", a, 6);
	add(&new, "P", "ns/op", b, 5);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	r = pg_sequential_row(&s, "P", "ns/op");
	assert_int_equal(r->n_old, 5);
	assert_int_equal(r->n_new, 5);
	check_status(r, PG_SEQ_REGRESSED);
	assert_true(strncmp(r->reason, "clearly regressed after 5 pairs: +20.0%", 39) == 0);
	release2(&old, &new);
	pg_sequential_release(&s);

	/* the same samples unpaired: the slot noise hides it */
	assert_int_equal(pg_sequential_init(&s, NULL), 0);
	init2(&old, &new);
	add(&old, "P", "ns/op", a, 5);
	add(&new, "P", "ns/op", b, 5);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	r = pg_sequential_row(&s, "P", "ns/op");
	assert_true(r->status != PG_SEQ_REGRESSED);
	release2(&old, &new);
	pg_sequential_release(&s);
}

static void test_raw_scale_rows(void **state)
{
	static const double a[] = { 0, 10, 11, 9, 10.5, 9.5 };
	static const double b[] = { 0, 10, 11, 9, 10.5, 9.5 };
	static const double c[] = { 0, 20, 22, 18, 21, 19 };
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	const pg_seq_row *r;
	pg_seq_opts o = PG_SEQ_OPTS_INIT;

	(void)state;
	o.min_runs = 6;
	o.max_runs = 6;
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	init2(&old, &new);
	add(&old, "Same", "delta/op", a, 6);
	add(&new, "Same", "delta/op", b, 6);
	add(&old, "Double", "delta/op", a, 6);
	add(&new, "Double", "delta/op", c, 6);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_true(v.stop);
	r = pg_sequential_row(&s, "Same", "delta/op");
	assert_true(r->raw_scale && r->has_delta && r->delta_percent == 0);
	r = pg_sequential_row(&s, "Double", "delta/op");
	assert_true(r->raw_scale);
	assert_true(fabs(r->delta_percent - 100) < 1e-9);
	/* Fieller's interval (pg_welch_ratio_ci) at 1 - a_e */
	{
		pg_summary sa, sb;
		double lo, hi;

		assert_int_equal(pg_summarize(&sa, a, 6), 0);
		assert_int_equal(pg_summarize(&sb, c, 6), 0);
		assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &sa, &sb, 1 - v.level_eff), 0);
		assert_true(r->has_ci);
		assert_true(fabs(r->eff_low_percent - 100 * lo) < 1e-9);
		assert_true(fabs(r->eff_high_percent - 100 * hi) < 1e-9);
	}
	release2(&old, &new);
	pg_sequential_release(&s);
}

/* the gate's plan (pg_sequential_gate_plan): the baseline's count capped
 * at 30, the candidate from 5 in batches of 5, power spending rho 3 */
static void test_gate_plan(void **state)
{
	static const size_t cases[][4] = {
		/* baseline runs, min, max, K */
		{ 10, 5, 10, 2 }, { 30, 5, 30, 6 }, { 50, 5, 30, 6 }, { 12, 5, 12, 3 },
		{ 3, 3, 3, 1 }, { 1, 2, 2, 1 }, { 0, 2, 2, 1 },
	};
	pg_decide_opts d = PG_DECIDE_OPTS_INIT;
	pg_seq_opts o;
	pg_seq_state s;
	size_t i;

	(void)state;
	d.alpha = 0.1;
	d.correction = PG_CORRECTION_BH;
	for (i = 0; i < NELEM(cases); i++) {
		pg_sequential_gate_plan(&o, &d, cases[i][0]);
		assert_int_equal(o.min_runs, cases[i][1]);
		assert_int_equal(o.max_runs, cases[i][2]);
		assert_int_equal(o.batch, 5);
		assert_true(o.baseline_fixed);
		assert_true(o.stop_hopeless);
		assert_false(o.paired);
		assert_true(o.spend_rho == PG_SEQ_GATE_RHO);
		assert_true(o.decide.alpha == 0.1);
		assert_int_equal(o.decide.correction, PG_CORRECTION_BH);
		assert_int_equal(pg_sequential_init(&s, &o), 0);
		assert_int_equal(s.looks_planned, cases[i][3]);
		pg_sequential_release(&s);
	}
	pg_sequential_gate_plan(&o, NULL, 10);
	assert_true(o.decide.alpha == 0.05);
	o.spend_rho = -1;
	assert_int_equal(pg_sequential_init(&s, &o), PG_EINPUT);
	o.spend_rho = NAN;
	assert_int_equal(pg_sequential_init(&s, &o), PG_EINPUT);
}

/* power spending: look k's efficacy share is alpha ((n_k/N)^rho -
 * (n_{k-1}/N)^rho), the shares sum to alpha, futility keeps alpha / K, the
 * final decision takes the share of the look it stops at, and the mde
 * projected to the maximum is at the last look's level */
static void test_power_spending(void **state)
{
	pg_seq_state s;
	pg_seq_verdict v;
	pg_results old, new;
	pg_decide_opts fo;
	pg_seq_opts o = PG_SEQ_OPTS_INIT;
	double sum = 0, x[10], y[10], lx[10], ly[10], va, vb, se, df, a, mde;
	pg_summary sa, sb;
	const pg_seq_row *r;
	size_t k, i;

	(void)state;
	/* K = 6 looks at 5, 10, ..., 30; 2 tested rows that stay open */
	o.spend_rho = 3;
	o.stop_hopeless = 0;
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	for (k = 1; k <= 6; k++) {
		double want = 0.05 * (pow((double)k / 6, 3) - pow((double)(k - 1) / 6, 3));

		init2(&old, &new);
		add_row(&old, &new, "Open", "ns/op", 5 * k, 1000, 0.30, 1.0);
		add_row(&old, &new, "Wide", "ns/op", 5 * k, 1000, 0.40, 1.02);
		assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
		release2(&old, &new);
		assert_int_equal(v.look, k);
		assert_true(fabs(v.level_eff - want / 2) < 1e-15);
		assert_true(fabs(v.level_fut - 0.05 / 6) < 1e-15);
		pg_sequential_final_opts(&fo, &s);
		assert_true(fabs(fo.alpha - want) < 1e-15);
		sum += v.level_eff * 2;
		assert_int_equal(v.stop, k == 6);
	}
	assert_true(fabs(sum - 0.05) < 1e-15);
	pg_sequential_release(&s);

	/* the gate's plan against a 10-run baseline: alpha / 8 at 5 runs,
	 * 7 alpha / 8 at 10; one row, so m = 1 */
	pg_sequential_gate_plan(&o, NULL, 10);
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	init2(&old, &new);
	for (i = 0; i < 10; i++) {
		x[i] = 1000 * (1 + 0.045 * z_a[i]);
		y[i] = 1000 * (1 + 0.045 * z_b[i]);
	}
	add(&old, "Row", "ns/op", x, 10);
	add(&new, "Row", "ns/op", y, 5);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_true(fabs(v.level_eff - 0.05 / 8) < 1e-15);
	assert_true(fabs(v.level_fut - 0.05 / 2) < 1e-15);
	r = pg_sequential_row(&s, "Row", "ns/op");
	assert_non_null(r);
	assert_true(r->has_mde);
	/* mde_max: Welch on the logs with the baseline's 10 runs and the
	 * candidate's variance at 10 runs, at 7 alpha / 8 */
	for (i = 0; i < 10; i++) {
		lx[i] = log(x[i]);
		ly[i] = log(y[i]);
	}
	assert_int_equal(pg_summarize(&sa, lx, 10), 0);
	assert_int_equal(pg_summarize(&sb, ly, 5), 0);
	va = sa.stddev * sa.stddev / 10;
	vb = sb.stddev * sb.stddev / 10;
	se = sqrt(va + vb);
	df = (va + vb) * (va + vb) / (va * va / 9 + vb * vb / 9);
	a = 0.05 * 7 / 8;
	mde = (gsl_cdf_tdist_Qinv(a / 2, df) + gsl_cdf_tdist_Pinv(PG_MDE_POWER, df)) * se;
	if (fabs(r->mde_max_percent - 100 * (exp(mde) - 1)) > 1e-9)
		fail_msg("mde_max %.12g, want %.12g", r->mde_max_percent, 100 * (exp(mde) - 1));
	/* open at look 1: the final decision would be at alpha / 8 */
	check_status(r, PG_SEQ_UNDECIDED);
	assert_false(v.stop);
	pg_sequential_final_opts(&fo, &s);
	assert_true(fabs(fo.alpha - 0.05 / 8) < 1e-15);
	release2(&old, &new);
	init2(&old, &new);
	add(&old, "Row", "ns/op", x, 10);
	add(&new, "Row", "ns/op", y, 10);
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_int_equal(v.look, 2);
	assert_true(v.stop);
	assert_true(fabs(v.level_eff - 0.05 * 7 / 8) < 1e-15);
	pg_sequential_final_opts(&fo, &s);
	assert_true(fabs(fo.alpha - 0.05 * 7 / 8) < 1e-15);
	release2(&old, &new);
	pg_sequential_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_reference),
		cmocka_unit_test(test_clearly_inside_and_outside_stop_early),
		cmocka_unit_test(test_final_verdicts_are_kept),
		cmocka_unit_test(test_undecided_at_max),
		cmocka_unit_test(test_hopeless_rows_do_not_hold_the_gate),
		cmocka_unit_test(test_final_decision_agrees),
		cmocka_unit_test(test_plan_and_options),
		cmocka_unit_test(test_absent_too_few_and_bad_rule),
		cmocka_unit_test(test_paired_mode_counts_pairs),
		cmocka_unit_test(test_raw_scale_rows),
		cmocka_unit_test(test_gate_plan),
		cmocka_unit_test(test_power_spending),
	};

	return cmocka_run_group_tests_name("stats/sequential", tests, NULL, NULL);
}
