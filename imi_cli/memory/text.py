"""Cleaning text from users and agents before it is stored: one place for every entry point.

Memory is read back by terminals, editors and agents. A stored escape sequence would
recolour, retitle or rewrite a reader's terminal; a bidi override would show code in
another order than it runs ("Trojan Source"); zero-width and tag characters can hide
words from a person while an agent still reads them. None of them is ever stored.
"""

from __future__ import annotations

from .errors import UsageError
from .lazyre import LazyPattern
from .redaction import redact

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

MAX_TEXT = 100_000

# Terminal escape sequences go whole, so "\x1b[31m" leaves no "[31m" behind (7-bit and 8-bit forms).
_ESCAPES = LazyPattern(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"                       # CSI: colours, cursor moves, erase
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: window title, hyperlinks, clipboard
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"                                      # two-character escapes (ESC c resets)
)
# Control characters but tab and newline; bidi embeddings, overrides, isolates and marks;
# invisible characters that have no use in text (zero-width space, word joiner, invisible
# operators, BOM, soft hyphen, Hangul fillers that render as nothing).
_INVISIBLE = LazyPattern(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u034f\u180e"
    "\u115f\u1160\u3164\uffa0\ufff9-\ufffb]"
)
# Invisible characters that belong in some text: joiners (emoji sequences, Indic and Persian
# scripts) and variation selectors (emoji or text style of the character before).
_CONTEXTUAL = LazyPattern("[\u200c\u200d\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# Tag characters spell ASCII invisibly; their one use is a subdivision flag (England, Scotland, Wales).
_TAGS = LazyPattern("[\U000e0000-\U000e007f]+")
_BLACK_FLAG, _CANCEL_TAG = "\U0001F3F4", "\U000E007F"
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})


def _visible_partner(char: str) -> bool:
    """What a joiner may stand between: a non-ASCII letter, mark or symbol (not Latin text)."""
    import unicodedata  # only for text with joiners or variation selectors

    return bool(char) and not char.isascii() and unicodedata.category(char)[0] in "LMS"


def _keep_contextual(text: str, index: int) -> bool:
    before = text[index - 1] if index else ""
    if text[index] in "\u200c\u200d":  # ZWNJ, ZWJ
        return _visible_partner(before) and _visible_partner(text[index + 1:index + 2])
    return bool(before) and not _CONTEXTUAL.match(before)  # one selector styles a character; a run hides data


def _flag_tags(match: re.Match) -> str:
    run, start = match.group(), match.start()
    is_flag = start and match.string[start - 1] == _BLACK_FLAG and 2 <= len(run) <= 8 and run[-1] == _CANCEL_TAG
    return run if is_flag else ""


def scrub(text: str) -> str:
    """The text without terminal escapes, control characters (tab and newline stay), bidi controls
    or hidden characters; line breaks of every kind become "\\n". Pure; cleaning twice changes nothing."""
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to remove, no regex run
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    text = _INVISIBLE.sub("", _ESCAPES.sub("", text))
    if not text.isascii():
        text = _TAGS.sub(_flag_tags, text)
        if _CONTEXTUAL.search(text):
            text = "".join(c for i, c in enumerate(text) if not _CONTEXTUAL.match(c) or _keep_contextual(text, i))
    return text


def clean(text: str | None, what: str, *, required: bool = True) -> str | None:
    """Scrub (see `scrub`) and trim the text, redact credentials, and enforce presence and size.
    Raises UsageError with one clear line."""
    if text is None:
        if required:
            raise UsageError(f"{what} is required")
        return None
    if not isinstance(text, str):
        raise UsageError(f"{what} must be text")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8, or a bad JSON escape
            raise UsageError(f"{what} is not valid UTF-8 text") from None
    value = scrub(text).strip()
    if required and not value:
        raise UsageError(f"{what} is empty" if not text.strip() else f"{what} has no visible text")
    if len(value) > MAX_TEXT:
        raise UsageError(f"{what} is too long ({len(value)} characters; the limit is {MAX_TEXT})")
    return redact(value, what) if value else None
