"""The registration counter (loket): check-in, walk-ins, moving clinic, the register, slips, outages.

Staff-only pages (clerks in the "Petugas Pendaftaran" group), linked from the admin index and
the booking pages in the admin. Thin views: form -> desk service -> redirect; pages about
patients are sent no-store.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from facilities.scope import staff_facility_ids
from families.validators import format_mrn
from guarantors import services as guarantor_services
from guarantors.models import GuarantorKind, GuarantorType
from queueing import selectors
from queueing.desk import selectors as desk_selectors
from queueing.desk import services as desk_services
from queueing.desk.forms import (
    CheckInForm,
    MoveForm,
    NewPatientForm,
    PaperForm,
    PatientSearchForm,
    RegisterForm,
    WalkInForm,
    WalkInRowFormSet,
    is_puskesmas,
)
from queueing.desk.pdf import manual_form_pdf
from queueing.models import Booking, BookingStatus
from queueing.slips import FORMATS, render_slip, render_slips

CHANGE = "queueing.change_booking"
VIEW = "queueing.view_booking"


def desk_view(permission: str = CHANGE) -> Callable:
    """Staff of a facility (else the admin login, or 404), with the booking permission the page needs (else 403)."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if staff_facility_ids(request.user) == []:  # no facility of theirs (health office): not found
                raise Http404
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return never_cache(staff_member_required(check))
    return decorate


def _url(name: str, **query: Any) -> str:
    url = reverse(f"queueing:{name}")
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


@desk_view(VIEW)
def desk_home(request: HttpRequest) -> HttpResponse:
    facility = desk_selectors.desk_facility(request.user)
    today = facility.local_today()
    counts = dict(Booking.objects.filter(date=today, clinic__facility=facility).values_list("status")
                  .annotate(n=Count("pk")))
    statuses = [(label, counts.get(value, 0)) for value, label in BookingStatus.choices]
    return render(request, "queueing/desk/home.html", {
        "today": today, "offers": desk_selectors.counter_offers(today, facility=facility), "statuses": statuses,
        "requests_url": reverse("admin:queueing_booking_changelist") + "?status__exact=requested&tanggal=all"})


# --- check-in (SOP 002 steps 7-8) ---------------------------------------------------------------

@desk_view()
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """A scanner types the code and Enter: the booking is checked in at once and its slip offered."""
    form = CheckInForm(request.POST or None)
    booking, problem = None, None
    if request.method == "POST" and form.is_valid():
        booking = desk_selectors.booking_by_code(form.cleaned_data["code"], request.user)
        if booking is None:
            form.add_error("code", ValidationError(_("No booking has this code."), code="unknown"))
        else:
            try:
                booking = desk_services.booking_check_in(booking=booking, actor=request.user)
            except ValidationError as exc:
                problem = exc  # nothing changed: the page says why, no redirect needed
                form = CheckInForm()  # an empty, focused input for the next scan
            else:
                messages.success(request, _("%(name)s is checked in: number %(label)s.") % {
                    "name": booking.patient.full_name, "label": booking.label})
                return redirect(_url("desk_check_in", kode=booking.code))
    elif request.method == "GET" and request.GET.get("kode"):
        booking = desk_selectors.booking_by_code(request.GET["kode"], request.user)
    return render(request, "queueing/desk/check_in.html", {
        "form": form, "booking": booking, "problem": problem,
        "printable": booking is not None and selectors.slip_printable(booking)})


# --- walk-ins (SOP 003, 004) ----------------------------------------------------------------------

def _default_row(patient) -> dict[str, Any]:
    guarantors = GuarantorType.objects.filter(is_active=True)
    bpjs = next((g for g in guarantors if g.is_bpjs_kesehatan), None)
    umum = next((g for g in guarantors if g.kind == GuarantorKind.SELF_PAY), None)
    if patient.bpjs_number and bpjs:
        return {"guarantor": bpjs.pk, "card_number": patient.bpjs_number}
    return {"guarantor": umum.pk if umum else None}


def _is_search(request: HttpRequest) -> bool:
    return request.method == "POST" and "q" in request.POST


