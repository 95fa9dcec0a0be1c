"""Identifiers: kinds never equal each other, and every way of making one keeps its hash."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import USDT, Currency
from shrivenquant.model.data import TradeTick
from shrivenquant.model.enums import AggressorSide
from shrivenquant.model.identifiers import (
    ALL_IDENTIFIER_TYPES,
    AccountId,
    ClientOrderId,
    Identifier,
    InstrumentId,
    TradeId,
    VenueOrderId,
)
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import CatalogConfig, ParquetDataCatalog

# Strings every identifier kind accepts: InstrumentId needs a dot, AccountId a dash.
values = st.from_regex(r"[A-Za-z0-9]{1,8}-[A-Za-z0-9]{1,8}\.[A-Z]{1,6}", fullmatch=True)
kinds = st.sampled_from(ALL_IDENTIFIER_TYPES)


def _made_every_way(cls: type[Identifier], value: str) -> list[Identifier]:
    made = cls(value)
    return [
        made,
        cls.from_wire(value),
        pickle.loads(pickle.dumps(made)),
        copy.deepcopy(made),
        copy.copy(made),
    ]


@given(values, kinds, kinds)
def test_different_kinds_never_compare_equal(
    value: str, a: type[Identifier], b: type[Identifier]
) -> None:
    left, right = a(value), b(value)
    assert (left == right) is (a is b)
    assert (left != right) is (a is not b)
    assert left != value
    assert value != left
    assert len({left, right}) == (1 if a is b else 2)
    assert len({left: 1, right: 2}) == (1 if a is b else 2)


@given(values, kinds)
def test_every_constructor_path_keeps_the_strings_hash(value: str, cls: type[Identifier]) -> None:
    for made in _made_every_way(cls, value):
        assert type(made) is cls
        assert made.value == value
        assert hash(made) == hash(value)
        assert made == cls(value)
        assert {cls(value): "found"}[made] == "found"


def test_decoded_messages_hash_their_identifiers(tmp_path: Path) -> None:
    tick = TradeTick(
        instrument_id=InstrumentId("BTCUSDT.BINANCE"),
        price=Price("50000.05"),
        size=Quantity("0.25000"),
        aggressor_side=AggressorSide.BUYER,
        trade_id=TradeId("T-123"),
        ts_event=1,
        ts_init=2,
    )
    codec = MessageCodec()
    decoded = [
        codec.decode(codec.encode(tick)),
        codec.decode_json(codec.encode_json(tick)),
    ]
    catalog = ParquetDataCatalog(tmp_path / "catalog", CatalogConfig(fsync=False))
    catalog.write([tick])
    decoded.extend(catalog.trade_ticks([tick.instrument_id]))  # writes the slots directly
    for back in decoded:
        assert isinstance(back, TradeTick)
        assert back == tick
        assert hash(back.trade_id) == hash("T-123")
        assert {TradeId("T-123"): 1}[back.trade_id] == 1
        assert hash(back.instrument_id) == hash("BTCUSDT.BINANCE")


def test_identifiers_stay_immutable() -> None:
    oid = ClientOrderId("O-1")
    with pytest.raises(AttributeError):
        oid._value = "O-2"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        oid._hash = 5  # type: ignore[misc]
    assert hash(oid) == hash("O-1")
    assert VenueOrderId("O-1") != oid
    assert AccountId("SIM-001").issuer == "SIM"


def test_currency_hash_is_its_codes() -> None:
    assert hash(USDT) == hash("USDT")
    assert hash(pickle.loads(pickle.dumps(USDT))) == hash("USDT")
    assert hash(Currency.from_str("USDT")) == hash("USDT")
    with pytest.raises(AttributeError):
        USDT._hash = 1  # type: ignore[misc]


@pytest.mark.parametrize("bad", ["", "has space", "tab\there", "x" * 10_000])
@pytest.mark.parametrize("cls", [TradeId, VenueOrderId, ClientOrderId])
def test_from_wire_refuses_what_the_constructor_refuses(cls: type[Identifier], bad: str) -> None:
    with pytest.raises(ValueError) as from_wire:
        cls.from_wire(bad)
    with pytest.raises(ValueError) as constructed:
        cls(bad)
    assert str(from_wire.value) == str(constructed.value)
