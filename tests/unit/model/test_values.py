"""Price, Quantity and Money: exact fixed-point values checked against Decimal."""

from __future__ import annotations

import copy
import pickle
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
)

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.currency import EUR, INR, JPY, USD, USDT
from shrivenquant.model.values import (
    FIXED_SCALAR,
    MAX_ABS_VALUE,
    MAX_RAW,
    Money,
    Price,
    Quantity,
    round_to_increment,
)

ORACLE = Context(prec=200)  # wide enough that every oracle result below is exact
LIMIT = Decimal(MAX_ABS_VALUE)
ROUNDINGS = [
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_HALF_DOWN,
    ROUND_UP,
    ROUND_DOWN,
    ROUND_CEILING,
    ROUND_FLOOR,
]


def decimals(low: Decimal, high: Decimal, max_places: int = 9) -> st.SearchStrategy[Decimal]:
    """Finite decimals in [low, high] with exactly 0..max_places decimal places."""
    return st.integers(0, max_places).flatmap(
        lambda places: st.decimals(
            min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False
        )
    )


def plain(value: Decimal) -> str:
    """Fixed notation of ``value`` as the value types print it (no negative zero)."""
    return format(value.copy_abs() if value.is_zero() else value, "f")


def places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def in_bounds(value: Decimal) -> bool:
    return abs(value) <= LIMIT


signed = decimals(-LIMIT, LIMIT)
unsigned = decimals(Decimal(0), LIMIT)
SCALARS = [(Price, signed), (Quantity, unsigned)]


# --- construction, parsing and round trips -----------------------------------------------------


@pytest.mark.parametrize(("cls", "values"), SCALARS)
@settings(max_examples=300)
@given(data=st.data())
def test_str_and_decimal_round_trip_exactly(cls: type[Price], values, data) -> None:
    value = data.draw(values)
    made = cls(plain(value))
    assert made.as_decimal() == value
    assert made.precision == places(value)
    assert made.as_decimal().as_tuple().exponent == -places(value)
    assert str(made) == plain(value)
    assert cls.from_str(str(made)) == made
    assert cls.from_str(str(made)).precision == made.precision
    assert cls.from_decimal(value) == made
    assert cls.from_decimal(made.as_decimal()).precision == made.precision
    assert cls(value) == made
    assert cls.from_raw(made.raw, made.precision) == made
    assert made.raw == int(value * FIXED_SCALAR)


@settings(max_examples=300)
@given(value=decimals(-LIMIT, LIMIT), currency=st.sampled_from([USD, JPY, INR, USDT]))
def test_money_str_round_trips_with_currency_precision(value: Decimal, currency) -> None:
    money = Money(value, currency)
    assert money.as_decimal() == value
    assert money.currency is currency
    assert money.precision == max(places(value), currency.precision)
    assert str(money) == f"{plain(value.quantize(Decimal(1).scaleb(-money.precision)))} {currency}"
    parsed = Money.from_str(str(money))
    assert parsed == money
    assert parsed.precision == money.precision
    assert Money.from_raw(money.raw, currency, money.precision) == money
    assert Money.from_decimal(value, currency) == money


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("1.230", "1.230", 3),
        ("+1.5", "1.5", 1),
        ("-0.5", "-0.5", 1),
        ("-.5", "-0.5", 1),
        (".25", "0.25", 2),
        ("5.", "5", 0),
        ("-0", "0", 0),
        ("007.10", "7.10", 2),
        ("1e-3", "0.001", 3),
        ("1.5E2", "150", 0),
        ("-2.50e-7", "-0.000000250", 9),
        ("0.000000001", "0.000000001", 9),
        ("1000000000000000000", "1000000000000000000", 0),
    ],
)
def test_accepted_string_forms(text: str, expected: str, precision: int) -> None:
    for made in (Price(text), Price.from_str(text)):
        assert str(made) == expected
        assert made.precision == precision


