"""The higher committee's schemes: templates for its subtree and a branch's refinement for
the year (细则), each a new version effective from a date, with the differences shown.

Only holders of Perm.MANAGE_SCHEME (the committee) write or read these pages; a branch's
scorekeeper does not propose versions here (the committee enters what the branch agreed).
Versions outside the user's subtrees answer 404.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jifen.engine import Scheme
from jifen.engine.errors import EngineError
from jifen.orgs.models import GROUP_KINDS, Organisation
from jifen.orgs.permissions import Perm, organisations_for
from jifen.orgs.services import effective_scheme_code
from jifen.schemes import registry
from jifen.schemes.diff import structured_diff, text_diff
from jifen.schemes.models import SchemeVersion
from jifen.schemes.selectors import managed_by, usage, versions_for
from jifen.schemes.services import create_version, current_text, next_number, numbered_text
from jifen.scoring.scope import subtree_schemes
from jifen.web.forms import DATE_ERRORS, REQUIRED

PRESET = "preset"


def _managed(request: HttpRequest) -> QuerySet[Organisation]:
    orgs = organisations_for(request.user, Perm.MANAGE_SCHEME).exclude(kind__in=GROUP_KINDS)
    if not orgs.exists():
        raise PermissionDenied("只有上级党组织可以管理积分办法")
    return orgs.order_by("code")


class VersionForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label="制定组织", coerce=int, help_text="党委/党工委：模板；党支部：该支部的细则",
        error_messages={**REQUIRED, "invalid_choice": "请从列表中选择党组织"},
    )  # fmt: skip
    effective_from = forms.DateField(
        label="生效日期", error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="自该日起开始的积分期间按新版本计算",
    )  # fmt: skip
    note = forms.CharField(
        label="修订说明", required=False, max_length=500,
        error_messages={"max_length": "最多 %(limit_value)d 字"},
    )  # fmt: skip
    text = forms.CharField(
        label="办法内容（TOML）", strip=False, max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 28, "class": "code", "spellcheck": "false"}),
        error_messages={**REQUIRED, "max_length": "内容过长（最多 %(limit_value)d 字符）"},
    )  # fmt: skip
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        **REQUIRED, "invalid": "表单已失效，请刷新页面后重新填写",
    })  # fmt: skip

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["organisation"]
        assert isinstance(choice, forms.TypedChoiceField)
        choice.choices = [("", "请选择")] + [
            (org.pk, f"{org.name}（{org.get_kind_display()}）") for org in organisations
        ]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


def _put_errors(form: forms.Form, error: ValidationError) -> None:
    """A service refusal next to its field (text, effective_from) or above the form."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
@never_cache
def scheme_list(request: HttpRequest) -> HttpResponse:
    managed = managed_by(request.user)
    if not managed:
        raise PermissionDenied("只有上级党组织可以管理积分办法")
    today = timezone.localdate()
    versions = (
        SchemeVersion.objects.filter(organisation__in=managed)
        .select_related("organisation", "created_by")
        .defer("text")
        .order_by("code", "-version")[:200]
    )
    return render(
        request,
        "web/committee/scheme_list.html",
        {"versions": versions, "usage": usage(managed, today), "today": today},
    )


@login_required
@never_cache
def scheme_new(request: HttpRequest) -> HttpResponse:
    organisations = list(_managed(request))
    by_id = {org.pk: org for org in organisations}
    today = timezone.localdate()
    if request.method == "POST":
        form = VersionForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = create_version(
                    actor=request.user,
                    organisation=by_id[data["organisation"]],
                    text=data["text"],
                    effective_from=data["effective_from"],
                    note=data["note"],
                    idempotency_key=data["idempotency_key"],
                )
            except ValidationError as error:
                _put_errors(form, error)
            else:
                messages.success(request, f"已保存 {version}，自 {version.effective_from} 起生效")
                return redirect("scheme_version", version_id=version.pk)
        chosen = by_id.get(form.cleaned_data.get("organisation") or 0)
    else:
        chosen = by_id.get(_int(request.GET.get("organisation")))
        initial: dict[str, Any] = {}
        if chosen is not None:
            code = effective_scheme_code(chosen) or _most_used_below(chosen)
            initial = {"organisation": chosen.pk, "effective_from": today}
            if code:
                start = current_text(code, on=today, organisation=chosen)
                tenant_id = chosen.tenant_id or chosen.pk
                initial["text"] = numbered_text(start, next_number(tenant_id, code))
        form = VersionForm(initial=initial, organisations=organisations)
    return render(
        request,
        "web/committee/scheme_form.html",
        {"form": form, "organisations": organisations, "chosen": chosen},
    )


def _most_used_below(organisation: Organisation) -> str:
    """A committee without a code of its own starts its template from the scheme most of
    its subtree uses."""
    codes = Counter(code for code in subtree_schemes(organisation).values() if code)
    return codes.most_common(1)[0][0] if codes else ""


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _visible(request: HttpRequest, version_id: int) -> SchemeVersion:
    version = versions_for(request.user).filter(pk=version_id).first()
    if version is None:
        raise Http404("没有该办法版本，或无权查看")
    return version


@login_required
@never_cache
def scheme_version(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _visible(request, version_id)
    others = (
        versions_for(request.user)
        .filter(tenant_id=version.tenant_id, code=version.code)
        .exclude(pk=version.pk)
        .defer("text")
        .order_by("-version")
    )
    return render(
        request,
        "web/committee/scheme_version.html",
        {"version": version, "others": others, "preset": registry.is_preset(version.code)},
    )


def _scheme_of(version: SchemeVersion) -> Scheme | None:
    try:
        return registry.parse_stored(version)
    except EngineError:
        return None


def _preset_text(code: str) -> str:
    from importlib import resources

    return resources.files("jifen.engine.presets").joinpath(f"{code}.toml").read_text("utf-8")


@login_required
@never_cache
def scheme_diff(request: HttpRequest, version_id: int) -> HttpResponse:
    """This version against `?against=<id>` (same code), the preset, or by default the
    version it was based on (the preset when it was based on none)."""
    new = _visible(request, version_id)
    against = request.GET.get("against", "")
    old: SchemeVersion | None = None
    if against and against != PRESET:
        old = versions_for(request.user).filter(pk=_int(against), code=new.code).first()
        if old is None:
            raise Http404("没有可比较的版本")
    elif not against:
        old = new.based_on
    if old is None and not registry.is_preset(new.code):
        raise Http404("该办法没有预置版本可比较")
    if old is not None:
        old_text, old_name, old_scheme = old.text, str(old), _scheme_of(old)
    else:
        old_scheme = registry.preset(new.code)
        old_text, old_name = _preset_text(new.code), f"{new.code} 预置第{old_scheme.version}版"
    new_scheme = _scheme_of(new)
    structured = (
        structured_diff(old_scheme, new_scheme)
        if old_scheme is not None and new_scheme is not None
        else None
    )
    choices = (
        versions_for(request.user)
        .filter(tenant_id=new.tenant_id, code=new.code)
        .exclude(pk=new.pk)
        .defer("text")
        .order_by("-version")
    )
    return render(
        request,
        "web/committee/scheme_diff.html",
        {
            "new": new,
            "old": old,
            "old_name": old_name,
            "lines": text_diff(old_text, new.text, old_name, str(new)),
            "structured": structured,
            "choices": choices,
            "has_preset": registry.is_preset(new.code),
        },
    )
