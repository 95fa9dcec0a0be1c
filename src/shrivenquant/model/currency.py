"""Currencies: an immutable `Currency` value, its kind, and a registry of known codes.

A currency is identified by its code (``"USDT"``, ``"INR"``); two `Currency` objects are equal
when their codes are equal. `Currency.from_str` resolves a code through a process-wide registry
that holds the currencies defined here; venues with other assets add them with
`Currency.register`.
"""

from __future__ import annotations

from enum import Enum, unique
from typing import Any, Final

_CODE_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_MAX_CODE_LENGTH: Final = 16
_MAX_PRECISION: Final = 9  # the fixed-point scale of `shrivenquant.model.values`


@unique
class CurrencyType(Enum):
    """What kind of asset a currency is."""

    FIAT = "fiat"
    CRYPTO = "crypto"
    COMMODITY = "commodity"


class Currency:
    """An immutable currency definition, equal to another when their codes are equal.

    Args:
        code: 1-16 characters ``A-Z`` and ``0-9`` (``"USDT"``, ``"1000SATS"``).
        precision: decimal places the currency is quoted and settled in, 0..9.
        iso4217: ISO 4217 numeric code, 0 when there is none (crypto assets).
        name: human-readable name.
        currency_type: fiat, crypto or commodity.
    """

    # Plain read-only slots (``__setattr__`` refuses writes): read on every money operation,
    # a slot costs a fraction of a property call. The code's hash is kept too: currencies key
    # every balance table.
    __slots__ = ("_hash", "code", "currency_type", "iso4217", "name", "precision")

    code: str
    """The currency code, e.g. ``"USDT"``."""
    precision: int
    """Decimal places the currency is quoted and settled in."""
    iso4217: int
    """ISO 4217 numeric code, 0 when there is none."""
    name: str
    """Human-readable name."""
    currency_type: CurrencyType
    """Fiat, crypto or commodity."""
    _hash: int

    def __init__(
        self,
        code: str,
        precision: int,
        iso4217: int,
        name: str,
        currency_type: CurrencyType,
    ) -> None:
        _validate_code(code)
        if type(precision) is not int or not 0 <= precision <= _MAX_PRECISION:
            raise ValueError(
                f"currency {code!r}: precision must be an int 0..{_MAX_PRECISION}, "
                f"got {precision!r}"
            )
        if type(iso4217) is not int or not 0 <= iso4217 <= 999:
            raise ValueError(f"currency {code!r}: iso4217 must be an int 0..999, got {iso4217!r}")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"currency {code!r}: name must be a non-empty str, got {name!r}")
        if not isinstance(currency_type, CurrencyType):
            raise TypeError(
                f"currency {code!r}: currency_type must be a CurrencyType, got {currency_type!r}"
            )
        setter = object.__setattr__
        setter(self, "code", code)
        setter(self, "precision", precision)
        setter(self, "iso4217", iso4217)
        setter(self, "name", name)
        setter(self, "currency_type", currency_type)
        setter(self, "_hash", hash(code))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Currency is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Currency is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if other is self:  # the registry hands out one instance per code
            return True
        if isinstance(other, Currency):
            return self.code == other.code
        return NotImplemented

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return (
            f"Currency(code={self.code!r}, precision={self.precision}, "
            f"iso4217={self.iso4217}, name={self.name!r}, "
            f"currency_type=CurrencyType.{self.currency_type.name})"
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_restore, self._fields())

    def __copy__(self) -> Currency:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Currency:
        return self

    def _fields(self) -> tuple[str, int, int, str, CurrencyType]:
        return (self.code, self.precision, self.iso4217, self.name, self.currency_type)

    @staticmethod
    def from_str(code: str) -> Currency:
        """Return the registered currency with this code.

        Raises:
            ValueError: the code is not registered.
        """
        currency = _REGISTRY.get(code)
        if currency is None:
            raise ValueError(
                f"unknown currency {code!r}: codes are upper case; a new currency must be "
                f"registered first with Currency.register(Currency(code, precision, iso4217, "
                f"name, currency_type))"
            )
        return currency

    @staticmethod
    def register(currency: Currency, overwrite: bool = False) -> None:
        """Add ``currency`` to the registry used by `Currency.from_str`.

        Registering an identical definition again is a no-op.

        Raises:
            ValueError: a different definition with the same code exists and ``overwrite``
                is false.
        """
        if not isinstance(currency, Currency):
            raise TypeError(f"expected a Currency, got {type(currency).__name__}")
        existing = _REGISTRY.get(currency.code)
        if existing is not None and existing._fields() == currency._fields():
            return  # keep the instance already handed out
        if existing is not None and not overwrite:
            raise ValueError(
                f"currency {currency.code!r} is already registered as {existing!r}; "
                f"pass overwrite=True to replace it"
            )
        _REGISTRY[currency.code] = currency

    @staticmethod
    def is_registered(code: str) -> bool:
        """Return whether a currency with this code is registered."""
        return code in _REGISTRY

    @staticmethod
    def registered() -> tuple[Currency, ...]:
        """All registered currencies, sorted by code."""
        return tuple(_REGISTRY[code] for code in sorted(_REGISTRY))

    def is_fiat(self) -> bool:
        """Return whether this is a fiat currency."""
        return self.currency_type is CurrencyType.FIAT

    def is_crypto(self) -> bool:
        """Return whether this is a crypto asset."""
        return self.currency_type is CurrencyType.CRYPTO


