"""Visit-day URLs: the kiosk under /anjungan/, calling pages under /panggilan/ (namespace "visitday")."""

from __future__ import annotations

from django.urls import path

from visitday.kiosk import views as kiosk
from visitday.loket import views as loket

app_name = "visitday"

urlpatterns = [
    path("anjungan/", kiosk.kiosk_home, name="kiosk_home"),
    path("anjungan/antrean/", kiosk.kiosk_lines, name="kiosk_lines"),
    path("anjungan/antrean/<int:line_id>/", kiosk.kiosk_take, name="kiosk_take"),
    path("anjungan/tiket/<int:ticket_id>/", kiosk.kiosk_ticket, name="kiosk_ticket"),
    path("anjungan/tiket/<int:ticket_id>/tiket.pdf", kiosk.kiosk_ticket_pdf, name="kiosk_ticket_pdf"),
    path("anjungan/check-in/", kiosk.kiosk_check_in, name="kiosk_check_in"),
    path("anjungan/check-in/<str:code>/", kiosk.kiosk_checked_in, name="kiosk_checked_in"),
    path("anjungan/check-in/<str:code>/bukti-daftar.pdf", kiosk.kiosk_slip_pdf, name="kiosk_slip_pdf"),
    path("panggilan/loket/", loket.loket_home, name="loket_home"),
    path("panggilan/loket/pilih/", loket.loket_choose, name="loket_choose"),
    path("panggilan/loket/berikutnya/", loket.loket_next, name="loket_next"),
    path("panggilan/loket/tiket/<int:ticket_id>/check-in/", loket.loket_check_in, name="loket_check_in"),
    path("panggilan/loket/tiket/<int:ticket_id>/<str:action>/", loket.loket_ticket_action, name="loket_ticket_action"),
]
