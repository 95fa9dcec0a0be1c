"""A seeded, random order flow through the execution engine, with the journal on.

Imported, `CrashFlow` runs the flow in-process (the crash test's reference). Run as a script it
is the process the crash test kills with SIGKILL::

    python crash_flow.py JOURNAL_DIR SEED STEPS every_record|group_commit

It prints ``READY``, then ``STEP <i> <last_seq> <durable_seq>`` after each step, ``DURABLE
<seq>`` whenever the journal reports new durable records, and ``DONE <last_seq>`` at the end.
Everything that varies between runs of one seed (event ids) is random; everything else
(order ids, venue ids, trade ids, timestamps, prices) comes from the seed, so two runs journal
the same records.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import ExecutionEngine, MessageJournal
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.commands import CancelOrder, ModifyOrder, SubmitOrder, SubmitOrderList
from shrivenquant.model.currency import USDT
from shrivenquant.model.data import QuoteTick
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TriggerType,
)
from shrivenquant.model.events import OrderInitialized
from shrivenquant.model.identifiers import (
    ClientOrderId,
    InstrumentId,
    OrderListId,
    StrategyId,
    TraderId,
)
from shrivenquant.model.messages import Message
from shrivenquant.model.orders import Order, bracket
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.persistence.journal import EventJournal, FsyncPolicy, JournalConfig
from shrivenquant.telemetry.logging import configure_logging
from shrivenquant.testkit.fake_execution import FakeExecutionClient
from shrivenquant.testkit.instruments import TestInstrumentProvider

TRADER = TraderId("TRADER-001")
STRATEGIES = (StrategyId("S-001"), StrategyId("S-002"))
INSTRUMENT = InstrumentId("BTCUSDT.BINANCE")
STEP_NS = 1_000_000


class MemoryJournal:
    """A `MessageJournal` in a list (the reference run's journal)."""

    def __init__(self, records: list[Message] | None = None) -> None:
        self.records: list[Message] = list(records or [])

    def append(self, obj: Message) -> int:
        self.records.append(obj)
        return len(self.records)

    def replay(self, from_seq: int = 1) -> Iterator[tuple[int, Message]]:
        for seq, record in enumerate(self.records, start=1):
            if seq >= from_seq:
                yield seq, record


def build_engine(journal: MessageJournal) -> tuple[ExecutionEngine, FakeExecutionClient, Cache]:
    """An engine (started: it replays ``journal``) with a scripted client, as the flow uses."""
    clock = TestClock(1_700_000_000_000_000_000)
    bus = MessageBus()
    cache = Cache()
    cache.add_instrument(TestInstrumentProvider.btcusdt_binance())
    engine = ExecutionEngine(TRADER, bus, clock, cache, journal=journal)
    client = FakeExecutionClient(TRADER, bus, clock)
    engine.register_client(client)
    engine.start()
    return engine, client, cache


class CrashFlow:
    """One seeded flow: every `step` is one command to the engine or one venue action."""

    def __init__(self, journal: MessageJournal, seed: int) -> None:
        self.rng = random.Random(seed)
        self.engine, self.client, self.cache = build_engine(journal)
        self.bus = self.engine.bus
        self.clock: TestClock = self.engine.clock  # type: ignore[assignment]
        self.mid = 50_000_00  # cents
        self.next_id = 0

    # -- driving -----------------------------------------------------------------------------

    def step(self) -> None:
        """Advance the clock and do one random thing."""
        self.clock.set_time(self.clock.timestamp_ns() + STEP_NS)
        actions = (
            (self.submit_limit, 5),
            (self.submit_market, 2),
            (self.submit_stop, 2),
            (self.submit_bracket, 1),
            (self.venue_action, 10),
            (self.cancel_request, 2),
            (self.modify_request, 2),
            (self.quote, 3),
            (self.account_state, 1),
            (self.duplicate, 1),
        )
        action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
        action()

    # -- commands ----------------------------------------------------------------------------

    def _cid(self) -> ClientOrderId:
        self.next_id += 1
        return ClientOrderId(f"O-{self.next_id}")

    def _init(self, order_type: OrderType, **fields: object) -> OrderInitialized:
        now = self.clock.timestamp_ns()
        base: dict[str, object] = {
            "trader_id": TRADER,
            "strategy_id": self.rng.choice(STRATEGIES),
            "instrument_id": INSTRUMENT,
            "client_order_id": self._cid(),
            "order_side": self.rng.choice((OrderSide.BUY, OrderSide.SELL)),
            "order_type": order_type,
            "quantity": Quantity.from_raw(self.rng.randint(1, 300) * 10**4, 5),
            "time_in_force": TimeInForce.GTC,
            "event_id": UUID4(),
            "ts_event": now,
            "ts_init": now,
        }
        base.update(fields)
        return OrderInitialized(**base)  # type: ignore[arg-type]

    def _price(self, offset_cents: int) -> Price:
        return Price.from_raw((self.mid + offset_cents) * 10**7, 2)

    def _submit(self, init: OrderInitialized) -> None:
        now = self.clock.timestamp_ns()
        self.bus.send(
            topics.EXEC_ENGINE_EXECUTE,
            SubmitOrder(
                trader_id=TRADER,
                strategy_id=init.strategy_id,
                instrument_id=INSTRUMENT,
                order=init,
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    def submit_limit(self) -> None:
        self._submit(self._init(OrderType.LIMIT, price=self._price(self.rng.randint(-500, 500))))

    def submit_market(self) -> None:
        self._submit(self._init(OrderType.MARKET, time_in_force=TimeInForce.IOC))

    def submit_stop(self) -> None:
        side = self.rng.choice((OrderSide.BUY, OrderSide.SELL))
        offset = self.rng.randint(50, 400)
        trigger = self._price(offset if side is OrderSide.BUY else -offset)
        self._submit(
            self._init(
                OrderType.STOP_MARKET,
                order_side=side,
                trigger_price=trigger,
                emulation_trigger=TriggerType.BID_ASK,
            )
        )

    def submit_bracket(self) -> None:
        side = self.rng.choice((OrderSide.BUY, OrderSide.SELL))
        sign = 1 if side is OrderSide.BUY else -1
        strategy = self.rng.choice(STRATEGIES)
        order_list = bracket(
            trader_id=TRADER,
            strategy_id=strategy,
            instrument_id=INSTRUMENT,
            order_list_id=OrderListId(f"OL-{self.next_id + 1}"),
            client_order_ids=(self._cid(), self._cid(), self._cid()),
            entry_side=side,
            quantity=Quantity.from_raw(self.rng.randint(1, 300) * 10**4, 5),
            entry_price=self._price(0),
            stop_loss_trigger=self._price(-sign * 300),
            take_profit_price=self._price(sign * 300),
            exit_contingency=self.rng.choice((ContingencyType.OCO, ContingencyType.OUO)),
            ts_init=self.clock.timestamp_ns(),
        )
        now = self.clock.timestamp_ns()
        self.bus.send(
            topics.EXEC_ENGINE_EXECUTE,
            SubmitOrderList(
                trader_id=TRADER,
                strategy_id=strategy,
                instrument_id=INSTRUMENT,
                order_list_id=order_list.order_list_id,
                orders=order_list.inits,
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    def _open_engine_orders(self) -> list[Order]:
        return [o for o in self.cache.orders() if o.is_open or o.is_emulated]

    def cancel_request(self) -> None:
        orders = self._open_engine_orders()
        if not orders:
            return
        order = self.rng.choice(orders)
        now = self.clock.timestamp_ns()
        self.bus.send(
            topics.EXEC_ENGINE_EXECUTE,
            CancelOrder(
                trader_id=TRADER,
                strategy_id=order.strategy_id,
                instrument_id=INSTRUMENT,
                client_order_id=order.client_order_id,
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    def modify_request(self) -> None:
        orders = [o for o in self._open_engine_orders() if o.order_type is OrderType.LIMIT]
        if not orders:
            return
        order = self.rng.choice(orders)
        now = self.clock.timestamp_ns()
        self.bus.send(
            topics.EXEC_ENGINE_EXECUTE,
            ModifyOrder(
                trader_id=TRADER,
                strategy_id=order.strategy_id,
                instrument_id=INSTRUMENT,
                client_order_id=order.client_order_id,
                price=self._price(self.rng.randint(-500, 500)),
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    # -- the venue ---------------------------------------------------------------------------

    def venue_action(self) -> None:
        """The venue answers a request or trades one of its open orders."""
        venue_orders = [o for o in self.client.venue_orders.values() if o.is_open]
        if not venue_orders:
            return
        venue_order = self.rng.choice(venue_orders)
        cid = venue_order.init.client_order_id
        engine_order = self.cache.order(cid)
        roll = self.rng.random()
        if venue_order.status is OrderStatus.SUBMITTED:
            if roll < 0.85:
                self.client.accept(cid)
            else:
                self.client.reject(cid, "insufficient balance")
            return
        if engine_order is not None and engine_order.is_pending_cancel and roll < 0.6:
            self.client.cancel(cid)
        elif engine_order is not None and engine_order.is_pending_update and roll < 0.6:
            command = next(
                c
                for c in reversed(self.client.commands)
                if isinstance(c, ModifyOrder) and c.client_order_id == cid
            )
            if self.rng.random() < 0.8:
                self.client.update(cid, price=command.price)
            else:
                self.client.reject_modify(cid, "price filter")
        elif roll < 0.9:
            leaves = (venue_order.quantity.raw - venue_order.filled_raw) // 10**4
            part = leaves if self.rng.random() < 0.5 else max(1, leaves // 2)
            qty = Quantity.from_raw(part * 10**4, 5)
            px = venue_order.price or self._price(self.rng.randint(-5, 5))
            self.client.fill(cid, qty, px, commission=Money("0.01", USDT))
        else:
            self.client.cancel(cid)

    def quote(self) -> None:
        self.mid += self.rng.randint(-150, 150)
        now = self.clock.timestamp_ns()
        tick = QuoteTick(
            instrument_id=INSTRUMENT,
            bid_price=self._price(-1),
            ask_price=self._price(1),
            bid_size=Quantity("1.00000"),
            ask_size=Quantity("1.00000"),
            ts_event=now,
            ts_init=now,
        )
        self.cache.add_quote(tick)
        self.bus.publish(topics.quotes(INSTRUMENT), tick)

    def account_state(self) -> None:
        total = Money(Decimal(self.rng.randint(1_000, 100_000)), USDT)
        self.client.generate_account_state(
            [AccountBalance.from_total_locked(total, Money(0, USDT))]
        )

    def duplicate(self) -> None:
        """Resend an order the engine already has (it must be refused, not sent again)."""
        orders = self.cache.orders()
        if orders:
            self._submit(self.rng.choice(orders).init_event)


def main(argv: list[str]) -> int:
    """Run the flow against an on-disk journal, reporting progress on stdout."""
    directory, seed, steps, policy = Path(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    configure_logging("CRITICAL", stream=sys.stderr)
    config = JournalConfig(
        path=directory, fsync_policy=FsyncPolicy.parse(policy), group_commit_interval_ms=0.5
    )
    journal = EventJournal.open(config, MessageCodec())
    journal.on_durable(lambda seq: os.write(1, f"DURABLE {seq}\n".encode()))
    flow = CrashFlow(journal, seed)
    os.write(1, b"READY\n")
    for i in range(steps):
        flow.step()
        os.write(1, f"STEP {i} {journal.last_seq} {journal.durable_seq}\n".encode())
    journal.sync()
    os.write(1, f"DONE {journal.last_seq}\n".encode())
    journal.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
