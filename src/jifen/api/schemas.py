"""Types shared by the routers: bounded ids, safe text, points as decimal strings, pages.

Bounds everywhere: an id beyond 64 bits, a NUL character (PostgreSQL refuses it in text)
or a page far past the end must be answered as bad input (422), never reach the database
and fail there as a server error.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, FilterSchema, Path, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, StringConstraints

MAX_ID = 2**53  # within every database's integer and every JSON reader's exact range
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000


def _clean_text(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("不能包含控制字符")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("包含无效的字符") from error
    return value


CLEAN = AfterValidator(_clean_text)
# Strings: no control characters, no lone surrogates, bounded.
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000), CLEAN]
Description = Annotated[str, StringConstraints(min_length=1, max_length=2000), CLEAN]
Note = Annotated[str, StringConstraints(max_length=500), CLEAN]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64), CLEAN]
HonorKey = Annotated[str, StringConstraints(max_length=64), CLEAN]
Short = Annotated[str, StringConstraints(max_length=64), CLEAN]  # a code, a state, a category
Name = Annotated[str, StringConstraints(max_length=50), CLEAN]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# Points in requests: a JSON string or number with at most two decimals, e.g. "3.50".
PointsIn = Annotated[
    Decimal, Field(max_digits=8, decimal_places=2, description='分值，最多两位小数，如 "3.50"')
]
DateIn = Annotated[dt.date, Field(ge=dt.date(1921, 7, 1), le=dt.date(2999, 12, 31))]


def points(hundredths: int | None) -> str | None:
    """Integer hundredths as a decimal string with two places ("3.50"); never a float."""
    if hundredths is None:
        return None
    return f"{Decimal(hundredths).scaleb(-2):.2f}"


class Pages(PageNumberPagination):
    """Page numbers, 50 rows a page by default, at most 200 a page."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="每页条数")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


class ResultFilter(FilterSchema):
    """Saved results by grade (等次) or member category (党员类别)."""

    grade: Annotated[Short | None, FilterLookup("grade")] = None
    category: Annotated[Short | None, FilterLookup("category")] = None
