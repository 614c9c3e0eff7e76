"""The waiting-room display: who may open it, its polled state with ETag/304, the voice and the chime."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_account
from facilities.models import Facility, FacilityMembership, FacilityRole
from queueing.tests.desk_helpers import desk_clerk, today  # noqa: F401 - fixtures
from visitday import voice
from visitday.display.access import screen_group_ensure
from visitday.display.selectors import display_snapshot, forget_snapshots, scope_from_query
from visitday.models import Loket, TicketLine
from visitday.nurse import services as nurse_services
from visitday.services import ticket_call_next, ticket_take
from visitday.tests.clinic_helpers import arrive, day_quota_of, nurse, session_today  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_snapshots(monkeypatch):
    # Each test has its own database: a snapshot of the previous test's must not answer. And a
    # test's polls follow each other within milliseconds: no sharing window (one test checks it).
    from visitday.display import selectors

    monkeypatch.setattr(selectors, "MIN_AGE", 0)
    forget_snapshots()
    yield
    forget_snapshots()


@pytest.fixture
def screen(facility):
    user = make_account("layar@rsud.example", "Layar Ruang Tunggu")
    user.groups.add(screen_group_ensure())
    FacilityMembership.objects.create(user=user, facility=facility, role=FacilityRole.SCREEN)
    return user


@pytest.fixture
def screen_client(client, screen):
    client.force_login(screen)
    return client


@pytest.fixture
def floor(facility, desk_clerk, today, guarantor_types):
    """Line A at Loket 2, and a dental session today with three patients checked in."""
    line = TicketLine.objects.create(facility=facility, letter="A", name="Pendaftaran Umum")
    loket = Loket.objects.create(facility=facility, name="Loket 2")
    loket.lines.set([line])
    bookings = arrive(desk_clerk, session_today(today), 3)
    return line, loket, day_quota_of(bookings[0]), bookings


def data_url(facility, query: str = "") -> str:
    return reverse("visitday_display:data", args=[facility.pk]) + query


def test_a_screen_opens_its_facilitys_display_without_inline_script(screen_client, facility, floor):
    response = screen_client.get(reverse("visitday_display:page", args=[facility.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="display-state"' in html and "visitday/display.js" in html
    assert "<script>" not in html  # CSP: script-src 'self' only
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_index_sends_a_single_facility_screen_straight_to_its_display(screen_client, facility):
    response = screen_client.get(reverse("visitday_display:index"))
    assert response.status_code == 302 and response["Location"] == reverse("visitday_display:page", args=[facility.pk])


def test_strangers_are_kept_out(client, patient, facility):
    url = reverse("visitday_display:page", args=[facility.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    client.force_login(patient)
    assert client.get(url).status_code == 403
    assert client.get(data_url(facility)).status_code == 403


def test_another_facilitys_display_is_not_found(screen_client):
    other = Facility.objects.create(name="Puskesmas Sokaraja")
    assert screen_client.get(reverse("visitday_display:page", args=[other.pk])).status_code == 404
    assert screen_client.get(data_url(other)).status_code == 404


def test_an_unchanged_poll_is_a_304_and_a_new_call_changes_it(screen_client, facility, floor, nurse):
    line, loket, day_quota, bookings = floor
    first = screen_client.get(data_url(facility))
    assert first.status_code == 200 and first["ETag"]
    assert "no-store" not in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    state = first.json()
    assert state["recent"] == [] and [c["name"] for c in state["counters"]] == ["Loket 2"]
    assert state["clinics"][0]["next"] == [b.label for b in bookings]

    again = screen_client.get(data_url(facility), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and again.content == b""

    nurse_services.clinic_call_next(day_quota=day_quota, actor=nurse)
    changed = screen_client.get(data_url(facility), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    state = changed.json()
    [call] = state["recent"]
    assert call["label"] == bookings[0].label and call["place"] == "Poli Gigi"
    assert call["text"] == "Nomor antrean GIGI satu, silakan menuju Poli Gigi"
    assert state["clinics"][0]["label"] == bookings[0].label
    assert state["clinics"][0]["next"] == [b.label for b in bookings[1:]]
    assert state["latest_id"] == call["id"]


def test_a_new_ticket_and_its_counter_call_show_on_the_display(screen_client, facility, floor, desk_clerk):
    line, loket, day_quota, bookings = floor
    ticket = ticket_take(line=line)
    state = screen_client.get(data_url(facility)).json()
    assert state["lines"] == [{"letter": "A", "name": "Pendaftaran Umum", "next": [ticket.label], "waiting": 1}]
    ticket_call_next(loket=loket, line_ids=[line.pk], actor=desk_clerk)
    state = screen_client.get(data_url(facility)).json()
    assert state["counters"] == [{"name": "Loket 2", "label": ticket.label, "call_id": state["latest_id"]}]
    assert state["recent"][0]["text"] == "Nomor antrean A satu, silakan menuju Loket dua"


def test_an_unchanged_poll_costs_a_handful_of_queries(
    screen_client, facility, floor, nurse, django_assert_max_num_queries
):
    nurse_services.clinic_call_next(day_quota=floor[2], actor=nurse)
    etag = screen_client.get(data_url(facility))["ETag"]
    screen_client.get(data_url(facility), HTTP_IF_NONE_MATCH=etag)  # warm: the facilities list is kept 5 s
    # At most the marks query (MIN_AGE is 0 here): no session, no account, the state is shared by
    # every screen and answered before the session is read (visitday.display.middleware).
    with django_assert_max_num_queries(1):
        assert screen_client.get(data_url(facility), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_within_min_age_an_unchanged_poll_costs_no_query(
    screen_client, facility, floor, monkeypatch, django_assert_num_queries
):
    from visitday.display import selectors

    etag = screen_client.get(data_url(facility))["ETag"]
    monkeypatch.setattr(selectors, "MIN_AGE", 60)
    with django_assert_num_queries(0):
        assert screen_client.get(data_url(facility), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_unchanged_poll_needs_no_session_but_only_an_etag_the_checked_view_gave(
    screen_client, facility, floor, nurse
):
    etag = screen_client.get(data_url(facility))["ETag"]
    stranger = Client()
    # The ETag the screen was given answers "unchanged" to whoever presents it, and says nothing more.
    unchanged = stranger.get(data_url(facility), HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b"" and "sessionid" not in unchanged.cookies
    # A made-up ETag, or the same state's ETag under another URL, meets the full check.
    for tag in ('"0000"', '"' + "0" * 32 + '"', "*", etag.upper()):
        response = stranger.get(data_url(facility), HTTP_IF_NONE_MATCH=tag)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"], tag
    assert stranger.get(data_url(facility, "?tempat=loket"), HTTP_IF_NONE_MATCH=etag).status_code == 302
    other = Facility.objects.create(name="Puskesmas Sokaraja")
    assert stranger.get(data_url(other), HTTP_IF_NONE_MATCH=etag).status_code == 302
    # Once something changed, the old ETag is refused to the stranger and the screen gets the new state.
    nurse_services.clinic_call_next(day_quota=floor[2], actor=nurse)
    assert stranger.get(data_url(facility), HTTP_IF_NONE_MATCH=etag).status_code == 302
    assert screen_client.get(data_url(facility), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_same_state_has_another_etag_under_another_facility_or_scope():
    from django.http import QueryDict

    from visitday.display.selectors import _etag

    everything, counters = scope_from_query(QueryDict("")), scope_from_query(QueryDict("tempat=loket"))
    body = b'{"recent":[]}'
    assert _etag(1, everything, body) == _etag(1, everything, body)
    assert len({_etag(1, everything, body), _etag(2, everything, body), _etag(1, counters, body)}) == 3


def test_a_screen_may_show_only_some_places(screen_client, facility, floor, nurse):
    line, loket, day_quota, bookings = floor
    nurse_services.clinic_call_next(day_quota=day_quota, actor=nurse)
    counters_only = screen_client.get(data_url(facility, "?tempat=loket")).json()
    assert counters_only["clinics"] == [] and counters_only["recent"] == [] and counters_only["counters"]
    clinic_only = screen_client.get(data_url(facility, f"?poli={day_quota.schedule.clinic_id}")).json()
    assert clinic_only["counters"] == [] and clinic_only["lines"] == [] and len(clinic_only["recent"]) == 1
    # Unreadable filters are ignored, never a 500: signed in, and from a stranger with an ETag
    # (answered before the session is read).
    assert screen_client.get(data_url(facility, "?poli=abc&loket=%00")).status_code in (200, 400)
    etag = screen_client.get(data_url(facility))["ETag"]
    for query in ("?loket=%C2%B2", "?poli=" + "9" * 5000, "?loket=1,%EF%BC%91,x"):
        assert screen_client.get(data_url(facility, query)).status_code == 200
        # Ignored filters leave the whole display (its ETag: 304); a readable one meets the check.
        assert Client().get(data_url(facility, query), HTTP_IF_NONE_MATCH=etag).status_code in (302, 304)


def test_the_snapshot_is_rebuilt_only_when_something_moved(facility, floor, nurse, monkeypatch):
    from django.http import QueryDict

    from visitday.display import selectors

    everything = scope_from_query(QueryDict(""))
    first = display_snapshot(facility, everything)
    assert display_snapshot(facility, everything) is first  # nothing moved: the same object
    assert display_snapshot(facility, scope_from_query(QueryDict("tempat=poli"))).etag != first.etag
    nurse_services.clinic_call_next(day_quota=floor[2], actor=nurse)
    # Within MIN_AGE of a build, screens share it without a query; after it, the call shows.
    monkeypatch.setattr(selectors, "MIN_AGE", 60)
    assert display_snapshot(facility, everything) is first
    monkeypatch.setattr(selectors, "MIN_AGE", 0)
    assert display_snapshot(facility, everything).etag != first.etag


@pytest.mark.skipif(voice.espeak_path() is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_each_call_is_served_as_speech_and_cached_by_the_browser(
    screen_client, facility, floor, nurse, settings, tmp_path
):
    settings.VOICE_CACHE_DIR = tmp_path
    nurse_services.clinic_call_next(day_quota=floor[2], actor=nurse)
    call = screen_client.get(data_url(facility)).json()["recent"][0]
    response = screen_client.get(call["audio"])
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert "max-age=86400" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert voice.is_wav(b"".join(response.streaming_content))
    assert screen_client.get(call["audio"], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_without_espeak_the_display_still_shows_calls_and_offers_no_audio(
    screen_client, facility, floor, nurse, settings
):
    settings.ESPEAK_NG = "/nonexistent/espeak-ng"
    settings.VOICE_CACHE_DIR = "/nonexistent/voice"
    nurse_services.clinic_call_next(day_quota=floor[2], actor=nurse)
    state = screen_client.get(data_url(facility)).json()
    assert state["speech"] is False and state["recent"][0]["audio"] is None and state["recent"][0]["text"]
    voice_url = reverse("visitday_display:voice", args=[facility.pk, state["latest_id"]])
    assert screen_client.get(voice_url).status_code == 404


def test_the_chime_is_a_cacheable_wav(client):
    response = client.get(reverse("visitday_display:chime"))
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert voice.is_wav(response.content) and "max-age" in response["Cache-Control"]


def test_a_screen_session_lasts_and_sees_the_display_only(client, screen, password, facility):
    client.post(reverse("login"), {"username": screen.email, "password": password})
    assert client.session.get_expiry_age() > 300 * 24 * 3600
    # Signed in, it lands on the dashboard, which sends it on to its display.
    assert client.get(reverse("dashboard")).url == reverse("visitday_display:index")
    assert client.get(reverse("queueing:booking_list")).status_code == 404
    assert client.get(reverse("visitday_display:page", args=[facility.pk])).status_code == 200


def test_the_state_embedded_in_the_page_equals_the_first_poll(screen_client, facility, floor):
    html = screen_client.get(reverse("visitday_display:page", args=[facility.pk])).content.decode()
    embedded = html.split('id="display-state" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(embedded) == screen_client.get(data_url(facility)).json()
