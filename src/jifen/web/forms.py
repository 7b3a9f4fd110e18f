"""The page forms: Chinese labels and messages, the typed values kept on refusal."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jifen.engine.scheme import Item
from jifen.workflow.evidence import MAX_EVIDENCE_FILES, TYPE_NAMES, check_upload, max_bytes
from jifen.workflow.machine import WorkflowRefused

REQUIRED = {"required": _("此项为必填项")}
DATE_ERRORS = {**REQUIRED, "invalid": _("请输入正确的日期，格式为 年-月-日，如 2025-02-10")}
POINTS_ERRORS = {
    "invalid": _("请输入数字分值，如 1 或 2.5"),
    "max_decimal_places": _("分值最多保留两位小数"),
    "max_digits": _("分值位数过多"),
    "max_whole_digits": _("分值位数过多"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Zero or more files, checked by the service's own rules (`check_upload`: size
    counted, type read from the bytes) so that a refusal sits next to the field; the
    service checks them again when it stores them."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(_("最多上传 %(n)d 个文件") % {"n": MAX_EVIDENCE_FILES})
        for upload in files:
            try:
                check_upload(upload)
            except WorkflowRefused as error:
                raise ValidationError(error.messages) from error
            upload.seek(0)
        return files


class DeclarationForm(forms.Form):
    item_code = forms.ChoiceField(label=_("积分项目"), error_messages={
        **REQUIRED, "invalid_choice": _("请从列表中选择可申报的项目"),
    })  # fmt: skip
    occurred_on = forms.DateField(
        label=_("发生日期"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    description = forms.CharField(
        label=_("事由"), max_length=2000, error_messages={
            **REQUIRED, "max_length": _("事由最多 %(limit_value)d 字"),
        }, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    requested_points = forms.DecimalField(
        label=_("申报分值"), required=False, max_digits=8, decimal_places=2,
        error_messages=POINTS_ERRORS, help_text=_("仅分值可变的项目需要填写"),
    )  # fmt: skip
    honor_key = forms.CharField(
        label=_("荣誉名称"), required=False, max_length=64,
        help_text=_("荣誉类项目必填，同一荣誉只计一次，如“2025-先进个人”"),
        error_messages={"max_length": _("荣誉名称最多 %(limit_value)d 字")},
    )  # fmt: skip
    evidence = EvidenceField(label=_("佐证材料"), required=False)
    # Generated when the form is first shown: a second press of the same form is the
    # same declaration (the service returns the first one).
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        **REQUIRED, "invalid": _("表单已失效，请刷新页面后重新填写"),
    })  # fmt: skip

    def __init__(self, *args: Any, items: list[Item], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {item.code: item for item in items}
        # The limit is read per form: an installation may set JIFEN_EVIDENCE_MAX_BYTES.
        self.fields["evidence"].help_text = _(
            "可选多个文件；只接受 %(types)s，每个不超过 %(mb)s MB"
        ) % {"types": TYPE_NAMES, "mb": f"{max_bytes() / 1048576:g}"}
        self.today = today
        choice = self.fields["item_code"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", _("请选择"))] + [(item.code, _item_label(item)) for item in items]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean_occurred_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["occurred_on"]
        if value > self.today:
            raise ValidationError(_("发生日期不能晚于今天"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        item = self.items.get(data.get("item_code") or "")
        if item is None:
            return data
        points: Decimal | None = data.get("requested_points")
        if item.kind == "fixed" and points is not None and points != item.fixed_points:
            self.add_error(
                "requested_points",
                _("该项目分值固定为 %(points)s 分，无需填写") % {"points": item.fixed_points},
            )
        if item.kind != "fixed" and points is None and "requested_points" not in self.errors:
            self.add_error("requested_points", _("该项目需要填写申报分值"))
        if item.honor and not (data.get("honor_key") or "").strip():
            self.add_error("honor_key", _("荣誉类项目请填写荣誉名称"))
        return data


def _item_label(item: Item) -> str:
    if item.kind == "fixed":
        return _("%(name)s（%(points)s 分）") % {"name": item.name, "points": item.fixed_points}
    if item.min is not None and item.max is not None:
        return _("%(name)s（%(min)s～%(max)s 分）") % {
            "name": item.name,
            "min": item.min,
            "max": item.max,
        }
    return item.name


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=2000, error_messages={
            **REQUIRED, "max_length": _("最多 %(limit_value)d 字"),
        }, widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ApproveForm(forms.Form):
    points = forms.DecimalField(
        label=_("核定分值"), required=False, max_digits=8, decimal_places=2,
        error_messages=POINTS_ERRORS, help_text=_("留空则按申报分值或项目固定分值"),
    )  # fmt: skip
    note = forms.CharField(label=_("审核意见"), required=False, max_length=500)


class AppealForm(forms.Form):
    entry = forms.ChoiceField(
        label=_("所涉台账记录"), required=False, help_text=_("可选：对某一条记录有异议时选择它"),
        error_messages={"invalid_choice": _("请从列表中选择您在该期间的记录")},
    )  # fmt: skip
    reason = forms.CharField(
        label=_("申辩理由"), max_length=2000, error_messages={
            **REQUIRED, "max_length": _("申辩理由最多 %(limit_value)d 字"),
        }, widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        **REQUIRED, "invalid": _("表单已失效，请刷新页面后重新填写"),
    })  # fmt: skip

    def __init__(self, *args: Any, entries: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["entry"]
        assert isinstance(choice, forms.ChoiceField)
        listed = [(str(pk), text) for pk, text in entries]
        choice.choices = [("", _("不指定（对总分有异议）")), *listed]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


class UpholdForm(forms.Form):
    reason = forms.CharField(
        label=_("处理理由"), max_length=2000, error_messages=REQUIRED,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    reverse = forms.BooleanField(label=_("冲正所涉台账记录"), required=False)
    item_code = forms.ChoiceField(
        label=_("补记项目"), required=False,
        error_messages={"invalid_choice": _("请从列表中选择积分项目")},
    )  # fmt: skip
    points = forms.DecimalField(
        label=_("补记分值"), required=False, max_digits=8, decimal_places=2,
        error_messages=POINTS_ERRORS,
    )  # fmt: skip
    occurred_on = forms.DateField(
        label=_("更正记入日期"), required=False, error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("须属于进行中的期间；留空为今天"),
    )  # fmt: skip

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["item_code"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", _("不补记"))] + [(item.code, _item_label(item)) for item in items]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("item_code")) != (data.get("points") is not None):
            self.add_error("points", _("补记积分须同时选择项目并填写分值"))
        return data


class PublicityForm(forms.Form):
    days = forms.IntegerField(
        label=_("公示天数"), min_value=1, max_value=60, initial=5, error_messages={
            **REQUIRED, "invalid": _("请输入整数天数"), "min_value": _("公示天数至少为 1 天"),
            "max_value": _("公示天数最多 60 天"),
        },
    )  # fmt: skip
