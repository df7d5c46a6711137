#ifndef PG_DECIDE_H
#define PG_DECIDE_H

#include <stddef.h>

#include "stats/compare.h"
#include "stats/results.h"

/*
 * The gate's decision: for every (benchmark, metric) present in both the
 * baseline and the candidate, is the candidate slower than allowed?
 *
 * Per row (see the README, "How the gate decides", for the full rule):
 *  - The change is estimated on the log scale: the test is Welch's t-test
 *    on log(values) (timings are right-skewed: contention only slows), so
 *    delta_percent is 100 (exp(mean log new - mean log old) - 1), the
 *    change of the geometric means, with its confidence interval at
 *    1 - alpha (uncorrected): diff +- t(1 - alpha/2, df) se on the logs,
 *    df the Welch-Satterthwaite degrees of freedom of the logs, mapped
 *    through 100 (exp(x) - 1). Rows with a non-positive value fall back to
 *    the raw scale (raw_scale = 1: Welch on the values, the difference of
 *    means relative to the old mean, Fieller's interval, see
 *    pg_welch_ratio_ci; no interval when it is unbounded).
 *    With opts.test = PG_TEST_UTEST the p-value is the Mann-Whitney U
 *    test's (stats/utest.h; ranks do not change under log) and the change
 *    is the Hodges-Lehmann shift of the logs, 100 (exp(shift) - 1), with
 *    its Moses interval at 1 - alpha (raw scale: shift / |old median|).
 *  - Deterministic rows (at least 2 samples on each side, and every sample
 *    of a side identical, e.g. B/op, allocs/op, callgrind
 *    instructions/op) are compared exactly, without a test:
 *    delta = (new - old) / |old|, its interval the point [delta, delta],
 *    against the threshold in percent (from 0 to non-zero: no delta, and
 *    any change counts as beyond the threshold). They are not in the
 *    multiple-comparison family (has_p = 0, p_value = p_adjusted = 1).
 *  - Rows with fewer than 2 samples on a side (and not deterministic)
 *    cannot be tested: decision noise, cannot_guard, no p-value.
 *  - p-values of the tested rows (ntested of them) are corrected for
 *    multiple comparisons across the whole suite (Holm by default;
 *    Benjamini-Hochberg; none): see pg_adjust_pvalues().
 *  - A row regresses when its change is in the worse direction for its
 *    unit (lower is better for ns/op, B/op...; higher for MB/s and other
 *    "/s" rates), its adjusted p-value is below alpha, and the change
 *    exceeds the row's threshold (the point estimate, or with
 *    PG_THRESHOLD_ON_CI the bound of the interval nearest to zero; a row
 *    without an interval then never exceeds it). For a lower-is-better
 *    unit "exceeds" means delta > +threshold, for a higher-is-better one
 *    delta < -threshold. Improvements are the same in the better direction
 *    (delta < -threshold, resp. > +threshold); they never fail.
 *  - Every tested row gets its minimum detectable change (mde_percent):
 *    the smallest slowdown the test would catch with 80% power at this
 *    row's noise and sample sizes and its corrected significance level
 *    `a`: a = alpha / m for Holm and BH (m = ntested: the level of their
 *    most stringent step, which the largest single change of a suite must
 *    pass; conservative for the later steps), a = alpha without
 *    correction. On the log scale
 *        mde = (t(1 - a/2, df) + t(PG_MDE_POWER, df)) * se
 *    (se and df of Welch's test on the logs; the usual normal-theory
 *    approximation that ignores the far tail), reported as a slowdown:
 *    100 (exp(mde) - 1) for lower-is-better units, 100 (1 - exp(-mde)) for
 *    higher-is-better ones; on the raw scale 100 mde / |old mean|. For the
 *    U test the t-test's mde is divided by sqrt(3/pi), the square root of
 *    the U test's asymptotic relative efficiency under normal noise (it is
 *    higher for skewed noise, so this is conservative); and when even
 *    complete separation of the samples cannot reach p < a (the smallest
 *    exact p-value, 2 / C(n_old + n_new, n_old), is >= a, e.g. 5 + 5 runs
 *    at a = 0.001) the row has no mde and cannot guard anything.
 *    Deterministic rows have no mde (has_mde = 0; they see every change).
 *    A row whose mde exceeds its threshold cannot guard it
 *    (`cannot_guard`), and says what would (more runs, a quieter host,
 *    instruction counts): runs_needed = max(n_old, n_new) *
 *    (mde / threshold)^2 on the analysis scale (threshold log(1 + t) for
 *    lower-is-better, -log(1 - t) for higher-is-better units), rounded
 *    up, at least max(n_old, n_new); it ignores that df grows with n (so
 *    it slightly overestimates).
 *  - Decisions of a tested row: regression / improvement as above;
 *    otherwise noise when the adjusted p-value is not below alpha and the
 *    row cannot guard its threshold; otherwise unchanged.
 *  - Host drift: the co-moving cluster is the set of log-scale tested rows
 *    significant before correction (p < alpha) in the dominant direction,
 *    directions oriented by the row's unit (worse = slower for times,
 *    smaller for rates). Drift is suspected when the cluster has k >=
 *    max(PG_DRIFT_MIN_ROWS, ceil(PG_DRIFT_MIN_SHARE * eligible)) rows
 *    (eligible = log-scale tested rows), or, in a small suite, is most of
 *    it (k >= PG_DRIFT_MIN_MAJORITY and 2k > eligible: 5 of 6 benchmarks
 *    moving together is the host, not 5 separate regressions), and k >=
 *    PG_DRIFT_DOMINANCE times the number of such rows in the other
 *    direction. With x_i the
 *    cluster's oriented log changes taken in the drift's direction
 *    (positive), centre = median x_i, spread = 1.4826 MAD(x_i) (the MAD
 *    scaled to a standard deviation), the band is (0, centre +
 *    PG_DRIFT_BAND_MADS * spread]. A regression (drift towards worse) or
 *    an improvement (drift towards better) on the log scale is relabelled
 *    PG_DECISION_DRIFT instead of failing (passing) when
 *      - its interval's bound nearest zero (or its estimate, without an
 *        interval), measured in the drift's direction, is inside the band:
 *        the row did not move significantly more than the host did; and
 *      - the cluster still qualifies without the row itself, among the
 *        eligible rows but that one (a row is
 *        never its own evidence of drift; this keeps a lone real
 *        regression from being relabelled by a few chance co-movers).
 *    Rows on the raw scale and deterministic rows are never drift. With
 *    test utest the cluster uses the U test's p-values and the
 *    Hodges-Lehmann shifts. drift_suspected may be set with no row
 *    relabelled (e.g. exactly PG_DRIFT_MIN_ROWS co-moving rows among
 *    many: without itself, none of them has a qualifying cluster).
 *    drift_percent = 100 (exp(centre) - 1) as a change of times (positive:
 *    the host got slower), drift_band_percent likewise for the band's
 *    upper end, drift_direction +1 slower (worse), -1 faster.
 *    Why these numbers: tests/bench/simulate_gate.c (make simulate-gate)
 *    simulates 50-benchmark suites, 10 runs per side, with this machine's
 *    noise (CVs 2-24%, right-skewed) and drift (40% of the benchmarks
 *    slowed by 2-10%); the alternatives were tried on the same model:
 *      - a share of 0.25 (13 of 50 rows) left drift undetected in about
 *        77% of drift runs: only the quieter half of the drifted
 *        benchmarks reaches p < alpha; 0.10 detects it in 99.6%;
 *      - band centre + 3 spreads let a real 25% regression (3% CV) hide
 *        in the band in 30% of drift runs, 2 spreads in 8%; drift runs
 *        then pass in 97.7% instead of 98.3%;
 *      - testing the row's estimate instead of its interval bound against
 *        the band failed 8-18% of drift runs (for 3 and 2 spreads);
 *      - without the leave-one-out rule, chance clusters relabelled a
 *        real 10% regression (3% CV, no drift) in about 1.5% of runs.
 *    Measured with these settings (10000 gate runs per scenario): 0.53%
 *    of gate runs without any change fail; with drift, 99.6% report it
 *    and 97.7% report it and pass; a 10% regression at 3% CV is caught
 *    in 96.8% of runs, at 20% CV in 0.9% (its median mde is +45%).
 */

