"""The health office's figures under /antrian/dinas/ (queueing:office_figures)."""

from __future__ import annotations

from django.urls import path

from queueing.office import views as office_views

urlpatterns = [
    path("", office_views.figures, name="office_figures"),
]
