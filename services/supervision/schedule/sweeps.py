"""Everything supervision's scheduler does, in the order of a pass. To add one, write a function
``(session, now) -> int`` that finds what is due in the database, acts, marks it done on the rows
it acted on (so it is done once) and returns how many; then list it here under a unique name."""

from services.supervision.cases import sweeps as cases
from services.supervision.reminders import sweeps as reminders
from services.supervision.schedule.worker import Sweep

SWEEPS = (
    Sweep("cases.request_follow_ups", cases.open_request_follow_ups),
    Sweep("cases.report_deadlines", cases.watch_report_deadlines),
    Sweep("tasks.reminders", reminders.send_reminders),
)
