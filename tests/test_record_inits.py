"""Every record class's `__init__` is written out in imi_cli/memory/record_inits.py, so no command
compiles one from source (parsing it cost about half a million instructions a class, issue 16).

Run this file (`python tests/test_record_inits.py`) to rewrite record_inits.py after a record class
changes; the test below fails until it is.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

import imi_cli
import imi_lsp
from imi_cli.memory import record_inits, typed


def _record_classes() -> list[type]:
    for package in (imi_cli, imi_lsp):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found = {value for module in list(sys.modules.values()) if (getattr(module, "__name__", "") or "").startswith(
             ("imi_cli", "imi_lsp")) for value in vars(module).values()
             if isinstance(value, type) and "_defaults" in vars(value) and "_fields" in vars(value)}
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def test_record_inits_is_up_to_date():
    classes = _record_classes()
    assert len(classes) >= 10
    assert Path(record_inits.__file__).read_text(encoding="utf-8") == typed.inits_module(classes), \
        "a record class changed: run `python tests/test_record_inits.py` to rewrite imi_cli/memory/record_inits.py"


def test_no_record_class_compiles_its_init():
    for cls in _record_classes():
        init = typed._compile_init(list(cls._fields), cls._defaults)
        assert init.__module__ == record_inits.__name__, cls


def test_the_written_out_init_does_what_the_compiled_one_does():
    for cls in _record_classes():
        fields, defaults = list(cls._fields), cls._defaults
        written = typed._compile_init(fields, defaults)
        namespace: dict = {}
        exec(typed.init_source(fields, defaults), namespace)  # noqa: S102 - the same source, compiled now
        required = [name for name in fields if name not in defaults]
        for args, kwargs in (([f"v{i}" for i in range(len(required))], {}),
                             ([], {name: None for name in fields})):
            made, expected = object.__new__(cls), object.__new__(cls)
            written(made, *args, **kwargs)
            namespace["__init__"](expected, *args, **kwargs)
            assert made == expected and all(
                type(getattr(made, name)) is type(getattr(expected, name)) for name in fields), cls
        fresh = object.__new__(cls), object.__new__(cls)
        for item in fresh:
            written(item, *[f"v{i}" for i in range(len(required))])
        for name in fields:  # a list or dict default is a new one for every record
            if isinstance(getattr(fresh[0], name), (list, dict)):
                assert getattr(fresh[0], name) is not getattr(fresh[1], name)


def test_a_record_class_and_its_subclass_get_fields_slots_equality_and_repr():
    class Base(metaclass=typed.RecordType):
        name: str
        tags: list[str] = list
        __slots__ = ()

    class Child(Base):
        size: int = 3
        kind = "child"  # a plain class attribute, not a field

    first, second = Child("a"), Child("a", size=3)
    assert Child._fields == ("name", "tags", "size") and first.kind == "child"
    assert first == second and first.tags == [] and first.tags is not second.tags
    assert repr(first) == "Child(name='a', tags=[], size=3)"
    assert first != Child("b") and Base("a") != first
    with pytest.raises(AttributeError):
        first.colour = "red"  # slotted: no field can be made up
    with pytest.raises(TypeError):
        hash(first)


if __name__ == "__main__":
    Path(record_inits.__file__).write_text(typed.inits_module(_record_classes()), encoding="utf-8")
    print(f"wrote {record_inits.__file__}")
