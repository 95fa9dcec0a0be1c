"""The cache: order and position indexes, accounts, market data, books and the read-only view."""

from __future__ import annotations

import pytest

from shrivenquant.cache import Cache, CacheView
from shrivenquant.model.enums import OrderSide, OrderStatus, OrderType, PositionSide, PriceType
from shrivenquant.model.events import OrderCanceled, OrderUpdated
from shrivenquant.model.identifiers import (
    AccountId,
    ClientId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    Venue,
    VenueOrderId,
)
from shrivenquant.model.orders import Order, bracket
from shrivenquant.model.position import Position
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import (
    TestDataStubs,
    TestEventStubs,
    TestIdStubs,
    TestOrderStubs,
)

ETH = InstrumentId("ETHUSDT.BINANCE")


def _order(**overrides: object) -> Order:
    return Order.from_init(TestOrderStubs.init(**overrides))  # type: ignore[arg-type]


def _apply(cache: Cache, order: Order, event: object) -> None:
    order.apply(event)  # type: ignore[arg-type]
    cache.update_order(order)


class TestOrders:
    def test_new_order_is_local_and_indexed(self) -> None:
        cache = Cache()
        order = _order()
        cache.add_order(order, ClientId("BINANCE"), PositionId("P-1"))
        cid = order.client_order_id
        assert cache.order(cid) is order
        assert cache.order_exists(cid)
        assert cache.orders_local() == [order]
        assert cache.orders_open() == []
        assert cache.client_id_for_order(cid) == ClientId("BINANCE")
        assert cache.position_id_for_order(cid) == PositionId("P-1")
        assert cache.orders(strategy_id=TestIdStubs.strategy_id) == [order]
        assert cache.orders(venue=Venue("BINANCE"), instrument_id=TestIdStubs.instrument_id) == [
            order
        ]
        assert cache.orders(strategy_id=StrategyId("OTHER")) == []
        assert cache.orders(instrument_id=ETH) == []

    def test_status_sets_follow_the_order(self) -> None:
        cache = Cache()
        order = _order()
        cache.add_order(order)
        cid = order.client_order_id
        init = order.init_event
        _apply(cache, order, TestEventStubs.submitted(init))
        assert cache.is_order_inflight(cid)
        assert cache.is_order_open(cid)
        assert cache.orders_local() == []
        _apply(cache, order, TestEventStubs.accepted(init, "V-9"))
        assert not cache.is_order_inflight(cid)
        assert cache.is_order_open(cid)
        assert cache.order_by_venue_order_id(VenueOrderId("V-9")) is order
        assert cache.client_order_id(VenueOrderId("V-9")) == cid
        assert cache.venue_order_id(cid) == VenueOrderId("V-9")
        _apply(cache, order, TestEventStubs.filled(init, venue_order_id="V-9"))
        assert cache.is_order_closed(cid)
        assert cache.orders_open_count() == 0
        assert cache.orders_closed() == [order]

    def test_a_new_venue_order_id_is_indexed(self) -> None:
        cache = Cache()
        order = _order()
        cache.add_order(order)
        init = order.init_event
        _apply(cache, order, TestEventStubs.submitted(init))
        _apply(cache, order, TestEventStubs.accepted(init, "V-1"))
        updated = TestEventStubs._for(
            OrderUpdated, init, quantity=Quantity("2.00000"), venue_order_id=VenueOrderId("V-2")
        )
        _apply(cache, order, updated)
        assert cache.order_by_venue_order_id(VenueOrderId("V-2")) is order
        assert cache.venue_order_id(order.client_order_id) == VenueOrderId("V-2")

    def test_filters_combine_and_side_filters(self) -> None:
        cache = Cache()
        buy = _order()
        sell = _order(side=OrderSide.SELL)
        eth = _order(instrument_id=ETH, price=Price("3000.00"))
        other = _order(strategy_id=StrategyId("S-002"))
        for order in (buy, sell, eth, other):
            cache.add_order(order)
        assert cache.orders() == [buy, sell, eth, other]
        assert cache.orders(side=OrderSide.SELL) == [sell]
        assert cache.orders(side=OrderSide.NO_ORDER_SIDE) == [buy, sell, eth, other]
        assert cache.orders(instrument_id=TestIdStubs.instrument_id) == [buy, sell, other]
        assert cache.orders(
            instrument_id=TestIdStubs.instrument_id, strategy_id=TestIdStubs.strategy_id
        ) == [buy, sell]
        assert cache.strategy_ids() == [TestIdStubs.strategy_id, StrategyId("S-002")]
        assert cache.orders_total_count() == 4

    def test_emulated_orders_are_indexed(self) -> None:
        cache = Cache()
        order = _order(order_type=OrderType.STOP_MARKET, emulation_trigger="BID_ASK")
        cache.add_order(order)
        _apply(cache, order, TestEventStubs.every_order_event(order.init_event)[2])
        assert order.status is OrderStatus.EMULATED
        assert cache.orders_emulated() == [order]
        assert cache.is_order_emulated(order.client_order_id)
        _apply(cache, order, TestEventStubs._for(OrderCanceled, order.init_event))
        assert cache.orders_emulated() == []
        assert cache.orders_closed() == [order]

    def test_duplicates_and_unknown_orders_are_refused(self) -> None:
        cache = Cache()
        order = _order()
        cache.add_order(order)
        with pytest.raises(ValueError, match="already in the cache"):
            cache.add_order(order)
        with pytest.raises(KeyError, match="not in the cache"):
            cache.update_order(_order())
        with pytest.raises(KeyError, match="not in the cache"):
            cache.set_position_id(_order().client_order_id, PositionId("P-1"))

    def test_order_lists(self) -> None:
        cache = Cache()
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
        )
        cache.add_order_list(order_list)
        assert cache.order_list(OrderListId("OL-1")) is order_list
        assert cache.order_lists(strategy_id=TestIdStubs.strategy_id) == [order_list]
        assert cache.order_lists(instrument_id=ETH) == []
        with pytest.raises(ValueError, match="already in the cache"):
            cache.add_order_list(order_list)


