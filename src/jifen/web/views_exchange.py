"""Excel/CSV import pages: the upload form, the result of a run, its error sheet, and the
templates to fill in.

Scorekeepers import into the organisations where they hold the permission of the import
(the roster: CHANGE_MEMBER; entries: RECORD_ENTRY). A run outside those answers 404 (its
existence is not disclosed). The page reads the run's stored errors: no row is validated
again and no query is made per error.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from jifen.exchange.models import ImportKind, ImportRun
from jifen.exchange.readers import max_bytes
from jifen.exchange.services import PERMISSION, import_file, may_import
from jifen.exchange.workbooks import error_sheet, template_for
from jifen.orgs.models import GROUP_KINDS, Organisation
from jifen.orgs.permissions import organisations_for
from jifen.web.common import show_refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 500  # the page lists this many; the error sheet has them all


def _reach(user: Any) -> dict[str, list[int]]:
    """Import kind → ids of the organisations where the user may import it."""
    return {
        kind: list(organisations_for(user, perm).values_list("pk", flat=True))
        for kind, perm in PERMISSION.items()
    }


def _targets(reach: dict[str, list[int]]) -> QuerySet[Organisation]:
    """Organisations the user may import something into (groups hold no members)."""
    ids = {pk for pks in reach.values() for pk in pks}
    return Organisation.objects.filter(pk__in=ids).exclude(kind__in=GROUP_KINDS).order_by("code")


def _runs(reach: dict[str, list[int]]) -> QuerySet[ImportRun]:
    scope = Q(pk__in=[])
    for kind, ids in reach.items():
        scope |= Q(kind=kind, organisation_id__in=ids)
    return ImportRun.objects.filter(scope)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=ImportKind.choices)
    organisation = forms.TypedChoiceField(label="导入到", coerce=int)
    file = forms.FileField(
        label="文件",
        error_messages={"required": "请选择要导入的 .xlsx 或 .csv 文件"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    # Generated when the form is first shown: pressing the button twice is one import.
    form_token = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "required": "表单已失效，请刷新页面后重新选择文件",
        "invalid": "表单已失效，请刷新页面后重新选择文件",
    })  # fmt: skip

    def __init__(self, *args: Any, targets: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o.pk, f"{o.name}（{o.code}）") for o in targets]
        self.fields["file"].help_text = (
            f".xlsx，或 UTF-8 / GBK 编码的 .csv；不超过 {max_bytes() / 1048576:g} MB；"
            "全部行正确才导入"
        )
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise ValidationError(
                f"文件大小 {upload.size / 1048576:.1f} MB 超过上限 {max_bytes() / 1048576:g} MB"
            )
        return upload


@login_required
@never_cache
def import_upload(request: HttpRequest) -> HttpResponse:
    reach = _reach(request.user)
    targets = list(_targets(reach)[:500])
    if not targets:
        raise PermissionDenied("只有积分员可以导入")
    form = ImportForm(request.POST or None, request.FILES or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next(o for o in targets if o.pk == data["organisation"])
        if not may_import(request.user, data["kind"], organisation):
            form.add_error("organisation", f"您不能向 {organisation.name} 导入该内容")
        else:
            upload = data["file"]
            try:
                run = import_file(
                    actor=request.user, organisation=organisation, kind=data["kind"],
                    filename=upload.name, data=upload.read(), form_token=data["form_token"],
                )  # fmt: skip
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                show_refusal(form, error)
            else:
                return redirect("exchange_run", run.pk)
    runs = _runs(reach).select_related("organisation", "created_by")[:20]
    return render(request, "web/exchange/upload.html", {"form": form, "runs": runs,
                                                         "targets": targets})  # fmt: skip


def _run_in_scope(request: HttpRequest, run_id: int) -> ImportRun:
    run = _runs(_reach(request.user)).filter(pk=run_id).select_related("organisation", "created_by")
    found = run.first()
    if found is None:
        raise Http404("没有该导入记录，或无权查看")
    return found


@login_required
@never_cache
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_in_scope(request, run_id)
    return render(
        request,
        "web/exchange/run.html",
        {"run": run, "errors": run.errors[:SHOWN_ERRORS], "more": run.error_count > SHOWN_ERRORS},
    )


@login_required
@never_cache
def import_errors(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_in_scope(request, run_id)
    response = HttpResponse(error_sheet(run), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.xlsx"'
    return response


@login_required
@never_cache
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ImportKind.values:
        raise Http404("没有该模板")
    targets = list(_targets({kind: _reach(request.user)[kind]})[:500])
    if not targets:
        raise PermissionDenied("只有积分员可以下载导入模板")
    wanted = request.GET.get("organisation", "")
    organisation = next((o for o in targets if str(o.pk) == wanted), targets[0])
    data = template_for(actor=request.user, kind=kind, organisation=organisation)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{kind}-template.xlsx"'
    return response
