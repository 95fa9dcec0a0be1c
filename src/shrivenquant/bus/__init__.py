"""The message bus: publish/subscribe, command endpoints and request/response."""
