"""A data engine on a test clock, a scriptable data client, and record factories."""

from __future__ import annotations

from typing import Any

from shrivenquant.bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.data.client import DataClient
from shrivenquant.data.engine import DataEngine
from shrivenquant.data.engine_config import DataEngineConfig
from shrivenquant.model.data import BarType, TradeTick
from shrivenquant.model.data_commands import (
    MarketDataType,
    RequestData,
    SubscribeData,
    UnsubscribeData,
)
from shrivenquant.model.enums import AggressorSide
from shrivenquant.model.identifiers import (
    ClientId,
    ComponentId,
    InstrumentId,
    TradeId,
    TraderId,
    Venue,
)
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import ParquetDataCatalog

TRADER = TraderId("TRADER-001")
BTC = InstrumentId("BTCUSDT.BINANCE")
ETH = InstrumentId("ETHUSDT.BINANCE")
NIFTY = InstrumentId("NIFTY25DECFUT.NSE")
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
T0 = 1_704_153_600_000_000_000  # 2024-01-02 00:00 UTC, a whole minute


class FakeDataClient(DataClient):
    """Serves every data type; remembers each call; answers requests when told to."""

    def __init__(
        self,
        bus: MessageBus,
        clock: TestClock,
        client_id: str = "BINANCE",
        venue: str | None = "BINANCE",
        *,
        unsupported: frozenset[MarketDataType] = frozenset(),
    ) -> None:
        super().__init__(
            TRADER,
            bus,
            clock,
            client_id=ClientId(client_id),
            venue=None if venue is None else Venue(venue),
        )
        self.calls: list[tuple[str, Any]] = []
        self.requests: list[RequestData] = []
        self.unsupported = unsupported

    def _record(self, name: str, command: SubscribeData | UnsubscribeData) -> None:
        if command.data_type in self.unsupported:
            self._unsupported(command)
        self.calls.append((name, command))

    def subscribe_quotes(self, command: SubscribeData) -> None:
        self._record("subscribe_quotes", command)

    def subscribe_trades(self, command: SubscribeData) -> None:
        self._record("subscribe_trades", command)

    def subscribe_bars(self, command: SubscribeData) -> None:
        self._record("subscribe_bars", command)

    def subscribe_book_deltas(self, command: SubscribeData) -> None:
        self._record("subscribe_book_deltas", command)

    def subscribe_instruments(self, command: SubscribeData) -> None:
        self._record("subscribe_instruments", command)

    def unsubscribe_quotes(self, command: UnsubscribeData) -> None:
        self._record("unsubscribe_quotes", command)

    def unsubscribe_trades(self, command: UnsubscribeData) -> None:
        self._record("unsubscribe_trades", command)

    def unsubscribe_bars(self, command: UnsubscribeData) -> None:
        self._record("unsubscribe_bars", command)

    def unsubscribe_book_deltas(self, command: UnsubscribeData) -> None:
        self._record("unsubscribe_book_deltas", command)

    def request_trades(self, request: RequestData) -> None:
        self.requests.append(request)

    def request_instruments(self, request: RequestData) -> None:
        self.requests.append(request)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


class Kit:
    """A started data engine on a test clock, with a recording subscriber helper."""

    def __init__(
        self,
        config: DataEngineConfig | None = None,
        catalog: ParquetDataCatalog | None = None,
        start_ns: int = T0,
    ) -> None:
        self.clock = TestClock(start_ns)
        self.bus = MessageBus()
        self.cache = Cache()
        self.engine = DataEngine(TRADER, self.bus, self.clock, self.cache, config, catalog=catalog)
        self.engine.start()

    def listen(self, topic: str) -> list[Any]:
        got: list[Any] = []
        self.bus.subscribe(topic, got.append)
        return got

    def client(self, *args: Any, default: bool = False, **kwargs: Any) -> FakeDataClient:
        client = FakeDataClient(self.bus, self.clock, *args, **kwargs)
        self.engine.register_client(client, default=default)
        client.start()
        return client


def subscribe(
    data_type: MarketDataType,
    target: InstrumentId | BarType | None = None,
    subscriber: str | None = None,
    **fields: Any,
) -> SubscribeData:
    return SubscribeData(**_command_fields(data_type, target, subscriber, fields))


def unsubscribe(
    data_type: MarketDataType,
    target: InstrumentId | BarType | None = None,
    subscriber: str | None = None,
    **fields: Any,
) -> UnsubscribeData:
    return UnsubscribeData(**_command_fields(data_type, target, subscriber, fields))


def _command_fields(
    data_type: MarketDataType,
    target: InstrumentId | BarType | None,
    subscriber: str | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    if isinstance(target, BarType):
        fields["bar_type"] = target
    elif target is not None:
        fields["instrument_id"] = target
    if subscriber is not None:
        fields["subscriber_id"] = ComponentId(subscriber)
    return {
        "data_type": data_type,
        "command_id": UUID4(),
        "ts_event": 0,
        "ts_init": 0,
        **fields,
    }


def trade(
    ts: int,
    price: str = "50000.00",
    size: str = "0.10000",
    instrument_id: InstrumentId = BTC,
    ts_init: int | None = None,
) -> TradeTick:
    return TradeTick(
        instrument_id=instrument_id,
        price=Price(price),
        size=Quantity(size),
        aggressor_side=AggressorSide.BUYER,
        trade_id=TradeId(f"T{ts}-{price}"),
        ts_event=ts,
        ts_init=ts if ts_init is None else ts_init,
    )
