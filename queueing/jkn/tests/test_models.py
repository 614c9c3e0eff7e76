"""The Mobile JKN bridge settings, the Mobile JKN quota and the admin that edits them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from facilities.models import Facility, FacilityKind, default_facility
from queueing import counters
from queueing.jkn.models import AntreanBridge
from queueing.models import DayQuota, Schedule
from queueing.tests.conftest import make_schedule

pytestmark = pytest.mark.django_db


def test_bridge_secrets_are_stored_encrypted_and_read_back():
    bridge = AntreanBridge.objects.create(
        facility=default_facility(), cons_id="12345", secret_key="s3cr3t-key", user_key="uk-abc"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT cons_id, secret_key, user_key FROM queueing_antreanbridge WHERE id = %s", [bridge.pk])
        stored = cursor.fetchone()
    assert "12345" not in stored[0] and "s3cr3t-key" not in stored[1] and "uk-abc" not in stored[2]
    bridge.refresh_from_db()
    assert (bridge.cons_id, bridge.secret_key, bridge.user_key) == ("12345", "s3cr3t-key", "uk-abc")


def test_ws_password_is_a_hash_checked_by_check_password():
    bridge = AntreanBridge(facility=default_facility(), ws_username="rs-banyumas")
    bridge.set_ws_password("kopi-tubruk-pagi")
    assert bridge.ws_password != "kopi-tubruk-pagi"
    assert bridge.check_ws_password("kopi-tubruk-pagi")
    assert not bridge.check_ws_password("kopi-tubruk-sore")
    assert not AntreanBridge(facility=default_facility()).check_ws_password("")


def test_enabling_needs_a_ws_login_both_ways():
    bridge = AntreanBridge(facility=default_facility(), enabled=True)
    with pytest.raises(ValidationError) as exc:
        bridge.full_clean()
    assert exc.value.error_dict["__all__"][0].code == "login_missing"
    with pytest.raises(IntegrityError), transaction.atomic():
        bridge.save()


def test_ws_username_is_unique_across_facilities_both_ways():
    other = Facility.objects.create(name="RSUD Cilacap")
    AntreanBridge.objects.create(facility=default_facility(), ws_username="rs")
    duplicate = AntreanBridge(facility=other, ws_username="rs")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert exc.value.error_dict["__all__"][0].code == "ws_username_taken"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    AntreanBridge.objects.create(facility=Facility.objects.create(name="RSUD Purwokerto"))  # two empty names fine


def test_a_puskesmas_cannot_enable_the_hospital_bridge():
    puskesmas = Facility.objects.create(name="Puskesmas Sokaraja", kind=FacilityKind.PUSKESMAS)
    bridge = AntreanBridge(facility=puskesmas, enabled=True, ws_username="pkm")
    bridge.set_ws_password("kopi-tubruk-pagi")
    with pytest.raises(ValidationError) as exc:
        bridge.full_clean()
    assert exc.value.error_dict["enabled"][0].code == "kind_not_supported"
    bridge.enabled = False
    bridge.full_clean()  # configuring ahead, disabled, is allowed


def test_jkn_quota_cannot_exceed_the_online_quota_both_ways():
    schedule = make_schedule(weekdays=[0], online=10)[0]
    schedule.jkn_quota = 11
    with pytest.raises(ValidationError) as exc:
        schedule.full_clean()
    assert exc.value.error_dict["__all__"][0].code == "jkn_over_online"
    with pytest.raises(IntegrityError), transaction.atomic():
        schedule.save()


def test_day_quota_copies_and_follows_the_schedule_jkn_quota(tomorrow):
    schedule = make_schedule(weekdays=[tomorrow.weekday()], online=10)[0]
    Schedule.objects.filter(pk=schedule.pk).update(jkn_quota=4)
    schedule.refresh_from_db()
    row = counters.day_quota_get(schedule, tomorrow)
    assert (row.quota, row.jkn_quota, row.jkn_count) == (10, 4, 0)
    schedule.jkn_quota = 6
    schedule.save()
    counters.sync_online_quota(schedule, tomorrow)
    row.refresh_from_db()
    assert row.jkn_quota == 6


def test_day_quota_refuses_more_jkn_places_than_its_jkn_quota(tomorrow):
    schedule = make_schedule(weekdays=[tomorrow.weekday()], online=10)[0]
    row = counters.day_quota_get(schedule, tomorrow)
    with pytest.raises(IntegrityError), transaction.atomic():
        DayQuota.objects.filter(pk=row.pk).update(jkn_count=1, active_count=1)  # jkn_quota is 0
    with pytest.raises(IntegrityError), transaction.atomic():
        DayQuota.objects.filter(pk=row.pk).update(jkn_quota=11)  # over the online quota


def test_schedule_names_its_session_as_jampraktek():
    schedule = make_schedule(weekdays=[0], start="08:00", end="12:30")[0]
    assert schedule.jampraktek == "08:00-12:30"


# --- admin ----------------------------------------------------------------------------------


def _post(client, url, **fields):
    data = {
        "facility": default_facility().pk,
        "enabled": "",
        "cons_id": "",
        "secret_key": "",
        "user_key": "",
        "base_url": "",
        "ws_username": "",
        "new_ws_password": "",
    }
    data.update(fields)
    return client.post(url, data)


def test_admin_sets_secrets_write_only_and_hashes_the_password(client, admin_user):
    client.force_login(admin_user)
    response = _post(
        client,
        "/admin/queueing/antreanbridge/add/",
        enabled="on",
        cons_id="1234",
        secret_key="sec-1",
        user_key="uk-1",
        ws_username="rs-banyumas",
        new_ws_password="kopi-tubruk-pagi-2026",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bridge = AntreanBridge.objects.get()
    assert bridge.enabled and bridge.secret_key == "sec-1" and bridge.check_ws_password("kopi-tubruk-pagi-2026")
    page = client.get(f"/admin/queueing/antreanbridge/{bridge.pk}/change/").content.decode()
    assert "sec-1" not in page and "uk-1" not in page and bridge.ws_password not in page
    # Saved again with the secret fields empty: the stored ones are kept.
    response = _post(
        client,
        f"/admin/queueing/antreanbridge/{bridge.pk}/change/",
        enabled="on",
        cons_id="1234",
        ws_username="rs-banyumas",
    )
    assert response.status_code == 302
    bridge.refresh_from_db()
    assert (bridge.secret_key, bridge.user_key) == ("sec-1", "uk-1")
    assert bridge.check_ws_password("kopi-tubruk-pagi-2026")


def test_admin_refuses_enabling_a_puskesmas_with_a_clear_error(client, admin_user):
    puskesmas = Facility.objects.create(name="Puskesmas Sokaraja", kind=FacilityKind.PUSKESMAS)
    client.force_login(admin_user)
    response = _post(
        client,
        "/admin/queueing/antreanbridge/add/",
        facility=puskesmas.pk,
        enabled="on",
        ws_username="pkm",
        new_ws_password="kopi-tubruk-pagi-2026",
    )
    assert response.status_code == 200
    assert "hanya untuk rumah sakit (FKRTL)" in response.content.decode()  # the admin speaks Indonesian
    assert not AntreanBridge.objects.exists()


def test_staff_without_permission_cannot_open_the_bridge_admin(client, clerk):
    client.force_login(clerk)
    assert client.get("/admin/queueing/antreanbridge/").status_code == 403
