"""Broadcasting of array inputs for the numba kernels.

Kernels take every input as a flat, contiguous array of the broadcast size, so their loops
index all inputs with the same unit stride and LLVM can vectorise them. Inputs already of that
form are passed without a copy; a smaller array is expanded (one fast fill, far cheaper than the
pricing itself). With ``keep_scalars``, a single value (a rate for the whole book) stays one
element: the chunked drivers repeat it in a chunk-sized buffer (`scalar_buffer`, `chunk`)
instead of writing and reading an array of the full size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit, set_parallel_chunksize
from numpy.typing import ArrayLike, NDArray

from shrivenquant.core.errors import InvalidInputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

# Arrays at least this long are priced by the multi-threaded kernels.
PARALLEL_THRESHOLD = 8192
# Elements per call of a vectorised loop in the chunked drivers: the scratch of a chunk and the
# buffers of broadcast scalars stay in the first-level cache.
CHUNK = 1024
# Chunks a thread takes at a time: handed out dynamically, so a thread the machine's other load
# preempts does not hold the others up at the end of a call.
GRAB = 4


class BroadcastInputs:
    """Inputs broadcast together and flattened for a kernel: ``arrays[i][k]`` is element ``k``."""

    __slots__ = ("arrays", "shape", "size")

    def __init__(
        self, names: tuple[str, ...], values: tuple[ArrayLike, ...], *, keep_scalars: bool = False
    ) -> None:
        raw: list[NDArray[Any]] = []
        for name, value in zip(names, values, strict=True):
            arr = np.asarray(value)
            if arr.dtype == np.bool_:
                raw.append(arr)
                continue
            if not np.issubdtype(arr.dtype, np.number):
                raise InvalidInputError(f"{name} must be numeric, got dtype {arr.dtype}")
            raw.append(arr.astype(np.float64, copy=False))
        try:
            self.shape: tuple[int, ...] = np.broadcast_shapes(*(a.shape for a in raw))
        except ValueError as exc:
            shapes = ", ".join(f"{n}{a.shape}" for n, a in zip(names, raw, strict=True))
            raise InvalidInputError(f"inputs do not broadcast together: {shapes}") from exc
        self.size = int(np.prod(self.shape, dtype=np.int64))
        self.arrays: list[NDArray[Any]] = [
            _read_only(
                np.ascontiguousarray(arr).reshape(1)
                if keep_scalars and arr.size == 1
                else np.ascontiguousarray(np.broadcast_to(arr, self.shape)).reshape(-1)
            )
            for arr in raw
        ]

    def empty(self) -> FloatArray:
        """A flat output buffer of the broadcast size."""
        return np.empty(self.size, dtype=np.float64)

    def shaped(self, flat: FloatArray) -> FloatArray:
        """``flat`` reshaped to the broadcast shape."""
        return flat.reshape(self.shape)


def _read_only(arr: NDArray[Any]) -> NDArray[Any]:
    """A read-only view: every input reaches the kernels with one type, whether the caller's
    array was writable, a broadcast view or a fresh copy, so each kernel compiles (and caches)
    one specialisation instead of one per mix."""
    view = arr.view()
    view.flags.writeable = False
    return view


def as_bool_array(name: str, value: ArrayLike) -> NDArray[np.bool_]:
    """``value`` as a bool array; rejects anything but bools (and 0/1 integers)."""
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        return arr
    if np.issubdtype(arr.dtype, np.integer) and np.all((arr == 0) | (arr == 1)):
        return arr.astype(np.bool_)
    raise InvalidInputError(f"{name} must be bool (True for a call), got dtype {arr.dtype}")


@njit(cache=True)
def scalar_buffer(arr: NDArray[Any], n: int) -> NDArray[Any]:
    """For an input kept as one value (``arr.size != n``) a chunk's worth of it; for a full
    input an empty array. Goes with `chunk`."""
    if arr.size == n:
        return arr[:0]
    return np.full(min(n, CHUNK), arr[0])


@njit(cache=True, inline="always")
def chunk(arr: NDArray[Any], buffer: NDArray[Any], a: int, b: int) -> NDArray[Any]:
    """Elements ``a:b`` of an input: a slice of it, or of its `scalar_buffer`."""
    return arr[a:b] if buffer.size == 0 else buffer[: b - a]


def run_chunked(
    serial: Callable[..., None], parallel: Callable[..., None], size: int, *args: Any
) -> None:
    """Run a chunked driver: ``serial`` for small arrays, ``parallel`` (a ``prange`` over
    chunks, handed out `GRAB` at a time as threads come free) from `PARALLEL_THRESHOLD` on."""
    if size < PARALLEL_THRESHOLD:
        serial(size, *args)
        return
    previous = set_parallel_chunksize(GRAB)  # set from Python: in compiled code it stops caching
    try:
        parallel(size, *args)
    finally:
        set_parallel_chunksize(previous)
