"""Clerk-facing admin: configuration, and the counter's booking pages (SOP 002 steps 3-9).

Every status change goes through queueing.services or queueing.desk.services, which record a
BookingEvent (who, when, from, to, why). Staff views of a booking (patient record and identity
documents) are written to the patient access log, which only superusers can read.
"""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from facilities.admin import FacilityFieldMixin
from facilities.models import Facility
from facilities.scope import (
    FacilityScopedAdmin,
    FacilityScopedChoices,
    facility_choices,
    has_several_facilities,
    staff_facility_ids,
)
from facilities.selectors import is_multi_facility
from families import services as family_services
from families.models import AccessWhat, Patient
from families.validators import format_mrn
from portal.lib.admin_paging import CappedCountAdmin
from portal.lib.dates import short_date
from portal.lib.private_files import serve_private_file
from queueing import selectors, services, task_times, transitions
from queueing.admin_lists import (
    EstimatedCountPaginator,
    ExamDateFilter,
    FacilityFilter,
    FacilityRelatedFilter,
    GuarantorCheckFilter,
    NikMismatchFilter,
    OversizedIdGuard,
)
from queueing.desk import selectors as desk_selectors
from queueing.desk import services as desk_services
from queueing.desk.forms import RejectForm
from queueing.desk.views import slips_response
from queueing.jkn import admin as _jkn_admin  # noqa: F401, E402  (registers the Mobile JKN bridge admin)
from queueing.jkn import outbox_admin as _outbox_admin  # noqa: F401, E402  (the Mobile JKN outbox)
from queueing.models import (
    Booking,
    BookingDocument,
    BookingEvent,
    BookingSettings,
    Clinic,
    DayQuota,
    Doctor,
    Schedule,
    ScheduleException,
)


@admin.register(Clinic)
class ClinicAdmin(FacilityScopedAdmin, FacilityFieldMixin, OversizedIdGuard, admin.ModelAdmin):
    list_display = ["code", "name", "prefix", "bpjs_code", "bpjs_subspecialty_code", "active", "sort_order"]
    list_editable = ["active", "sort_order"]
    search_fields = ["code", "name"]


