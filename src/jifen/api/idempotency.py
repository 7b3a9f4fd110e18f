"""`Idempotency-Key` on every POST that creates or acts: one decorator, `idempotent`
(`idempotent_redacting` for an answer that holds a secret shown once).

- The header is required (400 without it), 1–100 printable ASCII characters, per user.
- The first successful answer is stored with the SHA-256 of the request (method, path,
  query and the canonical JSON body). The same key with the same request replays that
  answer (same status and body, header `Idempotent-Replayed: true`) and writes nothing;
  the same key with a different request is refused with 422 and writes nothing.
- A refused request (4xx) stores nothing: fix the cause and retry with the same key.
- The key is claimed by inserting its row in the same transaction as the effect. A
  concurrent request with the same key waits on the unique (user, key) index (PostgreSQL)
  or on the write lock (SQLite's IMMEDIATE transactions), then finds the first answer and
  replays it: one effect, however many presses.
- Records are kept `RETENTION_DAYS` (`jifen idempotency prune` removes older ones); a key
  reused after that is a new request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Header
from ninja.utils import contribute_operation_args
from pydantic_core import to_jsonable_python

from jifen.api.errors import IDEMPOTENCY_HEADER
from jifen.api.models import IdempotencyRecord

KEY_PATTERN = r"^[!-~]{1,100}$"
IN_PROGRESS = 0  # status of a claimed key whose answer is not written yet
RETENTION_DAYS = 30


def prune(*, days: int = RETENTION_DAYS) -> int:
    """Delete the records older than `days`; returns how many."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _canonical_body(request: HttpRequest) -> bytes:
    """The body as content, not as bytes: JSON with sorted keys; a multipart form as its
    fields and each file's name and SHA-256 (the boundary differs on every retry)."""
    if request.content_type == "multipart/form-data":
        files = []
        for name, uploads in request.FILES.lists():
            for upload in uploads:
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                files.append([name, upload.name, digest.hexdigest()])
        form = {"fields": sorted(request.POST.lists()), "files": sorted(files)}
        return json.dumps(form, ensure_ascii=True).encode()
    try:
        content = json.loads(request.body or b"null")
    except ValueError:
        return request.body
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def request_digest(request: HttpRequest) -> str:
    """SHA-256 of what makes two requests the same: method, path, query, body."""
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    head = f"{request.method} {request.path}?{query}\n".encode("utf-8", "surrogatepass")
    return hashlib.sha256(head + _canonical_body(request)).hexdigest()


def _serialise(result: Any) -> tuple[int, Any]:
    status, data = result if isinstance(result, tuple) else (200, result)
    # Schemas (or lists of them) to JSON values as ninja would write them: decimals and
    # dates as strings.
    return int(status), to_jsonable_python(data)


def _answer(status: int, body: Any, *, replayed: bool) -> HttpResponse:
    response = JsonResponse(
        body, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Idempotent-Replayed"] = "true" if replayed else "false"
    return response


def _replay(first: IdempotencyRecord, method_path: str, digest: str) -> HttpResponse:
    if first.request_sha256 != digest or first.method_path != method_path:
        return JsonResponse(
            {
                "detail": f"该 {IDEMPOTENCY_HEADER} 已用于另一个不同的请求（{first.method_path}），"
                "请为新的操作使用新的键",
                "errors": [{"loc": ["header", IDEMPOTENCY_HEADER], "type": "key_reused"}],
            },
            status=422,
            json_dumps_params={"ensure_ascii": False},
        )
    return _answer(first.status_code, first.response_body, replayed=True)


def idempotent(func: Callable[..., Any]) -> Callable[..., Any]:
    """Make a create/act endpoint idempotent by its `Idempotency-Key` header.

    The endpoint returns a schema instance (200) or `(status, schema instance)`; a list
    of schema instances too."""
    return _idempotent(func, redact=())


def idempotent_redacting(*fields: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`idempotent`, keeping `fields` of the answer out of the stored copy: a secret shown
    once (a link's token) is not written to the database; a replay answers them null."""
    return lambda func: _idempotent(func, redact=fields)


def _idempotent(func: Callable[..., Any], *, redact: tuple[str, ...]) -> Callable[..., Any]:
    @wraps(func)
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        key: str = kwargs.pop("idempotency_key")
        user: Any = request.user
        digest = request_digest(request)
        method_path = f"{request.method} {request.path}"[:300]
        with transaction.atomic():
            first = IdempotencyRecord.objects.filter(user=user, key=key).first()
            claim: IdempotencyRecord | None = None
            if first is None:
                try:
                    with transaction.atomic():
                        claim = IdempotencyRecord.objects.create(
                            user=user, key=key, method_path=method_path,
                            request_sha256=digest, status_code=IN_PROGRESS, response_body={},
                        )  # fmt: skip
                except IntegrityError:
                    # A concurrent request with this key committed first: answer as it did.
                    first = IdempotencyRecord.objects.filter(user=user, key=key).first()
                    if first is None:
                        raise
            if first is not None:
                return _replay(first, method_path, digest)
            assert claim is not None
            status, body = _serialise(func(request, **kwargs))
            kept = {**body, **dict.fromkeys(redact)} if redact else body
            claim.status_code, claim.response_body = status, kept
            claim.save(update_fields=["status_code", "response_body"])
        return _answer(status, body, replayed=False)

    contribute_operation_args(
        view,
        "idempotency_key",
        str,
        Header(
            ...,
            alias=IDEMPOTENCY_HEADER,
            pattern=KEY_PATTERN,
            description="幂等键（每个提交操作必填，1～100 个可见 ASCII 字符，如 UUID）："
            "同一键重复提交返回第一次的结果；同一键用于不同内容则拒绝 (422)",
        ),
    )
    return view
