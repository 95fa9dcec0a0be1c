"""Instruments: invariants, rounding to tick and lot, notional, limits and codec round trips."""

from __future__ import annotations

from datetime import date
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from fractions import Fraction
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import BTC, INR, USD, USDT
from shrivenquant.model.enums import AssetClass, InstrumentClass, OptionKind, OptionStyle
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.instruments import (
    INSTRUMENT_TYPES,
    CryptoPerpetual,
    CurrencyPair,
    Equity,
    FuturesContract,
    Instrument,
    OptionContract,
    is_valid_isin,
)
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.testkit.instruments import (
    TestInstrumentProvider,
    nifty_lot_size,
    nse_monthly_symbol,
)

CODEC = MessageCodec()
MODES = (
    ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_UP, ROUND_DOWN, ROUND_CEILING,
    ROUND_FLOOR,
)  # fmt: skip

SPOT = TestInstrumentProvider.btcusdt_binance()
PERP = TestInstrumentProvider.btcusdt_perp_binance()
OPTION = TestInstrumentProvider.nifty_option()
FUTURE = TestInstrumentProvider.nifty_future()
EQUITY = TestInstrumentProvider.reliance_nse()


def rebuild(instrument: Instrument, **changes: Any) -> Instrument:
    """The same instrument with some fields changed, built (and validated) afresh."""
    fields = msgspec.structs.asdict(instrument)
    fields.update(changes)
    return type(instrument)(**fields)


def inverse_perp(**changes: Any) -> CryptoPerpetual:
    """A coin-margined BTCUSD perpetual: contracts of 100 USD, settled in BTC."""
    fields: dict[str, Any] = {
        "id": InstrumentId("BTCUSD-PERP.BINANCE"),
        "raw_symbol": Symbol("BTCUSD_PERP"),
        "asset_class": AssetClass.CRYPTOCURRENCY,
        "base_currency": BTC,
        "quote_currency": USD,
        "settlement_currency": BTC,
        "is_inverse": True,
        "price_precision": 1,
        "size_precision": 0,
        "price_increment": Price("0.1"),
        "size_increment": Quantity(1),
        "multiplier": Quantity(100),
        "ts_event": 0,
        "ts_init": 0,
    }
    fields.update(changes)
    return CryptoPerpetual(**fields)


# --- the test kit ------------------------------------------------------------------------------


def test_provider_instruments_have_venue_parameters() -> None:
    assert SPOT.id == InstrumentId("BTCUSDT.BINANCE")
    assert (SPOT.price_increment, SPOT.size_increment) == (Price("0.01"), Quantity("0.00001"))
    assert SPOT.min_notional == Money("5", USDT)
    assert SPOT.maker_fee == SPOT.taker_fee == Decimal("0.001")
    assert SPOT.instrument_class is InstrumentClass.SPOT
    assert PERP.id == InstrumentId("BTCUSDT-PERP.BINANCE")
    assert (PERP.price_increment, PERP.size_increment) == (Price("0.1"), Quantity("0.001"))
    assert PERP.margin_init > PERP.margin_maint > 0
    assert TestInstrumentProvider.ethusdt_binance().base_currency.code == "ETH"
    assert EQUITY.id == InstrumentId("RELIANCE.NSE")
    assert EQUITY.isin == "INE002A01018"
    assert EQUITY.asset_class is AssetClass.EQUITY
    assert FUTURE.id == InstrumentId("NIFTY25DECFUT.NSE")
    assert FUTURE.lot_size == Quantity(75)


