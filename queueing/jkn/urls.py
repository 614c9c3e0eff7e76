"""WS RS paths, as SIMRS Khanza names them; register <site>/wsrs/ at BPJS as the WS RS address."""

from __future__ import annotations

from django.urls import re_path

from queueing.jkn import views

app_name = "jkn"

# No trailing slash, as BPJS calls them; one is tolerated (a POST cannot follow APPEND_SLASH's redirect).
urlpatterns = [
    re_path(r"^auth/?$", views.token, name="token"),
    re_path(r"^statusantrean/?$", views.status, name="status"),
    re_path(r"^ambilantrean/?$", views.ambil, name="ambil"),
    re_path(r"^sisaantrean/?$", views.sisa, name="sisa"),
    re_path(r"^batalantrean/?$", views.batal, name="batal"),
    re_path(r"^checkinantrean/?$", views.checkin, name="checkin"),
    re_path(r"^pasienbaru/?$", views.pasien_baru, name="pasien_baru"),
    re_path(r"^jadwaloperasirs/?$", views.operasi_rs, name="operasi_rs"),
    re_path(r"^jadwaloperasipasien/?$", views.operasi_pasien, name="operasi_pasien"),
]
