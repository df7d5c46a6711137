#ifndef PG_DECIDE_INTERNAL_H
#define PG_DECIDE_INTERNAL_H

/*
 * The pieces of the gate's decision rule (stats/decide.c) shared with the
 * paired decision (stats/paired.c) and the sequential rule
 * (stats/sequential.c). Not part of the stats API: include only from
 * those files. The rule itself is documented in stats/decide.h.
 *
 * Every tested row is analysed on an "analysis scale": the natural log of
 * the values (est = a change of the mean logs, or a Hodges-Lehmann shift
 * of the logs), or, when a value is <= 0, the raw scale (est = the
 * relative change, a fraction). Thresholds, intervals and the mde are
 * compared on that scale, "oriented" so that positive means worse for the
 * row's unit (the sign flipped for higher-is-better units).
 */

#include <stddef.h>

#include "stats/compare.h"
#include "stats/decide.h"
#include "stats/results.h"

typedef struct pg_decide__work {
	int tested;        /* has a p-value (in the family) */
	int log_scale;     /* analysis on the logs */
	int inf_change;    /* raw scale, old centre 0: unbounded change, */
	double inf_sign;   /* ... upwards (+1) or downwards (-1) */
	int untestable;    /* fewer than 2 samples (pairs), or a test
			    * without a finite result */
	const pg_series *so, *sn;
	double est, lo, hi;          /* analysis scale (filled by the test) */
	double o_est, o_lo, o_hi;    /* oriented: > 0 worse */
	double thr_worse, thr_better;/* oriented thresholds, analysis scale */
	double se, df;               /* the t-test's (Welch, or paired), for the mde */
	double mde;                  /* analysis scale */
	double old_scale;            /* raw scale: |old mean| (rank tests: median) */
	double mean_scale;           /* raw scale: |old mean|, for the mde */
	int in_cluster;
	int rank_test;               /* the p-value is a rank test's (U test,
				      * or signed-rank for pairs) */
	double min_p;                /* rank test: the smallest p-value it can
				      * reach at these sizes */
	int paired;                  /* a paired row (n_old = n_new = pairs):
				      * the mde's rank-test rule and the
				      * reasons count pairs */
} pg_decide__work;

/* snprintf into a fixed buffer, truncating */
void pg_decide__printf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Check the options: 0 or PG_EINPUT (alpha not in (0, 1), an unknown enum
 * value). */
int pg_decide__check_opts(const pg_decide_opts *o);

/* Resolve the rule of row `r` (r->benchmark and r->unit set): defaults
 * (5%, pg_unit_direction), then the caller's callback. Sets
 * r->threshold_percent and r->direction; PG_EINPUT for a threshold that
 * is not a finite number > 0 or an unknown direction. */
int pg_decide__rule(pg_decide_row *r, const pg_decide_opts *o);

/* Every one of the n values is the same; every one is > 0; the geometric
 * mean when all are positive, else the arithmetic mean (0 when n = 0). */
int pg_decide__constant(const double *v, size_t n);
int pg_decide__positive(const double *v, size_t n);
double pg_decide__center(const double *v, size_t n);

/* The first pass of a decision, shared by pg_decide and pg_paired_decide:
 * row `r` of pg_compare's row `c` gets its name, rule, series (w->so,
 * w->sn), sizes and centres, and is settled when it cannot be tested:
 * removed, new, deterministic (exact), or fewer than 2 samples per side
 * (noise; the reason counts pairs when `paired`). 1 when the row is to be
 * tested, 0 when it is settled, or an error (pg_decide__rule's). */
int pg_decide__classify(pg_decide_row *r, pg_decide__work *w, const pg_compare_row *c,
			const pg_results *old, const pg_results *new,
			const pg_decide_opts *opts, int paired);

/* After a row's test (r->p_value, w->est/lo/hi set): when the p-value is
 * not in [0, 1] or the estimate is not finite, the row is settled as
 * noise with a reason saying so (w->tested cleared, no p, interval or
 * delta) and 1 is returned: it stays out of the family. Else 0 (an
 * interval with a non-finite bound is dropped). */
int pg_decide__unusable(pg_decide_row *r, pg_decide__work *w);

/* A change on the analysis scale as a percentage (log: 100 (e^x - 1));
 * an mde on the analysis scale as a change in percent the worse way for
 * `dir` (log scale: a slowdown, or the fall of a higher-is-better rate). */
double pg_decide__percent(double x, int log_scale);
double pg_decide__mde_percent(double mde, int log_scale, pg_direction dir);

/* A threshold of t percent on the analysis scale, oriented (positive):
 * the worse side (worse = 1) or the better side. Log scale: log(1 + t)
 * upwards, -log(1 - t) downwards (infinite for t >= 100), the worse side
 * upwards for lower-is-better units; raw scale: t / 100. */
double pg_decide__threshold(double t, int worse, pg_direction dir, int log_scale);

/* A deterministic row (r->old_center and r->new_center hold the two
 * values): the exact comparison and its reason. */
void pg_decide__exact(pg_decide_row *r);

/* The smallest two-sided p-value of the exact U test with na + nb
 * samples, 2 / C(na + nb, na), and of the exact signed-rank test with n
 * pairs, 2 / 2^n. */
double pg_decide__utest_min_p(size_t na, size_t nb);
double pg_decide__signed_rank_min_p(size_t n);

/* After the correction (r->p_adjusted set) of a tested row whose test
 * filled w->est/lo/hi (and r->has_ci), w->se/df, w->log_scale,
 * w->inf_change/inf_sign, w->mean_scale and, for a rank test,
 * w->rank_test and w->min_p: the delta and interval in percent, the
 * oriented values and thresholds, the mde, cannot_guard, runs_needed and
 * the decision (regression, improvement, noise or unchanged). The level of
 * the mde is alpha / d->ntested (Holm, BH) or alpha. */
void pg_decide__tested(pg_decide_row *r, pg_decide__work *w, const pg_decision_set *d);

/* The reason of a tested row (after pg_decide__tested and the drift pass). */
void pg_decide__reason(pg_decide_row *r, const pg_decide__work *w,
		       const pg_decision_set *d);

#endif
