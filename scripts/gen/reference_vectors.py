#!/usr/bin/env python3
"""Reference vectors for margin-math's accuracy tests, computed with mpmath.

Two CSV files, the format `lib/tests/reference.rs` and `cli/tests/greeks.rs` read:

  black_scholes.csv  kind,spot,strike,vol,t_years,rate,price,delta,gamma,vega
  normal.csv         x,cdf,pdf

Black-Scholes on a non-dividend asset with a continuously compounded rate r:
  d1 = (ln(S/K) + (r + vol^2/2)·T) / (vol·√T),  d2 = d1 − vol·√T
  call = S·Φ(d1) − K·e^(−rT)·Φ(d2),             put = K·e^(−rT)·Φ(−d2) − S·Φ(−d1)
  delta = Φ(d1) (call), Φ(d1) − 1 (put);  gamma = φ(d1)/(S·vol·√T) per unit of spot;
  vega = S·φ(d1)·√T per 1.00 of vol.
Φ and φ are the standard normal distribution and density.

Inputs are decimal strings with at most 18 decimals (the tests parse them exactly to 18-decimal
integers), and every output is computed from those exact strings at WORK_DPS digits, computed a
second time at twice that precision, and written with OUT_DIGITS significant digits. Output
format (the one the committed files use): plain decimals for values of at least 1e-25
(mpmath nstr, min_fixed=-25), scientific notation below that, and "0" for |v| < CHOP = 1e-25.
CHOP is absolute: the tests compare Φ and prices in absolute terms, and relative figures only
where the value is far above 1e-25.

The committed files `lib/tests/data/*.csv` are the project's seed copy, made by the project's
earlier mpmath script; their sampling code is not kept, but `--check` recomputes every row of
them with this script (every output value is reproduced byte for byte).

Usage (needs `pip install mpmath`):
  python3 scripts/gen/reference_vectors.py --check lib/tests/data/black_scholes.csv lib/tests/data/normal.csv
      recompute every row of existing files; report the largest deviations; exit 1 if a value is
      off by more than max(1e-28·|v|, CHOP)
  python3 scripts/gen/reference_vectors.py --out DIR [--seed N] [--rows 400] [--force]
      generate fresh files DIR/black_scholes.csv and DIR/normal.csv (seeded: the same seed
      gives the same files on every machine); existing files are kept unless --force
  python3 scripts/gen/reference_vectors.py --recompute FILE
      print FILE with every output recomputed from its inputs (stdout)
"""
import argparse
import csv
import io
import math
import random
import sys
from decimal import Decimal
from pathlib import Path

import mpmath
from mpmath import mp, mpf

WORK_DPS = 80
OUT_DIGITS = 30
CHOP = mpf("1e-25")
MAX_DECIMALS = 18
DEFAULT_SEED = 20260101
DEFAULT_ROWS = 400

BS_COLUMNS = ["kind", "spot", "strike", "vol", "t_years", "rate", "price", "delta", "gamma", "vega"]
BS_INPUTS = BS_COLUMNS[:6]
NORMAL_COLUMNS = ["x", "cdf", "pdf"]


# ---------------------------------------------------------------------------------------------
# The functions


def black_scholes(kind, spot, strike, vol, t_years, rate):
    """price, delta, gamma, vega at the current mpmath precision, from decimal strings."""
    s, k, v, t, r = (mpf(x) for x in (spot, strike, vol, t_years, rate))
    sqrt_t = mpmath.sqrt(t)
    v_sqrt_t = v * sqrt_t
    d1 = (mpmath.ln(s / k) + (r + v * v / 2) * t) / v_sqrt_t
    d2 = d1 - v_sqrt_t
    discounted_strike = k * mpmath.exp(-r * t)
    if kind == "call":
        price = s * mpmath.ncdf(d1) - discounted_strike * mpmath.ncdf(d2)
        delta = mpmath.ncdf(d1)
    elif kind == "put":
        price = discounted_strike * mpmath.ncdf(-d2) - s * mpmath.ncdf(-d1)
        delta = -mpmath.ncdf(-d1)  # = Φ(d1) − 1 without the cancellation
    else:
        raise ValueError(f"unknown kind {kind!r}")
    density = mpmath.npdf(d1)
    gamma = density / (s * v_sqrt_t)
    vega = s * density * sqrt_t
    return [price, delta, gamma, vega]


def normal(x):
    """Φ(x), φ(x) at the current mpmath precision, from a decimal string."""
    value = mpf(x)
    return [mpmath.ncdf(value), mpmath.npdf(value)]


def at_precision(dps, f, *args):
    with mpmath.workdps(dps):
        return f(*args)


