"""Registering at the counter: walk-ins, a new patient, paper forms entered after an outage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from families.validators import format_mrn
from guarantors import services as guarantor_services
from guarantors.models import GuarantorKind, GuarantorType
from queueing import selectors
from queueing.desk import selectors as desk_selectors
from queueing.desk import services as desk_services
from queueing.desk.forms import (
    NewPatientForm,
    PaperForm,
    PatientSearchForm,
    RecordHereForm,
    WalkInForm,
    WalkInRowFormSet,
    is_puskesmas,
)
from queueing.desk.views.access import VIEW, counter_facility, desk_url, desk_view
from queueing.models import Booking
from queueing.signals import counter_registered


def _default_row(patient) -> dict[str, Any]:
    guarantors = GuarantorType.objects.filter(is_active=True)
    bpjs = next((g for g in guarantors if g.is_bpjs_kesehatan), None)
    umum = next((g for g in guarantors if g.kind == GuarantorKind.SELF_PAY), None)
    if patient.bpjs_number and bpjs:
        return {"guarantor": bpjs.pk, "card_number": patient.bpjs_number}
    return {"guarantor": umum.pk if umum else None}


def _is_search(request: HttpRequest) -> bool:
    return request.method == "POST" and "q" in request.POST


def _search(request: HttpRequest) -> dict[str, Any]:
    """The search is POSTed: a NIK or MRN in a query string would stay in access logs and the
    browser history. A `?q=` in the address is ignored (old bookmarks).

    A full NIK of someone known only at another facility finds them too (`elsewhere`): the clerk
    then gives them this facility's medical record number (patient_record_here).
    """
    search = PatientSearchForm(request.POST if _is_search(request) else None)
    results, elsewhere = [], None
    if search.is_valid():
        results = desk_selectors.patient_search(search.cleaned_data["q"], request.user)
        if not results:
            elsewhere = desk_selectors.patient_elsewhere_by_nik(search.cleaned_data["q"], request.user)
    return {
        "search": search,
        "results": results,
        "elsewhere": elsewhere,
        "desk_facility": counter_facility(request),
    }


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
                card_number=data["card_number"],
                referral_number=data["referral_number"],
                full_name=patient.full_name,
                birth_date=patient.birth_date,
                clinic_bpjs_code=clinic_code,
                exam_date=date,
            )
            for field_name, errors in result.field_errors.items():
                for message, code in errors:
                    form.add_error(field_name, ValidationError(message, code=code))
                    refused = True
        entries.append(
            desk_services.CounterEntry(
                patient_id=patient.pk,
                guarantor_id=data["guarantor"].pk,
                card_number=data["card_number"],
                referral_number=data["referral_number"],
                guarantor_verified=bool(result and result.is_verified),
                guarantor_check=result.as_json() if result else {},
                **_pcare_values(data),
            )
        )
    return None if refused else entries


@desk_view()
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    """Find the patients (a family together), pick today's doctor, register: consecutive numbers."""
    context: dict[str, Any] = _search(request)
    picked = desk_selectors.patients_by_ids(request.GET.getlist("pasien"), request.user)
    context |= {
        "picked": picked,
        "picked_ids": [str(p.pk) for p in picked],
    }
    if picked:
        facility = counter_facility(request)
        today = facility.local_today()
        registering = request.method == "POST" and not _is_search(request)
        data = request.POST if registering else None
        form = WalkInForm(desk_selectors.counter_offers(today, facility=facility), data)
        rows = WalkInRowFormSet(
            data, prefix="row", initial=[_default_row(p) for p in picked], form_kwargs={"pcare": is_puskesmas(facility)}
        )
        if registering:
            booked = _walk_in_post(request, form, rows, picked, today)
            if booked:
                return redirect(desk_url("desk_walk_in_done", kode=[b.code for b in booked]))
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
        booked = desk_services.walkin_register(
            actor=request.user, schedule_id=form.cleaned_data["schedule"], entries=entries
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return []
    counter_registered.send(sender=walk_in, bookings=booked, request=request, actor=request.user)
    messages.success(
        request,
        _("Registered: %(numbers)s.")
        % {"numbers": ", ".join(f"{b.patient.full_name} ({format_mrn(b.patient_mrn)}) {b.label}" for b in booked)},
    )
    return booked


@desk_view(VIEW)
def walk_in_done(request: HttpRequest) -> HttpResponse:
    bookings = desk_selectors.bookings_by_codes(request.GET.getlist("kode"), request.user)
    return render(
        request, "queueing/desk/walk_in_done.html", {"bookings": bookings, "codes": [b.code for b in bookings]}
    )


_NEXT_PAGES = {"daftar": "desk_walk_in", "kertas": "desk_paper"}


@desk_view()
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    """A new patient typed from the KTP/KK, then back to the walk-in (or paper) page with them picked."""
    facility = counter_facility(request)
    form = NewPatientForm(request.POST or None, account=request.user, facility=facility)
    next_page = _NEXT_PAGES.get(request.GET.get("lanjut"), "desk_walk_in")
    if request.method == "POST" and form.is_valid():
        try:
            patient = desk_services.patient_register(
                actor=request.user,
                facility=facility,
                mrn=form.cleaned_data["mrn"],
                nik_mismatch=form.cleaned_data["nik_mismatch"],
                **form.patient_values(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is registered as a new patient.") % {"name": patient.full_name})
            return redirect(desk_url(next_page, pasien=[*request.GET.getlist("pasien"), str(patient.pk)]))
    return render(
        request,
        "queueing/desk/patient_new.html",
        {"form": form, "back_url": desk_url(next_page, pasien=request.GET.getlist("pasien"))},
    )


@desk_view()
@require_POST
def patient_record_here(request: HttpRequest) -> HttpResponse:
    """Give a person known only at another facility this facility's medical record number, by full NIK."""
    form = RecordHereForm(request.POST)
    next_page = _NEXT_PAGES.get(request.GET.get("lanjut"), "desk_walk_in")
    back = request.GET.getlist("pasien")
    if not form.is_valid():
        messages.error(request, _("Search again by the full NIK."))
        return redirect(desk_url(next_page, pasien=back))
    person = desk_selectors.patient_elsewhere_by_nik(form.cleaned_data["nik"], request.user)
    if person is None:  # already one of ours (found by the search), or no such NIK
        messages.error(request, _("Search again by the full NIK."))
        return redirect(desk_url(next_page, pasien=back))
    facility = counter_facility(request)
    try:
        record = desk_services.patient_record_here(actor=request.user, patient=person, facility=facility)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(desk_url(next_page, pasien=back))
    messages.success(
        request,
        _("%(name)s now has the medical record number %(mrn)s at %(facility)s.")
        % {"name": person.full_name, "mrn": format_mrn(record.mrn), "facility": facility.name},
    )
    return redirect(desk_url(next_page, pasien=[*back, str(person.pk)]))


@desk_view()
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest) -> HttpResponse:
    """Enter the paper forms afterwards, one row at a time, with the time really written on them."""
    context = _search(request)
    picked = desk_selectors.patients_by_ids(request.GET.getlist("pasien")[-1:], request.user)
    patient = picked[0] if picked else None
    form = None
    if patient is not None:
        facility = counter_facility(request)
        initial = {"date": facility.local_today(), **_default_row(patient)}
        form = PaperForm(None if _is_search(request) else request.POST or None, initial=initial, facility=facility)
        if form.is_bound and form.is_valid():
            booking = _paper_post(request, form, patient)
            if booking:
                return redirect(desk_url("desk_paper"))
    return render(request, "queueing/desk/paper_entry.html", context | {"patient": patient, "form": form})


def _paper_post(request: HttpRequest, form: PaperForm, patient) -> Booking | None:
    data = form.cleaned_data
    entry = desk_services.CounterEntry(
        patient_id=patient.pk,
        guarantor_id=data["guarantor"].pk,
        card_number=data["card_number"],
        referral_number=data["referral_number"],
        **_pcare_values(data),
    )
    try:
        booking = desk_services.paper_register(
            actor=request.user,
            schedule_id=data["schedule"].pk,
            date=data["date"],
            registered_at=data["registered_at"],
            entry=entry,
            status=data["status"],
            note=data["note"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(
        request,
        _("Entered: %(name)s, %(label)s at %(time)s (booking %(code)s).")
        % {
            "name": patient.full_name,
            "label": booking.label,
            "code": booking.code,
            "time": selectors.settings_for(booking)
            .facility.local_now(booking.registered_at)
            .strftime("%d-%m-%Y %H:%M"),
        },
    )
    return booking