class ScheduleInline(FacilityScopedChoices, admin.TabularInline):
    model = Schedule
    extra = 0
    fields = [
        "clinic",
        "weekday",
        "start_time",
        "end_time",
        "total_quota",
        "online_quota",
        "jkn_quota",
        "minutes_per_patient",
        "active",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.facility_id:  # the doctor's own facility's clinics only
            clinic = formset.form.base_fields["clinic"]
            clinic.queryset = clinic.queryset.filter(facility_id=obj.facility_id)
        return formset


def _sync_quotas(schedule: Schedule) -> None:
    services.schedule_sync_day_quotas(schedule=schedule)
    desk_services.schedule_sync_total_quotas(schedule=schedule)


@admin.register(Doctor)
class DoctorAdmin(FacilityScopedAdmin, FacilityFieldMixin, OversizedIdGuard, admin.ModelAdmin):
    list_display = ["name", "bpjs_code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "bpjs_code"]
    inlines = [ScheduleInline]

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        for schedule in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            _sync_quotas(schedule)


@admin.register(Schedule)
class ScheduleAdmin(FacilityScopedAdmin, OversizedIdGuard, admin.ModelAdmin):
    facility_paths = ("clinic__facility",)
    list_display = [
        "clinic",
        "doctor",
        "weekday",
        "start_time",
        "end_time",
        "total_quota",
        "online_quota",
        "jkn_quota",
        "minutes_per_patient",
        "active",
    ]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "weekday", "active"]
    list_select_related = ["clinic", "doctor"]
    search_fields = ["doctor__name", "clinic__name"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        _sync_quotas(obj)  # a changed online quota reaches the days already opened


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(FacilityScopedAdmin, FacilityFieldMixin, OversizedIdGuard, admin.ModelAdmin):
    """Adding one marks the bookings it hits and e-mails their account holders (after commit)."""

    list_display = ["date", "scope", "clinic", "doctor", "reason", "created_by"]
    list_filter = ["scope", "date"]
    list_select_related = ["clinic", "doctor", "created_by"]
    fields = ["date", "scope", "clinic", "doctor", "reason"]  # facility: FacilityFieldMixin

    def has_change_permission(self, request, obj=None) -> bool:
        # An exception is added or removed, not edited: its effects were already announced.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        affected = services.exception_create(exception=obj, actor=request.user)
        if affected:
            self.message_user(
                request,
                ngettext(
                    "%(n)d booking is affected; its account holder will be e-mailed.",
                    "%(n)d bookings are affected; their account holders will be e-mailed.",
                    len(affected),
                )
                % {"n": len(affected)},
                messages.WARNING,
            )

    def delete_model(self, request, obj) -> None:
        services.exception_delete(exception=obj)

    def delete_queryset(self, request, queryset) -> None:
        for exception in queryset:
            services.exception_delete(exception=exception)


@admin.register(BookingSettings)
class BookingSettingsAdmin(FacilityScopedAdmin, FacilityFieldMixin, OversizedIdGuard, admin.ModelAdmin):
    """One row per facility; with a single facility the list opens straight on its row, as before."""

    list_display = [
        "__str__",
        "mode",
        "earliest_days_ahead",
        "latest_days_ahead",
        "opening_time",
        "same_day_cutoff",
        "cancel_cutoff_hours",
    ]
    list_select_related = ["facility"]

    def has_add_permission(self, request) -> bool:
        missing = facility_choices(Facility.objects.filter(booking_settings__isnull=True), request.user, None).exists()
        return missing and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if is_multi_facility():
            return super().changelist_view(request, extra_context)
        settings_row = BookingSettings.load()
        return HttpResponseRedirect(reverse("admin:queueing_bookingsettings_change", args=[settings_row.pk]))


@admin.register(DayQuota)
class DayQuotaAdmin(FacilityScopedAdmin, OversizedIdGuard, admin.ModelAdmin):
    """Counters are written only by the booking services; here they can be read."""

    facility_paths = ("schedule__clinic__facility",)

    list_display = [
        "date",
        "schedule",
        "quota",
        "active_count",
        "total_quota",
        "counter_count",
        "last_number",
        "closed",
    ]
    list_filter = ["date", "closed", ("schedule__clinic", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["schedule__clinic", "schedule__doctor"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- bookings: the counter's list and page ------------------------------------------------------


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    fields = ["at", "from_status", "to_status", "from_label", "to_label", "actor", "reason"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Status history")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")


def _thumbnail(url: str, content_type: str, caption: str) -> str:
    """Images show small (the file view is permission-checked and logs staff views); PDFs as a link."""
    if content_type.startswith("image/"):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" class="desk-thumb"><img src="{}" alt="{}" loading="lazy">'
            "</a><br>{}",
            url,
            url,
            caption,
            caption,
        )
    return format_html('<a href="{}" target="_blank" rel="noopener">{} (PDF)</a>', url, caption)


def _may_view_letters(user) -> bool:
    """Admin pages answer 403 to staff without the permission (the registration clerks have it)."""
    if not user.has_perm("queueing.view_bookingdocument"):
        raise PermissionDenied
    return True


class BookingDocumentInline(admin.TabularInline):
    model = BookingDocument
    extra = 0
    fields = ["preview", "kind", "uploaded_at", "size"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("document"))
    def preview(self, obj: BookingDocument) -> str:
        url = reverse("admin:queueing_booking_document", args=[obj.booking_id, obj.pk])
        return _thumbnail(url, obj.content_type, obj.get_kind_display())


@admin.register(Booking)
class BookingAdmin(FacilityScopedAdmin, OversizedIdGuard, CappedCountAdmin, admin.ModelAdmin):
    facility_paths = selectors.BOOKING_FACILITY_PATHS  # a clerk sees only their facilities' bookings
    # Status first and few, narrow columns: the list must fit a 1366x768 counter screen beside the
    # admin's menu (the code, date, time and channel sit under the number; the filters fold away).
    list_display = ["status", "queue_column", "patient_column", "clinic_column", "guarantor_column"]
    list_display_links = ["queue_column"]
    list_filter = [
        ExamDateFilter,
        ("clinic", FacilityRelatedFilter),
        ("doctor", FacilityRelatedFilter),
        "status",
        GuarantorCheckFilter,
        NikMismatchFilter,
        "guarantor",
        "channel",
        "affected",
    ]
    list_select_related = ["clinic", "doctor", "patient", "guarantor"]
    search_fields = ["code"]  # shows the search box; get_search_results decides what a term means
    search_help_text = _("Booking code, name, medical record number or NIK.")
    list_per_page = 100
    paginator = EstimatedCountPaginator  # counts at most CappedCountAdmin.count_cap rows
    # Clinic by id, not by its sort order: the (date, clinic, status) index then serves "any date" pages.
    ordering = ["-date", "clinic_id", "number"]
    actions = ["verify_bookings", "reject_bookings", "mark_no_show", "print_slips_thermal", "print_slips_a6"]
    inlines = [BookingDocumentInline, BookingEventInline]
    readonly_fields = [
        "patient_card",
        "identity_documents",
        "code",
        "status",
        "label",
        "date",
        "clinic",
        "doctor",
        "estimated_time",
        "reject_reason",
        "affected",
        "affected_note",
        "guarantor",
        "guarantor_switched_from",
        "card_number",
        "referral_number",
        "guarantor_verified",
        "guarantor_check_table",
        "channel",
        "account",
        "registered_at",
        "created_at",
        "desk_note",
        "task_times_table",
    ]
    fieldsets = [
        (_("Patient"), {"fields": ["patient_card", "identity_documents"]}),
        (
            _("Queue"),
            {
                "fields": [
                    "code",
                    "status",
                    "label",
                    "date",
                    "clinic",
                    "doctor",
                    "estimated_time",
                    "reject_reason",
                    "affected",
                    "affected_note",
                ]
            },
        ),
        (
            _("Guarantor"),
            {
                "fields": [
                    "guarantor",
                    "guarantor_switched_from",
                    "card_number",
                    "referral_number",
                    "guarantor_verified",
                    "guarantor_check_table",
                ]
            },
        ),
        (_("Registration"), {"fields": ["channel", "account", "registered_at", "created_at", "desk_note"]}),
        (_("BPJS task times"), {"fields": ["task_times_table"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # never delete a booking: cancel, reject or no-show instead

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("patient", "clinic", "doctor", "guarantor", "day_quota")
            .prefetch_related("patient__records")  # the MRN of each row's facility
        )

    def get_list_filter(self, request: HttpRequest):
        filters = list(super().get_list_filter(request))
        if has_several_facilities(request.user):  # a clerk of one facility never sees a facility choice
            filters.insert(1, FacilityFilter)
        return filters

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """A booking code exactly; a medical record number, NIK or birth date exactly; else the name's words."""
        term = search_term.strip()
        if not term:
            return queryset, False
        code = desk_selectors.normalize_code(term)
        if code and queryset.filter(code=code).exists():  # a scanned or typed code: one index lookup
            return queryset.filter(code=code), False
        query = Q(pk__in=[])
        patients = desk_selectors.patient_query(term, family_card=False, facility_ids=staff_facility_ids(request.user))
        if patients is not None:
            query |= Q(patient__in=Patient.objects.filter(patients).values("pk"))
        return queryset.filter(query), False

    # --- columns ---

    @admin.display(description=_("queue"), ordering="number")
    def queue_column(self, obj: Booking) -> str:
        time = obj.estimated_time.strftime("%H:%M") if obj.estimated_time else ""
        return format_html(
            '<strong>{}</strong><br><small>{} · {}{}</small><br><small class="mono">{}</small>',
            obj.label or "—",
            short_date(obj.date),
            time or obj.get_channel_display(),
            f" · {obj.get_channel_display()}" if time else "",
            obj.code,
        )

    @admin.display(description=_("patient"), ordering="patient__full_name")
    def patient_column(self, obj: Booking) -> str:
        return format_html("{}<br><small>{}</small>", obj.patient.full_name, format_mrn(obj.patient_mrn) or "—")

    @admin.display(description=_("clinic"), ordering="clinic__sort_order")
    def clinic_column(self, obj: Booking) -> str:
        return format_html("{}<br><small>{}</small>", obj.clinic.name, obj.doctor.name)

    @admin.display(description=_("guarantor"), ordering="guarantor__name")
    def guarantor_column(self, obj: Booking) -> str:
        if obj.guarantor_is_self_pay:
            return obj.guarantor.name
        mark, title = ("✔", _("verified")) if obj.guarantor_verified else ("⚠", _("not yet verified"))
        return format_html('{} <span title="{}">{}</span>', obj.guarantor.name, title, mark)

    # --- the booking page ---

    @admin.display(description=_("task times"))
    def task_times_table(self, obj: Booking) -> str:
        """BPJS Antrean's tasks as the facility's wall clock (and the epoch milliseconds sent)."""
        rows = task_times.tasks_for(obj)
        if not rows:
            return gettext("None recorded yet.")
        facility = selectors.settings_for(obj).facility
        return format_html(
            '<table id="task-times">{}</table>',
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td><small class='mono'>{}</small></td></tr>",
                (
                    (row.get_task_id_display(), facility.local_now(row.at).strftime("%d-%m-%Y %H:%M:%S"), row.at_ms)
                    for row in rows
                ),
            ),
        )

    @admin.display(description=_("patient"))
    def patient_card(self, obj: Booking) -> str:
        patient = obj.patient
        name = format_html(
            '<a href="{}">{}</a>', reverse("admin:families_patient_change", args=[patient.pk]), patient.full_name
        )
        flag = (
            format_html(
                ' <strong class="desk-flag">{}</strong>', _("NIK does not match birth date/sex: check the ID card")
            )
            if patient.nik_mismatch
            else ""
        )
        return format_html(
            "{}{}<br>{}: {} · NIK {} · {} · {}",
            name,
            flag,
            _("Medical record number"),
            format_mrn(obj.patient_mrn) or _("none yet"),
            patient.masked_nik or "—",
            date_format(patient.birth_date, "j F Y"),
            patient.get_sex_display(),
        )

    @admin.display(description=_("identity documents"))
    def identity_documents(self, obj: Booking) -> str:
        documents = desk_selectors.identity_documents(obj.patient)
        if not documents:
            return gettext("None uploaded.")
        return format_html_join(
            " ",
            '<span class="desk-document">{}</span>',
            (
                (
                    _thumbnail(
                        reverse("families:document_view", kwargs={"document_id": d.pk}),
                        d.content_type,
                        d.get_kind_display(),
                    ),
                )
                for d in documents
            ),
        )

    @admin.display(description=_("guarantor check result"))
    def guarantor_check_table(self, obj: Booking) -> str:
        rows = desk_selectors.eligibility_rows(obj.guarantor_check)
        if not rows:
            return gettext("Not checked with BPJS.")
        return format_html(
            '<table class="desk-check">{}</table>', format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        booking = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if booking is not None:
            if request.method == "GET":
                family_services.access_log(request.user, booking.patient, AccessWhat.BOOKING)
            extra_context.update(self._desk_context(request, booking))
        extra_context.update(
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False, show_delete_link=False
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def _desk_context(self, request: HttpRequest, booking: Booking) -> dict:
        # Which changes the status and the day (at the booking's facility) allow.
        buttons = transitions.buttons(booking, today=selectors.booking_today(booking))
        can_change = self.has_change_permission(request, booking)
        return {
            "desk_buttons": buttons if can_change else {},
            "desk_booking": booking,
            "desk_printable": selectors.slip_printable(booking),
        }

    # --- the booking page's buttons (POST), reject form, booking documents ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/aksi/<str:action>/",
                wrap(require_POST(self.status_view)),
                name="queueing_booking_status",
            ),
            path("<path:object_id>/tolak/", wrap(self.reject_view), name="queueing_booking_reject"),
            path(
                "<path:object_id>/dokumen/<uuid:document_id>/",
                wrap(self.document_view),
                name="queueing_booking_document",
            ),
        ] + super().get_urls()

    def _changeable(self, request: HttpRequest, object_id: str) -> Booking:
        booking = self.get_object(request, object_id)
        if booking is None:
            raise Http404
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        return booking

    def _back(self, request: HttpRequest, booking: Booking) -> HttpResponseRedirect:
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:queueing_booking_change", args=[booking.pk])
        return HttpResponseRedirect(target)

    def status_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        booking = self._changeable(request, object_id)
        actions = {
            "verify": lambda: services.booking_verify(booking=booking, actor=request.user),
            "check_in": lambda: desk_services.booking_check_in(booking=booking, actor=request.user),
            "no_show": lambda: desk_services.booking_mark_no_show(
                booking=booking, actor=request.user, reason=request.POST.get("reason", "")
            ),
            "served": lambda: desk_services.booking_mark_served(booking=booking, actor=request.user),
        }
        if action not in actions:
            raise Http404
        try:
            booking = actions[action]()
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("%(code)s is now: %(status)s %(label)s")
                % {"code": booking.code, "status": booking.get_status_display(), "label": booking.label},
                messages.SUCCESS,
            )
        return self._back(request, booking)

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """SOP 002 step 4: a reason is required; the applicant reads it and can book again."""
        booking = self._changeable(request, object_id)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.booking_reject(booking=booking, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    gettext("%(code)s rejected; the applicant will be e-mailed.") % {"code": booking.code},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:queueing_booking_change", args=[booking.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject booking %(code)s") % {"code": booking.code},
            "form": form,
            "booking": booking,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/queueing/booking/reject_form.html", context)

    def document_view(self, request: HttpRequest, object_id: str, document_id: uuid.UUID) -> FileResponse:
        """A letter sent with the booking, for staff allowed to see it; the view is logged."""
        booking = self.get_object(request, object_id)  # None for a malformed id, too
        if booking is None:
            raise Http404
        document = get_object_or_404(BookingDocument, pk=document_id, booking=booking)
        return serve_private_file(
            request,
            document.file,
            content_type=document.content_type,
            name=document.kind,
            may_view=_may_view_letters,
            log_view=lambda user: family_services.access_log(
                user, booking.patient, AccessWhat.BOOKING_LETTER, document.kind
            ),
        )

    # --- changelist actions ---

    @admin.action(description=_("Verify the selected requests (gives the queue number)"))
    def verify_bookings(self, request: HttpRequest, queryset) -> None:
        self._apply(
            request,
            queryset,
            lambda booking: services.booking_verify(booking=booking, actor=request.user),
            _("%(n)d booking(s) verified."),
        )

    @admin.action(description=_("Reject the selected bookings (asks for a reason)"))
    def reject_bookings(self, request: HttpRequest, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(
                request,
                queryset,
                lambda booking: services.booking_reject(booking=booking, actor=request.user, reason=reason),
                _("%(n)d booking(s) rejected."),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject bookings"),
            "form": form,
            "bookings": queryset.select_related("patient", "clinic"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/queueing/booking_reject.html", context)

    @admin.action(description=_("Mark the selected as not come (no-show)"))
    def mark_no_show(self, request: HttpRequest, queryset) -> None:
        self._apply(
            request,
            queryset,
            lambda booking: desk_services.booking_mark_no_show(booking=booking, actor=request.user),
            _("%(n)d booking(s) marked as not come."),
        )

    @admin.action(description=_("Print slips of the selected (80 mm thermal, one PDF)"), permissions=["view"])
    def print_slips_thermal(self, request: HttpRequest, queryset):
        return self._slips(request, queryset, "thermal")

    @admin.action(description=_("Print slips of the selected (A6 on A4, one PDF)"), permissions=["view"])
    def print_slips_a6(self, request: HttpRequest, queryset):
        return self._slips(request, queryset, "a6")

    def _slips(self, request: HttpRequest, queryset, fmt: str):
        bookings = list(
            queryset.select_related("patient", "clinic", "doctor", "guarantor").order_by(
                "date", "clinic__sort_order", "number"
            )
        )
        printable = [b for b in bookings if selectors.slip_printable(b)]
        if len(printable) < len(bookings):
            self.message_user(
                request, gettext("Bookings without a number, cancelled or rejected have no slip."), messages.WARNING
            )
        return slips_response(printable, fmt) if printable else None

    def _apply(self, request: HttpRequest, queryset, change, done) -> None:
        ok, failed = 0, []
        for booking in queryset.select_related("day_quota", "patient"):
            try:
                change(booking)
            except ValidationError as exc:
                failed.append(f"{booking.code}: {exc.messages[0]}")
            else:
                ok += 1
        if ok:
            self.message_user(request, done % {"n": ok}, messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)


# The admin template overrides live in the project's templates/admin/ (admin/index.html must come
# before django.contrib.admin's), outside this app, where `makemessages` run in queueing/ does not
# look: their strings that no app template shares are listed here for the catalogue.
TEMPLATE_STRINGS = (
    gettext_noop("Today's bookings"),
    gettext_noop("Verify (give the number)"),
    gettext_noop("Reject…"),
    gettext_noop("Served"),
    gettext_noop(
        "The request will be rejected and its place freed. The applicant is e-mailed the reason, sees "
        "it in 'My bookings' and can book again."
    ),
)
