"""Historical file formats by name, and the catalog importer behind ``sq data import``.

Generic CSV/Parquet formats come from `shrivenquant.data.loaders`; venue formats from their
adapters (`adapters.binance.historical`, `adapters.zerodha.historical`).
"""

from shrivenquant.adapters.historical.formats import (
    DataFormat,
    ImportSpec,
    detect_format,
    load_file,
    source_files,
)
from shrivenquant.adapters.historical.importer import CatalogImporter, series_key

__all__ = [
    "CatalogImporter",
    "DataFormat",
    "ImportSpec",
    "detect_format",
    "load_file",
    "series_key",
    "source_files",
]
