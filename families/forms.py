"""Family-member forms: each checks the shape of its input and says what is wrong under the field.

Rules that need the database (NIK already registered, one "self" per account, same KK) are
checked by the services, which attach their errors to the same fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.phone import format_mobile, normalize_mobile
from facilities.models import Facility, default_facility
from facilities.selectors import is_multi_facility, site_facility
from families.models import REQUIRED_PATIENT_FIELDS, DocumentKind, Patient, Relationship
from families.selectors import MemberAccess
from families.services import IDENTITY_FIELDS
from families.validators import (
    PROVINCES,
    nik_mismatch,
    normalize_mrn,
    validate_birth_date,
    validate_kk,
    validate_nik,
)
from guarantors.validators import validate_card_number
from portal.lib.dates import INPUT_FORMATS, DateInput
from portal.lib.uploads import ACCEPT, UploadField

PATIENT_FIELDS = [
    "full_name",
    "nik",
    "kk_number",
    "sex",
    "birth_place",
    "birth_date",
    "mother_name",
    "address_street",
    "address_rt",
    "address_rw",
    "address_village",
    "address_district",
    "address_regency",
    "address_province",
    "phone",
    "religion",
    "blood_type",
    "marital_status",
    "education",
    "occupation",
    "bpjs_number",
]
_DIGITS = {"inputmode": "numeric", "autocomplete": "off"}


def _helper() -> FormHelper:
    """Templates write the <form> tag and the CSRF token; crispy renders fields and errors."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _birth_date_field(**kwargs: Any) -> forms.DateField:
    return forms.DateField(label=_("Date of birth"), widget=DateInput(), input_formats=INPUT_FORMATS, **kwargs)


