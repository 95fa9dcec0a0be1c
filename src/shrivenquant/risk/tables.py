"""Per-instrument (and strategy) limit tables: every limit an order is under, precompiled to
raw fixed-point ints so the pre-trade check is integer compares.

A `LimitTable` is built the first time a strategy trades an instrument and kept until a limit,
a trading state or an instrument definition changes (the engine then drops every table).
``None`` in a limit slot means no limit. Notional limits set in another currency than the
instrument's notional currency cannot be precompiled (the rate moves); they go to
``fx_limits`` and are converted at check time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from shrivenquant.model.accounts import Account
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import TradingState
from shrivenquant.model.fixed_point import FIXED_SCALAR
from shrivenquant.model.identifiers import InstrumentId, StrategyId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money
from shrivenquant.risk.limit_book import ScopedLimits
from shrivenquant.risk.limits import NotionalLimit
from shrivenquant.risk.margin import LinearFunds, MarginModel
from shrivenquant.risk.reasons import RiskReason
from shrivenquant.risk.states import StateEntry

SCALE2: Final = FIXED_SCALAR * FIXED_SCALAR
_NEVER: Final = 2**63 - 1
_BIG: Final = 1 << 126  # "no limit" in the folded ranges


class ExposureLimit:
    """A gross or net exposure limit over a scope (GLOBAL, VENUE or STRATEGY ``kind``), with
    the scope's totals cached at the ledger and price versions they were computed at."""

    __slots__ = (
        "cached",
        "currency",
        "gross",
        "headroom",
        "key",
        "kind",
        "label",
        "ledger_version",
        "limit",
        "price_version",
        "raw",
        "same_currency",
    )

    def __init__(
        self, kind: str, key: str, gross: bool, limit: Money, label: str, *, currency: Currency
    ) -> None:
        self.kind = kind
        self.key = key
        self.gross = gross
        self.limit = limit
        self.raw = limit.raw
        self.currency = limit.currency
        # The instrument's currency object when the limit is in it (an identity test then).
        self.same_currency = currency if limit.currency == currency else None
        self.label = label
        self.ledger_version = -1
        self.price_version = -1
        self.headroom = -1  # the limit less the scope's total, at the cached versions
        self.cached: tuple[int, int, int] | tuple[RiskReason, str] = (0, 0, 0)

    def __repr__(self) -> str:
        return f"ExposureLimit({self.kind} {self.key}, {self.label}, {self.limit})"


@dataclass(frozen=True, slots=True)
class FxLimit:
    """A notional limit in a currency other than the instrument's, checked after conversion."""

    reason: RiskReason
    limit: Money
    label: str
    minimum: bool = False
    strategy: bool = False


