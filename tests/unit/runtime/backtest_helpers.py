"""Small strategies, instruments and data for the backtest engine tests."""

from __future__ import annotations

from decimal import Decimal

from shrivenquant.bus import topics
from shrivenquant.core.clock import TimeEvent
from shrivenquant.model.data import (
    Bar,
    BarType,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
)
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import CurrencyPair
from shrivenquant.model.values import Price, Quantity
from shrivenquant.runtime.instruments import infer_spot_pair
from shrivenquant.strategy import Strategy, StrategyConfig

MINUTE = 60_000_000_000
T0 = 1_704_067_200_000_000_000


def pair(instrument_id: str, price_precision: int = 2, size_precision: int = 3) -> CurrencyPair:
    """A fee-free spot pair."""
    found = infer_spot_pair(InstrumentId(instrument_id), price_precision, size_precision)
    assert found is not None
    return found


def bars(bar_type: str, closes: list[str], start: int = T0, volume: str = "100.000") -> list[Bar]:
    """One-minute bars: each opens 0.01 above the previous close (the first at its close),
    high and low one unit around."""
    spec = BarType.from_str(bar_type)
    result = []
    previous = Decimal(closes[0])
    for i, text in enumerate(closes):
        close = Decimal(text)
        open_ = previous + Decimal("0.01") if i else close
        result.append(
            Bar.checked(
                bar_type=spec,
                open=Price(open_),
                high=Price(max(open_, close) + 1),
                low=Price(min(open_, close) - 1),
                close=Price(close),
                volume=Quantity(volume),
                ts_event=start + (i + 1) * MINUTE,
                ts_init=start + (i + 1) * MINUTE,
            )
        )
        previous = close
    return result


class RoundTripConfig(StrategyConfig):
    """Buy on bar ``buy_on`` (1-based), sell on bar ``sell_on``."""

    bar_type: BarType
    trade_size: Quantity = Quantity("1")
    buy_on: int = 1
    sell_on: int = 3


class RoundTrip(Strategy):
    """Buys and later sells one fixed size, counting bars."""

    config: RoundTripConfig

    def __init__(self, config: RoundTripConfig) -> None:
        super().__init__(config)
        self.instrument_id = config.bar_type.instrument_id
        self.seen = 0

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar: Bar) -> None:
        self.seen += 1
        side = None
        if self.seen == self.config.buy_on:
            side = OrderSide.BUY
        elif self.seen == self.config.sell_on:
            side = OrderSide.SELL
        if side is not None:
            order = self.order_factory.market(self.instrument_id, side, self.config.trade_size)
            self.submit_order(order)


class QuoteTakerConfig(StrategyConfig):
    """Buy once on the first quote."""

    instrument_id: InstrumentId


class QuoteTaker(Strategy):
    """Buys 1 unit on the first quote it sees."""

    config: QuoteTakerConfig

    def __init__(self, config: QuoteTakerConfig) -> None:
        super().__init__(config)
        self.first: QuoteTick | None = None

    def on_start(self) -> None:
        self.subscribe_quotes(self.config.instrument_id)

    def on_quote(self, quote: QuoteTick) -> None:
        if self.first is None:
            self.first = quote
            self.submit_order(
                self.order_factory.market(self.config.instrument_id, OrderSide.BUY, Quantity("1"))
            )


class BookTakerConfig(StrategyConfig):
    """Buy on the first snapshot and on the first delta."""

    instrument_id: InstrumentId


class BookTaker(Strategy):
    """Buys 1 unit when the book arrives and again when it first changes."""

    config: BookTakerConfig

    def __init__(self, config: BookTakerConfig) -> None:
        super().__init__(config)
        self.snapshots = 0
        self.deltas = 0

    def on_start(self) -> None:
        self.subscribe_book_snapshots(self.config.instrument_id)
        self.subscribe_book_deltas(self.config.instrument_id)

    def _buy(self) -> None:
        self.submit_order(
            self.order_factory.market(self.config.instrument_id, OrderSide.BUY, Quantity("1.00000"))
        )

    def on_book(self, snapshot: OrderBookSnapshot) -> None:
        self.snapshots += 1
        if self.snapshots == 1:
            self._buy()

    def on_book_deltas(self, deltas: OrderBookDelta | OrderBookDeltas) -> None:
        self.deltas += 1
        if self.deltas == 1:
            self._buy()


class TimerWatcherConfig(StrategyConfig):
    """Watch bars and a 30-second timer."""

    bar_type: BarType


class TimerWatcher(Strategy):
    """Records the order in which bars and timer events arrive."""

    config: TimerWatcherConfig

    def __init__(self, config: TimerWatcherConfig) -> None:
        super().__init__(config)
        self.seen: list[tuple[str, int]] = []

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)
        self.set_timer("half-minute", MINUTE // 2)

    def on_bar(self, bar: Bar) -> None:
        self.seen.append(("bar", bar.ts_event))

    def on_timer(self, event: TimeEvent) -> None:
        self.seen.append(("timer", event.ts_event))


class FailingConfig(StrategyConfig):
    """Raise on bar ``fail_on`` (1-based)."""

    bar_type: BarType
    fail_on: int = 3


class Failing(Strategy):
    """Raises in ``on_bar`` once it has seen ``fail_on`` bars."""

    config: FailingConfig

    def __init__(self, config: FailingConfig) -> None:
        super().__init__(config)
        self.seen = 0

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar: Bar) -> None:
        self.seen += 1
        if self.seen == self.config.fail_on:
            raise RuntimeError("boom")


class MalformedBarSenderConfig(StrategyConfig):
    """Send a bar whose high is below its close on bar ``send_on`` (1-based)."""

    bar_type: BarType
    send_on: int = 1


class MalformedBarSender(Strategy):
    """Sends a malformed bar to the data engine the way a data client does (its endpoint on
    the bus), and counts the bars it receives."""

    config: MalformedBarSenderConfig

    def __init__(self, config: MalformedBarSenderConfig) -> None:
        super().__init__(config)
        self.bars_seen = 0

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar: Bar) -> None:
        self.bars_seen += 1
        if self.bars_seen == self.config.send_on:
            malformed = Bar(
                bar_type=bar.bar_type,
                open=bar.close,
                high=Price(bar.close.as_decimal() - 1),
                low=bar.low,
                close=bar.close,
                volume=bar.volume,
                ts_event=bar.ts_event,
                ts_init=bar.ts_init,
            )
            self.bus.send(topics.DATA_ENGINE_PROCESS, malformed)
