"""Fills into positions: netting, hedging, flips, explicit position ids, position events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shrivenquant.execution import Anomaly, ExecEngineConfig
from shrivenquant.model.enums import OmsType, OrderSide, OrderType, PositionSide
from shrivenquant.model.events import PositionChanged, PositionClosed, PositionOpened
from shrivenquant.model.identifiers import InstrumentId, PositionId, StrategyId
from shrivenquant.model.values import Price, Quantity

NETTING_ID = PositionId("BTCUSDT.BINANCE-S-001")


def _fill(h: Any, side: OrderSide, qty: str, px: str = "50000.00", **kw: Any) -> Any:
    order = h.submit(OrderType.MARKET, side, qty, **kw)
    h.client.accept(order.client_order_id)
    h.client.fill(order.client_order_id, px=Price(px))
    return order


def _kinds(h: Any) -> list[type]:
    return [type(e) for e in h.position_events]


class TestNetting:
    def test_open_add_reduce_close_reopen(self, make_harness: Any) -> None:
        h = make_harness()
        _fill(h, OrderSide.BUY, "1.00000", "50000.00")
        _fill(h, OrderSide.BUY, "1.00000", "51000.00")
        position = h.cache.position(NETTING_ID)
        assert position.signed_qty == Decimal(2)
        assert position.avg_px_open == Decimal(50500)
        _fill(h, OrderSide.SELL, "0.50000", "52000.00")
        assert position.signed_qty == Decimal("1.5")
        _fill(h, OrderSide.SELL, "1.50000", "52000.00")
        assert position.is_closed
        assert h.cache.positions_closed() == [position]
        _fill(h, OrderSide.SELL, "1.00000", "53000.00")
        assert position.side is PositionSide.SHORT
        assert h.cache.positions_open() == [position]
        assert _kinds(h) == [
            PositionOpened,
            PositionChanged,
            PositionChanged,
            PositionClosed,
            PositionOpened,
        ]
        assert h.position_events[-1].position_id == NETTING_ID

    def test_flip_keeps_one_position(self, make_harness: Any) -> None:
        h = make_harness()
        _fill(h, OrderSide.BUY, "1.00000", "50000.00")
        _fill(h, OrderSide.SELL, "3.00000", "50100.00")
        position = h.cache.position(NETTING_ID)
        assert position.signed_qty == Decimal(-2)
        assert position.avg_px_open == Decimal(50100)
        assert position.realized_pnl.as_decimal() == Decimal(100)
        assert _kinds(h) == [PositionOpened, PositionChanged]
        assert len(h.cache.positions()) == 1

    def test_strategies_net_separately(self, make_harness: Any) -> None:
        h = make_harness()
        _fill(h, OrderSide.BUY, "1.00000")
        _fill(h, OrderSide.SELL, "1.00000", strategy_id=StrategyId("S-002"))
        ids = sorted(p.id.value for p in h.cache.positions_open())
        assert ids == ["BTCUSDT.BINANCE-S-001", "BTCUSDT.BINANCE-S-002"]


class TestHedging:
    def test_each_opening_order_has_its_own_position(self, make_harness: Any) -> None:
        h = make_harness(oms_type=OmsType.HEDGING)
        first = _fill(h, OrderSide.BUY, "1.00000")
        second = _fill(h, OrderSide.SELL, "1.00000")
        assert len(h.cache.positions_open()) == 2
        assert h.cache.position(PositionId(first.client_order_id.value)).side is PositionSide.LONG
        assert h.cache.position(PositionId(second.client_order_id.value)).side is (
            PositionSide.SHORT
        )

    def test_close_a_named_position(self, make_harness: Any) -> None:
        h = make_harness(oms_type=OmsType.HEDGING)
        first = _fill(h, OrderSide.BUY, "1.00000")
        pid = PositionId(first.client_order_id.value)
        _fill(h, OrderSide.SELL, "1.00000", position_id=pid)
        assert h.cache.position(pid).is_closed
        assert h.cache.positions_open() == []
        assert isinstance(h.position_events[-1], PositionClosed)

    def test_config_overrides_the_client(self, make_harness: Any) -> None:
        h = make_harness(config=ExecEngineConfig(oms_type=OmsType.HEDGING))
        _fill(h, OrderSide.BUY, "1.00000")
        _fill(h, OrderSide.BUY, "1.00000")
        assert len(h.cache.positions_open()) == 2


class TestEdges:
    def test_partial_fills_of_one_order_share_a_position(self, make_harness: Any) -> None:
        h = make_harness(oms_type=OmsType.HEDGING, auto_accept=True)
        order = h.submit()
        h.client.fill(order.client_order_id, Quantity("0.40000"))
        h.client.fill(order.client_order_id, Quantity("0.60000"))
        assert len(h.cache.positions()) == 1
        assert h.cache.position_id_for_order(order.client_order_id) == PositionId(
            order.client_order_id.value
        )

    def test_fill_without_instrument_is_counted_not_booked(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit(instrument_id=InstrumentId("ETHUSDT.BINANCE"))
        h.client.fill(order.client_order_id)
        assert order.is_closed
        assert h.cache.positions() == []
        assert h.engine.positions.fills_without_instrument == 1
        assert h.engine.counters[Anomaly.UNKNOWN_ORDER] == 0
