"""Performance metrics of an equity curve and its closed trades.

Conventions (see docs/concepts/performance-metrics.md for the formulas):

- **Returns** are simple returns of the curve sampled once per ``return_frequency`` (default
  one UTC day, the last value of each day); days without an observation are skipped.
- **Annualisation** multiplies by ``periods_per_year``: 365 for crypto (every calendar day
  trades), 252 for NSE equities and options (trading days; weekends and holidays have no
  observations, so they are not periods). Use `MetricsConfig.crypto` or `MetricsConfig.nse`.
  With intraday sampling, scale accordingly (hourly crypto: ``365 * 24``).
- **Years** elapsed are ``periods / periods_per_year``, so the compound annual growth rate
  and the annualised volatility use the same clock.
- **Drawdowns** use the curve at full resolution, not the sampled returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from shrivenquant.analysis.equity import (
    normalise_equity,
    period_returns,
    underwater_spells,
)
from shrivenquant.analysis.report import PerformanceReport
from shrivenquant.analysis.trades import TradeRecord, time_in_market_s, trade_stats


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    """How returns are sampled and annualised.

    Attributes:
        periods_per_year: return periods in a year (365 crypto daily, 252 NSE daily).
        return_frequency: a pandas offset alias to sample the curve at (``"1D"``, ``"1h"``),
            or None to use every point of the curve as given.
        risk_free_rate: annual risk-free rate for Sharpe and Sortino, as a fraction; converted
            to a per-period rate ``(1 + r) ** (1 / periods_per_year) - 1``.
    """

    periods_per_year: float = 365.0
    return_frequency: str | None = "1D"
    risk_free_rate: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.periods_per_year) and self.periods_per_year > 0):
            raise ValueError(
                f"MetricsConfig periods_per_year must be positive, got {self.periods_per_year!r}"
            )
        if not (math.isfinite(self.risk_free_rate) and self.risk_free_rate > -1.0):
            raise ValueError(
                f"MetricsConfig risk_free_rate must be a finite fraction above -1, "
                f"got {self.risk_free_rate!r}"
            )
        if self.return_frequency is not None:
            try:
                pd.tseries.frequencies.to_offset(self.return_frequency)
            except ValueError as exc:
                raise ValueError(
                    f"MetricsConfig return_frequency {self.return_frequency!r} is not a "
                    f"pandas offset alias: {exc}"
                ) from None

    @classmethod
    def crypto(cls, risk_free_rate: float = 0.0) -> MetricsConfig:
        """Daily returns, 365 periods a year."""
        return cls(365.0, "1D", risk_free_rate)

    @classmethod
    def nse(cls, risk_free_rate: float = 0.0) -> MetricsConfig:
        """Daily returns, 252 trading days a year."""
        return cls(252.0, "1D", risk_free_rate)


@dataclass(frozen=True, slots=True)
class ReturnStats:
    """Return and risk metrics of one curve; None where undefined (see ``notes``)."""

    periods: int
    total_return: float
    annualised_return: float | None
    volatility: float | None
    sharpe: float | None
    sortino: float | None
    notes: dict[str, str]


def return_stats(curve: pd.Series, config: MetricsConfig) -> ReturnStats:
    """Total and annualised return, volatility, Sharpe and Sortino of a normalised curve."""
    returns = period_returns(curve, config.return_frequency).to_numpy()
    n = len(returns)
    ppy = config.periods_per_year
    notes: dict[str, str] = {}
    initial, final = float(curve.iloc[0]), float(curve.iloc[-1])
    total = final / initial - 1.0
    annualised: float | None = None
    if n == 0:
        notes["annualised_return"] = "no complete return period"
    elif final <= 0.0:
        annualised = -1.0  # everything was lost
    else:
        annualised = (final / initial) ** (ppy / n) - 1.0
    volatility = sharpe = sortino = None
    if n < 2:
        reason = f"{n} return period(s); at least 2 are needed"
        notes["volatility"] = notes["sharpe"] = notes["sortino"] = reason
    else:
        rf = (1.0 + config.risk_free_rate) ** (1.0 / ppy) - 1.0
        std = float(np.std(returns, ddof=1))
        volatility = std * math.sqrt(ppy)
        excess = float(np.mean(returns)) - rf
        if std > 0.0:
            sharpe = excess / std * math.sqrt(ppy)
        else:
            notes["sharpe"] = "returns do not vary (volatility is zero)"
        downside = math.sqrt(float(np.mean(np.minimum(returns - rf, 0.0) ** 2)))
        if downside > 0.0:
            sortino = excess / downside * math.sqrt(ppy)
        else:
            notes["sortino"] = "no period returned less than the risk-free rate"
    return ReturnStats(n, total, annualised, volatility, sharpe, sortino, notes)


def compute_performance(
    equity: pd.Series,
    trades: Sequence[TradeRecord] = (),
    config: MetricsConfig | None = None,
) -> PerformanceReport:
    """Every metric of `PerformanceReport` for one equity curve and its closed trades.

    Args:
        equity: account value over time (see `shrivenquant.analysis.equity`).
        trades: the closed trades of the run; positions still open at the end are not
            trades and do not count towards exposure or trade statistics.
        config: sampling and annualisation; defaults to `MetricsConfig.crypto`.

    Raises:
        TypeError, ValueError: the curve is malformed (see `normalise_equity`).
    """
    config = config or MetricsConfig()
    curve = normalise_equity(equity)
    stats = return_stats(curve, config)
    notes = dict(stats.notes)

    spells = underwater_spells(curve)
    worst = max(spells, key=lambda s: s.depth, default=None)
    max_drawdown = worst.depth if worst else 0.0
    calmar: float | None = None
    if stats.annualised_return is None:
        notes["calmar"] = "no annualised return"
    elif max_drawdown == 0.0:
        notes["calmar"] = "no drawdown"
    else:
        calmar = stats.annualised_return / max_drawdown

    trade = trade_stats(trades)
    notes.update(trade.notes)
    start_ns, end_ns = int(curve.index[0].value), int(curve.index[-1].value)
    exposure: float | None = None
    if end_ns > start_ns:
        span_s = (end_ns - start_ns) / 1e9
        exposure = time_in_market_s(trades, start_ns, end_ns) / span_s
    else:
        notes["exposure"] = "the curve spans no time"
    mean_equity = float(curve.mean())
    turnover: float | None = None
    if mean_equity > 0.0:
        turnover = trade.traded_notional / mean_equity
    else:
        notes["turnover"] = "mean equity is not positive"
    return PerformanceReport(
        start=curve.index[0].isoformat(),
        end=curve.index[-1].isoformat(),
        initial_equity=float(curve.iloc[0]),
        final_equity=float(curve.iloc[-1]),
        periods_per_year=config.periods_per_year,
        return_frequency=config.return_frequency,
        periods=stats.periods,
        total_return=stats.total_return,
        annualised_return=stats.annualised_return,
        volatility=stats.volatility,
        sharpe=stats.sharpe,
        sortino=stats.sortino,
        calmar=calmar,
        max_drawdown=max_drawdown,
        max_drawdown_duration_s=worst.duration_s if worst else 0.0,
        max_drawdown_recovered=worst.recovery is not None if worst else True,
        longest_underwater_s=max((s.duration_s for s in spells), default=0.0),
        trade_count=trade.trade_count,
        win_rate=trade.win_rate,
        profit_factor=trade.profit_factor,
        expectancy=trade.expectancy,
        avg_win=trade.avg_win,
        avg_loss=trade.avg_loss,
        largest_win=trade.largest_win,
        largest_loss=trade.largest_loss,
        avg_holding_s=trade.avg_holding_s,
        exposure=exposure,
        turnover=turnover,
        traded_notional=trade.traded_notional,
        fees=trade.fees,
        notes=notes,
    )
