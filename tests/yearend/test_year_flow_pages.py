"""The year through its pages, on a scheme with a democratic appraisal (s000b: the year is
0.7 × the mean of the monthly daily scores + 0.3 × the appraisal): refusals out of order,
appraisal before and after evaluation, grade, lists, file."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jifen.core.models import AuditEvent
from jifen.ledger.models import LedgerEntry
from jifen.scoring.models import MemberResult
from jifen.workflow.models import YearAppraisal, YearEvaluation
from jifen.workflow.states import YearState

from .conftest import client_of

pytestmark = pytest.mark.django_db


def url(name: str, branch: Any, *extra: Any) -> str:
    return reverse(name, args=[branch.pk, 2025, *extra])


def appraisal_data(branch: Any, points: dict[int, str], form_key: str, **extra: str) -> dict:
    data = {"occurred_on": "2025-12-20", "form_key": form_key, **extra}
    for person in branch.people:
        data[f"rating_{person.pk}"] = ""
        data[f"points_{person.pk}"] = points.get(person.pk, "")
    return data


def form_key(page: str) -> str:
    marker = 'name="form_key" value="'
    start = page.index(marker) + len(marker)
    return page[start : start + 36]


def totals(branch: Any) -> dict[str, str]:
    snapshot = YearEvaluation.objects.get(branch=branch, year=2025).snapshot
    return {
        r.member.name: f"{r.total} {r.grade}"
        for r in MemberResult.objects.filter(snapshot=snapshot).select_related("member")
    }


def test_the_year_runs_through_its_pages_with_the_appraisal(personas, village) -> None:
    sam = client_of(personas.sam)
    one, two, three = village.people
    overview = url("year_overview", village)

    page = sam.get(overview).content.decode()
    assert "进行中" in page and "计入年度得分" in page

    # Out of order: grading or filing an open year is refused, in Chinese, nothing saved.
    for action in ("grade", "file"):
        response = sam.post(overview, {"action": action, "award_quota": "20"}, follow=True)
        assert "年度评定当前为“进行中”" in response.content.decode()
    assert not YearEvaluation.objects.filter(branch=village).exclude(state="open").exists()

    # The appraisal: a score out of range is answered next to the field, typed values kept.
    appraisal = url("year_appraisal", village)
    key = form_key(sam.get(appraisal).content.decode())
    bad = sam.post(appraisal, appraisal_data(village, {one.pk: "120", two.pk: "80"}, key))
    text = bad.content.decode()
    assert bad.status_code == 200 and "分值不能大于 100" in text and 'value="80"' in text
    assert LedgerEntry.objects.filter(item_code="annual_appraisal").count() == 0

    data = appraisal_data(village, {one.pk: "95", two.pk: "80"}, key)
    assert sam.post(appraisal, data).status_code == 302
    assert sam.post(appraisal, data).status_code == 302  # the same form again
    assert LedgerEntry.objects.filter(item_code="annual_appraisal").count() == 2
    assert YearAppraisal.objects.filter(evaluation__branch=village).count() == 2

    sam.post(overview, {"action": "evaluate"})
    assert totals(village) == {"张一": "98.50 优秀", "张二": "94.00 优秀", "张三": "70.00 合格"}

    # Recorded after evaluation, the appraisal summarises the year again.
    key = form_key(sam.get(appraisal).content.decode())
    sam.post(appraisal, appraisal_data(village, {one.pk: "95", two.pk: "60", three.pk: "90"}, key))
    assert totals(village) == {"张一": "98.50 优秀", "张二": "88.00 良好", "张三": "97.00 优秀"}
    reversal = LedgerEntry.objects.get(item_code="annual_appraisal", reverses__isnull=False)
    assert reversal.member_id == two.pk and reversal.points_hundredths == -8000

    response = sam.post(overview, {"action": "evaluate"}, follow=True)
    assert "年度评定当前为“已评定”，不能改为“已评定”" in response.content.decode()

    results = sam.get(url("year_results", village)).content.decode()
    assert "98.50" in results and "良好" in results and "等次分布" in results

    sam.post(overview, {"action": "grade", "award_quota": "34"})
    evaluation = YearEvaluation.objects.get(branch=village, year=2025)
    assert evaluation.state == YearState.GRADED and evaluation.award_quota_percent == 34
    award = sam.get(url("year_list", village, "award")).content.decode()
    assert "张一" in award and "名额 1 名" in award
    assert "张三" in award.split('id="left-out"')[1]  # 优秀 too, but past the quota

    # Graded: the appraisal can no longer change.
    before = LedgerEntry.objects.count()
    key = form_key(sam.get(appraisal).content.decode())
    refused = sam.post(appraisal, appraisal_data(village, {one.pk: "10"}, key))
    assert "不能再修改民主评议结果" in refused.content.decode()
    assert LedgerEntry.objects.count() == before

    sam.post(overview, {"action": "file"})
    evaluation.refresh_from_db()
    assert evaluation.state == YearState.FILED
    actions = set(
        AuditEvent.objects.filter(target_id=str(evaluation.pk)).values_list("action", flat=True)
    )
    assert {"year.appraisal", "year.evaluate", "year.grade", "year.file"} <= actions


def test_a_bad_grade_quota_is_answered_next_to_the_field(personas, village) -> None:
    sam = client_of(personas.sam)
    overview = url("year_overview", village)
    sam.post(overview, {"action": "evaluate"})
    response = sam.post(overview, {"action": "grade", "award_quota": "150"})
    assert response.status_code == 200
    assert "评优比例不能大于 100" in response.content.decode()
    assert YearEvaluation.objects.get(branch=village).state == YearState.EVALUATED


def test_the_committee_reads_the_year_but_cannot_act(personas, village) -> None:
    carol = client_of(personas.carol)
    overview = url("year_overview", village)
    assert carol.get(overview).status_code == 200
    assert carol.post(overview, {"action": "evaluate"}).status_code == 403
    appraisal = url("year_appraisal", village)
    page = carol.get(appraisal).content.decode()
    assert "上级党组织只读" in page and "保存评议结果" not in page
    assert carol.post(appraisal, {"occurred_on": "2025-12-20"}).status_code == 403
    assert not YearEvaluation.objects.filter(branch=village).exclude(state="open").exists()
