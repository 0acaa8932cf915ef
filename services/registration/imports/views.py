from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from huiwu.errors import DomainError
from huiwu.service import SessionDep
from services.registration.imports import service
from services.registration.imports.service import ImportReport

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/attendees", tags=["attendees"])

MAX_FILE_BYTES = 10 * 1024 * 1024


class FileTooLarge(DomainError):
    status = 413
    code = "file-too-large"
    title = "File too large"


class ImportRefused(DomainError):
    status = 422
    code = "import-refused"
    title = "The import has problems; nothing was imported"


async def file_body(request: Request) -> bytes:
    """The uploaded file, read here so the import itself runs in a worker thread, not the loop."""
    content = await request.body()
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge(f"the file is over {MAX_FILE_BYTES // (1024 * 1024)} MB", field="file")
    return content


@router.post(
    "/import",
    status_code=201,
    response_model=ImportReport,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
def import_attendees(
    meeting_id: str,
    content: Annotated[bytes, Depends(file_body)],
    session: SessionDep,
    response: Response,
    dry_run: Annotated[bool, Query(description="report problems row by row, write nothing")] = False,
) -> ImportReport:
    """Import a roster from a CSV (UTF-8 or GB18030) or XLSX file sent as the request body. Headers
    may be Chinese (姓名, 性别, 单位, 职务, 类别, 排序, 代表团, 电话, 身份证号, 饮食要求, 备注 …).
    A real import is all-or-nothing: with any problem, nothing is written (422 with the report)."""
    report = service.import_roster(session=session, meeting_id=meeting_id, content=content, dry_run=dry_run)
    if report.problems and not dry_run:
        raise ImportRefused(
            f"{len(report.problems)} problems in {report.rows} rows", **report.model_dump(exclude={"dry_run"})
        )
    if dry_run:
        response.status_code = 200
    return report