#define PG_DRIFT_MIN_ROWS 5
#define PG_DRIFT_MIN_MAJORITY 3
#define PG_DRIFT_MIN_SHARE 0.10
#define PG_DRIFT_DOMINANCE 2
#define PG_DRIFT_BAND_MADS 2.0
#define PG_MDE_POWER 0.8

typedef enum pg_correction {
	PG_CORRECTION_HOLM = 0,
	PG_CORRECTION_BH,
	PG_CORRECTION_NONE
} pg_correction;

typedef enum pg_threshold_on {
	PG_THRESHOLD_ON_ESTIMATE = 0,
	PG_THRESHOLD_ON_CI
} pg_threshold_on;

typedef enum pg_direction {
	PG_LOWER_IS_BETTER = 0,
	PG_HIGHER_IS_BETTER
} pg_direction;

typedef enum pg_decision {
	PG_DECISION_UNCHANGED = 0, /* no change beyond the threshold, and the
				    * row could have seen one */
	PG_DECISION_REGRESSION,
	PG_DECISION_IMPROVEMENT,
	PG_DECISION_NOISE,         /* no significant change, but the noise is
				    * too large to guard the threshold */
	PG_DECISION_DRIFT,         /* a change attributed to host drift */
	PG_DECISION_NEW,           /* in the candidate only */
	PG_DECISION_REMOVED        /* in the baseline only */
} pg_decision;

