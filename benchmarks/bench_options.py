"""Benchmark of the options engine's vectorised pricing, Greeks and implied volatility.

Run: ``python benchmarks/bench_options.py``. Prices a synthetic book of index options (strikes
from 1 to 99 delta, expiries from a day to a year), times the compiled array APIs (best of
several runs after a warm-up) and checks them against the scalar reference pricer. The first
call compiles the kernels (or loads them from numba's cache); that time is reported apart.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable

import numba
import numpy as np
import scipy.special as sp
from rich.console import Console
from rich.table import Table

from shrivenquant.options import (
    bsm_greeks_array,
    bsm_implied_vol,
    bsm_implied_vol_array,
    bsm_price,
    bsm_price_array,
)
from shrivenquant.options.implied_vol import ImpliedVolStatus

N_PRICE = 2_000_000
N_IV = 1_000_000
N_CHECK = 20_000
REPEATS = 7
R, Q = 0.065, 0.012


def make_book(n: int, seed: int) -> dict[str, np.ndarray]:
    """Index options around 24,000 with strikes chosen by delta."""
    rng = np.random.default_rng(seed)
    spot = rng.uniform(23_000.0, 25_000.0, n)
    t = rng.uniform(1.0, 365.0, n) / 365.0
    vol = rng.uniform(0.08, 0.6, n)
    is_call = rng.random(n) < 0.5
    delta = rng.uniform(0.01, 0.99, n)
    sd = vol * np.sqrt(t)
    d1 = np.where(is_call, sp.ndtri(delta), -sp.ndtri(delta))
    forward = spot * np.exp((R - Q) * t)
    strike = forward * np.exp(-(d1 - 0.5 * sd) * sd)
    return {"spot": spot, "strike": strike, "t": t, "vol": vol, "is_call": is_call}


def best_seconds(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter_ns()
        fn()
        best = min(best, (time.perf_counter_ns() - start) / 1e9)
    return best


def numpy_price(b: dict[str, np.ndarray]) -> np.ndarray:
    """The plain numpy/scipy formula, for comparison."""
    s, k, t, v, c = b["spot"], b["strike"], b["t"], b["vol"], b["is_call"]
    sd = v * np.sqrt(t)
    d1 = (np.log(s / k) + (R - Q) * t) / sd + 0.5 * sd
    d2 = d1 - sd
    sign = np.where(c, 1.0, -1.0)
    value = s * np.exp(-Q * t) * sp.ndtr(sign * d1) - k * np.exp(-R * t) * sp.ndtr(sign * d2)
    return np.asarray(sign * value)


def main() -> None:
    console = Console()
    load_before = os.getloadavg()[0]  # the machine may be shared: report how busy it was
    book = make_book(N_PRICE, seed=1)
    spot, strike, t, vol, call = (book[name] for name in ("spot", "strike", "t", "vol", "is_call"))

    start = time.perf_counter_ns()
    w = slice(0, 20_000)
    bsm_price_array(spot[w], strike[w], t[w], R, Q, vol[w], call[w])
    bsm_greeks_array(spot[w], strike[w], t[w], R, Q, vol[w], call[w])
    small = bsm_price_array(spot[w], strike[w], t[w], R, Q, vol[w], call[w])
    bsm_implied_vol_array(small, spot[w], strike[w], t[w], R, Q, call[w])
    compile_s = (time.perf_counter_ns() - start) / 1e9

    price_s = best_seconds(lambda: bsm_price_array(spot, strike, t, R, Q, vol, call))
    greeks_s = best_seconds(lambda: bsm_greeks_array(spot, strike, t, R, Q, vol, call))
    numpy_s = best_seconds(lambda: numpy_price(book), repeats=3)

    prices = bsm_price_array(spot, strike, t, R, Q, vol, call)
    v = slice(0, N_IV)

    def implied() -> object:
        return bsm_implied_vol_array(prices[v], spot[v], strike[v], t[v], R, Q, call[v])

    iv_s = best_seconds(implied, repeats=5)
    found = bsm_implied_vol_array(prices[v], spot[v], strike[v], t[v], R, Q, call[v])
    ok = found.status == ImpliedVolStatus.OK
    true_vol = vol[v]
    max_iv_rel_err = float(np.max(np.abs(found.vol[ok] - true_vol[ok]) / true_vol[ok]))

    # vectorised prices against the scalar reference (intrinsic + exact time value)
    idx = np.linspace(0, N_PRICE - 1, N_CHECK).astype(np.int64)
    reference = np.array([
        bsm_price(float(book["spot"][i]), float(book["strike"][i]), float(book["t"][i]), R, Q,
                  float(book["vol"][i]), bool(book["is_call"][i]))
        for i in idx
    ])  # fmt: skip
    max_price_rel_err = float(np.max(np.abs(prices[idx] - reference) / reference))
    scalar_iv = [
        bsm_implied_vol(float(reference[j]), float(book["spot"][i]), float(book["strike"][i]),
                        float(book["t"][i]), R, Q, bool(book["is_call"][i])).vol
        for j, i in enumerate(idx[:2000])
    ]  # fmt: skip
    scalar_iv_err = float(np.nanmax(np.abs(np.array(scalar_iv) - book["vol"][idx[:2000]])
                                    / book["vol"][idx[:2000]]))  # fmt: skip
    max_iv_rel_err = max(max_iv_rel_err, scalar_iv_err)

    figures = {
        "price_per_s": round(N_PRICE / price_s),
        "greeks_per_s": round(N_PRICE / greeks_s),
        "iv_per_s": round(N_IV / iv_s),
        "max_price_rel_err": max_price_rel_err,
        "max_iv_rel_err": max_iv_rel_err,
        "numpy_price_per_s": round(N_PRICE / numpy_s),
        "price_speedup_vs_numpy": round(numpy_s / price_s, 2),
        "iv_ok_fraction": float(ok.mean()),
        "compile_s": round(compile_s, 3),
        "threads": numba.get_num_threads(),
        "load_avg_1m": round(max(load_before, os.getloadavg()[0]), 2),
    }

    table = Table(title=f"Options engine, {figures['threads']} threads")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("European price (array, BSM)", f"{figures['price_per_s']:,.0f} /s")
    table.add_row("price + delta, gamma, vega, theta, rho", f"{figures['greeks_per_s']:,.0f} /s")
    table.add_row("implied vol (array, LBR)", f"{figures['iv_per_s']:,.0f} /s")
    table.add_row("plain numpy/scipy price", f"{figures['numpy_price_per_s']:,.0f} /s")
    table.add_row("array price speed-up over numpy", f"{figures['price_speedup_vs_numpy']:.2f}x")
    table.add_row("max price rel err vs scalar reference", f"{max_price_rel_err:.2e}")
    table.add_row("max implied vol rel err", f"{max_iv_rel_err:.2e}")
    table.add_row("implied vols found", f"{figures['iv_ok_fraction']:.4%}")
    table.add_row("compile / cache load (first calls)", f"{compile_s:.2f} s")
    table.add_row("load average (1 min) while measuring", f"{figures['load_avg_1m']:.2f}")
    console.print(table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
