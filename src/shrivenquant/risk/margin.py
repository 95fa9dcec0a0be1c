"""Margin models: how much more funding an order needs, for the pre-trade balance check.

A `MarginModel` answers one question: given the worst-case position in the order's direction
before and after the order (``before``/``after``, signed raw quantities), how much of which
currency must be free to fund it? The engine compares that with the account's free balance
less what orders not yet at the venue need.

- `CashMarginModel`: cash accounts pay in full. A buy needs its notional plus the larger fee;
  a spot sell needs the base asset; any other sell must not go short.
- `LeveragedMarginModel`: futures and perpetuals need initial margin on the growth of the
  position (at the account's leverage, capped by the instrument's leverage tier for the
  position's size) plus the taker fee; an order that only reduces needs nothing.
- `OptionsMarginModel`: a bought option needs its premium; a sold one that adds to a short
  position needs what the `ScenarioMarginModel` (SPAN-style: price x volatility scenarios,
  worst loss, short-option minimum, spread credit) says the portfolio on that underlying
  needs after the order, less what it needs now.

`ScenarioMarginModel` is a hook: the options engine implements it; without one, orders that
add short option exposure are refused with ``MARGIN_MODEL_UNAVAILABLE``.
"""

# ruff: noqa: PLR0917 - hot-path calls pass raw ints positionally (keywords cost time)

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final, Protocol

from shrivenquant.model.accounts import Account, MarginAccount
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import InstrumentClass
from shrivenquant.model.fixed_point import FIXED_SCALAR, STEP
from shrivenquant.model.identifiers import AccountId, InstrumentId
from shrivenquant.model.instruments import CurrencyPair, Instrument
from shrivenquant.model.values import Money
from shrivenquant.risk.config_sections import LeverageTier
from shrivenquant.risk.reasons import RiskReason

_SCALE3: Final = FIXED_SCALAR**3
_MARGIN_ONLY: Final = frozenset({InstrumentClass.PERPETUAL, InstrumentClass.FUTURE})

Requirement = tuple[Currency, int]
"""Funds needed: the currency and the raw amount (0 when nothing is needed)."""


class MarginDenied(Exception):  # noqa: N818 - reads as the outcome it reports
    """The model refuses the order outright (not a shortfall of funds): ``code`` is the
    denial's reason code, the message its sentence."""

    def __init__(self, code: RiskReason, message: str) -> None:
        super().__init__(message)
        self.code = code


class MarginModel(Protocol):
    """How much more funding an order needs."""

    def requirement(
        self,
        account: Account,
        instrument: Instrument,
        sign: int,
        qty: int,
        price: int,
        before: int,
        after: int,
    ) -> Requirement:
        """Funds the order needs (raw, rounded up to the currency).

        Args:
            account: the account the order trades in.
            instrument: the order's instrument.
            sign: +1 buy, -1 sell.
            qty: the order quantity (raw).
            price: the price the order is valued at (raw).
            before: the worst-case signed position in the order's direction without it.
            after: the same with it.

        Raises:
            MarginDenied: the account cannot take this order at all.
        """
        ...


class ScenarioMarginModel(Protocol):
    """SPAN-style margin of the positions on one underlying (implemented by the options
    engine): the worst loss over price-scan x volatility-scan scenarios, at least the
    short-option minimum, less spread credits."""

    def portfolio_margin(
        self, account_id: AccountId, underlying: str, positions: Mapping[InstrumentId, Decimal]
    ) -> Money:
        """The margin ``positions`` (signed quantities per instrument) need."""
        ...


