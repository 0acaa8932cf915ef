"""Documents' service process: ``huiwu serve services.documents.main:app``."""

from pathlib import Path

from huiwu.events.catalog import AgendaChanged, BulletinIssued, DepartureRequested
from huiwu.inbox import Subscription
from huiwu.projections import roster_handlers
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.sync import sync_router
from services.documents.agenda.service import on_agenda_changed
from services.documents.attendees.models import Recipient
from services.documents.bulletins.service import on_bulletin_issued
from services.documents.bulletins.views import router as bulletins_router
from services.documents.copies.views import router as copies_router
from services.documents.database import Table
from services.documents.departure.service import on_departure_requested
from services.documents.departure.views import router as departure_router
from services.documents.documents.views import router as documents_router
from services.documents.register.views import router as register_router

definition = ServiceDefinition(
    name="documents",
    title="documents (机要文件)",
    metadata=Table.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=(
        register_router,
        bulletins_router,
        documents_router,
        copies_router,
        departure_router,
        sync_router("documents", people=Recipient),
    ),
    subscriptions=(
        Subscription(
            service="documents",
            producer="registration",
            handlers={**roster_handlers(Recipient), DepartureRequested: on_departure_requested},
        ),
        Subscription(service="documents", producer="venue", handlers={AgendaChanged: on_agenda_changed}),
        Subscription(
            service="documents", producer="supervision", handlers={BulletinIssued: on_bulletin_issued}
        ),
    ),
)

app = create_service_app(definition)
