"""`SimulatedVenueConfig`: the typed, validated settings of one simulated venue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from decimal import Decimal, InvalidOperation
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AccountType, BookType, OmsType
from shrivenquant.model.identifiers import InstrumentId, Venue
from shrivenquant.model.values import Money
from shrivenquant.sim.fee_model import FeeModel, MakerTakerFeeModel
from shrivenquant.sim.fill_model import FillModel
from shrivenquant.sim.latency_model import LatencyModel

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatedVenueConfig:
    """Settings of a `SimulatedVenue`.

    Attributes:
        venue: the venue simulated (its instruments are ``SYMBOL.<venue>``).
        starting_balances: what every account of the venue starts with, one amount per
            currency (an account may be opened with other balances).
        oms_type: how the venue keeps positions, as reported to the execution engine.
        account_type: CASH (orders fully funded, balances never negative) or MARGIN.
        base_currency: the single currency of the accounts; None for multi-currency accounts
            (a cash account trading spot pairs must be multi-currency: it holds both assets).
        default_leverage: (margin) leverage of instruments without their own; None uses each
            instrument's initial margin rate.
        leverages: (margin) leverage per instrument.
        book_type: where liquidity comes from: L1_MBP the top of book of quotes, trades and
            bars; L2_MBP the depth of order book deltas and snapshots; L3_MBO only the orders
            sent to the venue (the venue is the whole market).
        fill_model: how fills the data cannot decide are made.
        fee_model: the commission of each fill.
        latency_model: how long submit, modify and cancel requests take to arrive.
        reject_stop_orders: reject a stop order whose trigger is already reached on arrival
            (as exchanges do); when False it triggers at once.
        support_contingent_orders: the venue manages OTO, OCO and OUO links itself; when
            False the execution engine manages them.
        day_close_utc: the UTC time of day at which DAY orders expire.
    """

    venue: Venue
    starting_balances: tuple[Money, ...]
    oms_type: OmsType = OmsType.NETTING
    account_type: AccountType = AccountType.CASH
    base_currency: Currency | None = None
    default_leverage: Decimal | None = None
    leverages: Mapping[InstrumentId, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    book_type: BookType = BookType.L1_MBP
    fill_model: FillModel = field(default_factory=FillModel)
    fee_model: FeeModel = field(default_factory=MakerTakerFeeModel)
    latency_model: LatencyModel = field(default_factory=LatencyModel)
    reject_stop_orders: bool = True
    support_contingent_orders: bool = True
    day_close_utc: time = time(0, 0)

    def __post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "venue", _venue(self.venue))
        setter(self, "oms_type", _enum("oms_type", OmsType, self.oms_type))
        setter(self, "account_type", _enum("account_type", AccountType, self.account_type))
        setter(self, "book_type", _enum("book_type", BookType, self.book_type))
        if self.base_currency is not None:
            setter(self, "base_currency", _currency("base_currency", self.base_currency))
        setter(self, "starting_balances", self._balances())
        self._check_leverage()
        for name, kind in (
            ("fill_model", FillModel),
            ("latency_model", LatencyModel),
        ):
            if not isinstance(getattr(self, name), kind):
                raise InvalidInputError(
                    f"{name}: expected a {kind.__name__}, got {getattr(self, name)!r}"
                )
        if not callable(getattr(self.fee_model, "commission", None)):
            raise InvalidInputError(f"fee_model: expected a FeeModel, got {self.fee_model!r}")
        for name in ("reject_stop_orders", "support_contingent_orders"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidInputError(f"{name}: expected a bool, got {getattr(self, name)!r}")
        setter(self, "day_close_utc", _time_of_day(self.day_close_utc))

    def _balances(self) -> tuple[Money, ...]:
        raw: Any = self.starting_balances
        if isinstance(raw, (str, Money)) or not isinstance(raw, (list, tuple)):
            raw = [raw]
        if not raw:
            raise InvalidInputError("starting_balances: give at least one balance")
        balances: list[Money] = []
        seen: set[str] = set()
        for item in raw:
            money = _money(item)
            code = money.currency.code
            if code in seen:
                raise InvalidInputError(f"starting_balances: two balances in {code}")
            if money.raw < 0:
                raise InvalidInputError(f"starting_balances: {money} is negative")
            if self.base_currency is not None and money.currency != self.base_currency:
                raise InvalidInputError(
                    f"starting_balances: {money} is not in the base currency "
                    f"{self.base_currency} (use base_currency=None for several currencies)"
                )
            seen.add(code)
            balances.append(money)
        return tuple(balances)

    def _check_leverage(self) -> None:
        setter = object.__setattr__
        is_margin = self.account_type is AccountType.MARGIN
        if self.default_leverage is not None:
            if not is_margin:
                raise InvalidInputError("default_leverage: only margin accounts have leverage")
            setter(self, "default_leverage", _leverage("default_leverage", self.default_leverage))
        leverages: Any = self.leverages
        if not isinstance(leverages, Mapping):
            raise InvalidInputError(f"leverages: expected a mapping, got {leverages!r}")
        if leverages and not is_margin:
            raise InvalidInputError("leverages: only margin accounts have leverage")
        parsed = {
            _instrument_id(key): _leverage(f"leverages[{key}]", value)
            for key, value in leverages.items()
        }
        setter(self, "leverages", MappingProxyType(parsed))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SimulatedVenueConfig:
        """Build from a mapping (a parsed TOML table), rejecting unknown keys.

        ``fill_model`` and ``latency_model`` may be tables of their fields; ``fee_model`` may
        be ``"maker_taker"``; ``starting_balances`` a list of strings like ``"10000 USDT"``.

        Raises:
            InvalidInputError: an unknown key or an invalid value; the message names the field.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                f"unknown simulated venue config field(s): {', '.join(unknown)};"
                f" known: {', '.join(sorted(known))}"
            )
        parsed = dict(values)
        for name, kind in (("fill_model", FillModel), ("latency_model", LatencyModel)):
            table = parsed.get(name)
            if isinstance(table, Mapping):
                allowed = {f.name for f in fields(kind)}
                extra = sorted(set(table) - allowed)
                if extra:
                    raise InvalidInputError(
                        f"{name}: unknown field(s) {', '.join(extra)}; known: "
                        f"{', '.join(sorted(allowed))}"
                    )
                parsed[name] = kind(**table)
        fee = parsed.get("fee_model")
        if isinstance(fee, str):
            if fee.strip().lower() != "maker_taker":
                raise InvalidInputError(f"fee_model: unknown {fee!r}; use 'maker_taker'")
            parsed["fee_model"] = MakerTakerFeeModel()
        if "leverages" in parsed and isinstance(parsed["leverages"], Mapping):
            parsed["leverages"] = {
                key: _leverage(f"leverages[{key}]", value)
                for key, value in parsed["leverages"].items()
            }
        return cls(**parsed)