@pytest.mark.parametrize(
    "text",
    ["1.2.3", "abc", "", "1e", "nan", "NaN", "inf", "-inf", "Infinity", "1_000", " 1", "1 ",
     "--1", "+-1", ".", "-", "+", "1.-2", "\u0663", "0x10", "1e5.5", "1,5", "e5", "1..2"],
)  # fmt: skip
def test_malformed_strings_raise_value_error_naming_the_input(text: str) -> None:
    for parse in (Price, Price.from_str, Quantity, Quantity.from_str):
        with pytest.raises(ValueError, match="invalid") as info:
            parse(text)
        assert repr(text) in str(info.value)


def test_more_than_nine_places_must_be_rounded_explicitly() -> None:
    for make in (Price, Price.from_str, Quantity.from_str):
        with pytest.raises(ValueError, match="more than 9 decimal places; round it explicitly"):
            make("0.0000000001")
    with pytest.raises(ValueError, match="more than 9 decimal places"):
        Price(Decimal("1.0000000001"), precision=9)
    with pytest.raises(ValueError, match="more than 9 decimal places"):
        Price("1.0000000000")  # ten places given: the precision would be 10
    assert Price("1.0000000000", precision=2) == Price("1.00")
    assert Price.from_decimal(Decimal("1.0000000001"), 9, ROUND_HALF_EVEN) == Price("1")


def test_explicit_precision_must_be_exact() -> None:
    assert str(Price("1.5", precision=3)) == "1.500"
    assert str(Price(7, precision=2)) == "7.00"
    assert Price(Decimal("2.50"), precision=1).precision == 1
    with pytest.raises(ValueError, match="not exactly representable with precision 1"):
        Price("1.25", precision=1)
    for bad in (10, -1, True, 1.0):
        with pytest.raises(ValueError, match=r"precision must be an int 0\.\.9"):
            Price("1", precision=bad)  # type: ignore[arg-type]


def test_float_is_rejected_with_advice() -> None:
    with pytest.raises(TypeError) as info:
        Price(0.1)  # type: ignore[arg-type]
    message = str(info.value)
    assert "str or Decimal" in message
    assert "Price.from_float(value, precision)" in message
    with pytest.raises(TypeError, match=r"Quantity\.from_float"):
        Quantity(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str or Decimal"):
        Money(1.5, USD)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, False, None, [1], object()])
def test_other_types_are_rejected(value: object) -> None:
    with pytest.raises(TypeError, match="must be str, int or Decimal"):
        Price(value)  # type: ignore[arg-type]


def test_from_float_rounds_half_even_through_the_shortest_repr() -> None:
    assert Price.from_float(0.1, 2) == Price("0.10")
    assert Price.from_float(0.1, 2).precision == 2
    assert Price.from_float(2.675, 2) == Price("2.68")  # repr is '2.675': no binary surprise
    assert Price.from_float(0.125, 2) == Price("0.12")
    assert Price.from_float(-0.125, 2, ROUND_HALF_UP) == Price("-0.13")
    assert Quantity.from_float(1e-05, 5) == Quantity("0.00001")
    assert Money.from_float(100.505, USD) == Money("100.50", USD)
    with pytest.raises(ValueError, match="not a finite number"):
        Price.from_float(float("nan"), 2)
    with pytest.raises(TypeError, match="expects float"):
        Price.from_float("0.1", 2)  # type: ignore[arg-type]


