#ifndef PG_PAIRED_H
#define PG_PAIRED_H

#include <stddef.h>

#include "stats/decide.h"
#include "stats/results.h"
#include "stats/utest.h"
#include "stats/welch.h"

/*
 * The paired analysis of a same-runner A/B measurement (perfgate gate
 * --ab): the baseline build (A) and the candidate build (B) measured on
 * the same runner, interleaved.
 *
 * Pairing. The runner measures each benchmark in time slots of two
 * processes, one of each build, alternating the order from slot to slot
 * (ABBA): slot 0 runs A then B, slot 1 B then A, slot 2 A then B, ..., so
 * that the processes run in the order A B B A A B B A ... The results
 * keep every side's samples in the order of measurement, so the i-th
 * baseline sample and the i-th candidate sample come from slot i, and the
 * pairs are by index:
 *
 *     pair i = (base[i], cand[i]),  i = 0 .. n - 1,
 *     slot i runs base[i] first when i is even, cand[i] first when odd.
 *
 * Both runs of a pair are neighbours in time, so a slow change of the
 * host's speed hits both nearly equally and cancels in their ratio; the
 * alternating order cancels a linear trend over every two slots (in
 * A B | B A the A runs take times 0 and 3, the B runs 1 and 2: both means
 * 1.5). What pairing cannot cancel is noise faster than one slot.
 *
 * Unequal counts: only the first n = min(n_base, n_cand) pairs are
 * analysed; the surplus samples of the longer side (an incomplete last
 * slot) are left out of the paired analysis (pg_paired.unpaired_left) but
 * kept in the unpaired one, which uses every sample. A slot in which one
 * run failed must be dropped whole by the runner (both samples), or every
 * later pair would be shifted: the analysis cannot detect that.
 *
 * Fewer than 2 pairs: no test (pg_paired_analyze returns PG_EINPUT "too
 * few pairs"; in a suite decision the row is noise, like a row with fewer
 * than 2 samples in pg_decide).
 *
 * The analysis (per benchmark and unit) is on the log ratios
 *
 *     d_i = log(cand_i) - log(base_i)
 *
 * (timings are right-skewed, and a ratio is what a slowdown is). When a
 * value is <= 0 it falls back to the raw differences d_i = cand_i - base_i
 * (log_scale = 0), with the change relative to the baseline's mean.
 *
 *  - Paired t-test (scipy.stats.ttest_rel(log cand, log base)): mean d,
 *    its standard error se = sd(d) / sqrt(n) (sd with n - 1), t = mean /
 *    se with df = n - 1, p = 2 Q_t(|t|; df) (GSL). Degenerate: sd = 0
 *    gives se = 0 and t = 0, p = 1 when mean = 0, else t = +-inf, p = 0
 *    (the change is exact).
 *  - The change: 100 (exp(mean d) - 1), the change of the geometric
 *    means; its interval at 1 - alpha: mean +- t(1 - alpha/2, n - 1) se,
 *    mapped through 100 (exp(x) - 1). Raw scale: 100 mean(d) / |mean(base)|
 *    over the pairs, the interval by Fieller's theorem for paired samples
 *    (pg_paired_ratio_ci; none when unbounded).
 *  - The minimum detectable change at 80% power (PG_MDE_POWER) and
 *    significance level `mde_level` (pass the corrected level, e.g.
 *    alpha / m for a suite of m rows under Holm), as in stats/decide.h:
 *        mde = (t(1 - mde_level/2, n - 1) + t(PG_MDE_POWER, n - 1)) se
 *    reported as a slowdown: 100 (exp(mde) - 1) for lower-is-better units,
 *    100 (1 - exp(-mde)) for higher-is-better ones; raw scale 100 mde /
 *    |mean(base)|.
 *  - Wilcoxon's signed-rank test on d (scipy.stats.wilcoxon(d,
 *    zero_method='wilcox', correction=True)): zero differences dropped,
 *    the |d| ranked (average ranks for ties), W+ the sum of the ranks of
 *    the positive d; two-sided p exact (the distribution of W+ over the
 *    2^n' sign patterns, p = min(1, 2 min(P(W <= W+), P(W >= W+)))) when
 *    the n' non-zero |d| are untied and n' <= PG_SIGNED_RANK_EXACT_MAX,
 *    otherwise the normal approximation with the tie correction and the
 *    continuity correction. Its estimate is the Hodges-Lehmann
 *    pseudo-median of d (the median of the n (n + 1) / 2 Walsh averages
 *    (d_i + d_j) / 2, i <= j, zeros included), with the distribution-free
 *    interval [W(k), W(M + 1 - k)] of the sorted Walsh averages, M = n (n +
 *    1) / 2, k = #{w >= 0 : P(W+ <= w) <= alpha / 2} (exact distribution
 *    for n <= PG_SIGNED_RANK_EXACT_MAX, no zeros and no ties; else k =
 *    floor(M / 2 + 1/2 - z sqrt(n (n + 1) (2n + 1) / 24)), z =
 *    Q^-1(alpha / 2)); k < 1 gives the full range [W(1), W(M)].
 *    All signed-rank figures are on the analysis scale (raw scale:
 *    relative to |median(base)|).
 *  - The unpaired analysis of the same samples, as stats/decide.c does:
 *    Welch's t-test on the logs of every sample of each side (raw values
 *    when a value is <= 0), the change of the geometric means with its
 *    interval at 1 - alpha, its mde at `mde_level`.
 *  - `correlation`: Pearson's r of (log base_i, log cand_i) over the pairs
 *    (0 when a side is constant): how much of the noise the pairs share,
 *    i.e. how much pairing can remove; var(d) = var(a) + var(b) - 2 r
 *    sd(a) sd(b).
 */

