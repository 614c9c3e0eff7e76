"""The outpatient report under /laporan/ (reports:outpatient and its downloads)."""

from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.outpatient, name="outpatient"),
    path("pdf/", views.outpatient_pdf, name="outpatient_pdf"),
    path("xlsx/", views.outpatient_xlsx, name="outpatient_xlsx"),
    path("csv/", views.outpatient_csv, name="outpatient_csv"),
]
