"""The `Actor` base: registration, read-only views, subscriptions, data commands, indicators."""

from __future__ import annotations

from typing import Any

import pytest

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache, CacheView
from shrivenquant.core.clock import TestClock
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.model.data import Bar, BarType, OrderBookDeltas, OrderBookSnapshot
from shrivenquant.model.data_commands import MarketDataType, SubscribeData, UnsubscribeData
from shrivenquant.model.identifiers import ClientId, ComponentId, TraderId, Venue
from shrivenquant.portfolio import Portfolio
from shrivenquant.strategy import (
    EMA,
    SMA,
    Actor,
    ActorConfig,
    PortfolioFacade,
)
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestDataStubs, TestIdStubs

TRADER = TraderId("TRADER-001")
BAR_TYPE = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
IID = TestIdStubs.instrument_id


class Watcher(Actor):
    """Records (hook, argument) for every data hook."""

    def __init__(self, config: ActorConfig | None = None) -> None:
        super().__init__(config)
        self.calls: list[tuple[str, Any]] = []

    def on_bar(self, bar: Bar) -> None:
        self.calls.append(("on_bar", bar))

    def on_trade(self, trade: Any) -> None:
        self.calls.append(("on_trade", trade))

    def on_quote(self, quote: Any) -> None:
        self.calls.append(("on_quote", quote))

    def on_book_deltas(self, deltas: Any) -> None:
        self.calls.append(("on_book_deltas", deltas))

    def on_book(self, snapshot: OrderBookSnapshot) -> None:
        self.calls.append(("on_book", snapshot))

    def on_instrument(self, instrument: Any) -> None:
        self.calls.append(("on_instrument", instrument))

    def on_event(self, event: Any) -> None:
        self.calls.append(("on_event", event))


@pytest.fixture
def bus() -> MessageBus:
    return MessageBus()


@pytest.fixture
def cache() -> Cache:
    return Cache()


def make(bus: MessageBus, cache: Cache, actor: Actor | None = None, start: bool = True) -> Any:
    actor = actor or Watcher()
    actor.register(TRADER, bus, TestClock(1_000), cache, Portfolio(TRADER, bus, TestClock(), cache))
    if start:
        actor.start()
    return actor


def test_id_comes_from_the_config_or_the_class_name() -> None:
    assert Watcher().id == ComponentId("Watcher")
    assert Watcher(ActorConfig(component_id="Monitor-1")).id == ComponentId("Monitor-1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config must be a config class"):
        Watcher({"component_id": "x"})  # type: ignore[arg-type]


def test_registration_is_needed_once(bus: MessageBus, cache: Cache) -> None:
    actor = Watcher()
    assert repr(actor) == "Watcher(Watcher, PRE_INITIALIZED)"
    with pytest.raises(RuntimeError, match="once the actor is registered"):
        _ = actor.cache
    with pytest.raises(RuntimeError, match="cannot start before"):
        actor.start()
    make(bus, cache, actor, start=False)
    assert actor.is_registered
    assert actor.state is ComponentState.READY
    with pytest.raises(RuntimeError, match="already registered"):
        actor.register(TRADER, bus, TestClock(), cache)


def test_cache_and_portfolio_are_read_only_views(bus: MessageBus, cache: Cache) -> None:
    actor = make(bus, cache)
    assert isinstance(actor.cache, CacheView)
    assert not hasattr(actor.cache, "add_order")
    assert not hasattr(actor.cache, "add_instrument")
    assert isinstance(actor.portfolio, PortfolioFacade)
    assert not hasattr(actor.portfolio, "update_account")
    assert not hasattr(actor.portfolio, "start")
    instrument = TestInstrumentProvider.btcusdt_binance()
    cache.add_instrument(instrument)
    assert actor.cache.instrument(IID) is instrument  # a live view
    assert actor.portfolio.is_flat(IID)

    bare = Watcher()
    bare.register(TRADER, bus, TestClock(), cache.view())
    with pytest.raises(RuntimeError, match="no portfolio"):
        _ = bare.portfolio


