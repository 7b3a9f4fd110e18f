"""Evidence uploads: limits, the type read from the bytes, and storage.

An upload is read once, before any transaction opens: its size is counted (a client's
`size` is not trusted alone), its SHA-256 computed, and its type decided by its first
bytes. The uploaded name and the declared content type are kept for display only; the
stored file is named by a random UUID with the extension of the detected type, so a text
file renamed `.png` is refused and no uploaded name ever reaches the file system.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404

from jifen.orgs.permissions import Perm, organisations_for
from jifen.workflow.machine import WorkflowRefused
from jifen.workflow.models import Evidence

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 10
CHUNK = 64 * 1024
TYPE_NAMES = "JPEG、PNG、WebP 图片或 PDF 文件"


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def max_bytes() -> int:
    return int(getattr(settings, "JIFEN_EVIDENCE_MAX_BYTES", MAX_EVIDENCE_BYTES))


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, among the allowed ones."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_upload(upload: IO[bytes] | Any) -> CheckedUpload:
    """Read and check one upload (a Django `File`/`UploadedFile` or a binary file object)."""
    name = str(getattr(upload, "name", "") or "未命名").replace("\\", "/").rsplit("/", 1)[-1]
    name = name[:200]
    limit = max_bytes()
    limit_text = f"{limit / (1024 * 1024):g} MB"
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise WorkflowRefused(f"文件“{name}”大小超过 {limit_text} 的上限")
    if hasattr(upload, "seek"):
        upload.seek(0)
    digest = hashlib.sha256()
    parts: list[bytes] = []
    size = 0
    chunks = (
        upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b"")
    )
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise WorkflowRefused(f"文件“{name}”大小超过 {limit_text} 的上限")
        digest.update(chunk)
        parts.append(chunk)
    if size == 0:
        raise WorkflowRefused(f"文件“{name}”是空文件")
    content = b"".join(parts)
    content_type = sniff(content[:16])
    if content_type is None:
        raise WorkflowRefused(
            f"文件“{name}”的内容不是允许的类型（只接受 {TYPE_NAMES}，按文件内容判断，而非扩展名）"
        )
    return CheckedUpload(name, content_type, size, digest.hexdigest(), content)


def check_uploads(uploads: list[Any], *, already: int = 0) -> list[CheckedUpload]:
    if already + len(uploads) > MAX_EVIDENCE_FILES:
        raise WorkflowRefused(f"每份申报最多 {MAX_EVIDENCE_FILES} 个佐证文件")
    return [check_upload(upload) for upload in uploads]


def evidence_response(user: Any, evidence_id: int) -> FileResponse:
    """A declaration's evidence file, for the declarant and the reviewers of the branch
    (the page and the API); 404 for anyone else. Served under the type read from the
    bytes at upload, never the uploader's claim; images inline, PDFs downloaded; sandboxed
    so that a file can never act as a page."""
    evidence = (
        Evidence.objects.filter(pk=evidence_id)
        .filter(
            Q(declaration__member__user_id=user.pk)
            | Q(declaration__branch__in=organisations_for(user, Perm.REVIEW_DECLARATION))
        )
        .first()
    )
    if evidence is None:
        raise Http404("没有该文件，或无权查看")
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=evidence.content_type == "application/pdf",
        filename=evidence.original_name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
