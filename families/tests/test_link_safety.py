"""Issue 10 §1: knowing a patient's MRN and birth date no longer takes the patient over.

The attack, step by step: Sari holds her son Adi (verified, he has a KTP on file); Maya, a
stranger who read Adi's patient card, tries to link him through "Pasien Lama".
"""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import make_account
from families import link_mail, selectors, services
from families.models import AccountPatient, DocumentKind, IdentityDocument, LinkAction, LinkLog, Patient
from families.tests.conftest import image_bytes, link, make_patient, upload
from portal.lib.uploads import clean_upload

ADI_MRN = "00123499"
ADI_BIRTH = dt.date(2015, 7, 9)


@pytest.fixture
def adi(patient) -> Patient:
    """Sari's son, registered at the hospital, with a BPJS number and a KTP photo; no occupation yet."""
    child = make_patient(mrn=ADI_MRN, bpjs_number="0001234567890", occupation="")
    link(patient, child)
    services.document_store(
        actor=patient,
        patient=child,
        kind=DocumentKind.KTP,
        upload=clean_upload(upload("ktp.png", image_bytes("PNG"), "image/png")),
    )
    return child


@pytest.fixture
def maya(db):
    """A stranger with a confirmed e-mail address who read Adi's patient card."""
    return make_account("maya@example.com", "Maya Orang Lain")


