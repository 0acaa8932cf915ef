"""Bearer tokens and scopes.

A scope is ``<department>:read``, ``<department>:write`` or ``admin`` (which grants every
scope). Tokens are compared by SHA-256 digest in constant time, so the plain token is never
kept in memory longer than the request that carries it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import IntEnum

from huiwu.errors import Forbidden, Unauthorized

ADMIN = "admin"


class Clearance(IntEnum):
    """Who may see classified content (RULES R3.2): 绝密 > 机密 > 秘密 > none."""

    none = 0
    secret = 1  # 秘密
    confidential = 2  # 机密
    top_secret = 3  # 绝密

    @classmethod
    def named(cls, name: str | None) -> Clearance:
        """The level called ``name``; anything unknown or missing is no clearance at all."""
        return cls.__members__.get(name or "", cls.none)


@dataclass(frozen=True)
class Principal:
    name: str
    scopes: frozenset[str]
    clearance: Clearance = Clearance.none

    def allows(self, scope: str) -> bool:
        return ADMIN in self.scopes or scope in self.scopes


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenBook:
    """The tokens the gateway accepts: name and scopes by token digest."""

    def __init__(self) -> None:
        self._by_digest: dict[str, Principal] = {}

    def add(self, token: str, principal: Principal) -> None:
        self._by_digest[digest(token)] = principal

    def authenticate(self, authorization: str | None) -> Principal:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send Authorization: Bearer <token>")
        presented = digest(token.strip())
        for known, principal in self._by_digest.items():
            if hmac.compare_digest(known, presented):
                return principal
        raise Unauthorized("the token is not valid")


def require(principal: Principal, scope: str) -> None:
    if not principal.allows(scope):
        raise Forbidden(f"this token lacks the scope {scope}", required_scope=scope)
