"""Columnar containers: one series of market data as numpy arrays, in the catalog's units.

Prices and sizes are scaled integers (``value * 10**precision``) with one precision per kind of
value, so ``Price("50000.12")`` at precision 2 is ``5000012``. This is the form the catalog
writes and reads without per-row work, and the form the vectorised bar builders consume.
Timestamps are int64 nanoseconds since the Unix epoch (UTC).

Every container is immutable; `take` and `slice` return new containers, ``to_table`` gives the
Arrow table the catalog stores, and ``from_table`` reads one back (any decimal scale).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog.book_arrays import BookDeltaArrays
from shrivenquant.persistence.catalog.columnar import (
    CodeArray,
    Columns,
    decimals_at_one_scale,
    quantities,
    require_columns,
    strings,
    timestamps,
)
from shrivenquant.persistence.catalog.columns import (
    IntArray,
    as_int_array,
    check_scale,
    decimal_column,
    decimal_values,
    dictionary_codes,
    dictionary_column,
    int_values,
)
from shrivenquant.persistence.catalog.schema import AGGRESSOR_SIDES, DataKind

__all__ = ["BarArrays", "BookDeltaArrays", "ColumnarData", "QuoteTickArrays", "TradeTickArrays"]


@dataclass(frozen=True, slots=True)
class TradeTickArrays(Columns):
    """Trades of one instrument.

    ``aggressor_side`` holds codes 0 NO_AGGRESSOR, 1 BUYER, 2 SELLER; ``trade_id`` is an Arrow
    string array.
    """

    kind: ClassVar[DataKind] = DataKind.TRADE_TICK
    price_fields: ClassVar[tuple[str, ...]] = ("price",)
    size_fields: ClassVar[tuple[str, ...]] = ("size",)
    instrument_id: InstrumentId
    ts_event: IntArray
    ts_init: IntArray
    price: IntArray
    size: IntArray
    aggressor_side: CodeArray
    trade_id: pa.Array
    price_precision: int
    size_precision: int

    @classmethod
    def create(
        cls,
        instrument_id: InstrumentId,
        *,
        ts_event: object,
        price: object,
        price_precision: int,
        size: object,
        size_precision: int,
        trade_id: object,
        aggressor_side: object | None = None,
        ts_init: object | None = None,
    ) -> TradeTickArrays:
        """Build and check trades from arrays (numpy, Arrow or sequences).

        ``ts_init`` defaults to ``ts_event``; ``aggressor_side`` to NO_AGGRESSOR (0).

        Raises:
            CatalogError: a column has the wrong type or length, or a size is negative.
        """
        event = timestamps(ts_event, "ts_event")
        count = len(event)
        codes = np.zeros(count, np.int8) if aggressor_side is None else np.asarray(aggressor_side)
        dictionary_column(codes, [s.name for s in AGGRESSOR_SIDES], "aggressor_side")  # checks
        arrays = cls(
            instrument_id=instrument_id,
            ts_event=event,
            ts_init=event if ts_init is None else timestamps(ts_init, "ts_init"),
            price=as_int_array(price, "price"),
            size=quantities(size, "size"),
            aggressor_side=codes.astype(np.int8, copy=False),
            trade_id=strings(trade_id, "trade_id", count),
            price_precision=check_scale(price_precision, "price_precision"),
            size_precision=check_scale(size_precision, "size_precision"),
        )
        arrays._check_lengths()
        return arrays

    def to_table(self) -> pa.Table:
        """The Arrow table in the catalog's schema."""
        return pa.table(
            {
                "ts_event": self.ts_event,
                "ts_init": self.ts_init,
                "price": decimal_column(self.price, self.price_precision, "price"),
                "size": decimal_column(self.size, self.size_precision, "size"),
                "aggressor_side": dictionary_column(
                    self.aggressor_side, [s.name for s in AGGRESSOR_SIDES], "aggressor_side"
                ),
                "trade_id": self.trade_id,
            }
        )

    @classmethod
    def from_table(
        cls, instrument_id: InstrumentId, table: pa.Table, where: str = "table"
    ) -> TradeTickArrays:
        """Read a table in the catalog's trade schema (``where`` names it in errors)."""
        require_columns(
            table, ("ts_event", "ts_init", "price", "size", "aggressor_side", "trade_id"), where
        )
        price, price_scale = decimal_values(table.column("price"), f"{where}:price")
        size, size_scale = decimal_values(table.column("size"), f"{where}:size")
        return cls(
            instrument_id=instrument_id,
            ts_event=int_values(table.column("ts_event"), f"{where}:ts_event"),
            ts_init=int_values(table.column("ts_init"), f"{where}:ts_init"),
            price=price,
            size=quantities(size, f"{where}:size"),
            aggressor_side=dictionary_codes(
                table.column("aggressor_side"),
                [s.name for s in AGGRESSOR_SIDES],
                f"{where}:aggressor_side",
            ),
            trade_id=strings(table.column("trade_id"), f"{where}:trade_id", table.num_rows),
            price_precision=price_scale,
            size_precision=size_scale,
        )


