"""The sections of `RiskConfig`: throttles, drawdown rules, circuit breakers, leverage tiers.

Each section is a frozen dataclass with a ``from_mapping`` that parses a TOML table, rejects
unknown keys and names the offending field in every error. Durations are given in seconds
(``window_secs = 60``) and kept in nanoseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum, unique
from itertools import pairwise
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import Currency
from shrivenquant.model.values import Money
from shrivenquant.risk import _parse

_ONE: Final = Decimal(1)


@unique
class ThrottleMode(StrEnum):
    """What happens to a command over the rate: refused, or held until a token is free."""

    DENY = "DENY"
    QUEUE = "QUEUE"


@unique
class ReferencePrice(StrEnum):
    """The market price orders are compared with and positions valued at (falls back to the
    other when missing)."""

    MID = "MID"
    LAST = "LAST"


@unique
class SelfTradePrevention(StrEnum):
    """Refuse orders that would trade against our own resting orders: off, within one
    strategy, or across the account."""

    OFF = "OFF"
    STRATEGY = "STRATEGY"
    ACCOUNT = "ACCOUNT"


@unique
class DrawdownAction(StrEnum):
    """What a drawdown breach does to the account."""

    REDUCING = "REDUCING"
    HALTED = "HALTED"
    FLATTEN = "FLATTEN"


@unique
class DailyLossReset(StrEnum):
    """When a daily-loss breach lifts: at the next trading day, or only by command."""

    NEXT_DAY = "NEXT_DAY"
    MANUAL = "MANUAL"


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottleConfig:
    """A token bucket: at most ``limit`` commands per ``interval_ns`` (bursts up to ``limit``).

    Attributes:
        limit: tokens per interval (and the bucket size).
        interval_ns: the refill interval.
        mode: DENY refuses commands over the rate; QUEUE holds them (up to ``max_queue``)
            and releases them, re-checked, as tokens come back.
        max_queue: how many commands QUEUE mode holds before refusing.
    """

    limit: int
    interval_ns: int
    mode: ThrottleMode = ThrottleMode.DENY
    max_queue: int = 1_000

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str) -> ThrottleConfig:
        """Parse ``{limit, interval_secs, mode, max_queue}``."""
        _parse.reject_unknown(where, values, ("limit", "interval_secs", "mode", "max_queue"))
        if "limit" not in values or "interval_secs" not in values:
            raise InvalidInputError(f"{where}: limit and interval_secs are required")
        return cls(
            limit=_parse.count(f"{where}.limit", values["limit"], minimum=1),
            interval_ns=_parse.seconds_to_ns(f"{where}.interval_secs", values["interval_secs"]),
            mode=_parse.choice(f"{where}.mode", values.get("mode", "DENY"), ThrottleMode),
            max_queue=_parse.count(f"{where}.max_queue", values.get("max_queue", 1_000), minimum=1),
        )

    def __post_init__(self) -> None:
        _parse.count("throttle.limit", self.limit, minimum=1)
        _parse.count("throttle.interval_ns", self.interval_ns, minimum=1)
        _parse.count("throttle.max_queue", self.max_queue, minimum=1)
        object.__setattr__(self, "mode", _parse.choice("throttle.mode", self.mode, ThrottleMode))


@dataclass(frozen=True, slots=True, kw_only=True)
class DrawdownRule:
    """Drawdown controls of one account, in one currency.

    Attributes:
        daily_loss_limit: the most realized plus unrealized PnL may fall within one trading
            day (the venue's time zone).
        max_drawdown: the most equity may fall below its peak, as an amount ...
        max_drawdown_pct: ... or as a fraction of the peak (0.1 is 10 %).
        action: REDUCING, HALTED or FLATTEN (cancel, close every position, HALTED).
        daily_reset: NEXT_DAY lifts a daily-loss breach when the next trading day starts;
            MANUAL waits for a `SetTradingState` command. Max-drawdown breaches always wait
            for the command (which also restarts the peak from the equity of that moment).
        currency: what PnL and equity are measured in; defaults to the currency of the
            amounts, else the account's base currency (a multi-currency account that only
            sets ``max_drawdown_pct`` must name it).
    """

    daily_loss_limit: Money | None = None
    max_drawdown: Money | None = None
    max_drawdown_pct: Decimal | None = None
    action: DrawdownAction = DrawdownAction.HALTED
    daily_reset: DailyLossReset = DailyLossReset.NEXT_DAY
    currency: Currency | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str) -> DrawdownRule:
        """Parse a drawdown table; amounts carry their currency (``"1000 USDT"``)."""
        _parse.reject_unknown(where, values, _DRAWDOWN_FIELDS)
        parsed: dict[str, Any] = {}
        for name in ("daily_loss_limit", "max_drawdown"):
            if name in values:
                parsed[name] = _parse.money(f"{where}.{name}", values[name])
        if "max_drawdown_pct" in values:
            parsed["max_drawdown_pct"] = _parse.fraction(
                f"{where}.max_drawdown_pct", values["max_drawdown_pct"], upper=_ONE
            )
        if "action" in values:
            parsed["action"] = _parse.choice(f"{where}.action", values["action"], DrawdownAction)
        if "daily_reset" in values:
            parsed["daily_reset"] = _parse.choice(
                f"{where}.daily_reset", values["daily_reset"], DailyLossReset
            )
        if "currency" in values:
            parsed["currency"] = _parse.currency(f"{where}.currency", values["currency"])
        _check_rule(
            parsed.get("daily_loss_limit"),
            parsed.get("max_drawdown"),
            parsed.get("max_drawdown_pct"),
            parsed.get("currency"),
            where,
        )
        return cls(**parsed)

    def __post_init__(self) -> None:
        _check_rule(
            self.daily_loss_limit,
            self.max_drawdown,
            self.max_drawdown_pct,
            self.currency,
            "drawdown",
        )

    def measured_in(self, fallback: Currency | None) -> Currency | None:
        """The currency the rule measures in: its own, its amounts', else ``fallback``."""
        if self.currency is not None:
            return self.currency
        for amount in (self.daily_loss_limit, self.max_drawdown):
            if amount is not None:
                return amount.currency
        return fallback


