"""Property tests: random limits against random order flows through the real OMS and a
scripted venue (orders in flight, partial fills, cancels racing fills, modifies). After every
fill no position, notional or exposure limit is exceeded, and the risk ledger agrees with the
OMS. The fast path of the checks always agrees with the detailed one."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shrivenquant.model.enums import OrderSide, OrderStatus
from shrivenquant.model.identifiers import StrategyId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Price, Quantity
from shrivenquant.risk import RiskConfig, RiskLimits
from shrivenquant.risk.check_stages import check_price
from shrivenquant.risk.checks import _price_ok

from .conftest import BTC_SPOT, ETH_SPOT, RiskHarness

STRATEGIES = (StrategyId("S-001"), StrategyId("S-002"))
INSTRUMENTS = (BTC_SPOT, ETH_SPOT)
MARKS = {BTC_SPOT.id: Decimal(50000), ETH_SPOT.id: Decimal(3000)}
UNIT = {BTC_SPOT.id: Decimal("0.01"), ETH_SPOT.id: Decimal("0.1")}

limit_sets = st.fixed_dictionaries(
    {
        "btc_qty": st.none() | st.integers(1, 400).map(lambda n: Decimal(n) / 100),
        "eth_qty": st.none() | st.integers(1, 400).map(lambda n: Decimal(n) / 10),
        "btc_notional": st.none() | st.integers(500, 200_000).map(Decimal),
        "strategy_qty": st.none() | st.integers(1, 300).map(lambda n: Decimal(n) / 100),
        "gross": st.none() | st.integers(1_000, 300_000).map(Decimal),
        "net": st.none() | st.integers(1_000, 300_000).map(Decimal),
        "strategy_gross": st.none() | st.integers(1_000, 300_000).map(Decimal),
    }
)

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("submit"),
            st.integers(0, 1),  # strategy
            st.integers(0, 1),  # instrument
            st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
            st.integers(1, 150),  # quantity in units
            st.integers(-20, 20),  # price offset in ticks of 0.1 %
            st.booleans(),  # the venue accepts it at once (else it stays in flight)
        ),
        st.tuples(st.just("accept"), st.integers(0, 10**6)),
        st.tuples(st.just("fill"), st.integers(0, 10**6), st.integers(1, 100)),
        st.tuples(st.just("fill"), st.integers(0, 10**6), st.integers(1, 100)),
        st.tuples(st.just("cancel"), st.integers(0, 10**6)),
        st.tuples(st.just("venue_cancel"), st.integers(0, 10**6)),
        st.tuples(st.just("modify"), st.integers(0, 10**6), st.integers(1, 200)),
    ),
    min_size=20,
    max_size=60,
)


def config_of(limits: dict[str, Decimal | None]) -> RiskConfig:
    instrument: dict[str, dict[str, Any]] = {"BTCUSDT.BINANCE": {}, "ETHUSDT.BINANCE": {}}
    if limits["btc_qty"] is not None:
        instrument["BTCUSDT.BINANCE"]["max_position_qty"] = str(limits["btc_qty"])
    if limits["btc_notional"] is not None:
        instrument["BTCUSDT.BINANCE"]["max_position_notional"] = str(limits["btc_notional"])
    if limits["eth_qty"] is not None:
        instrument["ETHUSDT.BINANCE"]["max_position_qty"] = str(limits["eth_qty"])
    strategy: dict[str, Any] = {}
    if limits["strategy_qty"] is not None:
        strategy["max_position_qty"] = str(limits["strategy_qty"])
    if limits["strategy_gross"] is not None:
        strategy["max_gross_exposure"] = f"{limits['strategy_gross']} USDT"
    table: dict[str, Any] = {
        "check_balance": False,
        "instrument_limits": instrument,
        "strategy_limits": {"S-001": strategy},
        "limits": {},
        "account_limits": {},
    }
    if limits["gross"] is not None:
        table["account_limits"] = {"BINANCE-001": {"max_gross_exposure": f"{limits['gross']} USDT"}}
    if limits["net"] is not None:
        table["limits"] = {"max_net_exposure": f"{limits['net']} USDT"}
    return RiskConfig.from_mapping(table)


def positions(h: RiskHarness) -> dict[tuple[str, str], Decimal]:
    """Signed open quantity per (strategy, instrument), from the OMS's positions."""
    result: dict[tuple[str, str], Decimal] = {}
    for position in h.cache.positions_open():
        key = (position.strategy_id.value, position.instrument_id.value)
        result[key] = result.get(key, Decimal(0)) + position.signed_qty
    return result


