"""Documents' service process: ``huiwu serve services.documents.main:app``."""

from pathlib import Path

from huiwu.inbox import Subscription
from huiwu.projections import roster_handlers
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.sync import sync_router
from services.documents.attendees.models import Recipient
from services.documents.database import Table

definition = ServiceDefinition(
    name="documents",
    title="documents (机要文件)",
    metadata=Table.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=(sync_router("documents", people=Recipient),),
    subscriptions=(
        Subscription(
            service="documents",
            producer="registration",
            handlers=roster_handlers(Recipient),
        ),
    ),
)

app = create_service_app(definition)
