from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "phone", "email_confirmed_at", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name", "phone")
    readonly_fields = ("consent_version", "consent_at", "date_joined", "last_login", "pending_email")
    fieldsets = (
        (None, {"fields": ("email", "password", "email_confirmed_at", "pending_email")}),
        (
            _("Personal data"),
            {
                "fields": (
                    "full_name",
                    "phone",
                    "religion",
                    "sex",
                    "education",
                    "blood_type",
                    "marital_status",
                    "occupation",
                )
            },
        ),
        (_("Consent"), {"fields": ("consent_version", "consent_at")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
