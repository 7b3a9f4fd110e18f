"""The page forms: Chinese labels and messages, the typed values kept on refusal."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jifen.engine.scheme import Item
from jifen.workflow.evidence import MAX_EVIDENCE_FILES, TYPE_NAMES, check_upload, max_bytes
from jifen.workflow.machine import WorkflowRefused

REQUIRED = {"required": "此项为必填项"}
DATE_ERRORS = {**REQUIRED, "invalid": "请输入正确的日期，格式为 年-月-日，如 2025-02-10"}
POINTS_ERRORS = {
    "invalid": "请输入数字分值，如 1 或 2.5",
    "max_decimal_places": "分值最多保留两位小数",
    "max_digits": "分值位数过多",
    "max_whole_digits": "分值位数过多",
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
            raise ValidationError(f"最多上传 {MAX_EVIDENCE_FILES} 个文件")
        for upload in files:
            try:
                check_upload(upload)
            except WorkflowRefused as error:
                raise ValidationError(error.messages) from error
            upload.seek(0)
        return files


class DeclarationForm(forms.Form):
    item_code = forms.ChoiceField(label="积分项目", error_messages={
        **REQUIRED, "invalid_choice": "请从列表中选择可申报的项目",
    })  # fmt: skip
    occurred_on = forms.DateField(
        label="发生日期", error_messages=DATE_ERRORS, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label="事由", max_length=2000, error_messages={
            **REQUIRED, "max_length": "事由最多 %(limit_value)d 字",
        }, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    requested_points = forms.DecimalField(
        label="申报分值", required=False, max_digits=8, decimal_places=2,
        error_messages=POINTS_ERRORS, help_text="仅分值可变的项目需要填写",
    )  # fmt: skip
    honor_key = forms.CharField(
        label="荣誉名称", required=False, max_length=64,
        help_text="荣誉类项目必填，同一荣誉只计一次，如“2025-先进个人”",
        error_messages={"max_length": "荣誉名称最多 %(limit_value)d 字"},
    )  # fmt: skip
    evidence = EvidenceField(label="佐证材料", required=False)
    # Generated when the form is first shown: a second press of the same form is the
    # same declaration (the service returns the first one).
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        **REQUIRED, "invalid": "表单已失效，请刷新页面后重新填写",
    })  # fmt: skip

    def __init__(self, *args: Any, items: list[Item], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {item.code: item for item in items}
        # The limit is read per form: an installation may set JIFEN_EVIDENCE_MAX_BYTES.
        self.fields[
            "evidence"
        ].help_text = f"可选多个文件；只接受 {TYPE_NAMES}，每个不超过 {max_bytes() / 1048576:g} MB"
        self.today = today
        choice = self.fields["item_code"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", "请选择")] + [(item.code, _item_label(item)) for item in items]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean_occurred_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["occurred_on"]
        if value > self.today:
            raise ValidationError("发生日期不能晚于今天")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        item = self.items.get(data.get("item_code") or "")
        if item is None:
            return data
        points: Decimal | None = data.get("requested_points")
        if item.kind == "fixed" and points is not None and points != item.fixed_points:
            self.add_error("requested_points", f"该项目分值固定为 {item.fixed_points} 分，无需填写")
        if item.kind != "fixed" and points is None and "requested_points" not in self.errors:
            self.add_error("requested_points", "该项目需要填写申报分值")
        if item.honor and not (data.get("honor_key") or "").strip():
            self.add_error("honor_key", "荣誉类项目请填写荣誉名称")
        return data


def _item_label(item: Item) -> str:
    if item.kind == "fixed":
        return f"{item.name}（{item.fixed_points} 分）"
    if item.min is not None and item.max is not None:
        return f"{item.name}（{item.min}～{item.max} 分）"
    return item.name


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=2000, error_messages={
            **REQUIRED, "max_length": "最多 %(limit_value)d 字",
        }, widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ApproveForm(forms.Form):
    points = forms.DecimalField(
        label="核定分值", required=False, max_digits=8, decimal_places=2,
        error_messages=POINTS_ERRORS, help_text="留空则按申报分值或项目固定分值",
    )  # fmt: skip
    note = forms.CharField(label="审核意见", required=False, max_length=500)


class AppealForm(forms.Form):
    entry = forms.ChoiceField(
        label="所涉台账记录", required=False, help_text="可选：对某一条记录有异议时选择它",
        error_messages={"invalid_choice": "请从列表中选择您在该期间的记录"},
    )  # fmt: skip
    reason = forms.CharField(
        label="申辩理由", max_length=2000, error_messages={
            **REQUIRED, "max_length": "申辩理由最多 %(limit_value)d 字",
        }, widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        **REQUIRED, "invalid": "表单已失效，请刷新页面后重新填写",
    })  # fmt: skip

    def __init__(self, *args: Any, entries: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["entry"]
        assert isinstance(choice, forms.ChoiceField)
        listed = [(str(pk), text) for pk, text in entries]
        choice.choices = [("", "不指定（对总分有异议）"), *listed]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


class UpholdForm(forms.Form):
    reason = forms.CharField(
        label="处理理由", max_length=2000, error_messages=REQUIRED,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    reverse = forms.BooleanField(label="冲正所涉台账记录", required=False)
    item_code = forms.ChoiceField(
        label="补记项目", required=False,
        error_messages={"invalid_choice": "请从列表中选择积分项目"},
    )  # fmt: skip
    points = forms.DecimalField(
        label="补记分值", required=False, max_digits=8, decimal_places=2,
        error_messages=POINTS_ERRORS,
    )  # fmt: skip
    occurred_on = forms.DateField(
        label="更正记入日期", required=False, error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}), help_text="须属于进行中的期间；留空为今天",
    )  # fmt: skip

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["item_code"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", "不补记")] + [(item.code, _item_label(item)) for item in items]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("item_code")) != (data.get("points") is not None):
            self.add_error("points", "补记积分须同时选择项目并填写分值")
        return data


class PublicityForm(forms.Form):
    days = forms.IntegerField(
        label="公示天数", min_value=1, max_value=60, initial=5, error_messages={
            **REQUIRED, "invalid": "请输入整数天数", "min_value": "公示天数至少为 1 天",
            "max_value": "公示天数最多 60 天",
        },
    )  # fmt: skip
