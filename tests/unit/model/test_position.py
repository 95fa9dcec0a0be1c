from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import BTC, USD, USDT
from shrivenquant.model.enums import AssetClass, OrderSide, PositionSide
from shrivenquant.model.events.position import PositionChanged, PositionClosed, PositionOpened
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    Symbol,
    TradeId,
    TraderId,
)
from shrivenquant.model.instruments import CryptoPerpetual
from shrivenquant.model.position import Position
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTCUSDT = TestInstrumentProvider.btcusdt_binance()
PERP = TestInstrumentProvider.btcusdt_perp_binance()
INVERSE = CryptoPerpetual(
    id=InstrumentId("BTCUSD-PERP.BINANCE"),
    raw_symbol=Symbol("BTCUSD_PERP"),
    asset_class=AssetClass.CRYPTOCURRENCY,
    base_currency=BTC,
    quote_currency=USD,
    settlement_currency=BTC,
    is_inverse=True,
    price_precision=1,
    size_precision=0,
    price_increment=Price("0.1"),
    size_increment=Quantity("1"),
    multiplier=Quantity("100"),
    ts_event=0,
    ts_init=0,
)

_counter = iter(range(1, 10**9))
TRADER = TraderId("TRADER-001")
STRATEGY = StrategyId("S-001")
ACCOUNT = AccountId("BINANCE-001")


@dataclass(frozen=True)
class Fill:
    instrument_id: InstrumentId
    order_side: OrderSide
    last_qty: Quantity
    last_px: Price
    commission: Money
    trade_id: TradeId = field(default_factory=lambda: TradeId(f"T-{next(_counter)}"))
    client_order_id: ClientOrderId = field(
        default_factory=lambda: ClientOrderId(f"O-{next(_counter)}")
    )
    trader_id: TraderId = TRADER
    strategy_id: StrategyId = STRATEGY
    account_id: AccountId = ACCOUNT
    ts_event: int = 0


def fill(instrument, side: OrderSide, qty: str, px: str, fee: str = "0", ts: int = 0) -> Fill:  # type: ignore[no-untyped-def]
    return Fill(
        instrument.id,
        side,
        Quantity(qty),
        Price(px),
        Money(fee, instrument.settlement_currency),
        ts_event=ts,
    )


def test_open_add_reduce_close_long_linear() -> None:
    pos = Position(BTCUSDT, fill(BTCUSDT, OrderSide.BUY, "1", "100", ts=1), PositionId("P-1"))
    assert pos.side is PositionSide.LONG
    assert isinstance(pos.to_event(), PositionOpened)
    pos.apply(fill(BTCUSDT, OrderSide.BUY, "2", "130", ts=2))
    assert pos.quantity == Quantity("3")
    assert pos.avg_px_open == Decimal("120")
    assert isinstance(pos.to_event(), PositionChanged)
    pos.apply(fill(BTCUSDT, OrderSide.SELL, "1", "150", ts=3))
    assert pos.realized_pnl == Money("30", USDT)
    assert pos.unrealized_pnl(Price("110")) == Money("-20", USDT)
    pos.apply(fill(BTCUSDT, OrderSide.SELL, "2", "90", fee="1.5", ts=4))
    assert pos.is_closed
    assert pos.side is PositionSide.FLAT
    assert pos.realized_pnl == Money("-31.5", USDT)  # 30 - 60 - 1.5 fee
    assert pos.avg_px_close == Decimal("110")
    assert pos.avg_px_open == Decimal("120")  # the closed cycle's entry stays readable
    event = pos.to_event()
    assert isinstance(event, PositionClosed)
    assert event.duration_ns == 3
    assert event.peak_qty == Quantity("3")


def test_short_and_flip_through_zero() -> None:
    pos = Position(PERP, fill(PERP, OrderSide.SELL, "2.000", "100.0"), PositionId("P-2"))
    assert pos.side is PositionSide.SHORT
    assert pos.signed_qty == Decimal("-2")
    pos.apply(fill(PERP, OrderSide.BUY, "3.000", "90.0"))
    assert pos.side is PositionSide.LONG
    assert pos.quantity == Quantity("1.000")
    assert pos.realized_pnl == Money("20", USDT)
    assert pos.avg_px_open == Decimal("90")
    assert pos.entry is OrderSide.BUY