def test_from_int_and_from_raw_validate() -> None:
    assert Price.from_int(-3) == Price("-3")
    assert Price.from_raw(1_500_000_000, 1) == Price("1.5")
    with pytest.raises(TypeError):
        Price.from_int(True)
    with pytest.raises(TypeError, match="raw value must be int"):
        Price.from_raw(1.5, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not representable with precision 8"):
        Price.from_raw(1, 8)
    with pytest.raises(ValueError, match="precision must be an int"):
        Price.from_raw(0, 10)


def test_bounds() -> None:
    biggest = Price(MAX_ABS_VALUE)
    assert biggest.raw == MAX_RAW
    assert Price(-MAX_ABS_VALUE).raw == -MAX_RAW
    tick = Price("0.000000001")
    for bad in (MAX_ABS_VALUE + 1, "1000000000000000000.000000001", "1e19", "-1e19"):
        with pytest.raises(ValueError, match="out of range"):
            Price(bad)
    with pytest.raises(ValueError, match="out of range"):
        Price.from_raw(MAX_RAW + 1, 9)
    with pytest.raises(ValueError, match="out of range"):
        Price.from_str("9" * 5000)
    with pytest.raises(OverflowError, match="exceeds the bound"):
        biggest + tick
    with pytest.raises(OverflowError):
        -biggest - tick
    with pytest.raises(OverflowError):
        biggest * 2
    with pytest.raises(OverflowError):
        Money(MAX_ABS_VALUE, USD) + Money(1, USD)


# --- arithmetic against Decimal ----------------------------------------------------------------


def expect(cls: type, value: Decimal):
    """The expected typed result, or the exception type an out-of-range result raises."""
    if not in_bounds(value):
        return OverflowError
    if cls is Quantity and value < 0:
        return ValueError
    return value


def check(operation, expected, precision: int | None = None) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            operation()
        return
    result = operation()
    assert result.as_decimal() == expected
    if precision is not None:
        assert result.precision == precision


@pytest.mark.parametrize(("cls", "values"), SCALARS)
@settings(max_examples=300)
@given(data=st.data())
def test_scalar_arithmetic_agrees_with_decimal(cls: type[Price], values, data) -> None:
    a, b = data.draw(values), data.draw(values)
    x, y = cls(a), cls(b)
    precision = max(x.precision, y.precision)
    check(lambda: x + y, expect(cls, ORACLE.add(a, b)), precision)
    check(lambda: x - y, expect(cls, ORACLE.subtract(a, b)), precision)
    factor = data.draw(st.integers(-(10**6), 10**6))
    check(lambda: x * factor, expect(cls, ORACLE.multiply(a, factor)), x.precision)
    check(lambda: factor * x, expect(cls, ORACLE.multiply(a, factor)), x.precision)
    dec = data.draw(decimals(Decimal(-(10**6)), Decimal(10**6), max_places=12))
    assert x * dec == ORACLE.multiply(a, dec)
    assert dec * x == ORACLE.multiply(a, dec)
    assert x + dec == ORACLE.add(a, dec)
    assert dec - x == ORACLE.subtract(dec, a)
    assert x * y == ORACLE.multiply(a, b)
    assert x * Quantity(abs(b)) == ORACLE.multiply(a, abs(b))
    assert abs(x).as_decimal() == abs(a)
    if cls is Price:
        assert (-x).as_decimal() == -a
        assert (-x).precision == x.precision


@pytest.mark.parametrize(("cls", "values"), SCALARS)
@settings(max_examples=300)
@given(data=st.data())
def test_comparisons_and_hashing_agree_with_decimal(cls: type[Price], values, data) -> None:
    a, b = data.draw(values), data.draw(values)
    x, y = cls(a), cls(b)
    assert (x == y) is (a == b)
    assert (x != y) is (a != b)
    assert (x < y) is (a < b)
    assert (x <= y) is (a <= b)
    assert (x > y) is (a > b)
    assert (x >= y) is (a >= b)
    if a == b:
        assert hash(x) == hash(y)
    wider = cls(a, precision=9)
    assert wider == x
    assert hash(wider) == hash(x)
    assert bool(x) is (a != 0)
    number = data.draw(st.integers(-(10**18), 10**18))
    assert (x < number) is (a < number)
    assert (number <= x) is (number <= a)
    dec = data.draw(decimals(-LIMIT, LIMIT, max_places=12))
    assert (x > dec) is (a > dec)
    assert (dec >= x) is (dec >= a)
    assert x != a  # equality only within one type: see the values module docstring


@settings(max_examples=300)
@given(data=st.data(), currency=st.sampled_from([USD, JPY, USDT]))
def test_money_arithmetic_agrees_with_decimal(data, currency) -> None:
    a, b = data.draw(signed), data.draw(signed)
    x, y = Money(a, currency), Money(b, currency)
    precision = max(x.precision, y.precision)
    check(lambda: x + y, expect(Money, ORACLE.add(a, b)), precision)
    check(lambda: x - y, expect(Money, ORACLE.subtract(a, b)), precision)
    factor = data.draw(st.integers(-(10**6), 10**6))
    check(lambda: x * factor, expect(Money, ORACLE.multiply(a, factor)), x.precision)
    dec = data.draw(decimals(Decimal(-(10**6)), Decimal(10**6), max_places=12))
    assert x * dec == ORACLE.multiply(a, dec)
    assert (-x).as_decimal() == -a
    assert abs(x).currency is currency
    assert (x < y) is (a < b)
    assert (x >= y) is (a >= b)
    assert (x == y) is (a == b)
    if a == b:
        assert hash(x) == hash(y)
    rounded = x.rounded()
    assert rounded.as_decimal() == a.quantize(
        Decimal(1).scaleb(-currency.precision), ROUND_HALF_EVEN, ORACLE
    )
    assert rounded.precision == currency.precision


def test_division_gives_decimal_in_the_current_context() -> None:
    assert Price("1") / 4 == Decimal("0.25")
    assert Price("1.5") / Price("0.5") == Decimal(3)
    assert Price("1") / Decimal(3) == Decimal(1) / Decimal(3)
    assert 3 / Price("1.5") == Decimal(2)
    assert Decimal(3) / Quantity("1.5") == Decimal(2)
    assert Money("10", USD) / Money("4", USD) == Decimal("2.5")
    assert Money("10", USD) / Decimal(4) == Decimal("2.5")
    with pytest.raises(ZeroDivisionError):
        Price("1") / Price("0")


# --- mixing types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Price("1") + 0.1,
        lambda: 0.1 + Price("1"),
        lambda: Price("1") - 0.1,
        lambda: 0.1 - Price("1"),
        lambda: Price("1") * 0.5,
        lambda: 0.5 * Price("1"),
        lambda: Price("1") / 0.5,
        lambda: 0.5 / Price("1"),
        lambda: Price("1") < 0.5,
        lambda: Price("1") <= 0.5,
        lambda: Quantity("1") - 0.5,
        lambda: Money("1", USD) + 0.5,
        lambda: Money("1", USD) * 0.5,
        lambda: Money("1", USD) > 0.5,
    ],
)
def test_mixing_with_float_raises_with_advice(operation) -> None:
    with pytest.raises(TypeError, match=r"float .*convert explicitly"):
        operation()


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Price("1") + Quantity("1"),
        lambda: Quantity("1") - Price("1"),
        lambda: Price("1") + Money("1", USD),
        lambda: Price("1") < Quantity("1"),
        lambda: Price("1") + 1,
        lambda: 1 + Price("1"),
        lambda: Price("1") * True,
        lambda: Money("1", USD) + Decimal(1),
        lambda: Money("1", USD) - 1,
        lambda: Money("1", USD) * Money("1", USD),
        lambda: Price("1").round_to_increment(Quantity("1")),  # type: ignore[arg-type]
    ],
)
def test_unsupported_mixes_raise_type_error(operation) -> None:
    with pytest.raises(TypeError):
        operation()


