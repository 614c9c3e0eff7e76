"""The booking wizard's steps (SOP 000 I): member, date, guarantor, clinic, doctor.

Pages about a person's visits are health data: they are sent with `never_cache` (no-store),
so a shared phone or proxy does not keep them. The confirm step, the one POST that books, is in
`confirm.py`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from facilities.models import Facility, default_facility
from facilities.selectors import active_facility, is_multi_facility, site_facility
from families.models import Patient
from guarantors.models import GuarantorKind, GuarantorType
from portal.lib.boost import follow
from portal.lib.dates import long_date
from queueing import selectors, services
from queueing.forms import ClinicForm, DateForm, DoctorForm, FacilityForm, GuarantorForm, MemberForm
from queueing.models import Booking, BookingSettings, Clinic
from queueing.wizard import STEPS, Wizard


def member_edit_url(patient: Patient) -> str:
    return reverse("families:member_edit", args=[patient.pk])


def member_complete_url(patient: Patient, back: str) -> str:
    """Only what the member lacks, then back into this booking step ("Lengkapi data" keeps the booking)."""
    return f"{reverse('families:member_complete', args=[patient.pk])}?{urlencode({'next': back})}"


# --- gate and wizard plumbing ----------------------------------------------------------------


def _gate_problems(user) -> list[dict[str, str]]:
    """What stops this account from booking at all, each with the page that fixes it."""
    problems = []
    try:
        services.check_account_may_book(user)
    except ValidationError as exc:
        link = {
            "email_unconfirmed": ("accounts:resend_confirmation", _("Send the confirmation link again")),
            "profile_incomplete": ("accounts:profile", _("Complete my profile")),
        }[exc.code]
        problems.append({"code": exc.code, "message": exc.messages[0], "url": reverse(link[0]), "link": link[1]})
    return problems


@dataclass
class State:
    """The wizard's answers turned back into objects, each checked again."""

    wizard: Wizard
    cfg: BookingSettings
    facility: Facility | None = None
    patient: Patient | None = None
    date: dt.date | None = None
    guarantor: GuarantorType | None = None
    clinic: Clinic | None = None
    offer: selectors.Offer | None = None
    problems: list[str] = field(default_factory=list)

    def summary(self) -> list[tuple[str, str, str]]:
        facility = self.facility and is_multi_facility() and self.facility.name
        rows = [
            ("facility", _("Facility"), facility),
            ("member", _("Patient"), self.patient and self.patient.full_name),
            ("date", _("Exam date"), self.date and long_date(self.date)),
            ("guarantor", _("Guarantor"), self.guarantor and self._guarantor_text()),
            ("clinic", _("Clinic"), self.clinic and self.clinic.name),
            ("doctor", _("Doctor"), self.offer and self.offer.schedule.doctor.name),
        ]
        return [(step, label, value) for step, label, value in rows if value]

    def _guarantor_text(self) -> str:
        card = self.wizard.data.get("card_number")
        return f"{self.guarantor.name} ({card})" if card else self.guarantor.name

    @property
    def switched_from(self) -> GuarantorType | None:
        return selectors.active_guarantors().get(str(self.wizard.data.get("switched_from")))


def resolve_state(request: HttpRequest, wizard: Wizard, upto: str) -> State:
    """Load the answers needed before step `upto`; a stale answer is forgotten, with a note why."""
    data, needed = wizard.data, STEPS[: STEPS.index(upto)]
    state = State(wizard=wizard, cfg=BookingSettings.current(data.get("facility")))
    if "facility" in needed:
        state.facility = active_facility(data.get("facility"))
        if state.facility is None:
            return _stale(state, "facility")
    if "member" in needed:
        # Only the guarantor step reads the member's BPJS number, through a verified link.
        members = selectors.bookable_patients(request.user, checks=upto == "guarantor")
        state.patient = members.filter(pk=_uuid_or_none(data.get("patient"))).first()
        if state.patient is None:
            return _stale(state, "patient")
    if "date" in needed:
        state.date = dt.date.fromisoformat(data["date"])
        try:
            services.check_date_bookable(state.cfg, state.date)
        except ValidationError as exc:
            return _stale(state, "date", exc.messages[0])
    if "guarantor" in needed:
        state.guarantor = selectors.active_guarantors().get(str(data.get("guarantor")))
        if state.guarantor is None:
            return _stale(state, "guarantor")
    if "clinic" in needed:
        state.clinic = selectors.open_clinic(state.date, data.get("clinic"), facility_id=state.cfg.facility_id)
        if state.clinic is None:
            return _stale(state, "clinic", _("This clinic has no practice on this date."))
    if "doctor" in needed:
        state.offer = selectors.offer_for(data.get("schedule"), state.date)
        if state.offer is None or state.offer.schedule.clinic_id != state.clinic.pk:
            return _stale(state, "schedule", _("This doctor has no practice on this date."))
    return state


