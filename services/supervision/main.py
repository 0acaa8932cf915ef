"""Supervision's service process: ``huiwu serve services.supervision.main:app``."""

from pathlib import Path

from huiwu.inbox import Subscription
from huiwu.projections import meeting_handlers, roster_handlers
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.sync import sync_router
from services.supervision.attendees.models import Participant
from services.supervision.attendees.views import router as attendees_router
from services.supervision.bulletins.views import router as bulletins_router
from services.supervision.cases import reactions as cases
from services.supervision.cases.views import router as cases_router
from services.supervision.database import Table
from services.supervision.journal.service import SUBSCRIPTIONS as journal_subscriptions
from services.supervision.journal.views import router as journal_router
from services.supervision.meetings.models import KnownMeeting
from services.supervision.opinions.views import router as opinions_router
from services.supervision.reminders.views import router as reminders_router
from services.supervision.report.views import router as report_router
from services.supervision.schedule.sweeps import SWEEPS
from services.supervision.schedule.worker import scheduler
from services.supervision.settings.views import router as settings_router
from services.supervision.situation_reports.views import router as situation_reports_router
from services.supervision.tasks.views import router as tasks_router

definition = ServiceDefinition(
    name="supervision",
    title="supervision (督查督办)",
    metadata=Table.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=(
        tasks_router,
        reminders_router,
        settings_router,
        report_router,
        attendees_router,
        journal_router,
        cases_router,
        opinions_router,
        bulletins_router,
        situation_reports_router,
        sync_router("supervision", people=Participant),
    ),
    subscriptions=(
        Subscription(
            service="supervision",
            producer="registration",
            handlers={
                **roster_handlers(Participant),
                **meeting_handlers(KnownMeeting),
                **cases.to_registration(),
            },
        ),
        Subscription(service="supervision", producer="documents", handlers=cases.to_documents()),
        *journal_subscriptions,
    ),
    workers=(scheduler(SWEEPS),),
)

app = create_service_app(definition)
