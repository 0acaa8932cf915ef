"""Venue's service process: ``huiwu serve services.venue.main:app``."""

from pathlib import Path

from huiwu.inbox import Subscription
from huiwu.projections import roster_handlers
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.sync import sync_router
from services.venue.attendees.models import SeatedPerson
from services.venue.database import Table

definition = ServiceDefinition(
    name="venue",
    title="venue and protocol (会场与座次)",
    metadata=Table.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=(sync_router("venue", people=SeatedPerson),),
    subscriptions=(
        Subscription(
            service="venue",
            producer="registration",
            handlers=roster_handlers(SeatedPerson),
        ),
    ),
)

app = create_service_app(definition)
