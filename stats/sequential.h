#ifndef PG_SEQUENTIAL_H
#define PG_SEQUENTIAL_H

#include <stddef.h>

#include "common/map.h"
#include "stats/decide.h"
#include "stats/results.h"

/*
 * The adaptive number of runs (perfgate gate --count auto): a sequential
 * rule that looks at the results after every batch of runs and tells the
 * gate, per (benchmark, unit), whether the row is already clearly inside
 * or clearly outside its threshold, and whether to stop measuring.
 *
 * Plan. The gate measures min_runs runs per side, then batches of `batch`
 * runs, up to max_runs, and calls pg_sequential_step() after each: the
 * planned looks are at min_runs, min_runs + batch, ..., max_runs,
 *     K = 1 + ceil((max_runs - min_runs) / batch)
 * of them (min 5, batch 5, max 30: K = 6 looks at 5, 10, ..., 30 runs).
 *
 * Repeated looks: Bonferroni alpha spending. Each look k gets a share
 * alpha_k of the error budget, fixed in advance, with alpha_1 + ... +
 * alpha_K = alpha, so that by the union bound the chance of any error over
 * all looks is at most the budget, whatever the stopping time (a simple,
 * conservative alternative to Pocock or O'Brien-Fleming boundaries: the
 * looks are positively correlated, so the true error rate is below the
 * bound).
 * Spending. With spend_rho = 0 (PG_SEQ_OPTS_INIT) every look has an equal
 * share alpha_k = alpha / K. With spend_rho > 0 the shares follow the
 * power family of spending functions (Kim and DeMets), alpha (n_k /
 * N)^rho spent by look k (n_k its planned runs, N = max_runs):
 *     alpha_k = alpha ((n_k / N)^rho - (n_{k-1} / N)^rho),  n_0 = 0,
 * so the early looks, on few runs, get little and the last look most
 * (rho 3 is close to O'Brien-Fleming; K = 2 looks at 5 and 10 runs:
 * alpha / 8 and 7 alpha / 8; K = 6 looks at 5, 10, ..., 30: the last gets
 * 0.42 alpha). The final decision (below) is made at the share of the look
 * the gate stopped at, and the suite's drift detection in it loses power
 * as that level falls: with equal shares a plan of K = 2 looks against a
 * stored baseline of 10 runs decides at alpha / 2 and raised false
 * alarms under drift in 5.5% of simulated gate runs instead of a fixed 10
 * runs' 2.45%; with rho 3 in 2.5% (pg_sequential_gate_plan(), see
 * tests/bench/simulate_sequential.c).
 * Combined with the suite-wide correction the per-look, per-row levels
 * are
 *     efficacy  a_e = alpha_k / m     (Holm or BH: Bonferroni over the m
 *                                      tested rows of the look; correction
 *                                      none: a_e = alpha_k)
 *     futility  a_f = alpha / K       (per row, equal shares whatever
 *                                      spend_rho: see below)
 * and at each look every undecided tested row gets two two-sided
 * intervals for its change on the analysis scale (as pg_decide: the
 * difference of the mean logs, Welch's se and df; with `paired`, the mean
 * log ratio of the pairs with df = n - 1, see stats/paired.h; a value
 * <= 0: the raw scale with Fieller's interval), at 1 - a_e and 1 - a_f,
 * oriented so that positive is worse for the row's unit, against its
 * threshold T (log(1 + t) worse-wards, -log(1 - t) better-wards, as
 * pg_decide; thresholds and directions from opts.decide.rule):
 *   REGRESSED  "clearly regressed": the 1 - a_e interval lies entirely
 *              beyond the threshold on the worse side (lower bound > T):
 *              the change is significant beyond the threshold at the
 *              corrected level;
 *   IMPROVED   "clearly improved": the 1 - a_e interval lies entirely
 *              beyond the threshold on the better side;
 *   UNCHANGED  "clearly unchanged" (inside its threshold): the 1 - a_f
 *              interval lies entirely below the threshold (upper bound <
 *              T): whatever the change, it is not a regression beyond T;
 *   HOPELESS   (with stop_hopeless) none of these, the row is not
 *              significantly worse at a_e (lower bound <= 0), and the half
 *              width of its 1 - a_f interval projected to max_runs is at
 *              least T: even with no change at all the row could not be
 *              cleared by the maximum, so more runs would not decide it
 *              (short of a change so large that it would already be
 *              significant) and it does not hold the gate. The projection
 *              scales the standard error to max_runs runs per side (pairs)
 *              at the present variances, keeping the stored baseline's
 *              count with baseline_fixed, with the degrees of freedom of
 *              those counts (Welch-Satterthwaite, or max_runs - 1); its
 *              projected mde (mde_max_percent) is at the last look's a_e;
 *              re-evaluated at every look (the row may become undecided
 *              again);
 *   UNDECIDED  otherwise (also rows with fewer than 2 samples, or pairs).
 * Deterministic rows (at least 2 samples a side, each side constant) are
 * EXACT at their first look; rows on one side only are ABSENT. REGRESSED,
 * IMPROVED, UNCHANGED and EXACT are final: a row keeps the verdict of the
 * look that decided it, and the gate may stop measuring it.
 *
 * Error rates (the guarantees; tests/bench/simulate_sequential.c measures
 * them, see the README):
 *   - false alarms: under no change, P(some row is ever REGRESSED) <=
 *     alpha (Bonferroni over rows and looks; the final decision, below,
 *     at alpha_k of the look it is made at, Holm within it, keeps the
 *     same bound);
 *   - a row whose true change is exactly at its threshold is declared
 *     UNCHANGED at some look with probability <= alpha / 2 (one side of
 *     the 1 - alpha / K interval at each of K looks): a per-row bound,
 *     like the per-row power behind the mde; not corrected across the
 *     suite, which would need about twice the runs to clear a row;
 *   - HOPELESS rows have no guarantee beyond the final decision's: like
 *     a fixed-count gate's noisy rows, they are reported as unable to
 *     guard their threshold.
 *
 * Stopping: the gate stops when no tested row is UNDECIDED (nor HOPELESS
 * without stop_hopeless), or when the K looks are spent or every
 * undecided row has max_runs runs per side (pairs): then the remaining
 * rows say "undecided at the maximum" with their mde.
 *
 * The final decision (what the reports render) is pg_decide() or
 * pg_paired_decide() on all the samples at the stop, with the options
 * from pg_sequential_final_opts(): opts.decide with alpha_k, the share of
 * the budget of the look it stopped at (Holm over the suite within it;
 * with equal shares alpha / K). It agrees
 * with the verdicts: a REGRESSED row is significant at a_e and beyond T
 * there (so a regression, unless pg_decide relabels it host drift), an
 * UNCHANGED row's estimate is inside T (never a regression); the
 * intervals in its reasons are at 1 - alpha_k.
 */