def _validate_code(code: object) -> None:
    if not isinstance(code, str):
        raise TypeError(f"currency code must be str, got {type(code).__name__}")
    if not 1 <= len(code) <= _MAX_CODE_LENGTH or not _CODE_CHARS.issuperset(code):
        raise ValueError(
            f"invalid currency code {code!r}: expected 1-{_MAX_CODE_LENGTH} characters A-Z, 0-9"
        )


def _restore(
    code: str, precision: int, iso4217: int, name: str, currency_type: CurrencyType
) -> Currency:
    """Unpickle a currency, returning the registered instance when the definition matches."""
    currency = Currency(code, precision, iso4217, name, currency_type)
    registered = _REGISTRY.get(code)
    if registered is not None and registered._fields() == currency._fields():
        return registered
    return currency


_REGISTRY: dict[str, Currency] = {}


def _define(
    code: str, precision: int, iso4217: int, name: str, currency_type: CurrencyType
) -> Currency:
    currency = Currency(code, precision, iso4217, name, currency_type)
    Currency.register(currency)
    return currency


_FIAT = CurrencyType.FIAT
_CRYPTO = CurrencyType.CRYPTO

USD: Final = _define("USD", 2, 840, "United States dollar", _FIAT)
EUR: Final = _define("EUR", 2, 978, "Euro", _FIAT)
GBP: Final = _define("GBP", 2, 826, "Pound sterling", _FIAT)
JPY: Final = _define("JPY", 0, 392, "Japanese yen", _FIAT)
INR: Final = _define("INR", 2, 356, "Indian rupee", _FIAT)

USDT: Final = _define("USDT", 8, 0, "Tether", _CRYPTO)
USDC: Final = _define("USDC", 8, 0, "USD Coin", _CRYPTO)
FDUSD: Final = _define("FDUSD", 8, 0, "First Digital USD", _CRYPTO)
BUSD: Final = _define("BUSD", 8, 0, "Binance USD", _CRYPTO)
BTC: Final = _define("BTC", 8, 0, "Bitcoin", _CRYPTO)
ETH: Final = _define("ETH", 8, 0, "Ether", _CRYPTO)
BNB: Final = _define("BNB", 8, 0, "BNB", _CRYPTO)
SOL: Final = _define("SOL", 8, 0, "Solana", _CRYPTO)
XRP: Final = _define("XRP", 8, 0, "XRP", _CRYPTO)