def _ceil_units(numerator: int, denominator: int, currency: Currency) -> int:
    """``numerator / denominator`` rounded up to the currency's precision, as a raw int."""
    places = currency.precision
    scale: int = 10**places
    step: int = STEP[places]
    return -(-numerator * scale // denominator) * step


def _fee_rate(instrument: Instrument) -> Fraction:
    rate = max(instrument.maker_fee, instrument.taker_fee)
    return Fraction(rate) if rate > 0 else Fraction(0)


def _notional(instrument: Instrument, qty: int, price: int) -> Fraction:
    """Exact notional of ``qty`` at ``price`` (raw ints) in the notional currency."""
    size = qty * instrument.multiplier.raw
    if instrument.is_inverse:
        return Fraction(size, FIXED_SCALAR * price) if price > 0 else Fraction(0)
    return Fraction(size * price, _SCALE3)


class LinearFunds:
    """Funds that grow in proportion to an order, folded into integer factors: ``ceil(qty *
    price * num / den)`` units of ``step`` in ``currency``; for an inverse contract ``ceil(qty
    * num / (price * den))``; for what a spot sell delivers (``per_unit``) ``ceil(qty * num /
    den)``, whatever the price.
    """

    __slots__ = ("currency", "den", "inverse", "num", "per_unit", "step")

    def __init__(
        self, currency: Currency, numerator: int, denominator: int, *, inverse: bool = False,
        per_unit: bool = False,
    ) -> None:  # fmt: skip
        divisor = math.gcd(numerator, denominator)  # smaller ints on every order
        self.currency = currency
        self.num = numerator // divisor
        self.den = denominator // divisor
        self.step: int = STEP[currency.precision]
        self.inverse = inverse
        self.per_unit = per_unit

    def amount(self, qty: int, price: int) -> int:
        """What ``qty`` at ``price`` needs (raw, rounded up to the currency)."""
        if self.per_unit:
            return -(-qty * self.num // self.den) * self.step
        if self.inverse:
            return -(-qty * self.num // (price * self.den)) * self.step
        return -(-qty * price * self.num // self.den) * self.step


class _CashTerms:
    """Per instrument, what a cash order needs: a buy its notional plus the larger fee, a spot
    sell its base asset (None for other instruments: they must not go short)."""

    __slots__ = ("buy", "instrument", "margin_only", "sell")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument  # held, so the id() key of the cache stays its own
        self.margin_only = instrument.instrument_class in _MARGIN_ONLY
        fee = _fee_rate(instrument)
        currency = instrument.notional_currency
        inverse = instrument.is_inverse
        self.buy = LinearFunds(
            currency,
            instrument.multiplier.raw * (fee.denominator + fee.numerator) * 10**currency.precision,
            (FIXED_SCALAR if inverse else _SCALE3) * fee.denominator,
            inverse=inverse,
        )
        base = instrument.base_currency if isinstance(instrument, CurrencyPair) else None
        self.sell = (
            None
            if base is None
            else LinearFunds(
                base,
                instrument.multiplier.raw * 10**base.precision,
                FIXED_SCALAR**2,
                per_unit=True,
            )
        )


class CashMarginModel:
    """Cash accounts: every order fully funded, nothing sold short."""

    __slots__ = ("_terms",)

    def __init__(self) -> None:
        # Keyed by id(instrument): the terms hold the instrument, so the id is not reused.
        self._terms: dict[int, _CashTerms] = {}

    def _terms_of(self, instrument: Instrument) -> _CashTerms:
        terms = self._terms.get(id(instrument))
        if terms is None:
            terms = self._terms[id(instrument)] = _CashTerms(instrument)
        return terms

    def linear(self, instrument: Instrument, sign: int) -> LinearFunds | None:
        """What an order of ``sign`` on ``instrument`` needs when that depends on the order
        alone (`requirement` gives the same); None when it depends on more (a sell that must
        not go short) or the instrument needs a margin account."""
        terms = self._terms_of(instrument)
        if terms.margin_only:
            return None
        return terms.buy if sign > 0 else terms.sell

    def requirement(
        self,
        account: Account,
        instrument: Instrument,
        sign: int,
        qty: int,
        price: int,
        before: int,
        after: int,
    ) -> Requirement:
        """See `MarginModel.requirement`."""
        terms = self._terms_of(instrument)
        if terms.margin_only:
            raise MarginDenied(
                RiskReason.MARGIN_MODEL_UNAVAILABLE,
                f"{instrument.id} is a {instrument.instrument_class.value}: it needs a margin "
                f"account, and {account.id} is a cash account",
            )
        funds = terms.buy if sign > 0 else terms.sell
        if funds is not None:
            return funds.currency, funds.amount(qty, price)
        if after < 0:
            raise MarginDenied(
                RiskReason.INSUFFICIENT_POSITION,
                f"cash account {account.id} cannot sell {instrument.id} short: the position "
                f"would reach {Decimal(after).scaleb(-9).normalize()} if every sell filled",
            )
        return instrument.notional_currency, 0


class LeveragedMarginModel:
    """Futures and perpetuals: initial margin on the position's growth, plus the taker fee.

    The initial rate is the account's (``1 / leverage``, or the instrument's ``margin_init``),
    raised to ``1 / max_leverage`` of the tier the post-trade position's notional falls in.

    Args:
        tiers: leverage tiers per instrument (sorted by ``max_notional``).
    """

    __slots__ = ("_tiers",)

    def __init__(
        self, tiers: Mapping[InstrumentId, tuple[LeverageTier, ...]] | None = None
    ) -> None:
        self._tiers = dict(tiers or {})

    def requirement(
        self,
        account: Account,
        instrument: Instrument,
        sign: int,
        qty: int,
        price: int,
        before: int,
        after: int,
    ) -> Requirement:
        """See `MarginModel.requirement`."""
        currency = instrument.notional_currency
        # Only the exposure in the order's direction grows; the other side is not touched.
        grown = after if sign > 0 else -after
        held = before if sign > 0 else -before
        grown, held = max(grown, 0), max(held, 0)
        if grown <= held:
            return currency, 0
        base_rate = self._base_rate(account, instrument)
        margin_after = self._initial(instrument, grown, price, base_rate)
        margin_before = self._initial(instrument, held, price, base_rate)
        fee = _notional(instrument, qty, price) * Fraction(max(instrument.taker_fee, Decimal(0)))
        needed = margin_after - margin_before + fee
        if needed <= 0:
            return currency, 0
        return currency, _ceil_units(needed.numerator, needed.denominator, currency)

    def _base_rate(self, account: Account, instrument: Instrument) -> Fraction:
        if isinstance(account, MarginAccount):
            try:
                return account.margin_rates(instrument)[0]
            except ValueError as exc:
                raise MarginDenied(RiskReason.INSUFFICIENT_MARGIN, str(exc)) from None
        rate = instrument.margin_init
        return Fraction(rate) if rate > 0 else Fraction(1)

    def _initial(self, instrument: Instrument, qty: int, price: int, base: Fraction) -> Fraction:
        if not qty:
            return Fraction(0)
        notional = _notional(instrument, qty, price)
        return notional * max(base, self.tier_rate(instrument, notional))

    def tier_rate(self, instrument: Instrument, notional: Fraction) -> Fraction:
        """The initial rate the instrument's tiers require at ``notional`` (0 without tiers).

        Raises:
            MarginDenied: the notional exceeds the largest tier.
        """
        tier = self._tier(instrument, notional)
        if tier is None:
            return Fraction(0)
        if notional > tier.max_notional:
            raise MarginDenied(
                RiskReason.INSUFFICIENT_MARGIN,
                f"a position of {float(notional):.2f} {instrument.notional_currency} in "
                f"{instrument.id} exceeds its largest leverage tier ({tier.max_notional})",
            )
        return 1 / Fraction(tier.max_leverage)

    def maintenance_rate(self, instrument: Instrument, notional: Fraction) -> Fraction:
        """The maintenance rate at ``notional``: the tier's (the largest tier's beyond it),
        else the instrument's."""
        tier = self._tier(instrument, notional)
        return Fraction(instrument.margin_maint if tier is None else tier.maint_rate)

    def _tier(self, instrument: Instrument, notional: Fraction) -> LeverageTier | None:
        """The tier ``notional`` falls in (the largest when beyond them all); None without
        tiers. The one lookup behind both the initial and the maintenance rate."""
        tiers = self._tiers.get(instrument.id)
        if not tiers:
            return None
        for tier in tiers:
            if notional <= tier.max_notional:
                return tier
        return tiers[-1]


PositionsOn = Callable[[Account, Instrument], dict[InstrumentId, int]]
"""The signed raw positions of the account's instruments on the same underlying."""


class OptionsMarginModel:
    """Options: premium for what is bought, scenario margin for what is sold short.

    Args:
        scenario: the SPAN-style model; None refuses orders that add short exposure.
        positions_on: gives the other positions on the option's underlying.
        cash: the model that prices premiums (the engine passes its own, so a premium is
            computed, and its terms cached, in one place for cash and margin accounts).
    """

    __slots__ = ("_cash", "_positions_on", "scenario")

    def __init__(
        self,
        scenario: ScenarioMarginModel | None,
        positions_on: PositionsOn,
        cash: CashMarginModel | None = None,
    ) -> None:
        self.scenario = scenario
        self._positions_on = positions_on
        self._cash = cash or CashMarginModel()

    def requirement(
        self,
        account: Account,
        instrument: Instrument,
        sign: int,
        qty: int,
        price: int,
        before: int,
        after: int,
    ) -> Requirement:
        """See `MarginModel.requirement`."""
        if sign > 0:
            return self._cash.requirement(account, instrument, sign, qty, price, before, after)
        currency = instrument.notional_currency
        if after >= 0 or abs(after) <= abs(min(before, 0)):
            return currency, 0
        if self.scenario is None:
            raise MarginDenied(
                RiskReason.MARGIN_MODEL_UNAVAILABLE,
                f"selling {instrument.id} adds short option exposure and no scenario margin "
                f"model is configured",
            )
        underlying = str(getattr(instrument, "underlying", instrument.id.symbol))
        positions = self._positions_on(account, instrument)
        legs_before = {k: Decimal(v).scaleb(-9) for k, v in positions.items()}
        legs_after = dict(legs_before)
        legs_before[instrument.id] = Decimal(min(before, 0)).scaleb(-9)
        legs_after[instrument.id] = Decimal(after).scaleb(-9)
        needed_after = self.scenario.portfolio_margin(account.id, underlying, legs_after)
        needed_before = self.scenario.portfolio_margin(account.id, underlying, legs_before)
        extra = needed_after.raw - needed_before.raw
        if needed_after.currency != needed_before.currency:
            raise MarginDenied(
                RiskReason.INSUFFICIENT_MARGIN,
                f"scenario margin of {underlying} changed currency "
                f"({needed_before.currency} to {needed_after.currency})",
            )
        return needed_after.currency, max(extra, 0)


class MarginModels:
    """Chooses the model for an account and an instrument.

    Cash accounts use `CashMarginModel`; margin accounts use `OptionsMarginModel` for options
    and `LeveragedMarginModel` for everything else. ``overrides`` replaces the choice for an
    instrument class.
    """

    __slots__ = ("cash", "leveraged", "options", "overrides")

    def __init__(
        self,
        cash: CashMarginModel,
        leveraged: LeveragedMarginModel,
        options: OptionsMarginModel,
        overrides: Mapping[InstrumentClass, MarginModel] | None = None,
    ) -> None:
        self.cash = cash
        self.leveraged = leveraged
        self.options = options
        self.overrides = dict(overrides or {})

    def model_for(self, account: Account, instrument: Instrument) -> MarginModel:
        """The model that funds ``instrument``'s orders in ``account``."""
        override = self.overrides.get(instrument.instrument_class)
        if override is not None:
            return override
        if account.is_cash_account:
            return self.cash
        if instrument.instrument_class is InstrumentClass.OPTION:
            return self.options
        return self.leveraged
