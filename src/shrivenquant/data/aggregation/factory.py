"""Choosing the bar builder for a bar type."""

from __future__ import annotations

from shrivenquant.data.aggregation.base import BarBuilder
from shrivenquant.data.aggregation.threshold_bars import ThresholdBarBuilder
from shrivenquant.data.aggregation.time_bars import TimeBarBuilder
from shrivenquant.model.data import BarType
from shrivenquant.model.instruments import Instrument


def bar_builder(
    bar_type: BarType,
    price_precision: int,
    size_precision: int,
    *,
    origin_ns: int = 0,
    emit_empty: bool = False,
) -> BarBuilder:
    """The builder for ``bar_type``: time bars or tick/volume/value bars.

    ``origin_ns`` and ``emit_empty`` apply to time bars only (see `TimeBarBuilder`).

    Raises:
        ValueError: bars of that aggregation cannot be built from trades (MONTH), or the
            price type is not LAST.
    """
    if bar_type.spec.is_time_aggregated():
        return TimeBarBuilder(
            bar_type, price_precision, size_precision, origin_ns=origin_ns, emit_empty=emit_empty
        )
    return ThresholdBarBuilder(bar_type, price_precision, size_precision)


def bar_builder_for(
    bar_type: BarType, instrument: Instrument, *, origin_ns: int = 0, emit_empty: bool = False
) -> BarBuilder:
    """The builder for ``bar_type`` at the instrument's price and size precisions.

    Raises:
        ValueError: the instrument is not the bar type's, or as `bar_builder`.
    """
    if instrument.id != bar_type.instrument_id:
        raise ValueError(f"{bar_type}: instrument {instrument.id} given")
    return bar_builder(
        bar_type,
        instrument.price_precision,
        instrument.size_precision,
        origin_ns=origin_ns,
        emit_empty=emit_empty,
    )