def test_nifty_option_follows_the_nse_symbol_convention() -> None:
    assert OPTION.id == InstrumentId("NIFTY25DEC24000CE.NSE")
    assert OPTION.raw_symbol == Symbol("NIFTY25DEC24000CE")
    assert OPTION.strike_price == Price("24000")
    assert OPTION.is_call
    assert OPTION.option_style is OptionStyle.EUROPEAN
    assert (OPTION.price_increment, OPTION.lot_size, OPTION.multiplier) == (
        Price("0.05"), Quantity(75), Quantity(1)
    )  # fmt: skip
    assert OPTION.quote_currency == INR
    assert OPTION.expiration_ns == 1_767_088_800_000_000_000  # 2025-12-30 10:00 UTC
    put = TestInstrumentProvider.nifty_option(23500, OptionKind.PUT, date(2026, 1, 27))
    assert put.id == InstrumentId("NIFTY26JAN23500PE.NSE")
    assert not put.is_call
    assert put.lot_size == Quantity(65)
    old = TestInstrumentProvider.nifty_option(expiry=date(2024, 12, 26), lot_size=25)
    assert old.id == InstrumentId("NIFTY24DEC24000CE.NSE")
    assert old.lot_size == Quantity(25)


def test_nifty_lot_size_by_expiry() -> None:
    assert nifty_lot_size(date(2025, 6, 26)) == 75
    assert nifty_lot_size(date(2025, 12, 30)) == 75
    assert nifty_lot_size(date(2026, 1, 27)) == 65
    with pytest.raises(ValueError, match="pass lot_size explicitly"):
        nifty_lot_size(date(2024, 12, 26))
    assert nse_monthly_symbol("BANKNIFTY", date(2025, 3, 27)) == "BANKNIFTY25MARFUT"
    assert nse_monthly_symbol("NIFTY", date(2025, 3, 27), Decimal("22050.00"), OptionKind.PUT) == (
        "NIFTY25MAR22050PE"
    )


# --- construction invariants -------------------------------------------------------------------

INVALID_CHANGES = [
    (SPOT, {"price_increment": Price("0.010")}, "price_increment 0.010 has precision 3"),
    (SPOT, {"price_precision": 10}, "price_precision must be an int 0..9"),
    (SPOT, {"size_precision": -1}, "size_precision must be an int 0..9"),
    (SPOT, {"price_increment": Price("0.00")}, "price_increment must be > 0"),
    (SPOT, {"price_increment": Price("-0.01")}, "price_increment must be > 0"),
    (SPOT, {"size_increment": Quantity("0.00000")}, "size_increment must be > 0"),
    (SPOT, {"multiplier": Quantity(0)}, "multiplier must be > 0"),
    (SPOT, {"lot_size": Quantity("0.000015")}, "lot_size 0.000015 must be > 0 and a multiple"),
    (SPOT, {"lot_size": Quantity("0")}, "lot_size 0 must be > 0"),
    (
        SPOT,
        {"min_quantity": Quantity("10000")},
        "min_quantity 10000 exceeds max_quantity 9000.00000",
    ),
    (SPOT, {"max_quantity": Quantity("0")}, "max_quantity must be > 0"),
    (SPOT, {"min_price": Price("2000000")}, "min_price 2000000 exceeds max_price"),
    (
        SPOT,
        {"min_notional": Money("10000000", USDT)},
        "min_notional 10000000.00000000 USDT exceeds",
    ),
    (SPOT, {"min_notional": Money("-1", USDT)}, "min_notional must not be negative"),
    (SPOT, {"min_notional": Money("5", INR)}, "max_notional currency USDT differs"),
    (SPOT, {"maker_fee": Decimal(1)}, "maker_fee must be a fraction of notional in"),
    (SPOT, {"taker_fee": Decimal("-1.5")}, "taker_fee must be a fraction of notional in"),
    (SPOT, {"taker_fee": 0.001}, "taker_fee must be a finite Decimal"),
    (SPOT, {"maker_fee": Decimal("NaN")}, "maker_fee must be a finite Decimal"),
    (SPOT, {"margin_init": Decimal("1.5")}, "margin_init must be a fraction of notional in"),
    (SPOT, {"margin_maint": Decimal("-0.1")}, "margin_maint must be a fraction of notional in"),
    (PERP, {"margin_maint": Decimal("0.01")}, "margin_maint 0.01 exceeds margin_init 0.008"),
    (SPOT, {"instrument_class": InstrumentClass.PERPETUAL}, "instrument_class must be SPOT"),
    (SPOT, {"is_inverse": True}, "is_inverse must be False for a CurrencyPair"),
    (SPOT, {"base_currency": USDT}, "base_currency equals the quote currency"),
    (SPOT, {"settlement_currency": BTC}, "settlement_currency BTC must equal the quote"),
    (PERP, {"is_inverse": True}, "settlement_currency USDT must equal the base currency BTC"),
    (PERP, {"base_currency": USDT}, "base_currency equals the quote currency"),
    (FUTURE, {"is_inverse": True}, "is_inverse must be False for a FuturesContract"),
    (FUTURE, {"underlying": " "}, "underlying must be a non-empty str"),
    (FUTURE, {"activation_ns": -1}, "activation_ns must be an int >= 0"),
    (FUTURE, {"expiration_ns": FUTURE.activation_ns}, "expiration_ns .* must be after"),
    (FUTURE, {"lot_size": Quantity("7.5")}, "lot_size 7.5 must be > 0 and a multiple"),
    (EQUITY, {"isin": "INE002A01019"}, "isin 'INE002A01019' is not a valid ISIN"),
    (EQUITY, {"instrument_class": InstrumentClass.SPOT}, "instrument_class must be EQUITY"),
    (OPTION, {"strike_price": Price("24000.02")}, "strike_price 24000.02 is not on the price tick"),
    (OPTION, {"strike_price": Price("0")}, "strike_price must be > 0"),
    (OPTION, {"option_kind": "CALL"}, "option_kind must be an OptionKind"),
    (OPTION, {"option_style": "EUROPEAN"}, "option_style must be an OptionStyle"),
    (OPTION, {"expiration_ns": 0}, "expiration_ns 0 must be after activation_ns"),
]