@pytest.fixture
def link_by_mrn(client, django_capture_on_commit_callbacks):
    """What the "Pasien Lama" tab does: look up, then confirm (after-commit e-mails run)."""

    def _link(account) -> AccountPatient:
        client.force_login(account)
        response = client.post(
            reverse("families:member_add_existing"), {"mrn": "00-12-34-99", "birth_date": "2015-07-09"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("families:member_add_existing_confirm"),
                {"confirm": "on", "relationship": "child", "occupation": "pelajar"},
            )
        assert response.status_code == 302
        return AccountPatient.objects.get(account=account)

    return _link


def _review_url_from_mail(message) -> str:
    return (
        "/" + re.search(r"https?://\S+/keluarga/tautan/\S+/", message.body).group(0).split("://", 1)[1].split("/", 1)[1]
    )


# --- step 1: an account without a confirmed e-mail cannot link -------------------------------


def test_an_unconfirmed_account_cannot_look_up_or_link_an_existing_patient(client, adi):
    fresh = make_account("baru@example.com", "Akun Baru")
    fresh.email_confirmed_at = None
    fresh.save(update_fields=["email_confirmed_at"])
    client.force_login(fresh)
    page = client.get(reverse("families:member_add_existing")).content.decode()
    assert 'id="email-unconfirmed"' in page and 'id="existing-member-form"' not in page
    response = client.post(reverse("families:member_add_existing"), {"mrn": ADI_MRN, "birth_date": "2015-07-09"})
    assert response.status_code == 200
    assert "families.found_patient" not in client.session
    with pytest.raises(services.ValidationError) as exc:
        services.member_link_existing(account=fresh, patient_id=adi.pk, relationship="child")
    assert exc.value.code == "email_unconfirmed"
    assert not AccountPatient.objects.filter(account=fresh).exists()


# --- step 2: a confirmed stranger links, unverified, and the holder is told at once -------------


def test_a_link_by_mrn_and_birth_date_is_unverified_and_the_holder_is_emailed(client, link_by_mrn, patient, adi, maya):
    new_link = link_by_mrn(maya)
    assert not new_link.is_verified
    assert [m.to for m in mail.outbox] == [[patient.email]]
    body = mail.outbox[0].body
    assert "/keluarga/tautan/" in body and adi.full_name in body and adi.nik not in body
    # The review link acts for its reader: once sent, its text is no longer kept.
    from notifications.models import Message

    [kept] = Message.objects.filter(template="families/emails/new_link")
    assert kept.status == "sent" and kept.subject == kept.body == "" and kept.forget_when_done
    log = LinkLog.objects.get(account=maya, action=LinkAction.CREATED)
    assert log.note == services.MRN_LINK_NOTE


def test_the_unverified_link_sees_identity_numbers_masked_and_no_documents(client, link_by_mrn, adi, maya):
    link_by_mrn(maya)
    for url in (reverse("dashboard"), reverse("families:member_edit", args=[adi.pk])):
        page = client.get(url).content.decode()
        assert adi.nik not in page and adi.kk_number not in page and adi.bpjs_number not in page
        assert adi.masked_nik in page
    edit = client.get(reverse("families:member_edit", args=[adi.pk])).content.decode()
    assert adi.masked_bpjs_number in edit and 'id="unverified-note"' in edit
    document = IdentityDocument.objects.get(patient=adi, kind=DocumentKind.KTP)
    assert reverse("families:document_view", args=[document.pk]) not in edit
    assert client.get(reverse("families:document_view", args=[document.pk])).status_code == 404


def test_the_unverified_link_cannot_change_filled_fields_but_fills_empty_ones_flagged(client, link_by_mrn, adi, maya):
    link_by_mrn(maya)
    adi.refresh_from_db()
    assert adi.occupation == "pelajar" and adi.unverified_changes  # filled on the confirm page
    Patient.objects.filter(pk=adi.pk).update(unverified_changes=False, blood_type="")
    before = Patient.objects.get(pk=adi.pk)
    response = client.post(
        reverse("families:member_edit", args=[adi.pk]),
        {
            "relationship": "child",
            "phone": "0899-9999-9999",
            "address_street": "Jl. Pencuri 1",
            "bpjs_number": "0009999999999",
            "nik": "3302020907150099",
            "blood_type": "O",
        },
    )
    assert response.status_code == 302
    after = Patient.objects.get(pk=adi.pk)
    assert (after.phone, after.address_street, after.bpjs_number, after.nik) == (
        before.phone,
        before.address_street,
        before.bpjs_number,
        before.nik,
    )
    assert after.blood_type == "O" and after.unverified_changes


def test_the_unverified_link_adds_a_missing_document_but_cannot_replace_one(client, link_by_mrn, adi, maya):
    link_by_mrn(maya)
    Patient.objects.filter(pk=adi.pk).update(unverified_changes=False)
    ktp = IdentityDocument.objects.get(patient=adi, kind=DocumentKind.KTP)
    url = reverse("families:member_document_upload", args=[adi.pk])
    response = client.post(url, {"doc-kind": "ktp", "doc-file": upload("ktp.png", image_bytes("PNG"), "image/png")})
    assert response.status_code == 200
    assert IdentityDocument.objects.get(patient=adi, kind=DocumentKind.KTP).file.name == ktp.file.name
    response = client.post(url, {"doc-kind": "kk", "doc-file": upload("kk.png", image_bytes("PNG"), "image/png")})
    assert response.status_code == 302
    assert IdentityDocument.objects.filter(patient=adi, kind=DocumentKind.KK).exists()
    assert Patient.objects.get(pk=adi.pk).unverified_changes
    kk = IdentityDocument.objects.get(patient=adi, kind=DocumentKind.KK)
    assert client.get(reverse("families:document_view", args=[kk.pk])).status_code == 404  # write-only


def test_the_service_refuses_a_replacement_through_an_unverified_link(adi, maya):
    maya_link = link(maya, adi, verified=False)
    with pytest.raises(services.ValidationError) as exc:
        services.document_store(
            actor=maya,
            patient=adi,
            kind=DocumentKind.KTP,
            link=maya_link,
            upload=clean_upload(upload("ktp.png", image_bytes("PNG"), "image/png")),
        )
    assert exc.value.error_dict["kind"][0].code == "document_present"


# --- step 3: "bukan keluarga saya" removes the link and flags it ------------------------------


def test_not_my_family_removes_the_link_and_flags_the_patient_for_the_clerk(client, link_by_mrn, patient, adi, maya):
    link_by_mrn(maya)
    url = _review_url_from_mail(mail.outbox[0])
    client.logout()  # one click from the e-mail: no sign-in needed to remove
    page = client.get(url)
    assert page.status_code == 200 and b'id="dispute-button"' in page.content
    response = client.post(url, {"action": "dispute"})
    assert response.status_code == 200
    assert not AccountPatient.objects.filter(account=maya).exists()
    assert Patient.objects.get(pk=adi.pk).link_disputed
    assert LinkLog.objects.filter(action=LinkAction.DISPUTED, account=maya, actor=patient).exists()
    assert client.get(url).status_code == 404  # spent
    client.force_login(maya)
    assert client.get(reverse("families:member_edit", args=[adi.pk])).status_code == 404


def test_a_forged_or_expired_review_link_does_nothing(client, settings, adi, maya):
    maya_link = link(maya, adi, verified=False)
    assert client.post(reverse("families:link_review", args=["forged"]), {"action": "dispute"}).status_code == 404
    token = link_mail.review_token(maya_link, maya.pk)  # signed, but maya is not a verified holder
    assert client.post(reverse("families:link_review", args=[token]), {"action": "dispute"}).status_code == 404
    assert AccountPatient.objects.filter(pk=maya_link.pk).exists()
    settings.FAMILY_LINK_REVIEW_MAX_AGE = -1
    token = link_mail.review_token(
        maya_link, AccountPatient.objects.get(patient=adi, verified_at__isnull=False).account_id
    )
    assert client.post(reverse("families:link_review", args=[token]), {"action": "dispute"}).status_code == 404
    assert AccountPatient.objects.filter(pk=maya_link.pk).exists()


# --- step 4: approval by the holder, or the clerk, opens access ------------------------------


def test_the_holders_approval_opens_full_access(client, link_by_mrn, patient, adi, maya):
    link_by_mrn(maya)
    url = _review_url_from_mail(mail.outbox[0])
    client.logout()
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 302 and reverse("login") in response["Location"]  # approving needs the holder
    assert not AccountPatient.objects.get(account=maya).is_verified
    client.force_login(maya)  # the new account cannot approve itself
    assert client.post(url, {"action": "approve"}).status_code == 302
    assert not AccountPatient.objects.get(account=maya).is_verified
    client.force_login(patient)
    assert client.post(url, {"action": "approve"}).status_code == 200
    assert AccountPatient.objects.get(account=maya).verified_by == patient
    assert LinkLog.objects.filter(action=LinkAction.VERIFIED, account=maya, actor=patient).exists()
    client.force_login(maya)
    assert adi.nik in client.get(reverse("families:member_edit", args=[adi.pk])).content.decode()
    document = IdentityDocument.objects.get(patient=adi, kind=DocumentKind.KTP)
    assert client.get(reverse("families:document_view", args=[document.pk])).status_code == 200


def test_a_clerk_verifies_a_link_from_the_admin_after_seeing_the_id_card(client, clerk, adi, maya):
    maya_link = link(maya, adi, verified=False)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="families", codename__in=["view_accountpatient", "change_patient", "view_patient"]
        )
    )
    client.force_login(clerk)
    changelist = reverse("admin:families_accountpatient_changelist")
    page = client.get(changelist + "?verified=no")
    assert page.status_code == 200 and b"verify_links" in page.content
    response = client.post(changelist, {"action": "verify_links", "_selected_action": [maya_link.pk]})
    assert response.status_code == 302
    maya_link.refresh_from_db()
    assert maya_link.verified_by == clerk
    assert LinkLog.objects.filter(
        action=LinkAction.VERIFIED, account=maya, actor=clerk, note__contains="ID card"
    ).exists()


