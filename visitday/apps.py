from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitdayConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "visitday"
    verbose_name = _("Visit day")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from queueing.signals import counter_registered
        from visitday.display.access import on_login as screen_login
        from visitday.kiosk.access import on_login
        from visitday.loket.views import on_counter_registered

        user_logged_in.connect(on_login, dispatch_uid="visitday.kiosk_login")
        user_logged_in.connect(screen_login, dispatch_uid="visitday.screen_login")
        counter_registered.connect(on_counter_registered, dispatch_uid="visitday.ticket_attach")
