"""SMA crossover: long while the fast average of closes is above the slow one, flat otherwise.

Long-only, a fixed size, market orders (in a backtest they fill at the next bar's open).

    sq backtest examples/sma_crossover.py --data examples/data/btcusdt-1m.csv \
        --config examples/backtest.toml
"""

from __future__ import annotations

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.values import Quantity
from shrivenquant.strategy import SMA, Strategy, StrategyConfig


class SMACrossConfig(StrategyConfig):
    """Parameters of `SMACross`."""

    bar_type: BarType
    trade_size: Quantity = Quantity("1")
    fast: int = 10
    slow: int = 30

    def validate(self) -> None:
        super().validate()
        if not 0 < self.fast < self.slow:
            raise InvalidInputError(
                f"SMACrossConfig.fast: need 0 < fast < slow, got fast={self.fast} slow={self.slow}"
            )


class SMACross(Strategy):
    """Buys when SMA(fast) crosses above SMA(slow) and sells when it crosses below."""

    config: SMACrossConfig

    def __init__(self, config: SMACrossConfig) -> None:
        super().__init__(config)
        self.instrument_id = config.bar_type.instrument_id
        self.fast = SMA(config.fast)
        self.slow = SMA(config.slow)
        self.register_indicator_for_bars(config.bar_type, self.fast)
        self.register_indicator_for_bars(config.bar_type, self.slow)

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar: Bar) -> None:
        if not self.slow.initialized:
            return
        if self.cache.orders_open(instrument_id=self.instrument_id, strategy_id=self.strategy_id):
            return  # an order is still on its way
        flat = self.portfolio.is_flat(self.instrument_id, self.strategy_id)
        if flat and self.fast.value > self.slow.value:
            order = self.order_factory.market(
                self.instrument_id, OrderSide.BUY, self.config.trade_size
            )
            self.submit_order(order)
        elif not flat and self.fast.value < self.slow.value:
            self.close_all_positions(self.instrument_id)