@pytest.mark.parametrize(("instrument", "changes", "message"), INVALID_CHANGES)
def test_invalid_instrument_names_the_field(
    instrument: Instrument, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        rebuild(instrument, **changes)
    assert str(instrument.id) in str(info.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price_increment": "0.01"}, "price_increment must be of type Price, got str"),
        (
            {"size_increment": Price("0.00001")},
            "size_increment must be of type Quantity, got Price",
        ),
        ({"min_notional": Decimal(5)}, "min_notional must be of type Money, got Decimal"),
        ({"quote_currency": "USDT"}, "quote_currency must be of type Currency"),
        ({"asset_class": "CRYPTOCURRENCY"}, "asset_class must be of type AssetClass"),
    ],
)
def test_wrongly_typed_field_is_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        rebuild(SPOT, **changes)


def test_unchanged_rebuild_is_equal() -> None:
    for instrument in (SPOT, PERP, OPTION, FUTURE, EQUITY):
        assert rebuild(instrument) == instrument


def test_base_instrument_cannot_be_built() -> None:
    fields = msgspec.structs.asdict(SPOT)
    del fields["base_currency"]
    with pytest.raises(TypeError, match="Instrument is a base class"):
        Instrument(**fields)


def test_option_requires_a_lot_size() -> None:
    fields = msgspec.structs.asdict(OPTION)
    del fields["lot_size"]
    with pytest.raises(TypeError, match="lot_size"):
        OptionContract(**fields)


def test_instruments_are_immutable_and_hashable() -> None:
    with pytest.raises(AttributeError):
        SPOT.maker_fee = Decimal(0)  # type: ignore[misc]
    assert len({SPOT, rebuild(SPOT), PERP}) == 2


def test_decoding_an_invalid_instrument_names_the_field() -> None:
    text = CODEC.encode_json(SPOT).replace(b'"maker_fee":"0.001"', b'"maker_fee":"1.5"')
    with pytest.raises(msgspec.ValidationError, match="maker_fee must be a fraction"):
        CODEC.decode_json(text)


