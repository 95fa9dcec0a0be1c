"""Strategy configs: typed, frozen, unknown keys rejected, TOML-friendly."""

from __future__ import annotations

import dataclasses
import tomllib
from decimal import Decimal
from typing import Literal

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import USDT, Currency
from shrivenquant.model.data import BarType
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId, StrategyId
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.strategy import HookErrorPolicy, Strategy, StrategyConfig


class CrossConfig(StrategyConfig):
    instrument_id: InstrumentId
    bar_type: BarType
    fast: int = 10
    slow: int = 30
    trade_size: Quantity = Quantity("1")
    entry_offset: Decimal = Decimal("0.5")
    stop: Price | None = None
    budget: Money | None = None
    side: OrderSide = OrderSide.BUY
    threshold: float = 0.0
    venues: tuple[str, ...] = ()
    mode: Literal["fast", "slow"] = "fast"
    settle: Currency = USDT

    def validate(self) -> None:
        super().validate()
        if self.fast >= self.slow:
            raise InvalidInputError(f"{type(self).__name__}.fast: must be below slow")


TOML = """
[strategy]
strategy_id = "Cross-007"
instrument_id = "BTCUSDT.BINANCE"
bar_type = "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"
fast = 5
trade_size = "0.25"
entry_offset = "0.01"
stop = "49000.50"
budget = "1000 USDT"
side = "sell"
threshold = 2
venues = ["BINANCE", "NSE"]
mode = "slow"
settle = "usdt"
on_hook_error = "isolate"
"""


def test_a_toml_table_builds_a_typed_config() -> None:
    config = CrossConfig.from_mapping(tomllib.loads(TOML)["strategy"])
    assert config.strategy_id == StrategyId("Cross-007")
    assert config.instrument_id == InstrumentId("BTCUSDT.BINANCE")
    assert config.bar_type == BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
    assert (config.fast, config.slow) == (5, 30)
    assert config.trade_size == Quantity("0.25")
    assert config.stop == Price("49000.50")
    assert config.entry_offset == Decimal("0.01")
    assert config.budget == Money("1000", USDT)
    assert config.side is OrderSide.SELL
    assert config.threshold == 2.0
    assert config.venues == ("BINANCE", "NSE")
    assert config.mode == "slow"
    assert config.settle == USDT
    assert config.on_hook_error is HookErrorPolicy.ISOLATE
    assert config.resolved_tag() == "007"


def test_to_mapping_round_trips() -> None:
    config = CrossConfig.from_mapping(tomllib.loads(TOML)["strategy"])
    mapping = config.to_mapping()
    assert mapping["stop"] == "49000.50"
    assert mapping["venues"] == ["BINANCE", "NSE"]
    assert "order_id_tag" not in mapping  # None is left out (TOML has no null)
    assert CrossConfig.from_mapping(mapping) == config
    assert CrossConfig.from_mapping(tomllib.loads(_to_toml(mapping))) == config


def _to_toml(mapping: dict[str, object]) -> str:
    lines = []
    for key, value in mapping.items():
        if isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        elif isinstance(value, list):
            lines.append(f"{key} = [{', '.join(repr(v).replace(chr(39), chr(34)) for v in value)}]")
        else:
            lines.append(f"{key} = {value!r}")
    return "\n".join(lines)


def test_configs_are_frozen_and_replaceable() -> None:
    config = CrossConfig(
        instrument_id=InstrumentId("A.B"), bar_type=BarType.from_str("A.B-1-MINUTE-LAST-EXTERNAL")
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.fast = 3  # type: ignore[misc]
    faster = dataclasses.replace(config, fast=3)
    assert faster.fast == 3
    assert config.fast == 10
    assert hash(faster) != hash(config)


BASE = {"instrument_id": "A.B", "bar_type": "A.B-1-MINUTE-LAST-EXTERNAL"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"fastt": 3}, "unknown CrossConfig field(s): fastt; known: bar_type"),
        ({"fast": "3"}, "CrossConfig.fast: expected an integer, got '3'"),
        ({"fast": True}, "CrossConfig.fast: expected an integer"),
        ({"fast": 40}, "CrossConfig.fast: must be below slow"),
        ({"threshold": "2"}, "CrossConfig.threshold: expected a number"),
        ({"entry_offset": 0.5}, "CrossConfig.entry_offset: expected a decimal as text"),
        ({"entry_offset": "abc"}, "CrossConfig.entry_offset: expected a decimal number"),
        ({"trade_size": 0.25}, "CrossConfig.trade_size: expected Quantity, got 0.25"),
        ({"trade_size": "-1"}, "CrossConfig.trade_size:"),
        ({"instrument_id": "no venue"}, "CrossConfig.instrument_id:"),
        ({"bar_type": "BTC"}, "CrossConfig.bar_type: invalid BarType"),
        ({"side": "UP"}, "CrossConfig.side: expected one of NO_ORDER_SIDE, BUY, SELL"),
        ({"venues": "BINANCE"}, "CrossConfig.venues: expected a list"),
        ({"venues": ["BINANCE", 3]}, "CrossConfig.venues[1]: expected str"),
        ({"mode": "medium"}, "CrossConfig.mode: expected one of 'fast', 'slow'"),
        ({"stop": 1.5}, "CrossConfig.stop: expected Price | None, got 1.5"),
        ({"on_hook_error": "ignore"}, "CrossConfig.on_hook_error: expected one of FAULT, ISOLATE"),
        ({"order_id_tag": "a-b"}, "CrossConfig.order_id_tag: use letters, digits and '_' only"),
        ({"strategy_id": "Cross-x.y"}, "cannot derive a tag from strategy_id"),
    ],
)
def test_bad_values_are_refused_naming_the_field(values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        CrossConfig.from_mapping({**BASE, **values})
    assert message in str(info.value)


def test_missing_required_fields_are_named() -> None:
    with pytest.raises(InvalidInputError, match=r"missing required field.*bar_type, instrument_id"):
        CrossConfig.from_mapping({})
    with pytest.raises(InvalidInputError, match="expected a mapping"):
        CrossConfig.from_mapping([("fast", 1)])  # type: ignore[arg-type]


def test_strategy_id_and_tag_defaults() -> None:
    class Plain(Strategy):
        pass

    assert Plain().strategy_id == StrategyId("Plain-000")
    assert Plain(StrategyConfig(order_id_tag="B7")).strategy_id == StrategyId("Plain-B7")
    tagged = Plain(StrategyConfig(strategy_id="Trend-042"))  # type: ignore[arg-type]
    assert tagged.strategy_id == StrategyId("Trend-042")
    assert tagged.config.resolved_tag() == "042"
    with pytest.raises(TypeError, match="config must be a StrategyConfig"):
        Plain({"fast": 1})  # type: ignore[arg-type]
