"""Property tests: under any stream of venue events the OMS only makes valid transitions, counts
what it refuses, and keeps the cache's indexes and the positions consistent with the orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.bus import topics
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import Anomaly
from shrivenquant.model.currency import USDT
from shrivenquant.model.enums import LiquiditySide, OrderSide, OrderType
from shrivenquant.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.identifiers import AccountId, TradeId, VenueOrderId
from shrivenquant.model.orders import Order
from shrivenquant.model.values import Money, Price, Quantity

from .conftest import Harness

ACCOUNT = AccountId("BINANCE-001")
KINDS = (
    "submitted",
    "accepted",
    "rejected",
    "canceled",
    "expired",
    "triggered",
    "pending_update",
    "pending_cancel",
    "modify_rejected",
    "cancel_rejected",
    "updated",
    "filled",
)

event_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # which order
        st.sampled_from(KINDS),
        st.integers(min_value=1, max_value=12),  # quantity in tenths
        st.integers(min_value=0, max_value=15),  # trade id (collisions make duplicates)
    ),
    max_size=40,
)


def make_event(order: Order, kind: str, tenths: int, trade: int, ts: int) -> Any:
    common: dict[str, Any] = {
        "trader_id": order.trader_id,
        "strategy_id": order.strategy_id,
        "instrument_id": order.instrument_id,
        "client_order_id": order.client_order_id,
        "event_id": UUID4(),
        "ts_event": ts,
        "ts_init": ts,
    }
    venue = {"venue_order_id": VenueOrderId(f"V-{order.client_order_id}"), "account_id": ACCOUNT}
    qty = Quantity.from_raw(tenths * 10**8, 1)
    if kind == "submitted":
        return OrderSubmitted(account_id=ACCOUNT, **common)
    if kind == "accepted":
        return OrderAccepted(**venue, **common)
    if kind == "rejected":
        return OrderRejected(account_id=ACCOUNT, reason="no", **common)
    if kind == "canceled":
        return OrderCanceled(**venue, **common)
    if kind == "expired":
        return OrderExpired(**venue, **common)
    if kind == "triggered":
        return OrderTriggered(**venue, **common)
    if kind == "pending_update":
        return OrderPendingUpdate(**venue, **common)
    if kind == "pending_cancel":
        return OrderPendingCancel(**venue, **common)
    if kind == "modify_rejected":
        return OrderModifyRejected(reason="no", **venue, **common)
    if kind == "cancel_rejected":
        return OrderCancelRejected(reason="no", **venue, **common)
    if kind == "updated":
        return OrderUpdated(quantity=qty, **venue, **common)
    return OrderFilled(
        trade_id=TradeId(f"T-{order.client_order_id}-{trade}"),
        order_side=order.side,
        order_type=order.order_type,
        last_qty=qty,
        last_px=Price("50000.00"),
        currency=USDT,
        commission=Money("0.01", USDT),
        liquidity_side=LiquiditySide.MAKER,
        **venue,
        **common,
    )


def refused(h: Harness) -> int:
    counts = h.engine.counters
    return sum(
        counts[kind]
        for kind in (Anomaly.INVALID_TRANSITION, Anomaly.DUPLICATE_FILL, Anomaly.UNKNOWN_ORDER)
    )


def check_consistency(h: Harness, orders: list[Order]) -> None:
    cache = h.cache
    for order in orders:
        cid = order.client_order_id
        # Re-applying the order's own history succeeds: every applied event was a valid step.
        rebuilt = Order.from_events(order.events)
        assert rebuilt.status is order.status
        assert rebuilt.filled_qty == order.filled_qty
        assert order.filled_qty.raw <= order.quantity.raw
        assert sum((order.is_local, order.is_open, order.is_closed)) == 1
        assert cache.is_order_open(cid) is order.is_open
        assert cache.is_order_closed(cid) is order.is_closed
        assert cache.is_order_inflight(cid) is order.is_inflight
        assert cache.is_order_emulated(cid) is order.is_emulated
        assert (order in cache.orders_local()) is order.is_local
        if order.venue_order_id is not None:
            assert cache.order_by_venue_order_id(order.venue_order_id) is order
    net = Decimal(0)
    for order in orders:
        signed = order.filled_qty.as_decimal()
        net += signed if order.side is OrderSide.BUY else -signed
    assert sum((p.signed_qty for p in cache.positions()), Decimal(0)) == net


@settings(max_examples=300, deadline=None)
@given(specs=event_specs, market=st.booleans())
def test_random_event_streams_never_break_an_order(
    specs: list[tuple[int, str, int, int]], market: bool
) -> None:
    h = Harness(auto_submit=False)
    orders = [
        h.submit(
            OrderType.MARKET if market and i % 2 == 0 else OrderType.STOP_LIMIT,
            OrderSide.BUY if i % 3 else OrderSide.SELL,
            "1.0",
            **({"time_in_force": "GTC"} if market and i % 2 == 0 else {}),
        )
        for i in range(4)
    ]
    for ts, (index, kind, tenths, trade) in enumerate(specs, start=2_000):
        order = orders[index]
        before = (order.status, order.event_count, refused(h))
        h.bus.send(topics.EXEC_ENGINE_PROCESS, make_event(order, kind, tenths, trade, ts))
        applied = order.event_count == before[1] + 1
        if not applied:
            assert order.status is before[0]
            assert refused(h) == before[2] + 1
        else:
            assert refused(h) == before[2]
        check_consistency(h, orders)
    assert h.engine.counters.events == len(specs)
