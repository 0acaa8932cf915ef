"""Issuing, listing and revoking tokens. A token is ``hw_`` and 43 random characters; only its
SHA-256 digest is stored, so the database cannot give a token away."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from gateway.limits.rates import Rate
from gateway.tokens.models import ApiToken, ClearanceName, RateLimit, TokenCreate, TokenPublic, TokenStatus
from huiwu.auth import KIOSK_SCOPES, Clearance, Principal, Refused, TokenKind, digest
from huiwu.db import utcnow
from huiwu.errors import NotFound

TOKEN_PREFIX = "hw_"  # lets secret scanners and people recognise a Huiwu token


def issue(*, session: Session, token_in: TokenCreate, by: Principal) -> tuple[ApiToken, str]:
    """The stored token and the token itself, which nobody will see again."""
    _within_reach(token_in, by)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    scopes = sorted(KIOSK_SCOPES) if token_in.kind == TokenKind.kiosk else token_in.scopes
    token = ApiToken(
        name=token_in.name,
        kind=token_in.kind,
        scopes=" ".join(scopes),
        clearance=token_in.clearance,
        meeting_id=token_in.meeting_id,
        digest=digest(plain),
        created_by=by.name,
        # In UTC, as it reads back from the database: the answer and later reads agree.
        expires_at=token_in.expires_at.astimezone(UTC) if token_in.expires_at else None,
        rate_per_s=token_in.rate_limit.per_second if token_in.rate_limit else None,
        rate_burst=token_in.rate_limit.burst if token_in.rate_limit else None,
    )
    session.add(token)
    return token, plain


def _within_reach(token_in: TokenCreate, by: Principal) -> None:
    """Nobody hands out a clearance they do not hold."""
    if Clearance[token_in.clearance] > by.clearance:
        raise Refused(
            f"a token cannot be given a clearance above its issuer's ({by.clearance.name})",
            "clearance",
            field="clearance",
        )


def get_or_raise(*, session: Session, token_id: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} does not exist", field="token_id")
    return token


def list_page(*, session: Session, limit: int, after: tuple[datetime, str] | None) -> list[ApiToken]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    query = select(ApiToken)
    if after is not None:
        query = query.where(tuple_(col(ApiToken.created_at), col(ApiToken.id)) > after)
    return list(session.scalars(query.order_by(col(ApiToken.created_at), col(ApiToken.id)).limit(limit)))


def revoke(*, session: Session, token_id: str, by: Principal) -> ApiToken:
    """Revoking twice is revoking once: the first time and hand are kept."""
    token = get_or_raise(session=session, token_id=token_id)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = utcnow(), by.name
    return token


def find(*, session: Session, token_digest: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(col(ApiToken.digest) == token_digest)).first()


def principal_of(token: ApiToken) -> Principal:
    return Principal(
        name=token.name,
        scopes=frozenset(token.scopes.split()),
        clearance=Clearance[token.clearance],
        token_id=token.id,
        meeting_id=token.meeting_id,
        kind=TokenKind(token.kind),
    )


def own_rate(token: ApiToken) -> Rate | None:
    if token.rate_per_s is None or token.rate_burst is None:
        return None
    return Rate(token.rate_per_s, token.rate_burst, "token")


def status(token: ApiToken, now: datetime) -> TokenStatus:
    if token.revoked_at is not None:
        return TokenStatus.revoked
    if token.expires_at is not None and token.expires_at <= now:
        return TokenStatus.expired
    return TokenStatus.active


def public(token: ApiToken) -> TokenPublic:
    rate = own_rate(token)
    return TokenPublic(
        id=token.id,
        name=token.name,
        kind=TokenKind(token.kind),
        scopes=token.scopes.split(),
        clearance=ClearanceName(token.clearance),
        meeting_id=token.meeting_id,
        status=status(token, utcnow()),
        created_at=token.created_at,
        created_by=token.created_by,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        revoked_by=token.revoked_by,
        rate_limit=RateLimit(per_second=rate.per_second, burst=rate.burst) if rate else None,
    )