@pytest.mark.parametrize(
    ("isin", "valid"),
    [
        ("INE002A01018", True),
        ("US0378331005", True),
        ("INE009A01021", True),
        ("INE002A01019", False),
        ("ine002a01018", False),
        ("INE002A0101", False),
        ("1NE002A01018", False),
        ("INE002A0101X", False),
    ],
)
def test_isin_check_digit(isin: str, valid: bool) -> None:
    assert is_valid_isin(isin) is valid


# --- rounding to tick and lot ------------------------------------------------------------------


def test_make_price_rounds_half_even_by_default() -> None:
    assert str(SPOT.make_price("100.005")) == "100.00"
    assert str(SPOT.make_price("100.015")) == "100.02"
    assert str(SPOT.make_price(100)) == "100.00"
    assert OPTION.make_price("120.075") == Price("120.10")  # 2401.5 ticks -> 2402
    assert OPTION.make_price("120.025") == Price("120.00")  # 2400.5 ticks -> 2400
    assert PERP.make_price(Decimal("65000.05")).precision == 1
    assert str(SPOT.make_price("1.2345e3")) == "1234.50"  # 1234.5 exactly
    assert str(SPOT.make_price("-0.005")) == "0.00"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (ROUND_DOWN, "120.00"),
        (ROUND_UP, "120.05"),
        (ROUND_FLOOR, "120.00"),
        (ROUND_CEILING, "120.05"),
        (ROUND_HALF_UP, "120.05"),
        (ROUND_HALF_DOWN, "120.00"),
        (ROUND_HALF_EVEN, "120.00"),
    ],
)
def test_make_price_explicit_modes_at_a_tie(mode: str, expected: str) -> None:
    assert str(OPTION.make_price("120.025", rounding=mode)) == expected


