"""Answering data requests from the catalog."""

from __future__ import annotations

from typing import Any

from shrivenquant.model.data_commands import DataResponse, MarketDataType, RequestData
from shrivenquant.persistence.catalog import ParquetDataCatalog


def read_catalog(catalog: ParquetDataCatalog, request: RequestData) -> list[Any]:
    """The records ``request`` asks for, in ``ts_init`` order (the last ``limit`` of them).

    Raises:
        CatalogError: the catalog cannot be read (the message names the file).
    """
    data_type = request.data_type
    ids = None if request.instrument_id is None else [request.instrument_id]
    start, end = request.start, request.end
    records: list[Any]
    if data_type is MarketDataType.QUOTES:
        records = catalog.quote_ticks(ids, start, end)
    elif data_type is MarketDataType.TRADES:
        records = catalog.trade_ticks(ids, start, end)
    elif data_type is MarketDataType.BARS:
        bar_types = None if request.bar_type is None else [request.bar_type]
        records = catalog.bars(bar_types, start, end)
    elif data_type is MarketDataType.BOOK_DELTAS:
        records = catalog.book_deltas(ids, start, end)
    elif data_type is MarketDataType.BOOK_SNAPSHOTS:
        records = catalog.book_snapshots(ids, start, end)
    else:
        records = catalog.instruments(ids)
        if request.venue is not None:
            records = [i for i in records if i.id.venue == request.venue]
    if request.limit and len(records) > request.limit:
        records = records[-request.limit :]
    return records


def catalog_response(
    catalog: ParquetDataCatalog, request: RequestData, ts_init: int
) -> DataResponse:
    """The response to ``request`` from ``catalog``; a read failure becomes its ``error``."""
    try:
        records = read_catalog(catalog, request)
    except Exception as exc:  # noqa: BLE001 - any read failure is reported to the requester
        return DataResponse.for_request(
            request, [], ts_init=ts_init, error=f"catalog read failed: {type(exc).__name__}: {exc}"
        )
    return DataResponse.for_request(request, records, ts_init=ts_init)
