import json

import msgspec
import pytest

from shrivenquant.model.codec import MessageCodec, all_message_types, enc_hook_binary
from shrivenquant.model.data import QuoteTick
from shrivenquant.model.messages import Message
from shrivenquant.testkit.stubs import TestDataStubs, TestMessageStubs

CODEC = MessageCodec()
EXAMPLES = TestMessageStubs.all_examples()


def test_every_message_type_has_a_stub_example() -> None:
    covered = {type(m) for m in EXAMPLES}
    missing = [t.__name__ for t in all_message_types() if t not in covered]
    assert missing == [], f"add stub examples for {missing}"


@pytest.mark.parametrize("msg", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_exactly(msg: Message) -> None:
    decoded = CODEC.decode(CODEC.encode(msg))
    assert type(decoded) is type(msg)
    assert decoded == msg
    assert CODEC.decode_json(CODEC.encode_json(msg)) == msg
    # a second trip is byte-identical: nothing is lost or normalised on the way
    assert CODEC.encode(decoded) == CODEC.encode(msg)


def test_json_is_readable_with_values_as_strings() -> None:
    tick = TestDataStubs.trade_tick(price="50000.05", size="0.25000")
    doc = json.loads(CODEC.encode_json(tick))
    assert doc["type"] == "TradeTick"
    assert doc["price"] == "50000.05"
    assert doc["size"] == "0.25000"
    assert doc["instrument_id"] == "BTCUSDT.BINANCE"


def test_bad_values_are_refused_with_the_field_named() -> None:
    doc = json.loads(CODEC.encode_json(TestDataStubs.trade_tick()))
    doc["size"] = "-1"
    with pytest.raises(msgspec.ValidationError, match=r"\$\.size"):
        CODEC.decode_json(json.dumps(doc))
    doc["size"] = 1.5
    with pytest.raises(msgspec.ValidationError, match=r"\$\.size"):
        CODEC.decode_json(json.dumps(doc))


def test_unknown_message_type_and_garbage_are_errors() -> None:
    with pytest.raises(msgspec.ValidationError, match="Invalid value 'NoSuchMessage'"):
        CODEC.decode_json(b'{"type": "NoSuchMessage", "ts_event": 0, "ts_init": 0}')
    with pytest.raises(msgspec.DecodeError):
        CODEC.decode(b"\xc1\xff\x00")


def test_a_restricted_codec_refuses_other_types() -> None:
    quotes_only = MessageCodec([QuoteTick])
    assert (
        quotes_only.decode(quotes_only.encode(TestDataStubs.quote_tick()))
        == TestDataStubs.quote_tick()
    )
    with pytest.raises(msgspec.ValidationError):
        quotes_only.decode(CODEC.encode(TestDataStubs.trade_tick()))
    with pytest.raises(ValueError, match="at least one"):
        MessageCodec([])


def test_binary_form_uses_integer_arrays_and_keeps_huge_values() -> None:
    tick = TestDataStubs.trade_tick(price="50000.05", size="123456789012.5")
    raw = msgspec.msgpack.decode(CODEC.encode(tick))
    assert raw["price"] == [50_000_050_000_000, 2]
    assert raw["size"] == ["123456789012500000000", 1]  # beyond int64: digits
    assert CODEC.decode(CODEC.encode(tick)) == tick


@pytest.mark.parametrize(
    "bad",
    [[1], "50000.05", [1.5, 2], [1, 10], ["12a", 2], [-5, 0]],
    ids=["short", "string", "float-raw", "precision", "non-digits", "negative-size"],
)
def test_bad_binary_values_are_refused_with_the_field_named(bad: object) -> None:
    doc = msgspec.msgpack.decode(CODEC.encode(TestDataStubs.trade_tick()))
    doc["size"] = bad
    with pytest.raises(msgspec.ValidationError, match=r"\$\.size"):
        CODEC.decode(msgspec.msgpack.encode(doc))


def _struct_encoding(msg: Message) -> bytes:
    """The message encoded as a struct, with a value hook only (no lowering)."""
    return msgspec.msgpack.Encoder(enc_hook=enc_hook_binary).encode(msg)


@pytest.mark.parametrize("msg", EXAMPLES, ids=lambda m: type(m).__name__)
def test_lowered_encoding_is_the_same_map_as_the_struct_encoding(msg: Message) -> None:
    lowered = CODEC.encode(msg)
    plain = _struct_encoding(msg)
    # the same keys in the same order with the same values (only a map header may be narrower)
    assert list(msgspec.msgpack.decode(lowered).items()) == list(
        msgspec.msgpack.decode(plain).items()
    )
    assert CODEC.decode(plain) == CODEC.decode(lowered) == msg


def test_a_field_holding_another_type_than_declared_is_encoded_as_it_is() -> None:
    tick = TestDataStubs.trade_tick()
    odd = msgspec.structs.replace(tick, trade_id="T-1")  # a str where a TradeId is declared
    raw = msgspec.msgpack.decode(CODEC.encode(odd))
    assert raw == msgspec.msgpack.decode(_struct_encoding(odd))
    assert raw["trade_id"] == "T-1"


def test_defaults_are_omitted_and_non_defaults_kept_like_the_struct_encoding() -> None:
    fill = next(m for m in EXAMPLES if type(m).__name__ == "OrderFilled")
    for changed in (
        fill,
        msgspec.structs.replace(fill, reconciliation=True),
        msgspec.structs.replace(fill, position_id=None),
    ):
        assert msgspec.msgpack.decode(CODEC.encode(changed)) == msgspec.msgpack.decode(
            _struct_encoding(changed)
        )
