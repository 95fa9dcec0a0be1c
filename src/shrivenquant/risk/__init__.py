"""The risk engine: pre-trade checks, limits, drawdown controls, breakers and kill switch."""

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
    "StaleDataBreakerConfig",
    "ThrottleConfig",
    "ThrottleMode",
    "VenueErrorBreakerConfig",
    "format_reason",
    "split_reason",
]
