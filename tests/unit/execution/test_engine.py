"""The execution engine's order path: routing, event application, idempotency and the races."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from shrivenquant.bus import topics
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.execution import Anomaly, ExecEngineConfig
from shrivenquant.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from shrivenquant.model.enums import OrderSide, OrderStatus, OrderType
from shrivenquant.model.events import (
    OrderCancelRejected,
    OrderDenied,
    OrderFilled,
    OrderModifyRejected,
)
from shrivenquant.model.identifiers import ClientId, ClientOrderId, InstrumentId, StrategyId, Venue
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.fake_execution import FakeExecutionClient
from shrivenquant.testkit.stubs import TestEventStubs, TestIdStubs, TestOrderStubs


def _sent(harness: Any, kind: type) -> list[Any]:
    return [c for c in harness.client.commands if isinstance(c, kind)]


class TestSubmit:
    def test_order_goes_through_its_lifecycle(self, harness: Any) -> None:
        order = harness.submit()
        cid = order.client_order_id
        assert order.status is OrderStatus.SUBMITTED
        assert len(_sent(harness, SubmitOrder)) == 1
        harness.client.accept(cid)
        assert order.status is OrderStatus.ACCEPTED
        assert harness.cache.order_by_venue_order_id(order.venue_order_id) is order
        harness.client.fill(cid, Quantity("0.40000"))
        assert order.status is OrderStatus.PARTIALLY_FILLED
        harness.client.fill(cid)
        assert order.status is OrderStatus.FILLED
        assert harness.cache.orders_closed() == [order]
        assert harness.events_of(cid) == [
            "OrderInitialized",
            "OrderSubmitted",
            "OrderAccepted",
            "OrderFilled",
            "OrderFilled",
        ]
        assert harness.engine.counters.commands == 1

    def test_events_are_published_on_the_strategy_topic(self, harness: Any) -> None:
        seen: list[Any] = []
        harness.bus.subscribe(topics.order_events(TestIdStubs.strategy_id), seen.append)
        harness.submit()
        assert [type(e).__name__ for e in seen] == ["OrderInitialized", "OrderSubmitted"]

    def test_duplicate_client_order_id_is_denied_and_not_sent_twice(self, harness: Any) -> None:
        init = TestOrderStubs.init()
        harness.submit_init(init)
        harness.submit_init(init)
        assert len(_sent(harness, SubmitOrder)) == 1
        order = harness.cache.order(init.client_order_id)
        assert order.status is OrderStatus.SUBMITTED  # the live order is untouched
        denied = [e for e in harness.order_events if isinstance(e, OrderDenied)]
        assert len(denied) == 1
        assert "duplicate" in denied[0].reason
        assert harness.engine.counters[Anomaly.DUPLICATE_ORDER] == 1

    def test_invalid_order_is_denied(self, harness: Any) -> None:
        init = TestOrderStubs.init()
        bad = msgspec.structs.replace(init, order_type=OrderType.STOP_LIMIT)  # no trigger price
        harness.submit_init(bad)
        assert harness.cache.order(bad.client_order_id) is None
        assert harness.events_of(bad.client_order_id) == ["OrderDenied"]
        assert harness.engine.counters[Anomaly.INVALID_ORDER] == 1
        assert _sent(harness, SubmitOrder) == []

    def test_no_client_for_venue_is_denied(self, harness: Any) -> None:
        order = harness.submit(instrument_id=InstrumentId("ABC.NSE"))
        assert order.status is OrderStatus.DENIED
        assert harness.engine.counters[Anomaly.NO_CLIENT] == 1

    def test_explicit_client_and_default_client_routing(self, make_harness: Any) -> None:
        h = make_harness()
        other = FakeExecutionClient(
            TestIdStubs.trader_id, h.bus, h.clock, client_id=ClientId("SPARE"), venue=Venue("X")
        )
        h.engine.register_client(other, default=True)
        init = TestOrderStubs.init()
        h.execute(SubmitOrder(order=init, **{**h._fields(), "client_id": ClientId("SPARE")}))
        assert [c.order.client_order_id for c in other.commands] == [init.client_order_id]
        nse = h.submit(instrument_id=InstrumentId("ABC.NSE"))
        assert nse.status is OrderStatus.SUBMITTED  # the default client took it
        assert len(other.commands) == 2
        assert h.engine.router.get(ClientId("SPARE")) is other
        h.engine.deregister_client(ClientId("SPARE"))
        assert h.engine.router.default is None
        with pytest.raises(ValueError, match="already registered"):
            h.engine.register_client(h.client)

    def test_client_that_raises_denies_the_order(self, harness: Any) -> None:
        def boom(command: Any) -> None:
            raise RuntimeError("socket closed")

        harness.client.submit_order = boom  # type: ignore[method-assign]
        order = harness.submit()
        assert order.status is OrderStatus.DENIED


class TestModifyAndCancel:
    def test_modify_goes_pending_then_updated(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True, auto_modify=True)
        order = h.submit()
        h.modify(order.client_order_id, price=Price("49000.00"), quantity=Quantity("2.00000"))
        assert order.price == Price("49000.00")
        assert order.quantity == Quantity("2.00000")
        assert order.status is OrderStatus.ACCEPTED
        assert h.events_of(order.client_order_id)[-2:] == ["OrderPendingUpdate", "OrderUpdated"]

    def test_modify_rejected_restores_status(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        h.modify(order.client_order_id, price=Price("49000.00"))
        assert order.status is OrderStatus.PENDING_UPDATE
        h.client.reject_modify(order.client_order_id, "price filter")
        assert order.status is OrderStatus.ACCEPTED
        assert order.price == Price("50000.00")

    def test_modify_of_local_and_closed_orders(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        h.client.fill(order.client_order_id)
        h.modify(order.client_order_id, price=Price("1.00"))
        assert order.status is OrderStatus.FILLED
        assert isinstance(h.order_events[-1], OrderModifyRejected)
        assert _sent(h, ModifyOrder) == []
        partly = h.submit()
        h.client.fill(partly.client_order_id, Quantity("0.60000"))
        h.modify(partly.client_order_id, quantity=Quantity("0.50000"))
        assert "must exceed filled" in h.order_events[-1].reason

    def test_modify_unknown_order_is_answered(self, harness: Any) -> None:
        harness.modify(ClientOrderId("NOPE"), price=Price("1.00"))
        assert isinstance(harness.order_events[-1], OrderModifyRejected)
        assert harness.engine.counters[Anomaly.UNKNOWN_ORDER] == 1

    def test_cancel_goes_pending_then_canceled(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True, auto_cancel=True)
        order = h.submit()
        h.cancel(order.client_order_id)
        assert order.status is OrderStatus.CANCELED
        assert h.events_of(order.client_order_id)[-2:] == ["OrderPendingCancel", "OrderCanceled"]
        assert h.cache.orders_open() == []

    def test_cancel_of_filled_order_is_cancel_rejected(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        h.client.fill(order.client_order_id)
        h.cancel(order.client_order_id)
        assert order.status is OrderStatus.FILLED
        assert isinstance(h.order_events[-1], OrderCancelRejected)
        assert _sent(h, CancelOrder) == []

    def test_fill_after_cancel_request(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        cid = order.client_order_id
        h.cancel(cid)
        assert order.status is OrderStatus.PENDING_CANCEL
        h.client.fill(cid, Quantity("0.30000"))  # the venue traded before it saw the cancel
        assert order.status is OrderStatus.PARTIALLY_FILLED
        h.client.cancel(cid)
        assert order.status is OrderStatus.CANCELED
        assert order.filled_qty == Quantity("0.30000")
        h.client.fill(cid, Quantity("0.70000"))  # a late fill still counts
        assert order.status is OrderStatus.FILLED

    def test_venue_cancel_rejected_because_filled(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        cid = order.client_order_id
        h.cancel(cid)
        h.client.fill(cid)
        h.client.reject_cancel(cid, "order already filled")
        assert order.status is OrderStatus.FILLED

    def test_cancel_of_local_order_is_local(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger="BID_ASK")
        assert order.status is OrderStatus.EMULATED
        h.cancel(order.client_order_id)
        assert order.status is OrderStatus.CANCELED
        assert h.client.commands == []

    def test_cancel_while_pending_cancel_resends_without_new_event(self, harness: Any) -> None:
        order = harness.submit()
        harness.cancel(order.client_order_id)
        harness.cancel(order.client_order_id)
        assert len(_sent(harness, CancelOrder)) == 2
        assert harness.events_of(order.client_order_id).count("OrderPendingCancel") == 1

    def test_cancel_all_for_a_strategy(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True, auto_cancel=True)
        buy = h.submit()
        sell = h.submit(side=OrderSide.SELL, price=Price("51000.00"))
        h.cancel_all()
        assert buy.status is OrderStatus.CANCELED
        assert sell.status is OrderStatus.CANCELED
        assert len(h.client.commands) == 3  # two submits, one cancel-all

    def test_cancel_all_spares_other_strategies(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True, auto_cancel=True)
        mine = h.submit(side=OrderSide.SELL, price=Price("51000.00"))
        my_buy = h.submit()
        theirs = h.submit(
            side=OrderSide.SELL, price=Price("51000.00"), strategy_id=StrategyId("S-002")
        )
        h.cancel_all(OrderSide.SELL)
        assert mine.status is OrderStatus.CANCELED
        assert my_buy.status is OrderStatus.ACCEPTED
        assert theirs.status is OrderStatus.ACCEPTED
        assert [c.client_order_id for c in _sent(h, CancelOrder)] == [mine.client_order_id]

    def test_query_answer_reconciles_the_order(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        h.client.fill(order.client_order_id, Quantity("0.50000"), report=False)
        h.query(order.client_order_id)
        assert order.filled_qty == Quantity("0.50000")
        assert order.status is OrderStatus.PARTIALLY_FILLED


class TestEventHandling:
    def test_unknown_order_event_is_counted(self, harness: Any) -> None:
        event = TestEventStubs.accepted(TestOrderStubs.init())
        harness.bus.send(topics.EXEC_ENGINE_PROCESS, event)
        assert harness.engine.counters[Anomaly.UNKNOWN_ORDER] == 1
        assert harness.order_events == []

    def test_invalid_transition_is_counted_and_dropped(self, harness: Any) -> None:
        order = harness.submit()
        harness.client.accept(order.client_order_id)
        harness.client.reject(order.client_order_id)  # ACCEPTED -> REJECTED is valid
        before = order.event_count
        harness.client.generate_order_accepted(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            venue_order_id=order.venue_order_id,
        )
        assert order.status is OrderStatus.REJECTED
        assert order.event_count == before
        assert harness.engine.counters[Anomaly.INVALID_TRANSITION] == 1

    def test_duplicate_fill_is_ignored(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        h.client.fill(order.client_order_id, Quantity("0.40000"))
        fill = next(e for e in h.order_events if isinstance(e, OrderFilled))
        h.bus.send(topics.EXEC_ENGINE_PROCESS, fill)
        assert order.filled_qty == Quantity("0.40000")
        assert h.engine.counters[Anomaly.DUPLICATE_FILL] == 1
        assert len(h.position_events) == 1

    def test_overfill_is_refused(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order = h.submit()
        h.client.fill(order.client_order_id, Quantity("0.60000"))
        h.client.fill(order.client_order_id, Quantity("0.60000"))
        assert order.filled_qty == Quantity("0.60000")
        assert h.engine.counters[Anomaly.INVALID_TRANSITION] == 1

    def test_denied_by_risk_for_an_order_never_seen(self, harness: Any) -> None:
        init = TestOrderStubs.init()
        denied = TestEventStubs._for(OrderDenied, init, reason="max notional")
        harness.bus.send(topics.EXEC_ENGINE_PROCESS, denied)
        assert harness.order_events == [denied]
        assert harness.engine.counters[Anomaly.UNKNOWN_ORDER] == 0

    def test_account_state_is_cached_and_published(self, harness: Any) -> None:
        state = TestEventStubs.account_state()
        harness.bus.send(topics.EXEC_ENGINE_PROCESS, state)
        assert harness.cache.account_state(state.account_id) is state
        assert harness.account_events == [state]

    def test_unexpected_messages_are_counted(self, harness: Any) -> None:
        harness.bus.send(topics.EXEC_ENGINE_PROCESS, "junk")
        harness.bus.send(topics.EXEC_ENGINE_EXECUTE, TestEventStubs.account_state())
        assert harness.engine.counters[Anomaly.UNEXPECTED_MESSAGE] == 2


class TestJournaling:
    def test_every_message_is_journaled_before_it_is_acted_on(
        self, make_harness: Any, journal: Any
    ) -> None:
        h = make_harness(journal=journal, auto_accept=True)
        statuses: list[tuple[str, str | None]] = []

        def before(message: Any) -> None:
            cid = getattr(message, "client_order_id", None)
            if cid is None and isinstance(message, SubmitOrder):
                cid = message.order.client_order_id
            order = h.cache.order(cid) if cid is not None else None
            statuses.append((type(message).__name__, None if order is None else order.status))

        journal.on_append = before
        order = h.submit()
        h.client.fill(order.client_order_id)
        assert statuses == [
            ("SubmitOrder", None),  # journaled before the order existed
            ("OrderSubmitted", OrderStatus.INITIALIZED),
            ("OrderAccepted", OrderStatus.SUBMITTED),
            ("OrderFilled", OrderStatus.ACCEPTED),
        ]

    def test_journal_failure_stops_new_orders(self, make_harness: Any, journal: Any) -> None:
        h = make_harness(journal=journal)

        def fail(message: Any) -> None:
            raise OSError("disk full")

        journal.on_append = fail
        h.execute(SubmitOrder(order=TestOrderStubs.init(), **h._fields()))
        assert h.cache.orders() == []
        assert isinstance(h.order_events[-1], OrderDenied)
        assert h.engine.state is ComponentState.DEGRADED
        assert h.engine.counters[Anomaly.JOURNAL_FAILURE] == 1

    def test_stop_deregisters_endpoints(self, harness: Any) -> None:
        harness.engine.stop()
        assert topics.EXEC_ENGINE_EXECUTE not in harness.bus.endpoints()
        harness.engine.start()
        assert topics.EXEC_ENGINE_PROCESS in harness.bus.endpoints()


class TestConfig:
    def test_from_mapping_rejects_unknown_keys_and_bad_values(self) -> None:
        config = ExecEngineConfig.from_mapping({"oms_type": "hedging"})
        assert config.oms_type is not None
        assert config.oms_type.value == "HEDGING"
        with pytest.raises(ValueError, match="unknown execution engine config"):
            ExecEngineConfig.from_mapping({"nope": 1})
        with pytest.raises(ValueError, match="oms_type"):
            ExecEngineConfig(oms_type="SIDEWAYS")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="reconciliation_lookback_ns"):
            ExecEngineConfig(reconciliation_lookback_ns=0)
        with pytest.raises(ValueError, match="replay_on_start"):
            ExecEngineConfig(replay_on_start="yes")  # type: ignore[arg-type]
