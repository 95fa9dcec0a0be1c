"""RSI mean reversion: buy when the market is oversold, sell once it has recovered.

Long-only, a fixed size, market orders. Enters when RSI(period) falls below ``oversold`` and
exits when it rises above ``exit_level``.

    sq backtest examples/rsi_mean_reversion.py --data examples/data/btcusdt-1m.csv \
        --config examples/backtest.toml
"""

from __future__ import annotations

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.values import Quantity
from shrivenquant.strategy import RSI, Strategy, StrategyConfig


class RSIMeanReversionConfig(StrategyConfig):
    """Parameters of `RSIMeanReversion`."""

    bar_type: BarType
    trade_size: Quantity = Quantity("1")
    period: int = 14
    oversold: float = 25.0
    exit_level: float = 55.0

    def validate(self) -> None:
        super().validate()
        if not 0.0 < self.oversold < self.exit_level < 100.0:
            raise InvalidInputError(
                "RSIMeanReversionConfig.oversold: need 0 < oversold < exit_level < 100, got "
                f"oversold={self.oversold} exit_level={self.exit_level}"
            )


class RSIMeanReversion(Strategy):
    """Buys oversold dips and sells the recovery."""

    config: RSIMeanReversionConfig

    def __init__(self, config: RSIMeanReversionConfig) -> None:
        super().__init__(config)
        self.instrument_id = config.bar_type.instrument_id
        self.rsi = RSI(config.period)
        self.register_indicator_for_bars(config.bar_type, self.rsi)

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar: Bar) -> None:
        if not self.rsi.initialized:
            return
        if self.cache.orders_open(instrument_id=self.instrument_id, strategy_id=self.strategy_id):
            return
        flat = self.portfolio.is_flat(self.instrument_id, self.strategy_id)
        if flat and self.rsi.value < self.config.oversold:
            order = self.order_factory.market(
                self.instrument_id, OrderSide.BUY, self.config.trade_size
            )
            self.submit_order(order)
        elif not flat and self.rsi.value > self.config.exit_level:
            self.close_all_positions(self.instrument_id)
