"""Hybrid logical clock stamps: ordered like wall-clock time, but never going backwards on a
machine and always after anything that machine has seen from others.

A stamp is text that sorts in time order: 9 base36 characters of milliseconds,
3 of a counter for writes within one millisecond, then the writing clone's node
id, which breaks ties between machines deterministically.
"""

from __future__ import annotations

import os

from .ids import _base36

_MS_WIDTH, _COUNTER_WIDTH, NODE_WIDTH = 9, 3, 6
STAMP_WIDTH = _MS_WIDTH + _COUNTER_WIDTH + NODE_WIDTH  # 9 base36 digits of ms last until about the year 5100
_COUNTER_MAX = 36**_COUNTER_WIDTH - 1


def new_node_id() -> str:
    """A random id for one clone's database (6 base36 characters)."""
    return _base36(int.from_bytes(os.urandom(5), "big") % 36**NODE_WIDTH, NODE_WIDTH)


def parse(stamp: str) -> tuple[int, int, str]:
    """(milliseconds, counter, node) of a stamp."""
    return (int(stamp[:_MS_WIDTH], 36), int(stamp[_MS_WIDTH:_MS_WIDTH + _COUNTER_WIDTH], 36),
            stamp[_MS_WIDTH + _COUNTER_WIDTH:])


def format_stamp(ms: int, counter: int, node: str) -> str:
    """The text form of a stamp."""
    return _base36(ms, _MS_WIDTH) + _base36(counter, _COUNTER_WIDTH) + node


def is_stamp(text: str) -> bool:
    """True for a well-formed stamp (file names from git are checked before use)."""
    if len(text) != _MS_WIDTH + _COUNTER_WIDTH + NODE_WIDTH or not text.isascii() or not text.isalnum():
        return False
    return text == text.lower()


def tick(last: str | None, now_ms: int, node: str) -> str:
    """The stamp for a new local write: after `last` (the newest stamp seen) and not before now."""
    if last is None:
        return format_stamp(now_ms, 0, node)
    last_ms, last_counter, _ = parse(last)
    if now_ms > last_ms:
        return format_stamp(now_ms, 0, node)
    if last_counter < _COUNTER_MAX:
        return format_stamp(last_ms, last_counter + 1, node)
    return format_stamp(last_ms + 1, 0, node)


def later(a: str | None, b: str | None) -> str | None:
    """The later of two stamps (None counts as earliest)."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
