"""Where the catalog keeps each series: hive-style directories and self-describing file names.

```
<root>/trade_tick/venue=BINANCE/instrument=BTCUSDT.BINANCE/date=2024-01-02/part-<first>-<last>-<token>.parquet
<root>/bar/venue=BINANCE/instrument=BTCUSDT.BINANCE/bar_type=BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL/date=.../part-...
<root>/instrument/venue=BINANCE/part-...
```

``date`` is the UTC date of ``ts_init``. ``<first>`` and ``<last>`` are the first and last
``ts_init`` in the file (20 digits, zero-padded), so a time-range query skips whole files by
name without opening them. Partition values are percent-encoded where a character would not be
safe in a path (``/``, ``=``, ``%``). Files being written are hidden (``.part-...tmp``) and
ignored by every reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final
from urllib.parse import quote, unquote

from shrivenquant.core.time import NANOS_PER_DAY
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.schema import DataKind

_FILE_RE: Final = re.compile(r"^part-(\d{20})-(\d{20})-([0-9a-f]+)\.parquet$")
_EPOCH_DATE: Final = date(1970, 1, 1)
MAX_TS: Final = 10**20 - 1  # the largest ts_init a file name can carry


@dataclass(frozen=True, order=True, slots=True)
class SeriesKey:
    """One series in the catalog: a data kind plus its venue, instrument and bar type.

    ``instrument`` is empty for instrument definitions (stored per venue); ``bar_type`` is set
    only for bars.
    """

    kind: DataKind
    venue: str
    instrument: str = ""
    bar_type: str = ""

    @classmethod
    def for_instrument(cls, kind: DataKind, instrument_id: InstrumentId) -> SeriesKey:
        """The key of ``kind`` data (not bars or definitions) for one instrument."""
        if kind in (DataKind.BAR, DataKind.INSTRUMENT):
            raise CatalogError(f"{kind.directory} series are not keyed by instrument alone")
        return cls(kind, instrument_id.venue.value, instrument_id.value)

    @classmethod
    def for_bar_type(cls, bar_type: BarType) -> SeriesKey:
        """The key of one bar series."""
        instrument_id = bar_type.instrument_id
        return cls(DataKind.BAR, instrument_id.venue.value, instrument_id.value, str(bar_type))

    @classmethod
    def for_venue(cls, venue: str) -> SeriesKey:
        """The key of the instrument definitions of one venue."""
        return cls(DataKind.INSTRUMENT, venue)

    @property
    def name(self) -> str:
        """The series' name: bar type, instrument id, or venue for definitions."""
        return self.bar_type or self.instrument or self.venue

    @property
    def instrument_id(self) -> InstrumentId:
        """The instrument of the series.

        Raises:
            CatalogError: the series holds instrument definitions of a whole venue.
        """
        if not self.instrument:
            raise CatalogError(f"{self.kind.directory} series of {self.venue} has no instrument")
        return InstrumentId.parse_cached(self.instrument)

    def directory(self, root: Path) -> Path:
        """The series directory under ``root`` (date partitions live below it)."""
        path = root / self.kind.directory / f"venue={_encode(self.venue)}"
        if self.kind is DataKind.INSTRUMENT:
            return path
        path = path / f"instrument={_encode(self.instrument)}"
        if self.kind is DataKind.BAR:
            path = path / f"bar_type={_encode(self.bar_type)}"
        return path

    @property
    def date_partitioned(self) -> bool:
        """Whether files live in ``date=`` subdirectories (all but instrument definitions)."""
        return self.kind is not DataKind.INSTRUMENT


@dataclass(frozen=True, order=True, slots=True)
class PartFile:
    """One data file and the ``ts_init`` range its name declares."""

    first_ts: int
    last_ts: int
    path: Path


def _encode(value: str) -> str:
    return quote(value, safe="")


def _decode(directory: str, field: str) -> str | None:
    prefix = f"{field}="
    if not directory.startswith(prefix):
        return None
    return unquote(directory[len(prefix) :])


def date_of(ts_ns: int) -> date:
    """The UTC date of a nanosecond timestamp."""
    return _EPOCH_DATE + timedelta(days=ts_ns // NANOS_PER_DAY)


def day_start_ns(day: date) -> int:
    """Nanoseconds at 00:00 UTC of ``day``."""
    return (day - _EPOCH_DATE).days * NANOS_PER_DAY


def part_name(first_ts: int, last_ts: int, token: str) -> str:
    """The file name of a part holding ``ts_init`` from ``first_ts`` to ``last_ts``."""
    if not 0 <= first_ts <= last_ts <= MAX_TS:
        raise CatalogError(
            f"ts_init must be between 0 and {MAX_TS} ns and sorted, got {first_ts}..{last_ts}"
        )
    return f"part-{first_ts:020d}-{last_ts:020d}-{token}.parquet"


def partition_directory(series_dir: Path, day: date) -> Path:
    """The directory of one date partition."""
    return series_dir / f"date={day.isoformat()}"


def list_series(root: Path, kind: DataKind) -> list[SeriesKey]:
    """Every series of ``kind`` present under ``root``, sorted."""
    base = root / kind.directory
    if not base.is_dir():
        return []
    found: list[SeriesKey] = []
    for venue_dir in _subdirs(base):
        venue = _decode(venue_dir.name, "venue")
        if venue is None:
            continue
        if kind is DataKind.INSTRUMENT:
            found.append(SeriesKey(kind, venue))
            continue
        for instrument_dir in _subdirs(venue_dir):
            instrument = _decode(instrument_dir.name, "instrument")
            if instrument is None:
                continue
            if kind is not DataKind.BAR:
                found.append(SeriesKey(kind, venue, instrument))
                continue
            for bar_dir in _subdirs(instrument_dir):
                bar_type = _decode(bar_dir.name, "bar_type")
                if bar_type is not None:
                    found.append(SeriesKey(kind, venue, instrument, bar_type))
    return sorted(found)


def list_files(
    root: Path, key: SeriesKey, start: int | None = None, end: int | None = None
) -> list[PartFile]:
    """The part files of a series that may hold ``ts_init`` in ``[start, end)``, in order.

    Files are sorted by their first timestamp, then last, then name.
    """
    series_dir = key.directory(root)
    if not series_dir.is_dir():
        return []
    if key.date_partitioned:
        first_day = date_of(start) if start is not None else None
        last_day = date_of(end - 1) if end is not None else None
        directories = []
        for directory in _subdirs(series_dir):
            text = _decode(directory.name, "date")
            if text is None:
                continue
            try:
                day = date.fromisoformat(text)
            except ValueError:
                continue
            if (first_day is None or day >= first_day) and (last_day is None or day <= last_day):
                directories.append(directory)
    else:
        directories = [series_dir]
    files: list[PartFile] = []
    for directory in directories:
        for path in directory.iterdir():
            match = _FILE_RE.match(path.name)
            if match is None:
                continue
            first, last = int(match.group(1)), int(match.group(2))
            if (start is None or last >= start) and (end is None or first < end):
                files.append(PartFile(first, last, path))
    return sorted(files)


def _subdirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
