"""Data classes declared as with ``dataclasses``, at a fraction of its start-up cost.

Every run imports every module (docs/architecture.md), and ``dataclasses`` was the
largest part of that: importing it (it imports inspect, and with it ast, dis and tokenize)
and building the package's 65 classes took 240M of the 465M instructions of importing the
whole linter (callgrind, warm pre-commit run): for each class it examines every
annotation and compiles each generated method on its own.

``dataclass`` here is the part of the standard decorator this package uses, with the same
defaults and the same generated methods:

* fields are the class's own annotations, in order (no base class is a data class here;
  ``ClassVar`` and ``InitVar`` are not used);
* a default is the class attribute, or ``field(default=..., default_factory=...,
  repr=...)``; a mutable default, or a field without one after a field with one, is the
  same error as there;
* ``__init__`` (calling ``__post_init__`` when the class has one); ``__repr__`` when
  ``repr``; ``__eq__`` when ``eq``, and ``__hash__`` from the fields when also ``frozen``
  (``None``, unhashable, when not, as there); ``frozen`` refuses assignment and deletion;
  ``slots`` rebuilds the class with ``__slots__``.

A class's methods are defined by one function, generated from the declaration as text.
Compiling that text at every start was most of the cost of ``dataclasses`` too, so the
functions of all classes are written once into ``_records.py`` (``python -m
multus_lint.gen_records``), compiled with the package like any module; a class whose text no
longer matches is compiled at start-up instead (right, only slower), and
tests/test_records.py fails until the file is written again. ``replace`` is
``dataclasses.replace``. tests/test_records.py also compares every generated method with
the standard one on the same declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen instance (as ``dataclasses.FrozenInstanceError``)."""


class Field:
    __slots__ = ("default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool) -> None:  # noqa: A002
        self.default = default
        self.default_factory = default_factory
        self.repr = repr


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING,
          repr: bool = True) -> Any:  # noqa: A002
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, repr)


def dataclass(cls: type[T] | None = None, /, *, repr: bool = True, eq: bool = True,  # noqa: A002
              frozen: bool = False, slots: bool = False) -> Any:
    def wrap(c: type[T]) -> type[T]:
        return _build(c, repr, eq, frozen, slots)

    return wrap if cls is None else wrap(cls)


def replace(obj: T, /, **changes: Any) -> T:
    """A new instance of ``obj``'s class with its fields, ``changes`` applied (through
    ``__init__``, as ``dataclasses.replace``)."""
    names = type(obj).__record_fields__  # type: ignore[attr-defined]
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    values = {name: getattr(obj, name) for name in names}
    values.update(changes)
    return type(obj)(**values)