typedef struct pg_seq_opts {
	pg_decide_opts decide;   /* alpha (suite-wide), correction, thresholds,
				  * directions; test must be PG_TEST_WELCH */
	size_t min_runs;         /* runs per side (pairs) at the first look, >= 2 */
	size_t batch;            /* runs per side added between looks, >= 1 */
	size_t max_runs;         /* >= min_runs */
	int paired;              /* analyse pairs (ABBA A/B, stats/paired.h) */
	int baseline_fixed;      /* the baseline does not grow (a stored
				  * baseline): projections keep its count */
	int stop_hopeless;       /* HOPELESS rows do not hold the gate */
	double spend_rho;        /* 0: equal efficacy shares alpha / K; > 0:
				  * the power family, see "Spending" above */
} pg_seq_opts;

#define PG_SEQ_OPTS_INIT { PG_DECIDE_OPTS_INIT, 5, 5, 30, 0, 0, 1, 0 }

typedef enum pg_seq_status {
	PG_SEQ_UNDECIDED = 0,
	PG_SEQ_UNCHANGED,        /* clearly inside the threshold (final) */
	PG_SEQ_REGRESSED,        /* clearly beyond it, worse (final) */
	PG_SEQ_IMPROVED,         /* clearly beyond it, better (final) */
	PG_SEQ_EXACT,            /* deterministic, compared exactly (final) */
	PG_SEQ_HOPELESS,         /* cannot be decided by max_runs */
	PG_SEQ_ABSENT            /* on one side only: nothing to decide */
} pg_seq_status;

typedef struct pg_seq_row {
	char *benchmark;         /* owned copies */
	char *unit;
	pg_seq_status status;
	int final;               /* the status is final (decided) */
	size_t look;             /* the look of the status (1-based) */
	size_t n_old, n_new;     /* samples (pairs: n_old = n_new) at that look */
	double threshold_percent;
	pg_direction direction;
	int raw_scale;
	int has_delta;
	double delta_percent;    /* the estimated change at that look */
	int has_ci;              /* the intervals below are bounded */
	double eff_low_percent, eff_high_percent; /* 1 - a_e */
	double fut_low_percent, fut_high_percent; /* 1 - a_f */
	int has_mde;
	double mde_percent;      /* at a_e, 80% power, this look's counts */
	double mde_max_percent;  /* projected to max_runs */
	double halfwidth_max_percent; /* the 1 - a_f interval's half-width
				       * projected to max_runs (as a change
				       * upwards from 0) */
	char reason[256];
} pg_seq_row;