def assert_within_limits(h: RiskHarness, limits: dict[str, Decimal | None]) -> None:
    held = positions(h)
    total: dict[str, Decimal] = {}
    for (_strategy, instrument), qty in held.items():
        total[instrument] = total.get(instrument, Decimal(0)) + qty
    btc, eth = total.get(str(BTC_SPOT.id), Decimal(0)), total.get(str(ETH_SPOT.id), Decimal(0))
    if limits["btc_qty"] is not None:
        assert abs(btc) <= limits["btc_qty"], (btc, limits)
    if limits["eth_qty"] is not None:
        assert abs(eth) <= limits["eth_qty"], (eth, limits)
    if limits["btc_notional"] is not None:
        assert abs(btc) * MARKS[BTC_SPOT.id] <= limits["btc_notional"], (btc, limits)
    values = {BTC_SPOT.id.value: btc * MARKS[BTC_SPOT.id], ETH_SPOT.id.value: eth * 3000}
    if limits["gross"] is not None:
        assert sum(abs(v) for v in values.values()) <= limits["gross"], (values, limits)
    if limits["net"] is not None:
        assert abs(sum(values.values())) <= limits["net"], (values, limits)
    mine = {i: q for (s, i), q in held.items() if s == "S-001"}
    if limits["strategy_qty"] is not None:
        for qty in mine.values():
            assert abs(qty) <= limits["strategy_qty"], (mine, limits)
    if limits["strategy_gross"] is not None:
        gross = sum(abs(q) * (50000 if i.startswith("BTC") else 3000) for i, q in mine.items())
        assert gross <= limits["strategy_gross"], (mine, limits)


def assert_ledger_matches_the_oms(h: RiskHarness) -> None:
    ledger = h.risk.ledger
    for instrument in INSTRUMENTS:
        exposure = ledger.instruments.get(instrument.id.value)
        held = sum(
            (q for (_, i), q in positions(h).items() if i == instrument.id.value), Decimal(0)
        )
        assert Decimal(0 if exposure is None else exposure.pos).scaleb(-9) == held
        working = [o for o in h.cache.orders(instrument_id=instrument.id) if not o.is_closed]
        for side, attr in ((OrderSide.BUY, "buy"), (OrderSide.SELL, "sell")):
            leaves = sum(o.leaves_qty.raw for o in working if o.side is side)
            counted = 0 if exposure is None else getattr(exposure, attr)
            assert counted >= leaves  # a modify on its way may reserve more, never less
    assert ledger.open_total == len([o for o in h.cache.orders() if not o.is_closed])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(limits=limit_sets, flow=actions)
def test_no_limit_is_ever_exceeded_after_any_fill(
    limits: dict[str, Decimal | None], flow: list[tuple[Any, ...]]
) -> None:
    h = RiskHarness(config_of(limits), auto_accept=False, auto_cancel=False, auto_modify=True)
    for instrument in INSTRUMENTS:
        mark = str(MARKS[instrument.id])
        h.quote(instrument, mark, mark)
    sent: list[Any] = []
    fills = 0

    def on_position(event: object) -> None:  # published after the OMS booked the fill
        nonlocal fills
        fills += 1
        assert_within_limits(h, limits)

    h.bus.subscribe("events.position.*", on_position)
    for action in flow:
        kind = action[0]
        if kind == "submit":
            _, s, i, side, units, offset, accept_now = action
            instrument: Instrument = INSTRUMENTS[i]
            mark = MARKS[instrument.id]
            price = instrument.make_price(mark * (1 + Decimal(offset) / 1000))
            qty = instrument.make_qty(UNIT[instrument.id] * units)
            init = h.init(side, qty, str(price), instrument=instrument, strategy_id=STRATEGIES[s])
            h.submit(init)
            if h.passed(init):
                sent.append(init)
                if accept_now:
                    h.client.accept(init.client_order_id)
            continue
        live = [i for i in sent if not h.cache.order(i.client_order_id).is_closed]  # type: ignore[union-attr]
        if not live:
            continue
        init = live[action[1] % len(live)]
        order = h.cache.order(init.client_order_id)
        venue = h.client.venue_orders.get(init.client_order_id)
        if order is None or venue is None or order.is_closed or not venue.is_open:
            continue
        if kind == "accept" and venue.status is OrderStatus.SUBMITTED:
            h.client.accept(init.client_order_id)
        elif kind == "fill" and order.status is not OrderStatus.SUBMITTED:
            leaves = venue.quantity.raw - venue.filled_raw
            step = UNIT[init.instrument_id].scaleb(9) / 10  # the instrument's size step, raw
            part = leaves * action[2] // 100
            part = max(part - part % int(step), int(step))
            precision = order.quantity.precision
            h.client.fill(init.client_order_id, Quantity.from_raw(min(part, leaves), precision))
        elif kind == "cancel":
            h.cancel(init)
        elif kind == "venue_cancel" and order.is_pending_cancel:
            h.client.cancel(init.client_order_id)
        elif kind == "modify" and order.status is OrderStatus.ACCEPTED:
            unit = UNIT[init.instrument_id] / 10
            new_qty = h.cache.instrument(init.instrument_id).make_qty(unit * action[2])  # type: ignore[union-attr]
            if new_qty.raw > order.filled_qty.raw:
                h.modify(init, quantity=new_qty)
        assert_within_limits(h, limits)
    assert_within_limits(h, limits)
    assert_ledger_matches_the_oms(h)