def test_a_staff_member_without_the_patient_change_right_cannot_verify(client, clerk, adi, maya):
    maya_link = link(maya, adi, verified=False)
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="families", codename="view_accountpatient")
    )
    client.force_login(clerk)
    changelist = reverse("admin:families_accountpatient_changelist")
    assert b"verify_links" not in client.get(changelist).content
    client.post(changelist, {"action": "verify_links", "_selected_action": [maya_link.pk]})
    maya_link.refresh_from_db()
    assert not maya_link.is_verified


def test_the_patient_admin_filters_disputed_and_unverified_changes(client, admin_user, adi):
    Patient.objects.filter(pk=adi.pk).update(link_disputed=True)
    other = make_patient(full_name="Tidak Ditandai", nik="")
    client.force_login(admin_user)
    page = client.get(reverse("admin:families_patient_changelist") + "?link_disputed__exact=1").content.decode()
    assert adi.full_name in page and other.full_name not in page


# --- the other ways in: a merge, a new patient, and the limits -------------------------------


def test_a_merge_into_a_held_record_makes_the_moved_link_unverified_and_tells_the_holder(
    patient, hospital_record, maya, django_capture_on_commit_callbacks
):
    link(patient, hospital_record)
    mine = make_patient(full_name="Adi Wibowo", nik="", mrn=None)
    own_link = link(maya, mine)
    with pytest.raises(services.ValidationError):  # unconfirmed e-mail: no merge
        maya.email_confirmed_at = None
        services.member_attach_mrn(
            account=maya, link=own_link, mrn=hospital_record.mrn, birth_date=hospital_record.birth_date
        )
    maya.email_confirmed_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.member_attach_mrn(
            account=maya, link=own_link, mrn=hospital_record.mrn, birth_date=hospital_record.birth_date
        )
    moved = AccountPatient.objects.get(account=maya, patient=hospital_record)
    assert not moved.is_verified
    assert [m.to for m in mail.outbox] == [[patient.email]]


