from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuarantorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guarantors"
    verbose_name = _("Guarantors")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from guarantors.services import forget_clinic_rules

        for signal in (post_save, post_delete):
            signal.connect(
                forget_clinic_rules,
                sender="guarantors.ClinicDocumentRule",
                dispatch_uid=f"guarantors.forget_clinic_rules.{signal is post_save}",
            )
