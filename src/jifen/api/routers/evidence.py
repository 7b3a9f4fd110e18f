"""Evidence (佐证材料): the declarant adds files to a draft or returned declaration
(multipart); the declarant and the branch's reviewers download them, as on the pages."""

import datetime as dt

from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from jifen.api.idempotency import idempotent
from jifen.api.schemas import PathId
from jifen.orgs.permissions import Perm, organisations_for
from jifen.workflow.evidence import MAX_EVIDENCE_FILES
from jifen.workflow.models import Evidence
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
    evidence = (
        Evidence.objects.filter(pk=evidence_id)
        .filter(
            Q(declaration__member__user_id=request.user.pk)
            | Q(declaration__branch__in=organisations_for(request.user, Perm.REVIEW_DECLARATION))
        )
        .first()
    )
    if evidence is None:
        raise Http404("没有该文件，或无权查看")
    # As the page serves it: the type read from the bytes at upload, sandboxed.
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=evidence.content_type == "application/pdf",
        filename=evidence.original_name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
