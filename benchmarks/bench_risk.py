"""Risk engine pre-trade check speed, with every check on.

The engine is configured with limits at every scope (order size and notional, price band in %
and ticks, worst-case position quantity and notional, gross and net exposure per account,
strategy and in total, open orders per scope), both throttles, every circuit breaker (the
market-move and venue-error breakers run on market data and order events, off the order path),
self-trade prevention and the balance check against a cash account. The ledger holds positions
and working orders on two instruments, so the exposure and self-trade checks have work to do.

Each call is one full check of one order (all allowed) plus the throttle's token, as the engine
runs it for a `SubmitOrder`. ``checks_per_s`` is the best of several runs timed as a whole by
the wall clock; ``checks_per_cpu_s`` times the same runs by the thread's CPU time, which other
processes on a shared machine disturb far less (compare runs with it). The latency
percentiles come from runs that time every call (best run by p99). Also timed: the
whole endpoint (check, ledger record and forward to a no-op execution endpoint, then the
order's cancel applied to the ledger), where every order changes the ledger and so the cached
exposure totals are recomputed.

Run: ``python benchmarks/bench_risk.py``. Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import gc
import json
import time
from statistics import median

from rich.console import Console
from rich.table import Table

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache
from shrivenquant.core.clock import LiveClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import CashAccount
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.commands import SubmitOrder
from shrivenquant.model.currency import BTC, ETH, USDT
from shrivenquant.model.data import QuoteTick, TradeTick
from shrivenquant.model.enums import (
    AccountType,
    AggressorSide,
    LiquiditySide,
    OrderSide,
    OrderType,
    TimeInForce,
)
from shrivenquant.model.events import AccountState, OrderCanceled, OrderFilled, OrderInitialized
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.risk import (
    RiskConfig,
    RiskEngine,
    SelfTradePrevention,
)
from shrivenquant.testkit.instruments import TestInstrumentProvider

N_CHECKS = 40_000
REPEATS = 7
TRADER = TraderId("BENCH-001")
STRATEGY = StrategyId("S-BENCH")
ACCOUNT = AccountId("BINANCE-001")


def _config(btc: Instrument, eth: Instrument) -> RiskConfig:
    return RiskConfig.from_mapping(
        {
            "limits": {"max_open_orders": 10_000, "max_gross_exposure": "50000000 USDT"},
            "account_limits": {
                "BINANCE-001": {
                    "max_gross_exposure": "20000000 USDT",
                    "max_net_exposure": "10000000 USDT",
                    "max_open_orders": 5_000,
                    "max_order_notional": "1000000",
                }
            },
            "strategy_limits": {
                "S-BENCH": {
                    "max_position_qty": "500",
                    "max_gross_exposure": "15000000 USDT",
                    "max_open_orders": 2_000,
                }
            },
            "instrument_limits": {
                str(iid): {
                    "max_order_qty": "100",
                    "min_order_qty": "0.001",
                    "max_order_notional": "5000000",
                    "min_order_notional": "10",
                    "max_position_qty": "1000",
                    "max_position_notional": "60000000",
                    "price_band_pct": "0.05",
                    "price_band_ticks": 1_000_000,
                    "max_open_orders": 1_000,
                }
                for iid in (btc.id, eth.id)
            },
            "order_throttle": {"limit": 1_000_000_000, "interval_secs": 1},
            "cancel_throttle": {"limit": 1_000, "interval_secs": 1, "mode": "QUEUE"},
            "stale_data_breaker": {"max_age_secs": 3_600},
            "market_move_breaker": {"move_pct": "0.1", "window_secs": 60, "cooldown_secs": 60},
            "venue_error_breaker": {"max_errors": 100, "window_secs": 10, "cooldown_secs": 60},
            "self_trade_prevention": SelfTradePrevention.STRATEGY.value,
            "check_balance": True,
        },
        instruments=[btc.id, eth.id],
    )


def _account(now: int) -> CashAccount:
    balances = [
        AccountBalance.from_total_locked(Money(total, currency), Money(0, currency))
        for total, currency in (("100000000", USDT), ("1000", BTC), ("10000", ETH))
    ]
    state = AccountState(
        account_id=ACCOUNT,
        account_type=AccountType.CASH,
        base_currency=None,
        balances=balances,
        event_id=UUID4(),
        ts_event=now,
        ts_init=now,
    )
    return CashAccount(state)


def _init(
    instrument: Instrument, side: OrderSide, qty: str, price: str, n: int, now: int
) -> OrderInitialized:
    return OrderInitialized(
        trader_id=TRADER,
        strategy_id=STRATEGY,
        instrument_id=instrument.id,
        client_order_id=ClientOrderId(f"B-{n}"),
        order_side=side,
        order_type=OrderType.LIMIT,
        quantity=Quantity(qty),
        price=Price(price),
        time_in_force=TimeInForce.GTC,
        event_id=UUID4(),
        ts_event=now,
        ts_init=now,
    )


def _seed(engine: RiskEngine, btc: Instrument, eth: Instrument, now: int) -> None:
    """Positions and resting orders on both instruments (away from the test orders)."""
    for n, (instrument, side, qty, price) in enumerate(
        (
            (btc, OrderSide.BUY, "2.00000", "49000.00"),
            (btc, OrderSide.SELL, "1.00000", "51000.00"),
            (eth, OrderSide.BUY, "20.0000", "2900.00"),
            (eth, OrderSide.SELL, "10.0000", "3100.00"),
        )
    ):
        init = _init(instrument, side, qty, price, 900_000 + n, now)
        engine.ledger.add_init(init)
    held = ((btc, "3.00000", "50000.00"), (eth, "30.0000", "3000.00"))
    for n, (instrument, qty, price) in enumerate(held):
        fill_init = _init(instrument, OrderSide.BUY, qty, price, 950_000 + n, now)
        engine.ledger.apply(
            OrderFilled(
                trader_id=TRADER,
                strategy_id=STRATEGY,
                instrument_id=instrument.id,
                client_order_id=fill_init.client_order_id,
                venue_order_id=VenueOrderId(f"V-{n}"),
                account_id=ACCOUNT,
                trade_id=TradeId(f"T-{n}"),
                order_side=OrderSide.BUY,
                order_type=OrderType.LIMIT,
                last_qty=Quantity(qty),
                last_px=Price(price),
                currency=USDT,
                commission=Money(0, USDT),
                liquidity_side=LiquiditySide.TAKER,
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
        )


def _market(cache: Cache, btc: Instrument, eth: Instrument, now: int) -> None:
    for instrument, bid, ask in ((btc, "50000.00", "50000.10"), (eth, "3000.00", "3000.05")):
        cache.add_quote(
            QuoteTick(
                instrument_id=instrument.id,
                bid_price=Price(bid),
                ask_price=Price(ask),
                bid_size=Quantity("1"),
                ask_size=Quantity("1"),
                ts_event=now,
                ts_init=now,
            )
        )
        cache.add_trade(
            TradeTick(
                instrument_id=instrument.id,
                price=Price(bid),
                size=Quantity("1"),
                aggressor_side=AggressorSide.BUYER,
                trade_id=TradeId(f"M-{instrument.id.symbol}"),
                ts_event=now,
                ts_init=now,
            )
        )


def _orders(btc: Instrument, eth: Instrument, now: int) -> list[OrderInitialized]:
    specs = (
        (btc, OrderSide.BUY, "0.50000", "49990.00"),
        (btc, OrderSide.SELL, "0.25000", "50010.00"),
        (eth, OrderSide.BUY, "2.0000", "2999.00"),
        (eth, OrderSide.SELL, "1.5000", "3001.00"),
    )
    return [_init(i, side, qty, px, n, now) for n, (i, side, qty, px) in enumerate(specs)]


def _time_checks(engine: RiskEngine, orders: list[OrderInitialized]) -> list[int]:
    """Per-call latency (ns) of check + throttle token for N_CHECKS orders."""
    checks, bucket, clock = engine.checks, engine.gate.order_bucket, engine.clock
    assert bucket is not None
    latencies = [0] * N_CHECKS
    count = len(orders)
    perf = time.perf_counter_ns
    for i in range(N_CHECKS):
        init = orders[i % count]
        start = perf()
        now = clock.timestamp_ns()
        denial = checks.check(
            init.instrument_id, init.strategy_id, init.order_side, init.quantity,
            init.price, init.trigger_price, init.reduce_only, now,
        )  # fmt: skip
        admitted = denial is None and bucket.try_acquire(now)
        latencies[i] = perf() - start
        if not admitted:
            raise RuntimeError(f"benchmark order denied: {denial}")
    return latencies


def _time_throughput(engine: RiskEngine, orders: list[OrderInitialized]) -> tuple[float, float]:
    """Checks per second of wall-clock and of CPU time over N_CHECKS calls timed as a whole
    (no per-call timer)."""
    checks, bucket, clock = engine.checks, engine.gate.order_bucket, engine.clock
    assert bucket is not None
    calls = [
        (i.instrument_id, i.strategy_id, i.order_side, i.quantity, i.price, i.trigger_price,
         i.reduce_only)
        for i in orders
    ]  # fmt: skip
    count = len(calls)
    check, acquire, timestamp = checks.check, bucket.try_acquire, clock.timestamp_ns
    start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
    for n in range(N_CHECKS):
        iid, sid, side, qty, price, trigger, reduce_only = calls[n % count]
        now = timestamp()
        if check(iid, sid, side, qty, price, trigger, reduce_only, now) is not None or not (
            acquire(now)
        ):
            raise RuntimeError("benchmark order denied")
    wall, cpu = time.perf_counter_ns() - start, time.thread_time_ns() - cpu_start
    return N_CHECKS / (wall / 1e9), N_CHECKS / (max(cpu, 1) / 1e9)


def _time_endpoint(engine: RiskEngine, orders: list[OrderInitialized], now: int) -> float:
    """Orders per second through the endpoint (check, record, forward, cancel applied)."""
    commands = []
    cancels = []
    for n in range(N_CHECKS):
        base = orders[n % len(orders)]
        init = _init_like(base, 1_000_000 + n, now)
        commands.append(
            SubmitOrder(trader_id=TRADER, strategy_id=STRATEGY, instrument_id=init.instrument_id,
                        order=init, command_id=UUID4(), ts_event=now, ts_init=now)
        )  # fmt: skip
        cancels.append(
            OrderCanceled(trader_id=TRADER, strategy_id=STRATEGY, instrument_id=init.instrument_id,
                          client_order_id=init.client_order_id, event_id=UUID4(), ts_event=now,
                          ts_init=now)
        )  # fmt: skip
    execute, apply = engine.execute, engine.ledger.apply
    start = time.perf_counter_ns()
    for command, cancel in zip(commands, cancels, strict=True):
        execute(command)
        apply(cancel)
    elapsed = time.perf_counter_ns() - start
    return N_CHECKS / (elapsed / 1e9)


def _init_like(base: OrderInitialized, n: int, now: int) -> OrderInitialized:
    return OrderInitialized(
        trader_id=base.trader_id,
        strategy_id=base.strategy_id,
        instrument_id=base.instrument_id,
        client_order_id=ClientOrderId(f"E-{n}"),
        order_side=base.order_side,
        order_type=base.order_type,
        quantity=base.quantity,
        price=base.price,
        time_in_force=base.time_in_force,
        event_id=UUID4(),
        ts_event=now,
        ts_init=now,
    )


def main() -> None:
    clock = LiveClock()
    now = clock.timestamp_ns()
    bus = MessageBus("bench-risk")
    cache = Cache()
    btc = TestInstrumentProvider.btcusdt_binance()
    eth = TestInstrumentProvider.ethusdt_binance()
    for instrument in (btc, eth):
        cache.add_instrument(instrument)
    cache.add_account(_account(now))
    _market(cache, btc, eth, now)
    engine = RiskEngine(TRADER, bus, clock, cache, _config(btc, eth))
    engine.prices.seed(cache)
    engine.ledger.seed(cache)
    engine.bus.register(topics.RISK_ENGINE_EXECUTE, engine.execute)
    forwarded: list[object] = []
    bus.register(topics.EXEC_ENGINE_EXECUTE, forwarded.append)
    bus.register(topics.EXEC_ENGINE_PROCESS, forwarded.append)
    _seed(engine, btc, eth, now)
    orders = _orders(btc, eth, now)

    _time_checks(engine, orders)  # warm up: tables compiled, totals cached
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        rates = [_time_throughput(engine, orders) for _ in range(REPEATS)]
        runs = [_time_checks(engine, orders) for _ in range(REPEATS)]
        endpoint_rates = [_time_endpoint(engine, orders, now) for _ in range(3)]
        forwarded.clear()
    finally:
        if gc_was_enabled:
            gc.enable()

    best = min(runs, key=lambda run: sorted(run)[int(len(run) * 0.99)])
    ordered = sorted(best)
    mean_ns = sum(best) / len(best)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[int(len(ordered) * 0.99)]
    p999 = ordered[int(len(ordered) * 0.999)]
    checks_per_s = max(wall for wall, _ in rates)
    checks_per_cpu_s = max(cpu for _, cpu in rates)
    endpoint_per_s = median(endpoint_rates)

    table = Table(title=f"Risk pre-trade checks, all on (best of {REPEATS} x {N_CHECKS:,})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("checks/s (check + throttle token)", f"{checks_per_s:,.0f}")
    table.add_row("checks per CPU second", f"{checks_per_cpu_s:,.0f}")
    table.add_row("mean latency (timed per call)", f"{mean_ns / 1e3:.2f} us")
    table.add_row("p50 latency", f"{p50 / 1e3:.2f} us")
    table.add_row("p99 latency", f"{p99 / 1e3:.2f} us")
    table.add_row("p99.9 latency", f"{p999 / 1e3:.2f} us")
    table.add_row("endpoint orders/s (check, record, forward)", f"{endpoint_per_s:,.0f}")
    Console().print(table)
    print(
        json.dumps(
            {
                "checks_per_s": round(checks_per_s),
                "checks_per_cpu_s": round(checks_per_cpu_s),
                "p99_us": round(p99 / 1e3, 2),
                "p50_us": round(p50 / 1e3, 2),
                "mean_us": round(mean_ns / 1e3, 2),
                "endpoint_orders_per_s": round(endpoint_per_s),
                "denials_during_bench": engine.counters.denied_total,
            }
        )
    )


if __name__ == "__main__":
    main()
