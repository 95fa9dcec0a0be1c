"""Journal replay: a restarted engine rebuilds exactly the state the live engine had."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shrivenquant.bus import topics
from shrivenquant.execution import ExecEngineConfig, trading_state_snapshot
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.commands import SubmitOrder
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderStatus,
    OrderType,
    TriggerType,
)
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.journal import EventJournal, FsyncPolicy, JournalConfig
from shrivenquant.testkit.stubs import TestDataStubs, TestEventStubs

from .test_contingencies import make_bracket, orders, sibling_list


def busy_flow(h: Any) -> None:
    """A flow touching every kind of state change."""
    filled = h.submit()
    h.client.accept(filled.client_order_id)
    h.client.fill(filled.client_order_id, Quantity("0.40000"), Price("50000.00"))
    h.client.fill(filled.client_order_id, px=Price("50010.00"))
    modified = h.submit(side=OrderSide.SELL, price=Price("52000.00"))
    h.client.accept(modified.client_order_id)
    h.modify(modified.client_order_id, price=Price("51500.00"))
    h.client.update(modified.client_order_id, price=Price("51500.00"))
    canceled = h.submit()
    h.client.accept(canceled.client_order_id)
    h.cancel(canceled.client_order_id)
    h.client.fill(canceled.client_order_id, Quantity("0.10000"))
    h.client.cancel(canceled.client_order_id)
    h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
    h.submit_init(filled.init_event)  # a duplicate, refused
    h.client.generate_order_accepted(  # an invalid transition, refused
        filled.strategy_id,
        filled.instrument_id,
        filled.client_order_id,
        venue_order_id=filled.venue_order_id,
    )
    order_list = make_bracket()
    h.submit_list(order_list)
    entry = orders(h, order_list)[0]
    h.client.accept(entry.client_order_id)
    h.client.fill(entry.client_order_id)
    h.bus.send(topics.EXEC_ENGINE_PROCESS, TestEventStubs.account_state())


def restart(make_harness: Any, journal: Any, **kwargs: Any) -> Any:
    return make_harness(journal=journal, **kwargs)


class TestReplay:
    def test_replay_rebuilds_the_same_state(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal)
        busy_flow(live)
        expected = trading_state_snapshot(live.cache)
        assert expected["open_orders"]
        assert expected["positions"]
        assert expected["accounts"]
        again = restart(make_harness, journal)
        assert trading_state_snapshot(again.cache) == expected
        assert again.engine.counters.replayed == len(journal.records)
        assert again.order_events == []  # replay publishes nothing
        assert again.position_events == []
        assert again.client.commands == []  # and sends nothing

    def test_replaying_twice_gives_the_same_state(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal)
        busy_flow(live)
        expected = trading_state_snapshot(live.cache)
        again = restart(make_harness, journal)
        again.engine.stop()
        again.engine.start()
        assert trading_state_snapshot(again.cache) == expected
        assert len(journal.records) == again.engine.counters.replayed // 2

    def test_replayed_emulated_order_is_watched_again(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order = live.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        again = restart(make_harness, journal, auto_accept=True)
        restored = again.cache.order(order.client_order_id)
        assert restored.status is OrderStatus.EMULATED
        tick = TestDataStubs.quote_tick("51000.00", "51000.10")
        again.cache.add_quote(tick)
        again.bus.publish(topics.quotes(tick.instrument_id), tick)
        assert restored.status is OrderStatus.ACCEPTED

    def test_no_replay_when_configured_off(self, make_harness: Any, journal: Any) -> None:
        live = make_harness(journal=journal)
        live.submit()
        again = make_harness(journal=journal, config=ExecEngineConfig(replay_on_start=False))
        assert again.cache.orders() == []

    def test_replay_from_an_on_disk_journal(self, make_harness: Any, tmp_path: Path) -> None:
        config = JournalConfig(path=tmp_path / "journal", fsync_policy=FsyncPolicy.NEVER)
        with EventJournal.open(config, MessageCodec()) as disk:
            live = make_harness(journal=disk)
            busy_flow(live)
            expected = trading_state_snapshot(live.cache)
            count = disk.last_seq
        with EventJournal.open(config, MessageCodec()) as disk:
            again = make_harness(journal=disk)
            assert again.engine.counters.replayed == count
            assert trading_state_snapshot(again.cache) == expected


class TestResume:
    async def test_children_of_a_parent_filled_before_the_crash_are_released(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal)
        order_list = make_bracket()
        live.submit_list(order_list)
        entry = orders(live, order_list)[0]
        live.client.accept(entry.client_order_id)
        live.client.fill(entry.client_order_id)
        # Crash right after the parent's fill was journaled: drop everything after it.
        cut = next(i for i, r in enumerate(journal.records) if isinstance(r, OrderFilled))
        del journal.records[cut + 1 :]
        again = restart(make_harness, journal)
        again.client.take_venue_state(live.client)
        for child in orders(again, order_list)[1:]:
            del again.client.venue_orders[child.client_order_id]  # never reached the venue
        _, stop, profit = orders(again, order_list)
        assert stop.status is OrderStatus.INITIALIZED
        await again.engine.reconcile()
        assert stop.status is OrderStatus.SUBMITTED
        assert profit.status is OrderStatus.SUBMITTED
        resubmitted = [c for c in again.client.commands if isinstance(c, SubmitOrder)]
        assert {c.order.client_order_id for c in resubmitted} == {
            stop.client_order_id,
            profit.client_order_id,
        }

    async def test_oco_sibling_of_an_order_filled_before_the_crash_is_canceled(
        self, make_harness: Any, journal: Any
    ) -> None:
        live = make_harness(journal=journal, auto_accept=True)
        order_list = sibling_list(ContingencyType.OCO)
        live.submit_list(order_list)
        first, second = orders(live, order_list)
        live.client.fill(first.client_order_id, Quantity("0.10000"))
        cut = max(i for i, r in enumerate(journal.records) if isinstance(r, OrderFilled))
        del journal.records[cut + 1 :]  # the sibling cancel never happened
        again = restart(make_harness, journal, auto_accept=True, auto_cancel=True)
        again.client.take_venue_state(live.client)
        again.client.venue_orders[second.client_order_id].status = OrderStatus.ACCEPTED
        await again.engine.reconcile()
        assert again.cache.order(second.client_order_id).status is OrderStatus.CANCELED
        assert again.cache.order(first.client_order_id).status is OrderStatus.PARTIALLY_FILLED
