"""The booking list's filters and paginator: the counter opens on today and stays fast on a large table."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from facilities.scope import facility_choices
from guarantors.models import GuarantorKind
from portal.lib.admin_paging import CappedCountPaginator
from portal.lib.dates import short_date
from queueing.desk.views.access import counter_facilities, counter_facility
from queueing.models import Booking


class ExamDateFilter(admin.SimpleListFilter):
    """Opens on today's bookings; a search looks at every date unless a date is chosen."""

    title = _("exam date")
    parameter_name = "tanggal"

    def __init__(self, request: HttpRequest, params, model, model_admin) -> None:
        self.searching = bool(request.GET.get(SEARCH_VAR, "").strip())
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        choices = [
            ("today", _("Today")),
            ("tomorrow", _("Tomorrow")),
            ("yesterday", _("Yesterday")),
            ("next7", _("Next 7 days")),
            ("all", _("Any date")),
        ]
        chosen = _date_or_none(self.value()) if self.value() not in dict(choices) else None
        if chosen:
            choices.insert(0, (chosen.isoformat(), short_date(chosen)))
        return choices

    def value(self) -> str:
        return super().value() or ("all" if self.searching else "today")

    def choices(self, changelist):
        # No "All" entry: without a parameter the list shows today; "Any date" is explicit.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "display": title,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = counter_facility(request).local_today()  # the counter's facility
        day = dt.timedelta(days=1)
        ranges = {
            "today": (today, today),
            "tomorrow": (today + day, today + day),
            "yesterday": (today - day, today - day),
            "next7": (today, today + 6 * day),
        }
        value = self.value()
        if value == "all":
            return queryset
        if value not in ranges:
            return queryset.filter(date=_date_or_none(value) or today)
        return queryset.filter(date__range=ranges[value])


class FacilityFilter(admin.SimpleListFilter):
    """The booking list by facility, for someone working at several (the choices are theirs only).

    The choices come from the memberships, not from a DISTINCT over the bookings table.
    """

    title = _("facility")
    parameter_name = "fasilitas"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(str(f.pk), f.name) for f in counter_facilities(request)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and value.isdigit() and len(value) < 10:
            return queryset.filter(clinic__facility_id=int(value))
        return queryset


class FacilityRelatedFilter(admin.RelatedFieldListFilter):
    """The clinics (or doctors) of the user's facilities, from their own small table.

    Django's RelatedOnlyFieldListFilter asks SELECT DISTINCT clinic_id over every booking the
    user may see: some 300 ms each for the clinic and the doctor at 1,000,000 bookings (issue 16),
    on every page of the list. A clinic without bookings is listed too; choosing it shows none.
    """

    def field_choices(self, field, request: HttpRequest, model_admin) -> list[tuple[int, str]]:
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = facility_choices(field.related_model._default_manager.all(), request.user, "facility")
        return [(obj.pk, str(obj)) for obj in related.order_by(*ordering)]


def _date_or_none(value: str | None) -> dt.date | None:
    """A typed `?tanggal=`: 2026-02-30 is well formed but no date (parse_date raises)."""
    try:
        return parse_date(value or "") if len(value or "") == 10 else None
    except ValueError:
        return None


class GuarantorCheckFilter(admin.SimpleListFilter):
    title = _("guarantor check")
    parameter_name = "penjamin_cek"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("pending", _("Not yet verified")),
            ("unreachable", _("BPJS could not be asked")),
            ("verified", _("Verified")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "pending":  # a general (self-paying) patient has nothing to verify
            return queryset.filter(guarantor_verified=False).exclude(guarantor__kind=GuarantorKind.SELF_PAY)
        if value == "unreachable":
            return queryset.filter(guarantor_check__status="unverified")
        if value == "verified":
            return queryset.filter(guarantor_verified=True)
        return queryset


class NikMismatchFilter(admin.SimpleListFilter):
    title = _("NIK mismatch flagged")
    parameter_name = "nik_beda"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(patient__nik_mismatch=self.value() == "yes")
        return queryset


class EstimatedCountPaginator(CappedCountPaginator):
    """Over the whole (unfiltered) table, PostgreSQL's row estimate instead of a COUNT(*) of every booking;
    a filtered or searched list counts up to the cap (a common name's bookings over every date).

    The list opens filtered to today, where counting is cheap; "any date" without another filter
    would otherwise count hundreds of thousands of rows for the page links alone.
    """

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [Booking._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] >= ESTIMATE_ABOVE:
                return row[0]
        return super().count


ESTIMATE_ABOVE = 10_000


_DB_INT_MAX = 2**63 - 1


def _oversized(value: str) -> bool:
    # Length first: int() of a 20,000-digit string is itself refused by Python.
    return value.isascii() and value.isdigit() and (len(value) > 19 or int(value) > _DB_INT_MAX)


class OversizedIdGuard:
    """ModelAdmin mixin: a query-string number no database integer can hold is an invalid filter.

    Django turns most bad lookups into its "?e=1" redirect, but SQLite raises OverflowError for
    `?clinic=<300 digits>` only while the list renders, which would be a 500.
    """

    def changelist_view(self, request: HttpRequest, extra_context=None):
        for values in request.GET.lists():
            if any(_oversized(value) for value in values[1]):
                return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        if request.method == "POST" and not self._selection_is_ids(request):
            # Django would filter the primary key on the posted text: a 500 for "not-a-uuid".
            messages.warning(
                request,
                gettext("Items must be selected in order to perform actions on them. No items have been changed."),
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def _selection_is_ids(self, request: HttpRequest) -> bool:
        try:
            for value in request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME):
                self.model._meta.pk.to_python(value)
        except ValidationError:
            return False
        return True
