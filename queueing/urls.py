from django.urls import include, path, register_converter

from queueing import views


class WizardIdConverter:
    regex = "[0-9a-f]{32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class BookingCodeConverter(WizardIdConverter):
    regex = "[A-Za-z0-9]{8}"


register_converter(WizardIdConverter, "wid")
register_converter(BookingCodeConverter, "code")

app_name = "queueing"

urlpatterns = [
    path("", views.booking_list, name="booking_list"),
    path("ambil/", views.booking_start, name="booking_start"),
    path("ambil/<wid:wid>/fasilitas/", views.wizard_facility, name="wizard_facility"),
    path("ambil/<wid:wid>/anggota/", views.wizard_member, name="wizard_member"),
    path("ambil/<wid:wid>/tanggal/", views.wizard_date, name="wizard_date"),
    path("ambil/<wid:wid>/penjamin/", views.wizard_guarantor, name="wizard_guarantor"),
    path("ambil/<wid:wid>/poli/", views.wizard_clinic, name="wizard_clinic"),
    path("ambil/<wid:wid>/dokter/", views.wizard_doctor, name="wizard_doctor"),
    path("ambil/<wid:wid>/konfirmasi/", views.wizard_confirm, name="wizard_confirm"),
    path("loket/", include("queueing.desk.urls")),  # the counter desk (staff only)
    path("dinas/", include("queueing.office.urls")),  # the health office: figures only
    path("<code:code>/", views.booking_detail, name="booking_detail"),
    path("<code:code>/batal/", views.booking_cancel, name="booking_cancel"),
    path("<code:code>/cetak/", views.booking_print, name="booking_print"),
    path("<code:code>/slip.pdf", views.booking_slip_pdf, name="booking_slip_pdf"),
    path("<code:code>/surat/<uuid:document_id>/", views.booking_document, name="booking_document"),
]
