"""Keeps who is asking and from where for the audit log of the current request."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    user_agent: str


current_request: ContextVar[RequestContext | None] = ContextVar("jifen_request", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a proxy rewrites it,
    # and deployments behind nginx pass the real address in REMOTE_ADDR via the WSGI server.
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(
            RequestContext(client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:200])
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class ChineseUnlessChosenMiddleware:
    """简体中文 unless the person chose English with the language switch: the browser's
    Accept-Language is not consulted (an office PC set to English still gets Chinese)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RefuseNulInQueryMiddleware:
    """A query string with a NUL character is refused with 400 before any view reads it:
    PostgreSQL cannot store or compare such text, so a page filtering by it would fail with
    a server error (forms already refuse NUL in submitted fields)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return HttpResponseBadRequest(
                    "请求参数中含有空字符（NUL），已拒绝。".encode(),
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
