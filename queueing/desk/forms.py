"""Counter desk forms: each checks the shape of its input; the desk services check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, FacilityKind
from families.forms import PatientFieldsForm
from families.validators import normalize_mrn, validate_nik
from guarantors.forms import GuarantorNumbersForm
from guarantors.models import GuarantorType
from portal.lib.dates import DateInput
from queueing.desk.selectors import CounterOffer, normalize_code
from queueing.desk.services import PAPER_STATUSES
from queueing.models import BookingStatus, CareKind, Clinic, Schedule, VisitKind, Weekday


def is_puskesmas(facility: Facility) -> bool:
    """A puskesmas counter records seed 001's PCare fields with each registration."""
    return facility.kind == FacilityKind.PUSKESMAS


def _helper() -> FormHelper:
    """Templates write the <form> tag and the CSRF token; crispy renders fields and errors."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class DeskForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class FacilitySwitchForm(forms.Form):
    """The desk header's facility switch: only the clerk's own facilities are valid choices."""

    facility = forms.TypedChoiceField(label=_("Facility"), coerce=int)

    def __init__(self, facilities: list[Facility], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [(f.pk, f.name) for f in facilities]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class CheckInForm(DeskForm):
    """One input: a barcode/QR scanner types the code and Enter, or the clerk types it."""

    code = forms.CharField(
        label=_("Booking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control-lg",
                "id": "checkin-code",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(_("A booking code has 8 letters and digits, e.g. K7M2Q9XD."), code="code_format")
        return code


class PatientSearchForm(DeskForm):
    q = forms.CharField(
        label=_("Find a patient"),
        min_length=2,
        max_length=100,
        help_text=_("Medical record number, NIK or family card number, name, or date of birth (dd/mm/yyyy)."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class RecordHereForm(forms.Form):
    """The NIK of a person found at another facility (sent back from the search result)."""

    nik = forms.CharField(max_length=32, widget=forms.HiddenInput)

    def clean_nik(self) -> str:
        return validate_nik(self.cleaned_data["nik"])


def offer_label(offer: CounterOffer) -> str:
    schedule = offer.schedule
    return _("%(clinic)s · %(doctor)s · %(start)s–%(end)s · %(left)d places left") % {
        "clinic": schedule.clinic.name,
        "doctor": schedule.doctor.name,
        "start": schedule.start_time.strftime("%H:%M"),
        "end": schedule.end_time.strftime("%H:%M"),
        "left": offer.places_left,
    }


class ScheduleChoiceForm(DeskForm):
    """Choose one of today's sessions; the service re-checks it is open and has places."""

    schedule = forms.TypedChoiceField(label=_("Clinic and doctor"), coerce=int)

    def __init__(self, offers: list[CounterOffer], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schedule"].choices = [("", "---------")] + [
            (offer.schedule.pk, offer_label(offer)) for offer in offers
        ]


class WalkInForm(ScheduleChoiceForm):
    pass


class GuarantorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: GuarantorType) -> str:
        return obj.name


