"""Evidence (佐证材料): the declarant adds files to a draft or returned declaration
(multipart); the declarant and the branch's reviewers download them, as on the pages."""

import datetime as dt

from django.http import FileResponse, Http404, HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from jifen.api.idempotency import idempotent
from jifen.api.schemas import PathId
from jifen.workflow.evidence import MAX_EVIDENCE_FILES, evidence_response
from jifen.workflow.selectors import declarations_of
from jifen.workflow.services import attach_evidence

router = Router(tags=["申报 (declarations)"])


class EvidenceOut(Schema):
    id: int
    declaration_id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


@router.post(
    "/{declaration_id}/evidence", response={201: list[EvidenceOut]},
    summary=f"为草稿或已退回的申报上传佐证材料（图片或 PDF，最多 {MAX_EVIDENCE_FILES} 个；"
    "需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def upload(
    request: HttpRequest, declaration_id: PathId, files: File[list[UploadedFile]]
) -> tuple[int, list[EvidenceOut]]:
    declaration = declarations_of(request.user).filter(pk=declaration_id).first()
    if declaration is None:
        raise Http404("没有该申报")
    stored = attach_evidence(actor=request.user, declaration=declaration, uploads=files)
    return 201, [EvidenceOut.from_orm(e) for e in stored]


@router.get(
    "/evidence/{evidence_id}",
    summary="下载佐证材料（申报人或本支部审核人）",
    openapi_extra={"responses": {200: {"description": "文件", "content": {
        "image/jpeg": {}, "image/png": {}, "image/webp": {}, "application/pdf": {},
    }}}},
)  # fmt: skip
def download(request: HttpRequest, evidence_id: PathId) -> FileResponse:
    return evidence_response(request.user, evidence_id)  # as the page serves it