class TestPositions:
    def test_positions_move_between_open_and_closed(self) -> None:
        cache = Cache()
        instrument = TestInstrumentProvider.btcusdt_binance()
        buy = TestOrderStubs.init(OrderType.MARKET)
        sell = TestOrderStubs.init(OrderType.MARKET, OrderSide.SELL)
        position = Position(instrument, TestEventStubs.filled(buy), PositionId("P-1"))
        cache.add_position(position)
        assert cache.positions_open() == [position]
        assert cache.positions_open(side=PositionSide.LONG) == [position]
        assert cache.positions_open(side=PositionSide.SHORT) == []
        assert cache.positions_open_count(venue=Venue("BINANCE")) == 1
        assert cache.is_position_open(PositionId("P-1"))
        position.apply(TestEventStubs.filled(sell))
        cache.update_position(position)
        assert cache.positions_open() == []
        assert cache.positions_closed(strategy_id=TestIdStubs.strategy_id) == [position]
        assert cache.is_position_closed(PositionId("P-1"))
        assert cache.position(PositionId("P-1")) is position
        assert cache.positions(instrument_id=ETH) == []
        with pytest.raises(ValueError, match="already in the cache"):
            cache.add_position(position)

    def test_filters_on_one_open_position_agree_with_the_indexes(self) -> None:
        cache = Cache()
        instrument = TestInstrumentProvider.btcusdt_binance()
        position = Position(
            instrument,
            TestEventStubs.filled(TestOrderStubs.init(OrderType.MARKET)),
            PositionId("P-1"),
        )
        cache.add_position(position)
        venues = [None, Venue("BINANCE"), Venue("BYBIT")]
        instruments = [None, instrument.id, ETH]
        strategies = [None, TestIdStubs.strategy_id, StrategyId("S-OTHER")]
        sides = [None, PositionSide.LONG, PositionSide.SHORT]
        for venue in venues:
            for instrument_id in instruments:
                for strategy_id in strategies:
                    for side in sides:
                        # `positions` (every position) goes through the indexes; with one
                        # position open, `positions_open` compares the position's own fields.
                        expected = cache.positions(venue, instrument_id, strategy_id, side)
                        got = cache.positions_open(venue, instrument_id, strategy_id, side)
                        assert got == expected
                        matches = (
                            venue in (None, Venue("BINANCE"))
                            and instrument_id in (None, instrument.id)
                            and strategy_id in (None, TestIdStubs.strategy_id)
                            and side in (None, PositionSide.LONG)
                        )
                        assert got == ([position] if matches else [])


