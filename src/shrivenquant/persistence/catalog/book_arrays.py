"""Order book deltas as flat columnar rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog.columnar import (
    CodeArray,
    Columns,
    enum_codes,
    quantities,
    require_columns,
    timestamps,
    uint64_column,
    unsigned,
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
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.schema import BOOK_ACTIONS, ORDER_SIDES, DataKind


@dataclass(frozen=True, slots=True)
class BookDeltaArrays(Columns):
    """Order book deltas of one instrument as flat rows.

    ``action`` codes: 0 ADD, 1 UPDATE, 2 DELETE, 3 CLEAR. ``side`` codes: 0 NO_ORDER_SIDE,
    1 BUY, 2 SELL, and -1 for a delta without an order (CLEAR); such rows have null side, price
    and size in the file. ``order_id`` and ``sequence`` are unsigned 64-bit in the file.
    """

    kind: ClassVar[DataKind] = DataKind.BOOK_DELTA
    price_fields: ClassVar[tuple[str, ...]] = ("price",)
    size_fields: ClassVar[tuple[str, ...]] = ("size",)
    instrument_id: InstrumentId
    ts_event: IntArray
    ts_init: IntArray
    action: CodeArray
    side: CodeArray
    price: IntArray
    size: IntArray
    order_id: IntArray
    flags: npt.NDArray[np.uint8]
    sequence: IntArray
    price_precision: int
    size_precision: int

    @classmethod
    def create(
        cls,
        instrument_id: InstrumentId,
        *,
        ts_event: object,
        action: object,
        side: object,
        price: object,
        price_precision: int,
        size: object,
        size_precision: int,
        order_id: object | None = None,
        flags: object | None = None,
        sequence: object | None = None,
        ts_init: object | None = None,
    ) -> BookDeltaArrays:
        """Build and check deltas from arrays; optional columns default to zeros."""
        event = timestamps(ts_event, "ts_event")
        count = len(event)
        zeros = np.zeros(count, np.int64)
        flag_array = np.asarray(zeros if flags is None else flags)
        if flag_array.size and (int(flag_array.min()) < 0 or int(flag_array.max()) > 255):
            raise CatalogError("flags must be 0..255")
        arrays = cls(
            instrument_id=instrument_id,
            ts_event=event,
            ts_init=event if ts_init is None else timestamps(ts_init, "ts_init"),
            action=enum_codes(action, BOOK_ACTIONS, "action", nullable=False),
            side=enum_codes(side, ORDER_SIDES, "side", nullable=True),
            price=as_int_array(price, "price"),
            size=quantities(size, "size"),
            order_id=unsigned(zeros if order_id is None else order_id, "order_id"),
            flags=flag_array.astype(np.uint8),
            sequence=unsigned(zeros if sequence is None else sequence, "sequence"),
            price_precision=check_scale(price_precision, "price_precision"),
            size_precision=check_scale(size_precision, "size_precision"),
        )
        arrays._check_lengths()
        return arrays

    def to_table(self) -> pa.Table:
        """The Arrow table in the catalog's schema."""
        has_order = self.side >= 0
        return pa.table(
            {
                "ts_event": self.ts_event,
                "ts_init": self.ts_init,
                "action": dictionary_column(self.action, [a.name for a in BOOK_ACTIONS], "action"),
                "side": dictionary_column(
                    self.side, [s.name for s in ORDER_SIDES], "side", nullable=True
                ),
                "price": decimal_column(self.price, self.price_precision, "price", has_order),
                "size": decimal_column(self.size, self.size_precision, "size", has_order),
                "order_id": uint64_column(self.order_id),
                "flags": pa.array(self.flags, pa.uint8()),
                "sequence": uint64_column(self.sequence),
            }
        )

    @classmethod
    def from_table(
        cls, instrument_id: InstrumentId, table: pa.Table, where: str = "table"
    ) -> BookDeltaArrays:
        """Read a table in the catalog's book delta schema."""
        names = ("ts_event", "ts_init", "action", "side", "price", "size", "order_id", "flags")
        require_columns(table, (*names, "sequence"), where)
        side = dictionary_codes(
            table.column("side"), [s.name for s in ORDER_SIDES], f"{where}:side", nullable=True
        )
        price, p = decimal_values(table.column("price"), f"{where}:price", allow_nulls=True)
        size, s = decimal_values(table.column("size"), f"{where}:size", allow_nulls=True)
        no_order = side < 0
        if no_order.any():  # null rows hold unspecified values in the file
            price = np.where(no_order, 0, price)
            size = np.where(no_order, 0, size)
        return cls(
            instrument_id=instrument_id,
            ts_event=int_values(table.column("ts_event"), f"{where}:ts_event"),
            ts_init=int_values(table.column("ts_init"), f"{where}:ts_init"),
            action=dictionary_codes(
                table.column("action"), [a.name for a in BOOK_ACTIONS], f"{where}:action"
            ),
            side=side,
            price=price,
            size=quantities(size, f"{where}:size"),
            order_id=int_values(table.column("order_id"), f"{where}:order_id"),
            flags=np.asarray(table.column("flags").to_numpy(), dtype=np.uint8),
            sequence=int_values(table.column("sequence"), f"{where}:sequence"),
            price_precision=p,
            size_precision=s,
        )
