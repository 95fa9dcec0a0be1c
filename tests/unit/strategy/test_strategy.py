"""Strategies in a hand-wired kernel: the real execution engine with a fake execution client,
the portfolio, a cache and a test clock."""

from __future__ import annotations

import re
from typing import Any

import pytest
from structlog.testing import capture_logs

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.execution import ExecEngineConfig, ExecutionEngine
from shrivenquant.model.commands import CancelAllOrders, ModifyOrder, SubmitOrder
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.enums import OrderSide, OrderStatus, PositionSide
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.events.system import ComponentStateChanged
from shrivenquant.model.identifiers import StrategyId, TraderId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.portfolio import Portfolio, PortfolioConfig
from shrivenquant.strategy import SMA, Strategy, StrategyConfig
from shrivenquant.strategy.hooks import StrategyHooks
from shrivenquant.testkit.fake_execution import FakeExecutionClient
from shrivenquant.testkit.instruments import TestInstrumentProvider

TRADER = TraderId("TRADER-001")
BAR_TYPE = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
T0 = 1_704_164_645_000_000_000  # 2024-01-02T03:04:05Z
MINUTE = 60_000_000_000
ONE = Quantity("1.00000")


class Kernel:
    """What a node wires, by hand: everything a strategy talks to, with a scripted venue."""

    def __init__(self, **client_kwargs: Any) -> None:
        self.clock = TestClock(T0)
        self.bus = MessageBus()
        self.cache = Cache()
        self.instrument = TestInstrumentProvider.btcusdt_binance()
        self.cache.add_instrument(self.instrument)
        self.engine = ExecutionEngine(
            TRADER, self.bus, self.clock, self.cache, ExecEngineConfig(replay_on_start=False)
        )
        self.client = FakeExecutionClient(TRADER, self.bus, self.clock, **client_kwargs)
        self.engine.register_client(self.client)
        self.engine.start()
        self.portfolio = Portfolio(
            TRADER, self.bus, self.clock, self.cache, PortfolioConfig(journal_account_states=False)
        )
        self.portfolio.start()
        self.events: list[Any] = []
        self.bus.subscribe("events.*", self.events.append)
        self.bars = 0

    def add(self, strategy: Strategy, start: bool = True) -> Any:
        strategy.register(TRADER, self.bus, self.clock, self.cache, self.portfolio)
        if start:
            strategy.start()
        return strategy

    def bar(self, close: str) -> Bar:
        """Publish the next one-minute bar (the cache first, as the data engine does)."""
        self.bars += 1
        ts = T0 + self.bars * MINUTE
        self.clock.advance_time(ts)
        px = Price(close)
        bar = Bar.checked(
            bar_type=BAR_TYPE,
            open=px,
            high=px,
            low=px,
            close=px,
            volume=ONE,
            ts_event=ts,
            ts_init=ts,
        )
        self.cache.add_bar(bar)
        self.bus.publish(topics.bars(BAR_TYPE), bar)
        return bar


def _recording(name: str) -> Any:
    def hook(self: Recorder, *args: Any) -> None:
        self.calls.append((name, args[0] if args else None))

    hook.__name__ = name
    return hook


class Recorder(Strategy):
    """Records every hook call as (hook name, argument)."""

    def __init__(self, config: StrategyConfig | None = None) -> None:
        super().__init__(config)
        self.calls: list[tuple[str, Any]] = []

    def names(self, prefix: str = "on_") -> list[str]:
        return [name for name, _ in self.calls if name.startswith(prefix)]


for _name in [n for n in vars(StrategyHooks) if n.startswith("on_")] + [
    "on_bar",
    "on_event",
    "on_timer",
]:
    setattr(Recorder, _name, _recording(_name))


class BarTrader(Strategy):
    """Subscribes to bars; buys one unit on every bar whose close is in ``buy_on``."""

    def __init__(self, config: StrategyConfig | None = None, buy_on: tuple[str, ...] = ()) -> None:
        super().__init__(config)
        self.buy_on = {Price(p) for p in buy_on}
        self.bars: list[Bar] = []

    def on_start(self) -> None:
        self.subscribe_bars(BAR_TYPE)

    def on_bar(self, bar: Bar) -> None:
        self.bars.append(bar)
        if bar.close in self.buy_on:
            instrument_id = BAR_TYPE.instrument_id
            self.submit_order(self.order_factory.market(instrument_id, OrderSide.BUY, ONE))