def _uuid_or_none(value: Any) -> str | None:
    """A member id from the query string or an old session may be anything: never a 500."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _stale(state: State, key: str, message: str | None = None) -> State:
    state.wizard.forget(key)
    state.problems.append(message or _("Please choose again."))
    return state


def wizard_view(step: str):
    """Decorator: login, the account gate, the wizard from the session and its answers so far."""

    def decorate(view):
        @never_cache
        @login_required
        def wrapped(request: HttpRequest, wid: str, **kwargs: Any) -> HttpResponse:
            if _gate_problems(request.user):
                return follow(request, "queueing:booking_start")
            wizard = Wizard.load(request.session, wid)
            if wizard is None:
                return lost_wizard(request, wid)
            # A finished wizard is not reopened: its token already made this booking. Asked only of a
            # wizard that ever had every answer: one still being filled in cannot have booked.
            done = wizard.may_have_booked() and (
                Booking.objects.filter(confirm_token=wizard.token, account=request.user).only("code").first()
            )
            if done:
                return follow(request, "queueing:booking_detail", code=done.code)
            if not wizard.reachable(step):
                return follow(request, f"queueing:wizard_{wizard.first_missing_step()}", wid=wid)
            state = resolve_state(request, wizard, step)
            if state.problems:
                for problem in state.problems:
                    messages.warning(request, problem)
                return follow(request, f"queueing:wizard_{wizard.first_missing_step()}", wid=wid)
            return view(request, state, **kwargs)

        wrapped.__name__ = view.__name__
        return wrapped

    return decorate


def lost_wizard(request: HttpRequest, wid: str) -> HttpResponse:
    """A wizard no longer in the session (dropped as the oldest) leads to its booking if it made one."""
    try:
        booking = selectors.bookings_for(request.user).filter(confirm_token=wid).first()
    except ValidationError:  # not a UUID
        booking = None
    if booking:
        return follow(request, "queueing:booking_detail", code=booking.code)
    messages.info(request, _("That booking form has expired. Start again."))
    return follow(request, "queueing:booking_start")


def visible_steps() -> tuple[str, ...]:
    """The steps a person goes through: the facility only where there is a choice."""
    return STEPS if is_multi_facility() else STEPS[1:]


def render_step(request: HttpRequest, state: State, step: str, form, **extra: Any) -> HttpResponse:
    steps = visible_steps()
    context = {
        "state": state,
        "wizard": state.wizard,
        "step": step,
        "steps": steps,
        "step_number": steps.index(step) + 1,
        "step_count": len(steps),
        "form": form,
        **extra,
    }
    return render(request, f"queueing/wizard_{step}.html", context)


def _next(request: HttpRequest, state: State) -> HttpResponse:
    """On to the first step still unanswered (in this response when the form was boosted)."""
    return follow(request, f"queueing:wizard_{state.wizard.first_missing_step()}", wid=state.wizard.id)


# --- wizard steps ------------------------------------------------------------------------------


@login_required
def booking_start(request: HttpRequest) -> HttpResponse:
    """'Ambil Antrian': check the account, then open a wizard (prefilled when booking again)."""
    problems = _gate_problems(request.user)
    if problems:
        return render(request, "queueing/booking_blocked.html", {"problems": problems})
    prefill = {}
    again = request.GET.get("dari", "")
    if again.isascii() and again.isalnum():
        previous = selectors.bookings_for(request.user).filter(code=again).first()
        if previous:
            prefill = {
                "facility": previous.clinic.facility_id,
                "patient": str(previous.patient_id),
                "guarantor": previous.guarantor_id,
                "card_number": previous.card_number,
                "referral_number": previous.referral_number,
                "switched_from": previous.guarantor_switched_from_id,
                "clinic": previous.clinic_id,
            }
    patient = _uuid_or_none(request.GET.get("anggota"))
    if patient and not prefill:
        prefill = {"patient": patient}
    if not is_multi_facility():  # one facility: never a choice, the wizard starts at the member as before
        prefill["facility"] = (site_facility() or default_facility()).pk
    wizard = Wizard.start(request.session, **prefill)
    return follow(request, f"queueing:wizard_{wizard.first_missing_step()}", wid=wizard.id)


@wizard_view("facility")
def wizard_facility(request: HttpRequest, state: State) -> HttpResponse:
    """Seed 002 step 1: "Pemohon memilih Nama Puskesmas" (only shown with several facilities)."""
    if not is_multi_facility():
        state.wizard.save_step("facility", {"facility": (site_facility() or default_facility()).pk})
        return _next(request, state)
    form = FacilityForm(request.POST or None, initial={"facility": state.wizard.data.get("facility")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("facility", {"facility": form.cleaned_data["facility"].pk})
        return _next(request, state)
    return render_step(request, state, "facility", form)


@wizard_view("member")
def wizard_member(request: HttpRequest, state: State) -> HttpResponse:
    form = MemberForm(request.user, request.POST or None, initial={"patient": state.wizard.data.get("patient")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("member", {"patient": str(form.cleaned_data["patient"].pk)})
        return _next(request, state)
    here = request.get_full_path()
    members = [
        {"patient": p, "missing": selectors.member_missing_fields(p), "edit_url": member_complete_url(p, here)}
        for p in form.members()
    ]
    return render_step(request, state, "member", form, members=members)


@wizard_view("date")
def wizard_date(request: HttpRequest, state: State) -> HttpResponse:
    dates = selectors.open_dates(cfg=state.cfg)
    form = DateForm(dates, request.POST or None, initial={"date": state.wizard.data.get("date")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("date", {"date": form.cleaned_data["date"].isoformat()})
        return _next(request, state)
    return render_step(request, state, "date", form, dates=dates)


@wizard_view("guarantor")
def wizard_guarantor(request: HttpRequest, state: State) -> HttpResponse:
    """Guarantor, card and referral; "Cek Nomor Rujukan" asks BPJS and stays on the page (SOP 000 I.6)."""
    data = state.wizard.data
    state.clinic = _chosen_clinic(state)  # shown in the summary; BPJS then checks the referral's clinic too
    options = {"patient": state.patient, "exam_date": state.date, "clinic": state.clinic}
    if request.method == "POST":
        form = GuarantorForm(request.POST, **options)
        if form.is_valid() and request.POST.get("action") != "check":
            return _save_guarantor(request, state, form)
    elif data.get("guarantor_errors"):  # BPJS refused at a later step: show it under the field
        form = GuarantorForm.showing(_guarantor_values(state), data["guarantor_errors"], **options)
        state.wizard.forget("guarantor_errors")
    else:
        form = GuarantorForm(initial=_guarantor_values(state), **options)
    checked = request.POST.get("action") == "check" and form.eligibility is not None
    return render_step(
        request,
        state,
        "guarantor",
        form,
        edit_url=member_edit_url(state.patient),
        bpjs_number=selectors.readable_bpjs_number(state.patient),
        switching_from=_pending_switch(state),
        check=readable_check(form.eligibility.as_json()) if checked else None,
        **_guarantor_types_context(),
    )


def _chosen_clinic(state: State) -> Clinic | None:
    """The clinic when the person comes back from a later step: then the referral's clinic is checked too."""
    clinic_id = state.wizard.data.get("clinic")
    return selectors.open_clinic(state.date, clinic_id, facility_id=state.cfg.facility_id) if clinic_id else None


