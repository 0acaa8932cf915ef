"""Events produced by supervision (督查督办): tracked tasks (督办事项) and the office's settings.

Every task event carries the task's whole state and version (``TaskSnapshot``), so a reader (a
leaders' dashboard, the journal) keeps its copy of a task from any of them, in any order.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from huiwu.events.catalog.documents import Classification
from huiwu.events.contract import EventContract


class TaskState(StrEnum):
    """Where a task stands (RULES R4.4). Overdue is derived from the deadline, never a state."""

    registered = "registered"  # 已立项
    assigned = "assigned"  # 已交办
    in_progress = "in_progress"  # 办理中
    extension_pending = "extension_pending"  # 延期审批中
    reported = "reported"  # 已反馈（待审核）
    returned = "returned"  # 退回重办
    approved = "approved"  # 审核通过（待领导审阅）
    closed = "closed"  # 办结（销号）


class TaskAction(StrEnum):
    """What moves a task from one state to the next."""

    register = "register"  # 立项
    assign = "assign"  # 交办
    start = "start"  # 开始办理 (again, after a return)
    request_extension = "request_extension"  # 申请延期
    approve_extension = "approve_extension"  # 同意延期
    deny_extension = "deny_extension"  # 不同意延期
    feedback = "feedback"  # 反馈 (the completion report)
    return_ = "return"  # 退回重办
    approve = "approve"  # 审核通过
    close = "close"  # 办结销号
    reopen = "reopen"  # 领导新批示, a new 交办


class TaskSourceKind(StrEnum):
    """Where a task comes from (RULES R4.1)."""

    meeting_decision = "meeting_decision"  # 会议议定事项
    leader_instruction = "leader_instruction"  # 领导批示
    session = "session"  # 会议某一场次
    major_decision = "major_decision"  # 重大决策和工作部署
    superior = "superior"  # 上级交办
    proposal = "proposal"  # 人大建议、政协提案
    media = "media"  # 媒体、群众反映


class ReportFrequency(StrEnum):
    """How often the lead department reports progress (反馈频次)."""

    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    once = "once"  # only the completion report
    none = "none"


class DeadlineReason(StrEnum):
    registered = "registered"  # the deadline set at 立项
    extension = "extension"  # an approved extension
    reopened = "reopened"  # a new 交办 with a new deadline


class TaskSnapshot(BaseModel):
    """A task as of one version: what every task event carries in full."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    task_id: str
    version: int = Field(ge=1, description="The task's version; readers keep the highest.")
    number: str = Field(description="编号 as printed, e.g. 督〔2027〕3号")
    content: str = Field(description="事项内容")
    source_kind: TaskSourceKind
    source_reference: str | None = Field(description="the decision, instruction or item it comes from")
    source_session_id: str | None = Field(description="the agenda session it was decided in, if any")
    lead_department: str = Field(description="承办/牵头单位: exactly one")
    supporting_departments: list[str] = Field(description="协办单位")
    responsible_person: str = Field(description="责任人")
    responsible_attendee_id: str | None = Field(description="the responsible person on the roster, if there")
    deadline: datetime = Field(description="办理时限 now in force (moved by approved extensions)")
    report_frequency: ReportFrequency
    state: TaskState = Field(description="the state now (after a transition: where it went)")
    round: int = Field(ge=1, description="交办 round: a new leader instruction starts the next one")


class TaskRegistered(TaskSnapshot, EventContract):
    """A task was registered (立项) with its number, source, departments and deadline."""

    producer = "supervision"
    aggregate = "task"
    event_name = "registered"

    meeting_id: str
    registered_at: datetime


class TaskTransitioned(TaskSnapshot, EventContract):
    """A task moved from one state to another (交办, 反馈, 退回, 审核通过, 销号…)."""

    producer = "supervision"
    aggregate = "task"
    event_name = "transitioned"

    meeting_id: str
    action: TaskAction
    from_state: TaskState
    note: str | None = Field(description="the notice, opinion, reasons or report that came with it")
    department: str | None = Field(description="the department that acted (feedback, extension request)")
    requested_deadline: datetime | None = Field(description="an extension request: the date asked for")
    at: datetime


