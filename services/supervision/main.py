"""Supervision's service process: ``huiwu serve services.supervision.main:app``."""

from pathlib import Path

from huiwu.inbox import Subscription
from huiwu.projections import roster_handlers
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.sync import sync_router
from services.supervision.attendees.models import Participant
from services.supervision.database import Table

definition = ServiceDefinition(
    name="supervision",
    title="supervision (督查督办)",
    metadata=Table.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=(sync_router("supervision", people=Participant),),
    subscriptions=(
        Subscription(
            service="supervision",
            producer="registration",
            handlers=roster_handlers(Participant),
        ),
    ),
)

app = create_service_app(definition)
