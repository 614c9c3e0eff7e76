"""Family services: the rules, the rate limit, the merge, and the named constraints behind them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import make_account
from families import services
from families.models import (
    AccessWhat,
    AccountPatient,
    IdentityDocument,
    LinkAction,
    LinkLog,
    LookupFailure,
    Patient,
    PatientAccessLog,
)
from families.signals import patient_merged
from families.tests.conftest import KK, SARI_NIK, link, make_patient, patient_values
from portal.lib.uploads import CleanUpload

pytestmark = pytest.mark.django_db


def error_code(exc: ValidationError, field: str | None = None) -> str:
    if field:
        return exc.error_dict[field][0].code
    return exc.error_list[0].code


def add(account, relationship="child", **overrides):
    values = patient_values(**overrides)
    return services.member_add_new(account=account, relationship=relationship, **values)


# --- adding new members -----------------------------------------------------------------


def test_member_add_new_creates_patient_link_and_log(patient):
    link_row = add(patient)
    assert link_row.patient.mrn is None
    assert AccountPatient.objects.get(account=patient).relationship == "child"
    assert LinkLog.objects.get().action == LinkAction.CREATED


def test_nik_already_in_the_index_is_refused_without_detail(patient, other_patient):
    record = make_patient(mrn="00009999", full_name="Rahasia Orang Lain")
    with pytest.raises(ValidationError) as info:
        add(other_patient, nik=record.nik)
    assert error_code(info.value, "nik") == "nik_exists"
    message = info.value.error_dict["nik"][0].messages[0]
    assert "Rahasia" not in message and "00009999" not in message
    assert LookupFailure.objects.filter(account=other_patient, kind="nik_taken").count() == 1
    assert Patient.objects.count() == 1


def test_second_self_is_refused(patient, sari_self):
    with pytest.raises(ValidationError) as info:
        add(patient, relationship="self")
    assert error_code(info.value, "relationship") == "self_exists"


def test_kk_rule_off_by_default_allows_another_family_card(patient, sari_self):
    assert add(patient, kk_number="3302011111110001").patient.kk_number == "3302011111110001"


def test_kk_rule_on_refuses_a_member_from_another_family_card(patient, sari_self, settings):
    settings.FAMILY_KK_MUST_MATCH = True
    with pytest.raises(ValidationError) as info:
        add(patient, kk_number="3302011111110001")
    assert error_code(info.value, "kk_number") == "kk_mismatch"
    assert add(patient, kk_number=KK).patient.kk_number == KK


def test_kk_rule_on_needs_the_holder_first(patient, settings):
    settings.FAMILY_KK_MUST_MATCH = True
    with pytest.raises(ValidationError) as info:
        add(patient)
    assert error_code(info.value, "kk_number") == "kk_self_missing"
    add(patient, relationship="self", birth_date=dt.date(1988, 3, 14), sex="P")  # the holder herself: no rule


def test_one_self_constraint_backs_the_rule(patient, sari_self):
    other = make_patient(nik="")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountPatient.objects.create(account=patient, patient=other, relationship="self")


def test_nik_unique_constraint_backs_the_rule(sari_child):
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(**patient_values(full_name="Copy"))


# --- existing patients ------------------------------------------------------------------


def test_find_by_mrn_and_birth_date(patient, hospital_record):
    found = services.patient_find_by_mrn(account=patient, mrn="00123456", birth_date=dt.date(2015, 7, 9))
    assert found == hospital_record


@pytest.mark.parametrize("mrn, birth", [("00123456", dt.date(2015, 7, 10)), ("00123457", dt.date(2015, 7, 9))])
def test_every_miss_gives_the_same_generic_error(patient, hospital_record, mrn, birth):
    with pytest.raises(ValidationError) as info:
        services.patient_find_by_mrn(account=patient, mrn=mrn, birth_date=birth)
    assert error_code(info.value) == "no_match"
    assert str(info.value.messages[0]) == str(services.NO_MATCH)
    assert LookupFailure.objects.filter(account=patient).count() == 1


def test_ten_failures_an_hour_block_even_a_correct_lookup(patient, other_patient, hospital_record):
    for _ in range(10):
        with pytest.raises(ValidationError):
            services.patient_find_by_mrn(account=patient, mrn="00000001", birth_date=dt.date(2015, 7, 9))
    with pytest.raises(ValidationError) as info:
        services.patient_find_by_mrn(account=patient, mrn="00123456", birth_date=dt.date(2015, 7, 9))
    assert error_code(info.value) == "rate_limited"
    assert LookupFailure.objects.filter(account=patient).count() == 10  # blocked attempts are not counted
    # another account is not affected
    assert services.patient_find_by_mrn(account=other_patient, mrn="00123456", birth_date=dt.date(2015, 7, 9))


def test_the_limit_lifts_after_the_window(patient, hospital_record):
    LookupFailure.objects.bulk_create(LookupFailure(account=patient, kind="existing") for _ in range(10))
    LookupFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=61))
    assert services.patient_find_by_mrn(account=patient, mrn="00123456", birth_date=dt.date(2015, 7, 9))


def test_the_limit_is_a_setting(patient, hospital_record, settings):
    settings.FAMILY_LOOKUP_MAX_FAILURES = 2
    LookupFailure.objects.bulk_create(LookupFailure(account=patient, kind="existing") for _ in range(2))
    with pytest.raises(ValidationError) as info:
        services.patient_find_by_mrn(account=patient, mrn="00123456", birth_date=dt.date(2015, 7, 9))
    assert error_code(info.value) == "rate_limited"


def test_nik_probes_count_toward_the_same_limit(patient, sari_child, other_patient):
    LookupFailure.objects.bulk_create(LookupFailure(account=other_patient, kind="existing") for _ in range(10))
    with pytest.raises(ValidationError) as info:
        add(other_patient, nik="3302020907150043")  # a free NIK: still no answer while blocked
    assert error_code(info.value) == "rate_limited"


def test_link_existing_fills_only_blank_fields(patient, hospital_record):
    fill = patient_values(full_name="Overwritten", birth_date=dt.date(2015, 7, 9))
    link_row = services.member_link_existing(
        account=patient, patient_id=hospital_record.pk, relationship="child", **fill
    )
    hospital_record.refresh_from_db()
    assert hospital_record.full_name == "Adi Wibowo" and hospital_record.mrn == "00123456"
    assert hospital_record.nik == fill["nik"] and hospital_record.address_village == "Karangpucung"
    assert link_row.relationship == "child"
    assert LinkLog.objects.get(patient=hospital_record).action == LinkAction.CREATED


def test_link_existing_twice_is_refused(patient, hospital_record):
    services.member_link_existing(account=patient, patient_id=hospital_record.pk, relationship="child")
    with pytest.raises(ValidationError) as info:
        services.member_link_existing(account=patient, patient_id=hospital_record.pk, relationship="child")
    assert error_code(info.value) == "already_linked"


def test_a_patient_may_belong_to_two_accounts(patient, other_patient, hospital_record):
    services.member_link_existing(account=patient, patient_id=hospital_record.pk, relationship="parent")
    services.member_link_existing(account=other_patient, patient_id=hospital_record.pk, relationship="parent")
    assert hospital_record.account_links.count() == 2
    assert LinkLog.objects.filter(patient=hospital_record, action="created").count() == 2


# --- editing and unlinking --------------------------------------------------------------


def test_update_keeps_hospital_identity_but_saves_contact_data(patient, sari_self):
    link_row = AccountPatient.objects.get(patient=sari_self)
    services.member_update(
        account=patient, link=link_row, relationship="self", full_name="Hacked", phone="+6285700001111"
    )
    sari_self.refresh_from_db()
    assert sari_self.full_name == "Sari Wulandari" and sari_self.phone == "+6285700001111"


def test_update_logs_a_relationship_change(patient, sari_child):
    link_row = AccountPatient.objects.get(patient=sari_child)
    services.member_update(account=patient, link=link_row, relationship="sibling")
    assert LinkLog.objects.filter(patient=sari_child).first().action == LinkAction.CHANGED


def test_update_refuses_a_nik_of_another_patient(patient, sari_self, sari_child):
    link_row = AccountPatient.objects.get(patient=sari_child)
    with pytest.raises(ValidationError) as info:
        services.member_update(account=patient, link=link_row, relationship="child", nik=SARI_NIK)
    assert error_code(info.value, "nik") == "nik_exists"


def test_unlink_keeps_the_patient_and_logs(patient, sari_child):
    services.member_unlink(account=patient, link=AccountPatient.objects.get(patient=sari_child))
    assert Patient.objects.filter(pk=sari_child.pk).exists()
    assert not AccountPatient.objects.filter(patient=sari_child).exists()
    assert LinkLog.objects.filter(patient=sari_child).first().action == LinkAction.REMOVED


def test_the_familys_ids_kept_for_the_request_follow_a_link_removed_in_it(patient, sari_child):
    from families import selectors

    assert sari_child.pk in selectors.family_patient_ids(patient)[0]  # read once, kept on the account
    services.member_unlink(account=patient, link=AccountPatient.objects.get(patient=sari_child))
    assert sari_child.pk not in selectors.family_patient_ids(patient)[0]


def test_holder_cannot_unlink_themselves(patient, sari_self):
    with pytest.raises(ValidationError) as info:
        services.member_unlink(account=patient, link=AccountPatient.objects.get(patient=sari_self))
    assert error_code(info.value) == "cannot_remove_self"


# --- attaching an MRN and merging -------------------------------------------------------


def attach(account, member, mrn="00123456", birth=dt.date(2015, 7, 9)):
    link_row = AccountPatient.objects.get(account=account, patient=member)
    return services.member_attach_mrn(account=account, link=link_row, mrn=mrn, birth_date=birth)


def test_attaching_an_mrn_merges_the_new_row_into_the_hospital_record(patient, sari_child, hospital_record):
    kept = attach(patient, sari_child)
    assert kept.pk == hospital_record.pk
    assert not Patient.objects.filter(pk=sari_child.pk).exists()
    kept.refresh_from_db()
    assert kept.mrn == "00123456" and kept.nik == sari_child.nik and kept.address_village == "Karangpucung"
    assert AccountPatient.objects.get(account=patient, patient=kept).relationship == "child"
    merged = LinkLog.objects.get(action=LinkAction.MERGED)
    assert merged.patient == kept and str(sari_child.pk) in merged.note
    # the link's creation entry follows the patient, and still names the original row
    created = LinkLog.objects.get(action=LinkAction.CREATED)
    assert created.patient == kept and created.patient_ref == sari_child.pk


def test_merge_keeps_every_account_and_resolves_duplicate_links(patient, other_patient, sari_child, hospital_record):
    link(patient, hospital_record, "other")  # Sari had also linked the hospital record
    link(other_patient, sari_child, "sibling")
    third = make_account("grandma@example.com", "Nenek")
    link(third, sari_child, "self")
    link(third, hospital_record, "other")
    kept = attach(patient, sari_child)
    assert dict(kept.account_links.values_list("account__email", "relationship")) == {
        "sari@example.com": "other",
        "joko@example.com": "sibling",
        "grandma@example.com": "self",
    }


def test_merge_moves_documents_and_keeps_the_newer_of_two(
    patient, sari_child, hospital_record, django_capture_on_commit_callbacks
):
    old_ktp = store(hospital_record, "ktp", when=timezone.now() - dt.timedelta(days=30))
    new_ktp = store(sari_child, "ktp")
    bpjs = store(sari_child, "bpjs")
    old_file = old_ktp.file.name
    with django_capture_on_commit_callbacks(execute=True):
        kept = attach(patient, sari_child)
    assert set(kept.documents.values_list("pk", flat=True)) == {new_ktp.pk, bpjs.pk}
    assert not old_ktp.file.storage.exists(old_file)


def store(patient_row, kind, when=None):
    upload = CleanUpload(b"%PDF-1.4\n%%EOF\n", "application/pdf")
    document = services.document_store(actor=None, patient=patient_row, kind=kind, upload=upload)
    if when:
        IdentityDocument.objects.filter(pk=document.pk).update(uploaded_at=when)
        document.refresh_from_db()
    return document


def test_merge_signal_runs_before_the_removed_row_is_deleted(patient, sari_child, hospital_record):
    seen = {}

    def receiver(sender, kept, removed, **kwargs):
        seen.update(kept=kept.pk, removed=removed.pk, exists=Patient.objects.filter(pk=removed.pk).exists())

    patient_merged.connect(receiver, dispatch_uid="test-receiver")
    try:
        attach(patient, sari_child)
    finally:
        patient_merged.disconnect(dispatch_uid="test-receiver")
    assert seen == {"kept": hospital_record.pk, "removed": sari_child.pk, "exists": True}


def test_a_receiver_that_refuses_rolls_the_whole_merge_back(patient, sari_child, hospital_record):
    def refuse(sender, **kwargs):
        raise ValidationError("queueing says no", code="merge_refused")

    patient_merged.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(ValidationError) as info:
            attach(patient, sari_child)
    finally:
        patient_merged.disconnect(dispatch_uid="test-refuse")
    assert error_code(info.value) == "merge_refused"
    assert Patient.objects.filter(pk=sari_child.pk).exists()
    assert AccountPatient.objects.get(account=patient).patient_id == sari_child.pk


def test_attach_with_wrong_birth_date_is_a_generic_miss(patient, sari_child, hospital_record):
    with pytest.raises(ValidationError) as info:
        attach(patient, sari_child, birth=dt.date(2015, 7, 8))
    assert error_code(info.value) == "no_match"
    assert LookupFailure.objects.filter(account=patient, kind="mrn_check").count() == 1


def test_attach_refuses_when_the_member_has_another_birth_date(patient, hospital_record):
    member = make_patient(birth_date=dt.date(2015, 7, 10))
    link(patient, member)
    with pytest.raises(ValidationError) as info:
        attach(patient, member)
    assert error_code(info.value, "birth_date") == "birth_date_differs"


def test_attach_refuses_two_different_niks(patient, sari_child, hospital_record):
    Patient.objects.filter(pk=hospital_record.pk).update(nik="3302020907150077")
    with pytest.raises(ValidationError) as info:
        attach(patient, sari_child)
    assert error_code(info.value) == "nik_conflict"


def test_attach_refuses_a_member_with_another_mrn(patient, sari_self):
    make_patient(nik="", mrn="00123456", birth_date=sari_self.birth_date)
    with pytest.raises(ValidationError) as info:
        attach(patient, sari_self, birth=sari_self.birth_date)
    assert error_code(info.value) == "member_has_mrn"


def test_attaching_the_members_own_mrn_changes_nothing(patient, sari_self):
    assert attach(patient, sari_self, mrn="00000101", birth=sari_self.birth_date) == sari_self


# --- documents and audit ----------------------------------------------------------------


def test_one_document_per_kind_constraint_both_ways(sari_child):
    store(sari_child, "ktp")
    duplicate = IdentityDocument(
        patient=sari_child, kind="ktp", file="identity/x.pdf", content_type="application/pdf", size=1
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_reupload_replaces_the_row_and_deletes_the_old_file_after_commit(
    sari_child, django_capture_on_commit_callbacks
):
    first = store(sari_child, "ktp")
    old_name = first.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = store(sari_child, "ktp")
    assert first.file.storage.exists(old_name)  # not before commit
    for callback in callbacks:
        callback()
    assert second.pk == first.pk and second.file.name != old_name
    assert not first.file.storage.exists(old_name)
    assert second.file.storage.exists(second.file.name)


def test_stored_file_names_reveal_nothing(sari_child):
    name = store(sari_child, "ktp").file.name
    assert name.startswith("identity/") and name.endswith(".pdf")
    assert str(sari_child.pk) not in name and sari_child.nik not in name and "ktp" not in name


def test_access_log_accepts_only_its_labels_both_ways(clerk, sari_child):
    entry = PatientAccessLog(user=clerk, patient=sari_child, patient_ref=sari_child.pk, what="document:ktp")
    with pytest.raises(ValidationError) as excinfo:
        entry.validate_constraints()
    assert [e.code for e in excinfo.value.error_dict["__all__"]] == ["access_what_invalid"]
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()


def test_access_log_records_who_saw_what(clerk, sari_child):
    entry = services.access_log(clerk, sari_child, AccessWhat.PATIENT_RECORD)
    assert PatientAccessLog.objects.get() == entry
    assert (entry.user, entry.patient, entry.patient_ref) == (clerk, sari_child, sari_child.pk)
