from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import tasks  # noqa: F401 - registers the recurring sweep
        from notifications.services import queue_email
        from portal.lib import mail

        mail.connect_queue(queue_email)  # accounts asks for its e-mails through portal.lib.mail.queue
