/*
 * What perfgate gate --count auto says once the sequential rule stopped
 * (gate/gate_auto.c): the warning about the stop, and the reasons of the
 * rows the rule left open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "gate/gate_auto.h"
#include "stats/decide.h"
#include "stats/sequential.h"

#include "stats/results_fixture.h"

static void check_summary(const pg_seq_verdict *v, const pg_seq_state *s, size_t base,
			  const char *want)
{
	pg_buf b = PG_BUF_INIT;

	assert_int_equal(pg_gate_auto_summary(&b, v, s, base), 0);
	assert_string_equal(b.ptr, want);
	pg_buf_release(&b);
}

/* a verdict at a stop */
static pg_seq_verdict stop_at(size_t look, size_t looks, size_t runs, size_t saved,
			      int all_decided, int at_max, size_t undecided, size_t hopeless)
{
	pg_seq_verdict v;

	memset(&v, 0, sizeof(v));
	v.stop = 1;
	v.look = look;
	v.looks_planned = looks;
	v.runs = runs;
	v.runs_saved = saved;
	v.all_decided = all_decided;
	v.at_max = at_max;
	v.undecided = undecided;
	v.hopeless = hopeless;
	return v;
}

static void test_summary(void **state)
{
	pg_seq_state s;
	pg_seq_opts o;
	pg_seq_verdict v;

	(void)state;
	pg_sequential_gate_plan(&o, NULL, 10);
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	v = stop_at(1, 2, 5, 5, 1, 0, 0, 0);
	check_summary(&v, &s, 10, "--count auto: 5 runs of at most 10 (every benchmark metric "
		      "decided); 5 runs saved; 0 undecided, 0 hopeless at the stop");
	/* stopped at look 1 of 2 because the open rows are hopeless: not the
	 * plan's last look */
	v = stop_at(1, 2, 5, 5, 0, 0, 0, 3);
	check_summary(&v, &s, 10, "--count auto: 5 runs of at most 10 (the others cannot be "
		      "decided by 10 runs); 5 runs saved; 0 undecided, 3 hopeless at the stop; "
		      "the stored baseline's 10 runs cap the plan at 10 runs (2 looks): a baseline "
		      "of 30 runs (perfgate baseline refresh -n 30) lets more benchmark metrics be "
		      "decided");
	v = stop_at(2, 2, 10, 0, 0, 1, 1, 0);
	check_summary(&v, &s, 10, "--count auto: 10 runs of at most 10 (the plan's last look); "
		      "0 runs saved; 1 undecided, 0 hopeless at the stop; the stored baseline's "
		      "10 runs cap the plan at 10 runs (2 looks): a baseline of 30 runs (perfgate "
		      "baseline refresh -n 30) lets more benchmark metrics be decided");
	pg_sequential_release(&s);

	/* a full plan: no hint */
	pg_sequential_gate_plan(&o, NULL, 40);
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	v = stop_at(6, 6, 30, 0, 0, 1, 1, 0);
	check_summary(&v, &s, 40, "--count auto: 30 runs of at most 30 (the plan's last look); "
		      "0 runs saved; 1 undecided, 0 hopeless at the stop");
	pg_sequential_release(&s);
}

static void test_annotate(void **state)
{
	pg_seq_state s;
	pg_seq_opts o;
	pg_seq_verdict v;
	pg_results old, new;
	pg_decide_opts fo;
	pg_decision_set d;
	const pg_seq_row *r;
	pg_decide_row *row;
	size_t cannot_guard;

	(void)state;
	/* a 10-run baseline, the candidate's first 5 runs: Noisy cannot be
	 * decided by 10 runs, Quiet is clearly unchanged, Slow clearly
	 * regressed */
	pg_sequential_gate_plan(&o, NULL, 10);
	assert_int_equal(pg_sequential_init(&s, &o), 0);
	init2(&old, &new);
	add_scaled(&old, &new, "Noisy", "ns/op", 10, 1000, 0.25, 1.0, z_a, z_b);
	add_scaled(&old, &new, "Quiet", "ns/op", 10, 1000, 0.002, 1.0, z_a, z_b);
	add_scaled(&old, &new, "Slow", "ns/op", 10, 1000, 0.002, 1.3, z_a, z_b);
	new.series[0].n = new.series[1].n = new.series[2].n = 5;
	assert_int_equal(pg_sequential_step(&v, &s, &old, &new), 0);
	assert_true(v.stop && !v.all_decided && !v.at_max);
	r = pg_sequential_row(&s, "Noisy", "ns/op");
	assert_int_equal(r->status, PG_SEQ_HOPELESS);
	assert_true(r->mde_max_percent > 5);
	pg_sequential_final_opts(&fo, &s);
	assert_int_equal(pg_decide(&d, &old, &new, &fo), 0);
	/* make the final decision call Noisy unchanged, as a lucky look could */
	row = &d.rows[row_index(&d, "Noisy", "ns/op")];
	row->decision = PG_DECISION_UNCHANGED;
	row->cannot_guard = 0;
	d.cannot_guard = 0;
	cannot_guard = d.cannot_guard;
	pg_gate_auto_annotate(&d, &s);
	assert_string_equal(row->reason, r->reason);
	assert_true(strncmp(row->reason, "cannot be decided by 10 runs: ", 30) == 0);
	assert_non_null(strstr(row->reason, "minimum detectable change at 10 runs +"));
	assert_int_equal(row->decision, PG_DECISION_NOISE);
	assert_true(row->cannot_guard);
	assert_int_equal(d.cannot_guard, cannot_guard + 1);
	/* decided rows keep the final decision's reasons */
	row = &d.rows[row_index(&d, "Quiet", "ns/op")];
	assert_int_equal(row->decision, PG_DECISION_UNCHANGED);
	assert_null(strstr(row->reason, "clearly"));
	row = &d.rows[row_index(&d, "Slow", "ns/op")];
	assert_int_equal(row->decision, PG_DECISION_REGRESSION);
	assert_null(strstr(row->reason, "clearly"));
	pg_decision_set_release(&d);
	pg_results_release(&old);
	pg_results_release(&new);
	pg_sequential_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_annotate),
	};

	return cmocka_run_group_tests_name("gate/gate_auto", tests, NULL, NULL);
}