#define PG_SIGNED_RANK_EXACT_MAX 50

typedef struct pg_paired_opts {
	double alpha;            /* intervals at 1 - alpha (0.05) */
	double mde_level;        /* significance level of the mde (0.05; pass
				  * the corrected level) */
	pg_direction direction;  /* orientation of the mde (a slowdown) */
} pg_paired_opts;

#define PG_PAIRED_OPTS_INIT { 0.05, 0.05, PG_LOWER_IS_BETTER }

typedef struct pg_paired {
	size_t n;                /* pairs analysed: min(n_base, n_cand) */
	size_t n_base, n_cand;   /* samples given per side */
	size_t unpaired_left;    /* |n_base - n_cand|: left out of the pairs */
	int log_scale;           /* d_i on the logs (else raw differences) */
	double base_center, cand_center; /* over the pairs: geometric means (raw
					  * scale: means) */

	/* paired t-test on d */
	double mean;             /* mean d */
	double sd;               /* standard deviation of d (n - 1) */
	double se;               /* sd / sqrt(n) */
	double t, df, p;         /* t = mean / se, df = n - 1, two-sided p */
	int has_delta;           /* 0 only on the raw scale with a baseline
				  * mean of 0 */
	double delta_percent;    /* 100 (exp(mean) - 1); raw: 100 mean / |mean base| */
	int has_ci;
	double ci_low_percent, ci_high_percent; /* at 1 - alpha */
	int has_mde;             /* as has_delta */
	double mde_percent;      /* at mde_level, 80% power, a slowdown */
	double correlation;      /* of the pairs (logs), 0 when a side is constant */

	/* Wilcoxon signed-rank on d */
	size_t w_n;              /* non-zero differences */
	double w_plus;           /* sum of the ranks of the positive d */
	double w_p;              /* two-sided p (1 when every d is 0) */
	pg_utest_method w_method;/* PG_UTEST_EXACT or PG_UTEST_ASYMPTOTIC */
	double hl;               /* Hodges-Lehmann pseudo-median of d */
	double hl_low, hl_high;  /* its interval at 1 - alpha (analysis scale) */
	int has_hl_percent;      /* as has_delta */
	double hl_percent, hl_low_percent, hl_high_percent; /* the same as a
							     * change in percent */

	/* unpaired: Welch on the logs (raw values) of all samples */
	pg_welch welch;          /* diff = mean log cand - mean log base */
	int welch_has_delta;
	double welch_delta_percent;
	int welch_has_ci;
	double welch_ci_low_percent, welch_ci_high_percent;
	int welch_has_mde;
	double welch_mde_percent;
} pg_paired;

/*
 * Analyse one benchmark's pairs (see above). `opts` NULL means
 * PG_PAIRED_OPTS_INIT. Returns 0, PG_EINPUT (fewer than 2 pairs: "too few
 * pairs (1) for a paired test"; alpha or mde_level not in (0, 1); a NaN
 * or infinite value), PG_ENOMEM. On failure `out` is zeroed.
 */
