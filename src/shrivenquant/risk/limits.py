"""`RiskLimits`: one set of pre-trade limits, for the whole trader, an account, a strategy or
an instrument.

Every field is optional (None or False: no limit). Where several scopes set the same order
limit, the tightest applies. What each limit measures:

| limit                         | measures                                                      |
|-------------------------------|---------------------------------------------------------------|
| ``min/max_order_qty``         | the order's quantity                                          |
| ``min/max_order_notional``    | quantity x price (x multiplier) of the order                  |
| ``max_position_qty/notional`` | the worst-case position in the instrument: the position plus  |
|                               | every open order on the side of the new order                 |
| ``max_gross/net_exposure``    | worst-case notional summed over the scope's instruments       |
| ``max_open_orders``           | orders not yet finished in the scope                          |
| ``price_band_pct/ticks``      | distance of the order's prices from the reference price       |
| ``reduce_only``               | only orders that reduce the position are allowed              |

Position limits of a strategy count that strategy's position; everywhere else they count the
instrument's whole position. Notional limits given as a bare number are in the instrument's
notional currency; with a currency (``"50000 USDT"``) they are converted at the latest rate.
Exposure limits need a currency and do not apply to a single instrument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.values import Money, Quantity
from shrivenquant.risk import _parse

NotionalLimit = Money | Decimal
"""A notional limit: an amount in a currency, or a number in the instrument's currency."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskLimits:
    """Pre-trade limits of one scope (see the module docstring for what each measures)."""

    max_order_qty: Quantity | None = None
    min_order_qty: Quantity | None = None
    max_order_notional: NotionalLimit | None = None
    min_order_notional: NotionalLimit | None = None
    max_position_qty: Quantity | None = None
    max_position_notional: NotionalLimit | None = None
    max_gross_exposure: Money | None = None
    max_net_exposure: Money | None = None
    max_open_orders: int | None = None
    price_band_pct: Decimal | None = None
    price_band_ticks: int | None = None
    reduce_only: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str = "limits") -> RiskLimits:
        """Parse a table of limits; errors name ``where`` and the field.

        Raises:
            InvalidInputError: an unknown field or an invalid value.
        """
        _parse.reject_unknown(where, values, LIMIT_FIELDS)
        parsed = {name: parse_limit(name, value, where) for name, value in values.items()}
        _check_ranges(parsed, where)
        return cls(**parsed)

    def __post_init__(self) -> None:
        for name in LIMIT_FIELDS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, parse_limit(name, value, "limits"))
        _check_ranges({name: getattr(self, name) for name in LIMIT_FIELDS}, "limits")

    def changed(
        self, values: Mapping[str, object], clear: Iterable[str] = (), where: str = "limits"
    ) -> RiskLimits:
        """A copy with ``values`` set (parsed like the config) and ``clear`` removed.

        Raises:
            InvalidInputError: an unknown limit name or an invalid value.
        """
        cleared = tuple(clear)
        _parse.reject_unknown(where, dict.fromkeys(cleared), LIMIT_FIELDS)
        _parse.reject_unknown(where, values, LIMIT_FIELDS)
        updates: dict[str, Any] = {name: _CLEARED[name] for name in cleared}
        for name, value in values.items():
            updates[name] = parse_limit(name, value, where)
        _check_ranges({name: getattr(self, name) for name in LIMIT_FIELDS} | updates, where)
        return replace(self, **updates)

    def check_scope(self, where: str, instrument_scope: bool) -> None:
        """Refuse limits that make no sense for the scope (exposures of one instrument)."""
        if instrument_scope:
            for name in ("max_gross_exposure", "max_net_exposure"):
                if getattr(self, name) is not None:
                    raise InvalidInputError(
                        f"{where}.{name}: exposure limits apply to accounts, strategies or "
                        f"everything, not to one instrument; use max_position_notional"
                    )

    def as_text(self) -> dict[str, str]:
        """The limits that are set, as text (the form `UpdateRiskLimits` carries)."""
        result: dict[str, str] = {}
        for name in LIMIT_FIELDS:
            value = getattr(self, name)
            if value is None or value is False:
                continue
            result[name] = "true" if value is True else str(value)
        return result

    @property
    def is_empty(self) -> bool:
        """Whether no limit is set."""
        return not self.as_text()


LIMIT_FIELDS: Final = tuple(f.name for f in fields(RiskLimits))
"""The names of every limit."""

_CLEARED: Final[dict[str, Any]] = dict.fromkeys(LIMIT_FIELDS) | {"reduce_only": False}
_QUANTITIES: Final = frozenset({"max_order_qty", "min_order_qty", "max_position_qty"})
_NOTIONALS: Final = frozenset({"max_order_notional", "min_order_notional", "max_position_notional"})
_EXPOSURES: Final = frozenset({"max_gross_exposure", "max_net_exposure"})
_COUNTS: Final = frozenset({"max_open_orders", "price_band_ticks"})


def parse_limit(name: str, value: object, where: str) -> Any:
    """Parse one limit value; the error names ``where.name``."""
    field = f"{where}.{name}"
    if name in _QUANTITIES:
        return _parse.quantity(field, value)
    if name in _NOTIONALS:
        return _parse.notional(field, value)
    if name in _EXPOSURES:
        return _parse.money(field, value)
    if name in _COUNTS:
        return _parse.count(field, value, minimum=0 if name == "max_open_orders" else 1)
    if name == "price_band_pct":
        return _parse.fraction(field, value)
    if name == "reduce_only":
        return _parse.flag(field, value)
    raise InvalidInputError(f"{where}: unknown limit {name!r}")


def _check_ranges(values: Mapping[str, Any], where: str) -> None:
    for low_name, high_name in (
        ("min_order_qty", "max_order_qty"),
        ("min_order_notional", "max_order_notional"),
    ):
        low, high = values.get(low_name), values.get(high_name)
        if low is None or high is None or type(low) is not type(high):
            continue  # different units: each is checked on its own
        if isinstance(low, Money) and low.currency != high.currency:
            continue
        low_value = low if isinstance(low, Decimal) else low.as_decimal()
        high_value = high if isinstance(high, Decimal) else high.as_decimal()
        if low_value > high_value:
            raise InvalidInputError(f"{where}.{low_name}: {low} exceeds {high_name} {high}")
