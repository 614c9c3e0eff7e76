from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "facilities"
    verbose_name = _("Facilities")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from facilities.selectors import forget_facilities

        for signal in (post_save, post_delete):
            signal.connect(
                forget_facilities, sender="facilities.Facility", dispatch_uid=f"facilities.forget.{signal is post_save}"
            )
