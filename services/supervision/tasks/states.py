"""The life of a task (RULES R4.3, R4.4): 立项 → 交办 → 办理中 ⇄ 延期审批中 → 已反馈 → 退回 (→ 办理中)
or 审核通过 (待领导审阅) → 办结/销号; a new leader instruction on an approved task is a new 交办."""

from __future__ import annotations

from huiwu.errors import Conflict
from huiwu.events.catalog import TaskAction, TaskState

S, A = TaskState, TaskAction

TRANSITIONS: dict[tuple[TaskState, TaskAction], TaskState] = {
    (S.registered, A.assign): S.assigned,
    (S.assigned, A.start): S.in_progress,
    (S.returned, A.start): S.in_progress,
    (S.in_progress, A.request_extension): S.extension_pending,
    (S.extension_pending, A.approve_extension): S.in_progress,
    (S.extension_pending, A.deny_extension): S.in_progress,
    (S.in_progress, A.feedback): S.reported,
    (S.reported, A.return_): S.returned,
    (S.reported, A.approve): S.approved,
    (S.approved, A.close): S.closed,
    (S.approved, A.reopen): S.assigned,
}

# While the departments have the task in hand they may report progress (进展).
IN_HAND = (S.assigned, S.in_progress, S.extension_pending, S.returned)

LABELS = {
    S.registered: "已立项",
    S.assigned: "已交办",
    S.in_progress: "办理中",
    S.extension_pending: "延期审批中",
    S.reported: "已反馈（待审核）",
    S.returned: "退回重办",
    S.approved: "审核通过（待领导审阅）",
    S.closed: "办结（销号）",
}


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "Illegal transition"


def allowed_actions(current: TaskState) -> list[TaskAction]:
    return [action for (state, action) in TRANSITIONS if state == current]


def next_state(current: TaskState, action: TaskAction) -> TaskState:
    """Where ``action`` takes a task in ``current``; 409 naming the state and what it allows."""
    after = TRANSITIONS.get((current, action))
    if after is None:
        allowed = allowed_actions(current)
        raise IllegalTransition(
            f"a task {current} ({LABELS[current]}) cannot take the action {action}; "
            f"it allows: {', '.join(allowed) or 'nothing, it is closed'}",
            field="action",
            current=current,
            allowed=allowed,
        )
    return after
