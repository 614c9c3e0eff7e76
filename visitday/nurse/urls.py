"""Clinic calling (poli) for nurses under /poli/."""

from __future__ import annotations

from django.urls import path

from visitday.nurse import views

app_name = "visitday_nurse"

urlpatterns = [
    path("", views.nurse_home, name="home"),
    path("sesi/<int:day_quota_id>/", views.nurse_session, name="session"),
    path("sesi/<int:day_quota_id>/panggil/", views.nurse_call_next, name="call_next"),
    path("sesi/<int:day_quota_id>/tutup/", views.nurse_close, name="close"),
    path("sesi/<int:day_quota_id>/<uuid:booking_id>/ulang/", views.nurse_recall, name="recall"),
    path("sesi/<int:day_quota_id>/<uuid:booking_id>/tidak-hadir/", views.nurse_not_present, name="not_present"),
    path("sesi/<int:day_quota_id>/<uuid:booking_id>/selesai/", views.nurse_done, name="done"),
]
