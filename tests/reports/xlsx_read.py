"""Reading an exported workbook back, for the report tests."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from jifen.core.cells import safe_cell


def workbook_of(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def as_cell(value: Any) -> Any:
    """A page value as the workbook holds it: points as numbers, text escaped."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return float(value)
    return safe_cell(value) if value != "" else None  # an empty cell reads back as None


def data_rows(sheet: Any, first: int, count: int) -> list[tuple[Any, ...]]:
    rows = sheet.iter_rows(min_row=first, max_row=first + count - 1, values_only=True)
    return [tuple(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                  for v in row) for row in rows]  # fmt: skip
