/*
 * A simulation of the gate's decision rule (stats/decide.h) on suites with
 * this machine's noise: `make simulate-gate` (or
 * build/simulate_gate [--runs N] [--seed S]).
 *
 * Model (fixed before looking at any result; see the printed header):
 *  - a gate run compares 50 benchmarks, n = 10 samples per side;
 *  - each benchmark gets a coefficient of variation c drawn log-uniformly
 *    from 2% to 24% (new draws every gate run) and a base value
 *    log-uniform from 1e3 to 1e6 (ns/op; the rule is scale-free);
 *  - a sample is base * (1 + X), X ~ Exponential(mean c / (1 - c)):
 *    right-skewed, never below the base (contention only slows), and the
 *    sample's CV is exactly c;
 *  - drift: 20 of the 50 benchmarks (40%, chosen at random every gate
 *    run) have every candidate sample multiplied by 1 + U(2%, 10%), one
 *    draw per benchmark (the host slowed down between the two runs);
 *  - a regression: benchmark 0, with a fixed CV, has every candidate
 *    sample multiplied by 1.10 (or 1.25); it is never one of the drifted
 *    benchmarks.
 * Every rule sees the same simulated data. The RNG is GSL's
 * gsl_rng_mt19937 with a fixed seed, so the table is reproducible. The
 * model's code, shared with simulate_sequential.c and simulate_paired.c,
 * is in tests/bench/sim_common.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "common/error.h"
#include "stats/decide.h"
#include "stats/results.h"
#include "stats/summary.h"
#include "stats/utest.h"
#include "stats/welch.h"

#define SIM_NAME "simulate_gate"
#include "tests/bench/sim_common.h"
#include "common/banned.h"

#define NSAMPLES 10

enum { RULE_GATE, RULE_UTEST, RULE_PLAIN, NRULES };

typedef struct tally {
	size_t fail;          /* the gate run fails (any regression) */
	size_t drift;         /* drift reported */
	size_t drift_pass;    /* drift reported and the run passes */
	size_t caught;        /* benchmark 0 decided regression */
	double *mde;          /* benchmark 0's mde per run */
	size_t nmde;
} tally;

static void run_rule(tally *t, const pg_results *old, const pg_results *new,
		     const pg_decide_opts *opts)
{
	sim_outcome o = sim_decide(old, new, opts);

	t->fail += o.fail;
	t->drift += o.drift;
	t->drift_pass += o.drift && !o.fail;
	t->caught += o.caught;
	t->mde[t->nmde++] = o.mde;
}

/* plain Welch at p < 0.05 on the raw values, every benchmark on its own:
 * an alarm is a significant slowdown */
static void run_plain(tally *t, const pg_results *old, const pg_results *new)
{
	size_t i;
	int fail = 0;

	for (i = 0; i < (size_t)old->nseries; i++) {
		pg_summary a, b;
		pg_welch w;
		int alarm;

		if (pg_summarize(&a, old->series[i].values, old->series[i].n) < 0 ||
		    pg_summarize(&b, new->series[i].values, new->series[i].n) < 0 ||
		    pg_welch_test(&w, &a, &b) < 0)
			sim_die("welch");
		alarm = w.p < 0.05 && b.mean > a.mean;
		fail |= alarm;
		if (i == 0)
			t->caught += alarm;
	}
	t->fail += fail;
}

