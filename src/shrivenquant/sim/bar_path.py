"""The price path the simulated venue assumes inside a bar.

A bar says where the price opened, closed and how far it went each way, not in which order.
The venue walks open -> high -> low -> close when the high is at least as close to the open as
the low is (ties go to the high first), and open -> low -> high -> close otherwise: the nearer
extreme is assumed to come first. Points equal to the one before them are dropped.
"""

from __future__ import annotations


def bar_path(open_raw: int, high_raw: int, low_raw: int, close_raw: int) -> list[int]:
    """The raw prices a bar is assumed to trade through, in order (see the module docstring).

    Raises:
        ValueError: the high is below the low, or the open or close lies outside them.
    """
    check_bar(open_raw, high_raw, low_raw, close_raw)
    if high_raw - open_raw <= open_raw - low_raw:
        points = (open_raw, high_raw, low_raw, close_raw)
    else:
        points = (open_raw, low_raw, high_raw, close_raw)
    path = [points[0]]
    for point in points[1:]:
        if point != path[-1]:
            path.append(point)
    return path


def check_bar(open_raw: int, high_raw: int, low_raw: int, close_raw: int) -> None:
    """Check that a bar can be walked (the same check `bar_path` makes).

    Raises:
        ValueError: the high is below the low, or the open or close lies outside them.
    """
    if high_raw < low_raw or not (
        low_raw <= open_raw <= high_raw and low_raw <= close_raw <= high_raw
    ):
        raise ValueError(
            f"inconsistent bar: open {open_raw}, high {high_raw}, low {low_raw}, "
            f"close {close_raw} (raw)"
        )
