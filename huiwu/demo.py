"""A realistic sample meeting, loaded through the public API: ``huiwu up --demo``.

The meeting is the third plenary session of the discipline-inspection commission of a fictional
province, 江南省: about 60 commission members (出席), 180 observers (列席), 10 guests (来宾) and
40 staff (工作人员), with the nine leaders on the podium in protocol order. Every name of a
person, place, company and university is generated or made up; none is meant to be real.

The data are pure functions (:func:`demo_meeting`, :func:`demo_attendees`), deterministic for a
given seed, so tests and benchmarks can use them without a running platform.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

DEMO_NAME = "中共江南省纪律检查委员会第三次全体会议"
DEMO_STARTS_ON = "2027-01-12"
DEMO_ENDS_ON = "2027-01-14"
SEED = 2027
CONCURRENCY = 8
TIMEOUT_S = 30.0

Attendee = dict[str, Any]

# Common surnames, weighted roughly by frequency. They include the two compound surnames 欧阳 and
# 司马 beside 欧 and 司, and characters of 2 to 8 strokes (丁 王 文 方 叶 田 史 司 刘 孙 李 林 欧 周)
# so that ordering by surname strokes (姓氏笔画) has something to do.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 70), ("张", 68), ("刘", 54), ("陈", 50), ("杨", 34), ("黄", 26), ("赵", 24),
    ("吴", 22), ("周", 22), ("徐", 16), ("孙", 16), ("马", 14), ("朱", 14), ("胡", 13), ("郭", 12),
    ("何", 12), ("林", 12), ("高", 11), ("罗", 11), ("郑", 10), ("梁", 10), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 7), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 6), ("董", 6), ("潘", 5), ("袁", 5), ("蔡", 5), ("蒋", 5), ("余", 5),
    ("于", 5), ("杜", 5), ("叶", 5), ("程", 5), ("魏", 4), ("苏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("卢", 4), ("姚", 4), ("沈", 4), ("钟", 4), ("姜", 4), ("崔", 4), ("谭", 4),
    ("陆", 3), ("范", 3), ("汪", 3), ("廖", 3), ("石", 3), ("金", 3), ("贾", 3), ("方", 3),
    ("史", 2), ("文", 2), ("司", 1), ("欧", 1), ("欧阳", 2), ("司马", 1),
)  # fmt: skip

# Surnames every roster contains, so that sorting by strokes has neighbours to separate.
STROKE_SURNAMES = (
    "丁", "王", "文", "方", "叶", "田", "史", "司", "司马", "刘", "孙", "李", "林", "欧", "欧阳", "周",
)  # fmt: skip

# Given names as people of the cadres' generation (born 1965-1990) are called, and single
# characters for the two-character names (about a third).
GIVEN_MALE = (
    "建国", "建华", "建军", "卫东", "卫国", "志强", "志刚", "志明", "国华", "国庆", "国栋", "海涛",
    "海波", "海峰", "晓东", "晓明", "晓光", "文斌", "文华", "立新", "立军", "永刚", "永平", "春明",
    "宏伟", "振华", "俊峰", "俊杰", "新民", "明辉", "德胜", "学军", "成林", "浩然", "宇航", "伟东",
    "红军", "剑锋", "云飞", "鹏飞", "正平", "守仁", "家明", "少华", "长青", "树林", "德明", "庆丰",
    "中华", "跃进", "向阳", "东升", "金龙", "玉山", "安邦", "子文", "思远", "毅", "伟", "强",
    "军", "磊", "勇", "杰", "涛", "斌", "刚", "辉", "鹏", "峰", "波", "亮", "坚", "凯",
)  # fmt: skip
GIVEN_FEMALE = (
    "丽华", "秀英", "桂兰", "晓燕", "红梅", "海燕", "丽娟", "春燕", "玉梅", "雪梅", "晓红", "秀兰",
    "淑芬", "美玲", "玉兰", "凤英", "晓丽", "丽萍", "慧敏", "文静", "雅琴", "淑华", "翠萍", "立红",
    "亚男", "晓雯", "思琪", "雨婷", "佳怡", "欣然", "梦瑶", "静怡", "婉清", "玉洁", "晓岚", "春霞",
    "芳", "静", "敏", "丽", "娟", "燕", "艳", "婷", "慧", "颖", "萍", "琳", "洁", "霞", "岚", "瑶",
)  # fmt: skip
# Until every one of STROKE_SURNAMES has come up, the next name takes one with this chance.
STROKE_SURNAME_CHANCE = 0.08

CITIES: tuple[tuple[str, int], ...] = (
    ("江州市", 19), ("临海市", 15), ("云川市", 17), ("青石市", 14),
    ("梅岭市", 16), ("白沙市", 18), ("东湖市", 13),
)  # fmt: skip
PLACE_HEADS = "东西南北青白龙凤金松柏桃梅兰清平安宁永长太新丰和兴德泰华云石"
PLACE_TAILS = "山川江河溪源阳宁安平丰城林水岭湖"

DEPARTMENTS = (
    "省委办公厅", "省人大常委会机关", "省政府办公厅", "省政协机关", "省委组织部", "省委宣传部",
    "省委统战部", "省委政法委", "省发展改革委", "省教育厅", "省科技厅", "省工业和信息化厅",
    "省公安厅", "省民政厅", "省司法厅", "省财政厅", "省人力资源社会保障厅", "省自然资源厅",
    "省生态环境厅", "省住房城乡建设厅", "省交通运输厅", "省水利厅", "省农业农村厅", "省商务厅",
    "省卫生健康委", "省审计厅", "省市场监管局", "省国资委",
)  # fmt: skip

COMMISSION_UNITS: tuple[tuple[str, str], ...] = (
    ("办公厅", "主任"), ("组织部", "部长"), ("宣传部", "部长"), ("研究室", "主任"), ("法规室", "主任"),
    ("党风政风监督室", "主任"), ("信访室", "主任"), ("案件监督管理室", "主任"),
    *((f"第{n}监督检查室", "主任") for n in "一二三四五六七八"),
    *((f"第{n}审查调查室", "主任") for n in "一二三四五六"),
    ("案件审理室", "主任"), ("干部监督室", "主任"),
)  # fmt: skip
COMMISSION_MEMBER_UNITS = ("办公厅", "案件审理室")  # their heads are commission members

ENTERPRISES = (
    "江南能源集团有限公司", "江南交通投资集团有限公司", "江南建工集团有限公司", "江南港口集团有限公司",
)  # fmt: skip
UNIVERSITIES = ("江州大学", "临海理工大学", "江南医科大学")
NUMERALS = "一二三四五六七八九十"

# The leaders on the podium, in protocol order: 书记, 副书记s, 常委s (rank 1..9).
LEADERS: tuple[tuple[str, str], ...] = (
    ("省纪委监委", "省委常委、省纪委书记、省监委主任"),
    ("省纪委监委", "省纪委副书记、省监委副主任"),
    ("省纪委监委", "省纪委副书记、省监委副主任"),
    ("省纪委监委", "省纪委副书记、省监委副主任"),
    ("省纪委监委", "省纪委常委、省监委委员"),
    ("省纪委监委", "省纪委常委、省监委委员"),
    ("省纪委监委", "省纪委常委、省监委委员"),
    ("省纪委监委", "省纪委常委、秘书长、省监委委员"),
    ("省纪委监委", "省纪委常委、省监委委员"),
)
LEADER_GENDERS = ("male", "male", "female", "male", "male", "female", "male", "male", "male")

GUESTS: tuple[tuple[str, str], ...] = (
    ("中央纪委国家监委第八监督检查室", "副主任"),
    ("省委组织部", "副部长"),
    ("省委宣传部", "副部长"),
    ("省人大常委会监察和司法委员会", "主任委员"),
    ("省高级人民法院", "副院长"),
    ("省人民检察院", "副检察长"),
    ("省公安厅", "副厅长"),
    ("省审计厅", "副厅长"),
    ("江州大学法学院", "教授、省监委特约监察员"),
    ("江南日报社", "副总编辑、省监委特约监察员"),
)

# 大会秘书处: (group, organization it is drawn from, size).
STAFF_GROUPS: tuple[tuple[str, str, int], ...] = (
    ("秘书组", "省纪委监委办公厅", 8),
    ("会务组", "省纪委监委办公厅", 12),
    ("材料组", "省纪委监委研究室", 6),
    ("宣传组", "省纪委监委宣传部", 5),
    ("安全保卫组", "省纪委监委机关服务中心", 4),
    ("后勤保障组", "省纪委监委机关服务中心", 5),
)

DEPT_GROUP_1 = "省直机关第一组"
DEPT_GROUP_2 = "省直机关第二组"
COMMISSION_GROUP = "省纪委监委机关组"
ENTERPRISE_GROUP = "省属企业高校和巡视机构组"


class DemoLoadError(RuntimeError):
    """The gateway refused part of the demo."""


def demo_meeting() -> dict[str, str]:
    """The body of ``POST /api/v1/meetings`` for the demo meeting."""
    return {"name": DEMO_NAME, "starts_on": DEMO_STARTS_ON, "ends_on": DEMO_ENDS_ON}


def demo_attendees(seed: int = SEED) -> list[Attendee]:
    """The bodies of ``POST /api/v1/meetings/{id}/attendees``, about 300, in roster order."""
    rng = random.Random(seed)
    names = _NameMaker(rng)
    attendees: list[Attendee] = []

    def add(
        organization: str,
        title: str,
        category: str,
        *,
        female_share: float,
        delegation: str | None = None,
        gender: str | None = None,
        rank: int | None = None,
    ) -> None:
        chosen = gender or ("female" if rng.random() < female_share else "male")
        body: Attendee = {
            "name": names.make(chosen),
            "organization": organization,
            "title": title,
            "category": category,
            "gender": chosen,
        }
        if rank is not None:
            body["rank"] = rank
        if delegation is not None:
            body["delegation"] = delegation
        attendees.append(body)

    # The leaders take part in the group discussions of different groups (one each).
    city_names = [city for city, _ in CITIES]
    groups = [*city_names, DEPT_GROUP_1, DEPT_GROUP_2, COMMISSION_GROUP, ENTERPRISE_GROUP]
    for rank, ((organization, title), gender) in enumerate(zip(LEADERS, LEADER_GENDERS, strict=True), 1):
        add(
            organization,
            title,
            "member",
            female_share=0,
            gender=gender,
            rank=rank,
            delegation=groups[rank - 1],
        )

    # 出席: the commission members outside the leadership.
    for city, _ in CITIES:
        add(
            f"{city}纪委监委",
            "市委常委、市纪委书记、市监委主任",
            "member",
            female_share=0.15,
            delegation=city,
        )
    for index, department in enumerate(DEPARTMENTS):
        group = DEPT_GROUP_1 if index < len(DEPARTMENTS) // 2 else DEPT_GROUP_2
        add(f"省纪委监委驻{department}纪检监察组", "组长", "member", female_share=0.2, delegation=group)
    for unit, title in COMMISSION_UNITS:
        if unit in COMMISSION_MEMBER_UNITS:
            add(f"省纪委监委{unit}", title, "member", female_share=0.25, delegation=COMMISSION_GROUP)
    for company in ENTERPRISES:
        add(company, "党委委员、纪委书记", "member", female_share=0.2, delegation=ENTERPRISE_GROUP)
    for university in UNIVERSITIES:
        add(university, "党委常委、纪委书记", "member", female_share=0.3, delegation=ENTERPRISE_GROUP)

    # The counties (县、市、区) of every city; the first one's secretary is a commission member.
    taken = {city[:2] for city, _ in CITIES}
    counties = {city: _counties(rng, size, taken) for city, size in CITIES}
    for city, places in counties.items():
        county, level = places[0]
        add(
            _county_organization(city, county),
            _county_title(level),
            "member",
            female_share=0.2,
            delegation=city,
        )

    # 列席.
    for city, places in counties.items():
        for _ in range(2):
            add(
                f"{city}纪委监委", "市纪委副书记、市监委副主任", "observer", female_share=0.3, delegation=city
            )
        add(f"{city}纪委监委", "市纪委常委、秘书长", "observer", female_share=0.35, delegation=city)
        for county, level in places[1:]:
            organization = _county_organization(city, county)
            add(organization, _county_title(level), "observer", female_share=0.25, delegation=city)
    for unit, title in COMMISSION_UNITS:
        if unit not in COMMISSION_MEMBER_UNITS:
            add(f"省纪委监委{unit}", title, "observer", female_share=0.3, delegation=COMMISSION_GROUP)
    for index, department in enumerate(DEPARTMENTS):
        if index % 7 in (1, 3, 5, 6):
            group = DEPT_GROUP_1 if index < len(DEPARTMENTS) // 2 else DEPT_GROUP_2
            add(
                f"省纪委监委驻{department}纪检监察组",
                "副组长",
                "observer",
                female_share=0.3,
                delegation=group,
            )
    for n in NUMERALS:
        add(f"省委第{n}巡视组", "组长", "observer", female_share=0.15, delegation=ENTERPRISE_GROUP)
    for organization in (*ENTERPRISES, *UNIVERSITIES):
        add(organization, "纪委副书记", "observer", female_share=0.4, delegation=ENTERPRISE_GROUP)

    # 来宾.
    for organization, title in GUESTS:
        add(organization, title, "guest", female_share=0.25)

    # 工作人员 of the 大会秘书处.
    for group, organization, size in STAFF_GROUPS:
        for position in range(size):
            duty = "组长" if position == 0 else "副组长" if position == 1 else "工作人员"
            add(organization, f"大会秘书处{group}{duty}", "staff", female_share=0.55)
    return attendees


class _NameMaker:
    """Plausible Chinese names, two to four characters, unique within one roster."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._surnames = [surname for surname, _ in SURNAMES]
        self._weights = [weight for _, weight in SURNAMES]
        self._owed = list(STROKE_SURNAMES)
        rng.shuffle(self._owed)
        self._used: set[str] = set()

    def make(self, gender: str) -> str:
        pool = GIVEN_FEMALE if gender == "female" else GIVEN_MALE
        while True:
            if self._owed and self._rng.random() < STROKE_SURNAME_CHANCE:
                surname = self._owed.pop()
            else:
                surname = self._rng.choices(self._surnames, self._weights)[0]
            if surname in self._owed:
                self._owed.remove(surname)
            given = self._rng.choice(pool)
            if len(surname) == 2 and len(given) == 2 and self._rng.random() < 0.7:
                given = given[0]  # 欧阳X is more usual than 欧阳XX
            name = surname + given
            if name not in self._used:
                self._used.add(name)
                return name


