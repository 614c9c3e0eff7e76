from __future__ import annotations

from django.contrib import admin

from facilities.models import Facility, FacilityMembership
from facilities.scope import FacilityScopedAdmin, has_several_facilities, staff_facility_ids
from facilities.selectors import is_multi_facility


class FacilityMembershipInline(admin.TabularInline):
    model = FacilityMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Facility)
class FacilityAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    # Someone allowed to edit facilities edits only their own (superusers: all).
    facility_paths = ("pk",)
    list_display = ["name", "kind", "bpjs_ppk_code", "time_zone", "phone", "active"]
    list_filter = ["kind", "time_zone", "active"]
    search_fields = ["name", "bpjs_ppk_code"]
    inlines = [FacilityMembershipInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Clinics and bookings point at the facility; deactivate instead.
        return False


@admin.register(FacilityMembership)
class FacilityMembershipAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    """Memberships of one's own facilities only: nobody but a superuser can grant a way into another facility."""

    list_display = ["user", "facility", "role", "created_at"]
    list_filter = [("facility", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__email", "user__full_name", "facility__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "facility"]


class FacilityFieldMixin:
    """For models with a `facility`: the field and column appear only once there are several facilities.

    A single-facility deployment never shows a facility choice; new rows take the model default
    (the one facility).
    """

    facility_field = "facility"

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not is_multi_facility():
            exclude.append(self.facility_field)
        return exclude

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if is_multi_facility():
            if self.facility_field not in fields:
                fields.insert(0, self.facility_field)
        elif self.facility_field in fields:
            fields.remove(self.facility_field)
        return fields

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if is_multi_facility() and self.facility_field not in columns:
            columns.insert(1, self.facility_field)
        return columns

    def get_list_filter(self, request):
        # Only to someone working at several facilities; the choices are theirs only.
        filters = list(super().get_list_filter(request))
        if has_several_facilities(request.user) and self.facility_field not in filters:
            filters.insert(0, (self.facility_field, admin.RelatedOnlyFieldListFilter))
        return filters

    def get_changeform_initial_data(self, request):
        # A new row starts at the user's first facility (the model default may be one they cannot choose).
        initial = super().get_changeform_initial_data(request)
        ids = staff_facility_ids(request.user)
        if ids and self.facility_field not in initial:
            initial[self.facility_field] = ids[0]
        return initial
