"""Reference values for test/study-statistics.test.ts, computed with scipy and statsmodels.

Regenerate (any scratch venv): pip install scipy statsmodels && python statistics-reference.py > statistics-reference.json
The inputs include Student's sleep data (Cushny & Peebles 1905, the paired example of "Student" 1908
and R's t.test documentation) and made-up accuracies of the size the seed study produces.
"""
import json
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

def wilcoxon_exact(a, b):
    d = np.asarray(a) - np.asarray(b)
    nz = d[d != 0]
    has_ties = len(np.unique(np.abs(nz))) < len(nz)
    if has_ties or len(nz) < len(d):
        # Exact permutation distribution of the observed (tied) ranks, zeros dropped.
        r = stats.wilcoxon(a, b, zero_method="wilcox", method=stats.PermutationMethod(n_resamples=np.inf))
    else:
        r = stats.wilcoxon(a, b, method="exact")
    ranks = stats.rankdata(np.abs(nz))
    return {"a": a, "b": b, "wPlus": float(ranks[nz > 0].sum()), "n": int(len(nz)), "p": r.pvalue}

out = {
    "generatedWith": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__},
    "tCritical": [{"df": df, "t": stats.t.ppf(0.975, df)} for df in [1, 2, 3, 4, 5, 9, 30, 100]],
    "tTwoSidedP": [{"t": t, "df": df, "p": 2 * stats.t.sf(abs(t), df)} for t, df in [(2.0, 4), (-4.062127683382037, 9), (0.5, 3), (10.0, 4), (1.0, 1)]],
    "summaries": [summary(sleep1), summary(acc_a), summary(acc_c), summary([0.5, 0.5, 0.5])],
    "pairedT": [paired(sleep1, sleep2), paired(acc_a, acc_b), paired(acc_c, acc_a)],
    "wilcoxon": [
        wilcoxon_exact(acc_a, acc_b),
        wilcoxon_exact(acc_c, acc_a),
        wilcoxon_exact([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30], [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]),
        wilcoxon_exact(sleep1, sleep2),
        wilcoxon_exact([1, 2, 3, 4, 5], [1.5, 1, 2, 2.5, 5]),
    ],
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