# -- data in, orders out ----------------------------------------------------------------------


def test_strategy_receives_bars_and_submits_orders() -> None:
    kernel = Kernel(auto_accept=True)
    strategy = kernel.add(BarTrader(buy_on=("101.00",)))
    first, second = kernel.bar("100.00"), kernel.bar("101.00")

    assert strategy.bars == [first, second]
    (command,) = kernel.client.commands
    assert isinstance(command, SubmitOrder)
    assert command.strategy_id == StrategyId("BarTrader-000")
    assert command.ts_init == second.ts_event
    order = kernel.cache.order(command.order.client_order_id)
    assert order is not None
    assert order.status is OrderStatus.ACCEPTED
    assert kernel.cache.orders(strategy_id=strategy.strategy_id) == [order]


def test_order_and_position_hooks_fire_in_order_with_the_published_events() -> None:
    kernel = Kernel()
    strategy = kernel.add(Recorder(StrategyConfig(strategy_id="REC-001")))
    draft = strategy.order_factory.limit(
        kernel.instrument.id, OrderSide.BUY, Quantity("2.00000"), Price("50000.00")
    )
    strategy.submit_order(draft)
    cid = draft.client_order_id
    kernel.client.accept(cid)
    kernel.client.fill(cid, ONE)
    kernel.client.fill(cid, ONE)

    triple = ["{}", "on_order_event", "on_event"]
    expected = [
        name.format(hook)
        for hook in (
            "on_order_initialized",
            "on_order_submitted",
            "on_order_accepted",
            "on_order_filled",
        )
        for name in triple
    ]
    expected += ["on_position_opened", "on_position_event", "on_event"]
    expected += [n.format("on_order_filled") for n in triple]
    expected += ["on_position_changed", "on_position_event", "on_event"]
    assert strategy.names() == expected
    # Every hook got the very object the engine published, in publication order.
    own = [e for e in kernel.events if getattr(e, "strategy_id", None) == strategy.strategy_id]
    assert [arg for name, arg in strategy.calls if name == "on_event"] == own
    position_event = strategy.calls[-1][1]
    assert position_event.signed_qty == 2
    assert position_event.side is PositionSide.LONG

    position = kernel.cache.positions_open(strategy_id=strategy.strategy_id)[0]
    strategy.calls.clear()
    strategy.close_position(position)
    (close,) = [o for o in kernel.cache.orders() if o.is_local or o.is_open]
    assert close.side is OrderSide.SELL
    assert close.reduce_only
    assert close.quantity == Quantity("2")
    assert kernel.cache.position_id_for_order(close.client_order_id) == position.id
    kernel.client.fill(close.client_order_id, px=Price("50100.00"))
    assert strategy.names()[-3:] == ["on_position_closed", "on_position_event", "on_event"]
    assert strategy.portfolio.is_flat(kernel.instrument.id)


def test_only_overridden_hooks_run_and_the_draft_is_not_the_live_order() -> None:
    class OnlyFills(Strategy):
        def __init__(self) -> None:
            super().__init__()
            self.fills: list[OrderFilled] = []

        def on_order_filled(self, event: OrderFilled) -> None:
            self.fills.append(event)

    kernel = Kernel(auto_accept=True)
    strategy = kernel.add(OnlyFills())
    draft = strategy.order_factory.market(kernel.instrument.id, OrderSide.BUY, ONE)
    strategy.submit_order(draft)
    kernel.client.fill(draft.client_order_id, px=Price("50000.00"))

    assert len(strategy.fills) == 1
    live = strategy.cache.order(draft.client_order_id)
    assert live is not draft
    assert live is not None
    assert live.status is OrderStatus.FILLED
    assert draft.status is OrderStatus.INITIALIZED


