#!/usr/bin/python3
"""Generate tests/stats/paired_reference.h: reference values for
tests/stats/test_paired.c (stats/paired.c) and tests/stats/test_sequential.c
(stats/sequential.c), computed with numpy/scipy independently of the C
code.

Run with Debian's python3 (scipy 1.10.1, numpy 1.24.2), from the repository
root:

    /usr/bin/python3 tests/stats/gen_paired_reference.py

It writes tests/stats/paired_reference.h (or the path given with -o). The
output is deterministic: fixed seeds (numpy.random.RandomState), no
timestamps. The C literal formatting and the decision rule's helpers
(Holm/BH over ranks, the oriented thresholds, the decision of a tested row,
skewed samples) are imported from gen_reference.py and
gen_decide_reference.py.

Independence from the C implementation:
  - paired t-test: scipy.stats.ttest_rel(log cand, log base) for t and p;
    the interval and the mde from scipy.stats.t.ppf with df = n - 1;
  - correlation: scipy.stats.pearsonr;
  - Wilcoxon: scipy.stats.wilcoxon(d, zero_method='wilcox',
    correction=True, method='exact' or 'approx' by the rule of
    stats/paired.h); the Hodges-Lehmann pseudo-median as numpy.median of
    all Walsh averages (formed with numpy), the interval's order
    statistic from scipy's own exact null distribution
    (scipy.stats._morestats._get_wilcoxon_distr) or scipy.stats.norm.isf;
  - raw-scale paired interval: the ends of {r : (mb - r ma)^2 <= t^2 (vb -
    2 r c + r^2 va) / n} by root bracketing + scipy.optimize.brentq (no
    closed-form quadratic);
  - unpaired view: scipy.stats.ttest_ind(equal_var=False) on the logs;
  - the sequential rule: re-implemented here from its statement in
    stats/sequential.h (looks, Bonferroni levels, intervals from
    scipy.stats.t.ppf, projections), run on crafted suites look by look.
"""

import argparse
import math
import os
import sys
import textwrap
import warnings

import numpy as np
import scipy
import scipy.optimize
import scipy.stats as st
from scipy.stats._morestats import _get_wilcoxon_distr

from gen_reference import c_double, sig  # the same C literal formatting
from gen_decide_reference import (Out, bh_def, decision, holm_def,
                                  oriented_thresholds, skewed)

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = 0.05
THRESHOLD = 5.0
POWER = 0.8
EXACT_MAX = 50  # PG_SIGNED_RANK_EXACT_MAX


def pct(x, log_scale=True):
    return 100 * math.expm1(x) if log_scale else 100 * x


def mde_pct(mde, log_scale, lower):
    if not log_scale:
        return 100 * mde
    return 100 * math.expm1(mde) if lower else -100 * math.expm1(-mde)


def w(o, s):
    o.w(s)


# ------------------------------------------------------------ paired analysis

def fieller_paired(base, cand, conf):
    """ends of {r : (mb - r ma)^2 <= t^2 (vb - 2 r c + r^2 va) / n}, as
    ratios minus 1; None when unbounded"""
    a = np.asarray(base, float)
    b = np.asarray(cand, float)
    n = len(a)
    ma, mb = a.mean(), b.mean()
    va, vb = a.var(ddof=1), b.var(ddof=1)
    c = np.cov(a, b, ddof=1)[0, 1]
    t = st.t.ppf(1 - (1 - conf) / 2, n - 1)

    def f(r):
        return (mb - r * ma) ** 2 - t * t * (vb - 2 * r * c + r * r * va) / n

    if ma * ma <= t * t * va / n:
        return None
    r0 = mb / ma
    assert f(r0) <= 0
    step = max(abs(r0), 1e-3)
    lo = r0 - step
    while f(lo) <= 0:
        lo -= step
        step *= 2
    step = max(abs(r0), 1e-3)
    hi = r0 + step
    while f(hi) <= 0:
        hi += step
        step *= 2
    rl = scipy.optimize.brentq(f, lo, r0, xtol=1e-15, rtol=1e-15)
    rh = scipy.optimize.brentq(f, r0, hi, xtol=1e-15, rtol=1e-15)
    return rl - 1, rh - 1


def walsh_sorted(d):
    d = np.asarray(d, float)
    i, j = np.triu_indices(len(d))
    return np.sort((d[i] + d[j]) / 2)