int pg_paired_analyze(pg_paired *out, const double *base, size_t n_base,
		      const double *cand, size_t n_cand, const pg_paired_opts *opts);

/*
 * The paired t-test's interval for the ratio of means, mean(cand) /
 * mean(base) - 1 (a fraction), over n pairs, by Fieller's theorem with the
 * pairs' covariance: the set of r with
 *     (mb - r ma)^2 <= t^2 (vb - 2 r c + r^2 va) / n,
 * ma, mb the means, va, vb the variances, c the covariance (n - 1), t =
 * t(1 - (1 - confidence)/2, n - 1). It excludes 0 exactly when the paired
 * t-test on the raw differences is significant at 1 - confidence.
 * Returns 0, PG_EINPUT (n < 2, confidence not in (0, 1)), PG_ENOTFOUND
 * when the interval is unbounded (ma^2 <= t^2 va / n, e.g. ma = 0). (Even
 * when every difference is the same, and the t-test exact, the interval
 * is not a point: the ratio carries the baseline mean's uncertainty.) On
 * failure *lo and *hi are NaN.
 */
int pg_paired_ratio_ci(double *lo, double *hi, const double *base,
		       const double *cand, size_t n, double confidence);

/*
 * The decision for a whole suite of paired rows: the rule of stats/decide.h
 * with the paired analysis in place of Welch's test. For every (benchmark,
 * unit) of `old` (the baseline's samples, in order of measurement) and
 * `new` (the candidate's), in pg_compare's row order:
 *  - only on one side: new / removed, as pg_decide;
 *  - deterministic (at least 2 samples on each side, each side constant):
 *    compared exactly, as pg_decide (not in the family);
 *  - fewer than 2 pairs: noise, cannot_guard ("paired: too few pairs");
 *  - otherwise tested on its n = min(n_old, n_new) pairs: opts->test
 *    PG_TEST_WELCH gives the paired t-test on the log ratios (change,
 *    interval at 1 - alpha, se and df = n - 1 for the mde), PG_TEST_UTEST
 *    the signed-rank test's p with the Hodges-Lehmann change and its
 *    interval (the mde is the t-test's divided by sqrt(3/pi), the
 *    signed-rank test's asymptotic relative efficiency under normal
 *    noise, and there is none when 2 / 2^n >= the corrected level: the
 *    row cannot guard anything and needs more pairs); a value <= 0 gives
 *    the raw scale as described above.
 * The tested rows' p-values are corrected across the suite (opts->
 * correction), and each tested row is decided exactly as in pg_decide:
 * regression / improvement when significant after correction and beyond
 * the row's threshold (opts->rule, opts->threshold_on, directions per
 * unit), noise when not significant and its mde exceeds the threshold,
 * else unchanged; mde at the corrected level, cannot_guard, runs_needed
 * (here: pairs). Host drift is not looked for: both sides share every
 * time slot (drift_suspected is 0, no row is drift).
 * In each row n_old = n_new = the pairs analysed (the sample counts are in
 * pg_paired_set.rows[i]); old_center / new_center are over the pairs; the
 * reasons start "paired: " and carry the paired figures, e.g.
 * "paired: +12.0% > 5% threshold, p=0.0001 (Holm 0.004)".
 */
typedef struct pg_paired_set {
	pg_decision_set decision;  /* the paired decision (what the reports
				    * render); rows borrow names from the
				    * results */
	pg_paired *rows;           /* decision.nrows entries, parallel to
				    * decision.rows: the full paired and
				    * unpaired figures of each tested row
				    * (all zero for the others) */
	int *tested;               /* decision.nrows flags: rows[i] is valid */
	pg_decision_set unpaired;  /* pg_decide() on the same samples with the
				    * same options: the unpaired view (with
				    * its drift detection), same row order */
} pg_paired_set;

/* Decide. `opts` NULL means PG_DECIDE_OPTS_INIT. Names are borrowed from
 * `old` and `new`, which must outlive the result. 0, PG_EINPUT (bad
 * options or rule, as pg_decide), PG_ENOMEM. On failure `out` holds
 * nothing to release. Release with pg_paired_set_release(). */
int pg_paired_decide(pg_paired_set *out, const pg_results *old, const pg_results *new,
		     const pg_decide_opts *opts);

void pg_paired_set_release(pg_paired_set *s); /* safe on NULL */

#endif
