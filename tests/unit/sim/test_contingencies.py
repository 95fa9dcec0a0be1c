"""Contingent orders managed by the simulated venue: brackets (OTO + OUO/OCO), OCO, OUO."""

from __future__ import annotations

import msgspec
import pytest

from shrivenquant.model.enums import ContingencyType, OrderSide, OrderStatus, OrderType
from shrivenquant.model.identifiers import ClientOrderId, OrderListId, StrategyId, TraderId
from shrivenquant.model.orders import Order, OrderList, bracket
from shrivenquant.model.values import Price, Quantity
from shrivenquant.sim import RejectCode

from .conftest import VenueHarness, default_config

BUY, SELL = OrderSide.BUY, OrderSide.SELL
ENTRY, STOP, PROFIT = ClientOrderId("E-1"), ClientOrderId("SL-1"), ClientOrderId("TP-1")


def _bracket(
    harness: VenueHarness,
    entry_price: str | None = "50000.00",
    exit_contingency: ContingencyType = ContingencyType.OUO,
) -> OrderList:
    return bracket(
        trader_id=TraderId("TRADER-001"),
        strategy_id=StrategyId("S-001"),
        instrument_id=harness.instrument.id,
        order_list_id=OrderListId("OL-1"),
        client_order_ids=(ENTRY, STOP, PROFIT),
        entry_side=BUY,
        quantity=Quantity("1.00000"),
        stop_loss_trigger=Price("49000.00"),
        take_profit_price=Price("51000.00"),
        entry_price=None if entry_price is None else Price(entry_price),
        exit_contingency=exit_contingency,
        ts_init=0,
    )


def _siblings(harness: VenueHarness, kind: ContingencyType) -> OrderList:
    first = harness.init(side=SELL, price=Price("51000.00"))
    second = harness.init(OrderType.STOP_MARKET, SELL, trigger_price=Price("49000.00"))
    list_id = OrderListId("OL-2")
    first = msgspec.structs.replace(
        first,
        contingency_type=kind,
        order_list_id=list_id,
        linked_order_ids=(second.client_order_id,),
    )
    second = msgspec.structs.replace(
        second,
        contingency_type=kind,
        order_list_id=list_id,
        linked_order_ids=(first.client_order_id,),
    )
    orders = [Order.from_init(first), Order.from_init(second)]
    return OrderList(list_id, harness.instrument.id, first.strategy_id, orders)


@pytest.fixture
def quoted() -> VenueHarness:
    harness = VenueHarness()
    harness.quote("49990.00", "50010.00", "5.00000", "5.00000")
    return harness