def _guarantor_values(state: State) -> dict[str, str]:
    """What the person chose and typed, or the member's BPJS number to start with."""
    data = state.wizard.data
    pending = data.get("pending_switch")
    guarantor = selectors.active_guarantors().get(str(data.get("guarantor")))
    if pending:  # just agreed to BPJS Kesehatan instead of JPKMKT: BPJS, with the active card
        bpjs = selectors.bpjs_kesehatan_type()
        return {
            "guarantor_type": bpjs.code if bpjs else "",
            "card_number": pending["card"],
            "referral_number": data.get("referral_number", ""),
        }
    return {
        "guarantor_type": guarantor.code if guarantor else "",
        "card_number": data.get("card_number") or selectors.readable_bpjs_number(state.patient),
        "referral_number": data.get("referral_number", ""),
    }


def _pending_switch(state: State) -> GuarantorType | None:
    pending = state.wizard.data.get("pending_switch")
    return selectors.active_guarantors().get(str(pending["from"])) if pending else None


def _guarantor_types_context() -> dict[str, Any]:
    """Each type's notes and documents, and what its fields need (for the page's script).

    The clinic's extra papers are added on the confirm page, once the clinic is known.
    """
    types = list(selectors.active_guarantors().values())
    meta = {
        g.code: {
            "card": g.needs_card_number,
            "referral": g.needs_referral,
            "bpjs": g.is_bpjs_kesehatan,
            "card_label": g.card_number_label,
        }
        for g in types
    }
    return {"types": [{"type": g, "documents": g.required_documents or []} for g in types], "type_meta": meta}


