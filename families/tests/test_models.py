"""Families' named constraints, each both ways: full_clean() raises ValidationError with the constraint's code,
a raw save raises IntegrityError naming the constraint."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from families.models import AccountPatient, IdentityDocument, Patient, Relationship
from families.tests.conftest import make_patient, patient_values


def both_ways(obj, constraint: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    assert code in [e.code for errors in exc.value.error_dict.values() for e in errors]
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        obj.save()
    if connection.vendor == "postgresql":  # SQLite names the columns of a unique index instead
        assert constraint in str(exc.value)


def test_a_medical_record_number_belongs_to_one_patient(sari_self):
    copy = Patient(**patient_values(full_name="Copy", nik="", mrn=sari_self.mrn))
    both_ways(copy, "families_patient_mrn_unique", "unique")


def test_a_patient_is_linked_to_an_account_once(patient, sari_child):
    both_ways(
        AccountPatient(account=patient, patient=sari_child, relationship=Relationship.SIBLING),
        "families_accountpatient_unique",
        "already_linked",
    )


def test_an_account_has_one_self(patient, sari_self):
    other = make_patient(nik="")
    both_ways(
        AccountPatient(account=patient, patient=other, relationship=Relationship.SELF),
        "families_accountpatient_one_self",
        "one_self",
    )


def test_one_identity_document_per_kind(sari_child):
    IdentityDocument.objects.create(
        patient=sari_child, kind="ktp", file="identity/a.pdf", content_type="application/pdf", size=1
    )
    both_ways(
        IdentityDocument(patient=sari_child, kind="ktp", file="identity/b.pdf", content_type="application/pdf", size=1),
        "families_identitydocument_one_per_kind",
        "document_kind_exists",
    )
