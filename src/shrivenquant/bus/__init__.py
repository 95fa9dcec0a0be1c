"""The message bus: publish/subscribe, command endpoints and request/response."""

from shrivenquant.bus import topics
from shrivenquant.bus.matching import check_topic, is_pattern, matches
from shrivenquant.bus.message_bus import DeadLetter, MessageBus, SupportsRequestId
from shrivenquant.bus.subscriptions import Handler, Subscription

__all__ = [
    "DeadLetter",
    "Handler",
    "MessageBus",
    "Subscription",
    "SupportsRequestId",
    "check_topic",
    "is_pattern",
    "matches",
    "topics",
]
