#ifndef PG_COMPARE_H
#define PG_COMPARE_H

#include <stddef.h>

#include "stats/results.h"
#include "stats/summary.h"
#include "stats/utest.h"

/*
 * A benchstat-style comparison of two result sets: per (benchmark, unit)
 * the summaries of both sides, the relative change of the mean (Welch) or
 * of the median (U test), its confidence interval, a p-value; a geometric
 * mean row per unit.
 */

typedef enum pg_test_kind {
	PG_TEST_WELCH = 0,
	PG_TEST_UTEST = 1
} pg_test_kind;

typedef struct pg_compare_opts {
	pg_test_kind test;
	double alpha;        /* significance level, default 0.05 */
	double confidence;   /* of the intervals, default 0.95 */
	int drop_outliers;   /* remove values outside the Tukey fences first */
} pg_compare_opts;

#define PG_COMPARE_OPTS_INIT { PG_TEST_WELCH, 0.05, 0.95, 0 }

typedef enum pg_row_status {
	PG_ROW_COMPARED = 0, /* both sides present */
	PG_ROW_ONLY_OLD = 1, /* the benchmark/unit is missing from new */
	PG_ROW_ONLY_NEW = 2  /* the benchmark/unit is missing from old */
} pg_row_status;

typedef struct pg_compare_row {
	const char *benchmark;  /* borrowed from the results */
	const char *unit;       /* borrowed from the results */
	pg_row_status status;
	pg_summary old;         /* valid unless status == PG_ROW_ONLY_NEW */
	pg_summary new;         /* valid unless status == PG_ROW_ONLY_OLD */
	int has_delta;
	double delta_percent;   /* 100 * (new/old - 1) of the means (Welch) or
				 * of the Hodges–Lehmann shift / old median (U) */
	int has_ci;
	double ci_low_percent;
	double ci_high_percent;
	int has_p;
	double p_value;
	int significant;        /* has_p && p_value < alpha */
	int utest_method;       /* pg_utest_method, for PG_TEST_UTEST rows */
	const char *note;       /* why a figure is missing, or NULL:
				 * "too few samples", "zero mean", "both means
				 * zero", ... (static) */
} pg_compare_row;

typedef struct pg_geomean_row {
	const char *unit;       /* borrowed */
	size_t n;               /* benchmarks in the mean */
	double old;
	double new;
	double delta_percent;
} pg_geomean_row;

typedef struct pg_comparison {
	pg_compare_opts opts;
	pg_compare_row *rows;   /* grouped by unit (units in order of first
				 * appearance), benchmarks in order of first
				 * appearance, old side first */
	size_t nrows;
	pg_geomean_row *geomean; /* one per unit with at least one benchmark
				  * with positive means on both sides */
	size_t ngeomean;
} pg_comparison;

/* Compare. The comparison borrows names from `old` and `new`, which must
 * outlive it. Returns 0, PG_EINPUT (bad options), PG_ENOMEM. */
int pg_compare(pg_comparison *out, const pg_results *old,
	       const pg_results *new, const pg_compare_opts *opts);

/* Safe on NULL and on a zeroed value. */
void pg_comparison_release(pg_comparison *c);

#endif