def _build(cls: type[T], want_repr: bool, eq: bool, frozen: bool, slots: bool) -> type[T]:
    names = list(cls.__dict__.get("__annotations__", {}))
    # what the methods are made with, passed to the function that defines them; their own
    # names start with __r_, so no field can shadow one
    env: dict[str, Any] = {"__r_missing": MISSING, "__r_set": object.__setattr__}
    params, body, shown = [], [], []
    seen_default = False
    for i, name in enumerate(names):
        if name == "self" or name.startswith("__r_"):
            raise TypeError(f"field name {name!r} is reserved")
        value = cls.__dict__.get(name, MISSING)
        in_repr = True
        factory = MISSING
        if isinstance(value, Field):
            value, factory, in_repr = value.default, value.default_factory, value.repr
        if isinstance(value, (list, dict, set)):
            raise ValueError(f"mutable default {type(value)} for field {name} is not allowed: "
                             "use default_factory")
        if factory is not MISSING:
            env[f"__r_f{i}"] = factory
            params.append(f"{name}=__r_missing")
            given = f"__r_f{i}() if {name} is __r_missing else {name}"
        elif value is not MISSING:
            env[f"__r_d{i}"] = value
            params.append(f"{name}=__r_d{i}")
            given = name
        else:
            if seen_default:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
            given = name
        seen_default = seen_default or factory is not MISSING or value is not MISSING
        body.append(f"__r_set(self, {name!r}, {given})" if frozen else f"self.{name} = {given}")
        if in_repr:
            shown.append(name)
        # the class attribute is the default (dataclasses leaves it so), or nothing
        if slots or value is MISSING:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            setattr(cls, name, value)
    if "__post_init__" in cls.__dict__:
        body.append("self.__post_init__()")
    src = [f"def __init__(self, {', '.join(params)}):", *(f"    {line}" for line in body or ["pass"])]
    made = ["__init__"]
    if want_repr and "__repr__" not in cls.__dict__:
        inner = ", ".join(f"{n}={{self.{n}!r}}" for n in shown)
        src += ["def __repr__(self):", f"    return f'{{self.__class__.__qualname__}}({inner})'"]
        made.append("__repr__")
    mine = "(" + "".join(f"self.{n}," for n in names) + ")"
    theirs = "(" + "".join(f"other.{n}," for n in names) + ")"
    if eq and "__eq__" not in cls.__dict__:
        src += ["def __eq__(self, other):", "    if other.__class__ is self.__class__:",
                f"        return {mine} == {theirs}", "    return NotImplemented"]
        made.append("__eq__")
    # a __hash__ of the class's own, as dataclasses tells it: a class body defining __eq__
    # gets __hash__ = None from Python, which is no hash of its own
    own_hash = "__hash__" in cls.__dict__ and not (cls.__dict__["__hash__"] is None and "__eq__" in cls.__dict__)
    if eq and frozen and not own_hash:
        src += ["def __hash__(self):", f"    return hash({mine})"]
        made.append("__hash__")
    text = "\n".join([f"def {OUTER}({', '.join(env)}):", *(f"    {line}" for line in src),
                      f"    return ({', '.join(made)},)"]) + "\n"
    key = f"{cls.__module__}.{cls.__qualname__}"
    TEXTS[key] = text
    define = _definition(key, text)
    for name, fn in zip(made, define(**env)):
        fn.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, fn)
    if frozen:  # the same two methods for every frozen class
        cls.__setattr__ = _frozen_setattr  # type: ignore[method-assign,assignment]
        cls.__delattr__ = _frozen_delattr  # type: ignore[method-assign,assignment]
    if eq and not frozen and not own_hash:
        cls.__hash__ = None  # type: ignore[assignment]  # compared by value, so unhashable
    cls.__record_fields__ = tuple(names)  # type: ignore[attr-defined]
    if slots:
        attrs = dict(cls.__dict__)
        attrs.pop("__dict__", None)
        attrs.pop("__weakref__", None)
        attrs["__slots__"] = tuple(names)
        qualname = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, attrs)
        cls.__qualname__ = qualname
    return cls


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


# ------------------------------------------------------------ the generated module

OUTER = "__r_define"
GENERATED_FILE = "_records.py"
TEXTS: dict[str, str] = {}  # class -> the source of its methods' definition, this run
STALE: list[str] = []  # classes whose definition was compiled here (not in _records.py)


def _definition(key: str, text: str) -> Callable[..., tuple]:
    """The function that defines ``key``'s methods: the one ``_records.py`` holds when it
    was written from this very text, else ``text`` compiled now (a class changed since the
    file was written: right, only slower; tests/test_records.py fails until it is written
    again)."""
    try:
        from multus_lint._records import GENERATED
    except ImportError:
        GENERATED = {}
    known = GENERATED.get(key)
    if known is not None and known[0] == text:
        return known[1]  # type: ignore[no-any-return]
    STALE.append(key)
    local: dict[str, Any] = {}
    exec(text, {}, local)  # noqa: S102 (our own generated methods, as dataclasses does)
    return local[OUTER]  # type: ignore[no-any-return]
