"""Guarantor types: seeded from SOP 004, and the named constraints both ways."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from guarantors import catalogue
from guarantors.models import ClinicDocumentRule, GuarantorKind, GuarantorType


def test_migration_seeds_every_guarantor_of_sop_004(guarantor_types):
    assert set(guarantor_types) == {row["code"] for row in catalogue.SEED_004_V1}
    kinds = {g.kind for g in guarantor_types.values()}
    assert kinds == set(GuarantorKind.values)
    bpjs = guarantor_types["bpjs-kesehatan"]
    assert bpjs.needs_card_number and bpjs.needs_referral and bpjs.card_number_matches("0001234567890")
    assert not bpjs.card_number_matches("000123456789")
    assert not guarantor_types["umum"].needs_card_number


def test_seeding_again_creates_nothing_and_keeps_edits(guarantor_types):
    umum = guarantor_types["umum"]
    umum.required_documents = ["KTP"]
    umum.save()
    assert catalogue.ensure_types(GuarantorType) == 0
    umum.refresh_from_db()
    assert umum.required_documents == ["KTP"]


def new_type(**fields) -> GuarantorType:
    return GuarantorType(**{"code": "x", "name": "X", **fields})


def codes_of(error: ValidationError) -> list[str]:
    return [e.code for errors in error.error_dict.values() for e in errors]


@pytest.mark.parametrize(
    "fields, constraint, code",
    [
        (
            {"kind": "bpjs_kesehatan", "needs_card_number": False},
            "guarantors_guarantortype_bpjs_needs_card",
            "bpjs_needs_card",
        ),
        (
            {"needs_card_number": True, "card_number_pattern": ""},
            "guarantors_guarantortype_card_pattern_when_needed",
            "card_pattern_required",
        ),
        ({"kind": "arisan"}, "guarantors_guarantortype_kind_valid", "invalid_kind"),
    ],
)
def test_guarantor_type_constraints_hold_in_forms_and_in_the_database(db, fields, constraint, code):
    with pytest.raises(ValidationError):
        new_type(**fields).full_clean()  # an unknown kind fails the field's choices first
    with pytest.raises(ValidationError) as excinfo:
        new_type(**fields).validate_constraints()
    assert codes_of(excinfo.value) == [code]
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        new_type(**fields).save()


@pytest.mark.parametrize(
    "fields, field, code",
    [
        ({"card_number_pattern": "^[0-9"}, "card_number_pattern", "invalid_pattern"),
        ({"required_documents": "KTP"}, "required_documents", "invalid_documents"),
        ({"required_documents": ["KTP", ""]}, "required_documents", "invalid_documents"),
    ],
)
def test_guarantor_type_field_checks_have_codes(db, fields, field, code):
    with pytest.raises(ValidationError) as excinfo:
        new_type(**fields).full_clean()
    assert [e.code for e in excinfo.value.error_dict[field]] == [code]


def test_one_clinic_rule_per_clinic_and_type_and_one_for_all(guarantor_types):
    ClinicDocumentRule.objects.create(clinic_code="SAR", documents=["SKD"])
    ClinicDocumentRule.objects.create(clinic_code="SAR", guarantor_type=guarantor_types["umum"], documents=["SKD"])
    # PostgreSQL names the constraint; SQLite names the columns of a UNIQUE violation.
    with pytest.raises(IntegrityError, match="unique_for_all|UNIQUE constraint failed"), transaction.atomic():
        ClinicDocumentRule.objects.create(clinic_code="SAR")
    with pytest.raises(IntegrityError, match="unique_per_type|UNIQUE constraint failed"), transaction.atomic():
        ClinicDocumentRule.objects.create(clinic_code="SAR", guarantor_type=guarantor_types["umum"])
    with pytest.raises(ValidationError) as excinfo:
        ClinicDocumentRule(clinic_code="SAR").full_clean()
    assert codes_of(excinfo.value) == ["rule_exists"]
