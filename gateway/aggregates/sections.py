"""A section of an aggregated read: what one department answered, or why it did not."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic import Field as PydanticField

from gateway.upstream import Service, ServiceTimeout
from huiwu.auth import Principal, Refused, authorize
from huiwu.db import utcnow
from huiwu.errors import DomainError

# Long enough for any read a department answers from its own database, short enough that a hung
# department costs the person looking at the dashboard two seconds, not the page.
SECTION_TIMEOUT_S = 2.0

DEPARTMENTS = {
    "registration": "报名注册",
    "venue": "会场与座次",
    "documents": "机要文件",
    "supervision": "督查督办",
}

DataT = TypeVar("DataT")


class SectionStatus(StrEnum):
    ok = "ok"
    forbidden = "forbidden"  # the caller's token may not read it
    not_found = "not_found"  # the department knows no such meeting or person (yet)
    unavailable = "unavailable"  # the department cannot be reached, or failed
    timeout = "timeout"  # no answer within SECTION_TIMEOUT_S


class Section(BaseModel, Generic[DataT]):
    available: bool = PydanticField(description="false: see status and reason; data is null")
    status: SectionStatus
    as_of: datetime = PydanticField(description="when the department answered (or the gateway gave up)")
    reason: str | None = PydanticField(default=None, description="why the section is not available")
    data: DataT | None = None


class Unanswered(Exception):
    """A department gave no usable answer; the section says why."""

    def __init__(self, status: SectionStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def section(build: Awaitable[DataT]) -> Section[DataT]:
    try:
        data = await build
    except Unanswered as missing:
        return Section(available=False, status=missing.status, as_of=utcnow(), reason=missing.reason)
    except ValueError:  # not JSON, or a shape this gateway does not know (ValidationError is one)
        return Section(
            available=False, status=SectionStatus.unavailable, as_of=utcnow(), reason="答复无法解读"
        )
    return Section(available=True, status=SectionStatus.ok, as_of=utcnow(), data=data)


@dataclass(frozen=True)
class Asker:
    """Asks the departments on the caller's behalf, with the caller's assertion in ``headers``."""

    services: dict[str, Service]
    caller: Principal
    headers: dict[str, str]

    async def get(self, service: str, path: str, query: str = "") -> Any:
        """The JSON ``service`` answers to ``GET path?query`` with 200; ``Unanswered`` otherwise."""
        name = DEPARTMENTS[service]
        try:
            authorize(self.caller, "GET", path, service)
        except Refused as refusal:
            needed = refusal.extensions.get("required_scope")
            reason = f"此令牌无权查看{name}" + (f"（需要 {needed} 权限）" if needed else "")
            raise Unanswered(SectionStatus.forbidden, reason) from refusal
        try:
            answer = await self.services[service].call(
                "GET", f"{path}?{query}" if query else path, headers=self.headers, timeout_s=SECTION_TIMEOUT_S
            )
        except ServiceTimeout as error:
            reason = f"{name}未在{SECTION_TIMEOUT_S:g}秒内答复"
            raise Unanswered(SectionStatus.timeout, reason) from error
        except DomainError as error:
            raise Unanswered(SectionStatus.unavailable, f"{name}无法连接") from error
        if answer.status_code == 200:
            return answer.json()
        raise Unanswered(*_refusal(name, answer.status_code, answer.content))


def _refusal(name: str, status_code: int, content: bytes) -> tuple[SectionStatus, str]:
    detail = _detail(content)
    if status_code in (401, 403):
        return SectionStatus.forbidden, f"{name}拒绝了此令牌：{detail}"
    if status_code == 404:
        return SectionStatus.not_found, f"{name}没有这项记录：{detail}"
    return SectionStatus.unavailable, f"{name}答复 HTTP {status_code}：{detail}"


class Problem(BaseModel):
    detail: str


def _detail(content: bytes) -> str:
    """The ``detail`` of a problem+json answer, else nothing more to say."""
    try:
        return Problem.model_validate_json(content).detail
    except ValidationError:
        return "无详细说明"