def test_equality_is_within_one_type() -> None:
    assert Price("1.0") == Price("1.00")
    assert hash(Price("1.0")) == hash(Price("1.00"))
    assert Price("1") != Decimal("1")
    assert Price("1") != 1
    assert Price("1") != Quantity("1")
    assert Money("1", USD) != Money("1", EUR)
    assert len({Price("1.0"), Price("1.00"), Price("2")}) == 2


def test_products_and_decimal_mixes_are_exact_decimals() -> None:
    assert Price("1.5") * Quantity("2.25") == Decimal("3.375")
    assert Quantity("2.25") * Price("1.5") == Decimal("3.375")
    assert Price("1.5") + Decimal("0.25") == Decimal("1.75")
    assert Decimal("0.25") - Price("1.5") == Decimal("-1.25")
    big = Price("999999999999999999.999999999")
    assert big * big == ORACLE.multiply(big.as_decimal(), big.as_decimal())
    assert Money("2.5", USD) * Price("2") == Decimal("5.00")


# --- Quantity and Money rules ------------------------------------------------------------------


def test_quantity_is_never_negative() -> None:
    for make in (
        lambda: Quantity("-1"),
        lambda: Quantity(-1),
        lambda: Quantity.from_str("-0.5"),
        lambda: Quantity.from_raw(-1, 9),
        lambda: Quantity.from_decimal(Decimal("-2")),
        lambda: -Quantity("1"),
        lambda: Quantity("1") * -1,
        lambda: round_to_increment(Decimal("-1"), Quantity("1")),
    ):
        with pytest.raises(ValueError, match="Quantity cannot be negative"):
            make()
    with pytest.raises(ValueError, match=r"Quantity\('1.5'\) - Quantity\('2'\)"):
        Quantity("1.5") - Quantity("2")
    assert Quantity("2") - Quantity("2") == Quantity("0")
    assert -Quantity("0") == Quantity("0")
    assert Quantity("1") - Decimal(3) == Decimal(-2)  # a Decimal result may be negative