class TaskDeadlineMoved(TaskSnapshot, EventContract):
    """A task's deadline moved (an approved extension, a new 交办); every earlier one is kept."""

    producer = "supervision"
    aggregate = "task"
    event_name = "deadline_moved"

    meeting_id: str
    previous_deadline: datetime
    reason: DeadlineReason
    at: datetime


class AttachmentRef(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    attachment_id: str
    filename: str
    size: int
    sha256: str


class TaskProgressReported(TaskSnapshot, EventContract):
    """A lead or supporting department reported progress (进展), possibly with files."""

    producer = "supervision"
    aggregate = "task"
    event_name = "progress_reported"

    meeting_id: str
    report_id: str
    department: str
    text: str
    attachments: list[AttachmentRef]
    reported_at: datetime


class TaskColour(StrEnum):
    """三色督办 (RULES R4.7): the light a task shows. Green is on track; blue, yellow (橙, orange, in
    some offices) and red are the chase notes (督办单) of rising urgency."""

    green = "green"  # 绿: on track
    blue = "blue"  # 蓝: near the deadline, or slow
    yellow = "yellow"  # 黄/橙: nearer still, or a blue note unanswered
    red = "red"  # 红: overdue


class ReminderReason(StrEnum):
    """Why a chase note (催办) went out."""

    near_deadline = "near_deadline"  # 临近办理时限
    slow = "slow"  # 进展缓慢: no news for longer than the report frequency allows
    unanswered = "unanswered"  # 蓝色督办后仍未办理
    overdue = "overdue"  # 逾期未办结
    manual = "manual"  # issued by hand (a major or urgent item)


class TaskReminded(TaskSnapshot, EventContract):
    """A chase note (催办, 三色督办单) went out on a task: by the scheduler when the task climbed to a
    colour above the notes it was sent under its deadline in force (so once per colour per
    deadline), or by hand at any colour. It restates the requirement and may set a time limit for
    the answer; a notice can go to the lead department and the responsible person. ``deadline``
    is the deadline it chases."""

    producer = "supervision"
    aggregate = "task"
    event_name = "reminded"

    meeting_id: str
    reminder_id: str
    colour: TaskColour = Field(description="blue, yellow or red: a note is never green")
    reason: ReminderReason
    requirement: str = Field(description="the requirement restated, in Chinese, as the note prints it")
    note: str | None = Field(description="what the office wrote on a note issued by hand")
    time_limit: datetime | None = Field(description="answer by then (a note issued by hand may set one)")
    reminded_by: str | None = Field(description="None: the scheduler")
    reminded_at: datetime


class EscalationThresholds(BaseModel):
    """When a task's chase note (三色督办单, RULES R4.7) turns blue, yellow and red."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    blue_hours_left: int = Field(description="蓝: this many hours left or fewer")
    yellow_hours_left: int = Field(description="黄: this many hours left or fewer")
    yellow_after_blue_hours: int = Field(description="黄 also: a blue reminder unanswered this many hours")
    red_hours_overdue: int = Field(description="红: this many hours past the deadline (0: once overdue)")


class SupervisionSettingsChanged(EventContract):
    """The office changed a meeting's task numbering or escalation thresholds."""

    producer = "supervision"
    aggregate = "settings"
    event_name = "changed"

    meeting_id: str
    version: int = Field(ge=1)
    number_format: str = Field(description="e.g. 督〔{year}〕{n}号")
    escalation: EscalationThresholds


class CaseKind(StrEnum):
    """What opened a case (事件/案件)."""

    missing_copy = "missing_copy"  # a copy of a document is missing (缺失, RULES R3.7–R3.8)
    request_follow_up = "request_follow_up"  # a delegate's request left past its due time (督办)


class CaseState(StrEnum):
    """open → reported (the 24-hour report filed) → closed. A follow-up closes without a report."""

    open = "open"
    reported = "reported"
    closed = "closed"


class CaseOpened(EventContract):
    """Supervision opened a case: a missing copy (reported within 24 hours when classified) or an
    overdue request to follow up. ``document_id``/``copy_no`` or ``request_id`` name its cause."""

    producer = "supervision"
    aggregate = "case"
    event_name = "opened"

    meeting_id: str
    case_id: str
    kind: CaseKind
    title: str = Field(description="e.g. 《省纪委工作报告》第000003份缺失")
    cause_event_id: str | None = Field(description="the event that opened it (documents' copy.missing)")
    document_id: str | None = None
    copy_no: str | None = None
    request_id: str | None = None
    report_due_at: datetime | None = Field(description="the 24-hour report deadline; None: no report due")
    opened_at: datetime


class CaseReportDueSoon(EventContract):
    """A case's report deadline is near and no report is filed: a warning to send out."""

    producer = "supervision"
    aggregate = "case"
    event_name = "report_due_soon"

    meeting_id: str
    case_id: str
    title: str
    report_due_at: datetime


class CaseReportOverdue(EventContract):
    """A case's report deadline passed with no report filed: an alert to send out."""

    producer = "supervision"
    aggregate = "case"
    event_name = "report_overdue"

    meeting_id: str
    case_id: str
    title: str
    report_due_at: datetime


class CaseReported(EventContract):
    """The report of a missing copy was filed (to the secrecy bureau and the superior department)."""

    producer = "supervision"
    aggregate = "case"
    event_name = "reported"

    meeting_id: str
    case_id: str
    reported_at: datetime
    reported_by: str
    reported_to: list[str] = Field(description="同级保密行政管理部门, then the superior department")
    late: bool = Field(description="filed after the report deadline")


class CaseClosed(EventContract):
    """A case was closed, by hand with its outcome, or by itself once its request was done."""

    producer = "supervision"
    aggregate = "case"
    event_name = "closed"

    meeting_id: str
    case_id: str
    kind: CaseKind
    outcome: str
    closed_by: str | None = Field(description="None: closed by itself when its request was done")
    closed_at: datetime


class BulletinWriteUp(StrEnum):
    """How a bulletin's body is written (RULES R5.1)."""

    overview = "overview"  # 综述: progress, attendance, speeches, agenda
    key_report = "key_report"  # 重点报道: one key report or group discussion
    summary = "summary"  # 摘要: summaries of speeches


class BulletinRecipients(BaseModel):
    """A bulletin's foot (报尾): who it is reported, sent and issued to."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    report_to: list[str] = Field(description="报: superiors")
    send_to: list[str] = Field(description="送: peers")
    issue_to: list[str] = Field(description="发: subordinates")
    extra_to: list[str] = Field(description="增发: extra recipients")


class BulletinIssued(EventContract):
    """A meeting bulletin (会议简报) was issued as 第N期 and can no longer change. A classified one
    carries its PDF: the documents room registers it, then numbers, hands out and takes back its
    copies like any other classified document."""

    producer = "supervision"
    aggregate = "bulletin"
    event_name = "issued"

    meeting_id: str
    bulletin_id: str
    issue_number: int = Field(ge=1, description="第N期: per meeting, gapless")
    title: str = Field(description="the masthead's name and the issue, e.g. ××全体会议简报（第2期）")
    headline: str
    write_up: BulletinWriteUp
    unit: str = Field(description="编印单位")
    issued_on: date = Field(description="印发日期, in Beijing")
    issued_at: datetime
    issued_by: str
    classification: Classification
    secrecy_years: int | None = Field(description="保密期限 as printed; None if unclassified")
    print_count: int = Field(ge=1, description="印发份数")
    recipients: BulletinRecipients
    # The PDF travels in the event: departments never call each other, and the documents room
    # prints every numbered copy from it. A bulletin is a few pages (tens to a few hundred KB;
    # issuing refuses one too large for a NATS message), and only a classified one is registered.
    pdf: str | None = Field(description="the PDF as issued, base64; only for a classified bulletin")
    pdf_sha256: str = Field(description="SHA-256 of the PDF as issued")


class ReportAddresseeRole(StrEnum):
    presiding = "presiding"  # 会议主持人
    leader = "leader"  # a leader named on the report


class ReportAddressee(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    role: ReportAddresseeRole
    attendee_id: str | None = Field(description="on the roster, if there")
    name: str
    post: str


class SituationReportSent(EventContract):
    """A situation report (情况反映) went straight to the presiding officer and the leaders it
    names: a notice can go out to each addressee."""

    producer = "supervision"
    aggregate = "situation_report"
    event_name = "sent"

    meeting_id: str
    report_id: str
    title: str
    text: str
    addressees: list[ReportAddressee] = Field(description="the presiding officer first, then the leaders")
    source_opinion_ids: list[str] = Field(description="the opinions it draws on")
    sent_by: str
    sent_at: datetime
