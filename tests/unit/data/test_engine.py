"""The data engine: cache first then publish, cheap checks, subscription routing, requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shrivenquant.bus import topics
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.uuid import UUID4
from shrivenquant.data.counters import DataAnomaly
from shrivenquant.data.engine_config import DataEngineConfig
from shrivenquant.model.data import Bar, BarType, QuoteTick
from shrivenquant.model.data_commands import DataResponse, MarketDataType, RequestData
from shrivenquant.model.identifiers import ClientId, Venue
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import CatalogConfig, ParquetDataCatalog
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestDataStubs

from .engine_kit import BTC, ETH, NIFTY, T0, Kit, subscribe, trade, unsubscribe

QUOTES = MarketDataType.QUOTES
TRADES = MarketDataType.TRADES


# -- processing -------------------------------------------------------------------------------


def test_each_record_is_in_the_cache_before_subscribers_see_it() -> None:
    kit = Kit()
    seen: list[tuple[str, bool]] = []
    quote, tick, bar = TestDataStubs.quote_tick(), trade(T0), TestDataStubs.bar()
    instrument = TestInstrumentProvider.btcusdt_binance()
    kit.bus.subscribe(topics.quotes(BTC), lambda q: seen.append(("q", kit.cache.quote(BTC) is q)))
    kit.bus.subscribe(topics.trades(BTC), lambda t: seen.append(("t", kit.cache.trade(BTC) is t)))
    kit.bus.subscribe(
        topics.bars(bar.bar_type), lambda b: seen.append(("b", kit.cache.bar(b.bar_type) is b))
    )
    kit.bus.subscribe(
        topics.instrument(BTC),
        lambda i: seen.append(("i", kit.cache.instrument(BTC) is i)),
    )
    for record in (instrument, quote, tick, bar):
        kit.bus.send(topics.DATA_ENGINE_PROCESS, record)
    assert seen == [("i", True), ("q", True), ("t", True), ("b", True)]
    assert kit.engine.counters.processed == 4


def test_records_go_to_their_own_instrument_topics_only() -> None:
    kit = Kit()
    btc_trades, eth_trades = kit.listen(topics.trades(BTC)), kit.listen(topics.trades(ETH))
    every_trade = kit.listen(topics.trades_all())
    btc, eth = trade(T0), trade(T0 + 1, instrument_id=ETH)
    kit.engine.process(btc)
    kit.engine.process(eth)
    assert btc_trades == [btc]
    assert eth_trades == [eth]
    assert every_trade == [btc, eth]
    assert kit.cache.trade(ETH) is eth


def test_a_zero_size_trade_is_dropped_and_counted() -> None:
    kit = Kit()
    got = kit.listen(topics.trades_all())
    kit.engine.process(trade(T0, size="0"))
    assert got == []
    assert kit.cache.trade(BTC) is None
    assert kit.engine.counters[DataAnomaly.INVALID_DATA] == 1


def test_an_inconsistent_bar_is_dropped() -> None:
    kit = Kit()
    good = TestDataStubs.bar()
    bad = Bar(
        bar_type=good.bar_type,
        open=Price("100"),
        high=Price("90"),
        low=Price("80"),
        close=Price("85"),
        volume=Quantity("1"),
        ts_event=0,
        ts_init=0,
    )
    got = kit.listen(topics.bars_all())
    kit.engine.process(bad)
    kit.engine.process(good)
    assert got == [good]
    assert kit.engine.counters[DataAnomaly.INVALID_DATA] == 1


def test_checks_can_be_turned_off() -> None:
    kit = Kit(DataEngineConfig(validate_data=False))
    kit.engine.process(trade(T0, size="0"))
    assert kit.cache.trade(BTC) is not None
    assert kit.engine.counters[DataAnomaly.INVALID_DATA] == 0


def _crossed() -> QuoteTick:
    return TestDataStubs.quote_tick(bid="50001.00", ask="50000.00")


def test_crossed_quotes_are_counted_and_kept_by_default() -> None:
    kit = Kit()
    got = kit.listen(topics.quotes_all())
    kit.engine.process(_crossed())
    assert len(got) == 1
    assert kit.engine.counters[DataAnomaly.CROSSED_QUOTE] == 1


def test_crossed_quotes_can_be_dropped() -> None:
    kit = Kit(DataEngineConfig(drop_crossed_quotes=True))
    got = kit.listen(topics.quotes_all())
    kit.engine.process(_crossed())
    assert got == []
    assert kit.cache.quote(BTC) is None


def test_an_unknown_message_is_counted_not_published() -> None:
    kit = Kit()
    before = kit.bus.published_count
    kit.engine.process("not data")
    assert kit.engine.counters[DataAnomaly.UNEXPECTED_MESSAGE] == 1
    assert kit.bus.published_count == before


def test_endpoints_live_while_running() -> None:
    kit = Kit()
    assert {
        topics.DATA_ENGINE_EXECUTE,
        topics.DATA_ENGINE_PROCESS,
        topics.DATA_ENGINE_REQUEST,
    } <= set(kit.bus.endpoints())
    kit.engine.stop()
    assert topics.DATA_ENGINE_PROCESS not in kit.bus.endpoints()


def test_config_rejects_unknown_and_bad_fields() -> None:
    with pytest.raises(InvalidInputError, match="unknown data engine config field"):
        DataEngineConfig.from_mapping({"validate": True})
    with pytest.raises(InvalidInputError, match="time_bar_close_delay_ns"):
        DataEngineConfig(time_bar_close_delay_ns=-1)
    with pytest.raises(InvalidInputError, match="maintain_books"):
        DataEngineConfig.from_mapping({"maintain_books": "yes"})


# -- subscriptions ----------------------------------------------------------------------------


def test_a_stream_starts_on_its_first_subscriber_and_stops_on_its_last() -> None:
    kit = Kit()
    client = kit.client()
    for who in ("S-1", "S-2", "S-1"):
        kit.bus.send(topics.DATA_ENGINE_EXECUTE, subscribe(QUOTES, BTC, who))
    assert client.names() == ["subscribe_quotes"]
    assert client.is_subscribed(QUOTES, BTC)
    kit.bus.send(topics.DATA_ENGINE_EXECUTE, unsubscribe(QUOTES, BTC, "S-1"))
    assert client.names() == ["subscribe_quotes"]
    kit.bus.send(topics.DATA_ENGINE_EXECUTE, unsubscribe(QUOTES, BTC, "S-2"))
    assert client.names() == ["subscribe_quotes", "unsubscribe_quotes"]
    assert not client.is_subscribed(QUOTES, BTC)
    assert kit.engine.counters.commands == 5


def test_unsubscribing_what_was_never_subscribed_is_counted() -> None:
    kit = Kit()
    client = kit.client()
    kit.engine.execute(unsubscribe(QUOTES, BTC, "S-1"))
    assert client.calls == []
    assert kit.engine.counters[DataAnomaly.UNKNOWN_SUBSCRIPTION] == 1


def test_commands_are_routed_by_client_id_then_venue_then_default() -> None:
    kit = Kit()
    binance = kit.client("BINANCE", "BINANCE")
    other = kit.client("BINANCE-2", "BINANCE")
    fallback = kit.client("ANY", None, default=True)
    kit.engine.execute(subscribe(QUOTES, BTC))
    kit.engine.execute(subscribe(QUOTES, ETH, client_id=ClientId("BINANCE-2")))
    kit.engine.execute(subscribe(QUOTES, NIFTY))
    assert binance.is_subscribed(QUOTES, BTC)
    assert other.is_subscribed(QUOTES, ETH)
    assert fallback.is_subscribed(QUOTES, NIFTY)
    kit.engine.deregister_client(ClientId("BINANCE"))
    kit.engine.execute(subscribe(TRADES, BTC))
    assert other.is_subscribed(TRADES, BTC)  # the venue's remaining client takes over


def test_without_a_client_the_subscription_is_kept_for_a_replay() -> None:
    kit = Kit()
    kit.engine.execute(subscribe(TRADES, BTC))
    assert (TRADES, BTC) in kit.engine.subscriptions
    assert kit.engine.counters[DataAnomaly.NO_CLIENT] == 1


def test_a_client_refusing_a_stream_leaves_no_subscription() -> None:
    kit = Kit()
    client = kit.client(unsupported=frozenset({QUOTES}))
    kit.engine.execute(subscribe(QUOTES, BTC))
    assert (QUOTES, BTC) not in kit.engine.subscriptions
    assert kit.engine.counters[DataAnomaly.CLIENT_ERROR] == 1
    assert not client.is_subscribed(QUOTES, BTC)
    kit.engine.execute(subscribe(MarketDataType.BOOK_SNAPSHOTS, BTC))  # not overridden at all
    assert kit.engine.counters[DataAnomaly.CLIENT_ERROR] == 2


def test_venue_wide_instrument_subscriptions_route_to_the_venue() -> None:
    kit = Kit()
    client = kit.client()
    kit.engine.execute(subscribe(MarketDataType.INSTRUMENTS, venue=Venue("BINANCE")))
    assert client.is_subscribed(MarketDataType.INSTRUMENTS, Venue("BINANCE"))


def test_external_bars_are_subscribed_from_the_client() -> None:
    kit = Kit()
    client = kit.client()
    bar_type = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
    kit.engine.execute(subscribe(MarketDataType.BARS, bar_type))
    assert client.names() == ["subscribe_bars"]
    assert kit.engine.bars.builders == {}


# -- requests ---------------------------------------------------------------------------------


def _request(data_type: MarketDataType = TRADES, **fields: Any) -> RequestData:
    fields.setdefault("instrument_id", BTC)
    return RequestData(request_id=UUID4(), data_type=data_type, ts_event=0, ts_init=0, **fields)


def test_requests_are_answered_from_the_catalog(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    ticks = [trade(T0 + i * 1_000, price=f"{50000 + i}.00") for i in range(10)]
    catalog.write(ticks)
    catalog.write([TestInstrumentProvider.btcusdt_binance()])
    kit = Kit(catalog=catalog)
    answers: list[DataResponse] = []
    request = _request(start=T0 + 2_000, end=T0 + 9_000, limit=3)
    kit.bus.request(topics.DATA_ENGINE_REQUEST, request, answers.append)
    instruments = _request(MarketDataType.INSTRUMENTS, instrument_id=None, venue=Venue("BINANCE"))
    kit.bus.request(topics.DATA_ENGINE_REQUEST, instruments, answers.append)
    assert answers[0].ok
    assert answers[0].correlation_id == request.request_id
    assert answers[0].data == ticks[6:9]
    assert [i.id for i in answers[1].data] == [BTC]  # type: ignore[union-attr]
    assert kit.cache.instrument(BTC) is not None  # instruments answered are cached
    assert kit.engine.counters.requests == 2


def test_a_named_client_answers_later_through_the_engine() -> None:
    kit = Kit()
    client = kit.client()
    answers: list[DataResponse] = []
    request = _request(MarketDataType.INSTRUMENTS, client_id=ClientId("BINANCE"))
    kit.bus.request(topics.DATA_ENGINE_REQUEST, request, answers.append)
    assert client.requests == [request]
    assert answers == []
    client.respond(request, [TestInstrumentProvider.btcusdt_binance()])
    assert len(answers) == 1
    assert answers[0].ok
    assert kit.cache.instrument(BTC) == TestInstrumentProvider.btcusdt_binance()


def test_without_catalog_the_venue_client_is_asked() -> None:
    kit = Kit()
    client = kit.client()
    request = _request()
    kit.bus.request(topics.DATA_ENGINE_REQUEST, request, lambda r: None)
    assert client.requests == [request]


def test_unservable_requests_get_an_error_response() -> None:
    kit = Kit()
    answers: list[DataResponse] = []
    kit.bus.request(topics.DATA_ENGINE_REQUEST, _request(), answers.append)
    assert answers[0].error is not None
    assert "no data client or catalog" in answers[0].error
    kit.client()
    kit.bus.request(topics.DATA_ENGINE_REQUEST, _request(MarketDataType.QUOTES), answers.append)
    assert answers[1].error is not None
    assert "does not serve QUOTES" in answers[1].error
    assert kit.engine.counters[DataAnomaly.CLIENT_ERROR] == 1


def test_a_failing_catalog_read_becomes_the_error(tmp_path: Path) -> None:
    bad = tmp_path / "trade_tick" / "venue=BINANCE" / "instrument=BTCUSDT.BINANCE"
    bad = bad / "date=2024-01-02"
    bad.mkdir(parents=True)
    (bad / f"part-{T0:020d}-{T0:020d}-00.parquet").write_bytes(b"not parquet")
    kit = Kit(catalog=ParquetDataCatalog(tmp_path))
    answers: list[DataResponse] = []
    kit.bus.request(topics.DATA_ENGINE_REQUEST, _request(), answers.append)
    assert answers[0].error is not None
    assert answers[0].error.startswith("catalog read failed")
