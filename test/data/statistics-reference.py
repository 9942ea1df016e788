"""Reference values for test/study-statistics.test.ts, computed with scipy, statsmodels and mpmath.

Regenerate (any scratch venv): pip install scipy statsmodels mpmath && python statistics-reference.py > statistics-reference.json
The inputs include Student's sleep data (Cushny & Peebles 1905, the paired example of "Student" 1908
and R's t.test documentation) and made-up accuracies of the size the seed study produces.

The t distribution's values come from mpmath at 50 significant digits (the regularised incomplete
beta function, root-found for the quantile) and are checked against scipy to 1e-13 relative. The
exact Wilcoxon p-values are counted here by enumerating all 2^n sign assignments of the midranks
and checked against scipy (method='exact' without ties; its exact permutation distribution with
ties or zeros).
"""
import itertools
import json
import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

sleep1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
sleep2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
acc_a = [0.9139, 0.9152, 0.9127, 0.9161, 0.9144]
acc_b = [0.9144, 0.9131, 0.9140, 0.9150, 0.9129]
acc_c = [0.9213, 0.9198, 0.9231, 0.9207, 0.9224]

def summary(x):
    x = np.asarray(x, float)
    n = len(x)
    m = x.mean()
    sd = x.std(ddof=1)
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    if sd == 0:
        lo, hi = m, m  # scipy's interval is nan for a zero scale; the degenerate interval is the point
    else:
        # scipy's own interval, cross-checked against the formula
        lo, hi = stats.t.interval(0.95, n - 1, loc=m, scale=stats.sem(x))
        assert abs(lo - (m - half)) < 1e-12 and abs(hi - (m + half)) < 1e-12
    return {"values": list(x), "n": n, "mean": m, "sd": sd, "min": x.min(), "max": x.max(), "ci95": [lo, hi]}

def paired(a, b):
    r = stats.ttest_rel(a, b)
    d = np.asarray(a) - np.asarray(b)
    ci = r.confidence_interval(0.95)
    return {"a": a, "b": b, "meanDiff": d.mean(), "t": r.statistic, "df": int(r.df), "p": r.pvalue, "ci95": [ci.low, ci.high]}

mp.mp.dps = 50

def t_lower_tail(t, df):
    """P(T <= -|t|) for Student's t with df degrees of freedom: I_x(df/2, 1/2) / 2 with x = df / (df + t^2)."""
    t, df = mp.mpf(t), mp.mpf(df)
    return mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2

def t_critical(df, level=0.975):
    q = mp.findroot(lambda x: t_lower_tail(x, df) - (1 - mp.mpf(level)), stats.t.ppf(level, df))
    assert abs(float(q) - stats.t.ppf(level, df)) <= 1e-13 * float(q)
    return float(q)

def t_two_sided(t, df):
    p = 2 * t_lower_tail(t, df)
    assert abs(float(p) - 2 * stats.t.sf(abs(t), df)) <= 1e-12 * float(p)
    return float(p)

def wilcoxon_enumerated(d):
    """Exact two-sided p of the signed-rank test by enumerating every sign assignment of the midranks, zeros dropped."""
    nz = [x for x in d if x != 0]
    ranks = stats.rankdata(np.abs(nz))
    w = sum(r for r, x in zip(ranks, nz) if x > 0)
    sums = [sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product([0, 1], repeat=len(nz))]
    lower = sum(1 for s in sums if s <= w + 1e-9)
    upper = sum(1 for s in sums if s >= w - 1e-9)
    return float(w), len(nz), min(1.0, 2 * min(lower, upper) / len(sums))

def wilcoxon_exact(a, b):
    """Integer counts a and b (e.g. correct test images per seed)."""
    assert all(isinstance(x, int) for x in a + b)
    d = [x - y for x, y in zip(a, b)]
    w, n, p = wilcoxon_enumerated(d)
    nz = [x for x in d if x != 0]
    if len(set(map(abs, nz))) == len(nz) and len(nz) == len(d):
        r = stats.wilcoxon(a, b, method="exact")
    else:
        # Ties or zeros: scipy's exact permutation distribution of the observed ranks, zeros dropped.
        r = stats.wilcoxon(a, b, zero_method="wilcox", method=stats.PermutationMethod(n_resamples=np.inf))
    assert abs(r.pvalue - p) < 1e-12, (a, b, r.pvalue, p)
    return {"a": a, "b": b, "wPlus": w, "n": n, "p": p}

