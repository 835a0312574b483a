#!/usr/bin/env python3
"""numaplace ab's statistics against scipy's (issue 13, BENCHMARKS.md).

usage: python3 bench/ab-vs-scipy.py [BUILD_DIR]   (default build)

Needs scipy (Debian: python3-scipy; not a dependency of numaplace: only
this comparison uses it).  Draws CASES random pairs of samples (seeded):
normal values, and small integers for heavy ties; sizes 1..29, a third of
them with one side of at most 8 and the other up to 200 (where the exact
distribution applies).  Prints the largest differences of U and of p
against scipy.stats.mannwhitneyu (defaults), and of the bootstrap
interval of the ratio of medians against scipy.stats.bootstrap
(percentile, 20,000 resamples) on the cases with continuous (all
distinct) positive values, 8 or more per side.
"""
import os
import subprocess
import sys

import numpy as np
from scipy.stats import bootstrap, mannwhitneyu

CASES = int(os.environ.get("CASES", "3000"))
BOOT_CASES = int(os.environ.get("BOOT_CASES", "100"))


def cases(rng):
    for t in range(CASES):
        nx, ny = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        if t % 3 == 0:
            nx, ny = int(rng.integers(1, 9)), int(rng.integers(1, 200))
        if t % 4 == 0:
            x = rng.normal(10, 1, nx)
            y = rng.normal(10 + rng.normal(0, 1), 1, ny)
        else:
            x = rng.integers(1, 7, nx).astype(float)
            y = rng.integers(1, 7 + t % 4, ny).astype(float)
        yield x, y


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rng = np.random.default_rng(20261113)
    all_cases = list(cases(rng))
    lines = "".join(f"{len(x)} {len(y)} " + " ".join(map(repr, x.tolist()))
                    + " " + " ".join(map(repr, y.tolist())) + "\n"
                    for x, y in all_cases)
    out = subprocess.run([os.path.join(build, "bench", "ab-stats")],
                         input=lines, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    worst_u = worst_p = 0.0
    ci_diffs = []
    methods = {"exact": 0, "normal": 0}
    booted = 0
    for (x, y), line in zip(all_cases, out):
        u, p, method, lo, hi = line.split()
        r = mannwhitneyu(x, y)
        methods[method] += 1
        worst_u = max(worst_u, abs(float(u) - r.statistic))
        worst_p = max(worst_p, abs(float(p) - r.pvalue) / r.pvalue)
        # continuous values only: with a few distinct integers the
        # medians jump between them and two resamplers' percentiles may
        # land on neighbouring steps
        if lo != "-" and min(len(x), len(y)) >= 8 and booted < BOOT_CASES \
                and len(set(x)) == len(x) and len(set(y)) == len(y):
            booted += 1
            b = bootstrap((x, y), lambda a, c, axis=-1:
                          np.median(c, axis=axis) / np.median(a, axis=axis),
                          vectorized=True, paired=False, method="percentile",
                          n_resamples=20000, random_state=booted)
            ci = b.confidence_interval
            ci_diffs += [abs(float(lo) - ci.low) / ci.low,
                         abs(float(hi) - ci.high) / ci.high]
    print(f"{len(all_cases)} cases ({methods['exact']} exact, "
          f"{methods['normal']} normal approximation)")
    print(f"largest |U - scipy's U|: {worst_u:g}")
    print(f"largest relative difference of p from scipy's: {worst_p:.2e}")
    if ci_diffs:
        print(f"bootstrap interval, {booted} cases: relative difference of "
              f"a bound from scipy's: median {100 * np.median(ci_diffs):.2f} "
              f"%, largest {100 * max(ci_diffs):.2f} %")


if __name__ == "__main__":
    main()
