from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import User
from accounts.phone import format_mobile

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case_at_the_database(patient):
    # The form lowercases; the constraint on Lower(email) stops any writer that does not.
    with pytest.raises(IntegrityError, match="accounts_user_email_ci_unique"):
        User.objects.bulk_create([User(email="SARI@EXAMPLE.COM", full_name="Copy")])


def test_email_unique_whatever_its_case_in_full_clean(patient):
    copy = User(email="SARI@EXAMPLE.COM", full_name="Copy", password="x")
    with pytest.raises(ValidationError) as excinfo:
        copy.validate_constraints()
    assert [e.code for errors in excinfo.value.error_dict.values() for e in errors] == ["email_taken"]


def test_manager_finds_user_by_email_in_any_case(patient):
    assert User.objects.get_by_natural_key("Sari@Example.COM") == patient


def test_profile_complete_needs_every_sop_field(patient):
    assert patient.profile_complete
    patient.occupation = ""
    assert not patient.profile_complete


def test_phone_is_formatted_for_display():
    assert format_mobile("+6281234567890") == "0812-3456-7890"
