"""The committee's dashboard: numbers from the saved snapshots, a constant number of
queries, charts drawn by the vendored ECharts (no script from another site)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committee.conftest import signed_in
from committee.subtree import grow

pytestmark = pytest.mark.django_db
URL = reverse("dashboard")


def test_the_numbers_are_those_of_the_newest_snapshots(personas) -> None:
    made = grow(personas, branches=3, members=4)
    response = signed_in(personas.carol).get(URL, {"year": "2025", "period": "2025-Q2"})
    assert response.status_code == 200
    ctx = response.context
    # Independently: plain counting over the rows the test wrote.
    q2 = [row for _, final in made for row in final["2025-Q2"]]
    grades = Counter(grade or "未定等次" for _, _, grade in q2)
    assert dict(ctx["grades"]) == dict(grades)
    assert ctx["total"] == len(q2) == 12  # the superseded snapshot is not counted
    for (branch, final), row in zip(made, ctx["branches"], strict=True):
        rows = final["2025-Q2"]
        totals = [t for _, t, _ in rows if t is not None]
        assert row.name == branch.name and row.members == len(rows)
        assert row.excellent == sum(1 for _, _, g in rows if g == "优秀")
        expected = Decimal(sum(totals)) / len(totals) / 100 if totals else None
        assert row.average == (
            expected.quantize(Decimal("0.01"), ROUND_HALF_UP) if totals else None
        )
    for label, avg, scored in ctx["trend"]:
        totals = [t for _, final in made for _, t, _ in final[label] if t is not None]
        assert scored == len(totals)
        assert avg == (Decimal(sum(totals)) / len(totals) / 100).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    assert [label for label, _, _ in ctx["trend"]] == ["2025-Q1", "2025-Q2"]
    page = response.content.decode()
    assert 'id="dashboard-data"' in page and "第1支部" in page


def queries_for(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_branches(personas) -> None:
    client = signed_in(personas.carol)
    grow(personas, branches=2, seed=2)
    few = queries_for(client)
    grow(personas, branches=18, seed=3)  # 20 in all
    assert queries_for(client) == few


def test_bob_sees_only_his_branch(personas) -> None:
    grow(personas, branches=2)
    response = signed_in(personas.bob).get(URL)
    assert response.status_code == 200 and "第1支部" not in response.content.decode()
    assert signed_in(personas.alice_user).get(URL).status_code == 403


def test_echarts_is_served_from_our_static_files_and_no_script_comes_from_elsewhere(
    personas,
) -> None:
    grow(personas, branches=1)
    page = signed_in(personas.carol).get(URL).content.decode()
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    assert static("vendor/echarts/echarts.min.js") in sources
    assert static("web/dashboard.js") in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    found = finders.find("vendor/echarts/echarts.min.js")
    assert found
    with open(found, encoding="utf-8") as vendored:
        assert "Apache" in vendored.read(600)
    assert finders.find("vendor/echarts/LICENSE")
