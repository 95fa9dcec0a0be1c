"""The data engine's bookkeeping of subscriptions, and which data client serves a command.

A stream (a data type and its instrument, bar type or venue) is forwarded to a data client on
its first subscriber and stopped on its last; `SubscriptionTable` keeps the subscribers of each
stream. `DataClientRouter` picks the client for a command: the explicit ``client_id``, else the
client of the venue, else the default client.
"""

from __future__ import annotations

from typing import Final

from shrivenquant.data.client import DataClient, SubscriptionTarget, subscription_target
from shrivenquant.model.data_commands import MarketDataType, SubscribeData, UnsubscribeData
from shrivenquant.model.identifiers import ClientId, Venue

ANONYMOUS: Final = "<anonymous>"
"""The subscriber name of commands that carry no ``subscriber_id``."""

StreamKey = tuple[MarketDataType, SubscriptionTarget]
"""One stream: a data type and what it is for."""


def stream_key(command: SubscribeData | UnsubscribeData) -> StreamKey:
    """The stream a subscription command is about."""
    return (command.data_type, subscription_target(command))


def subscriber_name(command: SubscribeData | UnsubscribeData) -> str:
    """Who a subscription command is from (`ANONYMOUS` when it does not say)."""
    return ANONYMOUS if command.subscriber_id is None else command.subscriber_id.value


class SubscriptionTable:
    """The subscribers of every stream."""

    __slots__ = ("_streams",)

    def __init__(self) -> None:
        self._streams: dict[StreamKey, set[str]] = {}

    def add(self, key: StreamKey, subscriber: str) -> bool:
        """Add ``subscriber`` to ``key``; return whether it is the stream's first subscriber.

        Subscribing twice is a no-op (the stream keeps one subscription per subscriber).
        """
        subscribers = self._streams.get(key)
        if subscribers is None:
            self._streams[key] = {subscriber}
            return True
        subscribers.add(subscriber)
        return False

    def remove(self, key: StreamKey, subscriber: str) -> bool | None:
        """Remove ``subscriber`` from ``key``.

        Returns:
            True if it was the last subscriber (stop the stream), False if others remain, None
            if it was not subscribed.
        """
        subscribers = self._streams.get(key)
        if subscribers is None or subscriber not in subscribers:
            return None
        subscribers.discard(subscriber)
        if subscribers:
            return False
        del self._streams[key]
        return True

    def discard_stream(self, key: StreamKey) -> None:
        """Forget a stream and all its subscribers."""
        self._streams.pop(key, None)

    def subscribers(self, key: StreamKey) -> frozenset[str]:
        """The subscribers of ``key`` (empty when there are none)."""
        return frozenset(self._streams.get(key, ()))

    def streams(self, data_type: MarketDataType | None = None) -> list[StreamKey]:
        """The streams with subscribers, of one data type or of all."""
        return [key for key in self._streams if data_type is None or key[0] is data_type]

    def __contains__(self, key: object) -> bool:
        return key in self._streams

    def __len__(self) -> int:
        return len(self._streams)

    def clear(self) -> None:
        """Forget every subscription."""
        self._streams.clear()


class DataClientRouter:
    """The data clients of the engine, by id and by venue."""

    __slots__ = ("_by_id", "_by_venue", "_default")

    def __init__(self) -> None:
        self._by_id: dict[ClientId, DataClient] = {}
        self._by_venue: dict[Venue, DataClient] = {}
        self._default: DataClient | None = None

    def register(self, client: DataClient, default: bool = False) -> None:
        """Add ``client``; it serves its venue unless another client already does.

        Raises:
            ValueError: a client with the same id is already registered.
        """
        if client.client_id in self._by_id:
            raise ValueError(f"data client {client.client_id} is already registered")
        self._by_id[client.client_id] = client
        if client.venue is not None:
            self._by_venue.setdefault(client.venue, client)
        if default:
            self._default = client

    def deregister(self, client_id: ClientId) -> DataClient:
        """Remove and return the client ``client_id``.

        Raises:
            KeyError: no such client.
        """
        try:
            client = self._by_id.pop(client_id)
        except KeyError:
            raise KeyError(f"data client {client_id} is not registered") from None
        venue = client.venue
        if venue is not None and self._by_venue.get(venue) is client:
            del self._by_venue[venue]
            for other in self._by_id.values():
                if other.venue == venue:
                    self._by_venue[venue] = other
                    break
        if self._default is client:
            self._default = None
        return client

    @property
    def default(self) -> DataClient | None:
        """The client for commands no other client serves."""
        return self._default

    def get(self, client_id: ClientId) -> DataClient | None:
        """The client ``client_id``, or None."""
        return self._by_id.get(client_id)

    def clients(self) -> list[DataClient]:
        """Every registered client, in registration order."""
        return list(self._by_id.values())

    def route(self, venue: Venue | None, client_id: ClientId | None = None) -> DataClient | None:
        """The client for a command: ``client_id`` if given, else ``venue``'s client, else the
        default client; None when none fits."""
        if client_id is not None:
            return self._by_id.get(client_id)
        client = self._by_venue.get(venue) if venue is not None else None
        return client if client is not None else self._default
