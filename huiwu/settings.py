"""Platform settings, read from ``HUIWU_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
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

    registration_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['registration']}"
    venue_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['venue']}"
    documents_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['documents']}"
    supervision_url: str = f"http://127.0.0.1:{DEFAULT_SERVICE_PORTS['supervision']}"

    gateway_port: int = 8000
    bootstrap_token: SecretStr | None = None

    outbox_retention_days: int = Field(default=7, ge=1)

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
        url: str = getattr(self, f"{service}_url")
        return url.rstrip("/")
