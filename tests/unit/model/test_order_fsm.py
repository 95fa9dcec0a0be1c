"""The order state machine: every (status, trigger) pair against an independently written table."""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidStateTransition
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.currency import BNB, USDT
from shrivenquant.model.enums import (
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TriggerType,
)
from shrivenquant.model.events.order import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEmulated,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderReleased,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.orders import (
    CLOSED_STATUSES,
    ORDER_TRANSITIONS,
    Order,
    OrderStateMachine,
    OrderTrigger,
)
from shrivenquant.model.values import Money, Price, Quantity

S = OrderStatus
T = OrderTrigger
PREV = "PREVIOUS"  # back to the status before PENDING_UPDATE / PENDING_CANCEL

# Written out by hand from the lifecycle document, not derived from the implementation.
EXPECTED: dict[OrderStatus, dict[OrderTrigger, OrderStatus | str]] = {
    S.INITIALIZED: {
        T.DENY: S.DENIED,
        T.EMULATE: S.EMULATED,
        T.SUBMIT: S.SUBMITTED,
        T.ACCEPT: S.ACCEPTED,
        T.CANCEL: S.CANCELED,
        T.EXPIRE: S.EXPIRED,
        T.UPDATE: S.INITIALIZED,
        T.MODIFY_REJECT: S.INITIALIZED,
        T.CANCEL_REJECT: S.INITIALIZED,
    },
    S.DENIED: {},
    S.EMULATED: {
        T.RELEASE: S.RELEASED,
        T.CANCEL: S.CANCELED,
        T.EXPIRE: S.EXPIRED,
        T.UPDATE: S.EMULATED,
        T.MODIFY_REJECT: S.EMULATED,
        T.CANCEL_REJECT: S.EMULATED,
    },
    S.RELEASED: {T.SUBMIT: S.SUBMITTED, T.DENY: S.DENIED, T.CANCEL: S.CANCELED},
    S.SUBMITTED: {
        T.ACCEPT: S.ACCEPTED,
        T.REJECT: S.REJECTED,
        T.CANCEL: S.CANCELED,
        T.EXPIRE: S.EXPIRED,
        T.TRIGGER: S.TRIGGERED,
        T.PENDING_UPDATE: S.PENDING_UPDATE,
        T.PENDING_CANCEL: S.PENDING_CANCEL,
        T.UPDATE: S.SUBMITTED,
        T.MODIFY_REJECT: S.SUBMITTED,
        T.CANCEL_REJECT: S.SUBMITTED,
        T.FILL_PARTIAL: S.PARTIALLY_FILLED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.ACCEPTED: {
        T.REJECT: S.REJECTED,
        T.CANCEL: S.CANCELED,
        T.EXPIRE: S.EXPIRED,
        T.TRIGGER: S.TRIGGERED,
        T.PENDING_UPDATE: S.PENDING_UPDATE,
        T.PENDING_CANCEL: S.PENDING_CANCEL,
        T.UPDATE: S.ACCEPTED,
        T.MODIFY_REJECT: S.ACCEPTED,
        T.CANCEL_REJECT: S.ACCEPTED,
        T.FILL_PARTIAL: S.PARTIALLY_FILLED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.REJECTED: {T.MODIFY_REJECT: S.REJECTED, T.CANCEL_REJECT: S.REJECTED},
    S.CANCELED: {
        T.MODIFY_REJECT: S.CANCELED,
        T.CANCEL_REJECT: S.CANCELED,
        T.FILL_PARTIAL: S.CANCELED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.EXPIRED: {
        T.MODIFY_REJECT: S.EXPIRED,
        T.CANCEL_REJECT: S.EXPIRED,
        T.FILL_PARTIAL: S.EXPIRED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.TRIGGERED: {
        T.REJECT: S.REJECTED,
        T.CANCEL: S.CANCELED,
        T.EXPIRE: S.EXPIRED,
        T.PENDING_UPDATE: S.PENDING_UPDATE,
        T.PENDING_CANCEL: S.PENDING_CANCEL,
        T.UPDATE: S.TRIGGERED,
        T.MODIFY_REJECT: S.TRIGGERED,
        T.CANCEL_REJECT: S.TRIGGERED,
        T.FILL_PARTIAL: S.PARTIALLY_FILLED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.PENDING_UPDATE: {
        T.UPDATE: PREV,
        T.MODIFY_REJECT: PREV,
        T.CANCEL_REJECT: S.PENDING_UPDATE,
        T.PENDING_UPDATE: S.PENDING_UPDATE,
        T.PENDING_CANCEL: S.PENDING_CANCEL,
        T.ACCEPT: S.ACCEPTED,
        T.REJECT: S.REJECTED,
        T.CANCEL: S.CANCELED,
        T.EXPIRE: S.EXPIRED,
        T.TRIGGER: S.TRIGGERED,
        T.FILL_PARTIAL: S.PARTIALLY_FILLED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.PENDING_CANCEL: {
        T.CANCEL: S.CANCELED,
        T.CANCEL_REJECT: PREV,
        T.MODIFY_REJECT: S.PENDING_CANCEL,
        T.UPDATE: S.PENDING_CANCEL,
        T.PENDING_CANCEL: S.PENDING_CANCEL,
        T.ACCEPT: S.ACCEPTED,
        T.REJECT: S.REJECTED,
        T.EXPIRE: S.EXPIRED,
        T.TRIGGER: S.TRIGGERED,
        T.FILL_PARTIAL: S.PARTIALLY_FILLED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.PARTIALLY_FILLED: {
        T.CANCEL: S.CANCELED,
        T.EXPIRE: S.EXPIRED,
        T.PENDING_UPDATE: S.PENDING_UPDATE,
        T.PENDING_CANCEL: S.PENDING_CANCEL,
        T.UPDATE: S.PARTIALLY_FILLED,
        T.MODIFY_REJECT: S.PARTIALLY_FILLED,
        T.CANCEL_REJECT: S.PARTIALLY_FILLED,
        T.FILL_PARTIAL: S.PARTIALLY_FILLED,
        T.FILL_COMPLETE: S.FILLED,
    },
    S.FILLED: {T.MODIFY_REJECT: S.FILLED, T.CANCEL_REJECT: S.FILLED},
}

# How each status is reached from INITIALIZED (pending states are entered from ACCEPTED).
PATHS: dict[OrderStatus, list[OrderTrigger]] = {
    S.INITIALIZED: [],
    S.DENIED: [T.DENY],
    S.EMULATED: [T.EMULATE],
    S.RELEASED: [T.EMULATE, T.RELEASE],
    S.SUBMITTED: [T.SUBMIT],
    S.ACCEPTED: [T.SUBMIT, T.ACCEPT],
    S.REJECTED: [T.SUBMIT, T.REJECT],
    S.CANCELED: [T.SUBMIT, T.ACCEPT, T.CANCEL],
    S.EXPIRED: [T.SUBMIT, T.ACCEPT, T.EXPIRE],
    S.TRIGGERED: [T.SUBMIT, T.ACCEPT, T.TRIGGER],
    S.PENDING_UPDATE: [T.SUBMIT, T.ACCEPT, T.PENDING_UPDATE],
    S.PENDING_CANCEL: [T.SUBMIT, T.ACCEPT, T.PENDING_CANCEL],
    S.PARTIALLY_FILLED: [T.SUBMIT, T.ACCEPT, T.FILL_PARTIAL],
    S.FILLED: [T.SUBMIT, T.ACCEPT, T.FILL_COMPLETE],
}
PATH_PREVIOUS = S.ACCEPTED

ALL_PAIRS = [(status, trigger) for status in OrderStatus for trigger in OrderTrigger]


def _expected_target(status: OrderStatus, trigger: OrderTrigger, previous: OrderStatus) -> Any:
    target = EXPECTED[status].get(trigger)
    return previous if target == PREV else target


# -- pure state machine ------------------------------------------------------------------------


def test_expected_table_covers_every_status_and_matches_the_size_of_the_implementation() -> None:
    assert set(EXPECTED) == set(OrderStatus)
    assert set(PATHS) == set(OrderStatus)
    assert sum(len(row) for row in EXPECTED.values()) == len(ORDER_TRANSITIONS)


@pytest.mark.parametrize(("status", "trigger"), ALL_PAIRS, ids=str)
def test_state_machine_pair(status: OrderStatus, trigger: OrderTrigger) -> None:
    fsm = OrderStateMachine("test")
    for step in PATHS[status]:
        fsm.trigger(step)
    assert fsm.status is status
    expected = _expected_target(status, trigger, PATH_PREVIOUS)
    assert fsm.can_trigger(trigger) is (expected is not None)
    if expected is None:
        with pytest.raises(InvalidStateTransition):
            fsm.trigger(trigger)
        assert fsm.status is status
    else:
        assert fsm.trigger(trigger) is expected


@pytest.mark.parametrize(
    "settled", [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED], ids=str
)
@pytest.mark.parametrize(
    ("pending", "answer"),
    [
        (T.PENDING_UPDATE, T.UPDATE),
        (T.PENDING_UPDATE, T.MODIFY_REJECT),
        (T.PENDING_CANCEL, T.CANCEL_REJECT),
    ],
    ids=str,
)
def test_answers_return_to_the_status_before_pending(
    settled: OrderStatus, pending: OrderTrigger, answer: OrderTrigger
) -> None:
    fsm = OrderStateMachine("test")
    for step in {
        S.SUBMITTED: [T.SUBMIT],
        S.ACCEPTED: [T.SUBMIT, T.ACCEPT],
        S.TRIGGERED: [T.SUBMIT, T.ACCEPT, T.TRIGGER],
        S.PARTIALLY_FILLED: [T.SUBMIT, T.FILL_PARTIAL],
    }[settled]:
        fsm.trigger(step)
    fsm.trigger(pending)
    fsm.trigger(pending)  # a second request while the first is pending
    assert fsm.status_before_pending is settled
    assert fsm.trigger(answer) is settled


def test_cancel_requested_during_a_pending_modify_restores_the_settled_status() -> None:
    fsm = OrderStateMachine("test")
    for step in (T.SUBMIT, T.ACCEPT, T.PENDING_UPDATE, T.PENDING_CANCEL):
        fsm.trigger(step)
    assert fsm.trigger(T.CANCEL_REJECT) is S.ACCEPTED
    assert fsm.trigger(T.MODIFY_REJECT) is S.ACCEPTED  # the late modify answer is a no-op


# -- orders driven by events --------------------------------------------------------------------

ACCOUNT = AccountId("BINANCE-001")
IDS: dict[str, Any] = {
    "trader_id": TraderId("TRADER-001"),
    "strategy_id": StrategyId("S-001"),
    "instrument_id": InstrumentId("BTCUSDT.BINANCE"),
    "client_order_id": ClientOrderId("O-1"),
}


def _new_order(units: int = 10_000) -> Order:
    init = OrderInitialized(
        event_id=UUID4(),
        ts_event=0,
        ts_init=0,
        order_side=OrderSide.BUY,
        order_type=OrderType.STOP_LIMIT,
        quantity=Quantity.from_raw(units * 10**6, 3),
        price=Price("100.00"),
        trigger_price=Price("99.00"),
        time_in_force=TimeInForce.GTC,
        emulation_trigger=TriggerType.LAST_PRICE,
        **IDS,
    )
    return Order.from_init(init)


def _event(order: Order, trigger: OrderTrigger, **kw: Any) -> OrderEvent:
    """Build the event for ``trigger``; fills take ``units`` (of 0.001) and ``px``."""
    base: dict[str, Any] = {"event_id": UUID4(), "ts_event": order.event_count, "ts_init": 0}
    base.update(IDS)
    venue_id = VenueOrderId("V-1")
    if trigger in (T.FILL_PARTIAL, T.FILL_COMPLETE):
        units = kw["units"]
        return OrderFilled(
            venue_order_id=venue_id,
            account_id=ACCOUNT,
            trade_id=TradeId(f"T-{order.event_count}"),
            order_side=order.side,
            order_type=order.order_type,
            last_qty=Quantity.from_raw(units * 10**6, 3),
            last_px=kw.get("px", Price("100.00")),
            currency=USDT,
            commission=kw.get("commission", Money("0.01", USDT)),
            liquidity_side=LiquiditySide.MAKER,
            **base,
        )
    if trigger is T.UPDATE:
        quantity = kw.get("quantity", order.quantity)
        return OrderUpdated(quantity=quantity, price=Price("100.50"), **base)
    factories: dict[OrderTrigger, Any] = {
        T.DENY: lambda: OrderDenied(reason="max notional", **base),
        T.EMULATE: lambda: OrderEmulated(**base),
        T.RELEASE: lambda: OrderReleased(released_price=Price("99.00"), **base),
        T.SUBMIT: lambda: OrderSubmitted(account_id=ACCOUNT, **base),
        T.ACCEPT: lambda: OrderAccepted(venue_order_id=venue_id, account_id=ACCOUNT, **base),
        T.REJECT: lambda: OrderRejected(account_id=ACCOUNT, reason="no margin", **base),
        T.CANCEL: lambda: OrderCanceled(venue_order_id=venue_id, **base),
        T.EXPIRE: lambda: OrderExpired(**base),
        T.TRIGGER: lambda: OrderTriggered(**base),
        T.PENDING_UPDATE: lambda: OrderPendingUpdate(account_id=ACCOUNT, **base),
        T.PENDING_CANCEL: lambda: OrderPendingCancel(account_id=ACCOUNT, **base),
        T.MODIFY_REJECT: lambda: OrderModifyRejected(reason="bad price", **base),
        T.CANCEL_REJECT: lambda: OrderCancelRejected(reason="unknown order", **base),
    }
    event: OrderEvent = factories[trigger]()
    return event


def _leaves_units(order: Order) -> int:
    return order.leaves_qty.raw // 10**6


def _drive(order: Order, path: list[OrderTrigger]) -> None:
    for step in path:
        units = 1 if step is T.FILL_PARTIAL else _leaves_units(order)
        order.apply(_event(order, step, units=units))


def _snapshot(order: Order) -> tuple[Any, ...]:
    return (
        order.status,
        order.status_before_pending,
        order.quantity,
        order.price,
        order.trigger_price,
        order.filled_qty,
        order.leaves_qty,
        order.avg_px,
        order.trade_ids,
        order.commissions,
        order.venue_order_id,
        order.account_id,
        order.is_triggered,
        order.released_price,
        order.events,
        order.ts_last,
    )


# A filled order has nothing left, so no fill can be partial; the pure FSM test covers that pair.
ORDER_PAIRS = [pair for pair in ALL_PAIRS if pair != (S.FILLED, T.FILL_PARTIAL)]


@pytest.mark.parametrize(("status", "trigger"), ORDER_PAIRS, ids=str)
def test_order_pair(status: OrderStatus, trigger: OrderTrigger) -> None:
    order = _new_order()
    _drive(order, PATHS[status])
    assert order.status is status
    leaves = _leaves_units(order)
    event = _event(order, trigger, units=1 if trigger is T.FILL_PARTIAL else max(leaves, 1))
    expected = _expected_target(status, trigger, PATH_PREVIOUS)
    before = _snapshot(order)
    if expected is None:
        with pytest.raises(InvalidStateTransition):
            order.apply(event)
        assert _snapshot(order) == before
    else:
        order.apply(event)
        assert order.status is expected
        assert order.last_event is event
        assert order.is_closed is (expected in CLOSED_STATUSES)


# -- random event sequences ---------------------------------------------------------------------


def _independent_avg_px(fills: list[tuple[str, str]]) -> Decimal:
    notional = sum(
        (Fraction(Decimal(px)) * Fraction(Decimal(qty)) for px, qty in fills), Fraction()
    )
    total = sum((Fraction(Decimal(qty)) for _, qty in fills), Fraction())
    exact = notional / total
    return Context(prec=34).divide(Decimal(exact.numerator), Decimal(exact.denominator))


@settings(max_examples=300)
@given(data=st.data(), units=st.integers(min_value=1, max_value=50_000))
def test_random_event_sequences_follow_the_table(data: st.DataObject, units: int) -> None:
    order = _new_order(units)
    previous = S.INITIALIZED  # the model's own "status before pending"
    fills: list[tuple[str, str]] = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=25), label="steps")):
        trigger = data.draw(st.sampled_from(list(OrderTrigger)), label="trigger")
        leaves = _leaves_units(order)
        kw: dict[str, Any] = {}
        overfill = False
        if trigger in (T.FILL_PARTIAL, T.FILL_COMPLETE):
            if trigger is T.FILL_COMPLETE or leaves < 2:
                kw["units"] = leaves + data.draw(st.sampled_from([0, 0, 0, 1]), label="over")
            else:
                kw["units"] = data.draw(st.integers(1, leaves - 1), label="units")
            overfill = kw["units"] > leaves
            if kw["units"] == 0:
                continue
            kw["px"] = Price(data.draw(st.decimals("0.01", "99999.99", places=2), label="px"))
            kw["commission"] = Money("0.5", data.draw(st.sampled_from([USDT, BNB])))
            trigger = T.FILL_PARTIAL if kw["units"] < leaves else T.FILL_COMPLETE
        elif trigger is T.UPDATE:
            filled = order.filled_qty.raw // 10**6
            new_units = filled + data.draw(st.integers(1, 50_000), label="new_qty")
            kw["quantity"] = Quantity.from_raw(new_units * 10**6, 3)
        event = _event(order, trigger, **kw)
        before = _snapshot(order)
        was_closed = order.is_closed
        expected = _expected_target(order.status, trigger, previous)
        if expected is None:
            with pytest.raises(InvalidStateTransition):
                order.apply(event)
            assert _snapshot(order) == before
        elif overfill:
            with pytest.raises(ValueError, match="exceeds leaves_qty"):
                order.apply(event)
            assert _snapshot(order) == before
        else:
            order.apply(event)
            assert order.status is expected
            if expected not in (S.PENDING_UPDATE, S.PENDING_CANCEL):
                previous = expected
            if isinstance(event, OrderFilled):
                fills.append((str(event.last_px), str(event.last_qty)))
        assert order.status in EXPECTED
        assert not was_closed or order.is_closed
        assert order.filled_qty + order.leaves_qty == order.quantity
        assert [order.is_local, order.is_open, order.is_closed].count(True) == 1
        if fills:
            assert order.avg_px == _independent_avg_px(fills)
        else:
            assert order.avg_px is None
    replayed = Order.from_events(order.events)
    assert _snapshot(replayed) == _snapshot(order)
