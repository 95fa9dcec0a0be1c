"""Identifiers: one small immutable class per kind of id.

Each identifier wraps a non-empty string without whitespace. Two identifiers are equal only when
they are of the same class and hold the same string, so a `ClientOrderId` never equals a
`VenueOrderId` by accident. The string's hash is kept in a slot the first time it is asked for,
since identifiers key the caches, the venue's books and the accounts and are hashed dozens of
times per order, while the many ids decoded from history (trade ids) are mostly never hashed.
Instruments are named ``SYMBOL.VENUE`` (``BTCUSDT.BINANCE``, ``NIFTY25DEC24000CE.NSE``);
venue-specific names stay inside their adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Final, Self

_MAX_LENGTH = 128
_CACHE_LIMIT = 100_000


class Identifier:
    """Base class of identifiers: an immutable, validated, hashable string value."""

    __slots__ = ("_hash", "_value")
    _value: str
    _hash: int

    def __init__(self, value: str) -> None:
        set_identifier_value(self, self._validate(value))

    @classmethod
    def _validate(cls, value: object) -> str:
        # str.isprintable is False for every whitespace character except the ASCII space.
        if (
            type(value) is str
            and 0 < len(value) <= _MAX_LENGTH
            and value.isprintable()
            and " " not in value
        ):
            return value
        if not isinstance(value, str):
            raise TypeError(f"{cls.__name__} value must be str, got {type(value).__name__}")
        if not value:
            raise ValueError(f"{cls.__name__} must not be empty")
        if len(value) > _MAX_LENGTH:
            raise ValueError(f"{cls.__name__} longer than {_MAX_LENGTH} characters: {value!r}")
        if not value.isprintable() or any(c.isspace() for c in value):
            raise ValueError(f"{cls.__name__} must not contain whitespace: {value!r}")
        return value  # a str subclass that passed the checks

    @classmethod
    def from_wire(cls, value: str) -> Self:
        """Make an identifier from a string that came off the wire or was generated in bulk.

        The constructor's checks without its overhead (decoders and venue id generators call it
        per message); a value those checks would not pass goes through the constructor, which
        raises its usual error.
        """
        if (
            cls._plain_init
            and type(value) is str
            and 0 < len(value) <= _MAX_LENGTH
            and value.isprintable()
            and " " not in value
        ):
            obj = object.__new__(cls)
            set_identifier_value(obj, value)
            return obj
        return cls(value)

    _plain_init: ClassVar[bool] = True  # False where __init__ checks more than _validate

    @property
    def value(self) -> str:
        """The identifier's string."""
        return self._value

    def __str__(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self._value}')"

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:  # first time: keep it (the slot is outside the immutability guard)
            value = hash(self._value)
            _set(self, "_hash", value)
            return value

    def __lt__(self, other: Self) -> bool:
        if type(other) is type(self):
            return self._value < other._value
        return NotImplemented

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._value,))

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_value"):
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__setattr__(self, name, value)


_set = object.__setattr__
set_identifier_value: Final[Callable[[Identifier, str], None]] = vars(Identifier)["_value"].__set__
"""Fill a new identifier's value slot with its string, which the caller has validated (the
constructors and bulk decoders use it; it bypasses the immutability guard, so never call it on
an identifier that is in use)."""


class Symbol(Identifier):
    """A venue's ticker for an instrument, as used in ShrivenQuant (``BTCUSDT``)."""

    __slots__ = ()


class Venue(Identifier):
    """A trading venue (``BINANCE``, ``NSE``, ``NFO``, ``SIM``)."""

    __slots__ = ()


class InstrumentId(Identifier):
    """An instrument named ``SYMBOL.VENUE``; the symbol may itself contain dots."""

    __slots__ = ("_symbol", "_venue")
    _plain_init = False
    _symbol: Symbol
    _venue: Venue
    _cache: ClassVar[dict[str, InstrumentId]] = {}

    def __init__(self, value: str) -> None:
        value = self._validate(value)
        symbol, dot, venue = value.rpartition(".")
        if not dot or not symbol or not venue:
            raise ValueError(f"InstrumentId must be 'SYMBOL.VENUE', got {value!r}")
        object.__setattr__(self, "_symbol", Symbol(symbol))
        object.__setattr__(self, "_venue", Venue(venue))
        set_identifier_value(self, value)

    @classmethod
    def from_parts(cls, symbol: Symbol | str, venue: Venue | str) -> InstrumentId:
        """Build from a symbol and a venue."""
        return cls(f"{symbol}.{venue}")

    @classmethod
    def parse_cached(cls, value: str) -> InstrumentId:
        """Parse ``value`` once and reuse the object (decoding hot path; the set is small)."""
        got = cls._cache.get(value)
        if got is None:
            got = cls(value)
            if len(cls._cache) < 100_000:
                cls._cache[value] = got
        return got

    @property
    def symbol(self) -> Symbol:
        """The symbol part."""
        return self._symbol

    @property
    def venue(self) -> Venue:
        """The venue part."""
        return self._venue


class TraderId(Identifier):
    """The trader (one node / one running kernel), e.g. ``TRADER-001``."""

    __slots__ = ()


class StrategyId(Identifier):
    """A strategy instance, e.g. ``SMACross-001``; ``EXTERNAL`` for orders from outside."""

    __slots__ = ()

    @property
    def is_external(self) -> bool:
        """Whether this is the id given to orders placed outside ShrivenQuant."""
        return self._value == "EXTERNAL"


EXTERNAL_STRATEGY_ID = StrategyId("EXTERNAL")


class ComponentId(Identifier):
    """A component of the kernel (``RiskEngine``, ``DataClient-BINANCE``)."""

    __slots__ = ()


class ClientId(Identifier):
    """A data or execution client, usually named after its venue."""

    __slots__ = ()


class AccountId(Identifier):
    """An account at a venue, written ``ISSUER-NUMBER`` (``BINANCE-001``)."""

    __slots__ = ()
    _plain_init = False

    def __init__(self, value: str) -> None:
        value = self._validate(value)
        issuer, dash, number = value.partition("-")
        if not dash or not issuer or not number:
            raise ValueError(f"AccountId must be 'ISSUER-NUMBER', got {value!r}")
        set_identifier_value(self, value)

    @property
    def issuer(self) -> str:
        """The venue or broker that holds the account."""
        return self._value.partition("-")[0]

    @property
    def number(self) -> str:
        """The account number at the issuer."""
        return self._value.partition("-")[2]


class ClientOrderId(Identifier):
    """The id ShrivenQuant gives an order; unique per trader, never reused."""

    __slots__ = ()


class VenueOrderId(Identifier):
    """The id the venue gives an order."""

    __slots__ = ()


class OrderListId(Identifier):
    """The id of a list of linked orders (OCO, bracket)."""

    __slots__ = ()


class TradeId(Identifier):
    """The venue's id for one trade (fill)."""

    __slots__ = ()


class PositionId(Identifier):
    """A position: ``INSTRUMENT-STRATEGY`` when netting, the opening order's id when hedging."""

    __slots__ = ()


ALL_IDENTIFIER_TYPES: tuple[type[Identifier], ...] = (
    Symbol,
    Venue,
    InstrumentId,
    TraderId,
    StrategyId,
    ComponentId,
    ClientId,
    AccountId,
    ClientOrderId,
    VenueOrderId,
    OrderListId,
    TradeId,
    PositionId,
)
