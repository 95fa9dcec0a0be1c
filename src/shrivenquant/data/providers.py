"""Instrument providers that need no venue: a fixed list, and the data catalog."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shrivenquant.data.client import InstrumentProvider
from shrivenquant.model.identifiers import InstrumentId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import ParquetDataCatalog


class StaticInstrumentProvider(InstrumentProvider):
    """Provides a fixed set of definitions (backtests, tests, configuration files).

    Args:
        instruments: the definitions.
        venue: the venue they belong to, if one.
    """

    def __init__(self, instruments: Iterable[Instrument], venue: Venue | None = None) -> None:
        super().__init__(venue)
        self.add_all(instruments)

    async def load_all(self, filters: Mapping[str, str] | None = None) -> None:
        """Nothing to load: the definitions were given up front."""


class CatalogInstrumentProvider(InstrumentProvider):
    """Loads the latest definitions stored in a `ParquetDataCatalog`.

    Args:
        catalog: the catalog.
        venue: load only this venue's instruments; None loads every venue's.
    """

    def __init__(self, catalog: ParquetDataCatalog, venue: Venue | None = None) -> None:
        super().__init__(venue)
        self.catalog = catalog

    async def load_all(self, filters: Mapping[str, str] | None = None) -> None:
        """Load every stored definition (of the provider's venue)."""
        self._add(self.catalog.instruments())

    async def load_ids(
        self, instrument_ids: Iterable[InstrumentId], filters: Mapping[str, str] | None = None
    ) -> None:
        """Load the given instruments' latest definitions.

        Raises:
            InvalidInputError: some ids are not in the catalog.
        """
        wanted = list(instrument_ids)
        self._add(self.catalog.instruments(wanted))
        await super().load_ids(wanted, filters)

    def _add(self, instruments: Iterable[Instrument]) -> None:
        venue = self.venue
        self.add_all(i for i in instruments if venue is None or i.id.venue == venue)
