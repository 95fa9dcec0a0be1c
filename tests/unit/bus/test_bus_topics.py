"""Topic and endpoint name builders."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.bus import topics
from shrivenquant.bus.matching import check_topic, matches
from shrivenquant.model.identifiers import InstrumentId, StrategyId


@dataclass(frozen=True)
class FakeInstrumentId:
    symbol: str
    venue: str


BTC = FakeInstrumentId("BTCUSDT", "BINANCE")


def test_instrument_topics() -> None:
    assert topics.quotes(BTC) == "data.quotes.BINANCE.BTCUSDT"
    assert topics.trades(BTC) == "data.trades.BINANCE.BTCUSDT"
    assert topics.book_deltas(BTC) == "data.book.deltas.BINANCE.BTCUSDT"
    assert topics.book_snapshots(BTC) == "data.book.snapshots.BINANCE.BTCUSDT"
    assert topics.instrument(BTC) == "data.instrument.BINANCE.BTCUSDT"


def test_builders_accept_model_identifiers() -> None:
    iid = InstrumentId("NIFTY25DEC24000CE.NSE")
    assert topics.quotes(iid) == "data.quotes.NSE.NIFTY25DEC24000CE"
    assert topics.order_events(StrategyId("SMACross-001")) == "events.order.SMACross-001"


def test_strategy_and_account_topics() -> None:
    assert topics.order_events("S-001") == "events.order.S-001"
    assert topics.position_events("S-001") == "events.position.S-001"
    assert topics.account_state("BINANCE-001") == "events.account.BINANCE-001"
    assert topics.risk_events() == "events.risk"
    assert topics.component_state() == "events.component"


def test_bars_topic_uses_str_of_bar_type() -> None:
    class BarType:
        def __str__(self) -> str:
            return "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"

    assert topics.bars(BarType()) == "data.bars.BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"
    assert matches(topics.bars_all(), topics.bars(BarType()))


def test_all_patterns_match_their_topics_and_only_them() -> None:
    nse = FakeInstrumentId("NIFTY", "NSE")
    assert topics.quotes_all() == "data.quotes.*"
    assert topics.quotes_all("BINANCE") == "data.quotes.BINANCE.*"
    assert matches(topics.quotes_all("BINANCE"), topics.quotes(BTC))
    assert not matches(topics.quotes_all("BINANCE"), topics.quotes(nse))
    assert matches(topics.quotes_all(), topics.quotes(nse))
    assert not matches(topics.quotes_all(), topics.trades(nse))
    assert matches(topics.trades_all("NSE"), topics.trades(nse))
    assert matches(topics.book_deltas_all(), topics.book_deltas(BTC))
    assert not matches(topics.book_deltas_all(), topics.book_snapshots(BTC))
    assert matches(topics.book_snapshots_all("BINANCE"), topics.book_snapshots(BTC))
    assert matches(topics.instruments_all(), topics.instrument(BTC))
    assert matches(topics.order_events_all(), topics.order_events("S-1"))
    assert matches(topics.position_events_all(), topics.position_events("S-1"))
    assert matches(topics.account_state_all(), topics.account_state("A-1"))


@pytest.mark.parametrize("bad", ["BTC*", "BTC?", "BTC USDT", "", "BTC\tUSDT"])
def test_builders_reject_wildcards_whitespace_and_empty(bad: str) -> None:
    with pytest.raises(ValueError, match="symbol"):
        topics.quotes(FakeInstrumentId(bad, "BINANCE"))
    with pytest.raises(ValueError, match="strategy id"):
        topics.order_events(bad)
    with pytest.raises(ValueError, match="venue"):
        topics.quotes_all(bad)
    with pytest.raises(ValueError, match="account id"):
        topics.account_state(bad)
    with pytest.raises(ValueError, match="bar type"):
        topics.bars(bad)


def test_endpoint_names() -> None:
    assert topics.EXEC_ENGINE_EXECUTE == "ExecEngine.execute"
    assert topics.EXEC_ENGINE_PROCESS == "ExecEngine.process"
    assert topics.RISK_ENGINE_EXECUTE == "RiskEngine.execute"
    assert topics.DATA_ENGINE_EXECUTE == "DataEngine.execute"
    assert topics.DATA_ENGINE_PROCESS == "DataEngine.process"
    assert topics.PORTFOLIO_UPDATE_ACCOUNT == "Portfolio.update_account"


_NAME = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="-_."),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200)
@given(symbol=_NAME, venue=_NAME)
def test_built_topics_are_concrete_and_caught_by_their_venue_pattern(
    symbol: str, venue: str
) -> None:
    iid = FakeInstrumentId(symbol, venue)
    topic = topics.quotes(iid)
    assert check_topic(topic, allow_wildcards=False) == topic
    assert matches(topics.quotes_all(venue), topic)
    assert matches(topics.quotes_all(), topic)
