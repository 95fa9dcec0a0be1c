"""SPAN-style scenario margin for option portfolios on one underlying.

`SpanMarginModel` is the `ScenarioMarginModel` the risk engine asks what the positions of an
account on one underlying need (``RiskEngine(..., scenario_margin=SpanMarginModel(...))``).
It reads its market inputs from the cache and values the book as SPAN does:

1. **Scanning risk.** Every option is revalued with Black-76 off the forward of its expiry at
   the volatility implied by its own mid price, in the sixteen `span_scenarios`: the
   underlying moved by 0, +-1/3, +-2/3 and +-3/3 of the price scan range (each with the
   volatility up and down by the vol scan range) and two extreme moves of twice the range,
   counted at 35 %. Futures move linearly. The scanning risk is the largest loss of the whole
   book in one scenario, so offsetting positions (vertical and calendar spreads, covered
   calls, options hedged with futures) only pay for what they lose together: the spread
   credit is what the positions would pay one by one less that.
2. **Calendar spread charge.** One move for every expiry cannot lose on a calendar spread, so
   the delta matched between expiries pays ``calendar_spread_rate`` of the underlying's value.
3. **Short option minimum.** Far out-of-the-money short options lose little in any scenario;
   each unit short pays at least ``short_option_minimum`` of its forward.
4. **Long option value.** Long options are paid for in full when bought (the order's premium
   check); their value covers their own losses and, as SPAN's net option value, the risk of
   the rest, so it is deducted.

``requirement = max(max(scanning_risk + calendar_spread_charge, short_option_minimum)
- long_option_value, 0)``, rounded up to the settlement currency. A long-only book needs 0:
nothing beyond the premium.

Market inputs, read at every call: the option's mid (else last) price; the forward of its
expiry from the future on the same underlying and expiry, else the configured spot instrument
carried at ``rate``, else the nearest future carried at ``rate``; time to expiry ACT/365 from
the clock (at least ``min_expiry_secs``). Anything missing refuses the order with
`SpanMarginError` (a `MarginDenied`), never a silent zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Final

import numpy as np
from numpy.typing import NDArray

from shrivenquant.cache import Cache, CacheView
from shrivenquant.core.clock import Clock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import PriceType
from shrivenquant.model.identifiers import AccountId, InstrumentId, Venue
from shrivenquant.model.instruments import FuturesContract, OptionContract
from shrivenquant.model.values import Money
from shrivenquant.options import (
    ImpliedVolStatus,
    OptionBook,
    SpanScenario,
    black_greeks_array,
    black_implied_vol_array,
    span_position_pnl,
    span_scenarios,
)
from shrivenquant.risk.margin import MarginDenied
from shrivenquant.risk.reasons import RiskReason
from shrivenquant.risk.span_config import SpanMarginConfig, SpanParameters

FloatArray = NDArray[np.float64]

_YEAR_NS: Final = 365 * 86_400 * 10**9
_ZERO: Final = Decimal(0)


class SpanMarginError(MarginDenied):
    """The margin cannot be computed (missing market data, an instrument it cannot value);
    the risk engine refuses the order with ``code`` and the message."""


@dataclass(frozen=True, slots=True)
class SpanMargin:
    """How the margin of one underlying's positions is made up (amounts in ``currency``).

    Charges are rounded up, the long option value down, to the currency's precision;
    ``requirement`` is computed from them exactly.
    """

    underlying: str
    currency: Currency
    scanning_risk: Decimal
    standalone_risk: Decimal
    calendar_spread_charge: Decimal
    short_option_minimum: Decimal
    long_option_value: Decimal
    worst_scenario: SpanScenario | None
    requirement: Money

    @property
    def spread_credit(self) -> Decimal:
        """What offsetting positions save: each position's own scanning risk, summed, less
        the scanning risk of the book."""
        return self.standalone_risk - self.scanning_risk


@dataclass(slots=True)
class _Legs:
    """The positions with their market inputs, as parallel lists (options, then futures)."""

    currency: Currency | None = None
    units: list[float] = field(default_factory=list)  # signed quantity x multiplier
    price: list[float] = field(default_factory=list)  # market price per unit
    forward: list[float] = field(default_factory=list)
    strike: list[float] = field(default_factory=list)
    t: list[float] = field(default_factory=list)
    is_call: list[bool] = field(default_factory=list)
    expiry: list[int] = field(default_factory=list)
    ids: list[InstrumentId] = field(default_factory=list)
    fut_units: list[float] = field(default_factory=list)
    fut_price: list[float] = field(default_factory=list)
    fut_expiry: list[int] = field(default_factory=list)


class SpanMarginModel:
    """SPAN-style margin of an account's options and futures on one underlying.

    Args:
        cache: where instruments, quotes and trades are read.
        clock: the kernel's clock (time to expiry).
        config: scan ranges, charges and market-input settings.
    """

    def __init__(
        self, cache: Cache | CacheView, clock: Clock, config: SpanMarginConfig | None = None
    ) -> None:
        self._cache = cache
        self._clock = clock
        self.config = config or SpanMarginConfig()

    def portfolio_margin(
        self, account_id: AccountId, underlying: str, positions: Mapping[InstrumentId, Decimal]
    ) -> Money:
        """The margin ``positions`` (signed quantities per instrument) need.

        Raises:
            SpanMarginError: a market input is missing or an instrument cannot be valued.
        """
        return self.evaluate(account_id, underlying, positions).requirement

    def evaluate(
        self, account_id: AccountId, underlying: str, positions: Mapping[InstrumentId, Decimal]
    ) -> SpanMargin:
        """The margin of ``positions`` with its parts (see `portfolio_margin`)."""
        if not positions:
            raise InvalidInputError(f"{account_id}: no positions on {underlying} to margin")
        parameters = self.config.parameters(underlying)
        currency, legs = self._legs(underlying, positions)
        scans = (float(parameters.price_scan), float(parameters.vol_scan))
        scenarios = span_scenarios(*scans)
        vols = self._implied_vols(legs) if legs.units else np.empty(0)
        pnl = self._scenario_pnl(legs, vols, scans, scenarios)
        worst: SpanScenario | None = None
        scanning = standalone = 0.0
        if pnl.size:
            total = pnl.sum(axis=0)
            index = int(np.argmin(total))
            scanning = max(0.0, -float(total[index]))
            worst = scenarios[index] if scanning > 0.0 else None
            standalone = float(np.maximum(-pnl.min(axis=1), 0.0).sum())
        units = np.array(legs.units)
        forward = np.array(legs.forward)
        som = float(-(units[units < 0] * forward[units < 0]).sum()) if units.size else 0.0
        som *= float(parameters.short_option_minimum)
        long_value = float((units[units > 0] * np.array(legs.price)[units > 0]).sum())
        calendar = self._calendar_charge(legs, vols, float(parameters.calendar_spread_rate))
        finite = np.all(np.isfinite(pnl)) and all(map(math.isfinite, (som, long_value, calendar)))
        if not finite:
            raise SpanMarginError(
                RiskReason.MARGIN_MODEL_UNAVAILABLE,
                f"the scenario valuation of the {underlying} positions gave no number",
            )
        up, down = _rounder(currency, ROUND_CEILING), _rounder(currency, ROUND_FLOOR)
        scanning_d, standalone_d = up(scanning), up(max(standalone, scanning))
        calendar_d, som_d, long_d = up(calendar), up(som), down(long_value)
        needed = max(max(scanning_d + calendar_d, som_d) - long_d, _ZERO)
        return SpanMargin(
            underlying, currency, scanning_d, standalone_d, calendar_d, som_d, long_d, worst,
            Money(needed, currency),
        )  # fmt: skip

    # -- market inputs ------------------------------------------------------------------------

    def _legs(
        self, underlying: str, positions: Mapping[InstrumentId, Decimal]
    ) -> tuple[Currency, _Legs]:
        now = self._clock.timestamp_ns()
        legs = _Legs()
        futures: dict[Venue, list[tuple[int, float]]] = {}
        for instrument_id, quantity in positions.items():
            instrument = self._cache.instrument(instrument_id)
            if instrument is None:
                raise SpanMarginError(
                    RiskReason.INSTRUMENT_UNKNOWN,
                    f"cannot margin {instrument_id}: it is not a known instrument",
                )
            if not isinstance(instrument, OptionContract | FuturesContract):
                raise SpanMarginError(
                    RiskReason.MARGIN_MODEL_UNAVAILABLE,
                    f"scenario margin values options and futures; {instrument_id} is a "
                    f"{instrument.instrument_class.value}",
                )
            if instrument.underlying != underlying:
                raise SpanMarginError(
                    RiskReason.MARGIN_MODEL_UNAVAILABLE,
                    f"{instrument_id} is on {instrument.underlying}, not {underlying}",
                )
            currency = instrument.settlement_currency
            if legs.currency is None:
                legs.currency = currency
            elif currency != legs.currency:
                raise SpanMarginError(
                    RiskReason.MARGIN_MODEL_UNAVAILABLE,
                    f"the {underlying} positions settle in {legs.currency} and {currency} "
                    f"({instrument_id}); one margin cannot cover both",
                )
            if not quantity:
                continue
            units = float(quantity * instrument.multiplier.as_decimal())
            price = self._price_of(instrument_id, "its own")
            if isinstance(instrument, FuturesContract):
                legs.fut_units.append(units)
                legs.fut_price.append(price)
                legs.fut_expiry.append(instrument.expiration_ns)
                continue
            venue = instrument_id.venue
            if venue not in futures:
                futures[venue] = self._priced_futures(underlying, venue)
            expiry = instrument.expiration_ns
            legs.forward.append(self._forward(underlying, expiry, now, futures[venue]))
            legs.units.append(units)
            legs.price.append(price)
            legs.strike.append(float(instrument.strike_price.as_decimal()))
            legs.t.append(max(expiry - now, self.config.min_expiry_secs * 10**9) / _YEAR_NS)
            legs.is_call.append(instrument.is_call)
            legs.expiry.append(expiry)
            legs.ids.append(instrument_id)
        if legs.currency is None:  # only for an empty mapping, refused by the caller
            raise InvalidInputError(f"no positions on {underlying} to margin")
        return legs.currency, legs

    def _price_of(self, instrument_id: InstrumentId, what: str) -> float:
        """The mid of the latest quote, else the last trade price."""
        price = self._cache.price(instrument_id, PriceType.MID)
        if price is None:
            price = self._cache.price(instrument_id, PriceType.LAST)
        if price is None:
            raise SpanMarginError(
                RiskReason.NO_MARKET_PRICE,
                f"no quote or trade for {instrument_id} ({what} price) to compute the "
                f"scenario margin with",
            )
        return float(price.as_decimal())

    def _priced_futures(self, underlying: str, venue: Venue) -> list[tuple[int, float]]:
        found = []
        for instrument in self._cache.instruments(venue):
            if isinstance(instrument, FuturesContract) and instrument.underlying == underlying:
                price = self._cache.price(instrument.id, PriceType.MID)
                if price is None:
                    price = self._cache.price(instrument.id, PriceType.LAST)
                if price is not None:
                    found.append((instrument.expiration_ns, float(price.as_decimal())))
        return found

    def _forward(
        self, underlying: str, expiry: int, now: int, futures: list[tuple[int, float]]
    ) -> float:
        """The forward of ``underlying`` for ``expiry``: its future, else the spot or the
        nearest future carried at the rate."""
        for expiration, price in futures:
            if expiration == expiry:
                return price
        rate = float(self.config.rate)
        spot_id = self.config.spot_instruments.get(underlying)
        if spot_id is not None:
            spot = self._price_of(spot_id, f"the {underlying} spot")
            return spot * math.exp(rate * max(expiry - now, 0) / _YEAR_NS)
        if futures:
            expiration, price = min(futures, key=lambda f: abs(f[0] - expiry))
            return price * math.exp(rate * (expiry - expiration) / _YEAR_NS)
        when = datetime.fromtimestamp(expiry / 1e9, tz=UTC).date().isoformat()
        raise SpanMarginError(
            RiskReason.NO_MARKET_PRICE,
            f"no forward for {underlying} expiring {when}: no priced {underlying} future and "
            f"no spot instrument configured (spot_instruments[{underlying!r}])",
        )

    # -- valuation ----------------------------------------------------------------------------

    def _implied_vols(self, legs: _Legs) -> FloatArray:
        rate = float(self.config.rate)
        found = black_implied_vol_array(
            legs.price, legs.forward, legs.strike, legs.t, rate, legs.is_call
        )
        vols = found.vol
        for i, code in enumerate(found.status.tolist()):
            if code == ImpliedVolStatus.TIME_VALUE_UNRESOLVED:
                vols[i] = float(self.config.min_vol)  # quoted at intrinsic: no time value
            elif code != ImpliedVolStatus.OK:
                raise SpanMarginError(
                    RiskReason.NO_MARKET_PRICE,
                    f"the price {legs.price[i]:g} of {legs.ids[i]} gives no implied volatility "
                    f"against the {legs.forward[i]:g} forward: "
                    f"{ImpliedVolStatus(code).reason}",
                )
        return np.asarray(vols, dtype=np.float64)

    def _scenario_pnl(
        self, legs: _Legs, vols: FloatArray, scans: tuple[float, float],
        scenarios: tuple[SpanScenario, ...],
    ) -> FloatArray:  # fmt: skip
        """Weighted P&L of each position (rows) in each scenario (columns)."""
        rows = []
        if legs.units:
            book = OptionBook.from_arrays(
                underlying_price=legs.forward, strike=legs.strike, t=legs.t,
                r=float(self.config.rate), q=0.0, vol=vols, is_call=legs.is_call,
                quantity=legs.units,
            )  # fmt: skip
            min_vol = float(self.config.min_vol)
            rows.append(span_position_pnl(book, *scans, model="black", min_vol=min_vol))
        if legs.fut_units:
            moves = np.array([s.price_move * s.weight for s in scenarios])
            value = np.array(legs.fut_units) * np.array(legs.fut_price)
            rows.append(value[:, None] * moves[None, :])
        return np.vstack(rows) if rows else np.empty((0, len(scenarios)))

    def _calendar_charge(self, legs: _Legs, vols: FloatArray, rate: float) -> float:
        """``rate`` x underlying price x the delta matched between expiries."""
        expiries = set(legs.expiry) | set(legs.fut_expiry)
        if rate == 0.0 or len(expiries) < 2:
            return 0.0
        deltas: dict[int, float] = {}
        if legs.units:
            delta = black_greeks_array(
                legs.forward, legs.strike, legs.t, float(self.config.rate), vols, legs.is_call
            ).delta  # fmt: skip
            for expiry, units, d in zip(legs.expiry, legs.units, delta.tolist(), strict=True):
                deltas[expiry] = deltas.get(expiry, 0.0) + units * d
        for expiry, units in zip(legs.fut_expiry, legs.fut_units, strict=True):
            deltas[expiry] = deltas.get(expiry, 0.0) + units
        longs = sum(d for d in deltas.values() if d > 0.0)
        shorts = -sum(d for d in deltas.values() if d < 0.0)
        nearest = min(expiries)
        reference = next(
            (f for e, f in zip(legs.expiry, legs.forward, strict=True) if e == nearest),
            None,
        )
        if reference is None:
            reference = next(
                p for e, p in zip(legs.fut_expiry, legs.fut_price, strict=True) if e == nearest
            )
        return rate * min(longs, shorts) * reference


def _rounder(currency: Currency, rounding: str) -> Callable[[float], Decimal]:
    step = Decimal(1).scaleb(-currency.precision)

    def to_decimal(value: float) -> Decimal:
        return Decimal(value).quantize(step, rounding=rounding)

    return to_decimal


__all__ = [
    "SpanMargin",
    "SpanMarginConfig",
    "SpanMarginError",
    "SpanMarginModel",
    "SpanParameters",
]