class PatientFieldsForm(forms.ModelForm):
    """The patient's own data (SOP 000 E): required fields marked *, formats checked here."""

    confirm_nik = forms.BooleanField(
        label=_("My data matches my ID card (KTP/KK)"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("Tick this only if the birth date and sex above are exactly as printed on the card."),
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {"birth_date": DateInput(), "address_street": forms.TextInput()}

    def __init__(self, *args: Any, account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        for name, field in self.fields.items():
            if name in REQUIRED_PATIENT_FIELDS:
                field.required = True
        if "kk_number" in self.fields and settings.FAMILY_KK_MUST_MATCH:
            self.fields["kk_number"].required = True
        self._tune_widgets()
        if self.instance.nik_mismatch and "confirm_nik" in self.fields:
            self.initial.setdefault("confirm_nik", True)
            self.fields["confirm_nik"].widget = forms.CheckboxInput()
        self.helper = _helper()

    def _tune_widgets(self) -> None:
        fields = self.fields
        if "birth_date" in fields:
            fields["birth_date"].input_formats = INPUT_FORMATS
        for name in ("nik", "kk_number", "bpjs_number", "address_rt", "address_rw"):
            if name in fields:
                fields[name].widget.attrs.update(_DIGITS)
        if "nik" in fields:
            fields["nik"].help_text = _("16 digits, as printed on the ID card (KTP) or family card (KK).")
        if "phone" in fields:
            fields["phone"].help_text = _("Mobile number, e.g. 0812-3456-7890 (for a child, a parent's number).")
            fields["phone"].widget.attrs.update({"inputmode": "tel"})
            if self.instance.phone and not self.is_bound:
                self.initial["phone"] = format_mobile(self.instance.phone)
        if "address_province" in fields:
            choices = [("", "---------")] + [(name, name) for name in PROVINCES.values()]
            current = self.instance.address_province
            if current and current not in PROVINCES.values():
                choices.append((current, current))  # imported spelling: keep it selectable
            fields["address_province"] = forms.ChoiceField(
                label=fields["address_province"].label, choices=choices, required=fields["address_province"].required
            )

    def validate_unique(self) -> None:
        """Skip the model's unique checks: the services check NIK uniqueness under the rate limit,
        with a message that reveals nothing about the other record."""

    def _get_validation_exclusions(self) -> set[str]:
        # Model.full_clean() would also run the NIK UniqueConstraint ("Patient with this NIK
        # already exists"), unthrottled; the format is checked in clean_nik instead.
        return super()._get_validation_exclusions() | {"nik"}

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_nik(self) -> str:
        value = self.cleaned_data.get("nik", "")
        return validate_nik(value) if value else ""

    def clean_kk_number(self) -> str:
        value = self.cleaned_data.get("kk_number", "")
        return validate_kk(value) if value else ""

    def clean_bpjs_number(self) -> str:
        value = self.cleaned_data.get("bpjs_number", "")
        return validate_card_number(value) if value else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        return normalize_mobile(value) if value else ""

    def clean_birth_date(self) -> dt.date | None:
        value = self.cleaned_data.get("birth_date")
        return validate_birth_date(value) if value else value

    def _clean_rt_rw(self, name: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if value and not (value.isascii() and value.isdigit() and len(value) <= 3):
            raise ValidationError(_("Enter up to 3 digits, e.g. 004."), code="rt_rw_format")
        return value.zfill(3) if value else ""

    def clean_address_rt(self) -> str:
        return self._clean_rt_rw("address_rt")

    def clean_address_rw(self) -> str:
        return self._clean_rt_rw("address_rw")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mismatch = nik_mismatch(*(self._current(data, name) for name in ("nik", "birth_date", "sex")))
        if mismatch and "confirm_nik" in self.fields:
            self.fields["confirm_nik"].widget = forms.CheckboxInput()
            if not data.get("confirm_nik"):
                self.add_error(
                    "confirm_nik",
                    ValidationError(
                        _(
                            "The date of birth or sex does not match the NIK. Check them; if they are exactly as on the "
                            "ID card, tick this box and the registration counter will verify it."
                        ),
                        code="nik_mismatch",
                    ),
                )
        data["nik_mismatch"] = mismatch
        return data

    def _current(self, data: dict[str, Any], name: str) -> Any:
        """The submitted value, or the record's when the field is not on this form or not editable."""
        if name in self.fields and not self.fields[name].disabled:
            return data.get(name)
        return getattr(self.instance, name)

    def patient_values(self) -> dict[str, Any]:
        """Cleaned patient fields to hand to a service."""
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS if name in self.fields}


def _patient_layout(*top: Any) -> Layout:
    return Layout(
        Fieldset(
            _("Identity"),
            *top,
            "full_name",
            "nik",
            "kk_number",
            Row(
                Column("sex", css_class="col-md-4"),
                Column("birth_place", css_class="col-md-4"),
                Column("birth_date", css_class="col-md-4"),
            ),
            Field("confirm_nik"),
            "mother_name",
        ),
        Fieldset(
            _("Address"),
            "address_street",
            Row(Column("address_rt"), Column("address_rw")),
            Row(Column("address_village", css_class="col-md-6"), Column("address_district", css_class="col-md-6")),
            Row(Column("address_regency", css_class="col-md-6"), Column("address_province", css_class="col-md-6")),
        ),
        Fieldset(
            _("Other data"),
            "phone",
            Row(Column("religion", css_class="col-md-6"), Column("blood_type", css_class="col-md-6")),
            Row(Column("marital_status", css_class="col-md-6"), Column("education", css_class="col-md-6")),
            "occupation",
            "bpjs_number",
        ),
    )


def _relationship_field(exclude_self: bool) -> forms.ChoiceField:
    choices = [c for c in Relationship.choices if not (exclude_self and c[0] == Relationship.SELF)]
    return forms.ChoiceField(label=_("Relationship to you"), choices=[("", "---------")] + choices)


class NewMemberForm(PatientFieldsForm):
    """Tab "New patient": someone who has never been registered at the hospital."""

    def __init__(self, *args: Any, account, **kwargs: Any) -> None:
        super().__init__(*args, account=account, **kwargs)
        has_self = account.patient_links.filter(relationship=Relationship.SELF).exists()
        self.fields["relationship"] = _relationship_field(exclude_self=has_self)
        self.order_fields(["relationship"])
        self.helper.layout = _patient_layout("relationship")


class MemberEditForm(PatientFieldsForm):
    """Edit a member (SOP 000 G). After the hospital assigned an MRN, identity is the counter's to change."""

    def __init__(self, *args: Any, account, link, **kwargs: Any) -> None:
        super().__init__(*args, account=account, instance=link.patient, **kwargs)
        self.access = MemberAccess(link)
        if not self.access.verified:
            # Unverified link (MRN + birth date only): only the empty fields, write-only; the page
            # shows the filled ones read-only and masked.
            for name in PATIENT_FIELDS:
                if not self.access.may_change(name, getattr(link.patient, name)):
                    del self.fields[name]
        is_self = link.relationship == Relationship.SELF
        has_other_self = account.patient_links.filter(relationship=Relationship.SELF).exclude(pk=link.pk).exists()
        self.fields["relationship"] = _relationship_field(exclude_self=has_other_self and not is_self)
        self.initial["relationship"] = link.relationship
        if link.patient.records.exists():  # registered by a facility
            for name in IDENTITY_FIELDS:
                if name in self.fields and getattr(link.patient, name) not in ("", None):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "Registered by the hospital; ask the registration counter to correct it."
                    )
        self.helper.layout = _patient_layout("relationship") if self.access.verified else None


class ExistingLookupForm(forms.Form):
    """Tab "Existing patient" and "Cek Nomor Rekam Medis": the facility, then MRN + date of birth.

    A medical record number belongs to a facility: with several, the person chooses which one's
    card they hold first; a single-facility deployment shows no choice (cleaned_data still names it).
    """

    facility = forms.ModelChoiceField(
        label=_("Health facility"),
        queryset=Facility.objects.active(),
        empty_label=_("Choose the facility that issued the card"),
        help_text=_("Each hospital or puskesmas gives its own medical record number."),
    )
    mrn = forms.CharField(
        label=_("Medical record number"),
        max_length=30,
        help_text=_("As printed on the patient card; dashes and spaces are allowed."),
        widget=forms.TextInput(attrs=_DIGITS),
    )
    birth_date = _birth_date_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.single = None if is_multi_facility() else (site_facility() or default_facility())
        if self.single is not None:
            del self.fields["facility"]
        self.helper = _helper()

    def clean_mrn(self) -> str:
        facility = self.single or self.cleaned_data.get("facility")
        if facility is None:
            return self.cleaned_data["mrn"]  # the facility's own error says what to fix first
        return normalize_mrn(self.cleaned_data["mrn"], facility)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.single is not None:
            cleaned["facility"] = self.single
        return cleaned


class ExistingConfirmForm(PatientFieldsForm):
    """After a match: the relationship, "Yes, this is my family member", and any data still missing."""

    confirm = forms.BooleanField(
        label=_("Yes, this is my family member"),
        required=True,
        error_messages={"required": _("Tick this box to confirm that this patient is your family member.")},
    )

    def __init__(self, *args: Any, account, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, account=account, instance=patient, **kwargs)
        for name in PATIENT_FIELDS:
            if getattr(patient, name) not in ("", None):
                del self.fields[name]  # only what is missing: never show or overwrite the hospital's data
        has_self = account.patient_links.filter(relationship=Relationship.SELF).exists()
        self.fields["relationship"] = _relationship_field(exclude_self=has_self)
        self.order_fields(["confirm", "relationship"])
        self.helper.layout = None


class DocumentUploadForm(forms.Form):
    """One identity document: KTP, KK or BPJS card, as a photo or a PDF scan."""

    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = UploadField(
        label=_("File"),
        help_text=_("Photo (JPEG, PNG) or PDF scan, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:  # an unverified link: only the kinds still missing
            self.fields["kind"].choices = [c for c in DocumentKind.choices if c[0] in kinds]
        self.helper = _helper()
