"""Market data records: construction, helpers, validation and exact codec round trips."""

from __future__ import annotations

import pickle
from decimal import ROUND_HALF_EVEN, Decimal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.data import (
    DATA_TYPES,
    F_LAST,
    F_SNAPSHOT,
    Bar,
    BarSpecification,
    BarType,
    BookLevel,
    BookOrder,
    Data,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.enums import (
    AggregationSource,
    AggressorSide,
    BarAggregation,
    BookAction,
    OrderSide,
    PriceType,
)
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import Price, Quantity

BTC = InstrumentId("BTCUSDT.BINANCE")
PERP = InstrumentId("BTCUSDT-PERP.BINANCE")
ONE_MINUTE = BarSpecification(1, BarAggregation.MINUTE, PriceType.LAST)
CODEC = MessageCodec()


def quote(bid: str = "100.00", ask: str = "100.10") -> QuoteTick:
    return QuoteTick(
        instrument_id=BTC,
        bid_price=Price(bid),
        ask_price=Price(ask),
        bid_size=Quantity("1.5"),
        ask_size=Quantity("2.25"),
        ts_event=1,
        ts_init=2,
    )


def bar(o: str, h: str, low: str, c: str) -> Bar:
    return Bar(
        bar_type=BarType(BTC, ONE_MINUTE),
        open=Price(o),
        high=Price(h),
        low=Price(low),
        close=Price(c),
        volume=Quantity("10"),
        ts_event=60_000_000_000,
        ts_init=60_000_000_001,
    )


def level(price: str, size: str = "1") -> BookLevel:
    return BookLevel(price=Price(price), size=Quantity(size))


def snapshot(bids: list[BookLevel], asks: list[BookLevel]) -> OrderBookSnapshot:
    return OrderBookSnapshot(
        instrument_id=BTC, bids=bids, asks=asks, sequence=7, ts_event=1, ts_init=1
    )


def delta(
    action: BookAction = BookAction.ADD,
    order: BookOrder | None = None,
    sequence: int = 1,
    flags: int = 0,
    instrument_id: InstrumentId = BTC,
) -> OrderBookDelta:
    if order is None and action is not BookAction.CLEAR:
        order = BookOrder(side=OrderSide.BUY, price=Price("100.0"), size=Quantity("1"))
    return OrderBookDelta(
        instrument_id=instrument_id,
        action=action,
        order=order,
        flags=flags,
        sequence=sequence,
        ts_event=1,
        ts_init=2,
    )


# --- quotes and trades -------------------------------------------------------------------------


def test_mid_price_is_exact_with_one_more_place() -> None:
    assert str(quote("100.00", "100.11").mid_price()) == "100.055"
    assert str(quote("100.00", "100.10").mid_price()) == "100.050"
    assert quote("1", "2").mid_price() == Price("1.5")


def test_mid_price_at_nine_places_rounds_half_to_even() -> None:
    mid = quote("0.000000001", "0.000000002").mid_price()
    expected = (Decimal("0.000000003") / 2).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    assert mid.as_decimal() == expected == Decimal("0.000000002")
    assert quote("-0.000000001", "0.000000000").mid_price() == Price("0")


@given(
    st.integers(-(10**12), 10**12),
    st.integers(0, 10**12),
    st.integers(0, 8),
)
def test_mid_price_matches_decimal(bid_units: int, spread: int, places: int) -> None:
    bid = Price(Decimal(bid_units).scaleb(-places), precision=places)
    ask = Price(Decimal(bid_units + spread).scaleb(-places), precision=places)
    tick = QuoteTick(
        instrument_id=BTC, bid_price=bid, ask_price=ask, bid_size=Quantity(1),
        ask_size=Quantity(1), ts_event=0, ts_init=0,
    )  # fmt: skip
    mid = tick.mid_price()
    assert mid.as_decimal() == (bid.as_decimal() + ask.as_decimal()) / 2
    assert mid.precision == places + 1


def test_extract_price_and_size() -> None:
    tick = quote("100.00", "100.10")
    assert tick.extract_price(PriceType.BID) == Price("100.00")
    assert tick.extract_price(PriceType.ASK) == Price("100.10")
    assert tick.extract_price(PriceType.MID) == Price("100.05")
    assert tick.extract_size(PriceType.BID) == Quantity("1.5")
    assert tick.extract_size(PriceType.ASK) == Quantity("2.25")
    assert tick.extract_size(PriceType.MID) == Quantity("3.75")
    with pytest.raises(ValueError, match="LAST"):
        tick.extract_price(PriceType.LAST)
    with pytest.raises(ValueError, match="MARK"):
        tick.extract_size(PriceType.MARK)


def test_quote_validate_rejects_crossed_but_allows_locked() -> None:
    quote("100.00", "100.00").validate()
    with pytest.raises(ValueError, match=r"bid_price 100\.20 is above ask_price 100\.10"):
        quote("100.20", "100.10").validate()


def test_trade_validate_rejects_zero_size() -> None:
    trade = TradeTick(
        instrument_id=BTC, price=Price("100.0"), size=Quantity("0"),
        aggressor_side=AggressorSide.BUYER, trade_id=TradeId("42"), ts_event=1, ts_init=1,
    )  # fmt: skip
    with pytest.raises(ValueError, match="size must be > 0"):
        trade.validate()


def test_records_are_immutable_and_stamped() -> None:
    tick = quote()
    assert isinstance(tick, Data)
    assert (tick.ts_event, tick.ts_init) == (1, 2)
    with pytest.raises(AttributeError):
        tick.bid_price = Price("1")  # type: ignore[misc]


# --- bar specification and bar type --------------------------------------------------------


def test_bar_specification_string_and_lengths() -> None:
    spec = BarSpecification(5, BarAggregation.MINUTE, PriceType.MID)
    assert str(spec) == "5-MINUTE-MID"
    assert BarSpecification.from_str("5-MINUTE-MID") == spec
    assert spec.timedelta_ns() == 300_000_000_000
    assert spec.is_time_aggregated()
    assert BarSpecification(1, BarAggregation.MONTH, PriceType.LAST).is_time_aggregated()
    volume = BarSpecification(100, BarAggregation.VOLUME, PriceType.LAST)
    assert not volume.is_time_aggregated()
    with pytest.raises(ValueError, match="VOLUME bars have no fixed length"):
        volume.timedelta_ns()


@pytest.mark.parametrize(
    ("step", "aggregation", "price_type", "error"),
    [
        (0, BarAggregation.MINUTE, PriceType.LAST, ValueError),
        (-1, BarAggregation.MINUTE, PriceType.LAST, ValueError),
        (True, BarAggregation.MINUTE, PriceType.LAST, ValueError),
        (1, "MINUTE", PriceType.LAST, TypeError),
        (1, BarAggregation.MINUTE, "LAST", TypeError),
    ],
)
def test_bar_specification_rejects_bad_arguments(
    step: object, aggregation: object, price_type: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match="BarSpecification"):
        BarSpecification(step, aggregation, price_type)  # type: ignore[arg-type]


def test_bar_type_string_form_and_round_trip() -> None:
    bar_type = BarType(BTC, ONE_MINUTE)
    assert str(bar_type) == "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"
    assert BarType.from_str(str(bar_type)) == bar_type
    assert bar_type.is_externally_aggregated()
    internal = BarType.from_str("BTCUSDT-PERP.BINANCE-15-SECOND-BID-INTERNAL")
    assert internal.instrument_id == PERP
    assert internal.spec == BarSpecification(15, BarAggregation.SECOND, PriceType.BID)
    assert internal.aggregation_source is AggregationSource.INTERNAL
    assert internal.is_internally_aggregated()
    assert BarType.from_str("btcusdt.BINANCE-1-minute-last-external").spec == ONE_MINUTE


def test_bar_type_is_a_hashable_immutable_value() -> None:
    a = BarType(BTC, ONE_MINUTE)
    b = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != BarType(BTC, ONE_MINUTE, AggregationSource.INTERNAL)
    assert a != str(a)
    assert pickle.loads(pickle.dumps(a)) == a
    assert pickle.loads(pickle.dumps(ONE_MINUTE)) == ONE_MINUTE
    with pytest.raises(AttributeError):
        a.foo = 1
    assert repr(a) == "BarType('BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL')"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected 'INSTRUMENT_ID-STEP-AGGREGATION-PRICE_TYPE-SOURCE'"),
        ("BTCUSDT.BINANCE-1-MINUTE-LAST", "expected 'INSTRUMENT_ID-STEP"),
        ("-1-MINUTE-LAST-EXTERNAL", "expected 'INSTRUMENT_ID-STEP"),
        ("BTCUSDT-1-MINUTE-LAST-EXTERNAL", "invalid instrument id"),
        ("BTCUSDT.BINANCE-0-MINUTE-LAST-EXTERNAL", "invalid bar step '0'"),
        ("BTCUSDT.BINANCE-01-MINUTE-LAST-EXTERNAL", "invalid bar step '01'"),
        ("BTCUSDT.BINANCE-x-MINUTE-LAST-EXTERNAL", "invalid bar step 'x'"),
        ("BTCUSDT.BINANCE-1-MINUTES-LAST-EXTERNAL", "invalid BarAggregation: 'MINUTES'"),
        ("BTCUSDT.BINANCE-1-MINUTE-CLOSE-EXTERNAL", "invalid PriceType: 'CLOSE'"),
        ("BTCUSDT.BINANCE-1-MINUTE-LAST-VENUE", "invalid AggregationSource: 'VENUE'"),
    ],
)
def test_bar_type_from_str_errors_name_the_bad_part(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BarType.from_str(text)


def test_bar_type_from_str_rejects_non_str() -> None:
    with pytest.raises(TypeError, match="expects str"):
        BarType.from_str(5)  # type: ignore[arg-type]


def test_bar_specification_from_str_errors() -> None:
    with pytest.raises(ValueError, match="expected 'STEP-AGGREGATION-PRICE_TYPE'"):
        BarSpecification.from_str("1-MINUTE")
    with pytest.raises(ValueError, match="invalid PriceType"):
        BarSpecification.from_str("1-MINUTE-OPEN")


symbols = st.from_regex(r"[A-Z0-9]{1,10}([-_.][A-Z0-9]{1,6})?", fullmatch=True)
venues = st.from_regex(r"[A-Z]{2,8}", fullmatch=True)
instrument_ids = st.builds(InstrumentId.from_parts, symbols, venues)
specs = st.builds(
    BarSpecification,
    st.integers(1, 10**6),
    st.sampled_from(BarAggregation),
    st.sampled_from(PriceType),
)
bar_types = st.builds(BarType, instrument_ids, specs, st.sampled_from(AggregationSource))


@given(bar_types)
def test_bar_type_string_round_trip(bar_type: BarType) -> None:
    parsed = BarType.from_str(str(bar_type))
    assert parsed == bar_type
    assert parsed.instrument_id == bar_type.instrument_id
    assert parsed.spec == bar_type.spec


# --- bar validation ----------------------------------------------------------------------------


def test_valid_bar_passes_and_checked_builds() -> None:
    good = bar("100.0", "101.0", "99.0", "100.5")
    good.validate()
    flat = bar("100.0", "100.0", "100.0", "100.0")
    flat.validate()
    built = Bar.checked(
        bar_type=good.bar_type, open=good.open, high=good.high, low=good.low,
        close=good.close, volume=good.volume, ts_event=good.ts_event, ts_init=good.ts_init,
    )  # fmt: skip
    assert built == good


@pytest.mark.parametrize(
    ("ohlc", "message"),
    [
        (("100.0", "99.9", "99.0", "99.5"), "high 99.9 is below open 100.0"),
        (("99.5", "99.9", "99.0", "100.0"), "high 99.9 is below open 99.5 or close 100.0"),
        (("100.0", "101.0", "100.5", "100.7"), "low 100.5 is above open 100.0"),
        (("100.7", "101.0", "100.5", "100.0"), "low 100.5 is above open 100.7 or close 100.0"),
        (("100.0", "99.0", "101.0", "100.0"), "high 99.0 is below"),
    ],
)
def test_invalid_bar_is_rejected(ohlc: tuple[str, str, str, str], message: str) -> None:
    invalid = bar(*ohlc)
    with pytest.raises(ValueError, match=message):
        invalid.validate()
    with pytest.raises(ValueError, match=message):
        Bar.checked(
            bar_type=invalid.bar_type, open=invalid.open, high=invalid.high, low=invalid.low,
            close=invalid.close, volume=invalid.volume, ts_event=1, ts_init=1,
        )  # fmt: skip


# --- order book records ------------------------------------------------------------------------


def test_delta_validate_accepts_consistent_deltas() -> None:
    delta().validate()
    delta(BookAction.CLEAR, flags=F_SNAPSHOT).validate()
    zero = BookOrder(side=OrderSide.SELL, price=Price("101.0"), size=Quantity("0"))
    delta(BookAction.DELETE, order=zero).validate()
    assert delta(flags=F_LAST).is_last
    assert not delta().is_last


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            OrderBookDelta(
                instrument_id=BTC, action=BookAction.CLEAR, ts_event=0, ts_init=0,
                order=BookOrder(side=OrderSide.BUY, price=Price("1"), size=Quantity("1")),
            ),
            "order must be None for CLEAR",
        ),
        (
            OrderBookDelta(instrument_id=BTC, action=BookAction.ADD, ts_event=0, ts_init=0),
            "order is required for ADD",
        ),
        (
            delta(
                order=BookOrder(side=OrderSide.NO_ORDER_SIDE, price=Price("1"), size=Quantity(1))
            ),
            "order.side must be BUY",
        ),
        (
            delta(
                BookAction.UPDATE,
                BookOrder(side=OrderSide.BUY, price=Price("1"), size=Quantity(0)),
            ),
            "order.size must be > 0 for UPDATE",
        ),
        (delta(flags=-1), "flags must not be negative"),
        (delta(sequence=-5), "sequence must not be negative"),
    ],
)  # fmt: skip
def test_delta_validate_rejects_inconsistent(record: OrderBookDelta, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        record.validate()


def test_deltas_batch_properties_and_validation() -> None:
    batch = OrderBookDeltas(
        instrument_id=BTC,
        deltas=[
            delta(BookAction.CLEAR, flags=F_SNAPSHOT, sequence=3),
            delta(sequence=3, flags=F_LAST),
        ],
        ts_event=1,
        ts_init=2,
    )  # fmt: skip
    batch.validate()
    assert batch.sequence == 3
    assert batch.is_snapshot
    empty = OrderBookDeltas(instrument_id=BTC, deltas=[], ts_event=1, ts_init=1)
    assert empty.sequence == 0
    assert not empty.is_snapshot
    with pytest.raises(ValueError, match="deltas must not be empty"):
        empty.validate()
    other = OrderBookDeltas(
        instrument_id=BTC, deltas=[delta(), delta(instrument_id=PERP)], ts_event=1, ts_init=1
    )
    with pytest.raises(ValueError, match=r"deltas\[1\] is for BTCUSDT-PERP.BINANCE"):
        other.validate()
    backwards = OrderBookDeltas(
        instrument_id=BTC, deltas=[delta(sequence=5), delta(sequence=4)], ts_event=1, ts_init=1
    )
    with pytest.raises(ValueError, match=r"deltas\[1\].sequence 4 goes back from 5"):
        backwards.validate()
    bad_member = OrderBookDeltas(instrument_id=BTC, deltas=[delta(flags=-1)], ts_event=1, ts_init=1)
    with pytest.raises(ValueError, match="flags must not be negative"):
        bad_member.validate()


def test_snapshot_validate_accepts_sorted_uncrossed_book() -> None:
    book = snapshot([level("100.0"), level("99.5"), level("99.0")], [level("100.5"), level("101")])
    book.validate()
    assert book.best_bid == level("100.0")
    assert book.best_ask == level("100.5")
    empty = snapshot([], [])
    empty.validate()
    assert empty.best_bid is None
    assert empty.best_ask is None


@pytest.mark.parametrize(
    ("bids", "asks", "message"),
    [
        ([level("99"), level("100")], [], "bids must strictly descend; bids\\[1\\].price 100"),
        ([level("100"), level("100")], [], "bids must strictly descend"),
        ([], [level("101"), level("100.5")], "asks must strictly ascend; asks\\[1\\].price 100.5"),
        ([level("100", "0")], [], "bids\\[0\\].size must be > 0"),
        ([], [level("101"), level("102", "0")], "asks\\[1\\].size must be > 0"),
        ([level("100")], [level("100")], "crossed book, best bid 100 >= best ask 100"),
        ([level("101")], [level("100")], "crossed book"),
    ],
)
def test_snapshot_validate_rejects_bad_books(
    bids: list[BookLevel], asks: list[BookLevel], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        snapshot(bids, asks).validate()


def test_snapshot_validate_rejects_negative_sequence() -> None:
    book = OrderBookSnapshot(
        instrument_id=BTC, bids=[], asks=[], sequence=-1, ts_event=0, ts_init=0
    )
    with pytest.raises(ValueError, match="sequence must not be negative"):
        book.validate()


# --- codec round trips -------------------------------------------------------------------------


def test_data_types_lists_every_record() -> None:
    assert set(DATA_TYPES) == {
        QuoteTick, TradeTick, Bar, OrderBookDelta, OrderBookDeltas, OrderBookSnapshot
    }  # fmt: skip
    assert set(DATA_TYPES) <= set(CODEC.types)


timestamps = st.integers(0, 2**63 - 1)


@st.composite
def prices(draw: st.DrawFn, signed: bool = True) -> Price:
    precision = draw(st.integers(0, 9))
    units = draw(st.integers(-(10**12) if signed else 0, 10**12))
    return Price.from_raw(units * 10 ** (9 - precision), precision)


@st.composite
def quantities(draw: st.DrawFn) -> Quantity:
    precision = draw(st.integers(0, 9))
    return Quantity.from_raw(draw(st.integers(0, 10**12)) * 10 ** (9 - precision), precision)


def stamped(cls: type[Data], **fields: st.SearchStrategy[object]) -> st.SearchStrategy[Data]:
    return st.builds(cls, ts_event=timestamps, ts_init=timestamps, **fields)


book_orders = st.builds(
    BookOrder,
    side=st.sampled_from(OrderSide),
    price=prices(),
    size=quantities(),
    order_id=st.integers(0, 2**63 - 1),
)
deltas = stamped(
    OrderBookDelta,
    instrument_id=instrument_ids,
    action=st.sampled_from(BookAction),
    order=st.none() | book_orders,
    flags=st.integers(0, 255),
    sequence=st.integers(0, 2**63 - 1),
)
levels = st.builds(BookLevel, price=prices(), size=quantities())
records = st.one_of(
    stamped(
        QuoteTick,
        instrument_id=instrument_ids,
        bid_price=prices(),
        ask_price=prices(),
        bid_size=quantities(),
        ask_size=quantities(),
    ),
    stamped(
        TradeTick,
        instrument_id=instrument_ids,
        price=prices(),
        size=quantities(),
        aggressor_side=st.sampled_from(AggressorSide),
        trade_id=st.from_regex(r"[A-Za-z0-9-]{1,36}", fullmatch=True).map(TradeId),
    ),
    stamped(
        Bar,
        bar_type=bar_types,
        open=prices(),
        high=prices(),
        low=prices(),
        close=prices(),
        volume=quantities(),
    ),
    deltas,
    stamped(
        OrderBookDeltas,
        instrument_id=instrument_ids,
        deltas=st.lists(deltas, max_size=5),
    ),
    stamped(
        OrderBookSnapshot,
        instrument_id=instrument_ids,
        bids=st.lists(levels, max_size=5),
        asks=st.lists(levels, max_size=5),
        sequence=st.integers(0, 2**63 - 1),
    ),
)


@settings(max_examples=300)
@given(records)
def test_every_record_round_trips_exactly(record: Data) -> None:
    packed = CODEC.encode(record)
    decoded = CODEC.decode(packed)
    assert type(decoded) is type(record)
    assert decoded == record
    assert CODEC.encode(decoded) == packed  # same precisions, same bytes
    text = CODEC.encode_json(record)
    from_json = CODEC.decode_json(text)
    assert from_json == record
    assert CODEC.encode_json(from_json) == text


def test_bar_json_uses_the_bar_type_string() -> None:
    text = CODEC.encode_json(bar("100.0", "101.0", "99.0", "100.5"))
    assert b'"bar_type":"BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"' in text
    assert b'"type":"Bar"' in text


def test_decoding_a_bad_bar_type_names_it() -> None:
    text = CODEC.encode_json(bar("100.0", "101.0", "99.0", "100.5")).replace(
        b"1-MINUTE", b"1-MINUTES"
    )
    with pytest.raises(msgspec.ValidationError, match="invalid BarAggregation: 'MINUTES'"):
        CODEC.decode_json(text)
