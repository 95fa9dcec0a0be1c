"""Closed trades (round trips) of a backtest, rebuilt from the positions' fills.

A netting position may open and close many times; each time it goes from flat back to flat
(or flips through flat) is one trade. The fills of every position are replayed through a fresh
model `Position`, so each trade's PnL is the exact change of realized PnL over its cycle (net
of the commissions booked in the PnL currency); entry and exit prices are the
quantity-weighted averages of the opening and closing fills.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shrivenquant.analysis import TradeRecord
from shrivenquant.cache import Cache
from shrivenquant.model.enums import OrderSide, PositionSide
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.position import Position, PositionFill

_ZERO = Decimal(0)


@dataclass(slots=True)
class _Cycle:
    """What one trade has done so far."""

    entry_time: int
    side: PositionSide
    realized_before: Decimal
    open_qty: Decimal = _ZERO
    open_value: Decimal = _ZERO
    close_qty: Decimal = _ZERO
    close_value: Decimal = _ZERO
    fees: Decimal = _ZERO


def closed_trades(cache: Cache) -> list[TradeRecord]:
    """Every closed trade of every position in the cache, by exit time."""
    trades: list[TradeRecord] = []
    for position in cache.positions():
        instrument = cache.instrument(position.instrument_id)
        if instrument is None or not position.events:
            continue
        trades.extend(position_trades(instrument, position.events, position.id))
    trades.sort(key=lambda t: (t.exit_time, t.entry_time, t.instrument_id))
    return trades


def position_trades(
    instrument: Instrument, fills: Iterable[PositionFill], position_id: object
) -> list[TradeRecord]:
    """The closed trades of one position, from its fills in order."""
    replay: Position | None = None
    cycle: _Cycle | None = None
    trades: list[TradeRecord] = []
    for fill in fills:
        before = _ZERO if replay is None else replay.signed_qty
        realized_before = _ZERO if replay is None else replay.realized_pnl.as_decimal()
        if replay is None:
            replay = Position(instrument, fill, position_id)  # type: ignore[arg-type]
        else:
            replay.apply(fill)
        qty = fill.last_qty.as_decimal()
        px = fill.last_px.as_decimal()
        signed = qty if fill.order_side is OrderSide.BUY else -qty
        if cycle is None:
            cycle = _Cycle(fill.ts_event, _side(signed), realized_before)
        if fill.commission.currency == replay.currency:
            cycle.fees += fill.commission.as_decimal()
        closing = _ZERO
        if before and (before > 0) != (signed > 0):
            closing = min(qty, abs(before))
            cycle.close_qty += closing
            cycle.close_value += closing * px
        opening = qty - closing
        if opening:
            cycle.open_qty += opening
            cycle.open_value += opening * px
        after = replay.signed_qty
        if before and (not after or (after > 0) != (before > 0)):
            cycle.open_qty -= opening
            cycle.open_value -= opening * px
            realized = replay.realized_pnl.as_decimal()
            trades.append(_record(instrument, cycle, fill.ts_event, realized))
            cycle = None
            if after:  # a flip: the rest of the fill opens the next trade
                cycle = _Cycle(fill.ts_event, _side(after), realized)
                cycle.open_qty, cycle.open_value = opening, opening * px
    return trades


def _side(signed: Decimal) -> PositionSide:
    return PositionSide.LONG if signed > 0 else PositionSide.SHORT


def _record(
    instrument: Instrument, cycle: _Cycle, exit_time: int, realized: Decimal
) -> TradeRecord:
    return TradeRecord(
        entry_time=cycle.entry_time,
        exit_time=exit_time,
        side=cycle.side,
        quantity=float(cycle.open_qty),
        entry_price=float(cycle.open_value / cycle.open_qty),
        exit_price=float(cycle.close_value / cycle.close_qty),
        pnl=float(realized - cycle.realized_before),
        fees=float(cycle.fees),
        instrument_id=instrument.id.value,
        multiplier=instrument.multiplier.as_double(),
    )
