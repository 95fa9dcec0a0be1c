"""Building bars from the trades stored in a catalog."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shrivenquant.core.time import NANOS_PER_DAY, NANOS_PER_MINUTE
from shrivenquant.data.aggregation import aggregate_trades, bar_builder
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import (
    CatalogConfig,
    CatalogError,
    ParquetDataCatalog,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.decode import iter_trade_ticks
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTC = InstrumentId("BTCUSDT.BINANCE")
T0 = 1_704_153_600_000_000_000
BARS = BarType.from_str("BTCUSDT.BINANCE-5-MINUTE-LAST-INTERNAL")


def stored_trades(catalog: ParquetDataCatalog) -> TradeTickArrays:
    rng = np.random.default_rng(3)
    count = 3_000
    ts = T0 + np.sort(rng.integers(0, 2 * NANOS_PER_DAY, count))  # two daily files
    trades = TradeTickArrays.create(
        BTC, ts_event=ts, price=rng.integers(4_000_000, 5_000_000, count), price_precision=2,
        size=rng.integers(1, 10**6, count), size_precision=5, trade_id=np.arange(count),
    )  # fmt: skip
    catalog.write_arrays(trades)
    catalog.write([TestInstrumentProvider.btcusdt_binance()])
    return trades


def test_bars_from_catalog_trades_match_the_live_builder(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    trades = stored_trades(catalog)
    end = T0 + 2 * NANOS_PER_DAY
    live = bar_builder(BARS, 2, 5)
    expected = [bar for t in iter_trade_ticks(trades) for bar in live.update(t)]
    expected.extend(live.on_timer(end))

    bars = aggregate_trades(catalog, BARS, end=end, write=True)

    assert len(bars) == len(expected)
    assert catalog.bars([BARS]) == expected
    assert expected[-1].ts_event == end
    assert int(np.diff(bars.ts_event).min()) >= 5 * NANOS_PER_MINUTE


def test_no_trades_in_range_is_an_error(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    stored_trades(catalog)

    with pytest.raises(CatalogError, match=r"no trades of BTCUSDT\.BINANCE"):
        aggregate_trades(catalog, BARS, start=T0 + 5 * NANOS_PER_DAY)