def _search(request: HttpRequest) -> tuple[PatientSearchForm, list]:
    """The search is POSTed: a NIK or MRN in a query string would stay in access logs and the
    browser history. A `?q=` in the address is ignored (old bookmarks)."""
    search = PatientSearchForm(request.POST if _is_search(request) else None)
    results = desk_selectors.patient_search(search.cleaned_data["q"], request.user) if search.is_valid() else []
    return search, results


def _pcare_values(data: dict[str, Any]) -> dict[str, str]:
    """Seed 001's PCare fields from a desk row (empty where the form did not ask: not a puskesmas)."""
    return {name: data.get(name, "") for name in ("visit_kind", "care_kind", "complaint")}


def _ask_bpjs(rows, patients, schedule_id: int, date: dt.date) -> list[desk_services.CounterEntry] | None:
    """Check each BPJS Kesehatan card and referral now, outside any transaction; None if BPJS refused one."""
    offer = selectors.offer_for(schedule_id, date)
    clinic_code = offer.schedule.clinic.bpjs_code if offer else ""
    entries, refused = [], False
    for form, patient in zip(rows, patients):
        data = form.cleaned_data
        result = None
        if data["guarantor"].is_bpjs_kesehatan:
            result = guarantor_services.check_bpjs_eligibility(
                card_number=data["card_number"], referral_number=data["referral_number"],
                full_name=patient.full_name, birth_date=patient.birth_date, clinic_bpjs_code=clinic_code,
                exam_date=date)
            for field_name, errors in result.field_errors.items():
                for message, code in errors:
                    form.add_error(field_name, ValidationError(message, code=code))
                    refused = True
        entries.append(desk_services.CounterEntry(
            patient_id=patient.pk, guarantor_id=data["guarantor"].pk, card_number=data["card_number"],
            referral_number=data["referral_number"], guarantor_verified=bool(result and result.is_verified),
            guarantor_check=result.as_json() if result else {}, **_pcare_values(data)))
    return None if refused else entries


@desk_view()
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    """Find the patients (a family together), pick today's doctor, register: consecutive numbers."""
    search, results = _search(request)
    picked = desk_selectors.patients_by_ids(request.GET.getlist("pasien"), request.user)
    context: dict[str, Any] = {"search": search, "results": results, "picked": picked,
                               "picked_ids": [str(p.pk) for p in picked]}
    if picked:
        facility = desk_selectors.desk_facility(request.user)
        today = facility.local_today()
        registering = request.method == "POST" and not _is_search(request)
        data = request.POST if registering else None
        form = WalkInForm(desk_selectors.counter_offers(today, facility=facility), data)
        rows = WalkInRowFormSet(data, prefix="row", initial=[_default_row(p) for p in picked],
                                form_kwargs={"pcare": is_puskesmas(facility)})
        if registering:
            booked = _walk_in_post(request, form, rows, picked, today)
            if booked:
                return redirect(_url("desk_walk_in_done", kode=[b.code for b in booked]))
        context.update(form=form, rows=list(zip(rows.forms, picked)), management_form=rows.management_form)
    return render(request, "queueing/desk/walk_in.html", context)


def _walk_in_post(request: HttpRequest, form: WalkInForm, rows, picked: list, today: dt.date) -> list[Booking]:
    if not (form.is_valid() and rows.is_valid()):
        return []
    if len(rows.forms) != len(picked):
        form.add_error(None, ValidationError(_("The list of patients changed. Start again."), code="patients_changed"))
        return []
    entries = _ask_bpjs(rows.forms, picked, form.cleaned_data["schedule"], today)
    if entries is None:
        return []
    try:
        booked = desk_services.walkin_register(actor=request.user, schedule_id=form.cleaned_data["schedule"],
                                               entries=entries)
    except ValidationError as exc:
        form.add_error(None, exc)
        return []
    messages.success(request, _("Registered: %(numbers)s.") % {
        "numbers": ", ".join(f"{b.patient.full_name} ({format_mrn(b.patient.mrn)}) {b.label}" for b in booked)})
    return booked


