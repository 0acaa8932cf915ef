"""``huiwu up`` starts the whole platform (``--cluster``: three NATS nodes, two processes per
service); ``huiwu serve MODULE:APP`` runs one of its processes; ``huiwu repair …`` brings a
department back in sync after a disaster (see ``huiwu/repair.py``)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

import uvicorn

from huiwu import repair
from huiwu.logs import configure_logging
from huiwu.runner import GATEWAY, Platform, assertion_key, bootstrap_token
from huiwu.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="huiwu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start NATS, the four services and the gateway")
    up.add_argument("--demo", action="store_true", help="load a sample provincial plenary meeting")
    up.add_argument("--cluster", action="store_true", help="three NATS nodes, two processes per service")
    serve = commands.add_parser("serve", help="serve one app (used by `up` and by compose)")
    serve.add_argument("app", help="e.g. services.registration.main:app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, required=True)
    repair.add_commands(commands)
    args = parser.parse_args(argv)
    if args.command == "serve":
        return run_serve(args.app, args.host, args.port)
    if args.command == "repair":
        return repair.run_command(args)
    return run_up(demo=args.demo, cluster=args.cluster)


def run_serve(app: str, host: str, port: int) -> int:
    settings = Settings()
    module = app.split(":")[0]
    name = module.split(".")[1] if module.startswith("services.") else module.split(".")[0]
    configure_logging(name, settings.log_level)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=10)
    return 0


def run_up(*, demo: bool, cluster: bool = False) -> int:
    settings = Settings()
    data_dir = settings.data_dir.resolve()
    token = bootstrap_token(
        data_dir, settings.bootstrap_token.get_secret_value() if settings.bootstrap_token else None
    )
    key = assertion_key(
        data_dir, settings.assertion_key.get_secret_value() if settings.assertion_key else None
    )
    shape = Platform.clustered if cluster else Platform
    platform = shape(data_dir=data_dir, gateway_port=settings.gateway_port, token=token, assertion_key=key)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        print(f"Starting Huiwu in {data_dir} (logs in {data_dir / 'logs'}) …", flush=True)
        platform.start_nats(preferred_port=4222)
        platform.start_all(default_ports=True)
        platform.wait_ready()
        if demo:
            from huiwu.demo import load_demo

            meeting_id = load_demo(platform.url(GATEWAY), token)
            print(f"Demo meeting loaded: {meeting_id}", flush=True)
        print(_banner(platform, token), flush=True)
        while not stopping.wait(1.0):
            for name, process in list(platform.processes.items()):
                if process.poll() is not None:
                    print(f"{name} exited ({process.returncode}); see {platform.log_path(name)}", flush=True)
                    if not cluster:
                        return 1
                    # A cluster rides out the loss of one process; put it back.
                    platform.stop(name)
                    platform.restart(name)
                    print(f"{name} started again", flush=True)
        return 0
    finally:
        print("Stopping Huiwu …", flush=True)
        platform.stop_all()


def _banner(platform: Platform, token: str) -> str:
    lines = [
        "",
        "Huiwu is ready.",
        f"  Gateway:  {platform.url(GATEWAY)}   (API under /api/v1)",
        f"  Token:    {token}",
        f"  Try:      curl -H 'Authorization: Bearer {token}' {platform.url(GATEWAY)}/readyz",
        f"  NATS:     {platform.nats_url}",
        *(f"  {name:<14} {platform.url(name)}" for name in platform.service_names),
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
