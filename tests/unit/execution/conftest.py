"""An execution engine wired to a fake execution client, for the engine's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import ExecEngineConfig, ExecutionEngine
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.enums import OrderSide, OrderType
from shrivenquant.model.events import OrderInitialized
from shrivenquant.model.identifiers import ClientOrderId
from shrivenquant.model.messages import Message
from shrivenquant.model.orders import Order, OrderList
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.fake_execution import FakeExecutionClient
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestIdStubs, TestOrderStubs


class ListJournal:
    """An in-memory `MessageJournal` that can also check what the cache looked like."""

    def __init__(self, records: list[Message] | None = None) -> None:
        self.records: list[Message] = records if records is not None else []
        self.on_append: Callable[[Message], None] | None = None

    def append(self, obj: Message) -> int:
        if self.on_append is not None:
            self.on_append(obj)
        self.records.append(obj)
        return len(self.records)

    def replay(self, from_seq: int = 1) -> Iterator[tuple[int, Message]]:
        for seq, record in enumerate(list(self.records), start=1):
            if seq >= from_seq:
                yield seq, record


class Harness:
    """A started engine, its fake client, and everything the engine published."""

    def __init__(
        self,
        journal: ListJournal | None = None,
        config: ExecEngineConfig | None = None,
        start: bool = True,
        **client_kwargs: Any,
    ) -> None:
        self.clock = TestClock(1_000)
        self.bus = MessageBus()
        self.cache = Cache()
        self.instrument = TestInstrumentProvider.btcusdt_binance()
        self.cache.add_instrument(self.instrument)
        self.journal = journal
        self.engine = ExecutionEngine(
            TestIdStubs.trader_id, self.bus, self.clock, self.cache, config, journal=journal
        )
        self.client = FakeExecutionClient(
            TestIdStubs.trader_id, self.bus, self.clock, **client_kwargs
        )
        self.engine.register_client(self.client)
        self.order_events: list[Message] = []
        self.position_events: list[Message] = []
        self.account_events: list[Message] = []
        self.bus.subscribe(topics.order_events_all(), self.order_events.append)
        self.bus.subscribe(topics.position_events_all(), self.position_events.append)
        self.bus.subscribe(topics.account_state_all(), self.account_events.append)
        if start:
            self.engine.start()

    # -- commands --------------------------------------------------------------------------

    def _fields(self) -> dict[str, Any]:
        now = self.clock.timestamp_ns()
        return {
            "trader_id": TestIdStubs.trader_id,
            "strategy_id": TestIdStubs.strategy_id,
            "instrument_id": TestIdStubs.instrument_id,
            "command_id": UUID4(),
            "ts_event": now,
            "ts_init": now,
        }

    def submit(
        self,
        order_type: OrderType = OrderType.LIMIT,
        side: OrderSide = OrderSide.BUY,
        quantity: str = "1.00000",
        position_id: Any = None,
        **overrides: Any,
    ) -> Order:
        init = TestOrderStubs.init(order_type, side, quantity, **overrides)
        self.submit_init(init, position_id)
        order = self.cache.order(init.client_order_id)
        assert order is not None
        return order

    def submit_init(self, init: OrderInitialized, position_id: Any = None) -> None:
        fields = {
            **self._fields(),
            "strategy_id": init.strategy_id,
            "instrument_id": init.instrument_id,
        }
        self.execute(SubmitOrder(order=init, position_id=position_id, **fields))

    def submit_list(self, order_list: OrderList) -> None:
        self.execute(
            SubmitOrderList(
                order_list_id=order_list.order_list_id, orders=order_list.inits, **self._fields()
            )
        )

    def modify(self, cid: ClientOrderId, **changes: Any) -> None:
        self.execute(ModifyOrder(client_order_id=cid, **changes, **self._fields()))

    def cancel(self, cid: ClientOrderId) -> None:
        self.execute(CancelOrder(client_order_id=cid, **self._fields()))

    def cancel_all(self, side: OrderSide = OrderSide.NO_ORDER_SIDE) -> None:
        self.execute(CancelAllOrders(order_side=side, **self._fields()))

    def query(self, cid: ClientOrderId) -> None:
        self.execute(QueryOrder(client_order_id=cid, **self._fields()))

    def execute(self, command: Message) -> None:
        self.bus.send(topics.EXEC_ENGINE_EXECUTE, command)

    # -- helpers ---------------------------------------------------------------------------

    def events_of(self, cid: ClientOrderId) -> list[str]:
        return [
            type(e).__name__
            for e in self.order_events
            if getattr(e, "client_order_id", None) == cid
        ]

    def accept_and_fill(self, order: Order, qty: str | None = None, px: str | None = None) -> None:
        cid = order.client_order_id
        if self.client.venue_orders[cid].status.value == "SUBMITTED":
            self.client.accept(cid)
        self.client.fill(
            cid,
            Quantity(qty) if qty is not None else None,
            Price(px) if px is not None else None,
        )


@pytest.fixture
def harness() -> Harness:
    return Harness()


@pytest.fixture
def make_harness() -> Callable[..., Harness]:
    return Harness


@pytest.fixture
def journal() -> ListJournal:
    return ListJournal()
