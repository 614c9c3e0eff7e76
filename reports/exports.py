"""The report as CSV and XLSX: the same tables as the page, every text cell formula-safe.

XLSX is written with XlsxWriter: it only writes (which is all a report needs), has no dependency
of its own, and is maintained by its author since 2013; openpyxl also reads and edits workbooks,
which we never do. `strings_to_formulas` is switched off as well, so even an unescaped text would
stay text.
"""

from __future__ import annotations

import csv
import io

import xlsxwriter

from portal.lib.spreadsheets import formula_safe
from reports.tables import Table


def _cell(value) -> object:
    """Numbers stay numbers; text is made formula-safe; a missing figure is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return formula_safe(value)


def to_csv(title: str, tables: list[Table]) -> str:
    """One CSV file: the title, then each table with its title line, header and rows, a blank line between."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(out)
    writer.writerow([formula_safe(title)])
    for table in tables:
        writer.writerow([])
        writer.writerow([formula_safe(table.title)])
        writer.writerow([formula_safe(name) for name in table.header])
        for row in table.rows:
            writer.writerow([_cell(value) for value in row])
        if table.note:
            writer.writerow([formula_safe(table.note)])
    return out.getvalue()


def to_xlsx(title: str, tables: list[Table]) -> bytes:
    """One workbook, one sheet per table (named by its key), the title on each sheet's first row."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    for table in tables:
        sheet = workbook.add_worksheet(table.key)
        sheet.write_string(0, 0, formula_safe(title), bold)
        sheet.write_string(1, 0, formula_safe(table.title), bold)
        for column, name in enumerate(table.header):
            sheet.write_string(3, column, formula_safe(name), bold)
            sheet.set_column(column, column, max(10, min(40, len(name) + 2)))
        for row_index, row in enumerate(table.rows, start=4):
            for column, value in enumerate(row):
                cell = _cell(value)
                if isinstance(cell, str):
                    sheet.write_string(row_index, column, cell)
                else:
                    sheet.write_number(row_index, column, cell)
        if table.note:
            sheet.write_string(len(table.rows) + 5, 0, formula_safe(table.note))
    workbook.close()
    return out.getvalue()
