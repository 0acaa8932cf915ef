"""Documents' printing (issue 5): a numbered copy's watermarked PDF, the return register (清退登记)
as JSON and XLSX, and the return list (清退目录) as a PDF. Registration, venue and documents run
in-process on a real nats-server; every file is read back (pypdf for text, PDFium for where the
text sits on the page, openpyxl for the sheet)."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import quote

import pypdfium2 as pdfium  # ships no type information
import pytest
from fpdf import FPDF
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject, RectangleObject

from huiwu.fonts import SERIF, embedded_fonts
from huiwu.testing.fixtures import StartService
from services.documents.printing.watermark import CopyMark, UnreadablePdf, watermarked
from tests.documents_desk import TOP, Office, cleared, start_office

PEOPLE: list[tuple[str, dict[str, Any]]] = [
    ("王建国", {"rank": 1, "organization": "省纪委监委"}),
    ("王芳", {"rank": 2, "organization": "江州市纪委监委"}),
    ("丁一", {"organization": "临海市纪委监委"}),
    ("马六", {"organization": "省直机关纪工委"}),
]
REPORT = "关于加强会议文件管理的通知"
CONFIDENTIAL = cleared("confidential", "王芳")
MM = 72 / 25.4
BEIJING_MINUTE = r"\d{4}-\d\d-\d\d \d\d:\d\d"  # how the sheet writes times


@pytest.fixture
async def office(start_service: StartService) -> Office:
    return await start_office(start_service)


def chinese_pdf(pages: int, text: str = REPORT) -> bytes:
    """A real multi-page document: Chinese body text in an embedded font, numbered pages."""
    pdf = FPDF()
    with embedded_fonts(pdf, text + "第页正文"):
        for number in range(1, pages + 1):
            pdf.add_page()
            pdf.set_font(SERIF, size=14)
            pdf.multi_cell(0, 8, f"{text} 第{number}页正文 " * 12)
        return bytes(pdf.output())


async def approved_with_file(
    office: Office, meeting_id: str, content: bytes, **fields: Any
) -> dict[str, Any]:
    created = await office.document(meeting_id, **fields)
    assert created.status_code == 201, created.text
    url = f"/api/v1/meetings/{meeting_id}/documents/{created.json()['id']}"
    uploaded = await office.http.put(
        f"{url}/file", params={"by": "机要员张三"}, content=content,
        headers={**TOP, "content-type": "application/pdf"},
    )  # fmt: skip
    assert uploaded.status_code == 200, uploaded.text
    for action in ("submit", "approve"):
        reviewed = await office.http.post(
            f"{url}/review", json={"action": action, "by": "秘书长"}, headers=TOP
        )
        assert reviewed.status_code == 200, reviewed.text
    document: dict[str, Any] = reviewed.json()
    return document


async def issued_to_everyone(office: Office, meeting_id: str, **fields: Any) -> dict[str, Any]:
    document = await approved_with_file(office, meeting_id, chinese_pdf(2), **fields)
    distributed = await office.distribute(meeting_id, document["id"], to={"kind": "everyone"})
    assert distributed.status_code == 200, distributed.text
    return document


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def boxes_of(data: bytes, page_index: int, text: str) -> list[tuple[float, float, float, float]]:
    """Where PDFium, as a printer would, finds ``text`` on a page: the box (left, bottom, right,
    top) of its first character each time, in the page's own coordinates (points)."""
    text_page = pdfium.PdfDocument(data)[page_index].get_textpage()
    searcher = text_page.search(text)
    boxes = []
    while (occurrence := searcher.get_next()) is not None:
        boxes.append(text_page.get_charbox(occurrence[0]))
    return boxes


# --- the copy's own PDF --------------------------------------------------------------------------