def readable_check(check: dict[str, Any]) -> dict[str, Any]:
    """An eligibility answer (as stored) with its dates as dates, for the templates."""
    referral = (check.get("summary") or {}).get("referral")
    if not referral or not referral.get("valid_until"):
        return check
    until = dt.date.fromisoformat(referral["valid_until"])
    return {**check, "summary": {**check["summary"], "referral": {**referral, "valid_until": until}}}


def _save_guarantor(request: HttpRequest, state: State, form: GuarantorForm) -> HttpResponse:
    wizard, cleaned = state.wizard, form.cleaned_data
    gtype = cleaned["guarantor_type"]
    if form.switch_to_bpjs:
        bpjs = selectors.bpjs_kesehatan_type()
        if bpjs is not None:
            wizard.put("pending_switch", {"from": gtype.pk, "card": form.jpkmkt_participant.card_number})
            messages.info(request, _("BPJS Kesehatan is now the guarantor. Enter the number of your referral letter."))
            return follow(request, "queueing:wizard_guarantor", wid=wizard.id)
    pending = wizard.data.get("pending_switch")
    # The consent holds while BPJS Kesehatan stays the guarantor (e.g. a corrected referral number).
    earlier = pending["from"] if pending else wizard.data.get("switched_from")
    switched_from = earlier if gtype.is_bpjs_kesehatan else None
    wizard.forget("pending_switch", "guarantor_errors")
    wizard.save_step(
        "guarantor",
        {
            "guarantor": gtype.pk,
            "card_number": cleaned["card_number"],
            "referral_number": cleaned["referral_number"],
            "switched_from": switched_from,
        },
    )
    if form.eligibility is not None:
        clinic = form.clinic.pk if form.clinic else None
        wizard.remember_check(form.eligibility.as_json(), verified=form.eligibility.is_verified, clinic_id=clinic)
    elif gtype.kind == GuarantorKind.JPKMKT:
        wizard.remember_check(form.jpkmkt_note(), verified=False, clinic_id=None)
    return _next(request, state)


