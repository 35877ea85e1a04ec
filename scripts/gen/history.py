#!/usr/bin/env python3
"""A synthetic price history for the risk examples and tests (issue 18). It is NOT market data.

Daily closes of three underlyings, BTC-, ETH- and DOT-like, from a GARCH(1,1) with Student-t
innovations and correlated shocks:

  r_t = σ_t · ε_t,   σ_t² = ω + α·r_{t−1}² + β·σ_{t−1}²,   ε_t = sqrt((ν−2)/ν) · z_t / sqrt(χ²_ν/ν)

where z_t are standard normals correlated across the three underlyings (Cholesky factor of the
matrix CORRELATION) and one χ²_ν draw per day is shared by all three (a multivariate t: in a
crash they move together). σ is annualized with √365 into the `<underlying>_vol` columns (the
conditional vol of the next day, the kind of figure an implied-vol feed would give).

Output: one CSV, `time` (ISO date) then `BTC,ETH,DOT` closes then `BTC_vol,ETH_vol,DOT_vol`,
written with 6 decimals. Python's own Mersenne Twister, seeded: the same arguments give the same
file on every machine (`random` is stable across Python 3 versions for `seed(int)`, `gauss`
and `gammavariate`).

  python3 scripts/gen/history.py > examples/history.csv            # the committed file
  python3 scripts/gen/history.py --days 2000 --seed 7 > mine.csv   # another path
"""

import argparse
import datetime
import math
import random

NAMES = ["BTC", "ETH", "DOT"]
START = [60000.0, 3000.0, 7.0]
# Daily GARCH(1,1) parameters (ω, α, β): long-run annual vols of about 60%, 75% and 95%.
GARCH = [(2.0e-5, 0.08, 0.90), (3.1e-5, 0.08, 0.90), (4.9e-5, 0.08, 0.90)]
CORRELATION = [[1.0, 0.8, 0.6], [0.8, 1.0, 0.65], [0.6, 0.65, 1.0]]
NU = 4.0  # t degrees of freedom


def cholesky(m):
    n = len(m)
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            s = sum(out[i][k] * out[j][k] for k in range(j))
            out[i][j] = math.sqrt(m[i][i] - s) if i == j else (m[i][j] - s) / out[j][j]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--start", default="2024-01-01")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    chol = cholesky(CORRELATION)
    prices = list(START)
    var = [w / (1.0 - a - b) for (w, a, b) in GARCH]
    last_r = [0.0, 0.0, 0.0]
    day = datetime.date.fromisoformat(args.start)
    print("time," + ",".join(NAMES) + "," + ",".join(n + "_vol" for n in NAMES))
    for t in range(args.days + 1):
        if t > 0:
            z = [rng.gauss(0.0, 1.0) for _ in NAMES]
            zc = [sum(chol[i][k] * z[k] for k in range(i + 1)) for i in range(len(NAMES))]
            chi2 = 2.0 * rng.gammavariate(NU / 2.0, 1.0)
            scale = math.sqrt((NU - 2.0) / NU) / math.sqrt(chi2 / NU)
            for i, (w, a, b) in enumerate(GARCH):
                var[i] = w + a * last_r[i] ** 2 + b * var[i]
                r = math.sqrt(var[i]) * scale * zc[i]
                prices[i] *= math.exp(r)
                last_r[i] = r
        vols = [math.sqrt((w + a * last_r[i] ** 2 + b * var[i]) * 365.0) for i, (w, a, b) in enumerate(GARCH)]
        row = [day.isoformat()] + [f"{p:.6f}" for p in prices] + [f"{v:.6f}" for v in vols]
        print(",".join(row))
        day += datetime.timedelta(days=1)


if __name__ == "__main__":
    main()