def signed_rank_ref(d, alpha):
    d = np.asarray(d, float)
    n = len(d)
    nz = d[d != 0]
    absd = np.abs(nz)
    ties = len(np.unique(absd)) < len(absd)
    exact = len(nz) > 0 and not ties and len(nz) <= EXACT_MAX
    r = st.rankdata(absd)
    w_plus = float(np.sum(r[nz > 0]))
    if len(nz) == 0:
        p, method = 1.0, "PG_UTEST_EXACT"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = st.wilcoxon(d, zero_method="wilcox", correction=True,
                              method="exact" if exact else "approx")
        p = float(res.pvalue)
        method = "PG_UTEST_EXACT" if exact else "PG_UTEST_ASYMPTOTIC"
    ws = walsh_sorted(d)
    M = len(ws)
    hl = float(np.median(ws))
    if len(nz) == n and not ties and n <= EXACT_MAX:
        pmf = _get_wilcoxon_distr(n)
        cdf = np.cumsum(pmf)
        k = int(np.sum(cdf <= alpha / 2 * (1 + 1e-9)))
    else:
        sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
        x = M / 2 + 0.5 - st.norm.isf(alpha / 2) * sigma
        k = 0 if x < 1 else int(math.floor(x))
    k = min(k, (M + 1) // 2)
    if k == 0:
        lo, hi = float(np.min(d)), float(np.max(d))
    else:
        lo, hi = float(ws[k - 1]), float(ws[M - k])
    return dict(w_n=len(nz), w_plus=w_plus, w_p=p, w_method=method, hl=hl,
                hl_lo=lo, hl_hi=hi, exact=exact)


def analyse_pairs(base, cand, alpha=ALPHA, level=ALPHA, lower=True):
    base = np.asarray(base, float)
    cand = np.asarray(cand, float)
    n = min(len(base), len(cand))
    a, b = base[:n], cand[:n]
    log_scale = bool(np.all(base > 0) and np.all(cand > 0))
    x, y = (np.log(a), np.log(b)) if log_scale else (a, b)
    d = y - x
    r = dict(n=n, n_base=len(base), n_cand=len(cand), log_scale=log_scale)
    r["mean"] = float(np.mean(d))
    r["sd"] = float(np.std(d, ddof=1))
    r["se"] = r["sd"] / math.sqrt(n)
    r["df"] = n - 1
    tt = st.ttest_rel(y, x)
    r["t"] = float(tt.statistic)
    r["p"] = float(tt.pvalue)
    r["base_center"] = float(np.exp(np.mean(x))) if log_scale else float(np.mean(a))
    r["cand_center"] = float(np.exp(np.mean(y))) if log_scale else float(np.mean(b))
    if np.std(x) > 0 and np.std(y) > 0:
        r["corr"] = float(st.pearsonr(x, y)[0])
    else:
        r["corr"] = 0.0
    tq = st.t.ppf(1 - alpha / 2, n - 1)
    mde = (st.t.ppf(1 - level / 2, n - 1) + st.t.ppf(POWER, n - 1)) * r["se"]
    if log_scale:
        r["delta"] = pct(r["mean"])
        r["ci"] = (pct(r["mean"] - tq * r["se"]), pct(r["mean"] + tq * r["se"]))
        r["mde"] = mde_pct(mde, True, lower)
    else:
        scale = abs(float(np.mean(a)))
        r["delta"] = 100 * r["mean"] / scale
        r["mde"] = 100 * mde / scale
        f = fieller_paired(a, b, 1 - alpha) if np.mean(a) > 0 else None
        r["ci"] = (100 * f[0], 100 * f[1]) if f else None
    sr = signed_rank_ref(d, alpha)
    r.update(sr)
    if log_scale:
        r["hl_pct"] = (pct(sr["hl"]), pct(sr["hl_lo"]), pct(sr["hl_hi"]))
    else:
        ms = abs(float(np.median(a)))
        r["hl_pct"] = tuple(100 * v / ms for v in (sr["hl"], sr["hl_lo"], sr["hl_hi"]))
    # unpaired: Welch on all samples
    xa = np.log(base) if log_scale else base
    xb = np.log(cand) if log_scale else cand
    tu = st.ttest_ind(xa, xb, equal_var=False)  # pg_welch's t: (old - new) / se
    va, vb = np.var(xa, ddof=1) / len(xa), np.var(xb, ddof=1) / len(xb)
    dfu = (va + vb) ** 2 / (va ** 2 / (len(xa) - 1) + vb ** 2 / (len(xb) - 1))
    seu = math.sqrt(va + vb)
    diff = float(np.mean(xb) - np.mean(xa))
    r["welch_p"] = float(tu.pvalue)
    r["welch_t"] = float(tu.statistic)
    r["welch_df"] = dfu
    tqu = st.t.ppf(1 - alpha / 2, dfu)
    mdeu = (st.t.ppf(1 - level / 2, dfu) + st.t.ppf(POWER, dfu)) * seu
    if log_scale:
        r["welch_delta"] = pct(diff)
        r["welch_ci"] = (pct(diff - tqu * seu), pct(diff + tqu * seu))
        r["welch_mde"] = mde_pct(mdeu, True, lower)
    else:
        sc = abs(float(np.mean(xa)))
        r["welch_delta"] = 100 * diff / sc
        r["welch_ci"] = None  # Fieller, checked in C against pg_welch_ratio_ci
        r["welch_mde"] = 100 * mdeu / sc
    r["base"] = [float(v) for v in base]
    r["cand"] = [float(v) for v in cand]
    return r


def abba_pairs(rs, n, base, cv, shift, slow_sd=0.0, nb=None, nc=None):
    """n pairs sharing a slow host factor per slot, fast skewed noise on
    each run, the candidate x shift"""
    theta = cv / (1 - cv)
    host = np.exp(rs.normal(0, slow_sd, n)) if slow_sd > 0 else np.ones(n)
    a = base * host * (1 + rs.exponential(theta, n))
    b = base * shift * host * (1 + rs.exponential(theta, n))
    a = [sig(v) for v in a]
    b = [sig(v) for v in b]
    if nb is not None:
        a = a[:nb]
    if nc is not None:
        b = b[:nc]
    return a, b


def gen_analyse_cases(o):
    rs = np.random.RandomState(9151)
    cases = []
    # (label, base, cand, level, lower)
    a, b = abba_pairs(rs, 10, 1000, 0.03, 1.05, slow_sd=0.05)
    cases.append(("shared drift, +5%", a, b, ALPHA / 20, True))
    a, b = abba_pairs(rs, 12, 5e4, 0.08, 1.0)
    cases.append(("no change", a, b, ALPHA, True))
    a, b = abba_pairs(rs, 11, 300, 0.05, 0.93, slow_sd=0.02)
    cases.append(("unequal 9 vs 11", a[:9], b, ALPHA / 10, True))
    a, b = abba_pairs(rs, 3, 70, 0.04, 1.1)
    cases.append(("three pairs", a, b, ALPHA, True))
    a, b = abba_pairs(rs, 60, 2e3, 0.10, 1.02, slow_sd=0.03)
    cases.append(("60 pairs (normal approximation)", a, b, ALPHA / 50, True))
    a, b = abba_pairs(rs, 8, 400, 0.05, 0.9)
    cases.append(("rate, higher is better", a, b, ALPHA / 4, False))
    # ties and zeros: repeated and identical pairs
    base = [100.0, 120.0, 100.0, 90.0, 100.0, 130.0, 85.0, 100.0, 111.0, 97.0]
    cand = [110.0, 125.0, 110.0, 90.0, 110.0, 128.0, 90.0, 100.0, 119.0, 99.0]
    cases.append(("ties and zeros", base, cand, ALPHA, True))
    # raw scale: a value <= 0
    base = [sig(v) for v in [0.0, 3.1, 2.2, 4.05, 2.9, 3.3, 2.75, 3.6]]
    cand = [sig(v) for v in [0.4, 3.5, 2.9, 4.3, 3.4, 3.2, 3.3, 4.1]]
    cases.append(("raw scale", base, cand, ALPHA, True))

    refs = []
    for label, a, b, level, lower in cases:
        r = analyse_pairs(a, b, ALPHA, level, lower)
        r["label"], r["level"], r["lower"] = label, level, lower
        refs.append(r)

    for i, r in enumerate(refs):
        o.array("ref_pa_base%d" % i, r["base"])
        o.array("ref_pa_cand%d" % i, r["cand"])
    o.w()
    o.w("struct ref_paired {")
    o.w("\tconst char *what;")
    o.w("\tconst double *base, *cand;")
    o.w("\tsize_t n_base, n_cand;")
    o.w("\tdouble level;")
    o.w("\tint lower, log_scale;")
    o.w("\tdouble mean, sd, se, t, df, p, delta;")
    o.w("\tint has_ci;")
    o.w("\tdouble ci_lo, ci_hi, mde, corr, base_center, cand_center;")
    o.w("\tsize_t w_n;")
    o.w("\tdouble w_plus, w_p;")
    o.w("\tpg_utest_method w_method;")
    o.w("\tdouble hl, hl_lo, hl_hi, hl_pct, hl_lo_pct, hl_hi_pct;")
    o.w("\tdouble welch_t, welch_df, welch_p, welch_delta;")
    o.w("\tint welch_has_ci;")
    o.w("\tdouble welch_ci_lo, welch_ci_hi, welch_mde;")
    o.w("};")
    o.w()
    o.w("static const struct ref_paired ref_paired_cases[] = {")
    for i, r in enumerate(refs):
        ci = r["ci"]
        wci = r["welch_ci"]
        o.w('\t{ "%s", ref_pa_base%d, ref_pa_cand%d, %d, %d, %s, %d, %d,'
            % (r["label"], i, i, r["n_base"], r["n_cand"], c_double(r["level"]),
               int(r["lower"]), int(r["log_scale"])))
        o.w("\t  %s, %s, %s, %s, %s, %s, %s,"
            % tuple(c_double(r[k]) for k in ("mean", "sd", "se", "t", "df", "p", "delta")))
        o.w("\t  %d, %s, %s, %s, %s, %s, %s,"
            % (int(ci is not None), c_double(ci[0] if ci else math.nan),
               c_double(ci[1] if ci else math.nan), c_double(r["mde"]),
               c_double(r["corr"]), c_double(r["base_center"]),
               c_double(r["cand_center"])))
        o.w("\t  %d, %s, %s, %s,"
            % (r["w_n"], c_double(r["w_plus"]), c_double(r["w_p"]), r["w_method"]))
        o.w("\t  %s, %s, %s, %s, %s, %s,"
            % (c_double(r["hl"]), c_double(r["hl_lo"]), c_double(r["hl_hi"]),
               c_double(r["hl_pct"][0]), c_double(r["hl_pct"][1]),
               c_double(r["hl_pct"][2])))
        o.w("\t  %s, %s, %s, %s,"
            % (c_double(r["welch_t"]), c_double(r["welch_df"]), c_double(r["welch_p"]),
               c_double(r["welch_delta"])))
        o.w("\t  %d, %s, %s, %s },"
            % (int(wci is not None), c_double(wci[0] if wci else math.nan),
               c_double(wci[1] if wci else math.nan), c_double(r["welch_mde"])))
    o.w("};")
    o.w()
    nexact = sum(1 for r in refs if r["exact"])
    return len(refs), nexact


# ------------------------------------------------------------ paired suite

def decide_paired_suite(rows, test):
    """rows: (name, unit, base, cand); the paired decision of each row,
    per correction; every row tested, log scale"""
    m = len(rows)
    res = []
    for name, unit, base, cand in rows:
        lower = not unit.endswith("/s")
        r = analyse_pairs(base, cand, ALPHA, ALPHA, lower)
        assert r["log_scale"]
        if test == "welch":
            tq = st.t.ppf(1 - ALPHA / 2, r["df"])
            est, lo, hi, p = r["mean"], r["mean"] - tq * r["se"], r["mean"] + tq * r["se"], r["p"]
        else:
            est, lo, hi, p = r["hl"], r["hl_lo"], r["hl_hi"], r["w_p"]
        r.update(name=name, unit=unit, lower=lower, est=est, lo=lo, hi=hi, ptest=p)
        r["o_est"] = est if lower else -est
        r["o_lo"] = lo if lower else -hi
        r["o_hi"] = hi if lower else -lo
        res.append(r)
    ps = [r["ptest"] for r in res]
    adj = {"holm": holm_def(ps), "bh": bh_def(ps), "none": list(ps)}
    for corr in ("holm", "bh", "none"):
        level = ALPHA if corr == "none" else ALPHA / m
        for i, r in enumerate(res):
            thr_w, thr_b = oriented_thresholds(THRESHOLD, r["lower"], True)
            n = r["n"]
            mde = (st.t.ppf(1 - level / 2, n - 1) + st.t.ppf(POWER, n - 1)) * r["se"]
            has_mde = 1
            if test == "utest":
                mde /= math.sqrt(3 / math.pi)
                if 2 / 2 ** n >= level:
                    has_mde = 0
            mde_p = mde_pct(mde, True, r["lower"])
            if has_mde:
                cg = mde_p > THRESHOLD
                runs = n if mde <= thr_w else math.ceil(n * (mde / thr_w) ** 2)
            else:
                cg = True
                k = 2
                while 2 / 2 ** k >= level:
                    k += 1
                runs = max(k, n if mde <= thr_w else math.ceil(n * (mde / thr_w) ** 2))
            r["padj_" + corr] = adj[corr][i]
            r["has_mde_" + corr] = has_mde
            r["mde_" + corr] = mde_p if has_mde else 0.0
            r["guard_" + corr] = int(cg)
            r["runs_" + corr] = float(runs)
            r["dec_" + corr] = decision(adj[corr][i], r["o_est"], r["o_lo"], r["o_hi"],
                                        thr_w, thr_b, cg, False)
            if corr == "holm":
                r["dec_holm_ci"] = decision(adj[corr][i], r["o_est"], r["o_lo"],
                                            r["o_hi"], thr_w, thr_b, cg, True)
    return res


def emit_paired_suite(o, tag, res):
    o.w("static const struct ref_paired_row ref_%s_rows[] = {" % tag)
    for i, r in enumerate(res):
        o.w('\t{ "%s", "%s", ref_ps_base%d, %d, ref_ps_cand%d, %d,'
            % (r["name"], r["unit"], i, r["n_base"], i, r["n_cand"]))
        o.w("\t  %s, %s, %s, %s,"
            % (c_double(r["ptest"]), c_double(pct(r["est"])), c_double(pct(r["lo"])),
               c_double(pct(r["hi"]))))
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


def gen_paired_suite(o):
    rs = np.random.RandomState(2718)
    spec = [
        # name, unit, n, base, cv, shift, slow drift sd, n_base, n_cand
        ("Quiet/same", "ns/op", 10, 1000, 0.02, 1.00, 0.05, None, None),
        ("Quiet/slower12", "ns/op", 10, 2500, 0.02, 1.12, 0.05, None, None),
        ("Noisy/same", "ns/op", 10, 800, 0.20, 1.00, 0.0, None, None),
        ("Noisy/slower10", "ns/op", 10, 800, 0.20, 1.10, 0.0, None, None),
        ("Faster15", "ns/op", 10, 5e4, 0.03, 0.85, 0.03, None, None),
        ("Slight3", "ns/op", 10, 1e5, 0.005, 1.03, 0.02, None, None),
        ("Unequal/8v9", "ns/op", 9, 300, 0.05, 1.07, 0.04, 8, None),
        ("Tiny/3", "ns/op", 3, 70, 0.05, 1.02, 0.0, None, None),
        ("Drifty/slower8", "ns/op", 12, 900, 0.02, 1.08, 0.15, None, None),
        # a second unit after the first (pg_compare groups rows by unit)
        ("Rate/slower", "MB/s", 10, 400, 0.03, 0.88, 0.05, None, None),
        ("Rate/faster", "MB/s", 10, 250, 0.02, 1.08, 0.02, None, None),
    ]
    rows = []
    for name, unit, n, base, cv, shift, sd, nb, nc in spec:
        a, b = abba_pairs(rs, n, base, cv, shift, slow_sd=sd, nb=nb, nc=nc)
        rows.append((name, unit, a, b))
    welch = decide_paired_suite(rows, "welch")
    utest = decide_paired_suite(rows, "utest")
    for i, r in enumerate(welch):
        o.array("ref_ps_base%d" % i, r["base"])
        o.array("ref_ps_cand%d" % i, r["cand"])
    o.w()
    o.w("/* paired suites: per row the samples, the test's p, the change and")
    o.w(" * its interval (percent), and per correction (Holm, BH, none) the")
    o.w(" * adjusted p, the mde, cannot_guard, runs_needed (pairs) and the")
    o.w(" * decision; last the Holm decision with the threshold on the interval")
    o.w(" * (the interval's decision row, see ref_decide_corr in")
    o.w(" * decide_reference.h) */")
    o.w("struct ref_paired_corr {")
    o.w("\tdouble p_adjusted;")
    o.w("\tint has_mde;")
    o.w("\tdouble mde_percent;")
    o.w("\tint cannot_guard;")
    o.w("\tdouble runs_needed;")
    o.w("\tpg_decision decision;")
    o.w("};")
    o.w()
    o.w("struct ref_paired_row {")
    o.w("\tconst char *benchmark, *unit;")
    o.w("\tconst double *base;")
    o.w("\tsize_t n_base;")
    o.w("\tconst double *cand;")
    o.w("\tsize_t n_cand;")
    o.w("\tdouble p, delta_percent, ci_low_percent, ci_high_percent;")
    o.w("\tstruct ref_paired_corr corr[3]; /* holm, bh, none */")
    o.w("\tpg_decision decision_holm_ci;")
    o.w("};")
    o.w()
    o.w("/* paired t-test on the log ratios */")
    emit_paired_suite(o, "pt", welch)
    o.w("/* signed-rank test, Hodges-Lehmann change and interval */")
    emit_paired_suite(o, "psr", utest)
    return len(welch)


# ------------------------------------------------------------ sequential

def welch_log(x, y):
    va, vb = np.var(x, ddof=1), np.var(y, ddof=1)
    na, nb = len(x), len(y)
    se = math.sqrt(va / na + vb / nb)
    if se > 0:
        df = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
        # the df gives ttest_ind's p
        tt = st.ttest_ind(y, x, equal_var=False)
        assert abs(2 * st.t.sf(abs(tt.statistic), df) - tt.pvalue) <= 1e-12 + 1e-9 * tt.pvalue
    else:
        df = na + nb - 2
    return float(np.mean(y) - np.mean(x)), se, df, va, vb


def ws_df(va, na, vb, nb):
    ea, eb = va / na, vb / nb
    den = ea * ea / (na - 1) + eb * eb / (nb - 1)
    if not den > 0:
        return na + nb - 2
    return (ea + eb) ** 2 / den


def seq_run(rows, min_runs, batch, max_runs, paired=False, baseline_fixed=False,
            stop_hopeless=True, corr="holm"):
    """The rule of stats/sequential.h, look by look. rows: (name, unit, old,
    new) with max_runs samples a side (old: its own count when
    baseline_fixed). Returns the looks: per look the verdict and per row
    its status and figures."""
    K = 1 + (max_runs - min_runs + batch - 1) // batch
    a_f = ALPHA / K
    state = {}
    looks = []
    n = min_runs
    for look in range(1, K + 1):
        det = []
        tested = []
        for name, unit, old, new in rows:
            o = old if baseline_fixed else old[:n]
            nw = new[:n]
            if len(set(o)) == 1 and len(set(nw)) == 1:
                det.append(name)
            else:
                tested.append(name)
        m = len(tested)
        a_e = a_f if corr == "none" else a_f / m
        pending = False
        out_rows = []
        for name, unit, old, new in rows:
            lower = not unit.endswith("/s")
            o = np.asarray(old if baseline_fixed else old[:n], float)
            nw = np.asarray(new[:n], float)
            prev = state.get(name)
            if prev is not None and prev["final"]:
                out_rows.append(prev)
                continue
            if name in det:
                o0, n0 = o[0], nw[0]
                dlt = 100 * (n0 - o0) / abs(o0)
                r = dict(name=name, status="PG_SEQ_EXACT", final=True, look=look,
                         n_old=len(o), n_new=len(nw), delta=dlt, eff=(dlt, dlt),
                         fut=(dlt, dlt), mde=0.0, mde_max=0.0, hw_max=0.0)
                state[name] = r
                out_rows.append(r)
                continue
            if paired:
                k = min(len(o), len(nw))
                d = np.log(nw[:k]) - np.log(o[:k])
                est = float(np.mean(d))
                tt = st.ttest_rel(np.log(nw[:k]), np.log(o[:k]))
                se = float(np.std(d, ddof=1)) / math.sqrt(k)
                if se > 0:
                    assert abs(est / se - tt.statistic) <= 1e-9 * abs(tt.statistic)
                df = k - 1
                kp = max(k, max_runs)
                se_max = se * math.sqrt(k / kp)
                df_max = kp - 1
                n_old = n_new = k
            else:
                est, se, df, va, vb = welch_log(np.log(o), np.log(nw))
                no = len(o) if baseline_fixed else max(len(o), max_runs)
                nn = max(len(nw), max_runs)
                se_max = math.sqrt(va / no + vb / nn)
                df_max = ws_df(va, no, vb, nn)
                n_old, n_new = len(o), len(nw)

            def ci(a):
                if se == 0:
                    return est, est
                q = st.t.ppf(1 - a / 2, df)
                return est - q * se, est + q * se

            e_lo, e_hi = ci(a_e)
            f_lo, f_hi = ci(a_f)
            tw, tb = oriented_thresholds(THRESHOLD, lower, True)
            oe_lo, oe_hi = (e_lo, e_hi) if lower else (-e_hi, -e_lo)
            of_hi = f_hi if lower else -f_lo
            mde = (st.t.ppf(1 - a_e / 2, df) + st.t.ppf(POWER, df)) * se
            mde_max = (st.t.ppf(1 - a_e / 2, df_max) + st.t.ppf(POWER, df_max)) * se_max
            if oe_lo > tw:
                status = "PG_SEQ_REGRESSED"
            elif oe_hi < -tb:
                status = "PG_SEQ_IMPROVED"
            elif of_hi < tw:
                status = "PG_SEQ_UNCHANGED"
            elif stop_hopeless and st.t.ppf(1 - a_f / 2, df_max) * se_max >= tw \
                    and not oe_lo > 0:
                status = "PG_SEQ_HOPELESS"
            else:
                status = "PG_SEQ_UNDECIDED"
            final = status in ("PG_SEQ_REGRESSED", "PG_SEQ_IMPROVED", "PG_SEQ_UNCHANGED")
            if status == "PG_SEQ_UNDECIDED" and n_new < max_runs:
                pending = True
            r = dict(name=name, status=status, final=final, look=look, n_old=n_old,
                     n_new=n_new, delta=pct(est), eff=(pct(e_lo), pct(e_hi)),
                     fut=(pct(f_lo), pct(f_hi)), mde=mde_pct(mde, True, lower),
                     mde_max=mde_pct(mde_max, True, lower),
                     hw_max=pct(st.t.ppf(1 - a_f / 2, df_max) * se_max))
            state[name] = r
            out_rows.append(r)
        undecided = sum(1 for r in out_rows if r["status"] == "PG_SEQ_UNDECIDED")
        hopeless = sum(1 for r in out_rows if r["status"] == "PG_SEQ_HOPELESS")
        at_max = look >= K or not pending
        stop = (undecided == 0 and (hopeless == 0 or stop_hopeless)) or at_max
        looks.append(dict(look=look, n=n, a_e=a_e, a_f=a_f, stop=stop,
                          all_decided=undecided == 0 and hopeless == 0,
                          rows=[dict(r) for r in out_rows]))
        if stop:
            break
        n = min(n + batch, max_runs)
    return K, looks


def gen_sequential(o):
    rs = np.random.RandomState(31337)
    MAXN = 30

    def side(base, cv, factor=1.0, n=MAXN):
        return skewed(rs, base, cv, n, factor)

    # crafted rows: clearly inside, clearly outside (both ways), a medium
    # row that clears later, a noisy one (hopeless / undecided at max), a
    # change at the threshold (undecided), a deterministic row
    rows = [
        ("Quiet/same", "ns/op", side(1000, 0.01), side(1000, 0.01)),
        ("Quiet/slower20", "ns/op", side(2000, 0.01), side(2000, 0.01, 1.20)),
        ("Quiet/faster20", "ns/op", side(3000, 0.01), side(3000, 0.01, 0.80)),
        ("Medium/same", "ns/op", side(500, 0.05), side(500, 0.05)),
        ("Noisy/same", "ns/op", side(800, 0.25), side(800, 0.25)),
        ("Edge/slower5", "ns/op", side(700, 0.03), side(700, 0.03, 1.05)),
        ("Rate/slower20", "MB/s", side(400, 0.01), side(400, 0.01, 1 / 1.2)),
        ("Allocs", "allocs/op", [12.0] * MAXN, [12.0] * MAXN),
    ]
    allrows = list(range(len(rows)))
    clear = [0, 1, 2, 6, 7]       # decided at the first look
    quick = [0, 1, 2, 4, 6, 7]    # ... and a hopeless row
    # (tag, the rows (indices into rows), options); "stored": a stored
    # baseline of 10 samples, the candidate grows
    scenarios = [
        ("default", allrows, dict(paired=False, baseline_fixed=False, stop_hopeless=True)),
        ("no_hopeless", allrows, dict(paired=False, baseline_fixed=False, stop_hopeless=False)),
        ("paired", allrows, dict(paired=True, baseline_fixed=False, stop_hopeless=True)),
        ("stored", allrows, dict(paired=False, baseline_fixed=True, stop_hopeless=True)),
        ("clear", clear, dict(paired=False, baseline_fixed=False, stop_hopeless=True)),
        ("quick", quick, dict(paired=False, baseline_fixed=False, stop_hopeless=True)),
        ("quick_no_hopeless", quick, dict(paired=False, baseline_fixed=False,
                                          stop_hopeless=False)),
        ("medium", [3], dict(paired=False, baseline_fixed=False, stop_hopeless=True)),
    ]

    names = [r[0] for r in rows]
    for i, (nm, u, old, new) in enumerate(rows):
        o.array("ref_seq_old%d" % i, old)
        o.array("ref_seq_new%d" % i, new)
    o.w()
    o.w("struct ref_seq_input {")
    o.w("\tconst char *benchmark, *unit;")
    o.w("\tconst double *old, *new;")
    o.w("};")
    o.w()
    o.w("static const struct ref_seq_input ref_seq_inputs[] = {")
    for i, (nm, u, old, new) in enumerate(rows):
        o.w('\t{ "%s", "%s", ref_seq_old%d, ref_seq_new%d },' % (nm, u, i, i))
    o.w("};")
    o.w()
    o.w("#define REF_SEQ_MAXN %d" % MAXN)
    o.w("#define REF_SEQ_NROWS %d" % len(rows))
    o.w()
    o.w("struct ref_seq_row {")
    o.w("\tpg_seq_status status;")
    o.w("\tsize_t look, n_old, n_new;")
    o.w("\tdouble delta, eff_lo, eff_hi, fut_lo, fut_hi, mde, mde_max, hw_max;")
    o.w("};")
    o.w()
    o.w("struct ref_seq_look {")
    o.w("\tsize_t n;")
    o.w("\tdouble level_eff, level_fut;")
    o.w("\tint stop, all_decided;")
    o.w("\tstruct ref_seq_row rows[REF_SEQ_NROWS]; /* the scenario's rows */")
    o.w("};")
    o.w()
    o.w("struct ref_seq_scenario {")
    o.w("\tconst char *what;")
    o.w("\tint paired, baseline_fixed, stop_hopeless;")
    o.w("\tsize_t baseline_n; /* 0: grows with the looks */")
    o.w("\tsize_t nrows;")
    o.w("\tint rows[REF_SEQ_NROWS]; /* indices into ref_seq_inputs */")
    o.w("\tsize_t looks_planned, nlooks;")
    o.w("\tconst struct ref_seq_look *looks;")
    o.w("};")
    o.w()
    summary = []
    for tag, subset, kw in scenarios:
        rws = [rows[i] for i in subset]
        if kw["baseline_fixed"]:
            rws = [(nm, u, old[:10], new) for nm, u, old, new in rws]
        K, looks = seq_run(rws, 5, 5, MAXN, **kw)
        o.w("static const struct ref_seq_look ref_seq_%s[] = {" % tag)
        for lk in looks:
            o.w("\t{ %d, %s, %s, %d, %d, {" % (lk["n"], c_double(lk["a_e"]), c_double(lk["a_f"]),
                                              int(lk["stop"]), int(lk["all_decided"])))
            for r in lk["rows"]:
                o.w("\t\t{ %s, %d, %d, %d, %s, %s, %s, %s, %s, %s, %s, %s },"
                    % (r["status"], r["look"], r["n_old"], r["n_new"],
                       c_double(r["delta"]), c_double(r["eff"][0]), c_double(r["eff"][1]),
                       c_double(r["fut"][0]), c_double(r["fut"][1]),
                       c_double(r["mde"]), c_double(r["mde_max"]), c_double(r["hw_max"])))
            o.w("\t} },")
        o.w("};")
        o.w()
        summary.append((tag, subset, kw, K, looks))
    o.w("static const struct ref_seq_scenario ref_seq_scenarios[] = {")
    for tag, subset, kw, K, looks in summary:
        o.w('\t{ "%s", %d, %d, %d, %d, %d, { %s }, %d, %d, ref_seq_%s },'
            % (tag, int(kw["paired"]), int(kw["baseline_fixed"]), int(kw["stop_hopeless"]),
               10 if kw["baseline_fixed"] else 0, len(subset),
               ", ".join(str(i) for i in subset), K, len(looks), tag))
    o.w("};")
    o.w()
    # the crafted rows must exercise every status somewhere
    seen = set()
    for tag, subset, kw, K, looks in summary:
        for lk in looks:
            for r in lk["rows"]:
                seen.add(r["status"])
    for want in ("PG_SEQ_UNCHANGED", "PG_SEQ_REGRESSED", "PG_SEQ_IMPROVED", "PG_SEQ_EXACT",
                 "PG_SEQ_HOPELESS", "PG_SEQ_UNDECIDED"):
        assert want in seen, (want, seen)
    return [(tag, len(looks), looks[-1]["n"]) for tag, subset, kw, K, looks in summary], names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "paired_reference.h"))
    args = ap.parse_args()

    body = Out()
    na, nexact = gen_analyse_cases(body)
    ns = gen_paired_suite(body)
    seq, _ = gen_sequential(body)

    head = Out()
    head.w("/*")
    head.w(" * GENERATED FILE - do not edit.")
    head.w(" *")
    head.w(" * Produced by tests/stats/gen_paired_reference.py with the command")
    head.w(" *     /usr/bin/python3 tests/stats/gen_paired_reference.py")
    head.w(" * run from the repository root (Debian 12: python %s, numpy %s,"
           % (".".join(map(str, sys.version_info[:3])), np.__version__))
    head.w(" * scipy %s). Reference values for tests/stats/test_paired.c and"
           % scipy.__version__)
    head.w(" * tests/stats/test_sequential.c: %d paired analyses (%d with an exact"
           % (na, nexact))
    head.w(" * signed-rank p); a %d-row paired suite (t-test and signed-rank);" % ns)
    text = "the sequential rule on crafted rows: %s." % ", ".join(
        "%s %d look%s to %d runs" % (t, k, "" if k == 1 else "s", n) for t, k, n in seq)
    for line in textwrap.wrap(text, 70):
        head.w(" * " + line)
    head.w(" * alpha %g, threshold %g%%." % (ALPHA, THRESHOLD))
    head.w(" */")
    head.w()
    head.w("#ifndef PG_TESTS_STATS_PAIRED_REFERENCE_H")
    head.w("#define PG_TESTS_STATS_PAIRED_REFERENCE_H")
    head.w()
    head.w("#include <math.h>")
    head.w("#include <stddef.h>")
    head.w()
    head.w('#include "stats/decide.h"')
    head.w('#include "stats/sequential.h"')
    head.w('#include "stats/utest.h"')
    head.w()
    text = "\n".join(head.lines + body.lines +
                     ["#endif /* PG_TESTS_STATS_PAIRED_REFERENCE_H */", ""])
    with open(args.output, "w") as f:
        f.write(text)
    print("wrote %s" % args.output, file=sys.stderr)


if __name__ == "__main__":
    main()