async def test_a_copy_is_watermarked_with_its_holder_and_number_on_every_page(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE)
    original = chinese_pdf(3)
    document = await approved_with_file(
        office,
        meeting_id,
        original,
        title=REPORT,
        classification="confidential",
        reference="江纪发〔2027〕1号",
    )
    await office.distribute(meeting_id, document["id"], to={"kind": "everyone"})
    url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}"

    response = await office.http.get(f"{url}/copies/000002/file", headers=CONFIDENTIAL)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert quote(f"{REPORT}（份号000002）.pdf") in response.headers["content-disposition"]
    pages = texts(response.content)
    assert len(pages) == 3
    for number, text in enumerate(pages, start=1):
        assert f"{REPORT} 第{number}页正文" in text  # the original content is still there
        assert "王芳" in text and "000002" in text and "机密★20年" in text
        assert text.count("王芳 000002 机密★20年") >= 4  # repeated across the page, not one corner
        assert "王建国" not in text  # copy 000001's holder
    # The 份号 flush left on the first line of GB/T 9704's type area (28 mm in, 37 mm down).
    page_top = 297 * MM  # A4, as fpdf2 made it
    first_page = boxes_of(response.content, 0, "000002")
    assert any(
        abs(left - 28 * MM) < 2 and 37 * MM < page_top - top < 37 * MM + 16 for left, _, _, top in first_page
    )
    log = (await office.http.get(f"{url}/access", headers=TOP)).json()
    assert [(entry["kind"], entry["copy_no"], entry["who"]) for entry in log][-1] == (
        "download", "000002", "王芳",
    )  # fmt: skip


async def test_a_copy_is_refused_without_clearance_and_the_refusal_recorded(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE)
    document = await issued_to_everyone(office, meeting_id, classification="confidential", print_run=6)
    url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}"

    too_low = await office.http.get(f"{url}/copies/000002/file", headers=cleared("secret", "马六"))
    anonymous = await office.http.get(f"{url}/copies/000002/file", headers=cleared("none", "无密级的来人"))
    in_stock = await office.http.get(f"{url}/copies/000005/file", headers=TOP)
    no_such = await office.http.get(f"{url}/copies/000099/file", headers=TOP)

    assert too_low.status_code == anonymous.status_code == 403
    assert too_low.json()["type"] == "urn:huiwu:problem:clearance-required"
    assert too_low.headers["content-type"].startswith("application/problem+json")
    assert in_stock.status_code == 409 and in_stock.json()["type"] == "urn:huiwu:problem:not-issued"
    assert no_such.status_code == 404
    log = (await office.http.get(f"{url}/access", headers=TOP)).json()
    refusals = [(entry["who"], entry["copy_no"]) for entry in log if entry["kind"] == "refused"]
    assert refusals == [("马六", "000002"), ("无密级的来人", "000002")]
    assert not any(entry["kind"] == "download" for entry in log)  # the copy in stock gave nothing


async def test_returned_retained_and_missing_copies_still_download_as_their_holders(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE)
    document = await issued_to_everyone(office, meeting_id, classification="secret", print_run=4)
    base = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}/copies"
    await office.http.post(
        f"{base}/000004/missing",
        json={"circumstances": "清点时未找到", "reported_by": "机要员张三"},
        headers=TOP,
    )

    response = await office.http.get(f"{base}/000004/file", headers=cleared("secret"))

    assert response.status_code == 200
    assert all(
        "马六" in text and "000004" in text and "秘密★10年" in text for text in texts(response.content)
    )


# --- the return register -------------------------------------------------------------------------


