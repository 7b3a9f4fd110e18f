"""The reports of an organisation: slug → title, what the user picks, and the builder.

`choice` says what the page offers to pick: "period" (a period with saved results),
"span" (any period label for the ledger tables: 2025, 2025-Q1, 2025-03) or "year" (a year
with year lists). The URL of each is `reports/org/<id>/<slug>/` (`jifen.web.urls_reports`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.http import QueryDict

from jifen.engine.errors import EngineError
from jifen.reports import ledger, results, statistics
from jifen.reports.base import Report
from jifen.reports.scope import OrgScope


@dataclass(frozen=True)
class Spec:
    slug: str
    title: str
    choice: str
    build: Callable[[OrgScope, QueryDict], Report]


def _span(scope: OrgScope, query: QueryDict) -> ledger.Span:
    try:
        return ledger.span_of_request(scope, query.get("period", "").strip())
    except EngineError as error:
        raise ValidationError(
            f"期间无效：{query.get('period')}，应为 2025、2025-Q1 或 2025-03"
        ) from error


def _year(scope: OrgScope, query: QueryDict) -> int | None:
    text = query.get("year", "").strip()
    if not text:
        years = ledger.talk_years(scope)
        return years[0] if years else None
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError(f"年度无效：{text}，应为四位数年份，如 2025")
    return int(text)


def _threshold(query: QueryDict) -> Decimal | None:
    text = query.get("threshold", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValidationError(f"预警线无效：{text}，应为分数，如 65") from error
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(f"预警线无效：{text}，最多两位小数")
    return value


REPORTS: dict[str, Spec] = {
    spec.slug: spec
    for spec in (
        Spec("ranking", "积分排名（按组织）", "period", lambda s, q: results.ranking(s)),
        Spec(
            "category_ranking",
            "积分排名（按党员类别）",
            "period",
            lambda s, q: results.category_ranking(s),
        ),
        Spec("grades", "等次分布", "period", lambda s, q: results.grade_distribution(s)),
        Spec("below_average", "低于平均分名单", "period", lambda s, q: results.below_average(s)),
        Spec("low_score", "低分预警", "period", lambda s, q: results.low_score(s, _threshold(q))),
        Spec("talk", "约谈/谈话名单", "year", lambda s, q: ledger.talk_list(s, _year(s, q))),
        Spec("ledger", "积分台账", "span", lambda s, q: ledger.branch_ledger(s, _span(s, q))),
        Spec(
            "registration",
            "党员积分登记表",
            "span",
            lambda s, q: ledger.registration(s, _span(s, q)),
        ),
        Spec(
            "statistics_1",
            "统计表（一）按组织",
            "period",
            lambda s, q: statistics.by_organisation(s),
        ),
        Spec(
            "statistics_2",
            "统计表（二）按党员类别",
            "period",
            lambda s, q: statistics.by_category(s),
        ),
    )  # fmt: skip
}
