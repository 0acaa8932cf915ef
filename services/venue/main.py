"""Venue's service process: ``huiwu serve services.venue.main:app``."""

from pathlib import Path

from huiwu.inbox import Subscription
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.sync import sync_router
from services.venue import reactions
from services.venue.agenda.views import router as agenda_router
from services.venue.attendees.models import SeatedPerson
from services.venue.database import Table
from services.venue.protocol.views import router as protocol_router
from services.venue.seating import service as seating
from services.venue.seating.views import router as seating_router
from services.venue.venues.views import router as venues_router

definition = ServiceDefinition(
    name="venue",
    title="venue and protocol (会场与座次)",
    metadata=Table.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=(
        venues_router,
        protocol_router,
        agenda_router,
        seating_router,
        sync_router("venue", people=SeatedPerson),
    ),
    subscriptions=(
        Subscription(service="venue", producer="registration", handlers=reactions.to_registration()),
    ),
    workers=(seating.replan_forever,),
)

app = create_service_app(definition)