def compute(f, *args):
    """f(*args) at WORK_DPS, checked against 2·WORK_DPS: both must print the same digits."""
    values = at_precision(WORK_DPS, f, *args)
    again = at_precision(2 * WORK_DPS, f, *args)
    for a, b in zip(values, again):
        if fmt(a) != fmt(b):
            raise ArithmeticError(f"{f.__name__}{args}: {fmt(a)} at {WORK_DPS} digits, {fmt(b)} at {2 * WORK_DPS}")
    return values


# ---------------------------------------------------------------------------------------------
# Formatting


def fmt(value):
    """An output value as the files write it (see the module docstring)."""
    if abs(value) < CHOP:
        return "0"
    with mpmath.workdps(WORK_DPS):
        return mpmath.nstr(value, OUT_DIGITS, min_fixed=-25, max_fixed=mpmath.inf)


def decimal_input(x, significant):
    """A float input rounded to `significant` digits, as a plain decimal string."""
    text = format(Decimal(f"{x:.{significant - 1}e}").normalize(), "f")
    check_input(text)
    return text


def check_input(text):
    body = text.lstrip("-")
    if not body or "e" in body.lower() or body.count(".") > 1:
        raise ValueError(f"{text!r} is not a plain decimal")
    decimals = len(body.split(".")[1]) if "." in body else 0
    if decimals > MAX_DECIMALS:
        raise ValueError(f"{text!r} has {decimals} decimals; the tests read at most {MAX_DECIMALS}")


# ---------------------------------------------------------------------------------------------
# Sampling: the ranges of the seed files, widened where they were narrow


def log_uniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def sample_black_scholes(rng, rows):
    """Edge rows, then random rows over spot 1e-3..1e6, log-moneyness up to ±10 (bounded to
    strikes 1e-6..1e10), vol 0.05..2.5, T 1e-4..12 years, rate 0, ±3%, ±5%."""
    out = [
        # at the money, shortest and longest expiry, lowest and highest vol
        ("call", "60000", "60000", "0.65", "0.0001", "0"),
        ("put", "60000", "60000", "0.65", "0.0001", "0"),
        ("call", "100", "100", "0.05", "12", "0.05"),
        ("put", "100", "100", "2.5", "12", "-0.05"),
        # far in and out of the money near expiry (prices at intrinsic, greeks at 0)
        ("call", "60000", "30000", "0.2", "0.001", "0.03"),
        ("put", "60000", "30000", "0.2", "0.001", "0.03"),
        ("call", "0.001", "0.002", "0.05", "0.0001", "0"),
        ("put", "1000000", "10", "1.5", "5", "-0.03"),
    ]
    while len(out) < rows:
        kind = rng.choice(["call", "put"])
        spot = log_uniform(rng, 1e-3, 1e6)
        u = rng.random()
        if u < 0.35:
            moneyness = rng.uniform(-0.1, 0.1)
        elif u < 0.6:
            moneyness = rng.uniform(-0.5, 0.5)
        elif u < 0.85:
            moneyness = rng.uniform(-3, 3)
        else:
            moneyness = rng.uniform(-10, 10)
        strike = spot * math.exp(moneyness)
        if not 1e-6 <= strike <= 1e10:
            continue
        vol = rng.uniform(0.05, 2.5)
        t_years = log_uniform(rng, 1e-4, 12)
        rate = rng.choice(["0", "0", "0.03", "0.05", "-0.03", "-0.05"])
        out.append(
            (kind, decimal_input(spot, 6), decimal_input(strike, 6), f"{vol:.4f}".rstrip("0").rstrip("."),
             decimal_input(t_years, 6), rate)
        )
    return out[:rows]


def sample_normal(rng, rows):
    """Edge points, then x with the weight in the tails: a quarter in (−1, 1), a sixth in
    (−4, 4), the largest share with 4 ≤ |x| ≤ 10, the rest up to ±12 (beyond the library's
    table, where Φ saturates); six decimals."""
    out = ["0", "0.000001", "-0.000001", "0.125", "-0.125", "1", "-1", "9.5", "-9.5", "10", "-10", "12", "-12"]
    while len(out) < rows:
        u = rng.random()
        if u < 0.25:
            x = rng.uniform(-1, 1)
        elif u < 0.42:
            x = rng.uniform(-4, 4)
        elif u < 0.85:
            x = rng.choice([-1, 1]) * rng.uniform(4, 10)
        else:
            x = rng.uniform(-12, 12)
        text = format(Decimal(f"{x:.6f}").normalize(), "f")
        if text in ("0", "-0"):
            continue
        check_input(text)
        out.append(text)
    return out[:rows]


# ---------------------------------------------------------------------------------------------
# Files


def write_csv(handle, columns, rows):
    """CSV as Python's csv module writes it (CRLF line ends), like the seed files."""
    writer = csv.writer(handle)
    writer.writerow(columns)
    writer.writerows(rows)


