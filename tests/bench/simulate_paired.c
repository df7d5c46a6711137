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
 * RNG is GSL's gsl_rng_mt19937 with a fixed seed. The model's code shared
 * with simulate_gate.c is in tests/bench/sim_common.h.
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

#define SIM_NAME "simulate_paired"
#include "tests/bench/sim_common.h"
#include "common/banned.h"

#define N 10
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
	size_t i, j;

	path(h1, SESSION, m, rng);
	path(h2, SESSION, m, rng);
	path(h3, ABBA, m, rng);
	sim_pick_drift(step, 1, rng);
	for (i = 0; i < NBENCH; i++) {
		sim_bench b = sim_bench_draw(rng, CV_LO, CV_HI, i == 0 ? sc->reg_cv : 0,
					     sc->reg_size);

		for (j = 0; j < N; j++) {
			size_t t = j * NBENCH + i;
			double x = gsl_ran_exponential(rng, b.theta);

			D->a_old[i][j] = b.base * exp(h1[t]) * (1 + gsl_ran_exponential(rng, b.theta));
			D->a_new_nostep[i][j] = b.base * b.factor * exp(h2[t]) * (1 + x);
			D->a_new[i][j] = D->a_new_nostep[i][j] * (1 + step[i]);
		}
		for (j = 0; j < N; j++) {
			size_t t0 = 2 * (i * N + j);
			size_t ta = t0 + (j % 2), tb = t0 + 1 - (j % 2);

			D->b_old[i][j] = b.base * exp(h3[ta]) *
					 (1 + gsl_ran_exponential(rng, b.theta));
			D->b_new[i][j] = b.base * b.factor * exp(h3[tb]) *
					 (1 + gsl_ran_exponential(rng, b.theta));
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

static void count(tally *t, sim_outcome o)
{
	t->fail += o.fail;
	t->drift += o.drift;
	t->caught += o.caught;
	t->mde[t->nmde++] = o.mde;
}

static void run_unpaired(tally *t, pg_results *old, pg_results *new, double o[NBENCH][N],
			 double nw[NBENCH][N])
{
	fill(old, new, o, nw);
	count(t, sim_decide(old, new, NULL));
}

static void run_paired(tally *t, pg_results *old, pg_results *new, double o[NBENCH][N],
		       double nw[NBENCH][N])
{
	pg_paired_set s;

	fill(old, new, o, nw);
	if (pg_paired_decide(&s, old, new, NULL) < 0)
		sim_die("pg_paired_decide");
	count(t, sim_outcome_of(&s.decision));
	pg_paired_set_release(&s);
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
	unsigned long seed;
	size_t runs, m, s, p, i;
	gsl_rng *rng;

	sim_parse_args(&runs, &seed, argc, argv);
	sim_results_init(&old, &new, N);
	rng = sim_rng_new(seed);
	for (m = 0; m < NM; m++)
		for (s = 0; s < NSC; s++) {
			for (p = 0; p < NPROT; p++) {
				t[m][s][p].mde = malloc(runs * sizeof(double));
				if (!t[m][s][p].mde)
					sim_die("malloc");
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
				sim_print_share(t[m][sc][p].field, runs);              \
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
			printf(" %16.1f%%", sim_median(t[m][1][p].mde, t[m][1][p].nmde));
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
