"""The API object: token auth on everything but the public board, Chinese refusals,
one router per area (`jifen.api.routers`)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger

from jifen.api import errors
from jifen.api.auth import TokenAuth
from jifen.api.routers import (
    appeals,
    attestations,
    board,
    declarations,
    evidence,
    exemptions,
    filings,
    items,
    ledger,
    me,
    meetings,
    members,
    notifications,
    periods,
    years,
)

DESCRIPTION = """党员积分管理系统的接口，与网页使用同一套服务与权限检查。

- 认证：`Authorization: Bearer <令牌>`，令牌由 `jifen apitoken create 用户名` 生成；公示栏无需认证。
- 提交类操作（POST）必须带 `Idempotency-Key` 请求头：同一键重复提交返回第一次的结果，
  同一键用于不同内容返回 422。
  重放的应答带 `Idempotent-Replayed: true`；被拒绝的请求不保存，可用同一键重试。
- 分值一律为两位小数的字符串（如 `"3.50"`），不使用浮点数。
- 列表分页：`page`、`page_size`（默认 50，最多 200），应答为 `{"items": […], "count": 总数}`。
- 拒绝时返回 `{"detail": "中文说明", "errors": …}`：401 未认证，403 无权限，
  404 不存在或不在权限范围内，422 内容或状态不允许。
"""

REFUSALS = {
    "400": "缺少 Idempotency-Key 请求头，或请求体不是有效的 JSON",
    "401": "未提供有效的接口令牌，或令牌已撤销",
    "403": "无权限执行该操作",
    "404": "不存在，或不在权限范围内",
    "422": "请求内容有误，或当前状态不允许（detail 说明原因）",
}


class JifenAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The document, with the refusals every operation may answer described once."""
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["Refusal"] = {
            "type": "object",
            "title": "Refusal",
            "required": ["detail"],
            "properties": {
                "detail": {"type": "string", "description": "中文说明"},
                "errors": {"description": "各字段的问题（如有）"},
            },
        }
        refusal = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                public = "security" not in operation
                for status, text in REFUSALS.items():
                    if (status == "400" and method != "post") or (
                        public and status in {"401", "403"}
                    ):
                        continue
                    operation["responses"].setdefault(
                        status, {"description": text, "content": refusal}
                    )
        return schema


api = JifenAPI(
    title="积分 Jifen API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Swagger UI from ninja's local static files ("ninja" is an installed app); no online
    # validator badge, so the page works offline and calls no outside address.
    docs=Swagger(settings={"validatorUrl": None}),
    auth=TokenAuth(),
)
errors.install(api)
api.add_router("/me", me.router)
api.add_router("/members", members.router)
api.add_router("/declarations", declarations.router)
api.add_router("/declarations", evidence.router)
api.add_router("/declarations", attestations.router)
api.add_router("/items", items.router)
api.add_router("/ledger", ledger.router)
api.add_router("/periods", periods.router)
api.add_router("/appeals", appeals.router)
api.add_router("/filings", filings.router)
api.add_router("/meetings", meetings.router)
api.add_router("/exemptions", exemptions.router)
api.add_router("/notifications", notifications.router)
api.add_router("/years", years.router)
api.add_router("/board", board.router)
