"""Reconciliation after a restart: what happened at the venue while the engine was down."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.execution import ExecEngineConfig, trading_state_snapshot
from shrivenquant.model.enums import OrderSide, OrderStatus, OrderType, TriggerType
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.identifiers import EXTERNAL_STRATEGY_ID, ClientOrderId, PositionId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.stubs import TestOrderStubs


def restart(make_harness: Any, live: Any, **kwargs: Any) -> Any:
    """A new engine on the same journal, facing the same venue."""
    again = make_harness(journal=live.journal, **kwargs)
    again.client.take_venue_state(live.client)
    return again


def reconciled_fills(h: Any) -> list[OrderFilled]:
    return [e for e in h.order_events if isinstance(e, OrderFilled) and e.reconciliation]


class TestMissedEvents:
    async def test_fills_while_down_are_applied(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order = live.submit()
        cid = order.client_order_id
        live.client.fill(cid, Quantity("0.40000"), report=False)
        live.client.fill(cid, Quantity("0.60000"), Price("49990.00"), report=False)
        again = restart(make_harness, live)
        [result] = await again.engine.reconcile()
        restored = again.cache.order(cid)
        assert restored.status is OrderStatus.FILLED
        assert len(reconciled_fills(again)) == 2
        position = again.cache.position(PositionId("BTCUSDT.BINANCE-S-001"))
        assert position.signed_qty == Decimal(1)
        assert result.ok
        assert result.fill_reports == 2

    async def test_cancel_and_expiry_while_down(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        canceled = live.submit()
        expired = live.submit()
        live.client.cancel(canceled.client_order_id, report=False)
        live.client.expire(expired.client_order_id, report=False)
        again = restart(make_harness, live, config=ExecEngineConfig(reconcile_open_only=False))
        await again.engine.reconcile()
        assert again.cache.order(canceled.client_order_id).status is OrderStatus.CANCELED
        assert again.cache.order(expired.client_order_id).status is OrderStatus.EXPIRED
        assert again.events_of(canceled.client_order_id)[-1] == "OrderCanceled"

    async def test_open_order_missing_at_venue_is_resolved_as_canceled(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order = live.submit()
        live.client.fill(order.client_order_id, Quantity("0.20000"), report=False)
        live.client.cancel(order.client_order_id, report=False)
        again = restart(make_harness, live)
        [result] = await again.engine.reconcile()
        restored = again.cache.order(order.client_order_id)
        assert restored.status is OrderStatus.CANCELED
        assert restored.filled_qty == Quantity("0.20000")  # its fill was found first
        assert result.resolved_orders == [order.client_order_id]

    async def test_unacknowledged_order_missing_at_venue_is_rejected(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal)
        order = live.submit()
        del live.client.venue_orders[order.client_order_id]
        again = restart(make_harness, live)
        await again.engine.reconcile()
        assert again.cache.order(order.client_order_id).status is OrderStatus.REJECTED

    async def test_lost_submission_is_denied(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal, auto_submit=False)
        order = live.submit()
        assert order.status is OrderStatus.INITIALIZED
        del live.client.venue_orders[order.client_order_id]  # the request never left
        again = restart(make_harness, live)
        await again.engine.reconcile()
        assert again.cache.order(order.client_order_id).status is OrderStatus.DENIED
        assert again.client.commands == []  # never sent twice

    async def test_submission_that_reached_the_venue_is_adopted(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal, auto_submit=False)
        order = live.submit()
        live.client.accept(order.client_order_id, report=False)
        again = restart(make_harness, live)
        await again.engine.reconcile()
        restored = again.cache.order(order.client_order_id)
        assert restored.status is OrderStatus.ACCEPTED
        assert restored.venue_order_id is not None

    async def test_unacknowledged_order_that_traded_and_closed(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal, auto_submit=False)
        order = live.submit()
        live.client.accept(order.client_order_id, report=False)
        live.client.fill(order.client_order_id, report=False)  # filled: not open any more
        again = restart(make_harness, live)
        await again.engine.reconcile()
        restored = again.cache.order(order.client_order_id)
        assert restored.status is OrderStatus.FILLED
        assert again.cache.positions_open()[0].signed_qty == Decimal(1)

    async def test_venue_side_update_and_trigger(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order = live.submit(OrderType.STOP_LIMIT)
        live.client.update(order.client_order_id, Quantity("2.00000"), report=False)
        live.client.trigger(order.client_order_id, report=False)
        again = restart(make_harness, live)
        await again.engine.reconcile()
        restored = again.cache.order(order.client_order_id)
        assert restored.status is OrderStatus.TRIGGERED
        assert restored.quantity == Quantity("2.00000")

    async def test_pending_cancel_not_confirmed_is_restored(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order = live.submit()
        live.cancel(order.client_order_id)
        again = restart(make_harness, live)
        assert again.cache.order(order.client_order_id).is_pending_cancel
        await again.engine.reconcile()
        assert again.cache.order(order.client_order_id).status is OrderStatus.ACCEPTED

    async def test_missing_filled_quantity_is_inferred(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order = live.submit()
        live.client.fill(order.client_order_id, Quantity("0.50000"), Price("50000.00"))
        live.client.fill(
            order.client_order_id, Quantity("0.20000"), Price("49000.00"), report=False
        )
        live.client.fill_reports.clear()  # the venue's fill history is gone
        again = restart(make_harness, live)
        await again.engine.reconcile()
        restored = again.cache.order(order.client_order_id)
        assert restored.filled_qty == Quantity("0.70000")
        [inferred] = reconciled_fills(again)
        assert inferred.last_qty == Quantity("0.20000")
        assert inferred.last_px == Price("49000.00")


class TestExternalOrders:
    async def test_unknown_venue_order_is_adopted(self, make_harness: Any) -> None:
        h = make_harness()
        external = TestOrderStubs.init(side=OrderSide.SELL, client_order_id=ClientOrderId("X-1"))
        venue_order_id = h.client.add_external_order(external)
        [result] = await h.engine.reconcile()
        cid = ClientOrderId(f"EXT-{venue_order_id}")
        adopted = h.cache.order(cid)
        assert adopted.strategy_id == EXTERNAL_STRATEGY_ID
        assert adopted.status is OrderStatus.ACCEPTED
        assert adopted.side is OrderSide.SELL
        assert result.adopted_orders == [cid]
        assert h.cache.order_by_venue_order_id(venue_order_id) is adopted
        # A second reconciliation finds it and changes nothing.
        [again] = await h.engine.reconcile()
        assert again.adopted_orders == []

    async def test_fills_of_an_unknown_closed_order_are_adopted(self, make_harness: Any) -> None:
        h = make_harness()
        external = TestOrderStubs.init(client_order_id=ClientOrderId("X-2"))
        h.client.add_external_order(external)
        h.client.fill(external.client_order_id, report=False)  # filled: no longer open
        await h.engine.reconcile()
        [adopted] = h.cache.orders(strategy_id=EXTERNAL_STRATEGY_ID)
        assert adopted.status is OrderStatus.FILLED
        assert adopted.order_type is OrderType.MARKET
        [position] = h.cache.positions_open()
        assert position.strategy_id == EXTERNAL_STRATEGY_ID


class TestPositionsAndFailures:
    async def test_position_mismatch_degrades_the_engine(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit(OrderType.MARKET)
        h.client.fill(order.client_order_id, px=Price("50000.00"))
        h.client.set_position(order.instrument_id, Quantity("2.00000"), short=False)
        [result] = await h.engine.reconcile()
        assert result.position_mismatches == ["BTCUSDT.BINANCE: venue 2.00000 vs engine 1"]
        assert h.engine.state is ComponentState.DEGRADED

    async def test_matching_positions_are_fine(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit(OrderType.MARKET, side=OrderSide.SELL)
        h.client.fill(order.client_order_id, px=Price("50000.00"))
        h.client.set_position(order.instrument_id, Quantity("1.00000"), short=True)
        [result] = await h.engine.reconcile()
        assert result.ok
        assert h.engine.state is ComponentState.RUNNING

    async def test_report_failure_is_reported(self, make_harness: Any) -> None:
        h = make_harness()
        h.client.fail_reports = True
        [result] = await h.engine.reconcile()
        assert not result.ok
        assert "venue unreachable" in result.errors[0]

    async def test_reconciliation_events_replay(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order = live.submit()
        live.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        live.client.fill(order.client_order_id, Quantity("0.30000"), report=False)
        live.client.add_external_order(TestOrderStubs.init(client_order_id=ClientOrderId("X-3")))
        again = restart(make_harness, live)
        await again.engine.reconcile()
        expected = trading_state_snapshot(again.cache)
        third = restart(make_harness, again)
        assert trading_state_snapshot(third.cache) == expected
