"""Currency definitions, validation and the registry."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model import currency as currency_module
from shrivenquant.model.currency import (
    BNB,
    BTC,
    BUSD,
    ETH,
    EUR,
    FDUSD,
    GBP,
    INR,
    JPY,
    SOL,
    USD,
    USDC,
    USDT,
    XRP,
    Currency,
    CurrencyType,
)

CRYPTO = [USDT, USDC, FDUSD, BUSD, BTC, ETH, BNB, SOL, XRP]
FIAT = {USD: (2, 840), EUR: (2, 978), GBP: (2, 826), JPY: (0, 392), INR: (2, 356)}
CODE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Currency]:
    """A private copy of the registry, so registrations do not leak between tests."""
    copied = dict(currency_module._REGISTRY)
    monkeypatch.setattr(currency_module, "_REGISTRY", copied)
    return copied


def test_fiat_definitions() -> None:
    for currency, (precision, iso4217) in FIAT.items():
        assert currency.precision == precision
        assert currency.iso4217 == iso4217
        assert currency.currency_type is CurrencyType.FIAT
        assert currency.is_fiat()
        assert not currency.is_crypto()


def test_crypto_definitions() -> None:
    for currency in CRYPTO:
        assert currency.precision == 8
        assert currency.iso4217 == 0
        assert currency.currency_type is CurrencyType.CRYPTO
        assert currency.is_crypto()


def test_from_str_returns_the_registered_constant() -> None:
    for currency in [*FIAT, *CRYPTO]:
        assert Currency.from_str(currency.code) is currency
        assert Currency.is_registered(currency.code)
    codes = [c.code for c in Currency.registered()]
    assert codes == sorted(codes)
    assert {"USD", "INR", "USDT", "BTC"} <= set(codes)


@pytest.mark.parametrize("code", ["XYZ", "usdt", "", "US D"])
def test_unknown_code_says_how_to_register(code: str) -> None:
    with pytest.raises(ValueError, match=r"Currency\.register") as info:
        Currency.from_str(code)
    assert repr(code) in str(info.value)


@pytest.mark.usefixtures("registry")
def test_register_and_conflicts() -> None:
    doge = Currency("DOGE", 8, 0, "Dogecoin", CurrencyType.CRYPTO)
    assert not Currency.is_registered("DOGE")
    Currency.register(doge)
    assert Currency.from_str("DOGE") is doge
    Currency.register(Currency("DOGE", 8, 0, "Dogecoin", CurrencyType.CRYPTO))  # identical: no-op
    assert Currency.from_str("DOGE") is doge
    other = Currency("DOGE", 4, 0, "Dogecoin", CurrencyType.CRYPTO)
    with pytest.raises(ValueError, match="already registered"):
        Currency.register(other)
    Currency.register(other, overwrite=True)
    assert Currency.from_str("DOGE").precision == 4
    with pytest.raises(TypeError, match="expected a Currency"):
        Currency.register("DOGE")  # type: ignore[arg-type]


def test_registry_fixture_isolates_registrations() -> None:
    assert not Currency.is_registered("DOGE")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("", 2, 0, "Empty", CurrencyType.FIAT), ValueError),
        (("usd", 2, 0, "Lower", CurrencyType.FIAT), ValueError),
        (("US-D", 2, 0, "Dash", CurrencyType.FIAT), ValueError),
        (("A" * 17, 2, 0, "Long", CurrencyType.FIAT), ValueError),
        ((840, 2, 0, "Number", CurrencyType.FIAT), TypeError),
        (("ABC", 10, 0, "Precise", CurrencyType.FIAT), ValueError),
        (("ABC", -1, 0, "Negative", CurrencyType.FIAT), ValueError),
        (("ABC", True, 0, "Bool", CurrencyType.FIAT), ValueError),
        (("ABC", 2, 1000, "Iso", CurrencyType.FIAT), ValueError),
        (("ABC", 2, 0, " ", CurrencyType.FIAT), ValueError),
        (("ABC", 2, 0, "Type", "fiat"), TypeError),
    ],
)
def test_invalid_definitions_are_rejected(args: tuple, error: type[Exception]) -> None:
    with pytest.raises(error):
        Currency(*args)


@settings(max_examples=200)
@given(code=st.text(alphabet=CODE_CHARS, min_size=1, max_size=16), precision=st.integers(0, 9))
def test_any_valid_code_is_accepted(code: str, precision: int) -> None:
    currency = Currency(code, precision, 0, "Test asset", CurrencyType.COMMODITY)
    assert currency.code == code
    assert str(currency) == code
    assert currency.precision == precision


@settings(max_examples=200)
@given(code=st.text(min_size=1, max_size=16).filter(lambda s: not set(s) <= set(CODE_CHARS)))
def test_codes_outside_a_z_0_9_are_rejected(code: str) -> None:
    with pytest.raises(ValueError, match="invalid currency code"):
        Currency(code, 2, 0, "Test asset", CurrencyType.COMMODITY)


def test_equality_and_hash_by_code() -> None:
    twin = Currency("USD", 4, 840, "Another dollar", CurrencyType.FIAT)
    assert twin == USD
    assert hash(twin) == hash(USD)
    assert USD != EUR
    assert USD != "USD"
    assert len({USD, twin, EUR}) == 2


def test_immutable() -> None:
    with pytest.raises(AttributeError, match="immutable"):
        USD.precision = 3  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        USD._code = "EUR"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del USD._code
    assert USD.code == "USD"


def test_pickle_copy_and_repr() -> None:
    assert pickle.loads(pickle.dumps(USDT)) is USDT
    assert copy.copy(BTC) is BTC
    assert copy.deepcopy(BTC) is BTC
    unregistered = Currency("ZZZ", 3, 0, "Test asset", CurrencyType.COMMODITY)
    loaded = pickle.loads(pickle.dumps(unregistered))
    assert loaded == unregistered
    assert loaded.precision == 3
    assert loaded.currency_type is CurrencyType.COMMODITY
    rebuilt = eval(repr(INR), {"Currency": Currency, "CurrencyType": CurrencyType})
    assert rebuilt == INR
    assert (rebuilt.precision, rebuilt.iso4217, rebuilt.name) == (2, 356, INR.name)
