"""The monthly outpatient report under /laporan/: the page with its charts, and PDF, XLSX and CSV."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal.lib.dates import month_year, short_date
from reports import access, charts, exports, pdf, selectors
from reports.forms import ReportForm
from reports.tables import report_tables


class ReportRequest:
    """The facility and period asked for, checked against what the user may see."""

    def __init__(self, request: HttpRequest) -> None:
        facilities = access.report_facilities(request.user)
        first = facilities.first()
        if first is None:
            raise Http404
        self.may_sum = access.may_sum_facilities(request.user)
        asked = request.GET.get("facility", "")
        # Another facility's report is "not found", like any row outside the user's scope.
        if asked and not (asked.isdigit() and len(asked) < 10 and facilities.filter(pk=int(asked)).exists()):
            raise Http404
        data = request.GET.copy()
        if not data.get("month"):
            data["month"] = first.local_today().strftime("%Y-%m")
        if not self.may_sum and not asked:
            data["facility"] = str(first.pk)
        self.form = ReportForm(data, facilities=facilities, may_sum=self.may_sum)
        self.report = None
        if self.form.is_valid():
            facility = self.form.cleaned_data["facility"]
            start, end = self.form.period()
            self.facility = facility
            self.report = selectors.outpatient_report(
                facility_ids=[facility.pk] if facility else None, start=start, end=end
            )

    @property
    def title(self) -> str:
        if self.report.is_single_day:
            return _("Daily outpatient figures")
        return _("Monthly outpatient report")

    @property
    def subtitle(self) -> str:
        place = self.facility.name if self.facility else _("All facilities (sum)")
        when = short_date(self.report.start) if self.report.is_single_day else month_year(self.report.start)
        return f"{place} · {when}"

    @property
    def file_stem(self) -> str:
        place = f"-{self.facility.pk}" if self.facility else "-all"
        when = self.report.start.isoformat() if self.report.is_single_day else self.report.start.strftime("%Y-%m")
        return f"outpatient-report{place}-{when}"

    @property
    def month_query(self) -> str:
        return self.query(day="")

    def query(self, **changes) -> str:
        data = {key: value for key, value in self.form.data.items() if value}
        data.update(changes)
        return urlencode({key: value for key, value in data.items() if value})


def report_view(view: Callable) -> Callable:
    """Signed in, allowed to see some facility's report (else 404); the request's report is built here."""

    @wraps(view)
    def check(request: HttpRequest) -> HttpResponse:
        asked = ReportRequest(request)
        if asked.report is None:
            return render(request, "reports/outpatient.html", {"asked": asked}, status=400 if request.GET else 200)
        return view(request, asked)

    return login_required(never_cache(check))


@report_view
def outpatient(request: HttpRequest, asked: ReportRequest) -> HttpResponse:
    report = asked.report
    context = {
        "asked": asked,
        "report": report,
        "tables": {table.key: table for table in report_tables(report)},
        "charts": charts.report_svgs(report),
        "day_links": [(day, asked.query(day=day.isoformat())) for day, _counts in report.days],
    }
    return render(request, "reports/outpatient.html", context)


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@report_view
def outpatient_pdf(request: HttpRequest, asked: ReportRequest) -> HttpResponse:
    tables = report_tables(asked.report)
    body = pdf.report_pdf(asked.report, title=asked.title, subtitle=asked.subtitle, tables=tables)
    return _download(body, "application/pdf", f"{asked.file_stem}.pdf")


@report_view
def outpatient_xlsx(request: HttpRequest, asked: ReportRequest) -> HttpResponse:
    body = exports.to_xlsx(f"{asked.title}: {asked.subtitle}", report_tables(asked.report))
    return _download(
        body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{asked.file_stem}.xlsx"
    )


@report_view
def outpatient_csv(request: HttpRequest, asked: ReportRequest) -> HttpResponse:
    body = exports.to_csv(f"{asked.title}: {asked.subtitle}", report_tables(asked.report))
    return _download(body, "text/csv; charset=utf-8", f"{asked.file_stem}.csv")
