"""Registration's service process: ``huiwu serve services.registration.main:app``."""

from pathlib import Path

from huiwu.events.catalog import (
    AgendaChanged,
    ClearanceDenied,
    ClearanceGranted,
    SituationReportSent,
    TaskReminded,
)
from huiwu.inbox import Subscription
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.sync import sync_router
from services.registration.agenda import service as agenda
from services.registration.attendance.views import router as attendance_router
from services.registration.attendees.models import Attendee
from services.registration.attendees.views import router as attendees_router
from services.registration.checkin.views import router as checkin_router
from services.registration.database import Table
from services.registration.departure import service as departure
from services.registration.departure.views import router as departure_router
from services.registration.exports.views import router as exports_router
from services.registration.freeze.views import router as freeze_router
from services.registration.groups.views import router as groups_router
from services.registration.guide.views import router as guide_router
from services.registration.imports.views import router as imports_router
from services.registration.lodging.views import router as lodging_router
from services.registration.meetings.views import router as meetings_router
from services.registration.notices import service as notices
from services.registration.notices.views import router as notices_router
from services.registration.record.views import router as record_router
from services.registration.requests.views import router as requests_router
from services.registration.supervision import reactions as supervision

definition = ServiceDefinition(
    name="registration",
    title="registration (报名注册)",
    metadata=Table.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=(
        meetings_router,
        imports_router,  # before attendees: /attendees/import is not an attendee id
        exports_router,  # nor are /attendees/export.xlsx, export.pdf and badges.pdf
        attendees_router,
        groups_router,
        freeze_router,
        checkin_router,
        attendance_router,
        departure_router,
        requests_router,
        lodging_router,
        notices_router,
        record_router,
        guide_router,
        sync_router("registration", people=Attendee),
    ),
    subscriptions=(
        Subscription(
            service="registration",
            producer="venue",
            handlers={AgendaChanged: agenda.on_agenda_changed},
        ),
        Subscription(
            service="registration",
            producer="documents",
            handlers={
                ClearanceGranted: departure.on_clearance_granted,
                ClearanceDenied: departure.on_clearance_denied,
            },
        ),
        Subscription(
            service="registration",
            producer="supervision",
            handlers={
                TaskReminded: supervision.on_task_reminded,
                SituationReportSent: supervision.on_situation_report_sent,
            },
        ),
    ),
    workers=(notices.deliver_forever,),
)

app = create_service_app(definition)
