#!/usr/bin/python3
"""Generate tests/stats/reference_values.h: reference values for the stats
unit tests (test_summary.c, test_welch.c, test_utest.c, test_geomean.c),
computed with numpy/scipy independently of the C code.

Run with Debian's python3 (scipy 1.10.1, numpy 1.24.2), from the repository
root:

    /usr/bin/python3 tests/stats/gen_reference.py

It writes tests/stats/reference_values.h (or the path given with -o). The
output is deterministic: fixed seeds (numpy.random.RandomState), no
timestamps. Each section of the header is guarded by a macro
(REF_WANT_SUMMARY, REF_WANT_WELCH, REF_WANT_UTEST, REF_WANT_GEOMEAN) that the
including test defines.

Independence from the C implementation:
  - quantiles: numpy.quantile(method='median_unbiased'), cross-checked
    against scipy.stats.mstats.mquantiles(alphap=1/3, betap=1/3);
  - Welch: scipy.stats.ttest_ind(equal_var=False);
  - Fieller: the ends of {r : (mb - r ma)^2 <= t^2 (sb2 + r^2 sa2)} found
    by root bracketing + scipy.optimize.brentq on that inequality, with
    t from scipy.stats.t.sf(t, df) = alpha/2 solved by brentq (no
    closed-form quadratic);
  - U test: scipy.stats.mannwhitneyu(method='exact' / 'asymptotic');
  - exact U distribution: Gaussian binomial coefficients
    prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i) in exact integer arithmetic
    (a different algorithm from the C subset-sum recurrence);
  - Hodges-Lehmann / Moses: all na*nb differences formed with numpy,
    numpy.median, order statistics picked by the rule documented in
    stats/utest.c, the critical value from the exact integer distribution
    compared with fractions.Fraction, or from scipy.stats.norm.isf;
  - geometric mean: scipy.stats.gmean.
"""

import argparse
import math
import os
import sys
import warnings
from fractions import Fraction

import numpy as np
import scipy
import scipy.optimize
import scipy.stats
from scipy.stats import mstats

EXACT_MAX = 50  # PG_UTEST_EXACT_MAX in stats/utest.h

HERE = os.path.dirname(os.path.abspath(__file__))


def c_double(x):
    x = float(x)
    if math.isnan(x):
        return "NAN"
    if math.isinf(x):
        return "INFINITY" if x > 0 else "-INFINITY"
    r = repr(x)
    if "e" not in r and "." not in r and "n" not in r:
        r += ".0"
    return r


def sig(x, digits=10):
    """Round to `digits` significant digits (keeps the header readable; the
    rounded value is the exact input of both sides)."""
    return float("%.*g" % (digits, x))


class Out:
    def __init__(self):
        self.lines = []

    def w(self, s=""):
        self.lines.append(s)

    def array(self, name, values):
        vals = [c_double(v) for v in values]
        if not vals:
            self.w("static const double %s[1] = { 0 }; /* empty */" % name)
            return
        self.w("static const double %s[] = {" % name)
        line = "\t"
        for v in vals:
            piece = v + ", "
            if len(line) + len(piece) > 76:
                self.w(line.rstrip())
                line = "\t"
            line += piece
        if line.strip():
            self.w(line.rstrip())
        self.w("};")


# ------------------------------------------------------------------ summary

def r8(x, p):
    q = float(np.quantile(np.asarray(x, dtype=float), p, method="median_unbiased"))
    m = float(mstats.mquantiles(np.asarray(x, dtype=float), prob=[p],
                                alphap=1 / 3, betap=1 / 3)[0])
    assert abs(q - m) <= 1e-12 * max(1.0, abs(q)), (x, p, q, m)
    return q


def fences(x):
    q1, q3 = r8(x, 0.25), r8(x, 0.75)
    iqr = q3 - q1
    return q1 - 1.5 * iqr, q3 + 1.5 * iqr


def kept_values(x):
    if len(x) < 4:
        return list(x)
    lo, hi = fences(x)
    return [v for v in x if lo <= v <= hi]


def fence_margin_ok(x):
    """No value within a relative 1e-12 of a fence (unless exactly on it in
    a crafted case, which the caller marks)."""
    if len(x) < 4:
        return True
    lo, hi = fences(x)
    for v in x:
        for f in (lo, hi):
            if v != f and abs(v - f) <= 1e-12 * max(1.0, abs(f)):
                return False
    return True