def _counties(rng: random.Random, size: int, taken: set[str]) -> list[tuple[str, str]]:
    """``size`` made-up county-level places of a city: a few 区, one 县级市, the rest 县.

    ``taken`` holds the names in use in the province; the new ones are added to it.
    """
    places: list[tuple[str, str]] = []
    while len(places) < size:
        stem = rng.choice(PLACE_HEADS) + rng.choice(PLACE_TAILS)
        if stem in taken or stem[0] == stem[1]:
            continue
        taken.add(stem)
        level = "区" if len(places) < 3 else "市" if len(places) == 3 else "县"
        places.append((stem + level, level))
    return places


def _county_organization(city: str, county: str) -> str:
    # A county-level city is named on its own; districts and counties after their city.
    return f"{county}纪委监委" if county.endswith("市") else f"{city}{county}纪委监委"


def _county_title(level: str) -> str:
    return f"{level}委常委、{level}纪委书记、{level}监委主任"


def load_demo(gateway_url: str, token: str) -> str:
    """Load the demo meeting through the gateway and return its id.

    Idempotent: if a meeting of the demo's name exists, its id is returned and nothing is added.
    """
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    with httpx.Client(base_url=gateway_url, headers=headers, timeout=TIMEOUT_S, limits=limits) as client:
        existing = _find_meeting(client, DEMO_NAME)
        if existing is not None:
            return existing
        created = client.post("/api/v1/meetings", json=demo_meeting())
        _expect_created(created, "creating the demo meeting")
        meeting_id = str(created.json()["id"])
        path = f"/api/v1/meetings/{meeting_id}/attendees"

        def register(body: Attendee) -> None:
            _expect_created(client.post(path, json=body), f"registering {body['name']}")

        people = demo_attendees()
        with ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="demo") as pool:
            for _ in pool.map(register, people):
                pass
        # One discussion group per delegation's worth of people: leaders spread over them.
        delegations = {body["delegation"] for body in people if body.get("delegation")}
        grouped = client.post(f"/api/v1/meetings/{meeting_id}/groups/auto", json={"count": len(delegations)})
        _expect_created(grouped, "forming the discussion groups")
        _schedule_plenary(client, meeting_id)
        return meeting_id