typedef struct pg_seq_state {
	pg_seq_opts opts;
	size_t looks_planned;    /* K */
	size_t looks;            /* done */
	double level_eff;        /* a_e of the last look */
	double level_fut;        /* a_f */
	size_t m;                /* tested rows of the last look */
	pg_seq_row *rows;        /* in order of first appearance */
	size_t nrows, rows_alloc;
	pg_map index;            /* "benchmark\0unit" -> index into rows */
	int stopped;
} pg_seq_state;

typedef struct pg_seq_verdict {
	int stop;                /* stop measuring */
	int all_decided;         /* ... because every tested row is decided */
	int at_max;              /* ... at the plan's last look, or with every
				  * open row at max_runs (else, without
				  * all_decided: every open row is HOPELESS) */
	size_t look, looks_planned;
	size_t runs;             /* the largest runs per side (pairs) seen */
	size_t next_runs;        /* runs per side to reach before the next look
				  * (0 when stopping) */
	size_t runs_saved;       /* at the stop: max_runs - runs */
	size_t undecided, unchanged, regressed, improved, exact, hopeless, absent;
	double level_eff, level_fut;
} pg_seq_verdict;

/* Initialise a state for a plan. `opts` NULL means PG_SEQ_OPTS_INIT.
 * PG_EINPUT: bad decide options (as pg_decide), test not welch ("the
 * sequential rule needs test welch"), min_runs < 2, batch 0, max_runs <
 * min_runs. On failure `out` holds nothing to release. */
int pg_sequential_init(pg_seq_state *out, const pg_seq_opts *opts);

/*
 * One look: analyse `old` (the baseline) and `new` (the candidate) as they
 * stand after the latest batch (every sample so far; in the paired mode
 * in ABBA pair order, see stats/paired.h), update every row's status and
 * fill `out`. Names are copied. Returns 0, PG_EINPUT (a look after the
 * stop, or beyond the K planned: "the sequential plan has no look left";
 * a bad rule), PG_ENOMEM. After a failure (other than "no look left") the
 * state is only good for pg_sequential_release().
 */
int pg_sequential_step(pg_seq_verdict *out, pg_seq_state *s, const pg_results *old,
		       const pg_results *new);

/* The row of (benchmark, unit), or NULL. */
const pg_seq_row *pg_sequential_row(const pg_seq_state *s, const char *benchmark,
				    const char *unit);

/* Whether the gate should keep measuring (benchmark, unit): its status is
 * not final (UNDECIDED, HOPELESS) and the plan has not stopped. Unknown
 * rows: 1. */
int pg_sequential_needs_runs(const pg_seq_state *s, const char *benchmark,
			     const char *unit);

/*
 * The plan of `perfgate gate --count auto` against a stored baseline whose
 * largest count is `baseline_runs` (per benchmark row): the candidate
 * alone grows (baseline_fixed), from min(5, max) runs in batches of 5 up
 * to max = min(baseline_runs, PG_SEQ_GATE_MAX_RUNS) (at least 2): unequal counts make
 * Welch's test on right-skewed timings raise false alarms, so the
 * candidate never outgrows the baseline; efficacy spending spend_rho =
 * PG_SEQ_GATE_RHO. `decide` is copied (NULL: PG_DECIDE_OPTS_INIT).
 * tests/bench/simulate_sequential.c simulates this plan for baselines of
 * 10 and 30 runs.
 */
#define PG_SEQ_GATE_RHO 3.0
/* the gate's plan never goes beyond this many runs per side */
#define PG_SEQ_GATE_MAX_RUNS 30

void pg_sequential_gate_plan(pg_seq_opts *out, const pg_decide_opts *decide,
			     size_t baseline_runs);

/* The options of the final decision: s->opts.decide with the share
 * alpha_k of the last look made (before any look: of the last planned). */
void pg_sequential_final_opts(pg_decide_opts *out, const pg_seq_state *s);

void pg_sequential_release(pg_seq_state *s); /* safe on NULL */

/* "undecided", "unchanged", "regressed", "improved", "exact", "hopeless",
 * "absent" */
const char *pg_seq_status_name(pg_seq_status st);

#endif