def test_modify_cancel_and_cancel_all_round_trip_through_the_engine() -> None:
    kernel = Kernel(auto_accept=True, auto_modify=True, auto_cancel=True)
    strategy = kernel.add(Recorder())
    factory, iid = strategy.order_factory, kernel.instrument.id
    buy = factory.limit(iid, OrderSide.BUY, ONE, Price("49000.00"))
    buy2 = factory.limit(iid, OrderSide.BUY, ONE, Price("48000.00"))
    sell = factory.limit(iid, OrderSide.SELL, ONE, Price("52000.00"))
    for order in (buy, buy2, sell):
        strategy.submit_order(order)

    strategy.calls.clear()
    strategy.modify_order(buy, price=Price("49500.00"))
    assert strategy.names("on_order_") == [
        "on_order_pending_update",
        "on_order_event",
        "on_order_updated",
        "on_order_event",
    ]
    live = kernel.cache.order(buy.client_order_id)
    assert live is not None
    assert live.price == Price("49500.00")
    (modify,) = [c for c in kernel.client.commands if isinstance(c, ModifyOrder)]
    assert modify.venue_order_id == live.venue_order_id

    sent = len(kernel.client.commands)
    with capture_logs() as logs:
        strategy.modify_order(buy, price=Price("49500.00"))  # no change: not sent
    assert len(kernel.client.commands) == sent
    assert any(e["event"] == "modify_order changes nothing" for e in logs)

    strategy.calls.clear()
    strategy.cancel_order(buy)
    assert strategy.names("on_order_canceled") == ["on_order_canceled"]

    strategy.cancel_all_orders(iid, OrderSide.BUY)
    assert any(
        isinstance(c, CancelAllOrders) and c.order_side is OrderSide.BUY
        for c in kernel.client.commands
    )
    assert [o.client_order_id for o in kernel.cache.orders_open()] == [sell.client_order_id]


def test_bracket_is_submitted_as_one_list() -> None:
    kernel = Kernel(auto_accept=True)
    strategy = kernel.add(Recorder())
    bracket = strategy.order_factory.bracket(
        kernel.instrument.id, OrderSide.BUY, ONE, Price("49000.00"), Price("51000.00")
    )
    strategy.submit_order_list(bracket)

    assert kernel.cache.order_list(bracket.order_list_id) is not None
    initialized = [a.client_order_id for n, a in strategy.calls if n == "on_order_initialized"]
    assert initialized == [o.client_order_id for o in bracket]
    # The fake venue takes no contingencies: the engine sends the entry and holds the exits.
    (command,) = kernel.client.commands
    assert isinstance(command, SubmitOrder)
    assert command.order.client_order_id == bracket.first.client_order_id


def test_denied_order_reaches_on_order_denied() -> None:
    kernel = Kernel()
    nse = TestInstrumentProvider.reliance_nse()  # no execution client serves NSE here
    kernel.cache.add_instrument(nse)
    strategy = kernel.add(Recorder())
    strategy.submit_order(strategy.order_factory.market(nse.id, OrderSide.BUY, Quantity(1)))

    denied = [a for n, a in strategy.calls if n == "on_order_denied"]
    assert len(denied) == 1
    assert "no execution client" in denied[0].reason


def test_close_all_positions_flattens_each_open_position() -> None:
    kernel = Kernel(auto_accept=True)
    strategy = kernel.add(Recorder())
    order = strategy.order_factory.market(kernel.instrument.id, OrderSide.SELL, ONE)
    strategy.submit_order(order)
    kernel.client.fill(order.client_order_id, px=Price("50000.00"))
    assert strategy.portfolio.is_net_short(kernel.instrument.id)

    strategy.close_all_positions()
    (closing,) = kernel.cache.orders_open()
    assert closing.side is OrderSide.BUY
    assert closing.reduce_only
    kernel.client.fill(closing.client_order_id, px=Price("49000.00"))
    assert kernel.cache.positions_open() == []


# -- routing ----------------------------------------------------------------------------------


def test_commands_go_to_the_risk_engine_when_one_is_registered() -> None:
    kernel = Kernel()
    seen: list[Any] = []

    def risk(command: Any) -> None:
        seen.append(command)
        kernel.bus.send(topics.EXEC_ENGINE_EXECUTE, command)

    kernel.bus.register(topics.RISK_ENGINE_EXECUTE, risk)
    strategy = kernel.add(Recorder())
    order = strategy.order_factory.market(kernel.instrument.id, OrderSide.BUY, ONE)
    strategy.submit_order(order)

    assert [type(c) for c in seen] == [SubmitOrder]
    assert kernel.cache.order_exists(order.client_order_id)
    assert kernel.bus.dead_letter_count == 0


def test_commands_go_straight_to_the_execution_engine_without_a_risk_engine() -> None:
    kernel = Kernel()
    strategy = kernel.add(Recorder())
    order = strategy.order_factory.market(kernel.instrument.id, OrderSide.BUY, ONE)
    strategy.submit_order(order)
    assert kernel.cache.order_exists(order.client_order_id)
    assert kernel.bus.dead_letter_count == 0


