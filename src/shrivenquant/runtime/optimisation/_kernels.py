"""Compiled loops of the vectorised backtest: targets, fills, equity and metrics.

The rules (see `shrivenquant.runtime.optimisation.vectorised`): a target position decided on
bar ``i``'s close is reached at bar ``i + 1``'s open; equity is marked at every close. Inputs
are validated by the public wrappers, not here.
"""

# ruff: noqa: PLR0917 - compiled kernels take their arrays positionally (numba has no kw-only)
from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit, prange

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Targets = npt.NDArray[np.int8]

METRIC_NAMES: tuple[str, ...] = (
    "final_equity",
    "pnl",
    "total_return",
    "annualised_return",
    "volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "periods",
    "trade_count",
    "win_rate",
    "profit_factor",
    "expectancy",
    "avg_win",
    "avg_loss",
    "largest_win",
    "largest_loss",
    "avg_holding_s",
    "exposure",
    "turnover",
    "traded_notional",
    "fees",
)
"""The columns `metrics` fills, in order; ``nan`` where a metric is undefined."""

N_METRICS = len(METRIC_NAMES)


@njit(cache=True)
def cross_targets(fast: Floats, slow: Floats, long_only: bool, out: Targets) -> None:
    """+1 while ``fast > slow``, -1 (0 long-only) while below; equal or ``nan`` holds."""
    state = 0
    low_state = 0 if long_only else -1
    for i in range(fast.shape[0]):
        f = fast[i]
        s = slow[i]
        if f > s:
            state = 1
        elif f < s:
            state = low_state
        out[i] = state


@njit(cache=True)
def hold_targets(raw: Floats, long_only: bool, out: Targets) -> int:
    """Copy ``raw`` into ``out``, ``nan`` holding the previous target (0 at first).

    Returns the index of the first value outside {-1, 0, 1} (and not ``nan``), or -1.
    """
    state = 0
    for i in range(raw.shape[0]):
        value = raw[i]
        if not math.isnan(value):
            if value == 1.0:
                state = 1
            elif value == 0.0:
                state = 0
            elif value == -1.0:
                state = 0 if long_only else -1
            else:
                return i
        out[i] = state
    return -1


@njit(cache=True)
def count_changes(target: Targets, first: int, last: int) -> int:
    """How many times the target changes between bars ``first`` and ``last - 2``."""
    changes = 0
    previous = 0
    for i in range(first, last - 1):
        if target[i] != previous:
            changes += 1
            previous = target[i]
    return changes


@njit(cache=True)
def _record(
    trades: Floats,
    trade_times: Ints,
    row: int,
    side: int,
    entry_px: float,
    exit_px: float,
    gross: float,
    entry_fee: float,
    exit_fee: float,
    entry_ts: int,
    exit_ts: int,
) -> None:
    trades[row, 0] = side
    trades[row, 1] = entry_px
    trades[row, 2] = exit_px
    trades[row, 3] = gross - entry_fee - exit_fee
    trades[row, 4] = entry_fee + exit_fee
    trade_times[row, 0] = entry_ts
    trade_times[row, 1] = exit_ts


@njit(cache=True)
def simulate(
    open_: Floats,
    close: Floats,
    ts_open: Ints,
    ts_close: Ints,
    target: Targets,
    first: int,
    last: int,
    quantity: float,
    fee_rate: float,
    initial_cash: float,
    close_at_end: bool,
    equity: Floats,
    position: Targets,
    trades: Floats,
    trade_times: Ints,
) -> int:
    """Run bars ``first..last-1``, flat at ``first``'s close; returns the closed-trade count.

    Writes ``equity`` and ``position`` (``last - first`` each), and per closed trade a row of
    ``trades`` (side, entry price, exit price, net PnL, fees) and of ``trade_times`` (entry,
    exit).
    """
    pos = 0
    entry_px = 0.0
    entry_fee = 0.0
    entry_ts = 0
    realised = 0.0
    fees = 0.0
    count = 0
    for j in range(first, last):
        if j > first:
            want = target[j - 1]
            if want != pos:
                px = open_[j]
                if pos != 0:
                    exit_fee = fee_rate * quantity * px
                    gross = pos * (px - entry_px) * quantity
                    realised += gross
                    fees += exit_fee
                    _record(trades, trade_times, count, pos, entry_px, px, gross, entry_fee,
                            exit_fee, entry_ts, ts_open[j])  # fmt: skip
                    count += 1
                    pos = 0
                if want != 0:
                    entry_fee = fee_rate * quantity * px
                    fees += entry_fee
                    pos = want
                    entry_px = px
                    entry_ts = ts_open[j]
        k = j - first
        position[k] = pos
        equity[k] = initial_cash + realised - fees + pos * (close[j] - entry_px) * quantity
    if close_at_end and pos != 0:
        j = last - 1
        px = close[j]
        exit_fee = fee_rate * quantity * px
        gross = pos * (px - entry_px) * quantity
        realised += gross
        fees += exit_fee
        _record(trades, trade_times, count, pos, entry_px, px, gross, entry_fee, exit_fee,
                entry_ts, ts_close[j])  # fmt: skip
        count += 1
        position[last - first - 1] = 0
        equity[last - first - 1] = initial_cash + realised - fees
    return count


