"""Topic validation and wildcard matching for bus subscriptions.

A subscription pattern may hold two wildcards:

- ``*`` matches any run of characters, including none and including dots, so
  ``events.order.*`` matches ``events.order.S-001`` and ``data.*.BINANCE.*`` matches
  ``data.quotes.BINANCE.BTCUSDT``;
- ``?`` matches exactly one character (``data.bars.BTCUSDT.BINANCE-?-MINUTE-LAST-EXTERNAL``).

Every other character, ``[`` and ``]`` included, matches only itself. Topics that messages are
published on are concrete: they hold no wildcard. No topic or pattern may be empty or contain
whitespace.
"""

from __future__ import annotations

from typing import Final

WILDCARD_CHARS: Final = frozenset("*?")


def is_pattern(topic: str) -> bool:
    """Return whether ``topic`` holds a wildcard (``*`` or ``?``)."""
    return "*" in topic or "?" in topic


def check_topic(topic: object, *, allow_wildcards: bool, what: str = "topic") -> str:
    """Return ``topic`` if it is a valid topic (or pattern, when ``allow_wildcards``).

    Args:
        topic: the value to check.
        allow_wildcards: accept ``*`` and ``?`` (subscription patterns) or not (concrete topics).
        what: how to name the value in error messages.

    Raises:
        TypeError: if ``topic`` is not a str.
        ValueError: if it is empty, contains whitespace or, unless allowed, a wildcard.
    """
    if not isinstance(topic, str):
        raise TypeError(f"{what} must be str, got {type(topic).__name__}: {topic!r}")
    if not topic:
        raise ValueError(f"{what} must not be empty")
    if not topic.isprintable() or any(c.isspace() for c in topic):
        raise ValueError(f"{what} must not contain whitespace: {topic!r}")
    if not allow_wildcards and is_pattern(topic):
        raise ValueError(f"{what} must not contain the wildcards '*' or '?': {topic!r}")
    return topic


def matches(pattern: str, topic: str) -> bool:
    """Return whether the concrete ``topic`` matches ``pattern``.

    Runs in linear time for typical patterns (a single pass with backtracking to the last ``*``
    only), so no regular expression is compiled.
    """
    if "*" not in pattern and "?" not in pattern:
        return pattern == topic
    p_len = len(pattern)
    t_len = len(topic)
    p = t = 0
    star = -1  # index in pattern of the last '*' seen
    resume = 0  # index in topic where that '*' currently stops matching
    while t < t_len:
        if p < p_len and (pattern[p] == "?" or (pattern[p] == topic[t] and pattern[p] != "*")):
            p += 1
            t += 1
        elif p < p_len and pattern[p] == "*":
            star = p
            resume = t
            p += 1
        elif star >= 0:
            # Let the last '*' swallow one more character and retry from there.
            resume += 1
            t = resume
            p = star + 1
        else:
            return False
    while p < p_len and pattern[p] == "*":
        p += 1
    return p == p_len
