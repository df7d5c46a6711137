#!/usr/bin/python3
"""Generate tests/stats/decide_reference.h: reference values for
tests/stats/test_decide.c (stats/decide.c), computed with numpy/scipy
independently of the C code.

Run with Debian's python3 (scipy 1.10.1, numpy 1.24.2), from the repository
root:

    /usr/bin/python3 tests/stats/gen_decide_reference.py

It writes tests/stats/decide_reference.h (or the path given with -o). The
output is deterministic: fixed seeds (numpy.random.RandomState), no
timestamps.

Independence from the C implementation:
  - Holm and Benjamini-Hochberg adjusted p-values from their definitions
    over ranks, with no running maximum/minimum over a sorted array:
      Holm  adj_i = max over j with p_j <= p_i of min(1, (m - r_j + 1) p_j),
            r_j = 1 + #{k : p_k < p_j}  (the smallest rank of a tie group);
      BH    adj_i = min over j with p_j >= p_i of min(1, m p_j / R_j),
            R_j = #{k : p_k <= p_j}     (the largest rank of a tie group);
    (tied p-values share one adjusted value either way: see the header);
  - Welch on the logs: scipy.stats.ttest_ind(np.log(new), np.log(old),
    equal_var=False) for t and p; the Welch-Satterthwaite df computed here
    with numpy and checked against ttest_ind's p via scipy.stats.t.sf; the
    interval from scipy.stats.t.ppf; delta = expm1 of the difference of
    the mean logs;
  - mde: (t.ppf(1 - a/2, df) + t.ppf(0.8, df)) * se with a = alpha / m
    (Holm, BH) or alpha (none), 100 (exp(mde) - 1) for lower-is-better
    units and 100 (1 - exp(-mde)) for higher-is-better ones;
  - U test: scipy.stats.mannwhitneyu(old, new, method='exact'), the
    Hodges-Lehmann shift as numpy.median of all pairwise differences of
    the logs;
  - raw-scale fallback (a value <= 0): ttest_ind on the values, the
    change relative to the old mean.
  - decisions from the rule as stated in stats/decide.h, for suites built
    so that host drift is not suspected (asserted here).
"""

import argparse
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats as st

from gen_reference import c_double, sig  # the same C literal formatting

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = 0.05
THRESHOLD = 5.0
POWER = 0.8
DRIFT_MIN_ROWS = 5  # PG_DRIFT_MIN_ROWS


class Out:
    def __init__(self):
        self.lines = []

    def w(self, s=""):
        self.lines.append(s)

    def array(self, name, values):
        vals = [c_double(v) for v in values]
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


# ------------------------------------------------------------ corrections

