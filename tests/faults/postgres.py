"""A PostgreSQL server of the fault suite's own, in a temporary directory on a free port, so that a
scenario may crash and restart it (the machine's shared one must never be touched). Run as the
``postgres`` user when the suite runs as root, since ``initdb`` refuses root.

The server runs in the foreground as a child of the test process, started through ``setpriv``
with a parent-death signal: if pytest is killed before its fixtures finish, the server stops
with it (``pg_ctl start`` would leave a daemon running on)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from huiwu.runner import free_port

# Twelve processes of the cluster with up to 30 pooled connections each, and the checker.
MAX_CONNECTIONS = 500
START_TIMEOUT_S = 60


def postgres_binaries() -> Path | None:
    """The directory of ``initdb``, ``postgres`` and ``pg_ctl`` (the newest installed), if any, and
    ``setpriv`` there to start the server with."""
    if shutil.which("setpriv") is None:
        return None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    def __init__(self, binaries: Path) -> None:
        self._binaries = binaries
        # Not under pytest's tmp dirs: those are root's alone, and the server runs as postgres.
        self.directory = Path(tempfile.mkdtemp(prefix="huiwu-faults-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self._user = "postgres" if os.geteuid() == 0 else None
        self._server: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        if self._user is not None:
            account = pwd.getpwnam(self._user)
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"
        )

    def start(self) -> None:
        server = [
            str(self._binaries / "postgres"), "-D", str(self.data), "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.directory}",
            "-c", f"max_connections={MAX_CONNECTIONS}", "-c", "fsync=on",
        ]  # fmt: skip
        # SIGQUIT: the server's immediate shutdown, when the test process dies.
        command = ["setpriv", "--pdeathsig", "SIGQUIT", *self._as_user(), "--", *server]
        with (self.directory / "server.log").open("ab") as log:
            self._server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_accepting()

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, clients cut off mid-transaction."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self._reap()

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self._reap()

    def _wait_accepting(self) -> None:
        ready = [str(self._binaries / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        deadline = time.monotonic() + START_TIMEOUT_S
        while subprocess.run(ready, check=False).returncode != 0:
            if self._server is not None and self._server.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited; see {self.directory / 'server.log'}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL not accepting connections after {START_TIMEOUT_S}s")
            time.sleep(0.1)

    def _reap(self) -> None:
        if self._server is not None:
            self._server.wait(START_TIMEOUT_S)
            self._server = None

    def _as_user(self) -> list[str]:
        if self._user is None:
            return []
        return [f"--reuid={self._user}", f"--regid={self._user}", "--init-groups"]

    def create_database(self, name: str) -> str:
        engine = create_engine(
            self.url().replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self._binaries / program), *arguments]
        if self._user is not None:
            command = ["runuser", "-u", self._user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=START_TIMEOUT_S + 30)
