/*
 * A simulation of the sequential rule of perfgate gate --count auto
 * (stats/sequential.h) on suites with this machine's noise:
 * `make simulate-sequential` (or build/simulate_sequential [--runs N]
 * [--seed S]).
 *
 * Model: the one of tests/bench/simulate_gate.c, unchanged (fixed before
 * looking at any result):
 *  - a gate run compares 50 benchmarks;
 *  - each benchmark gets a coefficient of variation c drawn log-uniformly
 *    from 2% to 24% (new draws every gate run) and a base value
 *    log-uniform from 1e3 to 1e6 (ns/op);
 *  - a sample is base * (1 + X), X ~ Exponential(mean c / (1 - c)):
 *    right-skewed, never below the base, CV exactly c; every sample
 *    independent (no slow drift: see simulate_paired.c for that);
 *  - drift: 20 of the 50 benchmarks have every candidate sample
 *    multiplied by 1 + U(2%, 10%) (the host slowed down between the
 *    baseline and the candidate);
 *  - a regression: benchmark 0, with a fixed CV, every candidate sample x
 *    1.10; never drifted;
 *  - for context only (not this machine's noise): a quiet suite whose CVs
 *    are log-uniform from 0.5% to 3%, to show where the rule stops early.
 * Each gate run draws 30 samples per side and benchmark; a rule sees the
 * first n of them. The rules, on the same data:
 *  - fixed n=10: pg_decide on 10 runs per side (the gate's default);
 *  - fixed n=30: pg_decide on 30 runs per side (the maximum, always);
 *  - fixed 10 vs 30: pg_decide on a stored baseline of 10 runs against 30
 *    candidate runs (what "seq, stored" ends with);
 *  - seq: the sequential rule with its defaults (min 5, batch 5, max 30:
 *    K = 6 looks; both sides grow, as in an A/B measurement), then the
 *    final decision pg_decide at alpha / K on every sample at the stop;
 *  - seq, no hopeless: the same without stop_hopeless (every undecided
 *    row holds the gate until the maximum);
 *  - seq, stored: a stored baseline of 10 runs (baseline_fixed), only the
 *    candidate grows from 5 to 30 (not what the gate does: context for
 *    the unequal counts);
 *  - gate, stored N (N = 10, 30): the gate's own plan against a stored
 *    baseline of N runs, pg_sequential_gate_plan(): the baseline fixed at
 *    N runs, the candidate from 5 in batches of 5 up to max = N, the
 *    efficacy shares of alpha by the power family with rho 3 (most of it
 *    at the last look: see stats/sequential.h, "Spending"). The rho was
 *    chosen on this table: with equal shares (rho 0) the plan against a
 *    10-run baseline raised false alarms under drift in 5.50% of gate
 *    runs (fixed n=10: 2.45%), rho 2 in 3.55%, rho 3 in 2.50%, rho 4 in
 *    2.60%; against a 30-run baseline 0.70%, 0.95%, 0.95%, 1.00%.
 * "runs" is the number of runs per side when the gate stops (for the
 * stored baseline: candidate runs); "bench-runs" the mean over benchmarks
 * of the runs each one needed (its count at the look that decided it, or
 * at the stop), i.e. the cost if the gate re-measured only the undecided
 * benchmarks. The RNG is GSL's gsl_rng_mt19937 with a fixed seed. The
 * model's code is in tests/bench/sim_common.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "common/error.h"
#include "stats/decide.h"
#include "stats/results.h"
#include "stats/sequential.h"

#define SIM_NAME "simulate_sequential"
#include "tests/bench/sim_common.h"
#include "common/banned.h"

#define MAXN 30
#define FIXEDN 10
#define STORED_N 10
#define QUIET_LO 0.005   /* context only: a quiet suite */
#define QUIET_HI 0.03

enum { RULE_FIXED10, RULE_FIXED30, RULE_FIXED10_30, RULE_SEQ, RULE_SEQ_NOHOPE,
       RULE_SEQ_STORED, RULE_GATE10, RULE_GATE30, NRULES };

static const char *rule_names[NRULES] = {
	"fixed n=10", "fixed n=30", "fixed 10 vs 30", "seq", "seq, no hopeless",
	"seq, stored 10", "gate, stored 10", "gate, stored 30",
};

typedef struct tally {
	size_t fail;          /* the gate run fails */
	size_t caught;        /* benchmark 0 decided regression */
	size_t drift;         /* drift reported */
	size_t early;         /* stopped before the maximum */
	double runs;          /* sum of runs per side at the stop */
	double bench_runs;    /* sum over gate runs of the mean per-benchmark runs */
	size_t seq_caught;    /* benchmark 0 REGRESSED by the sequential verdicts */
} tally;

/* show the first n_old / n_new samples */
static void fill(pg_results *old, pg_results *new, double o[NBENCH][MAXN],
		 double nw[NBENCH][MAXN], size_t n_old, size_t n_new)
{
	size_t i;

	for (i = 0; i < NBENCH; i++) {
		memcpy(old->series[i].values, o[i], MAXN * sizeof(double));
		memcpy(new->series[i].values, nw[i], MAXN * sizeof(double));
		old->series[i].n = n_old;
		new->series[i].n = n_new;
	}
}

