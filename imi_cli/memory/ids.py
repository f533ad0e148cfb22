"""Record ids: 16 characters, base36, time-ordered, random enough to never collide across machines.

Same shape as IMI 0.3's ids (8 characters of milliseconds, then 8 random ones), so
old and new ids sort and look alike.
"""

import os
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    while number:
        number, rem = divmod(number, 36)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(width, "0")[-width:]


def new_id() -> str:
    """A new record id: 8 base36 characters of the current millisecond, 8 random ones."""
    random_part = int.from_bytes(os.urandom(6), "big") % 36**8  # 2^48 >> 36^8: bias is negligible
    return _base36(time.time_ns() // 1_000_000, 8) + _base36(random_part, 8)