def test_a_new_patient_typed_by_the_account_is_verified(patient):
    from families.tests.conftest import patient_values

    new_link = services.member_add_new(account=patient, relationship="child", **patient_values())
    assert new_link.is_verified and new_link.verified_by == patient


def test_lookups_are_throttled_per_ip_address_across_accounts(client, settings, adi):
    settings.FAMILY_LOOKUPS_PER_IP_PER_HOUR = 3
    codes = []
    for n in range(4):
        client.force_login(make_account(f"akun{n}@example.com", f"Akun {n}"))
        response = client.post(
            reverse("families:member_add_existing"),
            {"mrn": "99999999", "birth_date": "2015-07-09"},
            REMOTE_ADDR="203.0.113.7",
        )
        codes.append([e.code for e in response.context["form"].non_field_errors().as_data()])
    assert codes[:3] == [["no_match"]] * 3 and codes[3] == ["rate_limited"]
    # Another address is not affected.
    response = client.post(
        reverse("families:member_add_existing"),
        {"mrn": ADI_MRN, "birth_date": "2015-07-09"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302


def test_nik_probes_count_toward_the_ip_limit(settings, patient, adi):
    from families.tests.conftest import patient_values

    settings.FAMILY_LOOKUPS_PER_IP_PER_HOUR = 1
    services.member_add_new(
        account=patient,
        relationship="child",
        client_ip="203.0.113.8",
        **patient_values(nik=adi.nik[:-4] + "0777", mrn=None),
    )
    with pytest.raises(services.ValidationError) as exc:
        services.member_add_new(
            account=patient,
            relationship="other",
            client_ip="203.0.113.8",
            **patient_values(nik=adi.nik[:-4] + "0778", full_name="Lain"),
        )
    assert exc.value.code == "rate_limited"


def test_an_smtp_failure_never_breaks_the_link(link_by_mrn, settings, patient, adi, maya):
    with socket.socket() as sock:  # a loopback port with nobody listening: the real SMTP client fails
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    new_link = link_by_mrn(maya)  # asserts the 302
    assert not new_link.is_verified


def test_selectors_answer_verified_patients_only(patient, adi, maya):
    link(maya, adi, verified=False)
    assert list(selectors.verified_patients(patient)) == [adi]
    assert list(selectors.verified_patients(maya)) == []


def test_the_patient_page_links_an_unverified_link_to_its_verify_action(client, admin_user, adi, maya):
    link(maya, adi, verified=False)
    client.force_login(admin_user)
    page = client.get(reverse("admin:families_patient_change", args=[adi.pk])).content.decode()
    target = reverse("admin:families_accountpatient_changelist") + f"?patient__id__exact={adi.pk}"
    assert target in page.replace("&amp;", "&")
    listing = client.get(target)
    assert listing.status_code == 200 and maya.email in listing.content.decode()


def test_the_data_migration_verifies_old_links_except_the_takeover_shape(patient, adi, maya, other_patient):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("families.migrations.0013_verify_existing_links")
    own = make_patient(full_name="Joko Sendiri", nik="", mrn="00777777")
    joko_link = link(other_patient, own, verified=False)  # linked by MRN first: nobody held it before
    maya_link = link(maya, adi, verified=False)  # by MRN to Adi, whom Sari already held
    AccountPatient.objects.filter(pk__in=[joko_link.pk, maya_link.pk]).update(verified_at=None)
    LinkLog.objects.filter(account__in=[other_patient, maya]).update(note=services.MRN_LINK_NOTE)
    AccountPatient.objects.filter(account=patient).update(verified_at=None)
    migration.forwards(apps, None)
    assert AccountPatient.objects.get(account=patient, patient=adi).is_verified
    assert AccountPatient.objects.get(pk=joko_link.pk).is_verified
    assert not AccountPatient.objects.get(pk=maya_link.pk).is_verified