def holm_intervals(samples, alpha=0.05):
    """Paired t intervals at the level Holm's step-down judged each pair (see holmLevels)."""
    tests = [stats.ttest_rel(a, b) for a, b in samples]
    p = [t.pvalue for t in tests]
    reject, adjusted = multipletests(p, alpha=alpha, method="holm")[:2]
    m = len(p)
    order = sorted(range(m), key=lambda i: (p[i], i))
    levels = [None] * m
    stopped = None
    for rank, i in enumerate(order):
        own = alpha / (m - rank)
        if stopped is None and not p[i] < own:
            stopped = rank
        levels[i] = own if stopped is None else alpha / (m - stopped)
    out = []
    for (a, b), t, lv, adj, rej in zip(samples, tests, levels, adjusted, reject):
        ci = t.confidence_interval(1 - lv)
        assert (ci.low > 0 or ci.high < 0) == bool(rej)
        out.append({"a": a, "b": b, "p": t.pvalue, "pHolm": adj, "significant": bool(rej), "level": 1 - lv, "ci": [ci.low, ci.high]})
    return out

# Correct test images of two models over five seeds (the committed study's CNN 1 and CNN 2 on the
# paper's 14,000 test images): differences -6, +30, +11, -19, -30, a real tie of |30| that
# floating-point accuracies break (p = 1.00 instead of 0.875).
cnn1_correct = [12786, 12821, 12790, 12770, 12770]
cnn2_correct = [12792, 12791, 12779, 12789, 12800]

out = {
    "generatedWith": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__, "mpmath": mp.__version__},
    "tCritical": [{"df": df, "upper": level, "t": t_critical(df, level)} for df in [*range(1, 11), 20, 30, 60, 100] for level in [0.975, 0.99583333333333335]],
    "tTwoSidedP": [{"t": t, "df": df, "p": t_two_sided(t, df)} for df in [*range(1, 11), 20, 60] for t in [0.5, 2.0, -4.062127683382037, 10.0]] + [{"t": 1.0, "df": 1, "p": t_two_sided(1.0, 1)}],
    "summaries": [summary(sleep1), summary(acc_a), summary(acc_c), summary([0.5, 0.5, 0.5])],
    "pairedT": [paired(sleep1, sleep2), paired(acc_a, acc_b), paired(acc_c, acc_a)],
    # Counts: the made-up accuracies as correct images of 10,000, the Hollander-Wolfe depression
    # scores in thousandths, Student's sleep data in tenths of an hour (scaling changes no rank).
    "wilcoxon": [
        wilcoxon_exact([round(x * 10000) for x in acc_a], [round(x * 10000) for x in acc_b]),
        wilcoxon_exact([round(x * 10000) for x in acc_c], [round(x * 10000) for x in acc_a]),
        wilcoxon_exact([1830, 500, 1620, 2480, 1680, 1880, 1550, 3060, 1300], [878, 647, 598, 2050, 1060, 1290, 1060, 3140, 1290]),
        wilcoxon_exact([round(x * 10) for x in sleep1], [round(x * 10) for x in sleep2]),
        wilcoxon_exact([2, 4, 6, 8, 10], [3, 2, 4, 5, 10]),
        wilcoxon_exact(cnn1_correct, cnn2_correct),
        wilcoxon_exact([12700, 12700, 12700, 12700, 12700], [12670, 12730, 12690, 12710, 12650]),
        wilcoxon_exact([5, 5, 5, 5, 5, 5], [2, 8, 5, 1, 9, 3]),
    ],
    # Made-up paired accuracies, four pairs: p = 0.0031 (rejected at step 1, level 0.05/4), 0.027
    # (fails step 2's 0.05/3: the procedure stops), 0.040 (below 0.05 unadjusted, its plain 95%
    # interval excludes zero, but Holm keeps it: its interval takes step 2's level) and 0.41.
    "holmIntervals": holm_intervals([
        ([0.9213, 0.9198, 0.9231, 0.9207, 0.9224], [0.9139, 0.9152, 0.9127, 0.9161, 0.9144]),
        ([0.9149, 0.9172, 0.9129, 0.9176, 0.9172], [0.9139, 0.9152, 0.9127, 0.9161, 0.9144]),
        ([0.9149, 0.9172, 0.9127, 0.9176, 0.9174], [0.9139, 0.9152, 0.9127, 0.9161, 0.9144]),
        ([0.9144, 0.9131, 0.9140, 0.9150, 0.9129], [0.9139, 0.9152, 0.9127, 0.9161, 0.9144]),
    ]),
    "mcnemar": [
        {"b": b, "c": c, "p": mcnemar([[0, b], [c, 0]], exact=True).pvalue, "pBinom": stats.binomtest(b, b + c, 0.5).pvalue if b + c else 1.0}
        for b, c in [(10, 3), (3, 10), (5, 5), (0, 4), (1, 0), (120, 87), (1500, 1400), (61, 60)]
    ],
    "holm": [
        {"p": p, "adjusted": list(multipletests(p, method="holm")[1])}
        for p in [[0.01, 0.04, 0.03, 0.005, 0.2, 0.6], [0.0625, 0.0625, 0.125, 0.3125, 1.0, 0.8125], [0.001, 0.001, 0.5]]
    ],
}

def clean(o):
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean(v) for v in o]
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    return o

print(json.dumps(clean(out), indent=1))
