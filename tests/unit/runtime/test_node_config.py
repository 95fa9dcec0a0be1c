"""`NodeConfig`: typed sections from a merged table, unknown keys refused, secrets masked."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.identifiers import InstrumentId, TraderId
from shrivenquant.model.instruments import CryptoPerpetual, CurrencyPair
from shrivenquant.model.values import Money
from shrivenquant.portfolio import MarkPriceType
from shrivenquant.runtime import BacktestConfig, BarExecution, NodeConfig, load_node_config
from shrivenquant.runtime.instruments import infer_spot_pair, instrument_from_table

TABLE = {
    "node": {"trader_id": "TRADER-007"},
    "logging": {"level": "error"},
    "risk": {"check_balance": False, "limits": {"max_open_orders": 5}},
    "portfolio": {"mark_price_type": "LAST_TRADE"},
    "exec_engine": {"oms_type": "NETTING"},
    "data_engine": {"validate_data": True},
    "venues": {"BINANCE": {"starting_balances": ["1000 USDT"], "book_type": "L1_MBP"}},
    "instruments": {
        "BTCUSDT.BINANCE": {
            "type": "CurrencyPair",
            "base_currency": "BTC",
            "quote_currency": "USDT",
            "price_precision": 2,
            "size_precision": 5,
            "taker_fee": "0.001",
        }
    },
    "strategies": [{"path": "examples/sma_crossover.py", "config": {"fast": 5}}],
    "backtest": {"bar_execution": "close", "equity_interval_secs": 60, "start": "2024-01-01"},
    "secrets": {"binance_api_key": "abc123"},
}


def test_every_section_is_typed() -> None:
    config = NodeConfig.from_mapping(TABLE)
    assert config.trader_id == TraderId("TRADER-007")
    assert config.logging is not None
    assert config.logging.level == "ERROR"
    assert config.risk.check_balance is False
    assert config.portfolio.mark_price_type is MarkPriceType.LAST_TRADE
    (venue,) = config.venues
    assert str(venue.venue) == "BINANCE"
    assert venue.starting_balances == (Money("1000", USDT),)
    (instrument,) = config.instruments
    assert isinstance(instrument, CurrencyPair)
    assert instrument.base_currency == BTC
    assert instrument.taker_fee == Decimal("0.001")
    assert str(instrument.size_increment) == "0.00001"
    assert config.strategies[0].config == {"fast": 5}
    assert config.backtest.bar_execution is BarExecution.CLOSE
    assert config.backtest.equity_interval_ns == 60_000_000_000
    assert config.backtest.start == 1_704_067_200_000_000_000


def test_config_is_frozen() -> None:
    config = NodeConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.trader_id = TraderId("TRADER-002")  # type: ignore[misc]


def test_secrets_are_never_shown() -> None:
    config = NodeConfig.from_mapping(TABLE)
    assert config.secrets["binance_api_key"].get_secret_value() == "abc123"
    assert "abc123" not in repr(config)
    assert "abc123" not in str(config.describe())
    assert config.describe()["secrets"] == ["binance_api_key"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"riks": {}}, "unknown key.*riks"),
        ({"node": {"trader": "X"}}, "node: unknown key.*trader"),
        ({"risk": {"chek_balance": True}}, r"\[risk\].*chek_balance"),
        ({"venues": {"BINANCE": {"venue": "NSE", "starting_balances": ["1 USDT"]}}}, "differs"),
        ({"backtest": {"bar_execution": "LATER"}}, "NEXT_OPEN or CLOSE"),
        ({"backtest": {"equity_interval_secs": 0}}, "equity_interval_secs"),
        ({"strategies": [{"config": {}}]}, r"strategies\[0\].path: required"),
        ({"logging": {"level": "LOUD"}}, "logging.level"),
        ({"risk": {"span_margin": {"vol_scan": "-0.04"}}}, r"\[risk\] span_margin\.vol_scan"),
        ({"risk": {"span_margin": {"volscan": "0.04"}}}, r"\[risk\] span_margin: .*volscan"),
        (
            {"risk": {"span_margin": {"underlyings": {"NIFTY": {"price_scan": "2"}}}}},
            r"\[risk\] span_margin\.underlyings\.NIFTY\.price_scan",
        ),
        (
            {
                "risk": {"instrument_limits": {"ETHUSDT.BINANCE": {"max_order_qty": "1"}}},
                "instruments": TABLE["instruments"],
            },
            r'\[risk\] instrument_limits\["ETHUSDT.BINANCE"\]: unknown instrument',
        ),
        (
            {
                "risk": {"span_margin": {"spot_instruments": {"BTC": "BTCUSD.BINANCE"}}},
                "instruments": TABLE["instruments"],
            },
            r'\[risk\] span_margin\.spot_instruments\["BTC"\]: unknown instrument',
        ),
    ],
)
def test_bad_settings_name_the_field(table: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        NodeConfig.from_mapping(table)


def test_start_must_come_before_end() -> None:
    with pytest.raises(InvalidInputError, match="not after start"):
        BacktestConfig(start="2024-01-02", end="2024-01-01")  # type: ignore[arg-type]


def test_load_node_config_merges_file_environment_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    path.write_text('[node]\ntrader_id = "TRADER-001"\n[risk]\nbypass = false\n')
    config = load_node_config(
        path,
        environ={"SQ_RISK__BYPASS": "true", "SQ_SECRETS__TOKEN": "s3cret"},
        overrides=["backtest.record_events=true"],
    )
    assert config.trader_id == TraderId("TRADER-001")
    assert config.risk.bypass is True
    assert config.backtest.record_events is True
    assert "s3cret" not in repr(config)


def test_instrument_tables_refuse_floats_and_unknown_types() -> None:
    with pytest.raises(InvalidInputError, match=r"taker_fee.*string"):
        instrument_from_table(
            "BTCUSDT.BINANCE", {**TABLE["instruments"]["BTCUSDT.BINANCE"], "taker_fee": 0.001}
        )
    with pytest.raises(InvalidInputError, match="type: expected one of"):
        instrument_from_table("BTCUSDT.BINANCE", {"type": "Bond"})
    with pytest.raises(InvalidInputError, match=r'instruments\."BTCUSDT\.BINANCE"'):
        instrument_from_table("BTCUSDT.BINANCE", {"type": "CurrencyPair"})


def test_perpetual_from_a_table() -> None:
    perpetual = instrument_from_table(
        "BTCUSDT-PERP.BINANCE",
        {
            "type": "CryptoPerpetual",
            "base_currency": "BTC",
            "quote_currency": "USDT",
            "settlement_currency": "USDT",
            "price_precision": 1,
            "size_precision": 3,
            "margin_init": "0.008",
            "margin_maint": "0.004",
        },
    )
    assert isinstance(perpetual, CryptoPerpetual)
    assert perpetual.margin_init == Decimal("0.008")


def test_spot_pairs_are_inferred_from_known_quote_currencies() -> None:
    pair = infer_spot_pair(InstrumentId("ETHUSDT.BINANCE"), 2, 4)
    assert pair is not None
    assert (pair.base_currency.code, pair.quote_currency.code) == ("ETH", "USDT")
    assert pair.taker_fee == 0
    assert str(pair.price_increment) == "0.01"
    assert infer_spot_pair(InstrumentId("NIFTY24JANFUT.NSE"), 2, 0) is None
