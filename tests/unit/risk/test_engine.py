"""The risk engine in front of the OMS: denials, cancels, throttles, runtime limits, the kill
switch, and restart from its journal."""

from __future__ import annotations

from typing import Any

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.commands_risk import ActivateKillSwitch, SetTradingState, UpdateRiskLimits
from shrivenquant.model.currency import INR
from shrivenquant.model.enums import OrderSide, OrderStatus, TradingState
from shrivenquant.model.events import (
    KillSwitchActivated,
    OrderCanceled,
    OrderDenied,
    RiskCommandRejected,
    RiskLimitsChanged,
    RiskScope,
    TradingStateCause,
    TradingStateChanged,
)
from shrivenquant.model.values import Quantity
from shrivenquant.risk import FLATTEN_TAG, RiskConfig, RiskReason, split_reason
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import BTC_SPOT, ETH_SPOT, TRADER, ListJournal, RiskHarness, cash_account

BUY, SELL = OrderSide.BUY, OrderSide.SELL
BTC_SCOPE = RiskScope(instrument_id=BTC_SPOT.id)


def harness(config: dict[str, Any] | None = None, **kwargs: Any) -> RiskHarness:
    return RiskHarness(RiskConfig.from_mapping(config or {}), **kwargs)


def test_a_denial_reaches_the_strategy_through_the_oms_with_its_code() -> None:
    h = harness({"instrument_limits": {"BTCUSDT.BINANCE": {"max_order_qty": "1"}}})
    refused = h.order(BUY, "2", "50000.00")
    denials = [e for e in h.order_events if isinstance(e, OrderDenied)]
    assert [d.client_order_id for d in denials] == [refused.client_order_id]
    code, sentence = split_reason(denials[0].reason)
    assert code is RiskReason.MAX_ORDER_QTY
    assert "2" in sentence
    assert "1" in sentence
    assert h.cache.order(refused.client_order_id) is None  # the OMS never built it
    assert h.risk.denial_counts == {RiskReason.MAX_ORDER_QTY: 1}
    assert h.bus.metrics.value("risk_denials", {"reason": "MAX_ORDER_QTY"}) == 1
    assert h.risk.counters.passed == 0


def test_cancels_always_pass_even_when_halted() -> None:
    h = harness()
    order = h.order(BUY, "0.1", "49000.00")
    h.risk.activate_kill_switch(reason="test")  # cancels it
    assert h.cache.order(order.client_order_id).status is OrderStatus.CANCELED  # type: ignore[union-attr]
    h.risk.set_trading_state(TradingState.ACTIVE)
    second = h.order(BUY, "0.1", "49000.00")
    h.risk.set_trading_state(TradingState.HALTED, reason="halt")
    h.cancel(second)
    assert h.cache.order(second.client_order_id).status is OrderStatus.CANCELED  # type: ignore[union-attr]
    assert h.code(h.order(BUY, "0.1", "49000.00")) is RiskReason.TRADING_HALTED


def test_the_order_throttle_refuses_over_the_rate() -> None:
    h = harness({"order_throttle": {"limit": 2, "interval_secs": 1}})
    assert h.passed(h.order(BUY, "0.1", "49000.00"))
    assert h.passed(h.order(BUY, "0.1", "49000.00"))
    assert h.code(h.order(BUY, "0.1", "49000.00")) is RiskReason.ORDER_RATE
    h.advance("0.499999999")
    assert h.code(h.order(BUY, "0.1", "49000.00")) is RiskReason.ORDER_RATE
    h.advance("0.000000001")
    assert h.passed(h.order(BUY, "0.1", "49000.00"))


def test_the_order_throttle_can_queue_and_rechecks_on_release() -> None:
    h = harness(
        {
            "order_throttle": {"limit": 1, "interval_secs": 1, "mode": "QUEUE", "max_queue": 2},
            "instrument_limits": {"BTCUSDT.BINANCE": {"max_open_orders": 2}},
        }
    )
    first = h.order(BUY, "0.1", "49000.00")
    queued = [h.order(BUY, "0.1", "49000.00") for _ in range(2)]
    overflow = h.order(BUY, "0.1", "49000.00")
    assert h.passed(first)
    assert all(h.cache.order(i.client_order_id) is None for i in queued)
    assert h.code(overflow) is RiskReason.ORDER_RATE
    assert h.risk.gate.queued == 2
    h.advance(1)
    assert h.passed(queued[0])
    h.advance(1)  # released, checked again: two orders are open now
    assert h.code(queued[1]) is RiskReason.MAX_OPEN_ORDERS
    assert h.risk.gate.queued == 0


