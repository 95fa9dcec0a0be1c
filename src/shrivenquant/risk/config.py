"""`RiskConfig`: every setting of the risk engine, typed and validated at load.

A TOML table such as::

    [risk]
    check_balance = true
    [risk.limits]                          # everything
    max_open_orders = 200
    [risk.account_limits."BINANCE-001"]
    max_gross_exposure = "250000 USDT"
    [risk.strategy_limits."EMA-01"]
    max_position_notional = "50000 USDT"
    [risk.instrument_limits."BTCUSDT.BINANCE"]
    max_position_qty = "2"
    price_band_pct = "0.05"
    [risk.order_throttle]
    limit = 50
    interval_secs = 1
    [risk.drawdown."BINANCE-001"]
    daily_loss_limit = "1000 USDT"
    action = "HALTED"
    [risk.span_margin]                     # margin of short options (SPAN-style)
    price_scan = "0.06"
    vol_scan = "0.04"

is read with ``RiskConfig.from_mapping(table, instruments=known_ids)``. A negative limit, an
unknown key or an unknown instrument fails there, with the field named in the message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import NANOS_PER_SECOND
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId, Venue
from shrivenquant.risk import _parse
from shrivenquant.risk.config_sections import (
    DrawdownRule,
    LeverageTier,
    MarketMoveBreakerConfig,
    ReferencePrice,
    SelfTradePrevention,
    StaleDataBreakerConfig,
    ThrottleConfig,
    VenueErrorBreakerConfig,
    parse_tiers,
)
from shrivenquant.risk.limits import RiskLimits
from shrivenquant.risk.span_config import SpanMarginConfig

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_VENUE_TIMEZONES: Final[Mapping[str, str]] = MappingProxyType(
    {"NSE": "Asia/Kolkata", "BSE": "Asia/Kolkata", "NFO": "Asia/Kolkata", "MCX": "Asia/Kolkata"}
)
"""Trading-day time zones of venues that are not on UTC (crypto venues are)."""


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskConfig:
    """Settings of the `RiskEngine`.

    Attributes:
        bypass: pass every command through unchecked (backtests that want no risk layer).
        limits: limits for everything the trader does.
        account_limits: limits per account (they apply to its venue's instruments).
        strategy_limits: limits per strategy.
        instrument_limits: limits per instrument.
        reference_price: the market price orders are compared with (price bands) and
            positions valued at (notional and exposure limits).
        check_balance: refuse orders the account's free balance or margin cannot fund.
        self_trade_prevention: refuse orders that would trade with our own resting orders.
        order_throttle: rate limit of submits and modifies.
        cancel_throttle: rate limit of cancels; it only ever delays cancels (QUEUE), it never
            refuses one.
        drawdown: drawdown rules per account.
        market_move_breaker, venue_error_breaker, stale_data_breaker: circuit breakers
            (None: off).
        leverage_tiers: leverage brackets of leveraged instruments, for the margin check.
        span_margin: the scan ranges and charges of the SPAN-style scenario margin that
            funds short options; None refuses orders that add short option exposure (unless
            a model is given to the engine).
        venue_timezones: the trading-day time zone of each venue; others use UTC.
        evaluation_interval_ns: the least clock time between two evaluations of the drawdown
            controls and maintenance margin that market data and account states trigger
            (fills trigger the drawdown controls at once).
    """

    bypass: bool = False
    limits: RiskLimits = field(default_factory=RiskLimits)
    account_limits: Mapping[AccountId, RiskLimits] = field(default_factory=_empty)
    strategy_limits: Mapping[StrategyId, RiskLimits] = field(default_factory=_empty)
    instrument_limits: Mapping[InstrumentId, RiskLimits] = field(default_factory=_empty)
    reference_price: ReferencePrice = ReferencePrice.MID
    check_balance: bool = True
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.OFF
    order_throttle: ThrottleConfig | None = None
    cancel_throttle: ThrottleConfig | None = None
    drawdown: Mapping[AccountId, DrawdownRule] = field(default_factory=_empty)
    market_move_breaker: MarketMoveBreakerConfig | None = None
    venue_error_breaker: VenueErrorBreakerConfig | None = None
    stale_data_breaker: StaleDataBreakerConfig | None = None
    leverage_tiers: Mapping[InstrumentId, tuple[LeverageTier, ...]] = field(default_factory=_empty)
    span_margin: SpanMarginConfig | None = None
    venue_timezones: Mapping[str, str] = field(default_factory=lambda: DEFAULT_VENUE_TIMEZONES)
    evaluation_interval_ns: int = NANOS_PER_SECOND

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "bypass", _parse.flag("bypass", self.bypass))
        set_(self, "check_balance", _parse.flag("check_balance", self.check_balance))
        if not isinstance(self.limits, RiskLimits):
            raise InvalidInputError(f"limits: expected RiskLimits, got {self.limits!r}")
        self.limits.check_scope("limits", instrument_scope=False)
        set_(self, "account_limits", _scoped(self.account_limits, "account_limits", AccountId))
        set_(self, "strategy_limits", _scoped(self.strategy_limits, "strategy_limits", StrategyId))
        set_(
            self,
            "instrument_limits",
            _scoped(self.instrument_limits, "instrument_limits", InstrumentId),
        )
        set_(
            self,
            "reference_price",
            _parse.choice("reference_price", self.reference_price, ReferencePrice),
        )
        set_(
            self,
            "self_trade_prevention",
            _parse.choice("self_trade_prevention", self.self_trade_prevention, SelfTradePrevention),
        )
        for name in ("order_throttle", "cancel_throttle"):
            _check_type(name, getattr(self, name), ThrottleConfig)
        if self.cancel_throttle is not None and self.cancel_throttle.mode.value != "QUEUE":
            raise InvalidInputError(
                "cancel_throttle.mode: cancels are never refused, so the cancel throttle "
                "must use mode QUEUE"
            )
        set_(self, "drawdown", _keyed(self.drawdown, "drawdown", AccountId, DrawdownRule))
        _check_type("market_move_breaker", self.market_move_breaker, MarketMoveBreakerConfig)
        _check_type("venue_error_breaker", self.venue_error_breaker, VenueErrorBreakerConfig)
        _check_type("stale_data_breaker", self.stale_data_breaker, StaleDataBreakerConfig)
        tiers = {
            _key(key, "leverage_tiers", InstrumentId): parse_tiers(f'leverage_tiers["{key}"]', v)
            for key, v in _parse.expect_mapping("leverage_tiers", self.leverage_tiers).items()
        }
        set_(self, "leverage_tiers", MappingProxyType(tiers))
        _check_type("span_margin", self.span_margin, SpanMarginConfig)
        set_(self, "venue_timezones", _timezones(self.venue_timezones))
        _parse.count("evaluation_interval_ns", self.evaluation_interval_ns, minimum=1)

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], instruments: Iterable[InstrumentId] | None = None
    ) -> RiskConfig:
        """Build from a parsed TOML table, rejecting unknown keys and invalid values.

        Args:
            values: the ``[risk]`` table.
            instruments: the instruments that exist; when given, limits or tiers for any
                other instrument are refused.

        Raises:
            InvalidInputError: the message names the field.
        """
        _parse.reject_unknown("risk", values, _MAPPING_KEYS)
        parsed: dict[str, Any] = {}
        for key, value in values.items():
            parser = _SECTION_PARSERS.get(key)
            parsed[_FIELD_OF.get(key, key)] = value if parser is None else parser(key, value)
        config = cls(**parsed)
        if instruments is not None:
            config.check_instruments(instruments)
        return config

    def check_instruments(
        self, instruments: Iterable[InstrumentId], *, loaded_venues_only: bool = False
    ) -> None:
        """Refuse limits, leverage tiers or spot instruments of the scenario margin for
        instruments not in ``instruments``.

        With ``loaded_venues_only``, instruments of venues none of ``instruments`` belongs to
        are not judged (their definitions may not be loaded yet).

        Raises:
            InvalidInputError: naming the first unknown instrument and its section.
        """
        known = set(instruments)
        venues = {instrument_id.venue for instrument_id in known}
        named = [
            (f'{section}["{instrument_id}"]', instrument_id)
            for section in ("instrument_limits", "leverage_tiers")
            for instrument_id in getattr(self, section)
        ]
        if self.span_margin is not None:
            named += [
                (f'span_margin.spot_instruments["{underlying}"]', instrument_id)
                for underlying, instrument_id in self.span_margin.spot_instruments.items()
            ]
        for where, instrument_id in named:
            if loaded_venues_only and instrument_id.venue not in venues:
                continue
            if instrument_id not in known:
                raise InvalidInputError(f"{where}: unknown instrument {instrument_id}")

    def limits_for(self, scope_kind: str, key: object) -> RiskLimits | None:
        """The limits configured for one scope (``GLOBAL``, ``ACCOUNT``, ``STRATEGY``,
        ``INSTRUMENT``), or None."""
        if scope_kind == "GLOBAL":
            return self.limits
        tables: dict[str, Mapping[Any, RiskLimits]] = {
            "ACCOUNT": self.account_limits,
            "STRATEGY": self.strategy_limits,
            "INSTRUMENT": self.instrument_limits,
        }
        table = tables.get(scope_kind)
        return None if table is None else table.get(key)

    def timezone_of(self, venue: Venue | str) -> ZoneInfo:
        """The trading-day time zone of ``venue`` (UTC unless configured)."""
        return ZoneInfo(self.venue_timezones.get(str(venue), "UTC"))


def _limits_section(key: str, value: object) -> RiskLimits:
    return RiskLimits.from_mapping(_parse.expect_mapping(key, value), key)


def _scoped_section(key: str, value: object) -> dict[str, RiskLimits]:
    table = _parse.expect_mapping(key, value)
    return {
        name: RiskLimits.from_mapping(
            _parse.expect_mapping(f'{key}["{name}"]', limits), f'{key}["{name}"]'
        )
        for name, limits in table.items()
    }


def _throttle_section(key: str, value: object) -> ThrottleConfig:
    return ThrottleConfig.from_mapping(_parse.expect_mapping(key, value), key)


def _drawdown_section(key: str, value: object) -> dict[str, DrawdownRule]:
    table = _parse.expect_mapping(key, value)
    return {
        name: DrawdownRule.from_mapping(
            _parse.expect_mapping(f'{key}["{name}"]', rule), f'{key}["{name}"]'
        )
        for name, rule in table.items()
    }


def _breaker_section(cls: Any) -> Callable[[str, object], Any]:
    def parse(key: str, value: object) -> Any:
        return cls.from_mapping(_parse.expect_mapping(key, value), key)

    return parse


def _span_section(key: str, value: object) -> SpanMarginConfig:
    return SpanMarginConfig.from_mapping(_parse.expect_mapping(key, value))


def _evaluation(key: str, value: object) -> int:
    return _parse.seconds_to_ns(key, value)


_SECTION_PARSERS: Final[dict[str, Callable[[str, object], Any]]] = {
    "limits": _limits_section,
    "account_limits": _scoped_section,
    "strategy_limits": _scoped_section,
    "instrument_limits": _scoped_section,
    "order_throttle": _throttle_section,
    "cancel_throttle": _throttle_section,
    "drawdown": _drawdown_section,
    "market_move_breaker": _breaker_section(MarketMoveBreakerConfig),
    "venue_error_breaker": _breaker_section(VenueErrorBreakerConfig),
    "stale_data_breaker": _breaker_section(StaleDataBreakerConfig),
    "span_margin": _span_section,
    "evaluation_interval_secs": _evaluation,
}
_FIELD_OF: Final = {"evaluation_interval_secs": "evaluation_interval_ns"}
_MAPPING_KEYS: Final = (
    *(f.name for f in fields(RiskConfig) if f.name != "evaluation_interval_ns"),
    "evaluation_interval_secs",
)


def _key(value: object, section: str, cls: Callable[[str], K]) -> K:
    if isinstance(value, cls):  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    if not isinstance(value, str):
        raise InvalidInputError(f"{section}: keys must be ids, got {value!r}")
    try:
        return cls(value)
    except ValueError as exc:
        raise InvalidInputError(f'{section}["{value}"]: {exc}') from None


def _scoped(table: object, section: str, cls: Callable[[str], K]) -> Mapping[K, RiskLimits]:
    result = _keyed(table, section, cls, RiskLimits)
    for key, limits in result.items():
        limits.check_scope(f'{section}["{key}"]', instrument_scope=section == "instrument_limits")
    return result


def _keyed(
    table: object, section: str, cls: Callable[[str], K], value_type: type[V]
) -> Mapping[K, V]:
    mapping = _parse.expect_mapping(section, table)
    result: dict[K, V] = {}
    for key, value in mapping.items():
        if not isinstance(value, value_type):
            raise InvalidInputError(
                f'{section}["{key}"]: expected {value_type.__name__}, got {value!r}'
            )
        result[_key(key, section, cls)] = value
    return MappingProxyType(result)


def _check_type(name: str, value: object, expected: type) -> None:
    if value is not None and not isinstance(value, expected):
        raise InvalidInputError(f"{name}: expected {expected.__name__} or None, got {value!r}")


def _timezones(value: object) -> Mapping[str, str]:
    mapping = _parse.expect_mapping("venue_timezones", value)
    result: dict[str, str] = {}
    for venue, zone in mapping.items():
        where = f'venue_timezones["{venue}"]'
        if not isinstance(zone, str):
            raise InvalidInputError(f"{where}: expected a time zone name, got {zone!r}")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"{where}: unknown time zone {zone!r}") from None
        result[str(venue)] = zone
    return MappingProxyType(result)
