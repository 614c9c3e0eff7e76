from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "queueing"
    verbose_name = _("Queues")

    def ready(self) -> None:
        try:
            from families.signals import patient_merged
        except ImportError:  # a families app without patient merges
            return
        from queueing.services import on_patient_merged

        patient_merged.connect(on_patient_merged, dispatch_uid="queueing.repoint_bookings")
