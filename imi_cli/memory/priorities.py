"""Task and goal priorities: critical/high/medium/low/backlog, also written 0-4 or p0-p4."""

from .errors import UsageError

NAMES = ("critical", "high", "medium", "low", "backlog")
RANK = {name: rank for rank, name in enumerate(NAMES)}
SQL_RANK = "CASE {col} " + " ".join(f"WHEN '{n}' THEN {r}" for r, n in enumerate(NAMES)) + " ELSE 2 END"


def parse_priority(value: str | int | None, default: str = "medium") -> str:
    """Normalise a priority; raise UsageError for anything that is not one."""
    if value is None or value == "":
        return default
    text = str(value).strip().lower()
    if text.startswith("p") and text[1:].isdigit():
        text = text[1:]
    if text.isascii() and text.isdigit() and int(text) < len(NAMES):
        return NAMES[int(text)]
    if text in RANK:
        return text
    raise UsageError(f"invalid priority {value!r}: use critical, high, medium, low, backlog or 0-4")


def rank_sql(column: str) -> str:
    """An SQL expression ordering a priority column, most urgent first."""
    return SQL_RANK.format(col=column)
