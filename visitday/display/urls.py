"""The waiting-room display under /layar/."""

from __future__ import annotations

from django.urls import path

from visitday.display import views

app_name = "visitday_display"

urlpatterns = [
    path("", views.display_index, name="index"),
    path("bunyi.wav", views.display_chime, name="chime"),
    path("<int:facility_id>/", views.display_page, name="page"),
    path("<int:facility_id>/data.json", views.display_data, name="data"),
    path("<int:facility_id>/suara/<int:call_id>.wav", views.display_voice, name="voice"),
]