@desk_view(VIEW)
def walk_in_done(request: HttpRequest) -> HttpResponse:
    bookings = desk_selectors.bookings_by_codes(request.GET.getlist("kode"), request.user)
    return render(request, "queueing/desk/walk_in_done.html", {
        "bookings": bookings, "codes": [b.code for b in bookings]})


_NEXT_PAGES = {"daftar": "desk_walk_in", "kertas": "desk_paper"}


@desk_view()
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    """A new patient typed from the KTP/KK, then back to the walk-in (or paper) page with them picked."""
    form = NewPatientForm(request.POST or None, account=request.user)
    next_page = _NEXT_PAGES.get(request.GET.get("lanjut"), "desk_walk_in")
    if request.method == "POST" and form.is_valid():
        try:
            patient = desk_services.patient_register(
                actor=request.user, mrn=form.cleaned_data["mrn"], nik_mismatch=form.cleaned_data["nik_mismatch"],
                **form.patient_values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is registered as a new patient.") % {"name": patient.full_name})
            return redirect(_url(next_page, pasien=[*request.GET.getlist("pasien"), str(patient.pk)]))
    return render(request, "queueing/desk/patient_new.html", {"form": form, "back_url": _url(
        next_page, pasien=request.GET.getlist("pasien"))})


# --- moving to another clinic (SOP 002 step 8) ------------------------------------------------------

def _booking_or_404(code: str, user) -> Booking:
    booking = desk_selectors.booking_by_code(code, user)
    if booking is None:
        raise Http404
    return booking


@desk_view()
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_or_404(code, request.user)
    facility = selectors.settings_for(booking).facility
    offers = [o for o in desk_selectors.counter_offers(facility.local_today(), facility=facility)
              if o.schedule.pk != booking.day_quota.schedule_id]
    form = MoveForm(offers, request.POST or None)
    if request.method == "POST" and form.is_valid():
        old_label = booking.label
        try:
            booking = desk_services.booking_move(booking=booking, actor=request.user,
                                                 schedule_id=form.cleaned_data["schedule"],
                                                 reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Moved: %(old)s is now %(new)s (%(clinic)s).") % {
                "old": old_label, "new": booking.label, "clinic": booking.clinic.name})
            return redirect(_url("desk_check_in", kode=booking.code))
    return render(request, "queueing/desk/move.html", {"form": form, "booking": booking})


# --- the register book (SOP 003) --------------------------------------------------------------------

# Headers in the clerk's language: the file is opened by people in a spreadsheet, not by a program.
_CSV_COLUMNS = (gettext_lazy("Date"), gettext_lazy("Clinic"), gettext_lazy("Doctor"), gettext_lazy("Number"),
                gettext_lazy("Name"), gettext_lazy("Medical record number"), gettext_lazy("Guarantor"),
                gettext_lazy("Status"), gettext_lazy("Registered"), gettext_lazy("Registered through"))
_PCARE_CSV_COLUMNS = (gettext_lazy("Visit type"), gettext_lazy("Care"), gettext_lazy("Complaint"))


def _cell(value: Any) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never a patient's name."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@desk_view(VIEW)
def register(request: HttpRequest) -> HttpResponse:
    """The day's register per clinic: print page, or CSV with ?format=csv."""
    facility = desk_selectors.desk_facility(request.user)
    day, clinic = facility.local_today(), None
    form = RegisterForm(request.GET or None, initial={"date": day}, facility=facility)
    if form.is_valid():
        day = form.cleaned_data["date"] or day
        clinic = form.cleaned_data["clinic"]
    bookings = desk_selectors.daily_register(day, clinic.pk if clinic else None, facility=facility, user=request.user)
    if request.GET.get("format") == "csv":
        return _register_csv(bookings, day, clinic, facility)
    return render(request, "queueing/desk/register.html", {
        "form": form, "day": day, "clinic": clinic, "bookings": bookings, "facility": facility,
        "pcare": is_puskesmas(facility),
        "printed_at": facility.local_now(), "csv_query": urlencode({**request.GET.dict(), "format": "csv"})})


