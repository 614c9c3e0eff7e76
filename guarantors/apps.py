from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuarantorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guarantors"
    verbose_name = _("Guarantors")
