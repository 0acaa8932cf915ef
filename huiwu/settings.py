"""Platform settings, read from ``HUIWU_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, NonNegativeFloat, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registration", "venue", "documents", "supervision")
DEFAULT_SERVICE_PORTS = {
    "registration": 8001,
    "venue": 8002,
    "documents": 8003,
    "supervision": 8004,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUIWU_", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Path(".huiwu")
    log_level: str = "INFO"

    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        description="One NATS URL, or several separated by commas (a cluster).",
    )
    stream_replicas: int = Field(default=1, ge=1, le=5)

    registration_database_url: str | None = None
    venue_database_url: str | None = None
    documents_database_url: str | None = None
    supervision_database_url: str | None = None
    gateway_database_url: str | None = None  # its tokens and audit

    registration_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['registration']}"
    venue_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['venue']}"
    documents_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['documents']}"
    supervision_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['supervision']}"

    gateway_port: int = 8000
    bootstrap_token: SecretStr | None = None
    assertion_key: SecretStr | None = Field(
        default=None, description="the secret the gateway signs callers' assertions with; every process"
    )
    rate_limit_per_s: float = Field(
        default=20.0, gt=0, description="requests a second a token may make at the gateway, sustained"
    )
    rate_limit_burst: int = Field(default=100, ge=1, description="requests a token may make at once")
    kiosk_rate_limit_per_s: float = Field(
        default=100.0, gt=0, description="the same for a kiosk token: a door in a rush"
    )
    kiosk_rate_limit_burst: int = Field(
        default=300, ge=1, description="requests a kiosk token may make at once"
    )

    outbox_retention_days: int = Field(default=7, ge=1)
    supervision_sweep_interval_s: float = Field(
        default=5.0, gt=0, description="how often supervision's scheduler looks for deadlines that came due"
    )

    event_stream_heartbeat_s: float = Field(
        default=15.0, gt=0, description="how often a quiet event stream (SSE) sends a heartbeat comment"
    )
    webhook_retry_delays_s: list[NonNegativeFloat] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 36000],
        min_length=1,
        description="the wait before each retry of a failed webhook delivery (±20% jitter); then it fails",
    )
    webhook_timeout_s: float = Field(default=15.0, gt=0, description="how long a webhook receiver may take")
    service_timeout_s: float = Field(
        default=10.0, gt=0, description="how long the gateway waits for a service's answer"
    )
    # A printout (the badges of a 3,000-person meeting, its guide, a seating chart) is laid out
    # while the caller waits: far longer than the usual answer, and worth waiting for.
    printout_timeout_s: float = Field(
        default=120.0, gt=0, description="how long the gateway waits for a PDF or XLSX from a service"
    )

    notice_channel: str = Field(default="log", description="how notices reach people: log, webhook or smtp")
    notice_webhook_url: str | None = Field(default=None, description="where the webhook channel posts")
    smtp_host: str | None = Field(default=None, description="the mail server the smtp channel sends through")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = Field(default=None, description="log in with this name, if the server asks")
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=False, description="upgrade the connection with STARTTLS first")
    smtp_sender: str | None = Field(default=None, description="the From address of notices sent by email")

    @property
    def nats_servers(self) -> list[str]:
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    def database_url(self, service: str) -> str:
        """The service's own database: the configured URL, else a SQLite file in the data dir."""
        configured: str | None = getattr(self, f"{service}_database_url")
        if configured:
            return configured
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def service_url(self, service: str) -> str:
        """Where the gateway finds the service: one base URL, or one per replica, comma-separated."""
        return ",".join(self.service_urls(service))

    def service_urls(self, service: str) -> list[str]:
        url: str = getattr(self, f"{service}_url")
        return [part.strip().rstrip("/") for part in url.split(",") if part.strip()]