def test_every_data_hook_gets_its_messages(bus: MessageBus, cache: Cache) -> None:
    actor = make(bus, cache)
    instrument = TestInstrumentProvider.btcusdt_binance()
    assert actor.subscribe_bars(BAR_TYPE)
    assert actor.subscribe_trades(IID)
    assert actor.subscribe_quotes(IID)
    assert actor.subscribe_book_deltas(IID)
    assert actor.subscribe_book_snapshots(IID)
    assert actor.subscribe_instrument(IID)
    assert actor.subscribe_events(topics.risk_events())
    assert not actor.subscribe_bars(BAR_TYPE)  # already subscribed

    messages = [
        (topics.bars(BAR_TYPE), TestDataStubs.bar(), "on_bar"),
        (topics.trades(IID), TestDataStubs.trade_tick(), "on_trade"),
        (topics.quotes(IID), TestDataStubs.quote_tick(), "on_quote"),
        (topics.book_deltas(IID), TestDataStubs.book_deltas(), "on_book_deltas"),
        (topics.book_snapshots(IID), TestDataStubs.book_snapshot(), "on_book"),
        (topics.instrument(IID), instrument, "on_instrument"),
        (topics.risk_events(), "halted", "on_event"),
    ]
    for topic, msg, _ in messages:
        bus.publish(topic, msg)
    assert actor.calls == [(hook, msg) for _, msg, hook in messages]
    assert isinstance(actor.calls[3][1], OrderBookDeltas)


def test_unsubscribe_and_stop_end_subscriptions(bus: MessageBus, cache: Cache) -> None:
    actor = make(bus, cache)
    actor.subscribe_bars(BAR_TYPE)
    actor.subscribe_trades(IID)
    actor.subscribe_instruments(Venue("BINANCE"))
    assert actor.subscribed_topics == sorted(
        [topics.bars(BAR_TYPE), topics.trades(IID), topics.instruments_all(Venue("BINANCE"))]
    )
    assert actor.unsubscribe_bars(BAR_TYPE)
    assert not actor.unsubscribe_bars(BAR_TYPE)
    bus.publish(topics.bars(BAR_TYPE), TestDataStubs.bar())
    assert actor.calls == []

    actor.stop()
    assert actor.subscribed_topics == []
    assert bus.topics() == ()
    bus.publish(topics.trades(IID), TestDataStubs.trade_tick())
    assert actor.calls == []


def test_no_data_engine_means_no_command_and_no_dead_letter(bus: MessageBus, cache: Cache) -> None:
    actor = make(bus, cache)
    actor.subscribe_quotes(IID)
    actor.unsubscribe_quotes(IID)
    assert bus.dead_letter_count == 0
    assert bus.sent_count == 0


def test_a_registered_data_engine_is_told_of_every_subscription(
    bus: MessageBus, cache: Cache
) -> None:
    commands: list[Any] = []
    bus.register(topics.DATA_ENGINE_EXECUTE, commands.append)
    actor = make(bus, cache)
    actor.subscribe_bars(BAR_TYPE, client_id=ClientId("BINANCE"))
    actor.subscribe_book_deltas(IID)
    actor.subscribe_events(topics.risk_events())  # not market data: nothing to tell
    actor.unsubscribe_book_deltas(IID)
    actor.stop()

    kinds = [(type(c), c.data_type) for c in commands]
    assert kinds == [
        (SubscribeData, MarketDataType.BARS),
        (SubscribeData, MarketDataType.BOOK_DELTAS),
        (UnsubscribeData, MarketDataType.BOOK_DELTAS),
        (UnsubscribeData, MarketDataType.BARS),
    ]
    first = commands[0]
    assert first.bar_type == BAR_TYPE
    assert first.client_id == ClientId("BINANCE")
    assert first.subscriber_id == actor.id
    assert first.instrument_id is None
    assert commands[1].instrument_id == IID
    assert len({c.command_id for c in commands}) == 4


