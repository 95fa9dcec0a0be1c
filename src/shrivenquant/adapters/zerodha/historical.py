"""Kite Connect historical candles (JSON), as the historical-data API returns them.

```json
{"status": "success", "data": {"candles": [
  ["2024-01-01T09:15:00+0530", 21731.45, 21740.0, 21725.1, 21738.05, 14250, 9876543],
  ...
]}}
```

Each candle is ``[time, open, high, low, close, volume]`` plus open interest when asked for
(``oi=1``). The time is the candle's open, with the IST offset. Numbers are taken exactly as
written in the JSON text (never through a float). A candle's ``ts_event`` is its close: open
plus the interval, but never after the session's close (15:30 IST), so the last hourly candle
of a day (15:15) and a daily candle both close at 15:30. Open interest has no field in a `Bar`;
it is returned beside the bars in ``result.extra["open_interest"]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.data.loaders.build import Precisions, same_precision, sizes
from shrivenquant.data.loaders.decimals import scaled_values
from shrivenquant.data.loaders.errors import DataLoadError, SourceRows
from shrivenquant.data.loaders.result import LoadResult, validated
from shrivenquant.data.loaders.timestamps import TimeFormat, timestamps_ns
from shrivenquant.data.validation import TradingSessions, ValidationConfig
from shrivenquant.model.data import BarSpecification, BarType
from shrivenquant.model.enums import AggregationSource, BarAggregation, PriceType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import BarArrays

KITE_TIMEZONE: Final = "Asia/Kolkata"
NSE_CLOSE: Final = time(15, 30)
KITE_INTERVALS: Final = {
    "minute": BarSpecification(1, BarAggregation.MINUTE, PriceType.LAST),
    "3minute": BarSpecification(3, BarAggregation.MINUTE, PriceType.LAST),
    "5minute": BarSpecification(5, BarAggregation.MINUTE, PriceType.LAST),
    "10minute": BarSpecification(10, BarAggregation.MINUTE, PriceType.LAST),
    "15minute": BarSpecification(15, BarAggregation.MINUTE, PriceType.LAST),
    "30minute": BarSpecification(30, BarAggregation.MINUTE, PriceType.LAST),
    "60minute": BarSpecification(1, BarAggregation.HOUR, PriceType.LAST),
    "day": BarSpecification(1, BarAggregation.DAY, PriceType.LAST),
}
_FIELDS: Final = ("time", "open", "high", "low", "close", "volume", "open_interest")


def load_kite_candles(
    source: str | Path | Mapping[str, Any] | Sequence[Any],
    instrument_id: InstrumentId | str,
    *,
    interval: str | None = None,
    session_close: time | None = NSE_CLOSE,
    price_precision: int | None = None,
    size_precision: int | None = None,
    instrument: Instrument | None = None,
    repair: bool = False,
    validation: ValidationConfig | None = None,
) -> LoadResult[BarArrays]:
    """Load Kite historical candles as EXTERNAL bars of ``instrument_id``.

    Args:
        source: a JSON file, or the decoded response (the whole response, its ``data`` or
            the list of candles).
        instrument_id: the instrument (``NIFTY24JANFUT.NSE``).
        interval: Kite's interval name (``minute``, ``5minute``, ``60minute``, ``day``...);
            None infers it from the smallest step between candles.
        session_close: local (IST) time after which no candle closes; None for none (MCX).
        price_precision: decimal places of prices; None takes the instrument's or infers.
        size_precision: decimal places of volumes (0 for exchange volumes).
        instrument: the instrument, whose precisions apply.
        repair: drop candles validation refuses instead of raising.
        validation: thresholds and sessions; by default NSE sessions (09:15-15:30 IST) when
            ``session_close`` is 15:30, else 24/7.

    Raises:
        DataLoadError: an error response, a malformed candle or value (naming the candle);
            `LoadValidationError` for unsorted, duplicated or inconsistent candles.
    """
    name, candles = _candles(source)
    rows = SourceRows(name, 0, "candle")
    instrument_id = _instrument_id(instrument_id)
    width = _width(candles, rows)
    columns = {
        field: pa.array([_text(c[i], field, rows, n) for n, c in enumerate(candles)], pa.string())
        for i, field in enumerate(_FIELDS[:width])
    }
    table = pa.table(columns)
    opened = timestamps_ns(
        table.column("time"), TimeFormat("datetime", KITE_TIMEZONE), "time", rows
    )
    spec = _spec(interval, opened, rows)
    bar_type = BarType(instrument_id, spec, AggregationSource.EXTERNAL)
    closed = _close_times(opened, spec, session_close)
    precisions = Precisions.resolve(instrument_id, price_precision, size_precision, instrument)
    names = ("open", "high", "low", "close")
    (o, h, lo, c), places = same_precision(table, names, precisions.price, rows)
    volume, volume_places = sizes(table, "volume", precisions.size, rows)
    data = BarArrays.create(
        bar_type,
        ts_event=closed,
        open=o,
        high=h,
        low=lo,
        close=c,
        price_precision=places,
        volume=volume,
        size_precision=volume_places,
    )
    extra = {}
    if width == len(_FIELDS):
        extra["open_interest"], _ = scaled_values(
            table.column("open_interest"), 0, "open_interest", rows
        )
    if validation is None:
        nse = session_close == NSE_CLOSE
        validation = ValidationConfig(sessions=TradingSessions.nse()) if nse else None
    return validated(data, rows, repair=repair, config=validation, extra=extra)


def _candles(source: str | Path | Mapping[str, Any] | Sequence[Any]) -> tuple[str, list[Any]]:
    """The source's name and its list of candles."""
    name = "candles"
    payload: Any = source
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DataLoadError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        try:  # numbers stay the exact text they are written as
            payload = json.loads(text, parse_float=str, parse_int=str)
        except json.JSONDecodeError as exc:
            raise DataLoadError(f"{path}: not JSON: {exc}") from exc
    if isinstance(payload, Mapping):
        status = payload.get("status")
        if status is not None and status != "success":
            detail = payload.get("message") or payload.get("error_type") or status
            raise DataLoadError(f"{name}: the response is an error: {detail}")
        payload = payload.get("data", payload)
        if isinstance(payload, Mapping):
            payload = payload.get("candles")
    if not isinstance(payload, list):
        raise DataLoadError(
            f"{name}: expected Kite historical data ({{'data': {{'candles': [...]}}}})"
        )
    return name, payload


