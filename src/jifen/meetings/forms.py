"""Forms of the registration, meeting and attestation pages: Chinese messages next to the
field, the typed values kept on refusal, a hidden form token against double submission."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jifen.engine.scheme import Item
from jifen.meetings.models import AttendanceStatus, AttestationResult, MeetingKind
from jifen.web.forms import DATE_ERRORS, POINTS_ERRORS, REQUIRED

TOKEN_ERRORS: dict[str, Any] = {**REQUIRED, "invalid": "表单已失效，请刷新页面后重新填写"}


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, error_messages=DATE_ERRORS, widget=forms.DateInput(attrs={"type": "date"})
    )


class TokenForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, error_messages=TOKEN_ERRORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


def item_label(item: Item) -> str:
    if item.kind == "fixed":
        return f"{item.name}（{item.fixed_points} 分）"
    if item.min is not None and item.max is not None:
        return f"{item.name}（{item.min}～{item.max} 分）"
    if item.kind == "discretionary":
        sign = "加分" if item.sign == "+" else "扣分"
        most = f"，每次至多 {item.max} 分" if item.max is not None else ""
        return f"{item.name}（酌情{sign}{most}）"
    return item.name


class RegistrationForm(TokenForm):
    item_code = forms.ChoiceField(label="积分项目", error_messages={
        **REQUIRED, "invalid_choice": "请从列表中选择本支部积分办法中的项目",
    })  # fmt: skip
    occurred_on = _date_field("发生日期")
    points = forms.DecimalField(
        label="分值", required=False, max_digits=8, decimal_places=2, error_messages=POINTS_ERRORS,
        help_text="固定分值的项目无需填写；扣分项目填写负数，如 -2",
    )  # fmt: skip
    quantity = forms.IntegerField(
        label="次数", min_value=1, max_value=99, initial=1,
        error_messages={**REQUIRED, "invalid": "请输入整数次数", "min_value": "次数至少为 1",
                        "max_value": "次数最多为 99"},
    )  # fmt: skip
    honor_key = forms.CharField(
        label="荣誉名称", required=False, max_length=64, help_text="荣誉类项目必填",
        error_messages={"max_length": "荣誉名称最多 %(limit_value)d 字"},
    )  # fmt: skip
    reason = forms.CharField(
        label="事由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={**REQUIRED, "max_length": "事由最多 %(limit_value)d 字"},
    )  # fmt: skip
    members = forms.TypedMultipleChoiceField(
        label="党员", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一名党员",
                        "invalid_choice": "所选党员不属于本支部，请刷新后重新选择"},
    )  # fmt: skip

    def __init__(
        self, *args: Any, items: list[Item], members: list[tuple[int, str]], today: dt.date,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.items = {item.code: item for item in items}
        self.today = today
        item_field = self.fields["item_code"]
        assert isinstance(item_field, forms.ChoiceField)
        item_field.choices = [("", "请选择")] + [(i.code, item_label(i)) for i in items]
        member_field = self.fields["members"]
        assert isinstance(member_field, forms.ChoiceField)
        member_field.choices = members

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
        points: Decimal | None = data.get("points")
        if "points" in self.errors:
            return data
        if item.kind == "fixed":
            if points is not None and points != item.fixed_points:
                self.add_error("points", f"该项目分值固定为 {item.fixed_points} 分，无需填写")
        elif points is None:
            self.add_error("points", "该项目需要填写分值")
        elif message := _out_of_range(item, points):
            self.add_error("points", message)
        if item.honor and not (data.get("honor_key") or "").strip():
            self.add_error("honor_key", "荣誉类项目请填写荣誉名称")
        return data


def _out_of_range(item: Item, points: Decimal) -> str | None:
    """The item's bounds, checked here for a message next to the field (the service checks
    them again through the engine's rules)."""
    low, high = item.min, item.max
    if item.kind == "range" and low is not None and high is not None and not low <= points <= high:
        return f"分值应在 {low}～{high} 分之间"
    if item.kind == "discretionary":
        if item.sign == "+" and points <= 0:
            return "该项目为加分项目，分值应大于 0"
        if item.sign == "-" and points >= 0:
            return "该项目为扣分项目，分值应小于 0（如 -2）"
        if item.max is not None and abs(points) > item.max:
            return f"该项目每次至多 {item.max} 分"
    if item.kind == "assessed" and item.max is not None and not 0 <= points <= item.max:
        return f"分值应在 0～{item.max} 分之间"
    return None


