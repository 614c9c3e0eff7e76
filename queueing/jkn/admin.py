"""Admin for the Mobile JKN bridges: secrets are written, never shown again."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from facilities.scope import FacilityScopedAdmin, staff_facility_ids
from queueing.jkn.models import AntreanBridge

# Write-only: the form never sends a stored secret back to the browser; left empty, it is kept.
_SECRETS = ("secret_key", "user_key")


class AntreanBridgeForm(forms.ModelForm):
    secret_key = forms.CharField(
        label=_("BPJS secret key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the stored key."),
    )
    user_key = forms.CharField(
        label=_("BPJS user key (Antrean RS)"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the stored key."),
    )
    new_ws_password = forms.CharField(
        label=_("New WS RS password"),
        required=False,
        strip=False,
        min_length=12,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("What Mobile JKN sends as x-password; stored as a hash. Leave empty to keep the current one."),
    )

    class Meta:
        model = AntreanBridge
        fields = ["facility", "enabled", "cons_id", "secret_key", "user_key", "base_url", "ws_username"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stored = {name: getattr(self.instance, name) for name in _SECRETS}
        for name in _SECRETS:
            self.initial[name] = ""

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in _SECRETS:
            if not cleaned.get(name):
                cleaned[name] = self.stored[name]
                setattr(self.instance, name, self.stored[name])
        if cleaned.get("new_ws_password"):
            self.instance.set_ws_password(cleaned["new_ws_password"])
        return cleaned


@admin.register(AntreanBridge)
class AntreanBridgeAdmin(FacilityScopedAdmin, admin.ModelAdmin):
    form = AntreanBridgeForm
    list_display = ["facility", "enabled", "ws_username", "base_url", "updated_at"]
    list_filter = ["enabled"]
    list_select_related = ["facility"]
    fieldsets = [
        (None, {"fields": ["facility", "enabled"]}),
        (
            _("WS BPJS (this facility calls BPJS)"),
            {"fields": ["base_url", "cons_id", "secret_key", "user_key"]},
        ),
        (
            _("WS RS (Mobile JKN calls this facility)"),
            {
                "fields": ["ws_username", "new_ws_password"],
                "description": _(
                    "Register this site's WS RS address at BPJS with this user name and password "
                    "(README: Mobile JKN bridge)."
                ),
            },
        ),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "facility":
            ids = staff_facility_ids(request.user)
            if ids is not None:
                kwargs["queryset"] = Facility.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["facility"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # disable instead: the outbox and bookings refer to the facility's bridge