def test_money_needs_one_currency() -> None:
    usd, eur = Money("1", USD), Money("1", EUR)
    for operation in (
        lambda: usd + eur,
        lambda: usd - eur,
        lambda: usd < eur,
        lambda: usd / eur,
        lambda: usd.round_to_increment(Money("0.5", EUR)),
    ):
        with pytest.raises(ValueError, match="currency mismatch") as info:
            operation()
        assert "USD" in str(info.value)
        assert "EUR" in str(info.value)


def test_money_precision_and_strings() -> None:
    assert str(Money("100.5", USD)) == "100.50 USD"
    assert str(Money("100.50", USDT)) == "100.50000000 USDT"
    assert str(Money(5, JPY)) == "5 JPY"
    assert Money("0.125", USD).precision == 3
    assert Money("100.50", "USDT") == Money("100.5", USDT)
    assert Money.from_str("100.50 USDT") == Money("100.5", USDT)
    assert Money.from_str("-3 INR").precision == 2
    assert repr(Money("1.5", USD)) == "Money('1.50', 'USD')"
    assert eval(repr(Money("1.5", USD))) == Money("1.5", USD)
    assert Money.from_raw(123, USD) == Money("0.000000123", USD)
    assert Money.from_raw(1_500_000_000, USD).precision == 2
    assert Money("0.135", USD).rounded() == Money("0.14", USD)
    assert Money("0.125", USD).rounded() == Money("0.12", USD)
    assert Money("0.125", USD).rounded(ROUND_UP) == Money("0.13", USD)
    assert Money.from_decimal(Decimal("1.005"), USD, ROUND_HALF_EVEN) == Money("1.00", USD)
    with pytest.raises(ValueError, match="precision 1"):
        Money.from_raw(1_500_000_000, USD, precision=1)
    with pytest.raises(TypeError, match="Currency or a currency code"):
        Money("1", 840)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["100.50", "100.50 usdt", "abc USDT", "100.50  USDT", "100.50 XXX", "1.2.3 USD", ""]
)
def test_malformed_money_strings_name_the_input(text: str) -> None:
    with pytest.raises(ValueError, match="invalid Money") as info:
        Money.from_str(text)
    assert repr(text) in str(info.value)


# --- rounding to increments --------------------------------------------------------------------


def oracle_round(value: Decimal, increment: Decimal, rounding: str) -> Decimal:
    steps = ORACLE.divide(value, increment).quantize(Decimal(1), rounding, ORACLE)
    return ORACLE.multiply(steps, increment)


positive_increments = decimals(Decimal("0.000000001"), Decimal(10**6)).filter(lambda d: d > 0)
moderate = decimals(Decimal(-(10**15)), Decimal(10**15))