def holm_def(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    out = []
    for i in range(m):
        best = 0.0
        for j in range(m):
            if p[j] <= p[i]:
                r = 1 + int(np.sum(p < p[j]))
                best = max(best, min(1.0, (m - r + 1) * p[j]))
        out.append(best)
    return out


def bh_def(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    out = []
    for i in range(m):
        best = 1.0
        for j in range(m):
            if p[j] >= p[i]:
                R = int(np.sum(p <= p[j]))
                best = min(best, min(1.0, m * p[j] / R))
        out.append(best)
    return out


def gen_adjust(o):
    rs = np.random.RandomState(4242)
    cases = [
        ("single", [0.03]),
        ("two", [0.04, 0.01]),
        ("uniform 10", [sig(v) for v in rs.uniform(0, 1, 10)]),
        ("small p 12", [sig(v) for v in rs.uniform(0, 0.02, 12)]),
        ("ties", [0.01, 0.04, 0.01, 0.03, 0.04, 0.2, 0.01]),
        ("zeros and ones", [0.0, 1.0, 0.0, 0.5, 1.0, 0.001]),
        ("mixed 25", [sig(v) for v in np.concatenate(
            [rs.uniform(0, 1e-4, 5), rs.uniform(0, 1, 20)])]),
        ("tiny", [1e-300, 3e-12, 2e-12, 0.9]),
    ]
    o.w("/* Holm and BH: definitions over ranks (see the script) */")
    for i, (what, p) in enumerate(cases):
        o.array("ref_adj_p%d" % i, p)
        o.array("ref_adj_holm%d" % i, holm_def(p))
        o.array("ref_adj_bh%d" % i, bh_def(p))
    o.w()
    o.w("struct ref_adjust {")
    o.w("\tconst char *what;")
    o.w("\tconst double *p, *holm, *bh;")
    o.w("\tsize_t m;")
    o.w("};")
    o.w()
    o.w("static const struct ref_adjust ref_adjust_cases[] = {")
    for i, (what, p) in enumerate(cases):
        o.w('\t{ "%s", ref_adj_p%d, ref_adj_holm%d, ref_adj_bh%d, %d },'
            % (what, i, i, i, len(p)))
    o.w("};")
    o.w()
    return len(cases)


# ------------------------------------------------------------ suites

def skewed(rs, base, cv, n, factor=1.0):
    """base * factor * (1 + X), X ~ Exponential(mean cv / (1 - cv))"""
    theta = cv / (1 - cv)
    return [sig(v) for v in base * factor * (1 + rs.exponential(theta, n))]


def welch_df(a, b):
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    return (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)), \
        math.sqrt(va + vb)


def oriented_thresholds(t, lower, log_scale):
    f = t / 100.0
    if not log_scale:
        return f, f
    up = math.log1p(f)
    down = math.inf if f >= 1 else -math.log1p(-f)
    return (up, down) if lower else (down, up)


def decision(padj, o_est, o_lo, o_hi, thr_w, thr_b, cannot_guard, on_ci):
    s = padj < ALPHA
    wv = o_lo if on_ci else o_est
    bv = o_hi if on_ci else o_est
    if s and o_est > 0 and wv > thr_w:
        return "PG_DECISION_REGRESSION"
    if s and o_est < 0 and bv < -thr_b:
        return "PG_DECISION_IMPROVEMENT"
    if not s and cannot_guard:
        return "PG_DECISION_NOISE"
    return "PG_DECISION_UNCHANGED"


def analyse_suite(rows, test):
    """rows: (name, unit, old, new). Returns per-row dicts."""
    m = len(rows)
    res = []
    for name, unit, old, new in rows:
        a = np.asarray(old, dtype=float)
        b = np.asarray(new, dtype=float)
        lower = not unit.endswith("/s")
        log_scale = bool(np.all(a > 0) and np.all(b > 0))
        x, y = (np.log(a), np.log(b)) if log_scale else (a, b)
        tt = st.ttest_ind(y, x, equal_var=False)
        df, se = welch_df(x, y)
        # the df computed here gives ttest_ind's p
        p_check = 2 * st.t.sf(abs(tt.statistic), df)
        assert abs(p_check - tt.pvalue) <= 1e-12 + 1e-9 * tt.pvalue, (name, p_check, tt.pvalue)
        d = float(np.mean(y) - np.mean(x))
        r = dict(name=name, unit=unit, old=old, new=new, lower=lower,
                 log_scale=log_scale, df=df, se=se)
        if test == "welch":
            p = float(tt.pvalue)
            tq = st.t.ppf(1 - ALPHA / 2, df)
            if log_scale:
                est, lo, hi = d, d - tq * se, d + tq * se
            else:
                sc = abs(float(np.mean(a)))
                est, lo, hi = d / sc, math.nan, math.nan
        else:
            u = st.mannwhitneyu(a, b, alternative="two-sided", method="exact")
            p = float(u.pvalue)
            est = float(np.median(np.subtract.outer(y, x)))
            lo = hi = math.nan
        r["p"] = p
        r["est"] = est
        r["delta"] = 100 * math.expm1(est) if log_scale else 100 * est
        r["ci_lo"] = 100 * math.expm1(lo) if not math.isnan(lo) else math.nan
        r["ci_hi"] = 100 * math.expm1(hi) if not math.isnan(hi) else math.nan
        r["o_est"] = est if lower else -est
        r["o_lo"] = (lo if lower else -hi)
        r["o_hi"] = (hi if lower else -lo)
        res.append(r)

    ps = [r["p"] for r in res]
    adj = {"holm": holm_def(ps), "bh": bh_def(ps), "none": list(ps)}
    for corr in ("holm", "bh", "none"):
        level = ALPHA if corr == "none" else ALPHA / m
        for i, r in enumerate(res):
            thr_w, thr_b = oriented_thresholds(THRESHOLD, r["lower"], r["log_scale"])
            mde = (st.t.ppf(1 - level / 2, r["df"]) + st.t.ppf(POWER, r["df"])) * r["se"]
            has_mde = 1
            if not r["log_scale"]:
                mde /= abs(float(np.mean(r["old"])))
            if test == "utest":
                mde /= math.sqrt(3 / math.pi)
                na, nb = len(r["old"]), len(r["new"])
                if 2 / math.comb(na + nb, na) >= level:
                    has_mde = 0
            if not r["log_scale"]:
                mde_pct = 100 * mde
            elif r["lower"]:
                mde_pct = 100 * math.expm1(mde)
            else:
                mde_pct = -100 * math.expm1(-mde)
            n = max(len(r["old"]), len(r["new"]))
            if has_mde:
                cg = mde_pct > THRESHOLD
                runs = n if mde <= thr_w else math.ceil(n * (mde / thr_w) ** 2)
            else:
                cg = True
                k = 2
                while 2 / math.comb(2 * k, k) >= level:
                    k += 1
                runs = max(k, n if mde <= thr_w else math.ceil(n * (mde / thr_w) ** 2))
            r["padj_" + corr] = adj[corr][i]
            r["has_mde_" + corr] = has_mde
            r["mde_" + corr] = mde_pct if has_mde else 0.0
            r["guard_" + corr] = int(cg)
            r["runs_" + corr] = float(runs)
            r["dec_" + corr] = decision(adj[corr][i], r["o_est"], r["o_lo"], r["o_hi"],
                                        thr_w, thr_b, cg, False)
            if corr == "holm":
                r["dec_holm_ci"] = decision(adj[corr][i], r["o_est"], r["o_lo"],
                                            r["o_hi"], thr_w, thr_b, cg, test == "welch")
    # no drift can be suspected in these suites
    for corr in ("holm",):
        worse = sum(1 for r in res if r["log_scale"] and r["p"] < ALPHA and r["o_est"] > 0)
        better = sum(1 for r in res if r["log_scale"] and r["p"] < ALPHA and r["o_est"] < 0)
        assert worse < DRIFT_MIN_ROWS and better < DRIFT_MIN_ROWS, \
            (worse, better, [(r["name"], r["p"], r["o_est"]) for r in res])
    return res


def emit_suite(o, tag, res):
    for i, r in enumerate(res):
        o.array("ref_%s_old%d" % (tag, i), r["old"])
        o.array("ref_%s_new%d" % (tag, i), r["new"])
    o.w()
    o.w("static const struct ref_decide_row ref_%s_rows[] = {" % tag)
    for i, r in enumerate(res):
        o.w('\t{ "%s", "%s", ref_%s_old%d, %d, ref_%s_new%d, %d,'
            % (r["name"], r["unit"], tag, i, len(r["old"]), tag, i, len(r["new"])))
        o.w("\t  %d, %s, %s, %s, %s, %s,"
            % (int(not r["log_scale"]), c_double(r["p"]), c_double(r["delta"]),
               c_double(r["ci_lo"]), c_double(r["ci_hi"]), c_double(r["df"])))
        for k, corr in enumerate(("holm", "bh", "none")):
            o.w("\t  %s{ %s, %d, %s, %d, %s, %s }%s"
                % ("{ " if k == 0 else "  ",
                   c_double(r["padj_" + corr]), r["has_mde_" + corr],
                   c_double(r["mde_" + corr]), r["guard_" + corr],
                   c_double(r["runs_" + corr]), r["dec_" + corr],
                   " }," if k == 2 else ","))
        o.w("\t  %s }," % r["dec_holm_ci"])
    o.w("};")
    o.w()


def gen_suites(o):
    rs = np.random.RandomState(778)
    # (name, unit, base, cv, n_old, n_new, factor, generator)
    spec = [
        ("Quiet/same", "ns/op", 1000, 0.02, 10, 10, 1.00, "exp"),
        ("Quiet/slower12", "ns/op", 2500, 0.02, 10, 10, 1.12, "exp"),
        ("Noisy/same", "ns/op", 800, 0.20, 10, 10, 1.00, "exp"),
        ("Noisy/slower10", "ns/op", 800, 0.20, 10, 10, 1.10, "exp"),
        ("Faster15", "ns/op", 5e4, 0.03, 10, 10, 0.85, "exp"),
        ("Slight3", "ns/op", 1e5, 0.005, 10, 10, 1.03, "exp"),
        ("Unequal/8v14", "ns/op", 300, 0.05, 8, 14, 1.06, "exp"),
        ("Lognormal", "ns/op", 1e6, 0.10, 12, 12, 1.00, "lognormal"),
        ("Tiny/3v3", "ns/op", 70, 0.05, 3, 3, 1.02, "exp"),
        ("Large/30v30", "ns/op", 9e3, 0.10, 30, 30, 0.99, "exp"),
        ("Rate/slower", "MB/s", 400, 0.03, 10, 10, 0.88, "exp"),
        ("Rate/faster", "MB/s", 250, 0.02, 10, 10, 1.08, "exp"),
        ("Rate/noisy", "MB/s", 90, 0.15, 10, 10, 1.0, "exp"),
    ]
    rows = []
    for name, unit, base, cv, na, nb, factor, gen in spec:
        if gen == "exp":
            old = skewed(rs, base, cv, na)
            new = skewed(rs, base, cv, nb, factor)
        else:
            old = [sig(v) for v in base * rs.lognormal(0, cv, na)]
            new = [sig(v) for v in base * factor * rs.lognormal(0, cv, nb)]
        rows.append((name, unit, old, new))
    welch = analyse_suite(rows, "welch")
    utest = analyse_suite(rows, "utest")

    # the raw-scale fallback: a suite of one row with a value <= 0
    raw_rows = [("Raw/zero", "delta/op", [sig(v) for v in [0.0, 3.1, 2.2, 4.05, 2.9, 3.3]],
                 [sig(v) for v in [3.9, 4.4, 0.0, 5.1, 4.6, 4.8, 5.25]])]
    raw = analyse_suite(raw_rows, "welch")

    o.w("/* suites: per row the samples, then (see struct ref_decide_row) scipy's")
    o.w(" * p, delta and interval (percent) and df, and per correction (Holm, BH,")
    o.w(" * none) the adjusted p, the mde, cannot_guard, runs_needed and the")
    o.w(" * decision; last the Holm decision with the threshold on the interval */")
    o.w("struct ref_decide_corr {")
    o.w("\tdouble p_adjusted;")
    o.w("\tint has_mde;")
    o.w("\tdouble mde_percent;")
    o.w("\tint cannot_guard;")
    o.w("\tdouble runs_needed;")
    o.w("\tpg_decision decision;")
    o.w("};")
    o.w()
    o.w("struct ref_decide_row {")
    o.w("\tconst char *benchmark, *unit;")
    o.w("\tconst double *old;")
    o.w("\tsize_t n_old;")
    o.w("\tconst double *new;")
    o.w("\tsize_t n_new;")
    o.w("\tint raw_scale;")
    o.w("\tdouble p, delta_percent, ci_low_percent, ci_high_percent, df;")
    o.w("\tstruct ref_decide_corr corr[3]; /* holm, bh, none */")
    o.w("\tpg_decision decision_holm_ci;")
    o.w("};")
    o.w()
    o.w("/* Welch on the logs */")
    emit_suite(o, "welch", welch)
    o.w("/* U test (exact), Hodges-Lehmann shift of the logs (no interval here:")
    o.w(" * the Moses interval is tested in test_utest.c) */")
    emit_suite(o, "utest", utest)
    o.w("/* raw-scale fallback (Welch on the values; interval: Fieller, checked")
    o.w(" * in the test against pg_welch_ratio_ci) */")
    emit_suite(o, "raw", raw)
    return len(welch), len(raw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "decide_reference.h"))
    args = ap.parse_args()

    body = Out()
    na = gen_adjust(body)
    ns, nr = gen_suites(body)

    head = Out()
    head.w("/*")
    head.w(" * GENERATED FILE - do not edit.")
    head.w(" *")
    head.w(" * Produced by tests/stats/gen_decide_reference.py with the command")
    head.w(" *     /usr/bin/python3 tests/stats/gen_decide_reference.py")
    head.w(" * run from the repository root (Debian 12: python %s, numpy %s,"
           % (".".join(map(str, sys.version_info[:3])), np.__version__))
    head.w(" * scipy %s). Reference values for tests/stats/test_decide.c:"
           % scipy.__version__)
    head.w(" * %d p-value adjustment cases; a %d-row suite (Welch on logs and U test);"
           % (na, ns))
    head.w(" * a %d-row raw-scale suite. alpha %g, threshold %g%%." % (nr, ALPHA, THRESHOLD))
    head.w(" */")
    head.w()
    head.w("#ifndef PG_TESTS_STATS_DECIDE_REFERENCE_H")
    head.w("#define PG_TESTS_STATS_DECIDE_REFERENCE_H")
    head.w()
    head.w("#include <math.h>")
    head.w("#include <stddef.h>")
    head.w()
    head.w('#include "stats/decide.h"')
    head.w()
    text = "\n".join(head.lines + body.lines +
                     ["#endif /* PG_TESTS_STATS_DECIDE_REFERENCE_H */", ""])
    with open(args.output, "w") as f:
        f.write(text)
    print("wrote %s" % args.output, file=sys.stderr)


if __name__ == "__main__":
    main()
