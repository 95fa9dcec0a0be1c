"""Settings of the SPAN-style scenario margin (`shrivenquant.risk.span_margin`).

Kept apart from the model so that `RiskConfig` can parse ``[risk.span_margin]`` without
loading the options engine (numba) the model needs. A TOML table such as::

    [risk.span_margin]
    price_scan = "0.06"            # the underlying moves +-6 % (and twice that, weighted)
    vol_scan = "0.04"              # volatility +-4 points
    short_option_minimum = "0.03"  # each unit short pays at least 3 % of its forward
    calendar_spread_rate = "0.005"
    rate = "0.065"
    [risk.span_margin.spot_instruments]
    NIFTY = "NIFTY50.NSE"
    [risk.span_margin.underlyings.BANKNIFTY]
    price_scan = "0.08"

is read with `SpanMarginConfig.from_mapping`; a bad value or an unknown key fails there with
the field named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.risk import _parse

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_HALF: Final = Decimal("0.5")


def _bounded(
    name: str, value: object, low: Decimal, high: Decimal, *, open_low: bool,
    open_high: bool = False,
) -> Decimal:  # fmt: skip
    number = _parse.to_decimal(name, value)
    below = number <= low if open_low else number < low
    above = number >= high if open_high else number > high
    if below or above:
        left, right = "(" if open_low else "[", ")" if open_high else "]"
        raise InvalidInputError(f"{name}: must be in {left}{low}, {high}{right}, got {value!r}")
    return number


@dataclass(frozen=True, slots=True, kw_only=True)
class SpanParameters:
    """The scan ranges and charges of one underlying (fractions: ``0.06`` is 6 %).

    The defaults are of the order NSE uses for index options; set them from the clearing
    corporation's risk parameter file.

    Attributes:
        price_scan: the price scan range, a fraction of the underlying price (below 0.5: the
            extreme scenarios move twice as far).
        vol_scan: the volatility scan range in volatility points (0.04 is 4 points).
        short_option_minimum: the least each unit short in an option pays, a fraction of its
            forward.
        calendar_spread_rate: what each unit of delta matched between expiries pays, a
            fraction of the underlying price.
    """

    price_scan: Decimal = Decimal("0.06")
    vol_scan: Decimal = Decimal("0.04")
    short_option_minimum: Decimal = Decimal("0.03")
    calendar_spread_rate: Decimal = Decimal("0.005")

    def __post_init__(self) -> None:
        for name, high in (("vol_scan", _ONE), ("short_option_minimum", _ONE),
                           ("calendar_spread_rate", _ONE)):  # fmt: skip
            object.__setattr__(self, name, _bounded(name, getattr(self, name), _ZERO, high,
                                                    open_low=False))  # fmt: skip
        scan = _bounded("price_scan", self.price_scan, _ZERO, _HALF, open_low=True, open_high=True)
        object.__setattr__(self, "price_scan", scan)

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], where: str, base: SpanParameters | None = None
    ) -> SpanParameters:
        """Parse a table of the fields; those it omits come from ``base`` (or the defaults)."""
        names = [f.name for f in fields(cls)]
        _parse.reject_unknown(where, values, names)
        parsed = {name: _parse.to_decimal(f"{where}.{name}", values[name]) for name in values}
        try:
            return replace(base or cls(), **parsed)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where}.{exc}") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class SpanMarginConfig:
    """Settings of `SpanMarginModel`.

    Attributes:
        default: the parameters of every underlying without its own.
        underlyings: parameters per underlying (``"NIFTY"``).
        spot_instruments: the instrument whose price is an underlying's spot, used for the
            forward of expiries without a future of their own.
        rate: the continuously compounded rate that discounts premiums and carries a spot or
            another expiry's future to a forward (0.065 is 6.5 %).
        min_vol: the lowest volatility a scenario uses; also the volatility of an option
            quoted at its intrinsic value (no time value to read one from).
        min_expiry_secs: time to expiry is never taken below this (an option on its last
            minutes, or expired and not yet settled).
    """

    default: SpanParameters = field(default_factory=SpanParameters)
    underlyings: Mapping[str, SpanParameters] = field(default_factory=dict)
    spot_instruments: Mapping[str, InstrumentId] = field(default_factory=dict)
    rate: Decimal = _ZERO
    min_vol: Decimal = Decimal("0.01")
    min_expiry_secs: int = 60

    def __post_init__(self) -> None:
        for name, table in (("underlyings", self.underlyings),
                            ("spot_instruments", self.spot_instruments)):  # fmt: skip
            object.__setattr__(self, name, MappingProxyType(dict(table)))
        for underlying, parameters in self.underlyings.items():
            if not isinstance(parameters, SpanParameters):
                raise InvalidInputError(f"underlyings[{underlying!r}]: expected SpanParameters")
        for underlying, instrument_id in self.spot_instruments.items():
            if not isinstance(instrument_id, InstrumentId):
                raise InvalidInputError(f"spot_instruments[{underlying!r}]: expected an id")
        rate = _bounded("rate", self.rate, Decimal(-1), _ONE, open_low=False)
        object.__setattr__(self, "rate", rate)
        min_vol = _bounded("min_vol", self.min_vol, _ZERO, _ONE, open_low=True)
        object.__setattr__(self, "min_vol", min_vol)
        _parse.count("min_expiry_secs", self.min_expiry_secs, minimum=1)

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> SpanMarginConfig:
        """Parse a TOML table: the `SpanParameters` fields for every underlying at the top,
        ``rate``, ``min_vol``, ``min_expiry_secs``, ``[spot_instruments]`` (underlying to
        instrument id) and ``[underlyings.<NAME>]`` (the parameters that differ).

        Raises:
            InvalidInputError: an unknown key or a bad value, naming the field.
        """
        table = _parse.expect_mapping("span_margin", table)
        own = ("underlyings", "spot_instruments", "rate", "min_vol", "min_expiry_secs")
        parameter_names = [f.name for f in fields(SpanParameters)]
        _parse.reject_unknown("span_margin", table, (*own, *parameter_names))
        default = SpanParameters.from_mapping(
            {k: v for k, v in table.items() if k in parameter_names}, "span_margin"
        )
        underlyings = {
            name: SpanParameters.from_mapping(
                _parse.expect_mapping(f"span_margin.underlyings.{name}", values),
                f"span_margin.underlyings.{name}",
                default,
            )
            for name, values in _parse.expect_mapping(
                "span_margin.underlyings", table.get("underlyings", {})
            ).items()
        }
        spots = _parse.expect_mapping(
            "span_margin.spot_instruments", table.get("spot_instruments", {})
        )
        try:
            spot_ids = {name: InstrumentId(str(value)) for name, value in spots.items()}
        except ValueError as exc:
            raise InvalidInputError(f"span_margin.spot_instruments: {exc}") from None
        extra: dict[str, Any] = {}
        for name in ("rate", "min_vol"):
            if name in table:
                extra[name] = _parse.to_decimal(f"span_margin.{name}", table[name])
        if "min_expiry_secs" in table:
            extra["min_expiry_secs"] = _parse.count(
                "span_margin.min_expiry_secs", table["min_expiry_secs"], minimum=1
            )
        try:
            return cls(default=default, underlyings=underlyings, spot_instruments=spot_ids, **extra)
        except InvalidInputError as exc:
            raise InvalidInputError(f"span_margin.{exc}") from None

    def parameters(self, underlying: str) -> SpanParameters:
        """The parameters of ``underlying``."""
        return self.underlyings.get(underlying, self.default)


__all__ = ["SpanMarginConfig", "SpanParameters"]
