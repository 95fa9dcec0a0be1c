"""Closed trades (round trips) and the statistics computed from them.

A `TradeRecord` is one position from opening to flat: when and at what average price it was
entered and left, its size and its realised PnL. Analytics work in floats; convert exact
model values with ``as_double()`` (or ``float(decimal)``) when building records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from shrivenquant.model.enums import PositionSide

NS_PER_SECOND = 1_000_000_000


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One closed trade.

    Attributes:
        entry_time: when the position opened, ns since the epoch, UTC.
        exit_time: when it closed, ns since the epoch, UTC.
        side: LONG or SHORT.
        quantity: the traded size (positive).
        entry_price: the average entry price.
        exit_price: the average exit price.
        pnl: realised PnL *net of fees*, in the account currency.
        fees: fees paid (negative for net rebates).
        instrument_id: the instrument, e.g. ``"BTCUSDT.BINANCE"`` (for charts and grouping).
        multiplier: contract multiplier; notional = quantity * multiplier * price.
    """

    entry_time: int
    exit_time: int
    side: PositionSide
    quantity: float
    entry_price: float
    exit_price: float
    pnl: float
    fees: float = 0.0
    instrument_id: str = ""
    multiplier: float = 1.0

    def __post_init__(self) -> None:
        if self.side not in (PositionSide.LONG, PositionSide.SHORT):
            raise ValueError(f"TradeRecord side must be LONG or SHORT, got {self.side!r}")
        if self.exit_time < self.entry_time:
            raise ValueError(
                f"TradeRecord exit_time {self.exit_time} is before entry_time {self.entry_time}"
            )
        for name in ("quantity", "entry_price", "exit_price", "pnl", "fees", "multiplier"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ValueError(f"TradeRecord {name} must be finite, got {value!r}")
        if self.quantity <= 0.0:
            raise ValueError(f"TradeRecord quantity must be positive, got {self.quantity!r}")
        if self.multiplier <= 0.0:
            raise ValueError(f"TradeRecord multiplier must be positive, got {self.multiplier!r}")

    @classmethod
    def from_prices(
        cls,
        *,
        entry_time: int,
        exit_time: int,
        side: PositionSide,
        quantity: float,
        entry_price: float,
        exit_price: float,
        fees: float = 0.0,
        instrument_id: str = "",
        multiplier: float = 1.0,
    ) -> TradeRecord:
        """A trade of a linear instrument, its PnL computed from the prices.

        ``pnl = (exit - entry) * quantity * multiplier`` (sign flipped for SHORT) ``- fees``.
        """
        direction = 1.0 if side is PositionSide.LONG else -1.0
        gross = direction * (exit_price - entry_price) * quantity * multiplier
        return cls(
            entry_time=entry_time,
            exit_time=exit_time,
            side=side,
            quantity=quantity,
            entry_price=entry_price,
            exit_price=exit_price,
            pnl=gross - fees,
            fees=fees,
            instrument_id=instrument_id,
            multiplier=multiplier,
        )

    @property
    def gross_pnl(self) -> float:
        """PnL before fees."""
        return self.pnl + self.fees

    @property
    def notional(self) -> float:
        """Value traded over the round trip: entry plus exit notional."""
        return self.quantity * self.multiplier * (self.entry_price + self.exit_price)

    @property
    def duration_s(self) -> float:
        """Seconds the position was open."""
        return (self.exit_time - self.entry_time) / NS_PER_SECOND


@dataclass(frozen=True, slots=True)
class TradeStats:
    """Statistics of a list of closed trades; None where undefined (see ``notes``)."""

    trade_count: int
    winners: int
    losers: int
    win_rate: float | None
    gross_profit: float
    gross_loss: float
    profit_factor: float | None
    expectancy: float | None
    avg_win: float | None
    avg_loss: float | None
    largest_win: float | None
    largest_loss: float | None
    avg_holding_s: float | None
    fees: float
    traded_notional: float
    notes: dict[str, str]


def trade_stats(trades: Sequence[TradeRecord]) -> TradeStats:
    """Win rate, profit factor, expectancy and the rest, from net PnL per trade.

    A trade wins when its net PnL is above zero and loses when below; a trade at exactly
    zero counts in ``trade_count`` (and so lowers the win rate) but is neither.
    """
    pnl = np.array([t.pnl for t in trades], dtype=np.float64)
    wins = pnl[pnl > 0.0]
    losses = pnl[pnl < 0.0]
    notes: dict[str, str] = {}
    count = len(pnl)
    if not count:
        for key in ("win_rate", "expectancy", "avg_holding_s", "profit_factor"):
            notes[key] = "no closed trades"
    if count and not len(losses):
        notes["profit_factor"] = "no losing trades"
    if not len(wins):
        notes["avg_win"] = notes["largest_win"] = "no winning trades"
    if not len(losses):
        notes["avg_loss"] = notes["largest_loss"] = "no losing trades"
    gross_profit = float(wins.sum())
    gross_loss = float(losses.sum())
    return TradeStats(
        trade_count=count,
        winners=len(wins),
        losers=len(losses),
        win_rate=len(wins) / count if count else None,
        gross_profit=gross_profit,
        gross_loss=gross_loss,
        profit_factor=gross_profit / -gross_loss if len(losses) else None,
        expectancy=float(pnl.mean()) if count else None,
        avg_win=float(wins.mean()) if len(wins) else None,
        avg_loss=float(losses.mean()) if len(losses) else None,
        largest_win=float(wins.max()) if len(wins) else None,
        largest_loss=float(losses.min()) if len(losses) else None,
        avg_holding_s=float(np.mean([t.duration_s for t in trades])) if count else None,
        fees=float(sum(t.fees for t in trades)),
        traded_notional=float(sum(t.notional for t in trades)),
        notes=notes,
    )


def time_in_market_s(trades: Sequence[TradeRecord], start_ns: int, end_ns: int) -> float:
    """Seconds within ``[start_ns, end_ns]`` during which at least one trade was open.

    Overlapping trades (several instruments, or pyramiding) count once.
    """
    intervals = sorted(
        (max(t.entry_time, start_ns), min(t.exit_time, end_ns))
        for t in trades
        if t.exit_time > start_ns and t.entry_time < end_ns
    )
    covered = 0
    current_start, current_end = None, None
    for begin, finish in intervals:
        if current_end is None or begin > current_end:
            if current_end is not None and current_start is not None:
                covered += current_end - current_start
            current_start, current_end = begin, finish
        else:
            current_end = max(current_end, finish)
    if current_end is not None and current_start is not None:
        covered += current_end - current_start
    return covered / NS_PER_SECOND


def trades_frame(trades: Sequence[TradeRecord]) -> pd.DataFrame:
    """The trades as a DataFrame, one row each, times as UTC timestamps."""
    columns = [
        "instrument_id",
        "side",
        "entry_time",
        "exit_time",
        "quantity",
        "entry_price",
        "exit_price",
        "pnl",
        "fees",
        "multiplier",
    ]
    frame = pd.DataFrame(
        [
            (
                t.instrument_id,
                t.side.value,
                t.entry_time,
                t.exit_time,
                t.quantity,
                t.entry_price,
                t.exit_price,
                t.pnl,
                t.fees,
                t.multiplier,
            )
            for t in trades
        ],
        columns=columns,
    )
    for column in ("entry_time", "exit_time"):
        frame[column] = pd.to_datetime(frame[column].astype("int64"), unit="ns", utc=True)
    return frame