DEMO_HALL = {
    "name": "大礼堂", "building": "江南会议中心", "floor": "一层", "capacity": 420,
    "seat_map": {"rows": 20, "seats_per_row": 20, "aisles_after": [5, 15]},
    "podium": {"rows": 2, "seats_per_row": 12}, "lectern": "audience_right",
    "microphones": {"fixed": 26, "wireless": 4}, "equipment": ["投影", "录像"],
}  # fmt: skip


def _schedule_plenary(client: httpx.Client, meeting_id: str) -> None:
    """A hall and the opening plenary, presided over by 1号, so the seating chart has a podium."""
    _until_venue_knows(client, meeting_id)
    venue = client.post("/api/v1/venues", json={"name": "江南会议中心", "address": "江州市人民路1号"})
    _expect_created(venue, "adding the demo venue")
    hall = client.post(f"/api/v1/venues/{venue.json()['id']}/rooms", json=DEMO_HALL)
    _expect_created(hall, "adding the demo hall")
    first = client.get(f"/api/v1/meetings/{meeting_id}/attendees", params={"order": "protocol", "limit": 1})
    plenary = {
        "title": "第一次全体会议", "kind": "plenary", "room_id": hall.json()["id"],
        "starts_at": f"{DEMO_STARTS_ON}T09:00:00+08:00", "ends_at": f"{DEMO_STARTS_ON}T11:30:00+08:00",
        "expected": {"kind": "everyone"}, "presiding_officer_id": first.json()["items"][0]["id"],
    }  # fmt: skip
    _expect_created(
        client.post(f"/api/v1/meetings/{meeting_id}/sessions", json=plenary), "scheduling the plenary"
    )