order_specs = st.tuples(
    st.integers(0, 1),  # instrument
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 400),  # quantity units
    st.integers(-80, 80),  # price offset (0.1 %)
    st.booleans(),  # reduce only
    st.booleans(),  # market order
)


@settings(max_examples=200, deadline=None)
@given(
    limits=limit_sets,
    seeded=st.lists(order_specs, max_size=8),
    probe=order_specs,
    band=st.none() | st.integers(1, 60).map(lambda n: Decimal(n) / 1000),
    max_open=st.none() | st.integers(0, 6),
)
def test_the_fast_path_agrees_with_the_detailed_checks(
    limits: dict[str, Decimal | None],
    seeded: list[tuple[Any, ...]],
    probe: tuple[Any, ...],
    band: Decimal | None,
    max_open: int | None,
) -> None:
    config = config_of(limits)
    extra: dict[str, Any] = {}
    if band is not None:
        extra["price_band_pct"] = str(band)
    if max_open is not None:
        extra["max_open_orders"] = max_open
    config = replace(
        config,
        limits=RiskLimits.from_mapping({**config.limits.as_text(), **extra}),
        self_trade_prevention="STRATEGY",
        check_balance=True,
    )  # type: ignore[arg-type]
    h = RiskHarness(config, auto_accept=True, auto_cancel=True)
    for instrument in INSTRUMENTS:
        mark = str(MARKS[instrument.id])
        h.quote(instrument, mark, mark)
    for spec in seeded:
        init = _order(h, spec)
        h.submit(init)
        if h.passed(init) and spec[2] % 3 == 0:
            h.fill(init, px=str(MARKS[init.instrument_id]))
    init = _order(h, probe)
    args = (init.instrument_id, init.strategy_id, init.order_side, init.quantity, init.price,
            init.trigger_price, init.reduce_only, h.clock.timestamp_ns())  # fmt: skip
    detailed = h.risk.checks.explain(*args)
    fast = h.risk.checks.check(*args)
    assert (None if fast is None else fast[0]) == (None if detailed is None else detailed[0])


def _order(h: RiskHarness, spec: tuple[Any, ...]) -> Any:
    i, side, units, offset, reduce_only, market = spec
    instrument = INSTRUMENTS[i]
    mark = MARKS[instrument.id]
    price = None if market else str(instrument.make_price(mark * (1 + Decimal(offset) / 1000)))
    qty = instrument.make_qty(UNIT[instrument.id] * units)
    return h.init(side, qty, price, instrument=instrument, reduce_only=reduce_only)


@settings(max_examples=300, deadline=None)
@given(
    pct=st.none() | st.integers(1, 200).map(lambda n: Decimal(n) / 1000),
    ticks=st.none() | st.integers(1, 5000),
    probes=st.lists(
        st.tuples(st.integers(0, 6_000_000), st.integers(-400_000, 400_000)),
        min_size=1,
        max_size=20,
    ),
)
def test_the_cached_price_window_agrees_with_the_detailed_price_check(
    pct: Decimal | None, ticks: int | None, probes: list[tuple[int, int]]
) -> None:
    """Prices in ticks of 0.01 around references that move (0: no market price)."""
    band: dict[str, Any] = {}
    if pct is not None:
        band["price_band_pct"] = str(pct)
    if ticks is not None:
        band["price_band_ticks"] = ticks
    h = RiskHarness(RiskConfig.from_mapping({"limits": band}))
    table = h.risk.checks.table(BTC_SPOT.id, STRATEGIES[0])
    assert table is not None
    tick = BTC_SPOT.price_increment.raw
    for reference_ticks, offset in probes:
        reference = reference_ticks * tick
        price = max(reference + offset * tick, tick)
        detailed = check_price(table, "price", Price.from_raw(price, 2), reference)
        assert _price_ok(table, price, reference) is (detailed is None), (price, reference)
