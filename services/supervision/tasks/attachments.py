"""Files sent with a progress report: checked whole before anything is stored."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import UploadFile

from huiwu.errors import InvalidInput

MAX_FILES = 10
MAX_FILE_BYTES = 20 * 1024 * 1024
UNNAMED = "附件"


@dataclass(frozen=True)
class Upload:
    filename: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def read_uploads(files: Sequence[UploadFile]) -> list[Upload]:
    """The files' names, types and bytes; 422 naming the file if one is empty or too large."""
    if len(files) > MAX_FILES:
        raise InvalidInput("files", "too_many", f"send {MAX_FILES} files at most with one report")
    uploads = []
    for position, file in enumerate(files):
        content = file.file.read(MAX_FILE_BYTES + 1)
        if not content:
            raise InvalidInput(f"files.{position}", "empty_file", f"{file.filename or UNNAMED} is empty")
        if len(content) > MAX_FILE_BYTES:
            raise InvalidInput(
                f"files.{position}",
                "too_large",
                f"a file may be {MAX_FILE_BYTES // (1024 * 1024)} MB at most",
            )
        uploads.append(
            Upload(_plain_name(file.filename), file.content_type or "application/octet-stream", content)
        )
    return uploads


def _plain_name(filename: str | None) -> str:
    # Browsers on Windows may send a whole path; only the name is the file's.
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or UNNAMED
