"""docker-compose.yml is checked, not run: schema, apps, settings, wiring and the NATS pin."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from fastapi import FastAPI
from jsonschema import Draft7Validator

from huiwu.settings import SERVICES, Settings

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "fixtures" / "compose-spec.json"
PREFIX = "HUIWU_"
MIN_NATS = (2, 12, 3)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def interpolated(value: str) -> str:
    """Stand in for compose's ``${VAR}`` / ``${VAR:-default}`` / ``${VAR:?error}`` substitution."""
    return re.sub(r"\$\{[^}]*\}", "placeholder", value)


def served_apps() -> dict[str, str]:
    """Compose service name -> the ``module:attribute`` its ``huiwu serve`` command names."""
    return {
        name: service["command"][2]
        for name, service in services().items()
        if service.get("command", [])[:2] == ["huiwu", "serve"]
    }


def test_compose_file_matches_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The schema's "$schema" URI has no trailing '#', so pick the draft explicitly.
    Draft7Validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft7Validator(schema).iter_errors(compose())]
    assert errors == []


def test_every_served_app_imports_as_a_fastapi_app() -> None:
    apps = served_apps()
    assert set(apps) == {*SERVICES, "gateway"}
    for name, target in apps.items():
        module_name, _, attribute = target.partition(":")
        app = getattr(importlib.import_module(module_name), attribute, None)
        assert isinstance(app, FastAPI), f"{name}: {target} is not a FastAPI app"


def test_every_huiwu_variable_is_a_setting() -> None:
    variables = {
        key for service in services().values() for key in environment(service) if key.startswith(PREFIX)
    }
    assert variables, "no HUIWU_* variables in compose"
    unknown = {key for key in variables if key.removeprefix(PREFIX).lower() not in Settings.model_fields}
    assert unknown == set()


def test_each_service_has_its_own_database() -> None:
    created = set(re.findall(r"CREATE DATABASE (\w+)", (ROOT / "deploy/postgres/init.sql").read_text()))
    databases: dict[str, tuple[str | None, int | None, str]] = {}
    for name in SERVICES:
        urls = {k: v for k, v in environment(services()[name]).items() if k.endswith("_DATABASE_URL")}
        assert list(urls) == [f"HUIWU_{name.upper()}_DATABASE_URL"], name
        url = urlsplit(interpolated(next(iter(urls.values()))))
        databases[name] = (url.hostname, url.port, url.path.lstrip("/"))
    assert len(set(databases.values())) == len(SERVICES), databases
    assert {database for _, _, database in databases.values()} <= created


def test_gateway_reaches_every_service() -> None:
    env = environment(services()["gateway"])
    for name in SERVICES:
        url = urlsplit(env[f"HUIWU_{name.upper()}_URL"])
        command = services()[name]["command"]
        assert (url.hostname, url.port) == (name, int(command[command.index("--port") + 1]))


def test_only_the_gateway_publishes_ports() -> None:
    assert {name for name, service in services().items() if service.get("ports")} == {"gateway"}


def test_dependencies_wait_on_healthchecks() -> None:
    healthy = {
        name
        for name, svc in services().items()
        if "healthcheck" in svc and not svc["healthcheck"].get("disable")
    }
    edges = 0
    for name, service in services().items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on must name a condition"
        for dependency, options in depends_on.items():
            assert options.get("condition") == "service_healthy", f"{name} -> {dependency}"
            assert dependency in healthy, f"{name} -> {dependency} has no healthcheck"
            edges += 1
    assert edges > 0


def test_nats_is_a_patched_release_that_fsyncs_every_write() -> None:
    nats = services()["nats"]
    tag = re.fullmatch(r"nats:(\d+)\.(\d+)\.(\d+)(?:-[a-z0-9.]+)?", nats["image"])
    assert tag, f"NATS image is not pinned to a release: {nats['image']}"
    assert tuple(int(part) for part in tag.groups()) >= MIN_NATS
    # The file named by ``-c`` must be a mount; read the repository file mounted there.
    mounts = {target: source for source, target, *_ in (volume.split(":") for volume in nats["volumes"])}
    flag, conf_path = nats["command"]
    assert flag == "-c" and conf_path in mounts
    conf = re.sub(r"#.*", "", (ROOT / mounts[conf_path]).read_text(encoding="utf-8"))
    assert re.search(r"jetstream\s*\{[^}]*\bsync_interval\s*[:=]\s*\"?always\"?", conf), "sync_interval"