class DeskGuarantorForm(DeskForm, GuarantorNumbersForm):
    """Guarantor (by id, no BPJS question here: the view asks), card and referral as in the booking wizard."""

    guarantor = GuarantorChoiceField(label=_("Guarantor"), queryset=GuarantorType.objects.none())
    # Seed 001 steps 11-14, in PCare's terms: only at a puskesmas counter (`pcare=True`).
    visit_kind = forms.ChoiceField(label=_("Visit type"), choices=VisitKind.choices, initial=VisitKind.SICK)
    care_kind = forms.ChoiceField(label=_("Care"), choices=CareKind.choices, initial=CareKind.OUTPATIENT)
    complaint = forms.CharField(
        label=_("Complaint"),
        max_length=300,
        required=False,
        help_text=_("The patient's complaint in their own words (keluhan)."),
    )

    field_order = ["guarantor", "card_number", "referral_number", "visit_kind", "care_kind", "complaint"]
    PCARE_FIELDS = ("visit_kind", "care_kind", "complaint")

    def __init__(self, *args: Any, pcare: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not pcare:
            for name in self.PCARE_FIELDS:
                del self.fields[name]
        self.fields["guarantor"].queryset = GuarantorType.objects.filter(is_active=True).order_by("sort_order", "name")
        for name in ("card_number", "referral_number"):
            self.fields[name].widget.attrs.update({"autocomplete": "off"})
            self.fields[name].help_text = ""  # the clerk reads the card itself

    def clean(self) -> dict:
        data = super().clean()
        if data.get("guarantor") is not None:
            self.clean_numbers(data["guarantor"])
        return data


WalkInRowFormSet = forms.formset_factory(DeskGuarantorForm, extra=0)


class MoveForm(ScheduleChoiceForm):
    reason = forms.CharField(
        label=_("Why"), max_length=300, initial=_("Wrong clinic chosen"), help_text=_("Kept in the booking's history.")
    )


class RejectForm(forms.Form):
    """A clerk must say why (SOP 002 step 4); the applicant reads it in 'My bookings'."""

    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant sees this reason in 'My bookings' and can book again."),
        error_messages={"required": _("Give the reason for the rejection.")},
    )


class NewPatientForm(PatientFieldsForm):
    """A new patient at the counter, typed from the KTP/KK (SOP 004 "pasien baru")."""

    mrn = forms.CharField(
        label=_("Medical record number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty if the medical record number is given later."),
    )

    field_order = ["mrn"]

    def __init__(self, *args: Any, account, facility: Facility | None = None, **kwargs: Any) -> None:
        super().__init__(*args, account=account, **kwargs)
        self.facility = facility  # the clerk's: a typed number is this facility's (and has its width)
        self.fields["confirm_nik"].label = _("The data matches the ID card (KTP/KK)")
        self.fields["confirm_nik"].help_text = _(
            "Tick only after checking the card: the NIK does not match the date of birth or sex."
        )

    def clean_mrn(self) -> str | None:
        value = self.cleaned_data.get("mrn", "")
        return normalize_mrn(value, self.facility) if value else None


class PaperForm(DeskGuarantorForm):
    """One row of the manual form written while the system was down (SOP 001 step 16)."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(
        label=_("Time registered"),
        widget=TimeInput(),
        help_text=_("When the patient was really registered, as written on the form."),
    )
    schedule = forms.ModelChoiceField(label=_("Clinic and doctor"), queryset=Schedule.objects.none())
    status = forms.ChoiceField(
        label=_("What happened"), choices=[(s.value, s.label) for s in PAPER_STATUSES], initial=BookingStatus.SERVED
    )
    note = forms.CharField(label=_("Form number or remark"), max_length=200, required=False)

    field_order = [
        "date",
        "time",
        "schedule",
        "guarantor",
        "card_number",
        "referral_number",
        "visit_kind",
        "care_kind",
        "complaint",
        "status",
        "note",
    ]

    def __init__(self, *args: Any, facility: Facility, **kwargs: Any) -> None:
        super().__init__(*args, pcare=is_puskesmas(facility), **kwargs)
        self.facility = facility
        field = self.fields["schedule"]
        field.queryset = (
            Schedule.objects.filter(active=True, clinic__facility=facility)
            .select_related("clinic", "doctor")
            .order_by("clinic__sort_order", "weekday", "start_time")
        )
        field.label_from_instance = lambda s: (
            f"{s.clinic.name} · {s.doctor.name} · {Weekday(s.weekday).label} {s.start_time:%H:%M}–{s.end_time:%H:%M}"
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date") and data.get("time"):
            # The time written on the form is the facility's wall clock.
            data["registered_at"] = self.facility.make_aware(dt.datetime.combine(data["date"], data["time"]))
        return data


class RegisterForm(DeskForm):
    date = forms.DateField(label=_("Date"), widget=DateInput(), required=False)
    clinic = forms.ModelChoiceField(
        label=_("Clinic"), queryset=Clinic.objects.all(), required=False, empty_label=_("All clinics")
    )

    def __init__(self, *args: Any, facility: Facility, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = Clinic.objects.filter(facility=facility)
