from django.apps import AppConfig


class GuarantorsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'guarantors'