def test_the_kill_switch_refuses_what_waits_in_the_queue() -> None:
    h = harness({"order_throttle": {"limit": 1, "interval_secs": 1, "mode": "QUEUE"}})
    h.order(BUY, "0.1", "49000.00")
    waiting = h.order(BUY, "0.1", "49000.00")
    h.risk.activate_kill_switch(reason="stop")
    assert h.code(waiting) is RiskReason.TRADING_HALTED
    h.advance(2)
    assert h.cache.order(waiting.client_order_id) is None


def test_the_cancel_throttle_delays_cancels_and_never_drops_them() -> None:
    h = harness({"cancel_throttle": {"limit": 1, "interval_secs": 1, "mode": "QUEUE"}})
    orders = [h.order(BUY, "0.1", "49000.00") for _ in range(3)]
    for order in orders:
        h.cancel(order)
    statuses = [h.cache.order(o.client_order_id).status for o in orders]  # type: ignore[union-attr]
    assert statuses.count(OrderStatus.CANCELED) == 1
    h.advance(2)
    assert all(
        h.cache.order(o.client_order_id).status is OrderStatus.CANCELED  # type: ignore[union-attr]
        for o in orders
    )


def test_limits_change_at_runtime_through_a_command() -> None:
    h = harness()
    assert h.passed(h.order(BUY, "3", "50000.00"))
    h.send(
        UpdateRiskLimits(
            trader_id=TRADER,
            scope=BTC_SCOPE,
            values={"max_order_qty": "2"},
            reason="tighter",
            command_id=UUID4(),
            ts_event=0,
            ts_init=0,
        )
    )
    assert h.code(h.order(BUY, "3", "50000.00")) is RiskReason.MAX_ORDER_QTY
    [changed] = h.events_of(RiskLimitsChanged)
    assert changed.values == {"max_order_qty": "2"}
    assert h.risk.limits(BTC_SCOPE).max_order_qty == Quantity("2")


def test_an_invalid_limit_command_changes_nothing_and_says_why() -> None:
    h = harness({"instrument_limits": {"BTCUSDT.BINANCE": {"max_order_qty": "2"}}})
    h.send(
        UpdateRiskLimits(
            trader_id=TRADER,
            scope=BTC_SCOPE,
            values={"max_order_qty": "-1"},
            command_id=UUID4(),
            ts_event=0,
            ts_init=0,
        )
    )
    [rejected] = h.events_of(RiskCommandRejected)
    assert "max_order_qty" in rejected.reason
    assert h.risk.limits(BTC_SCOPE).max_order_qty == Quantity("2")


def test_restart_restores_trading_states_limits_and_running_halts() -> None:
    journal = ListJournal()
    config = {"market_move_breaker": {"move_pct": "0.05", "window_secs": 60, "cooldown_secs": 300}}
    h = harness(config, risk_kwargs={"journal": journal})
    h.risk.update_limits({"max_order_qty": "2"}, BTC_SCOPE)
    h.risk.set_trading_state(TradingState.REDUCING, RiskScope(strategy_id=h.init().strategy_id))
    h.quote(ETH_SPOT, "3000.00", "3000.00")
    h.quote(ETH_SPOT, "3200.00", "3200.00")  # +6.7 %: ETH halted for 300 s
    assert h.risk.trading_state(RiskScope(instrument_id=ETH_SPOT.id)) is TradingState.HALTED
    kinds = [type(r).__name__ for r in journal.records]
    assert kinds == ["UpdateRiskLimits", "SetTradingState", "TradingStateChanged"]

    again = harness(config, risk_kwargs={"journal": journal}, clock_ns=h.clock.timestamp_ns())
    assert again.risk.limits(BTC_SCOPE).max_order_qty == Quantity("2")
    assert again.risk.trading_state(RiskScope(strategy_id=h.init().strategy_id)) is (
        TradingState.REDUCING
    )
    eth = RiskScope(instrument_id=ETH_SPOT.id)
    assert again.risk.trading_state(eth) is TradingState.HALTED
    again.advance(300)  # the cool-down ends on the restarted engine's clock
    assert again.risk.trading_state(eth) is TradingState.ACTIVE

    late = harness(config, risk_kwargs={"journal": journal},
                   clock_ns=h.clock.timestamp_ns() + 301 * 10**9)  # fmt: skip
    assert late.risk.trading_state(eth) is TradingState.ACTIVE  # ended while it was down


