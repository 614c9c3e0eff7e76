"""The clerk's patient index in the admin, and the superuser-only audit trails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from conftest import make_account
from facilities.models import Facility, FacilityMembership, default_facility
from families.models import LinkLog, Patient, PatientAccessLog, PatientRecord
from families.tests.conftest import make_patient, patient_values
from queueing.desk.services import clerk_group_ensure

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:families_patient_changelist")


@pytest.fixture
def clerk_client(client, clerk):
    codenames = ["view_patient", "change_patient", "view_patientrecord", "add_patientrecord", "change_patientrecord"]
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
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


def admin_post(client, patient: Patient, *, records: list[tuple] = (), **overrides):
    """The change form as the browser sends it; `records` are new inline rows (facility, typed number)."""
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in patient_values().items()}
    data.update(full_name=patient.full_name, nik=patient.nik, birth_date=patient.birth_date.isoformat())
    existing = list(PatientRecord.objects.filter(patient=patient).order_by("pk"))
    data.update(
        {
            f"{prefix}-{key}": value
            for prefix in ("account_links", "documents")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        }
    )
    data.update({"records-TOTAL_FORMS": len(existing) + len(records), "records-INITIAL_FORMS": len(existing)})
    for i, record in enumerate(existing):
        data.update({f"records-{i}-id": record.pk, f"records-{i}-facility": record.facility_id})
        data[f"records-{i}-mrn"] = record.mrn
        data[f"records-{i}-patient"] = patient.pk
    for i, (facility, mrn) in enumerate(records, start=len(existing)):
        data.update({f"records-{i}-facility": facility.pk, f"records-{i}-mrn": mrn, f"records-{i}-patient": patient.pk})
    data.update(overrides)
    return client.post(reverse("admin:families_patient_change", args=[patient.pk]), data)


def record_errors(response) -> list[str]:
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "records").formset
    return [e.code for form in formset.forms for errors in form.errors.as_data().values() for e in errors]


def test_clerk_types_an_mrn_from_a_paper_card_with_dashes(clerk_client):
    member = make_patient()
    response = admin_post(clerk_client, member, records=[(default_facility(), "45-67-89")])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert member.mrn_at(default_facility().pk) == "00456789"
    assert Patient.objects.get(pk=member.pk).mrn == "00456789"  # the default facility's mirror


def test_clerk_cannot_type_a_number_another_patient_has_at_that_facility(clerk_client, index):
    member = make_patient(nik="", full_name="Baru")
    response = admin_post(clerk_client, member, records=[(default_facility(), "123456")], nik="")
    assert response.status_code == 200
    assert record_errors(response) == ["mrn_exists"]
    assert not PatientRecord.objects.filter(patient=member).exists()


def test_clerk_gets_format_errors_for_mrn_and_nik(clerk_client):
    member = make_patient()
    response = admin_post(clerk_client, member, records=[(default_facility(), "RM-1")], nik="1234")
    errors = response.context["adminform"].form.errors.as_data()
    assert errors["nik"][0].code == "nik_format"
    assert record_errors(response) == ["mrn_format"]


def test_clerk_gives_the_next_number_of_their_facility_from_the_list(clerk_client, index):
    newcomer = make_patient(nik="", full_name="Pasien Baru")
    response = clerk_client.post(CHANGELIST, {"action": "give_mrn", "_selected_action": [newcomer.pk, index[0].pk]})
    assert response.status_code == 302
    assert newcomer.mrn_at(default_facility().pk) == "00123457"  # after the highest number in the index
    assert index[0].mrn_at(default_facility().pk) == "00123456"  # had one: unchanged


def test_a_clerk_sees_and_types_only_their_facilitys_records(client, index):
    rsud = default_facility()
    puskesmas = Facility.objects.create(name="Puskesmas Jetis", mrn_digits=6)
    clerk = make_account("jetis@puskesmas.example", "Petugas Jetis", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    FacilityMembership.objects.create(user=clerk, facility=puskesmas, role="clerk")
    patient = index[0]
    PatientRecord.objects.create(patient=patient, facility=puskesmas, mrn="000042")
    client.force_login(clerk)
    page = client.get(reverse("admin:families_patient_change", args=[patient.pk])).content.decode()
    assert "000042" in page and "00123456" not in page  # the RSUD's number is not theirs to see
    inline = client.get(reverse("admin:families_patient_change", args=[patient.pk])).context["inline_admin_formsets"]
    facility_field = next(f for f in inline if f.formset.prefix == "records").formset.empty_form.fields["facility"]
    assert list(facility_field.queryset) == [puskesmas]
    assert rsud.pk not in [f.pk for f in facility_field.queryset]


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
