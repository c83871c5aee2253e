"""One walker over the fields of a scenario section: what each field is, allows and holds.

:func:`walk` visits every field of a pydantic model class or instance, depth first in
declaration order, and yields a :class:`FieldRecord` per field: its dotted path, kind,
bounds (from :func:`simlib.scenario.schema.field_bounds`), description, default, current
value, whether it may be null, and the choices of a ``Literal``. Walking an instance it also
visits the items of lists and mappings (``organization.departments.0.share``,
``policies.fd.rating.shares.S``); those records have ``entry=True`` and carry the
description of the field that holds them.

The explorer's controls, the assumptions register (and with it ``simlib check --explain``),
the sweep's factor check and the fuzz strategies all read the schema through this walker.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from simlib.i18n import _
from simlib.scenario.dotted import Key, PathError, PathLike, index, join, split
from simlib.scenario.schema import field_bounds


class _Missing:
    """No value: the field is required (``default``) or a class is walked (``value``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

NUMERIC = ("int", "float")


@dataclass(frozen=True)
class FieldRecord:
    """One field (or item of a list or mapping) of a model, as the walker sees it.

    Attributes
    ----------
    path
        Keys from the walk's root, list indexes as text (``("behaviour", "raters", "halo")``).
    kind
        ``model``, ``bool``, ``int``, ``float``, ``str``, ``choice`` (a ``Literal``),
        ``list``, ``dict`` or ``other`` (e.g. a union of several types).
    annotation
        The annotation as declared (for an item: the container's item annotation).
    core
        The annotation with ``Annotated`` and ``| None`` taken off.
    metadata
        Constraint metadata from ``Annotated`` and from ``Field(...)``.
    low, high, low_open, high_open
        Bounds from ge/gt/le/lt; ``None`` when unbounded, ``*_open`` when exclusive.
    description
        The field's description (for an item: that of the field holding it), or ``""``.
    default
        The default value (default factories called), :data:`MISSING` for a required field
        or an item.
    value
        The current value when an instance is walked, else :data:`MISSING`.
    optional
        Whether ``None`` is allowed.
    choices
        The allowed values of a ``Literal`` (empty otherwise).
    entry
        Whether this is an item of a list or mapping rather than a declared field.
    owner
        The path of the model that declares the field (for an item: that declares the
        field holding it).
    field
        The name of the declared field (for an item: of the field holding it).
    in_item
        Whether the walk reached this record through an item of a list or mapping.
    extra
        The field's ``json_schema_extra`` mapping (for an item: that of the field holding
        it), e.g. the ``size`` marker of :mod:`simlib.scenario.sizes`; empty if none.
    """

    path: tuple[str, ...]
    kind: str
    annotation: Any
    core: Any
    metadata: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    description: str = ""
    default: Any = MISSING
    value: Any = MISSING
    optional: bool = False
    choices: tuple[Any, ...] = ()
    entry: bool = False
    owner: tuple[str, ...] = ()
    field: str = ""
    in_item: bool = False
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def dotted(self) -> str:
        """The path as ``a.b.c``."""
        return join(self.path)

    @property
    def name(self) -> str:
        """The last key of the path."""
        return self.path[-1] if self.path else ""

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


def unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """``(core type, constraint metadata, optional?)`` of an annotation.

    ``Annotated`` metadata is collected and ``X | None`` becomes ``X`` (optional); a union
    of several types other than ``None`` is returned as it is.
    """
    metadata: list[Any] = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation, metadata = args[0], metadata + list(args[1:])
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = True
            if len(members) != 1:
                return annotation, metadata, optional
            annotation = members[0]
        else:
            return annotation, metadata, optional


def kind_of(core: Any) -> str:
    """The :attr:`FieldRecord.kind` of an unwrapped annotation."""
    origin = typing.get_origin(core)
    if origin is Literal:
        return "choice"
    if isinstance(core, type) and issubclass(core, BaseModel):
        return "model"
    if core in (bool, int, float, str):
        return core.__name__
    if origin in (list, tuple) or core in (list, tuple):
        return "list"
    if origin is dict or core is dict:
        return "dict"
    return "other"


def _record(
    path: tuple[str, ...],
    annotation: Any,
    extra_metadata: list[Any],
    *,
    description: str,
    default: Any,
    value: Any,
    entry: bool,
    owner: tuple[str, ...],
    field: str,
    in_item: bool,
    extra: Mapping[str, Any],
) -> FieldRecord:
    core, metadata, optional = unwrap(annotation)
    metadata = metadata + extra_metadata
    low, high, low_open, high_open = field_bounds(metadata)
    kind = kind_of(core)
    return FieldRecord(
        path=path,
        kind=kind,
        annotation=annotation,
        core=core,
        metadata=tuple(metadata),
        low=low,
        high=high,
        low_open=low_open,
        high_open=high_open,
        description=description,
        default=default,
        value=value,
        optional=optional,
        choices=tuple(typing.get_args(core)) if kind == "choice" else (),
        entry=entry,
        owner=owner,
        field=field,
        in_item=in_item,
        extra=extra,
    )


def _model_fields(
    target: type[BaseModel] | BaseModel, prefix: tuple[str, ...], in_item: bool
) -> Iterator[FieldRecord]:
    """The records of the declared fields of ``target`` (one level)."""
    cls = target if isinstance(target, type) else type(target)
    for name, info in cls.model_fields.items():
        default = MISSING if info.is_required() else info.get_default(call_default_factory=True)
        value = MISSING if isinstance(target, type) else getattr(target, name)
        yield _record(
            (*prefix, name),
            info.annotation,
            list(info.metadata),
            description=info.description or "",
            default=default,
            value=value,
            entry=False,
            owner=prefix,
            field=name,
            in_item=in_item,
            extra=info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {},
        )


def _item_annotation(core: Any, position: int) -> Any:
    """The annotation of one item of a ``list[X]``/``tuple[X, ...]`` or ``dict[K, V]``."""
    args = typing.get_args(core)
    if not args:
        return Any
    return args[position] if position < len(args) else args[0]


def _items(parent: FieldRecord) -> Iterator[FieldRecord]:
    """Records of the items of a list or mapping value held by ``parent``."""
    value = parent.value
    if isinstance(value, dict) and parent.kind == "dict":
        pairs: list[tuple[Key, Any]] = list(value.items())
        inner = _item_annotation(parent.core, 1)
    elif isinstance(value, (list, tuple)) and parent.kind == "list":
        pairs = list(enumerate(value))
        inner = _item_annotation(parent.core, 0)
    else:
        return
    for key, item in pairs:
        yield _record(
            (*parent.path, str(key)),
            inner,
            [],
            description=parent.description,
            default=MISSING,
            value=item,
            entry=True,
            owner=parent.owner,
            field=parent.field,
            in_item=parent.in_item,
            extra=parent.extra,
        )


def _children(parent: FieldRecord) -> Iterator[FieldRecord]:
    """What the walker visits below ``parent``: a model's fields, a container's items."""
    if isinstance(parent.value, BaseModel):
        yield from _model_fields(parent.value, parent.path, parent.in_item or parent.entry)
    elif parent.value is MISSING:
        if parent.kind == "model":
            yield from _model_fields(parent.core, parent.path, parent.in_item or parent.entry)
    else:
        yield from _items(parent)


def _root(target: type[BaseModel] | BaseModel, prefix: tuple[str, ...]) -> FieldRecord:
    cls = target if isinstance(target, type) else type(target)
    return FieldRecord(
        path=prefix,
        kind="model",
        annotation=cls,
        core=cls,
        value=MISSING if isinstance(target, type) else target,
    )


def walk(
    target: type[BaseModel] | BaseModel,
    prefix: PathLike = (),
    *,
    nested: bool = True,
) -> Iterator[FieldRecord]:
    """Every field below ``target``, depth first, each before what it contains.

    Parameters
    ----------
    target
        A model class (records have no ``value``; sub-models are walked through their
        annotations) or an instance (the items of lists and mappings are visited too).
    prefix
        Keys put in front of every path, e.g. ``("policies", "fd")``.
    nested
        ``False`` yields only the fields of ``target`` itself.
    """
    root = _root(target, tuple(str(k) for k in split(prefix)) if prefix else ())
    if not nested:
        yield from _children(root)
        return
    stack = [iter(_children(root))]
    while stack:
        record = next(stack[-1], None)
        if record is None:
            stack.pop()
            continue
        yield record
        stack.append(iter(_children(record)))


def find(target: type[BaseModel] | BaseModel, path: PathLike) -> FieldRecord:
    """The record at ``path`` below ``target`` (a dotted string or a sequence of keys).

    Raises
    ------
    PathError
        Naming the path, where it stopped and the keys that exist there.
    """
    keys = split(path)
    record = _root(target, ())
    for depth, key in enumerate(keys):
        found = None
        options: list[str] = []
        for child in _children(record):
            options.append(child.name)
            if child.name == str(key):
                found = child
                break
        if found is None and isinstance(record.value, (list, tuple)):
            at = index(key, len(record.value))
            options = []
            if at is not None:
                found = next(c for c in _children(record) if c.name == str(at))
        if found is None:
            raise PathError(keys, depth, _("has no {key}").format(key=repr(key)), options)
        record = found
    return record