@settings(max_examples=400)
@given(
    value=moderate,
    raw_value=decimals(Decimal(-(10**15)), Decimal(10**15), max_places=14),
    increment=positive_increments,
    rounding=st.sampled_from(ROUNDINGS),
)
def test_rounding_to_increment_agrees_with_decimal_quantize(
    value: Decimal, raw_value: Decimal, increment: Decimal, rounding: str
) -> None:
    tick = Price(increment)
    rounded = Price(value).round_to_increment(tick, rounding)
    assert rounded.as_decimal() == oracle_round(value, increment, rounding)
    assert rounded.precision == tick.precision
    assert rounded.is_multiple_of(tick)
    assert Price(value).is_multiple_of(tick) is (value % increment == 0)
    expected = oracle_round(raw_value, increment, rounding)
    assert round_to_increment(raw_value, tick, rounding).as_decimal() == expected
    assert round_to_increment(raw_value, increment, rounding) == expected
    lot = Quantity(increment)
    if value >= 0:
        assert round_to_increment(Quantity(value), lot, rounding) == Quantity(
            oracle_round(value, increment, rounding)
        )
    money = round_to_increment(raw_value, Money(increment, USDT), rounding)
    assert money.as_decimal() == expected
    assert money.currency is USDT


def test_rounding_examples_and_errors() -> None:
    tick = Price("0.05")
    assert Price("1.225").round_to_increment(tick) == Price("1.20")
    assert Price("1.275").round_to_increment(tick) == Price("1.30")
    assert Price("-1.275").round_to_increment(tick, ROUND_FLOOR) == Price("-1.30")
    assert Price("-1.275").round_to_increment(tick, ROUND_DOWN) == Price("-1.25")
    assert Price("1.26").round_to_increment(tick, ROUND_CEILING).precision == 2
    assert round_to_increment(Decimal("0.0149"), Quantity("0.001"), ROUND_DOWN) == Quantity("0.014")
    assert round_to_increment(7, Decimal(5)) == Decimal(5)
    with pytest.raises(ValueError, match="unsupported rounding mode"):
        Price("1").round_to_increment(tick, ROUND_05UP)
    with pytest.raises(ValueError, match="increment must be positive"):
        Price("1").round_to_increment(Price("0"))
    with pytest.raises(ValueError, match="increment must be positive"):
        Price("1").is_multiple_of(Price("-0.5"))
    with pytest.raises(ValueError, match="positive finite Decimal"):
        round_to_increment(Decimal(1), Decimal("NaN"))
    with pytest.raises(TypeError, match="value must be"):
        round_to_increment(1.5, Price("1"))  # type: ignore[call-overload]


# --- the object protocol -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [Price("-1.230"), Quantity("0.00000001"), Money("100.50", USDT), Money("-7", JPY)],
)
def test_pickle_and_copy(value) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        loaded = pickle.loads(pickle.dumps(value, protocol))
        assert loaded == value
        assert type(loaded) is type(value)
        assert loaded.precision == value.precision
        assert str(loaded) == str(value)
    assert copy.copy(value) is value
    assert copy.deepcopy(value) is value
    if isinstance(value, Money):
        assert pickle.loads(pickle.dumps(value)).currency is value.currency


def test_formatting() -> None:
    price = Price("1.230")
    assert repr(price) == "Price('1.230')"
    assert repr(Quantity("3")) == "Quantity('3')"
    assert eval(repr(price)) == price
    assert str(Price("1e-9")) == "0.000000001"
    assert str(Price("-0.000000001")) == "-0.000000001"
    assert str(Price("0.000000000")) == "0.000000000"
    assert f"{price}" == "1.230"
    assert f"{price:.1f}" == "1.2"
    assert f"{price:>8}" == "   1.230"
    assert price.as_double() == 1.23
    assert isinstance(Quantity("2").as_double(), float)


def test_values_are_immutable() -> None:
    price = Price("1")
    with pytest.raises(AttributeError):
        price.raw = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        price.anything = 5  # type: ignore[attr-defined]
    assert not hasattr(price, "__dict__")
    assert +price is price
