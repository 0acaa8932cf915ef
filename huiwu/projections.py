"""Helpers for read models built from events. Redelivery reorders, so a projection keeps a
version per row and only moves forward."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from huiwu.events.contract import EventContract

RowT = TypeVar("RowT", bound=SQLModel)


def apply_if_newer(
    session: Session, model: type[RowT], key: str, version: int, values: dict[str, Any]
) -> bool:
    """Insert the row, or update it if ``version`` is newer than the stored one. True if applied."""
    values = {**values, "version": version}
    row = session.get(model, key)
    if row is None:
        session.add(model.model_validate(values))
        return True
    if getattr(row, "version") >= version:  # noqa: B009 - every projection row has a version
        return False
    for name, value in values.items():
        setattr(row, name, value)
    return True


def project(session: Session, model: type[RowT], key: str, data: EventContract, *, version: int) -> bool:
    """Copy the event fields the row has (its columns, by name) onto row ``key``, if newer."""
    columns = set(model.model_fields) - {"id", "version"}
    values = {"id": key, **data.model_dump(include=columns)}
    return apply_if_newer(session, model, key, version, values)
