"""Raw venue frames kept beside the normalised records, so parser fixes can be re-run on history.

A data client hands every WebSocket/REST payload it parses to a raw-frame sink as a `RawFrame`
(``ts_init``, venue, stream name, the payload bytes untouched). `RawFrameStore` keeps them in
Parquet (zstd), partitioned like the catalog:

```
<root>/venue=BINANCE/stream=btcusdt%40depth%40100ms/date=2024-01-02/part-<first>-<last>-<token>.parquet
```

Each file is written atomically (temporary name, fsync, rename), rows sorted by ``ts_init``;
any tool reads them (``duckdb.sql("SELECT * FROM 'raw/**/*.parquet'")``). `RawFrameStore.read`
gives the frames back in ``ts_init`` order, ready to be fed to a fixed parser.
"""

from __future__ import annotations

import heapq
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import quote, unquote

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shrivenquant.core.time import NANOS_PER_DAY
from shrivenquant.persistence.catalog.atomic import write_parquet_atomic

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_SCHEMA: Final = pa.schema(
    [
        pa.field("ts_init", pa.int64(), nullable=False),
        pa.field("venue", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("stream", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("payload", pa.binary(), nullable=False),
    ],
    metadata={b"shrivenquant.kind": b"raw_frame", b"shrivenquant.schema_version": b"1"},
)


@dataclass(frozen=True, slots=True)
class RawFrame:
    """One payload exactly as a venue sent it.

    Attributes:
        ts_init: when ShrivenQuant received it (ns since the epoch, UTC).
        venue: the venue (``BINANCE``).
        stream: the venue's stream or endpoint name (``btcusdt@depth@100ms``).
        payload: the bytes received, untouched.
    """

    ts_init: int
    venue: str
    stream: str
    payload: bytes


class RawFrameSink(Protocol):
    """Where raw frames go (the recorder buffers them and writes them in batches)."""

    def write(self, frames: Sequence[RawFrame]) -> None:
        """Persist ``frames``; raise on failure (the caller keeps them and retries)."""
        ...


def _encode(value: str) -> str:
    return quote(value, safe="@.-_+:,")


def _date_of(ts_ns: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + ts_ns // NANOS_PER_DAY)


class RawFrameStore:
    """Raw frames in partitioned Parquet files (see the module docstring).

    Args:
        root: the directory (created on first write).
        compression: Parquet codec.
        fsync: flush each file and its directory to stable storage before `write` returns.
    """

    def __init__(self, root: str | Path, *, compression: str = "zstd", fsync: bool = True) -> None:
        self.root = Path(root)
        self._compression = compression
        self._fsync = fsync

    def write(self, frames: Sequence[RawFrame]) -> None:
        """Write ``frames``: one new part file per venue, stream and UTC date of ``ts_init``."""
        groups: dict[tuple[str, str, date], list[RawFrame]] = {}
        for frame in frames:
            groups.setdefault((frame.venue, frame.stream, _date_of(frame.ts_init)), []).append(
                frame
            )
        for (venue, stream, day), group in groups.items():
            group.sort(key=lambda f: f.ts_init)
            table = pa.table(
                {
                    "ts_init": pa.array([f.ts_init for f in group], pa.int64()),
                    "venue": pa.array([venue] * len(group)).dictionary_encode(),
                    "stream": pa.array([stream] * len(group)).dictionary_encode(),
                    "payload": pa.array([f.payload for f in group], pa.binary()),
                },
                schema=_SCHEMA,
            )
            first, last = group[0].ts_init, group[-1].ts_init
            directory = (
                self.root / f"venue={_encode(venue)}" / f"stream={_encode(stream)}" / f"date={day}"
            )
            name = f"part-{first:020d}-{last:020d}-{secrets.token_hex(8)}.parquet"
            write_parquet_atomic(
                table,
                directory / name,
                compression=self._compression,
                compression_level=None,
                row_group_size=65_536,
                durable=self._fsync,
            )

    def files(self, venue: str | None = None, stream: str | None = None) -> list[Path]:
        """The part files holding frames of ``venue`` and ``stream`` (all when None), sorted."""
        if not self.root.exists():
            return []
        venue_glob = f"venue={_encode(venue)}" if venue is not None else "venue=*"
        stream_glob = f"stream={_encode(stream)}" if stream is not None else "stream=*"
        return sorted(self.root.glob(f"{venue_glob}/{stream_glob}/date=*/part-*.parquet"))

    def read(
        self,
        venue: str | None = None,
        stream: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> Iterator[RawFrame]:
        """The frames of ``venue``/``stream`` with ``start <= ts_init < end``, in ``ts_init``
        order (ties keep file order)."""
        per_file = [self._read_file(path, start, end) for path in self.files(venue, stream)]
        return heapq.merge(*per_file, key=lambda f: f.ts_init)

    @staticmethod
    def _read_file(path: Path, start: int | None, end: int | None) -> Iterator[RawFrame]:
        first, last = (int(part) for part in path.name.split("-")[1:3])
        if (start is not None and last < start) or (end is not None and first >= end):
            return
        table = pq.read_table(path)
        venue = unquote(path.parent.parent.parent.name.removeprefix("venue="))
        stream = unquote(path.parent.parent.name.removeprefix("stream="))
        ts_column = table.column("ts_init").to_pylist()
        payloads = table.column("payload").to_pylist()
        for ts, payload in zip(ts_column, payloads, strict=True):
            if (start is None or ts >= start) and (end is None or ts < end):
                yield RawFrame(ts, venue, stream, payload)
