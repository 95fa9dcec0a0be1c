"""An execution engine with a simulated execution client on a shared simulated venue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import ExecutionEngine
from shrivenquant.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from shrivenquant.model.data import QuoteTick
from shrivenquant.model.enums import OrderSide, OrderType
from shrivenquant.model.events import OrderInitialized
from shrivenquant.model.identifiers import AccountId, ClientOrderId, StrategyId, TraderId
from shrivenquant.model.messages import Message
from shrivenquant.model.orders import Order
from shrivenquant.model.values import Price, Quantity
from shrivenquant.sim import LatencyModel, SimExecutionClient, SimulatedVenue
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestOrderStubs

from .conftest import default_config

TRADER = TraderId("TRADER-001")
STRATEGY = StrategyId("S-001")
MS = 1_000_000
BUY = OrderSide.BUY


class ListJournal:
    """An in-memory journal for the engine."""

    def __init__(self) -> None:
        self.records: list[Message] = []

    def append(self, obj: Message) -> int:
        self.records.append(obj)
        return len(self.records)

    def replay(self, from_seq: int = 1) -> Iterator[tuple[int, Message]]:
        for seq, record in enumerate(list(self.records), start=1):
            if seq >= from_seq:
                yield seq, record


class Kernel:
    """An execution engine and a simulated execution client on one venue."""

    def __init__(
        self,
        venue: SimulatedVenue,
        clock: TestClock,
        journal: ListJournal | None = None,
        account_id: AccountId | None = None,
    ) -> None:
        self.clock = clock
        self.venue = venue
        self.bus = MessageBus()
        self.cache = Cache()
        self.instrument = TestInstrumentProvider.btcusdt_binance()
        self.cache.add_instrument(self.instrument)
        self.journal = journal or ListJournal()
        self.engine = ExecutionEngine(TRADER, self.bus, clock, self.cache, journal=self.journal)
        self.client = SimExecutionClient(
            TRADER, self.bus, clock, sim_venue=venue, account_id=account_id
        )
        self.engine.register_client(self.client)
        self.events: list[Message] = []
        self.bus.subscribe(topics.order_events_all(), self.events.append)
        self.bus.subscribe(topics.account_state_all(), self.events.append)
        self.engine.start()
        self.client.start()

    def _fields(self) -> dict[str, Any]:
        now = self.clock.timestamp_ns()
        return {
            "trader_id": TRADER,
            "strategy_id": STRATEGY,
            "instrument_id": self.instrument.id,
            "command_id": UUID4(),
            "ts_event": now,
            "ts_init": now,
        }

    def submit(
        self,
        order_type: OrderType = OrderType.LIMIT,
        side: OrderSide = BUY,
        quantity: str = "1.00000",
        **overrides: Any,
    ) -> Order:
        init: OrderInitialized = TestOrderStubs.init(order_type, side, quantity, **overrides)
        self.bus.send(topics.EXEC_ENGINE_EXECUTE, SubmitOrder(order=init, **self._fields()))
        order = self.cache.order(init.client_order_id)
        assert order is not None
        return order

    def cancel(self, cid: ClientOrderId) -> None:
        self.bus.send(
            topics.EXEC_ENGINE_EXECUTE, CancelOrder(client_order_id=cid, **self._fields())
        )

    def modify(self, cid: ClientOrderId, **changes: Any) -> None:
        self.bus.send(
            topics.EXEC_ENGINE_EXECUTE,
            ModifyOrder(client_order_id=cid, **changes, **self._fields()),
        )

    def quote(self, bid: str, ask: str, size: str = "1.00000") -> None:
        now = self.clock.timestamp_ns()
        self.venue.process(
            QuoteTick(
                instrument_id=self.instrument.id,
                bid_price=Price(bid),
                ask_price=Price(ask),
                bid_size=Quantity(size),
                ask_size=Quantity(size),
                ts_event=now,
                ts_init=now,
            )
        )

    def advance(self, ns: int) -> None:
        self.clock.advance_time(self.clock.timestamp_ns() + ns)

    def kinds(self, cid: ClientOrderId) -> list[str]:
        return [
            type(e).__name__.removeprefix("Order")
            for e in self.events
            if getattr(e, "client_order_id", None) == cid
        ]


def make_venue(
    latency: LatencyModel | None = None, **overrides: Any
) -> tuple[SimulatedVenue, TestClock]:
    clock = TestClock(1_000 * MS)
    config = default_config(latency_model=latency or LatencyModel(), **overrides)
    venue = SimulatedVenue(config, clock)
    venue.add_instrument(TestInstrumentProvider.btcusdt_binance())
    return venue, clock
