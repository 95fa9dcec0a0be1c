"""`TradeRecord` validation, derived values, exposure and the trades DataFrame."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import pytest

from shrivenquant.analysis.trades import TradeRecord, time_in_market_s, trades_frame
from shrivenquant.model.enums import PositionSide

S = 1_000_000_000


def trade(entry: int, exit_: int, **overrides: object) -> TradeRecord:
    fields: dict[str, object] = {
        "entry_time": entry * S,
        "exit_time": exit_ * S,
        "side": PositionSide.LONG,
        "quantity": 1.0,
        "entry_price": 100.0,
        "exit_price": 101.0,
        "pnl": 1.0,
    }
    fields.update(overrides)
    return TradeRecord(**fields)  # type: ignore[arg-type]


def test_from_prices_computes_net_pnl_for_both_sides() -> None:
    long = TradeRecord.from_prices(
        entry_time=0,
        exit_time=S,
        side=PositionSide.LONG,
        quantity=3,
        entry_price=10,
        exit_price=12,
        fees=0.25,
        multiplier=50,
    )
    assert long.pnl == 3 * 50 * 2 - 0.25  # 299.75
    assert long.gross_pnl == 300
    assert long.notional == 3 * 50 * (10 + 12)
    short = TradeRecord.from_prices(
        entry_time=0, exit_time=2 * S, side=PositionSide.SHORT, quantity=1, entry_price=10,
        exit_price=12,
    )  # fmt: skip
    assert short.pnl == -2
    assert short.duration_s == 2.0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"side": PositionSide.FLAT}, "side must be LONG or SHORT"),
        ({"exit_time": -1}, "exit_time -1 is before entry_time 0"),
        ({"quantity": 0.0}, "quantity must be positive"),
        ({"pnl": float("nan")}, "pnl must be finite"),
        ({"entry_price": float("inf")}, "entry_price must be finite"),
        ({"multiplier": -1.0}, "multiplier must be positive"),
    ],
)
def test_bad_records_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        trade(0, 1, **overrides)


def test_time_in_market_merges_overlaps_and_clips_to_the_span() -> None:
    trades = [trade(0, 10), trade(5, 15), trade(20, 25), trade(22, 23), trade(40, 60)]
    # [0, 15] + [20, 25] + [40, 50] (clipped at the end) = 15 + 5 + 10
    assert time_in_market_s(trades, 0, 50 * S) == 30.0
    # clipped at the start too: [2, 15] + [20, 25] = 13 + 5
    assert time_in_market_s(trades, 2 * S, 30 * S) == 18.0
    assert time_in_market_s([], 0, 10 * S) == 0.0


def test_trades_frame_has_one_row_per_trade_with_utc_times() -> None:
    frame = trades_frame([trade(0, 60, instrument_id="BTCUSDT.BINANCE"), trade(60, 120)])
    assert len(frame) == 2
    assert frame.loc[0, "instrument_id"] == "BTCUSDT.BINANCE"
    assert frame.loc[0, "side"] == "LONG"
    assert frame.loc[1, "exit_time"] == pd.Timestamp("1970-01-01 00:02", tz="UTC")
    assert trades_frame([]).empty