/* Per-row settings, resolved by the caller (thresholds per metric and per
 * benchmark glob, directions per unit: see gate/config.h). */
typedef struct pg_row_rule {
	double threshold_percent;  /* > 0 (finite); for a higher-is-better
				    * unit a threshold >= 100 can never be
				    * exceeded */
	pg_direction direction;
} pg_row_rule;

/* The caller's rule lookup: fill `out` for (benchmark, unit). `out` comes
 * pre-filled with the defaults (5%, pg_unit_direction(unit)). Called once
 * per row, every row (new and removed ones too). */
typedef void (*pg_rule_fn)(void *ctx, const char *benchmark, const char *unit,
			   pg_row_rule *out);

typedef struct pg_decide_opts {
	double alpha;              /* 0.05 */
	pg_correction correction;  /* Holm */
	pg_threshold_on threshold_on;
	pg_rule_fn rule;           /* NULL: 5% and pg_unit_direction() */
	void *rule_ctx;
	pg_test_kind test;         /* PG_TEST_WELCH (on logs) or PG_TEST_UTEST */
} pg_decide_opts;

#define PG_DECIDE_OPTS_INIT { 0.05, PG_CORRECTION_HOLM, PG_THRESHOLD_ON_ESTIMATE, NULL, NULL, PG_TEST_WELCH }

#define PG_DEFAULT_THRESHOLD_PERCENT 5.0

typedef struct pg_decide_row {
	const char *benchmark;     /* borrowed from the results */
	const char *unit;          /* borrowed */
	pg_decision decision;
	pg_direction direction;
	double threshold_percent;
	size_t n_old, n_new;
	double old_center;         /* geometric mean (or mean on the raw
				    * scale, or the value of a deterministic
				    * row); 0 for a side that is absent */
	double new_center;
	int deterministic;         /* compared exactly, no test */
	int has_delta;
	double delta_percent;      /* new relative to old; positive = larger */
	int has_ci;
	double ci_low_percent, ci_high_percent;
	int has_p;
	double p_value;            /* before correction */
	double p_adjusted;         /* after correction (1 for untested rows) */
	int has_mde;
	double mde_percent;        /* minimum detectable slowdown, 80% power */
	int cannot_guard;          /* mde_percent > threshold_percent */
	double runs_needed;        /* per side, to guard the threshold at this
				    * noise (0 when unknown) */
	char reason[256];          /* one line: why this decision */
	int raw_scale;             /* tested on the raw values (a value <= 0) */
} pg_decide_row;