def _register_csv(bookings: list[Booking], day: dt.date, clinic, facility) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = f"-{clinic.code.lower()}" if clinic else ""
    response["Content-Disposition"] = f'attachment; filename="register-{day:%Y-%m-%d}{suffix}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response)
    pcare = is_puskesmas(facility)
    writer.writerow([str(column) for column in _CSV_COLUMNS + (_PCARE_CSV_COLUMNS if pcare else ())])
    for b in bookings:
        pcare_cells = (b.get_visit_kind_display(), b.get_care_kind_display(), b.complaint) if pcare else ()
        writer.writerow([_cell(v) for v in (
            b.date.isoformat(), b.clinic.name, b.doctor.name, b.label, b.patient.full_name,
            format_mrn(b.patient.mrn), b.guarantor.name, b.get_status_display(),
            facility.local_now(b.registered_at).strftime("%Y-%m-%d %H:%M"), b.get_channel_display(), *pcare_cells)])
    return response


# --- slips -------------------------------------------------------------------------------------------

@desk_view(VIEW)
def slips_pdf(request: HttpRequest) -> HttpResponse:
    """One or several slips as one PDF (?kode=...&kode=...&format=thermal|a6), for staff."""
    bookings = [b for b in desk_selectors.bookings_by_codes(request.GET.getlist("kode"), request.user)
                if selectors.slip_printable(b)]
    if not bookings:
        raise Http404
    return slips_response(bookings, request.GET.get("format"))


def slips_response(bookings: list[Booking], fmt: str | None) -> HttpResponse:
    fmt = fmt if fmt in FORMATS else "thermal"
    data = [selectors.slip_data(b) for b in bookings]
    pdf = render_slip(data[0], fmt) if len(data) == 1 else render_slips(data, fmt)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = bookings[0].code if len(bookings) == 1 else f"{len(bookings)}"
    response["Content-Disposition"] = f'inline; filename="antrian-{name}.pdf"'
    response["Cache-Control"] = "private, no-store"  # patient data
    return response


# --- outages (SOP 001) ------------------------------------------------------------------------------

@desk_view(VIEW)
def manual_form(request: HttpRequest) -> HttpResponse:
    try:
        pages = int(request.GET.get("lembar", 1))
    except ValueError:
        pages = 1
    facility = desk_selectors.desk_facility(request.user)
    pdf = manual_form_pdf(facility, pages, pcare=is_puskesmas(facility))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="formulir-pendaftaran-manual.pdf"'
    return response


@desk_view()
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest) -> HttpResponse:
    """Enter the paper forms afterwards, one row at a time, with the time really written on them."""
    search, results = _search(request)
    picked = desk_selectors.patients_by_ids(request.GET.getlist("pasien")[-1:], request.user)
    patient = picked[0] if picked else None
    form = None
    if patient is not None:
        facility = desk_selectors.desk_facility(request.user)
        initial = {"date": facility.local_today(), **_default_row(patient)}
        form = PaperForm(None if _is_search(request) else request.POST or None, initial=initial, facility=facility)
        if form.is_bound and form.is_valid():
            booking = _paper_post(request, form, patient)
            if booking:
                return redirect(_url("desk_paper"))
    return render(request, "queueing/desk/paper_entry.html", {
        "search": search, "results": results, "patient": patient, "form": form})


def _paper_post(request: HttpRequest, form: PaperForm, patient) -> Booking | None:
    data = form.cleaned_data
    entry = desk_services.CounterEntry(patient_id=patient.pk, guarantor_id=data["guarantor"].pk,
                                       card_number=data["card_number"], referral_number=data["referral_number"],
                                       **_pcare_values(data))
    try:
        booking = desk_services.paper_register(
            actor=request.user, schedule_id=data["schedule"].pk, date=data["date"],
            registered_at=data["registered_at"], entry=entry, status=data["status"], note=data["note"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("Entered: %(name)s, %(label)s at %(time)s (booking %(code)s).") % {
        "name": patient.full_name, "label": booking.label, "code": booking.code,
        "time": selectors.settings_for(booking).facility.local_now(booking.registered_at).strftime("%d-%m-%Y %H:%M")})
    return booking