def test_risk_commands_on_the_endpoint_are_journaled_before_they_act() -> None:
    journal = ListJournal()
    h = harness(risk_kwargs={"journal": journal})
    command = SetTradingState(
        trader_id=TRADER, state=TradingState.HALTED, command_id=UUID4(), ts_event=0, ts_init=0
    )
    h.send(command)
    assert journal.records == [command]
    [changed] = h.events_of(TradingStateChanged)
    assert changed.state is TradingState.HALTED
    assert changed.cause is TradingStateCause.COMMAND


def test_kill_switch_cancels_everything_flattens_and_halts_idempotently() -> None:
    h = harness()
    long_btc = h.order(BUY, "1", "50000.00")
    h.fill(long_btc)
    short_eth = h.order(SELL, "10", "3000.00", instrument=ETH_SPOT)
    h.fill(short_eth, "4")  # partly filled: 6 still working
    resting = [h.order(BUY, "0.1", "49000.00"), h.order(SELL, "1", "3100.00", instrument=ETH_SPOT)]
    assert len(h.cache.orders_open()) == 3
    h.send(ActivateKillSwitch(trader_id=TRADER, flatten=True, reason="operator",
                              command_id=UUID4(), ts_event=0, ts_init=0))  # fmt: skip
    assert h.cache.orders_open() == [o for o in h.cache.orders_open() if FLATTEN_TAG in o.tags]
    flattening = [o for o in h.cache.orders() if FLATTEN_TAG in o.tags]
    assert sorted((str(o.instrument_id), o.side.value, str(o.quantity)) for o in flattening) == [
        ("BTCUSDT.BINANCE", "SELL", "1.00000"),
        ("ETHUSDT.BINANCE", "BUY", "4.0000"),
    ]
    assert all(o.reduce_only for o in flattening)
    assert h.risk.trading_state() is TradingState.HALTED
    for order in flattening:
        h.clients["BINANCE"].fill(order.client_order_id, px=BTC_SPOT.make_price("50000.00")
                                  if order.instrument_id == BTC_SPOT.id
                                  else ETH_SPOT.make_price("3000.00"))  # fmt: skip
    assert h.cache.orders_open() == []
    assert h.cache.positions_open() == []
    assert all(h.cache.order(o.client_order_id).is_closed for o in resting)  # type: ignore[union-attr]
    h.risk.activate_kill_switch(flatten=True, reason="again")
    first, second = h.events_of(KillSwitchActivated)
    assert (first.orders_canceled, first.positions_flattened) == (3, 2)
    assert (second.orders_canceled, second.positions_flattened) == (0, 0)
    assert h.cache.orders_open() == []


def test_kill_switch_repeated_before_the_venue_answers_sends_nothing_twice() -> None:
    h = harness(auto_cancel=False)
    h.fill(h.order(BUY, "1", "50000.00"))
    h.order(BUY, "0.1", "49000.00")
    h.risk.activate_kill_switch(flatten=True)
    h.risk.activate_kill_switch(flatten=True)
    first, second = h.events_of(KillSwitchActivated)
    assert (first.orders_canceled, first.positions_flattened) == (1, 1)
    assert (second.orders_canceled, second.positions_flattened) == (0, 0)
    cancels = [c for c in h.client.commands if type(c).__name__ == "CancelOrder"]
    assert len(cancels) == 1


def test_kill_switch_without_flatten_keeps_positions() -> None:
    h = harness()
    h.fill(h.order(BUY, "1", "50000.00"))
    h.order(BUY, "0.1", "49000.00")
    h.risk.activate_kill_switch()
    assert h.cache.orders_open() == []
    assert len(h.cache.positions_open()) == 1
    assert any(isinstance(e, OrderCanceled) for e in h.order_events)


