"""Admin for the Mobile JKN outbox: what BPJS has heard, what waits, what BPJS refused and why."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from facilities.scope import FacilityScopedAdmin, staff_facility_ids
from guarantors import bpjs
from queueing.jkn import outbox
from queueing.models import OutboxEvent, OutboxStatus


@admin.register(OutboxEvent)
class OutboxEventAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    change_list_template = "admin/queueing/outboxevent/change_list.html"
    list_display = (
        "id",
        "kodebooking",
        "what",
        "status",
        "held",
        "attempts",
        "next_attempt_at",
        "last_code",
        "last_message",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "kind", "facility")
    search_fields = ("kodebooking",)
    ordering = ("-id",)
    list_per_page = 100
    actions = ("retry_rows",)
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]

    def get_queryset(self, request):
        earlier_open = OutboxEvent.objects.filter(booking_id=OuterRef("booking_id"), seq__lt=OuterRef("seq")).exclude(
            status=OutboxStatus.DELIVERED
        )
        return super().get_queryset(request).annotate(is_held=Exists(earlier_open))

    @admin.display(description=_("call"))
    def what(self, row: OutboxEvent) -> str:
        return f"{row.get_kind_display()} {row.task_id or ''}".strip()

    @admin.display(description=_("waiting for an earlier row"), boolean=True)
    def held(self, row: OutboxEvent) -> bool:
        return row.status == OutboxStatus.PENDING and row.is_held

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # never dropped: a refused row stays, with BPJS's message

    def has_change_permission(self, request, obj=None) -> bool:
        # The rows are read-only; "change" is the permission to send rows again (the action).
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Send the selected rows again now"), permissions=["change"])
    def retry_rows(self, request, queryset):
        count = outbox.retry(queryset)
        outbox.kick()
        self.message_user(
            request,
            ngettext("%(n)d row will be sent again.", "%(n)d rows will be sent again.", count) % {"n": count},
            messages.SUCCESS,
        )

    def changelist_view(self, request, extra_context=None):
        scoped = self.scope_queryset(request, OutboxEvent.objects.all())
        extra_context = {**(extra_context or {}), "outbox_summary": outbox.summary(queryset=scoped)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view(self.references_view)
        return [path("references/", view, name="queueing_outboxevent_references"), *super().get_urls()]

    def _schedule_lookup(self, request, context) -> None:
        """jadwaldokter for one BPJS clinic code and date, when asked (the form on the page)."""
        kodepoli, tanggal = request.GET.get("kodepoli", "").strip()[:8], request.GET.get("tanggal", "").strip()
        context.update(kodepoli=kodepoli, tanggal=tanggal, schedule=None, schedule_error="")
        if not (kodepoli or tanggal):
            return
        try:
            dt.date.fromisoformat(tanggal)
        except ValueError:
            context["schedule_error"] = _("Enter the date as YYYY-MM-DD.")
            return
        for section in context["sections"]:
            client = outbox.client_for_facility(section["facility"].pk)
            if client is None:
                continue
            try:
                context["schedule"] = client.doctor_schedule(kodepoli=kodepoli, tanggal=tanggal)
            except bpjs.BpjsError as exc:
                context["schedule_error"] = str(exc)
            return

    def references_view(self, request):
        """BPJS's clinic and doctor codes (ref/poli, ref/dokter), to fill in the clinics' and doctors' codes."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        facility_ids = staff_facility_ids(request.user)
        from queueing.models import AntreanBridge

        bridges = AntreanBridge.objects.filter(enabled=True).select_related("facility")
        if facility_ids is not None:
            bridges = bridges.filter(facility_id__in=facility_ids)
        context = {**self.admin_site.each_context(request), "title": _("BPJS codes (Mobile JKN)"), "sections": []}
        for bridge in bridges:
            section = {"facility": bridge.facility, "poli": [], "dokter": [], "error": ""}
            client = outbox.client_for_facility(bridge.facility_id)
            try:
                if client is None:
                    raise bpjs.BpjsNotConfigured("no BPJS address")
                section["poli"], section["dokter"] = client.ref_poli(), client.ref_dokter()
            except bpjs.BpjsError as exc:
                section["error"] = str(exc)
            context["sections"].append(section)
        context["checked_at"] = timezone.now()
        self._schedule_lookup(request, context)
        return TemplateResponse(request, "admin/queueing/outboxevent/references.html", context)