def _check_rule(
    daily: Money | None,
    drawdown: Money | None,
    pct: Decimal | None,
    currency: Currency | None,
    where: str,
) -> None:
    """A rule needs a limit, and its amounts one currency."""
    if daily is None and drawdown is None and pct is None:
        raise InvalidInputError(f"{where}: set daily_loss_limit, max_drawdown or max_drawdown_pct")
    if daily is not None and drawdown is not None and daily.currency != drawdown.currency:
        raise InvalidInputError(
            f"{where}.max_drawdown: currency {drawdown.currency} differs from "
            f"daily_loss_limit's {daily.currency}"
        )
    if pct is not None:
        _parse.fraction(f"{where}.max_drawdown_pct", pct, upper=_ONE)
    for name, amount in (("daily_loss_limit", daily), ("max_drawdown", drawdown)):
        if currency is not None and amount is not None and amount.currency != currency:
            raise InvalidInputError(
                f"{where}.{name}: {amount} is not in the rule's currency {currency}"
            )


_DRAWDOWN_FIELDS: Final = (
    "daily_loss_limit",
    "max_drawdown",
    "max_drawdown_pct",
    "action",
    "daily_reset",
    "currency",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketMoveBreakerConfig:
    """Halt an instrument for ``cooldown_ns`` when its price moves more than ``move_pct``
    (a fraction) within ``window_ns``."""

    move_pct: Decimal
    window_ns: int
    cooldown_ns: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str) -> MarketMoveBreakerConfig:
        """Parse ``{move_pct, window_secs, cooldown_secs}``."""
        _parse.reject_unknown(where, values, ("move_pct", "window_secs", "cooldown_secs"))
        _require(where, values, ("move_pct", "window_secs", "cooldown_secs"))
        return cls(
            move_pct=_parse.fraction(f"{where}.move_pct", values["move_pct"], upper=_ONE),
            window_ns=_parse.seconds_to_ns(f"{where}.window_secs", values["window_secs"]),
            cooldown_ns=_parse.seconds_to_ns(f"{where}.cooldown_secs", values["cooldown_secs"]),
        )

    def __post_init__(self) -> None:
        _parse.fraction("market_move_breaker.move_pct", self.move_pct, upper=_ONE)
        _parse.count("market_move_breaker.window_ns", self.window_ns, minimum=1)
        _parse.count("market_move_breaker.cooldown_ns", self.cooldown_ns, minimum=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class VenueErrorBreakerConfig:
    """Halt a venue for ``cooldown_ns`` after ``max_errors`` errors (rejects, disconnects,
    timeouts) within ``window_ns``.

    ``inflight_timeout_ns``: an order waiting longer than this for the venue's answer to a
    submit, modify or cancel counts as a timeout (None: timeouts are only counted when an
    adapter reports them).
    """

    max_errors: int
    window_ns: int
    cooldown_ns: int
    inflight_timeout_ns: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str) -> VenueErrorBreakerConfig:
        """Parse ``{max_errors, window_secs, cooldown_secs, inflight_timeout_secs}``."""
        known = ("max_errors", "window_secs", "cooldown_secs", "inflight_timeout_secs")
        _parse.reject_unknown(where, values, known)
        _require(where, values, known[:3])
        timeout = values.get("inflight_timeout_secs")
        return cls(
            max_errors=_parse.count(f"{where}.max_errors", values["max_errors"], minimum=1),
            window_ns=_parse.seconds_to_ns(f"{where}.window_secs", values["window_secs"]),
            cooldown_ns=_parse.seconds_to_ns(f"{where}.cooldown_secs", values["cooldown_secs"]),
            inflight_timeout_ns=None
            if timeout is None
            else _parse.seconds_to_ns(f"{where}.inflight_timeout_secs", timeout),
        )

    def __post_init__(self) -> None:
        _parse.count("venue_error_breaker.max_errors", self.max_errors, minimum=1)
        _parse.count("venue_error_breaker.window_ns", self.window_ns, minimum=1)
        _parse.count("venue_error_breaker.cooldown_ns", self.cooldown_ns, minimum=1)
        if self.inflight_timeout_ns is not None:
            _parse.count(
                "venue_error_breaker.inflight_timeout_ns", self.inflight_timeout_ns, minimum=1
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class StaleDataBreakerConfig:
    """Refuse new orders on an instrument whose market data is older than ``max_age_ns``."""

    max_age_ns: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str) -> StaleDataBreakerConfig:
        """Parse ``{max_age_secs}``."""
        _parse.reject_unknown(where, values, ("max_age_secs",))
        _require(where, values, ("max_age_secs",))
        return cls(max_age_ns=_parse.seconds_to_ns(f"{where}.max_age_secs", values["max_age_secs"]))

    def __post_init__(self) -> None:
        _parse.count("stale_data_breaker.max_age_ns", self.max_age_ns, minimum=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeverageTier:
    """One bracket of a leveraged instrument: positions up to ``max_notional`` (in the
    instrument's notional currency) may use at most ``max_leverage``; ``maint_rate`` is the
    bracket's maintenance margin rate."""

    max_notional: Decimal
    max_leverage: Decimal
    maint_rate: Decimal

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str) -> LeverageTier:
        """Parse ``{max_notional, max_leverage, maint_rate}``."""
        known = ("max_notional", "max_leverage", "maint_rate")
        _parse.reject_unknown(where, values, known)
        _require(where, values, known)
        return cls(
            max_notional=_parse.to_decimal(f"{where}.max_notional", values["max_notional"]),
            max_leverage=_parse.to_decimal(f"{where}.max_leverage", values["max_leverage"]),
            maint_rate=_parse.to_decimal(f"{where}.maint_rate", values["maint_rate"]),
        )

    def __post_init__(self) -> None:
        if self.max_notional <= 0:
            raise InvalidInputError(f"max_notional: must be above 0, got {self.max_notional}")
        if self.max_leverage < 1:
            raise InvalidInputError(f"max_leverage: must be at least 1, got {self.max_leverage}")
        if not 0 <= self.maint_rate < 1:
            raise InvalidInputError(f"maint_rate: must be in [0, 1), got {self.maint_rate}")