def _until_venue_knows(client: httpx.Client, meeting_id: str) -> None:
    """Venue learns of meetings and people from events; the roster must be there to seat it."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        report = client.get(f"/api/v1/meetings/{meeting_id}/sync").json()
        venue = report.get("services", {}).get("venue", {})
        if venue.get("attendees") == report.get("services", {}).get("registration", {}).get("attendees"):
            return
        time.sleep(0.2)
    raise DemoLoadError("venue did not catch up with the demo roster")


def _find_meeting(client: httpx.Client, name: str) -> str | None:
    for meeting in _meetings(client):
        if meeting.get("name") == name:
            return str(meeting["id"])
    return None


def _meetings(client: httpx.Client) -> Iterator[dict[str, Any]]:
    params: dict[str, str | int] = {"limit": 500}
    while True:
        response = client.get("/api/v1/meetings", params=params)
        if response.status_code != 200:
            raise DemoLoadError(f"listing meetings: {response.status_code} {response.text}")
        page = response.json()
        yield from page["items"]
        if not page.get("next_cursor"):
            return
        params = {"limit": 500, "cursor": page["next_cursor"]}


def _expect_created(response: httpx.Response, what: str) -> None:
    if response.status_code != 201:
        raise DemoLoadError(f"{what}: the gateway answered {response.status_code}: {response.text}")
