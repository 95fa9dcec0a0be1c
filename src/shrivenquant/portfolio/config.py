"""Portfolio configuration: how positions are marked, which accounts are calculated, leverage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum, unique
from types import MappingProxyType
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import USD, USDT, Currency
from shrivenquant.model.identifiers import AccountId, InstrumentId

ALL_ACCOUNTS: Final = "*"
"""In `PortfolioConfig.calculated_accounts`: calculate the state of every account."""


@unique
class MarkPriceType(StrEnum):
    """Which price open positions are marked at for unrealized PnL, exposure and equity."""

    LAST_TRADE = "LAST_TRADE"
    MID = "MID"
    BAR_CLOSE = "BAR_CLOSE"

    @classmethod
    def parse(cls, value: MarkPriceType | str) -> MarkPriceType:
        """The mark price type named by ``value`` (any case).

        Raises:
            InvalidInputError: ``value`` names none.
        """
        if isinstance(value, MarkPriceType):
            return value
        if isinstance(value, str):
            key = value.strip().upper()
            for member in cls:
                if key == member.value:
                    return member
        choices = ", ".join(m.value for m in cls)
        raise InvalidInputError(f"mark_price_type: unknown {value!r}; use one of {choices}")


@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioConfig:
    """Settings of the portfolio.

    Attributes:
        mark_price_type: the price open positions are marked at.
        base_currency: the currency totals across currencies are converted to; None leaves
            them per currency (a single-currency account still reports in its own currency).
        bridge_currencies: currencies a missing exchange rate is triangulated through, in
            order (``BTC -> USDT -> EUR``).
        calculated_accounts: ids of the accounts whose balances the portfolio calculates from
            fills and open orders (``"*"`` for all); the others take the venue's reports only.
        leverages: leverage per instrument id for margin accounts.
        default_leverage: leverage for instruments without their own; None uses each
            instrument's initial margin rate.
        journal_account_states: send calculated account states to the execution engine's
            ``EXEC_ENGINE_PROCESS`` endpoint, which journals, caches and publishes them (so a
            restart restores them); when False, or when no engine is registered, the portfolio
            publishes them itself.
    """

    mark_price_type: MarkPriceType = MarkPriceType.MID
    base_currency: Currency | None = None
    bridge_currencies: tuple[Currency, ...] = (USDT, USD)
    calculated_accounts: frozenset[str] = frozenset()
    leverages: Mapping[InstrumentId, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    default_leverage: Decimal | None = None
    journal_account_states: bool = True

    def __post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "mark_price_type", MarkPriceType.parse(self.mark_price_type))
        if self.base_currency is not None:
            setter(self, "base_currency", _currency("base_currency", self.base_currency))
        bridges: Any = self.bridge_currencies
        if isinstance(bridges, str) or not isinstance(bridges, Iterable):
            raise InvalidInputError(
                f"bridge_currencies: expected a list of currencies, got {bridges!r}"
            )
        setter(
            self,
            "bridge_currencies",
            tuple(_currency("bridge_currencies", c) for c in bridges),
        )
        setter(self, "calculated_accounts", _accounts(self.calculated_accounts))
        if not isinstance(self.leverages, Mapping):
            raise InvalidInputError(f"leverages: expected a mapping, got {self.leverages!r}")
        leverages = {
            _instrument_id(key): _leverage(f"leverages[{key}]", value)
            for key, value in self.leverages.items()
        }
        setter(self, "leverages", MappingProxyType(leverages))
        if self.default_leverage is not None:
            setter(self, "default_leverage", _leverage("default_leverage", self.default_leverage))
        journal: object = self.journal_account_states
        if not isinstance(journal, bool):
            raise InvalidInputError(
                f"journal_account_states: expected true or false, got {journal!r}"
            )

    def calculates(self, account_id: AccountId) -> bool:
        """Whether the portfolio calculates the state of ``account_id``."""
        accounts = self.calculated_accounts
        return ALL_ACCOUNTS in accounts or account_id.value in accounts

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PortfolioConfig:
        """Build a config from a mapping (a parsed TOML table), rejecting unknown keys.

        Raises:
            InvalidInputError: an unknown key or an invalid value; the message names the field.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                f"unknown portfolio config field(s): {', '.join(unknown)};"
                f" known: {', '.join(sorted(known))}"
            )
        return cls(**values)


def _currency(field: str, value: object) -> Currency:
    if isinstance(value, Currency):
        return value
    if isinstance(value, str):
        try:
            return Currency.from_str(value.strip().upper())
        except ValueError as exc:
            raise InvalidInputError(f"{field}: {exc}") from exc
    raise InvalidInputError(f"{field}: expected a currency code, got {value!r}")


def _accounts(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInputError(f"calculated_accounts: expected a list of ids, got {value!r}")
    result: set[str] = set()
    for item in value:
        if isinstance(item, AccountId):
            result.add(item.value)
        elif item == ALL_ACCOUNTS:
            result.add(item)
        elif isinstance(item, str):
            try:
                result.add(AccountId(item).value)
            except ValueError as exc:
                raise InvalidInputError(f"calculated_accounts: {exc}") from exc
        else:
            raise InvalidInputError(f"calculated_accounts: expected account ids, got {item!r}")
    return frozenset(result)


def _instrument_id(value: object) -> InstrumentId:
    if isinstance(value, InstrumentId):
        return value
    if isinstance(value, str):
        try:
            return InstrumentId(value)
        except ValueError as exc:
            raise InvalidInputError(f"leverages: {exc}") from exc
    raise InvalidInputError(f"leverages: keys must be instrument ids, got {value!r}")


def _leverage(field: str, value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise InvalidInputError(f"{field}: expected a str, int or Decimal, got {value!r}")
    try:
        leverage = Decimal(value) if isinstance(value, int | str | Decimal) else None
    except InvalidOperation:
        leverage = None
    if leverage is None or not leverage.is_finite() or leverage < 1:
        raise InvalidInputError(f"{field}: must be a number >= 1, got {value!r}")
    return leverage
