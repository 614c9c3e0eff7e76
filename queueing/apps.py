from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "queueing"
    verbose_name = _("Queues")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from queueing.selectors import forget_guarantors

        for signal in (post_save, post_delete):
            signal.connect(forget_guarantors, sender="guarantors.GuarantorType",
                           dispatch_uid=f"queueing.forget_guarantors.{signal is post_save}")
        try:
            from families.signals import patient_merged
        except ImportError:  # a families app without patient merges
            pass
        else:
            from queueing.services import on_patient_merged

            patient_merged.connect(on_patient_merged, dispatch_uid="queueing.repoint_bookings")
        try:
            from families.panels import register_dashboard_panel
        except ImportError:  # a families app without dashboard panels
            return
        from queueing.selectors import dashboard_panel_context

        register_dashboard_panel("queueing/_dashboard_bookings.html", get_context=dashboard_panel_context, order=10)
