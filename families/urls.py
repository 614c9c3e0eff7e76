"""Family member URLs under /keluarga/; ids are UUIDs, never NIK or MRN."""

from __future__ import annotations

from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("tambah/", views.member_add_new, name="member_add_new"),
    path("tambah/pasien-lama/", views.member_add_existing, name="member_add_existing"),
    path("tambah/pasien-lama/konfirmasi/", views.member_add_existing_confirm, name="member_add_existing_confirm"),
    path("<uuid:patient_id>/ubah/", views.member_edit, name="member_edit"),
    path("<uuid:patient_id>/lengkapi/", views.member_complete, name="member_complete"),
    path("<uuid:patient_id>/cek-rekam-medis/", views.member_check_mrn, name="member_check_mrn"),
    path("<uuid:patient_id>/dokumen/", views.member_document_upload, name="member_document_upload"),
    path("<uuid:patient_id>/hapus/", views.member_remove, name="member_remove"),
    path("dokumen/<uuid:document_id>/", views.document_view, name="document_view"),
    path("tautan/<str:token>/", views.link_review, name="link_review"),
]
