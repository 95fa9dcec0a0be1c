"""Property tests of the simulated venue under random order flow from several accounts.

After every action (an order, a modify, a cancel, a quote, a trade, a bar, time passing):

- the venue's book is never crossed at rest;
- price-time priority holds: a resting order that trades as a maker had no order ahead of it
  (better price, or same price and earlier) still resting after the action;
- no order fills beyond its quantity, and what the venue reports adds up to its state;
- cash balances never go negative, and free + locked = total;
- with the venue as the whole market (L3), fills conserve quantity on both sides: maker and
  taker quantities match, buys equal sells, the base asset is conserved across accounts and the
  quote asset changes exactly by the commissions charged.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.data import BookLevel, OrderBookSnapshot
from shrivenquant.model.enums import (
    AggressorSide,
    BookType,
    LiquiditySide,
    OrderSide,
    OrderType,
    TimeInForce,
)
from shrivenquant.model.identifiers import AccountId, ClientOrderId
from shrivenquant.model.values import Money, Quantity
from shrivenquant.sim import FillModel

from .conftest import VenueHarness, default_config
from .flows import MID, TIFS, TYPES, order_fields, px, random_ops

ACCOUNTS = [AccountId(f"T{i}-001") for i in range(3)]
START = (Money("20000", USDT), Money("0.5", BTC))

submit_op = st.tuples(
    st.just("submit"),
    st.integers(0, len(ACCOUNTS) - 1),
    st.sampled_from(TYPES),
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 20),  # quantity in 0.01 BTC
    st.integers(-4, 4),  # price offset from the mid, in whole USDT
    st.integers(-4, 4),  # trigger offset
    st.sampled_from(TIFS),
    st.sampled_from([False, False, False, True]),  # post-only
    st.sampled_from([False, False, False, False, True]),  # reduce-only
)
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 10_000))
modify_op = st.tuples(
    st.just("modify"),
    st.integers(0, 2),
    st.integers(0, 10_000),
    st.integers(1, 20),
    st.integers(-4, 4),
)
quote_op = st.tuples(st.just("quote"), st.integers(-4, 4), st.integers(1, 3), st.integers(1, 30))
trade_op = st.tuples(
    st.just("trade"),
    st.integers(-5, 5),
    st.integers(1, 30),
    st.sampled_from(list(AggressorSide)),
)
bar_op = st.tuples(
    st.just("bar"), st.integers(-3, 3), st.integers(0, 5), st.integers(0, 5), st.integers(0, 40)
)
time_op = st.tuples(st.just("time"), st.integers(1, 5))

exchange_ops = st.lists(
    st.one_of(submit_op, submit_op, submit_op, submit_op, cancel_op, modify_op, time_op),
    min_size=10,
    max_size=80,
)
market_ops = st.lists(
    st.one_of(
        submit_op, submit_op, submit_op, cancel_op, modify_op, quote_op, trade_op, bar_op, time_op
    ),
    min_size=10,
    max_size=80,
)


class Flow:
    """Runs random operations against a venue and checks the invariants after each."""

    def __init__(self, book_type: str, touch: bool = False) -> None:
        config = default_config(
            book_type=book_type,
            starting_balances=START,
            fill_model=FillModel(prob_fill_at_touch=0.5 if touch else 0.0, seed=3),
        )
        self.h = VenueHarness(config)
        for account_id in ACCOUNTS:
            self.h.open(account_id)
        self.submitted: dict[AccountId, list[ClientOrderId]] = defaultdict(list)
        self.moved: set[int] = set()  # orders repriced by the current action
        self.seen_fills: dict[AccountId, int] = defaultdict(int)

    # -- operations ----------------------------------------------------------------------------

    def run(self, ops: list[tuple[Any, ...]]) -> None:
        for op in ops:
            self.moved: set[int] = set()
            before = {
                side: [key for key, *_ in self.h.engine.book.orders_raw(side)]
                for side in (OrderSide.BUY, OrderSide.SELL)
            }
            getattr(self, f"_{op[0]}")(*op[1:])
            self.check(before)
        for account_id in ACCOUNTS:
            self.h.cancel_all(account_id=account_id)
        self.check({OrderSide.BUY: [], OrderSide.SELL: []})
        for account_id in ACCOUNTS:
            balances = self.h.account(account_id).account.balances()
            assert all(not b.locked.raw for b in balances.values()), balances

    def _submit(
        self,
        account: int,
        order_type: OrderType,
        side: OrderSide,
        lots: int,
        price: int,
        trigger: int,
        tif: TimeInForce,
        post_only: bool,
        reduce_only: bool,
    ) -> None:
        fields = order_fields(
            order_type, price, trigger, tif, post_only, reduce_only, self.h.clock.timestamp_ns()
        )
        account_id = ACCOUNTS[account]
        cid = self.h.submit(
            order_type, side, str(Decimal(lots) / 100), account_id=account_id, **fields
        )
        self.submitted[account_id].append(cid)

    def _pick(self, account: int, index: int) -> tuple[AccountId, ClientOrderId] | None:
        account_id = ACCOUNTS[account]
        cids = self.submitted[account_id]
        return (account_id, cids[index % len(cids)]) if cids else None

    def _cancel(self, account: int, index: int) -> None:
        picked = self._pick(account, index)
        if picked is not None:
            self.h.cancel(picked[1], account_id=picked[0])

    def _modify(self, account: int, index: int, lots: int, price: int) -> None:
        picked = self._pick(account, index)
        if picked is None:
            return
        account_id, cid = picked
        order = self.h.sim_order(cid, account_id)
        changes: dict[str, Any] = {"quantity": Quantity(str(Decimal(lots) / 100))}
        if order.price_raw is not None:
            changes["price"] = px(price)
        self.moved.add(order.key)  # a new price gives the order a new place in the queue
        self.h.modify(cid, account_id=account_id, **changes)

    def _quote(self, center: int, spread: int, size: int) -> None:
        if self.h.config.book_type is BookType.L2_MBP:
            now = self.h.clock.timestamp_ns()

            def level(offset: int, depth: int) -> BookLevel:
                return BookLevel(price=px(offset), size=Quantity(f"{size * depth / 100:.5f}"))

            self.h.venue.process(
                OrderBookSnapshot(
                    instrument_id=self.h.instrument.id,
                    bids=[level(center - i, i + 1) for i in range(3)],
                    asks=[level(center + spread + i, i + 1) for i in range(3)],
                    ts_event=now,
                    ts_init=now,
                )
            )
            return
        self.h.quote(
            f"{MID + center}.00",
            f"{MID + center + spread}.00",
            f"{size / 100:.5f}",
            f"{size / 100:.5f}",
        )

    def _trade(self, price: int, size: int, aggressor: AggressorSide) -> None:
        self.h.trade(f"{MID + price}.00", f"{size / 100:.5f}", aggressor)

    def _bar(self, open_: int, up: int, down: int, volume: int) -> None:
        close = open_ + (up - down) // 2
        self.h.bar(
            f"{MID + open_}.00",
            f"{MID + open_ + up}.00",
            f"{MID + open_ - down}.00",
            f"{MID + close}.00",
            f"{volume / 100:.5f}",
        )

    def _time(self, steps: int) -> None:
        self.h.advance(steps * 1_000)

    # -- invariants ----------------------------------------------------------------------------

    def check(self, before: dict[OrderSide, list[int]]) -> None:
        book = self.h.engine.book
        assert not book.is_crossed()
        self._check_priority(before)
        for account_id in ACCOUNTS:
            account = self.h.account(account_id)
            for balance in account.account.balances().values():
                assert balance.total.raw >= 0, balance
                assert balance.free.raw >= 0, balance
                assert balance.total.raw == balance.free.raw + balance.locked.raw
            reported: dict[ClientOrderId, int] = defaultdict(int)
            for fill in self.h.recorders[account_id].fills:
                reported[fill.client_order_id] += fill.last_qty.raw
            for cid, order in account.orders.items():
                assert order.filled_raw <= order.quantity_raw
                assert reported.get(cid, 0) == order.filled_raw
            self.seen_fills[account_id] = len(self.h.recorders[account_id].fills)

    def _check_priority(self, before: dict[OrderSide, list[int]]) -> None:
        resting_after = {o.key for o in self.h.engine.resting_orders()}
        makers: set[int] = set()
        for account_id in ACCOUNTS:
            fills = self.h.recorders[account_id].fills[self.seen_fills[account_id] :]
            for fill in fills:
                if fill.liquidity_side is LiquiditySide.MAKER:
                    makers.add(self.h.sim_order(fill.client_order_id, account_id).key)
        for queue in before.values():
            for position, key in enumerate(queue):
                if key in makers and key not in self.moved:
                    ahead_still_resting = [
                        k for k in queue[:position] if k in resting_after and k not in self.moved
                    ]
                    assert not ahead_still_resting, (key, ahead_still_resting)


def _check_conservation(flow: Flow) -> None:
    fills = [f for account_id in ACCOUNTS for f in flow.h.recorders[account_id].fills]
    by_side: dict[Any, int] = defaultdict(int)
    for fill in fills:
        by_side[fill.liquidity_side] += fill.last_qty.raw
        by_side[fill.order_side] += fill.last_qty.raw
    assert by_side[LiquiditySide.MAKER] == by_side[LiquiditySide.TAKER]
    assert by_side[OrderSide.BUY] == by_side[OrderSide.SELL]
    btc = sum(flow.h.total(BTC, a).raw for a in ACCOUNTS)
    usdt = sum(flow.h.total(USDT, a).raw for a in ACCOUNTS)
    commissions = sum(f.commission.raw for f in fills)
    assert btc == 3 * START[1].raw
    assert usdt + commissions == 3 * START[0].raw


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exchange_ops)
def test_exchange_flow_conserves_quantity_and_cash(ops: list[tuple[Any, ...]]) -> None:
    flow = Flow("L3_MBO")
    flow.run(ops)
    _check_conservation(flow)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32))
def test_long_exchange_flow_conserves_quantity_and_cash(seed: int) -> None:
    flow = Flow("L3_MBO")
    flow.run(random_ops(random.Random(seed), 250, market=False))
    _check_conservation(flow)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.booleans(), st.sampled_from(["L1_MBP", "L2_MBP"]))
def test_long_market_data_flow_keeps_the_invariants(seed: int, touch: bool, book_type: str) -> None:
    Flow(book_type, touch).run(random_ops(random.Random(seed), 250, market=True))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market_ops, st.booleans())
def test_market_data_flow_keeps_the_invariants(ops: list[tuple[Any, ...]], touch: bool) -> None:
    Flow("L1_MBP", touch).run(ops)
