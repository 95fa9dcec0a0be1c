"""Closed trades rebuilt from a position's fills: cycles, flips, partial closes and fees."""

from __future__ import annotations

import msgspec
import pytest

from shrivenquant.model.enums import OrderSide, OrderType, PositionSide
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.identifiers import PositionId
from shrivenquant.runtime.backtest.trades import position_trades
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestEventStubs, TestOrderStubs

BTCUSDT = TestInstrumentProvider.btcusdt_binance()
POSITION = PositionId("P-1")


def fill(side: OrderSide, qty: str, px: str, ts: int, fee: str = "0") -> OrderFilled:
    init = TestOrderStubs.init(OrderType.MARKET, side, quantity=qty)
    event = TestEventStubs.filled(init, px=px, commission=fee)
    return msgspec.structs.replace(event, ts_event=ts, ts_init=ts)


def test_each_flat_to_flat_cycle_is_one_trade() -> None:
    trades = position_trades(
        BTCUSDT,
        [
            fill(OrderSide.BUY, "1.00000", "100.00", 1, fee="0.10"),
            fill(OrderSide.SELL, "1.00000", "110.00", 2, fee="0.11"),
            fill(OrderSide.SELL, "2.00000", "120.00", 3),
            fill(OrderSide.BUY, "2.00000", "115.00", 4),
        ],
        POSITION,
    )
    assert len(trades) == 2
    first, second = trades
    assert (first.side, first.entry_time, first.exit_time) == (PositionSide.LONG, 1, 2)
    assert (first.quantity, first.entry_price, first.exit_price) == (1.0, 100.0, 110.0)
    assert first.fees == pytest.approx(0.21)
    assert first.pnl == pytest.approx(10.0 - 0.21)
    assert second.side is PositionSide.SHORT
    assert second.pnl == pytest.approx(10.0)


def test_partial_closes_average_the_exit_and_a_flip_starts_the_next_trade() -> None:
    trades = position_trades(
        BTCUSDT,
        [
            fill(OrderSide.BUY, "2.00000", "100.00", 1),
            fill(OrderSide.SELL, "1.00000", "104.00", 2),
            fill(OrderSide.SELL, "3.00000", "108.00", 3),  # closes 1, opens 2 short
            fill(OrderSide.BUY, "2.00000", "100.00", 4),
        ],
        POSITION,
    )
    assert len(trades) == 2
    long, short = trades
    assert (long.quantity, long.entry_price, long.exit_price) == (2.0, 100.0, 106.0)
    assert long.pnl == pytest.approx(12.0)
    assert (short.side, short.entry_time, short.exit_time) == (PositionSide.SHORT, 3, 4)
    assert (short.quantity, short.entry_price, short.exit_price) == (2.0, 108.0, 100.0)
    assert short.pnl == pytest.approx(16.0)


def test_an_open_position_has_no_closed_trade_yet() -> None:
    trades = position_trades(
        BTCUSDT,
        [fill(OrderSide.BUY, "1.00000", "100.00", 1), fill(OrderSide.BUY, "1.00000", "102.00", 2)],
        POSITION,
    )
    assert trades == []
