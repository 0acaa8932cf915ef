"""The gateway's connections to the services.

aiohttp, not httpx: measured on this platform's 2-core machine, an httpx call to a local service
cost 3.4 ms of CPU (its connection pool checks every idle connection through anyio on each
request), an aiohttp call 0.2 ms; the gateway sits in front of every check-in of a door rush.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from huiwu.errors import DomainError

CONNECTIONS = 256  # per replica: more than the requests in flight in a rush, so none waits for one
REST_S = 5.0  # a replica that failed a request is tried after the others for this long


class ServiceUnavailable(DomainError):
    status = 503
    code = "service-unavailable"
    title = "Service unavailable"


class ServiceTimeout(DomainError):
    status = 504
    code = "service-timeout"
    title = "Service did not answer in time"


@dataclass(frozen=True)
class Answer:
    """A service's whole answer, read before the connection goes back to the pool."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class Service:
    """One service's replicas (base URLs) and a pool of kept-alive connections to each.

    Requests take turns between the replicas. One a replica cannot take (no connection) goes to
    the next at once, and that replica rests a moment; one that timed out is not sent again (it
    may have been done), but its replica rests too, so a frozen process costs one timeout, not
    every other request.
    """

    def __init__(self, name: str, base_url: str, timeout_s: float) -> None:
        self.name = name
        self._base_urls = [url.strip() for url in base_url.split(",") if url.strip()]
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self._turns = itertools.count()
        self._resting_until: dict[str, float] = {}

    async def call(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> Answer:
        """``path`` may carry a query string; it is sent as it came (repeated parameters kept)."""
        # Always given: aiohttp reads a request's timeout=None as "no timeout at all", not as the
        # session's default, and a frozen service would then hold the caller for ever.
        timeout = aiohttp.ClientTimeout(total=timeout_s) if timeout_s is not None else self._timeout
        unreachable: aiohttp.ClientError | None = None
        for base_url in self._in_turn():
            try:
                return await self._ask(base_url, method, path, content, headers, timeout)
            except TimeoutError as error:
                self._rest(base_url)
                raise ServiceTimeout(f"{self.name} did not answer in time", service=self.name) from error
            except aiohttp.ClientConnectorError as error:  # never reached it: safe to ask another
                self._rest(base_url)
                unreachable = error
            except aiohttp.ClientError as error:
                self._rest(base_url)
                raise ServiceUnavailable(f"{self.name} cannot be reached", service=self.name) from error
        raise ServiceUnavailable(f"{self.name} cannot be reached", service=self.name) from unreachable

    async def _ask(
        self,
        base_url: str,
        method: str,
        path: str,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        timeout: aiohttp.ClientTimeout,
    ) -> Answer:
        async with self._client(base_url).request(
            method, path, data=content or None, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            body = await response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, body)

    def _in_turn(self) -> list[str]:
        """Every replica, starting with the next in turn; those resting go last."""
        first = next(self._turns) % len(self._base_urls)
        ordered = self._base_urls[first:] + self._base_urls[:first]
        now = time.monotonic()
        return sorted(ordered, key=lambda url: self._resting_until.get(url, 0.0) > now)

    def _rest(self, base_url: str) -> None:
        if len(self._base_urls) > 1:
            self._resting_until[base_url] = time.monotonic() + REST_S

    def _client(self, base_url: str) -> aiohttp.ClientSession:
        session = self._sessions.get(base_url)
        if session is None or session.closed:  # made on first use: it needs the running loop
            connector = aiohttp.TCPConnector(limit=CONNECTIONS, limit_per_host=CONNECTIONS)
            session = aiohttp.ClientSession(
                base_url, connector=connector, timeout=self._timeout, auto_decompress=False
            )
            self._sessions[base_url] = session
        return session

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        await asyncio.sleep(0)  # lets the connectors close their sockets before the loop ends
