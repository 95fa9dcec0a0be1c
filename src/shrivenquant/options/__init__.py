"""Option pricing, Greeks, implied volatility, volatility surfaces and scenario maths."""

from shrivenquant.options.american import (
    american_price_array,
    baw_price,
    bjerksund_stensland_price,
)
from shrivenquant.options.asian import (
    MonteCarloPrice,
    arithmetic_asian_mc_price,
    geometric_asian_continuous_price,
    geometric_asian_discrete_price,
)
from shrivenquant.options.bachelier import (
    bachelier_greeks,
    bachelier_greeks_array,
    bachelier_price,
    bachelier_price_array,
)
from shrivenquant.options.barriers import BarrierKind, barrier_price, barrier_price_array
from shrivenquant.options.black import (
    black_greeks,
    black_greeks_array,
    black_price,
    black_price_array,
    black_second_order_greeks_array,
)
from shrivenquant.options.bsm import (
    bsm_dividend_rho,
    bsm_greeks,
    bsm_greeks_array,
    bsm_price,
    bsm_price_array,
    bsm_second_order_greeks_array,
)
from shrivenquant.options.digitals import (
    DigitalKind,
    digital_greeks,
    digital_price,
    digital_price_array,
)
from shrivenquant.options.fd_greeks import finite_difference_greeks
from shrivenquant.options.implied_vol import (
    ImpliedVol,
    ImpliedVolArrays,
    ImpliedVolStatus,
    black_implied_vol,
    black_implied_vol_array,
    bsm_implied_vol,
    bsm_implied_vol_array,
)
from shrivenquant.options.scenario import (
    OptionBook,
    ScenarioGrid,
    SpanResult,
    SpanScenario,
    revalue_grid,
    span_position_pnl,
    span_risk,
    span_scenarios,
)
from shrivenquant.options.surface import CalendarCheck, SmileQuotes, SmileSlice, VolSurface
from shrivenquant.options.svi import ButterflyCheck, SviFit, SviParams, butterfly_check, fit_svi
from shrivenquant.options.trees import TreeKind, binomial_price
from shrivenquant.options.types import (
    ExerciseStyle,
    Greeks,
    GreeksArrays,
    OptionRight,
    SecondOrderGreeksArrays,
)

__all__ = [
    "OptionBook",
    "ScenarioGrid",
    "SpanResult",
    "SpanScenario",
    "revalue_grid",
    "span_position_pnl",
    "span_risk",
    "span_scenarios",
    "ButterflyCheck",
    "CalendarCheck",
    "SmileQuotes",
    "SmileSlice",
    "SviFit",
    "SviParams",
    "VolSurface",
    "butterfly_check",
    "finite_difference_greeks",
    "fit_svi",
    "BarrierKind",
    "DigitalKind",
    "MonteCarloPrice",
    "arithmetic_asian_mc_price",
    "barrier_price",
    "barrier_price_array",
    "digital_greeks",
    "digital_price",
    "digital_price_array",
    "geometric_asian_continuous_price",
    "geometric_asian_discrete_price",
    "ExerciseStyle",
    "Greeks",
    "GreeksArrays",
    "ImpliedVol",
    "ImpliedVolArrays",
    "ImpliedVolStatus",
    "OptionRight",
    "SecondOrderGreeksArrays",
    "TreeKind",
    "american_price_array",
    "bachelier_greeks",
    "bachelier_greeks_array",
    "bachelier_price",
    "bachelier_price_array",
    "baw_price",
    "binomial_price",
    "bjerksund_stensland_price",
    "black_greeks",
    "black_implied_vol",
    "black_implied_vol_array",
    "black_greeks_array",
    "black_price",
    "black_price_array",
    "black_second_order_greeks_array",
    "bsm_dividend_rho",
    "bsm_greeks",
    "bsm_greeks_array",
    "bsm_implied_vol",
    "bsm_implied_vol_array",
    "bsm_price",
    "bsm_price_array",
    "bsm_second_order_greeks_array",
]
