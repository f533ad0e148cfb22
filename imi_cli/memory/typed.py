"""`record`: typed, slotted record classes without the cost of importing dataclasses.

`imi context` and the agent hooks run as fresh processes many times a session;
importing `dataclasses` (it pulls in `inspect`) and building a dataclass costs
about 15 ms there, a quarter of the time budget. Records need only an
`__init__` from annotated fields with defaults, equality and a readable repr.
"""

from __future__ import annotations

_MUTABLE_DEFAULTS = {list: "[]", dict: "{}"}


def record(cls: type) -> type:
    """Make a class of annotated fields into a record: positional or keyword `__init__` with the class
    attributes as defaults (`list`/`dict` as a default means a fresh empty one), `__eq__`, `__repr__`,
    and `__slots__`. Fields of record base classes come first."""
    fields: list[str] = []
    defaults: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        for name in klass.__dict__.get("__annotations__", {}):
            if name not in fields:
                fields.append(name)
            if name in klass.__dict__:
                defaults[name] = klass.__dict__[name]
    made: list[type] = []

    def __init__(self, *args, **kwargs):  # compiled on first use: a command uses few of the record kinds
        init = _compile_init(fields, defaults)
        made[0].__init__ = init
        init(self, *args, **kwargs)

    attrs = {k: v for k, v in cls.__dict__.items() if k not in fields and k not in ("__dict__", "__weakref__")}
    attrs.update(__slots__=tuple(f for f in fields if not any(f in getattr(b, "__slots__", ()) for b in cls.__mro__[1:])),
                 __init__=__init__, _fields=tuple(fields), __eq__=_eq, __repr__=_repr, __hash__=None)
    made.append(type(cls)(cls.__name__, cls.__bases__, attrs))
    return made[0]


def _compile_init(fields: list[str], defaults: dict[str, object]):
    """`__init__(self, field, field=default, ...)` setting each field, as source compiled once."""
    params, body, namespace = [], [], {}
    for name in fields:
        if name in defaults:
            default = defaults[name]
            if default in _MUTABLE_DEFAULTS:
                params.append(f"{name}=None")
                body.append(f"self.{name} = {_MUTABLE_DEFAULTS[default]} if {name} is None else {name}")
                continue
            namespace[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
        else:
            params.append(name)
        body.append(f"self.{name} = {name}")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    exec(source, namespace)  # noqa: S102 - generated from the class's own field names
    return namespace["__init__"]


def _eq(self, other) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return all(getattr(self, f) == getattr(other, f) for f in self._fields)


def _repr(self) -> str:
    return f"{type(self).__name__}(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields) + ")"
