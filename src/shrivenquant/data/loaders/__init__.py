"""Historical data loaders: CSV/Parquet bars, trades and quotes, Binance public data archives
and Kite historical candles, to the catalog's columnar containers, exactly and validated.

```python
result = load_binance_trades("BTCUSDT-trades-2024-01-01.zip")   # zip read in memory
catalog.write_arrays(result.data)                                # TradeTickArrays
ticks = result.records()                                         # or model TradeTicks

bars = load_bars("nifty.csv", "NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL",
                 columns={"ts": "date"}, time=TimeFormat(timezone="Asia/Kolkata"))
```

Prices and sizes are parsed from their decimal text, never through a float. Every load is
validated: unsorted, duplicated or inconsistent rows are refused with the file and row named
(`LoadValidationError`), or dropped with ``repair=True``; the report is ``result.report``.
See ``docs/guides/loading-data.md``.
"""

from shrivenquant.data.loaders.binance import (
    load_binance_agg_trades,
    load_binance_klines,
    load_binance_trades,
)
from shrivenquant.data.loaders.build import Precisions
from shrivenquant.data.loaders.columns import BarColumns, CsvFormat, QuoteColumns, TradeColumns
from shrivenquant.data.loaders.decimals import parse_decimal_strings, scaled_values
from shrivenquant.data.loaders.errors import DataLoadError, LoadValidationError, SourceRows
from shrivenquant.data.loaders.formats import (
    DataFormat,
    ImportSpec,
    detect_format,
    load_file,
    source_files,
)
from shrivenquant.data.loaders.generic import load_bars, load_quotes, load_trades
from shrivenquant.data.loaders.importer import CatalogImporter, series_key
from shrivenquant.data.loaders.kite import KITE_INTERVALS, load_kite_candles
from shrivenquant.data.loaders.result import LoadResult
from shrivenquant.data.loaders.timestamps import TimeFormat

__all__ = [
    "KITE_INTERVALS",
    "BarColumns",
    "CatalogImporter",
    "CsvFormat",
    "DataFormat",
    "DataLoadError",
    "ImportSpec",
    "LoadResult",
    "LoadValidationError",
    "Precisions",
    "QuoteColumns",
    "SourceRows",
    "TimeFormat",
    "TradeColumns",
    "detect_format",
    "load_bars",
    "load_binance_agg_trades",
    "load_binance_klines",
    "load_binance_trades",
    "load_file",
    "load_kite_candles",
    "load_quotes",
    "load_trades",
    "parse_decimal_strings",
    "scaled_values",
    "series_key",
    "source_files",
]
