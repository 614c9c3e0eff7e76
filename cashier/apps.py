from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CashierConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cashier"
    verbose_name = _("Cashier")
