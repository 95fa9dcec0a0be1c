"""Data subscription commands an actor sends to the data engine.

An actor's ``subscribe_*`` helpers subscribe its handler to the bus topic and, when a data
engine is registered at ``topics.DATA_ENGINE_EXECUTE``, send it a `SubscribeData` so that the
engine asks its data client for the stream (`UnsubscribeData` when the actor no longer needs
it). With no data engine registered (a backtest that replays data straight onto the bus, or a
unit test) nothing is sent. The data engine counts subscribers per stream, so several actors
may subscribe to one stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum, unique

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import ClientId, ComponentId, InstrumentId, Venue


@unique
class DataKind(StrEnum):
    """The kinds of market data stream an actor can subscribe to."""

    BARS = "BARS"
    TRADES = "TRADES"
    QUOTES = "QUOTES"
    BOOK_DELTAS = "BOOK_DELTAS"
    BOOK_SNAPSHOTS = "BOOK_SNAPSHOTS"
    INSTRUMENT = "INSTRUMENT"
    INSTRUMENTS = "INSTRUMENTS"


@dataclass(frozen=True, slots=True, kw_only=True)
class DataSubscriptionCommand:
    """Fields shared by `SubscribeData` and `UnsubscribeData`.

    Attributes:
        kind: the stream.
        component_id: the actor asking.
        instrument_id: the instrument (None for bars, which name it in ``bar_type``, and for
            every-instrument streams).
        bar_type: the bar series, for ``BARS`` only.
        venue: for ``INSTRUMENTS``: only this venue's instruments (None for all).
        client_id: the data client to ask; None lets the venue decide.
        command_id: the command's unique id.
        ts_init: when the command was made (UNIX ns).
    """

    kind: DataKind
    component_id: ComponentId
    instrument_id: InstrumentId | None = None
    bar_type: BarType | None = None
    venue: Venue | None = None
    client_id: ClientId | None = None
    command_id: UUID4
    ts_init: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeData(DataSubscriptionCommand):
    """Start (or add a subscriber to) a market data stream."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsubscribeData(DataSubscriptionCommand):
    """Remove a subscriber from a market data stream."""
