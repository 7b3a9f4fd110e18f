"""The import pages: upload, result, error sheet, templates; refusals shown on the form."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from exchange.files import ENTRY_HEADER, csv_bytes, xlsx
from jifen.exchange.models import ImportRun
from jifen.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
GOOD = ["11010519491231002X", "", "study_absent", "2025-03-01", "", "", "", ""]
BAD = ["11010519491231002X", "", "nope", "2025-03-01", "", "", "", ""]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, org, data: bytes, name: str = "积分.xlsx", token=None, kind="entries"):
    return client.post(reverse("exchange_import"), {
        "kind": kind, "organisation": org.pk, "form_token": str(token or uuid.uuid4()),
        "file": SimpleUploadedFile(name, data),
    })  # fmt: skip


def test_sam_imports_a_file_and_sees_how_many_rows(personas) -> None:
    client = client_for(personas.sam)
    page = client.get(reverse("exchange_import")).content.decode()
    assert "甲支部（D-1-A）" in page and "积分记录模板" in page
    response = post(client, personas.branch_a, xlsx([ENTRY_HEADER, GOOD, GOOD]))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchange_run", args=[run.pk]
    )
    assert "导入成功 2 行" in client.get(response["Location"]).content.decode()
    assert LedgerEntry.objects.count() == 2


def test_pressing_import_twice_imports_once(personas) -> None:
    client, token = client_for(personas.sam), uuid.uuid4()
    data = xlsx([ENTRY_HEADER, GOOD])
    first = post(client, personas.branch_a, data, token=token)
    second = post(client, personas.branch_a, data, token=token)
    assert first["Location"] == second["Location"]
    assert LedgerEntry.objects.count() == 1 and ImportRun.objects.count() == 1
    again = post(client, personas.branch_a, data)  # a fresh form, the same file
    assert again.status_code == 200 and "不再重复导入" in again.content.decode()
    assert LedgerEntry.objects.count() == 1


def test_a_bad_file_shows_its_errors_and_the_error_sheet(personas) -> None:
    client = client_for(personas.sam)
    response = post(client, personas.branch_a, csv_bytes([ENTRY_HEADER, GOOD, BAD], "gbk"), "a.csv")
    page = client.get(response["Location"]).content.decode()
    assert "1 处错误" in page and "<td>3</td><td>积分项目</td>" in page
    run = ImportRun.objects.get()
    sheet = client.get(reverse("exchange_errors", args=[run.pk]))
    rows = list(load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == (3, "积分项目")
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("a.xlsm", b"PK\x03\x04", "宏"),
        ("a.png", b"\x89PNG", "只接受"),
        ("big.csv", b"x" * 4096, "超过上限"),
    ],
)
def test_refused_files_are_answered_on_the_form(personas, settings, name, data, says) -> None:
    settings.JIFEN_IMPORT_MAX_BYTES = 2048
    response = post(client_for(personas.sam), personas.branch_a, data, name)
    assert response.status_code == 200 and says in response.content.decode()
    assert not ImportRun.objects.exists()


def test_bob_cannot_import_into_branch_a_from_the_page(personas) -> None:
    response = post(client_for(personas.bob), personas.branch_a, xlsx([ENTRY_HEADER, GOOD]))
    assert response.status_code == 200 and "甲支部" not in response.content.decode()
    assert not LedgerEntry.objects.exists() and not ImportRun.objects.exists()


def test_the_template_downloads_with_its_drop_downs(personas) -> None:
    response = client_for(personas.sam).get(reverse("exchange_template", args=["roster"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert len(sheet.data_validations.dataValidation) == 3
    assert client_for(personas.sam).get(reverse("exchange_template", args=["x"])).status_code == 404


def test_the_pages_do_not_query_per_row(personas, django_assert_max_num_queries) -> None:
    from jifen.exchange.services import import_file

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def run_with(errors: int) -> ImportRun:
        data = csv_bytes([ENTRY_HEADER] + [BAD] * errors)
        return import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                           filename="a.csv", data=data)  # fmt: skip

    client = client_for(personas.sam)
    small = run_with(1)
    upload, run_page = reverse("exchange_import"), reverse("exchange_run", args=[small.pk])
    queries(upload)  # warm the session
    few = queries(upload), queries(run_page)
    for _ in range(24):
        big = run_with(300)
    assert few[0] <= 20 and few[1] <= 20
    with django_assert_max_num_queries(few[0]):  # 20 runs listed, as many queries as for 1
        page = client.get(upload)
    assert page.content.decode().count("查看") == 20
    with django_assert_max_num_queries(few[1]):  # 300 errors shown, as many as for 1
        page = client.get(reverse("exchange_run", args=[big.pk]))
    assert page.content.decode().count("积分办法") == 300


def test_a_form_sent_again_with_a_corrected_file_imports_the_new_file(personas) -> None:
    client, token = client_for(personas.sam), uuid.uuid4()
    refused = post(client, personas.branch_a, xlsx([ENTRY_HEADER, BAD]), token=token)
    fixed = post(client, personas.branch_a, xlsx([ENTRY_HEADER, GOOD]), token=token)
    assert refused["Location"] != fixed["Location"]
    assert LedgerEntry.objects.count() == 1
    assert list(ImportRun.objects.order_by("id").values_list("state", flat=True)) == [
        "refused", "succeeded",
    ]  # fmt: skip
