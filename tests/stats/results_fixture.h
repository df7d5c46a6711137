#ifndef PG_TEST_RESULTS_FIXTURE_H
#define PG_TEST_RESULTS_FIXTURE_H

/*
 * Result sets built from arrays, and lookups in the decisions made on
 * them, for the suites of stats/compare.c, decide.c, paired.c and
 * sequential.c (include after <cmocka.h>; a failed step fails the test):
 *
 *   pg_results old, new;
 *   init2(&old, &new);
 *   add(&old, "Hash", "ns/op", samples, 10);       // one value per sample
 *   add_scaled(&old, &new, "Copy", "ns/op", 10, 1000, 0.01, 1.10, z_a, z_b);
 *   ...pg_decide(&d, &old, &new, NULL)...
 *   check_decision(row_of(&d, "Hash", "ns/op"), PG_DECISION_UNCHANGED);
 *
 * The caller releases what it built (pg_results_release()).
 */

#include <stddef.h>
#include <string.h>

#include "stats/decide.h"
#include "stats/results.h"

/* Two fixed patterns of 10 standardised deviations (mean 0, sd about 1),
 * so that crafted samples are deterministic and not identical on both
 * sides. */
static const double z_a[10] = { -1.5, -1.0, -0.6, -0.3, -0.1, 0.1, 0.3, 0.6, 1.0, 1.5 };
static const double z_b[10] = { 0.4, -1.1, 1.25, -0.35, 0.0, 0.05, -1.4, 0.55, 1.1, -0.5 };

/* Append v[0..n-1] to the series (name, unit) of r. */
static inline void add(pg_results *r, const char *name, const char *unit,
		       const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(pg_results_add(r, name, strlen(name), unit,
						strlen(unit), v[i]), 0);
}

/* Append n samples per side to (name, unit): base (1 + cv zo[i % 10]) to
 * old, base factor (1 + cv zn[i % 10]) to new (the patterns repeat, so the
 * spread stays the same as n grows). */
static inline void add_scaled(pg_results *old, pg_results *new, const char *name,
			      const char *unit, size_t n, double base, double cv,
			      double factor, const double zo[10], const double zn[10])
{
	size_t i;

	for (i = 0; i < n; i++) {
		double a = base * (1 + cv * zo[i % 10]);
		double b = base * factor * (1 + cv * zn[i % 10]);

		add(old, name, unit, &a, 1);
		add(new, name, unit, &b, 1);
	}
}

static inline void init2(pg_results *old, pg_results *new)
{
	pg_results_init(old);
	pg_results_init(new);
}

/* The index of the row (name, unit) of d; fails the test when absent. */
static inline size_t row_index(const pg_decision_set *d, const char *name,
			       const char *unit)
{
	size_t i;

	for (i = 0; i < d->nrows; i++)
		if (!strcmp(d->rows[i].benchmark, name) && !strcmp(d->rows[i].unit, unit))
			return i;
	fail_msg("no row %s %s", name, unit);
	return 0;
}

/* The row (name, unit) of d; fails the test when absent. */
static inline const pg_decide_row *row_of(const pg_decision_set *d, const char *name,
					  const char *unit)
{
	return &d->rows[row_index(d, name, unit)];
}

/* Fail unless the row's decision is `want`, saying why it is not. */
static inline void check_decision(const pg_decide_row *r, pg_decision want)
{
	if (r->decision != want)
		fail_msg("%s %s: decision %s, want %s (reason: %s)", r->benchmark,
			 r->unit, pg_decision_name(r->decision), pg_decision_name(want),
			 r->reason);
}

#endif
