"""Exact, vectorised conversion of price and size columns to scaled integers.

A column of decimal strings (``"42283.58000000"``) becomes the integers ``value * 10**p`` at a
precision ``p``, without ever passing through a binary float: the digits are cut and joined
with Arrow string kernels and cast to ``int64`` in one pass. The precision is either given
(an instrument's, and every value must be exact at it) or inferred as the most significant
decimal places any row has (trailing zeros are padding, so ``"0.00100000"`` needs 3).

Arrow decimal and integer columns are exact already; float columns (Parquet files written by
other tools) are read through their shortest round-trip decimal form (``0.1`` is ``"0.1"``),
which is what the writer meant, and then parsed like strings.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from shrivenquant.data.loaders.errors import DataLoadError, SourceRows
from shrivenquant.model.fixed_point import FIXED_PRECISION, MAX_ABS_VALUE, STEP, parse_fixed
from shrivenquant.persistence.catalog import CatalogError
from shrivenquant.persistence.catalog.columns import IntArray, decimal_values

_PLAIN: Final = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_INT64_DIGITS: Final = 18  # every number of 18 digits fits int64
_INT64_MAX: Final = 2**63 - 1


def scaled_values(
    column: pa.Array | pa.ChunkedArray, precision: int | None, what: str, rows: SourceRows
) -> tuple[IntArray, int]:
    """Convert a column of any numeric or string Arrow type to ``(scaled ints, precision)``.

    Args:
        column: strings, decimals, integers or floats.
        precision: the decimal places wanted; None infers the fewest that hold every value.
        what: names the column in errors (``price``).
        rows: names the file and rows in errors.

    Raises:
        DataLoadError: a value is empty, malformed, out of range, or not exact at
            ``precision``; the message names the file, the row and the value.
    """
    if precision is not None and (type(precision) is not int or not 0 <= precision <= 9):
        raise DataLoadError(f"{what} precision must be an int 0..9, got {precision!r}")
    array = _one_chunk(column)
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return parse_decimal_strings(array, precision, what, rows)
    _refuse_nulls(array, what, rows)
    if pa.types.is_floating(kind):
        return parse_decimal_strings(pc.cast(array, pa.string()), precision, what, rows)
    if pa.types.is_integer(kind):
        scaled, target = _scale_integers(array, precision, what, rows)
    elif pa.types.is_decimal(kind):
        try:
            exact, scale = decimal_values(array, what)
        except CatalogError as exc:
            raise DataLoadError(f"{rows.name}: {exc}") from exc
        target = _fewest_places(exact, scale) if precision is None else precision
        scaled = _rescale(exact, scale, target, what, rows)
    else:
        raise DataLoadError(f"{rows.name}: column {what} holds {kind}, expected numbers or strings")
    _check_bound(scaled, target, what, rows)
    return scaled, target


def parse_decimal_strings(
    values: pa.Array | pa.ChunkedArray,
    precision: int | None,
    what: str,
    rows: SourceRows,
    *,
    bounded: bool = True,
) -> tuple[IntArray, int]:
    """Parse decimal strings exactly to ``(scaled ints, precision)`` (see `scaled_values`).

    Plain decimals (``-12.50``, ``.5``, ``7``) take the vectorised path; scientific notation
    (``1e-05``) is parsed row by row. Surrounding whitespace is ignored. With ``bounded``
    (prices and sizes) magnitudes above the model's bound of 10**18 units are refused.
    """
    array = _one_chunk(values)
    if pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    _refuse_nulls(array, what, rows)
    count = len(array)
    if not count:
        return np.zeros(0, dtype=np.int64), precision or 0
    text = pc.utf8_trim_whitespace(array)
    special: dict[int, tuple[int, int]] = {}
    if pc.all(pc.ascii_is_decimal(text)).as_py():  # plain integers: the common timestamp case
        plain = np.ones(count, dtype=bool)
        body, negative = text, np.zeros(count, dtype=bool)
    else:
        plain = _bools(pc.match_substring_regex(text, _PLAIN))
        special = _parse_special(text, np.flatnonzero(~plain), what, rows)
        body = pc.if_else(plain, pc.utf8_ltrim(text, characters="+-"), "0")
        negative = plain & _bools(pc.starts_with(text, "-"))
    length = _ints(pc.binary_length(body))
    dot = _ints(pc.find_substring(body, "."))
    has_dot = dot >= 0
    given = np.where(has_dot, length - dot - 1, 0)
    if has_dot.any():
        kept = _ints(pc.binary_length(pc.ascii_rtrim(body, characters="0")))
        places = np.where(has_dot, np.maximum(kept - dot - 1, 0), 0)
        digits = pc.replace_substring(body, ".", "")
    else:
        places, digits = np.zeros(count, dtype=np.int64), body
    for row, (_, row_places) in special.items():
        places[row] = row_places
    precision = _precision(places, precision, text, what, rows)
    shift = precision - given  # places to add (or, if negative, trailing zeros to remove)
    scaled = _scale(digits, int((length - has_dot).max()), shift)
    if bounded:
        _check_bound(scaled, precision, what, rows)
    if negative.any():
        scaled[negative] = -scaled[negative]
    if special:
        scaled = _with_special(scaled, special, precision)
    return scaled, precision


def _precision(
    places: npt.NDArray[np.int64],
    precision: int | None,
    text: pa.Array,
    what: str,
    rows: SourceRows,
) -> int:
    """The precision given (checked to hold every row exactly) or the one the rows need."""
    most = int(places.max())
    if precision is None:
        if most > FIXED_PRECISION:
            row = int(np.argmax(places))
            raise DataLoadError(
                f"{rows.at(row)}: {what} {text[row].as_py()!r} has more than "
                f"{FIXED_PRECISION} decimal places"
            )
        return most
    if most > precision:
        row = int(np.flatnonzero(places > precision)[0])
        raise DataLoadError(
            f"{rows.at(row)}: {what} {text[row].as_py()!r} is not exact at {precision} "
            f"decimal places (the instrument's precision); round the data first"
        )
    return precision


def _parse_special(
    text: pa.Array, rows_to_parse: npt.NDArray[np.int64], what: str, rows: SourceRows
) -> dict[int, tuple[int, int]]:
    """Rows that are not plain decimals: ``{row: (raw at 10**-9, significant places)}``."""
    found: dict[int, tuple[int, int]] = {}
    for row in rows_to_parse.tolist():
        value = text[row].as_py()
        if not value:
            raise DataLoadError(f"{rows.at(row)}: {what} is empty")
        try:
            raw, _ = parse_fixed(value, what)
        except ValueError as exc:
            raise DataLoadError(f"{rows.at(row)}: {exc}") from exc
        found[row] = (raw, _significant_places(raw))
    return found


def _significant_places(raw: int) -> int:
    for places in range(FIXED_PRECISION + 1):
        if raw % STEP[places] == 0:
            return places
    return FIXED_PRECISION  # pragma: no cover - STEP[9] is 1


def _with_special(
    scaled: IntArray, special: dict[int, tuple[int, int]], precision: int
) -> IntArray:
    values = {row: raw // STEP[precision] for row, (raw, _) in special.items()}
    if scaled.dtype != object and all(abs(v) <= _INT64_MAX for v in values.values()):
        for row, value in values.items():
            scaled[row] = value
        return scaled
    widened = scaled.astype(object)
    for row, value in values.items():
        widened[row] = value
    return widened


def _scale(digits: pa.Array, longest: int, shift: npt.NDArray[np.int64]) -> IntArray:
    """Digit strings (no sign, no point) times ``10**shift``: int64 when every value fits,
    else exact Python ints."""
    if longest <= _INT64_DIGITS + 1:
        try:
            ints = _ints(pc.cast(digits, pa.int64()))
        except pa.ArrowInvalid:  # a 19-digit value beyond int64
            ints = None
        if ints is not None:
            up = 10 ** np.clip(shift, 0, None)
            if not bool((ints > _INT64_MAX // up).any()):
                scaled: IntArray = ints // 10 ** np.clip(-shift, 0, None) * up
                return scaled
    values = [
        int(text) * 10**places if places >= 0 else int(text) // 10**-places
        for text, places in zip(digits.to_pylist(), shift.tolist(), strict=True)
    ]
    return np.array(values, dtype=np.int64 if max(values) <= _INT64_MAX else object)


def _check_bound(scaled: IntArray, precision: int, what: str, rows: SourceRows) -> None:
    limit = MAX_ABS_VALUE * 10**precision
    if scaled.dtype == object:
        beyond = np.array([abs(v) > limit for v in scaled.tolist()], dtype=bool)
    elif limit < _INT64_MAX:
        beyond = np.abs(scaled) > limit
    else:
        return
    if beyond.any():
        row = int(np.flatnonzero(beyond)[0])
        raise DataLoadError(
            f"{rows.at(row)}: {what} is out of range (the magnitude must be at most "
            f"{MAX_ABS_VALUE})"
        )


def _scale_integers(
    array: pa.Array, precision: int | None, what: str, rows: SourceRows
) -> tuple[IntArray, int]:
    values = np.asarray(array.to_numpy(zero_copy_only=False))
    if values.dtype == np.uint64 and values.size and int(values.max()) > _INT64_MAX:
        raise DataLoadError(f"{rows.name}: column {what} has values beyond int64")
    ints = values.astype(np.int64)
    places = precision or 0
    factor = 10**places
    if ints.size and factor > 1:
        bound = _INT64_MAX // factor
        if int(np.abs(ints).max()) > bound:
            return np.array([v * factor for v in ints.tolist()], dtype=object), places
        ints = ints * factor
    return ints, places


def _fewest_places(scaled: IntArray, scale: int) -> int:
    for places in range(scale):
        factor = 10 ** (scale - places)
        if not np.any(scaled % factor):
            return places
    return scale


def _rescale(scaled: IntArray, scale: int, target: int, what: str, rows: SourceRows) -> IntArray:
    if target == scale:
        return scaled
    if target > scale:
        factor = 10 ** (target - scale)
        if scaled.size and int(np.abs(scaled).max()) > _INT64_MAX // factor:
            return np.array([v * factor for v in scaled.tolist()], dtype=object)
        widened: IntArray = scaled * factor
        return widened
    factor = 10 ** (scale - target)
    inexact = np.flatnonzero(scaled % factor)
    if len(inexact):
        row = int(inexact[0])
        raise DataLoadError(
            f"{rows.at(row)}: {what} has more than {target} decimal places (the instrument's "
            f"precision); round the data first"
        )
    narrowed: IntArray = scaled // factor
    return narrowed


def _one_chunk(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 0:
            return pa.array([], column.type)
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _refuse_nulls(array: pa.Array, what: str, rows: SourceRows) -> None:
    if array.null_count:
        row = int(np.flatnonzero(_bools(array.is_null()))[0])
        raise DataLoadError(f"{rows.at(row)}: {what} is empty")


def _ints(array: Any) -> npt.NDArray[np.int64]:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.int64)


def _bools(array: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)
