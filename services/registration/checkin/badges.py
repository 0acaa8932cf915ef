"""Badges (证件): a QR code carrying a signed, revocable token.

Token: ``HW1.<payload>.<mac>``, both base64url; the payload names the meeting, the attendee and
the badge version; the MAC is HMAC-SHA256 under a key kept in registration's database (made on
first use, shared by replicas). Revoking a badge bumps the attendee's badge version, so every
older token is refused; forging one would need the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache

import segno
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from huiwu.events.catalog import AttendeeCategory
from services.registration.attendees.models import Attendee
from services.registration.checkin.models import SigningKey

PREFIX = "HW1"
QR_CODES_KEPT = 4096  # a few KB each: every badge of a very large meeting
KEY_NAME = "badges"
PASS_NAMES = {
    AttendeeCategory.member: "出席证",
    AttendeeCategory.observer: "列席证",
    AttendeeCategory.guest: "来宾证",
    AttendeeCategory.staff: "工作证",
}


@dataclass(frozen=True)
class BadgeClaims:
    meeting_id: str
    attendee_id: str
    version: int


class BadgeRefused(Exception):
    """A scan to turn away; ``reason`` is stable (forged, revoked, other_meeting, unknown_attendee)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def issue(session: Session, attendee: Attendee) -> str:
    claims = {"m": attendee.meeting_id, "a": attendee.id, "v": attendee.badge_version}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{PREFIX}.{payload}.{_mac(session, payload)}"


@lru_cache(maxsize=QR_CODES_KEPT)
def qr_code(token: str) -> segno.QRCode:
    """The badge's QR code. Choosing the mask that reads best is most of a badge's cost (about
    20 ms); a token stays the same until its badge is revoked, so each is worked out once."""
    return segno.make(token, error="m", micro=False)


def qr_svg(token: str) -> str:
    buffer = io.BytesIO()
    qr_code(token).save(buffer, kind="svg", scale=4, xmldecl=False)
    return buffer.getvalue().decode()


@dataclass(frozen=True)
class Holder:
    """A person as the door sees them: who to greet, and whether the badge is current."""

    id: str
    meeting_id: str
    name: str
    organization: str
    category: AttendeeCategory
    badge_version: int


_ATTENDEES = Attendee.__table__  # type: ignore[attr-defined]  # SQLModel tables have one; the stub omits it
# Built once: the door's lookup is the hottest read of a rush, and a plain statement with a bound
# parameter skips both the ORM and rebuilding the query (a fifth of a scan's cost otherwise).
_HOLDER = select(
    _ATTENDEES.c.id, _ATTENDEES.c.meeting_id, _ATTENDEES.c.name, _ATTENDEES.c.organization,
    _ATTENDEES.c.category, _ATTENDEES.c.badge_version,
).where(_ATTENDEES.c.id == bindparam("attendee_id"))  # fmt: skip


def holder(session: Session, attendee_id: str) -> Holder | None:
    row = session.connection().execute(_HOLDER, {"attendee_id": attendee_id}).first()
    return None if row is None else Holder(*row)


def verify(session: Session, token: str, meeting_id: str) -> Holder:
    """The person a genuine, current badge of this meeting names; BadgeRefused otherwise."""
    claims = _genuine_claims(session, token)
    if claims.meeting_id != meeting_id:
        raise BadgeRefused("other_meeting", "this badge belongs to another meeting")
    attendee = holder(session, claims.attendee_id)
    if attendee is None or attendee.meeting_id != meeting_id:
        raise BadgeRefused("unknown_attendee", "nobody on this meeting's roster holds this badge")
    if claims.version != attendee.badge_version:
        raise BadgeRefused("revoked", "this badge was revoked; the holder has a newer one")
    return attendee


def _genuine_claims(session: Session, token: str) -> BadgeClaims:
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise BadgeRefused("forged", "not a Huiwu badge")
    _, payload, mac = parts
    if not hmac.compare_digest(mac, _mac(session, payload)):
        raise BadgeRefused("forged", "the badge's signature does not match")
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return BadgeClaims(str(claims["m"]), str(claims["a"]), int(claims["v"]))
    except (ValueError, KeyError, TypeError) as error:
        raise BadgeRefused("forged", "the badge's content is unreadable") from error


def _mac(session: Session, payload: str) -> str:
    return _b64(hmac.new(_key(session), payload.encode(), hashlib.sha256).digest())


def _key(session: Session) -> bytes:
    return signing_secret(session, KEY_NAME).encode()


def signing_secret(session: Session, name: str = "webhooks") -> str:
    """A secret kept in registration's database under ``name``, made on first use. Once read it
    is remembered per database: a secret never changes, and every scan at the door needs it."""
    database = str(session.get_bind().engine.url)
    if (database, name) in _SECRETS:
        return _SECRETS[database, name]
    row = session.get(SigningKey, name)
    if row is not None:  # committed earlier: safe to remember (a new one might yet roll back)
        _SECRETS[database, name] = row.secret
        return row.secret
    return _new_secret(session, name)


_SECRETS: dict[tuple[str, str], str] = {}


def _new_secret(session: Session, name: str) -> str:
    row: SigningKey | None = SigningKey(name=name, secret=secrets.token_urlsafe(32))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another replica made it first
        row = session.get(SigningKey, name)
    assert row is not None
    return row.secret


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
