"""The risk engine's small parts: reason codes, the token bucket, trading states, the ledger."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.enums import OrderSide, TradingState
from shrivenquant.model.events import RiskScope, TradingStateCause
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId, Venue
from shrivenquant.risk import RiskConfig, RiskReason, format_reason, split_reason
from shrivenquant.risk.ledger import RiskLedger
from shrivenquant.risk.states import TradingStates
from shrivenquant.risk.throttle import ThrottleQueue, TokenBucket

from .conftest import BTC_SPOT, RiskHarness

BTC = InstrumentId("BTCUSDT.BINANCE")
S1 = StrategyId("S-001")


@given(code=st.sampled_from(list(RiskReason)), sentence=st.text(max_size=40))
def test_a_reason_splits_back_into_its_code_and_sentence(code: RiskReason, sentence: str) -> None:
    assert split_reason(format_reason(code, sentence)) == (code, sentence)


def test_reasons_of_other_components_have_no_code() -> None:
    assert split_reason("duplicate client_order_id") == (None, "duplicate client_order_id")
    assert split_reason("NOT_A_CODE: text") == (None, "NOT_A_CODE: text")


def test_the_bucket_bursts_then_refills_continuously() -> None:
    bucket = TokenBucket(limit=3, interval_ns=300, now_ns=0)
    assert [bucket.try_acquire(0) for _ in range(4)] == [True, True, True, False]
    assert bucket.next_available_ns(0) == 100
    assert not bucket.try_acquire(99)
    assert bucket.try_acquire(100)
    assert bucket.try_acquire(10_000, 3)  # refilled to the burst, not beyond
    assert not bucket.try_acquire(10_000)
    assert not bucket.try_acquire(10_100, 2)  # all or nothing
    assert bucket.try_acquire(10_100, 1)


@settings(max_examples=200)
@given(
    limit=st.integers(1, 20),
    interval=st.integers(1, 10**9),
    gaps=st.lists(st.integers(0, 10**8), max_size=100),
)
def test_no_interval_ever_sees_more_than_the_limit_plus_the_burst(
    limit: int, interval: int, gaps: list[int]
) -> None:
    bucket = TokenBucket(limit, interval, 0)
    now, granted = 0, []
    for gap in gaps:
        now += gap
        if bucket.try_acquire(now):
            granted.append(now)
    for i, start in enumerate(granted):
        within = [t for t in granted[i:] if t < start + interval]
        assert len(within) <= 2 * limit


def test_the_queue_is_bounded_and_first_in_first_out() -> None:
    queue: ThrottleQueue[int] = ThrottleQueue(2)
    assert queue.push(1)
    assert queue.push(2)
    assert not queue.push(3)
    assert queue.peek() == 1
    assert queue.pop() == 1
    assert queue.drain() == [2]
    assert len(queue) == 0


def test_the_most_restrictive_state_over_an_orders_scopes_applies() -> None:
    states = TradingStates()
    assert states.effective(BTC, S1) is None
    states.set(RiskScope(strategy_id=S1), TradingState.REDUCING, TradingStateCause.COMMAND, "a")
    states.set(RiskScope(venue=Venue("NSE")), TradingState.HALTED, TradingStateCause.COMMAND, "b")
    entry = states.effective(BTC, S1)
    assert entry is not None
    assert entry.state is TradingState.REDUCING
    states.set(
        RiskScope(account_id=AccountId("BINANCE-001")),
        TradingState.HALTED,
        TradingStateCause.DAILY_LOSS,
        "c",
    )
    entry = states.effective(BTC, S1)
    assert entry is not None
    assert (entry.state, entry.reason) == (TradingState.HALTED, "c")
    assert states.effective(BTC, StrategyId("S-002")) is entry
    assert states.set(RiskScope(), TradingState.ACTIVE, TradingStateCause.COMMAND, "") is (
        TradingState.ACTIVE
    )


def test_the_ledger_counts_worst_cases_and_open_orders() -> None:
    ledger = RiskLedger()
    ledger.add("A", "X.V", "S", "V", 1, 5, 100)
    ledger.add("B", "X.V", "S", "V", -1, 3, 110)
    ledger.add("A", "X.V", "S", "V", 1, 99, 100)  # already known: ignored
    exposure = ledger.instruments["X.V"]
    assert (exposure.long_worst, exposure.short_worst, exposure.orders) == (5, -3, 2)
    ledger.reserve("A", 8)  # a modify on its way counts at the larger quantity
    assert exposure.buy == 8
    ledger.remove("A")
    assert (exposure.buy, exposure.orders, ledger.open_total) == (0, 1, 1)
    assert ledger.open_by_venue == {"V": 1}
    assert ledger.strategies["S"]["X.V"].sell == 3


def test_the_ledger_is_seeded_from_the_oms_on_start() -> None:
    h = RiskHarness(RiskConfig(check_balance=False))
    working = h.order(OrderSide.BUY, "2", "49000.00")
    h.fill(working, "0.5", "49000.00")
    h.fill(h.order(OrderSide.SELL, "1", "51000.00"), px="51000.00")
    before = h.risk.ledger.instruments[BTC_SPOT.id.value]
    h.risk.stop()
    h.risk.ledger.clear()
    h.risk.start()
    after = h.risk.ledger.instruments[BTC_SPOT.id.value]
    assert (after.pos, after.buy, after.sell, after.orders) == (
        before.pos,
        before.buy,
        before.sell,
        before.orders,
    )
    assert after.pos == -5 * 10**8
    assert after.buy == 15 * 10**8
