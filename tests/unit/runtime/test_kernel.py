"""The kernel: builds every component from the config, starts and stops them in order."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from shrivenquant.bus import topics
from shrivenquant.core.clock import TestClock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.model.events import ComponentStateChanged
from shrivenquant.persistence.journal import JournalConfig
from shrivenquant.risk import RiskConfig, SpanMarginModel
from shrivenquant.runtime import Kernel, NodeConfig, load_node_config
from shrivenquant.sim import SimExecutionClient, SimulatedVenue, SimulatedVenueConfig
from shrivenquant.strategy import Strategy, StrategyConfig
from shrivenquant.testkit.instruments import TestInstrumentProvider

T0 = 1_704_067_200_000_000_000


def kernel_with_client(config: NodeConfig) -> tuple[Kernel, SimExecutionClient]:
    clock = TestClock(T0)
    kernel = Kernel(config, clock)
    kernel.add_instrument(TestInstrumentProvider.btcusdt_binance())
    venue = SimulatedVenue(
        SimulatedVenueConfig(venue="BINANCE", starting_balances=("1000 USDT",)), clock
    )
    venue.add_instrument(TestInstrumentProvider.btcusdt_binance())
    client = SimExecutionClient(kernel.trader_id, kernel.bus, clock, sim_venue=venue)
    kernel.add_execution_client(client)
    return kernel, client


def test_components_start_in_order_and_stop_in_reverse() -> None:
    kernel, client = kernel_with_client(NodeConfig())
    strategy = Strategy(StrategyConfig(strategy_id="S-001"))
    kernel.add_strategy(strategy)
    moves: list[tuple[str, str]] = []
    kernel.bus.subscribe(
        topics.component_state(),
        lambda event: moves.append((event.component_id.value, event.state)),
    )
    kernel.start()
    running = [name for name, state in moves if state == "RUNNING"]
    assert running == [
        "DataEngine",
        "ExecEngine",
        "Portfolio",
        "RiskEngine",
        client.id.value,
        "S-001",
    ]
    # The client's account state reached the running portfolio.
    assert kernel.portfolio.account(client.account_id) is not None
    moves.clear()
    kernel.stop()
    stopped = [name for name, state in moves if state == "STOPPED"]
    assert stopped == list(reversed(running))
    assert not kernel.is_running
    kernel.dispose()
    assert {c.state for c in kernel.components()} == {ComponentState.DISPOSED}


def test_strategy_commands_go_through_the_risk_engine() -> None:
    kernel, _ = kernel_with_client(NodeConfig(risk=RiskConfig(bypass=False)))
    kernel.start()
    assert topics.RISK_ENGINE_EXECUTE in kernel.bus.endpoints()
    assert topics.EXEC_ENGINE_EXECUTE in kernel.bus.endpoints()
    kernel.dispose()


def test_strategy_ids_and_order_tags_must_be_unique() -> None:
    kernel, _ = kernel_with_client(NodeConfig())
    kernel.add_strategy(Strategy(StrategyConfig(strategy_id="S-001")))
    with pytest.raises(InvalidInputError, match="two strategies or actors with the id S-001"):
        kernel.add_strategy(Strategy(StrategyConfig(strategy_id="S-001")))
    with pytest.raises(InvalidInputError, match="share the order id tag '001'"):
        kernel.add_strategy(Strategy(StrategyConfig(strategy_id="T-001")))


def test_nothing_is_added_while_running() -> None:
    kernel, client = kernel_with_client(NodeConfig())
    kernel.start()
    with pytest.raises(RuntimeError, match="while the kernel runs"):
        kernel.add_strategy(Strategy(StrategyConfig(strategy_id="S-002")))
    with pytest.raises(RuntimeError, match="already running"):
        kernel.start()
    kernel.dispose()
    with pytest.raises(RuntimeError, match="disposed"):
        kernel.add_execution_client(client)


def test_journals_are_opened_per_engine_and_closed_on_dispose(tmp_path: Path) -> None:
    config = NodeConfig(journal=JournalConfig(path=tmp_path / "journal"))
    kernel, _ = kernel_with_client(config)
    kernel.start()
    kernel.dispose()
    assert (tmp_path / "journal" / "execution").is_dir()
    assert (tmp_path / "journal" / "risk").is_dir()
    # The account state the client reported was journaled by the execution engine.
    assert any((tmp_path / "journal" / "execution").iterdir())


def test_failures_are_collected_and_reported() -> None:
    kernel, _ = kernel_with_client(NodeConfig())
    seen: list[ComponentStateChanged] = []
    kernel.on_failure(seen.append)
    kernel.start()
    kernel.portfolio.degrade("lost a feed")
    assert [e.state for e in kernel.failures] == ["DEGRADED"]
    assert seen[0].reason == "lost a feed"
    kernel.dispose()


def test_the_span_margin_section_reaches_the_risk_engine(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    path.write_text(
        '[risk.span_margin]\nprice_scan = "0.08"\nshort_option_minimum = "0.05"\n'
        '[risk.span_margin.underlyings.BANKNIFTY]\nvol_scan = "0.06"\n'
    )
    kernel = Kernel(load_node_config(path, environ={}), TestClock(T0))
    scenario = kernel.risk_engine.margins.options.scenario
    assert isinstance(scenario, SpanMarginModel)
    assert scenario.config.parameters("NIFTY").price_scan == Decimal("0.08")
    assert scenario.config.parameters("NIFTY").short_option_minimum == Decimal("0.05")
    assert scenario.config.parameters("BANKNIFTY").vol_scan == Decimal("0.06")
    assert Kernel(NodeConfig(), TestClock(T0)).risk_engine.margins.options.scenario is None
