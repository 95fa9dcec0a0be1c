"""Wildcard matching and topic validation."""

from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.bus.matching import check_topic, is_pattern, matches


@pytest.mark.parametrize(
    ("pattern", "topic", "expected"),
    [
        ("data.quotes.BINANCE.BTCUSDT", "data.quotes.BINANCE.BTCUSDT", True),
        ("data.quotes.BINANCE.BTCUSDT", "data.quotes.BINANCE.ETHUSDT", False),
        ("data.quotes.BINANCE.BTCUSDT", "data.quotes.BINANCE.BTCUSDTX", False),
        ("data.quotes.BINANCE.*", "data.quotes.BINANCE.BTCUSDT", True),
        ("data.quotes.BINANCE.*", "data.quotes.NSE.NIFTY", False),
        ("data.quotes.BINANCE.*", "data.quotes.BINANCE.", True),
        ("data.quotes.BINANCE.*", "data.quotes.BINANCE", False),
        ("data.quotes.*", "data.quotes.BINANCE.BTCUSDT", True),  # '*' crosses dots
        ("data.*.BINANCE.*", "data.trades.BINANCE.ETHUSDT", True),
        ("data.*.BINANCE.*", "data.trades.NSE.BINANCE", False),
        ("events.order.*", "events.order.S-001", True),
        ("events.order.*", "events.position.S-001", False),
        ("*", "anything.at.all", True),
        ("**", "x", True),
        ("*.BTCUSDT", "data.quotes.BINANCE.BTCUSDT", True),
        ("*.BTCUSDT", "data.quotes.BINANCE.BTCUSDT.X", False),
        ("*a*b*c", "xaybzc", True),
        ("*a*b*c", "xaybzcd", False),
        ("*aab", "aaaab", True),
        ("a*a", "a", False),
        ("events.?", "events.a", True),
        ("events.?", "events.ab", False),
        ("events.?", "events.", False),
        ("?", ".", True),
        ("data.bars.BTC-?-MINUTE", "data.bars.BTC-1-MINUTE", True),
        ("data.bars.BTC-?-MINUTE", "data.bars.BTC-15-MINUTE", False),
        ("a?c*", "abcdef", True),
        ("[x]", "[x]", True),  # brackets are literal
        ("[x]", "x", False),
    ],
)
def test_matches_table(pattern: str, topic: str, expected: bool) -> None:
    assert matches(pattern, topic) is expected


def _escape_brackets(pattern: str) -> str:
    return pattern.replace("[", "[[]")


@settings(max_examples=400)
@given(
    pattern=st.text(alphabet="ab.*?[]", max_size=10),
    topic=st.text(alphabet="ab.[]", max_size=10),
)
def test_matches_agrees_with_fnmatchcase(pattern: str, topic: str) -> None:
    assert matches(pattern, topic) == fnmatch.fnmatchcase(topic, _escape_brackets(pattern))


@settings(max_examples=200)
@given(prefix=st.text(alphabet="ab.", max_size=6), tail=st.text(alphabet="ab.", max_size=6))
def test_star_pattern_matches_every_extension(prefix: str, tail: str) -> None:
    assert matches(prefix + "*", prefix + tail)


def test_is_pattern() -> None:
    assert is_pattern("data.quotes.*")
    assert is_pattern("events.?")
    assert not is_pattern("data.quotes.BINANCE.BTCUSDT")


def test_check_topic_accepts_and_returns_valid_topics() -> None:
    assert check_topic("data.quotes.*", allow_wildcards=True) == "data.quotes.*"
    assert check_topic("events.risk", allow_wildcards=False) == "events.risk"


@pytest.mark.parametrize("bad", ["", "data quotes", "data.\tquotes", "data.quotes\n"])
def test_check_topic_rejects_empty_and_whitespace(bad: str) -> None:
    with pytest.raises(ValueError, match="topic"):
        check_topic(bad, allow_wildcards=True)


def test_check_topic_rejects_wildcards_when_not_allowed() -> None:
    with pytest.raises(ValueError, match="wildcards"):
        check_topic("data.quotes.*", allow_wildcards=False)


def test_check_topic_rejects_non_str_and_names_the_value() -> None:
    with pytest.raises(TypeError, match="endpoint must be str"):
        check_topic(42, allow_wildcards=False, what="endpoint")