typedef struct pg_decision_set {
	pg_decide_opts opts;
	pg_decide_row *rows;       /* in the order of pg_compare (grouped by
				    * unit, then order of appearance) */
	size_t nrows;
	size_t ntested;            /* rows in the multiple-comparison family */
	size_t regressions;
	size_t improvements;
	size_t drift_rows;
	size_t cannot_guard;
	int drift_suspected;       /* the host moved between the runs */
	double drift_percent;      /* the co-moving cluster's median change,
				    * as a change of times (+ = slower) */
	int drift_direction;       /* +1 slower, -1 faster (for lower-is-better
				    * units, i.e. the sign of the log ratio) */
	size_t drift_cluster;      /* rows in the co-moving cluster (k) */
	double drift_band_percent; /* the band's far end, like drift_percent */
} pg_decision_set;

/* Decide. Names are borrowed from `old` and `new`, which must outlive the
 * result. `opts` NULL means PG_DECIDE_OPTS_INIT. 0, PG_EINPUT (bad
 * options: alpha not in (0, 1), an unknown enum value, a rule giving a
 * threshold that is not a finite number > 0), PG_ENOMEM. On failure `out`
 * holds nothing to release. */
int pg_decide(pg_decision_set *out, const pg_results *old, const pg_results *new,
	      const pg_decide_opts *opts);

void pg_decision_set_release(pg_decision_set *d); /* safe on NULL */

/* Whether two rows (of two tables, e.g. a first pass and its
 * confirmation) are of the same benchmark and unit: 1 or 0; 0 when a
 * name is NULL. */
int pg_decide_row_matches(const pg_decide_row *a, const pg_decide_row *b);

/* The row of `d` (may be NULL) that matches `like`
 * (pg_decide_row_matches), or NULL. */
const pg_decide_row *pg_decision_set_find(const pg_decision_set *d, const pg_decide_row *like);

/* Count the decisions of d->rows into d->regressions, improvements,
 * drift_rows and cannot_guard (after rows were changed or merged). */
void pg_decision_set_count(pg_decision_set *d);

/* Lower or higher is better for a unit: higher for rates (a unit ending
 * in "/s", e.g. MB/s, B/s, items/s, ops/s), lower otherwise. */
pg_direction pg_unit_direction(const char *unit);

/* "regression", "improvement", "unchanged", "noise", "drift", "new",
 * "removed"; and "holm", "bh", "none". */
const char *pg_decision_name(pg_decision d);
const char *pg_correction_name(pg_correction c);
/* "holm", "bh" or "none"; PG_EINPUT otherwise ("unknown correction 'x'
 * (expected holm, bh or none)"). */
int pg_correction_parse(pg_correction *out, const char *name);

/* Adjust p-values (in place, p[i] in [0, 1]) for m tests. Holm: step-down
 * with the running maximum; BH: step-up with the running minimum, capped
 * at 1. A p[i] that is not in [0, 1] (NaN) is no test: it becomes NaN
 * (never below a level) and m counts only the others. Exposed for tests.
 * 0 or PG_ENOMEM.
 * Precisely, with p(1) <= ... <= p(m) (ties in input order):
 *   Holm  adj(i) = max_{j <= i} min(1, (m - j + 1) p(j))
 *   BH    adj(i) = min_{j >= i} min(1, m p(j) / j)
 *   none  unchanged. */
int pg_adjust_pvalues(double *p, size_t m, pg_correction c);

#endif
