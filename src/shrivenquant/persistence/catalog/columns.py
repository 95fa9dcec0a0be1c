"""Exact conversion between fixed-point values and Arrow decimal columns.

A price or size column is stored as a Parquet DECIMAL: the integer ``value * 10**scale`` with
the scale in the column type, so pandas, polars and DuckDB read human units exactly. The scale
is the display precision of the values (the largest one when a batch mixes precisions).

- ``|value * 10**scale| < 10**18``: ``decimal64(18, scale)``, stored as Parquet INT64 (fast).
- larger (magnitudes of ``10**(18 - scale)`` units or more, rare): ``decimal128(38, scale)``,
  which holds every value the model allows (``|raw| <= 10**27``).

In memory the columnar containers keep the scaled integers as ``int64`` numpy arrays, or as
``object`` arrays of Python ints in the rare case a value does not fit ``int64``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.model.fixed_point import FIXED_PRECISION, STEP
from shrivenquant.persistence.catalog.errors import CatalogError

IntArray: TypeAlias = npt.NDArray[np.int64]
"""Scaled integers: ``int64``, or ``object`` (Python ints) when a value does not fit."""

DECIMAL64_LIMIT: Final = 10**18  # exclusive bound of 18 decimal digits
_INT64_MAX: Final = 2**63 - 1
_MASK64: Final = (1 << 64) - 1


def check_scale(scale: object, what: str) -> int:
    """Return ``scale`` if it is an int 0..9, else raise `CatalogError` naming ``what``."""
    if type(scale) is not int or not 0 <= scale <= FIXED_PRECISION:
        raise CatalogError(f"{what} must be an int 0..{FIXED_PRECISION}, got {scale!r}")
    return scale


def as_int_array(values: object, what: str) -> IntArray:
    """Coerce ``values`` (numpy array, pyarrow integer array or sequence of ints) to int64.

    Python ints beyond int64 are kept exactly in an ``object`` array.

    Raises:
        CatalogError: the values are not integers (floats are refused: they are inexact).
    """
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        if not pa.types.is_integer(values.type):
            raise CatalogError(f"{what} must be integers, got Arrow type {values.type}")
        if values.null_count:
            raise CatalogError(f"{what} must not contain nulls")
        values = values.to_numpy()
    array = np.asarray(values)
    if array.dtype == np.int64:
        return array
    if array.dtype.kind in "iu":
        if array.dtype == np.uint64 and array.size and int(array.max()) > _INT64_MAX:
            return np.array(array.tolist(), dtype=object)
        return array.astype(np.int64)
    if array.dtype == object and all(type(v) is int for v in array.tolist()):
        try:
            return np.array(array.tolist(), dtype=np.int64)
        except OverflowError:
            return array
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    raise CatalogError(f"{what} must be integers, got dtype {array.dtype}")


def decimal_column(
    scaled: IntArray, scale: int, what: str, valid: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """Build a decimal column from integers already multiplied by ``10**scale``.

    ``valid`` (optional) marks the rows that have a value; the others are null.
    """
    check_scale(scale, f"{what} precision")
    count = len(scaled)
    validity = None
    if valid is not None and not valid.all():
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    if scaled.dtype == object:
        words = _decimal128_words(scaled.tolist(), scale, what)
        return pa.Array.from_buffers(
            pa.decimal128(38, scale), count, [validity, pa.py_buffer(words)]
        )
    scaled = np.ascontiguousarray(scaled, dtype=np.int64)
    if count == 0 or (int(scaled.min()) > -DECIMAL64_LIMIT and int(scaled.max()) < DECIMAL64_LIMIT):
        return pa.Array.from_buffers(
            pa.decimal64(18, scale), count, [validity, pa.py_buffer(scaled)]
        )
    words = np.empty((count, 2), dtype=np.int64)
    words[:, 0] = scaled
    words[:, 1] = scaled >> 63  # sign extension to 128 bits
    return pa.Array.from_buffers(pa.decimal128(38, scale), count, [validity, pa.py_buffer(words)])


def _decimal128_words(values: list[int], scale: int, what: str) -> npt.NDArray[np.uint64]:
    limit = 10**38
    words = np.empty((len(values), 2), dtype=np.uint64)
    for row, value in enumerate(values):
        if not -limit < value < limit:
            raise CatalogError(f"{what} row {row}: {value} does not fit a decimal(38, {scale})")
        twos = value & ((1 << 128) - 1)
        words[row, 0] = twos & _MASK64
        words[row, 1] = twos >> 64
    return words


def decimal_values(
    column: pa.Array | pa.ChunkedArray, what: str, *, allow_nulls: bool = False
) -> tuple[IntArray, int]:
    """Return the scaled integers and the scale of a decimal column (zero-copy for decimal64).

    With ``allow_nulls`` the values of null rows are unspecified; the caller masks them.

    Raises:
        CatalogError: the column is not a decimal, has nulls, or has a scale above 9.
    """
    array = _single_chunk(column)
    kind = array.type
    if not pa.types.is_decimal(kind):
        raise CatalogError(f"column {what} must be a decimal, got {kind}")
    if array.null_count and not allow_nulls:
        raise CatalogError(f"column {what} must not contain nulls")
    scale = kind.scale
    if not 0 <= scale <= FIXED_PRECISION:
        raise CatalogError(f"column {what} has scale {scale}; the model keeps at most 9 places")
    count = len(array)
    data = array.buffers()[1]
    if count == 0 or data is None:
        return np.zeros(0, dtype=np.int64), scale
    width = kind.byte_width
    if width == 8:
        return np.frombuffer(data, np.int64, count, array.offset * 8), scale
    if width == 4:
        return np.frombuffer(data, np.int32, count, array.offset * 4).astype(np.int64), scale
    if width != 16:
        raise CatalogError(f"column {what}: unsupported decimal width {width * 8} bits")
    words = np.frombuffer(data, np.int64, 2 * count, array.offset * 16).reshape(count, 2)
    low, high = words[:, 0], words[:, 1]
    if np.array_equal(high, low >> 63):
        return np.ascontiguousarray(low), scale
    ints = [(hi << 64) | (lo & _MASK64) for lo, hi in zip(low.tolist(), high.tolist(), strict=True)]
    return np.array(ints, dtype=object), scale


def _single_chunk(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 1:
            return column.chunk(0)
        return column.combine_chunks()
    return column


def rescale(scaled: IntArray, scale: int, target: int, what: str) -> IntArray:
    """Express ``scaled`` (at ``scale``) at ``target`` places; exact or `CatalogError`."""
    if target == scale:
        return scaled
    if target > scale:
        factor = 10 ** (target - scale)
        if scaled.dtype != object and scaled.size:
            bound = _INT64_MAX // factor
            if int(scaled.max()) <= bound and int(scaled.min()) >= -bound:
                widened: IntArray = scaled * factor
                return widened
        return np.array([v * factor for v in scaled.tolist()], dtype=object)
    factor = 10 ** (scale - target)
    if scaled.size and np.any(scaled % factor):
        raise CatalogError(f"{what}: values are not exact at {target} decimal places")
    if scaled.dtype == object:
        return np.array([v // factor for v in scaled.tolist()], dtype=object)
    narrowed: IntArray = scaled // factor
    return narrowed


def from_raw_list(raws: Sequence[int], precisions: Sequence[int]) -> tuple[IntArray, int]:
    """Scale model raw values to the largest of their precisions: ``(scaled ints, scale)``."""
    scale = max(set(precisions), default=0)
    step = STEP[scale]
    try:
        array = np.array(raws, dtype=np.int64)
    except OverflowError:
        return np.array([raw // step for raw in raws], dtype=object), scale
    return (array // step if step != 1 else array), scale


def dictionary_column(
    codes: npt.NDArray[np.integer[Any]], names: Sequence[str], what: str, *, nullable: bool = False
) -> pa.Array:
    """A dictionary-encoded string column from integer codes into ``names``.

    With ``nullable``, code -1 becomes a null.
    """
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu":
        raise CatalogError(f"{what} codes must be integers, got dtype {codes.dtype}")
    low = -1 if nullable else 0
    if codes.size and (int(codes.min()) < low or int(codes.max()) >= len(names)):
        raise CatalogError(f"{what} codes must be {low}..{len(names) - 1}")
    indices = codes.astype(np.int8, copy=False)
    mask = indices < 0 if nullable and codes.size and int(codes.min()) < 0 else None
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, mask=mask), pa.array(list(names), pa.string())
    )


def dictionary_codes(
    column: pa.Array | pa.ChunkedArray, names: Sequence[str], what: str, *, nullable: bool = False
) -> npt.NDArray[np.int8]:
    """Integer codes into ``names`` for a string or dictionary column (nulls: -1 if nullable).

    Raises:
        CatalogError: a value is not one of ``names``, or the column has nulls it may not have.
    """
    array = _single_chunk(column)
    if array.null_count and not nullable:
        raise CatalogError(f"column {what} must not contain nulls")
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    lookup = {name: code for code, name in enumerate(names)}
    dictionary = array.dictionary.to_pylist()
    unknown = [value for value in dictionary if value not in lookup]
    if unknown:
        raise CatalogError(f"column {what}: unknown values {unknown[:5]} (valid: {list(names)})")
    mapping = np.array([*(lookup[value] for value in dictionary), -1], dtype=np.int8)
    indices = array.indices.fill_null(len(dictionary)) if array.null_count else array.indices
    codes: npt.NDArray[np.int8] = mapping[indices.to_numpy(zero_copy_only=False)]
    return codes


def int_values(column: pa.Array | pa.ChunkedArray, what: str) -> IntArray:
    """An integer column as int64 numpy (zero-copy when possible)."""
    array = _single_chunk(column)
    if not pa.types.is_integer(array.type):
        raise CatalogError(f"column {what} must be integers, got {array.type}")
    if array.null_count:
        raise CatalogError(f"column {what} must not contain nulls")
    values = array.to_numpy(zero_copy_only=False)
    return values if values.dtype == np.int64 else as_int_array(values, what)
