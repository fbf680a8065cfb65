"""Frozen records read from plain data (TOML, decoded JSON), checked against their type hints.

The policy file and the Heroku API's answers are read on every ``gatekeeper check``, so their
validation is on the path a researcher waits for before ``git push``. Pydantic would do it,
but importing it and building its validators costs about 130 ms of a check's 360 ms
(docs/benchmarks.md). This module does the part those two need, strictly, with the standard
library: a frozen dataclass (``@dataclass(frozen=True, kw_only=True)``) is read from a dict
field by field, and every problem is reported at once, each as the same error details
pydantic gives (``type``, ``loc``, ``msg``, ``input``, ``ctx``) so the policy loader's plain
words for them stay as they are. Pydantic keeps the boundaries off that path: snapshots and
the history store (``gatekeeper.serial``), the JSON report (``gatekeeper.report.v1``).

Strict means what pydantic's strict mode means for data from TOML and JSON: a string is a
``str``, an integer an ``int`` (not a ``bool``), a date a ``date`` (not a ``datetime``, not a
string), an array a ``list``; a union takes the first member that accepts the value. A class
says how it treats keys it does not declare with ``record_extra`` ("forbid": an error, as a
typo in a policy must be; "ignore": dropped, as Heroku adds fields over time) and whether its
text must be encodable Unicode (``record_unicode``: JSON escapes can spell lone surrogates).

``Annotated`` metadata adds checks: ``Check(fn)`` runs ``fn`` on the value once its type is
right (a ``ValueError`` becomes a ``value_error``), ``Bounds(ge=, le=)`` limits a number.
``described(...)`` gives a field its description (for the policy's JSON Schema).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal, TypeVar, Union

T = TypeVar("T")

#: One problem, shaped as pydantic's ``ErrorDetails``.
ErrorDetails = dict[str, Any]
Loc = tuple[str | int, ...]

_MISSING = dataclasses.MISSING


class RecordError(ValueError):
    """Data that does not fit a record; ``errors()`` lists every problem."""

    def __init__(self, title: str, errors: list[ErrorDetails]) -> None:
        self.title = title
        self._errors = errors
        super().__init__(f"{len(errors)} problem(s) reading {title}")

    def errors(self) -> list[ErrorDetails]:
        return list(self._errors)


@dataclasses.dataclass(frozen=True, eq=False)  # hashed by identity: json_schema is a dict
class Check:
    """``Annotated`` metadata: ``fn`` checks (and may normalise) a value of the right type."""

    fn: Callable[[Any], Any]
    json_schema: dict[str, Any] | None = None  # replaces the type's schema in the JSON Schema


@dataclasses.dataclass(frozen=True)
class Bounds:
    """``Annotated`` metadata: an integer from ``ge`` to ``le``, both included."""

    ge: int | None = None
    le: int | None = None


def described(
    default: Any = _MISSING,
    *,
    description: str,
    default_factory: Callable[[], Any] | Any = _MISSING,
) -> Any:
    """A dataclass field with a description (shown in the policy's JSON Schema)."""
    return dataclasses.field(
        default=default, default_factory=default_factory, metadata={"description": description}
    )


def set_by_code(default: Any = None) -> Any:
    """A dataclass field the data never sets (no key of its own): what the code that reads
    a record adds, such as the file it came from. ``dataclasses.replace`` keeps it."""
    return dataclasses.field(default=default, repr=False, compare=False, metadata={_BY_CODE: True})


def is_key(f: dataclasses.Field[Any]) -> bool:
    """Whether the data sets field ``f`` (fields ``set_by_code`` or ``init=False`` it does not)."""
    return f.init and not f.metadata.get(_BY_CODE, False)


_BY_CODE = "gatekeeper.records.set_by_code"


def read(cls: type[T], data: Any) -> T:
    """``data`` as a ``cls`` record; ``RecordError`` lists every problem."""
    errors: list[ErrorDetails] = []
    value = _converter(cls)(data, (), errors)
    if errors:
        raise RecordError(cls.__name__, errors)
    return typing.cast(T, value)


# -- converters --------------------------------------------------------------------------------
# A converter takes (value, loc, errors) and returns the converted value, or _FAILED after
# appending to errors. Converters are built once per type and kept.

_FAILED: Any = object()
Converter = Callable[[Any, Loc, list[ErrorDetails]], Any]
_CONVERTERS: dict[Any, Converter] = {}


def _error(
    errors: list[ErrorDetails],
    kind: str,
    loc: Loc,
    msg: str,
    value: Any,
    ctx: dict[str, Any] | None = None,
) -> Any:
    detail: ErrorDetails = {"type": kind, "loc": loc, "msg": msg, "input": value}
    if ctx is not None:
        detail["ctx"] = ctx
    errors.append(detail)
    return _FAILED


def _converter(hint: Any, unicode: bool = False) -> Converter:
    if dataclasses.is_dataclass(hint):
        unicode = False  # a record's own record_unicode rules inside it: one converter a class
    key = (hint, unicode)
    found = _CONVERTERS.get(key)
    if found is None:
        found = _CONVERTERS[key] = _build(hint, unicode)
    return found


def _build(hint: Any, unicode: bool) -> Converter:
    if hint is Any:
        return lambda v, loc, errors: v
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _record_converter(hint)
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _annotated(hint, unicode)
    if origin is Literal:
        return _literal(typing.get_args(hint))
    if origin is Union or origin is types.UnionType:
        return _union(typing.get_args(hint), unicode)
    if origin is list or origin is tuple:
        return _sequence(hint, origin, unicode)
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        return _mapping(_converter(key_type, unicode), _converter(value_type, unicode))
    if hint is type(None):
        return _none
    simple = _SIMPLE.get(hint)
    if simple is not None:
        return simple(unicode)
    raise TypeError(f"records cannot read the type {hint!r}")


def _text(unicode: bool) -> Converter:
    def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
        if type(v) is not str:
            return _error(errors, "string_type", loc, "Input should be a valid string", v)
        if unicode:
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                message = "text holds a lone surrogate, which is not Unicode"
                return _error(
                    errors, "value_error", loc, f"Value error, {message}", v,
                    {"error": ValueError(message)},
                )  # fmt: skip
        return v

    return convert


def _of_type(kind: str, noun: str, accepts: Callable[[Any], bool]) -> Callable[[bool], Converter]:
    def make(unicode: bool) -> Converter:
        def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
            if accepts(v):
                return v
            return _error(errors, kind, loc, f"Input should be a valid {noun}", v)

        return convert

    return make


_SIMPLE: dict[Any, Callable[[bool], Converter]] = {
    str: _text,
    bool: _of_type("bool_type", "boolean", lambda v: type(v) is bool),
    int: _of_type("int_type", "integer", lambda v: type(v) is int),
    float: _of_type("float_type", "number", lambda v: type(v) in (int, float)),
    date: _of_type("date_type", "date", lambda v: type(v) is date),
    datetime: _of_type("datetime_type", "datetime", lambda v: isinstance(v, datetime)),
}


def _none(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
    if v is None:
        return None
    return _error(errors, "none_required", loc, "Input should be None", v)


def _expected(values: tuple[Any, ...]) -> str:
    shown = [repr(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _literal(values: tuple[Any, ...]) -> Converter:
    allowed = {(type(v), v) for v in values}
    expected = _expected(values)

    def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
        try:
            if (type(v), v) in allowed:
                return v
        except TypeError:  # an unhashable value (an array, a table) is no literal
            pass
        return _error(
            errors, "literal_error", loc, f"Input should be {expected}", v, {"expected": expected}
        )

    return convert


def _union(members: tuple[Any, ...], unicode: bool) -> Converter:
    nullable = type(None) in members
    others = [m for m in members if m is not type(None)]
    converters = [(_member_name(m), _converter(m, unicode)) for m in others]

    def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
        if v is None and nullable:
            return None
        if len(converters) == 1:  # X | None: X's own errors, as pydantic reports them
            return converters[0][1](v, loc, errors)
        tried: list[ErrorDetails] = []
        for name, member in converters:
            attempt: list[ErrorDetails] = []
            result = member(v, (*loc, name), attempt)
            if not attempt:
                return result
            tried += attempt
        errors.extend(tried)
        return _FAILED

    return convert


def _member_name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return repr(hint).replace("typing.", "")


def _sequence(hint: Any, origin: type, unicode: bool) -> Converter:
    args = typing.get_args(hint)
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        raise TypeError(f"records read only homogeneous tuples, not {hint!r}")
    item = _converter(args[0], unicode)
    kind, noun = ("list_type", "list") if origin is list else ("tuple_type", "tuple")

    def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
        # JSON and TOML have arrays only: a tuple field reads a list too.
        if not (type(v) is list or (origin is tuple and type(v) is tuple)):
            return _error(errors, kind, loc, f"Input should be a valid {noun}", v)
        before = len(errors)
        out = [item(x, (*loc, i), errors) for i, x in enumerate(v)]
        if len(errors) > before:
            return _FAILED
        return out if origin is list else tuple(out)

    return convert


def _mapping(key: Converter, value: Converter) -> Converter:
    def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
        if type(v) is not dict:
            return _error(errors, "dict_type", loc, "Input should be a valid dictionary", v)
        before = len(errors)
        out = {}
        for k, x in v.items():
            converted_key = key(k, (*loc, k, "[key]"), errors)
            out[converted_key] = value(x, (*loc, k), errors)
        return _FAILED if len(errors) > before else out

    return convert


def _annotated(hint: Any, unicode: bool) -> Converter:
    base, *metadata = typing.get_args(hint)
    inner = _converter(base, unicode)
    checks: list[Check | Bounds] = [m for m in metadata if isinstance(m, Check | Bounds)]

    def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
        before = len(errors)
        result = inner(v, loc, errors)
        if len(errors) > before:
            return _FAILED
        for check in checks:
            if isinstance(check, Bounds):
                if check.ge is not None and result < check.ge:
                    return _error(
                        errors, "greater_than_equal", loc,
                        f"Input should be greater than or equal to {check.ge}", v,
                        {"ge": check.ge},
                    )  # fmt: skip
                if check.le is not None and result > check.le:
                    return _error(
                        errors, "less_than_equal", loc,
                        f"Input should be less than or equal to {check.le}", v, {"le": check.le},
                    )  # fmt: skip
                continue
            try:
                result = check.fn(result)
            except ValueError as exc:
                return _error(errors, "value_error", loc, f"Value error, {exc}", v, {"error": exc})
        return result

    return convert


# -- records -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    convert: Converter
    required: bool


def record_fields(cls: type) -> list[str]:
    """The keys a record reads, in declaration order."""
    return [f.name for f in dataclasses.fields(cls) if is_key(f)]


def _record_converter(cls: type) -> Converter:
    extra = getattr(cls, "record_extra", "forbid")
    unicode = bool(getattr(cls, "record_unicode", False))
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: list[_Field] = []
    for f in dataclasses.fields(cls):
        if not is_key(f):
            continue
        required = f.default is _MISSING and f.default_factory is _MISSING
        fields.append(_Field(f.name, _converter(hints[f.name], unicode), required))
    known = frozenset(f.name for f in fields)
    title = cls.__name__

    def convert(v: Any, loc: Loc, errors: list[ErrorDetails]) -> Any:
        if isinstance(v, cls):
            return v
        if type(v) is not dict:
            return _error(
                errors, "model_type", loc,
                f"Input should be a valid dictionary or instance of {title}", v,
                {"class_name": title},
            )  # fmt: skip
        before = len(errors)
        values: dict[str, Any] = {}
        for field in fields:
            if field.name in v:
                values[field.name] = field.convert(v[field.name], (*loc, field.name), errors)
            elif field.required:
                _error(errors, "missing", (*loc, field.name), "Field required", v)
        if extra == "forbid":
            for k in v:
                if k not in known:
                    _error(
                        errors, "extra_forbidden", (*loc, k), "Extra inputs are not permitted",
                        v[k],
                    )  # fmt: skip
        if len(errors) > before:
            return _FAILED
        return cls(**values)

    return convert
