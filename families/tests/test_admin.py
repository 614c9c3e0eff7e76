"""The clerk's patient index in the admin, and the superuser-only audit trails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from families.models import LinkLog, Patient, PatientAccessLog
from families.tests.conftest import make_patient, patient_values

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:families_patient_changelist")


@pytest.fixture
def clerk_client(client, clerk):
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_patient", "change_patient"]))
    client.force_login(clerk)
    return client


@pytest.fixture
def index(db):
    return [
        make_patient(full_name="Bambang Sutrisno", mrn="00123456", birth_date=dt.date(1970, 5, 1), sex="L"),
        make_patient(
            full_name="Ratna Dewi", mrn="00000777", birth_date=dt.date(1990, 2, 3), sex="P", nik_mismatch=True
        ),
    ]


def search(client, term: str, **params) -> str:
    return client.get(CHANGELIST, {"q": term, **params}).content.decode()


@pytest.mark.parametrize("term", ["00123456", "12-34-56", "123456"])
def test_search_by_mrn_in_any_spelling(clerk_client, index, term):
    page = search(clerk_client, term)
    assert "Bambang Sutrisno" in page and "Ratna Dewi" not in page


def test_search_by_nik_by_name_and_by_birth_date(clerk_client, index):
    assert "Ratna Dewi" in search(clerk_client, index[1].nik)
    assert "Bambang Sutrisno" not in search(clerk_client, index[1].nik)
    assert "Bambang Sutrisno" in search(clerk_client, "bambang")
    assert "Ratna Dewi" in search(clerk_client, "03/02/1990")
    assert "Bambang Sutrisno" not in search(clerk_client, "03/02/1990")


def test_list_shows_masked_nik_and_filters_mismatches(clerk_client, index):
    page = clerk_client.get(CHANGELIST).content.decode()
    assert index[0].masked_nik in page and index[0].nik not in page
    flagged = clerk_client.get(CHANGELIST, {"nik_mismatch__exact": "1"}).content.decode()
    assert "Ratna Dewi" in flagged and "Bambang Sutrisno" not in flagged


def admin_post(client, patient: Patient, **overrides):
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in patient_values().items()}
    data.update(full_name=patient.full_name, nik=patient.nik, birth_date=patient.birth_date.isoformat(), mrn="")
    data.update(
        {
            f"{prefix}-{key}": value
            for prefix in ("account_links", "documents")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        }
    )
    data.update(overrides)
    return client.post(reverse("admin:families_patient_change", args=[patient.pk]), data)


def test_clerk_assigns_an_mrn_typed_with_dashes(clerk_client):
    member = make_patient()
    response = admin_post(clerk_client, member, mrn="45-67-89")
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.mrn == "00456789"


def test_clerk_cannot_give_an_mrn_twice(clerk_client, index):
    member = make_patient(nik="", full_name="Baru")
    response = admin_post(clerk_client, member, mrn="123456", nik="")
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["mrn"]] == ["mrn_exists"]


def test_clerk_gets_format_errors_for_mrn_and_nik(clerk_client):
    member = make_patient()
    response = admin_post(clerk_client, member, mrn="RM-1", nik="1234")
    errors = response.context["adminform"].form.errors.as_data()
    assert errors["mrn"][0].code == "mrn_format" and errors["nik"][0].code == "nik_format"


def test_opening_a_patient_record_in_the_admin_is_logged(clerk_client, clerk, index):
    clerk_client.get(reverse("admin:families_patient_change", args=[index[0].pk]))
    entry = PatientAccessLog.objects.get()
    assert (entry.user, entry.patient, entry.what) == (clerk, index[0], "patient_record")


def test_a_search_in_the_patient_index_logs_each_patient_shown(clerk_client, clerk, index):
    search(clerk_client, "bambang")
    clerk_client.get(CHANGELIST)  # browsing without a search term is not a lookup

    assert list(PatientAccessLog.objects.values_list("user", "patient", "what")) == [
        (clerk.pk, index[0].pk, "patient_search")
    ]


def test_access_and_link_logs_are_for_superusers_only(clerk_client, client, admin_user, index):
    for model in ("patientaccesslog", "linklog"):
        url = reverse(f"admin:families_{model}_changelist")
        assert clerk_client.get(url).status_code == 403
    client.force_login(admin_user)
    for model in ("patientaccesslog", "linklog"):
        assert client.get(reverse(f"admin:families_{model}_changelist")).status_code == 200
    entry = PatientAccessLog.objects.create(
        user=admin_user, patient=index[0], patient_ref=index[0].pk, what="patient_record"
    )
    assert client.post(reverse("admin:families_patientaccesslog_delete", args=[entry.pk])).status_code == 403
    assert not LinkLog.objects.exists()


def test_clerks_cannot_delete_patients_from_the_index(clerk_client, clerk, index):
    clerk.user_permissions.add(Permission.objects.get(codename="delete_patient"))
    url = reverse("admin:families_patient_delete", args=[index[0].pk])
    assert clerk_client.post(url, {"post": "yes"}).status_code == 403
    assert Patient.objects.filter(pk=index[0].pk).exists()
