"""Cells for files that people open in a spreadsheet (CSV, XLSX): the one formula-injection rule."""

from __future__ import annotations

from typing import Any

# Spreadsheets run a cell that starts with one of these as a formula (or DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> str:
    """`value` as text that no spreadsheet runs: a leading apostrophe when it would start a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
