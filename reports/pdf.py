"""The report as a PDF to print or send: the page's charts and tables (reportlab platypus)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.flowables import Flowable

from reports import charts
from reports.selectors import Report
from reports.tables import Table

MARGIN = 15 * mm


def _scaled(drawing, width: float) -> Flowable:
    """A chart drawn to fit the text width."""
    factor = min(1.0, width / drawing.width)
    drawing.scale(factor, factor)
    drawing.width, drawing.height = drawing.width * factor, drawing.height * factor
    return drawing


def _table(table: Table, styles) -> list[Flowable]:
    parts: list[Flowable] = [Paragraph(escape(table.title), styles["Heading2"])]
    if table.rows:
        data = [table.header, *[["-" if v is None else v for v in row] for row in table.rows]]
        body = PdfTable(data, repeatRows=1, hAlign="LEFT")
        body.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 7),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        parts.append(body)
    if table.note:
        parts.append(Paragraph(escape(table.note), styles["Italic"]))
    return parts


def report_pdf(report: Report, *, title: str, subtitle: str, tables: list[Table]) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN, title=title
    )
    styles = getSampleStyleSheet()
    story: list[Flowable] = [Paragraph(escape(title), styles["Title"]), Paragraph(escape(subtitle), styles["Normal"])]
    by_key = {table.key: table for table in tables}
    layout = [
        ("summary", None),
        ("clinics", charts.clinic_bars),
        ("days", None if report.is_single_day else charts.daily_line),
        ("ages", charts.age_pyramid),
        ("guarantors", None),
        ("channels", None),
        ("waits", None),
    ]
    for key, chart in layout:
        story.append(Spacer(1, 4 * mm))
        if chart is not None:
            story.append(KeepTogether([_scaled(chart(report), doc.width)]))
        story.extend(_table(by_key[key], styles))
    doc.build(story)
    return out.getvalue()