def gen_summary(o):
    rs = np.random.RandomState(1001)
    samples = []
    for n in (1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 17, 24, 33, 50):
        samples.append([sig(v) for v in rs.normal(100, 15, n)])
    for n in (9, 30):
        samples.append([sig(v) for v in rs.lognormal(3, 1, n)])
    samples.append([sig(v) for v in rs.standard_cauchy(40)])  # heavy tails
    samples.append([float(v) for v in rs.randint(0, 4, 25)])  # many ties
    samples.append([sig(v) for v in 1e-9 * rs.exponential(1, 20)])
    samples.append([sig(v) for v in 1e9 + rs.normal(0, 1, 15)])  # big offset

    # crafted fence cases: quartiles between equal order statistics, so the
    # fences are exact: Q1 = 10, Q3 = 20, fences -5 and 35
    crafted = [
        ("values exactly on both fences are kept",
         [-5.0, 10.0, 10.0, 12.0, 15.0, 20.0, 20.0, 35.0]),
        ("just outside both fences",
         [-5.000001, 10.0, 10.0, 12.0, 15.0, 20.0, 20.0, 35.5]),
        ("on the fences, unsorted (order kept)",
         [20.0, 35.0, 10.0, -5.0, 12.0, 20.0, 15.0, 10.0]),
        ("outside, unsorted (order kept)",
         [20.0, 36.0, 10.0, -6.0, 12.0, 20.0, 15.0, 10.0]),
        ("zero IQR: the fences are the value itself",
         [5.0] * 10 + [6.0]),
        ("zero IQR, below", [4.0] + [5.0] * 10),
        ("n = 3: never dropped", [1.0, 2.0, 1000.0]),
        ("n = 4", [1.0, 2.0, 3.0, 100.0]),
        ("n = 5 with a far outlier", [1.0, 2.0, 3.0, 4.0, 1000.0]),
    ]
    for _, x in crafted:
        assert fence_margin_ok(x)
    for x in samples:
        assert fence_margin_ok(x), x

    probs = [0.0, 0.01, 0.1, 0.25, 1 / 3, 0.5, 0.6, 0.75, 0.9, 0.99, 1.0]

    o.w("#ifdef REF_WANT_SUMMARY")
    o.w()
    o.w("/* samples: pg_summarize vs numpy; quantiles vs numpy.quantile(x, p,")
    o.w(" * method='median_unbiased'); fences and kept values vs numpy quantiles */")
    for i, x in enumerate(samples):
        o.array("ref_sum_x%d" % i, x)
    o.w()
    o.w("struct ref_summary {")
    o.w("\tconst double *x;")
    o.w("\tsize_t n;")
    o.w("\tdouble mean, median, stddev, min, max;")
    o.w("\tsize_t outliers;")
    o.w("};")
    o.w()
    o.w("static const struct ref_summary ref_summaries[] = {")
    for i, x in enumerate(samples):
        a = np.asarray(x)
        n = len(x)
        sd = float(np.std(a, ddof=1)) if n >= 2 else 0.0
        outl = n - len(kept_values(x))
        o.w("\t{ ref_sum_x%d, %d, %s, %s, %s, %s, %s, %d }," % (
            i, n, c_double(np.mean(a)), c_double(np.median(a)), c_double(sd),
            c_double(a.min()), c_double(a.max()), outl))
    o.w("};")
    o.w()
    o.w("struct ref_quantile {")
    o.w("\tconst double *x; /* unsorted */")
    o.w("\tsize_t n;")
    o.w("\tdouble p, q;")
    o.w("};")
    o.w()
    o.w("static const struct ref_quantile ref_quantiles[] = {")
    nq = 0
    for i, x in enumerate(samples):
        for p in probs:
            o.w("\t{ ref_sum_x%d, %d, %s, %s }," % (i, len(x), c_double(p),
                                                   c_double(r8(x, p))))
            nq += 1
    o.w("};")
    o.w()
    o.w("/* fences (n >= 4 only; pg_tukey_fences has no n < 4 rule) and the")
    o.w(" * values pg_drop_outliers keeps, in input order */")
    fcases = [(d, x) for d, x in crafted] + \
             [("random sample %d" % i, x) for i, x in enumerate(samples)]
    for i, (_, x) in enumerate(fcases):
        o.array("ref_fence_x%d" % i, x)
        o.array("ref_fence_kept%d" % i, kept_values(x))
    o.w()
    o.w("struct ref_fence {")
    o.w("\tconst char *what;")
    o.w("\tconst double *x;")
    o.w("\tsize_t n;")
    o.w("\tint has_fences; /* n >= 4 */")
    o.w("\tdouble lo, hi;")
    o.w("\tconst double *kept;")
    o.w("\tsize_t nkept;")
    o.w("};")
    o.w()
    o.w("static const struct ref_fence ref_fences[] = {")
    for i, (d, x) in enumerate(fcases):
        if len(x) >= 4:
            lo, hi = fences(x)
            has = 1
        else:
            lo, hi = fences(x) if len(x) >= 1 else (float("nan"),) * 2
            has = 0
        o.w("\t{ \"%s\", ref_fence_x%d, %d, %d, %s, %s, ref_fence_kept%d, %d }," % (
            d, i, len(x), has, c_double(lo), c_double(hi), i, len(kept_values(x))))
    o.w("};")
    o.w()
    o.w("#endif /* REF_WANT_SUMMARY */")
    o.w()
    return len(samples), nq, len(fcases)


