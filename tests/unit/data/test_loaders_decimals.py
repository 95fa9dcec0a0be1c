"""Exact decimal parsing of price and size columns: strings, decimals, integers and floats."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.data.loaders import DataLoadError, SourceRows, parse_decimal_strings
from shrivenquant.data.loaders.decimals import scaled_values

ROWS = SourceRows("prices.csv", 2, "line")


def as_decimals(scaled: np.ndarray, precision: int) -> list[Decimal]:
    return [Decimal(int(v)).scaleb(-precision) for v in scaled.tolist()]


# Values the model can hold: up to 10**18 units with at most 9 decimal places.
exact_values = st.decimals(
    min_value=Decimal(-(10**18)),
    max_value=Decimal(10**18),
    allow_nan=False,
    allow_infinity=False,
    places=9,
)


def spellings(value: Decimal) -> st.SearchStrategy[str]:
    """Ways files write the same number: padded, signed, leading zeros, spaces."""
    plain = format(value, "f")
    padded = plain + ("" if "." in plain else ".") + "000"
    unsigned = plain.lstrip("-")
    variants = [plain, padded, f" {plain} ", ("-" if value < 0 else "+") + "00" + unsigned]
    return st.sampled_from(variants)


@settings(max_examples=300)
@given(st.lists(exact_values.flatmap(lambda v: st.tuples(st.just(v), spellings(v))), min_size=1))
def test_strings_parse_exactly_at_the_inferred_precision(rows: list[tuple[Decimal, str]]) -> None:
    scaled, precision = parse_decimal_strings(pa.array([text for _, text in rows]), None, "p", ROWS)
    assert as_decimals(scaled, precision) == [value for value, _ in rows]
    # The inferred precision is the fewest places that hold every value.
    needed = max(max(-v.normalize().as_tuple().exponent, 0) if v else 0 for v, _ in rows)
    assert precision == needed


@settings(max_examples=200)
@given(st.lists(exact_values, min_size=1), st.integers(min_value=0, max_value=9))
def test_explicit_precision_accepts_exact_values_and_refuses_others(
    values: list[Decimal], precision: int
) -> None:
    texts = pa.array([format(v, "f") for v in values])
    fits = all(v == v.quantize(Decimal(1).scaleb(-precision)) for v in values)
    if fits:
        scaled, got = parse_decimal_strings(texts, precision, "price", ROWS)
        assert got == precision
        assert as_decimals(scaled, precision) == values
    else:
        with pytest.raises(DataLoadError, match=r"prices\.csv line \d+: price .* not exact"):
            parse_decimal_strings(texts, precision, "price", ROWS)


def test_binance_padding_is_not_precision() -> None:
    scaled, precision = parse_decimal_strings(
        pa.array(["42283.58000000", "0.00100000", "7"]), None, "price", ROWS
    )
    assert precision == 3
    assert scaled.tolist() == [42283580, 1, 7000]


def test_scientific_notation_is_parsed_row_by_row() -> None:
    scaled, precision = parse_decimal_strings(pa.array(["1e-5", "2.5E+2", "3"]), None, "q", ROWS)
    assert precision == 5
    assert scaled.tolist() == [1, 25_000_000, 300_000]


def test_values_beyond_int64_stay_exact_python_ints() -> None:
    scaled, precision = parse_decimal_strings(
        pa.array(["100000000000000000.000000001", "-2"]), None, "volume", ROWS
    )
    assert precision == 9
    assert scaled.dtype == object
    assert scaled.tolist() == [100000000000000000000000001, -2_000_000_000]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["1.5", "abc"], r"prices\.csv line 3: invalid price 'abc'"),
        (["1.5", ""], r"prices\.csv line 3: price is empty"),
        (["1.5", None], r"prices\.csv line 3: price is empty"),
        (["1.5.5"], r"prices\.csv line 2: invalid price '1\.5\.5'"),
        (["nan"], r"line 2: invalid price 'nan'"),
        (["1000000000000000001"], r"line 2: price is out of range"),
        (["0.0000000001"], r"line 2: price '0\.0000000001' has more than 9 decimal places"),
    ],
)
def test_bad_values_name_the_file_and_line(values: list[str | None], message: str) -> None:
    with pytest.raises(DataLoadError, match=message):
        parse_decimal_strings(pa.array(values, pa.string()), None, "price", ROWS)


def test_floats_are_read_through_their_shortest_decimal_form() -> None:
    scaled, precision = scaled_values(pa.array([0.1, 0.25, 3.0]), None, "price", ROWS)
    assert (scaled.tolist(), precision) == ([10, 25, 300], 2)
    with pytest.raises(DataLoadError, match=r"line 2: price '0\.30000000000000004'"):
        scaled_values(pa.array([0.1 + 0.2]), 2, "price", ROWS)


def test_decimal_columns_keep_their_value_at_the_fewest_places() -> None:
    column = pa.array([Decimal("1.500"), Decimal("2.250")], pa.decimal128(10, 3))
    scaled, precision = scaled_values(column, None, "p", ROWS)
    assert (scaled.tolist(), precision) == ([150, 225], 2)
    scaled, precision = scaled_values(column, 4, "p", ROWS)
    assert (scaled.tolist(), precision) == ([15000, 22500], 4)
    with pytest.raises(DataLoadError, match="line 3: p has more than 1 decimal places"):
        scaled_values(column, 1, "p", ROWS)


def test_integer_columns_scale_to_the_precision() -> None:
    scaled, precision = scaled_values(pa.array([1, 2], pa.int32()), 2, "volume", ROWS)
    assert (scaled.tolist(), precision) == ([100, 200], 2)
    with pytest.raises(DataLoadError, match="line 3: volume is empty"):
        scaled_values(pa.array([1, None]), 0, "volume", ROWS)


def test_other_types_are_refused() -> None:
    with pytest.raises(DataLoadError, match="column price holds bool"):
        scaled_values(pa.array([True]), None, "price", ROWS)
    with pytest.raises(DataLoadError, match=r"precision must be an int 0\.\.9"):
        scaled_values(pa.array(["1"]), 10, "price", ROWS)
