"""Demo data: the README's patients exist, and loading twice changes nothing."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from families import demo
from families.models import AccountPatient, LinkLog, Patient

pytestmark = pytest.mark.django_db


def test_demo_links_the_patient_account_to_self_and_child_and_is_idempotent():
    accounts_demo.load()
    demo.load()
    demo.load()
    links = AccountPatient.objects.filter(account__email=accounts_demo.DEMO_PATIENT_EMAIL)
    assert sorted(links.values_list("relationship", "patient__full_name")) == [
        ("child", "Rina Santoso"),
        ("self", "Budi Santoso"),
    ]
    assert links.get(relationship="self").patient.is_complete
    assert Patient.objects.count() == 6 and LinkLog.objects.count() == 2


def test_demo_existing_patients_are_findable_by_mrn_and_birth_date():
    patients = demo.load()
    for data in demo.EXISTING:
        found = Patient.objects.get(mrn=data["mrn"], birth_date=data["birth_date"])
        assert found == patients[data["mrn"]] and not found.account_links.exists()
