"""The catalog's data kinds, schema version, file metadata and enum column codes.

Every Parquet file the catalog writes carries key-value metadata naming its data kind and the
schema version, so a reader can refuse files it does not understand instead of misreading them.
Enum columns are dictionary-encoded strings (``"BUYER"``), readable from any tool; the numeric
codes below are only the in-memory form used by the columnar containers.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from shrivenquant.model.enums import AggressorSide, BookAction, OrderSide
from shrivenquant.persistence.catalog.errors import CatalogSchemaError

SCHEMA_VERSION: Final = 1
"""Version of the column layout; bump it (and keep reading older versions) on any change."""

META_KIND: Final = b"shrivenquant.kind"
META_VERSION: Final = b"shrivenquant.schema_version"
META_SERIES: Final = b"shrivenquant.series"


class DataKind(IntEnum):
    """The kinds of data the catalog stores; the value is the tie-break rank in merged streams.

    When records of several kinds share a ``ts_init``, a merged stream yields them in this
    order: definitions first, then book state, then quotes and trades, and bars (which are
    built from what happened before them) last.
    """

    INSTRUMENT = 0
    BOOK_SNAPSHOT = 1
    BOOK_DELTA = 2
    QUOTE_TICK = 3
    TRADE_TICK = 4
    BAR = 5

    @property
    def directory(self) -> str:
        """The top-level directory name of this kind (``trade_tick``)."""
        return self.name.lower()

    @classmethod
    def from_str(cls, value: str) -> DataKind:
        """Parse a kind name (``trade_tick``, ``TRADE_TICK``).

        Raises:
            ValueError: the name is unknown; the message lists the valid names.
        """
        try:
            return cls[value.upper()]
        except KeyError:
            valid = ", ".join(kind.directory for kind in cls)
            raise ValueError(f"unknown data kind {value!r} (valid: {valid})") from None


AGGRESSOR_SIDES: Final[tuple[AggressorSide, ...]] = (
    AggressorSide.NO_AGGRESSOR,
    AggressorSide.BUYER,
    AggressorSide.SELLER,
)
"""`AggressorSide` by its column code (the index)."""

ORDER_SIDES: Final[tuple[OrderSide, ...]] = (OrderSide.NO_ORDER_SIDE, OrderSide.BUY, OrderSide.SELL)
"""`OrderSide` by its column code (the index)."""

BOOK_ACTIONS: Final[tuple[BookAction, ...]] = (
    BookAction.ADD,
    BookAction.UPDATE,
    BookAction.DELETE,
    BookAction.CLEAR,
)
"""`BookAction` by its column code (the index)."""

AGGRESSOR_CODE: Final = {side: code for code, side in enumerate(AGGRESSOR_SIDES)}
ORDER_SIDE_CODE: Final = {side: code for code, side in enumerate(ORDER_SIDES)}
BOOK_ACTION_CODE: Final = {action: code for code, action in enumerate(BOOK_ACTIONS)}


def file_metadata(kind: DataKind, series: str) -> dict[bytes, bytes]:
    """The key-value metadata written into every file of ``kind`` for ``series``."""
    return {
        META_KIND: kind.directory.encode(),
        META_VERSION: str(SCHEMA_VERSION).encode(),
        META_SERIES: series.encode(),
    }


def check_file_metadata(metadata: dict[bytes, bytes] | None, kind: DataKind, where: str) -> None:
    """Raise unless ``metadata`` says the file holds ``kind`` in a schema version we read.

    Raises:
        CatalogSchemaError: naming ``where`` (the file) and what is wrong.
    """
    if not metadata or META_VERSION not in metadata or META_KIND not in metadata:
        raise CatalogSchemaError(
            f"{where}: not a ShrivenQuant catalog file (no {META_VERSION.decode()} metadata)"
        )
    found_kind = metadata[META_KIND].decode()
    if found_kind != kind.directory:
        raise CatalogSchemaError(f"{where}: holds {found_kind!r} data, expected {kind.directory!r}")
    text = metadata[META_VERSION].decode()
    if not text.isdigit():
        raise CatalogSchemaError(f"{where}: invalid schema version {text!r}")
    version = int(text)
    if version > SCHEMA_VERSION or version < 1:
        raise CatalogSchemaError(
            f"{where}: schema version {version} is not supported (this version reads "
            f"1..{SCHEMA_VERSION}); upgrade ShrivenQuant to read it"
        )