def generate(out_dir, seed, rows, force):
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {name: out_dir / name for name in ("black_scholes.csv", "normal.csv")}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not force:
        sys.exit(f"not overwriting {', '.join(existing)} (use --force, or --check to verify them)")
    rng = random.Random(seed)
    bs_rows = [list(inputs) + [fmt(v) for v in compute(black_scholes, *inputs)] for inputs in sample_black_scholes(rng, rows)]
    normal_rows = [[x] + [fmt(v) for v in compute(normal, x)] for x in sample_normal(rng, rows)]
    for name, columns, table in (("black_scholes.csv", BS_COLUMNS, bs_rows), ("normal.csv", NORMAL_COLUMNS, normal_rows)):
        with open(targets[name], "w", newline="") as handle:
            write_csv(handle, columns, table)
    for path in targets.values():
        print(f"wrote {path} ({rows} rows, seed {seed})")


def read_rows(path):
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if header == BS_COLUMNS:
            kind = "black_scholes"
        elif header == NORMAL_COLUMNS:
            kind = "normal"
        else:
            sys.exit(f"{path}: header {','.join(header)} is neither {','.join(BS_COLUMNS)} nor {','.join(NORMAL_COLUMNS)}")
        return kind, header, list(reader)


def recompute_row(kind, row):
    if kind == "black_scholes":
        inputs = [row[c] for c in BS_INPUTS]
        for text in inputs[1:]:
            check_input(text)
        return dict(zip(BS_COLUMNS[6:], compute(black_scholes, *inputs)))
    check_input(row["x"])
    return dict(zip(NORMAL_COLUMNS[1:], compute(normal, row["x"])))


def check(path):
    """Recomputes every row of `path`; prints the worst deviations; returns True if all pass."""
    kind, header, rows = read_rows(path)
    outputs = header[6:] if kind == "black_scholes" else header[1:]
    worst_abs = {c: (mpf(0), None) for c in outputs}
    worst_rel = {c: (mpf(0), None) for c in outputs}
    identical, failures = 0, []
    with mpmath.workdps(WORK_DPS):
        for line, row in enumerate(rows, start=2):
            exact = recompute_row(kind, row)
            same = True
            for column in outputs:
                written, value = mpf(row[column]), exact[column]
                error = abs(written - value)
                if error > worst_abs[column][0]:
                    worst_abs[column] = (error, line)
                if abs(value) >= CHOP and error / abs(value) > worst_rel[column][0]:
                    worst_rel[column] = (error / abs(value), line)
                if error > max(mpf("1e-28") * abs(value), CHOP):
                    failures.append(f"{path}:{line}: {column} = {row[column]}, mpmath gives {fmt(value)}")
                same = same and row[column] == fmt(value)
            identical += same
    print(f"{path}: {len(rows)} rows recomputed at {WORK_DPS} digits (checked at {2 * WORK_DPS})")
    for column in outputs:
        (a, a_line), (r, r_line) = worst_abs[column], worst_rel[column]
        print(
            f"  {column:6} max |written − mpmath| = {mpmath.nstr(a, 3)}"
            + (f" (line {a_line})" if a_line else "")
            + f"; max relative = {mpmath.nstr(r, 3)}"
            + (f" (line {r_line})" if r_line else "")
            + " (values ≥ 1e-25)"
        )
    print(f"  rows whose outputs this script prints byte for byte: {identical} of {len(rows)}")
    for failure in failures[:20]:
        print("  FAIL " + failure)
    if failures:
        print(f"  {len(failures)} values off by more than max(1e-28·|v|, 1e-25)")
    return not failures


def recompute(path):
    kind, header, rows = read_rows(path)
    table = []
    for row in rows:
        exact = recompute_row(kind, row)
        table.append([fmt(exact[c]) if c in exact else row[c] for c in header])
    buffer = io.StringIO(newline="")
    write_csv(buffer, header, table)
    sys.stdout.buffer.write(buffer.getvalue().encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", type=Path, metavar="DIR", help="generate DIR/black_scholes.csv and DIR/normal.csv")
    mode.add_argument("--check", type=Path, nargs="+", metavar="FILE", help="recompute every row and report deviations")
    mode.add_argument("--recompute", type=Path, metavar="FILE", help="print FILE with its outputs recomputed")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"sampling seed (default {DEFAULT_SEED})")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help=f"rows per file (default {DEFAULT_ROWS})")
    parser.add_argument("--force", action="store_true", help="overwrite existing files with --out")
    args = parser.parse_args()
    mp.dps = WORK_DPS
    if args.check:
        ok = all([check(path) for path in args.check])
        sys.exit(0 if ok else 1)
    if args.recompute:
        recompute(args.recompute)
        return
    generate(args.out, args.seed, args.rows, args.force)


if __name__ == "__main__":
    main()
