"""Venue (issue 4): the seating chart and name cards over HTTP parse back with the right Chinese
names in the right order; after a re-plan only the changed cards are printed again."""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from huiwu.testing.fixtures import StartService
from tests.test_venue_changes import plenary, replanned
from tests.venue_desk import Desk, start_desk

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # rendering is database-blind


@pytest.fixture
async def desk(start_service: StartService) -> Desk:
    return await start_desk(start_service)


def pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


async def test_the_chart_and_the_cards_print_the_names_in_protocol_order(desk: Desk) -> None:
    meeting_id, _, _, session = await plenary(desk)
    base = f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}"

    svg = await desk.venue.http.get(f"{base}/seating.svg", params={"view": "podium"})
    chart = await desk.venue.http.get(f"{base}/seating.pdf")
    cards = await desk.venue.http.get(f"{base}/namecards.pdf")
    bad_view = await desk.venue.http.get(f"{base}/seating.svg", params={"view": "sideways"})

    assert svg.headers["content-type"] == "image/svg+xml"
    drawn = {
        element.text for element in ElementTree.fromstring(svg.text).iter("{http://www.w3.org/2000/svg}text")
    }
    assert {"王建国", "李明", "丁一", "列席甲"} <= drawn
    assert chart.headers["content-type"] == "application/pdf"
    assert "attachment" in chart.headers["content-disposition"]
    text = "".join(pages(chart.content))
    drawn_at = [text.index(name) for name in ("陈静", "张伟", "王建国", "李明", "刘洋")]
    assert drawn_at == sorted(drawn_at)  # the chart, seen from the hall: 5 3 1 2 4
    listed_at = [text.rindex(name) for name in ("王建国", "李明", "张伟", "刘洋", "陈静")]
    assert listed_at == sorted(listed_at)  # the seat list after it: 1号 first
    card_pages = pages(cards.content)
    assert [
        page.count(name)
        for page, name in zip(card_pages, ["王建国", "李明", "张伟", "刘洋", "陈静"], strict=True)
    ] == [2] * 5
    assert bad_view.status_code == 422


async def test_after_a_substitution_only_the_changed_card_is_reprinted(desk: Desk) -> None:
    meeting_id, people, _, session = await plenary(desk)
    base = f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}"
    await desk.registration.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{people['张伟']}/substitute",
        json={"name": "欧阳春华", "organization": "省纪委监委", "title": "委员"},
    )
    await replanned(desk, meeting_id, session["id"], 1)

    reprint = await desk.venue.http.get(f"{base}/namecards.pdf", params={"since_version": 1})
    everything = await desk.venue.http.get(f"{base}/namecards.pdf")

    assert len(pages(everything.content)) == 5
    assert pages(reprint.content) == ["欧阳春华欧阳春华主席台第一排2号"]  # 3号's seat, the only new card