async def test_the_register_shows_every_issued_copy_and_what_became_of_it(office: Office) -> None:
    meeting_id, people = await office.meeting_with(PEOPLE)
    report = await issued_to_everyone(
        office,
        meeting_id,
        title=REPORT,
        reference="江纪发〔2027〕1号",
        classification="confidential",
        print_run=5,
    )
    secret_plan = await issued_to_everyone(
        office, meeting_id, title="换届人选方案", classification="top_secret"
    )
    base = f"/api/v1/meetings/{meeting_id}/documents/{report['id']}/copies"
    back = {"returned_by": "王建国", "received_by": "机要员张三", "complete": False, "remarks": "缺第3页"}
    kept = {"approval_reference": "会秘〔2027〕3号", "approved_by": "秘书长"}
    lost = {"circumstances": "清点时未找到", "reported_by": "机要员张三"}
    for copy_no, action, body in (
        ("000001", "return", back),
        ("000002", "retain", kept),
        ("000003", "missing", lost),
    ):
        acted = await office.http.post(f"{base}/{copy_no}/{action}", json=body, headers=TOP)
        assert acted.status_code == 200, acted.text

    rows = (await office.http.get(f"/api/v1/meetings/{meeting_id}/documents/register", headers=TOP)).json()
    hidden = await office.http.get(f"/api/v1/meetings/{meeting_id}/documents/register", headers=CONFIDENTIAL)

    assert [(row["document_id"], row["copy_no"]) for row in rows] == [
        *((report["id"], f"00000{n}") for n in range(1, 5)),  # copy 000005 stayed in the store
        *((secret_plan["id"], f"00000{n}") for n in range(1, 5)),
    ]
    assert [row["status"] for row in rows[:4]] == ["已清退", "经批准留存", "缺失", "已发放"]
    returned, retained, missing, outstanding = rows[:4]
    assert (returned["holder"], returned["organization"]) == ("王建国", "省纪委监委")
    assert (returned["title"], returned["reference"], returned["marking"]) == (
        REPORT,
        "江纪发〔2027〕1号",
        "机密★20年",
    )
    assert (returned["returned_by"], returned["received_by"], returned["complete"]) == (
        "王建国",
        "机要员张三",
        False,
    )
    assert returned["remarks"] == "缺第3页" and returned["returned_at"] is not None
    assert (retained["holder"], retained["approval_reference"]) == ("王芳", "会秘〔2027〕3号")
    assert missing["holder"] == "丁一" and "清点时未找到" in missing["remarks"]
    assert outstanding["attendee_id"] == people["马六"] and outstanding["returned_at"] is None
    assert all(row["issued_by"] == "机要员张三" and row["issued_at"] for row in rows)
    assert {row["title"] for row in rows[4:]} == {"换届人选方案"}
    assert {row["title"] for row in hidden.json()[4:]} == {"（绝密文件）"}  # no top-secret clearance
    assert {row["marking"] for row in hidden.json()[4:]} == {"绝密★30年"}


async def test_the_register_exports_as_a_sheet_with_chinese_headers(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[:2])
    report = await issued_to_everyone(
        office, meeting_id, title=REPORT, reference="江纪发〔2027〕1号", classification="confidential"
    )
    base = f"/api/v1/meetings/{meeting_id}/documents/{report['id']}/copies"
    back = {"returned_by": "王建国", "received_by": "机要员张三", "complete": True}
    await office.http.post(f"{base}/000001/return", json=back, headers=TOP)

    response = await office.http.get(f"/api/v1/meetings/{meeting_id}/documents/register.xlsx", headers=TOP)

    assert response.status_code == 200
    assert quote("会议文件清退登记表.xlsx") in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "会议文件清退登记表"
    assert rows[1][:10] == (
        "序号",
        "文件标题",
        "文号",
        "密级和保密期限",
        "份号",
        "领取人",
        "单位",
        "发放时间",
        "发放人",
        "状态",
    )
    assert rows[1][10:] == ("清退时间", "交回人", "接收人", "是否完整", "留存批准文号", "备注")
    first, second = rows[2], rows[3]
    assert first[:7] == (1, REPORT, "江纪发〔2027〕1号", "机密★20年", "000001", "王建国", "省纪委监委")
    assert (first[9], first[11], first[12], first[13]) == ("已清退", "王建国", "机要员张三", "是")
    assert all(re.fullmatch(BEIJING_MINUTE, str(moment)) for moment in (first[7], first[10]))
    assert (
        second[:6] == (2, REPORT, "江纪发〔2027〕1号", "机密★20年", "000002", "王芳")
        and second[9] == "已发放"
    )
    assert len(rows) == 4
    assert str(sheet.page_setup.orientation) == "landscape"


# --- the return list -----------------------------------------------------------------------------


