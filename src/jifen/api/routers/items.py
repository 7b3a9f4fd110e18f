"""The scheme items a form offers: those a member may declare (the declare page's list)
and those a scorekeeper may register for a branch (the registration page's list)."""

from collections.abc import Iterable

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from jifen.api.auth import caller_id
from jifen.api.schemas import Id
from jifen.engine.scheme import Item
from jifen.meetings.registration import registrable_items
from jifen.meetings.selectors import keeper_branches
from jifen.members.models import Member
from jifen.workflow.items import declarable_items

router = Router(tags=["积分项目 (items)"])


class ItemOut(Schema):
    code: str
    name: str
    dimension: str | None
    kind: str = Field(
        description="fixed 固定分值 / range 区间 / discretionary 酌情 / assessed 评定"
    )
    points: str | None = Field(description="固定分值（每次）")
    min: str | None
    max: str | None
    sign: str | None
    honor: bool = Field(description="荣誉类：须填写荣誉名称")
    veto: str | None = Field(description="一票否决项目（只能逐人登记）")
    categories: list[str]
    description: str


class BranchQuery(Schema):
    branch_id: Id = Field(description="支部")


def _out(items: Iterable[Item]) -> list[ItemOut]:
    def text(value: object) -> str | None:
        return None if value is None else f"{value:.2f}"

    return [
        ItemOut(
            code=i.code,
            name=i.name,
            dimension=i.dimension,
            kind=i.kind,
            points=text(i.points),
            min=text(i.min),
            max=text(i.max),
            sign=i.sign,
            honor=i.honor,
            veto=i.veto,
            categories=list(i.categories),
            description=i.description,
        )  # fmt: skip
        for i in items
    ]


@router.get("/declarable", response=list[ItemOut], summary="本人可申报的积分项目")
def declarable(request: HttpRequest) -> list[ItemOut]:
    member = Member.objects.filter(user_id=caller_id(request)).select_related("branch").first()
    return [] if member is None else _out(declarable_items(member))


@router.get("/registrable", response=list[ItemOut], summary="积分员可为本支部登记的积分项目")
def registrable(request: HttpRequest, query: Query[BranchQuery]) -> list[ItemOut]:
    branch = keeper_branches(request.user).filter(pk=query.branch_id).first()
    if branch is None:
        raise Http404("没有该支部，或无权登记积分")
    return _out(registrable_items(branch))