class TestBracket:
    def test_children_wait_for_the_entry(self, quoted: VenueHarness) -> None:
        quoted.submit_list(_bracket(quoted))
        for cid in (ENTRY, STOP, PROFIT):
            assert quoted.rec.kinds(cid) == ["accepted"]
        assert not quoted.sim_order(STOP).is_active
        assert quoted.engine.book.best_ask() is None  # the take-profit does not rest yet
        assert quoted.account().order_lock(quoted.sim_order(PROFIT)) is None

    def test_filled_entry_starts_the_exits(self, quoted: VenueHarness) -> None:
        quoted.submit_list(_bracket(quoted))
        quoted.quote("49980.00", "49995.00", "5.00000", "5.00000")
        assert quoted.sim_order(ENTRY).status is OrderStatus.FILLED
        assert quoted.sim_order(PROFIT).is_active
        assert quoted.engine.book.best_ask().price == Price("51000.00")
        assert [o.init.client_order_id for o in quoted.engine.trigger_orders()] == [STOP]

    def test_take_profit_fill_cancels_the_stop(self, quoted: VenueHarness) -> None:
        quoted.submit_list(_bracket(quoted, entry_price=None))  # a market entry
        quoted.quote("51000.00", "51010.00", "5.00000", "5.00000")
        assert quoted.rec.kinds(PROFIT)[-1] == "filled"
        assert quoted.rec.kinds(STOP)[-1] == "canceled"
        assert quoted.account().net_raw(quoted.instrument.id) == 0

    def test_partial_take_profit_cuts_the_stop(self, quoted: VenueHarness) -> None:
        quoted.submit_list(_bracket(quoted, entry_price=None))
        quoted.quote("51000.00", "51010.00", "0.30000", "5.00000")
        assert quoted.sim_order(STOP).quantity_raw == Quantity("0.70000").raw
        assert quoted.rec.kinds(STOP)[-1] == "updated"

    def test_unfilled_entry_canceled_cancels_the_exits(self, quoted: VenueHarness) -> None:
        quoted.submit_list(_bracket(quoted))
        quoted.cancel(ENTRY)
        assert quoted.rec.kinds(STOP) == ["accepted", "canceled"]
        assert quoted.rec.kinds(PROFIT) == ["accepted", "canceled"]

    def test_partly_filled_entry_canceled_starts_cut_exits(self, quoted: VenueHarness) -> None:
        quoted.submit_list(_bracket(quoted))
        quoted.quote("49980.00", "49995.00", "5.00000", "0.40000")
        quoted.cancel(ENTRY)
        for cid in (STOP, PROFIT):
            order = quoted.sim_order(cid)
            assert order.is_active
            assert order.quantity_raw == Quantity("0.40000").raw
        assert quoted.engine.book.best_ask().size == Quantity("0.40000")

    def test_oco_exits(self, quoted: VenueHarness) -> None:
        quoted.submit_list(_bracket(quoted, entry_price=None, exit_contingency=ContingencyType.OCO))
        quoted.quote("51000.00", "51010.00", "0.30000", "5.00000")
        assert quoted.rec.kinds(STOP)[-1] == "canceled"
        # the rest of the take-profit still works
        assert quoted.sim_order(PROFIT).status is OrderStatus.PARTIALLY_FILLED

    def test_rejected_entry_cancels_the_exits(self) -> None:
        harness = VenueHarness(default_config(starting_balances=("10 USDT", "1 BTC")))
        harness.submit_list(_bracket(harness))
        assert harness.rec.reason(ENTRY).startswith(RejectCode.INSUFFICIENT_BALANCE)
        assert harness.rec.kinds(STOP) == ["accepted", "canceled"]


class TestSiblings:
    @pytest.fixture
    def long_two(self, quoted: VenueHarness) -> VenueHarness:
        quoted.submit(OrderType.MARKET, BUY, "2.00000")
        return quoted

    def test_oco_fill_cancels_the_sibling(self, long_two: VenueHarness) -> None:
        order_list = _siblings(long_two, ContingencyType.OCO)
        long_two.submit_list(order_list)
        first, second = (o.client_order_id for o in order_list)
        long_two.quote("51000.00", "51010.00", "0.20000", "5.00000")
        assert long_two.rec.kinds(first)[-1] == "filled"
        assert long_two.rec.kinds(second)[-1] == "canceled"

    def test_oco_cancel_cancels_the_sibling(self, long_two: VenueHarness) -> None:
        order_list = _siblings(long_two, ContingencyType.OCO)
        long_two.submit_list(order_list)
        first, second = (o.client_order_id for o in order_list)
        long_two.cancel(first)
        assert long_two.rec.kinds(second)[-1] == "canceled"

    def test_ouo_fill_cuts_the_sibling(self, long_two: VenueHarness) -> None:
        order_list = _siblings(long_two, ContingencyType.OUO)
        long_two.submit_list(order_list)
        first, second = (o.client_order_id for o in order_list)
        long_two.quote("51000.00", "51010.00", "0.25000", "5.00000")
        assert long_two.sim_order(second).quantity_raw == Quantity("0.75000").raw
        long_two.quote("51000.00", "51010.00", "5.00000", "5.00000")
        assert long_two.rec.kinds(first)[-1] == "filled"
        assert long_two.rec.kinds(second)[-1] == "canceled"

    def test_contingencies_refused_when_the_venue_does_not_manage_them(self) -> None:
        harness = VenueHarness(default_config(support_contingent_orders=False))
        order_list = _siblings(harness, ContingencyType.OCO)
        harness.submit_list(order_list)
        for order in order_list:
            assert harness.rec.reason(order.client_order_id).startswith(RejectCode.UNSUPPORTED)