# ------------------------------------------------------------------- welch

def welch_cases():
    rs = np.random.RandomState(2002)
    cases = []

    def norm(na, nb, ma, sa, mb, sb, what):
        a = [sig(v) for v in rs.normal(ma, sa, na)]
        b = [sig(v) for v in rs.normal(mb, sb, nb)]
        cases.append((what, a, b))

    norm(2, 2, 10, 1, 11, 1, "n = 2 each")
    norm(2, 50, 100, 5, 103, 5, "n = 2 vs 50")
    norm(3, 7, 1.0, 0.1, 1.2, 0.5, "unequal n and variances")
    norm(5, 5, 1e6, 1e4, 1.01e6, 1e4, "benchmark-like, 1% shift")
    norm(10, 10, 50, 2, 50, 2, "same distribution")
    norm(20, 30, 0, 1, 0.5, math.sqrt(10), "variance ratio 10")
    norm(50, 50, 100, 1, 101.75, 1, "large effect, p < 1e-11")
    norm(50, 50, 100, 1, 103, 1, "larger effect, p < 1e-25")
    norm(30, 40, 1, 0.01, 1.1, 0.02, "huge effect, p < 1e-30")
    norm(4, 9, 3, 3, 4, 0.3, "small n, unequal variances")
    norm(6, 2, 20, 1, 22, 4, "6 vs 2")
    norm(50, 3, 7, 0.5, 7.5, 2, "50 vs 3")
    norm(2, 3, 5, 2, 5, 2, "2 vs 3, no effect")
    a = [sig(v) for v in rs.normal(42, 3, 12)]
    cases.append(("identical samples", a, list(a)))
    a = [sig(v, 15) for v in rs.normal(1, 0.1, 15)]
    # b = a + noise of 1e-7: t is about 1e-6. (With 1e-9 noise the mean
    # difference, 3e-10, is so small that the rounding of each mean to a
    # double, 1.1e-16, limits t to a relative 1e-6 whatever the algorithm:
    # scipy's t is then off by 5e-7 from the exact value, ours by 2e-7.)
    b = [sig(v + d, 15) for v, d in zip(a, rs.normal(0, 1e-7, 15))]
    cases.append(("identical-ish samples", a, b))
    cases.append(("zero variance in a", [5.0] * 6,
                  [sig(v) for v in rs.normal(5.5, 1, 8)]))
    cases.append(("zero variance in b", [sig(v) for v in rs.normal(3, 0.2, 9)],
                  [3.25] * 4))
    a = [sig(v) for v in rs.lognormal(2, 0.3, 25)]
    b = [sig(v) for v in rs.lognormal(2.1, 0.3, 25)]
    cases.append(("lognormal 25 vs 25", a, b))
    norm(12, 37, -4, 2, -3, 1, "negative means")
    a = [sig(v) for v in rs.exponential(1, 8)]
    b = [sig(v) for v in rs.exponential(1.5, 8)]
    cases.append(("exponential 8 vs 8", a, b))
    norm(45, 15, 2e-9, 1e-10, 2.1e-9, 3e-10, "tiny scale (1e-9)")
    norm(40, 40, 1e9, 2e3, 1e9 + 1e3, 2e3, "large offset (1e9)")
    norm(3, 3, -1, 0.5, 1, 0.5, "3 vs 3 around 0")
    norm(50, 50, 10, 1, 10.4, 1, "borderline significance")
    norm(17, 23, 1000, 30, 990, 50, "17 vs 23")
    norm(8, 8, 1.0, 0.8, 1.1, 0.8, "old mean not far from 0 (unbounded CI)")
    return cases


