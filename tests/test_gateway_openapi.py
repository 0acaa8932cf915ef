"""The gateway's one OpenAPI document of the public API, merged from the services', and Swagger UI
for it served without anything from outside the gateway."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate

from gateway import openapi, routes
from gateway.openapi import merge
from gateway.upstream import Service
from huiwu.errors import NotFound
from huiwu.runner import Platform
from huiwu.settings import SERVICES

METHODS = ("get", "put", "post", "delete", "patch")


def refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "$ref" and isinstance(inner, str):
                yield inner
            else:
                yield from refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from refs(inner)


def resolves(document: dict[str, Any], ref: str) -> bool:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return ref.startswith("#/")


def operation_ids(document: dict[str, Any]) -> list[str]:
    return [
        item[method]["operationId"]
        for item in document["paths"].values()
        for method in METHODS
        if method in item
    ]


def owner(path: str) -> str | None:
    try:
        return routes.resolve(path).service
    except NotFound:
        return None


def test_the_merged_document_is_the_whole_public_api(gateway: httpx.Client) -> None:
    answer = httpx.get(str(gateway.base_url.join("/openapi.json")))  # open: Swagger UI has no token
    document = answer.json()
    owners = {path: owner(path) for path in document["paths"]}

    assert answer.status_code == 200
    validate(document)  # OpenAPI 3.1, refs and all
    assert document["openapi"].startswith("3.1")
    assert document["x-huiwu-unavailable"] == []
    assert set(owners.values()) == {*SERVICES, None}  # None: the gateway's own operations
    assert "/api/v1/events/catalog" in document["paths"]
    assert "/api/v1/meetings/{meeting_id}/attendees" in document["paths"]
    assert all(path.startswith("/api/v1/") for path in document["paths"])
    ids = operation_ids(document)
    assert len(ids) == len(set(ids))
    assert all(resolves(document, ref) for ref in refs(document))
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "a token the gateway issued",
    }
    assert document["security"] == [{"bearer": []}]


def test_the_docs_page_loads_everything_from_the_gateway(gateway: httpx.Client) -> None:
    page = httpx.get(str(gateway.base_url.join("/docs")))
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "://" not in page.text  # no CDN, no outside URL at all
    assert set(assets) == {
        "/docs/swagger-ui.css",
        "/docs/favicon-32x32.png",
        "/docs/favicon-16x16.png",
        "/docs/swagger-ui-bundle.js",
        "/docs/init.js",
    }
    loaded = {asset: httpx.get(str(gateway.base_url.join(asset))) for asset in assets}
    assert {asset: answer.status_code for asset, answer in loaded.items()} == dict.fromkeys(assets, 200)
    assert loaded["/docs/swagger-ui.css"].headers["content-type"].startswith("text/css")
    assert "SwaggerUIBundle" in loaded["/docs/swagger-ui-bundle.js"].text
    assert '"/openapi.json"' in loaded["/docs/init.js"].text
    assert "validatorUrl: null" in loaded["/docs/init.js"].text  # Swagger UI's default sends the spec out
    assert httpx.get(str(gateway.base_url.join("/docs/index.html"))).status_code == 404
    assert httpx.get(str(gateway.base_url.join("/redoc"))).status_code == 404  # it would load from a CDN


@pytest.fixture
async def bare_gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """Only the merged-document routes, with fresh connections to the platform's services."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)  # as the gateway: ours in their place
    app.include_router(openapi.router)
    app.state.services = {name: Service(name, platform.url(name), 10.0) for name in SERVICES}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        yield client
    for service in app.state.services.values():
        await service.close()


async def test_a_service_that_is_down_is_named_and_asked_again(
    platform: Platform, bare_gateway: httpx.AsyncClient
) -> None:
    platform.stop("venue")
    try:
        while_down = (await bare_gateway.get("/openapi.json")).json()
    finally:
        platform.start("venue")
        platform.wait_ready(["venue"])
    back = (await bare_gateway.get("/openapi.json")).json()

    assert while_down["x-huiwu-unavailable"] == ["venue"]
    assert {owner(path) for path in while_down["paths"]} == set(SERVICES) - {"venue"}
    assert back["x-huiwu-unavailable"] == []
    assert "/api/v1/venues" in back["paths"]


def schema(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def operation(operation_id: str, ref: str) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"$ref": ref}}}}
    return {"operationId": operation_id, "responses": {"200": {"description": "OK", **body}}}


def spec(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def test_clashing_names_get_their_service_as_prefix_and_shared_ones_stay() -> None:
    gateway = spec(
        {
            "/api/v1/meetings/{meeting_id}/sync": {
                "get": operation("operations-sync", "#/components/schemas/Problem")
            }
        },
        {"Problem": schema({"title": {"type": "string"}})},
    )
    registration = spec(
        {
            "/api/v1/meetings/{meeting_id}/lodging/rooms": {
                "get": operation("rooms-list", "#/components/schemas/Page")
            },
            "/api/v1/meetings/{meeting_id}/sync": {
                "get": operation("operations-sync", "#/components/schemas/Problem")
            },
        },
        {
            "Room": schema({"beds": {"type": "integer"}}),
            "Page": schema({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Room"}}}),
            "Problem": schema({"title": {"type": "string"}}),
        },
    )
    venue = spec(
        {
            "/api/v1/venues/{venue_id}/rooms": {"get": operation("rooms-list", "#/components/schemas/Page")},
            "/api/v1/meetings/{meeting_id}/attendees": {
                "get": operation("attendees-list", "#/components/schemas/Problem")
            },
            "/internal/replan": {"post": operation("internal-replan", "#/components/schemas/Replan")},
        },
        {
            "Room": schema({"seats": {"type": "integer"}}),
            "Page": schema({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Room"}}}),
            "Problem": schema({"title": {"type": "string"}}),
            "Replan": schema({"sessions": {"type": "integer"}}),
        },
    )

    merged = merge(gateway, {"registration": registration, "venue": venue}, unavailable=["documents"])

    assert sorted(merged["paths"]) == [
        "/api/v1/meetings/{meeting_id}/lodging/rooms",
        "/api/v1/meetings/{meeting_id}/sync",
        "/api/v1/venues/{venue_id}/rooms",
    ]  # not routed to venue, or the gateway's own: left out
    assert sorted(merged["components"]["schemas"]) == [
        "FieldError",  # with Problem, what every operation's declared problems refer to
        "Problem",
        "registration.Page",
        "registration.Room",
        "venue.Page",
        "venue.Room",
    ]  # Page is the same text in both, but refers to two different Rooms; Replan is not public
    assert merged["components"]["schemas"]["venue.Page"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/venue.Room"
    }
    venue_rooms = merged["paths"]["/api/v1/venues/{venue_id}/rooms"]["get"]
    assert venue_rooms["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/venue.Page"
    }
    assert sorted(operation_ids(merged)) == ["operations-sync", "registration.rooms-list", "venue.rooms-list"]
    assert merged["x-huiwu-unavailable"] == ["documents"]
    assert registration["components"]["schemas"]["Page"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/Room"
    }  # the cached service documents are left as they were
