"""Printable exports for the registration desk: the roster as XLSX and PDF, badge sheets as PDF.

Pure functions from plain values to file bytes; the HTTP routes that serve them live elsewhere.
"""

from huiwu.fonts import FontPackageMissing
from services.registration.exports.badge_sheet import badge_sheet_pdf
from services.registration.exports.models import BadgeCard, RosterRow
from services.registration.exports.roster_pdf import roster_pdf
from services.registration.exports.xlsx import roster_xlsx

__all__ = ["BadgeCard", "FontPackageMissing", "RosterRow", "badge_sheet_pdf", "roster_pdf", "roster_xlsx"]
