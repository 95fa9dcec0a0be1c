"""Settings merge in one place: file, then environment, then command-line overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.runtime.config_sources import (
    env_settings,
    load_settings,
    merge_tables,
    override_settings,
    parse_value,
    split_key,
)


def test_values_from_text() -> None:
    assert parse_value("true") is True
    assert parse_value("FALSE") is False
    assert parse_value("42") == 42
    assert parse_value("-7") == -7
    assert parse_value('["100 USDT", "1 BTC"]') == ["100 USDT", "1 BTC"]
    # Decimals and money stay text: the configs parse them exactly, never through a float.
    assert parse_value("0.05") == "0.05"
    assert parse_value("1000 USDT") == "1000 USDT"
    assert parse_value("[not toml") == "[not toml"


def test_environment_variables_with_double_underscores_are_settings() -> None:
    env = {
        "SQ_RISK__CHECK_BALANCE": "false",
        "SQ_RISK__LIMITS__MAX_OPEN_ORDERS": "5",
        "SQ_NODE__TRADER_ID": "TRADER-002",
        "SQ_HOME": "/somewhere",
        "HOME": "/root",
    }
    assert env_settings(env) == {
        "risk": {"check_balance": False, "limits": {"max_open_orders": 5}},
        "node": {"trader_id": "TRADER-002"},
    }


def test_malformed_environment_variable_is_named() -> None:
    with pytest.raises(InvalidInputError, match="SQ_RISK____X"):
        env_settings({"SQ_RISK____X": "1"})


def test_overrides_accept_dotted_and_quoted_keys() -> None:
    assert override_settings(["risk.bypass=true", 'instruments."BTCUSDT.BINANCE".taker_fee=0']) == {
        "risk": {"bypass": True},
        "instruments": {"BTCUSDT.BINANCE": {"taker_fee": 0}},
    }
    assert override_settings({"backtest.progress": False}) == {"backtest": {"progress": False}}
    assert split_key('a."b.c".d') == ["a", "b.c", "d"]
    with pytest.raises(InvalidInputError, match=r"expected section\.key=value"):
        override_settings(["risk.bypass"])


def test_a_value_cannot_become_a_table() -> None:
    with pytest.raises(InvalidInputError, match="'risk' is a value"):
        override_settings(["risk=1", "risk.bypass=true"])


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    path.write_text(
        '[risk]\ncheck_balance = true\nbypass = false\n[node]\ntrader_id = "TRADER-001"\n'
    )
    merged = load_settings(
        path,
        environ={"SQ_RISK__BYPASS": "true", "SQ_NODE__TRADER_ID": "TRADER-ENV"},
        overrides=["node.trader_id=TRADER-CLI"],
    )
    assert merged == {
        "risk": {"check_balance": True, "bypass": True},
        "node": {"trader_id": "TRADER-CLI"},
    }


def test_missing_and_invalid_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="config file not found"):
        load_settings(tmp_path / "missing.toml", environ={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[risk\n")
    with pytest.raises(InvalidInputError, match=r"bad\.toml: invalid TOML"):
        load_settings(bad, environ={})


keys = st.sampled_from(["a", "b", "c"])
tables = st.recursive(
    st.integers(0, 9),
    lambda children: st.dictionaries(keys, children, max_size=3),
    max_leaves=12,
)


def _nodes(table: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    found: dict[tuple[str, ...], Any] = {prefix: table}
    if isinstance(table, dict):
        for key, value in table.items():
            found.update(_nodes(value, (*prefix, key)))
    return found


def _leaves(table: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if not isinstance(table, dict):
        return {prefix: table}
    found: dict[tuple[str, ...], Any] = {}
    for key, value in table.items():
        found.update(_leaves(value, (*prefix, key)))
    return found


@settings(max_examples=300)
@given(st.dictionaries(keys, tables, max_size=3), st.dictionaries(keys, tables, max_size=3))
def test_merge_keeps_every_leaf_of_top_and_the_rest_of_base(
    base: dict[str, Any], top: dict[str, Any]
) -> None:
    merged = _leaves(merge_tables(base, top))
    top_leaves = _leaves(top)
    for path, value in top_leaves.items():
        if path:
            assert merged[path] == value
    top_nodes = _nodes(top)
    for path, value in _leaves(base).items():
        prefixes = [path[:i] for i in range(1, len(path) + 1)]
        shadowed = any(
            q in top_nodes and (q == path or not isinstance(top_nodes[q], dict)) for q in prefixes
        )
        if path and not shadowed:
            assert merged[path] == value
