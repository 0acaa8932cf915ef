"""One OpenAPI 3.1 document of the public ``/api/v1`` surface, and Swagger UI for it at ``/docs``.

The gateway's own operations are merged with each service's, fetched from the service's
``/openapi.json`` and kept only where the gateway routes the path to that service. A service that
cannot be reached is named in ``x-huiwu-unavailable`` and asked again on the next request; a spec
once fetched is kept until the gateway restarts. Both pages are open, like any API
reference: the browser loading Swagger UI has no token yet.

Swagger UI's files come from the ``swagger-ui-bundle-v2`` package and are served from here, so the
page needs nothing outside the gateway.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from gateway import routes
from gateway.upstream import Service
from huiwu.errors import DomainError, NotFound

log = logging.getLogger(__name__)

GATEWAY = "gateway"
FETCH_TIMEOUT_S = 5.0
UNAVAILABLE = "x-huiwu-unavailable"
BEARER = "bearer"
REF_PREFIX = "#/components/"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")
ASSET_CACHE = "public, max-age=86400"
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "a token the gateway issued"}
PROBLEM = "Problem"
FIELD_ERROR = "FieldError"
PROBLEM_SCHEMAS: dict[str, Any] = {
    PROBLEM: {
        "type": "object",
        "title": PROBLEM,
        "description": "RFC 9457 problem details; members a problem adds (e.g. `current_etag`) follow.",
        "properties": {
            "type": {"type": "string", "description": "`urn:huiwu:problem:<code>`"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "correlation_id": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": f"{REF_PREFIX}schemas/{FIELD_ERROR}"}},
        },
        "required": ["type", "title", "status", "detail", "instance"],
    },
    FIELD_ERROR: {
        "type": "object",
        "title": FIELD_ERROR,
        "properties": {
            "field": {"type": "string"},
            "in": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "rule": {"type": "string"},
            "message": {"type": "string"},
        },
        "required": ["field", "in", "rule", "message"],
    },
}
# What any operation may answer (the gateway's token, scope and rate checks, a resource or
# meeting that is not there, input refused), and what only a change may (conflicts, If-Match,
# Idempotency-Key reuse). One definition each, referred to from every operation.
PROBLEMS = {
    "400": "Bad request",
    "401": "No token, or an unknown, expired or revoked one",
    "403": "The token may not do this",
    "404": "Not found",
    "422": "Invalid input: `errors` names each field and the rule it broke",
    "429": "Over the token's rate limit (`Retry-After`)",
}
CHANGE_PROBLEMS = {
    "409": "Conflicts with the current state",
    "412": "`If-Match` no longer matches (`current_etag`)",
}

DESCRIPTION = """Every public operation of Huiwu (会务), as the gateway serves it at `/api/v1`.
Authenticate with `Authorization: Bearer <token>`; the token's scopes decide what it may do.
Errors are RFC 9457 `application/problem+json`. The events the departments publish are described
by the AsyncAPI document at `/api/v1/events/catalog`."""

DOCS_HTML = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>会务 Huiwu API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""

# validatorUrl null: Swagger UI would otherwise send the document to an outside validator.
DOCS_INIT_JS = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"""

router = APIRouter(include_in_schema=False)

# Keyed by the connection: a gateway restarted (new connections) asks every service again.
_fetched: WeakKeyDictionary[Service, dict[str, Any]] = WeakKeyDictionary()


@router.get("/openapi.json")
async def read_openapi(request: Request) -> Response:
    app: FastAPI = request.app
    services: dict[str, Service] = app.state.services
    specs = dict(zip(services, await asyncio.gather(*map(_spec_of, services.values())), strict=True))
    known = {name: spec for name, spec in specs.items() if spec is not None}
    merged = merge(app.openapi(), known, unavailable=[name for name in services if name not in known])
    return Response(json.dumps(merged, ensure_ascii=False), media_type="application/json")


@router.get("/docs")
async def read_docs() -> HTMLResponse:
    return HTMLResponse(DOCS_HTML)


@router.get("/docs/init.js")
async def read_docs_script() -> Response:
    return Response(DOCS_INIT_JS, media_type="text/javascript")


@router.get("/docs/{asset}")
async def read_docs_asset(asset: str) -> FileResponse:
    if asset not in ASSETS:  # a fixed list: nothing else of the package is served
        raise NotFound(f"no file {asset}")
    return FileResponse(swagger_ui_path / asset, headers={"Cache-Control": ASSET_CACHE})


