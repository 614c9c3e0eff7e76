"""Tariffs and service areas are edited here by a cashier supervisor (their facilities only); payments are read-only."""

from __future__ import annotations

from django.contrib import admin

from cashier.models import Payment, ReceiptCounter, ServiceArea, Tariff
from facilities.scope import FacilityScopedAdmin, staff_facility_ids


class _FacilityChoices:
    """The facility drop-down offers only the user's facilities."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "facility":
            ids = staff_facility_ids(request.user)
            if ids is not None:
                kwargs["queryset"] = db_field.related_model.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Tariff)
class TariffAdmin(FacilityScopedAdmin, _FacilityChoices, admin.ModelAdmin):
    list_display = ["name", "facility", "guarantor_kind", "visit", "condition", "amount", "active", "updated_at"]
    list_filter = ["facility", "guarantor_kind", "visit", "condition", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Receipts point at their tariff: make an old tariff inactive instead.
        return False


@admin.register(ServiceArea)
class ServiceAreaAdmin(FacilityScopedAdmin, _FacilityChoices, admin.ModelAdmin):
    list_display = ["facility", "regency", "district"]
    list_filter = ["facility"]
    search_fields = ["regency", "district"]


@admin.register(Payment)
class PaymentAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    """Read-only: payments are taken and voided on the cashier's pages, never changed or deleted."""

    list_display = ["receipt_label", "facility", "created_at", "amount", "method", "cashier", "voided_at"]
    list_filter = ["facility", "method", "receipt_year"]
    search_fields = ["=receipt_number", "booking__code", "reference"]
    list_select_related = ["facility", "cashier"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}


@admin.register(ReceiptCounter)
class ReceiptCounterAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    list_display = ["facility", "year", "last_number"]
    list_filter = ["facility"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
