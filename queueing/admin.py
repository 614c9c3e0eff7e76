"""Clerk-facing admin: configuration, and bookings whose status changes go through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from queueing import services
from queueing.forms import RejectForm
from queueing.models import (
    Booking,
    BookingEvent,
    BookingSettings,
    Clinic,
    DayQuota,
    Doctor,
    Schedule,
    ScheduleException,
)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefix", "bpjs_code", "active", "sort_order"]
    list_editable = ["active", "sort_order"]
    search_fields = ["code", "name"]


class ScheduleInline(admin.TabularInline):
    model = Schedule
    extra = 0
    fields = ["clinic", "weekday", "start_time", "end_time", "total_quota", "online_quota",
              "minutes_per_patient", "active"]


def _sync_quotas(schedule: Schedule) -> None:
    services.schedule_sync_day_quotas(schedule=schedule)


@admin.register(Doctor)
class DoctorAdmin(admin.ModelAdmin):
    list_display = ["name", "bpjs_code", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    inlines = [ScheduleInline]

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        for schedule in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            _sync_quotas(schedule)


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["clinic", "doctor", "weekday", "start_time", "end_time", "total_quota", "online_quota",
                    "minutes_per_patient", "active"]
    list_filter = ["clinic", "weekday", "active"]
    list_select_related = ["clinic", "doctor"]
    search_fields = ["doctor__name", "clinic__name"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        _sync_quotas(obj)  # a changed online quota reaches the days already opened


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(admin.ModelAdmin):
    """Adding one marks the bookings it hits and e-mails their account holders (after commit)."""

    list_display = ["date", "scope", "clinic", "doctor", "reason", "created_by"]
    list_filter = ["scope", "date"]
    list_select_related = ["clinic", "doctor", "created_by"]
    fields = ["date", "scope", "clinic", "doctor", "reason"]

    def has_change_permission(self, request, obj=None) -> bool:
        # An exception is added or removed, not edited: its effects were already announced.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        affected = services.exception_create(exception=obj, actor=request.user)
        if affected:
            self.message_user(request, ngettext(
                "%(n)d booking is affected; its account holder will be e-mailed.",
                "%(n)d bookings are affected; their account holders will be e-mailed.", len(affected),
            ) % {"n": len(affected)}, messages.WARNING)

    def delete_model(self, request, obj) -> None:
        services.exception_delete(exception=obj)

    def delete_queryset(self, request, queryset) -> None:
        for exception in queryset:
            services.exception_delete(exception=exception)


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mode", "earliest_days_ahead", "latest_days_ahead", "opening_time",
                    "same_day_cutoff", "cancel_cutoff_hours"]

    def has_add_permission(self, request) -> bool:
        return not BookingSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        settings_row = BookingSettings.load()
        return HttpResponseRedirect(reverse("admin:queueing_bookingsettings_change", args=[settings_row.pk]))


@admin.register(DayQuota)
class DayQuotaAdmin(admin.ModelAdmin):
    """Counters are written only by the booking services; here they can be read."""

    list_display = ["date", "schedule", "quota", "active_count", "last_number", "closed"]
    list_filter = ["date", "closed", "schedule__clinic"]
    list_select_related = ["schedule__clinic", "schedule__doctor"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "date", "clinic", "doctor", "patient", "guarantor", "status", "affected"]
    list_filter = [("date", admin.DateFieldListFilter), "clinic", "doctor", "status", "affected",
                   "guarantor_verified", "guarantor"]
    list_select_related = ["clinic", "doctor", "patient", "guarantor"]
    search_fields = ["=code", "patient__full_name", "=patient__mrn"]
    date_hierarchy = "date"
    show_full_result_count = False
    actions = ["verify_bookings", "reject_bookings"]
    inlines = [BookingEventInline]
    readonly_fields = ["code", "patient", "account", "date", "clinic", "doctor", "number", "label",
                       "estimated_time", "status", "reject_reason", "guarantor", "card_number", "referral_number",
                       "guarantor_verified", "guarantor_check", "affected", "affected_note", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # never delete a booking: cancel, reject or no-show instead

    @admin.action(description=_("Verify the selected requests (gives the queue number)"))
    def verify_bookings(self, request: HttpRequest, queryset) -> None:
        self._apply(request, queryset, lambda booking: services.booking_verify(booking=booking, actor=request.user),
                    _("%(n)d booking(s) verified."))

    @admin.action(description=_("Reject the selected bookings (asks for a reason)"))
    def reject_bookings(self, request: HttpRequest, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(request, queryset,
                        lambda booking: services.booking_reject(booking=booking, actor=request.user, reason=reason),
                        _("%(n)d booking(s) rejected."))
            return None
        context = {**self.admin_site.each_context(request), "title": _("Reject bookings"), "form": form,
                   "bookings": queryset.select_related("patient", "clinic"), "opts": self.model._meta,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/queueing/booking_reject.html", context)

    def _apply(self, request: HttpRequest, queryset, change, done) -> None:
        ok, failed = 0, []
        for booking in queryset.select_related("day_quota"):
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
