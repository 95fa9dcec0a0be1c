"""The equity curve of a backtest: the accounts' equity, sampled as simulated time passes.

At each sample the equity of every venue account is taken from the portfolio (balances plus
the value of open positions at their marks) and converted to the report currency; the curve is
their sum. The mark of every instrument is sampled alongside, for the tearsheet's price charts.
A sample the portfolio cannot value (no mark or exchange rate yet) is skipped and counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from shrivenquant.model.currency import Currency
from shrivenquant.model.identifiers import AccountId, InstrumentId
from shrivenquant.portfolio import Portfolio

TARGET_SAMPLES: Final = 5_000
"""Samples over the data's span when no interval is configured."""
DEFAULT_INTERVAL_NS: Final = 3_600_000_000_000
"""The interval when neither an interval nor the data's span is known (one hour)."""
MIN_INTERVAL_NS: Final = 1_000_000_000


def choose_interval(configured: int | None, first_ts: int | None, last_ts: int | None) -> int:
    """The sampling interval: the configured one, else the span over `TARGET_SAMPLES` (at
    least a second), else `DEFAULT_INTERVAL_NS`."""
    if configured is not None:
        return configured
    if first_ts is None or last_ts is None or last_ts <= first_ts:
        return DEFAULT_INTERVAL_NS
    return max((last_ts - first_ts) // TARGET_SAMPLES, MIN_INTERVAL_NS)


class EquitySampler:
    """Samples equity and marks (see the module docstring).

    Args:
        portfolio: the kernel's portfolio.
        account_ids: the accounts whose equity is summed.
        currency: the currency of the curve.
        instrument_ids: the instruments whose marks are sampled.
        interval_ns: time between samples.
    """

    def __init__(
        self,
        portfolio: Portfolio,
        account_ids: Sequence[AccountId],
        currency: Currency,
        instrument_ids: Sequence[InstrumentId],
        interval_ns: int,
    ) -> None:
        self._portfolio = portfolio
        self._accounts = tuple(account_ids)
        self.currency = currency
        self._instruments = tuple(instrument_ids)
        self.interval_ns = interval_ns
        self.next_ns = -(2**63)
        self.skipped = 0
        self._times: list[int] = []
        self._values: list[float] = []
        self._marks: list[list[float]] = [[] for _ in self._instruments]

    def take(self, ts: int) -> int:
        """Sample the state at ``ts`` (the time of the records handled last); return when the
        next sample is due."""
        portfolio = self._portfolio
        total = 0.0
        for account_id in self._accounts:
            equity = portfolio.equity_in(account_id, self.currency)
            if equity is None:
                self.skipped += 1
                self.next_ns = ts + self.interval_ns
                return self.next_ns
            total += equity.as_double()
        times = self._times
        if times and times[-1] >= ts:  # a later look at the same moment replaces the first
            self._values[-1] = total
            for marks, instrument_id in zip(self._marks, self._instruments, strict=True):
                marks[-1] = self._mark(instrument_id)
        else:
            times.append(ts)
            self._values.append(total)
            for marks, instrument_id in zip(self._marks, self._instruments, strict=True):
                marks.append(self._mark(instrument_id))
        self.next_ns = ts + self.interval_ns
        return self.next_ns

    def _mark(self, instrument_id: InstrumentId) -> float:
        price = self._portfolio.mark_price(instrument_id)
        return math.nan if price is None else price.as_double()

    def __len__(self) -> int:
        return len(self._times)

    def equity(self) -> pd.Series:
        """The curve: equity in the report currency on a UTC ``DatetimeIndex``."""
        index = pd.to_datetime(np.asarray(self._times, dtype=np.int64), unit="ns", utc=True)
        return pd.Series(np.asarray(self._values, dtype=np.float64), index=index, name="equity")

    def marks(self) -> dict[str, pd.Series]:
        """Each instrument's sampled mark (samples without a mark left out)."""
        index = pd.to_datetime(np.asarray(self._times, dtype=np.int64), unit="ns", utc=True)
        result = {}
        for instrument_id, marks in zip(self._instruments, self._marks, strict=True):
            series = pd.Series(np.asarray(marks, dtype=np.float64), index=index)
            series = series.dropna()
            if len(series):
                result[instrument_id.value] = series.rename(instrument_id.value)
        return result