def parse_tiers(where: str, value: object) -> tuple[LeverageTier, ...]:
    """A list of tiers, sorted by ``max_notional``, leverage not rising with size."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidInputError(f"{where}: expected a list of tiers, got {value!r}")
    tiers = []
    for index, item in enumerate(value):
        tier_where = f"{where}[{index}]"
        if isinstance(item, LeverageTier):
            tiers.append(item)
            continue
        try:
            table = _parse.expect_mapping(tier_where, item)
            tiers.append(LeverageTier.from_mapping(table, tier_where))
        except InvalidInputError as exc:
            message = str(exc)
            raise InvalidInputError(
                message if message.startswith(tier_where) else f"{tier_where}.{message}"
            ) from None
    if not tiers:
        raise InvalidInputError(f"{where}: give at least one tier")
    tiers.sort(key=lambda t: t.max_notional)
    for lower, upper in pairwise(tiers):
        if upper.max_leverage > lower.max_leverage:
            raise InvalidInputError(
                f"{where}: max_leverage must not rise with the notional "
                f"({lower.max_leverage} up to {lower.max_notional}, then {upper.max_leverage})"
            )
    return tuple(tiers)


def _require(where: str, values: Mapping[str, Any], names: tuple[str, ...]) -> None:
    missing = [name for name in names if name not in values]
    if missing:
        raise InvalidInputError(f"{where}: {', '.join(missing)} required")