def test_a_venue_kill_switch_leaves_other_venues_trading() -> None:
    reliance = TestInstrumentProvider.reliance_nse()
    h = harness(
        instruments=(BTC_SPOT, reliance),
        extra_accounts=(cash_account({INR: "1000000"}, account_id="NSE-001"),),
    )
    btc = h.order(BUY, "0.1", "49000.00")
    shares = h.order(BUY, "10", "2500.00", instrument=reliance)
    h.risk.activate_kill_switch(venue=BTC_SPOT.id.venue)
    assert h.cache.order(btc.client_order_id).is_closed  # type: ignore[union-attr]
    assert h.cache.order(shares.client_order_id).is_open  # type: ignore[union-attr]
    assert h.risk.trading_state(RiskScope(venue=BTC_SPOT.id.venue)) is TradingState.HALTED
    assert h.risk.trading_state() is TradingState.ACTIVE
    assert h.code(h.order(BUY, "0.1", "49000.00")) is RiskReason.TRADING_HALTED
    assert h.passed(h.order(BUY, "10", "2500.00", instrument=reliance))


def test_bypass_forwards_everything_unchecked() -> None:
    h = harness({"bypass": True, "instrument_limits": {"BTCUSDT.BINANCE": {"max_order_qty": "1"}}})
    assert h.passed(h.order(BUY, "5", "50000.00"))
    assert h.risk.denial_counts == {}


def test_a_duplicate_client_order_id_is_refused_and_the_original_still_counts() -> None:
    h = harness({"instrument_limits": {"BTCUSDT.BINANCE": {"max_position_qty": "1"}}})
    original = h.order(BUY, "1", "50000.00")
    h.submit(original)
    assert h.code(original) is RiskReason.DUPLICATE_ORDER
    assert h.cache.order(original.client_order_id).is_open  # type: ignore[union-attr]
    assert h.code(h.order(BUY, "0.00001", "50000.00")) is RiskReason.MAX_POSITION_QTY


def test_every_refusal_carries_a_code_and_a_sentence_and_is_counted_per_code() -> None:
    h = harness(
        {
            "order_throttle": {"limit": 3, "interval_secs": 60},
            "instrument_limits": {
                "BTCUSDT.BINANCE": {"max_order_qty": "1", "max_position_qty": "2"}
            },
            "limits": {"price_band_pct": "0.1"},
        }
    )
    working = h.order(BUY, "0.5", "50000.00")
    h.order(BUY, "2", "50000.00")  # MAX_ORDER_QTY
    h.order(BUY, "0.1", "40000.00")  # PRICE_BAND
    h.submit(working)  # DUPLICATE_ORDER
    h.modify(working, quantity=Quantity.from_str("1.5"))  # a modify refused: MAX_ORDER_QTY
    h.order(BUY, "0.1", "49000.00")
    h.order(BUY, "0.1", "49000.00")  # the third token (refused orders take none)
    h.order(BUY, "0.1", "49000.00")  # ORDER_RATE
    h.risk.set_trading_state(TradingState.HALTED, reason="halt")
    h.advance(60)
    h.order(BUY, "0.1", "49000.00")  # TRADING_HALTED
    refusals = [
        e for e in h.order_events if type(e).__name__ in {"OrderDenied", "OrderModifyRejected"}
    ]
    codes = []
    for event in refusals:
        code, sentence = split_reason(event.reason)
        assert code is not None, event.reason
        assert sentence.strip(), event.reason
        codes.append(code)
    assert sorted(codes) == sorted(
        [
            RiskReason.MAX_ORDER_QTY,
            RiskReason.PRICE_BAND,
            RiskReason.DUPLICATE_ORDER,
            RiskReason.MAX_ORDER_QTY,
            RiskReason.ORDER_RATE,
            RiskReason.TRADING_HALTED,
        ]
    )
    expected = {code: codes.count(code) for code in set(codes)}
    assert h.risk.denial_counts == expected
    for code, count in expected.items():
        assert h.bus.metrics.value("risk_denials", {"reason": code.value}) == count


def test_a_refusal_without_a_sentence_still_goes_out_coded_with_one() -> None:
    h = harness()
    init = h.init(BUY, "0.1", "50000.00")
    h.risk.deny(init, (RiskReason.ORDER_RATE, " "))
    [denied] = [e for e in h.order_events if isinstance(e, OrderDenied)]
    code, sentence = split_reason(denied.reason)
    assert code is RiskReason.ORDER_RATE
    assert sentence == "refused by the risk engine (ORDER_RATE)"
    assert h.risk.denial_counts == {RiskReason.ORDER_RATE: 1}
