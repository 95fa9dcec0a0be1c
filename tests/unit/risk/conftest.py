"""A risk engine wired in front of a real execution engine and a scripted venue, for tests.

`RiskHarness` builds the kernel pieces the way the runtime does: cache with instruments and an
account, the execution engine with a `FakeExecutionClient` per venue, then the risk engine on
``RISK_ENGINE_EXECUTE``. Orders go in through the risk engine's endpoint; everything published
on the order and risk topics is collected.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import msgspec

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import ExecutionEngine
from shrivenquant.model.accounts import CashAccount, MarginAccount
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.commands import CancelOrder, ModifyOrder, SubmitOrder, SubmitOrderList
from shrivenquant.model.currency import BTC, ETH, INR, USDT, Currency
from shrivenquant.model.data import QuoteTick, TradeTick
from shrivenquant.model.enums import (
    AccountType,
    AggressorSide,
    OrderSide,
    OrderType,
    TimeInForce,
)
from shrivenquant.model.events import (
    AccountState,
    OrderDenied,
    OrderInitialized,
    OrderModifyRejected,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientId,
    ClientOrderId,
    StrategyId,
    TradeId,
    TraderId,
    Venue,
)
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.messages import Message
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.risk import RiskConfig, RiskEngine, RiskReason, split_reason
from shrivenquant.testkit.fake_execution import FakeExecutionClient
from shrivenquant.testkit.instruments import TestInstrumentProvider

TRADER = TraderId("TRADER-001")
STRATEGY = StrategyId("S-001")
START_NS = 1_700_000_000_000_000_000  # 2023-11-14T22:13:20Z
# Without the venue's minimum notional, so tiny orders probe the limit under test alone.
BTC_SPOT = msgspec.structs.replace(TestInstrumentProvider.btcusdt_binance(), min_notional=None)
ETH_SPOT = msgspec.structs.replace(TestInstrumentProvider.ethusdt_binance(), min_notional=None)
BTC_PERP = TestInstrumentProvider.btcusdt_perp_binance()

_ids = iter(range(1, 10**9))


class ListJournal:
    """An in-memory journal (the `MessageJournal` protocol)."""

    def __init__(self) -> None:
        self.records: list[Message] = []

    def append(self, obj: Message) -> int:
        self.records.append(obj)
        return len(self.records)

    def replay(self, from_seq: int = 1) -> Iterator[tuple[int, Message]]:
        for seq, record in enumerate(list(self.records), start=1):
            if seq >= from_seq:
                yield seq, record


def cash_account(
    balances: dict[Currency, str] | None = None, account_id: str = "BINANCE-001"
) -> CashAccount:
    """A multi-currency cash account."""
    amounts = balances or {USDT: "10000000", BTC: "100", ETH: "1000"}
    state = AccountState(
        account_id=AccountId(account_id),
        account_type=AccountType.CASH,
        base_currency=None,
        balances=[
            AccountBalance.from_total_locked(Money(v, c), Money(0, c)) for c, v in amounts.items()
        ],
        event_id=UUID4(),
        ts_event=0,
        ts_init=0,
    )
    return CashAccount(state)


def margin_account(
    total: str = "100000", currency: Currency = USDT, account_id: str = "BINANCE-001", **kw: Any
) -> MarginAccount:
    """A single-currency margin account."""
    state = AccountState(
        account_id=AccountId(account_id),
        account_type=AccountType.MARGIN,
        base_currency=currency,
        balances=[AccountBalance.from_total_locked(Money(total, currency), Money(0, currency))],
        event_id=UUID4(),
        ts_event=0,
        ts_init=0,
    )
    return MarginAccount(state, **kw)


class RiskHarness:
    """Cache, execution engine, fake venues and a risk engine on one bus.

    Args:
        config: the risk config (default: no limits, balance checked).
        instruments: instruments to add (their venues get a fake client each).
        account: the account object for BINANCE (None: no account).
        quotes: add a quote for each instrument (BTC 50000/50000.10, ETH 3000/3000.10,
            others 100/100.10).
        start: start the risk engine.
        risk_kwargs: passed to `RiskEngine` (portfolio, journal, scenario_margin, ...).
        client_kwargs: passed to every `FakeExecutionClient`.
    """

    def __init__(
        self,
        config: RiskConfig | None = None,
        *,
        instruments: tuple[Instrument, ...] = (BTC_SPOT, ETH_SPOT),
        account: Any = "cash",
        quotes: bool = True,
        start: bool = True,
        clock_ns: int = START_NS,
        risk_kwargs: dict[str, Any] | None = None,
        extra_accounts: tuple[Any, ...] = (),
        **client_kwargs: Any,
    ) -> None:
        self.clock = TestClock(clock_ns)
        self.bus = MessageBus()
        self.cache = Cache()
        for instrument in instruments:
            self.cache.add_instrument(instrument)
        self.exec = ExecutionEngine(TRADER, self.bus, self.clock, self.cache)
        self.clients: dict[str, FakeExecutionClient] = {}
        client_kwargs.setdefault("auto_accept", True)
        client_kwargs.setdefault("auto_cancel", True)
        client_kwargs.setdefault("auto_modify", True)
        for venue in sorted({i.id.venue.value for i in instruments}):
            currency = INR if venue == "NSE" else USDT
            client = FakeExecutionClient(
                TRADER,
                self.bus,
                self.clock,
                client_id=ClientId(venue),
                venue=Venue(venue),
                currency=currency,
                **client_kwargs,
            )
            self.exec.register_client(client)
            self.clients[venue] = client
        self.exec.start()
        if account == "cash":
            account = cash_account()
        if account is not None:
            self.cache.add_account(account)
        for extra in extra_accounts:
            self.cache.add_account(extra)
        if quotes:
            for instrument in instruments:
                bid = {"BTCUSDT": "50000.00", "ETHUSDT": "3000.00"}.get(
                    instrument.id.symbol.value, "100.00"
                )
                if instrument is BTC_PERP:
                    bid = "50000.0"
                self.quote(instrument, bid, publish=False)
        self.order_events: list[Message] = []
        self.risk_events: list[Message] = []
        self.bus.subscribe(topics.order_events_all(), self.order_events.append)
        self.bus.subscribe(topics.risk_events(), self.risk_events.append)
        self.config = config or RiskConfig()
        self.risk = RiskEngine(
            TRADER, self.bus, self.clock, self.cache, self.config, **(risk_kwargs or {})
        )
        if start:
            self.risk.start()

    @property
    def client(self) -> FakeExecutionClient:
        """The BINANCE client."""
        return self.clients["BINANCE"]

    # -- market data ---------------------------------------------------------------------------

    def quote(
        self,
        instrument: Instrument,
        bid: str,
        ask: str | None = None,
        *,
        publish: bool = True,
        ts: int | None = None,
    ) -> None:
        """Set (and publish) a quote; ``ask`` defaults to one tick above ``bid``."""
        bid_price = instrument.make_price(bid)
        ask_price = (
            instrument.make_price(ask)
            if ask is not None
            else Price.from_raw(bid_price.raw + instrument.price_increment.raw, bid_price.precision)
        )
        now = self.clock.timestamp_ns() if ts is None else ts
        quote = QuoteTick(
            instrument_id=instrument.id,
            bid_price=bid_price,
            ask_price=ask_price,
            bid_size=Quantity(1),
            ask_size=Quantity(1),
            ts_event=now,
            ts_init=now,
        )
        self.cache.add_quote(quote)
        if publish:
            self.bus.publish(topics.quotes(instrument.id), quote)

    def trade(self, instrument: Instrument, price: str, *, ts: int | None = None) -> None:
        """Set and publish a trade."""
        now = self.clock.timestamp_ns() if ts is None else ts
        trade = TradeTick(
            instrument_id=instrument.id,
            price=instrument.make_price(price),
            size=Quantity(1),
            aggressor_side=AggressorSide.BUYER,
            trade_id=TradeId(f"M-{next(_ids)}"),
            ts_event=now,
            ts_init=now,
        )
        self.cache.add_trade(trade)
        self.bus.publish(topics.trades(instrument.id), trade)

    # -- orders --------------------------------------------------------------------------------

    def init(
        self,
        side: OrderSide = OrderSide.BUY,
        quantity: str | Quantity = "1",
        price: str | None = "50000.00",
        *,
        instrument: Instrument = BTC_SPOT,
        order_type: OrderType | None = None,
        strategy_id: StrategyId = STRATEGY,
        **fields: Any,
    ) -> OrderInitialized:
        """An order (LIMIT when a price is given, else MARKET)."""
        kind = order_type or (OrderType.LIMIT if price is not None else OrderType.MARKET)
        qty = quantity if isinstance(quantity, Quantity) else instrument.make_qty(quantity)
        now = self.clock.timestamp_ns()
        values: dict[str, Any] = {
            "trader_id": TRADER,
            "strategy_id": strategy_id,
            "instrument_id": instrument.id,
            "client_order_id": ClientOrderId(f"O-{next(_ids)}"),
            "order_side": side,
            "order_type": kind,
            "quantity": qty,
            "time_in_force": TimeInForce.GTC if kind is not OrderType.MARKET else TimeInForce.IOC,
            "event_id": UUID4(),
            "ts_event": now,
            "ts_init": now,
        }
        if price is not None:
            values["price"] = Price(price) if kind is OrderType.LIMIT else None
        values.update(fields)
        return OrderInitialized(**values)

    def submit(self, init: OrderInitialized) -> OrderInitialized:
        """Send ``init`` through the risk engine."""
        self.send(
            SubmitOrder(
                trader_id=init.trader_id,
                strategy_id=init.strategy_id,
                instrument_id=init.instrument_id,
                order=init,
                command_id=UUID4(),
                ts_event=init.ts_init,
                ts_init=init.ts_init,
            )
        )
        return init

    def order(self, *args: Any, **kwargs: Any) -> OrderInitialized:
        """Build and submit an order."""
        return self.submit(self.init(*args, **kwargs))

    def submit_list(self, inits: list[OrderInitialized], list_id: str = "OL-1") -> None:
        """Submit inits (which must carry ``order_list_id``) as one list."""
        first = inits[0]
        self.send(
            SubmitOrderList(
                trader_id=first.trader_id,
                strategy_id=first.strategy_id,
                instrument_id=first.instrument_id,
                order_list_id=first.order_list_id,  # type: ignore[arg-type]
                orders=tuple(inits),
                command_id=UUID4(),
                ts_event=0,
                ts_init=0,
            )
        )

    def modify(self, init: OrderInitialized, **changes: Any) -> None:
        """Send a modify through the risk engine."""
        self.send(
            ModifyOrder(
                trader_id=init.trader_id,
                strategy_id=init.strategy_id,
                instrument_id=init.instrument_id,
                client_order_id=init.client_order_id,
                command_id=UUID4(),
                ts_event=0,
                ts_init=0,
                **changes,
            )
        )

    def cancel(self, init: OrderInitialized) -> None:
        """Send a cancel through the risk engine."""
        self.send(
            CancelOrder(
                trader_id=init.trader_id,
                strategy_id=init.strategy_id,
                instrument_id=init.instrument_id,
                client_order_id=init.client_order_id,
                command_id=UUID4(),
                ts_event=0,
                ts_init=0,
            )
        )

    def send(self, message: Message) -> None:
        """Send to the risk engine's endpoint."""
        self.bus.send(topics.RISK_ENGINE_EXECUTE, message)

    def fill(self, init: OrderInitialized, qty: str | None = None, px: str | None = None) -> None:
        """The venue fills (part of) an order."""
        instrument = self.cache.instrument(init.instrument_id)
        assert instrument is not None
        client = self.clients[init.instrument_id.venue.value]
        client.fill(
            init.client_order_id,
            None if qty is None else instrument.make_qty(qty),
            None if px is None else instrument.make_price(px),
        )

    # -- results -------------------------------------------------------------------------------

    def denial(self, init: OrderInitialized) -> tuple[RiskReason | None, str] | None:
        """``(code, sentence)`` of the order's `OrderDenied`, or None if it was not denied."""
        for event in self.order_events:
            if isinstance(event, OrderDenied) and event.client_order_id == init.client_order_id:
                return split_reason(event.reason)
        return None

    def code(self, init: OrderInitialized) -> RiskReason | None:
        """The denial code of an order (None: not denied)."""
        denial = self.denial(init)
        return None if denial is None else denial[0]

    def modify_rejection(self, init: OrderInitialized) -> tuple[RiskReason | None, str] | None:
        """The last `OrderModifyRejected` of an order, split."""
        found = None
        for event in self.order_events:
            if (
                isinstance(event, OrderModifyRejected)
                and event.client_order_id == init.client_order_id
            ):
                found = split_reason(event.reason)
        return found

    def passed(self, init: OrderInitialized) -> bool:
        """Whether the order got past the risk engine to the OMS."""
        return self.denial(init) is None and self.cache.order(init.client_order_id) is not None

    def events_of(self, kind: type) -> list[Any]:
        """Risk events of one type."""
        return [e for e in self.risk_events if isinstance(e, kind)]

    def advance(self, seconds: float | int | str) -> None:
        """Move the clock forward, firing timers."""
        self.clock.advance_time(self.clock.timestamp_ns() + int(Decimal(str(seconds)) * 10**9))


def market_moves(h: RiskHarness, seconds: int | str) -> None:
    """Time passes and every instrument's quote arrives again: market data is what moves PnL,
    equity and margin, and it runs the engine's evaluation (at most once per interval)."""
    h.advance(seconds)
    for instrument_id in h.cache.instrument_ids():
        quote = h.cache.quote(instrument_id)
        instrument = h.cache.instrument(instrument_id)
        assert quote is not None
        assert instrument is not None
        h.quote(instrument, str(quote.bid_price), str(quote.ask_price))
