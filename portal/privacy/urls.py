from django.urls import path

from portal.privacy import views

app_name = "privacy"

urlpatterns = [
    path("data-saya/", views.data_export, name="data_export"),
    path("tutup/", views.account_close, name="account_close"),
]
