"""Which execution client a command goes to: an explicit client id, the venue's client, or the
default client."""

from __future__ import annotations

from shrivenquant.execution.client import ExecutionClient
from shrivenquant.model.identifiers import ClientId, InstrumentId, Venue


class ClientRouter:
    """The execution clients of the engine, by id and by venue."""

    __slots__ = ("_by_id", "_by_venue", "_default")

    def __init__(self) -> None:
        self._by_id: dict[ClientId, ExecutionClient] = {}
        self._by_venue: dict[Venue, ExecutionClient] = {}
        self._default: ExecutionClient | None = None

    def register(self, client: ExecutionClient, default: bool = False) -> None:
        """Add ``client``; it serves its venue unless another client already does.

        Raises:
            ValueError: a client with the same id is already registered.
        """
        if client.client_id in self._by_id:
            raise ValueError(f"execution client {client.client_id} is already registered")
        self._by_id[client.client_id] = client
        self._by_venue.setdefault(client.venue, client)
        if default:
            self._default = client

    def deregister(self, client_id: ClientId) -> ExecutionClient:
        """Remove and return the client ``client_id``.

        Raises:
            KeyError: no such client.
        """
        client = self._by_id.pop(client_id)
        if self._by_venue.get(client.venue) is client:
            del self._by_venue[client.venue]
            for other in self._by_id.values():
                if other.venue == client.venue:
                    self._by_venue[client.venue] = other
                    break
        if self._default is client:
            self._default = None
        return client

    @property
    def default(self) -> ExecutionClient | None:
        """The client for commands no other client serves."""
        return self._default

    def get(self, client_id: ClientId) -> ExecutionClient | None:
        """The client ``client_id``, or None."""
        return self._by_id.get(client_id)

    def clients(self) -> list[ExecutionClient]:
        """Every registered client, in registration order."""
        return list(self._by_id.values())

    def route(
        self, instrument_id: InstrumentId, client_id: ClientId | None = None
    ) -> ExecutionClient | None:
        """The client for a command: ``client_id`` if given, else the instrument's venue's
        client, else the default client; None when none fits."""
        if client_id is not None:
            return self._by_id.get(client_id)
        client = self._by_venue.get(instrument_id.venue)
        return client if client is not None else self._default
