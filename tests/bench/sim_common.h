/*
 * What the decision simulations share (tests/bench/simulate_gate.c,
 * simulate_sequential.c, simulate_paired.c): the suite model of
 * simulate_gate.c, their command line and their small helpers. Each
 * program defines SIM_NAME (its name, for messages) before including this
 * header, and includes it after its system headers and before
 * "common/banned.h":
 *
 *   #define SIM_NAME "simulate_gate"
 *   #include "tests/bench/sim_common.h"
 *
 * The model (fixed before looking at any result):
 *  - a gate run compares NBENCH = 50 benchmarks;
 *  - each benchmark gets a coefficient of variation c drawn log-uniformly
 *    from CV_LO to CV_HI (2% to 24%: sim_log_uniform()) and then a base
 *    value log-uniform from 1e3 to 1e6 (ns/op), new draws every gate run
 *    (sim_bench_draw());
 *  - a sample is base * (1 + X), X ~ Exponential(mean c / (1 - c)):
 *    right-skewed, never below the base, CV exactly c (sim_suite());
 *  - drift: NDRIFT = 20 of the benchmarks, chosen at random every gate run
 *    and never benchmark 0 when it carries the regression, have every
 *    candidate sample multiplied by 1 + U(DRIFT_LO, DRIFT_HI), one draw per
 *    benchmark (sim_pick_drift());
 *  - a regression: benchmark 0, with a fixed CV, has every candidate sample
 *    multiplied by 1 + its size.
 * Every random number comes from the gsl_rng passed in, in a fixed order
 * (documented per function), so a program's table depends only on its
 * seed and run count.
 *
 * Everything here is static inline (a program need not use all of it); the
 * programs exit through sim_die() and sim_usage() on any error.
 */
#ifndef PG_SIM_COMMON_H
#define PG_SIM_COMMON_H

#ifndef SIM_NAME
#error "define SIM_NAME (the program's name) before including sim_common.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "common/error.h"
#include "stats/decide.h"
#include "stats/results.h"
#include "stats/summary.h"

#define NBENCH 50
#define NDRIFT 20
#define CV_LO 0.02
#define CV_HI 0.24
#define DRIFT_LO 0.02
#define DRIFT_HI 0.10
#define DEFAULT_RUNS 2000
#define DEFAULT_SEED 20261201UL

/* A scenario of the model: with or without drift, benchmark 0 slowed by
 * 1 + reg_size at CV reg_cv (reg_cv 0: no regression), the other CVs
 * log-uniform from cv_lo to cv_hi. */
typedef struct sim_scenario {
	const char *label;
	int drift;
	double reg_cv;       /* 0: no regression */
	double reg_size;     /* e.g. 0.10 */
	double cv_lo, cv_hi; /* the CVs' range */
} sim_scenario;

/* One benchmark's draws for one gate run. */
typedef struct sim_bench {
	double cv;     /* its coefficient of variation */
	double base;   /* its base value (ns/op) */
	double factor; /* the regression's factor on the candidate (1: none) */
	double theta;  /* the mean of X: cv / (1 - cv) */
} sim_bench;

/* What a gate run's decisions say about the run and benchmark 0 (row 0:
 * the regressed benchmark when there is one), for the programs' tallies. */
typedef struct sim_outcome {
	int fail;   /* some row decided regression: the gate run fails */
	int drift;  /* host drift suspected */
	int caught; /* benchmark 0 decided regression */
	double mde; /* benchmark 0's minimum detectable change, % (INFINITY: none) */
} sim_outcome;

/* k of n in percent */
static inline double sim_pct(size_t k, size_t n)
{
	return 100.0 * (double)k / (double)n;
}

/* half-width of the normal-approximation 95% interval of k of n, in points */
static inline double sim_hw(size_t k, size_t n)
{
	double p = (double)k / (double)n;

	return 196.0 * sqrt(p * (1 - p) / (double)n);
}

/* a table cell, 17 wide: "   pp.pp% +-h.hh", k of n in percent and the
 * half-width of its 95% interval */
static inline void sim_print_share(size_t k, size_t n)
{
	printf("   %6.2f%% +-%4.2f", sim_pct(k, n), sim_hw(k, n));
}

/* the median of v[0..n-1], which it sorts */
static inline double sim_median(double *v, size_t n)
{
	pg_sort_doubles(v, n);
	return pg_quantile_r8(v, n, 0.5);
}

/* "SIM_NAME: what: <the last pg_error message>", exit status 3 */
static inline void sim_die(const char *what)
{
	fprintf(stderr, SIM_NAME ": %s: %s\n", what, pg_error_last());
	exit(3);
}

static inline void sim_usage(void)
{
	fprintf(stderr, "usage: " SIM_NAME " [--runs N] [--seed S]\n");
	exit(2);
}

/* [--runs N] [--seed S]: the number of gate runs (per scenario or cell;
 * not 0) and the RNG's seed; DEFAULT_RUNS and DEFAULT_SEED when absent.
 * Anything else: the usage, exit status 2. */
static inline void sim_parse_args(size_t *runs, unsigned long *seed, int argc, char **argv)
{
	size_t i;

	*runs = DEFAULT_RUNS;
	*seed = DEFAULT_SEED;
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < (size_t)argc)
			*runs = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < (size_t)argc)
			*seed = strtoul(argv[++i], NULL, 10);
		else
			sim_usage();
	}
	if (*runs == 0)
		sim_usage();
}

