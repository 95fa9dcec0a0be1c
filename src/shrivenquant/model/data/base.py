"""The base class of market data records."""

from __future__ import annotations

from shrivenquant.model.messages import Message


class Data(Message, frozen=True, kw_only=True):
    """Any market data record: immutable, tagged, stamped with ``ts_event`` and ``ts_init``.

    ``ts_event`` is when the venue says the thing happened (for a bar: when it closed);
    ``ts_init`` is when ShrivenQuant created the object. Concrete records subclass this; the
    base itself is never built (it has no ``__post_init__`` guard on purpose: records are on
    the hottest paths and an inherited hook would run on every construction and decode).
    """
