"""Each family form's bad inputs: the error sits under the right field with a code."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from facilities.models import Facility, default_facility
from families.forms import ExistingConfirmForm, ExistingLookupForm, MemberEditForm, NewMemberForm
from families.models import AccountPatient
from families.tests.conftest import KK, form_data, make_patient

pytestmark = pytest.mark.django_db


def codes(form) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in form.errors.as_data().items()}


def new_form(account, **overrides) -> NewMemberForm:
    return NewMemberForm(form_data(**overrides), account=account)


def test_new_member_form_accepts_a_complete_record(patient):
    form = new_form(patient)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+6281211112222"
    assert form.cleaned_data["nik_mismatch"] is False


def test_new_member_form_marks_the_sop_fields_required(patient):
    form = NewMemberForm({}, account=patient)
    assert not form.is_valid()
    required = {f for f, c in codes(form).items() if c == ["required"]}
    assert {
        "relationship",
        "full_name",
        "nik",
        "sex",
        "birth_place",
        "birth_date",
        "mother_name",
        "address_street",
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
    } == required


@pytest.mark.parametrize(
    "nik, code",
    [
        ("12345", "nik_format"),
        ("9902020907150042", "nik_province"),
        ("3302023207150042", "nik_date"),
        ("3302020907150000", "nik_serial"),
    ],
)
def test_new_member_form_rejects_bad_niks(patient, nik, code):
    assert codes(new_form(patient, nik=nik))["nik"] == [code]


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("kk_number", "33020115031200", "kk_format"),
        ("kk_number", "3302011503120000", "kk_serial"),
        ("bpjs_number", "12345", "card_format"),
        ("bpjs_number", "000123456789", "card_format"),  # 12 digits: guarantors' limit, as at booking
        ("bpjs_number", "٠٠٠١٢٣٤٥٦٧٨٩٠", "card_format"),  # 13 Arabic-Indic digits
        ("phone", "+1 415 555 0100", "not_indonesian"),
        ("phone", "0812", "invalid_mobile"),
        ("birth_date", "2999-01-01", "birth_date_future"),
        ("birth_date", "1850-01-01", "birth_date_too_old"),
        ("birth_date", "31/02/2015", "invalid"),
        ("address_rt", "1a", "rt_rw_format"),
        ("address_rt", "²", "rt_rw_format"),  # passes str.isdigit(), is not a digit we can store
        ("address_rw", "1234", "max_length"),
        ("sex", "X", "invalid_choice"),
        ("religion", "pastafarian", "invalid_choice"),
        ("address_province", "Atlantis", "invalid_choice"),
        ("relationship", "neighbour", "invalid_choice"),
    ],
)
def test_new_member_form_rejects_bad_values_under_their_field(patient, field, value, code):
    assert code in codes(new_form(patient, **{field: value}))[field]


def test_rt_and_rw_are_zero_padded(patient):
    form = new_form(patient, address_rt="4", address_rw="12")
    assert form.is_valid()
    assert (form.cleaned_data["address_rt"], form.cleaned_data["address_rw"]) == ("004", "012")


def test_nik_that_disagrees_with_birth_date_needs_the_tick(patient):
    form = new_form(patient, birth_date="2015-07-10")
    assert codes(form) == {"confirm_nik": ["nik_mismatch"]}
    assert isinstance(form.fields["confirm_nik"].widget, forms.CheckboxInput)  # now shown to the person


def test_nik_that_disagrees_with_sex_needs_the_tick_and_is_flagged_once_ticked(patient):
    form = new_form(patient, sex="P", confirm_nik="on")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nik_mismatch"] is True


def test_tick_is_hidden_while_nik_and_data_agree(patient):
    form = new_form(patient)
    form.is_valid()
    assert isinstance(form.fields["confirm_nik"].widget, forms.HiddenInput)


def test_kk_becomes_required_when_the_hospital_demands_the_same_family_card(patient, settings):
    settings.FAMILY_KK_MUST_MATCH = True
    assert codes(new_form(patient, kk_number=""))["kk_number"] == ["required"]
    settings.FAMILY_KK_MUST_MATCH = False
    assert new_form(patient, kk_number="").is_valid()


def test_self_is_not_offered_twice(patient, sari_self):
    assert "self" in dict(NewMemberForm(account=make_account_without_self()).fields["relationship"].choices)
    assert "self" not in dict(NewMemberForm(account=patient).fields["relationship"].choices)
    assert codes(new_form(patient, relationship="self"))["relationship"] == ["invalid_choice"]


def make_account_without_self():
    from conftest import make_account

    return make_account("new@example.com", "Nina Baru")


def test_form_leaves_nik_uniqueness_to_the_service(patient, sari_child):
    """The form must not say 'already exists' itself: the service does, rate-limited and without detail."""
    assert new_form(patient, nik=sari_child.nik).is_valid()


def test_lookup_form_normalises_mrn_and_checks_its_format():
    form = ExistingLookupForm({"mrn": "12-34-56", "birth_date": "2015-07-09"})
    assert form.is_valid() and "facility" not in form.fields  # one facility: no choice
    assert form.cleaned_data == {"mrn": "00123456", "birth_date": dt.date(2015, 7, 9), "facility": default_facility()}
    assert codes(ExistingLookupForm({"mrn": "RM-12", "birth_date": "2015-07-09"})) == {"mrn": ["mrn_format"]}
    assert codes(ExistingLookupForm({"mrn": "", "birth_date": ""})) == {"mrn": ["required"], "birth_date": ["required"]}
    assert codes(ExistingLookupForm({"mrn": "1", "birth_date": "09/13/2015"})) == {"birth_date": ["invalid"]}


def test_lookup_form_asks_the_facility_first_when_there_are_several_and_uses_its_width():
    default_facility()
    puskesmas = Facility.objects.create(name="Puskesmas Jetis", mrn_digits=6)
    form = ExistingLookupForm({"mrn": "12-34", "birth_date": "2015-07-09"})
    assert list(form.fields)[0] == "facility" and codes(form) == {"facility": ["required"]}
    form = ExistingLookupForm({"facility": puskesmas.pk, "mrn": "12-34", "birth_date": "2015-07-09"})
    assert form.is_valid() and (form.cleaned_data["facility"], form.cleaned_data["mrn"]) == (puskesmas, "001234")
    too_long = ExistingLookupForm({"facility": puskesmas.pk, "mrn": "1234567", "birth_date": "2015-07-09"})
    assert codes(too_long) == {"mrn": ["mrn_too_long"]}


def test_lookup_form_accepts_indonesian_date_order():
    form = ExistingLookupForm({"mrn": "1", "birth_date": "09/07/2015"})
    assert form.is_valid() and form.cleaned_data["birth_date"] == dt.date(2015, 7, 9)


def test_confirm_form_asks_only_for_missing_data_and_the_yes(patient, hospital_record):
    form = ExistingConfirmForm({}, account=patient, patient=hospital_record)
    assert "full_name" not in form.fields and "birth_date" not in form.fields and "mrn" not in form.fields
    assert {"nik", "address_street", "phone", "mother_name"} <= set(form.fields)
    assert codes(form)["confirm"] == ["required"]
    assert codes(form)["relationship"] == ["required"]


def test_confirm_form_checks_an_entered_nik_against_the_records_birth_date(patient, hospital_record):
    data = form_data(confirm="on", nik="3302020907160042")  # born 9-7-2016, record says 2015
    form = ExistingConfirmForm(data, account=patient, patient=hospital_record)
    assert codes(form) == {"confirm_nik": ["nik_mismatch"]}


def test_edit_form_locks_identity_once_the_hospital_assigned_an_mrn(patient, sari_self):
    link = AccountPatient.objects.get(patient=sari_self)
    form = MemberEditForm(
        form_data(relationship="self", full_name="Someone Else", nik="3302020907150099"), account=patient, link=link
    )
    assert all(form.fields[name].disabled for name in ("full_name", "nik", "sex", "birth_date"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["full_name"] == "Sari Wulandari"  # the posted name is ignored
    assert form.cleaned_data["nik"] == sari_self.nik


def test_edit_form_lets_a_member_without_mrn_correct_identity(patient, sari_child):
    link = AccountPatient.objects.get(patient=sari_child)
    form = MemberEditForm(form_data(full_name="Adi Wibowo Putra"), account=patient, link=link)
    assert not form.fields["full_name"].disabled
    assert form.is_valid() and form.cleaned_data["full_name"] == "Adi Wibowo Putra"


def test_edit_form_shows_the_tick_already_given(patient):
    child = make_patient(nik_mismatch=True, kk_number=KK)
    link = AccountPatient.objects.create(account=patient, patient=child, relationship="child")
    form = MemberEditForm(account=patient, link=link)
    assert isinstance(form.fields["confirm_nik"].widget, forms.CheckboxInput)
    assert form.initial["confirm_nik"] is True