@dataclass(frozen=True, slots=True)
class QuoteTickArrays(Columns):
    """Best bid and ask of one instrument; both prices share one precision, both sizes one."""

    kind: ClassVar[DataKind] = DataKind.QUOTE_TICK
    price_fields: ClassVar[tuple[str, ...]] = ("bid_price", "ask_price")
    size_fields: ClassVar[tuple[str, ...]] = ("bid_size", "ask_size")
    instrument_id: InstrumentId
    ts_event: IntArray
    ts_init: IntArray
    bid_price: IntArray
    ask_price: IntArray
    bid_size: IntArray
    ask_size: IntArray
    price_precision: int
    size_precision: int

    @classmethod
    def create(
        cls,
        instrument_id: InstrumentId,
        *,
        ts_event: object,
        bid_price: object,
        ask_price: object,
        price_precision: int,
        bid_size: object,
        ask_size: object,
        size_precision: int,
        ts_init: object | None = None,
    ) -> QuoteTickArrays:
        """Build and check quotes from arrays; ``ts_init`` defaults to ``ts_event``."""
        event = timestamps(ts_event, "ts_event")
        arrays = cls(
            instrument_id=instrument_id,
            ts_event=event,
            ts_init=event if ts_init is None else timestamps(ts_init, "ts_init"),
            bid_price=as_int_array(bid_price, "bid_price"),
            ask_price=as_int_array(ask_price, "ask_price"),
            bid_size=quantities(bid_size, "bid_size"),
            ask_size=quantities(ask_size, "ask_size"),
            price_precision=check_scale(price_precision, "price_precision"),
            size_precision=check_scale(size_precision, "size_precision"),
        )
        arrays._check_lengths()
        return arrays

    def to_table(self) -> pa.Table:
        """The Arrow table in the catalog's schema."""
        p, s = self.price_precision, self.size_precision
        return pa.table(
            {
                "ts_event": self.ts_event,
                "ts_init": self.ts_init,
                "bid_price": decimal_column(self.bid_price, p, "bid_price"),
                "ask_price": decimal_column(self.ask_price, p, "ask_price"),
                "bid_size": decimal_column(self.bid_size, s, "bid_size"),
                "ask_size": decimal_column(self.ask_size, s, "ask_size"),
            }
        )

    @classmethod
    def from_table(
        cls, instrument_id: InstrumentId, table: pa.Table, where: str = "table"
    ) -> QuoteTickArrays:
        """Read a table in the catalog's quote schema."""
        require_columns(table, ("ts_event", "ts_init", "bid_price", "ask_price", "bid_size"), where)
        (bid, ask), p = decimals_at_one_scale(table, ("bid_price", "ask_price"), where)
        (bid_size, ask_size), s = decimals_at_one_scale(table, ("bid_size", "ask_size"), where)
        return cls(
            instrument_id=instrument_id,
            ts_event=int_values(table.column("ts_event"), f"{where}:ts_event"),
            ts_init=int_values(table.column("ts_init"), f"{where}:ts_init"),
            bid_price=bid,
            ask_price=ask,
            bid_size=quantities(bid_size, f"{where}:bid_size"),
            ask_size=quantities(ask_size, f"{where}:ask_size"),
            price_precision=p,
            size_precision=s,
        )


@dataclass(frozen=True, slots=True)
class BarArrays(Columns):
    """Bars of one bar type; ``ts_event`` is each bar's close time."""

    kind: ClassVar[DataKind] = DataKind.BAR
    price_fields: ClassVar[tuple[str, ...]] = ("open", "high", "low", "close")
    size_fields: ClassVar[tuple[str, ...]] = ("volume",)
    bar_type: BarType
    ts_event: IntArray
    ts_init: IntArray
    open: IntArray
    high: IntArray
    low: IntArray
    close: IntArray
    volume: IntArray
    price_precision: int
    size_precision: int

    @classmethod
    def create(
        cls,
        bar_type: BarType,
        *,
        ts_event: object,
        open: object,
        high: object,
        low: object,
        close: object,
        price_precision: int,
        volume: object,
        size_precision: int,
        ts_init: object | None = None,
    ) -> BarArrays:
        """Build and check bars from arrays; ``ts_init`` defaults to ``ts_event``."""
        event = timestamps(ts_event, "ts_event")
        arrays = cls(
            bar_type=bar_type,
            ts_event=event,
            ts_init=event if ts_init is None else timestamps(ts_init, "ts_init"),
            open=as_int_array(open, "open"),
            high=as_int_array(high, "high"),
            low=as_int_array(low, "low"),
            close=as_int_array(close, "close"),
            volume=quantities(volume, "volume"),
            price_precision=check_scale(price_precision, "price_precision"),
            size_precision=check_scale(size_precision, "size_precision"),
        )
        arrays._check_lengths()
        return arrays

    @property
    def instrument_id(self) -> InstrumentId:
        """The instrument of the bar type."""
        return self.bar_type.instrument_id

    def to_table(self) -> pa.Table:
        """The Arrow table in the catalog's schema."""
        p = self.price_precision
        return pa.table(
            {
                "ts_event": self.ts_event,
                "ts_init": self.ts_init,
                "open": decimal_column(self.open, p, "open"),
                "high": decimal_column(self.high, p, "high"),
                "low": decimal_column(self.low, p, "low"),
                "close": decimal_column(self.close, p, "close"),
                "volume": decimal_column(self.volume, self.size_precision, "volume"),
            }
        )

    @classmethod
    def from_table(cls, bar_type: BarType, table: pa.Table, where: str = "table") -> BarArrays:
        """Read a table in the catalog's bar schema."""
        require_columns(
            table, ("ts_event", "ts_init", "open", "high", "low", "close", "volume"), where
        )
        (o, h, lo, c), p = decimals_at_one_scale(table, ("open", "high", "low", "close"), where)
        volume, s = decimal_values(table.column("volume"), f"{where}:volume")
        return cls(
            bar_type=bar_type,
            ts_event=int_values(table.column("ts_event"), f"{where}:ts_event"),
            ts_init=int_values(table.column("ts_init"), f"{where}:ts_init"),
            open=o,
            high=h,
            low=lo,
            close=c,
            volume=quantities(volume, f"{where}:volume"),
            price_precision=p,
            size_precision=s,
        )


ColumnarData = TradeTickArrays | QuoteTickArrays | BarArrays | BookDeltaArrays
"""Any of the columnar containers."""
