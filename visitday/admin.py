"""Set-up of the visit day (lines, counters, the priority ratio) and read-only tickets and calls."""

from __future__ import annotations

from django.contrib import admin

from facilities.scope import FacilityScopedAdmin
from visitday.models import Call, LineSettings, Loket, Ticket, TicketLine


@admin.register(TicketLine)
class TicketLineAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    list_display = ["letter", "name", "facility", "priority", "asks_clinic", "clinic", "active", "sort_order"]
    list_filter = ["facility", "priority", "active"]
    list_editable = ["active", "sort_order"]
    autocomplete_fields = ["clinic"]


@admin.register(Loket)
class LoketAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "facility", "active", "sort_order"]
    list_filter = ["facility", "active"]
    filter_horizontal = ["lines"]


@admin.register(LineSettings)
class LineSettingsAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    list_display = ["facility", "regular_per_priority"]


class ReadOnlyAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    """Written by the calling pages only (visitday.services): nothing to add, change or delete here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["label", "date", "line", "status", "taken_at", "called_at", "done_at", "loket"]
    list_filter = ["facility", "date", "status", "line"]
    list_select_related = ["line", "loket"]
    date_hierarchy = "date"


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["at", "label", "place_name", "detail", "kind", "by"]
    list_filter = ["facility", "place_kind", "kind"]
    list_select_related = ["by"]
