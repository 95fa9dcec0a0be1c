"""Stub factories for identifiers, market data, orders, events and commands.

Every factory returns a valid, fully populated object with sensible defaults that a test can
override by keyword. `TestMessageStubs.example(cls)` returns an example of any message class the
codec knows, so a test can check that every message type round-trips.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.commands_risk import (
    ActivateKillSwitch,
    SetTradingState,
    UpdateRiskLimits,
)
from shrivenquant.model.currency import USDT
from shrivenquant.model.data import (
    Bar,
    BarType,
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.data_commands import (
    DataResponse,
    MarketDataType,
    RequestData,
    SubscribeData,
    UnsubscribeData,
)
from shrivenquant.model.enums import (
    AccountType,
    AggressorSide,
    BookAction,
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
    TradingState,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.events import (
    AccountState,
    ComponentStateChanged,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEmulated,
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
    PositionChanged,
    PositionClosed,
    PositionOpened,
)
from shrivenquant.model.events.risk import (
    KillSwitchActivated,
    MarginWarning,
    RiskBaselineRecorded,
    RiskCommandRejected,
    RiskLimitsChanged,
    RiskScope,
    TradingStateCause,
    TradingStateChanged,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    ComponentId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
    Venue,
    VenueOrderId,
)
from shrivenquant.model.messages import Message
from shrivenquant.model.orders.order_list import bracket
from shrivenquant.model.position import Position
from shrivenquant.model.reports import FillReport, OrderStatusReport, PositionStatusReport
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider

_ids = itertools.count(1)


class TestIdStubs:
    """Identifiers used throughout the tests."""

    __test__ = False

    trader_id = TraderId("TRADER-001")
    strategy_id = StrategyId("S-001")
    account_id = AccountId("BINANCE-001")
    instrument_id = InstrumentId("BTCUSDT.BINANCE")

    @staticmethod
    def client_order_id() -> ClientOrderId:
        """A fresh client order id (``O-<n>``)."""
        return ClientOrderId(f"O-{next(_ids)}")

    @staticmethod
    def venue_order_id() -> VenueOrderId:
        """A fresh venue order id."""
        return VenueOrderId(f"V-{next(_ids)}")

    @staticmethod
    def trade_id() -> TradeId:
        """A fresh trade id."""
        return TradeId(f"T-{next(_ids)}")


class TestDataStubs:
    """Market data for BTCUSDT.BINANCE unless told otherwise."""

    __test__ = False

    @staticmethod
    def quote_tick(
        bid: str = "50000.00", ask: str = "50000.10", size: str = "1.00000", ts: int = 0
    ) -> QuoteTick:
        """A quote tick."""
        return QuoteTick(
            instrument_id=TestIdStubs.instrument_id,
            bid_price=Price(bid),
            ask_price=Price(ask),
            bid_size=Quantity(size),
            ask_size=Quantity(size),
            ts_event=ts,
            ts_init=ts,
        )

    @staticmethod
    def trade_tick(
        price: str = "50000.05",
        size: str = "0.25000",
        side: AggressorSide = AggressorSide.BUYER,
        ts: int = 0,
    ) -> TradeTick:
        """A trade tick."""
        return TradeTick(
            instrument_id=TestIdStubs.instrument_id,
            price=Price(price),
            size=Quantity(size),
            aggressor_side=side,
            trade_id=TestIdStubs.trade_id(),
            ts_event=ts,
            ts_init=ts,
        )

    @staticmethod
    def bar(
        ohlc: tuple[str, str, str, str] = ("50000.00", "50100.00", "49900.00", "50050.00"),
        volume: str = "12.50000",
        ts: int = 60_000_000_000,
    ) -> Bar:
        """A one-minute bar (checked: high/low consistent with open/close)."""
        o, h, low, c = ohlc
        return Bar.checked(
            bar_type=BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"),
            open=Price(o),
            high=Price(h),
            low=Price(low),
            close=Price(c),
            volume=Quantity(volume),
            ts_event=ts,
            ts_init=ts,
        )

    @staticmethod
    def book_snapshot(levels: int = 3, ts: int = 0) -> OrderBookSnapshot:
        """A snapshot with ``levels`` bids and asks around 50000."""
        bids = [
            BookLevel(price=Price(f"{50000 - i}.00"), size=Quantity("1.5")) for i in range(levels)
        ]
        asks = [
            BookLevel(price=Price(f"{50001 + i}.00"), size=Quantity("2.5")) for i in range(levels)
        ]
        return OrderBookSnapshot(
            instrument_id=TestIdStubs.instrument_id,
            bids=bids,
            asks=asks,
            sequence=1,
            ts_event=ts,
            ts_init=ts,
        )

    @staticmethod
    def book_delta(
        side: OrderSide = OrderSide.BUY,
        price: str = "49999.00",
        size: str = "0.5",
        action: BookAction = BookAction.UPDATE,
        sequence: int = 2,
    ) -> OrderBookDelta:
        """One order-book delta."""
        return OrderBookDelta(
            instrument_id=TestIdStubs.instrument_id,
            action=action,
            order=BookOrder(side=side, price=Price(price), size=Quantity(size)),
            sequence=sequence,
            ts_event=0,
            ts_init=0,
        )

    @staticmethod
    def book_deltas() -> OrderBookDeltas:
        """A batch of two deltas."""
        return OrderBookDeltas(
            instrument_id=TestIdStubs.instrument_id,
            deltas=[
                TestDataStubs.book_delta(sequence=2),
                TestDataStubs.book_delta(OrderSide.SELL, "50002.00", "0", BookAction.DELETE, 3),
            ],
            ts_event=0,
            ts_init=0,
        )


def _common(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "trader_id": TestIdStubs.trader_id,
        "strategy_id": TestIdStubs.strategy_id,
        "instrument_id": TestIdStubs.instrument_id,
        "event_id": UUID4(),
        "ts_event": 0,
        "ts_init": 0,
    }
    fields.update(overrides)
    return fields


class TestOrderStubs:
    """`OrderInitialized` events for every order type (BTCUSDT.BINANCE)."""

    __test__ = False

    @staticmethod
    def init(
        order_type: OrderType = OrderType.LIMIT,
        side: OrderSide = OrderSide.BUY,
        quantity: str = "1.00000",
        client_order_id: ClientOrderId | None = None,
        **overrides: Any,
    ) -> OrderInitialized:
        """A valid `OrderInitialized` of ``order_type`` with the fields that type needs."""
        by_type: dict[OrderType, dict[str, Any]] = {
            OrderType.MARKET: {"time_in_force": TimeInForce.IOC},
            OrderType.LIMIT: {"price": Price("50000.00")},
            OrderType.STOP_MARKET: {"trigger_price": Price("51000.00")},
            OrderType.STOP_LIMIT: {"price": Price("51010.00"), "trigger_price": Price("51000.00")},
            OrderType.MARKET_IF_TOUCHED: {"trigger_price": Price("49000.00")},
            OrderType.LIMIT_IF_TOUCHED: {
                "price": Price("49010.00"),
                "trigger_price": Price("49000.00"),
            },
            OrderType.TRAILING_STOP_MARKET: {
                "trailing_offset": Decimal("100"),
                "trailing_offset_type": TrailingOffsetType.PRICE,
                "trigger_type": TriggerType.LAST_PRICE,
            },
            OrderType.TRAILING_STOP_LIMIT: {
                "trailing_offset": Decimal("100"),
                "limit_offset": Decimal("10"),
                "trailing_offset_type": TrailingOffsetType.PRICE,
                "trigger_type": TriggerType.LAST_PRICE,
            },
        }
        fields: dict[str, Any] = {
            "client_order_id": client_order_id or TestIdStubs.client_order_id(),
            "order_side": side,
            "order_type": order_type,
            "quantity": Quantity(quantity),
            "time_in_force": TimeInForce.GTC,
            **by_type[order_type],
        }
        fields.update(overrides)
        return OrderInitialized(**_common(**fields))


class TestEventStubs:
    """Order, position and account events that fit a given `OrderInitialized`."""

    __test__ = False

    @staticmethod
    def _for(event_type: type[Any], init: OrderInitialized, **fields: Any) -> Any:
        return event_type(
            **_common(
                trader_id=init.trader_id,
                strategy_id=init.strategy_id,
                instrument_id=init.instrument_id,
                client_order_id=init.client_order_id,
                **fields,
            )
        )

    @classmethod
    def submitted(cls, init: OrderInitialized) -> OrderSubmitted:
        """The order was sent to the venue."""
        return cls._for(OrderSubmitted, init, account_id=TestIdStubs.account_id)  # type: ignore[no-any-return]

    @classmethod
    def accepted(cls, init: OrderInitialized, venue_order_id: str = "V-1") -> OrderAccepted:
        """The venue accepted the order."""
        return cls._for(  # type: ignore[no-any-return]
            OrderAccepted,
            init,
            venue_order_id=VenueOrderId(venue_order_id),
            account_id=TestIdStubs.account_id,
        )

    @classmethod
    def filled(
        cls,
        init: OrderInitialized,
        qty: str | None = None,
        px: str = "50000.00",
        venue_order_id: str = "V-1",
        commission: str = "0.05",
    ) -> OrderFilled:
        """A fill of ``qty`` (default: the whole order) at ``px``."""
        return cls._for(  # type: ignore[no-any-return]
            OrderFilled,
            init,
            venue_order_id=VenueOrderId(venue_order_id),
            account_id=TestIdStubs.account_id,
            trade_id=TestIdStubs.trade_id(),
            order_side=init.order_side,
            order_type=init.order_type,
            last_qty=Quantity(qty) if qty is not None else init.quantity,
            last_px=Price(px),
            currency=USDT,
            commission=Money(commission, USDT),
            liquidity_side=LiquiditySide.TAKER,
        )

    @classmethod
    def every_order_event(cls, init: OrderInitialized) -> list[Message]:
        """One event of every order-event type for ``init`` (not a valid sequence)."""
        acct = {"account_id": TestIdStubs.account_id}
        vid = {"venue_order_id": VenueOrderId("V-1")}
        return [
            init,
            cls._for(OrderDenied, init, reason="max open orders reached"),
            cls._for(OrderEmulated, init),
            cls._for(OrderReleased, init, released_price=Price("50000.00")),
            cls.submitted(init),
            cls.accepted(init),
            cls._for(OrderRejected, init, reason="insufficient balance", **acct),
            cls._for(OrderCanceled, init, **acct, **vid),
            cls._for(OrderExpired, init, **acct, **vid),
            cls._for(OrderTriggered, init, **acct, **vid),
            cls._for(OrderPendingUpdate, init, **acct, **vid),
            cls._for(OrderPendingCancel, init, **acct, **vid),
            cls._for(OrderModifyRejected, init, reason="price filter", **acct, **vid),
            cls._for(OrderCancelRejected, init, reason="unknown order", **acct, **vid),
            cls._for(OrderUpdated, init, quantity=Quantity("2.00000"), price=Price("49990.00")),
            cls.filled(init),
        ]

    @staticmethod
    def account_state() -> AccountState:
        """A margin account with a USDT balance and one margin requirement."""
        return AccountState(
            account_id=TestIdStubs.account_id,
            account_type=AccountType.MARGIN,
            base_currency=USDT,
            balances=[AccountBalance.from_total_locked(Money("10000", USDT), Money("500", USDT))],
            margins=[
                MarginBalance(
                    initial=Money("100", USDT),
                    maintenance=Money("50", USDT),
                    instrument_id=InstrumentId("BTCUSDT-PERP.BINANCE"),
                )
            ],
            event_id=UUID4(),
            ts_event=0,
            ts_init=0,
        )

    @classmethod
    def position_events(cls) -> tuple[PositionOpened, PositionChanged, PositionClosed]:
        """Opened, changed and closed events of one BTCUSDT position."""
        instrument = TestInstrumentProvider.btcusdt_binance()
        buy = TestOrderStubs.init(OrderType.MARKET, quantity="2.00000")
        sell = TestOrderStubs.init(OrderType.MARKET, OrderSide.SELL, quantity="2.00000")
        position = Position(instrument, cls.filled(buy, "1.00000"), PositionId("P-1"))
        opened = position.to_event()
        position.apply(cls.filled(buy, "1.00000", px="50100.00"))
        changed = position.to_event()
        position.apply(cls.filled(sell, px="50200.00"))
        closed = position.to_event()
        assert isinstance(opened, PositionOpened)
        assert isinstance(changed, PositionChanged)
        assert isinstance(closed, PositionClosed)
        return opened, changed, closed


class TestCommandStubs:
    """One command of each kind."""

    __test__ = False

    @staticmethod
    def _fields(**overrides: Any) -> dict[str, Any]:
        fields = _common(**overrides)
        fields["command_id"] = fields.pop("event_id")
        return fields

    @classmethod
    def every_command(cls) -> list[Message]:
        """A `SubmitOrder`, `SubmitOrderList`, `ModifyOrder`, `CancelOrder`, ... example."""
        init = TestOrderStubs.init()
        order_list = bracket(
            trader_id=TestIdStubs.trader_id,
            strategy_id=TestIdStubs.strategy_id,
            instrument_id=TestIdStubs.instrument_id,
            order_list_id=OrderListId("OL-1"),
            client_order_ids=(
                TestIdStubs.client_order_id(),
                TestIdStubs.client_order_id(),
                TestIdStubs.client_order_id(),
            ),
            entry_side=OrderSide.BUY,
            quantity=Quantity("1.00000"),
            stop_loss_trigger=Price("49000.00"),
            take_profit_price=Price("52000.00"),
            ts_init=0,
            entry_price=Price("50000.00"),
        )
        cid = init.client_order_id
        return [
            SubmitOrder(order=init, **cls._fields()),
            SubmitOrderList(
                order_list_id=order_list.order_list_id, orders=order_list.inits, **cls._fields()
            ),
            ModifyOrder(client_order_id=cid, price=Price("49900.00"), **cls._fields()),
            CancelOrder(client_order_id=cid, **cls._fields()),
            CancelAllOrders(order_side=OrderSide.SELL, **cls._fields()),
            QueryOrder(client_order_id=cid, venue_order_id=VenueOrderId("V-1"), **cls._fields()),
        ]


class TestReportStubs:
    """Execution reports as a venue would give them for reconciliation."""

    __test__ = False

    @staticmethod
    def _fields() -> dict[str, Any]:
        return {
            "report_id": UUID4(),
            "account_id": TestIdStubs.account_id,
            "instrument_id": TestIdStubs.instrument_id,
            "ts_event": 0,
            "ts_init": 0,
        }

    @classmethod
    def order_status(
        cls,
        client_order_id: ClientOrderId | None = None,
        status: OrderStatus = OrderStatus.PARTIALLY_FILLED,
        quantity: str = "1.00000",
        filled: str = "0.40000",
    ) -> OrderStatusReport:
        """A resting limit order, partly filled by default."""
        return OrderStatusReport(
            venue_order_id=VenueOrderId("V-1"),
            client_order_id=client_order_id,
            order_side=OrderSide.BUY,
            order_type=OrderType.LIMIT,
            time_in_force=TimeInForce.GTC,
            order_status=status,
            quantity=Quantity(quantity),
            filled_qty=Quantity(filled),
            avg_px=Decimal("50000.00") if Quantity(filled) else None,
            price=Price("50000.00"),
            ts_accepted=0,
            **cls._fields(),
        )

    @classmethod
    def fill(cls, client_order_id: ClientOrderId | None = None) -> FillReport:
        """One fill of venue order V-1."""
        return FillReport(
            venue_order_id=VenueOrderId("V-1"),
            client_order_id=client_order_id,
            trade_id=TestIdStubs.trade_id(),
            order_side=OrderSide.BUY,
            last_qty=Quantity("0.40000"),
            last_px=Price("50000.00"),
            commission=Money("0.02", USDT),
            liquidity_side=LiquiditySide.MAKER,
            **cls._fields(),
        )

    @classmethod
    def position(
        cls, side: PositionSide = PositionSide.LONG, qty: str = "0.40000"
    ) -> PositionStatusReport:
        """A net position report."""
        return PositionStatusReport(
            position_side=side,
            quantity=Quantity(qty),
            avg_px_open=Decimal("50000.00"),
            **cls._fields(),
        )


def _risk_examples() -> list[Message]:
    """One example of every risk event and risk command."""
    trader: dict[str, Any] = {"trader_id": TestIdStubs.trader_id, "ts_event": 0, "ts_init": 0}
    event = {**trader, "event_id": UUID4()}
    command = {**trader, "command_id": UUID4()}
    instrument_scope = RiskScope(instrument_id=TestIdStubs.instrument_id)
    return [
        TradingStateChanged(
            scope=instrument_scope,
            state=TradingState.HALTED,
            previous_state=TradingState.ACTIVE,
            cause=TradingStateCause.MARKET_MOVE,
            reason="price moved 6% in 60s",
            expires_ns=300_000_000_000,
            **event,
        ),
        RiskLimitsChanged(
            scope=RiskScope(strategy_id=TestIdStubs.strategy_id),
            values={"max_position_qty": "2"},
            cleared=("max_open_orders",),
            **event,
        ),
        KillSwitchActivated(
            scope=RiskScope(venue=Venue("BINANCE")),
            flatten=True,
            reason="operator",
            orders_canceled=3,
            positions_flattened=1,
            **event,
        ),
        MarginWarning(
            account_id=TestIdStubs.account_id,
            equity=Money("950", USDT),
            maintenance=Money("1000", USDT),
            breached=True,
            **event,
        ),
        RiskBaselineRecorded(
            account_id=TestIdStubs.account_id,
            trading_day="2025-01-02",
            day_start_pnl=Money("-12.50", USDT),
            peak_equity=Money("10250", USDT),
            **event,
        ),
        RiskCommandRejected(
            command_id=UUID4(),
            command_type="UpdateRiskLimits",
            reason="max_open_orders: must not be negative",
            **event,
        ),
        SetTradingState(
            scope=RiskScope(account_id=TestIdStubs.account_id),
            state=TradingState.REDUCING,
            reason="end of day",
            **command,
        ),
        UpdateRiskLimits(
            scope=instrument_scope,
            values={"max_order_qty": "5", "price_band_pct": "0.05"},
            clear=("max_position_notional",),
            **command,
        ),
        ActivateKillSwitch(flatten=True, reason="operator", **command),
    ]


class TestMessageStubs:
    """Examples of every message type, for codec and journal tests."""

    __test__ = False

    @staticmethod
    def all_examples() -> list[Message]:
        """At least one example of every message class (instruments, data, events, commands)."""
        p = TestInstrumentProvider
        instruments: list[Message] = [
            p.btcusdt_binance(),
            p.btcusdt_perp_binance(),
            p.nifty_option(),
            p.nifty_future(),
            p.reliance_nse(),
        ]
        data: list[Message] = [
            TestDataStubs.quote_tick(),
            TestDataStubs.trade_tick(),
            TestDataStubs.bar(),
            TestDataStubs.book_snapshot(),
            TestDataStubs.book_delta(),
            TestDataStubs.book_deltas(),
        ]
        events: list[Message] = []
        for order_type in OrderType:
            events.extend(TestEventStubs.every_order_event(TestOrderStubs.init(order_type)))
        events.append(TestEventStubs.account_state())
        events.append(
            ComponentStateChanged(
                trader_id=TestIdStubs.trader_id,
                component_id=ComponentId("DataClient-BINANCE"),
                state="DEGRADED",
                previous_state="RUNNING",
                reason="WebSocket disconnected",
                event_id=UUID4(),
                ts_event=0,
                ts_init=0,
            )
        )
        events.extend(TestEventStubs.position_events())
        reports: list[Message] = [
            TestReportStubs.order_status(TestIdStubs.client_order_id()),
            TestReportStubs.fill(),
            TestReportStubs.position(),
        ]
        events.extend(_risk_examples())
        btc, bars_1m = TestIdStubs.instrument_id, TestDataStubs.bar().bar_type
        data_commands: list[Message] = [
            SubscribeData(
                data_type=MarketDataType.QUOTES, instrument_id=btc, command_id=UUID4(),
                ts_event=0, ts_init=0,
            ),
            UnsubscribeData(
                data_type=MarketDataType.BARS, bar_type=bars_1m, command_id=UUID4(),
                ts_event=0, ts_init=0,
            ),
            RequestData(
                request_id=UUID4(), data_type=MarketDataType.TRADES, instrument_id=btc,
                start=0, end=10, limit=5, ts_event=0, ts_init=0,
            ),
            DataResponse(
                correlation_id=UUID4(), data_type=MarketDataType.TRADES, instrument_id=btc,
                data=[TestDataStubs.trade_tick(), p.btcusdt_binance()], ts_event=0, ts_init=0,
            ),
        ]  # fmt: skip
        return (
            instruments + data + events + reports + TestCommandStubs.every_command()
            + data_commands
        )  # fmt: skip

    @classmethod
    def example(cls, message_type: type[Message]) -> Message:
        """An example of ``message_type``; `KeyError` if the stubs have none yet."""
        for msg in cls.all_examples():
            if type(msg) is message_type:
                return msg
        raise KeyError(f"no stub example of {message_type.__name__}")