def test_inverse_pnl_is_in_base_currency() -> None:
    pos = Position(INVERSE, fill(INVERSE, OrderSide.BUY, "10", "50000.0"), PositionId("P-3"))
    assert pos.currency == BTC
    pos.apply(fill(INVERSE, OrderSide.SELL, "10", "40000.0"))
    # 10 contracts x 100 USD x (1/50000 - 1/40000) = -0.005 BTC
    assert pos.realized_pnl == Money("-0.005", BTC)


def test_harmonic_average_for_inverse_entries() -> None:
    pos = Position(INVERSE, fill(INVERSE, OrderSide.BUY, "1", "40000.0"), PositionId("P-4"))
    pos.apply(fill(INVERSE, OrderSide.BUY, "1", "60000.0"))
    assert pos.avg_px_open == Decimal("48000")


def test_reopen_after_flat_starts_a_new_cycle() -> None:
    pos = Position(BTCUSDT, fill(BTCUSDT, OrderSide.BUY, "1", "100", ts=1), PositionId("P-5"))
    pos.apply(fill(BTCUSDT, OrderSide.SELL, "1", "110", ts=2))
    pos.apply(fill(BTCUSDT, OrderSide.SELL, "1", "120", ts=3))
    assert pos.side is PositionSide.SHORT
    assert pos.ts_opened == 3
    assert pos.ts_closed is None
    assert pos.realized_pnl == Money("10", USDT)


def test_bad_fills_are_refused() -> None:
    pos = Position(BTCUSDT, fill(BTCUSDT, OrderSide.BUY, "1", "100"), PositionId("P-6"))
    with pytest.raises(ValueError, match="duplicate trade id"):
        pos.apply(pos.events[0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="applied to"):
        pos.apply(fill(PERP, OrderSide.BUY, "1", "1"))
    with pytest.raises(ValueError, match="cannot open"):
        Position(BTCUSDT, fill(PERP, OrderSide.BUY, "1", "1"), PositionId("P-7"))


def test_position_events_round_trip() -> None:
    codec = MessageCodec()
    pos = Position(BTCUSDT, fill(BTCUSDT, OrderSide.BUY, "0.5", "100.01"), PositionId("P-8"))
    pos.apply(fill(BTCUSDT, OrderSide.SELL, "0.25", "100.03", fee="0.01"))
    event = pos.to_event(mark=Price("99.99"), ts_init=5)
    assert codec.decode(codec.encode(event)) == event
    assert codec.decode_json(codec.encode_json(event)) == event
    assert event.event_id != pos.to_event().event_id
    assert isinstance(event.event_id, UUID4)


_sides = st.sampled_from([OrderSide.BUY, OrderSide.SELL])
_qty = st.integers(1, 5_000).map(lambda n: Decimal(n).scaleb(-3))
_px = st.integers(1_000, 2_000_000).map(lambda n: Decimal(n).scaleb(-1))


@settings(max_examples=300)
@given(
    inverse=st.booleans(),
    steps=st.lists(st.tuples(_sides, _qty, _px), min_size=1, max_size=25),
    mark=_px,
)
def test_total_pnl_equals_cash_flows_plus_mark_to_market(
    inverse: bool, steps: list[tuple[OrderSide, Decimal, Decimal]], mark: Decimal
) -> None:
    """Independent check: total PnL = sum of fill cash flows + open quantity valued at the mark."""
    instrument = INVERSE if inverse else PERP
    mult = Fraction(instrument.multiplier.as_decimal())
    qty_scale = "1" if inverse else "0.001"
    fills = [
        fill(
            instrument,
            side,
            str((q / Decimal(qty_scale)).to_integral() * Decimal(qty_scale) or Decimal(qty_scale)),
            str(px),
        )
        for side, q, px in steps
    ]
    pos = Position(instrument, fills[0], PositionId("P-H"))
    for f in fills[1:]:
        pos.apply(f)
    signed = Fraction(0)
    cash = Fraction(0)
    for f in fills:
        q = Fraction(f.last_qty.as_decimal()) * (1 if f.order_side is OrderSide.BUY else -1)
        p = Fraction(f.last_px.as_decimal())
        signed += q
        cash += q * mult / p if inverse else -q * mult * p
    m = Fraction(mark)
    expected = cash - signed * mult / m if inverse else cash + signed * mult * m
    got = pos.total_pnl(Price(str(mark)))
    step = Fraction(1, 10**pos.currency.precision)
    assert abs(Fraction(got.as_decimal()) - expected) <= step / 2
    assert pos.signed_qty == Decimal(signed.numerator) / Decimal(signed.denominator)