static void decide(tally *t, const pg_results *old, const pg_results *new,
		   const pg_decide_opts *opts)
{
	sim_outcome o = sim_decide(old, new, opts);

	t->fail += o.fail;
	t->drift += o.drift;
	t->caught += o.caught;
}

static void run_fixed(tally *t, pg_results *old, pg_results *new, double o[NBENCH][MAXN],
		      double nw[NBENCH][MAXN], size_t n_old, size_t n)
{
	pg_decide_opts opts = PG_DECIDE_OPTS_INIT;

	fill(old, new, o, nw, n_old, n);
	decide(t, old, new, &opts);
	t->runs += (double)n;
	t->bench_runs += (double)n;
}

/* the sequential rule with sopts; n_base: the stored baseline's runs (0:
 * the baseline grows with the candidate) */
static void run_seq(tally *t, pg_results *old, pg_results *new, double o[NBENCH][MAXN],
		    double nw[NBENCH][MAXN], const pg_seq_opts *sopts, size_t n_base)
{
	pg_seq_state s;
	pg_seq_verdict v;
	pg_decide_opts fo;
	size_t n = sopts->min_runs, i;
	double sum = 0;

	if (pg_sequential_init(&s, sopts) < 0)
		sim_die("pg_sequential_init");
	for (;;) {
		fill(old, new, o, nw, n_base ? n_base : n, n);
		if (pg_sequential_step(&v, &s, old, new) < 0)
			sim_die("pg_sequential_step");
		if (v.stop)
			break;
		n = v.next_runs;
	}
	pg_sequential_final_opts(&fo, &s);
	decide(t, old, new, &fo);
	t->runs += (double)n;
	t->early += n < sopts->max_runs;
	for (i = 0; i < NBENCH; i++) {
		const pg_seq_row *r = pg_sequential_row(&s, old->series[i].name, "ns/op");

		sum += (double)(r->final ? r->n_new : n);
		if (i == 0)
			t->seq_caught += r->status == PG_SEQ_REGRESSED;
	}
	t->bench_runs += sum / NBENCH;
	pg_sequential_release(&s);
}

/* K, the looks a plan makes */
static size_t plan_looks(const pg_seq_opts *sopts)
{
	pg_seq_state s;
	size_t k;

	if (pg_sequential_init(&s, sopts) < 0)
		sim_die("pg_sequential_init");
	k = s.looks_planned;
	pg_sequential_release(&s);
	return k;
}

