"""docker-compose.yml is checked, not run: schema, apps, settings, wiring and the NATS pin, for the
default stack and for the profile ``cluster`` (three NATS nodes, two processes per service)."""

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
NATS_NODES = ("nats-1", "nats-2", "nats-3")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def services() -> dict[str, dict[str, Any]]:
    """The default stack: what `docker compose up` starts (every service without a profile)."""
    return {name: service for name, service in every_service().items() if not service.get("profiles")}


def every_service() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def cluster() -> dict[str, dict[str, Any]]:
    """What `docker compose --profile cluster` adds."""
    return {name: svc for name, svc in every_service().items() if "cluster" in svc.get("profiles", [])}


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def interpolated(value: str) -> str:
    """Stand in for compose's ``${VAR}`` / ``${VAR:-default}`` / ``${VAR:?error}`` substitution."""
    return re.sub(r"\$\{[^}]*\}", "placeholder", value)


def served_apps(stack: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
    """Compose service name -> the ``module:attribute`` its ``huiwu serve`` command names."""
    return {
        name: service["command"][2]
        for name, service in (services() if stack is None else stack).items()
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
        key for service in every_service().values() for key in environment(service) if key.startswith(PREFIX)
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


def test_only_the_gateways_publish_ports() -> None:
    assert {name for name, service in every_service().items() if service.get("ports")} == {
        "gateway",
        "gateway-cluster",
    }


def test_dependencies_wait_on_healthchecks() -> None:
    healthy = {
        name
        for name, svc in every_service().items()
        if "healthcheck" in svc and not svc["healthcheck"].get("disable")
    }
    edges = 0
    for name, service in every_service().items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on must name a condition"
        for dependency, options in depends_on.items():
            assert options.get("condition") == "service_healthy", f"{name} -> {dependency}"
            assert dependency in healthy, f"{name} -> {dependency} has no healthcheck"
            edges += 1
    assert edges > 0


def test_nats_is_a_patched_release_that_fsyncs_every_write() -> None:
    for name in ("nats", *NATS_NODES):
        conf = nats_conf(every_service()[name])
        assert re.search(r"jetstream\s*\{[^}]*\bsync_interval\s*[:=]\s*\"?always\"?", conf), name


def nats_conf(nats: dict[str, Any]) -> str:
    """The configuration a NATS service runs with (its image pinned to a patched release)."""
    tag = re.fullmatch(r"nats:(\d+)\.(\d+)\.(\d+)(?:-[a-z0-9.]+)?", nats["image"])
    assert tag, f"NATS image is not pinned to a release: {nats['image']}"
    assert tuple(int(part) for part in tag.groups()) >= MIN_NATS
    # The file named by ``-c`` must be a mount; read the repository file mounted there.
    flag, conf_path = nats["command"]
    assert flag == "-c" and conf_path in mounts(nats)
    return re.sub(r"#.*", "", (ROOT / mounts(nats)[conf_path]).read_text(encoding="utf-8"))


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Target -> source of each volume."""
    return {target: source for source, target, *_ in (volume.split(":") for volume in service["volumes"])}


def test_the_cluster_runs_three_nats_nodes_each_named_with_its_own_volume_and_routes_to_all() -> None:
    nodes = {name: cluster()[name] for name in NATS_NODES}
    volumes = {mounts(node)["/data"] for node in nodes.values()}
    assert len(volumes) == 3 and volumes <= set(compose()["volumes"])
    assert [node["environment"]["NATS_SERVER_NAME"] for node in nodes.values()] == list(NATS_NODES)
    for node in nodes.values():
        conf = nats_conf(node)
        assert "server_name: $NATS_SERVER_NAME" in conf
        block = re.search(r"cluster\s*\{(.*)\}", conf, re.S)
        assert block and re.search(r"\bname:\s*\w+", block[1])
        assert set(re.findall(r"nats://([\w-]+):6222", block[1])) == set(NATS_NODES)
        assert "js-enabled-only=true" in " ".join(node["healthcheck"]["test"])


def test_the_cluster_runs_every_service_twice_on_all_nats_nodes_and_one_database() -> None:
    apps = served_apps(cluster())
    for name in SERVICES:
        replicas = sorted(svc for svc, app in apps.items() if app == f"services.{name}.main:app")
        assert replicas == [f"{name}-1", f"{name}-2"]
        envs = [environment(cluster()[replica]) for replica in replicas]
        assert envs[0] == envs[1]
        database = urlsplit(interpolated(envs[0][f"HUIWU_{name.upper()}_DATABASE_URL"]))
        assert (database.hostname, database.path) == ("postgres-cluster", f"/huiwu_{name}")
        assert Settings(nats_url=envs[0]["HUIWU_NATS_URL"]).nats_servers == [
            f"nats://{node}:4222" for node in NATS_NODES
        ]
        assert envs[0]["HUIWU_STREAM_REPLICAS"] == "3"
        assert set(cluster()[replicas[0]]["depends_on"]) == {*NATS_NODES, "postgres-cluster"}
    assert set(served_apps(cluster()).values()) == {*served_apps().values()}


def test_the_cluster_gateway_takes_turns_between_both_processes_of_each_service() -> None:
    env = environment(cluster()["gateway-cluster"])
    settings = Settings.model_validate(
        {key.removeprefix(PREFIX).lower(): value for key, value in env.items()}
    )
    for name in SERVICES:
        urls = [urlsplit(url) for url in settings.service_urls(name)]
        assert [(url.hostname, url.port) for url in urls] == [(f"{name}-1", 8080), (f"{name}-2", 8080)]
    assert set(cluster()["gateway-cluster"]["depends_on"]) == {
        "postgres-cluster",
        *(f"{name}-{n}" for name in SERVICES for n in (1, 2)),
    }


def test_the_cluster_stands_apart_from_the_default_stack() -> None:
    """Compose starts the default stack with any profile: sharing a database or a broker with it
    would let its relays mark the cluster's events sent on the other NATS."""
    for name, service in cluster().items():
        assert not set(service.get("depends_on", {})) & set(services()), name
    assert cluster()["postgres-cluster"]["image"] == services()["postgres"]["image"]
    assert (
        mounts(cluster()["postgres-cluster"])["/var/lib/postgresql/data"]
        != mounts(services()["postgres"])["/var/lib/postgresql/data"]
    )
