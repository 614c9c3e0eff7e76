from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "queueing"
    verbose_name = _("Queues")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from families.panels import register_dashboard_panel
        from families.signals import patient_merged
        from queueing.selectors import dashboard_panel_context, forget_guarantors, forget_schedules
        from queueing.services import on_patient_merged

        for signal in (post_save, post_delete):
            signal.connect(
                forget_guarantors,
                sender="guarantors.GuarantorType",
                dispatch_uid=f"queueing.forget_guarantors.{signal is post_save}",
            )
            # The wizard's open days and clinics (selectors._SCHEDULES_CACHE) follow these rows.
            for model in ("Schedule", "ScheduleException", "Clinic", "Doctor"):
                signal.connect(
                    forget_schedules,
                    sender=f"queueing.{model}",
                    dispatch_uid=f"queueing.forget_schedules.{model}.{signal is post_save}",
                )

        patient_merged.connect(on_patient_merged, dispatch_uid="queueing.repoint_bookings")
        # Background tasks (portal/lib/tasks.py): every migrate restarts the recurring chains.
        from portal.lib.tasks import on_post_migrate
        from queueing import tasks  # noqa: F401 - registers the recurring reminder job
        from queueing.jkn import tasks as _jkn_tasks  # noqa: F401  (registers the recurring outbox sender)

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="portal.tasks.ensure_recurring")
        register_dashboard_panel("queueing/_dashboard_bookings.html", get_context=dashboard_panel_context, order=10)
