"""The 18-character resident identity number (GB 11643-1999): region, birth date, sequence and a
check character computed over the first 17 digits (ISO 7064 MOD 11-2)."""

from __future__ import annotations

import re
from datetime import date

from pydantic_core import PydanticCustomError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_character(first_17: str) -> str:
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first_17, _WEIGHTS, strict=True)) % 11]


def validate(value: str) -> str:
    """The number in canonical form (upper-case X), or a validation error naming the rule."""
    number = value.strip().upper()
    if not _SHAPE.match(number):
        raise PydanticCustomError("id_number_format", "an ID number is 17 digits and a digit or X")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise PydanticCustomError(
            "id_number_birth_date", "digits 7–14 are not a valid birth date (YYYYMMDD)"
        ) from None
    if check_character(number[:17]) != number[17]:
        raise PydanticCustomError("id_number_check_digit", "the check character does not match")
    return number


def mask(number: str | None) -> str | None:
    """What every read shows: the region and the last four, never the birth date."""
    return None if number is None else f"{number[:6]}********{number[-4:]}"
