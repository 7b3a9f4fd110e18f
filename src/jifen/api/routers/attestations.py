"""Attestations of a declaration (群众证实), as the attestation page handles them: a
one-time link for the public (its token shown once, never stored: only its hash), or an
in-person attestation recorded by the scorekeeper (`jifen.meetings.attestations`). The
public answers through the link's page, which needs no account."""

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jifen.api.idempotency import idempotent, idempotent_redacting
from jifen.api.schemas import DateIn, Name, Note, Pages, PathId
from jifen.meetings import attestations
from jifen.meetings.models import Attestation, AttestationResult
from jifen.meetings.selectors import attestable_declaration, attestations_of
from jifen.workflow.machine import WorkflowForbidden
from jifen.workflow.models import Declaration

router = Router(tags=["申报 (declarations)"])


class AttestationOut(Schema):
    id: int
    declaration_id: int
    method: str
    expires_at: dt.datetime | None
    created_at: dt.datetime
    result: str
    answered_at: dt.datetime | None
    attested_on: dt.date | None
    attester_name: str
    comment: str


class LinkIn(Schema):
    days: int = Field(attestations.LINK_DAYS, ge=1, le=30, description="有效天数")


class LinkOut(Schema):
    attestation: AttestationOut
    token: str | None = Field(description="一次性令牌：只在第一次应答中出现，系统只保存其摘要")
    url: str | None = Field(description="供群众打开的证实页面地址（含令牌），同样只出现一次")


class InPersonIn(Schema):
    name: Name = Field(description="证实人姓名", min_length=1)
    attested_on: DateIn = Field(description="证实日期，不晚于今天")
    result: AttestationResult = Field(description="confirmed 属实 / disputed 不属实")
    phone_tail: str = Field("", pattern=r"^(\d{4})?$", description="手机尾号 4 位，可不填")
    comment: Note = Field("", description="说明")


def _declaration(request: HttpRequest, declaration_id: int) -> Declaration:
    return attestable_declaration(request.user, declaration_id)


def _page_url(request: HttpRequest, token: str) -> str | None:
    try:
        return request.build_absolute_uri(reverse("attest", args=[token]))
    except NoReverseMatch:  # an installation serving the API without the pages
        return None


@router.get(
    "/{declaration_id}/attestations", response=list[AttestationOut],
    summary="申报的群众证实（链接与当面证实）",
)  # fmt: skip
@paginate(Pages)
def attestation_list(request: HttpRequest, declaration_id: PathId) -> QuerySet[Attestation]:
    return attestations_of(_declaration(request, declaration_id))


@router.post(
    "/{declaration_id}/attestations/link", response={201: LinkOut},
    summary="生成一次性群众证实链接（申报人或积分员；令牌只显示一次；需 Idempotency-Key）",
)  # fmt: skip
@idempotent_redacting("token", "url")
def issue_link(
    request: HttpRequest, declaration_id: PathId, payload: LinkIn
) -> tuple[int, LinkOut]:
    declaration = _declaration(request, declaration_id)
    issued = attestations.issue_link(
        actor=request.user, declaration=declaration, idempotency_key=uuid.uuid4(),
        days=payload.days,
    )  # fmt: skip
    token = issued.token
    return 201, LinkOut(
        attestation=AttestationOut.from_orm(issued.attestation), token=token,
        url=_page_url(request, token) if token else None,
    )  # fmt: skip


@router.post(
    "/{declaration_id}/attestations/in-person", response={201: AttestationOut},
    summary="登记当面证实（积分员；需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def in_person(
    request: HttpRequest, declaration_id: PathId, payload: InPersonIn
) -> tuple[int, AttestationOut]:
    declaration = _declaration(request, declaration_id)
    if declaration.member.user_id == request.user.pk:
        raise WorkflowForbidden("只有积分员可以登记当面证实")
    attestation = attestations.record_in_person(
        actor=request.user, declaration=declaration, name=payload.name,
        attested_on=payload.attested_on, result=str(payload.result),
        idempotency_key=uuid.uuid4(), phone_tail=payload.phone_tail, comment=payload.comment,
        today=timezone.localdate(),
    )  # fmt: skip
    return 201, AttestationOut.from_orm(attestation)
