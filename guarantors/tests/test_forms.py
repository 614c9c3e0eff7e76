"""GuarantorFieldsForm: errors under the right field with codes; BPJS asked through the simulator."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.utils import timezone

from guarantors import simulator
from guarantors.forms import GuarantorContext, GuarantorFieldsForm

VALID = "0902P0010000Y000001"
EXPIRED = "0902P0010000Y000002"


def budi(clinic: str = "INT") -> GuarantorContext:
    return GuarantorContext(
        full_name="Budi Santoso", birth_date=date(1985, 4, 12), clinic_bpjs_code=clinic, exam_date=timezone.localdate()
    )


def form_for(data: dict, context: GuarantorContext | None = None) -> GuarantorFieldsForm:
    form = GuarantorFieldsForm(data, context=context or budi())
    form.is_valid()
    return form


def codes(form: GuarantorFieldsForm, field: str) -> list[str]:
    return [error.code for error in form.errors.as_data().get(field, [])]


pytestmark = pytest.mark.usefixtures("guarantor_types")


def test_self_pay_needs_no_card_and_drops_typed_numbers(bpjs):
    form = form_for({"guarantor_type": "umum", "card_number": "123", "referral_number": "x"})
    assert form.is_valid()
    assert (form.cleaned_data["card_number"], form.cleaned_data["referral_number"]) == ("", "")
    assert form.eligibility is None and bpjs.request_paths == []


def test_guarantor_type_is_required_and_must_be_active(guarantor_types):
    assert codes(form_for({}), "guarantor_type") == ["required"]
    guarantor_types["taspen"].is_active = False
    guarantor_types["taspen"].save()
    assert codes(form_for({"guarantor_type": "taspen"}), "guarantor_type") == ["invalid_choice"]


def test_bpjs_with_valid_card_and_referral_is_valid_and_verified(bpjs):
    form = form_for({"guarantor_type": "bpjs-kesehatan", "card_number": "0001 2345 67890", "referral_number": VALID})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["card_number"] == "0001234567890"
    assert form.eligibility.status == "verified"


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"card_number": "", "referral_number": VALID}, "card_number", "card_required"),
        ({"card_number": "12345", "referral_number": VALID}, "card_number", "card_format"),
        ({"card_number": "0001234567890", "referral_number": ""}, "referral_number", "referral_required"),
        ({"card_number": "0001234567890", "referral_number": "abc"}, "referral_number", "referral_format"),
        ({"card_number": "00012345678901", "referral_number": VALID}, "card_number", "card_format"),  # 14 digits
        ({"card_number": "0001234567890", "referral_number": VALID[:-1]}, "referral_number", "referral_format"),  # 18
        ({"card_number": "0001234567890", "referral_number": VALID + "1"}, "referral_number", "referral_format"),  # 20
    ],
)
def test_bpjs_format_errors_appear_under_their_field_without_asking_bpjs(bpjs, data, field, code):
    form = form_for({"guarantor_type": "bpjs-kesehatan", **data})
    assert codes(form, field) == [code]
    assert form.eligibility is None and bpjs.request_paths == []


def test_expired_referral_error_is_under_the_referral_field(bpjs):
    form = form_for({"guarantor_type": "bpjs-kesehatan", "card_number": "0001234567890", "referral_number": EXPIRED})
    assert codes(form, "referral_number") == ["referral_expired"] and codes(form, "card_number") == []
    assert form.eligibility.status == "rejected"


def test_inactive_card_error_is_under_the_card_field(bpjs):
    context = GuarantorContext(
        full_name="Andi Pratama", birth_date=date(1990, 1, 15), clinic_bpjs_code="INT", exam_date=timezone.localdate()
    )
    form = form_for(
        {"guarantor_type": "bpjs-kesehatan", "card_number": "0002000000011", "referral_number": "0902P0010000Y000006"},
        context,
    )
    assert codes(form, "card_number") == ["participant_inactive"]


def test_referral_for_another_clinic_is_refused_for_the_chosen_clinic(bpjs):
    form = form_for(
        {"guarantor_type": "bpjs-kesehatan", "card_number": "0001234567890", "referral_number": VALID},
        budi(clinic="MAT"),
    )
    assert codes(form, "referral_number") == ["referral_other_clinic"]


def test_bpjs_outage_leaves_the_form_valid_and_unverified(bpjs):
    form = form_for(
        {"guarantor_type": "bpjs-kesehatan", "card_number": simulator.CARD_SERVER_ERROR, "referral_number": VALID}
    )
    assert form.is_valid()
    assert form.eligibility.status == "unverified" and form.eligibility.message
    assert form.cleaned_data["card_number"] == simulator.CARD_SERVER_ERROR  # nothing typed is lost


def test_private_insurance_checks_the_policy_number_format(bpjs):
    assert codes(form_for({"guarantor_type": "asuransi"}), "card_number") == ["card_required"]
    assert codes(form_for({"guarantor_type": "asuransi", "card_number": "a b"}), "card_number") == ["card_format"]
    assert form_for({"guarantor_type": "asuransi", "card_number": "POL-2026/0001"}).is_valid()


class BookingLikeForm(GuarantorFieldsForm):
    """How queueing embeds it: the context comes from the booking form's own fields."""

    full_name = forms.CharField()
    birth_date = forms.DateField()
    clinic_code = forms.CharField()
    exam_date = forms.DateField()

    def guarantor_context(self) -> GuarantorContext | None:
        data = self.cleaned_data
        if not all(data.get(k) for k in ("full_name", "birth_date", "clinic_code", "exam_date")):
            return None
        return GuarantorContext(
            full_name=data["full_name"],
            birth_date=data["birth_date"],
            clinic_bpjs_code=data["clinic_code"],
            exam_date=data["exam_date"],
        )


def test_a_subclass_supplies_the_context_from_its_own_fields(bpjs):
    data = {
        "guarantor_type": "bpjs-kesehatan",
        "card_number": "0001234567890",
        "referral_number": VALID,
        "full_name": "Budi Santoso",
        "birth_date": "1985-04-13",
        "clinic_code": "INT",
        "exam_date": timezone.localdate().isoformat(),
    }
    form = BookingLikeForm(data)
    assert not form.is_valid()
    assert codes(form, "card_number") == ["birth_date_mismatch"]


def test_a_subclass_with_invalid_own_fields_does_not_ask_bpjs(bpjs):
    form = BookingLikeForm(
        {
            "guarantor_type": "bpjs-kesehatan",
            "card_number": "0001234567890",
            "referral_number": VALID,
            "full_name": "Budi Santoso",
            "birth_date": "not a date",
        }
    )
    assert not form.is_valid() and form.eligibility is None and bpjs.request_paths == []
