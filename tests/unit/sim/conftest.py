"""A simulated venue with recording accounts, and helpers to drive it in tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.data import Bar, BarType, QuoteTick, TradeTick
from shrivenquant.model.enums import AggressorSide, OrderSide, OrderType, TimeInForce
from shrivenquant.model.events import AccountState, OrderFilled, OrderInitialized
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    VenueOrderId,
)
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.orders import OrderList
from shrivenquant.model.reports import OrderStatusReport
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.sim import SimOrder, SimulatedVenue, SimulatedVenueConfig
from shrivenquant.sim.accounts import VenueAccount
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestOrderStubs

_trade_ids = itertools.count(1)


@dataclass
class Record:
    """One report of the venue: its kind, the order's client id and details."""

    kind: str
    client_order_id: ClientOrderId | None
    detail: dict[str, Any] = field(default_factory=dict)


class Recorder:
    """A `VenueEventSink` that records every report."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.fills: list[OrderFilled] = []
        self.states: list[AccountState] = []

    def _add(self, kind: str, order: SimOrder, **detail: Any) -> None:
        detail.setdefault("status", order.status)
        self.records.append(Record(kind, order.init.client_order_id, detail))

    def on_order_accepted(self, order: SimOrder) -> None:
        self._add("accepted", order, venue_order_id=order.venue_order_id)

    def on_order_rejected(self, order: SimOrder, reason: str, due_post_only: bool) -> None:
        self._add("rejected", order, reason=reason, due_post_only=due_post_only)

    def on_order_canceled(self, order: SimOrder) -> None:
        self._add("canceled", order)

    def on_order_expired(self, order: SimOrder) -> None:
        self._add("expired", order)

    def on_order_triggered(self, order: SimOrder) -> None:
        self._add("triggered", order)

    def on_order_updated(self, order: SimOrder) -> None:
        self._add(
            "updated",
            order,
            quantity=order.quantity_raw,
            price=order.price_raw,
            trigger=order.trigger_raw,
        )

    def on_order_filled(self, fill: OrderFilled) -> None:
        self.fills.append(fill)
        self.records.append(
            Record("filled", fill.client_order_id, {"qty": fill.last_qty, "px": fill.last_px})
        )

    def on_modify_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        reason: str,
    ) -> None:
        self.records.append(Record("modify_rejected", client_order_id, {"reason": reason}))

    def on_cancel_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        reason: str,
    ) -> None:
        self.records.append(Record("cancel_rejected", client_order_id, {"reason": reason}))

    def on_account_changed(self, account: VenueAccount) -> None:
        self.states.append(account.state(0))

    def on_order_status(self, report: OrderStatusReport) -> None:
        self.records.append(Record("status", report.client_order_id, {"report": report}))

    # -- queries ---------------------------------------------------------------------------

    def kinds(self, client_order_id: ClientOrderId) -> list[str]:
        return [r.kind for r in self.records if r.client_order_id == client_order_id]

    def of(self, client_order_id: ClientOrderId, kind: str) -> list[Record]:
        return [r for r in self.records if r.client_order_id == client_order_id and r.kind == kind]

    def fills_of(self, client_order_id: ClientOrderId) -> list[OrderFilled]:
        return [f for f in self.fills if f.client_order_id == client_order_id]

    def reason(self, client_order_id: ClientOrderId) -> str:
        for record in self.records:
            if record.client_order_id == client_order_id and "reason" in record.detail:
                return str(record.detail["reason"])
        raise AssertionError(f"no refusal reported for {client_order_id}")


def default_config(**overrides: Any) -> SimulatedVenueConfig:
    fields: dict[str, Any] = {
        "venue": "BINANCE",
        "starting_balances": (Money("1000000", USDT), Money("100", BTC)),
    }
    fields.update(overrides)
    return SimulatedVenueConfig(**fields)


class VenueHarness:
    """A venue listing BTCUSDT.BINANCE with one recording account (more on demand)."""

    def __init__(
        self,
        config: SimulatedVenueConfig | None = None,
        instrument: Instrument | None = None,
    ) -> None:
        self.clock = TestClock(1_000_000_000)
        self.config = config or default_config()
        self.venue = SimulatedVenue(self.config, self.clock)
        self.instrument = instrument or TestInstrumentProvider.btcusdt_binance()
        self.venue.add_instrument(self.instrument)
        self.recorders: dict[AccountId, Recorder] = {}
        self.account_id = AccountId("BINANCE-001")
        self.rec = self.open(self.account_id)
        self._ids = itertools.count(1)

    def open(self, account_id: AccountId, balances: Any = None) -> Recorder:
        recorder = Recorder()
        self.venue.connect(account_id, recorder, balances)
        self.recorders[account_id] = recorder
        return recorder

    @property
    def engine(self) -> Any:
        return self.venue.engine(self.instrument.id)

    def account(self, account_id: AccountId | None = None) -> VenueAccount:
        return self.venue.account(account_id or self.account_id)

    def sim_order(self, cid: ClientOrderId, account_id: AccountId | None = None) -> SimOrder:
        return self.account(account_id).orders[cid]

    # -- commands ----------------------------------------------------------------------------

    def init(
        self,
        order_type: OrderType = OrderType.LIMIT,
        side: OrderSide = OrderSide.BUY,
        quantity: str = "1.00000",
        **overrides: Any,
    ) -> OrderInitialized:
        overrides.setdefault("instrument_id", self.instrument.id)
        overrides.setdefault("client_order_id", ClientOrderId(f"C-{next(self._ids)}"))
        if order_type is OrderType.MARKET:
            overrides.setdefault("time_in_force", TimeInForce.IOC)
        return TestOrderStubs.init(order_type, side, quantity, **overrides)

    def submit(
        self,
        order_type: OrderType = OrderType.LIMIT,
        side: OrderSide = OrderSide.BUY,
        quantity: str = "1.00000",
        account_id: AccountId | None = None,
        **overrides: Any,
    ) -> ClientOrderId:
        init = self.init(order_type, side, quantity, **overrides)
        self.submit_init(init, account_id)
        return init.client_order_id

    def submit_init(self, init: OrderInitialized, account_id: AccountId | None = None) -> None:
        self.venue.submit_order(
            account_id or self.account_id,
            SubmitOrder(
                trader_id=init.trader_id,
                strategy_id=init.strategy_id,
                instrument_id=init.instrument_id,
                order=init,
                command_id=UUID4(),
                ts_event=0,
                ts_init=0,
            ),
        )

    def submit_list(self, order_list: OrderList, account_id: AccountId | None = None) -> None:
        first = order_list.inits[0]
        self.venue.submit_order_list(
            account_id or self.account_id,
            SubmitOrderList(
                trader_id=first.trader_id,
                strategy_id=first.strategy_id,
                instrument_id=first.instrument_id,
                order_list_id=order_list.order_list_id,
                orders=order_list.inits,
                command_id=UUID4(),
                ts_event=0,
                ts_init=0,
            ),
        )

    def _command_fields(self) -> dict[str, Any]:
        first = self.init()
        return {
            "trader_id": first.trader_id,
            "strategy_id": first.strategy_id,
            "instrument_id": self.instrument.id,
            "command_id": UUID4(),
            "ts_event": 0,
            "ts_init": 0,
        }

    def modify(
        self, cid: ClientOrderId, account_id: AccountId | None = None, **changes: Any
    ) -> None:
        self.venue.modify_order(
            account_id or self.account_id,
            ModifyOrder(client_order_id=cid, **changes, **self._command_fields()),
        )

    def cancel(self, cid: ClientOrderId, account_id: AccountId | None = None) -> None:
        self.venue.cancel_order(
            account_id or self.account_id,
            CancelOrder(client_order_id=cid, **self._command_fields()),
        )

    def cancel_all(
        self, side: OrderSide = OrderSide.NO_ORDER_SIDE, account_id: AccountId | None = None
    ) -> None:
        self.venue.cancel_all_orders(
            account_id or self.account_id,
            CancelAllOrders(order_side=side, **self._command_fields()),
        )

    # -- market data -------------------------------------------------------------------------

    def quote(
        self, bid: str, ask: str, bid_size: str = "1.00000", ask_size: str = "1.00000"
    ) -> None:
        now = self.clock.timestamp_ns()
        self.venue.process(
            QuoteTick(
                instrument_id=self.instrument.id,
                bid_price=Price(bid),
                ask_price=Price(ask),
                bid_size=Quantity(bid_size),
                ask_size=Quantity(ask_size),
                ts_event=now,
                ts_init=now,
            )
        )

    def trade(
        self,
        price: str,
        size: str = "1.00000",
        aggressor: AggressorSide = AggressorSide.NO_AGGRESSOR,
    ) -> None:
        now = self.clock.timestamp_ns()
        self.venue.process(
            TradeTick(
                instrument_id=self.instrument.id,
                price=Price(price),
                size=Quantity(size),
                aggressor_side=aggressor,
                trade_id=TradeId(f"X-{next(_trade_ids)}"),
                ts_event=now,
                ts_init=now,
            )
        )

    def bar(self, o: str, h: str, low: str, c: str, volume: str = "0.00000") -> None:
        now = self.clock.timestamp_ns()
        self.venue.process(
            Bar(
                bar_type=BarType.from_str(f"{self.instrument.id}-1-MINUTE-LAST-EXTERNAL"),
                open=Price(o),
                high=Price(h),
                low=Price(low),
                close=Price(c),
                volume=Quantity(volume),
                ts_event=now,
                ts_init=now,
            )
        )

    def advance(self, ns: int) -> None:
        self.clock.advance_time(self.clock.timestamp_ns() + ns)

    # -- state -------------------------------------------------------------------------------

    def free(self, currency: Any = USDT, account_id: AccountId | None = None) -> Money | None:
        return self.account(account_id).account.balance_free(currency)

    def total(self, currency: Any = USDT, account_id: AccountId | None = None) -> Money | None:
        return self.account(account_id).account.balance_total(currency)


@pytest.fixture
def venue() -> VenueHarness:
    return VenueHarness()
