"""Several kernels (execution engine + simulated client) trading on one simulated venue.

Random order flow with latency and jitter, from three traders, with market data: the OMS never
makes an invalid transition or loses track of an order, and once every command has arrived the
engines and the venue agree on every order's status and filled quantity, and on balances.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import Anomaly
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.data import Bar, BarType, TradeTick
from shrivenquant.model.events import AccountState
from shrivenquant.model.identifiers import AccountId, TradeId
from shrivenquant.model.orders import Order
from shrivenquant.model.values import Money, Quantity
from shrivenquant.sim import LatencyModel

from .flows import MID, order_fields, px, random_ops
from .kernel import MS, Kernel, make_venue

ACCOUNTS = [AccountId(f"T{i}-001") for i in range(3)]
START = (Money("20000", USDT), Money("0.5", BTC))


class World:
    """Three kernels on one venue, driven by random operations."""

    def __init__(self, seed: int, latency: bool) -> None:
        model = LatencyModel.fixed(MS, jitter_ns=2 * MS, seed=seed) if latency else None
        self.venue, self.clock = make_venue(model, starting_balances=START)
        self.kernels = [Kernel(self.venue, self.clock, account_id=a) for a in ACCOUNTS]
        self.orders: list[list[Order]] = [[] for _ in ACCOUNTS]
        self.instrument = self.kernels[0].instrument

    def run(self, ops: list[tuple[Any, ...]]) -> None:
        for op in ops:
            getattr(self, f"_{op[0]}")(*op[1:])
        self.clock.advance_time(self.clock.timestamp_ns() + 100 * MS)

    def _submit(self, account: int, order_type: Any, side: Any, lots: int, price: int,
                trigger: int, tif: Any, post_only: bool, reduce_only: bool) -> None:  # fmt: skip
        fields = order_fields(
            order_type, price, trigger, tif, post_only, reduce_only, self.clock.timestamp_ns()
        )
        kernel = self.kernels[account]
        order = kernel.submit(order_type, side, str(Decimal(lots) / 100), **fields)
        self.orders[account].append(order)

    def _cancel(self, account: int, index: int) -> None:
        orders = self.orders[account]
        if orders:
            self.kernels[account].cancel(orders[index % len(orders)].client_order_id)

    def _modify(self, account: int, index: int, lots: int, price: int) -> None:
        orders = self.orders[account]
        if not orders:
            return
        order = orders[index % len(orders)]
        changes: dict[str, Any] = {"quantity": Quantity(str(Decimal(lots) / 100))}
        if order.price is not None:
            changes["price"] = px(price)
        self.kernels[account].modify(order.client_order_id, **changes)

    def _quote(self, center: int, spread: int, size: int) -> None:
        size_text = f"{size / 100:.5f}"
        self.kernels[0].quote(f"{MID + center}.00", f"{MID + center + spread}.00", size_text)

    def _trade(self, price: int, size: int, aggressor: Any) -> None:
        now = self.clock.timestamp_ns()
        self.venue.process(
            TradeTick(
                instrument_id=self.instrument.id,
                price=px(price),
                size=Quantity(f"{size / 100:.5f}"),
                aggressor_side=aggressor,
                trade_id=TradeId(str(UUID4())),
                ts_event=now,
                ts_init=now,
            )
        )

    def _bar(self, open_: int, up: int, down: int, volume: int) -> None:
        now = self.clock.timestamp_ns()
        self.venue.process(
            Bar(
                bar_type=BarType.from_str(f"{self.instrument.id}-1-MINUTE-LAST-EXTERNAL"),
                open=px(open_),
                high=px(open_ + up),
                low=px(open_ - down),
                close=px(open_ + (up - down) // 2),
                volume=Quantity(f"{volume / 100:.5f}"),
                ts_event=now,
                ts_init=now,
            )
        )

    def _time(self, steps: int) -> None:
        self.clock.advance_time(self.clock.timestamp_ns() + steps * MS // 2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.booleans())
def test_engines_and_venue_agree(seed: int, latency: bool) -> None:
    world = World(seed, latency)
    world.run(random_ops(random.Random(seed), 150, market=True))
    for account, kernel in enumerate(world.kernels):
        counters = kernel.engine.counters
        for kind in (Anomaly.INVALID_TRANSITION, Anomaly.UNKNOWN_ORDER, Anomaly.DUPLICATE_FILL):
            assert counters[kind] == 0, (kind, counters.anomalies())
        venue_account = world.venue.account(ACCOUNTS[account])
        for order in world.orders[account]:
            at_venue = venue_account.orders.get(order.client_order_id)
            if at_venue is None:
                assert order.is_closed  # refused before it was sent
                continue
            assert order.status is at_venue.status, (order, at_venue)
            assert order.filled_qty.raw == at_venue.filled_raw
            assert order.filled_qty <= order.quantity
        state = kernel.cache.account_state(ACCOUNTS[account])
        assert isinstance(state, AccountState)
        venue_balances = venue_account.account.balances()
        for balance in state.balances:
            assert balance == venue_balances[balance.total.currency]
            assert balance.total.raw >= 0
            assert balance.free.raw >= 0