async def _spec_of(service: Service) -> dict[str, Any] | None:
    if service in _fetched:
        return _fetched[service]
    try:
        answer = await service.call("GET", "/openapi.json", timeout_s=FETCH_TIMEOUT_S)
    except DomainError:
        return None
    if answer.status_code != 200:
        log.warning("%s answered %s for its OpenAPI document", service.name, answer.status_code)
        return None
    spec: dict[str, Any] = answer.json()
    _fetched[service] = spec
    return spec


def merge(
    gateway: dict[str, Any], services: dict[str, dict[str, Any]], unavailable: list[str]
) -> dict[str, Any]:
    """The public document: the gateway's paths, then each service's paths that the gateway routes
    to it (the gateway's own routes win), with the components they use. Components that differ
    under one name get the source's name as a prefix (``venue.RoomCreate``), and so do operation
    ids that clash."""
    sources = {GATEWAY: gateway, **services}
    taken = set(gateway.get("paths", {}))
    paths = {name: _with_problems(_public_paths(name, spec, taken)) for name, spec in sources.items()}
    components = {name: _used(paths[name], spec.get("components", {})) for name, spec in sources.items()}
    renames = _renames(components)
    merged_paths = {
        path: _rewrite_refs(item, renames[name]) for name in sources for path, item in paths[name].items()
    }
    _unique_operation_ids(merged_paths, {path: name for name in sources for path in paths[name]})
    merged_components = _merged_components(components, renames)
    merged_components.setdefault("securitySchemes", {})[BEARER] = BEARER_SCHEME
    merged_components.setdefault("schemas", {}).update(PROBLEM_SCHEMAS)
    merged_components["responses"] = _problem_responses()
    _link_created(merged_paths, merged_components["schemas"])
    return {
        "openapi": gateway.get("openapi", "3.1.0"),
        "info": {"title": "Huiwu 会务 API", "version": version("huiwu"), "description": DESCRIPTION},
        "security": [{BEARER: []}],
        "paths": dict(sorted(merged_paths.items())),
        "components": merged_components,
        UNAVAILABLE: sorted(unavailable),
    }


def _with_problems(paths: dict[str, Any]) -> dict[str, Any]:
    """Copies of ``paths`` whose operations declare the problems they may answer, in place of
    FastAPI's 422 (a ``{"detail": …}`` body the platform never sends)."""
    return {
        path: {
            method: {**operation, "responses": {**operation["responses"], **_problem_refs(method)}}
            if method in HTTP_METHODS
            else operation
            for method, operation in item.items()
        }
        for path, item in paths.items()
    }


def _problem_refs(method: str) -> dict[str, Any]:
    codes = [*PROBLEMS, *(CHANGE_PROBLEMS if method not in ("get", "head") else ())]
    return {code: {"$ref": _ref("responses", f"{PROBLEM}{code}")} for code in codes}


def _problem_responses() -> dict[str, Any]:
    content = {"application/problem+json": {"schema": {"$ref": _ref("schemas", PROBLEM)}}}
    return {
        f"{PROBLEM}{code}": {"description": description, "content": content}
        for code, description in {**PROBLEMS, **CHANGE_PROBLEMS}.items()
    }


def _link_created(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """OpenAPI links from each create to what the new ``id`` opens: the operations on
    ``<collection>/{id}`` and one segment below it, so a client (or a stateful test) can follow
    POST meetings → GET meeting, POST attendees → PATCH attendee, and so on. A create is a 201
    answering with an ``id``, but not with what its parent's create answers: an occupant added to
    a room answers with the room, whose id opens nothing under the occupants."""
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None or "id" not in _json_properties(created, schemas):
            continue
        parent = paths.get(path.rsplit("/", 2)[0], {}).get("post", {}).get("responses", {}).get("201", {})
        if _json_schema(parent) == _json_schema(created):
            continue
        links = {
            operation["operationId"]: {
                "operationId": operation["operationId"],
                "parameters": {**_request_parameters(path), new: "$response.body#/id"},
            }
            for target, new in _below(path, paths)
            for method, operation in paths[target].items()
            if method in HTTP_METHODS and "operationId" in operation
        }
        if links:
            created["links"] = links


def _json_schema(response: dict[str, Any]) -> Any:
    return response.get("content", {}).get("application/json", {}).get("schema")


def _json_properties(response: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = _json_schema(response) or {}
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].removeprefix(f"{REF_PREFIX}schemas/"), {})
    properties: dict[str, Any] = schema.get("properties", {})
    return properties