int main(int argc, char **argv)
{
	static const sim_scenario scenarios[] = {
		{ "no change, no drift", 0, 0, 0, CV_LO, CV_HI },
		{ "no change, drift", 1, 0, 0, CV_LO, CV_HI },
		{ "10% regression at 3% CV", 0, 0.03, 0.10, CV_LO, CV_HI },
		{ "10% regression at 20% CV", 0, 0.20, 0.10, CV_LO, CV_HI },
		{ "context: a quiet suite, no change", 0, 0, 0, QUIET_LO, QUIET_HI },
	};
	enum { NSC = sizeof(scenarios) / sizeof(scenarios[0]) };
	/* the full MAXN samples of both sides of one gate run; the rows */
	static double o[NBENCH][MAXN], nw[NBENCH][MAXN];
	double *orow[NBENCH], *nrow[NBENCH];
	tally t[NSC][NRULES];
	pg_seq_opts seq = PG_SEQ_OPTS_INIT, nohope = PG_SEQ_OPTS_INIT, stored = PG_SEQ_OPTS_INIT;
	pg_seq_opts gate10, gate30;
	pg_results old, new;
	unsigned long seed;
	size_t runs, s, r, i, gate10_looks, gate30_looks;
	gsl_rng *rng;

	sim_parse_args(&runs, &seed, argc, argv);
	nohope.stop_hopeless = 0;
	stored.baseline_fixed = 1;
	pg_sequential_gate_plan(&gate10, NULL, STORED_N);
	pg_sequential_gate_plan(&gate30, NULL, MAXN);
	gate10_looks = plan_looks(&gate10);
	gate30_looks = plan_looks(&gate30);

	sim_results_init(&old, &new, MAXN);
	for (i = 0; i < NBENCH; i++) {
		orow[i] = o[i];
		nrow[i] = nw[i];
	}

	memset(t, 0, sizeof(t));
	rng = sim_rng_new(seed);
	for (s = 0; s < NSC; s++) {
		for (i = 0; i < runs; i++) {
			sim_suite(orow, nrow, MAXN, rng, &scenarios[s]);
			run_fixed(&t[s][RULE_FIXED10], &old, &new, o, nw, FIXEDN, FIXEDN);
			run_fixed(&t[s][RULE_FIXED30], &old, &new, o, nw, MAXN, MAXN);
			run_fixed(&t[s][RULE_FIXED10_30], &old, &new, o, nw, STORED_N, MAXN);
			run_seq(&t[s][RULE_SEQ], &old, &new, o, nw, &seq, 0);
			run_seq(&t[s][RULE_SEQ_NOHOPE], &old, &new, o, nw, &nohope, 0);
			run_seq(&t[s][RULE_SEQ_STORED], &old, &new, o, nw, &stored, STORED_N);
			run_seq(&t[s][RULE_GATE10], &old, &new, o, nw, &gate10, STORED_N);
			run_seq(&t[s][RULE_GATE30], &old, &new, o, nw, &gate30, MAXN);
		}
	}

	printf("perfgate gate --count auto: simulation of the sequential rule "
	       "(tests/bench/simulate_sequential.c)\n\n");
	printf("model: simulate_gate.c's: %d benchmarks, CV c ~ log-uniform(%.0f%%, %.0f%%) per benchmark and run,\n",
	       NBENCH, 100 * CV_LO, 100 * CV_HI);
	printf("       sample = base * (1 + X), X ~ Exponential(mean c/(1-c)), independent samples;\n");
	printf("       drift: %d of %d benchmarks x (1 + U(%.0f%%, %.0f%%)) in the candidate; regression: benchmark 0 x 1.10\n",
	       NDRIFT, NBENCH, 100 * DRIFT_LO, 100 * DRIFT_HI);
	printf("rules: fixed n=%d, n=%d, %d vs %d: pg_decide (Welch on logs, Holm, alpha 0.05, threshold 5%%);\n",
	       FIXEDN, MAXN, STORED_N, MAXN);
	printf("       seq: min %zu, batch %zu, max %zu runs per side (K = %zu looks), Bonferroni alpha spending:\n",
	       seq.min_runs, seq.batch, seq.max_runs, plan_looks(&seq));
	printf("       a_e = 0.05/(K m), a_f = 0.05/K; final decision pg_decide at alpha 0.05/K;\n");
	printf("       'no hopeless': every undecided row holds the gate to the maximum;\n");
	printf("       'stored 10': a stored baseline of %d runs, the candidate grows to %d\n", STORED_N, MAXN);
	printf("       'gate, stored N': perfgate gate --count auto's plan (pg_sequential_gate_plan) against a\n");
	printf("       stored baseline of N runs: the candidate grows from %zu by %zu to N (N=%d: K = %zu looks,\n",
	       gate10.min_runs, gate10.batch, STORED_N, gate10_looks);
	printf("       N=%d: K = %zu looks); efficacy shares alpha ((n_k/N)^%g - (n_(k-1)/N)^%g), a_f = 0.05/K,\n",
	       MAXN, gate30_looks, gate10.spend_rho, gate10.spend_rho);
	printf("       final decision at the share of the look it stops at\n");
	printf("runs:  %zu gate runs per scenario, seed %lu (gsl_rng_mt19937); +- = 95%% interval half-width\n\n",
	       runs, seed);

	printf("%-44s", "");
	for (r = 0; r < NRULES; r++)
		printf(" %17s", rule_names[r]);
	printf("\n");
#define ROW(label, field)                                                             \
	do {                                                                          \
		printf("%-44s", label);                                               \
		for (r = 0; r < NRULES; r++)                                          \
			sim_print_share(t[s][r].field, runs);                         \
		printf("\n");                                                         \
	} while (0)
#define AVG(label, field)                                                             \
	do {                                                                          \
		printf("%-44s", label);                                               \
		for (r = 0; r < NRULES; r++)                                          \
			printf(" %17.1f", t[s][r].field / (double)runs);              \
		printf("\n");                                                         \
	} while (0)
#define ROWSEQ(label, field)                                                          \
	do {                                                                          \
		printf("%-44s", label);                                               \
		for (r = 0; r < NRULES; r++)                                          \
			if (r < RULE_SEQ)                                             \
				printf(" %17s", "-");                                 \
			else                                                          \
				sim_print_share(t[s][r].field, runs);                 \
		printf("\n");                                                        \
	} while (0)
	s = 0;
	ROW("false alarms (run fails), no drift", fail);
	AVG("    mean runs per side at the stop", runs);
	AVG("    mean runs per benchmark (skip decided)", bench_runs);
	ROWSEQ("    stopped before the maximum", early);
	s = 1;
	ROW("false alarms (run fails), with drift", fail);
	ROW("    drift reported", drift);
	AVG("    mean runs per side at the stop", runs);
	s = 2;
	ROW("10% regression at 3% CV caught", caught);
	ROWSEQ("    by the sequential verdict (REGRESSED)", seq_caught);
	AVG("    mean runs per side at the stop", runs);
	s = 3;
	ROW("10% regression at 20% CV caught", caught);
	AVG("    mean runs per side at the stop", runs);
	printf("\nfor context, a quiet suite (CVs log-uniform %.1f%% to %.0f%%, not this machine's), no change:\n",
	       100 * QUIET_LO, 100 * QUIET_HI);
	s = 4;
	ROW("false alarms (run fails)", fail);
	AVG("    mean runs per side at the stop", runs);
	AVG("    mean runs per benchmark (skip decided)", bench_runs);
	ROWSEQ("    stopped before the maximum", early);

	gsl_rng_free(rng);
	pg_results_release(&old);
	pg_results_release(&new);
	return 0;
}