def fieller_root(g, r0, direction):
    """Outermost sign change of g from r0 (g(r0) < 0) going in `direction`."""
    step = max(1.0, abs(r0))
    x_in, x_out = r0, r0 + direction * step
    for _ in range(2000):
        if g(x_out) > 0:
            break
        x_in, x_out = x_out, x_out + direction * step
        step *= 2
    else:
        raise RuntimeError("no bracket")
    lo, hi = (x_in, x_out) if direction > 0 else (x_out, x_in)
    return scipy.optimize.brentq(g, lo, hi, xtol=1e-300, rtol=8.9e-16,
                                 maxiter=500)


def fieller(a, b, conf):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ma, mb = float(np.mean(a)), float(np.mean(b))
    sa2 = float(np.var(a, ddof=1)) / len(a)
    sb2 = float(np.var(b, ddof=1)) / len(b)
    # Welch df as scipy computes it
    df = (sa2 + sb2) ** 2 / (sa2 ** 2 / (len(a) - 1) + sb2 ** 2 / (len(b) - 1))
    # scipy.stats.t.isf (cdflib's stdtrit) is only accurate to about 1e-9
    # relative; solve t.sf(x) = q to full precision instead
    q = (1 - conf) / 2
    t0 = float(scipy.stats.t.isf(q, df))
    t = scipy.optimize.brentq(lambda x: scipy.stats.t.sf(x, df) - q,
                              t0 * (1 - 1e-6), t0 * (1 + 1e-6),
                              xtol=1e-300, rtol=8.9e-16, maxiter=500)
    c = t * t
    if ma * ma - c * sa2 <= 0:
        return None  # unbounded
    # work with Fractions-free floats but in the original inequality
    def g(r):
        return (mb - r * ma) ** 2 - c * (sb2 + r * r * sa2)
    r0 = mb / ma  # g(r0) = -c sb2 < 0 when sb2 > 0
    assert g(r0) < 0
    lo = fieller_root(g, r0, -1)
    hi = fieller_root(g, r0, +1)
    return lo - 1.0, hi - 1.0


def gen_welch(o):
    cases = welch_cases()
    o.w("#ifdef REF_WANT_WELCH")
    o.w()
    o.w("/* Welch: scipy.stats.ttest_ind(a, b, equal_var=False) */")
    for i, (_, a, b) in enumerate(cases):
        o.array("ref_welch_a%d" % i, a)
        o.array("ref_welch_b%d" % i, b)
    o.w()
    o.w("struct ref_welch {")
    o.w("\tconst char *what;")
    o.w("\tconst double *a;")
    o.w("\tsize_t na;")
    o.w("\tconst double *b;")
    o.w("\tsize_t nb;")
    o.w("\tdouble t, df, p;")
    o.w("};")
    o.w()
    o.w("static const struct ref_welch ref_welch_cases[] = {")
    for i, (what, a, b) in enumerate(cases):
        with warnings.catch_warnings():
            # "precision loss ... nearly identical" for the identical-ish case
            warnings.simplefilter("ignore", RuntimeWarning)
            res = scipy.stats.ttest_ind(a, b, equal_var=False)
        va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
        df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
        o.w("\t{ \"%s\", ref_welch_a%d, %d, ref_welch_b%d, %d, %s, %s, %s }," % (
            what, i, len(a), i, len(b), c_double(res.statistic), c_double(df),
            c_double(res.pvalue)))
    o.w("};")
    o.w()
    o.w("/* Fieller: ends found by brentq on the defining inequality; bounded = 0")
    o.w(" * when the interval is unbounded */")
    o.w("struct ref_fieller {")
    o.w("\tsize_t welch_case;")
    o.w("\tdouble confidence;")
    o.w("\tint bounded;")
    o.w("\tdouble lo, hi; /* of mean_b / mean_a - 1 */")
    o.w("};")
    o.w()
    o.w("static const struct ref_fieller ref_fieller_cases[] = {")
    nf = 0
    nunb = 0
    for i, (what, a, b) in enumerate(cases):
        if np.var(a) == 0 and np.var(b) == 0:
            continue
        for conf in (0.95, 0.90, 0.99):
            if np.var(b, ddof=1) == 0:
                continue  # g(r0) = 0: bracketing needs sb2 > 0 (tested by hand)
            r = fieller(a, b, conf)
            if r is None:
                o.w("\t{ %d, %s, 0, NAN, NAN }," % (i, c_double(conf)))
                nunb += 1
            else:
                o.w("\t{ %d, %s, 1, %s, %s }," % (i, c_double(conf),
                                                c_double(r[0]), c_double(r[1])))
            nf += 1
    o.w("};")
    assert nunb >= 1
    o.w()
    o.w("#endif /* REF_WANT_WELCH */")
    o.w()
    return len(cases), nf, nunb


