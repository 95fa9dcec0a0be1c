"""Importing files into the catalog, one at a time: what ``sq data import`` runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from shrivenquant.adapters.binance.historical import parse_file_name
from shrivenquant.adapters.historical.formats import (
    DataFormat,
    ImportSpec,
    load_file,
    resolve_format,
)
from shrivenquant.core.time import unix_nanos_to_iso8601
from shrivenquant.data.loaders.errors import DataLoadError
from shrivenquant.data.loaders.result import LoadResult
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import (
    BarArrays,
    ParquetDataCatalog,
    QuoteTickArrays,
    SeriesKey,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.layout import list_files


def series_key(data: TradeTickArrays | QuoteTickArrays | BarArrays) -> SeriesKey:
    """The catalog series loaded data belongs to."""
    if isinstance(data, BarArrays):
        return SeriesKey.for_bar_type(data.bar_type)
    return SeriesKey.for_instrument(data.kind, data.instrument_id)


class CatalogImporter:
    """Loads files into a catalog as ``spec`` says, file by file.

    For each file the format is the spec's or told from the file name. When no precision is
    given and the catalog holds the definition of the file's instrument, its precisions apply,
    so every file of an instrument is stored alike. A file is written only when the catalog
    holds no data of its series overlapping its time span: importing a file twice is refused,
    not duplicated.

    Args:
        catalog: where to write.
        spec: the load options shared by the files.
    """

    def __init__(self, catalog: ParquetDataCatalog, spec: ImportSpec) -> None:
        self._catalog = catalog
        self._spec = spec
        self._definitions: dict[str, Instrument | None] = {}
        self._spans: dict[SeriesKey, list[tuple[int, int]]] = {}

    def import_file(self, path: str | Path) -> LoadResult[Any]:
        """Load, validate and write one file; return what was loaded.

        Raises:
            DataLoadError: the file cannot be loaded (naming its row), or its series already
                has data in the catalog over the file's time span.
        """
        path = Path(path)
        fmt = resolve_format(path, self._spec.format)
        spec = dataclasses.replace(self._spec, format=fmt, instrument=self._definition(fmt, path))
        result = load_file(path, spec)
        self._write(result)
        return result

    def _definition(self, fmt: DataFormat, path: Path) -> Instrument | None:
        spec = self._spec
        if spec.instrument is not None:
            return spec.instrument
        if spec.price_precision is not None or spec.size_precision is not None:
            return None
        instrument_id = spec.instrument_id
        if instrument_id is None and spec.bar_type is not None:
            try:
                instrument_id = str(BarType.from_str(spec.bar_type).instrument_id)
            except ValueError:
                return None  # the loader names the bad bar type
        if instrument_id is None and fmt.is_binance:
            parsed = parse_file_name(path)
            instrument_id = None if parsed is None else f"{parsed[0]}.BINANCE"
        if instrument_id is None:
            return None
        if instrument_id not in self._definitions:
            try:
                wanted = [InstrumentId(instrument_id)]
            except ValueError:
                return None  # the loader names the bad id
            found = self._catalog.instruments(wanted) if self._catalog.root.is_dir() else []
            self._definitions[instrument_id] = found[0] if found else None
        return self._definitions[instrument_id]

    def _write(self, result: LoadResult[Any]) -> None:
        data = result.data
        if not len(data):
            return
        key = series_key(data)
        first, last = int(data.ts_init.min()), int(data.ts_init.max())
        spans = self._spans.get(key)
        if spans is None:
            root = self._catalog.root
            held = list_files(root, key) if root.is_dir() else []
            spans = self._spans[key] = [(part.first_ts, part.last_ts) for part in held]
        for held_first, held_last in spans:
            if first <= held_last and last >= held_first:
                raise DataLoadError(
                    f"{result.source}: the catalog already holds {key.name} "
                    f"{key.kind.directory} data from {_iso(held_first)} to {_iso(held_last)}, "
                    f"overlapping this file's {_iso(first)} to {_iso(last)} (imported before?)"
                )
        self._catalog.write_arrays(data)
        spans.append((first, last))


def _iso(ts: int) -> str:
    return unix_nanos_to_iso8601(ts, nanos_precision=False)
