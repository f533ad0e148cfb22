"""`RecordType`: typed, slotted record classes without the cost of importing dataclasses.

`imi context` and the agent hooks run as fresh processes many times a session;
importing `dataclasses` (it pulls in `inspect`) and building a dataclass costs
about 15 ms there, a quarter of the time budget. Records need only an
`__init__` from annotated fields with defaults, equality and a readable repr.
Each `__init__` is written out in record_inits.py (compiled with the package's
bytecode); one is compiled from source only for a class that file lacks.
"""

from __future__ import annotations

_MUTABLE_DEFAULTS = {list: "[]", dict: "{}"}


class RecordType(type):
    """The metaclass of records: `class Goal(metaclass=RecordType)` (or a subclass of a record class)
    with annotated fields gets a positional or keyword `__init__` with the class attributes as
    defaults (`list`/`dict` as a default means a fresh empty one), `__eq__`, `__repr__` and
    `__slots__`; fields of record base classes come first. The class is made once, by its own
    class statement: a decorator would have to make every record class a second time to add slots."""

    def __new__(mcls, name: str, bases: tuple, namespace: dict):
        own = namespace.get("__annotations__", {})
        if not own and not any(hasattr(base, "_fields") for base in bases):
            return super().__new__(mcls, name, bases, namespace)  # a base with shared behaviour only
        fields: list[str] = []
        defaults: dict[str, object] = {}
        for base in reversed(bases):
            fields += [field for field in getattr(base, "_fields", ()) if field not in fields]
            defaults.update(getattr(base, "_defaults", {}))
        for field in own:
            if field not in fields:
                fields.append(field)
            if field in namespace:
                defaults[field] = namespace.pop(field)
        slotted = {slot for base in bases for klass in base.__mro__ for slot in getattr(klass, "__slots__", ())}
        made: list[type] = []

        def __init__(self, *args, **kwargs):  # compiled on first use: a command uses few of the record kinds
            init = _compile_init(fields, defaults)
            made[0].__init__ = init
            init(self, *args, **kwargs)

        namespace.update(__slots__=tuple(field for field in fields if field not in slotted), __init__=__init__,
                         _fields=tuple(fields), _defaults=defaults, __eq__=_eq, __repr__=_repr, __hash__=None)
        made.append(super().__new__(mcls, name, bases, namespace))
        return made[0]


_LITERALS = (str, int, float, bool, type(None))


def _source(fields, defaults: dict[str, object], written) -> str | None:
    """The source of `__init__(self, field, field=default, ...)` setting each field; `written(name,
    default)` gives a default's text (None when it has none: then there is no source)."""
    params, body = [], []
    for name in fields:
        if name in defaults:
            default = defaults[name]
            if default in _MUTABLE_DEFAULTS:
                params.append(f"{name}=None")
                body.append(f"self.{name} = {_MUTABLE_DEFAULTS[default]} if {name} is None else {name}")
                continue
            text = written(name, default)
            if text is None:
                return None
            params.append(f"{name}={text}")
        else:
            params.append(name)
        body.append(f"self.{name} = {name}")
    return f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])


def _literal(name: str, default: object) -> str | None:
    if type(default) in _LITERALS and default == default:  # not NaN
        return repr(default)
    if type(default) in (tuple, frozenset) and not default:
        return "()" if type(default) is tuple else "frozenset()"
    return None


def init_source(fields, defaults: dict[str, object]) -> str | None:
    """The source of a record's `__init__` with each default written as a literal, or None when a
    default has no literal form. record_inits.py holds these functions for every record class."""
    return _source(fields, defaults, _literal)


def inits_module(classes) -> str:
    """The text of record_inits.py for these record classes."""
    sources = sorted({source for cls in classes if (source := init_source(cls._fields, cls._defaults))})
    out = ['"""The `__init__` of every record class (`typed.RecordType`), written out: compiled with the package\'s',
           "bytecode like any module, where compiling it from source at run time parsed it first (about half a",
           "million instructions a class, in every command). Generated: `python tests/test_record_inits.py`",
           'rewrites it, and that test fails when it is out of date."""', ""]
    for number, source in enumerate(sources):
        out += ["", source.replace("def __init__(", f"def _init_{number}(", 1), ""]
    out += ["", "INITS = {  # the source `typed.init_source` gives -> the function"]
    out += [f"    {source!r}: _init_{number}," for number, source in enumerate(sources)]
    return "\n".join(out + ["}", ""])


def _compile_init(fields: list[str], defaults: dict[str, object]):
    """A record's `__init__`: the one in record_inits.py, else compiled from source once."""
    source = init_source(fields, defaults)
    if source is not None:
        from .record_inits import INITS

        if source in INITS:
            return INITS[source]
    namespace = {f"_default_{name}": default for name, default in defaults.items()}
    exec(_source(fields, defaults, lambda name, _: f"_default_{name}"), namespace)  # noqa: S102 - from the class's own field names
    return namespace["__init__"]


def _eq(self, other) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return all(getattr(self, f) == getattr(other, f) for f in self._fields)


def _repr(self) -> str:
    return f"{type(self).__name__}(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields) + ")"
