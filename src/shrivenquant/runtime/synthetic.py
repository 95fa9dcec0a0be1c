"""Deterministic synthetic bars: geometric Brownian motion, for demos, tests and benchmarks.

`gbm_bars` draws a log-price path with one normal generator seeded by ``seed`` (numpy's
PCG64), so the same arguments give the same bars on every machine:

- each bar's return is ``(mu - sigma**2 / 2) * dt + sigma * sqrt(dt) * z`` with ``dt`` the bar
  length in years (365-day years) and ``mu``, ``sigma`` annual;
- each bar **opens away from the previous close**: an overnight-style gap of
  ``gap_fraction * sigma * sqrt(dt) * z`` moves the open, and an open that rounds to the
  previous close is pushed one tick further in the gap's direction. A backtest that fills
  orders at the wrong price (the signal bar's close instead of the next bar's open) therefore
  shows in its results;
- the high and low reach beyond the open and close by a half-normal excursion, rounded
  outwards to the tick, and never below one tick;
- volumes are log-normal, at least one size increment.

Prices are exact: every value is an integer number of ticks (``price_precision`` decimals),
returned as the catalog's columnar `BarArrays` (``ts_event`` is each bar's close time).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from shrivenquant.model.data import BarType
from shrivenquant.persistence.catalog import BarArrays

DEFAULT_SEED: Final = 20240101
"""The seed of the reference data set (benchmarks, acceptance tests, the demo)."""
DEFAULT_START_NS: Final = 1_704_067_200_000_000_000
"""2024-01-01T00:00:00Z: the open time of the first bar."""
DEFAULT_BAR_TYPE: Final = "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"
_MINUTES_PER_YEAR: Final = 365 * 24 * 60


@dataclass(frozen=True, slots=True, kw_only=True)
class GbmSpec:
    """The parameters of a synthetic bar set.

    Attributes:
        count: number of bars.
        seed: the random seed (numpy PCG64).
        bar_type: the series (its step and aggregation give the bar length).
        start_ns: open time of the first bar, UTC nanoseconds.
        initial_price: the first bar's reference price (the previous close of bar 0).
        mu: annual drift.
        sigma: annual volatility.
        gap_fraction: size of the open gap relative to one bar's volatility.
        price_precision: decimals of prices (the tick is ``10**-price_precision``).
        size_precision: decimals of volumes.
        mean_volume: typical bar volume.
    """

    count: int
    seed: int = DEFAULT_SEED
    bar_type: str = DEFAULT_BAR_TYPE
    start_ns: int = DEFAULT_START_NS
    initial_price: float = 40_000.0
    mu: float = 0.0
    sigma: float = 0.6
    gap_fraction: float = 0.25
    price_precision: int = 2
    size_precision: int = 3
    mean_volume: float = 100.0

    def __post_init__(self) -> None:
        if type(self.count) is not int or self.count < 1:
            raise ValueError(f"count must be a positive int, got {self.count!r}")
        if not self.initial_price > 0 or not self.sigma >= 0 or not self.mean_volume > 0:
            raise ValueError("initial_price and mean_volume must be > 0, sigma >= 0")
        for name in ("price_precision", "size_precision"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= 9:
                raise ValueError(f"{name} must be an int 0..9, got {value!r}")


def gbm_bars(spec: GbmSpec) -> BarArrays:
    """The bars ``spec`` describes (see the module docstring)."""
    bar_type = BarType.from_str(spec.bar_type)
    interval_ns = bar_type.spec.timedelta_ns()
    n = spec.count
    rng = np.random.default_rng(spec.seed)
    dt = interval_ns / 60e9 / _MINUTES_PER_YEAR
    scale = spec.sigma * np.sqrt(dt)
    draws = rng.standard_normal((4, n))
    gaps = spec.gap_fraction * scale * draws[0]
    moves = (spec.mu - spec.sigma**2 / 2) * dt + scale * draws[1]
    log_open = np.log(spec.initial_price) + np.cumsum(gaps + np.concatenate(([0.0], moves[:-1])))
    log_close = log_open + moves
    ticks = 10.0**spec.price_precision
    open_ = np.rint(np.exp(log_open) * ticks).astype(np.int64)
    close = np.rint(np.exp(log_close) * ticks).astype(np.int64)
    previous = np.concatenate(([np.rint(spec.initial_price * ticks)], close[:-1])).astype(np.int64)
    direction = np.where(gaps >= 0, 1, -1).astype(np.int64)
    open_ = np.where(open_ == previous, open_ + direction, open_)
    up = np.abs(draws[2]) * scale * 0.5
    down = np.abs(draws[3]) * scale * 0.5
    high = np.ceil(np.maximum(open_, close) * np.exp(up)).astype(np.int64)
    low = np.floor(np.minimum(open_, close) * np.exp(-down)).astype(np.int64)
    low = np.maximum(low, 1)
    high = np.maximum(high, np.maximum(open_, close))
    sizes = 10.0**spec.size_precision
    volume = np.rint(spec.mean_volume * rng.lognormal(0.0, 0.5, n) * sizes).astype(np.int64)
    volume = np.maximum(volume, 1)
    ts_event = spec.start_ns + interval_ns * np.arange(1, n + 1, dtype=np.int64)
    return BarArrays.create(
        bar_type,
        ts_event=ts_event,
        open=open_,
        high=high,
        low=low,
        close=close,
        price_precision=spec.price_precision,
        volume=volume,
        size_precision=spec.size_precision,
    )


def write_bars_csv(bars: BarArrays, path: str | Path) -> Path:
    """Write bars as CSV: ``timestamp`` (the bar's open time, epoch milliseconds), ``open``,
    ``high``, ``low``, ``close``, ``volume`` as exact decimal text.

    The layout is what `shrivenquant.data.loaders.load_bars` reads with its default columns.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    interval_ns = bars.bar_type.spec.timedelta_ns()
    opens_ms = ((bars.ts_event - interval_ns) // 1_000_000).tolist()
    pp, sp = bars.price_precision, bars.size_precision
    columns = [_decimal_text(getattr(bars, name), pp) for name in ("open", "high", "low", "close")]
    volumes = _decimal_text(bars.volume, sp)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "open", "high", "low", "close", "volume"])
        writer.writerows(zip(opens_ms, *columns, volumes, strict=True))
    return target


def _decimal_text(scaled: np.ndarray, precision: int) -> list[str]:
    """Scaled integers (``value * 10**precision``) as fixed decimal strings."""
    if precision == 0:
        return [str(v) for v in scaled.tolist()]
    unit = 10**precision
    return [
        f"{'-' if v < 0 else ''}{abs(v) // unit}.{abs(v) % unit:0{precision}d}"
        for v in scaled.tolist()
    ]