class _Account:
    def __init__(self, account_id: str) -> None:
        self.id = AccountId(account_id)


class TestAccountsAndMarket:
    def test_accounts_and_states(self) -> None:
        cache = Cache()
        account = _Account("BINANCE-001")
        cache.add_account(account)
        assert cache.account(AccountId("BINANCE-001")) is account
        assert cache.accounts() == [account]
        assert cache.account_for_venue(Venue("BINANCE")) is account
        assert cache.account_for_venue(Venue("NSE")) is None
        state = TestEventStubs.account_state()
        cache.add_account_state(state)
        assert cache.account_state(state.account_id) is state
        assert cache.account_states() == [state]

    def test_instruments_prices_and_books(self) -> None:
        cache = Cache()
        btc = TestInstrumentProvider.btcusdt_binance()
        cache.add_instrument(btc)
        cache.add_instrument(TestInstrumentProvider.nifty_option())
        assert cache.instrument(btc.id) is btc
        assert cache.instruments(Venue("BINANCE")) == [btc]
        assert cache.instrument_ids(Venue("BINANCE")) == [btc.id]
        assert len(cache.instruments()) == 2
        assert cache.price(btc.id, PriceType.LAST) is None
        cache.add_quote(TestDataStubs.quote_tick("100.00", "100.10"))
        cache.add_trade(TestDataStubs.trade_tick("100.05"))
        assert cache.price(btc.id, PriceType.BID) == Price("100.00")
        assert cache.price(btc.id, PriceType.MID) == Price("100.050")
        assert cache.price(btc.id, PriceType.LAST) == Price("100.05")
        with pytest.raises(ValueError, match="MARK"):
            cache.price(btc.id, PriceType.MARK)
        assert cache.quote(btc.id) is not None
        assert cache.trade(btc.id) is not None
        book = {"kind": "fake book"}
        cache.add_book(btc.id, book)
        assert cache.has_book(btc.id)
        assert cache.book(btc.id, dict) is book
        assert cache.book(ETH, dict) is None
        with pytest.raises(TypeError, match="not a list"):
            cache.book(btc.id, list)

    def test_bars_by_bar_type(self) -> None:
        cache = Cache()
        bar = TestDataStubs.bar()
        assert cache.bar_types() == []
        cache.add_bar(bar)
        assert cache.bar_types() == [bar.bar_type]
        assert cache.bar_types(bar.bar_type.instrument_id) == [bar.bar_type]
        assert cache.bar_types(ETH) == []
        assert cache.bar(bar.bar_type) is bar
        assert cache.view().bar_types() == [bar.bar_type]


class TestView:
    def test_view_reads_live_and_cannot_write(self) -> None:
        cache = Cache()
        view = cache.view()
        assert isinstance(view, CacheView)
        assert view is cache.view()
        order = _order()
        cache.add_order(order)
        assert view.order(order.client_order_id) is order
        assert view.orders_local() == [order]
        for writer in ("add_order", "update_order", "add_position", "add_instrument", "add_book"):
            assert not hasattr(view, writer)
        with pytest.raises(AttributeError):
            view.extra = 1  # type: ignore[attr-defined]

    def test_clear_trading_state_keeps_market_data(self) -> None:
        cache = Cache()
        view = cache.view()
        cache.add_instrument(TestInstrumentProvider.btcusdt_binance())
        cache.add_order(_order())
        cache.add_account_state(TestEventStubs.account_state())
        cache.clear_trading_state()
        assert view.orders() == []
        assert view.orders_local() == []
        assert view.account_states() == []
        assert view.instrument(TestIdStubs.instrument_id) is not None
        assert "orders=0" in repr(cache)