def test_misuse_of_commands_is_refused_with_a_clear_error() -> None:
    kernel = Kernel()
    strategy = kernel.add(Recorder())
    other = kernel.add(Recorder(StrategyConfig(strategy_id="OTHER-002")))
    iid = kernel.instrument.id
    order = strategy.order_factory.market(iid, OrderSide.BUY, ONE)

    with pytest.raises(ValueError, match="belongs to"):
        other.submit_order(order)
    with pytest.raises(ValueError, match="never submitted"):
        strategy.cancel_order(order)
    strategy.submit_order(order)
    with pytest.raises(ValueError, match="already submitted"):
        strategy.submit_order(order)
    with pytest.raises(ValueError, match="give quantity, price or trigger_price"):
        strategy.modify_order(order)
    with pytest.raises(ValueError, match="price must be a Price"):
        strategy.modify_order(order, price="1")  # type: ignore[arg-type]
    bracket = strategy.order_factory.bracket(
        iid, OrderSide.BUY, ONE, Price("49000.00"), Price("51000.00")
    )
    with pytest.raises(ValueError, match="submit_order_list"):
        strategy.submit_order(bracket.first)
    strategy.stop()
    with pytest.raises(RuntimeError, match="while STOPPED"):
        strategy.submit_order(strategy.order_factory.market(iid, OrderSide.BUY, ONE))


# -- errors in user code ----------------------------------------------------------------------


class FailsOnBar(BarTrader):
    def on_bar(self, bar: Bar) -> None:
        super().on_bar(bar)
        if bar.close == Price("13.00"):
            raise ValueError("unlucky bar")


def test_a_raising_hook_faults_the_strategy_and_the_kernel_keeps_going() -> None:
    kernel = Kernel(auto_accept=True)
    failing = kernel.add(FailsOnBar())
    healthy = kernel.add(BarTrader(StrategyConfig(strategy_id="OK-001"), buy_on=("14.00",)))
    kernel.bar("12.00")
    with capture_logs() as logs:
        bad = kernel.bar("13.00")
    kernel.bar("14.00")

    assert failing.state is ComponentState.FAULTED
    assert failing.bars == [healthy.bars[0], bad]  # nothing after the fault
    assert len(healthy.bars) == 3
    assert healthy.state is ComponentState.RUNNING
    assert len(kernel.cache.orders(strategy_id=healthy.strategy_id)) == 1  # still trading
    assert kernel.bus.handler_error_count == 0
    assert failing.subscribed_topics == []

    error = failing.last_hook_error
    assert error is not None
    assert failing.hook_error_count == 1
    assert (error.hook, error.ts_event, error.message_type) == ("on_bar", bad.ts_event, "Bar")
    assert error.error_type == "ValueError"
    assert "unlucky bar" in error.traceback
    assert 'raise ValueError("unlucky bar")' in error.traceback
    assert "2024-01-02T03:06:05" in error.describe()

    (logged,) = [e for e in logs if e["event"] == "user hook raised"]
    assert logged["hook"] == "on_bar"
    assert logged["ts_event"] == bad.ts_event
    assert logged["exc_info"] is error.exception
    assert logged["log_level"] == "error"
    faulted = [
        e for e in kernel.events if isinstance(e, ComponentStateChanged) and e.state == "FAULTED"
    ]
    assert len(faulted) == 1
    assert str(bad.ts_event) in (faulted[0].reason or "")
    labels = {"component": "FailsOnBar-000", "hook": "on_bar"}
    assert kernel.bus.metrics.value("strategy_hook_errors", labels) == 1


def test_isolated_errors_are_counted_and_the_strategy_keeps_running() -> None:
    kernel = Kernel()
    strategy = kernel.add(FailsOnBar(StrategyConfig(on_hook_error="ISOLATE")))  # type: ignore[arg-type]
    for close in ("13.00", "13.00", "14.00"):
        kernel.bar(close)
    assert strategy.state is ComponentState.RUNNING
    assert len(strategy.bars) == 3
    assert strategy.hook_error_count == 2
    assert [e.ts_event for e in strategy.hook_errors] == [T0 + MINUTE, T0 + 2 * MINUTE]


