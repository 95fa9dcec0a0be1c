"""`PerformanceReport`: every headline metric of one run, serialisable."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True, slots=True)
class PerformanceReport:
    """The performance of one equity curve and its closed trades.

    Fractions are plain fractions (0.25 is 25 %); money is in the account currency;
    durations are seconds. A metric that cannot be computed (a Sharpe ratio of a flat curve,
    a profit factor without losing trades) is None, and ``notes`` says why under the same key.

    Attributes:
        start: first timestamp of the curve, ISO 8601 UTC.
        end: last timestamp of the curve, ISO 8601 UTC.
        initial_equity: first value of the curve.
        final_equity: last value of the curve.
        periods_per_year: annualisation factor used.
        return_frequency: the sampling of the returns (``"1D"``), None for the raw curve.
        periods: number of return periods.
        total_return: ``final / initial - 1``.
        annualised_return: compound annual growth rate over ``periods / periods_per_year``
            years.
        volatility: annualised standard deviation of period returns (sample, ddof 1).
        sharpe: annualised mean excess return over volatility.
        sortino: annualised mean excess return over downside deviation.
        calmar: annualised return over maximum drawdown.
        max_drawdown: the largest fall from a running peak, a positive fraction.
        max_drawdown_duration_s: from the peak before the largest fall to the recovery (or
            the end of the curve if it never recovered).
        max_drawdown_recovered: whether the curve regained that peak.
        longest_underwater_s: the longest spell below a previous peak, peak to recovery.
        trade_count: closed trades.
        win_rate: share of trades with positive net PnL.
        profit_factor: gross profit over gross loss (both net of fees per trade).
        expectancy: mean net PnL per trade.
        avg_win: mean net PnL of the winners.
        avg_loss: mean net PnL of the losers (negative).
        largest_win: best trade.
        largest_loss: worst trade (negative).
        avg_holding_s: mean time a trade was open.
        exposure: share of the curve's time span with at least one trade open.
        turnover: traded notional (entries plus exits) over mean equity.
        traded_notional: entries plus exits, in the account currency.
        fees: total fees.
        notes: why each None metric is None.
    """

    start: str
    end: str
    initial_equity: float
    final_equity: float
    periods_per_year: float
    return_frequency: str | None
    periods: int
    total_return: float
    annualised_return: float | None
    volatility: float | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    max_drawdown: float
    max_drawdown_duration_s: float
    max_drawdown_recovered: bool
    longest_underwater_s: float
    trade_count: int
    win_rate: float | None
    profit_factor: float | None
    expectancy: float | None
    avg_win: float | None
    avg_loss: float | None
    largest_win: float | None
    largest_loss: float | None
    avg_holding_s: float | None
    exposure: float | None
    turnover: float | None
    traded_notional: float
    fees: float
    notes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-compatible values."""
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (no NaN or infinity: undefined metrics are ``null``)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PerformanceReport:
        """Rebuild a report from `to_dict` output.

        Raises:
            ValueError: keys are missing or unknown.
        """
        expected = set(cls.__dataclass_fields__)
        missing, unknown = expected - set(data), set(data) - expected
        if missing or unknown:
            raise ValueError(
                f"PerformanceReport.from_dict: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        return cls(**data)

    def to_table(self, title: str = "Performance") -> Table:
        """The report as a rich table (see `shrivenquant.analysis.render`)."""
        from shrivenquant.analysis.render import report_table  # noqa: PLC0415

        return report_table(self, title)
