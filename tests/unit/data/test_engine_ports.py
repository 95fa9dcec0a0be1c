"""The ports: data commands and requests, the DataClient base, instrument providers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shrivenquant.bus import topics
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.uuid import UUID4
from shrivenquant.data.commands import (
    ANONYMOUS,
    DataClientRouter,
    SubscriptionTable,
    stream_key,
    subscriber_name,
)
from shrivenquant.data.providers import CatalogInstrumentProvider, StaticInstrumentProvider
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.data import BarType
from shrivenquant.model.data_commands import (
    DataResponse,
    MarketDataType,
    RequestData,
    SubscribeData,
)
from shrivenquant.model.identifiers import ClientId, InstrumentId, Venue
from shrivenquant.persistence.catalog import CatalogConfig, ParquetDataCatalog
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .engine_kit import BTC, ETH, FakeDataClient, Kit, subscribe, trade, unsubscribe

BARS_1M = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")


# -- commands and requests --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"data_type": MarketDataType.BARS, "instrument_id": BTC}, "needs a bar_type"),
        ({"data_type": MarketDataType.BARS, "bar_type": BARS_1M, "instrument_id": ETH},
         "is not the instrument of bar type"),
        ({"data_type": MarketDataType.QUOTES}, "needs an instrument_id"),
        ({"data_type": MarketDataType.QUOTES, "instrument_id": BTC, "bar_type": BARS_1M},
         "must not have a bar_type"),
        ({"data_type": MarketDataType.INSTRUMENTS}, "needs an instrument_id or a venue"),
        ({"data_type": MarketDataType.TRADES, "instrument_id": BTC, "venue": Venue("NSE")},
         "is not the venue of instrument"),
        ({"data_type": MarketDataType.BOOK_DELTAS, "instrument_id": BTC, "depth": -1},
         "depth must not be negative"),
    ],
)  # fmt: skip
def test_malformed_subscriptions_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SubscribeData(command_id=UUID4(), ts_event=0, ts_init=0, **fields)  # type: ignore[arg-type]


def test_malformed_requests_are_refused() -> None:
    base = {"request_id": UUID4(), "ts_event": 0, "ts_init": 0, "instrument_id": BTC}
    with pytest.raises(ValueError, match="end 1 is before start 2"):
        RequestData(data_type=MarketDataType.TRADES, start=2, end=1, **base)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        RequestData(data_type=MarketDataType.TRADES, limit=-1, **base)  # type: ignore[arg-type]


def test_decoding_checks_commands_too() -> None:
    codec = MessageCodec()
    good = subscribe(MarketDataType.QUOTES, BTC)
    doc = json.loads(codec.encode_json(good))
    del doc["instrument_id"]
    with pytest.raises(ValueError, match="needs an instrument_id"):
        codec.decode_json(json.dumps(doc))


def test_commands_know_their_venue_and_stream() -> None:
    bars = subscribe(MarketDataType.BARS, BARS_1M, "S-1")
    venue_wide = subscribe(MarketDataType.INSTRUMENTS, venue=Venue("NSE"))
    assert bars.target_venue == Venue("BINANCE")
    assert venue_wide.target_venue == Venue("NSE")
    assert stream_key(bars) == (MarketDataType.BARS, BARS_1M)
    assert stream_key(venue_wide) == (MarketDataType.INSTRUMENTS, Venue("NSE"))
    assert subscriber_name(bars) == "S-1"
    assert subscriber_name(venue_wide) == ANONYMOUS


def test_a_response_answers_its_request() -> None:
    request = RequestData(
        request_id=UUID4(), data_type=MarketDataType.BARS, bar_type=BARS_1M, ts_event=0, ts_init=0
    )
    response = DataResponse.for_request(request, [], ts_init=5, error="timeout")
    assert response.correlation_id == request.request_id
    assert response.bar_type == BARS_1M
    assert not response.ok
    assert response.ts_init == 5


def test_the_subscription_table_counts_subscribers() -> None:
    table = SubscriptionTable()
    key = (MarketDataType.TRADES, BTC)
    assert table.add(key, "a") is True
    assert table.add(key, "b") is False
    assert table.add(key, "b") is False
    assert table.subscribers(key) == {"a", "b"}
    assert table.remove(key, "x") is None
    assert table.remove(key, "a") is False
    assert table.remove(key, "b") is True
    assert key not in table
    assert len(table) == 0


def test_the_router_refuses_duplicate_and_unknown_clients() -> None:
    kit = Kit()
    router = DataClientRouter()
    client = FakeDataClient(kit.bus, kit.clock)
    router.register(client)
    with pytest.raises(ValueError, match="already registered"):
        router.register(FakeDataClient(kit.bus, kit.clock))
    assert router.route(Venue("BINANCE")) is client
    assert router.route(Venue("NSE")) is None
    assert router.route(None, ClientId("BINANCE")) is client
    router.deregister(ClientId("BINANCE"))
    with pytest.raises(KeyError, match="not registered"):
        router.deregister(ClientId("BINANCE"))


# -- the DataClient base ----------------------------------------------------------------------


def test_a_client_sends_its_data_to_the_engine() -> None:
    kit = Kit()
    client = kit.client()
    got = kit.listen(topics.trades(BTC))
    client.send_data(trade(0))
    assert got == [trade(0)]
    assert kit.cache.trade(BTC) == trade(0)


def test_a_client_tracks_its_subscriptions() -> None:
    kit = Kit()
    client = FakeDataClient(kit.bus, kit.clock)
    client.subscribe(subscribe(MarketDataType.BOOK_DELTAS, BTC))
    assert client.subscribed(MarketDataType.BOOK_DELTAS) == {BTC}
    client.unsubscribe(unsubscribe(MarketDataType.BOOK_DELTAS, BTC))
    assert client.subscribed(MarketDataType.BOOK_DELTAS) == frozenset()
    with pytest.raises(NotImplementedError, match="does not serve BOOK_SNAPSHOTS"):
        client.subscribe(subscribe(MarketDataType.BOOK_SNAPSHOTS, BTC))
    assert client.subscribed(MarketDataType.BOOK_SNAPSHOTS) == frozenset()


# -- instrument providers ---------------------------------------------------------------------


async def test_a_static_provider_finds_what_it_was_given() -> None:
    btc = TestInstrumentProvider.btcusdt_binance()
    provider = StaticInstrumentProvider([btc], Venue("BINANCE"))
    await provider.load_all()
    await provider.load(BTC)
    assert provider.find(BTC) is btc
    assert provider.get(BTC) is btc
    assert provider.find(ETH) is None
    assert provider.count == 1
    assert provider.is_loaded
    with pytest.raises(KeyError, match="not loaded"):
        provider.get(ETH)
    with pytest.raises(InvalidInputError, match=r"unknown instruments ETHUSDT\.BINANCE"):
        await provider.load_ids([BTC, ETH])


async def test_a_catalog_provider_loads_the_latest_definitions(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    catalog.write([TestInstrumentProvider.btcusdt_binance(), TestInstrumentProvider.nifty_future()])
    binance = CatalogInstrumentProvider(catalog, Venue("BINANCE"))
    await binance.load_all()
    assert [i.id for i in binance.list_all()] == [BTC]
    everything = CatalogInstrumentProvider(catalog)
    nifty_id = TestInstrumentProvider.nifty_future().id
    await everything.load_ids([nifty_id])
    assert everything.find(nifty_id) == TestInstrumentProvider.nifty_future()
    with pytest.raises(InvalidInputError, match="unknown instruments"):
        await everything.load(InstrumentId("NOPE.NSE"))
