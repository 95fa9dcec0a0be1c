"""The Parquet data catalog: market data and instruments, exact, partitioned, atomic.

```python
catalog = ParquetDataCatalog("data/catalog")
catalog.write(trades)                                   # model records
catalog.write_arrays(TradeTickArrays.create(...))       # columnar fast path
ticks = catalog.trade_ticks([InstrumentId("BTCUSDT.BINANCE")], start="2024-01-02")
frame = catalog.to_pandas("trade_tick", "BTCUSDT.BINANCE")
for record in catalog.stream(start=t0, end=t1):         # merged by ts_init, for replay
    ...
```

See ``docs/concepts/data-catalog.md``.
"""

from shrivenquant.persistence.catalog.arrays import (
    BarArrays,
    BookDeltaArrays,
    ColumnarData,
    QuoteTickArrays,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.catalog import ParquetDataCatalog, SeriesInfo, SeriesLike
from shrivenquant.persistence.catalog.errors import CatalogError, CatalogSchemaError
from shrivenquant.persistence.catalog.layout import SeriesKey
from shrivenquant.persistence.catalog.schema import SCHEMA_VERSION, DataKind
from shrivenquant.persistence.catalog.stream import DataStream
from shrivenquant.persistence.catalog.timestamps import TimeLike, to_ns
from shrivenquant.persistence.catalog.writer import CatalogConfig

__all__ = [
    "SCHEMA_VERSION",
    "BarArrays",
    "BookDeltaArrays",
    "CatalogConfig",
    "CatalogError",
    "CatalogSchemaError",
    "ColumnarData",
    "DataKind",
    "DataStream",
    "ParquetDataCatalog",
    "QuoteTickArrays",
    "SeriesInfo",
    "SeriesKey",
    "SeriesLike",
    "TimeLike",
    "TradeTickArrays",
    "to_ns",
]
