"""Every refusal as JSON with a Chinese `detail`; the status says what kind it is.

- a service's ValidationError (WorkflowRefused, LedgerRefused) → 422 with its message;
- WorkflowForbidden / PermissionDenied → 403; an object outside one's scope → 404, as on
  the pages (its existence is not disclosed);
- a request the schema refuses → 422 naming each field; a create without its
  `Idempotency-Key` header → 400; no or a bad token → 401.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from jifen.workflow.machine import WorkflowForbidden

IDEMPOTENCY_HEADER = "Idempotency-Key"
UNAUTHORISED = "未提供有效的接口令牌（Authorization: Bearer <令牌>），或令牌已撤销"


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages] or [str(error)]


# Pydantic's error types in Chinese; others keep pydantic's own (English) message.
MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_type": "应为文字",
    "string_pattern_mismatch": "格式不对",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "greater_than_equal": "过小",
    "less_than_equal": "过大",
    "decimal_parsing": "应为数字，如 2.5",
    "decimal_max_places": "最多两位小数",
    "decimal_max_digits": "位数过多",
    "date_from_datetime_parsing": "应为日期，格式 年-月-日，如 2025-02-10",
    "date_parsing": "应为日期，格式 年-月-日，如 2025-02-10",
    "enum": "不在可选范围内",
    "literal_error": "不在可选范围内",
    "bool_parsing": "应为 true 或 false",
    "too_short": "至少要有一项",
    "too_long": "项数过多",
    "json_invalid": "不是有效的 JSON",
}


def _schema_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors in a stable, JSON-safe form: where, what kind, the message."""
    out = []
    for error in errors:
        kind = str(error.get("type", ""))
        message = str(error.get("msg", ""))
        if kind == "value_error":  # our validators' own Chinese text, after pydantic's prefix
            message = message.removeprefix("Value error, ")
        out.append(
            {
                "loc": [str(part) for part in error.get("loc", ())],
                "type": kind,
                "msg": MESSAGES.get(kind, message),
            }
        )
    return out


def _where(loc: list[str]) -> str:
    """A field's name as a client knows it: without the source and the parameter name."""
    parts = [p for p in loc[1:] if p not in {"payload", "filters", "ninja_pagination"}]
    return ".".join(parts) or (loc[0] if loc else "")


def _missing_idempotency_key(errors: list[dict[str, Any]]) -> bool:
    return any(
        error.get("type") == "missing"
        and [str(p) for p in error.get("loc", ())][-2:] == ["header", IDEMPOTENCY_HEADER]
        for error in errors
    )


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(SchemaError)
    def schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        errors = _schema_errors(list(exc.errors))
        if _missing_idempotency_key(list(exc.errors)):
            return respond(
                request,
                400,
                f"缺少 {IDEMPOTENCY_HEADER} 请求头：每个提交操作都须带上",
                errors=errors,
            )
        problems = "；".join(dict.fromkeys(f"{_where(e['loc'])}：{e['msg']}" for e in errors))
        return respond(request, 422, f"请求内容有误：{problems}", errors=errors)

    @api.exception_handler(WorkflowForbidden)
    def forbidden_refusal(request: HttpRequest, exc: WorkflowForbidden) -> HttpResponse:
        return respond(request, 403, "；".join(_messages(exc)))

    @api.exception_handler(ValidationError)
    def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors: Any = exc.message_dict if hasattr(exc, "error_dict") else _messages(exc)
        return respond(request, 422, "；".join(_messages(exc)), errors=errors)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or "无权限执行该操作")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, str(exc) or "没有该对象，或无权查看")

    @api.exception_handler(AuthenticationError)
    def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, UNAUTHORISED)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = "请求体不是有效的 JSON" if exc.status_code == 400 else str(exc)
        return respond(request, exc.status_code, detail)
