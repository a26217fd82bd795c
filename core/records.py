"""Plain records built from the attributes of another object: a row, a model, a record.

Where a dataclass holds what another object already has under the same names, ``copied``
reads each field from it, so the mapping is written once instead of field by field.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@cache
def _names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(field.name for field in fields(cls) if field.init)


def copied(cls: type[R], source: object, /, *, prefix: str = "", **given: Any) -> R:
    """A ``cls`` whose fields are ``given``, or else ``source``'s attribute of the same name
    (after ``prefix``: ``prefix="rotation_"`` reads ``name`` from ``source.rotation_name``)."""
    read = {name: getattr(source, prefix + name) for name in _names(cls) if name not in given}
    return cls(**read, **given)