@wizard_view("clinic")
def wizard_clinic(request: HttpRequest, state: State) -> HttpResponse:
    referral_clinic = _referral_clinic(state)
    clinics = selectors.open_clinics(state.date, facility_id=state.cfg.facility_id)
    practising = referral_clinic is not None and any(c.pk == referral_clinic.pk for c in clinics)
    chosen = state.wizard.data.get("clinic") or (referral_clinic.pk if practising else None)
    form = ClinicForm(
        clinics, request.POST or None, initial={"clinic": chosen}, first=referral_clinic if practising else None
    )
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("clinic", {"clinic": form.cleaned_data["clinic"].pk})
        return _next(request, state)
    other_dates = [] if practising or referral_clinic is None else _referral_clinic_dates(state, referral_clinic)
    return render_step(
        request,
        state,
        "clinic",
        form,
        referral_clinic=referral_clinic,
        referral_clinic_practising=practising,
        referral_clinic_dates=other_dates,
    )


def _referral_clinic(state: State) -> Clinic | None:
    """The clinic a checked BPJS referral is written for (SOP 000 I.6: "Cek Nomor Rujukan"), if we have it."""
    if state.guarantor is None or not state.guarantor.is_bpjs_kesehatan:
        return None
    entry = state.wizard.data.get("guarantor_check") or {}
    referral = ((entry.get("check") or {}).get("summary") or {}).get("referral") or {}
    code = (referral.get("poli_code") or "").strip()
    clinics = Clinic.objects.filter(bpjs_code__iexact=code, active=True, facility_id=state.cfg.facility_id)
    return clinics.first() if code else None


def _referral_clinic_dates(state: State, clinic: Clinic) -> list[dt.date]:
    """Open days on which the referral's clinic practises, while the referral is still valid."""
    entry = state.wizard.data.get("guarantor_check") or {}
    until = (((entry.get("check") or {}).get("summary") or {}).get("referral") or {}).get("valid_until")
    last = dt.date.fromisoformat(until) if until else None
    return [
        day
        for day in selectors.open_dates(cfg=state.cfg)
        if (last is None or day <= last)
        and selectors.open_clinic(day, clinic.pk, facility_id=clinic.facility_id) is not None
    ]


@wizard_view("doctor")
def wizard_doctor(request: HttpRequest, state: State) -> HttpResponse:
    offers = selectors.doctors_on(state.clinic, state.date)
    form = DoctorForm(offers, request.POST or None, initial={"schedule": state.wizard.data.get("schedule")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("doctor", {"schedule": form.cleaned_data["schedule"].schedule.pk})
        if eligibility(state) is None:  # the clinic is known now: BPJS checks the referral's clinic
            return back_to_guarantor(request, state)
        return _next(request, state)
    return render_step(request, state, "doctor", form, offers=offers)


# --- the eligibility answer (BPJS Kesehatan) ---------------------------------------------------


def eligibility(state: State) -> dict[str, Any] | None:
    """The guarantor check for the current answers: kept in the wizard, or asked now; None if BPJS refused.

    Runs before booking_create and outside any transaction. Only BPJS Kesehatan is asked; other
    types carry what their step noted (the JPKMKT rule) or nothing. A refusal is kept for the
    guarantor step, which shows it under the card or referral field with everything typed.
    """
    wizard, guarantor = state.wizard, state.guarantor
    clinic_id = state.clinic.pk if state.clinic else None
    stored = wizard.stored_check(clinic_id=clinic_id, clinic_matters=guarantor.is_bpjs_kesehatan)
    if stored is not None or not guarantor.is_bpjs_kesehatan:
        return stored or {"check": {}, "verified": False}
    data = wizard.data
    result = services.guarantor_eligibility(
        patient=state.patient,
        clinic=state.clinic,
        date=state.date,
        card_number=data.get("card_number", ""),
        referral_number=data.get("referral_number", ""),
    )
    if result.field_errors:
        wizard.put(
            "guarantor_errors", {name: [[str(m), c] for m, c in pairs] for name, pairs in result.field_errors.items()}
        )
        return None
    wizard.remember_check(result.as_json(), verified=result.is_verified, clinic_id=clinic_id)
    return wizard.stored_check(clinic_id=clinic_id, clinic_matters=True)


def back_to_guarantor(request: HttpRequest, state: State) -> HttpResponse:
    messages.error(request, _("BPJS did not accept the card or referral for this booking. Please check it below."))
    return follow(request, "queueing:wizard_guarantor", wid=state.wizard.id)