# ------------------------------------------------------------------- utest

def has_ties(a, b):
    xy = list(a) + list(b)
    return len(set(xy)) != len(xy)


def utest_cases():
    rs = np.random.RandomState(3003)
    cases = []

    def cont(na, nb, shift, what, scale=1.0):
        a = [sig(v) for v in rs.normal(0, scale, na)]
        b = [sig(v) for v in rs.normal(shift, scale, nb)]
        assert not has_ties(a, b)
        cases.append((what, a, b))

    def tied(na, nb, shift, what, step=1.0, scale=3.0):
        a = [round(v / step) * step for v in rs.normal(0, scale, na)]
        b = [round(v / step) * step for v in rs.normal(shift, scale, nb)]
        assert has_ties(a, b)
        cases.append((what, a, b))

    # no ties (exact)
    cont(1, 1, 0.5, "1 vs 1")
    cont(1, 6, 0.5, "1 vs 6")
    cont(2, 2, 0.5, "2 vs 2")
    cont(2, 3, 1.0, "2 vs 3")
    cont(3, 3, 0.0, "3 vs 3")
    cont(3, 7, 1.0, "3 vs 7")
    cases.append(("4 vs 4 separated", [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]))
    cont(5, 5, 0.7, "5 vs 5")
    cont(5, 9, -0.5, "5 vs 9")
    cont(8, 8, 1.0, "8 vs 8")
    cont(9, 9, 0.2, "9 vs 9")
    cont(10, 3, 2.0, "10 vs 3")
    cont(12, 15, 0.8, "12 vs 15")
    cont(20, 20, 0.3, "20 vs 20")
    cont(30, 45, 0.6, "30 vs 45")
    cont(50, 50, 0.1, "50 vs 50 overlapping")
    a = [sig(v) for v in rs.uniform(0, 1, 50)]
    b = [sig(v) for v in rs.uniform(2, 3, 50)]
    cases.append(("50 vs 50 separated (p = 2 / C(100, 50))", a, b))
    cont(50, 2, 1.0, "50 vs 2")
    cont(7, 49, -1.0, "7 vs 49")
    cont(25, 50, 0.5, "25 vs 50")
    cont(40, 40, 1.5, "40 vs 40, tiny p")
    cont(60, 40, 0.3, "60 vs 40 (no ties, beyond the exact limit)")
    cont(51, 10, 0.5, "51 vs 10 (no ties, beyond the exact limit)")
    # ties (asymptotic)
    cases.append(("2 vs 2 with a tie", [1.0, 2.0], [2.0, 3.0]))
    tied(3, 4, 1.0, "3 vs 4 ties")
    tied(5, 5, 2.0, "5 vs 5 ties")
    tied(8, 6, 0.0, "8 vs 6 ties")
    tied(10, 10, 1.0, "10 vs 10 ties")
    tied(20, 25, 2.0, "20 vs 25 ties")
    tied(50, 50, 0.5, "50 vs 50 heavy ties", step=1.0, scale=1.0)
    tied(50, 50, 12.0, "50 vs 50 ties, tiny p")
    tied(2, 40, 3.0, "2 vs 40 ties")
    tied(45, 7, -2.0, "45 vs 7 ties")
    cases.append(("ties across samples only", [1.0, 2.0, 3.0, 4.5],
                  [3.0, 4.0, 5.0, 6.0, 7.0]))
    cases.append(("ties within a only", [1.0, 1.0, 2.0, 5.0], [3.0, 4.0, 6.0]))
    cases.append(("all tied", [7.0] * 5, [7.0] * 4))
    cases.append(("all tied 1 vs 1", [7.0], [7.0]))
    tied(70, 30, 1.0, "70 vs 30 ties")
    return cases


