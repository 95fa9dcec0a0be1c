"""The shared behaviour of the columnar containers and the checks their constructors use."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.persistence.catalog.columns import (
    IntArray,
    as_int_array,
    decimal_values,
    dictionary_column,
    rescale,
)
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.schema import (
    DataKind,
)

CodeArray = npt.NDArray[np.int8]


class Columns:
    """Shared behaviour: length checks, slicing and row selection over the array fields."""

    __slots__ = ()
    kind: ClassVar[DataKind]
    price_fields: ClassVar[tuple[str, ...]]
    size_fields: ClassVar[tuple[str, ...]]
    ts_init: IntArray
    ts_event: IntArray
    price_precision: int
    size_precision: int

    def _array_fields(self) -> list[str]:
        return [
            f.name
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if isinstance(getattr(self, f.name), (np.ndarray, pa.Array))
        ]

    def _check_lengths(self) -> None:
        sizes = {name: len(getattr(self, name)) for name in self._array_fields()}
        if len(set(sizes.values())) > 1:
            raise CatalogError(f"{type(self).__name__}: columns differ in length: {sizes}")

    def __len__(self) -> int:
        return len(self.ts_init)

    def slice(self, start: int, stop: int) -> Self:
        """Rows ``start:stop`` (views, no copy)."""
        changes = {name: getattr(self, name)[start:stop] for name in self._array_fields()}
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def take(self, indices: npt.NDArray[np.integer[Any]]) -> Self:
        """The rows at ``indices``, in that order."""
        changes: dict[str, Any] = {}
        for name in self._array_fields():
            column = getattr(self, name)
            if isinstance(column, pa.Array):
                changes[name] = column.take(pa.array(indices))
            else:
                changes[name] = column[indices]
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def is_sorted(self) -> bool:
        """Whether ``ts_init`` never decreases."""
        ts = self.ts_init
        return len(ts) < 2 or bool(np.all(ts[1:] >= ts[:-1]))

    def sorted(self) -> Self:
        """The rows stably sorted by ``ts_init`` (self when already sorted)."""
        if self.is_sorted():
            return self
        return self.take(np.argsort(self.ts_init, kind="stable"))

    def with_precision(self, price_precision: int, size_precision: int) -> Self:
        """The same values at other (larger, or exact smaller) precisions."""
        changes: dict[str, Any] = {
            "price_precision": price_precision,
            "size_precision": size_precision,
        }
        for fields, old, new in (
            (self.price_fields, self.price_precision, price_precision),
            (self.size_fields, self.size_precision, size_precision),
        ):
            for name in fields:
                changes[name] = rescale(getattr(self, name), old, new, name)
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    @classmethod
    def concat(cls, parts: Sequence[Self]) -> Self:
        """Join containers of one series in the given order, at their largest precisions.

        Raises:
            CatalogError: no parts.
        """
        if not parts:
            raise CatalogError(f"{cls.__name__}.concat needs at least one part")
        if len(parts) == 1:
            return parts[0]
        p = max(part.price_precision for part in parts)
        s = max(part.size_precision for part in parts)
        aligned = [part.with_precision(p, s) for part in parts]
        first = aligned[0]
        changes: dict[str, Any] = {}
        for name in first._array_fields():
            columns = [getattr(part, name) for part in aligned]
            if isinstance(columns[0], pa.Array):
                changes[name] = pa.concat_arrays(columns)
            elif any(c.dtype == object for c in columns):
                changes[name] = np.concatenate([c.astype(object) for c in columns])
            else:
                changes[name] = np.concatenate(columns)
        return dataclasses.replace(first, **changes)  # type: ignore[type-var]


def timestamps(values: object, what: str) -> IntArray:
    """Nanosecond timestamps as int64, or `CatalogError` naming ``what``."""
    array = as_int_array(values, what)
    if array.dtype == object:
        raise CatalogError(f"{what} must fit int64 nanoseconds")
    return array


def quantities(values: object, what: str) -> IntArray:
    """Scaled sizes, checked not to be negative (a `Quantity` never is)."""
    array = as_int_array(values, what)
    if array.size and min(array.tolist() if array.dtype == object else [int(array.min())]) < 0:
        raise CatalogError(f"{what} must not be negative (quantities never are)")
    return array


def strings(values: object, what: str, count: int) -> pa.Array:
    """An Arrow string array of ``count`` non-null values (integers are converted)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    array = values if isinstance(values, pa.Array) else pa.array(values)
    if pa.types.is_integer(array.type) or pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    if not pa.types.is_string(array.type):
        raise CatalogError(f"{what} must be strings (or integers), got {array.type}")
    if array.null_count:
        raise CatalogError(f"{what} must not contain nulls")
    if len(array) != count:
        raise CatalogError(f"{what} has {len(array)} values, expected {count}")
    return array


def decimals_at_one_scale(
    table: pa.Table, names: Sequence[str], where: str
) -> tuple[list[IntArray], int]:
    """Read several decimal columns and bring them to one (the largest) scale."""
    found = [decimal_values(table.column(name), f"{where}:{name}") for name in names]
    scale = max(s for _, s in found)
    values = [rescale(v, s, scale, f"{where}:{n}") for (v, s), n in zip(found, names, strict=True)]
    return values, scale


def require_columns(table: pa.Table, names: Sequence[str], where: str) -> None:
    """Raise `CatalogError` naming the columns of ``names`` that ``table`` lacks."""
    missing = [name for name in names if name not in table.column_names]
    if missing:
        raise CatalogError(f"{where}: missing columns {missing}")


def enum_codes(values: object, members: Sequence[Any], what: str, *, nullable: bool) -> CodeArray:
    """Integer codes into ``members`` (-1 allowed when ``nullable``) as int8."""
    array = np.asarray(values)
    dictionary_column(array, [m.name for m in members], what, nullable=nullable)  # checks range
    return array.astype(np.int8, copy=False)


def unsigned(values: object, what: str) -> IntArray:
    """Integers checked not to be negative (unsigned 64-bit in files)."""
    array = as_int_array(values, what)
    if array.size and (min(array.tolist()) if array.dtype == object else int(array.min())) < 0:
        raise CatalogError(f"{what} must not be negative")
    return array


def uint64_column(values: IntArray) -> pa.Array:
    """An Arrow uint64 column of non-negative integers."""
    if values.dtype == object:
        return pa.array(values.tolist(), pa.uint64())
    return pa.array(values.view(np.uint64) if values.dtype == np.int64 else values, pa.uint64())