def _venue(value: object) -> Venue:
    if isinstance(value, Venue):
        return value
    if isinstance(value, str):
        try:
            return Venue(value)
        except ValueError as exc:
            raise InvalidInputError(f"venue: {exc}") from None
    raise InvalidInputError(f"venue: expected a Venue or str, got {value!r}")


def _enum(name: str, kind: type[E], value: object) -> E:
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind[value.strip().upper()]
        except KeyError:
            pass
    choices = ", ".join(member.name for member in kind)
    raise InvalidInputError(f"{name}: unknown {value!r}; use one of {choices}")


def _currency(name: str, value: object) -> Currency:
    if isinstance(value, Currency):
        return value
    if isinstance(value, str):
        try:
            return Currency.from_str(value.strip())
        except (KeyError, ValueError) as exc:
            raise InvalidInputError(f"{name}: unknown currency {value!r} ({exc})") from None
    raise InvalidInputError(f"{name}: expected a Currency or currency code, got {value!r}")


def _money(value: object) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, str):
        try:
            return Money.from_str(value.strip())
        except (KeyError, ValueError) as exc:
            raise InvalidInputError(f"starting_balances: invalid {value!r} ({exc})") from None
    raise InvalidInputError(
        f"starting_balances: expected Money or a string like '10000 USDT', got {value!r}"
    )


def _instrument_id(value: object) -> InstrumentId:
    if isinstance(value, InstrumentId):
        return value
    if isinstance(value, str):
        try:
            return InstrumentId(value)
        except ValueError as exc:
            raise InvalidInputError(f"leverages: {exc}") from None
    raise InvalidInputError(f"leverages: expected instrument ids as keys, got {value!r}")


def _leverage(name: str, value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise InvalidInputError(f"{name}: expected a Decimal, int or str, got {value!r}")
    try:
        leverage = Decimal(value) if isinstance(value, (int, str, Decimal)) else None
    except InvalidOperation:
        leverage = None
    if leverage is None or not leverage.is_finite() or leverage < 1:
        raise InvalidInputError(f"{name}: expected a number >= 1, got {value!r}")
    return leverage


def _time_of_day(value: object) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise InvalidInputError("day_close_utc: give a naive time (it is read as UTC)")
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInputError(f"day_close_utc: expected a time such as '00:00', got {value!r}")
