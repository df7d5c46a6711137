/*
 * A simulation of the same-runner A/B protocol and its paired analysis
 * (stats/paired.h) under host drift: `make simulate-paired` (or
 * build/simulate_paired [--runs N] [--seed S]).
 *
 * Model (fixed before looking at any result):
 *  - a gate run compares 50 benchmarks, n = 10 runs per side;
 *  - per benchmark and gate run: CV c log-uniform from 2% to 24%, base
 *    log-uniform from 1e3 to 1e6 (as tests/bench/simulate_gate.c);
 *  - time is counted in process runs (one run of one benchmark); the host's
 *    speed is a multiplicative factor exp(h_t) shared by every benchmark,
 *    h a slow process (the drift models below); a sample taken at time t
 *    is base * exp(h_t) * (1 + X), X ~ Exponential(mean c / (1 - c)), the
 *    fast, right-skewed noise of simulate_gate.c, independent per run;
 *  - drift models of h (per process run):
 *      none       h = 0: fast noise only (what the issue measured here:
 *                 "pairing neighbouring runs hardly helps");
 *      AR slow    AR(1), phi = 0.99, stationary sd 5% (correlation time
 *                 ~100 runs, i.e. two passes over the suite);
 *      AR fast    AR(1), phi = 0.9, stationary sd 5% (~10 runs);
 *      AR strong  AR(1), phi = 0.99, stationary sd 10%;
 *      walk       a random walk from 0, step sd 0.5% (no mean reversion:
 *                 about 11% after 500 runs);
 *    each session starts afresh (a stationary draw for AR, 0 for the walk);
 *  - protocols, each with its own draws of the process:
 *      (a) stored baseline: the baseline session runs the suite n times
 *          (pass j runs benchmarks 0..49: benchmark b's j-th sample at
 *          time 50 j + b), the candidate session later does the same with
 *          an independent path; plus simulate_gate.c's step between the
 *          sessions: 20 of the 50 benchmarks (never benchmark 0) x (1 +
 *          U(2%, 10%)) in the candidate; decided by pg_decide;
 *      (a') the same without the step (only the two paths differ);
 *      (b) ABBA A/B, unpaired: one session, each benchmark's 2n runs
 *          consecutive in ABBA order (slot k at times 2k, 2k + 1 of the
 *          benchmark's window: A first in even slots, B first in odd
 *          ones), decided by pg_decide on the samples (Welch on logs);
 *      (c) ABBA A/B, paired: the same data, pg_paired_decide (paired
 *          t-test on the log ratios of the slots);
 *  - a regression: benchmark 0, with a fixed CV, every candidate sample x
 *    1.10.
 * The decision rule is the gate's default in every protocol (Holm, alpha
 * 0.05, threshold 5%; pg_decide's drift detection in (a), (a'), (b)). The
 * RNG is GSL's gsl_rng_mt19937 with a fixed seed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "common/error.h"
#include "stats/decide.h"
#include "stats/paired.h"
#include "stats/results.h"
#include "stats/summary.h"
#include "stats/utest.h"
#include "common/banned.h"

#define NBENCH 50
#define N 10
#define NDRIFT 20
#define CV_LO 0.02
#define CV_HI 0.24
#define DRIFT_LO 0.02
#define DRIFT_HI 0.10
#define DEFAULT_RUNS 2000
#define DEFAULT_SEED 20261201UL
#define SESSION (NBENCH * N)      /* runs in a stored-baseline session */
#define ABBA (2 * NBENCH * N)     /* runs in an A/B session */

typedef struct model {
	const char *label;
	int walk;          /* random walk (else AR(1)) */
	double phi;        /* AR(1) coefficient */
	double sd;         /* AR: stationary sd; walk: step sd */
} model;

typedef struct scenario {
	const char *label;
	double reg_cv;     /* 0: no change */
	double reg_size;
} scenario;

