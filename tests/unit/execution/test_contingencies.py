"""Order lists managed by the engine: OTO brackets, OCO and OUO siblings."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.commands import CancelOrder, ModifyOrder, SubmitOrder, SubmitOrderList
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderStatus,
    OrderType,
    TriggerType,
)
from shrivenquant.model.identifiers import ClientOrderId, OrderListId
from shrivenquant.model.orders import Order, OrderList, bracket
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.stubs import TestIdStubs, TestOrderStubs


def make_bracket(
    exit_contingency: ContingencyType = ContingencyType.OUO,
    emulation_trigger: TriggerType | None = None,
) -> OrderList:
    return bracket(
        trader_id=TestIdStubs.trader_id,
        strategy_id=TestIdStubs.strategy_id,
        instrument_id=TestIdStubs.instrument_id,
        order_list_id=OrderListId(f"OL-{UUID4()}"),
        client_order_ids=(
            TestIdStubs.client_order_id(),
            TestIdStubs.client_order_id(),
            TestIdStubs.client_order_id(),
        ),
        entry_side=OrderSide.BUY,
        quantity=Quantity("1.00000"),
        entry_price=Price("50000.00"),
        stop_loss_trigger=Price("49000.00"),
        take_profit_price=Price("52000.00"),
        exit_contingency=exit_contingency,
        emulation_trigger=emulation_trigger,
        ts_init=0,
    )


def sibling_list(contingency: ContingencyType) -> OrderList:
    a, b = TestIdStubs.client_order_id(), TestIdStubs.client_order_id()
    list_id = OrderListId(f"OL-{UUID4()}")
    common = {"contingency_type": contingency, "order_list_id": list_id}
    first = TestOrderStubs.init(
        OrderType.LIMIT,
        OrderSide.SELL,
        client_order_id=a,
        price=Price("52000.00"),
        linked_order_ids=(b,),
        **common,
    )
    second = TestOrderStubs.init(
        OrderType.LIMIT,
        OrderSide.SELL,
        client_order_id=b,
        price=Price("53000.00"),
        linked_order_ids=(a,),
        **common,
    )
    return OrderList(
        list_id,
        TestIdStubs.instrument_id,
        TestIdStubs.strategy_id,
        [Order.from_init(first), Order.from_init(second)],
    )


def orders(h: Any, order_list: OrderList) -> list[Any]:
    return [h.cache.order(o.client_order_id) for o in order_list]


def submitted_ids(h: Any) -> list[ClientOrderId]:
    return [c.order.client_order_id for c in h.client.commands if isinstance(c, SubmitOrder)]


@pytest.fixture
def h(make_harness: Any) -> Any:
    return make_harness(auto_accept=True, auto_cancel=True, auto_modify=True)


class TestBracket:
    def test_children_wait_for_the_parent_to_fill(self, h: Any) -> None:
        order_list = make_bracket()
        h.submit_list(order_list)
        entry, stop, profit = orders(h, order_list)
        assert h.cache.order_list(order_list.order_list_id) is not None
        assert submitted_ids(h) == [entry.client_order_id]
        assert stop.status is OrderStatus.INITIALIZED
        h.client.fill(entry.client_order_id, Quantity("0.40000"))
        assert stop.status is OrderStatus.INITIALIZED  # still waiting for the whole entry
        h.client.fill(entry.client_order_id)
        assert stop.status is OrderStatus.ACCEPTED
        assert profit.status is OrderStatus.ACCEPTED
        sent = [c.order for c in h.client.commands if isinstance(c, SubmitOrder)]
        assert all(o.contingency_type is ContingencyType.NO_CONTINGENCY for o in sent)
        assert all(o.parent_order_id is None for o in sent)

    def test_exit_fill_reduces_then_cancels_the_other_exit(self, h: Any) -> None:
        order_list = make_bracket(ContingencyType.OUO)
        h.submit_list(order_list)
        entry, stop, profit = orders(h, order_list)
        h.client.fill(entry.client_order_id)
        h.client.fill(profit.client_order_id, Quantity("0.40000"), Price("52000.00"))
        assert stop.quantity == Quantity("0.60000")
        assert [c for c in h.client.commands if isinstance(c, ModifyOrder)]
        h.client.fill(profit.client_order_id, px=Price("52000.00"))
        assert profit.status is OrderStatus.FILLED
        assert stop.status is OrderStatus.CANCELED
        assert h.cache.positions_open() == []

    def test_parent_canceled_unfilled_cancels_children(self, h: Any) -> None:
        order_list = make_bracket()
        h.submit_list(order_list)
        entry, stop, profit = orders(h, order_list)
        h.cancel(entry.client_order_id)
        assert entry.status is OrderStatus.CANCELED
        assert stop.status is OrderStatus.CANCELED
        assert profit.status is OrderStatus.CANCELED
        assert submitted_ids(h) == [entry.client_order_id]

    def test_parent_canceled_partly_filled_releases_smaller_children(self, h: Any) -> None:
        order_list = make_bracket()
        h.submit_list(order_list)
        entry, stop, profit = orders(h, order_list)
        h.client.fill(entry.client_order_id, Quantity("0.30000"))
        h.cancel(entry.client_order_id)
        assert stop.quantity == Quantity("0.30000")
        assert profit.quantity == Quantity("0.30000")
        assert stop.status is OrderStatus.ACCEPTED
        venue_stop = h.client.venue_orders[stop.client_order_id]
        assert venue_stop.quantity == Quantity("0.30000")

    def test_parent_rejected_cancels_children(self, make_harness: Any) -> None:
        h = make_harness()
        order_list = make_bracket()
        h.submit_list(order_list)
        entry, stop, profit = orders(h, order_list)
        h.client.reject(entry.client_order_id, "insufficient balance")
        assert stop.status is OrderStatus.CANCELED
        assert profit.status is OrderStatus.CANCELED

    def test_emulated_exits_are_emulated_once_released(self, h: Any) -> None:
        order_list = make_bracket(emulation_trigger=TriggerType.BID_ASK)
        h.submit_list(order_list)
        entry, stop, profit = orders(h, order_list)
        h.client.fill(entry.client_order_id)
        assert stop.status is OrderStatus.EMULATED
        assert profit.status is OrderStatus.EMULATED  # a limit is held until it is touched

    def test_client_managing_lists_gets_the_whole_list(self, make_harness: Any) -> None:
        h = make_harness(
            auto_accept=True,
            supported_contingencies=(ContingencyType.OTO, ContingencyType.OUO),
        )
        order_list = make_bracket()
        h.submit_list(order_list)
        assert isinstance(h.client.commands[0], SubmitOrderList)
        assert all(o.status is OrderStatus.ACCEPTED for o in orders(h, order_list))

    def test_duplicate_list_is_refused(self, h: Any) -> None:
        order_list = make_bracket()
        h.submit_list(order_list)
        h.submit_list(order_list)
        assert len(submitted_ids(h)) == 1
        assert h.events_of(order_list.first.client_order_id).count("OrderDenied") == 1


class TestSiblings:
    def test_oco_fill_cancels_the_sibling(self, h: Any) -> None:
        order_list = sibling_list(ContingencyType.OCO)
        h.submit_list(order_list)
        first, second = orders(h, order_list)
        assert first.status is OrderStatus.ACCEPTED
        h.client.fill(first.client_order_id, Quantity("0.10000"))
        assert second.status is OrderStatus.CANCELED
        cancels = [c for c in h.client.commands if isinstance(c, CancelOrder)]
        assert [c.client_order_id for c in cancels] == [second.client_order_id]

    def test_oco_cancel_cancels_the_sibling(self, h: Any) -> None:
        order_list = sibling_list(ContingencyType.OCO)
        h.submit_list(order_list)
        first, second = orders(h, order_list)
        h.cancel(first.client_order_id)
        assert second.status is OrderStatus.CANCELED

    def test_venue_side_oco_cancel_after_a_partial_fill_keeps_the_traded_leg(self, h: Any) -> None:
        order_list = sibling_list(ContingencyType.OCO)
        h.submit_list(order_list)
        first, second = orders(h, order_list)
        # A venue that carries out OCO itself cancels the sibling when one leg trades; our
        # own cancel request crosses with its report. The traded leg must keep working.
        h.client.fill(first.client_order_id, Quantity("0.10000"))
        h.client.cancel(second.client_order_id)
        assert second.status is OrderStatus.CANCELED
        assert first.status is OrderStatus.PARTIALLY_FILLED
        cancels = [c for c in h.client.commands if isinstance(c, CancelOrder)]
        assert [c.client_order_id for c in cancels] == [second.client_order_id]

    def test_venue_managed_oco_is_left_to_the_venue(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True, supported_contingencies=(ContingencyType.OCO,))
        order_list = sibling_list(ContingencyType.OCO)
        h.submit_list(order_list)
        first, second = orders(h, order_list)
        # The venue cancels the sibling itself and may report that before the fill.
        h.client.cancel(second.client_order_id)
        h.client.fill(first.client_order_id, Quantity("0.10000"))
        assert first.status is OrderStatus.PARTIALLY_FILLED
        assert second.status is OrderStatus.CANCELED
        assert not [c for c in h.client.commands if isinstance(c, CancelOrder)]

    def test_ouo_partial_fill_keeps_leaves_equal(self, h: Any) -> None:
        order_list = sibling_list(ContingencyType.OUO)
        h.submit_list(order_list)
        first, second = orders(h, order_list)
        h.client.fill(first.client_order_id, Quantity("0.25000"))
        assert second.quantity == Quantity("0.75000")
        h.client.fill(second.client_order_id, Quantity("0.25000"))
        assert first.leaves_qty == second.leaves_qty == Quantity("0.50000")

    def test_pending_cancel_sibling_is_left_alone(self, make_harness: Any) -> None:
        h = make_harness(auto_accept=True)
        order_list = sibling_list(ContingencyType.OCO)
        h.submit_list(order_list)
        first, second = orders(h, order_list)
        h.cancel(second.client_order_id)
        h.client.fill(first.client_order_id, Quantity("0.10000"))
        cancels = [c for c in h.client.commands if isinstance(c, CancelOrder)]
        assert len(cancels) == 1

    def test_invalid_list_is_denied(self, h: Any) -> None:
        order_list = sibling_list(ContingencyType.OCO)
        inits = list(order_list.inits)
        inits[1] = msgspec.structs.replace(inits[1], linked_order_ids=())
        inits[1] = msgspec.structs.replace(
            inits[1], contingency_type=ContingencyType.NO_CONTINGENCY
        )
        h.execute(
            SubmitOrderList(
                order_list_id=order_list.order_list_id, orders=tuple(inits), **h._fields()
            )
        )
        assert h.cache.orders() == []
        assert h.events_of(inits[0].client_order_id) == ["OrderDenied"]
