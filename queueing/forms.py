"""Booking wizard forms: input shape and per-step checks; the service re-checks the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from families.models import Patient
from guarantors import services as guarantor_services
from guarantors.bpjs import Participant
from guarantors.forms import GuarantorContext, GuarantorFieldsForm
from guarantors.models import DocumentKind, GuarantorKind, GuarantorType
from portal.lib.dates import long_date
from portal.lib.uploads import UploadField
from queueing import selectors, services
from queueing.models import Clinic


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Patient) -> str:
        return obj.full_name


class MemberForm(forms.Form):
    patient = MemberChoiceField(
        label=_("Who is the appointment for?"),
        queryset=Patient.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your family members.")},
    )

    def __init__(self, account, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = selectors.bookable_patients(account)

    def members(self) -> list[Patient]:
        """The account's patients for the page, read once: the radio list shows the same rows."""
        patients = list(self.fields["patient"].queryset)
        self.fields["patient"].choices = [(str(p.pk), p.full_name) for p in patients]
        return patients

    def clean_patient(self) -> Patient:
        patient = self.cleaned_data["patient"]
        services.check_member(patient)
        return patient


class DateChoiceField(forms.ChoiceField):
    """Only open days are offered; anything else is refused with one code."""

    def validate(self, value: str) -> None:
        if value in self.empty_values:
            raise ValidationError(self.error_messages["required"], code="required")
        if not self.valid_value(value):
            raise ValidationError(
                _("Bookings for this date are not open. Choose another date."), code="date_unavailable"
            )

    def to_python(self, value) -> str:
        return "" if value in self.empty_values else str(value)


class DateForm(forms.Form):
    date = DateChoiceField(label=_("Exam date"))

    def __init__(self, dates: list[dt.date], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].choices = [("", _("Choose a date"))] + [(d.isoformat(), long_date(d)) for d in dates]

    def clean_date(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["date"])


class GuarantorTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: GuarantorType) -> str:
        return obj.name


JPKMKT_USE_BPJS, JPKMKT_KEEP = "bpjs", "jpkmkt"


