"""Counter desk URLs under /antrian/loket/ (names join the "queueing" namespace: queueing:desk_*)."""

from __future__ import annotations

from django.urls import path

from queueing.desk import views as desk_views

urlpatterns = [
    path("", desk_views.desk_home, name="desk_home"),
    path("fasilitas/", desk_views.switch_facility, name="desk_switch_facility"),
    path("check-in/", desk_views.check_in, name="desk_check_in"),
    path("daftar/", desk_views.walk_in, name="desk_walk_in"),
    path("daftar/selesai/", desk_views.walk_in_done, name="desk_walk_in_done"),
    path("pasien-baru/", desk_views.patient_new, name="desk_patient_new"),
    path("pasien/rekam-medis-di-sini/", desk_views.patient_record_here, name="desk_patient_record_here"),
    path("<code:code>/pindah/", desk_views.move, name="desk_move"),
    path("register/", desk_views.register, name="desk_register"),
    path("slip.pdf", desk_views.slips_pdf, name="desk_slips"),
    path("formulir-manual.pdf", desk_views.manual_form, name="desk_manual_form"),
    path("formulir-manual/entri/", desk_views.paper_entry, name="desk_paper"),
]
