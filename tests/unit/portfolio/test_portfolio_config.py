"""PortfolioConfig: typed, frozen, unknown keys and bad values rejected with the field named."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import BTC, USD, USDT
from shrivenquant.model.identifiers import AccountId, InstrumentId
from shrivenquant.portfolio import ALL_ACCOUNTS, MarkPriceType, PortfolioConfig


def test_defaults() -> None:
    config = PortfolioConfig()
    assert config.mark_price_type is MarkPriceType.MID
    assert config.base_currency is None
    assert config.bridge_currencies == (USDT, USD)
    assert config.calculated_accounts == frozenset()
    assert dict(config.leverages) == {}
    assert config.journal_account_states is True
    assert not config.calculates(AccountId("BINANCE-001"))


def test_from_mapping_parses_text_values() -> None:
    config = PortfolioConfig.from_mapping(
        {
            "mark_price_type": "last_trade",
            "base_currency": "usdt",
            "bridge_currencies": ["BTC"],
            "calculated_accounts": ["ZERODHA-001"],
            "leverages": {"BTCUSDT-PERP.BINANCE": "20"},
            "default_leverage": 5,
        }
    )
    assert config.mark_price_type is MarkPriceType.LAST_TRADE
    assert config.base_currency == USDT
    assert config.bridge_currencies == (BTC,)
    assert config.calculates(AccountId("ZERODHA-001"))
    assert not config.calculates(AccountId("BINANCE-001"))
    assert config.leverages[InstrumentId("BTCUSDT-PERP.BINANCE")] == Decimal(20)
    assert config.default_leverage == Decimal(5)


def test_all_accounts() -> None:
    config = PortfolioConfig(calculated_accounts=frozenset({ALL_ACCOUNTS}))
    assert config.calculates(AccountId("ANY-1"))


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PortfolioConfig().base_currency = USDT  # type: ignore[misc]
    leverages = PortfolioConfig(leverages={InstrumentId("A.B"): Decimal(2)}).leverages
    with pytest.raises(TypeError):
        leverages[InstrumentId("X.Y")] = Decimal(1)  # type: ignore[index]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"mark_price": "MID"}, "unknown portfolio config field"),
        ({"mark_price_type": "VWAP"}, "mark_price_type"),
        ({"base_currency": "NOPE"}, "base_currency"),
        ({"base_currency": 5}, "base_currency"),
        ({"bridge_currencies": "USDT"}, "bridge_currencies"),
        ({"calculated_accounts": "BINANCE-001"}, "calculated_accounts"),
        ({"calculated_accounts": ["bad id"]}, "calculated_accounts"),
        ({"leverages": {"BTCUSDT-PERP.BINANCE": "0.5"}}, "leverages"),
        ({"leverages": {"BTCUSDT-PERP.BINANCE": 2.0}}, "leverages"),
        ({"leverages": {"BTCUSDT-PERP.BINANCE": "abc"}}, "leverages"),
        ({"leverages": ["x"]}, "leverages"),
        ({"default_leverage": "0"}, "default_leverage"),
        ({"journal_account_states": "yes"}, "journal_account_states"),
    ],
)
def test_invalid_values_name_the_field(values: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError, match=field):
        PortfolioConfig.from_mapping(values)
