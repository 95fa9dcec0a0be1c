"""Which source column holds what: column maps for bars, trades and quotes, and CSV layout."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from shrivenquant.data.loaders.errors import DataLoadError, SourceRows

_BUYER: Final = frozenset({"buy", "b", "buyer", "bid"})
_SELLER: Final = frozenset({"sell", "s", "seller", "ask", "offer"})
_NEITHER: Final = frozenset({"", "n", "none", "no_aggressor", "unknown"})
_TRUE: Final = frozenset({"true", "t", "1", "yes", "y"})
_FALSE: Final = frozenset({"false", "f", "0", "no", "n"})


@dataclass(frozen=True, slots=True)
class BarColumns:
    """Source columns of OHLCV bars.

    Args:
        ts: the bar's timestamp.
        open, high, low, close: prices.
        volume: traded size; None when the source has none (volume 0).
        label: whether ``ts`` is the bar's ``open`` time (most files) or its ``close`` time.
            The catalog keys bars by close time, so open times are moved by the bar interval.
    """

    ts: str = "timestamp"
    open: str = "open"
    high: str = "high"
    low: str = "low"
    close: str = "close"
    volume: str | None = "volume"
    label: str = "open"

    def __post_init__(self) -> None:
        if self.label not in ("open", "close"):
            raise DataLoadError(f"bar label must be 'open' or 'close', got {self.label!r}")


@dataclass(frozen=True, slots=True)
class TradeColumns:
    """Source columns of trades.

    Args:
        ts: the trade time.
        price, size: the trade's price and size.
        trade_id: the venue's trade id; None makes ids ``<ts_event>-<n>`` (n counts trades
            at the same time).
        side: the aggressor side as text (``buy``/``sell``, ``b``/``s``, ``buyer``/``seller``;
            empty is no aggressor); None when not given.
        buyer_maker: a boolean column, true when the buyer was the maker (the seller
            aggressed), as in Binance files; used when ``side`` is None.
    """

    ts: str = "timestamp"
    price: str = "price"
    size: str = "size"
    trade_id: str | None = "trade_id"
    side: str | None = None
    buyer_maker: str | None = None


@dataclass(frozen=True, slots=True)
class QuoteColumns:
    """Source columns of best bid/ask quotes."""

    ts: str = "timestamp"
    bid_price: str = "bid_price"
    ask_price: str = "ask_price"
    bid_size: str = "bid_size"
    ask_size: str = "ask_size"


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """How a CSV file is laid out.

    Args:
        delimiter: the field separator.
        header: whether the first line (after ``skip_rows``) names the columns.
        names: column names for a file without a header; when None such columns are named
            by position: ``"0"``, ``"1"``, ...
        skip_rows: lines to skip before the header or the first data line.
    """

    delimiter: str = ","
    header: bool = True
    names: tuple[str, ...] | None = None
    skip_rows: int = 0

    def __post_init__(self) -> None:
        if len(self.delimiter) != 1:
            raise DataLoadError(f"delimiter must be one character, got {self.delimiter!r}")
        if self.skip_rows < 0:
            raise DataLoadError(f"skip_rows must be >= 0, got {self.skip_rows}")


ColumnsT = TypeVar("ColumnsT", BarColumns, TradeColumns, QuoteColumns)


def column_map(given: ColumnsT | Mapping[str, Any] | None, kind: type[ColumnsT]) -> ColumnsT:
    """A column map from an instance, a mapping of its fields (``{"ts": "Date"}``) or None.

    Raises:
        DataLoadError: the mapping names a field the map does not have.
    """
    if given is None:
        return kind()
    if isinstance(given, kind):
        return given
    if not isinstance(given, Mapping):
        raise DataLoadError(f"columns must be a {kind.__name__} or a mapping, got {given!r}")
    fields = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(given) - fields)
    if unknown:
        raise DataLoadError(
            f"unknown {kind.__name__} fields {unknown} (valid: {', '.join(sorted(fields))})"
        )
    return kind(**given)


def aggressor_codes(column: pa.Array, what: str, rows: SourceRows) -> npt.NDArray[np.int8]:
    """Aggressor side text to catalog codes: 0 no aggressor, 1 buyer, 2 seller."""
    encoded = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(column, ""))).dictionary_encode()
    mapping = []
    for value in encoded.dictionary.to_pylist():
        if value in _BUYER:
            mapping.append(1)
        elif value in _SELLER:
            mapping.append(2)
        elif value in _NEITHER:
            mapping.append(0)
        else:
            mapping.append(-1)
    indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False))
    codes: npt.NDArray[np.int8] = np.array(mapping, dtype=np.int8)[indices]
    _refuse_unknown(codes < 0, column, what, rows, "buy/sell, b/s or buyer/seller")
    return codes


def buyer_maker_codes(column: pa.Array, what: str, rows: SourceRows) -> npt.NDArray[np.int8]:
    """A buyer-is-maker flag to aggressor codes: true is a selling aggressor (2), false buying."""
    if pa.types.is_boolean(column.type):
        if column.null_count:
            row = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
            raise DataLoadError(f"{rows.at(row)}: {what} is empty")
        flags = np.asarray(column.to_numpy(zero_copy_only=False), dtype=bool)
        return np.where(flags, 2, 1).astype(np.int8)
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(column.cast(pa.string()), "")))
    true = _bools(pc.is_in(text, pa.array(sorted(_TRUE))))
    false = _bools(pc.is_in(text, pa.array(sorted(_FALSE))))
    _refuse_unknown(~(true | false), column, what, rows, "true/false")
    return np.where(true, 2, 1).astype(np.int8)


def _refuse_unknown(
    bad: npt.NDArray[np.bool_], column: pa.Array, what: str, rows: SourceRows, expected: str
) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataLoadError(f"{rows.at(row)}: {what} {column[row].as_py()!r} is not {expected}")


def _bools(array: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)