int main(int argc, char **argv)
{
	static const sim_scenario scenarios[] = {
		{ "no change, no drift", 0, 0, 0, CV_LO, CV_HI },
		{ "no change, drift", 1, 0, 0, CV_LO, CV_HI },
		{ "10% regression at 3% CV, no drift", 0, 0.03, 0.10, CV_LO, CV_HI },
		{ "10% regression at 20% CV, no drift", 0, 0.20, 0.10, CV_LO, CV_HI },
		{ "drift + 25% regression at 3% CV", 1, 0.03, 0.25, CV_LO, CV_HI },
		{ "drift + 10% regression at 3% CV", 1, 0.03, 0.10, CV_LO, CV_HI },
	};
	enum { NSC = sizeof(scenarios) / sizeof(scenarios[0]) };
	tally t[NSC][NRULES];
	pg_decide_opts gate = PG_DECIDE_OPTS_INIT, ut = PG_DECIDE_OPTS_INIT;
	pg_results old, new;
	double *orow[NBENCH], *nrow[NBENCH]; /* their values, benchmark by benchmark */
	unsigned long seed;
	size_t runs, s, r, i;
	gsl_rng *rng;

	sim_parse_args(&runs, &seed, argc, argv);
	ut.test = PG_TEST_UTEST;

	/* the two result sets, filled in place every gate run */
	sim_results_init(&old, &new, NSAMPLES);
	for (i = 0; i < NBENCH; i++) {
		orow[i] = old.series[i].values;
		nrow[i] = new.series[i].values;
	}

	memset(t, 0, sizeof(t));
	rng = sim_rng_new(seed);
	for (s = 0; s < NSC; s++) {
		for (r = 0; r < NRULES; r++) {
			t[s][r].mde = malloc(runs * sizeof(double));
			if (!t[s][r].mde)
				sim_die("malloc");
		}
		for (i = 0; i < runs; i++) {
			sim_suite(orow, nrow, NSAMPLES, rng, &scenarios[s]);
			run_rule(&t[s][RULE_GATE], &old, &new, &gate);
			run_rule(&t[s][RULE_UTEST], &old, &new, &ut);
			run_plain(&t[s][RULE_PLAIN], &old, &new);
		}
	}

	printf("perfgate gate: simulation of the decision rule (tests/bench/simulate_gate.c)\n\n");
	printf("model: %d benchmarks per gate run, n = %d samples per side;\n", NBENCH, NSAMPLES);
	printf("       per benchmark and run a CV c ~ log-uniform(%.0f%%, %.0f%%), base ~ log-uniform(1e3, 1e6);\n",
	       100 * CV_LO, 100 * CV_HI);
	printf("       sample = base * (1 + X), X ~ Exponential(mean c/(1-c)): right-skewed, >= base, CV = c\n");
	printf("drift: %d of the %d benchmarks (%.0f%%, random each run) x (1 + U(%.0f%%, %.0f%%)) in the candidate\n",
	       NDRIFT, NBENCH, 100.0 * NDRIFT / NBENCH, 100 * DRIFT_LO, 100 * DRIFT_HI);
	printf("regression: benchmark 0 (never drifted), its CV fixed, x 1.10 (or 1.25) in the candidate\n");
	printf("runs:  %zu gate runs per scenario, seed %lu (gsl_rng_mt19937); +- = 95%% interval half-width\n",
	       runs, seed);
	printf("gate:  defaults: Welch's t-test on logs, Holm, alpha 0.05, threshold 5%% on the estimate,\n");
	printf("       drift: >= max(%d, %.0f%% of rows) significant one way, %dx the other way,\n",
	       PG_DRIFT_MIN_ROWS, 100 * PG_DRIFT_MIN_SHARE, PG_DRIFT_DOMINANCE);
	printf("       band median + %.0f x 1.4826 MAD, interval bound, leave-one-out\n",
	       PG_DRIFT_BAND_MADS);
	printf("utest: the same with test: utest (Mann-Whitney p, Hodges-Lehmann shift of the logs)\n");
	printf("plain: Welch at p < 0.05 on the raw values, no correction, no threshold (alarm = a\n");
	printf("       significant slowdown of any benchmark)\n\n");

	printf("%-52s %16s %16s %16s\n", "", "gate", "utest", "plain Welch");
#define ROW3(label, field)                                                            \
	do {                                                                          \
		printf("%-52s", label);                                               \
		for (r = 0; r < NRULES; r++)                                          \
			sim_print_share(t[s][r].field, runs);                         \
		printf("\n");                                                         \
	} while (0)
#define ROW2(label, field)                                                            \
	do {                                                                          \
		printf("%-52s", label);                                               \
		for (r = 0; r < RULE_PLAIN; r++)                                      \
			sim_print_share(t[s][r].field, runs);                         \
		printf("   %16s\n", "-");                                             \
	} while (0)
	s = 0;
	ROW3("(a) false alarms (run fails), no drift", fail);
	s = 1;
	ROW3("(a) false alarms (run fails), with drift", fail);
	ROW2("(b) with drift: drift reported", drift);
	ROW2("(b) with drift: drift reported and the run passes", drift_pass);
	s = 2;
	ROW3("(c) 10% regression at 3% CV caught", caught);
	ROW3("    (any run failure in that scenario)", fail);
	s = 3;
	ROW3("(c) 10% regression at 20% CV caught", caught);
	printf("\nfor context, with drift:\n");
	s = 4;
	ROW3("    25% regression at 3% CV caught", caught);
	s = 5;
	ROW3("    10% regression at 3% CV caught", caught);

	printf("\nmedian minimum detectable slowdown (mde) of benchmark 0 (Holm level alpha/50):\n");
	for (s = 2; s < 4; s++) {
		printf("    %-48s", scenarios[s].label);
		for (r = 0; r < RULE_PLAIN; r++)
			printf("   %6s %+7.1f%%", "", sim_median(t[s][r].mde, t[s][r].nmde));
		printf("\n");
	}

	for (s = 0; s < NSC; s++)
		for (r = 0; r < NRULES; r++)
			free(t[s][r].mde);
	gsl_rng_free(rng);
	pg_results_release(&old);
	pg_results_release(&new);
	pg_utest_cache_release();
	return 0;
}
