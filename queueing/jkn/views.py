"""WS RS endpoints (Mobile JKN calls them): thin views, form -> service or selector -> envelope.

Paths as SIMRS Khanza names them (reference §1), under /wsrs/ (README "Mobile JKN bridge").
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from queueing.jkn import api, forms, selectors, services, tokens
from queueing.jkn.models import AntreanBridge
from queueing.models import Booking

# Status and Ambil's note to the patient (KHZ-WS and mLITE send the same advice).
ARRIVE_EARLY = "Peserta harap 60 menit lebih awal guna pencatatan administrasi."


@csrf_exempt
@never_cache
def token(request: HttpRequest) -> JsonResponse:
    """GET with x-username / x-password -> response.token."""
    with translation.override("id"):
        return api.guarded(lambda: _token(request))


def _token(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return api.failed(_("Use the %(method)s method.") % {"method": "GET"})
    try:
        signed = tokens.login(
            username=request.headers.get("x-username", ""),
            password=request.headers.get("x-password", ""),
            client_ip=api.client_ip(request),
        )
    except tokens.LoginRefused as exc:
        if exc.throttled:
            return api.failed(_("Too many failed attempts. Try again later."))
        return api.failed(_("The user name or password is wrong."))
    return api.ok({"token": signed})


def _millis(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def _estimate_ms(booking: Booking, bridge: AntreanBridge) -> int:
    when = dt.datetime.combine(booking.date, booking.estimated_time or booking.day_quota.schedule.start_time)
    return _millis(bridge.facility.make_aware(when))


@api.endpoint("POST")
def status(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    cleaned = forms.StatusForm(data).checked()
    selectors.check_not_past(bridge.facility, cleaned["tanggalperiksa"])
    schedule = selectors.schedule_for(
        bridge.facility,
        kodepoli=cleaned["kodepoli"],
        kodedokter=cleaned["kodedokter"],
        date=cleaned["tanggalperiksa"],
        hours=cleaned["jampraktek"],
    )
    figures = selectors.day_figures(schedule, cleaned["tanggalperiksa"])
    return api.ok(
        {
            "namapoli": schedule.clinic.name,
            "namadokter": schedule.doctor.name,
            "totalantrean": figures.total,
            "sisaantrean": figures.waiting,
            "antreanpanggil": figures.called or "-",
            **figures.as_quota_fields(),
            "keterangan": "",
        }
    )


@api.endpoint("POST")
def ambil(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    cleaned = forms.AmbilForm(data, facility=bridge.facility).checked()
    try:
        booking = services.booking_take(bridge=bridge, data=cleaned)
    except services.UnknownPatient:
        return api.answer(api.NEW_PATIENT, _("New patient: please complete the patient data first."))
    figures = selectors.day_figures(booking.day_quota.schedule, booking.date)
    return api.ok(
        {
            "nomorantrean": booking.label,
            "angkaantrean": booking.number,
            "kodebooking": booking.code,
            "norm": booking.patient.mrn_at(bridge.facility_id) or "",
            "namapoli": booking.clinic.name,
            "namadokter": booking.doctor.name,
            "estimasidilayani": _estimate_ms(booking, bridge),
            **figures.as_quota_fields(),
            "keterangan": ARRIVE_EARLY,
        }
    )


@api.endpoint("POST")
def sisa(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    cleaned = forms.SisaForm(data).checked()
    booking = selectors.booking_for(bridge.facility, cleaned["kodebooking"])
    if booking.number is None or not booking.is_holding:
        return api.failed(_("This booking has no queue number (cancelled or not yet confirmed)."))
    figures = selectors.day_figures(booking.day_quota.schedule, booking.date)
    before = selectors.waiting_before(booking)
    return api.ok(
        {
            "nomorantrean": booking.label,
            "namapoli": booking.clinic.name,
            "namadokter": booking.doctor.name,
            "sisaantrean": before,
            "antreanpanggil": figures.called or "-",
            # BPJS: waiting time in seconds = service minutes x patients ahead.
            "waktutunggu": before * booking.day_quota.schedule.minutes_per_patient * 60,
            "keterangan": "",
        }
    )


@api.endpoint("POST")
def batal(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    cleaned = forms.BatalForm(data).checked()
    booking = selectors.booking_for(bridge.facility, cleaned["kodebooking"])
    services.booking_cancel(bridge=bridge, booking=booking, reason=cleaned["keterangan"])
    return api.ok()


@api.endpoint("POST")
def checkin(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    cleaned = forms.CheckinForm(data).checked()
    booking = selectors.booking_for(bridge.facility, cleaned["kodebooking"])
    services.booking_check_in(bridge=bridge, booking=booking, at=cleaned["waktu"])
    return api.ok()


@api.endpoint("POST")
def pasien_baru(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    cleaned = forms.PasienBaruForm(data).checked()
    _patient, mrn, created = services.patient_register(bridge=bridge, data=cleaned)
    message = (
        _("Registered: please bring your ID card to the admission desk to complete your medical record.")
        if created
        else _("Already registered: use this medical record number.")
    )
    return api.ok({"norm": mrn}, message)


@api.endpoint("POST")
def operasi_rs(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    forms.OperasiRsForm(data).checked()
    # No surgery module yet: an honest empty list, not invented rows.
    return api.ok({"list": []}, _("No surgery is scheduled."))


@api.endpoint("POST")
def operasi_pasien(request: HttpRequest, bridge: AntreanBridge, data: dict) -> JsonResponse:
    forms.OperasiPasienForm(data).checked()
    return api.ok({"list": []}, _("No surgery is scheduled."))
