"""The base of every event contract, and the registry that maps a CloudEvents type to its model."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

ANY_SERVICE = "*"


class EventContract(BaseModel):
    """The typed ``data`` of one event type.

    Readers are tolerant (unknown fields are ignored) so a producer can add a field without a
    new version; removing or changing a field is a new version (``.v2``) with its own class.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    producer: ClassVar[str]
    aggregate: ClassVar[str]
    event_name: ClassVar[str]
    schema_version: ClassVar[int] = 1

    registry: ClassVar[dict[str, type[EventContract]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_name" in cls.__dict__:
            key = f"huiwu.{cls.producer}.{cls.aggregate}.{cls.event_name}.v{cls.schema_version}"
            if key in EventContract.registry:
                raise TypeError(f"two contracts claim {key}")
            EventContract.registry[key] = cls

    @classmethod
    def event_type(cls, producer: str | None = None) -> str:
        """``huiwu.<service>.<aggregate>.<event>.v<N>``; platform events take their producer's name."""
        service = cls._producer(producer)
        return f"huiwu.{service}.{cls.aggregate}.{cls.event_name}.v{cls.schema_version}"

    @classmethod
    def nats_subject(cls, producer: str | None = None) -> str:
        """``huiwu.<service>.<aggregate>.<event>``: the version lives in the type, not the subject."""
        return f"huiwu.{cls._producer(producer)}.{cls.aggregate}.{cls.event_name}"

    @classmethod
    def _producer(cls, producer: str | None) -> str:
        if cls.producer != ANY_SERVICE:
            if producer not in (None, cls.producer):
                raise ValueError(f"{cls.__name__} is produced by {cls.producer}, not {producer}")
            return cls.producer
        if producer is None:
            raise ValueError(f"{cls.__name__} is a platform event: name the producing service")
        return producer


class UnknownEventType(LookupError):
    pass


def contract_for(event_type: str) -> type[EventContract]:
    """The contract of a type, trying the platform contracts (``huiwu.*.…``) after exact types."""
    registry = EventContract.registry
    if event_type in registry:
        return registry[event_type]
    parts = event_type.split(".")
    if len(parts) == 5 and parts[0] == "huiwu":
        generic = ".".join([parts[0], ANY_SERVICE, *parts[2:]])
        if generic in registry:
            return registry[generic]
    raise UnknownEventType(event_type)