@njit(cache=True)
def _return_metrics(
    equity: Floats, samples: Ints, periods_per_year: float, risk_free: float, out: Floats
) -> None:
    n = samples.shape[0] - 1
    initial = equity[0]
    final = equity[equity.shape[0] - 1]
    out[0] = final
    out[1] = final - initial
    out[2] = final / initial - 1.0
    out[9] = n
    if n == 0:
        out[3] = np.nan
    elif final <= 0.0:
        out[3] = -1.0
    else:
        out[3] = (final / initial) ** (periods_per_year / n) - 1.0
    out[4] = np.nan
    out[5] = np.nan
    out[6] = np.nan
    if n >= 2:
        returns = np.empty(n)
        for k in range(n):
            returns[k] = equity[samples[k + 1]] / equity[samples[k]] - 1.0
        mean = returns.sum() / n
        squares = 0.0
        downside = 0.0
        for k in range(n):
            squares += (returns[k] - mean) ** 2
            below = min(returns[k] - risk_free, 0.0)
            downside += below * below
        std = math.sqrt(squares / (n - 1))
        downside = math.sqrt(downside / n)
        root = math.sqrt(periods_per_year)
        out[4] = std * root
        if std > 0.0:
            out[5] = (mean - risk_free) / std * root
        if downside > 0.0:
            out[6] = (mean - risk_free) / downside * root
    peak = equity[0]
    worst = 0.0
    for k in range(equity.shape[0]):
        value = equity[k]
        if value > peak:
            peak = value
        elif value < peak:
            depth = -(value / peak - 1.0)
            worst = max(worst, depth)
    out[8] = worst
    out[7] = np.nan
    if not math.isnan(out[3]) and worst > 0.0:
        out[7] = out[3] / worst


@njit(cache=True)
def _trade_metrics(
    equity: Floats,
    span_ns: int,
    quantity: float,
    trades: Floats,
    trade_times: Ints,
    count: int,
    out: Floats,
) -> None:
    wins = 0
    losses = 0
    gross_profit = 0.0
    gross_loss = 0.0
    total = 0.0
    largest_win = -np.inf
    largest_loss = np.inf
    held_ns = 0
    notional = 0.0
    fees = 0.0
    for k in range(count):
        pnl = trades[k, 3]
        total += pnl
        fees += trades[k, 4]
        notional += quantity * (trades[k, 1] + trades[k, 2])
        held_ns += trade_times[k, 1] - trade_times[k, 0]
        if pnl > 0.0:
            wins += 1
            gross_profit += pnl
            largest_win = max(largest_win, pnl)
        elif pnl < 0.0:
            losses += 1
            gross_loss += pnl
            largest_loss = min(largest_loss, pnl)
    out[10] = count
    out[11] = wins / count if count else np.nan
    out[12] = gross_profit / -gross_loss if losses else np.nan
    out[13] = total / count if count else np.nan
    out[14] = gross_profit / wins if wins else np.nan
    out[15] = gross_loss / losses if losses else np.nan
    out[16] = largest_win if wins else np.nan
    out[17] = largest_loss if losses else np.nan
    out[18] = held_ns / 1e9 / count if count else np.nan
    out[19] = (held_ns / 1e9) / (span_ns / 1e9) if span_ns > 0 else np.nan
    mean_equity = equity.sum() / equity.shape[0]
    out[20] = notional / mean_equity if mean_equity > 0.0 else np.nan
    out[21] = notional
    out[22] = fees


@njit(cache=True)
def metrics(
    equity: Floats,
    samples: Ints,
    span_ns: int,
    quantity: float,
    trades: Floats,
    trade_times: Ints,
    count: int,
    periods_per_year: float,
    risk_free: float,
    out: Floats,
) -> None:
    """Fill ``out`` (`METRIC_NAMES` order) from one run's equity and closed trades.

    ``samples`` are the equity indices the period returns are taken between (the first one
    included); ``risk_free`` is the per-period rate.
    """
    _return_metrics(equity, samples, periods_per_year, risk_free, out)
    _trade_metrics(equity, span_ns, quantity, trades, trade_times, count, out)