enum { P_STORED, P_STORED_NOSTEP, P_ABBA_UNPAIRED, P_ABBA_PAIRED, NPROT };

static const char *prot_names[NPROT] = {
	"(a) stored", "(a') no step", "(b) ABBA unpaired", "(c) ABBA paired",
};

typedef struct tally {
	size_t fail, drift, caught;
	double *mde;
	size_t nmde;
} tally;

static double pct(size_t k, size_t n)
{
	return 100.0 * (double)k / (double)n;
}

static double hw(size_t k, size_t n)
{
	double p = (double)k / (double)n;

	return 196.0 * sqrt(p * (1 - p) / (double)n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void die(const char *what)
{
	fprintf(stderr, "simulate_paired: %s: %s\n", what, pg_error_last());
	exit(3);
}

/* one session's path of the host's log speed */
static void path(double *h, size_t len, const model *m, gsl_rng *rng)
{
	size_t t;

	if (m->sd == 0) {
		memset(h, 0, len * sizeof(double));
		return;
	}
	if (m->walk) {
		h[0] = 0;
		for (t = 1; t < len; t++)
			h[t] = h[t - 1] + gsl_ran_gaussian(rng, m->sd);
		return;
	}
	h[0] = gsl_ran_gaussian(rng, m->sd);
	for (t = 1; t < len; t++)
		h[t] = m->phi * h[t - 1] + gsl_ran_gaussian(rng, m->sd * sqrt(1 - m->phi * m->phi));
}

typedef struct data {
	double a_old[NBENCH][N], a_new[NBENCH][N], a_new_nostep[NBENCH][N];
	double b_old[NBENCH][N], b_new[NBENCH][N];
} data;

static void simulate(data *D, const model *m, const scenario *sc, gsl_rng *rng)
{
	static double h1[SESSION], h2[SESSION], h3[ABBA];
	double step[NBENCH] = { 0 };
	size_t idx[NBENCH], i, j;

	path(h1, SESSION, m, rng);
	path(h2, SESSION, m, rng);
	path(h3, ABBA, m, rng);
	for (i = 1; i < NBENCH; i++)
		idx[i] = i;
	for (i = 0; i < NDRIFT; i++) {
		size_t k = 1 + i + gsl_rng_uniform_int(rng, NBENCH - 1 - i);
		size_t t = idx[1 + i];

		idx[1 + i] = idx[k];
		idx[k] = t;
		step[idx[1 + i]] = DRIFT_LO + (DRIFT_HI - DRIFT_LO) * gsl_rng_uniform(rng);
	}
	for (i = 0; i < NBENCH; i++) {
		double cv = exp(log(CV_LO) + (log(CV_HI) - log(CV_LO)) * gsl_rng_uniform(rng));
		double base = exp(log(1e3) + (log(1e6) - log(1e3)) * gsl_rng_uniform(rng));
		double factor = 1, theta;

		if (i == 0 && sc->reg_cv > 0) {
			cv = sc->reg_cv;
			factor = 1 + sc->reg_size;
		}
		theta = cv / (1 - cv);
		for (j = 0; j < N; j++) {
			size_t t = j * NBENCH + i;
			double x = gsl_ran_exponential(rng, theta);

			D->a_old[i][j] = base * exp(h1[t]) * (1 + gsl_ran_exponential(rng, theta));
			D->a_new_nostep[i][j] = base * factor * exp(h2[t]) * (1 + x);
			D->a_new[i][j] = D->a_new_nostep[i][j] * (1 + step[i]);
		}
		for (j = 0; j < N; j++) {
			size_t t0 = 2 * (i * N + j);
			size_t ta = t0 + (j % 2), tb = t0 + 1 - (j % 2);

			D->b_old[i][j] = base * exp(h3[ta]) * (1 + gsl_ran_exponential(rng, theta));
			D->b_new[i][j] = base * factor * exp(h3[tb]) *
					 (1 + gsl_ran_exponential(rng, theta));
		}
	}
}

static void fill(pg_results *old, pg_results *new, double o[NBENCH][N], double nw[NBENCH][N])
{
	size_t i;

	for (i = 0; i < NBENCH; i++) {
		memcpy(old->series[i].values, o[i], N * sizeof(double));
		memcpy(new->series[i].values, nw[i], N * sizeof(double));
	}
}

static void count(tally *t, const pg_decision_set *d)
{
	size_t i;
	int fail = 0;

	for (i = 0; i < d->nrows; i++)
		fail |= d->rows[i].decision == PG_DECISION_REGRESSION;
	t->fail += fail;
	t->drift += d->drift_suspected != 0;
	t->caught += d->rows[0].decision == PG_DECISION_REGRESSION;
	t->mde[t->nmde++] = d->rows[0].has_mde ? d->rows[0].mde_percent : INFINITY;
}

static void run_unpaired(tally *t, pg_results *old, pg_results *new, double o[NBENCH][N],
			 double nw[NBENCH][N])
{
	pg_decision_set d;

	fill(old, new, o, nw);
	if (pg_decide(&d, old, new, NULL) < 0)
		die("pg_decide");
	count(t, &d);
	pg_decision_set_release(&d);
}

static void run_paired(tally *t, pg_results *old, pg_results *new, double o[NBENCH][N],
		       double nw[NBENCH][N])
{
	pg_paired_set s;

	fill(old, new, o, nw);
	if (pg_paired_decide(&s, old, new, NULL) < 0)
		die("pg_paired_decide");
	count(t, &s.decision);
	pg_paired_set_release(&s);
}

static double median_mde(tally *t)
{
	qsort(t->mde, t->nmde, sizeof(double), cmp_double);
	return pg_quantile_r8(t->mde, t->nmde, 0.5);
}

static void usage(void)
{
	fprintf(stderr, "usage: simulate_paired [--runs N] [--seed S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const model models[] = {
		{ "none (fast noise only)", 0, 0, 0 },
		{ "AR slow: phi 0.99, sd 5%", 0, 0.99, 0.05 },
		{ "AR fast: phi 0.9, sd 5%", 0, 0.9, 0.05 },
		{ "AR strong: phi 0.99, sd 10%", 0, 0.99, 0.10 },
		{ "walk: step sd 0.5%", 1, 0, 0.005 },
	};
	static const scenario scenarios[] = {
		{ "no change", 0, 0 },
		{ "10% regression at 3% CV", 0.03, 0.10 },
		{ "10% regression at 20% CV", 0.20, 0.10 },
	};
	enum { NM = sizeof(models) / sizeof(models[0]),
	       NSC = sizeof(scenarios) / sizeof(scenarios[0]) };
	static tally t[NM][NSC][NPROT];
	static data D;
	pg_results old, new;
	unsigned long seed = DEFAULT_SEED;
	size_t runs = DEFAULT_RUNS, m, s, p, i, j;
	gsl_rng *rng;
	char name[32];

	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < (size_t)argc)
			runs = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < (size_t)argc)
			seed = strtoul(argv[++i], NULL, 10);
		else
			usage();
	}
	if (runs == 0)
		usage();

	pg_results_init(&old);
	pg_results_init(&new);
	for (i = 0; i < NBENCH; i++) {
		int len = snprintf(name, sizeof(name), "Sim/b=%02zu-2", i);

		for (j = 0; j < N; j++)
			if (pg_results_add(&old, name, (size_t)len, "ns/op", 5, 1.0) < 0 ||
			    pg_results_add(&new, name, (size_t)len, "ns/op", 5, 1.0) < 0)
				die("results");
	}
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		die("gsl_rng_alloc");
	gsl_rng_set(rng, seed);
	for (m = 0; m < NM; m++)
		for (s = 0; s < NSC; s++) {
			for (p = 0; p < NPROT; p++) {
				t[m][s][p].mde = malloc(runs * sizeof(double));
				if (!t[m][s][p].mde)
					die("malloc");
			}
			for (i = 0; i < runs; i++) {
				simulate(&D, &models[m], &scenarios[s], rng);
				run_unpaired(&t[m][s][P_STORED], &old, &new, D.a_old, D.a_new);
				run_unpaired(&t[m][s][P_STORED_NOSTEP], &old, &new, D.a_old,
					     D.a_new_nostep);
				run_unpaired(&t[m][s][P_ABBA_UNPAIRED], &old, &new, D.b_old, D.b_new);
				run_paired(&t[m][s][P_ABBA_PAIRED], &old, &new, D.b_old, D.b_new);
			}
		}

	printf("perfgate gate --ab: the paired analysis under host drift (tests/bench/simulate_paired.c)\n\n");
	printf("model: %d benchmarks, n = %d runs per side; CV c ~ log-uniform(%.0f%%, %.0f%%) per benchmark\n",
	       NBENCH, N, 100 * CV_LO, 100 * CV_HI);
	printf("       and run; sample at time t = base * exp(h_t) * (1 + X), X ~ Exponential(mean c/(1-c));\n");
	printf("       h: the host's log speed per process run (models below), shared by all benchmarks\n");
	printf("(a)    stored baseline: two sessions (suite run %d times each, independent paths),\n", N);
	printf("       plus a step: %d of %d benchmarks x (1 + U(%.0f%%, %.0f%%)) in the candidate; (a') without it\n",
	       NDRIFT, NBENCH, 100 * DRIFT_LO, 100 * DRIFT_HI);
	printf("(b)    ABBA A/B in one session, every benchmark's %d runs consecutive, unpaired (pg_decide)\n",
	       2 * N);
	printf("(c)    the same data, paired (pg_paired_decide: paired t-test on the log ratios)\n");
	printf("rule:  Holm, alpha 0.05, threshold 5%% (drift detection in (a), (a'), (b))\n");
	printf("runs:  %zu gate runs per cell, seed %lu (gsl_rng_mt19937); +- = 95%% interval half-width\n",
	       runs, seed);