async def test_the_return_list_names_every_classified_document_issued(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE)
    await issued_to_everyone(
        office, meeting_id, title=REPORT, reference="江纪发〔2027〕1号", classification="confidential"
    )
    await issued_to_everyone(office, meeting_id, title="换届人选方案", classification="top_secret")
    await issued_to_everyone(office, meeting_id, title="会议须知", classification="none")  # nothing to return
    await approved_with_file(
        office, meeting_id, chinese_pdf(1), title="未发放的机密文件", classification="secret"
    )
    url = f"/api/v1/meetings/{meeting_id}/documents/return-list.pdf"

    cleared_for_all = await office.http.get(url, headers=TOP)
    confidential_only = await office.http.get(url, headers=CONFIDENTIAL)

    assert cleared_for_all.status_code == 200
    assert cleared_for_all.headers["content-type"] == "application/pdf"
    assert quote("会议文件清退目录.pdf") in cleared_for_all.headers["content-disposition"]
    (text,) = [compact(page) for page in texts(cleared_for_all.content)]
    assert text.startswith("会议文件清退目录")
    assert "请于离会前将下列文件交回会务组，不得自行带走、复制或销毁。" in text
    assert f"1{REPORT}江纪发〔2027〕1号机密★20年4" in text  # 序号, title, 文号, marking, copies issued
    assert "2换届人选方案绝密★30年4" in text
    assert "会议须知" not in text and "未发放的机密文件" not in text
    assert "第1页/共1页" in text
    hidden = compact(texts(confidential_only.content)[0])
    assert "换届人选方案" not in hidden and "（绝密文件）绝密★30年4" in hidden
    assert embedded_truetype(cleared_for_all.content)


def embedded_truetype(data: bytes) -> bool:
    """Every font the page uses is embedded, as TrueType outlines (see huiwu/fonts.py)."""
    resources: Any = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]  # pypdf types it loosely
    descriptors = [font["/DescendantFonts"][0]["/FontDescriptor"] for font in resources["/Font"].values()]
    return bool(descriptors) and all("/FontFile2" in descriptor for descriptor in descriptors)


# --- the watermark itself ------------------------------------------------------------------------


def test_every_one_of_twenty_pages_is_marked_and_the_file_barely_grows() -> None:
    original = chinese_pdf(20)

    marked = watermarked(original, CopyMark("阿依古丽·买买提", "000350", "绝密★30年"))

    pages = texts(marked)
    assert len(pages) == 20
    assert all("阿依古丽·买买提" in text and "000350" in text and "绝密★30年" in text for text in pages)
    assert len(marked) < len(original) + 60_000  # the marks are drawn once and shown on every page


def test_the_original_pages_are_kept_as_they_were() -> None:
    original = chinese_pdf(2)
    before = [page.get_contents().get_data() for page in PdfReader(io.BytesIO(original)).pages]  # type: ignore[union-attr]

    marked = PdfReader(io.BytesIO(watermarked(original, CopyMark("王芳", "000012", "机密★20年"))))

    for page, content in zip(marked.pages, before, strict=True):
        contents = page.get_contents()
        assert contents is not None and content in contents.get_data()  # untouched, only wrapped


def test_a_turned_or_offset_page_gets_its_marks_upright_inside_what_is_shown() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(chinese_pdf(2))))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(90)
    writer.pages[1][NameObject("/CropBox")] = RectangleObject((100, 200, 500, 800))
    turned = io.BytesIO()
    writer.write(turned)

    marked = watermarked(turned.getvalue(), CopyMark("王芳", "000012", "机密★20年"))

    turned_page, cropped_page = list(pdfium.PdfDocument(marked))
    assert turned_page.get_rotation() == 0  # turned into the content: the marks read upright
    assert turned_page.get_size() == pytest.approx((841.89, 595.28), abs=0.1)
    assert cropped_page.get_size() == pytest.approx((400, 600))
    ((left, bottom, right, _),) = boxes_of(marked, 0, "份号")  # the foot line, along the page as read
    assert 0 < left < right < 841.89 and 0 < bottom < 30
    ((left, bottom, right, _),) = boxes_of(marked, 1, "份号")
    assert 100 < left < right < 500 and 200 < bottom < 230  # inside the crop box, at its foot
    assert all(f"{REPORT} 第{n}页正文" in text for n, text in enumerate(texts(marked), start=1))


def test_an_unclassified_copy_is_marked_without_a_level() -> None:
    marked = watermarked(chinese_pdf(1), CopyMark("王芳", "000003", ""))

    (text,) = texts(marked)
    assert "王芳 000003" in text and "★" not in text


@pytest.mark.parametrize("content", [b"%PDF-1.7\nnot really a pdf", b"%PDF-"])
def test_a_damaged_pdf_is_named_as_such(content: bytes) -> None:
    with pytest.raises(UnreadablePdf):
        watermarked(content, CopyMark("王芳", "000001", "机密★20年"))
