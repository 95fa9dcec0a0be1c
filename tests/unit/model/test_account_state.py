import pytest

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import BTC, INR, USDT
from shrivenquant.model.enums import AccountType
from shrivenquant.model.events.account import AccountState
from shrivenquant.model.identifiers import AccountId, InstrumentId
from shrivenquant.model.values import Money


def _state() -> AccountState:
    return AccountState(
        account_id=AccountId("BINANCE-001"),
        account_type=AccountType.MARGIN,
        base_currency=None,
        balances=[
            AccountBalance.from_total_locked(Money("1000.5", USDT), Money("200.25", USDT)),
            AccountBalance(total=Money("1", BTC), locked=Money("0", BTC), free=Money("1", BTC)),
        ],
        margins=[
            MarginBalance(
                initial=Money("80", USDT),
                maintenance=Money("40", USDT),
                instrument_id=InstrumentId("BTCUSDT-PERP.BINANCE"),
            )
        ],
        reported=True,
        event_id=UUID4(),
        ts_event=1,
        ts_init=2,
    )


def test_balance_free_is_total_minus_locked() -> None:
    b = AccountBalance.from_total_locked(Money("1000.5", USDT), Money("200.25", USDT))
    assert b.free == Money("800.25", USDT)


@pytest.mark.parametrize(
    ("total", "locked", "free", "message"),
    [
        ("10", "5", "6", "total == locked \\+ free"),
        ("10", "-1", "11", "locked must not be negative"),
    ],
)
def test_balance_invariants(total: str, locked: str, free: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AccountBalance(total=Money(total, INR), locked=Money(locked, INR), free=Money(free, INR))


def test_balance_currency_mismatch() -> None:
    with pytest.raises(ValueError, match="mixes currencies"):
        AccountBalance(total=Money("1", INR), locked=Money("0", USDT), free=Money("1", INR))
    with pytest.raises(ValueError, match="mixes currencies"):
        MarginBalance(initial=Money("1", INR), maintenance=Money("1", USDT))


def test_account_state_lookup_and_round_trip() -> None:
    state = _state()
    usdt = state.balance(USDT)
    assert usdt is not None
    assert usdt.locked == Money("200.25", USDT)
    assert state.balance(INR) is None
    codec = MessageCodec()
    assert codec.decode(codec.encode(state)) == state
    assert codec.decode_json(codec.encode_json(state)) == state


def test_account_state_refuses_two_balances_in_one_currency() -> None:
    one = AccountBalance.from_total_locked(Money("1", USDT), Money("0", USDT))
    with pytest.raises(ValueError, match="two balances in USDT"):
        AccountState(
            account_id=AccountId("BINANCE-001"),
            account_type=AccountType.CASH,
            base_currency=USDT,
            balances=[one, one],
            event_id=UUID4(),
            ts_event=0,
            ts_init=0,
        )