@njit(cache=True)
def _run_targets(
    open_: Floats,
    close: Floats,
    ts_open: Ints,
    ts_close: Ints,
    target: Targets,
    first: int,
    last: int,
    quantity: float,
    fee_rate: float,
    initial_cash: float,
    close_at_end: bool,
    samples: Ints,
    periods_per_year: float,
    risk_free: float,
    out: Floats,
) -> None:
    size = count_changes(target, first, last) + 1
    equity = np.empty(last - first)
    position = np.empty(last - first, dtype=np.int8)
    trades = np.empty((size, 5))
    trade_times = np.empty((size, 2), dtype=np.int64)
    count = simulate(
        open_, close, ts_open, ts_close, target, first, last, quantity, fee_rate,
        initial_cash, close_at_end, equity, position, trades, trade_times,
    )  # fmt: skip
    span_ns = ts_close[last - 1] - ts_close[first]
    metrics(
        equity, samples, span_ns, quantity, trades, trade_times, count, periods_per_year,
        risk_free, out,
    )  # fmt: skip


@njit(cache=True)
def _cross_pair(
    open_: Floats,
    close: Floats,
    ts_open: Ints,
    ts_close: Ints,
    fast: Floats,
    slow: Floats,
    long_only: bool,
    first: int,
    last: int,
    quantity: float,
    fee_rate: float,
    initial_cash: float,
    close_at_end: bool,
    samples: Ints,
    periods_per_year: float,
    risk_free: float,
    out: Floats,
) -> None:
    target = np.empty(last, dtype=np.int8)
    cross_targets(fast[:last], slow[:last], long_only, target)
    _run_targets(
        open_, close, ts_open, ts_close, target, first, last, quantity, fee_rate,
        initial_cash, close_at_end, samples, periods_per_year, risk_free, out,
    )  # fmt: skip


@njit(cache=True)
def sweep_cross_serial(
    open_: Floats,
    close: Floats,
    ts_open: Ints,
    ts_close: Ints,
    averages: list[Floats],
    fast_rows: Ints,
    slow_rows: Ints,
    long_only: bool,
    first: int,
    last: int,
    quantity: float,
    fee_rate: float,
    initial_cash: float,
    close_at_end: bool,
    samples: Ints,
    periods_per_year: float,
    risk_free: float,
    out: Floats,
) -> None:
    """Metrics of crossover pairs ``averages[fast_rows[p]]`` / ``averages[slow_rows[p]]``
    (``averages`` a numba typed list of moving averages)."""
    for p in range(fast_rows.shape[0]):
        _cross_pair(
            open_, close, ts_open, ts_close, averages[fast_rows[p]], averages[slow_rows[p]],
            long_only, first, last, quantity, fee_rate, initial_cash, close_at_end, samples,
            periods_per_year, risk_free, out[p],
        )  # fmt: skip


@njit(cache=True, parallel=True)
def sweep_cross_parallel(
    open_: Floats,
    close: Floats,
    ts_open: Ints,
    ts_close: Ints,
    averages: list[Floats],
    fast_rows: Ints,
    slow_rows: Ints,
    long_only: bool,
    first: int,
    last: int,
    quantity: float,
    fee_rate: float,
    initial_cash: float,
    close_at_end: bool,
    samples: Ints,
    periods_per_year: float,
    risk_free: float,
    out: Floats,
) -> None:
    """`sweep_cross_serial` with the pairs spread over numba's threads."""
    for p in prange(fast_rows.shape[0]):
        _cross_pair(
            open_, close, ts_open, ts_close, averages[fast_rows[p]], averages[slow_rows[p]],
            long_only, first, last, quantity, fee_rate, initial_cash, close_at_end, samples,
            periods_per_year, risk_free, out[p],
        )  # fmt: skip


@njit(cache=True)
def sweep_targets_serial(
    open_: Floats,
    close: Floats,
    ts_open: Ints,
    ts_close: Ints,
    targets: Targets,
    first: int,
    last: int,
    quantity: float,
    fee_rate: float,
    initial_cash: float,
    close_at_end: bool,
    samples: Ints,
    periods_per_year: float,
    risk_free: float,
    out: Floats,
) -> None:
    """Metrics of each row of ``targets``."""
    for p in range(targets.shape[0]):
        _run_targets(
            open_, close, ts_open, ts_close, targets[p], first, last, quantity, fee_rate,
            initial_cash, close_at_end, samples, periods_per_year, risk_free, out[p],
        )  # fmt: skip


@njit(cache=True, parallel=True)
def sweep_targets_parallel(
    open_: Floats,
    close: Floats,
    ts_open: Ints,
    ts_close: Ints,
    targets: Targets,
    first: int,
    last: int,
    quantity: float,
    fee_rate: float,
    initial_cash: float,
    close_at_end: bool,
    samples: Ints,
    periods_per_year: float,
    risk_free: float,
    out: Floats,
) -> None:
    """`sweep_targets_serial` with the rows spread over numba's threads."""
    for p in prange(targets.shape[0]):
        _run_targets(
            open_, close, ts_open, ts_close, targets[p], first, last, quantity, fee_rate,
            initial_cash, close_at_end, samples, periods_per_year, risk_free, out[p],
        )  # fmt: skip