def gen_utest(o):
    cases = utest_cases()
    o.w("#ifdef REF_WANT_UTEST")
    o.w()
    o.w("/* U test: scipy.stats.mannwhitneyu(a, b, alternative='two-sided',")
    o.w(" * method='exact') and method='asymptotic' (use_continuity=True) */")
    for i, (_, a, b) in enumerate(cases):
        o.array("ref_ut_a%d" % i, a)
        o.array("ref_ut_b%d" % i, b)
    o.w()
    o.w("struct ref_utest {")
    o.w("\tconst char *what;")
    o.w("\tconst double *a;")
    o.w("\tsize_t na;")
    o.w("\tconst double *b;")
    o.w("\tsize_t nb;")
    o.w("\tint ties;")
    o.w("\tint auto_exact; /* the header's rule: no ties and na, nb <= 50 */")
    o.w("\tdouble u;       /* scipy's statistic (U of a) */")
    o.w("\tdouble p_exact; /* method='exact' */")
    o.w("\tdouble p_asymptotic;")
    o.w("};")
    o.w()
    o.w("static const struct ref_utest ref_utest_cases[] = {")
    nexact = nasym = 0
    for i, (what, a, b) in enumerate(cases):
        ties = has_ties(a, b)
        auto_exact = (not ties) and len(a) <= EXACT_MAX and len(b) <= EXACT_MAX
        with np.errstate(divide="ignore", invalid="ignore"):
            re = scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
                                          method="exact")
            ra = scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
                                          method="asymptotic")
        assert re.statistic == ra.statistic
        if auto_exact:
            nexact += 1
        else:
            nasym += 1
        o.w("\t{ \"%s\", ref_ut_a%d, %d, ref_ut_b%d, %d, %d, %d, %s, %s, %s }," % (
            what, i, len(a), i, len(b), int(ties), int(auto_exact),
            c_double(re.statistic), c_double(re.pvalue), c_double(ra.pvalue)))
    o.w("};")
    o.w()

    # exact CDF from Gaussian binomial coefficients (integers)
    o.w("/* P(U <= k) for sizes (m, n): Gaussian binomial coefficients in exact")
    o.w(" * integer arithmetic */")
    o.w("struct ref_ucdf {")
    o.w("\tsize_t m, n, k;")
    o.w("\tdouble cdf;")
    o.w("};")
    o.w()
    o.w("static const struct ref_ucdf ref_ucdf_cases[] = {")
    ncdf = 0
    for m, n in ((1, 1), (2, 3), (3, 4), (4, 3), (7, 7), (10, 10), (5, 50),
                 (50, 50), (12, 60)):
        cnt = u_counts(m, n)
        total = sum(cnt)
        assert total == math.comb(m + n, m)
        for k in sorted({0, 1, m * n // 4, m * n // 2 - 1, m * n // 2,
                         m * n // 2 + 1, 3 * m * n // 4, m * n - 1, m * n,
                         m * n + 5}):
            if k < 0:
                continue
            c = Fraction(sum(cnt[:k + 1]), total)
            o.w("\t{ %d, %d, %d, %s }," % (m, n, k, c_double(float(c))))
            ncdf += 1
    o.w("};")
    o.w()
    nshift = gen_shift(o)
    o.w("#endif /* REF_WANT_UTEST */")
    o.w()
    return len(cases), nexact, nasym, ncdf, nshift


def poly_mul_1_minus_qk(p, k):
    """p * (1 - q^k)"""
    r = p + [0] * k
    for i in range(len(p)):
        r[i + k] -= p[i]
    return r


def poly_div_1_minus_qk(p, k):
    """p / (1 - q^k), exact (the division must be exact)"""
    r = list(p)
    for i in range(k, len(r)):
        r[i] += r[i - k]
    # the result has degree len(p) - 1 - k
    assert all(v == 0 for v in r[len(p) - k:])
    return r[:len(p) - k]


def u_counts(m, n):
    """Coefficients of the Gaussian binomial [m + n choose m]_q: the number
    of arrangements with U = k, k = 0..mn."""
    p = [1]
    for i in range(1, m + 1):
        p = poly_mul_1_minus_qk(p, n + i)
        p = poly_div_1_minus_qk(p, i)
    assert len(p) == m * n + 1 and all(v >= 0 for v in p)
    return p