def test_a_raising_order_hook_faults_but_the_engine_books_the_fill() -> None:
    class FailsOnFill(Recorder):
        def on_order_filled(self, event: OrderFilled) -> None:
            raise RuntimeError("cannot handle fills")

    kernel = Kernel(auto_accept=True)
    strategy = kernel.add(FailsOnFill())
    order = strategy.order_factory.market(kernel.instrument.id, OrderSide.BUY, ONE)
    strategy.submit_order(order)
    kernel.client.fill(order.client_order_id, px=Price("50000.00"))

    assert strategy.state is ComponentState.FAULTED
    error = strategy.last_hook_error
    assert error is not None
    assert error.hook == "on_order_filled"
    assert error.message_type == "OrderFilled"
    assert "on_position_opened" not in strategy.names()  # faulted before the position event
    assert len(kernel.cache.positions_open()) == 1  # the kernel booked it all the same


def test_an_error_in_on_start_is_raised_and_faults() -> None:
    class FailsOnStart(Strategy):
        def on_start(self) -> None:
            raise KeyError("missing parameter")

    kernel = Kernel()
    strategy = kernel.add(FailsOnStart(), start=False)
    with pytest.raises(KeyError):
        strategy.start()
    assert strategy.state is ComponentState.FAULTED
    error = strategy.last_hook_error
    assert error is not None
    assert error.hook == "on_start"
    assert error.message_type is None
    assert error.ts_event == kernel.clock.timestamp_ns()


def test_reset_after_a_fault_clears_errors_and_indicators_and_it_runs_again() -> None:
    class Averaging(FailsOnBar):
        def __init__(self) -> None:
            super().__init__()
            self.sma = SMA(2)
            self.register_indicator_for_bars(BAR_TYPE, self.sma)

    kernel = Kernel()
    strategy = kernel.add(Averaging())
    kernel.bar("11.00")
    kernel.bar("13.00")
    assert strategy.sma.value == 12.0
    assert strategy.state is ComponentState.FAULTED

    strategy.reset()
    assert strategy.state is ComponentState.READY
    assert strategy.hook_errors == ()
    assert strategy.sma.count == 0
    strategy.start()
    kernel.bar("20.00")
    assert strategy.sma.count == 1
    assert strategy.state is ComponentState.RUNNING


# -- order ids --------------------------------------------------------------------------------

_ID = re.compile(r"^O-20240102-\d{6}-001-000-\d+$")


def _scripted_ids() -> list[str]:
    kernel = Kernel(auto_accept=True)
    strategy = kernel.add(BarTrader(buy_on=("1.00", "2.00")))
    for close in ("1.00", "3.00", "2.00", "1.00", "2.00"):
        kernel.bar(close)
    bracket = strategy.order_factory.bracket(
        kernel.instrument.id, OrderSide.BUY, ONE, Price("1.00"), Price("3.00")
    )
    strategy.submit_order_list(bracket)
    return [o.client_order_id.value for o in kernel.cache.orders()]


def test_client_order_ids_are_unique_and_the_same_every_run() -> None:
    first, second = _scripted_ids(), _scripted_ids()
    assert first == second
    assert len(set(first)) == len(first) == 7
    assert all(_ID.match(cid) for cid in first)
    assert sorted(int(cid.rsplit("-", 1)[1]) for cid in first) == list(range(1, 8))


def test_a_restarted_strategy_never_reuses_an_id() -> None:
    kernel = Kernel()
    strategy = kernel.add(BarTrader(buy_on=("1.00",)))
    strategy.order_factory.market(kernel.instrument.id, OrderSide.BUY, ONE)  # a draft, never sent
    kernel.bar("1.00")  # submits the order numbered 2
    strategy.stop()
    strategy.order_factory.ids.reset()  # as a fresh process would start
    strategy.start()
    kernel.bar("1.00")
    ids = [o.client_order_id.value for o in kernel.cache.orders()]
    assert [cid.rsplit("-", 1)[1] for cid in ids] == ["2", "3"]


def test_a_hook_that_raises_while_starting_fails_the_start() -> None:
    class BuysAtStart(Strategy):
        def on_start(self) -> None:
            order = self.order_factory.market(BAR_TYPE.instrument_id, OrderSide.BUY, ONE)
            self.submit_order(order)

        def on_order_submitted(self, event: Any) -> None:
            raise LookupError("no book yet")

    kernel = Kernel()
    strategy = kernel.add(BuysAtStart(), start=False)
    with pytest.raises(RuntimeError, match=r"faulted while starting: .*on_order_submitted"):
        strategy.start()
    assert strategy.state is ComponentState.FAULTED
    assert len(kernel.cache.orders()) == 1  # the order itself went out
