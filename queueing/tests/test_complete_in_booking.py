""" "Lengkapi data" inside the booking: only what is missing, then back to the same wizard step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from families.models import IdentityDocument
from families.tests.conftest import image_bytes, upload
from queueing.tests.conftest import make_member
from queueing.tests.test_views import start

pytestmark = pytest.mark.usefixtures("umum")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def complete_link(client, wizard_url: str, member) -> str:
    members = {m["patient"].pk: m for m in client.get(wizard_url).context["members"]}
    return members[member.pk]["edit_url"]


def test_a_member_lacking_only_the_id_card_photo_is_asked_only_for_it_and_returns_to_the_step(patient_client, patient):
    bima = make_member(patient, "Bima", relationship="child", mrn=None)  # every field, no MRN, no photo
    wizard_url = start(patient_client)
    link = complete_link(patient_client, wizard_url, bima)
    assert link.startswith(reverse("families:member_complete", args=[bima.pk]))
    page = patient_client.get(link)
    html = page.content.decode()
    assert 'name="doc-file"' in html
    assert 'name="nik"' not in html and 'name="mother_name"' not in html  # not the 20-field form
    done = patient_client.post(
        link, {"doc-kind": "ktp", "doc-file": upload("ktp.png", image_bytes("PNG"), "image/png"), "next": wizard_url}
    )
    assert done.status_code == 302 and done["Location"] == wizard_url
    assert IdentityDocument.objects.filter(patient=bima, kind="ktp").exists()
    members = {m["patient"].pk: m for m in patient_client.get(wizard_url).context["members"]}
    assert members[bima.pk]["missing"] == []


def test_a_member_lacking_fields_is_asked_only_for_those_and_the_rest_is_kept(patient_client, patient):
    bima = make_member(patient, "Bima", relationship="child", birth_place="", address_village="")
    wizard_url = start(patient_client)
    link = complete_link(patient_client, wizard_url, bima)
    html = patient_client.get(link).content.decode()
    assert 'name="birth_place"' in html and 'name="address_village"' in html
    assert 'name="full_name"' not in html and 'name="doc-file"' not in html  # MRN known: no photo needed
    refused = patient_client.post(link, {"birth_place": "Purwokerto", "address_village": "", "next": wizard_url})
    assert refused.status_code == 200 and 'id="error-summary"' in refused.content.decode()
    done = patient_client.post(
        link, {"birth_place": "Purwokerto", "address_village": "Sokaraja Kulon", "next": wizard_url}
    )
    assert done["Location"] == wizard_url
    bima.refresh_from_db()
    assert (bima.birth_place, bima.address_village, bima.full_name) == ("Purwokerto", "Sokaraja Kulon", "Bima")


def test_complete_page_never_sends_the_person_to_another_site(patient_client, patient):
    bima = make_member(patient, "Bima", relationship="child", birth_place="")
    url = reverse("families:member_complete", args=[bima.pk]) + "?next=https://evil.example/"
    done = patient_client.post(url, {"birth_place": "Purwokerto", "next": "https://evil.example/"})
    assert done["Location"] == reverse("dashboard")


def test_another_account_gets_404_on_the_complete_page(client, other_patient, patient):
    bima = make_member(patient, "Bima", relationship="child", birth_place="")
    client.force_login(other_patient)
    assert client.get(reverse("families:member_complete", args=[bima.pk])).status_code == 404
