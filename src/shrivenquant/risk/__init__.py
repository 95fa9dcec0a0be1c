"""The risk engine: pre-trade checks, limits, drawdown controls, breakers and kill switch."""

from typing import TYPE_CHECKING, Any

from shrivenquant.risk.config import DEFAULT_VENUE_TIMEZONES, RiskConfig
from shrivenquant.risk.config_sections import (
    DailyLossReset,
    DrawdownAction,
    DrawdownRule,
    LeverageTier,
    MarketMoveBreakerConfig,
    ReferencePrice,
    SelfTradePrevention,
    StaleDataBreakerConfig,
    ThrottleConfig,
    ThrottleMode,
    VenueErrorBreakerConfig,
)
from shrivenquant.risk.engine import RISK_ENGINE_ID, RiskEngine
from shrivenquant.risk.kill_switch import FLATTEN_TAG
from shrivenquant.risk.limits import LIMIT_FIELDS, RiskLimits
from shrivenquant.risk.margin import (
    CashMarginModel,
    LeveragedMarginModel,
    MarginDenied,
    MarginModel,
    OptionsMarginModel,
    ScenarioMarginModel,
)
from shrivenquant.risk.reasons import RiskReason, format_reason, split_reason
from shrivenquant.risk.sources import RiskPortfolio
from shrivenquant.risk.span_config import SpanMarginConfig, SpanParameters

if TYPE_CHECKING:
    from shrivenquant.risk.span_margin import SpanMargin, SpanMarginError, SpanMarginModel

_SPAN_NAMES = frozenset({"SpanMargin", "SpanMarginError", "SpanMarginModel"})


def __getattr__(name: str) -> Any:
    # The SPAN model needs the options engine (numba); load it only when it is asked for.
    if name in _SPAN_NAMES:
        from shrivenquant.risk import span_margin  # noqa: PLC0415

        return getattr(span_margin, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_VENUE_TIMEZONES",
    "FLATTEN_TAG",
    "LIMIT_FIELDS",
    "RISK_ENGINE_ID",
    "CashMarginModel",
    "DailyLossReset",
    "DrawdownAction",
    "DrawdownRule",
    "LeverageTier",
    "LeveragedMarginModel",
    "MarginDenied",
    "MarginModel",
    "MarketMoveBreakerConfig",
    "OptionsMarginModel",
    "ReferencePrice",
    "RiskConfig",
    "RiskEngine",
    "RiskLimits",
    "RiskPortfolio",
    "RiskReason",
    "ScenarioMarginModel",
    "SelfTradePrevention",
    "SpanMargin",
    "SpanMarginConfig",
    "SpanMarginError",
    "SpanMarginModel",
    "SpanParameters",
    "StaleDataBreakerConfig",
    "ThrottleConfig",
    "ThrottleMode",
    "VenueErrorBreakerConfig",
    "format_reason",
    "split_reason",
]
