import itertools

import pytest

from shrivenquant.core.errors import InvalidStateTransition
from shrivenquant.core.lifecycle import ComponentState, Lifecycle

S = ComponentState

# Written out independently of the implementation's table.
EXPECTED_VALID = {
    (S.PRE_INITIALIZED, S.READY), (S.PRE_INITIALIZED, S.FAULTED), (S.PRE_INITIALIZED, S.DISPOSED),
    (S.READY, S.STARTING), (S.READY, S.FAULTED), (S.READY, S.DISPOSED),
    (S.STARTING, S.RUNNING), (S.STARTING, S.STOPPING), (S.STARTING, S.FAULTED),
    (S.RUNNING, S.DEGRADED), (S.RUNNING, S.STOPPING), (S.RUNNING, S.FAULTED),
    (S.DEGRADED, S.RUNNING), (S.DEGRADED, S.STOPPING), (S.DEGRADED, S.FAULTED),
    (S.STOPPING, S.STOPPED), (S.STOPPING, S.FAULTED),
    (S.STOPPED, S.STARTING), (S.STOPPED, S.READY), (S.STOPPED, S.DISPOSED), (S.STOPPED, S.FAULTED),
    (S.FAULTED, S.READY), (S.FAULTED, S.DISPOSED),
}  # fmt: skip


def _in_state(state: ComponentState) -> Lifecycle:
    lc = Lifecycle("test")
    lc._fsm.force(state)
    return lc


@pytest.mark.parametrize(("src", "dst"), list(itertools.product(S, S)))
def test_every_transition_is_allowed_exactly_when_expected(
    src: ComponentState, dst: ComponentState
) -> None:
    lc = _in_state(src)
    if (src, dst) in EXPECTED_VALID:
        lc.transition(dst)
        assert lc.state is dst
    else:
        with pytest.raises(InvalidStateTransition):
            lc.transition(dst)
        assert lc.state is src


def test_full_run_notifies_listeners() -> None:
    lc = Lifecycle("engine")
    seen: list[tuple[ComponentState, ComponentState]] = []
    lc.add_listener(lambda old, new: seen.append((old, new)))
    for state in (S.READY, S.STARTING, S.RUNNING, S.DEGRADED, S.RUNNING, S.STOPPING, S.STOPPED):
        lc.transition(state)
    assert lc.state is S.STOPPED
    assert seen[0] == (S.PRE_INITIALIZED, S.READY)
    assert seen[-1] == (S.STOPPING, S.STOPPED)
    assert len(seen) == 7


def test_running_flags() -> None:
    assert _in_state(S.DEGRADED).is_running
    assert _in_state(S.RUNNING).is_running
    assert not _in_state(S.STOPPED).is_running
