"""Broadcasting of array inputs for the numba kernels.

Kernels take every input as a flat, contiguous array of the broadcast size, so their loops
index all inputs with the same unit stride and LLVM can vectorise them. Inputs already of that
form are passed without a copy; a scalar or smaller array is expanded (one fast fill, far cheaper
than the pricing itself).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from shrivenquant.core.errors import InvalidInputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

# Arrays at least this long are priced by the multi-threaded kernels.
PARALLEL_THRESHOLD = 8192


class BroadcastInputs:
    """Inputs broadcast together and flattened for a kernel: ``arrays[i][k]`` is element ``k``."""

    __slots__ = ("arrays", "shape", "size")

    def __init__(self, names: tuple[str, ...], values: tuple[ArrayLike, ...]) -> None:
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
            np.ascontiguousarray(np.broadcast_to(arr, self.shape)).reshape(-1) for arr in raw
        ]

    def empty(self) -> FloatArray:
        """A flat output buffer of the broadcast size."""
        return np.empty(self.size, dtype=np.float64)

    def shaped(self, flat: FloatArray) -> FloatArray:
        """``flat`` reshaped to the broadcast shape."""
        return flat.reshape(self.shape)


def as_bool_array(name: str, value: ArrayLike) -> NDArray[np.bool_]:
    """``value`` as a bool array; rejects anything but bools (and 0/1 integers)."""
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        return arr
    if np.issubdtype(arr.dtype, np.integer) and np.all((arr == 0) | (arr == 1)):
        return arr.astype(np.bool_)
    raise InvalidInputError(f"{name} must be bool (True for a call), got dtype {arr.dtype}")
