"""Argument checks of the order factory: every error names the method and the argument.

Nothing is rounded: a price off the instrument's tick or a quantity off its lot is refused, with
a pointer to the instrument's explicit rounding helpers (`make_price`, `make_qty`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final, Protocol, TypeVar

from shrivenquant.model.enums import OrderSide, TimeInForce, TrailingOffsetType, TriggerType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Price, Quantity

E = TypeVar("E", bound=Enum)

_ENUM_FIELDS: Final[dict[str, type[Enum]]] = {
    "time_in_force": TimeInForce,
    "trigger_type": TriggerType,
    "trailing_offset_type": TrailingOffsetType,
}
_FLAGS: Final = frozenset({"post_only", "reduce_only", "quote_quantity"})


class InstrumentLookup(Protocol):
    """Where the factory finds instruments to check ticks and lots against (a `CacheView`)."""

    def instrument(self, instrument_id: InstrumentId) -> Instrument | None:
        """The instrument, or None."""
        ...


class OrderArgs:
    """Checks the arguments of one factory call (``method`` names it in errors)."""

    __slots__ = ("instrument", "method")

    def __init__(self, method: str, instrument: Instrument | None) -> None:
        self.method = method
        self.instrument = instrument

    def order_fields(self, params: dict[str, Any], now_ns: int) -> dict[str, Any]:
        """Check the factory method's parameters and return them as `OrderInitialized`
        fields (``side`` becomes ``order_side``).

        Raises:
            ValueError: a parameter is invalid; the message names it.
        """
        quote = self.flag("quote_quantity", params.get("quote_quantity", False))
        fields: dict[str, Any] = {}
        for name, value in params.items():
            if name == "side":
                fields["order_side"] = self.side(value)
            elif name == "quantity":
                fields[name] = self.quantity(name, value, on_lot=not quote)
            elif name == "display_qty":
                fields[name] = None if value is None else self.quantity(name, value)
            elif name in ("price", "trigger_price"):
                fields[name] = self.optional_price(name, value)
            elif name in ("limit_offset", "trailing_offset"):
                fields[name] = self.offset(name, value)
            elif name in _ENUM_FIELDS:
                fields[name] = self.enum(name, value, _ENUM_FIELDS[name])
            elif name == "emulation_trigger":
                fields[name] = self.optional_enum(name, value, TriggerType)
            elif name in _FLAGS:
                fields[name] = self.flag(name, value)
            elif name == "expire_time_ns":
                fields[name] = self.expire_time(value, now_ns)
            elif name == "tags":
                fields[name] = self.tags(value)
            else:
                raise TypeError(f"{self.method}: no check for parameter {name!r}")
        return fields

    def error(self, name: str, problem: str) -> ValueError:
        """An error naming the argument."""
        return ValueError(f"{self.method}: {name} {problem}")

    def side(self, side: object) -> OrderSide:
        """``side`` must be BUY or SELL."""
        if side is not OrderSide.BUY and side is not OrderSide.SELL:
            raise self.error("side", f"must be OrderSide.BUY or OrderSide.SELL, got {side!r}")
        return side

    def quantity(self, name: str, value: object, *, on_lot: bool = True) -> Quantity:
        """A positive `Quantity` on the instrument's lot (``quantity_step``)."""
        if type(value) is not Quantity:
            raise self.error(name, f"must be a Quantity, got {value!r}")
        if not value:
            raise self.error(name, "must be positive, got 0")
        instrument = self.instrument
        if on_lot and instrument is not None and not value.is_multiple_of(instrument.quantity_step):
            raise self.error(
                name,
                f"{value} is not a multiple of {instrument.id}'s quantity step "
                f"{instrument.quantity_step}; round it explicitly with instrument.make_qty(...)",
            )
        return value

    def price(self, name: str, value: object) -> Price:
        """A `Price` on the instrument's tick."""
        if type(value) is not Price:
            raise self.error(name, f"must be a Price, got {value!r}")
        instrument = self.instrument
        if instrument is not None and not value.is_multiple_of(instrument.price_increment):
            raise self.error(
                name,
                f"{value} is not a multiple of {instrument.id}'s tick {instrument.price_increment};"
                " round it explicitly with instrument.make_price(...)",
            )
        return value

    def optional_price(self, name: str, value: object) -> Price | None:
        """None, or a `Price` on the tick."""
        return None if value is None else self.price(name, value)

    def offset(self, name: str, value: object) -> Decimal:
        """A finite, exact offset: a Decimal, or an int or str read exactly (never a float)."""
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            raise self.error(name, f"must be a Decimal (or int/str), got {value!r}")
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise self.error(name, f"is not a number: {value!r}") from None
        if not result.is_finite():
            raise self.error(name, f"must be finite, got {value!r}")
        return result

    def enum(self, name: str, value: object, kind: type[E]) -> E:
        """A member of ``kind``."""
        if not isinstance(value, kind):
            raise self.error(name, f"must be a {kind.__name__}, got {value!r}")
        return value

    def optional_enum(self, name: str, value: object, kind: type[E]) -> E | None:
        """None, or a member of ``kind``."""
        return None if value is None else self.enum(name, value, kind)

    def flag(self, name: str, value: object) -> bool:
        """A bool."""
        if not isinstance(value, bool):
            raise self.error(name, f"must be True or False, got {value!r}")
        return value

    def expire_time(self, value: object, now_ns: int) -> int | None:
        """None, or a UNIX-ns time in the future."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error("expire_time_ns", f"must be an int (UNIX ns), got {value!r}")
        if value <= now_ns:
            raise self.error("expire_time_ns", f"{value} is not after the clock's time {now_ns}")
        return value

    def tags(self, value: Iterable[str]) -> tuple[str, ...]:
        """A tuple of non-empty strings."""
        if isinstance(value, str):
            raise self.error("tags", f"must be a sequence of str, got the str {value!r}")
        result = tuple(value)
        for tag in result:
            if not isinstance(tag, str) or not tag:
                raise self.error("tags", f"must hold non-empty str, got {tag!r}")
        return result


def find_instrument(
    method: str, instrument_id: object, instruments: InstrumentLookup | None
) -> Instrument | None:
    """The instrument to check against (None without a lookup).

    Raises:
        ValueError: ``instrument_id`` is not an `InstrumentId`, or the lookup does not know it.
    """
    if type(instrument_id) is not InstrumentId:
        raise ValueError(f"{method}: instrument_id must be an InstrumentId, got {instrument_id!r}")
    if instruments is None:
        return None
    instrument = instruments.instrument(instrument_id)
    if instrument is None:
        raise ValueError(
            f"{method}: instrument_id {instrument_id} is not in the cache; "
            "the strategy can only trade instruments the kernel has loaded"
        )
    return instrument