class LimitTable:
    """Everything the pre-trade check needs about one instrument, for one strategy."""

    __slots__ = (
        "account",
        "active_from",
        "active_until",
        "band_den",
        "band_num",
        "band_ticks",
        "banded",
        "currency",
        "exposure_headroom",
        "exposure_ledger_version",
        "exposure_price_version",
        "exposures",
        "fast_blocked",
        "funds_buy",
        "funds_sell",
        "fx_limits",
        "has_strategy_limits",
        "instrument",
        "instrument_id",
        "instrument_key",
        "inverse",
        "margin_model",
        "max_notional",
        "max_open",
        "max_order_notional",
        "max_order_qty",
        "max_position_notional",
        "max_position_qty",
        "max_price",
        "max_qty",
        "max_strategy_notional",
        "max_strategy_qty",
        "min_notional",
        "min_open_limit",
        "min_order_notional",
        "min_order_qty",
        "min_price",
        "min_qty",
        "multiplier",
        "notional_hi",
        "notional_lo",
        "pending_keys",
        "position_hi",
        "position_value_hi",
        "price_hi",
        "price_lo",
        "price_precision",
        "qty_hi",
        "qty_lo",
        "reduce_only",
        "size_precision",
        "state",
        "state_entry",
        "step",
        "stp_best_buy",
        "stp_best_sell",
        "stp_version",
        "strategy_hi",
        "strategy_key",
        "strategy_value_hi",
        "tick",
        "venue_key",
        "window_hi",
        "window_lo",
        "window_reference",
    )

    def __init__(
        self,
        instrument: Instrument,
        strategy_id: StrategyId,
        limits: list[ScopedLimits],
        state: StateEntry | None,
    ) -> None:
        self.instrument = instrument
        self.instrument_id: InstrumentId = instrument.id
        self.instrument_key = instrument.id.value
        self.venue_key = instrument.id.venue.value
        self.strategy_key = strategy_id.value
        self.state_entry = state
        self.state = TradingState.ACTIVE if state is None else state.state
        self.currency: Currency = instrument.notional_currency
        self.account: Account | None = None  # filled in by the balance check
        self.margin_model: MarginModel | None = None
        # What a buy / a sell needs when that depends on the order alone, with the ledger's
        # key of funds promised in its currency (filled in by the balance check).
        self.funds_buy: tuple[LinearFunds, str] | None = None
        self.funds_sell: tuple[LinearFunds, str] | None = None
        self.pending_keys: dict[str, str] = {}
        self._instrument_facts(instrument)
        self.fx_limits: list[FxLimit] = []
        self.exposures: list[ExposureLimit] = []
        # The least headroom of the exposure limits (all in the instrument's currency), at the
        # ledger and price versions it was taken at; -1 when unknown.
        self.exposure_headroom = -1
        self.exposure_ledger_version = -1
        self.exposure_price_version = -1
        self.max_open: list[tuple[str, str, int]] = []
        self._combine(limits)
        self._fast_bounds()

    def _fast_bounds(self) -> None:
        """Fold every range into one closed interval per value, for single compares.

        Position-value limits are kept scaled (``limit * 10**18 // multiplier``) so the check
        compares ``qty * price`` without dividing; inverse instruments leave that to the
        detailed check.
        """
        self.fast_blocked = self.state is not TradingState.ACTIVE or self.reduce_only
        self.qty_lo = max(_or(self.min_qty, 0), _or(self.min_order_qty, 0), 1)
        self.qty_hi = min(_or(self.max_qty, _BIG), _or(self.max_order_qty, _BIG))
        self.price_lo = _or(self.min_price, -_BIG)
        self.price_hi = _or(self.max_price, _BIG)
        self.notional_lo = max(_or(self.min_notional, 0), _or(self.min_order_notional, 0))
        self.notional_hi = min(_or(self.max_notional, _BIG), _or(self.max_order_notional, _BIG))
        self.banded = self.band_num is not None or self.band_ticks is not None
        self.position_hi = _or(self.max_position_qty, _BIG)
        self.strategy_hi = _or(self.max_strategy_qty, _BIG)
        self.has_strategy_limits = (
            self.max_strategy_qty is not None or self.max_strategy_notional is not None
        )
        self.min_open_limit = min((limit for _, _, limit in self.max_open), default=_BIG)
        self.stp_version = -1  # the ledger version the self-trade bounds were taken at
        self.stp_best_buy = 0
        self.stp_best_sell = _BIG
        # The prices the instrument's range and the band allow around ``window_reference``
        # (-1: not computed yet), kept until the reference price moves.
        self.window_reference = -1
        self.window_lo = self.window_hi = 0
        self.position_value_hi = self._scaled(self.max_position_notional)
        self.strategy_value_hi = self._scaled(self.max_strategy_notional)
        if self.inverse and (
            self.max_position_notional is not None or self.max_strategy_notional is not None
        ):
            self.fast_blocked = True

    def _scaled(self, limit: int | None) -> int:
        # quantity x mark (raw x raw) x multiplier > limit x 10**18 exactly when
        # quantity x mark > limit x 10**18 // multiplier: one product fewer per check.
        return _BIG if limit is None else limit * SCALE2 // self.multiplier

    def _instrument_facts(self, instrument: Instrument) -> None:
        self.tick = instrument.price_increment.raw
        self.price_precision = instrument.price_precision
        self.step = instrument.quantity_step.raw
        self.size_precision = instrument.size_precision
        self.multiplier = instrument.multiplier.raw
        self.inverse = instrument.is_inverse
        self.min_price = _raw(instrument.min_price)
        self.max_price = _raw(instrument.max_price)
        self.min_qty = _raw(instrument.min_quantity)
        self.max_qty = _raw(instrument.max_quantity)
        self.min_notional = self._same_currency(instrument.min_notional)
        self.max_notional = self._same_currency(instrument.max_notional)
        self.active_from: int = getattr(instrument, "activation_ns", 0)
        self.active_until: int = getattr(instrument, "expiration_ns", _NEVER)

    def _same_currency(self, money: Money | None) -> int | None:
        return None if money is None or money.currency != self.currency else money.raw

    def _combine(self, limits: list[ScopedLimits]) -> None:
        self.max_order_qty: int | None = None
        self.min_order_qty: int | None = None
        self.max_order_notional: int | None = None
        self.min_order_notional: int | None = None
        self.max_position_qty: int | None = None
        self.max_position_notional: int | None = None
        self.max_strategy_qty: int | None = None
        self.max_strategy_notional: int | None = None
        self.band_num: int | None = None
        self.band_den = 1
        self.band_ticks: int | None = None
        self.reduce_only = False
        band: Decimal | None = None
        for kind, key, scoped in limits:
            label = "" if kind == "GLOBAL" else f" of {kind.lower()} {key}"
            self.max_order_qty = _tighter(self.max_order_qty, _raw(scoped.max_order_qty), min)
            self.min_order_qty = _tighter(self.min_order_qty, _raw(scoped.min_order_qty), max)
            self.max_order_notional = self._notional(
                self.max_order_notional, scoped.max_order_notional, RiskReason.MAX_ORDER_NOTIONAL,
                label, minimum=False,
            )  # fmt: skip
            self.min_order_notional = self._notional(
                self.min_order_notional, scoped.min_order_notional, RiskReason.MIN_ORDER_NOTIONAL,
                label, minimum=True,
            )  # fmt: skip
            if kind == "STRATEGY":
                self.max_strategy_qty = _raw(scoped.max_position_qty)
                self.max_strategy_notional = self._notional(
                    None, scoped.max_position_notional, RiskReason.MAX_POSITION_NOTIONAL,
                    label, minimum=False, strategy=True,
                )  # fmt: skip
            else:
                self.max_position_qty = _tighter(
                    self.max_position_qty, _raw(scoped.max_position_qty), min
                )
                self.max_position_notional = self._notional(
                    self.max_position_notional, scoped.max_position_notional,
                    RiskReason.MAX_POSITION_NOTIONAL, label, minimum=False,
                )  # fmt: skip
            if scoped.price_band_pct is not None and (band is None or scoped.price_band_pct < band):
                band = scoped.price_band_pct
            if scoped.price_band_ticks is not None:
                ticks = scoped.price_band_ticks * self.tick
                self.band_ticks = _tighter(self.band_ticks, ticks, min)
            self.reduce_only = self.reduce_only or scoped.reduce_only
            self._scope_limits(kind, key, scoped, label)
        if band is not None:
            self.band_num, self.band_den = band.as_integer_ratio()

    def _scope_limits(self, kind: str, key: str, scoped: object, label: str) -> None:
        max_open = getattr(scoped, "max_open_orders", None)
        scope_kind = "VENUE" if kind == "ACCOUNT" else kind
        scope_key = self.venue_key if kind == "ACCOUNT" else key
        if max_open is not None:
            self.max_open.append((scope_kind, scope_key, max_open))
        for gross, name in ((True, "max_gross_exposure"), (False, "max_net_exposure")):
            limit = getattr(scoped, name, None)
            if limit is not None and kind != "INSTRUMENT":
                what = "gross" if gross else "net"
                self.exposures.append(
                    ExposureLimit(
                        scope_kind,
                        scope_key,
                        gross,
                        limit,
                        f"{what} exposure{label}",
                        currency=self.currency,
                    )
                )

    def _notional(
        self,
        current: int | None,
        limit: NotionalLimit | None,
        reason: RiskReason,
        label: str,
        *,
        minimum: bool,
        strategy: bool = False,
    ) -> int | None:
        if limit is None:
            return current
        if isinstance(limit, Decimal):
            raw = int(limit * FIXED_SCALAR)
        elif limit.currency == self.currency:
            raw = limit.raw
        else:
            self.fx_limits.append(FxLimit(reason, limit, label, minimum, strategy))
            return current
        return _tighter(current, raw, max if minimum else min)

    # -- values ------------------------------------------------------------------------------

    def price_window(self, reference: int) -> tuple[int, int]:
        """The lowest and highest price (raw) the instrument's range and the price band around
        ``reference`` allow (an empty window when a band needs a reference and there is none).

        ``|price - reference| * den <= reference * num`` holds exactly when ``|price -
        reference| <= reference * num // den`` (integers), so the band is one interval; it is
        kept until the reference moves.
        """
        if reference != self.window_reference:
            low, high = self.price_lo, self.price_hi
            if self.banded:
                if reference <= 0:
                    low, high = 1, 0
                else:
                    width = _BIG if self.band_ticks is None else self.band_ticks
                    if self.band_num is not None:
                        width = min(width, reference * self.band_num // self.band_den)
                    low, high = max(low, reference - width), min(high, reference + width)
            self.window_reference, self.window_lo, self.window_hi = reference, low, high
        return self.window_lo, self.window_hi

    def notional(self, qty: int, price: int) -> int:
        """The notional of ``qty`` at ``price`` (raw, rounded up), in ``currency``."""
        if not self.inverse:
            return -(-qty * price * self.multiplier // SCALE2)
        if price <= 0:
            return 0
        return -(-qty * self.multiplier // price)

    @property
    def has_position_limits(self) -> bool:
        """Whether any position limit applies."""
        return (
            self.max_position_qty is not None
            or self.max_position_notional is not None
            or self.max_strategy_qty is not None
            or self.max_strategy_notional is not None
            or any(f.reason is RiskReason.MAX_POSITION_NOTIONAL for f in self.fx_limits)
        )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _raw(value: object | None) -> int | None:
    return None if value is None else value.raw  # type: ignore[attr-defined]


def _tighter(current: int | None, new: int | None, pick: object) -> int | None:
    if new is None:
        return current
    if current is None:
        return new
    return pick(current, new)  # type: ignore[operator,no-any-return]