def moses(a, b, conf):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    na, nb = len(a), len(b)
    M = na * nb
    d = np.sort(np.subtract.outer(b, a).ravel())
    assert len(d) == M
    est = float(np.median(d))
    half = (1 - conf) / 2
    exact = (not has_ties(a, b)) and na <= EXACT_MAX and nb <= EXACT_MAX
    if exact:
        cnt = u_counts(na, nb)
        total = sum(cnt)
        # the documented rule: P(U <= u) <= alpha/2 with a relative
        # tolerance of 1e-9, so that a coverage of exactly `confidence`
        # counts despite the rounding of 1 - confidence
        thr = Fraction(half) * (1 + Fraction(1, 10 ** 9))
        k = 0
        run = 0
        for u in range(M + 1):
            run += cnt[u]
            cdf = Fraction(run, total)
            # no case may sit on the threshold (C compares doubles)
            assert abs(cdf - thr) > thr * Fraction(1, 10 ** 12), (na, nb, conf)
            if cdf <= thr:
                k = u + 1
            else:
                break
    else:
        z = float(scipy.stats.norm.isf(half))
        x = M / 2 + 0.5 - z * math.sqrt(M * (na + nb + 1) / 12)
        assert abs(x - round(x)) > 1e-9, (na, nb, conf)
        k = int(math.floor(x)) if x >= 1 else 0
    k = min(k, (M + 1) // 2)
    if k == 0:
        lo, hi = d[0], d[-1]
    else:
        lo, hi = d[k - 1], d[M - k]
    return est, float(lo), float(hi), k, exact


def gen_shift(o):
    rs = np.random.RandomState(4004)
    cases = []

    def cont(na, nb, shift, conf, what):
        a = [sig(v) for v in rs.normal(10, 1, na)]
        b = [sig(v) for v in rs.normal(10 + shift, 1, nb)]
        assert not has_ties(a, b)
        cases.append((what, a, b, conf))

    def tied(na, nb, shift, conf, what):
        a = [float(round(v)) for v in rs.normal(10, 2, na)]
        b = [float(round(v)) for v in rs.normal(10 + shift, 2, nb)]
        assert has_ties(a, b)
        cases.append((what, a, b, conf))

    cont(2, 2, 1.0, 0.95, "2 vs 2: too few differences, full range")
    cont(3, 3, 0.5, 0.90, "3 vs 3 at 90%")
    cont(4, 5, 1.0, 0.80, "4 vs 5 at 80%")
    cont(4, 4, 1.0, 1 - 4 / 70,
         "4 vs 4 at 1 - 4/70: P(U <= 1) = alpha/2 exactly, k = 2")
    cont(1, 39, 0.5, 0.90,
         "1 vs 39 at 90%: P(U <= 1) = 0.05 = alpha/2 exactly, k = 2")
    cont(5, 5, 1.0, 0.95, "5 vs 5")
    cont(1, 7, 0.3, 0.50, "1 vs 7 at 50%")
    cont(10, 12, -0.5, 0.95, "10 vs 12")
    cont(8, 9, 0.5, 0.99, "8 vs 9 at 99%")
    cont(20, 20, 0.2, 0.95, "20 vs 20")
    cont(33, 17, 1.0, 0.90, "33 vs 17 at 90%")
    cont(50, 50, 0.3, 0.95, "50 vs 50")
    cont(60, 40, 0.3, 0.95, "60 vs 40 (normal approximation)")
    cont(51, 3, 0.3, 0.99, "51 vs 3 (normal approximation)")
    tied(10, 10, 1.0, 0.95, "10 vs 10 ties (normal approximation)")
    tied(50, 50, 0.5, 0.90, "50 vs 50 ties (normal approximation)")
    tied(3, 3, 0.5, 0.95, "3 vs 3 ties: full range")
    tied(7, 30, 2.0, 0.99, "7 vs 30 ties at 99%")

    for i, (_, a, b, _c) in enumerate(cases):
        o.array("ref_sh_a%d" % i, a)
        o.array("ref_sh_b%d" % i, b)
    o.w()
    o.w("/* Hodges-Lehmann / Moses: all differences b_j - a_i sorted with numpy;")
    o.w(" * k the order statistic of the lower end (0: full range) */")
    o.w("struct ref_shift {")
    o.w("\tconst char *what;")
    o.w("\tconst double *a;")
    o.w("\tsize_t na;")
    o.w("\tconst double *b;")
    o.w("\tsize_t nb;")
    o.w("\tdouble confidence;")
    o.w("\tint exact;")
    o.w("\tsize_t k;")
    o.w("\tdouble estimate, lo, hi;")
    o.w("};")
    o.w()
    o.w("static const struct ref_shift ref_shift_cases[] = {")
    for i, (what, a, b, conf) in enumerate(cases):
        est, lo, hi, k, exact = moses(a, b, conf)
        o.w("\t{ \"%s\", ref_sh_a%d, %d, ref_sh_b%d, %d, %s, %d, %d, %s, %s, %s }," % (
            what, i, len(a), i, len(b), c_double(conf), int(exact), k,
            c_double(est), c_double(lo), c_double(hi)))
    o.w("};")
    o.w()
    return len(cases)


# ----------------------------------------------------------------- geomean

def gen_geomean(o):
    rs = np.random.RandomState(5005)
    samples = [
        [sig(v) for v in rs.lognormal(0, 1, 1)],
        [sig(v) for v in rs.lognormal(0, 1, 2)],
        [sig(v) for v in rs.lognormal(5, 2, 5)],
        [sig(v) for v in rs.lognormal(0, 1, 50)],
        [sig(v) for v in 10.0 ** rs.uniform(-9, 9, 40)],  # wide magnitudes
        [1e-300, 1e-300, 1e300],                           # log space needed
        [1e300] * 4,                                       # product overflows
        [2.0, 8.0],
    ]
    o.w("#ifdef REF_WANT_GEOMEAN")
    o.w()
    o.w("/* geometric mean: scipy.stats.gmean */")
    for i, x in enumerate(samples):
        o.array("ref_gm_x%d" % i, x)
    o.w()
    o.w("struct ref_geomean {")
    o.w("\tconst double *x;")
    o.w("\tsize_t n;")
    o.w("\tdouble gmean;")
    o.w("};")
    o.w()
    o.w("static const struct ref_geomean ref_geomean_cases[] = {")
    for i, x in enumerate(samples):
        g = float(scipy.stats.gmean(np.asarray(x, dtype=float)))
        o.w("\t{ ref_gm_x%d, %d, %s }," % (i, len(x), c_double(g)))
    o.w("};")
    o.w()
    o.w("#endif /* REF_WANT_GEOMEAN */")
    o.w()
    return len(samples)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output",
                    default=os.path.join(HERE, "reference_values.h"))
    args = ap.parse_args()

    body = Out()
    ns, nq, nf = gen_summary(body)
    nw, nfi, nunb = gen_welch(body)
    nu, nue, nua, ncdf, nsh = gen_utest(body)
    ng = gen_geomean(body)

    head = Out()
    head.w("/*")
    head.w(" * GENERATED FILE - do not edit.")
    head.w(" *")
    head.w(" * Produced by tests/stats/gen_reference.py with the command")
    head.w(" *     /usr/bin/python3 tests/stats/gen_reference.py")
    head.w(" * run from the repository root (Debian 12: python %s, numpy %s,"
           % (".".join(map(str, sys.version_info[:3])), np.__version__))
    head.w(" * scipy %s). Reference values for tests/stats/test_*.c." % scipy.__version__)
    head.w(" *")
    head.w(" * Cases: %d summaries, %d quantiles, %d fence cases; %d Welch cases,"
           % (ns, nq, nf, nw))
    head.w(" * %d Fieller intervals (%d unbounded); %d U test cases (%d exact by the"
           % (nfi, nunb, nu, nue))
    head.w(" * header's rule, %d asymptotic), %d exact-CDF values, %d shift cases;"
           % (nua, ncdf, nsh))
    head.w(" * %d geometric means." % ng)
    head.w(" *")
    head.w(" * Sections are guarded: define REF_WANT_SUMMARY, REF_WANT_WELCH,")
    head.w(" * REF_WANT_UTEST or REF_WANT_GEOMEAN before including.")
    head.w(" */")
    head.w()
    head.w("#ifndef PG_TESTS_STATS_REFERENCE_VALUES_H")
    head.w("#define PG_TESTS_STATS_REFERENCE_VALUES_H")
    head.w()
    head.w("#include <math.h>")
    head.w("#include <stddef.h>")
    head.w()
    text = "\n".join(head.lines + body.lines +
                     ["#endif /* PG_TESTS_STATS_REFERENCE_VALUES_H */", ""])
    with open(args.output, "w") as f:
        f.write(text)
    print("wrote %s" % args.output, file=sys.stderr)


if __name__ == "__main__":
    main()