def test_registered_indicators_are_updated_before_the_hook(bus: MessageBus, cache: Cache) -> None:
    seen: list[int] = []

    class WithEma(Watcher):
        def __init__(self) -> None:
            super().__init__()
            self.ema = EMA(3)
            self.register_indicator_for_bars(BAR_TYPE, self.ema)
            self.register_indicator_for_bars(BAR_TYPE, self.ema)  # once only
            self.register_indicator_for_trades(IID, self.ema)

        def on_bar(self, bar: Bar) -> None:
            seen.append(self.ema.count)

    actor = make(bus, cache, WithEma())
    actor.subscribe_bars(BAR_TYPE)
    bus.publish(topics.bars(BAR_TYPE), TestDataStubs.bar())
    assert seen == [1]  # the indicator had the bar when on_bar ran
    assert actor.registered_indicators == [actor.ema]
    with pytest.raises(TypeError, match="indicator must be an Indicator"):
        actor.register_indicator_for_quotes(IID, object())  # type: ignore[arg-type]


def test_bar_indicators_get_the_close_or_their_own_input_in_registration_order(
    bus: MessageBus, cache: Cache
) -> None:
    class HighSMA(SMA):
        """Feeds the bar's high, not its close."""

        def handle_bar(self, bar: Bar) -> None:
            self.update_raw(bar.high.as_double())

    class WithAverages(Watcher):
        def __init__(self) -> None:
            super().__init__()
            self.close = SMA(2)
            self.register_indicator_for_bars(BAR_TYPE, self.close)

        def on_bar(self, bar: Bar) -> None:
            fed.append([indicator.count for indicator in self.registered_indicators])

    fed: list[list[int]] = []
    actor = make(bus, cache, WithAverages())
    actor.subscribe_bars(BAR_TYPE)
    first = TestDataStubs.bar(("10.00", "14.00", "9.00", "12.00"), ts=60)
    second = TestDataStubs.bar(("12.00", "18.00", "11.00", "16.00"), ts=120)
    third = TestDataStubs.bar(("16.00", "20.00", "15.00", "18.00"), ts=180)
    bus.publish(topics.bars(BAR_TYPE), first)
    high = HighSMA(2)
    actor.register_indicator_for_bars(BAR_TYPE, high)  # after bars have arrived
    bus.publish(topics.bars(BAR_TYPE), second)
    bus.publish(topics.bars(BAR_TYPE), third)
    assert fed == [[1], [2, 1], [3, 2]]  # every indicator had the bar before on_bar
    assert actor.close.value == (16.0 + 18.0) / 2
    assert high.value == (18.0 + 20.0) / 2  # its own input, not the close


def test_subscription_arguments_are_type_checked(bus: MessageBus, cache: Cache) -> None:
    actor = make(bus, cache)
    with pytest.raises(TypeError, match="bar_type must be a BarType"):
        actor.subscribe_bars(str(BAR_TYPE))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="instrument_id must be a InstrumentId"):
        actor.subscribe_trades("BTCUSDT.BINANCE")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="venue must be a Venue"):
        actor.subscribe_instruments("BINANCE")  # type: ignore[arg-type]


def test_timer_names_are_per_actor(bus: MessageBus, cache: Cache) -> None:
    clock = TestClock(0)
    first, second = Watcher(ActorConfig(component_id="A")), Watcher()  # type: ignore[arg-type]
    for actor in (first, second):
        actor.register(TRADER, bus, clock, cache)
        actor.start()
        actor.set_timer("poll", 10)
    with pytest.raises(ValueError, match="already exists"):
        first.set_timer("poll", 10)
    with pytest.raises(ValueError, match="non-empty str"):
        first.set_time_alert("", 5)
    clock.advance_time(10)
    assert [e.name for _, e in first.calls] == ["poll"] == [e.name for _, e in second.calls]
