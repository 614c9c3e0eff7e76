"""The report's charts, drawn on the server with reportlab's own graphics (already our PDF library).

One Drawing per chart serves both outputs: the page inlines it as SVG (renderSVG), the PDF draws
it as a flowable, so the two never disagree. No JavaScript, no CDN. The page's Content-Security-
Policy forbids style attributes, so the SVG's inline styles become presentation attributes
(fill="...", which no policy covers) and its ids are made unique per chart.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from django.utils.translation import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from reports.selectors import Report

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

GREEN = colors.HexColor("#198754")  # the site's bootstrap "success", the navbar's colour
TEAL = colors.HexColor("#20c997")
BLUE = colors.HexColor("#0d6efd")
PINK = colors.HexColor("#d63384")
WIDTH = 520
FONT = "Helvetica"


def _nice_max(value: int) -> int:
    """An axis maximum a little above the largest value (at least 1, so an empty month still draws)."""
    return max(1, int(value * 1.1) + 1)


def _label(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clinic_bars(report: Report) -> Drawing:
    """New and returning visits per clinic, stacked."""
    names = [_label(clinic) for _facility, clinic, _counts in report.clinics] or ["-"]
    new = [counts.new for *_names, counts in report.clinics] or [0]
    returning = [counts.returning for *_names, counts in report.clinics] or [0]
    drawing = Drawing(WIDTH, 260)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45, 70, WIDTH - 70, 160
    chart.data = [new, returning]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.angle = 30 if len(names) > 4 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(names) > 4 else "n"
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(a + b for a, b in zip(new, returning, strict=True)))
    chart.valueAxis.labelTextFormat = "%d"
    chart.bars[0].fillColor, chart.bars[1].fillColor = GREEN, TEAL
    chart.bars.strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(WIDTH - 200, 250, [(GREEN, _("New")), (TEAL, _("Returning"))]))
    return drawing


def daily_line(report: Report) -> Drawing:
    """Visits per day of the period."""
    drawing = Drawing(WIDTH, 220)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 45, 35, WIDTH - 70, 160
    values = [counts.visits for _day, counts in report.days]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [str(day.day) for day, _counts in report.days]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(values, default=0))
    chart.valueAxis.labelTextFormat = "%d"
    chart.lines[0].strokeColor = GREEN
    chart.lines[0].strokeWidth = 2
    chart.joinedLines = 1
    drawing.add(chart)
    drawing.add(String(45, 205, _("Visits per day"), fontName=FONT, fontSize=9))
    return drawing


def age_pyramid(report: Report) -> Drawing:
    """Visits by age band: men to the left, women to the right, youngest at the bottom."""
    drawing = Drawing(WIDTH, 330)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 120, 30, WIDTH - 150, 270
    male = [-m for _band, m, _f in report.age_sex]
    female = [f for _band, _m, f in report.age_sex]
    chart.data = [male, female]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [band for band, _m, _f in report.age_sex]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labelAxisMode = "low"
    top = _nice_max(max([*female, *(-m for m in male)], default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = -top, top
    chart.valueAxis.labelTextFormat = lambda value: f"{abs(int(value))}"
    chart.bars[0].fillColor, chart.bars[1].fillColor = BLUE, PINK
    chart.bars.strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(WIDTH - 200, 322, [(BLUE, _("Male")), (PINK, _("Female"))]))
    return drawing


def _legend(x: float, y: float, items: list[tuple]) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = FONT
    legend.fontSize = 9
    legend.colorNamePairs = items
    legend.dx = legend.dy = 8
    legend.deltax = 90
    return legend


def to_svg(drawing: Drawing, *, key: str, title: str, description: str) -> str:
    """The drawing as an inline <svg> with a title and description, and no style attribute or shared id."""
    text = renderSVG.drawToString(drawing)
    text = text[text.index("<svg") :]
    # renderSVG names its clip path and group "clip" and "group" in every drawing.
    text = re.sub(r'(id="|url\(#)(clip|group)\b', rf"\1{key}-\2", text)
    root = ET.fromstring(text)
    for element in root.iter():
        _style_to_attributes(element)
    root.set("role", "img")
    root.set("aria-labelledby", f"{key}-title {key}-desc")
    root.set("class", "report-chart")
    root.set("id", key)
    root.attrib.pop("width", None), root.attrib.pop("height", None)
    title_element, desc_element = root.find(f"{{{SVG_NS}}}title"), root.find(f"{{{SVG_NS}}}desc")
    title_element.text, desc_element.text = title, description
    title_element.set("id", f"{key}-title")
    desc_element.set("id", f"{key}-desc")
    return ET.tostring(root, encoding="unicode")


def _style_to_attributes(element: ET.Element) -> None:
    style = element.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        name, _sep, value = declaration.partition(":")
        if name.strip() and value.strip():
            element.set(name.strip(), value.strip())


def report_svgs(report: Report) -> dict[str, str]:
    """The page's three charts as inline SVG, keyed by their element ids."""
    return {
        "clinics": to_svg(
            clinic_bars(report),
            key="chart-clinics",
            title=_("Visits per clinic"),
            description=_("Bars: new and returning visits for each clinic; the table below gives the numbers."),
        ),
        "days": to_svg(
            daily_line(report),
            key="chart-days",
            title=_("Visits per day"),
            description=_("A line through the number of visits on each day; the daily table gives the numbers."),
        ),
        "ages": to_svg(
            age_pyramid(report),
            key="chart-ages",
            title=_("Visits by age group and sex"),
            description=_("An age pyramid: men to the left, women to the right; the table gives the numbers."),
        ),
    }
