"""The guide's fixed Chinese words, in one place: both renderers print them. The PDF embeds the
glyphs of every UPPER_CASE constant here, so a new word belongs here rather than in a renderer."""

from __future__ import annotations

from huiwu.events.catalog import ExpectedKind

BOOKLET = "会议指南"
AGENDA = "一、会议日程"
GROUPS = "二、会议编组"
ROSTER = "三、人员名单"
LODGING = "四、住宿安排"
NOTES = "五、注意事项"
SECTIONS = (AGENDA, GROUPS, ROSTER, LODGING, NOTES)

AGENDA_COLUMNS = ("时间", "议程", "地点", "主持人", "参加人员")
ROSTER_COLUMNS = ("序号", "姓名", "单位", "职务")
LODGING_COLUMNS = ("酒店", "房号", "姓名", "住宿日期")
CONVENOR, ROOM, MEMBERS = "召集人", "地点", "成员"
FIELD = "{label}：{value}"  # e.g. 召集人：王芳
HEADCOUNT = "{category}（{count}人）"  # e.g. 出席（12人）

AGENDA_TO_FOLLOW = "日程另行通知"
GROUPS_TO_FOLLOW = "编组另行通知"
ROSTER_TO_FOLLOW = "名单另行通知"
LODGING_TO_FOLLOW = "住宿另行安排"
ROOM_TO_FOLLOW = "另行通知"

# Who a session expects, as the agenda prints it; a group session prints the group's name instead.
ATTENDING = {
    ExpectedKind.everyone: "全体人员",
    ExpectedKind.members: "出席人员",
    ExpectedKind.people: "指定人员",
}
WEEKDAYS = "一二三四五六日"

# What every participant is told, whatever the meeting (会务须知).
PRACTICAL_NOTES = (
    "请全程佩戴证件，凭证件出入会场、就餐和乘车。",
    "请按时出席会议，提前10分钟入场；因故不能出席的，请事先向会务组请假。",
    "会场内请将手机关闭或调至静音，不得吸烟。",
    "会议文件请妥善保管，会议结束时按要求清退，不得带离或转借。",
    "严格遵守保密纪律，不得擅自记录、录音、拍照，不得传播会议内容。",
    "如有疑问或需要帮助，请与会务组联系。",
)