#define TABLE(title, sc, field)                                                        \
	do {                                                                           \
		printf("\n%s\n%-30s", title, "drift model");                           \
		for (p = 0; p < NPROT; p++)                                            \
			printf(" %17s", prot_names[p]);                                \
		printf("\n");                                                          \
		for (m = 0; m < NM; m++) {                                             \
			printf("%-30s", models[m].label);                              \
			for (p = 0; p < NPROT; p++)                                    \
				printf("   %6.2f%% +-%4.2f",                           \
				       pct(t[m][sc][p].field, runs),                   \
				       hw(t[m][sc][p].field, runs));                   \
			printf("\n");                                                  \
		}                                                                      \
	} while (0)
	TABLE("false alarms: share of gate runs failing, no change", 0, fail);
	TABLE("drift reported (pg_decide's host-drift detection), no change", 0, drift);
	TABLE("10% regression at 3% CV caught (benchmark 0 decided regression)", 1, caught);
	TABLE("10% regression at 20% CV caught", 2, caught);
	printf("\nmedian minimum detectable slowdown of benchmark 0 at 3%% CV (Holm level alpha/50)\n%-30s",
	       "drift model");
	for (p = 0; p < NPROT; p++)
		printf(" %17s", prot_names[p]);
	printf("\n");
	for (m = 0; m < NM; m++) {
		printf("%-30s", models[m].label);
		for (p = 0; p < NPROT; p++)
			printf(" %16.1f%%", median_mde(&t[m][1][p]));
		printf("\n");
	}

	for (m = 0; m < NM; m++)
		for (s = 0; s < NSC; s++)
			for (p = 0; p < NPROT; p++)
				free(t[m][s][p].mde);
	gsl_rng_free(rng);
	pg_results_release(&old);
	pg_results_release(&new);
	pg_utest_cache_release();
	return 0;
}
