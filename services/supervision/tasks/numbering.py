"""Task numbers (统一编号登记, RULES R4.2): one series per meeting and year, printed in the meeting's
format, by default 督〔2027〕3号."""

from __future__ import annotations

from string import Formatter

from pydantic_core import PydanticCustomError
from sqlalchemy import func, select
from sqlmodel import Session, col

from services.supervision.tasks.models import Task

DEFAULT_FORMAT = "督〔{year}〕{n}号"
PLACEHOLDERS = {"year", "n"}


def checked_format(template: str) -> str:
    """``template`` if it prints a number: {year} and {n} (e.g. {n:03d}) and nothing else."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
        if not names - PLACEHOLDERS and {"year", "n"} <= names:
            template.format(year=2027, n=1)
    except (ValueError, TypeError) as error:
        raise PydanticCustomError(
            "malformed_format", "the format does not print: {problem}", {"problem": str(error)}
        ) from error
    if unknown := names - PLACEHOLDERS:
        raise PydanticCustomError(
            "unknown_placeholder",
            "only year and n may appear in braces, not {names}",
            {"names": ", ".join(sorted(repr(name) for name in unknown))},
        )
    if missing := PLACEHOLDERS - names:
        raise PydanticCustomError(
            "placeholder_required",
            "the format needs {names} in braces: numbers run per meeting and year",
            {"names": " and ".join(sorted(missing))},
        )
    return template


def printed(template: str, year: int, serial: int) -> str:
    return template.format(year=year, n=serial)


def next_serial(session: Session, meeting_id: str, year: int) -> int:
    """The next number of the meeting's series for ``year``. Callers hold the meeting's settings
    row locked, so two registrations never draw the same number."""
    last = session.scalar(
        select(func.max(col(Task.serial))).where(col(Task.meeting_id) == meeting_id, col(Task.year) == year)
    )
    return int(last or 0) + 1
