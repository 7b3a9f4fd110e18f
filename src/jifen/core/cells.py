"""Spreadsheet cells written by Jifen (exports, templates, error sheets).

A text cell starting with = + - @ (or a tab/CR that Excel strips first) would be taken by
Excel (and by openpyxl, which stores such strings as formulas) as a formula: a roster name
like "=HYPERLINK(...)" must arrive as text, so it is prefixed with a single quote, as OWASP
advises for CSV injection.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a cell: text that would start a formula is escaped;
    a translatable label (a lazy string) is written in the active language."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