/* The two result sets the programs fill in place every gate run: NBENCH
 * benchmarks "Sim/b=00-2".."Sim/b=49-2" in ns/op, n values each (the
 * capacity; series i is benchmark i). */
static inline void sim_results_init(pg_results *old, pg_results *new, size_t n)
{
	char name[32];
	size_t i, j;

	pg_results_init(old);
	pg_results_init(new);
	for (i = 0; i < NBENCH; i++) {
		int len = snprintf(name, sizeof(name), "Sim/b=%02zu-2", i);

		for (j = 0; j < n; j++)
			if (pg_results_add(old, name, (size_t)len, "ns/op", 5, 1.0) < 0 ||
			    pg_results_add(new, name, (size_t)len, "ns/op", 5, 1.0) < 0)
				sim_die("results");
	}
}

/* gsl_rng_mt19937 seeded with `seed`; free it with gsl_rng_free() */
static inline gsl_rng *sim_rng_new(unsigned long seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	if (!rng)
		sim_die("gsl_rng_alloc");
	gsl_rng_set(rng, seed);
	return rng;
}

/* log-uniform from lo to hi: one gsl_rng_uniform() */
static inline double sim_log_uniform(gsl_rng *rng, double lo, double hi)
{
	return exp(log(lo) + (log(hi) - log(lo)) * gsl_rng_uniform(rng));
}

/* The drift of one gate run: NDRIFT distinct benchmarks among
 * first..NBENCH-1 (a partial Fisher-Yates shuffle) get
 * drift[b] = U(DRIFT_LO, DRIFT_HI); the others keep their value. Draws,
 * per drifted benchmark: gsl_rng_uniform_int() then gsl_rng_uniform(). */
static inline void sim_pick_drift(double drift[NBENCH], size_t first, gsl_rng *rng)
{
	size_t idx[NBENCH], i;

	for (i = first; i < NBENCH; i++)
		idx[i] = i;
	for (i = 0; i < NDRIFT; i++) {
		size_t k = first + i + gsl_rng_uniform_int(rng, NBENCH - first - i);
		size_t t = idx[first + i];

		idx[first + i] = idx[k];
		idx[k] = t;
		drift[idx[first + i]] = DRIFT_LO + (DRIFT_HI - DRIFT_LO) * gsl_rng_uniform(rng);
	}
}

/* One benchmark's CV (log-uniform from cv_lo to cv_hi) and then its base
 * (log-uniform from 1e3 to 1e6): two gsl_rng_uniform(), always. With
 * reg_cv > 0 (the regressed benchmark), the CV drawn is replaced by reg_cv
 * and the candidate's factor is 1 + reg_size. */
static inline sim_bench sim_bench_draw(gsl_rng *rng, double cv_lo, double cv_hi,
				       double reg_cv, double reg_size)
{
	sim_bench b;

	b.cv = sim_log_uniform(rng, cv_lo, cv_hi);
	b.base = sim_log_uniform(rng, 1e3, 1e6);
	b.factor = 1;
	if (reg_cv > 0) {
		b.cv = reg_cv;
		b.factor = 1 + reg_size;
	}
	b.theta = b.cv / (1 - b.cv);
	return b;
}

/* One gate run of the model, n samples per side: the drift when
 * sc->drift (sim_pick_drift(), never benchmark 0 when it regresses), then
 * per benchmark i in order sim_bench_draw() and its samples, old[i][0..n-1]
 * first, then new[i][0..n-1] (one gsl_ran_exponential() each). */
static inline void sim_suite(double *const old[NBENCH], double *const new[NBENCH], size_t n,
			     gsl_rng *rng, const sim_scenario *sc)
{
	double drift[NBENCH] = { 0 };
	size_t i, j;

	if (sc->drift)
		sim_pick_drift(drift, sc->reg_cv > 0 ? 1 : 0, rng);
	for (i = 0; i < NBENCH; i++) {
		sim_bench b = sim_bench_draw(rng, sc->cv_lo, sc->cv_hi, i == 0 ? sc->reg_cv : 0,
					     sc->reg_size);
		double factor = (1 + drift[i]) * b.factor;

		for (j = 0; j < n; j++)
			old[i][j] = b.base * (1 + gsl_ran_exponential(rng, b.theta));
		for (j = 0; j < n; j++)
			new[i][j] = b.base * factor * (1 + gsl_ran_exponential(rng, b.theta));
	}
}

/* the outcome of the decisions d */
static inline sim_outcome sim_outcome_of(const pg_decision_set *d)
{
	sim_outcome o = { 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < d->nrows; i++)
		o.fail |= d->rows[i].decision == PG_DECISION_REGRESSION;
	o.drift = d->drift_suspected != 0;
	o.caught = d->rows[0].decision == PG_DECISION_REGRESSION;
	o.mde = d->rows[0].has_mde ? d->rows[0].mde_percent : INFINITY;
	return o;
}

/* pg_decide() on old and new with opts (NULL: the defaults), its outcome */
static inline sim_outcome sim_decide(const pg_results *old, const pg_results *new,
				     const pg_decide_opts *opts)
{
	pg_decision_set d;
	sim_outcome o;

	if (pg_decide(&d, old, new, opts) < 0)
		sim_die("pg_decide");
	o = sim_outcome_of(&d);
	pg_decision_set_release(&d);
	return o;
}

#endif
