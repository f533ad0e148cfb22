"""The server's settings: camelCase keys under `imi`, from initializationOptions and workspace/configuration.

```json
{"imi": {"codeLens": {"enable": true},
         "diagnostics": {"enable": true, "severity": "warning", "staleAnchors": true},
         "kinds": ["lesson", "decision", "task", "goal", "note"]}}
```
A value of the wrong type or out of range is ignored (the default stays) and
reported as one line per key, so a typo never stops the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from lsprotocol import types

from imi_cli.memory import KINDS

SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


@dataclass(slots=True, frozen=True)
class Settings:
    """What the user can turn on and off."""

    code_lens: bool = True
    """`imi.codeLens.enable`: lenses on files and anchored ranges named by records."""
    diagnostics: bool = True
    """`imi.diagnostics.enable`: a warning when an edit touches an area with a recorded lesson."""
    severity: str = "warning"
    """`imi.diagnostics.severity`: error, warning, information or hint."""
    stale_anchors: bool = True
    """`imi.diagnostics.staleAnchors`: an Information diagnostic where a record's anchored code changed or is gone."""
    kinds: tuple[str, ...] = field(default=KINDS)
    """`imi.kinds`: which record kinds lenses and hovers show (lesson, decision, task, goal, note)."""

    @property
    def diagnostic_severity(self) -> types.DiagnosticSeverity:
        return SEVERITIES[self.severity]


def section(payload: Any) -> dict | None:
    """The `imi` section of an options payload: `{"imi": {...}}` or the section itself."""
    if not isinstance(payload, dict):
        return None
    inner = payload.get("imi")
    return inner if isinstance(inner, dict) else payload


def merge(base: Settings, payload: Any) -> tuple[Settings, list[str]]:
    """Apply the keys present in `payload` over `base`; returns the result and one line per ignored value."""
    values = section(payload)
    if values is None:
        return base, ([] if payload is None else [f"imi settings must be an object, not {type(payload).__name__}"])
    problems: list[str] = []
    changes: dict[str, Any] = {}

    def take(group: str, key: str, attr: str, check, hint: str) -> None:
        holder = values.get(group) if group else values
        if not isinstance(holder, dict) or key not in holder:
            return
        value = holder[key]
        if check(value):
            changes[attr] = value
        else:
            name = f"imi.{group}.{key}" if group else f"imi.{key}"
            problems.append(f"ignored {name} = {value!r}: {hint}")

    take("codeLens", "enable", "code_lens", lambda v: isinstance(v, bool), "use true or false")
    take("diagnostics", "enable", "diagnostics", lambda v: isinstance(v, bool), "use true or false")
    take("diagnostics", "staleAnchors", "stale_anchors", lambda v: isinstance(v, bool), "use true or false")
    take("diagnostics", "severity", "severity", lambda v: isinstance(v, str) and v.lower() in SEVERITIES,
         "use " + ", ".join(SEVERITIES))
    take("", "kinds", "kinds",
         lambda v: isinstance(v, list) and all(isinstance(k, str) and k in KINDS for k in v),
         "use a list of " + ", ".join(KINDS))
    if "severity" in changes:
        changes["severity"] = changes["severity"].lower()
    if "kinds" in changes:
        changes["kinds"] = tuple(dict.fromkeys(changes["kinds"]))
    return replace(base, **changes), problems
