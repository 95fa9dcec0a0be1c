"""Acceptance: a golden-master backtest whose exact outcome is pinned.

The three example strategies trade one synthetic BTCUSDT bar set (8,000 one-minute bars, seed
20240101) side by side, with fees, the risk engine checking balances and the portfolio in the
loop. Any change to how orders are routed, matched, filled, booked or reported changes one of
the pinned numbers; if a change is intended, rerun, check the new figures by hand and update
them here.
"""

from __future__ import annotations

from shrivenquant.model.currency import USDT
from shrivenquant.model.identifiers import StrategyId
from shrivenquant.model.values import Quantity
from shrivenquant.risk import RiskConfig
from shrivenquant.runtime import BacktestConfig, BacktestEngine, NodeConfig
from shrivenquant.runtime.strategy_loader import load_strategy_class, strategy_config_class
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars
from shrivenquant.sim import SimulatedVenueConfig

from .conftest import EXAMPLES, btcusdt

STRATEGIES = {
    "sma_crossover.py": {"strategy_id": "SMACross-001", "fast": 10, "slow": 30},
    "rsi_mean_reversion.py": {"strategy_id": "RSI-002"},
    "bollinger_breakout.py": {"strategy_id": "Bollinger-003"},
}


def run_golden_master() -> tuple[BacktestEngine, object]:
    bars = gbm_bars(GbmSpec(count=8_000))
    engine = BacktestEngine(
        NodeConfig(risk=RiskConfig(check_balance=True), backtest=BacktestConfig(progress=False))
    )
    engine.add_venue(SimulatedVenueConfig(venue="BINANCE", starting_balances=("100000 USDT",)))
    engine.add_instrument(btcusdt(fee="0.0004"))
    engine.add_data(bars)
    for file, parameters in STRATEGIES.items():
        cls = load_strategy_class(str(EXAMPLES / file))
        config = strategy_config_class(cls)(
            bar_type=bars.bar_type, trade_size=Quantity("0.500"), **parameters
        )
        engine.add_strategy(cls(config))
    return engine, engine.run()


def test_golden_master() -> None:
    engine, result = run_golden_master()
    portfolio = engine.kernel.portfolio
    instrument_id = btcusdt().id

    assert result.stats.records == 8_000
    assert not result.stats.stopped_early
    assert result.denials == {}
    assert result.failures == ()
    assert len(result.orders) == 672
    assert len(result.fills) == 672
    assert len(result.positions) == 3
    assert len(result.trades) == 336
    assert result.orders.groupby("strategy_id").size().to_dict() == {
        "SMACross-001": 326,
        "RSI-002": 36,
        "Bollinger-003": 310,
    }
    assert set(result.orders["status"]) == {"FILLED"}
    assert set(result.positions["side"]) == {"FLAT"}
    assert dict(result.balances) == {
        "BINANCE-001": {"BTC": "0.00000000 BTC", "USDT": "91982.37801200 USDT"}
    }
    realized = {
        name: str(portfolio.realized_pnl(instrument_id, StrategyId(name)))
        for name in ("SMACross-001", "RSI-002", "Bollinger-003")
    }
    assert realized == {
        "SMACross-001": "-3064.36844200 USDT",
        "RSI-002": "-706.19845600 USDT",
        "Bollinger-003": "-4247.05509000 USDT",
    }
    fees = {
        name: str(portfolio.commissions(strategy_id=StrategyId(name))[USDT])
        for name in ("SMACross-001", "RSI-002", "Bollinger-003")
    }
    assert fees == {
        "SMACross-001": "2601.20344200 USDT",
        "RSI-002": "284.74845600 USDT",
        "Bollinger-003": "2481.33009000 USDT",
    }
    # The closed trades add up to the realized PnL, to the float's precision.
    assert abs(result.pnl - (-3064.368442 - 706.198456 - 4247.05509)) < 1e-6
