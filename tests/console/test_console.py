"""The console (issue 8) in a real Chromium against the whole platform: sign in, import a
roster, check in at the door and watch the dashboard move by itself, scan through a network drop,
move a session to another room and watch its seating chart follow, take a document back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import FilePayload, Page, Route, expect

from huiwu.chinese import local_date
from huiwu.runner import Platform
from tests.console.conftest import Console
from tests.supervision_desk import TASK, days_ahead
from tests.test_dashboard import at, distribute, ok, released
from tests.test_gateway_tokens import issue
from tests.test_registration_roster import id_number
from tests.test_slice_end_to_end import register, wait_for_sync
from tests.test_venue_end_to_end import eventually, known_to_venue
from tests.venue_desk import HALL

MEETING = "中共江南省纪律检查委员会第三次全体会议"
SMALL_ROOM = {**HALL, "name": "第二会议室", "capacity": 40,
              "seat_map": {"rows": 4, "seats_per_row": 8, "aisles_after": [4], "unusable": []}}  # fmt: skip


@dataclass(frozen=True)
class Meeting:
    id: str
    people: dict[str, str]  # name → attendee id


def new_meeting(gateway: httpx.Client, *names: str) -> Meeting:
    today = local_date(datetime.now(UTC))
    dates = {"starts_on": str(today - timedelta(days=1)), "ends_on": str(today + timedelta(days=1))}
    meeting_id = str(ok(gateway.post("/api/v1/meetings", json={"name": MEETING, **dates}), 201)["id"])
    people = {name: register(gateway, meeting_id, name, delegation="江州市")["id"] for name in names}
    if people:
        wait_for_sync(gateway, meeting_id, len(people))
    return Meeting(meeting_id, people)


def badge(gateway: httpx.Client, meeting: Meeting, name: str) -> str:
    path = f"/api/v1/meetings/{meeting.id}/attendees/{meeting.people[name]}/badge"
    return str(ok(gateway.get(path))["token"])


def kiosk_token(gateway: httpx.Client, meeting: Meeting) -> str:
    return str(issue(gateway, name="北门签到机1号", kind="kiosk", meeting_id=meeting.id)["token"])


def present(gateway: httpx.Client, meeting: Meeting) -> int:
    return int(ok(gateway.get(f"/api/v1/meetings/{meeting.id}/attendance"))["total"]["present"])


def sign_ins(gateway: httpx.Client, meeting: Meeting, name: str) -> int:
    record = ok(gateway.get(f"/api/v1/meetings/{meeting.id}/attendees/{meeting.people[name]}/record"))
    return sum(1 for scan in record["checkins"] if scan["direction"] == "in")


def count(page: Page, name: str) -> Any:
    return page.locator(f'[data-count="{name}"] .number')


def scan(station: Page, value: str) -> None:
    field = station.get_by_label("扫描证件（或输入证件码）")
    field.fill(value)
    field.press("Enter")


def test_sign_in_and_every_page_in_chinese_and_english(
    console: Console, gateway: httpx.Client, platform: Platform
) -> None:
    meeting = new_meeting(gateway, "王建国", "李明")
    task_in = {**TASK, "deadline": days_ahead(10)}
    task = ok(gateway.post(f"/api/v1/meetings/{meeting.id}/tasks", json=task_in), 201)

    page = console.page()
    page.get_by_label("访问令牌").fill("不是令牌")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("alert")).to_contain_text("令牌无效")
    page.get_by_label("访问令牌").fill(platform.token)
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("会议", exact=True).select_option(meeting.id)
    page.get_by_role("button", name="进入").click()

    expect(page.locator("#meeting-name")).to_have_text(MEETING)
    expect(count(page, "expected")).to_have_text("2")
    expect(page.locator("[data-quorum]")).to_contain_text("应到")
    expect(page.locator("#live")).to_have_text("实时")
    console.screenshot(page, "dashboard")
    pages = (("名册", "text=王建国"), ("日程与座次", "text=尚无日程"), ("文件清退", "text=尚无文件"),
             ("督查督办", f'[data-task="{task["id"]}"]'))  # fmt: skip
    for link, ready in pages:
        page.get_by_role("link", name=link).click()
        expect(page.locator(ready).first).to_be_visible()
        console.screenshot(page, link)
    expect(page.locator(f'[data-task="{task["id"]}"]')).to_contain_text(task["number"])

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Supervision")).to_have_attribute("aria-current", "page")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("Present", exact=True)).to_be_visible()
    console.screenshot(page, "dashboard-en")
    page.get_by_role("button", name="中文").click()

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("访问令牌")).to_be_visible()
    page.reload()
    expect(page.get_by_label("访问令牌")).to_be_visible()  # the token went with the sign-out


HEADER = "姓名,性别,单位,职务,类别,排序,代表团,身份证号"


def roster_file(*rows: str) -> FilePayload:
    content = "\n".join([HEADER, *rows]).encode("utf-8-sig")
    return FilePayload(name="名册.csv", mimeType="text/csv", buffer=content)


def test_importing_a_roster_shows_the_dry_run_row_by_row_then_imports(
    console: Console, gateway: httpx.Client
) -> None:
    meeting = new_meeting(gateway)
    good = (f"周强,男,临海市纪委监委,副书记,出席,,临海市,{id_number(serial='102')}",
            "欧阳少东,男,省纪委监委,副书记,出席,1,省直机关,",
            f"王芳,女,江州市纪委监委,书记,列席,,江州市,{id_number(serial='101')}")  # fmt: skip
    page = console.signed_in(meeting.id)
    page.get_by_role("link", name="名册").click()
    page.get_by_text("导入名册（CSV 或 Excel）").click()
    chooser = page.get_by_label("名册文件")

    bad_id = "欧阳少东,男,省纪委监委,副书记,出席,1,省直机关,110101"
    chooser.set_input_files(roster_file(good[0], bad_id, good[2]))
    page.get_by_role("button", name="检查（试导入）").click()
    expect(page.locator('[data-report="dry-run"]')).to_contain_text("共 3 行，2 行可以导入，1 个问题")
    expect(page.locator('tr[data-row="3"]')).to_contain_text("id_number")
    expect(page.get_by_role("button", name="导入", exact=True)).to_be_disabled()
    console.screenshot(page, "roster-dry-run")

    chooser.set_input_files(roster_file(*good))
    page.get_by_role("button", name="检查（试导入）").click()
    expect(page.locator('[data-report="dry-run"]')).to_contain_text("共 3 行，3 行可以导入，0 个问题")
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator('[data-report="import"]')).to_contain_text("已导入 3 人")
    names = page.locator("tbody th[scope=row]")
    expect(names).to_have_text(["欧阳少东", "周强", "王芳"])  # protocol order: rank, then 出席 before 列席
    console.screenshot(page, "roster-imported")

    page.get_by_label("查找（姓名、单位、职务、代表团）").fill("临海")
    expect(names).to_have_text(["周强"])
    page.get_by_label("查找（姓名、单位、职务、代表团）").fill("")
    page.locator("tr", has_text="周强").get_by_role("button", name="请假").click()
    page.get_by_label("事由").fill("住院治疗")
    page.get_by_label("批准人").fill("秘书长")
    page.get_by_role("button", name="确定").click()
    expect(page.locator("#toast")).to_contain_text("已为周强登记请假")
    assert ok(gateway.get(f"/api/v1/meetings/{meeting.id}/attendance"))["total"]["on_leave"] == 1


def test_a_check_in_at_the_station_moves_the_dashboard_without_a_reload(
    console: Console, gateway: httpx.Client
) -> None:
    meeting = new_meeting(gateway, "王建国", "李明", "张伟")
    dashboard = console.signed_in(meeting.id)
    expect(count(dashboard, "present")).to_have_text("0")
    expect(dashboard.locator("#live")).to_have_text("实时")
    dashboard.evaluate("window.notReloaded = true")

    station = console.signed_in(meeting.id, kiosk_token(gateway, meeting), width=1024, height=768)
    expect(station.get_by_role("navigation")).to_be_hidden()  # a kiosk token has the station only
    scan(station, badge(gateway, meeting, "李明"))
    answer = station.locator(".answer")
    expect(answer).to_have_class("answer accepted")
    expect(answer).to_contain_text("李明")
    console.screenshot(station, "station-accepted")

    expect(count(dashboard, "present")).to_have_text("1")
    expect(count(dashboard, "absent")).to_have_text("2")
    assert dashboard.evaluate("window.notReloaded") is True
    console.screenshot(dashboard, "dashboard-live")

    scan(station, "伪造的证件")
    expect(answer).to_have_class("answer refused")
    expect(answer).to_contain_text("证件无效")
    console.screenshot(station, "station-refused")


def test_scans_queued_through_a_network_drop_are_sent_once_when_it_returns(
    console: Console, gateway: httpx.Client
) -> None:
    meeting = new_meeting(gateway, "王建国", "李明", "张伟", "刘洋")
    dashboard = console.signed_in(meeting.id)
    expect(count(dashboard, "present")).to_have_text("0")
    station = console.signed_in(meeting.id, kiosk_token(gateway, meeting), width=1024, height=768)
    queue = station.locator(".queue")
    expect(queue).to_have_text("全部已上传")

    station.context.set_offline(True)
    scan(station, badge(gateway, meeting, "王建国"))
    scan(station, badge(gateway, meeting, "李明"))
    expect(queue).to_have_attribute("data-queue", "2")
    expect(station.locator(".answer")).to_have_class("answer queued")
    console.screenshot(station, "station-offline")
    assert present(gateway, meeting) == 0

    station.context.set_offline(False)
    expect(queue).to_have_attribute("data-queue", "0")
    expect(count(dashboard, "present")).to_have_text("2")
    assert present(gateway, meeting) == 2
    assert [sign_ins(gateway, meeting, name) for name in ("王建国", "李明")] == [1, 1]

    # The answer to a scan is lost on the way back: the service counted it, the station did not
    # hear so and sends it again with the same nonce. It still counts once.
    lost: list[str] = []

    def lose_the_answer(route: Route) -> None:
        if lost:
            route.continue_()
            return
        sent: dict[str, Any] = route.request.post_data_json or {}
        lost.append(str(sent["nonce"]))
        route.fetch()  # reaches the service
        route.abort("connectionreset")

    station.route("**/checkins", lose_the_answer)
    scan(station, badge(gateway, meeting, "张伟"))
    expect(queue).to_have_attribute("data-queue", "0")
    expect(station.locator(".answer")).to_contain_text("张伟")
    assert lost and eventually(lambda: present(gateway, meeting) == 3)
    assert sign_ins(gateway, meeting, "张伟") == 1
    expect(count(dashboard, "present")).to_have_text("3")


def seat_of(plan: dict[str, Any], name: str) -> str:
    return str(next(seat["label"] for seat in plan["seats"] if seat["name"] == name))


def test_moving_a_session_to_its_backup_room_moves_the_seating_chart(
    console: Console, gateway: httpx.Client
) -> None:
    meeting = new_meeting(gateway, "王建国", "李明", "张伟")
    assert eventually(lambda: known_to_venue(gateway, meeting.id))
    venue = ok(gateway.post("/api/v1/venues", json={"name": "江南会议中心"}), 201)
    hall = ok(gateway.post(f"/api/v1/venues/{venue['id']}/rooms", json=HALL), 201)
    backup = ok(gateway.post(f"/api/v1/venues/{venue['id']}/rooms", json=SMALL_ROOM), 201)
    day = local_date(datetime.now(UTC)) + timedelta(days=1)
    session = ok(gateway.post(f"/api/v1/meetings/{meeting.id}/sessions", json={
        "title": "第一次全体会议", "kind": "plenary", "room_id": hall["id"], "starts_at": at(day, "09:00"),
        "ends_at": at(day, "11:00"), "expected": {"kind": "everyone"}, "backup_room_ids": [backup["id"]],
    }), 201)  # fmt: skip
    seating = f"/api/v1/meetings/{meeting.id}/sessions/{session['id']}/seating"
    before = seat_of(ok(gateway.get(seating)), "李明")

    page = console.signed_in(meeting.id)
    page.get_by_role("link", name="日程与座次").click()
    page.locator("tr", has_text="第一次全体会议").get_by_role("button", name="座次").click()
    chart = page.locator("figure.chart")
    expect(chart).to_have_attribute("data-room", hall["full_name"])
    expect(chart.locator("img")).to_be_visible()
    expect(page.locator(f'tr[data-attendee="{meeting.people["李明"]}"]')).to_contain_text(before)
    console.screenshot(page, "seating-before")

    page.get_by_label("备用会场").select_option(backup["id"])
    page.get_by_label("原因").fill("大礼堂空调检修")
    page.get_by_role("button", name="切换会场").click()
    expect(chart).to_have_attribute("data-room", backup["full_name"])
    expect(page.locator("figcaption")).to_contain_text(backup["full_name"])
    after = seat_of(ok(gateway.get(seating)), "李明")
    expect(page.locator(f'tr[data-attendee="{meeting.people["李明"]}"]')).to_contain_text(after)
    expect(page.locator(".notices")).to_contain_text(f"地点由{hall['full_name']}调整为{backup['full_name']}")
    console.screenshot(page, "seating-after")


def test_recording_a_return_at_the_desk_lets_the_person_leave(
    console: Console, gateway: httpx.Client
) -> None:
    meeting = new_meeting(gateway, "王建国", "李明")
    document = released(gateway, meeting.id, "省纪委工作报告", "confidential", 5)
    copies = distribute(gateway, meeting.id, document, *meeting.people.values())
    leaving = meeting.people["李明"]
    base = f"/api/v1/meetings/{meeting.id}/attendees/{leaving}"
    ok(gateway.post(f"{base}/departure"), 202)
    assert eventually(lambda: ok(gateway.get(f"{base}/departure"))["status"] == "blocked")

    page = console.signed_in(meeting.id)
    page.get_by_role("link", name="文件清退").click()
    person = page.locator(f'tr[data-attendee="{leaving}"]')
    expect(person.locator("[data-departure]")).to_have_text("暂不能离会")
    per_document = page.locator(f'tr[data-document="{document}"]')
    expect(per_document.locator('[data-state="issued"]')).to_have_text("2")
    console.screenshot(page, "desk-before")

    page.get_by_label("份号").fill(str(int(copies[leaving])))  # typed without the leading zeros
    page.get_by_label("经收人").fill("机要员张三")
    page.get_by_role("button", name="登记清退").click()
    answer = f"份号 {copies[leaving]}《省纪委工作报告》已由李明清退"
    expect(page.locator("form [role=status]")).to_contain_text(answer)
    expect(per_document.locator('[data-state="returned"]')).to_have_text("1")
    expect(per_document.locator('[data-state="issued"]')).to_have_text("1")
    expect(person.locator("[data-departure]")).to_have_text("")
    assert eventually(lambda: ok(gateway.get(f"{base}/departure"))["status"] == "departed")
    console.screenshot(page, "desk-after")


def test_the_console_serves_its_own_files_only(platform: Platform) -> None:
    with httpx.Client(base_url=platform.url("gateway"), timeout=10) as client:
        page = client.get("/console/")
        assert page.status_code == 200 and "会务工作台" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert client.get("/console", follow_redirects=False).headers["location"] == "/console/"
        assert client.get("/console/js/app.js").headers["content-type"].startswith("text/javascript")
        outside = ("/console/..%2F__init__.py", "/console/%2e%2e/views.py", f"/console/{uuid.uuid4()}.js")
        for escape in outside:
            assert client.get(escape).status_code == 404