def _width(candles: list[Any], rows: SourceRows) -> int:
    if not candles:
        raise DataLoadError(f"{rows.name}: no candles")
    widths = set()
    for n, candle in enumerate(candles):
        if not isinstance(candle, list | tuple) or len(candle) not in (6, 7):
            raise DataLoadError(
                f"{rows.at(n)}: expected [time, open, high, low, close, volume(, oi)], "
                f"got {candle!r}"
            )
        widths.add(len(candle))
    if len(widths) > 1:
        raise DataLoadError(f"{rows.name}: some candles have open interest and some not")
    return widths.pop()


def _text(value: object, field: str, rows: SourceRows, row: int) -> str:
    """A JSON value as exact text: strings as given, floats by their shortest repr."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        raise DataLoadError(f"{rows.at(row)}: {field} {value!r} is not a number")
    if isinstance(value, int | float | Decimal):
        return str(value)
    if field == "time" and hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise DataLoadError(f"{rows.at(row)}: {field} {value!r} is not a number")


def _spec(interval: str | None, opened: np.ndarray[Any, Any], rows: SourceRows) -> BarSpecification:
    if interval is not None:
        spec = KITE_INTERVALS.get(interval)
        if spec is None:
            raise DataLoadError(
                f"unknown Kite interval {interval!r} (use one of {', '.join(KITE_INTERVALS)})"
            )
        return spec
    steps = np.diff(opened)
    steps = steps[steps > 0]
    if not len(steps):
        raise DataLoadError(f"{rows.name}: cannot infer the interval; pass interval")
    step = int(steps.min())
    for candidate in KITE_INTERVALS.values():
        if candidate.aggregation is BarAggregation.DAY:
            if step >= candidate.timedelta_ns():
                return candidate
        elif step == candidate.timedelta_ns():
            return candidate
    raise DataLoadError(
        f"{rows.name}: candles are {step // 10**9} s apart, not a Kite interval; pass interval"
    )


def _close_times(
    opened: np.ndarray[Any, Any], spec: BarSpecification, session_close: time | None
) -> np.ndarray[Any, Any]:
    closed = opened + spec.timedelta_ns()
    if session_close is None or not len(opened):
        return closed
    local = pd.DatetimeIndex(pd.to_datetime(opened, unit="ns", utc=True)).tz_convert(KITE_TIMEZONE)
    offset = pd.Timedelta(hours=session_close.hour, minutes=session_close.minute)
    ends = (local.normalize() + offset).tz_convert("UTC").as_unit("ns").asi8
    clamp = (opened < ends) & (closed > ends)
    return np.where(clamp, ends, closed)


def _instrument_id(value: InstrumentId | str) -> InstrumentId:
    if isinstance(value, InstrumentId):
        return value
    try:
        return InstrumentId(value)
    except (TypeError, ValueError) as exc:
        raise DataLoadError(f"invalid instrument id {value!r}: {exc}") from exc
