"""`SimExecutionClient` with the execution engine: latency, cancel/replace races, reconciliation."""

from __future__ import annotations

import asyncio
from typing import Any

from shrivenquant.bus import topics
from shrivenquant.execution import Anomaly
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.commands import QueryOrder, SubmitOrderList
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import (
    AccountType,
    ContingencyType,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from shrivenquant.model.events import AccountState
from shrivenquant.model.identifiers import ClientOrderId, OrderListId
from shrivenquant.model.orders import bracket
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.sim import LatencyModel

from .kernel import MS, STRATEGY, TRADER, Kernel, ListJournal, make_venue

BUY, SELL = OrderSide.BUY, OrderSide.SELL


class TestZeroLatency:
    def test_round_trip_submit_accept_fill(self) -> None:
        kernel = Kernel(*make_venue())
        kernel.quote("49990.00", "50010.00")
        order = kernel.submit(OrderType.MARKET, BUY, "0.50000", time_in_force=TimeInForce.IOC)
        assert order.status is OrderStatus.FILLED
        assert kernel.kinds(order.client_order_id) == [
            "Initialized",
            "Submitted",
            "Accepted",
            "Filled",
        ]
        assert order.avg_px == Price("50010.00").as_decimal()
        account = kernel.cache.account_state(kernel.client.account_id)
        assert isinstance(account, AccountState)
        assert account.balance(BTC).total == Money("100.5", BTC)

    def test_client_reports_the_starting_account_state_on_start(self) -> None:
        kernel = Kernel(*make_venue())
        states = [e for e in kernel.events if isinstance(e, AccountState)]
        assert states[0].balance(USDT).total == Money("1000000", USDT)
        assert states[0].account_type is AccountType.CASH

    def test_stopped_client_hears_nothing_and_restart_reconnects(self) -> None:
        kernel = Kernel(*make_venue())
        kernel.quote("49990.00", "50010.00")
        order = kernel.submit(price=Price("50000.00"))
        kernel.client.stop()
        kernel.quote("49990.00", "49995.00")  # fills the bid while the client is stopped
        assert order.status is OrderStatus.ACCEPTED
        kernel.client.start()
        reports = asyncio.run(kernel.client.generate_order_status_reports(open_only=False))
        assert reports[0].order_status is OrderStatus.FILLED
        states = [e for e in kernel.events if isinstance(e, AccountState)]
        assert states[-1].balance(BTC).total == Money("101", BTC)

    def test_client_advertises_what_the_venue_manages(self) -> None:
        kernel = Kernel(*make_venue())
        assert kernel.client.supported_contingencies == frozenset(
            {ContingencyType.OCO, ContingencyType.OTO, ContingencyType.OUO}
        )
        other = Kernel(*make_venue(support_contingent_orders=False))
        assert other.client.supported_contingencies == frozenset()

    def test_query_sends_a_report(self) -> None:
        kernel = Kernel(*make_venue())
        order = kernel.submit(price=Price("40000.00"))
        reports: list[Any] = []
        kernel.client.send_report = reports.append  # type: ignore[method-assign]
        fields = kernel._fields()
        kernel.bus.send(
            topics.EXEC_ENGINE_EXECUTE,
            QueryOrder(client_order_id=order.client_order_id, **fields),
        )
        assert reports[0].order_status is OrderStatus.ACCEPTED


class TestVenueManagedBracket:
    def test_bracket_through_the_engine(self) -> None:
        kernel = Kernel(*make_venue(LatencyModel.fixed(1 * MS)))
        kernel.quote("49990.00", "50010.00", "5.00000")
        ids = (ClientOrderId("E-1"), ClientOrderId("SL-1"), ClientOrderId("TP-1"))
        order_list = bracket(
            trader_id=TRADER,
            strategy_id=STRATEGY,
            instrument_id=kernel.instrument.id,
            order_list_id=OrderListId("OL-1"),
            client_order_ids=ids,
            entry_side=BUY,
            quantity=Quantity("1.00000"),
            stop_loss_trigger=Price("49000.00"),
            take_profit_price=Price("51000.00"),
            ts_init=0,
        )
        fields = kernel._fields()
        kernel.bus.send(
            topics.EXEC_ENGINE_EXECUTE,
            SubmitOrderList(
                order_list_id=order_list.order_list_id, orders=order_list.inits, **fields
            ),
        )
        kernel.advance(1 * MS)
        entry, stop, profit = (kernel.cache.order(cid) for cid in ids)
        assert entry is not None
        assert entry.status is OrderStatus.FILLED
        assert stop is not None
        assert stop.status is OrderStatus.ACCEPTED
        assert profit is not None
        assert profit.status is OrderStatus.ACCEPTED
        kernel.quote("51000.00", "51010.00", "0.40000")  # a partial take-profit
        kernel.advance(5 * MS)
        assert profit.status is OrderStatus.PARTIALLY_FILLED
        assert stop.quantity == Quantity("0.60000")
        kernel.quote("51000.00", "51010.00", "5.00000")
        kernel.advance(5 * MS)
        assert profit.status is OrderStatus.FILLED
        assert stop.status is OrderStatus.CANCELED
        counters = kernel.engine.counters
        assert counters[Anomaly.INVALID_TRANSITION] == 0
        assert counters[Anomaly.UNKNOWN_ORDER] == 0


class TestLatencyAndRaces:
    def test_submit_arrives_after_the_latency(self) -> None:
        kernel = Kernel(*make_venue(LatencyModel.fixed(5 * MS)))
        order = kernel.submit(price=Price("40000.00"))
        assert order.status is OrderStatus.SUBMITTED
        assert kernel.client.in_flight == 1
        kernel.advance(5 * MS - 1)
        assert order.status is OrderStatus.SUBMITTED
        kernel.advance(1)
        assert order.status is OrderStatus.ACCEPTED

    def test_cancel_after_a_fill_in_the_latency_window(self) -> None:
        kernel = Kernel(*make_venue(LatencyModel.fixed(5 * MS)))
        order = kernel.submit(price=Price("50000.00"))
        kernel.advance(5 * MS)
        kernel.cancel(order.client_order_id)
        assert order.status is OrderStatus.PENDING_CANCEL
        kernel.quote("49990.00", "49995.00", "5.00000")  # fills the bid before the cancel lands
        assert order.status is OrderStatus.FILLED
        kernel.advance(5 * MS)
        assert order.status is OrderStatus.FILLED
        assert kernel.kinds(order.client_order_id)[-2:] == ["Filled", "CancelRejected"]
        rejected = [e for e in kernel.events if type(e).__name__ == "OrderCancelRejected"]
        assert rejected[0].reason == "ORDER_CLOSED: the order is FILLED"

    def test_modify_of_an_order_filled_in_the_latency_window(self) -> None:
        kernel = Kernel(*make_venue(LatencyModel.fixed(5 * MS)))
        order = kernel.submit(price=Price("50000.00"))
        kernel.advance(5 * MS)
        kernel.modify(order.client_order_id, price=Price("49000.00"))
        assert order.status is OrderStatus.PENDING_UPDATE
        kernel.quote("49990.00", "49995.00", "5.00000")
        kernel.advance(5 * MS)
        assert order.status is OrderStatus.FILLED
        assert order.price == Price("50000.00")
        assert kernel.kinds(order.client_order_id)[-1] == "ModifyRejected"

    def test_partial_fill_then_cancel(self) -> None:
        kernel = Kernel(*make_venue(LatencyModel.fixed(5 * MS)))
        order = kernel.submit(price=Price("50000.00"))
        kernel.advance(5 * MS)
        kernel.cancel(order.client_order_id)
        kernel.quote("49990.00", "49995.00", "0.25000")
        assert order.status is OrderStatus.PARTIALLY_FILLED  # the cancel is still on its way
        kernel.advance(5 * MS)
        assert order.status is OrderStatus.CANCELED
        assert order.filled_qty == Quantity("0.25000")

    def test_cancel_sent_before_the_order_arrived(self) -> None:
        kernel = Kernel(*make_venue(LatencyModel(submit_ns=5 * MS, cancel_ns=1 * MS)))
        order = kernel.submit(price=Price("40000.00"))
        kernel.cancel(order.client_order_id)
        kernel.advance(10 * MS)  # the cancel cannot overtake the order on the same connection
        assert kernel.kinds(order.client_order_id)[-2:] == ["Accepted", "Canceled"]
        assert order.status is OrderStatus.CANCELED

    def test_jitter_is_seeded_and_never_reorders(self) -> None:
        def arrivals(seed: int) -> list[int]:
            kernel = Kernel(*make_venue(LatencyModel.fixed(1 * MS, jitter_ns=3 * MS, seed=seed)))
            orders = [kernel.submit(price=Price("40000.00")) for _ in range(8)]
            kernel.advance(10 * MS)
            accepted = [e for e in kernel.events if type(e).__name__ == "OrderAccepted"]
            assert [e.client_order_id for e in accepted] == [o.client_order_id for o in orders]
            return [e.ts_event for e in accepted]

        first = arrivals(7)
        assert first == arrivals(7)
        assert first == sorted(first)
        assert first != arrivals(8)


class TestReconciliation:
    def test_restarted_kernel_catches_up_with_the_venue(self) -> None:
        venue, clock = make_venue()
        journal = ListJournal()
        first = Kernel(venue, clock, journal)
        first.quote("49990.00", "50010.00", "5.00000")
        resting = first.submit(price=Price("50000.00"))
        canceled = first.submit(side=SELL, price=Price("51000.00"))
        # the process dies: the venue keeps working and nobody hears about it
        venue.disconnect(first.client.account_id)
        first.quote("49990.00", "49995.00", "5.00000")  # fills the resting bid
        venue.engine(first.instrument.id).cancel(
            venue.account(first.client.account_id).orders[canceled.client_order_id]
        )
        journal_copy = ListJournal()
        journal_copy.records = [
            MessageCodec().decode(MessageCodec().encode(m)) for m in journal.records
        ]
        second = Kernel(venue, clock, journal_copy)
        rebuilt = second.cache.order(resting.client_order_id)
        assert rebuilt is not None
        assert rebuilt.status is OrderStatus.ACCEPTED
        results = asyncio.run(second.engine.reconcile())
        assert all(result.ok for result in results)
        assert rebuilt.status is OrderStatus.FILLED
        assert rebuilt.filled_qty == Quantity("1.00000")
        again = second.cache.order(canceled.client_order_id)
        assert again is not None
        assert again.status is OrderStatus.CANCELED

    def test_reports_mirror_the_venue(self) -> None:
        kernel = Kernel(*make_venue())
        kernel.quote("49990.00", "50010.00", "5.00000")
        open_order = kernel.submit(price=Price("49000.00"))
        kernel.submit(OrderType.MARKET, BUY, "0.50000", time_in_force=TimeInForce.IOC)
        orders = asyncio.run(kernel.client.generate_order_status_reports())
        assert [r.client_order_id for r in orders] == [open_order.client_order_id]
        every = asyncio.run(kernel.client.generate_order_status_reports(open_only=False))
        assert len(every) == 2
        fills = asyncio.run(kernel.client.generate_fill_reports())
        assert len(fills) == 1
        assert fills[0].last_qty == Quantity("0.50000")
        assert asyncio.run(kernel.client.generate_position_status_reports()) == []
