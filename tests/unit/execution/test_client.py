"""The `ExecutionClient` port: report helpers build complete events and send them to the engine."""

from __future__ import annotations

from typing import Any

import pytest

from shrivenquant.bus import MessageBus, topics
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import ExecutionClient
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.commands import SubmitOrder, SubmitOrderList
from shrivenquant.model.currency import USDT
from shrivenquant.model.enums import (
    AccountType,
    LiquiditySide,
    OmsType,
    OrderSide,
    OrderType,
)
from shrivenquant.model.events import (
    AccountState,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.identifiers import ClientOrderId, OrderListId, TradeId, VenueOrderId
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.testkit.fake_execution import FakeExecutionClient
from shrivenquant.testkit.stubs import TestIdStubs, TestOrderStubs


@pytest.fixture
def setup() -> tuple[FakeExecutionClient, list[Any], TestClock]:
    bus = MessageBus()
    clock = TestClock(5_000)
    received: list[Any] = []
    bus.register(topics.EXEC_ENGINE_PROCESS, received.append)
    client = FakeExecutionClient(TestIdStubs.trader_id, bus, clock, account_type=AccountType.MARGIN)
    return client, received, clock


def test_the_port_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        ExecutionClient(  # type: ignore[abstract]
            TestIdStubs.trader_id,
            MessageBus(),
            TestClock(),
            client_id=None,
            venue=None,
            account_id=None,
            account_type=AccountType.CASH,
            oms_type=OmsType.NETTING,
        )


def test_identity(setup: Any) -> None:
    client, _, _ = setup
    assert client.client_id.value == "BINANCE"
    assert client.venue.value == "BINANCE"
    assert client.account_id.value == "BINANCE-001"
    assert client.oms_type is OmsType.NETTING
    assert OrderType.TRAILING_STOP_LIMIT in client.supported_order_types
    assert client.supported_contingencies == frozenset()
    assert client.id.value == "ExecClient-BINANCE"


def test_every_helper_sends_a_complete_event(setup: Any) -> None:
    client, received, clock = setup
    s, i, c = TestIdStubs.strategy_id, TestIdStubs.instrument_id, ClientOrderId("O-1")
    v = VenueOrderId("V-1")
    client.generate_order_submitted(s, i, c)
    client.generate_order_accepted(s, i, c, venue_order_id=v, ts_event=4_000)
    client.generate_order_rejected(s, i, c, reason="no", due_post_only=True)
    client.generate_order_canceled(s, i, c, venue_order_id=v)
    client.generate_order_expired(s, i, c, venue_order_id=v)
    client.generate_order_triggered(s, i, c, venue_order_id=v)
    client.generate_order_updated(s, i, c, venue_order_id=v, quantity=Quantity("2"))
    client.generate_order_modify_rejected(s, i, c, venue_order_id=v, reason="no")
    client.generate_order_cancel_rejected(s, i, c, venue_order_id=v, reason="no")
    client.generate_order_filled(
        s,
        i,
        c,
        venue_order_id=v,
        trade_id=TradeId("T-1"),
        order_side=OrderSide.BUY,
        order_type=OrderType.LIMIT,
        last_qty=Quantity("1"),
        last_px=Price("10.00"),
        currency=USDT,
        commission=Money("0.01", USDT),
        liquidity_side=LiquiditySide.MAKER,
    )
    client.generate_account_state(
        [AccountBalance.from_total_locked(Money("100", USDT), Money("0", USDT))],
        reported=False,
        info={"source": "test"},
    )
    assert [type(e) for e in received] == [
        OrderSubmitted,
        OrderAccepted,
        OrderRejected,
        OrderCanceled,
        OrderExpired,
        OrderTriggered,
        OrderUpdated,
        OrderModifyRejected,
        OrderCancelRejected,
        OrderFilled,
        AccountState,
    ]
    assert received[1].ts_event == 4_000
    assert all(e.ts_init == clock.timestamp_ns() for e in received)
    assert len({e.event_id for e in received}) == len(received)
    order_events = received[:-1]
    assert all(e.trader_id == TestIdStubs.trader_id for e in order_events)
    assert all(getattr(e, "account_id", None) == client.account_id for e in order_events)
    assert received[2].due_post_only
    state = received[-1]
    assert state.account_type is AccountType.MARGIN
    assert not state.reported
    assert state.info == {"source": "test"}


def test_default_submit_order_list_sends_each_order(setup: Any) -> None:
    client, _, _ = setup
    list_id = OrderListId("OL-1")
    inits = tuple(TestOrderStubs.init(order_list_id=list_id) for _ in range(2))
    command = SubmitOrderList(
        trader_id=TestIdStubs.trader_id,
        strategy_id=TestIdStubs.strategy_id,
        instrument_id=TestIdStubs.instrument_id,
        order_list_id=list_id,
        orders=inits,
        command_id=UUID4(),
        ts_event=0,
        ts_init=0,
    )
    client.submit_order_list(command)
    sent = [c for c in client.commands if isinstance(c, SubmitOrder)]
    assert [c.order for c in sent] == list(inits)
