"""How a document's classification and secrecy period are printed (RULES R3.2), e.g. 机密★20年."""

from __future__ import annotations

from huiwu.events.catalog import Classification

LEVEL_NAMES = {
    Classification.secret: "秘密",
    Classification.confidential: "机密",
    Classification.top_secret: "绝密",
}
# Unless a period is marked, 绝密 30 years, 机密 20, 秘密 10 (保密法).
DEFAULT_PERIOD_MONTHS = {
    Classification.secret: 10 * 12,
    Classification.confidential: 20 * 12,
    Classification.top_secret: 30 * 12,
}
MAX_PERIOD_MONTHS = DEFAULT_PERIOD_MONTHS


def marking(classification: Classification, period_months: int | None) -> str:
    """``机密★20年``; a period under a year is written in months (``秘密★6个月``); none for
    an unclassified document."""
    if classification == Classification.none:
        return ""
    level = Classification(classification)
    months = period_months or DEFAULT_PERIOD_MONTHS[level]
    period = f"{months // 12}年" if months % 12 == 0 else f"{months}个月"
    return f"{LEVEL_NAMES[level]}★{period}"


def copy_number(number: int) -> str:
    """份号: six Arabic digits (GB/T 9704-2012 §7.2.1), 000001."""
    return f"{number:06d}"
