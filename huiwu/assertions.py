"""Signed assertions: how the gateway tells a service who is calling.

``X-Huiwu-Assertion: <base64url JSON>.<base64url HMAC-SHA256>``, the JSON being
``{sub, tid, scopes, clearance, meeting, kind, iat, exp}``, signed with the platform secret
``HUIWU_ASSERTION_KEY``. An assertion lives a minute: long enough for the gateway to reuse one per
caller for half of that, short enough that a copied header soon stops working. A service trusts no
other header about the caller; without a valid assertion its API answers 401.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from pydantic import SecretStr

from huiwu.auth import Clearance, Principal, TokenKind
from huiwu.errors import Unauthorized

ASSERTION_HEADER = "X-Huiwu-Assertion"
ASSERTION_TTL_S = 60
_CACHE_SIZE = 4096  # distinct assertions remembered; a gateway mints ~2 per caller a minute


class AssertionRefused(Unauthorized):
    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail, reason=reason)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key_bytes(key: SecretStr | str) -> bytes:
    return (key.get_secret_value() if isinstance(key, SecretStr) else key).encode()


def sign(
    principal: Principal, key: SecretStr | str, *, now: float | None = None, ttl_s: int = ASSERTION_TTL_S
) -> str:
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": principal.name,
        "tid": principal.token_id,
        "scopes": sorted(principal.scopes),
        "clearance": principal.clearance.name,
        "meeting": principal.meeting_id,
        "kind": principal.kind.value,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{body}.{_b64(hmac.new(_key_bytes(key), body.encode(), hashlib.sha256).digest())}"


class Signer:
    """The gateway's side: one assertion per caller, re-signed once it is half-way to expiry."""

    def __init__(self, key: SecretStr | str) -> None:
        self._key = key
        self._issued: dict[Principal, tuple[str, float]] = {}

    def assertion_for(self, principal: Principal) -> str:
        now = time.time()
        cached = self._issued.get(principal)
        if cached is not None and cached[1] > now:
            return cached[0]
        if len(self._issued) >= _CACHE_SIZE:
            self._issued.clear()
        assertion = sign(principal, self._key, now=now)
        self._issued[principal] = (assertion, now + ASSERTION_TTL_S / 2)
        return assertion


class Verifier:
    """A service's side. A checked assertion is remembered (until it expires), so the gateway's
    repeated assertion for a caller costs a dictionary look-up, not an HMAC and a JSON parse."""

    def __init__(self, key: SecretStr | str | None = None) -> None:
        self._key = _key_bytes(key) if key is not None else None
        self._checked: dict[str, tuple[Principal, int]] = {}

    def use_key(self, key: SecretStr | str | None) -> None:
        self._key = _key_bytes(key) if key is not None else None
        self._checked.clear()

    def principal(self, assertion: str | None, *, now: float | None = None) -> Principal:
        if not assertion:
            raise AssertionRefused("call this service through the gateway", "missing-assertion")
        moment = time.time() if now is None else now
        checked = self._checked.get(assertion)
        if checked is None:
            checked = self._check(assertion)
            if len(self._checked) >= _CACHE_SIZE:
                self._checked.clear()
            self._checked[assertion] = checked
        principal, expires = checked
        if expires <= moment:
            raise AssertionRefused("the assertion has expired", "assertion-expired")
        return principal

    def _check(self, assertion: str) -> tuple[Principal, int]:
        if self._key is None:
            raise AssertionRefused("this service has no HUIWU_ASSERTION_KEY", "no-assertion-key")
        body, _, signature = assertion.partition(".")
        expected = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
        if not signature or not hmac.compare_digest(expected, signature):
            raise AssertionRefused("the assertion is not signed by the gateway", "bad-assertion")
        try:
            return _principal(json.loads(_unb64(body)))
        except (binascii.Error, ValueError, TypeError, KeyError) as error:
            raise AssertionRefused("the assertion cannot be read", "bad-assertion") from error


def _principal(claims: dict[str, Any]) -> tuple[Principal, int]:
    principal = Principal(
        name=str(claims["sub"]),
        scopes=frozenset(str(scope) for scope in claims["scopes"]),
        clearance=Clearance[claims["clearance"]],
        token_id=claims.get("tid"),
        meeting_id=claims.get("meeting"),
        kind=TokenKind(claims.get("kind", TokenKind.standard)),
    )
    return principal, int(claims["exp"])
