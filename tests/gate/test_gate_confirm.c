/*
 * The final table of a confirmed gate (gate/gate_confirm.c): the first
 * pass's rows, the suspects' replaced by the confirmation's; only a
 * suspect that regresses in the confirmation fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gate/gate_confirm.h"
#include "stats/decide.h"

static pg_decide_row row(const char *benchmark, const char *unit, pg_decision d, double delta)
{
	pg_decide_row r;

	memset(&r, 0, sizeof(r));
	r.benchmark = benchmark;
	r.unit = unit;
	r.decision = d;
	r.has_delta = 1;
	r.delta_percent = delta;
	r.cannot_guard = d == PG_DECISION_NOISE;
	return r;
}

static void test_merge(void **state)
{
	pg_decide_row first_rows[] = {
		row("Hash", "ns/op", PG_DECISION_REGRESSION, 25),
		row("Sort/n=100", "ns/op", PG_DECISION_DRIFT, 8),
		row("Sort/n=10000", "ns/op", PG_DECISION_UNCHANGED, 0.5),
		row("Parse", "ns/op", PG_DECISION_REGRESSION, 30),
		row("Walk", "ns/op", PG_DECISION_NOISE, 2),
		row("Hash", "B/op", PG_DECISION_UNCHANGED, 0),
	};
	pg_decide_row conf_rows[] = {
		row("Hash", "ns/op", PG_DECISION_UNCHANGED, 0.2),
		row("Sort/n=100", "ns/op", PG_DECISION_REGRESSION, 9),
		row("Sort/n=10000", "ns/op", PG_DECISION_REGRESSION, 12),
		row("Hash", "B/op", PG_DECISION_REGRESSION, 50),
	};
	pg_decision_set first, conf;
	pg_confirm_merge m;
	const pg_decision_set *f = &m.final;

	(void)state;
	memset(&first, 0, sizeof(first));
	memset(&conf, 0, sizeof(conf));
	first.rows = first_rows;
	first.nrows = 6;
	first.opts.alpha = 0.05;
	first.drift_suspected = 1;
	first.drift_cluster = 5;
	first.regressions = 2;
	first.drift_rows = 1;
	conf.rows = conf_rows;
	conf.nrows = 4;
	conf.regressions = 3;
	pg_confirm_merge_init(&m);
	assert_int_equal(pg_confirm_merge_build(&m, &first, &conf), 0);
	assert_int_equal(f->nrows, 6);
	/* the suspects: the confirmation's rows */
	assert_true(m.confirmed[0] && m.confirmed[1]);
	assert_int_equal(f->rows[0].decision, PG_DECISION_UNCHANGED);
	assert_true(f->rows[0].delta_percent == 0.2);
	assert_int_equal(f->rows[1].decision, PG_DECISION_REGRESSION);
	assert_true(f->rows[1].delta_percent == 9);
	/* a sibling and another unit of a suspect's benchmark: the first
	 * pass's, though the confirmation found them regressed */
	assert_false(m.confirmed[2]);
	assert_int_equal(f->rows[2].decision, PG_DECISION_UNCHANGED);
	assert_true(f->rows[2].delta_percent == 0.5);
	assert_false(m.confirmed[5]);
	assert_int_equal(f->rows[5].decision, PG_DECISION_UNCHANGED);
	/* a suspect the confirmation did not measure: its first pass stands */
	assert_false(m.confirmed[3]);
	assert_int_equal(f->rows[3].decision, PG_DECISION_REGRESSION);
	assert_false(m.confirmed[4]);
	assert_int_equal(m.nconfirmed, 2);
	/* counts over the whole suite; the first pass's drift figures */
	assert_int_equal(f->regressions, 2);
	assert_int_equal(f->drift_rows, 0);
	assert_int_equal(f->cannot_guard, 1);
	assert_true(f->drift_suspected);
	assert_int_equal(f->drift_cluster, 5);
	assert_true(f->opts.alpha == 0.05);
	assert_int_equal(m.nnotes, 3);
	assert_string_equal(m.notes[0], "the confirmation did not measure Parse ns/op again: "
			    "the first pass's regression stands");
	assert_string_equal(m.notes[1], "the confirmation found Sort/n=10000 ns/op regressed "
			    "(+12.0%), but the first pass did not suspect it (unchanged): it does "
			    "not fail the gate; rerun the gate to check it");
	assert_non_null(strstr(m.notes[2], "Hash B/op regressed (+50.0%)"));
	assert_null(m.notes[3]);
	pg_confirm_merge_release(&m);
	assert_null(m.final.rows);
	pg_confirm_merge_release(&m);
	pg_confirm_merge_release(NULL);
}

static void test_suspect(void **state)
{
	pg_decide_row r = row("Hash", "ns/op", PG_DECISION_REGRESSION, 25);

	(void)state;
	assert_true(pg_confirm_is_suspect(&r));
	r.decision = PG_DECISION_DRIFT;
	assert_true(pg_confirm_is_suspect(&r));
	r.decision = PG_DECISION_NOISE;
	assert_false(pg_confirm_is_suspect(&r));
	r.decision = PG_DECISION_IMPROVEMENT;
	assert_false(pg_confirm_is_suspect(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_suspect),
	};

	return cmocka_run_group_tests_name("gate/gate_confirm", tests, NULL, NULL);
}
