"""Bollinger breakout: buy a close above the upper band, sell a close back below the middle.

Long-only, a fixed size, market orders.

    sq backtest examples/bollinger_breakout.py --data examples/data/btcusdt-1m.csv \
        --config examples/backtest.toml
"""

from __future__ import annotations

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.values import Quantity
from shrivenquant.strategy import BollingerBands, Strategy, StrategyConfig


class BollingerBreakoutConfig(StrategyConfig):
    """Parameters of `BollingerBreakout`."""

    bar_type: BarType
    trade_size: Quantity = Quantity("1")
    period: int = 20
    k: float = 2.0

    def validate(self) -> None:
        super().validate()
        if self.period < 2 or not self.k > 0.0:
            raise InvalidInputError(
                f"BollingerBreakoutConfig.period: need period >= 2 and k > 0, "
                f"got period={self.period} k={self.k}"
            )


class BollingerBreakout(Strategy):
    """Rides closes that break out above the upper band until they fall back to the mean."""

    config: BollingerBreakoutConfig

    def __init__(self, config: BollingerBreakoutConfig) -> None:
        super().__init__(config)
        self.instrument_id = config.bar_type.instrument_id
        self.bands = BollingerBands(config.period, config.k)
        self.register_indicator_for_bars(config.bar_type, self.bands)

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar: Bar) -> None:
        if not self.bands.initialized:
            return
        if self.cache.orders_open(instrument_id=self.instrument_id, strategy_id=self.strategy_id):
            return
        close = bar.close.as_double()
        flat = self.portfolio.is_flat(self.instrument_id, self.strategy_id)
        if flat and close > self.bands.upper:
            order = self.order_factory.market(
                self.instrument_id, OrderSide.BUY, self.config.trade_size
            )
            self.submit_order(order)
        elif not flat and close < self.bands.middle:
            self.close_all_positions(self.instrument_id)
