"""`huiwu up --demo`, the README's first command, on a fresh data dir: it starts everything,
prints a working URL and token, loads the sample meeting into every department, and stops
cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from huiwu.runner import free_port
from tests.test_slice_end_to_end import wait_for_sync


class Output:
    """Collects a process's output on a thread, so that waiting for a line never blocks."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.text = ""
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.text += line

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text):
            assert time.monotonic() < deadline, f"no {pattern!r} in output:\n{self.text}"
            time.sleep(0.1)
        return self.text


def test_huiwu_up_starts_the_platform_with_the_demo_and_stops_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "HUIWU_DATA_DIR": str(tmp_path / "data"), "HUIWU_GATEWAY_PORT": str(free_port())}
    env.pop("HUIWU_BOOTSTRAP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "huiwu.cli", "up", "--demo"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        output = Output(process)
        banner = output.wait_for(r"Press Ctrl-C to stop", timeout=120)
        url = re.search(r"Gateway:\s+(\S+)", banner)
        token = re.search(r"Token:\s+(\S+)", banner)
        meeting = re.search(r"Demo meeting loaded: (\S+)", banner)
        assert url and token and meeting
        assert (tmp_path / "data" / "bootstrap-token").read_text() == token[1]

        with httpx.Client(base_url=url[1], headers={"Authorization": f"Bearer {token[1]}"}) as gateway:
            assert gateway.get("/readyz").status_code == 200
            attendees = len(
                gateway.get(f"/api/v1/meetings/{meeting[1]}/attendees", params={"limit": 500}).json()["items"]
            )
            assert 280 <= attendees <= 320
            wait_for_sync(gateway, meeting[1], attendees)
            groups = gateway.get(f"/api/v1/meetings/{meeting[1]}/groups").json()
            assert len(groups) >= 8 and all(group["members"] > 0 for group in groups)
            agenda = gateway.get(f"/api/v1/meetings/{meeting[1]}/sessions").json()["items"]
            seating = gateway.get(f"/api/v1/meetings/{meeting[1]}/sessions/{agenda[0]['id']}/seating").json()
            seated = [seat for seat in seating["seats"] if seat["attendee_id"]]
            assert len(seated) >= attendees * 0.8  # everyone but the staff
            assert any(seat["area"] == "podium" and seat["precedence"] == 1 for seat in seated)
            assert httpx.get(f"{url[1]}/api/v1/meetings").status_code == 401

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        output.wait_for("Stopping Huiwu", timeout=5)
        with httpx.Client() as client:
            try:
                client.get(f"{url[1]}/healthz", timeout=1)
                raise AssertionError("the gateway still answers after huiwu up stopped")
            except httpx.ConnectError:
                pass
    finally:
        if process.poll() is None:  # a failed assertion: still stop the children it started
            process.terminate()
            process.wait(timeout=30)


def test_the_platform_stops_when_huiwu_up_is_killed_outright(tmp_path: Path) -> None:
    env = {**os.environ, "HUIWU_DATA_DIR": str(tmp_path / "data"), "HUIWU_GATEWAY_PORT": str(free_port())}
    process = subprocess.Popen(
        [sys.executable, "-m", "huiwu.cli", "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(process)
    banner = output.wait_for(r"Press Ctrl-C to stop", timeout=120)
    url = re.search(r"Gateway:\s+(\S+)", banner)
    assert url

    process.kill()  # SIGKILL: no chance to stop its children itself
    process.wait(timeout=10)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url[1]}/healthz", timeout=1)
        except httpx.ConnectError:
            return
        time.sleep(0.2)
    raise AssertionError("the gateway outlived the huiwu up that started it")