class MeetingForm(TokenForm):
    kind = forms.ChoiceField(
        label="会议类型", choices=[("", "请选择"), *MeetingKind.choices],
        error_messages={**REQUIRED, "invalid_choice": "请选择会议类型"},
    )  # fmt: skip
    held_on = _date_field("会议日期")
    title = forms.CharField(label="会议主题", max_length=200, error_messages={
        **REQUIRED, "max_length": "会议主题最多 %(limit_value)d 字",
    })  # fmt: skip
    notes = forms.CharField(
        label="会议记录", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "会议记录最多 %(limit_value)d 字"},
    )  # fmt: skip

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_held_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["held_on"]
        if value > self.today:
            raise ValidationError("会议日期不能晚于今天：请在会后登记")
        return value


def read_sheet(data: Any, member_ids: list[int]) -> tuple[dict[int, str], list[str]]:
    """The sheet's statuses (`status-<member id>` fields) and the problems found."""
    statuses: dict[int, str] = {}
    problems: list[str] = []
    for pk in member_ids:
        value = data.get(f"status-{pk}", "")
        if value not in AttendanceStatus.values:
            problems.append(f"党员 {pk} 的出勤情况无效")
        else:
            statuses[pk] = value
    return statuses, problems


class LinkForm(TokenForm):
    days = forms.IntegerField(
        label="有效天数", min_value=1, max_value=30, initial=7,
        error_messages={**REQUIRED, "invalid": "请输入整数天数", "min_value": "至少 1 天",
                        "max_value": "最多 30 天"},
    )  # fmt: skip


class AnswerForm(forms.Form):
    result = forms.ChoiceField(
        label="您的意见", choices=AttestationResult.choices, widget=forms.RadioSelect,
        error_messages={**REQUIRED, "invalid_choice": "请选择“属实”或“不属实”"},
    )  # fmt: skip
    comment = forms.CharField(
        label="补充说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "补充说明最多 %(limit_value)d 字"},
    )  # fmt: skip
    name = forms.CharField(
        label="您的姓名", required=False, max_length=50,
        error_messages={"max_length": "姓名最多 %(limit_value)d 字"},
    )  # fmt: skip
    phone_tail = forms.RegexField(
        label="手机尾号", required=False, regex=r"^\d{4}$", max_length=4,
        help_text="可选：手机号码后 4 位，便于核实",
        error_messages={"invalid": "请输入 4 位数字", "max_length": "请输入 4 位数字"},
    )  # fmt: skip


class InPersonForm(TokenForm):
    name = forms.CharField(label="证实人姓名", max_length=50, error_messages={
        **REQUIRED, "max_length": "姓名最多 %(limit_value)d 字",
    })  # fmt: skip
    attested_on = _date_field("证实日期")
    result = forms.ChoiceField(
        label="证实结果", choices=AttestationResult.choices, widget=forms.RadioSelect,
        error_messages={**REQUIRED, "invalid_choice": "请选择“属实”或“不属实”"},
    )  # fmt: skip
    phone_tail = forms.RegexField(
        label="手机尾号", required=False, regex=r"^\d{4}$", max_length=4,
        error_messages={"invalid": "请输入 4 位数字", "max_length": "请输入 4 位数字"},
    )  # fmt: skip
    comment = forms.CharField(
        label="说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "说明最多 %(limit_value)d 字"},
    )  # fmt: skip

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_attested_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["attested_on"]
        if value > self.today:
            raise ValidationError("证实日期不能晚于今天")
        return value