def test_make_qty_rounds_to_the_lot() -> None:
    assert OPTION.make_qty(100) == Quantity(75)
    assert OPTION.make_qty(113) == Quantity(150)
    assert OPTION.make_qty("112.5") == Quantity(150)  # 1.5 lots, half-even -> 2 lots
    assert OPTION.make_qty(149, rounding=ROUND_DOWN) == Quantity(75)
    assert OPTION.make_qty(76, rounding=ROUND_UP) == Quantity(150)
    assert OPTION.make_qty(30) == Quantity(0)
    assert str(SPOT.make_qty("0.123456")) == "0.12346"
    assert str(SPOT.make_qty("0.123455")) == "0.12346"
    assert str(SPOT.make_qty("0.123465")) == "0.12346"
    assert str(SPOT.make_qty(1)) == "1.00000"
    assert OPTION.quantity_step == Quantity(75)
    assert SPOT.quantity_step == Quantity("0.00001")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (1.5, TypeError, "must not be a float"),
        (True, TypeError, "must be Decimal, str or int"),
        (None, TypeError, "must be Decimal, str or int"),
        ("abc", ValueError, "expected a decimal string"),
        ("nan", ValueError, "expected a decimal string"),
        (" 1", ValueError, "expected a decimal string"),
        ("1_000", ValueError, "expected a decimal string"),
        ("", ValueError, "expected a decimal string"),
        ("1e999999999", ValueError, "out of range"),
        ("1e-999999999", ValueError, "out of range"),
        (Decimal("Infinity"), ValueError, "not a finite number"),
    ],
)
def test_make_price_and_qty_refuse_bad_input(
    value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        SPOT.make_price(value)  # type: ignore[arg-type]
    with pytest.raises(error, match=message):
        SPOT.make_qty(value)  # type: ignore[arg-type]


def test_make_qty_refuses_negative() -> None:
    with pytest.raises(ValueError, match="quantity must not be negative"):
        SPOT.make_qty("-0.001")


TICKS = ("0.01", "0.05", "0.1", "0.25", "0.5", "1", "5", "0.001")


def reference_round(value: Decimal, increment: Decimal, mode: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 200
        return (value / increment).to_integral_value(rounding=mode) * increment


@settings(max_examples=300)
@given(
    st.sampled_from(TICKS),
    st.decimals(
        min_value=Decimal(-(10**7)), max_value=Decimal(10**7), places=6,
        allow_nan=False, allow_infinity=False,
    ),
    st.sampled_from(MODES),
)  # fmt: skip
def test_make_price_matches_decimal_reference(tick: str, value: Decimal, mode: str) -> None:
    increment = Price(tick)
    instrument = rebuild(
        SPOT, price_increment=increment, price_precision=increment.precision, min_price=None,
        max_price=None,
    )  # fmt: skip
    got = instrument.make_price(value, rounding=mode)
    assert got.as_decimal() == reference_round(value, Decimal(tick), mode)
    assert got.precision == instrument.price_precision
    assert instrument.is_valid_price(got)


@settings(max_examples=300)
@given(
    st.integers(1, 500),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(MODES),
)
def test_make_qty_matches_decimal_reference(lot: int, value: Decimal, mode: str) -> None:
    instrument = rebuild(OPTION, lot_size=Quantity(lot), min_quantity=None, max_quantity=None)
    got = instrument.make_qty(value, rounding=mode)
    assert got.as_decimal() == reference_round(value, Decimal(lot), mode)
    assert got.precision == 0
    assert got.is_multiple_of(Quantity(lot))


# --- notional ----------------------------------------------------------------------------------


def test_linear_notional_in_quote_currency() -> None:
    assert SPOT.notional_value(Quantity("0.5"), Price("50000.01")) == Money("25000.005", USDT)
    assert SPOT.notional_value(Quantity("0.00001"), Price("50000.01")) == Money("0.5000001", USDT)
    assert PERP.notional_value(Quantity("0.123"), Price("65000.5")) == Money("7995.0615", USDT)
    assert PERP.notional_currency == USDT


def test_option_notional_uses_lots_and_multiplier() -> None:
    two_lots = OPTION.qty_for_lots(2)
    assert two_lots == Quantity(150)
    assert OPTION.notional_value(two_lots, Price("120.05")) == Money("18007.50", INR)
    tenfold = rebuild(OPTION, multiplier=Quantity(10))
    assert tenfold.notional_value(two_lots, Price("120.05")) == Money("180075.00", INR)
    assert FUTURE.notional_value(FUTURE.qty_for_lots(1), Price("24000.10")) == Money(
        "1800007.50", INR
    )


def test_linear_notional_rounds_once_to_the_currency() -> None:
    fractional = rebuild(OPTION, multiplier=Quantity("0.5"))  # 75 * 0.5 * 0.05 = 1.875
    assert fractional.notional_value(Quantity(75), Price("0.05")) == Money("1.88", INR)
    assert fractional.notional_value(Quantity(75), Price("0.05"), ROUND_DOWN) == Money("1.87", INR)


def test_inverse_notional_in_base_currency() -> None:
    perp = inverse_perp()
    assert perp.notional_currency == BTC
    assert perp.notional_value(Quantity(10), Price("50000.0")) == Money("0.02", BTC)
    assert perp.notional_value(Quantity(10), Price("30000.0")) == Money("0.03333333", BTC)
    assert perp.notional_value(Quantity(10), Price("30000.0"), ROUND_UP) == Money("0.03333334", BTC)
    assert perp.notional_value(Quantity(2), Price("60000.0")) == Money("0.00333333", BTC)
    with pytest.raises(ValueError, match="positive price"):
        perp.notional_value(Quantity(1), Price("0"))


@settings(max_examples=300)
@given(
    st.integers(0, 10**6),
    st.integers(1, 10**8),
    st.sampled_from([ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN, ROUND_UP, ROUND_FLOOR]),
)
def test_inverse_notional_is_correctly_rounded(contracts: int, tenths: int, mode: str) -> None:
    price = Price.from_raw(tenths * 10**8, 1)
    got = inverse_perp().notional_value(Quantity(contracts), price, mode)
    exact = Fraction(contracts * 100) / Fraction(price.as_decimal()) * 10**8
    floor, remainder = divmod(exact.numerator, exact.denominator)
    if mode in (ROUND_DOWN, ROUND_FLOOR) or not remainder:
        units = floor
    elif mode == ROUND_UP:
        units = floor + 1
    elif mode == ROUND_HALF_UP:
        units = floor + (2 * remainder >= exact.denominator)
    else:
        units = round(exact)  # Fraction rounds half to even
    assert got == Money(Decimal(units).scaleb(-8), BTC)
    assert got.currency == BTC


# --- validity checks ---------------------------------------------------------------------------


def test_is_valid_price() -> None:
    assert SPOT.is_valid_price(Price("65000.01"))
    assert SPOT.is_valid_price(Price("65000.1"))  # on tick at a lower precision
    assert not SPOT.is_valid_price(Price("65000.015"))
    assert not SPOT.is_valid_price(Price("0"))  # below min_price
    assert not SPOT.is_valid_price(Price("1000000.01"))  # above max_price
    assert OPTION.is_valid_price(Price("0.05"))
    assert not OPTION.is_valid_price(Price("0.07"))
    assert EQUITY.is_valid_price(Price("1400.10"))
    assert EQUITY.is_valid_price(Price("-5"))  # no price limits set


def test_is_valid_qty() -> None:
    assert OPTION.is_valid_qty(Quantity(75))
    assert OPTION.is_valid_qty(Quantity(1800))
    assert not OPTION.is_valid_qty(Quantity(100))  # not whole lots
    assert not OPTION.is_valid_qty(Quantity(1875))  # above the freeze quantity
    assert not OPTION.is_valid_qty(Quantity(0))
    assert SPOT.is_valid_qty(Quantity("0.00001"))
    assert not SPOT.is_valid_qty(Quantity("0.000015"))
    assert not SPOT.is_valid_qty(Quantity("9000.00001"))
    assert not PERP.is_valid_qty(Quantity("0.0005"))


def test_qty_for_lots() -> None:
    assert FUTURE.qty_for_lots(3) == Quantity(225)
    assert FUTURE.qty_for_lots(0) == Quantity(0)
    with pytest.raises(ValueError, match="has no lot_size"):
        SPOT.qty_for_lots(1)
    with pytest.raises(ValueError, match="lots must be an int >= 0"):
        FUTURE.qty_for_lots(-1)


# --- codec round trips -------------------------------------------------------------------------


def test_every_instrument_type_is_known_to_the_codec() -> None:
    assert set(INSTRUMENT_TYPES) <= set(CODEC.types)
    assert Instrument not in CODEC.types


@st.composite
def common_fields(draw: st.DrawFn) -> dict[str, Any]:
    price_precision = draw(st.integers(0, 9))
    size_precision = draw(st.integers(0, 9))
    price_increment = Price.from_raw(
        draw(st.integers(1, 1000)) * 10 ** (9 - price_precision), price_precision
    )
    size_increment = Quantity.from_raw(
        draw(st.integers(1, 1000)) * 10 ** (9 - size_precision), size_precision
    )
    rates = st.decimals(
        min_value=Decimal("-0.01"), max_value=Decimal("0.1"), places=6,
        allow_nan=False, allow_infinity=False,
    )  # fmt: skip
    margin_init = draw(st.decimals(min_value=0, max_value=1, places=4))
    margin_maint = draw(st.decimals(min_value=0, max_value=margin_init, places=4))
    max_quantity = draw(st.none() | st.just(size_increment * 1000))
    min_price = draw(st.none() | st.just(price_increment))
    return {
        "ts_event": draw(st.integers(0, 2**63 - 1)),
        "ts_init": draw(st.integers(0, 2**63 - 1)),
        "price_precision": price_precision,
        "size_precision": size_precision,
        "price_increment": price_increment,
        "size_increment": size_increment,
        "multiplier": draw(st.sampled_from([Quantity(1), Quantity(100), Quantity("0.001")])),
        "min_quantity": draw(st.none() | st.just(size_increment)),
        "max_quantity": max_quantity,
        "min_price": min_price,
        "max_price": draw(st.none() | st.just(price_increment * 10**6)),
        "min_notional": draw(st.none() | st.just(Money("5", USDT))),
        "maker_fee": draw(rates),
        "taker_fee": draw(rates),
        "margin_init": margin_init,
        "margin_maint": margin_maint,
    }


def venue_id(draw: st.DrawFn) -> dict[str, Any]:
    symbol = draw(st.from_regex(r"[A-Z0-9]{2,12}(-PERP)?", fullmatch=True))
    venue = draw(st.sampled_from(["BINANCE", "NSE", "SIM"]))
    return {"id": InstrumentId.from_parts(symbol, venue), "raw_symbol": Symbol(symbol)}


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    fields = draw(common_fields()) | venue_id(draw)
    kind = draw(st.sampled_from(INSTRUMENT_TYPES))
    activation: int = draw(st.integers(0, 2**62))
    dates: dict[str, Any] = {
        "activation_ns": activation,
        "expiration_ns": activation + draw(st.integers(1, 2**62)),
        "underlying": "NIFTY",
    }
    if kind is CurrencyPair:
        return CurrencyPair(
            **fields, asset_class=AssetClass.CRYPTOCURRENCY, base_currency=BTC,
            quote_currency=USDT, settlement_currency=USDT,
        )  # fmt: skip
    if kind is CryptoPerpetual:
        inverse = draw(st.booleans())
        return CryptoPerpetual(
            **fields, asset_class=AssetClass.CRYPTOCURRENCY, base_currency=BTC,
            quote_currency=USD if inverse else USDT,
            settlement_currency=BTC if inverse else USDT, is_inverse=inverse,
        )  # fmt: skip
    if kind is FuturesContract:
        return FuturesContract(
            **fields, **dates, asset_class=AssetClass.INDEX, quote_currency=INR,
            settlement_currency=INR, lot_size=fields["size_increment"] * 75,
        )  # fmt: skip
    if kind is Equity:
        return Equity(
            **fields, quote_currency=INR, settlement_currency=INR,
            isin=draw(st.sampled_from([None, "INE002A01018", "US0378331005"])),
        )  # fmt: skip
    return OptionContract(
        **fields, **dates, asset_class=AssetClass.INDEX, quote_currency=INR,
        settlement_currency=INR, lot_size=fields["size_increment"] * draw(st.integers(1, 100)),
        strike_price=fields["price_increment"] * draw(st.integers(1, 10**6)),
        option_kind=draw(st.sampled_from(OptionKind)),
        option_style=draw(st.sampled_from(OptionStyle)),
    )  # fmt: skip


@settings(max_examples=300)
@given(instruments())
def test_every_instrument_round_trips_exactly(instrument: Instrument) -> None:
    packed = CODEC.encode(instrument)
    decoded = CODEC.decode(packed)
    assert type(decoded) is type(instrument)
    assert decoded == instrument
    assert CODEC.encode(decoded) == packed  # same precisions, same bytes
    text = CODEC.encode_json(instrument)
    from_json = CODEC.decode_json(text)
    assert from_json == instrument
    assert CODEC.encode_json(from_json) == text


def test_provider_instruments_round_trip() -> None:
    for instrument in (SPOT, PERP, OPTION, FUTURE, EQUITY, inverse_perp()):
        assert CODEC.decode(CODEC.encode(instrument)) == instrument
        assert CODEC.decode_json(CODEC.encode_json(instrument)) == instrument