def _below(collection: str, paths: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Paths ``<collection>/{x}``, ``<collection>/{x}.pdf`` and ``<collection>/{x}/<word>``, with ``x``."""
    prefix = f"{collection}/{{"
    for path in paths:
        if path.startswith(prefix):
            parameter, _, rest = path.removeprefix(prefix).partition("}")
            if "{" not in rest and rest.count("/") <= 1:
                yield path, parameter


def _request_parameters(path: str) -> dict[str, str]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return {name: f"$request.path.{name}" for name in names}


def _merged_components(
    components: dict[str, dict[str, Any]], renames: dict[str, dict[str, str]]
) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for source, sections in components.items():
        for section, entries in sections.items():
            for name, definition in entries.items():
                ref = _ref(section, name)
                target = renames[source].get(ref, ref).removeprefix(f"{REF_PREFIX}{section}/")
                merged.setdefault(section, {})[target] = _rewrite_refs(definition, renames[source])
    return {section: dict(sorted(entries.items())) for section, entries in merged.items()}


def _used(paths: dict[str, Any], components: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The components the kept paths refer to, directly or through others; the rest stays out."""
    used: dict[str, dict[str, Any]] = {}
    pending = list(_refs_in(paths))
    while pending:
        section, _, name = pending.pop().removeprefix(REF_PREFIX).partition("/")
        definition = components.get(section, {}).get(name)
        if definition is not None and name not in used.get(section, {}):
            used.setdefault(section, {})[name] = definition
            pending.extend(_refs_in(definition))
    return used


def _public_paths(source: str, spec: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    paths: dict[str, Any] = spec.get("paths", {})
    if source == GATEWAY:
        return paths
    return {path: item for path, item in paths.items() if path not in taken and _routed_to(path) == source}


def _routed_to(path: str) -> str | None:
    try:
        return routes.resolve(path).service
    except NotFound:
        return None


def _ref(section: str, name: str) -> str:
    return f"{REF_PREFIX}{section}/{name}"


def _renames(components: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Per source, the refs that must point elsewhere. A name is shared when every source defines
    it the same way and all it refers to is shared too; otherwise each source's copy is prefixed."""
    definitions: dict[str, dict[str, Any]] = {}
    for source, sections in components.items():
        for section, entries in sections.items():
            for name, definition in entries.items():
                definitions.setdefault(_ref(section, name), {})[source] = definition
    shared = {
        ref
        for ref, by_source in definitions.items()
        if len({json.dumps(definition, sort_keys=True) for definition in by_source.values()}) == 1
    }
    changed = True
    while changed:  # a shared schema that refers to a prefixed one must be prefixed too
        before = len(shared)
        shared = {
            ref
            for ref in shared
            if all(target in shared for copy in definitions[ref].values() for target in _refs_in(copy))
        }
        changed = len(shared) != before
    renames: dict[str, dict[str, str]] = {source: {} for source in components}
    for ref, by_source in definitions.items():
        if ref in shared:
            continue
        section, name = ref.removeprefix(REF_PREFIX).split("/", 1)
        for source in by_source:
            renames[source][ref] = _ref(section, f"{source}.{name}")
    return renames


def _refs_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "$ref" and isinstance(inner, str):
                yield inner
            else:
                yield from _refs_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _refs_in(inner)


def _rewrite_refs(value: Any, rename: dict[str, str]) -> Any:
    """A copy of ``value`` with its refs renamed; the cached specs it reads stay as they were."""
    if isinstance(value, dict):
        return {
            key: rename.get(inner, inner)
            if key == "$ref" and isinstance(inner, str)
            else _rewrite_refs(inner, rename)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_rewrite_refs(inner, rename) for inner in value]
    return value


def _unique_operation_ids(paths: dict[str, Any], source_of: dict[str, str]) -> None:
    operations = [
        (path, item[method]) for path, item in paths.items() for method in HTTP_METHODS if method in item
    ]
    seen: dict[str, int] = {}
    for _, operation in operations:
        if "operationId" in operation:
            seen[operation["operationId"]] = seen.get(operation["operationId"], 0) + 1
    for path, operation in operations:
        if seen.get(operation.get("operationId", ""), 0) > 1:
            operation["operationId"] = f"{source_of[path]}.{operation['operationId']}"
