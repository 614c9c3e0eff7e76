"""Eligibility, JPKMKT rule and documents, through the real client and simulator (no patched HTTP)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from guarantors import services, simulator
from guarantors.models import ClinicDocumentRule

VALID = "0902P0010000Y000001"
EXPIRED = "0902P0010000Y000002"
OTHER_CLINIC = "0902P0010000Y000003"
SARIS = "0902P0010000Y000005"
ANDIS = "0902P0010000Y000006"
EXPIRES_SOON = "0902P0010000Y000007"
HOSPITAL = "0902R0010000B000001"


def check(**overrides) -> services.EligibilityResult:
    values = dict(
        card_number="0001234567890",
        full_name="Budi Santoso",
        birth_date=timezone.datetime(1985, 4, 12).date(),
        referral_number=VALID,
        clinic_bpjs_code="INT",
        exam_date=timezone.localdate(),
    )
    return services.check_bpjs_eligibility(**{**values, **overrides})


def peserta_requests(server) -> list[str]:
    return [p for p in server.request_paths if "/Peserta/" in p]


# --- verified ---------------------------------------------------------------------------------


def test_active_card_with_valid_referral_for_the_clinic_is_verified(bpjs):
    result = check()
    assert result.status == services.VERIFIED and result.field_errors == {}
    assert result.summary["participant"]["name"] == "BUDI SANTOSO"
    assert result.summary["participant"]["status"] == "AKTIF"
    assert result.summary["participant"]["class"] == "KELAS I"
    assert result.summary["referral"]["poli_code"] == "INT" and result.summary["referral"]["poli_checked"]
    assert "nik" not in json.dumps(result.summary).lower()
    stored = json.loads(json.dumps(result.as_json()))  # safe for a JSONField
    assert stored["status"] == "verified" and stored["summary"]["referral"]["number"] == VALID


def test_hospital_referral_is_verified_for_its_clinic(bpjs):
    result = check(referral_number=HOSPITAL, clinic_bpjs_code="jan")
    assert result.is_verified and result.summary["referral"]["source"] == "rs"


def test_typed_card_and_referral_numbers_are_normalised(bpjs):
    assert check(card_number=" 0001-2345 6789 0 ", referral_number=VALID.lower()).is_verified


@pytest.mark.parametrize("name", ["  budi   SANTOSO ", "Bpk. Budi Santoso", "BUDI SANTOSA"])
def test_name_comparison_tolerates_case_spacing_titles_and_a_typo(bpjs, name):
    assert check(full_name=name).is_verified


# --- the card ---------------------------------------------------------------------------------


def test_another_persons_name_is_rejected_without_revealing_the_card_holder(bpjs):
    result = check(full_name="Sari Wulandari")
    assert result.status == services.REJECTED and result.codes("card_number") == ["name_mismatch"]
    assert "BUDI" not in result.field_errors["card_number"][0][0].upper()


def test_wrong_birth_date_is_rejected(bpjs):
    result = check(birth_date=timezone.datetime(1985, 4, 13).date())
    assert result.codes("card_number") == ["birth_date_mismatch"]


def test_inactive_card_is_rejected(bpjs):
    result = check(
        card_number="0002000000011",
        full_name="Andi Pratama",
        birth_date=timezone.datetime(1990, 1, 15).date(),
        referral_number=ANDIS,
    )
    assert result.codes("card_number") == ["participant_inactive"] and result.codes("referral_number") == []


def test_unpaid_premium_card_is_rejected_with_its_own_code(bpjs):
    result = check(
        card_number="0002000000012", full_name="Rina Marlina", birth_date=timezone.datetime(1979, 6, 30).date()
    )
    assert "participant_premium_unpaid" in result.codes("card_number")


def test_unknown_card_is_rejected_and_the_referral_still_checked(bpjs):
    result = check(card_number="0000000000001")
    assert result.codes("card_number") == ["card_not_found"]
    assert result.codes("referral_number") == ["referral_other_participant"]


@pytest.mark.parametrize(
    "card, code",
    [
        ("12345", "card_format"),
        ("00012345678901", "card_format"),
        ("000123456789", "card_format"),
        ("000123456789X", "card_format"),
        ("", "card_required"),
    ],
)
def test_malformed_card_number_is_rejected_without_asking_bpjs(bpjs, card, code):
    result = check(card_number=card)
    assert result.codes("card_number") == [code] and bpjs.request_paths == []


@pytest.mark.parametrize(
    "number, code",
    [
        ("", "referral_required"),
        ("0902P001", "referral_format"),
        ("0902P0010000Y00000!", "referral_format"),
        ("0902P0010000Y00001", "referral_format"),  # 18 characters
        ("0902P0010000Y0000001", "referral_format"),
    ],
)  # 20
def test_missing_or_malformed_referral_is_rejected_without_asking_bpjs(bpjs, number, code):
    assert check(referral_number=number).codes("referral_number") == [code]
    assert bpjs.request_paths == []


# --- the referral ----------------------------------------------------------------------------


def test_referral_older_than_90_days_is_expired(bpjs):
    result = check(referral_number=EXPIRED)
    assert result.codes("referral_number") == ["referral_expired"] and result.codes("card_number") == []


def test_referral_is_judged_on_the_examination_date(bpjs):
    assert check(referral_number=EXPIRES_SOON).is_verified
    later = check(referral_number=EXPIRES_SOON, exam_date=timezone.localdate() + timedelta(days=10))
    assert later.codes("referral_number") == ["referral_expired"]


def test_referral_is_valid_up_to_90_days_after_issue(bpjs):
    issued = timezone.datetime.fromisoformat(check().summary["referral"]["date"]).date()
    assert check(exam_date=issued + timedelta(days=90)).is_verified
    assert check(exam_date=issued + timedelta(days=91)).codes("referral_number") == ["referral_expired"]
    assert check(exam_date=issued - timedelta(days=1)).codes("referral_number") == ["referral_not_yet_valid"]


def test_referral_for_another_clinic_is_rejected(bpjs):
    result = check(referral_number=OTHER_CLINIC)
    assert result.codes("referral_number") == ["referral_other_clinic"]
    assert "MATA" in result.field_errors["referral_number"][0][0]


def test_referral_of_another_participant_is_rejected(bpjs):
    assert check(referral_number=SARIS).codes("referral_number") == ["referral_other_participant"]


def test_without_a_clinic_code_the_poli_is_not_compared_and_the_clerk_can_see_it(bpjs):
    result = check(referral_number=OTHER_CLINIC, clinic_bpjs_code="")
    assert result.is_verified and result.summary["referral"]["poli_checked"] is False


def test_unknown_referral_is_rejected(bpjs):
    assert check(referral_number="0902P0010000Y123456").codes("referral_number") == ["referral_not_found"]


# --- BPJS in trouble: never raises, never rejects --------------------------------------------


def test_slow_bpjs_gives_unverified_within_the_timeout_and_skips_the_referral(bpjs):
    result = check(card_number=simulator.CARD_SLOW, full_name="Toni Lambat")  # the client's own timeout ends it
    assert result.status == services.UNVERIFIED and result.field_errors == {}
    assert result.message and result.summary["failure"] == "BpjsDeadlineExceeded"
    assert len(bpjs.request_paths) == 1


@pytest.mark.parametrize(
    "overrides, failure",
    [
        ({"card_number": simulator.CARD_SERVER_ERROR}, "BpjsServerError"),
        ({"card_number": simulator.CARD_GARBAGE}, "BpjsProtocolError"),
        ({"card_number": simulator.CARD_BAD_CIPHER}, "BpjsProtocolError"),
        ({"referral_number": simulator.REFERRAL_SERVER_ERROR}, "BpjsServerError"),
        ({"referral_number": simulator.REFERRAL_GARBAGE}, "BpjsProtocolError"),
    ],
)
def test_broken_bpjs_answers_give_unverified(bpjs, overrides, failure):
    result = check(**overrides)
    assert result.status == services.UNVERIFIED and result.summary["failure"] == failure
    json.dumps(result.as_json())


def test_wrong_credentials_give_unverified(bpjs, settings):
    settings.BPJS_SECRET = "not-the-secret"
    result = check()
    assert result.status == services.UNVERIFIED and result.summary["failure"] == "BpjsAuthError"


def test_missing_configuration_gives_unverified(settings):
    settings.BPJS_VCLAIM_URL = ""
    settings.DEBUG = False
    result = check()
    assert result.status == services.UNVERIFIED and result.summary["failure"] == "BpjsNotConfigured"


def test_a_rejection_wins_over_a_later_outage(bpjs):
    result = check(full_name="Sari Wulandari", referral_number=simulator.REFERRAL_SERVER_ERROR)
    assert result.status == services.REJECTED and result.codes("card_number") == ["name_mismatch"]


# --- the cache ---------------------------------------------------------------------------------


def test_second_check_within_minutes_is_answered_from_the_cache(bpjs):
    assert check().is_verified and len(bpjs.request_paths) == 2
    assert check(full_name="BUDI SANTOSO").is_verified
    assert len(bpjs.request_paths) == 2


def test_another_card_is_not_answered_from_the_cache(bpjs):
    check()
    check(
        card_number="0001234567891",
        full_name="Sari Wulandari",
        birth_date=timezone.datetime(1988, 9, 23).date(),
        referral_number=SARIS,
    )
    assert len(peserta_requests(bpjs)) == 2


@pytest.mark.parametrize("card", [simulator.CARD_SERVER_ERROR, "0000000000001"])
def test_failures_and_not_found_answers_are_not_cached(bpjs, card):
    check(card_number=card)
    check(card_number=card)
    assert len(peserta_requests(bpjs)) == 2


def test_cache_can_be_switched_off(bpjs, settings):
    settings.BPJS_CACHE_SECONDS = 0
    check()
    check()
    assert len(bpjs.request_paths) == 4


# --- SOP 004: JPKMKT patients with an active BPJS card ---------------------------------------


def test_jpkmkt_patient_with_active_bpjs_card_switches_to_bpjs(bpjs):
    participant = services.jpkmkt_should_switch_to_bpjs(nik="3302010202600005", exam_date=timezone.localdate())
    assert participant is not None and participant.card_number == "0002000000013" and participant.is_active


def test_jpkmkt_check_also_works_with_a_card_number(bpjs):
    participant = services.jpkmkt_should_switch_to_bpjs(card_number="0001234567890", exam_date=timezone.localdate())
    assert participant.name == "BUDI SANTOSO"


@pytest.mark.parametrize(
    "identity",
    [
        {"nik": "3302014405700006"},  # inactive card
        {"nik": "3302019999990009"},  # no BPJS card
        {"card_number": simulator.CARD_SERVER_ERROR},  # BPJS down: stay on JPKMKT, the desk re-checks
        {"card_number": simulator.CARD_SLOW},  # BPJS too slow
    ],
)
def test_jpkmkt_patient_stays_on_jpkmkt_otherwise(bpjs, identity):
    assert services.jpkmkt_should_switch_to_bpjs(**identity, exam_date=timezone.localdate()) is None


def test_jpkmkt_check_without_identity_asks_nobody(bpjs):
    assert services.jpkmkt_should_switch_to_bpjs(exam_date=timezone.localdate()) is None
    assert bpjs.request_paths == []


# --- documents ---------------------------------------------------------------------------------


def test_work_accident_on_the_road_needs_police_and_jasa_raharja_letters(guarantor_types):
    road = services.required_documents(guarantor_types["bpjs-tk-jalan"])
    workplace = services.required_documents("bpjs-tk-tempat-kerja")
    assert len(road) == 18 and len(workplace) == 16
    assert {"Surat laporan kepolisian", "Surat Jasa Raharja"} <= set(road)
    assert "Surat laporan kepolisian" not in workplace
    assert road[:2] == ["Ket. Kronologis kecelakaan", "Form cek eligibilitas"]


def test_seed_004_lists_for_taspen_and_jpkmkt_cases(guarantor_types):
    assert services.required_documents("taspen") == [
        "E-KTP",
        "KK (Kartu Keluarga)",
        "Surat Jaminan TASPEN",
        "Surat pernyataan kronologis kejadian",
        "FC Kartu BPJS Kesehatan",
        "FC Kartu TASPEN",
    ]
    assert services.required_documents("jpkmkt-lapas")[-2:] == [
        "Surat pengantar dari LAPAS",
        "Surat rekomendasi DINSOS",
    ]
    assert "Surat kepolisian" in services.required_documents("jpkmkt-kekerasan")
    assert services.required_documents("jpkmkt-terlantar") == ["Surat rekomendasi DINSOS"]


def test_clinic_rules_add_documents_once_and_only_for_their_clinic(guarantor_types):
    bpjs_type = guarantor_types["bpjs-kesehatan"]
    ClinicDocumentRule.objects.create(clinic_code="SAR", documents=["Surat keterangan dokter (SKD)"])
    ClinicDocumentRule.objects.create(
        clinic_code="SAR", guarantor_type=bpjs_type, documents=["Kartu BPJS Kesehatan", "Hasil EEG terakhir"]
    )
    ClinicDocumentRule.objects.create(clinic_code="MAT", documents=["Kacamata lama"], is_active=False)
    documents = services.required_documents(bpjs_type, "SAR")
    assert documents == bpjs_type.required_documents + ["Surat keterangan dokter (SKD)", "Hasil EEG terakhir"]
    assert services.required_documents("umum", "SAR") == ["Tanda pengenal (KTP/KK)", "Surat keterangan dokter (SKD)"]
    assert services.required_documents(bpjs_type, "MAT") == bpjs_type.required_documents
    assert services.required_documents(bpjs_type, "INT") == bpjs_type.required_documents


def test_letter_upload_is_asked_by_the_type_or_by_a_clinic_rule(guarantor_types):
    assert services.letter_upload_needed("taspen") and not services.letter_upload_needed("umum")
    ClinicDocumentRule.objects.create(clinic_code="SAR", needs_letter_upload=True)
    assert services.letter_upload_needed("umum", "SAR") and not services.letter_upload_needed("umum", "INT")


def test_active_types_are_ordered_and_exclude_switched_off_ones(guarantor_types):
    guarantor_types["asuransi"].is_active = False
    guarantor_types["asuransi"].save()
    codes = [g.code for g in services.active_guarantor_types()]
    assert codes[:2] == ["umum", "bpjs-kesehatan"] and "asuransi" not in codes and "jasa-raharja" in codes