class GuarantorForm(GuarantorFieldsForm):
    """The guarantor step: every active type, each with its own card and referral rules.

    The fields, their checks and the BPJS question are guarantors' GuarantorFieldsForm. Here:
    who and when the check is for (the family member and exam date; the clinic once chosen),
    and seed 004's rule for JPKMKT patients whose BPJS Kesehatan card is active.
    """

    guarantor_type = GuarantorTypeChoiceField(
        label=_("Guarantor (payment)"),
        queryset=GuarantorType.objects.none(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a guarantor."), "invalid_choice": _("Choose a guarantor from the list.")},
    )
    jpkmkt_choice = forms.ChoiceField(
        label=_("Which guarantor do you want to use?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (JPKMKT_USE_BPJS, _("BPJS Kesehatan (recommended: the hospital's rule for JPKMKT patients)")),
            (JPKMKT_KEEP, _("Keep JPKMKT; the registration desk will check it")),
        ],
    )

    def __init__(
        self, *args: Any, patient: Patient, exam_date: dt.date, clinic: Clinic | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient, self.exam_date, self.clinic = patient, exam_date, clinic
        self.jpkmkt_participant: Participant | None = None

    def guarantor_context(self) -> GuarantorContext:
        return GuarantorContext(
            full_name=self.patient.full_name,
            birth_date=self.patient.birth_date,
            clinic_bpjs_code=self.clinic.bpjs_code if self.clinic else "",
            exam_date=self.exam_date,
        )

    def clean_guarantor(self) -> None:
        super().clean_guarantor()
        gtype = self.cleaned_data.get("guarantor_type")
        if gtype is not None and gtype.kind == GuarantorKind.JPKMKT:
            self._jpkmkt_rule()

    def _jpkmkt_rule(self) -> None:
        """Seed 004: with an active BPJS card, BPJS Kesehatan is the first guarantor; the person agrees first."""
        self.jpkmkt_participant = guarantor_services.jpkmkt_should_switch_to_bpjs(
            card_number=self.patient.bpjs_number or "", nik=self.patient.nik or "", exam_date=self.exam_date
        )
        if self.jpkmkt_participant is not None and not self.cleaned_data.get("jpkmkt_choice"):
            self.add_error(
                "jpkmkt_choice",
                ValidationError(
                    _("Choose whether to book with BPJS Kesehatan or to keep JPKMKT."), code="jpkmkt_choice_required"
                ),
            )

    @property
    def switch_to_bpjs(self) -> bool:
        return self.jpkmkt_participant is not None and self.cleaned_data.get("jpkmkt_choice") == JPKMKT_USE_BPJS

    def jpkmkt_note(self) -> dict[str, Any]:
        """For the booking's guarantor_check: what the JPKMKT rule found and what the person chose."""
        participant = self.jpkmkt_participant
        return {
            "jpkmkt_rule": {
                "checked_at": timezone.now().isoformat(),
                "bpjs_card_active": participant is not None,
                "bpjs_card": participant.card_number if participant else "",
                "kept_jpkmkt": participant is not None,
            }
        }

    @classmethod
    def showing(cls, values: dict[str, str], errors: dict[str, list[list[str]]], **kwargs: Any) -> GuarantorForm:
        """The step again with a rejection found at a later step (clinic known), without asking BPJS twice."""
        form = cls(values, **kwargs)
        form.cleaned_data, form._errors = {}, ErrorDict()  # errors as BPJS gave them, not a fresh clean()
        for field_name, pairs in errors.items():
            for message, code in pairs:
                form.add_error(field_name, ValidationError(message, code=code))
        return form


class FacilityForm(forms.Form):
    """Seed 002 step 1: the puskesmas or hospital (only asked when the deployment has several)."""

    facility = forms.ModelChoiceField(
        label=_("Facility"),
        queryset=Facility.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the facilities listed.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.active()


class ClinicForm(forms.Form):
    """The clinics practising on the chosen date (`selectors.open_clinics`): no query to show or check them."""

    clinic = forms.ChoiceField(label=_("Clinic"), widget=forms.RadioSelect)

    def __init__(self, clinics: list[Clinic], *args, first: Clinic | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if first is not None:  # the BPJS referral's clinic heads the list
            clinics = sorted(clinics, key=lambda c: c.pk != first.pk)
        self.clinics = {str(c.pk): c for c in clinics}
        self.fields["clinic"].choices = [(key, c.name) for key, c in self.clinics.items()]
        self.fields["clinic"].error_messages["invalid_choice"] = _("This clinic has no practice on this date.")

    def clean_clinic(self) -> Clinic:
        return self.clinics[self.cleaned_data["clinic"]]


def offer_label(offer: selectors.Offer) -> str:
    schedule = offer.schedule
    hours = f"{schedule.start_time:%H:%M}–{schedule.end_time:%H:%M}"
    places = _("full") if offer.full else _("%(n)s places left") % {"n": offer.places_left}
    return f"{schedule.doctor.name} · {hours} · {places}"


class DoctorForm(forms.Form):
    schedule = forms.ChoiceField(label=_("Doctor"), widget=forms.RadioSelect)

    def __init__(self, offers: list[selectors.Offer], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offers = {str(o.schedule.pk): o for o in offers}
        self.fields["schedule"].choices = [(key, offer_label(o)) for key, o in self.offers.items()]
        self.fields["schedule"].error_messages["invalid_choice"] = _("This doctor has no practice on this date.")

    def clean_schedule(self) -> selectors.Offer:
        offer = self.offers[self.cleaned_data["schedule"]]
        if offer.full:
            raise ValidationError(
                _("No places are left with this doctor on this date. Choose another doctor or date."), code="full"
            )
        return offer


class ConfirmForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    # Shown only where the guarantor or clinic asks for a letter; optional: the checklist says to bring it.
    document = UploadField(label=_("Photo or scan of the letter (optional)"), required=False)
    document_kind = forms.ChoiceField(label=_("Which letter is it?"), choices=DocumentKind.choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("document") and not data.get("document_kind"):
            self.add_error(
                "document_kind", ValidationError(_("Choose which letter this is."), code="document_kind_required")
            )
        return data


class DocumentUploadForm(forms.Form):
    """A letter added on the booking's page after booking."""

    document = UploadField(label=_("Photo or scan of the letter"))
    kind = forms.ChoiceField(label=_("Which letter is it?"), choices=DocumentKind.choices)
