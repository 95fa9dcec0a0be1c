"""A small stand-in for the execution engine and helpers to drive a `Portfolio` through the bus.

`FakeExecution` does what the execution engine does with an event, in the same order: apply it
to the order, re-index the order in the cache, publish it on the strategy's order topic, and for
a fill apply it to the position (netting) and publish the position event.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.data import Bar, BarType, QuoteTick, TradeTick
from shrivenquant.model.enums import (
    AccountType,
    AggressorSide,
    LiquiditySide,
    OrderSide,
    OrderType,
    TimeInForce,
)
from shrivenquant.model.events import (
    AccountState,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderInitialized,
    OrderSubmitted,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.orders import Order
from shrivenquant.model.position import Position
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.portfolio import Portfolio, PortfolioConfig

TRADER = TraderId("TRADER-001")
STRATEGY = StrategyId("S-001")
ACCOUNT = AccountId("BINANCE-001")


class FakeExecution:
    """Applies order events and fills like the execution engine (netting positions)."""

    def __init__(self, bus: MessageBus, cache: Cache, clock: TestClock) -> None:
        self.bus = bus
        self.cache = cache
        self.clock = clock
        self._ids = 0

    def _next(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}-{self._ids}"

    def _common(self, order: Order) -> dict[str, Any]:
        now = self.clock.timestamp_ns()
        return {
            "trader_id": TRADER,
            "strategy_id": order.strategy_id,
            "instrument_id": order.instrument_id,
            "client_order_id": order.client_order_id,
            "event_id": UUID4(),
            "ts_event": now,
            "ts_init": now,
        }

    def submit(
        self,
        instrument: Instrument,
        side: OrderSide,
        qty: str,
        price: str | None = None,
        *,
        order_type: OrderType | None = None,
        account_id: AccountId = ACCOUNT,
        strategy_id: StrategyId = STRATEGY,
        **fields: Any,
    ) -> Order:
        """Create, submit and accept an order (LIMIT when a price is given, else MARKET)."""
        kind = order_type or (OrderType.LIMIT if price is not None else OrderType.MARKET)
        init = OrderInitialized(
            trader_id=TRADER,
            strategy_id=strategy_id,
            instrument_id=instrument.id,
            client_order_id=ClientOrderId(self._next("O")),
            order_side=side,
            order_type=kind,
            quantity=Quantity(qty),
            time_in_force=TimeInForce.IOC if kind is OrderType.MARKET else TimeInForce.GTC,
            price=None if price is None else Price(price),
            event_id=UUID4(),
            ts_event=self.clock.timestamp_ns(),
            ts_init=self.clock.timestamp_ns(),
            **fields,
        )
        order = Order.from_init(init)
        self.cache.add_order(order)
        self.apply(order, OrderSubmitted(account_id=account_id, **self._common(order)))
        venue_id = VenueOrderId(self._next("V"))
        self.apply(
            order,
            OrderAccepted(venue_order_id=venue_id, account_id=account_id, **self._common(order)),
        )
        return order

    def apply(self, order: Order, event: Any) -> None:
        order.apply(event)
        self.cache.update_order(order)
        self.bus.publish(topics.order_events(order.strategy_id), event)

    def cancel(self, order: Order) -> None:
        self.apply(order, OrderCanceled(**self._common(order)))

    def fill(
        self,
        order: Order,
        qty: str,
        px: str,
        commission: Money | None = None,
        liquidity: LiquiditySide = LiquiditySide.TAKER,
    ) -> OrderFilled:
        """Fill ``qty`` of ``order`` at ``px``; the commission defaults to zero."""
        instrument = self.cache.instrument(order.instrument_id)
        assert instrument is not None
        account_id = order.account_id
        assert account_id is not None
        fill = OrderFilled(
            venue_order_id=order.venue_order_id or VenueOrderId("V-0"),
            account_id=account_id,
            trade_id=TradeId(self._next("T")),
            order_side=order.side,
            order_type=order.order_type,
            last_qty=Quantity(qty),
            last_px=Price(px),
            currency=instrument.quote_currency,
            commission=commission or Money(0, instrument.settlement_currency),
            liquidity_side=liquidity,
            **self._common(order),
        )
        self.apply(order, fill)
        position_id = PositionId(f"{order.instrument_id}-{order.strategy_id}")
        if self.cache.position_id_for_order(order.client_order_id) is None:
            self.cache.set_position_id(order.client_order_id, position_id)
        position = self.cache.position(position_id)
        if position is None:
            position = Position(instrument, fill, position_id)
            self.cache.add_position(position)
        else:
            position.apply(fill)
            self.cache.update_position(position)
        event = position.to_event(ts_init=self.clock.timestamp_ns())
        self.bus.publish(topics.position_events(order.strategy_id), event)
        return fill


def account_state(
    account_type: AccountType,
    *totals: str,
    base: Currency | None = None,
    account_id: AccountId = ACCOUNT,
) -> AccountState:
    """A venue-reported state with the given totals (nothing locked)."""
    balances = []
    for text in totals:
        money = Money.from_str(text)
        balances.append(AccountBalance.from_total_locked(money, Money.from_raw(0, money.currency)))
    return AccountState(
        account_id=account_id,
        account_type=account_type,
        base_currency=base,
        balances=balances,
        event_id=UUID4(),
        ts_event=0,
        ts_init=0,
    )


class Harness:
    """A portfolio on a bus with a cache, a clock and a fake execution engine."""

    def __init__(self, config: PortfolioConfig, instruments: list[Instrument]) -> None:
        self.clock = TestClock(1_000)
        self.bus = MessageBus()
        self.cache = Cache()
        for instrument in instruments:
            self.cache.add_instrument(instrument)
        self.exec = FakeExecution(self.bus, self.cache, self.clock)
        self.portfolio = Portfolio(TRADER, self.bus, self.clock, self.cache, config)
        self.states: list[AccountState] = []
        self.bus.subscribe(topics.account_state_all(), self.states.append)
        self.portfolio.start()

    state = staticmethod(account_state)

    def open_account(self, state: AccountState) -> None:
        self.bus.send(topics.PORTFOLIO_UPDATE_ACCOUNT, state)

    def quote(self, instrument: Instrument, bid: str, ask: str) -> None:
        quote = QuoteTick(
            instrument_id=instrument.id,
            bid_price=Price(bid),
            ask_price=Price(ask),
            bid_size=Quantity(1),
            ask_size=Quantity(1),
            ts_event=0,
            ts_init=0,
        )
        self.cache.add_quote(quote)
        self.bus.publish(topics.quotes(instrument.id), quote)

    def trade(self, instrument: Instrument, price: str) -> None:
        trade = TradeTick(
            instrument_id=instrument.id,
            price=Price(price),
            size=Quantity(1),
            aggressor_side=AggressorSide.BUYER,
            trade_id=TradeId("X-1"),
            ts_event=0,
            ts_init=0,
        )
        self.cache.add_trade(trade)
        self.bus.publish(topics.trades(instrument.id), trade)

    def bar(self, instrument: Instrument, close: str) -> None:
        bar_type = BarType.from_str(f"{instrument.id}-1-MINUTE-LAST-EXTERNAL")
        px = Price(close)
        bar = Bar(
            bar_type=bar_type,
            open=px,
            high=px,
            low=px,
            close=px,
            volume=Quantity(1),
            ts_event=0,
            ts_init=0,
        )
        self.cache.add_bar(bar)
        self.bus.publish(topics.bars(bar_type), bar)


@pytest.fixture
def make_harness() -> Iterator[Any]:
    """Build harnesses: ``make_harness(config, instruments)``; stopped at the end."""
    built: list[Harness] = []

    def build(config: PortfolioConfig | None, instruments: list[Instrument]) -> Harness:
        harness = Harness(config or PortfolioConfig(journal_account_states=False), instruments)
        built.append(harness)
        return harness

    yield build
    for harness in built:
        if harness.portfolio.is_running:
            harness.portfolio.stop()


def dec(text: str) -> Decimal:
    return Decimal(text)
